import Foundation
@_spi(BMCInsecureTLS) import HTTP
import StepRuntime
import StepTesting
import Synchronization
import Testing

/// Records the delays the client asked for, instead of sleeping them.
final class DelayRecorder: Sendable {
    private let delays = Mutex<[Double]>([])
    var recorded: [Double] { delays.withLock { $0 } }

    func policy(maxAttempts: Int = 4) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, sleep: { delay in self.delays.withLock { $0.append(delay) } }, random: { 0.5 })
    }
}

@Suite struct HTTPClientTests {
    @Test func plainGetReturnsBodyAndStatus() async throws {
        let base = try await TestHTTPServer.baseURL()
        let response = try await offThread { try HTTPClient().send(HTTPRequest(.get, base + "/ok")) }
        #expect(response.status == 200)
        #expect(response.bodyText == "hello")
    }

    @Test func transientStatusesAreRetriedWithBackoff() async throws {
        let base = try await TestHTTPServer.baseURL()
        for status in [429, 500, 502, 503, 504] {
            let key = "flaky-\(status)-\(UUID())"
            let recorder = DelayRecorder()
            let response = try await offThread {
                try HTTPClient(retry: recorder.policy()).send(HTTPRequest(.get, base + "/flaky?key=\(key)&fail=2&status=\(status)"))
            }
            #expect(response.status == 200, "\(status)")
            #expect(TestHTTPServer.attemptCount(key) == 3)
            // Backoff with jitter fixed at 0.5: 3/4 of 0.5 s, then 3/4 of 1 s.
            #expect(recorder.recorded == [0.375, 0.75], "\(status)")
        }
    }

    @Test func retriesStopAtTheLimitAndReturnTheLastAnswer() async throws {
        let base = try await TestHTTPServer.baseURL()
        let key = "limit-\(UUID())"
        let recorder = DelayRecorder()
        let response = try await offThread {
            try HTTPClient(retry: recorder.policy(maxAttempts: 3)).send(HTTPRequest(.get, base + "/flaky?key=\(key)&fail=9"))
        }
        #expect(response.status == 503)
        #expect(TestHTTPServer.attemptCount(key) == 3)
        #expect(recorder.recorded.count == 2)
    }

    @Test func permanentStatusesAreNotRetried() async throws {
        let base = try await TestHTTPServer.baseURL()
        let key = "permanent-\(UUID())"
        let response = try await offThread {
            try HTTPClient(retry: DelayRecorder().policy()).send(HTTPRequest(.get, base + "/flaky?key=\(key)&fail=1&status=404"))
        }
        #expect(response.status == 404)
        #expect(TestHTTPServer.attemptCount(key) == 1)
    }

    @Test func retryAfterIsHonoured() async throws {
        let base = try await TestHTTPServer.baseURL()
        let recorder = DelayRecorder()
        let response = try await offThread {
            try HTTPClient(retry: recorder.policy()).send(HTTPRequest(.get, base + "/retry-after?key=\(UUID())&value=7"))
        }
        #expect(response.status == 200)
        #expect(recorder.recorded == [7])
        let tooLong = DelayRecorder()
        let given = try await offThread {
            try HTTPClient(retry: tooLong.policy()).send(HTTPRequest(.get, base + "/retry-after?key=\(UUID())&value=3600"))
        }
        #expect(given.status == 503, "a Retry-After beyond the limit is not waited for")
        #expect(tooLong.recorded.isEmpty)
    }

    @Test func nonIdempotentRequestsAreNeverRetried() async throws {
        let base = try await TestHTTPServer.baseURL()
        let key = "post-\(UUID())"
        let response = try await offThread {
            try HTTPClient(retry: DelayRecorder().policy()).send(
                HTTPRequest(.post, base + "/always-503?key=\(key)", body: .bytes(Array("{}".utf8))))
        }
        #expect(response.status == 503)
        #expect(TestHTTPServer.attemptCount(key) == 1)
    }

