import JSON

/// The YAML that kubeconfig files are written in: block mappings and sequences (a sequence may sit
/// at its key's indentation, as kubectl writes it), plain, quoted and `|`/`>` scalars, comments,
/// and JSON-style flow collections. Not a general YAML parser: anchors, tags and multi-document
/// files are refused, never guessed at. Kept here because only kubeconfig needs YAML, and a YAML
/// library would pull Foundation into every step binary.
enum KubeconfigYAML {
    struct Line {
        var indent: Int
        var text: String
        var number: Int
    }

    struct SyntaxError: Error, CustomStringConvertible {
        var line: Int
        var reason: String
        var description: String { "line \(line): \(reason)" }
    }

    static func parse(_ text: String) throws(SyntaxError) -> JSONValue {
        let trimmed = text.drop { $0.isWhitespace }
        if trimmed.first == "{" {
            do { return try JSONValue(parsing: String(trimmed)) } catch { throw SyntaxError(line: 1, reason: "\(error)") }
        }
        var lines: [Line] = []
        for (offset, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let withoutCR = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if withoutCR.hasPrefix("---") || withoutCR.hasPrefix("...") {
                if lines.isEmpty { continue }
                throw SyntaxError(line: offset + 1, reason: "more than one YAML document")
            }
            if withoutCR.contains("\t") && withoutCR.prefix(while: { $0 == " " || $0 == "\t" }).contains("\t") {
                throw SyntaxError(line: offset + 1, reason: "tab in indentation")
            }
            let indent = withoutCR.prefix { $0 == " " }.count
            lines.append(Line(indent: indent, text: String(withoutCR.dropFirst(indent)), number: offset + 1))
        }
        var parser = Parser(lines: lines)
        parser.skipBlank()
        guard parser.index < parser.lines.count else { return .object([]) }
        let value = try parser.block(indent: parser.lines[parser.index].indent)
        parser.skipBlank()
        if parser.index < parser.lines.count {
            throw SyntaxError(line: parser.lines[parser.index].number, reason: "unexpected indentation")
        }
        return value
    }

    struct Parser {
        var lines: [Line]
        var index = 0

        static func stripComment(_ text: String) -> String {
            var quote: Character?
            var previous: Character = " "
            for (offset, character) in text.enumerated() {
                if let open = quote {
                    if character == open { quote = nil }
                } else if character == "\"" || character == "'" {
                    quote = character
                } else if character == "#" && previous.isWhitespace {
                    return String(text.prefix(offset)).trimmingTrailingSpaces()
                }
                previous = character
            }
            return text.trimmingTrailingSpaces()
        }

        mutating func skipBlank() {
            while index < lines.count, Self.stripComment(lines[index].text).isEmpty { index += 1 }
        }

        func current() -> Line? { index < lines.count ? lines[index] : nil }

        mutating func block(indent: Int) throws(SyntaxError) -> JSONValue {
            skipBlank()
            guard let line = current() else { return .null }
            let text = Self.stripComment(line.text)
            return text == "-" || text.hasPrefix("- ") ? try sequence(indent: indent) : try mapping(indent: indent)
        }

        mutating func sequence(indent: Int) throws(SyntaxError) -> JSONValue {
            var items: [JSONValue] = []
            while true {
                skipBlank()
                guard let line = current(), line.indent == indent else { break }
                let text = Self.stripComment(line.text)
                guard text == "-" || text.hasPrefix("- ") else { break }
                let rest = text == "-" ? "" : String(text.dropFirst(2).drop { $0 == " " })
                if rest.isEmpty {
                    index += 1
                    skipBlank()
                    if let next = current(), next.indent > indent {
                        items.append(try block(indent: next.indent))
                    } else {
                        items.append(.null)
                    }
                } else if Self.keyValue(rest) != nil {
                    // "- key: value": a mapping whose first line shares the dash.
                    let childIndent = indent + (text.count - rest.count)
                    lines[index] = Line(indent: childIndent, text: rest, number: line.number)
                    items.append(try mapping(indent: childIndent))
                } else {
                    index += 1
                    items.append(try Self.scalar(rest, line: line.number))
                }
            }
            return .array(items)
        }

