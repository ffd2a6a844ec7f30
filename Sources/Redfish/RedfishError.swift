import HTTP
import StepRuntime

/// What went wrong talking to a BMC, mapped to the contract's exit statuses.
public enum RedfishError: StepFailure, Equatable {
    /// A missing or malformed parameter or setting: exit 64.
    case setting(String)
    /// No HTTP answer: connection refused, timeout, TLS. A network error is never a wrong password.
    case transport(HTTPError)
    /// The BMC answered, but not as Redfish should (missing link, not JSON): exit 1.
    case unexpected(String)
    /// The BMC refused the request, with its own messages: exit 1, or 75 for 429/5xx (busy).
    case refused(status: Int, request: String, messages: String)
    /// A login was sent in full and its answer lost: the BMC may have counted a failed login, so
    /// it counts as one; nothing was changed, so another attempt later is safe (exit 75).
    case loginAnswerLost(user: String, HTTPError)

    public var exitStatus: ExitStatus {
        switch self {
        case .setting: .badInput
        case .transport(let error): error.exitStatus
        case .unexpected: .failure
        case .refused(let status, _, _): HTTPResponse.isTransient(status: status) ? .transient : .failure
        case .loginAnswerLost: .transient
        }
    }

    public var message: String {
        switch self {
        case .setting(let text), .unexpected(let text): text
        case .transport(let error): "BMC: " + error.message
        case .refused(let status, let request, let messages):
            "BMC refused \(request) (HTTP \(status))\(messages.isEmpty ? "" : ": " + messages)"
        case .loginAnswerLost(let user, let error):
            "BMC: the answer to the login as \(user) at \(error.url) was lost after it was sent (\(error.detail)); counted as one failed login, nothing was changed"
        }
    }
}