    @Test func connectionRefusedIsTransientAfterRetries() async throws {
        let recorder = DelayRecorder()
        do {
            _ = try await offThread { try HTTPClient(retry: recorder.policy()).send(HTTPRequest(.get, "http://127.0.0.1:1/x")) }
            Issue.record("no error")
        } catch let error as HTTPError {
            #expect(error.kind == .connectionFailed)
            #expect(error.exitStatus == .transient)
            #expect(error.attempts == 4)
            #expect(recorder.recorded.count == 3)
        }
    }

    @Test func onlyHTTPAndHTTPSAreSpokenEvenAfterARedirect() async throws {
        let base = try await TestHTTPServer.baseURL()
        for url in ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/x"] {
            #expect(throws: HTTPError.self) { try HTTPClient().send(HTTPRequest(.get, url)) }
        }
        do {
            _ = try await offThread { try HTTPClient().send(HTTPRequest(.get, base + "/redirect?to=file:///etc/passwd")) }
            Issue.record("followed a redirect to file://")
        } catch let error as HTTPError {
            #expect(error.kind == .protocolNotAllowed, "\(error)")
        }
        let followed = try await offThread { try HTTPClient().send(HTTPRequest(.get, base + "/redirect?to=/ok")) }
        #expect(followed.status == 200 && followed.bodyText == "hello")
        // A request carrying credentials follows no redirect, not even to its own server: it is an error naming the target.
        for header in [HTTPHeader("X-Auth-Token", "t0ken"), HTTPHeader("Authorization", "Token t0ken")] {
            do {
                _ = try await offThread { try HTTPClient().send(HTTPRequest(.get, base + "/redirect?to=/ok", headers: [header])) }
                Issue.record("followed a redirect with \(header.name)")
            } catch let error as HTTPError {
                #expect(error.kind == .redirectRefused)
                #expect(error.exitStatus == .failure)
                #expect(
                    error.message
                        == "\(base)/redirect answered with a redirect, never followed for a request carrying credentials: HTTP 302 to /ok")
            }
        }
    }

    @Test func fileBodyIsStreamedWithAnExactLength() async throws {
        let base = try await TestHTTPServer.baseURL()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID())").path
        let size = 5 * 1024 * 1024 + 7
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x5A, count: size))
        let response = try await offThread { try HTTPClient().send(HTTPRequest(.post, base + "/upload", body: .file(path: path))) }
        #expect(response.bodyText == "POST \(size) \(size) none", "Content-Length, not chunked")
        let put = try await offThread { try HTTPClient().send(HTTPRequest(.put, base + "/upload", body: .file(path: path))) }
        #expect(put.bodyText == "PUT \(size) \(size)")
    }

    @Test func anotherDownloadIsStreamedThroughWithItsLength() async throws {
        let base = try await TestHTTPServer.baseURL()
        let size = 24 * 1024 * 1024 + 3
        let source = HTTPRequest(.get, base + "/big?bytes=\(size)")
        let response = try await offThread {
            try HTTPClient().send(HTTPRequest(.post, base + "/upload", body: .stream(from: source, tls: .system)))
        }
        #expect(response.bodyText == "POST \(size) \(size) none", "Content-Length from the source, not chunked")
        let put = try await offThread {
            try HTTPClient().send(
                HTTPRequest(.put, base + "/upload", body: .stream(from: HTTPRequest(.get, base + "/big?bytes=5"), tls: .system)))
        }
        #expect(put.bodyText == "PUT 5 5")
    }

    @Test func aStreamWithoutLengthOrWithAFailingSourceIsRefused() async throws {
        let base = try await TestHTTPServer.baseURL()
        for (path, text) in [("/chunked?bytes=100000", "gave no Content-Length"), ("/flaky?key=\(UUID())&fail=5&status=404", "HTTP 404")] {
            do {
                _ = try await offThread {
                    try HTTPClient().send(
                        HTTPRequest(.post, base + "/upload", body: .stream(from: HTTPRequest(.get, base + path), tls: .system)))
                }
                Issue.record("uploaded from \(path)")
            } catch let error as HTTPError {
                #expect(error.message.contains(text), "\(error)")
            }
        }
        do {
            _ = try await offThread {
                try HTTPClient().send(
                    HTTPRequest(.post, base + "/upload", body: .stream(from: HTTPRequest(.get, "file:///etc/passwd"), tls: .system)))
            }
            Issue.record("streamed a file:// source")
        } catch let error as HTTPError {
            #expect(error.kind == .protocolNotAllowed)
        }
    }

    @Test func responseBodyIsStreamedToAFile() async throws {
        let base = try await TestHTTPServer.baseURL()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("download-\(UUID())").path
        let response = try await offThread {
            try HTTPClient().send(HTTPRequest(.get, base + "/big?bytes=3000000", destination: .file(path: path)))
        }
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect(attributes[.size] as? Int == 3_000_000)
    }

    @Test func memoryBodiesAreBounded() async throws {
        let base = try await TestHTTPServer.baseURL()
        do {
            _ = try await offThread {
                try HTTPClient().send(HTTPRequest(.get, base + "/big?bytes=200000", destination: .memory(limit: 100_000)))
            }
            Issue.record("accepted a body over the limit")
        } catch let error as HTTPError {
            #expect(error.kind == .responseTooLarge)
        }
    }

    @Test func credentialsAreSentButNeverLogged() async throws {
        let base = try await TestHTTPServer.baseURL()
        let response = try await offThread {
            try HTTPClient().send(HTTPRequest(.get, base + "/echo-headers", headers: [HTTPHeader("Authorization", "Token abc")]))
        }
        #expect(response.bodyText.lowercased().contains("authorization: token abc"))
        #expect(HTTPHeader("authorization", "x").isCredential && HTTPHeader("X-Auth-Token", "x").isCredential)
        #expect(!HTTPHeader("Accept", "x").isCredential)
    }
}

