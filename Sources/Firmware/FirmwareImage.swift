import HTTP
import StepRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The image to install: an http or https URL (never a local file: a step must not upload, say,
/// the service-account token), and how to trust its server.
public struct FirmwareImage: Sendable {
    public let url: String
    public let tls: TLSOptions

    public init(url: String, tls: TLSOptions) throws(StepError) {
        guard url.count <= 2048 else { throw .badInput("firmware-url is longer than 2048 characters") }
        guard let scheme = URLText.scheme(url), scheme == "http" || scheme == "https", URLText.origin(url) != nil else {
            throw .badInput("firmware-url \"\(URLText.printable(url))\" must be an http or https URL")
        }
        guard !url.contains(where: { $0 == " " || $0.isNewline }) else { throw .badInput("firmware-url must be URL-encoded (no spaces)") }
        self.url = url
        self.tls = tls
    }

    public var scheme: String { URLText.scheme(url) ?? "https" }

    /// The file name the BMC is told: the URL's last path segment.
    public var fileName: String {
        let path = URLText.printable(url)
        let last = path.split(separator: "/").last.map(String.init) ?? ""
        let clean = last.filter { $0.isLetter || $0.isNumber || "._-".contains($0) }
        return clean.isEmpty || path.hasSuffix("//") || last.contains(":") ? "firmware.bin" : clean
    }

    /// The image's size from a HEAD, nil when the server does not say.
    public func size(using http: HTTPClient) throws(HTTPError) -> Int? {
        let response = try http.send(HTTPRequest(.head, url))
        guard response.isSuccess else {
            throw HTTPError(kind: .other, url: URLText.printable(url), detail: "the image server answered HTTP \(response.status)")
        }
        return response.header("Content-Length").flatMap { Int($0) }
    }

    /// Downloads the image to a temporary file, for a server that gives no length (the upload
    /// must carry an exact Content-Length). The caller removes the file.
    public func spool(using http: HTTPClient) throws(HTTPError) -> String {
        var template = Array("/tmp/firmware-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else {
            throw HTTPError(kind: .localFile, url: URLText.printable(url), detail: "cannot create a temporary file in /tmp")
        }
        close(fd)
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let response = try http.send(
            HTTPRequest(.get, url, destination: .file(path: path), timeouts: HTTPTimeouts(connect: 10, total: nil)))
        guard response.isSuccess else {
            unlink(path)
            throw HTTPError(kind: .other, url: URLText.printable(url), detail: "the image server answered HTTP \(response.status)")
        }
        return path
    }
}
