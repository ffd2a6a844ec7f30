import JSON
import Testing

/// Typed reads of a parsed document under the parser's rules, with errors that name the field.
@Suite struct JSONValueDecoderTests {
    struct Port: Decodable, Equatable {
        var name: String
        var speed: Int?
        var tags: [String]
    }

    struct Switch: Decodable, Equatable {
        var ports: [Port]
        var load: Double
    }

    func decode<Value: Decodable>(_ type: Value.Type, _ text: String) throws -> Value {
        try JSONValueDecoder().decode(type, from: try JSONValue(parsing: text))
    }

    func problem(_ text: String) -> String? {
        do {
            _ = try decode(Switch.self, text)
            return nil
        } catch let error as DecodingError {
            return error.fieldDescription
        } catch {
            return "\(error)"
        }
    }

    @Test func nestedObjectsAndArraysDecode() throws {
        let decoded = try decode(
            Switch.self, #"{"ports": [{"name": "eth0", "speed": 25, "tags": ["a"]}, {"name": "eth1", "tags": []}], "load": 0.5}"#)
        #expect(
            decoded == Switch(ports: [Port(name: "eth0", speed: 25, tags: ["a"]), Port(name: "eth1", speed: nil, tags: [])], load: 0.5))
    }

    @Test func aRepeatedKeyReadsAsItsLastValueAsTheParserSays() throws {
        let decoded = try decode(Switch.self, #"{"ports": [], "load": 1, "load": 2}"#)
        #expect(decoded.load == 2)
    }

    @Test func numbersAreReadFromTheirTextAsSwiftReadsThem() throws {
        #expect(try decode(Switch.self, #"{"ports": [], "load": 1e999}"#).load == .infinity)
        #expect(try decode(Port.self, #"{"name": "x", "speed": 1e2, "tags": []}"#).speed == 100)
        #expect(try decode(Port.self, #"{"name": "x", "speed": 25.0, "tags": []}"#).speed == 25)
    }

    @Test func errorsNameTheFieldByItsPath() {
        #expect(problem(#"{"ports": [{"name": "eth0", "tags": []}, {"tags": []}], "load": 1}"#) == "ports[1].name is missing")
        #expect(problem(#"{"ports": [{"name": 7, "tags": []}], "load": 1}"#) == "ports[0].name is not a string")
        #expect(
            problem(#"{"ports": [{"name": "a", "speed": 2.5, "tags": []}], "load": 1}"#)
                == "ports[0].speed: 2.5 is not a whole number within Int")
        #expect(problem(#"{"ports": [], "load": null}"#) == "load is null")
        #expect(problem(#"{"ports": {}, "load": 1}"#) == "ports is not of the expected type")
        #expect(problem(#"[]"#) == "the top level is not of the expected type")
    }
}
