import CYAML
import JSON

/// One YAML document read by libyaml into the JSON value it denotes, with scalars resolved as
/// YAML 1.1 does (PyYAML, and Go's yaml.v2 under kubectl's sigs.k8s.io/yaml): anchors, aliases,
/// merge keys, flow and block styles, escapes and a byte order mark all as the specification says.
public enum YAMLDocument {
    /// The value of the one document in `text`; `.null` for an empty file. A second document, a
    /// tag other than YAML's own, a float JSON cannot hold (`.inf`, `.nan`) or a key that is not
    /// a scalar is an error naming its line, never a guess. Repeated keys: the last wins, as
    /// PyYAML and yaml.v2 do. `maxNodes` bounds what aliases can expand to (a "billion laughs"
    /// file is refused, not expanded).
    public static func parse(_ text: String, maxNodes: Int = 1_000_000, maxDepth: Int = 256) throws(YAMLError) -> JSONValue {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return .null }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else { throw YAMLError(line: 0, column: 0, reason: "libyaml could not start") }
        defer { yaml_parser_delete(parser) }
        return try bytes.withUnsafeMutableBufferPointer { buffer throws(YAMLError) -> JSONValue in
            guard let base = buffer.baseAddress else { return .null }
            yaml_parser_set_input_string(parser, base, buffer.count)
            var reader = EventReader(parser: parser, maxNodes: maxNodes, maxDepth: maxDepth)
            return try reader.document()
        }
    }
}

/// Why a YAML text could not be read, with the place libyaml or the resolver stopped (1-based).
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var reason: String

    public init(line: Int, column: Int, reason: String) {
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "line \(line), column \(column): \(reason)" }
}

/// A libyaml event copied into Swift, so the C event can be freed at once.
enum YAMLEvent {
    case streamStart, streamEnd, documentStart, documentEnd
    case alias(anchor: String)
    case scalar(value: String, anchor: String?, tag: String?, plain: Bool)
    case sequenceStart(anchor: String?, tag: String?)
    case sequenceEnd
    case mappingStart(anchor: String?, tag: String?)
    case mappingEnd
}

/// Pulls events from libyaml and builds the value of one document.
struct EventReader {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    let maxNodes: Int
    let maxDepth: Int
    var anchors: [String: (value: JSONValue, nodes: Int)] = [:]
    var nodes = 0
    var depth = 0
    var line = 1
    var column = 1

    init(parser: UnsafeMutablePointer<yaml_parser_t>, maxNodes: Int, maxDepth: Int) {
        self.parser = parser
        self.maxNodes = maxNodes
        self.maxDepth = maxDepth
    }

    func fail(_ reason: String) -> YAMLError { YAMLError(line: line, column: column, reason: reason) }

    mutating func document() throws(YAMLError) -> JSONValue {
        guard case .streamStart = try next() else { throw fail("expected the start of the stream") }
        switch try next() {
        case .streamEnd: return .null
        case .documentStart: break
        default: throw fail("expected a document")
        }
        let value = try node(try next())
        guard case .documentEnd = try next() else { throw fail("expected the end of the document") }
        switch try next() {
        case .streamEnd: return value
        case .documentStart: throw fail("more than one YAML document")
        default: throw fail("unexpected content after the document")
        }
    }

