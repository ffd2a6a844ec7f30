import Foundation
import Testing

@testable import HTTP

/// Checksums as a plan gives them: read, and computed through libcrypto on the FIPS 180-2 vectors.
@Suite struct BodyChecksumTests {
    static let abc256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    static let abc512 =
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"

    @Test func onlySHA256AndSHA512InTheirHexadecimalLengthAreTaken() {
        #expect(BodyChecksum(algorithm: "sha256", hex: Self.abc256)?.expected.count == 32)
        #expect(BodyChecksum(algorithm: "SHA512", hex: Self.abc512.uppercased())?.expected.count == 64)
        #expect(BodyChecksum(algorithm: "sha256", hex: Self.abc512) == nil, "a sha512 digest for sha256")
        #expect(BodyChecksum(algorithm: "sha256", hex: String(Self.abc256.dropLast()) + "g") == nil)
        #expect(BodyChecksum(algorithm: "md5", hex: "900150983cd24fb0d6963f7d28e17f72") == nil)
        #expect(BodyChecksum(algorithm: "sha256", hex: Self.abc256).map { BodyChecksum.hex($0.expected) } == Self.abc256)
    }

    @Test func aFilesDigestIsTheStandardOne() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("abc-\(UUID().uuidString)").path
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sha256 = try #require(BodyChecksum(algorithm: "sha256", hex: Self.abc256))
        #expect(try sha256.digest(ofFile: path) == sha256.expected)
        let sha512 = try #require(BodyChecksum(algorithm: "sha512", hex: Self.abc512))
        #expect(try sha512.digest(ofFile: path) == sha512.expected)
        #expect(throws: HTTPError.self) { try sha256.digest(ofFile: path + ".absent") }
    }

    @Test func thePipeHoldsBackTheTailUntilTheDigestMatches() {
        let bytes = [UInt8](repeating: 7, count: PipeBuffer.holdBack + 1000)
        let wrong = BodyChecksum(algorithm: "sha256", hex: Self.abc256)
        let pipe = PipeBuffer(capacity: 4 << 20, framing: .none, checksum: wrong)
        _ = bytes.withUnsafeBytes { pipe.write($0) }
        #expect(pipe.readable == 1000, "all but the held-back tail")
        pipe.finishSource(failed: false)
        #expect(pipe.mismatch != nil && pipe.readable == 0, "a mismatch releases nothing more")
        let right = PipeBuffer(capacity: 4 << 20, framing: .none, checksum: BodyChecksum(algorithm: "sha256", hex: Self.abc256))
        _ = Array("abc".utf8).withUnsafeBytes { right.write($0) }
        #expect(right.readable == 0, "a body shorter than the tail waits for its end")
        right.finishSource(failed: false)
        #expect(right.mismatch == nil && right.readable == 3)
        let open = PipeBuffer(capacity: 4 << 20, framing: .none, checksum: nil)
        _ = bytes.withUnsafeBytes { open.write($0) }
        #expect(open.readable == bytes.count, "without a checksum nothing is held back")
    }
}
