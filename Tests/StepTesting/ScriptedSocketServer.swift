import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A plain HTTP/1.1 server on 127.0.0.1 written on sockets, for what a framework server cannot
/// play: read a whole request on a kept-alive connection and close without answering (a lost
/// answer), or answer a redirect to a credential-carrying request. It records every request it
/// read, so a test can count what reached the server.
public final class ScriptedSocketServer: Sendable {
    /// What to do with one request, given its method, path and its number on its connection (1-based).
    public enum Action: Sendable {
        case respond(status: Int, headers: [(String, String)] = [], body: String = "")
        /// An answer whose body is any bytes (not UTF-8, say).
        case respondBytes(status: Int, headers: [(String, String)] = [], body: [UInt8])
        /// Read the request, then close the connection without a byte of answer.
        case closeWithoutAnswer
    }

    /// One request as it arrived.
    public struct Received: Sendable, Equatable {
        public var method: String
        public var path: String
        public var connection: Int
        public var body: String
    }

    public let port: Int
    private let listener: Int32
    private let received = Mutex<[Received]>([])
    private let script: @Sendable (_ method: String, _ path: String, _ onConnection: Int) -> Action

    public init(script: @escaping @Sendable (_ method: String, _ path: String, _ onConnection: Int) -> Action) throws {
        self.script = script
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw TestFailure("scripted server: bind/listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let server = self
        Thread.detachNewThread { server.acceptLoop() }
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request read so far, in order.
    public var requests: [Received] { received.withLock { $0 } }

    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        var connection = 0
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            connection += 1
            let number = connection
            Thread.detachNewThread { self.serve(client, connection: number) }
        }
    }

    private func serve(_ client: Int32, connection: Int) {
        defer { close(client) }
        var buffer: [UInt8] = []
        var onConnection = 0
        while true {
            guard let (head, body) = readRequest(client, buffer: &buffer) else { return }
            onConnection += 1
            let requestLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
            let parts = requestLine.split(separator: " ")
            let method = parts.first.map(String.init) ?? ""
            let path = parts.count > 1 ? String(parts[1]) : ""
            received.withLock { $0.append(Received(method: method, path: path, connection: connection, body: body)) }
            switch script(method, path, onConnection) {
            case .closeWithoutAnswer:
                return
            case .respond(let status, let headers, let scripted):
                // `{{base}}` stands for this server's own URL, as servers name themselves in links.
                let text = scripted.replacing("{{base}}", with: baseURL)
                guard answer(client, status: status, headers: headers, body: Array(text.utf8)) else { return }
            case .respondBytes(let status, let headers, let body):
                guard answer(client, status: status, headers: headers, body: body) else { return }
            }
        }
    }

    /// Writes one answer; false when the peer is gone.
    private func answer(_ client: Int32, status: Int, headers: [(String, String)], body: [UInt8]) -> Bool {
        var head = "HTTP/1.1 \(status) Scripted\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value.replacing("{{base}}", with: baseURL))\r\n" }
        let bytes = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return false }
            sent += count
        }
        return true
    }

    /// Reads one request (head and a Content-Length body); nil when the peer closed.
    private func readRequest(_ client: Int32, buffer: inout [UInt8]) -> (String, String)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var chunk = [UInt8](repeating: 0, count: 65536)
        func fill() -> Bool {
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            buffer.append(contentsOf: chunk[0..<count])
            return true
        }
        var headEnd: Int?
        while headEnd == nil {
            if buffer.count >= 4 {
                headEnd = (0...(buffer.count - 4)).first { Array(buffer[$0..<$0 + 4]) == separator }
            }
            if headEnd == nil, !fill() { return nil }
        }
        guard let end = headEnd else { return nil }
        let head = String(decoding: buffer[0..<end], as: UTF8.self)
        let lengthLine = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
        let length = lengthLine.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        while buffer.count < end + 4 + length { if !fill() { return nil } }
        let body = String(decoding: buffer[(end + 4)..<(end + 4 + length)], as: UTF8.self)
        buffer.removeFirst(end + 4 + length)
        return (head, body)
    }
}
