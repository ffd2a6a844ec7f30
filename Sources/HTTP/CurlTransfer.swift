import CCurl
import StepRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// libcurl set up once per process, before any handle exists (curl_global_init is not thread-safe).
enum CurlGlobal {
    static let initialized: Bool = curl_global_init(ccurl_global_default) == CURLE_OK
}

/// What the C callbacks of one transfer read and fill: the response body and headers, the file
/// being uploaded. Reached from C through an unretained pointer that lives as long as `perform`.
final class TransferState {
    var body: [UInt8] = []
    var memoryLimit: Int
    var outputFD: Int32 = -1
    var inputFD: Int32 = -1
    /// Framing around an uploaded file: the prefix is sent first, the suffix after the file.
    var prefix: [UInt8] = []
    var prefixSent = 0
    var suffix: [UInt8] = []
    var suffixSent = 0
    var inputFinished = false
    var headers: [HTTPHeader] = []
    var responseTooLarge = false
    var localFileError: String?
    /// Kept alive here because libcurl reads POSTFIELDS from this memory during the transfer.
    var requestBytes: [UInt8] = []
    /// The body's length as sent in Content-Length, to tell a request sent in full.
    var bodyLength = 0
    /// A streamed upload (a firmware image): cut at once on a stop, so the server never gets
    /// its last bytes; other requests get TerminationSignal.inFlightBound.
    var isUpload = false
    /// Deleting a session: never cut by a stop (it has its own short timeouts).
    var isCleanup = false
    /// The transfer was cut because the step is stopping.
    var stoppedBySignal = false

    init(memoryLimit: Int) {
        self.memoryLimit = memoryLimit
    }
}

private let receiveBody: ccurl_data_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    if state.outputFD >= 0 {
        var offset = 0
        while offset < length {
            let written = write(state.outputFD, buffer + offset, length - offset)
            if written < 0 {
                if errno == EINTR { continue }
                state.localFileError = String(cString: strerror(errno))
                return 0
            }
            offset += written
        }
        return length
    }
    guard state.body.count + length <= state.memoryLimit else {
        state.responseTooLarge = true
        return 0
    }
    state.body.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: length))
    return length
}

private let receiveHeader: ccurl_data_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: buffer, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        // A new status line: a redirect or a 1xx came before; only the last response's headers count.
        state.headers.removeAll()
    } else if let colon = line.firstIndex(of: ":") {
        let name = String(line[..<colon])
        let value = String(line[line.index(after: colon)...]).trimming(" \t\r\n")
        state.headers.append(HTTPHeader(name, value))
    }
    return length
}

private let sendFile: ccurl_data_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return ccurl_readfunc_abort }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    let room = size * count
    if state.prefixSent < state.prefix.count {
        return copyFraming(state.prefix, sent: &state.prefixSent, into: buffer, room: room)
    }
    while !state.inputFinished {
        let got = read(state.inputFD, buffer, room)
        if got > 0 { return got }
        if got == 0 {
            state.inputFinished = true
            break
        }
        if errno == EINTR { continue }
        state.localFileError = String(cString: strerror(errno))
        return ccurl_readfunc_abort
    }
    return copyFraming(state.suffix, sent: &state.suffixSent, into: buffer, room: room)
}

/// libcurl's progress callback, about once a second and on every chunk: cuts the transfer when
/// the step is stopping (see TransferState.isUpload).
private let watchForStop: ccurl_xferinfo_callback = { userdata, _, _, uploadTotal, uploadNow in
    guard let userdata, let since = TerminationSignal.secondsSinceRequest else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    if state.isCleanup { return 0 }
    let uploading = state.isUpload && (uploadTotal <= 0 || uploadNow < uploadTotal)
    guard uploading || since >= TerminationSignal.inFlightBound else { return 0 }
    state.stoppedBySignal = true
    return 1
}

/// Copies the next part of framing bytes into libcurl's buffer; returns the count copied.
func copyFraming(_ bytes: [UInt8], sent: inout Int, into buffer: UnsafeMutablePointer<CChar>, room: Int) -> Int {
    let length = min(room, bytes.count - sent)
    guard length > 0 else { return 0 }
    let offset = sent
    bytes.withUnsafeBytes { source in
        guard let base = source.baseAddress else { return }
        UnsafeMutableRawPointer(buffer).copyMemory(from: base + offset, byteCount: length)
    }
    sent += length
    return length
}