        mutating func mapping(indent: Int) throws(SyntaxError) -> JSONValue {
            var members: [JSONMember] = []
            while true {
                skipBlank()
                guard let line = current(), line.indent == indent else { break }
                let text = Self.stripComment(line.text)
                if text == "-" || text.hasPrefix("- ") { break }
                guard let (key, rest) = Self.keyValue(text) else {
                    throw SyntaxError(line: line.number, reason: "expected \"key: value\"")
                }
                index += 1
                let value: JSONValue
                if rest.isEmpty {
                    skipBlank()
                    if let next = current(), next.indent > indent {
                        value = try block(indent: next.indent)
                    } else if let next = current(), next.indent == indent,
                        Self.stripComment(next.text) == "-" || Self.stripComment(next.text).hasPrefix("- ")
                    {
                        value = try sequence(indent: indent)
                    } else {
                        value = .null
                    }
                } else if rest == "|" || rest == ">" || rest.hasPrefix("|") || rest.hasPrefix(">") {
                    value = .string(
                        blockScalar(
                            parentIndent: indent, folded: rest.hasPrefix(">"), keep: rest.hasSuffix("+"), strip: rest.hasSuffix("-")))
                } else {
                    value = try Self.scalar(rest, line: line.number)
                }
                members.append(JSONMember(try Self.unquoteKey(key, line: line.number), value))
            }
            return .object(members)
        }

        mutating func blockScalar(parentIndent: Int, folded: Bool, keep: Bool, strip: Bool) -> String {
            var collected: [String] = []
            var contentIndent: Int?
            while let line = current() {
                if line.text.isEmpty {
                    collected.append("")
                    index += 1
                    continue
                }
                guard line.indent > parentIndent else { break }
                let indent = contentIndent ?? line.indent
                contentIndent = indent
                collected.append(String(repeating: " ", count: max(0, line.indent - indent)) + line.text)
                index += 1
            }
            var trailing = 0
            while collected.last == "" {
                collected.removeLast()
                trailing += 1
            }
            var text = folded ? collected.joined(separator: " ") : collected.joined(separator: "\n")
            if !strip { text += "\n" }
            if keep { text += String(repeating: "\n", count: trailing) }
            return text
        }

        /// Splits `key: value` at the first `: ` (or a final `:`) outside quotes.
        static func keyValue(_ text: String) -> (String, String)? {
            var quote: Character?
            let characters = Array(text)
            for position in characters.indices {
                let character = characters[position]
                if let open = quote {
                    if character == open { quote = nil }
                    continue
                }
                if (character == "\"" || character == "'") && position == 0 {
                    quote = character
                    continue
                }
                if character == ":" && (position + 1 == characters.count || characters[position + 1] == " ") {
                    let key = String(characters[..<position])
                    let value = String(characters[(position + 1)...]).drop { $0 == " " }
                    return key.isEmpty ? nil : (key, String(value))
                }
                if character == "{" || character == "[" { return nil }
            }
            return nil
        }

        static func unquoteKey(_ key: String, line: Int) throws(SyntaxError) -> String {
            if case .string(let text) = try scalar(key, line: line) { return text }
            return key
        }

        static func scalar(_ text: String, line: Int) throws(SyntaxError) -> JSONValue {
            if text.hasPrefix("&") || text.hasPrefix("*") || text.hasPrefix("!") {
                throw SyntaxError(line: line, reason: "anchors, aliases and tags are not supported")
            }
            if text.hasPrefix("\"") {
                guard text.count >= 2, text.hasSuffix("\"") else { throw SyntaxError(line: line, reason: "unterminated string") }
                do {
                    return try JSONValue(parsing: text)
                } catch {
                    throw SyntaxError(line: line, reason: "invalid double-quoted string")
                }
            }
            if text.hasPrefix("'") {
                guard text.count >= 2, text.hasSuffix("'") else { throw SyntaxError(line: line, reason: "unterminated string") }
                return .string(String(text.dropFirst().dropLast()).replacing("''", with: "'"))
            }
            if text.hasPrefix("{") || text.hasPrefix("[") {
                do {
                    return try JSONValue(parsing: text)
                } catch {
                    throw SyntaxError(line: line, reason: "flow collections other than JSON are not supported")
                }
            }
            switch text {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            case "null", "Null", "NULL", "~": return .null
            default: return .string(text)
            }
        }
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
