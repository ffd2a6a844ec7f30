import CCurl

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bytes between a download and an upload running together: the download writes, the upload
/// reads, and whichever runs ahead is paused, so at most `capacity` bytes are ever held. With a
/// checksum, every byte in is digested and the last `holdBack` are kept from the upload until the
/// download has ended and its digest matched.
final class PipeBuffer {
    static let holdBack = 64 * 1024
    let capacity: Int
    let checksum: BodyChecksum?
    private let digest: RunningDigest?
    /// The digest of the whole download, when it did not match the checksum.
    var mismatch: [UInt8]?
    private var storage: [UInt8] = []
    private var readIndex = 0
    var sourcePaused = false
    var uploadPaused = false
    var sourceFinished = false
    var sourceFailed = false
    var bytesIn = 0
    var bytesOut = 0
    let prefix: [UInt8]
    var prefixSent = 0
    let suffix: [UInt8]
    var suffixSent = 0

    init(capacity: Int, framing: BodyFraming, checksum: BodyChecksum?) {
        self.capacity = capacity
        self.checksum = checksum
        digest = checksum.map { RunningDigest($0.algorithm) }
        prefix = framing.prefix
        suffix = framing.suffix
        storage.reserveCapacity(capacity)
    }

    var count: Int { storage.count - readIndex }

    /// What the upload may take now: everything once the download ended (and, with a checksum,
    /// matched), else all but the held-back tail.
    var readable: Int {
        guard checksum != nil, !sourceFinished else { return mismatch == nil ? count : 0 }
        return max(0, count - Self.holdBack)
    }

    /// The download ended: with a checksum, its digest is final now.
    func finishSource(failed: Bool) {
        if let checksum, let digest, !failed {
            let actual = digest.finish()
            if actual != checksum.expected { mismatch = actual }
        }
        sourceFailed = failed
        sourceFinished = true
    }

    /// Accepts a whole chunk, or none (libcurl redelivers a paused chunk whole).
    func write(_ buffer: UnsafeRawBufferPointer) -> Bool {
        if count > 0 && count + buffer.count > capacity { return false }
        // Compact only when needed: a drained buffer is reset for free; moving the unread tail
        // on every write would copy up to the whole buffer per chunk.
        if readIndex == storage.count {
            storage.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex > 0 && storage.count + buffer.count > capacity {
            storage.removeFirst(readIndex)
            readIndex = 0
        }
        storage.append(contentsOf: buffer)
        digest?.update(buffer)
        bytesIn += buffer.count
        return true
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let length = min(buffer.count, count)
        storage.withUnsafeBytes { stored in
            guard let base = stored.baseAddress, let target = buffer.baseAddress else { return }
            target.copyMemory(from: base + readIndex, byteCount: length)
        }
        readIndex += length
        bytesOut += length
        return length
    }
}

private let pipeIn: ccurl_data_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let pipe = Unmanaged<PipeBuffer>.fromOpaque(userdata).takeUnretainedValue()
    if pipe.write(UnsafeRawBufferPointer(start: buffer, count: size * count)) { return size * count }
    pipe.sourcePaused = true
    return ccurl_writefunc_pause
}

private let pipeOut: ccurl_data_callback = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return ccurl_readfunc_abort }
    let pipe = Unmanaged<PipeBuffer>.fromOpaque(userdata).takeUnretainedValue()
    if pipe.prefixSent < pipe.prefix.count { return copyFraming(pipe.prefix, sent: &pipe.prefixSent, into: buffer, room: size * count) }
    let readable = pipe.readable
    if readable > 0 { return pipe.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: min(size * count, readable))) }
    if pipe.sourceFinished {
        // A failed download, or one that is not the image on record: the upload ends short.
        if pipe.sourceFailed || pipe.mismatch != nil { return ccurl_readfunc_abort }
        return copyFraming(pipe.suffix, sent: &pipe.suffixSent, into: buffer, room: size * count)
    }
    pipe.uploadPaused = true
    return ccurl_readfunc_pause
}