/// What one prepared transfer owns while libcurl uses it: the callbacks' state and the header
/// list, released when the transfer is done.
final class PreparedTransfer {
    let request: HTTPRequest
    let state: TransferState
    var headerList: UnsafeMutablePointer<curl_slist>?
    var connectToList: UnsafeMutablePointer<curl_slist>?

    init(request: HTTPRequest, state: TransferState) {
        self.request = request
        self.state = state
    }

    var printableURL: String { URLText.printable(request.url) }

    deinit {
        curl_slist_free_all(headerList)
        curl_slist_free_all(connectToList)
        if state.outputFD >= 0 { close(state.outputFD) }
        if state.inputFD >= 0 { close(state.inputFD) }
    }
}

/// One libcurl easy handle and the attempts made with it. Reusing the handle keeps its
/// connection alive between requests to the same server.
final class CurlTransfer {
    private let handle: UnsafeMutableRawPointer
    /// `HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT` routes, as `curl --connect-to`.
    var connectTo: [String] = []
    private var errorBuffer = [CChar](repeating: 0, count: Int(ccurl_error_size))

    init?() {
        guard CurlGlobal.initialized, let handle = curl_easy_init() else { return nil }
        self.handle = handle
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// Makes one attempt: no retries here.
    func perform(_ request: HTTPRequest, tls: TLSOptions, userAgent: String) throws(HTTPError) -> HTTPResponse {
        let prepared = try prepare(request, tls: tls, userAgent: userAgent)
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else { throw failure(code, state: prepared.state, url: prepared.printableURL) }
        return response(prepared)
    }

    /// Sets every option of one request on the handle; the result keeps what libcurl points into
    /// alive until the transfer is over.
    func prepare(_ request: HTTPRequest, tls: TLSOptions, userAgent: String) throws(HTTPError) -> PreparedTransfer {
        curl_easy_reset(handle)
        let limit: Int
        if case .memory(let bytes) = request.destination { limit = bytes } else { limit = 0 }
        let prepared = PreparedTransfer(request: request, state: TransferState(memoryLimit: limit))
        let state = prepared.state
        let statePointer = Unmanaged.passUnretained(state).toOpaque()
        let printable = prepared.printableURL

        setString(CURLOPT_URL, request.url)
        // Only http and https, also for redirects: no file://, gopher://, ... ever.
        setString(CURLOPT_PROTOCOLS_STR, "http,https")
        setString(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        setLong(CURLOPT_FOLLOWLOCATION, request.followsRedirects ? 1 : 0)
        setLong(CURLOPT_MAXREDIRS, 5)
        if request.freshConnection {
            // Never on a kept-alive connection, and not kept after: libcurl replays a request
            // that got no answer on a reused connection (see HTTPRequest.freshConnection).
            setLong(CURLOPT_FRESH_CONNECT, 1)
            setLong(CURLOPT_FORBID_REUSE, 1)
        }
        setLong(CURLOPT_NOSIGNAL, 1)
        setString(CURLOPT_USERAGENT, userAgent)
        errorBuffer.withUnsafeMutableBytes { _ = ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, $0.baseAddress) }
        errorBuffer[0] = 0

        setLong(CURLOPT_CONNECTTIMEOUT_MS, Int(request.timeouts.connect * 1000))
        if let total = request.timeouts.total { setLong(CURLOPT_TIMEOUT_MS, Int(total * 1000)) }
        setLong(CURLOPT_LOW_SPEED_LIMIT, request.timeouts.lowSpeedBytesPerSecond)
        setLong(CURLOPT_LOW_SPEED_TIME, request.timeouts.lowSpeedSeconds)

        try applyTLS(tls, url: printable)
        if !connectTo.isEmpty {
            for route in connectTo { prepared.connectToList = curl_slist_append(prepared.connectToList, route) }
            _ = ccurl_setopt_slist(handle, CURLOPT_CONNECT_TO, prepared.connectToList)
        }

        for header in request.headers {
            // A line break (or NUL) in a value would end the header and start another: a token
            // read from a file must never forge `Impersonate-User`. The value is never shown.
            let forbidden: (Unicode.Scalar) -> Bool = { $0 == "\r" || $0 == "\n" || $0 == "\0" }
            guard !header.value.unicodeScalars.contains(where: forbidden), !header.name.unicodeScalars.contains(where: forbidden),
                !header.name.contains(":")
            else {
                throw HTTPError(
                    kind: .invalidHeader, url: printable,
                    detail:
                        "the \(header.name.unicodeScalars.contains(where: forbidden) ? "header name" : header.name) value holds a line break or NUL"
                )
            }
            prepared.headerList = curl_slist_append(prepared.headerList, "\(header.name): \(header.value)")
        }
        // No `Expect: 100-continue` pause before a body: servers that never answer 100 cost a second.
        prepared.headerList = curl_slist_append(prepared.headerList, "Expect:")
        _ = ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, prepared.headerList)

        state.isCleanup = request.isCleanup
        setLong(CURLOPT_NOPROGRESS, 0)
        _ = ccurl_setopt_xferinfo(handle, watchForStop)
        _ = ccurl_setopt_pointer(handle, CURLOPT_XFERINFODATA, statePointer)
        _ = ccurl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, receiveHeader)
        _ = ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, statePointer)
        _ = ccurl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, receiveBody)
        _ = ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, statePointer)

        if case .file(let path) = request.destination {
            state.outputFD = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard state.outputFD >= 0 else {
                throw HTTPError(kind: .localFile, url: printable, detail: "\(path): \(String(cString: strerror(errno)))")
            }
        }
        try applyBody(request, state: state, statePointer: statePointer, url: printable)
        return prepared
    }

    /// The response of a finished transfer.
    func response(_ prepared: PreparedTransfer) -> HTTPResponse {
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var effective: UnsafeMutablePointer<CChar>?
        _ = ccurl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effective)
        return HTTPResponse(
            status: status,
            headers: prepared.state.headers,
            body: prepared.state.body,
            url: effective.map { String(cString: $0) } ?? prepared.request.url
        )
    }

    /// The status received so far (0 before the status line).
    var currentStatus: Int {
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return status
    }

    /// The announced Content-Length of the response, nil when none was given.
    var announcedContentLength: Int? {
        var length: curl_off_t = -1
        _ = ccurl_getinfo_off(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length)
        return length >= 0 ? Int(length) : nil
    }

    var easyHandle: UnsafeMutableRawPointer { handle }

    private func applyBody(_ request: HTTPRequest, state: TransferState, statePointer: UnsafeMutableRawPointer, url: String)
        throws(HTTPError)
    {
        switch (request.method, request.body) {
        case (.get, .none):
            setLong(CURLOPT_HTTPGET, 1)
        case (.head, _):
            setLong(CURLOPT_NOBODY, 1)
        case (_, .none):
            setString(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
            if request.method != .get && request.method != .delete && request.method != .options {
                // A body-taking method with no body still says Content-Length: 0.
                setLong(CURLOPT_POST, 1)
                setOff(CURLOPT_POSTFIELDSIZE_LARGE, 0)
                setString(CURLOPT_POSTFIELDS, "")
            }
        case (_, .bytes(let bytes)):
            state.requestBytes = bytes
            state.bodyLength = bytes.count
            setLong(CURLOPT_POST, 1)
            setOff(CURLOPT_POSTFIELDSIZE_LARGE, bytes.count)
            state.requestBytes.withUnsafeMutableBytes { _ = ccurl_setopt_pointer(handle, CURLOPT_POSTFIELDS, $0.baseAddress) }
            setString(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        case (_, .stream):
            // CurlPipedUpload sets the length and the read callback once the source has answered.
            state.isUpload = true
            setLong(CURLOPT_POST, 1)
            setString(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        case (_, .file(let path, let framing)):
            state.prefix = framing.prefix
            state.suffix = framing.suffix
            state.isUpload = true
            state.inputFD = open(path, O_RDONLY | O_CLOEXEC)
            var info = stat()
            guard state.inputFD >= 0, fstat(state.inputFD, &info) == 0 else {
                throw HTTPError(kind: .localFile, url: url, detail: "\(path): \(String(cString: strerror(errno)))")
            }
            // A known size makes libcurl send Content-Length, never chunked (iDRAC refuses chunked).
            setLong(CURLOPT_POST, 1)
            state.bodyLength = framing.prefix.count + Int(info.st_size) + framing.suffix.count
            setOff(CURLOPT_POSTFIELDSIZE_LARGE, state.bodyLength)
            setLong(CURLOPT_UPLOAD_BUFFERSIZE, 512 * 1024)
            _ = ccurl_setopt_callback(handle, CURLOPT_READFUNCTION, sendFile)
            _ = ccurl_setopt_pointer(handle, CURLOPT_READDATA, statePointer)
            setString(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
    }

    private func applyTLS(_ tls: TLSOptions, url: String) throws(HTTPError) {
        if tls.verifiesPeer {
            setLong(CURLOPT_SSL_VERIFYPEER, 1)
            setLong(CURLOPT_SSL_VERIFYHOST, 2)
        } else {
            setLong(CURLOPT_SSL_VERIFYPEER, 0)
            setLong(CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let caFile = tls.caFile {
            guard access(caFile, R_OK) == 0 else {
                // A setting that names a missing file: bad input, not a certificate that failed.
                throw HTTPError(kind: .caFileUnreadable, url: url, detail: "\(caFile): \(String(cString: strerror(errno)))")
            }
            setString(CURLOPT_CAINFO, caFile)
        }
        if var pem = tls.caPEM {
            pem.withUnsafeMutableBytes { _ = ccurl_setopt_blob(handle, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count) }
        }
        if var certificate = tls.clientCertificatePEM, var key = tls.clientKeyPEM {
            setString(CURLOPT_SSLCERTTYPE, "PEM")
            certificate.withUnsafeMutableBytes { _ = ccurl_setopt_blob(handle, CURLOPT_SSLCERT_BLOB, $0.baseAddress, $0.count) }
            setString(CURLOPT_SSLKEYTYPE, "PEM")
            key.withUnsafeMutableBytes { _ = ccurl_setopt_blob(handle, CURLOPT_SSLKEY_BLOB, $0.baseAddress, $0.count) }
        }
    }

    func failure(_ code: CURLcode, state: TransferState, url: String) -> HTTPError {
        var detail = errorBuffer.withUnsafeBufferPointer { buffer in
            String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
        let kind: HTTPError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .nameResolution
        case CURLE_COULDNT_CONNECT: kind = .connectionFailed
        case CURLE_OPERATION_TIMEDOUT: kind = .timedOut
        case CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            kind = .connectionLost
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CERTPROBLEM:
            kind = .tlsVerification
        case CURLE_SSL_CONNECT_ERROR: kind = .tlsHandshake
        case CURLE_UNSUPPORTED_PROTOCOL: kind = .protocolNotAllowed
        case CURLE_URL_MALFORMAT: kind = .invalidURL
        case CURLE_ABORTED_BY_CALLBACK where state.stoppedBySignal:
            kind = .stopped
            detail = "cut short: the step is stopping (\(TerminationSignal.signalName ?? "signal"))"
        case CURLE_WRITE_ERROR where state.responseTooLarge:
            kind = .responseTooLarge
            detail = "more than \(state.memoryLimit) bytes"
        case CURLE_WRITE_ERROR, CURLE_READ_ERROR, CURLE_ABORTED_BY_CALLBACK:
            kind = state.localFileError != nil ? .localFile : .other
            if let reason = state.localFileError { detail = reason }
        default: kind = .other
        }
        var error = HTTPError(kind: kind, url: url, detail: detail)
        error.requestSent = requestSentInFull(state)
        return error
    }

    /// Whether the request's head and whole body went out on the connection.
    func requestSentInFull(_ state: TransferState) -> Bool {
        var headBytes = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &headBytes)
        var bodyBytes: curl_off_t = 0
        _ = ccurl_getinfo_off(handle, CURLINFO_SIZE_UPLOAD_T, &bodyBytes)
        return headBytes > 0 && Int(bodyBytes) >= state.bodyLength
    }

    func setLong(_ option: CURLoption, _ value: Int) { _ = ccurl_setopt_long(handle, option, value) }
    func setOff(_ option: CURLoption, _ value: Int) { _ = ccurl_setopt_off(handle, option, value) }
    private func setString(_ option: CURLoption, _ value: String) { _ = ccurl_setopt_string(handle, option, value) }
}
