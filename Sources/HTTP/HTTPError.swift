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
        /// A request carrying credentials was answered with a redirect, which is not followed.
        case redirectRefused
        /// The step is stopping (SIGTERM): the request was not sent, or was cut short.
        case stopped
        /// A header that would break the request (a line break in a token): bad input, never sent.
        case invalidHeader
        /// The CA bundle named in a setting cannot be read: bad input.
        case caFileUnreadable
        /// A streamed or spooled body did not match the checksum on record: its last bytes were
        /// never sent.
        case checksumMismatch
        case other
    }

    public var kind: Kind
    /// The URL without userinfo or query, safe to print.
    public var url: String
    /// libcurl's own text for the failure.
    public var detail: String
    public var attempts: Int
    /// The whole request (head and body) had gone out before the answer was lost.
    public var requestSent: Bool = false
    /// A change (POST, PATCH) was sent in full and its answer lost, or a gateway answered 502 or
    /// 504 for it: the server may have acted. Never transient: a second firmware flash, object
    /// or password change is not harmless (contract.md, Exit status).
    public var outcomeUnknown: Bool = false

    public init(kind: Kind, url: String, detail: String, attempts: Int = 1) {
        self.kind = kind
        self.url = url
        self.detail = detail
        self.attempts = attempts
    }

    /// A failure another attempt may cure: the contract's exit 75.
    public var isTransient: Bool {
        if outcomeUnknown { return false }
        return switch kind {
        case .nameResolution, .connectionFailed, .connectionLost, .timedOut: true
        default: false
        }
    }

    public var exitStatus: ExitStatus {
        if outcomeUnknown { return .failure }
        return switch kind {
        case .nameResolution, .connectionFailed, .connectionLost, .timedOut: .transient
        case .protocolNotAllowed, .invalidURL, .invalidHeader, .caFileUnreadable: .badInput
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
        case .redirectRefused: what = "\(url) answered with a redirect, never followed for a request carrying credentials"
        case .stopped: what = "request to \(url) stopped"
        case .invalidHeader: what = "request to \(url) not sent"
        case .caFileUnreadable: what = "the CA bundle for \(url) cannot be read"
        case .checksumMismatch: what = "the image from \(url) is not the one on record"
        case .other: what = "request to \(url) failed"
        }
        let tries = attempts > 1 ? " after \(attempts) attempts" : ""
        let text = detail.isEmpty ? what + tries : "\(what)\(tries): \(detail)"
        return outcomeUnknown ? text + "; the request was sent in full, so whether it was applied is unknown (not retried)" : text
    }

    public var description: String { message }
}
