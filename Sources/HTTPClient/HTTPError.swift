import StepRuntime

/// A request that got no HTTP answer: the transport failed, or the request could not be made.
/// HTTP statuses are not errors here; the caller judges them.
public struct HTTPError: StepFailure, Equatable, CustomStringConvertible {
    /// What went wrong, in the terms an operator acts on.
    public enum Kind: Sendable, Equatable {
        case nameResolution
        case connectionFailed
        case connectionLost
        case timedOut
        case tlsVerification
        case tlsHandshake
        case protocolNotAllowed
        case invalidURL
        case responseTooLarge
        case localFile
        /// A streamed body's source gave no Content-Length: spool it to a file instead.
        case sourceLengthUnknown
        case other
    }

    public var kind: Kind
    /// The URL without userinfo or query, safe to print.
    public var url: String
    /// libcurl's own text for the failure.
    public var detail: String
    public var attempts: Int

    public init(kind: Kind, url: String, detail: String, attempts: Int = 1) {
        self.kind = kind
        self.url = url
        self.detail = detail
        self.attempts = attempts
    }

    /// A failure another attempt may cure: the contract's exit 75.
    public var isTransient: Bool {
        switch kind {
        case .nameResolution, .connectionFailed, .connectionLost, .timedOut: true
        default: false
        }
    }

    public var exitStatus: ExitStatus {
        switch kind {
        case .nameResolution, .connectionFailed, .connectionLost, .timedOut: .transient
        case .protocolNotAllowed, .invalidURL: .badInput
        default: .failure
        }
    }

    public var message: String {
        let what: String
        switch kind {
        case .nameResolution: what = "cannot resolve the host of \(url)"
        case .connectionFailed: what = "cannot connect to \(url)"
        case .connectionLost: what = "connection to \(url) failed mid-request"
        case .timedOut: what = "\(url) did not answer in time"
        case .tlsVerification: what = "the TLS certificate of \(url) failed verification"
        case .tlsHandshake: what = "TLS handshake with \(url) failed"
        case .protocolNotAllowed: what = "\(url) (or a redirect from it) is not http or https"
        case .invalidURL: what = "\(url) is not a valid URL"
        case .responseTooLarge: what = "the answer from \(url) is larger than allowed"
        case .localFile: what = "a local file for the transfer with \(url) failed"
        case .sourceLengthUnknown: what = "\(url) gave no Content-Length to stream with"
        case .other: what = "request to \(url) failed"
        }
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        return detail.isEmpty ? what + tries : "\(what)\(tries): \(detail)"
    }

    public var description: String { message }
}
