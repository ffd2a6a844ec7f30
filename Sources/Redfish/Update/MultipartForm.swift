/// A multipart/form-data body around one streamed file part, built as the bytes before and
/// after the file, so its exact length is known without holding the file (iDRAC refuses
/// chunked uploads).
public struct MultipartForm: Sendable {
    public enum Part: Sendable {
        case field(name: String, contentType: String?, value: [UInt8])
    }

    public let boundary: String
    public var fields: [Part]
    public var fileField: String
    public var fileName: String

    public init(fields: [Part], fileField: String, fileName: String, boundary: String? = nil) {
        self.fields = fields
        self.fileField = fileField
        self.fileName = fileName
        self.boundary = boundary ?? "steps-" + String((0..<24).map { _ in "0123456789abcdef".randomElement() ?? "0" })
    }

    public var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    /// Every part before the file, then the file part's own header.
    public var prefix: [UInt8] {
        var text: [UInt8] = []
        for case .field(let name, let type, let value) in fields {
            text += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n".utf8)
            if let type { text += Array("Content-Type: \(type)\r\n".utf8) }
            text += Array("\r\n".utf8) + value + Array("\r\n".utf8)
        }
        let safeName = fileName.filter { $0 != "\"" && $0 != "\r" && $0 != "\n" }
        text += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(fileField)\"; filename=\"\(safeName)\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                .utf8)
        return text
    }

    /// The end of the file part and the closing boundary.
    public var suffix: [UInt8] { Array("\r\n--\(boundary)--\r\n".utf8) }
}