    mutating func next() throws(YAMLError) -> YAMLEvent {
        var event = yaml_event_t()
        guard yaml_parser_parse(parser, &event) == 1 else {
            let problem = parser.pointee.problem.map { String(cString: $0) } ?? "invalid YAML"
            let context = parser.pointee.context.map { String(cString: $0) + ": " } ?? ""
            throw YAMLError(
                line: Int(parser.pointee.problem_mark.line) + 1, column: Int(parser.pointee.problem_mark.column) + 1,
                reason: context + problem)
        }
        defer { yaml_event_delete(&event) }
        line = Int(event.start_mark.line) + 1
        column = Int(event.start_mark.column) + 1
        func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT: return .alias(anchor: text(event.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value: String
            if let pointer = scalar.value {
                // Length, not NUL: a "\0" escape is a character of the value.
                value = String(decoding: UnsafeBufferPointer(start: pointer, count: scalar.length), as: UTF8.self)
            } else {
                value = ""
            }
            return .scalar(value: value, anchor: text(scalar.anchor), tag: text(scalar.tag), plain: scalar.style == YAML_PLAIN_SCALAR_STYLE)
        case YAML_SEQUENCE_START_EVENT:
            return .sequenceStart(anchor: text(event.data.sequence_start.anchor), tag: text(event.data.sequence_start.tag))
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            return .mappingStart(anchor: text(event.data.mapping_start.anchor), tag: text(event.data.mapping_start.tag))
        case YAML_MAPPING_END_EVENT: return .mappingEnd
        default: throw fail("unexpected YAML event")
        }
    }

    mutating func count(_ added: Int) throws(YAMLError) {
        nodes += added
        if nodes > maxNodes { throw fail("more than \(maxNodes) values (aliases expanding without bound?)") }
    }

    mutating func remember(_ anchor: String?, _ value: JSONValue, since start: Int) {
        if let anchor { anchors[anchor] = (value, nodes - start) }
    }

    mutating func node(_ event: YAMLEvent) throws(YAMLError) -> JSONValue {
        let start = nodes
        switch event {
        case .alias(let anchor):
            guard let stored = anchors[anchor] else { throw fail("alias *\(anchor) refers to no anchor before it") }
            try count(stored.nodes)
            return stored.value
        case .scalar(let text, let anchor, let tag, let plain):
            try count(1)
            let value = try YAMLScalar.resolve(text, tag: tag, plain: plain, at: self)
            remember(anchor, value, since: start)
            return value
        case .sequenceStart(let anchor, let tag):
            try expectTag(tag, "tag:yaml.org,2002:seq")
            try count(1)
            try enter()
            var items: [JSONValue] = []
            while true {
                let item = try next()
                if case .sequenceEnd = item { break }
                items.append(try node(item))
            }
            depth -= 1
            remember(anchor, .array(items), since: start)
            return .array(items)
        case .mappingStart(let anchor, let tag):
            try expectTag(tag, "tag:yaml.org,2002:map")
            try count(1)
            try enter()
            let value = try mapping()
            depth -= 1
            remember(anchor, value, since: start)
            return value
        default:
            throw fail("expected a value")
        }
    }

    mutating func enter() throws(YAMLError) {
        depth += 1
        if depth > maxDepth { throw fail("nesting deeper than \(maxDepth)") }
    }

    func expectTag(_ tag: String?, _ expected: String) throws(YAMLError) {
        if let tag, tag != expected, tag != "!" { throw fail("tag \(tag) is not supported") }
    }

    /// Explicit keys win over merged ones (`<<`); among merged mappings the first wins.
    mutating func mapping() throws(YAMLError) -> JSONValue {
        var explicit: [JSONMember] = []
        var merged: [JSONMember] = []
        while true {
            let keyEvent = try next()
            if case .mappingEnd = keyEvent { break }
            let isMergeKey: Bool
            if case .scalar("<<", _, nil, true) = keyEvent { isMergeKey = true } else { isMergeKey = false }
            let key = try node(keyEvent)
            let value = try node(try next())
            if isMergeKey {
                let sources: [JSONValue]
                switch value {
                case .object: sources = [value]
                case .array(let items): sources = items
                default: throw fail("a merge key (<<) takes a mapping or a list of mappings")
                }
                for source in sources {
                    guard case .object(let members) = source else {
                        throw fail("a merge key (<<) takes a mapping or a list of mappings")
                    }
                    for member in members where !merged.contains(where: { $0.key == member.key }) { merged.append(member) }
                }
                continue
            }
            let name: String
            switch key {
            case .string(let text), .number(let text): name = text
            case .bool(let flag): name = flag ? "true" : "false"
            case .null: name = "null"
            case .array, .object: throw fail("a mapping key must be a scalar")
            }
            if let existing = explicit.firstIndex(where: { $0.key == name }) {
                explicit[existing].value = value
            } else {
                explicit.append(JSONMember(name, value))
            }
        }
        for member in merged.reversed() where !explicit.contains(where: { $0.key == member.key }) {
            explicit.insert(member, at: 0)
        }
        return .object(explicit)
    }
}
