import CCrypto

/// The checksum a streamed body must match before its last bytes go out: sha256 or sha512 of the
/// source's bytes (the upload's framing not included), computed through libcrypto as they pass.
public struct BodyChecksum: Sendable, Equatable {
    /// The digests an image is verified with: those a plan may name.
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha256
        case sha512

        var length: Int { self == .sha256 ? 32 : 64 }
    }

    public let algorithm: Algorithm
    public let expected: [UInt8]

    /// nil when the algorithm is not sha256 or sha512, or the text is not its hexadecimal digest
    /// (either case).
    public init?(algorithm name: String, hex: String) {
        guard let algorithm = Algorithm(rawValue: name.lowercased()), hex.utf8.count == algorithm.length * 2 else { return nil }
        var bytes: [UInt8] = []
        var pending: UInt8?
        for character in hex {
            guard let nibble = character.hexDigitValue else { return nil }
            if let high = pending {
                bytes.append(high << 4 | UInt8(nibble))
                pending = nil
            } else {
                pending = UInt8(nibble)
            }
        }
        self.algorithm = algorithm
        self.expected = bytes
    }

    /// Lowercase hexadecimal, as checksums are written.
    public static func hex(_ digest: [UInt8]) -> String {
        digest.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    /// The checksum of a whole file, read once (a spooled image, before it is sent).
    public func digest(ofFile path: String) throws(HTTPError) -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw HTTPError(kind: .localFile, url: path, detail: "cannot be read to verify it") }
        defer { fclose(file) }
        let running = RunningDigest(algorithm)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 { break }
            buffer.withUnsafeBytes { running.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        guard ferror(file) == 0 else { throw HTTPError(kind: .localFile, url: path, detail: "reading it to verify it failed") }
        return running.finish()
    }

    /// The error for a body whose checksum is not the expected one.
    public func mismatch(actual: [UInt8], url: String, what: String) -> HTTPError {
        HTTPError(
            kind: .checksumMismatch, url: url,
            detail: "its \(algorithm.rawValue) is \(Self.hex(actual)), not \(Self.hex(expected)) as on record; \(what)")
    }
}

/// A digest being computed over bytes as they pass (libcrypto's EVP interface).
final class RunningDigest {
    private let context: OpaquePointer?

    init(_ algorithm: BodyChecksum.Algorithm) {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, algorithm == .sha256 ? EVP_sha256() : EVP_sha512(), nil)
    }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return Array(digest.prefix(Int(length)))
    }

    deinit { EVP_MD_CTX_free(context) }
}
