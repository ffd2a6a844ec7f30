import FoundationEssentials
import JSON

/// Reads the protobuf form of a Secret or ConfigMap, as kubectl sends built-in objects
/// (`application/vnd.kubernetes.protobuf`: "k8s\0", then a runtime.Unknown wrapping the object).
/// Only the fields a create carries are read: metadata name, generateName, namespace, labels,
/// annotations; data, stringData, type, immutable. Anything else is skipped, as protobuf allows.
enum KubernetesProtobuf {
    struct Malformed: Error {}

    static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    static func decode(_ body: [UInt8]) throws(Malformed) -> JSONValue {
        guard body.starts(with: magic) else { throw Malformed() }
        var unknown = Reader(bytes: Array(body.dropFirst(4)))
        var apiVersion = "v1"
        var kind = ""
        var raw: [UInt8] = []
        while let (field, value) = try unknown.next() {
            switch (field, value) {
            case (1, .bytes(let typeMeta)):
                var reader = Reader(bytes: typeMeta)
                while let (typeField, typeValue) = try reader.next() {
                    if case .bytes(let text) = typeValue {
                        if typeField == 1 { apiVersion = String(decoding: text, as: UTF8.self) }
                        if typeField == 2 { kind = String(decoding: text, as: UTF8.self) }
                    }
                }
            case (2, .bytes(let bytes)): raw = bytes
            default: break
            }
        }
        var object = Reader(bytes: raw)
        var members: [JSONMember] = [JSONMember("apiVersion", .string(apiVersion)), JSONMember("kind", .string(kind))]
        var data: [JSONMember] = []
        var stringData: [JSONMember] = []
        while let (field, value) = try object.next() {
            switch (field, value) {
            case (1, .bytes(let metadata)): members.append(JSONMember("metadata", try objectMeta(metadata)))
            case (2, .bytes(let entry)):
                let (key, bytes) = try mapEntry(entry)
                // Secret data is bytes (base64 in JSON); ConfigMap data is text.
                data.append(
                    JSONMember(key, .string(kind == "Secret" ? Data(bytes).base64EncodedString() : String(decoding: bytes, as: UTF8.self))))
            case (3, .bytes(let text)) where kind == "Secret":
                members.append(JSONMember("type", .string(String(decoding: text, as: UTF8.self))))
            case (4, .bytes(let entry)) where kind == "Secret":
                let (key, bytes) = try mapEntry(entry)
                stringData.append(JSONMember(key, .string(String(decoding: bytes, as: UTF8.self))))
            case (5, .varint(let flag)) where kind == "Secret": members.append(JSONMember("immutable", .bool(flag != 0)))
            default: break
            }
        }
        if !data.isEmpty { members.append(JSONMember("data", .object(data))) }
        if !stringData.isEmpty { members.append(JSONMember("stringData", .object(stringData))) }
        return .object(members)
    }

    static func objectMeta(_ bytes: [UInt8]) throws(Malformed) -> JSONValue {
        var reader = Reader(bytes: bytes)
        var members: [JSONMember] = []
        var labels: [JSONMember] = []
        var annotations: [JSONMember] = []
        while let (field, value) = try reader.next() {
            // proto3 sends unset strings as empty ones: empty means absent.
            guard case .bytes(let content) = value, !content.isEmpty else { continue }
            let text = String(decoding: content, as: UTF8.self)
            switch field {
            case 1: members.append(JSONMember("name", .string(text)))
            case 2: members.append(JSONMember("generateName", .string(text)))
            case 3: members.append(JSONMember("namespace", .string(text)))
            case 11:
                let (key, value) = try mapEntry(content)
                labels.append(JSONMember(key, .string(String(decoding: value, as: UTF8.self))))
            case 12:
                let (key, value) = try mapEntry(content)
                annotations.append(JSONMember(key, .string(String(decoding: value, as: UTF8.self))))
            default: break
            }
        }
        if !labels.isEmpty { members.append(JSONMember("labels", .object(labels))) }
        if !annotations.isEmpty { members.append(JSONMember("annotations", .object(annotations))) }
        return .object(members)
    }

    static func mapEntry(_ bytes: [UInt8]) throws(Malformed) -> (String, [UInt8]) {
        var reader = Reader(bytes: bytes)
        var key = ""
        var value: [UInt8] = []
        while let (field, item) = try reader.next() {
            if case .bytes(let content) = item {
                if field == 1 { key = String(decoding: content, as: UTF8.self) }
                if field == 2 { value = content }
            }
        }
        return (key, value)
    }

    enum Value {
        case varint(UInt64)
        case bytes([UInt8])
        case fixed
    }

    /// The protobuf wire format: (field number, wire type) keys and their values.
    struct Reader {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func varint() throws(Malformed) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count, shift < 64 {
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
            }
            throw Malformed()
        }

        mutating func next() throws(Malformed) -> (Int, Value)? {
            guard index < bytes.count else { return nil }
            let key = try varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: return (field, .varint(try varint()))
            case 1:
                guard index + 8 <= bytes.count else { throw Malformed() }
                index += 8
                return (field, .fixed)
            case 2:
                let length = Int(try varint())
                guard length >= 0, index + length <= bytes.count else { throw Malformed() }
                defer { index += length }
                return (field, .bytes(Array(bytes[index..<index + length])))
            case 5:
                guard index + 4 <= bytes.count else { throw Malformed() }
                index += 4
                return (field, .fixed)
            default: throw Malformed()
            }
        }
    }
}
