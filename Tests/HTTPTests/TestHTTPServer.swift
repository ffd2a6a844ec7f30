import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A plain-HTTP server on 127.0.0.1 with the behaviours the client must handle: flaky answers,
/// Retry-After, redirects, large bodies, uploads it measures. Started once per test process.
enum TestHTTPServer {
    private static let attempts = Mutex<[String: Int]>([:])
    private static let started = Mutex<Task<Int, any Error>?>(nil)

    /// The number of requests a key has seen.
    static func attemptCount(_ key: String) -> Int { attempts.withLock { $0[key] ?? 0 } }

    static func count(_ key: String) -> Int {
        attempts.withLock { table in
            table[key, default: 0] += 1
            return table[key] ?? 0
        }
    }

    static func baseURL() async throws -> String {
        let task = started.withLock { task in
            if let task { return task }
            let made = Task { try await start() }
            task = made
            return made
        }
        return "http://127.0.0.1:\(try await task.value)"
    }

    private static func start() async throws -> Int {
        let router = Router()
        router.get("ok") { _, _ in "hello" }
        router.get("flaky") { request, _ -> Response in
            let key = String(request.uri.queryParameters["key"] ?? "")
            let failures = Int(request.uri.queryParameters["fail"] ?? "0") ?? 0
            let status = Int(request.uri.queryParameters["status"] ?? "503") ?? 503
            if count(key) <= failures { return Response(status: HTTPResponse.Status(code: status)) }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "recovered")))
        }
        router.get("retry-after") { request, _ -> Response in
            let key = String(request.uri.queryParameters["key"] ?? "")
            let value = String(request.uri.queryParameters["value"] ?? "2")
            if count(key) == 1 { return Response(status: .serviceUnavailable, headers: [.retryAfter: value]) }
            return Response(status: .ok)
        }
        router.post("always-503") { request, _ -> Response in
            _ = count(String(request.uri.queryParameters["key"] ?? ""))
            return Response(status: .serviceUnavailable)
        }
        router.post("upload") { request, _ -> String in
            var total = 0
            for try await buffer in request.body { total += buffer.readableBytes }
            let length = request.headers[.contentLength] ?? "none"
            let encoding = request.headers[.transferEncoding] ?? "none"
            return "\(request.method.rawValue) \(total) \(length) \(encoding)"
        }
        router.put("upload") { request, _ -> String in
            var total = 0
            for try await buffer in request.body { total += buffer.readableBytes }
            return "\(request.method.rawValue) \(total) \(request.headers[.contentLength] ?? "none")"
        }
        router.get("big") { request, _ -> Response in
            let size = Int(request.uri.queryParameters["bytes"] ?? "0") ?? 0
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(repeating: UInt8(ascii: "x"), count: size)))
        }
        router.get("chunked") { request, _ -> Response in
            let size = Int(request.uri.queryParameters["bytes"] ?? "0") ?? 0
            // No content length: the body goes out chunked.
            return Response(
                status: .ok,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(repeating: UInt8(ascii: "y"), count: size))
                    try await writer.finish(nil)
                })
        }
        router.get("redirect") { request, _ -> Response in
            let to = String(request.uri.queryParameters["to"] ?? "/ok")
            return Response(status: .found, headers: [.location: to])
        }
        router.get("echo-headers") { request, _ -> String in
            request.headers.map { "\($0.name.canonicalName): \($0.value)" }.joined(separator: "\n")
        }
        let port = Mutex<Int>(0)
        let ready = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                ready.continuation.yield(channel.localAddress?.port ?? 0)
                ready.continuation.finish()
            }
        )
        Task { try await app.run() }
        for await value in ready.stream { port.withLock { $0 = value } }
        return port.withLock { $0 }
    }
}
