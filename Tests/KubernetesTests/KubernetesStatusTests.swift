import HTTP
import Testing

@testable import Kubernetes

/// A refusal is said by its Status body's reason and message, or by the text of an answer that
/// is no Status (a proxy in front of the API server).
@Suite struct KubernetesStatusTests {
    func status(_ code: Int, _ body: String) -> KubernetesStatus {
        KubernetesStatus(
            HTTPResponse(status: code, headers: [], body: Array(body.utf8), url: "https://127.0.0.1:6443/api/v1/namespaces/x/secrets"))
    }

    @Test func aStatusBodyGivesItsReasonAndMessage() {
        let refused = status(
            422,
            #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Secret \"obm-creds-X\" is invalid: metadata.name: Invalid value","reason":"Invalid","details":{"name":"obm-creds-X","kind":"secrets","causes":[{"reason":"FieldValueInvalid","field":"metadata.name"}]},"code":422}"#
        )
        #expect(refused.reason == "Invalid")
        #expect(refused.message == "Secret \"obm-creds-X\" is invalid: metadata.name: Invalid value")
    }

    @Test func anAnswerThatIsNoStatusIsSaidByItsText() {
        let proxy = status(502, "<html>\n<body>Bad Gateway</body>\n</html>")
        #expect(proxy.reason == "HTTP 502")
        #expect(proxy.message == "<html> <body>Bad Gateway</body> </html>")
        let other = status(500, #"{"error": "upstream connect error"}"#)
        #expect((other.reason, other.message) == ("HTTP 500", #"{"error": "upstream connect error"}"#))
        let long = status(503, String(repeating: "x", count: 1000))
        #expect(long.message.count == 401 && long.message.hasSuffix("…"))
    }
}
