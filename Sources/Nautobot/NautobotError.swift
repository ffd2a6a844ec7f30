import HTTP
import JSON
import StepRuntime

/// What went wrong talking to Nautobot, mapped to the contract's exit statuses.
public enum NautobotError: StepFailure, Equatable {
    /// A missing or malformed setting or parameter: exit 64.
    case setting(String)
    /// No HTTP answer (connection refused, timeout, TLS): the transport's own status.
    case transport(HTTPError)
    /// 401/403: Nautobot refused the token, or its user's permission for this request. Exit 1.
    case refused(status: Int, detail: String, server: String, request: String)
    /// 429 or 5xx after retries: exit 75.
    case unavailable(status: Int, detail: String, server: String)
    /// Any other non-2xx answer, with Nautobot's own text: exit 1.
    case rejected(status: Int, detail: String, request: String)
    /// An answer that is not the JSON expected: exit 1.
    case invalidAnswer(String)
    /// No such object: exit 1.
    case notFound(String)
    /// Several objects where one was expected, or several addresses: exit 1.
    case ambiguous(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .setting: .badInput
        case .transport(let error): error.exitStatus
        case .unavailable: .transient
        case .refused, .rejected, .invalidAnswer, .notFound, .ambiguous: .failure
        }
    }

    public var message: String {
        switch self {
        case .setting(let text): text
        case .transport(let error): "Nautobot: " + error.message
        case .refused(let status, let detail, let server, let request) where !request.hasPrefix("GET "):
            // A token that reads but may not write: its user lacks the permission, not the token.
            "Nautobot (\(server)) refused the token (HTTP \(status): \(detail)) for \(request); check Secret nautobot-token: its user needs the permission to do that (README, firmware-plan --record)"
        case .refused(let status, let detail, let server, let request):
            "Nautobot (\(server)) refused the token (HTTP \(status): \(detail)) for \(request); check Secret nautobot-token"
        case .unavailable(let status, let detail, let server):
            "Nautobot (\(server)) is unavailable (HTTP \(status)\(detail.isEmpty ? "" : ": " + detail)); try again later"
        case .rejected(let status, let detail, let request):
            "Nautobot answered HTTP \(status) to \(request): \(detail)"
        case .invalidAnswer(let text), .notFound(let text), .ambiguous(let text): text
        }
    }
}

/// Nautobot's own error text from an error body, short enough for one line.
enum NautobotErrorText {
    static let limit = 300

    /// `{"detail": "..."}` gives the detail; `{"field": ["msg", ...]}` gives `field: msg`;
    /// anything else gives the start of the body, or the bare status when there is none.
    static func from(_ response: HTTPResponse) -> String {
        let text: String
        if let json = try? JSONValue(parsing: response.body) {
            if let detail = json["detail"]?.stringValue {
                text = detail
            } else if let members = json.objectValue {
                text = members.map { member in
                    let values = member.value.arrayValue?.compactMap(\.stringValue) ?? [member.value.stringValue ?? member.value.serialized]
                    return "\(member.key): \(values.joined(separator: " "))"
                }.joined(separator: "; ")
            } else {
                text = json.serialized
            }
        } else {
            let body = response.bodyText.split(whereSeparator: \.isNewline).joined(separator: " ")
            text = body.isEmpty ? "no details" : String(body)
        }
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}
