import JSON

/// What a scalar's text means, by YAML 1.1's implicit types as PyYAML's resolver and Go's yaml.v2
/// apply them (`yes` and `on` are true, `0755` is octal), or by its explicit `!!` tag. Quoted and
/// block scalars are strings. Numbers become JSON numbers in decimal.
enum YAMLScalar {
    static let core = "tag:yaml.org,2002:"

    static func resolve(_ text: String, tag: String?, plain: Bool, at reader: EventReader) throws(YAMLError) -> JSONValue {
        if let tag {
            // A tagged value may be a token: messages name the tag and the line, never the value.
            switch tag {
            case "!", core + "str": return .string(text)
            case core + "null": return .null
            case core + "bool":
                guard let flag = boolean(text) else { throw reader.fail("a !!bool scalar is not true or false") }
                return .bool(flag)
            case core + "int":
                guard let number = integer(text) else { throw reader.fail("a !!int scalar is not an integer") }
                return .number(number)
            case core + "float":
                guard let number = float(text) ?? integer(text) else { throw reader.fail("a !!float scalar is not a number JSON can hold") }
                return .number(number)
            default: throw reader.fail("tag \(tag) is not supported")
            }
        }
        guard plain else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        default: break
        }
        if let flag = boolean(text) { return .bool(flag) }
        if let number = integer(text) { return .number(number) }
        if let number = float(text) { return .number(number) }
        if [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN"].contains(text) {
            throw reader.fail("\(text) is a float JSON cannot hold")
        }
        return .string(text)
    }

    static func boolean(_ text: String) -> Bool? {
        switch text {
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return true
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// `[-+]?` then `0b…`, `0x…`, `0…` (octal), or decimal, `_` allowed between digits.
    static func integer(_ text: String) -> String? {
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        guard let first = body.first, first.isASCII, first.isNumber else { return nil }
        let digits = body.filter { $0 != "_" }
        let radix: Int
        let magnitude: Substring
        if digits.hasPrefix("0b") {
            radix = 2
            magnitude = digits.dropFirst(2)
        } else if digits.hasPrefix("0x") {
            radix = 16
            magnitude = digits.dropFirst(2)
        } else if digits.count > 1 && digits.hasPrefix("0") {
            radix = 8
            magnitude = digits.dropFirst()
        } else {
            radix = 10
            magnitude = Substring(digits)
        }
        guard !magnitude.isEmpty, magnitude.allSatisfy({ $0.isASCII && $0.isHexDigit }),
            let value = Int64(magnitude, radix: radix)
        else { return nil }
        return (negative && value != 0 ? "-" : "") + String(value)
    }

    /// `[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)?` (YAML 1.1 needs the dot), as JSON's number.
    static func float(_ text: String) -> String? {
        var body = Substring(text)
        var sign = ""
        if let first = body.first, first == "-" || first == "+" {
            if first == "-" { sign = "-" }
            body = body.dropFirst()
        }
        let mantissaEnd = body.firstIndex { $0 == "e" || $0 == "E" } ?? body.endIndex
        let mantissa = body[..<mantissaEnd].filter { $0 != "_" }
        guard let dot = mantissa.firstIndex(of: ".") else { return nil }
        let whole = mantissa[..<dot]
        let fraction = mantissa[mantissa.index(after: dot)...]
        guard whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy(\.isASCIIDigit), !(whole.isEmpty && fraction.isEmpty) else {
            return nil
        }
        var exponent = ""
        if mantissaEnd != body.endIndex {
            let rest = body[body.index(after: mantissaEnd)...]
            guard let exponentSign = rest.first, exponentSign == "-" || exponentSign == "+" else { return nil }
            let exponentDigits = rest.dropFirst()
            guard !exponentDigits.isEmpty, exponentDigits.allSatisfy(\.isASCIIDigit) else { return nil }
            exponent = "e" + rest
        }
        let wholeDigits = whole.drop { $0 == "0" }
        return sign + (wholeDigits.isEmpty ? "0" : String(wholeDigits)) + "." + (fraction.isEmpty ? "0" : String(fraction)) + exponent
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