@Suite struct RetryPolicyTests {
    @Test func retryAfterParsesSecondsAndDates() {
        #expect(RetryPolicy.parseRetryAfter("120", now: 0) == 120)
        #expect(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_770) == 7)
        #expect(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_790) == 0)
        #expect(RetryPolicy.parseRetryAfter("soon", now: 0) == nil)
        #expect(RetryPolicy.parseRetryAfter("-5", now: 0) == nil)
    }

    @Test func backoffGrowsAndIsCapped() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: 1, maxDelay: 4, random: { 1 })
        #expect((1...6).compactMap { policy.delay(afterAttempt: $0, retryAfter: nil) } == [1, 2, 4, 4, 4, 4])
        #expect(policy.delay(afterAttempt: 10, retryAfter: nil) == nil)
    }
}

@Suite struct URLTextTests {
    @Test func printableDropsCredentialsAndQuery() {
        #expect(URLText.printable("https://user:pw@host:8443/a/b?token=x#f") == "https://host:8443/a/b")
        #expect(URLText.printable("https://host/a") == "https://host/a")
    }

    @Test func originsCompareServers() {
        #expect(URLText.origin("https://Nautobot.local:443/api/?x") == "https://nautobot.local")
        #expect(URLText.origin("http://a:8080/x") == "http://a:8080")
        #expect(URLText.origin("https://evil.example/api/") != URLText.origin("https://nautobot.local"))
        #expect(URLText.origin("nota-url") == nil)
    }

    @Test func queryValuesAreFullyEncoded() {
        #expect(URLText.encodeQueryValue("a b&c") == "a%20b%26c")
        #expect(URLText.encodeQueryValue("x+y.domain.local") == "x%2By.domain.local")
        #expect(URLText.encodeQueryValue("100%#é") == "100%25%23%C3%A9")
    }
}

@Suite struct TLSOptionsTests {
    @Test func verificationIsOnUnlessTheBMCSPISaysOtherwise() {
        #expect(TLSOptions.system.verifiesPeer)
        #expect(TLSOptions(caFile: "/x").verifiesPeer)
        #expect(!TLSOptions.insecure.verifiesPeer)
    }
}

/// Requests that change something or carry credentials, under the faults a network plays: an
/// answer lost on a kept-alive connection, a gateway's 502, a redirect to another host.
@Suite struct HTTPChangeSafetyTests {
    /// Answers the first request on each connection; reads any later one and closes without a
    /// word, as a server whose keep-alive timer fired would. POSTs are never answered.
    static func droppingServer() throws -> ScriptedSocketServer {
        try ScriptedSocketServer { method, _, onConnection in
            method == "GET" && onConnection == 1 ? .respond(status: 200, body: "warm") : .closeWithoutAnswer
        }
    }

