/// A firmware version read as its vendor numbers it, so two can be compared; a text in none of the
/// understood forms has no FirmwareVersion ("unknown"), never a guess.
///
/// Understood (the README lists them too):
/// - dotted numbers, each part a decimal integer with leading zeros allowed: `7.10.30.00`
///   (iDRAC), `08.50.78`, `2.5`, `1.0.7`; missing trailing parts count as 0 (`7.10.30` is
///   `7.10.30.00`);
/// - dotted numbers and a release date, as iLO writes its own: `2.46 May 11 2021` (the date is
///   not compared: the number is the release);
/// - dotted numbers and a build, `9.1.0 Build 36` or, as Dell's storage controllers write it,
///   `52.26.0-5179` (the build is one more part);
/// - a ROM family and its version, as HPE's System ROM and others write them:
///   `A43 v2.52 (10/29/2021)`, `P79 v1.45`; comparable only within the same family;
/// - a hexadecimal number, as programmable logic reports it: `0x0D`; comparable only with
///   another hexadecimal one.
public struct FirmwareVersion: Sendable, Equatable, CustomStringConvertible {
    /// What two versions must share to be compared: a ROM family (`A43`), `0x` for hexadecimal
    /// numbers, nil for dotted numbers.
    public let family: String?
    public let parts: [Int]
    /// The text as the BMC or Nautobot gave it.
    public let text: String

    public var description: String { text }

    public init?(_ text: String) {
        let trimmed = text.trimmedWhitespaceForVersion
        guard !trimmed.isEmpty, trimmed.count <= 128 else { return nil }
        self.text = text
        if let hex = Self.hexadecimal(trimmed) {
            family = "0x"
            parts = [hex]
            return
        }
        let words = trimmed.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        if let rom = Self.romFamily(words) {
            family = rom.family
            parts = rom.parts
            return
        }
        guard let first = words.first, let numbers = Self.dotted(first) ?? Self.dottedDashBuild(first) else { return nil }
        let rest = Array(words.dropFirst())
        if rest.isEmpty {
            parts = numbers
        } else if rest.count == 2, rest[0] == "Build", let build = Self.decimal(rest[1]) {
            parts = numbers + [build]
        } else if Self.isReleaseDate(rest) {
            parts = numbers
        } else {
            return nil
        }
        family = nil
    }

    /// Which is newer: nil when the two cannot be compared (different families).
    public func compared(to other: FirmwareVersion) -> Comparison? {
        guard family == other.family else { return nil }
        for index in 0..<max(parts.count, other.parts.count) {
            let mine = index < parts.count ? parts[index] : 0
            let theirs = index < other.parts.count ? other.parts[index] : 0
            if mine != theirs { return mine < theirs ? .older : .newer }
        }
        return .same
    }

    /// How a version stands against another.
    public enum Comparison: Sendable, Equatable {
        case older
        case same
        case newer
    }

    /// `52.26.0-5179`: dotted numbers, one dash, a decimal build.
    static func dottedDashBuild(_ word: String) -> [Int]? {
        let pieces = word.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 2, let numbers = dotted(String(pieces[0])), let build = decimal(String(pieces[1])) else { return nil }
        return numbers + [build]
    }

    /// `1.2.3`: decimal parts of at most 9 digits each (a part beyond that is no version number).
    static func dotted(_ word: String) -> [Int]? {
        let pieces = word.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 8 else { return nil }
        var numbers: [Int] = []
        for piece in pieces {
            guard let number = decimal(String(piece)) else { return nil }
            numbers.append(number)
        }
        return numbers
    }

    static func decimal(_ text: String) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }

    /// `0x0D`: at most 8 hexadecimal digits.
    static func hexadecimal(_ text: String) -> Int? {
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else { return nil }
        let digits = text.dropFirst(2)
        guard !digits.isEmpty, digits.count <= 8 else { return nil }
        return Int(digits, radix: 16)
    }

    /// `A43 v2.52`, optionally followed by `(MM/DD/YYYY)`.
    static func romFamily(_ words: [String]) -> (family: String, parts: [Int])? {
        guard words.count == 2 || words.count == 3, let family = words.first, let letter = family.first, letter.isUppercase,
            letter.isASCII, decimal(String(family.dropFirst())) != nil, words[1].hasPrefix("v"),
            let numbers = dotted(String(words[1].dropFirst()))
        else { return nil }
        if words.count == 3 && !isParenthesizedDate(words[2]) { return nil }
        return (family, numbers)
    }

    /// `(10/29/2021)`.
    static func isParenthesizedDate(_ word: String) -> Bool {
        guard word.hasPrefix("("), word.hasSuffix(")") else { return false }
        let date = word.dropFirst().dropLast().split(separator: "/", omittingEmptySubsequences: false)
        return date.count == 3 && date.allSatisfy { decimal(String($0)) != nil }
    }

    /// `May 11 2021`: a month's English abbreviation, a day and a year.
    static func isReleaseDate(_ words: [String]) -> Bool {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard words.count == 3, months.contains(words[0]), let day = decimal(words[1]), (1...31).contains(day),
            let year = decimal(words[2]), (1990...2200).contains(year)
        else { return false }
        return true
    }
}

extension String {
    /// Spaces and tabs around, and runs of them inside, as one space: BMCs pad their versions.
    fileprivate var trimmedWhitespaceForVersion: String {
        split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}
