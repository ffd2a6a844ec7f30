import Foundation
import JSON

/// A firmware image web server started for one test, and the images in it.
public struct SimulatedFiles: Sendable {
    public var url: String
    public var folder: String
    public var caFile: String?

    public static func start(noLength: Bool = false, tls: Bool = false, bytesPerSecond: Int = 0) throws -> SimulatedFiles {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("images-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var arguments = ["files", "--directory", folder]
        if noLength { arguments.append("--no-length") }
        if bytesPerSecond > 0 { arguments += ["--bytes-per-second", String(bytesPerSecond)] }
        let server = try SimulatorProcess.start(arguments, tls: tls)
        return SimulatedFiles(url: server.url, folder: folder, caFile: tls ? server.caFile : nil)
    }

    /// Writes an image of `bytes` pseudo-random bytes; returns its URL and FNV-1a 64 checksum.
    public func image(_ name: String, bytes: Int) throws -> (url: String, fnv1a: String) {
        var generator = SystemRandomNumberGenerator()
        var data = [UInt8](repeating: 0, count: bytes)
        for index in data.indices { data[index] = UInt8.random(in: 0...255, using: &generator) }
        try Data(data).write(to: URL(fileURLWithPath: folder + "/" + name))
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return (url + "/" + name, String(hash, radix: 16))
    }
}

extension SimulatedFiles {
    /// An image's sha256 or sha512 in hexadecimal, by coreutils (not by the code under test).
    public func digest(_ name: String, algorithm: String = "sha256") throws -> String {
        let result = try runProcess("/usr/bin/\(algorithm)sum", [folder + "/" + name], environment: [:])
        guard result.status == 0, let digest = result.stdout.split(separator: " ").first else {
            throw TestFailure("\(algorithm)sum \(name): \(result.stderr)")
        }
        return String(digest)
    }
}

extension SimulatedBMC {
    /// What the BMC received: method, bytes, checksum, whether it came chunked.
    public func images() throws -> [(method: String, bytes: Int, fnv1a: String, chunked: Bool)] {
        (try control("/_simulator/state")["images"]?.arrayValue ?? []).map {
            (
                $0["method"]?.stringValue ?? "", $0["bytes"]?.intValue ?? -1, $0["fnv1a"]?.stringValue ?? "",
                $0["chunked"]?.boolValue ?? false
            )
        }
    }

    public func firmwareVersion() throws -> String? { try control("/_simulator/state")["firmwareVersion"]?.stringValue }

    /// Starts a task that runs for ever: the BMC is busy.
    public func makeBusy() throws { _ = try control("/_simulator/busy", body: "{}") }
}
