/// Reads a JSON object whose text arrives in pieces (inflated from a compressed stream), handing
/// each member's key and value text to a body as soon as the member is whole: an object of tens
/// of megabytes is never held entire, only the piece being read. A value's text is only
/// delimited here; whoever decodes it validates it.
public struct JSONMemberStream {
    private var buffer: [UInt8] = []
    private var position = 0
    private var opened = false
    private var closed = false
    private var first = true
    private let maxDepth: Int

    public init(maxDepth: Int = 256) {
        self.maxDepth = maxDepth
    }

    /// Adds the next piece of text and hands over every member it completes.
    public mutating func feed(_ piece: some Collection<UInt8>, _ body: (String, ArraySlice<UInt8>) throws -> Void) throws {
        buffer.append(contentsOf: piece)
        try drain(body)
        // What was read is dropped now and then: a copy of the unread tail, a member at most.
        if position > 1 << 20 {
            buffer.removeFirst(position)
            position = 0
        }
    }

    /// Once the text has all arrived: the object must have closed, with nothing after it.
    public func finish() throws(JSONSyntaxError) {
        var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
        parser.index = position
        guard closed else { throw parser.fail(opened ? "unterminated object" : "expected an object") }
        parser.skipWhitespace()
        guard parser.index == buffer.count else { throw parser.fail("unexpected text after the value") }
    }

    private mutating func drain(_ body: (String, ArraySlice<UInt8>) throws -> Void) throws {
        while !closed {
            var parser = JSONParser(bytes: buffer, maxDepth: maxDepth)
            parser.index = position
            var first = self.first
            do {
                if !opened {
                    if position == 0, buffer.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
                    parser.skipWhitespace()
                    guard parser.index < buffer.count else { return }
                    guard buffer[parser.index] == UInt8(ascii: "{") else { throw parser.fail("expected an object") }
                    parser.index += 1
                    opened = true
                    position = parser.index
                }
                guard let key = try parser.nextKey(first: &first) else {
                    closed = true
                    position = parser.index
                    return
                }
                parser.skipWhitespace()
                let start = parser.index
                try parser.skipValue()
                let end = parser.index
                // Only a member followed by more text is whole: a number may go on in the next piece.
                parser.skipWhitespace()
                guard parser.index < buffer.count else { return }
                try body(key, buffer[start..<end])
                position = end
                self.first = first
            } catch let error as JSONSyntaxError where error.offset >= buffer.count {
                return  // the member goes on in the next piece
            }
        }
    }
}
