import Foundation
import JSON
import StepTesting
import Testing

@testable import YAML

/// The YAML reader on the shapes that the hand-written subset refused or misread, each checked
/// against what PyYAML reads from the same bytes.
@Suite struct YAMLDocumentTests {
    static let fixtures = BuiltProducts.packageRoot + "/Tests/Fixtures/kubeconfig"

    func parse(_ text: String) throws -> JSONValue { try YAMLDocument.parse(text) }

    /// Our value, and PyYAML's agreement on the same text written to a file.
    func agreed(_ text: String) throws -> JSONValue {
        let value = try parse(text)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("yaml-\(UUID()).yaml").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(try pyYAMLDisagreement(yamlFile: file, ourJSON: value.serialized) == nil, "\(text)")
        return value
    }

    @Test func commentsAfterAnApostropheAreComments() throws {
        #expect(try agreed("name: it's-me # c\n") == ["name": "it's-me"])
    }

    @Test func aSpaceBeforeTheColonIsNotPartOfTheKey() throws {
        #expect(try agreed("server : x\n") == ["server": "x"])
    }

    @Test func foldedAndIndentedBlockScalars() throws {
        #expect(try agreed("a: >\n  one\n  two\n\n  three\n") == ["a": "one two\nthree\n"])
        #expect(try agreed("a: |2\n   indented\n  plain\n") == ["a": " indented\nplain\n"])
        #expect(try agreed("a: |-\n  kept\n\n") == ["a": "kept"])
    }

    @Test func plainScalarsFoldOverLines() throws {
        let text = "installHint: Install gke-gcloud-auth-plugin for use with kubectl by following\n  https://cloud.google.com/x\n"
        #expect(
            try agreed(text) == [
                "installHint": "Install gke-gcloud-auth-plugin for use with kubectl by following https://cloud.google.com/x"
            ])
    }

    @Test func doubleQuotedStringsWrappedByAnEmitter() throws {
        #expect(try agreed("s: \"a long\n  string \\x41\\u00e9\\\n  tail\"\n") == ["s": "a long string Aétail"])
    }

    @Test func anchorsAliasesAndMergeKeys() throws {
        let text = "base: &b {x: 1, y: 2}\nother: &o {y: 9, z: 3}\nuse:\n  <<: [*b, *o]\n  x: 0\ncopy: *b\n"
        let value = try agreed(text)
        #expect(value["use"] == ["y": 2, "z": 3, "x": 0])
        #expect(value["copy"] == ["x": 1, "y": 2])
    }

    @Test func flowMappingsAndNestedSequences() throws {
        #expect(
            try agreed("c: {cluster: c, user: u}\nl: [[1, 2], [a]]\n") == ["c": ["cluster": "c", "user": "u"], "l": [[1, 2], ["a"]]])
        #expect(try agreed("- - a\n  - b\n- c\n") == [["a", "b"], "c"])
    }

    @Test func aByteOrderMarkIsNotPartOfTheFirstKey() throws {
        #expect(try agreed("\u{FEFF}apiVersion: v1\n") == ["apiVersion": "v1"])
    }

    @Test func scalarsResolveAsYAML11() throws {
        let value = try agreed("a: yes\nb: off\nc: ~\nd: 0755\ne: 0x1F\nf: 1_000\ng: -1.5\nh: '0755'\ni: 1.2.3\nj: v1\nk: !!str 12\n")
        #expect(
            value == [
                "a": true, "b": false, "c": nil, "d": 493, "e": 31, "f": 1000, "g": .number("-1.5"), "h": "0755", "i": "1.2.3", "j": "v1",
                "k": "12",
            ])
    }

    @Test func repeatedKeysKeepTheLastAsPyYAMLDoes() throws {
        #expect(try agreed("a: 1\na: 2\n") == ["a": 2])
    }

    @Test func anEmptyFileIsNull() throws {
        #expect(try parse("") == .null)
        #expect(try parse("# only a comment\n") == .null)
    }

    @Test func whatCannotBeReadIsRefusedWithItsLine() throws {
        func failure(_ text: String) -> YAMLError? {
            do {
                _ = try YAMLDocument.parse(text)
                return nil
            } catch { return error }
        }
        #expect(failure("a: 1\n---\nb: 2\n")?.reason == "more than one YAML document")
        #expect(failure("a: *nowhere\n")?.reason == "alias *nowhere refers to no anchor before it")
        #expect(failure("a: !custom x\n")?.reason == "tag !custom is not supported")
        #expect(failure("a: .inf\n")?.reason == ".inf is a float JSON cannot hold")
        let tagged = failure("token: !!bool s3cr3t-t0ken\n")
        #expect(tagged?.reason == "a !!bool scalar is not true or false")
        #expect(tagged.map { !"\($0)".contains("s3cr3t") } == true, "a tagged value is never echoed")
        #expect(failure("a: [1, 2\n")?.line == 2)
        let unclosed = failure("a: \"open\n")
        #expect(unclosed?.reason.contains("found unexpected end of stream") == true, "\(String(describing: unclosed))")
    }

    @Test func aliasesCannotExpandWithoutBound() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        #expect(throws: YAMLError.self) { try YAMLDocument.parse(text, maxNodes: 1_000_000) }
        do {
            _ = try YAMLDocument.parse(text, maxNodes: 1_000_000)
        } catch {
            #expect(error.reason == "more than 1000000 values (aliases expanding without bound?)")
        }
    }

    @Test(arguments: ["gke-gcloud.yaml", "eks-token-file.yaml", "kind.yaml", "k3s.yaml", "hand-edited.yaml"])
    func kubeconfigFixturesReadAsPyYAMLReadsThem(name: String) throws {
        let path = Self.fixtures + "/" + name
        let value = try YAMLDocument.parse(try String(contentsOfFile: path, encoding: .utf8))
        #expect(try pyYAMLDisagreement(yamlFile: path, ourJSON: value.serialized) == nil)
    }
}