extension CurlTransfer {
    /// Uploads `request` with a body that is `source`'s response, streamed: both transfers run in
    /// one multi handle on this thread. The upload starts once the source has answered 2xx with a
    /// Content-Length, which becomes the upload's Content-Length.
    func performPiped(
        _ request: HTTPRequest, source: HTTPRequest, sourceTLS: TLSOptions, framing: BodyFraming, checksum: BodyChecksum?,
        tls: TLSOptions, userAgent: String
    )
        throws(HTTPError) -> HTTPResponse
    {
        let printable = URLText.printable(request.url)
        let sourceURL = URLText.printable(source.url)
        guard let sourceScheme = URLText.scheme(source.url), sourceScheme == "http" || sourceScheme == "https" else {
            throw HTTPError(kind: .protocolNotAllowed, url: sourceURL, detail: "")
        }
        guard let downloader = CurlTransfer(), let multi = curl_multi_init() else {
            throw HTTPError(kind: .other, url: printable, detail: "libcurl could not be initialised")
        }
        defer { curl_multi_cleanup(multi) }
        let pipe = PipeBuffer(capacity: 4 << 20, framing: framing, checksum: checksum)
        let pipePointer = Unmanaged.passUnretained(pipe).toOpaque()

        var download = source
        download.destination = .memory(limit: 0)
        let sourcePrepared = try downloader.prepare(download, tls: sourceTLS, userAgent: userAgent)
        // Larger transfer buffers than libcurl's defaults (16 KiB down, 64 KiB up): fewer
        // callbacks per GiB; both stay well inside the step's memory budget.
        _ = ccurl_setopt_long(downloader.easyHandle, CURLOPT_BUFFERSIZE, 512 * 1024)
        _ = ccurl_setopt_callback(downloader.easyHandle, CURLOPT_WRITEFUNCTION, pipeIn)
        _ = ccurl_setopt_pointer(downloader.easyHandle, CURLOPT_WRITEDATA, pipePointer)
        let uploadPrepared = try prepare(request, tls: tls, userAgent: userAgent)

        return try withExtendedLifetime((pipe, sourcePrepared, uploadPrepared, downloader)) { () throws(HTTPError) -> HTTPResponse in
            curl_multi_add_handle(multi, downloader.easyHandle)
            var uploadAdded = false
            var sourceResult: CURLcode?
            var uploadResult: CURLcode?
            defer {
                curl_multi_remove_handle(multi, downloader.easyHandle)
                if uploadAdded { curl_multi_remove_handle(multi, easyHandle) }
            }
            while true {
                var running: Int32 = 0
                curl_multi_perform(multi, &running)
                var remaining: Int32 = 0
                while let message = curl_multi_info_read(multi, &remaining) {
                    guard message.pointee.msg == CURLMSG_DONE else { continue }
                    if message.pointee.easy_handle == downloader.easyHandle {
                        sourceResult = message.pointee.data.result
                        let status = downloader.currentStatus
                        pipe.finishSource(failed: sourceResult != CURLE_OK || !(200..<300).contains(status))
                    } else if message.pointee.easy_handle == easyHandle {
                        uploadResult = message.pointee.data.result
                    }
                }
                if !uploadAdded {
                    // Start the upload once the source's final answer is in: body bytes, or the end.
                    if pipe.bytesIn > 0 || pipe.sourceFinished {
                        let status = downloader.currentStatus
                        if let sourceResult, sourceResult != CURLE_OK {
                            throw sourceError(downloader.failure(sourceResult, state: sourcePrepared.state, url: sourceURL))
                        }
                        guard (200..<300).contains(status) else {
                            throw HTTPError(kind: .other, url: sourceURL, detail: "the image server answered HTTP \(status)")
                        }
                        guard let length = downloader.announcedContentLength else {
                            throw HTTPError(
                                kind: .other, url: sourceURL,
                                detail: "the image server gave no Content-Length; spool the image to a file first")
                        }
                        uploadPrepared.state.bodyLength = framing.prefix.count + length + framing.suffix.count
                        setOff(CURLOPT_POSTFIELDSIZE_LARGE, uploadPrepared.state.bodyLength)
                        setLong(CURLOPT_UPLOAD_BUFFERSIZE, 512 * 1024)
                        _ = ccurl_setopt_callback(easyHandle, CURLOPT_READFUNCTION, pipeOut)
                        _ = ccurl_setopt_pointer(easyHandle, CURLOPT_READDATA, pipePointer)
                        curl_multi_add_handle(multi, easyHandle)
                        uploadAdded = true
                        continue
                    }
                } else if uploadResult != nil {
                    break
                }
                if pipe.uploadPaused && (pipe.readable > 0 || pipe.sourceFinished) {
                    pipe.uploadPaused = false
                    curl_easy_pause(easyHandle, ccurl_pause_continue)
                }
                if pipe.sourcePaused && pipe.count < pipe.capacity / 2 {
                    pipe.sourcePaused = false
                    curl_easy_pause(downloader.easyHandle, ccurl_pause_continue)
                }
                if running == 0 && uploadAdded && uploadResult == nil { continue }
                curl_multi_poll(multi, nil, 0, 200, nil)
            }
            if let sourceResult, sourceResult != CURLE_OK {
                throw sourceError(downloader.failure(sourceResult, state: sourcePrepared.state, url: sourceURL))
            }
            if let checksum, let actual = pipe.mismatch {
                throw checksum.mismatch(
                    actual: actual, url: sourceURL,
                    what: "the upload was cut \(pipe.bytesIn - pipe.bytesOut) bytes short of its end, so the receiver never had it whole")
            }
            guard let uploadResult, uploadResult == CURLE_OK else {
                throw failure(uploadResult ?? CURLE_ABORTED_BY_CALLBACK, state: uploadPrepared.state, url: printable)
            }
            if pipe.sourceFailed || (pipe.sourceFinished && pipe.bytesOut != pipe.bytesIn) {
                throw HTTPError(kind: .connectionLost, url: sourceURL, detail: "the image download ended early (\(pipe.bytesIn) bytes)")
            }
            return response(uploadPrepared)
        }
    }

    private func sourceError(_ error: HTTPError) -> HTTPError {
        var error = error
        error.detail = "downloading the image: " + error.detail
        return error
    }
}
