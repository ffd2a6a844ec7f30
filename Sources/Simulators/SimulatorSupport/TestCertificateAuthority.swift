import Foundation

/// A private CA and a server certificate for 127.0.0.1 and localhost, made with the `openssl`
/// command into a folder, so a simulator serves TLS that clients verify against `caFile`.
public struct TestCertificateAuthority: Sendable {
    public let folder: String
    public var caFile: String { folder + "/ca.pem" }
    public var certificateFile: String { folder + "/server.pem" }
    public var keyFile: String { folder + "/server.key" }

    /// Reuses the files in `folder` when present, else makes them (about 0.1 s). `addresses`:
    /// more IP addresses the certificate names (a fleet of simulated BMCs reached through
    /// connect-to routes keeps its own addresses).
    public init(folder: String, commonName: String = "simulator", addresses: [String] = []) throws {
        self.folder = folder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: certificateFile) && FileManager.default.fileExists(atPath: caFile) { return }
        let extensions = folder + "/server.ext"
        try
            "subjectAltName=\((["IP:127.0.0.1", "DNS:localhost"] + addresses.map { "IP:" + $0 }).joined(separator: ","))\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
            .write(toFile: extensions, atomically: true, encoding: .utf8)
        try Self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", folder + "/ca.key", "-out", caFile, "-days", "3650", "-subj", "/CN=\(commonName) test CA",
        ])
        try Self.openssl([
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", keyFile, "-out", folder + "/server.csr", "-subj", "/CN=\(commonName)",
        ])
        try Self.openssl([
            "x509", "-req", "-in", folder + "/server.csr", "-CA", caFile, "-CAkey", folder + "/ca.key",
            "-CAcreateserial", "-out", certificateFile, "-days", "3650", "-extfile", extensions,
        ])
    }

    static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SimulatorFailure("openssl \(arguments.first ?? "") failed with status \(process.terminationStatus)")
        }
    }
}

/// A simulator that cannot start.
public struct SimulatorFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
