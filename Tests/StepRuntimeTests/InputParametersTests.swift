import Foundation
import StepRuntime
import StepTesting
import Testing

/// Every parameter the README lists for a step takes its `INPUT_*` variable (the contract's
/// fallback for `docker run -e`), read from the README's own table and checked against each
/// step's --help, which is written from the same list the fallback uses.
@Suite struct InputParametersTests {
    /// `program → [--option]` from the README's table of steps.
    static func readmeParameters() throws -> [String: [String]] {
        let readme = try String(contentsOfFile: BuiltProducts.packageRoot + "/README.md", encoding: .utf8)
        var table: [String: [String]] = [:]
        // The table under "## The steps", up to the next heading.
        let section = readme.split(separator: "## The steps", maxSplits: 1).last?.split(separator: "\n#", maxSplits: 1).first ?? ""
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, cells[0].hasPrefix("`"), cells[0].hasSuffix("`") else { continue }
            let program = String(cells[0].dropFirst().dropLast())
            let options = cells[1].split(separator: "`").filter { $0.hasPrefix("--") }.map { String($0.split(separator: " ")[0]) }
            table[program] = options
        }
        return table
    }

    @Test func everyParameterInTheReadmeTakesItsInputVariable() throws {
        let table = try Self.readmeParameters()
        #expect(table.count >= 7, "the README's table of steps: \(table.keys.sorted())")
        for (program, options) in table.sorted(by: { $0.key < $1.key }) {
            let help = try runStep(program, ["--help"])
            #expect(help.status == 0, "\(program): \(help)")
            for option in options {
                let variable = InputEnvironment.variableName(for: String(option.dropFirst(2)))
                #expect(help.stdout.contains("\(variable): \(option)"), "\(program) \(option) has no \(variable) fallback")
            }
        }
    }

    @Test func flagsTakeTrueOrFalseAndRefuseAnythingElse() {
        let merged = InputEnvironment.merge(
            parameters: ["host"], flags: ["dry-run", "persist", "all-pages"], into: ["--host", "a"],
            environment: ["INPUT_DRY_RUN": "true", "INPUT_PERSIST": "false", "INPUT_ALL_PAGES": "maybe", "INPUT_HOST": "b"])
        #expect(merged == ["--host", "a", "--dry-run", "--all-pages=maybe"])
        #expect(
            InputEnvironment.merge(parameters: [], flags: ["dry-run"], into: ["--dry-run"], environment: ["INPUT_DRY_RUN": "1"]) == [
                "--dry-run"
            ])
    }

    @Test func aFlagFromTheEnvironmentThatIsNotABooleanIsBadInput() throws {
        let run = try runStep("obm-sync-creds", [], environment: ["INPUT_HOST": "127.0.0.1", "INPUT_DRY_RUN": "perhaps"])
        #expect(run.status == 64, "\(run)")
    }
}
