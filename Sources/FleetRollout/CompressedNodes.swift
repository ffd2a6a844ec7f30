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

    /// Inflates base64 text of gzip, handing the nodes map's JSON text over in pieces as they
    /// come: a large rollout's map (tens of MB inflated) is never held whole. Throws a Problem,
    /// or what `each` throws.
    static func unpack(base64 text: [UInt8], _ each: (ArraySlice<UInt8>) throws -> Void) throws {
        guard let compressed = Data(base64Encoded: Data(text)) else { throw Problem.notBase64 }
        let bytes = [UInt8](compressed)
        guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else {
            // Argo can be told to write zstd or brotli instead (an environment variable of the
            // controller); those are not read here.
            throw Problem.notGzip(firstBytes: bytes.prefix(4).map { String($0, radix: 16) }.joined(separator: " "))
        }
        try gunzip(bytes, each)
    }

    static func gunzip(_ input: [UInt8], _ each: (ArraySlice<UInt8>) throws -> Void) throws {
        var stream = z_stream()
        guard czlib_inflate_init_gzip(&stream) == Z_OK else { throw Problem.corrupt("zlib could not start") }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = input
        var status = Z_OK
        var total = 0
        try input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return target.count - Int(stream.avail_out)
                }
                total += produced
                if total > limit { throw Problem.tooLarge }
                if produced > 0 { try each(chunk[..<produced]) }
            } while status == Z_OK
        }
        guard status == Z_STREAM_END else { throw Problem.corrupt("zlib status \(status)") }
    }
}