    @Test func libcurlReplaysAnUnansweredRequestOnAReusedConnection() async throws {
        let server = try Self.droppingServer()
        defer { server.stop() }
        let response = try await offThread {
            let client = try HTTPClient(retry: .never)
            _ = try client.send(HTTPRequest(.get, server.baseURL + "/warm"))
            return try client.send(HTTPRequest(.get, server.baseURL + "/again"))
        }
        // The reason for fresh connections: one GET in the caller's code, two at the server.
        #expect(response.status == 200)
        #expect(server.requests.filter { $0.path == "/again" }.count == 2)
    }

    @Test func aChangeWhoseAnswerIsLostReachesTheServerOnceAndIsNotTransient() async throws {
        let server = try Self.droppingServer()
        defer { server.stop() }
        do {
            _ = try await offThread {
                let client = try HTTPClient()
                _ = try client.send(HTTPRequest(.get, server.baseURL + "/warm"))
                return try client.send(HTTPRequest(.post, server.baseURL + "/Actions/SimpleUpdate", body: .bytes(Array("{}".utf8))))
            }
            Issue.record("a POST with no answer succeeded")
        } catch let error as HTTPError {
            #expect(error.outcomeUnknown)
            #expect(error.requestSent)
            #expect(error.exitStatus == .failure)
            #expect(!error.isTransient)
            #expect(error.message.hasSuffix("; the request was sent in full, so whether it was applied is unknown (not retried)"))
        }
        let posts = server.requests.filter { $0.method == "POST" }
        #expect(posts.count == 1)
        #expect(posts.first?.body == "{}")
        #expect(posts.first?.connection != server.requests.first?.connection, "a connection of its own")
    }

    @Test func aChangeThatNeverWentOutStaysTransient() async throws {
        do {
            _ = try await offThread {
                try HTTPClient(retry: .never).send(HTTPRequest(.post, "http://127.0.0.1:\(closedPort())/x", body: .bytes([1])))
            }
            Issue.record("a POST to a closed port succeeded")
        } catch let error as HTTPError {
            #expect(error.kind == .connectionFailed)
            #expect(!error.requestSent && !error.outcomeUnknown)
            #expect(error.exitStatus == .transient)
        }
    }

    @Test func aGatewayErrorToAChangeLeavesItsOutcomeUnknown() async throws {
        for status in [502, 504] {
            let server = try ScriptedSocketServer { _, _, _ in .respond(status: status) }
            defer { server.stop() }
            do {
                _ = try await offThread { try HTTPClient().send(HTTPRequest(.patch, server.baseURL + "/Accounts/2", body: .bytes([1]))) }
                Issue.record("a \(status) to a PATCH was returned as an answer")
            } catch let error as HTTPError {
                #expect(error.outcomeUnknown && error.exitStatus == .failure)
                #expect(error.detail == "a gateway answered HTTP \(status)")
            }
            #expect(server.requests.count == 1, "never retried")
        }
    }

    @Test func aRedirectedLoginNeverSendsItsBodyElsewhere() async throws {
        let elsewhere = try ScriptedSocketServer { _, _, _ in .respond(status: 201) }
        defer { elsewhere.stop() }
        for status in [301, 302, 303, 307, 308] {
            let bmc = try ScriptedSocketServer { _, _, _ in
                .respond(status: status, headers: [("Location", elsewhere.baseURL + "/steal")])
            }
            defer { bmc.stop() }
            let body = Array(#"{"UserName":"root","Password":"calvin-0"}"#.utf8)
            do {
                _ = try await offThread {
                    try HTTPClient().send(
                        HTTPRequest(
                            .post, bmc.baseURL + "/redfish/v1/SessionService/Sessions", body: .bytes(body), carriesCredentials: true))
                }
                Issue.record("a redirected login was accepted (\(status))")
            } catch let error as HTTPError {
                #expect(error.kind == .redirectRefused)
                #expect(error.detail == "HTTP \(status) to \(elsewhere.baseURL)/steal")
            }
            #expect(bmc.requests.count == 1)
        }
        #expect(elsewhere.requests.isEmpty, "the password went nowhere else")
    }
}
