import CZlib
import FoundationEssentials

/// Argo's `status.compressedNodes`: the nodes map, gzip-compressed then base64-encoded, which the
/// controller writes instead of `status.nodes` once a Workflow grows large (a few hundred hosts).
/// A budget that silently read no nodes would never stop a rollout, so anything unreadable fails.
public enum CompressedNodes {
    public enum Problem: Error, Equatable, Sendable {
        case notBase64
        case notGzip(firstBytes: String)
        case corrupt(String)
        case tooLarge
    }

    /// Inflated sizes past this are refused: a Workflow's status is at most a few tens of MB.
    static let limit = 256 << 20

    /// The nodes map's JSON text.
    static func inflated(base64 text: [UInt8]) throws(Problem) -> [UInt8] {
        guard let compressed = Data(base64Encoded: Data(text)) else { throw .notBase64 }
        let bytes = [UInt8](compressed)
        guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else {
            // Argo can be told to write zstd or brotli instead (an environment variable of the
            // controller); those are not read here.
            throw .notGzip(firstBytes: bytes.prefix(4).map { String($0, radix: 16) }.joined(separator: " "))
        }
        return try gunzip(bytes)
    }

    static func gunzip(_ input: [UInt8]) throws(Problem) -> [UInt8] {
        var stream = z_stream()
        guard czlib_inflate_init_gzip(&stream) == Z_OK else { throw .corrupt("zlib could not start") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        // The gzip trailer's last four bytes are the inflated size (mod 2^32): reserving it once
        // spares the doubling copies of a growing buffer, the peak of a large rollout's reader.
        if input.count >= 18 {
            let size = input.suffix(4).reversed().reduce(0) { $0 << 8 | Int($1) }
            output.reserveCapacity(min(size, limit))
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        var status = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            repeat {
                chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    output.append(contentsOf: target.prefix(target.count - Int(stream.avail_out)))
                }
            } while status == Z_OK && output.count <= limit
        }
        if output.count > limit { throw .tooLarge }
        guard status == Z_STREAM_END else { throw .corrupt("zlib status \(status)") }
        return output
    }
}
