import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// Something that answers simulated requests; one per simulated product.
public protocol SimulatedService: Sendable {
    func respond(to request: SimulatedRequest) async -> SimulatedResponse
    /// Whether this request's body should go to a file as it arrives instead of memory:
    /// firmware uploads of any size.
    func streamsBody(method: String, path: String) -> Bool
}

extension SimulatedService {
    public func streamsBody(method: String, path: String) -> Bool { false }
}

/// Serves a `SimulatedService` over HTTPS on 127.0.0.1, printing its URL once it listens.
public struct SimulatorServer: Sendable {
    public var service: any SimulatedService
    public var authority: TestCertificateAuthority
    public var port: Int
    /// Where to write the URL once listening, for scripts and tests that wait on it.
    public var readyFile: String?
    public var maxBodySize: Int
    /// Called with the URL once listening, before the ready file is written.
    public var onListening: @Sendable (String) -> Void

    public init(
        service: any SimulatedService, authority: TestCertificateAuthority, port: Int = 0, readyFile: String? = nil,
        maxBodySize: Int = 16 << 20, onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.service = service
        self.authority = authority
        self.port = port
        self.readyFile = readyFile
        self.maxBodySize = maxBodySize
        self.onListening = onListening
    }

    /// Runs until SIGTERM or SIGINT.
    public func run() async throws {
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(authority.certificateFile).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: authority.keyFile, format: .pem))
        )
        let service = self.service
        let maxBodySize = self.maxBodySize
        let readyFile = self.readyFile
        let onListening = self.onListening
        let responder = CallbackResponder { (request: Request, _: BasicRequestContext) async throws -> Response in
            var request = request
            var bodyBytes: [UInt8] = []
            var bodyFile: String?
            var bodyLength = 0
            if service.streamsBody(method: request.method.rawValue, path: request.uri.path) {
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID().uuidString)").path
                FileManager.default.createFile(atPath: path, contents: nil)
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                for try await buffer in request.body {
                    bodyLength += buffer.readableBytes
                    buffer.withUnsafeReadableBytes { handle.write(Data($0)) }
                }
                try handle.close()
                bodyFile = path
            } else {
                bodyBytes = Array(buffer: try await request.collectBody(upTo: maxBodySize))
                bodyLength = bodyBytes.count
            }
            var headers: [String: String] = [:]
            for field in request.headers {
                let name = field.name.canonicalName
                headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
            }
            let host = request.head.authority ?? headers["host"] ?? "127.0.0.1"
            let simulated = SimulatedRequest(
                method: request.method.rawValue,
                path: request.uri.path,
                rawQuery: request.uri.query,
                headers: headers,
                body: bodyBytes,
                origin: "https://" + host,
                bodyFile: bodyFile,
                bodyLength: bodyLength
            )
            let answer = await service.respond(to: simulated)
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
            }
            return Response(
                status: HTTPResponse.Status(code: answer.status),
                headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
            )
        }
        let app = Application(
            responder: responder,
            server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { channel in
                let url = "https://127.0.0.1:\(channel.localAddress?.port ?? 0)"
                onListening(url)
                if let readyFile {
                    try? url.write(toFile: readyFile + ".tmp", atomically: false, encoding: .utf8)
                    rename(readyFile + ".tmp", readyFile)
                }
                FileHandle.standardOutput.write(Data((url + "\n").utf8))
            },
            logger: Logger(label: "simulator", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        try await app.runService()
    }
}
