import JSON
import Testing

@Suite struct JSONValueTests {
    @Test func memberOrderAndNumberTextSurviveARoundTrip() throws {
        let text = #"{"z":1,"a":[true,false,null],"n":1.50,"big":12345678901234567890,"e":-2E+3,"s":"x"}"#
        #expect(try JSONValue(parsing: text).serialized == text)
    }

    @Test func escapesAndUnicodeAreDecodedAndReencoded() throws {
        let value = try JSONValue(parsing: #"{"k":"a\"b\\c\/d\n\t\u00e9\ud83d\ude00\u0001"}"#)
        #expect(value["k"]?.stringValue == "a\"b\\c/d\n\té😀\u{01}")
        #expect(value.serialized == #"{"k":"a\"b\\c/d\n\té😀\u0001"}"#)
    }

    @Test func malformedTextIsRefusedWithAnOffset() {
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "\"\\x\"", "\"\\ud800\"", "{} x", "\"a\u{01}\""] {
            #expect(throws: JSONSyntaxError.self, "\(bad)") { try JSONValue(parsing: bad) }
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: deep) }
        #expect((try? JSONValue(parsing: deep, maxDepth: 400)) != nil)
    }

    @Test func accessorsReadTypedValues() throws {
        let value = try JSONValue(parsing: #"{"count":2,"results":[{"id":"x"}],"flag":true,"none":null}"#)
        #expect(value["count"]?.intValue == 2)
        #expect(value["results"]?.arrayValue?.first?["id"]?.stringValue == "x")
        #expect(value["flag"]?.boolValue == true)
        #expect(value["none"]?.isNull == true)
        #expect(value["missing"] == nil)
    }

    /// A large map is read member by member: each value's own text, strings with braces and
    /// escaped quotes included, and nothing accepted after the object.
    @Test func membersAreHandedOverOneAtATime() throws {
        var seen: [(String, String)] = []
        let text = #" { "a": {"x": "}{\"", "y": [1, {"z": null}]}, "b" : "s", "c": -1.5e3, "d": [] } "#
        try JSONValue.forEachMember(ofObject: Array(text.utf8)) { key, value in seen.append((key, String(decoding: value, as: UTF8.self))) }
        #expect(seen.map(\.0) == ["a", "b", "c", "d"])
        #expect(seen.map(\.1) == [#"{"x": "}{\"", "y": [1, {"z": null}]}"#, #""s""#, "-1.5e3", "[]"])
        #expect(throws: JSONSyntaxError.self) { try JSONValue.forEachMember(ofObject: Array(#"{"a": 1} x"#.utf8)) { _, _ in } }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.forEachMember(ofObject: Array(#"[1]"#.utf8)) { _, _ in } }
        #expect(throws: JSONSyntaxError.self) { try JSONValue.forEachMember(ofObject: Array(#"{"a": "open}"#.utf8)) { _, _ in } }
    }

    /// The same members when the text comes in pieces of any size, split anywhere (inside a
    /// key, an escape, a number); an object that never closes, or text after it, is refused.
    @Test func membersArriveWholeWhateverThePieces() throws {
        let text = Array(
            #" { "a": {"x": "}{\"", "y": [1, {"z": null}]}, "b\u00e9" : "s", "c": -1.5e3, "d": [], "e": true, "f": "\ud83d\ude00" } "#.utf8)
        var expected: [String] = []
        try JSONValue.forEachMember(ofObject: text) { key, value in expected.append(key + "=" + String(decoding: value, as: UTF8.self)) }
        for size in 1...text.count {
            var stream = JSONMemberStream()
            var seen: [String] = []
            for start in stride(from: 0, to: text.count, by: size) {
                try stream.feed(text[start..<min(start + size, text.count)]) { key, value in
                    seen.append(key + "=" + String(decoding: value, as: UTF8.self))
                }
            }
            try stream.finish()
            #expect(seen == expected, "pieces of \(size)")
        }
        var open = JSONMemberStream()
        try open.feed(Array(#"{"a": 1, "b": 2"#.utf8)) { _, _ in }
        #expect(throws: JSONSyntaxError.self) { try open.finish() }
        var trailing = JSONMemberStream()
        try trailing.feed(Array(#"{"a": 1} x"#.utf8)) { _, _ in }
        #expect(throws: JSONSyntaxError.self) { try trailing.finish() }
        var notObject = JSONMemberStream()
        #expect(throws: JSONSyntaxError.self) { try notObject.feed(Array("[1]".utf8)) { _, _ in } }
    }

    /// A repeated key reads as its last value (Python's json, Go's encoding/json), and both
    /// members survive a round trip.
    @Test func aRepeatedKeyReadsAsItsLastValue() throws {
        let value = try JSONValue(parsing: #"{"Password": "first", "UserName": "root", "Password": "second"}"#)
        #expect(value["Password"]?.stringValue == "second")
        #expect(value.serialized == #"{"Password":"first","UserName":"root","Password":"second"}"#)
    }
}
