import Foundation

/// PyYAML's reading of a YAML file, compared in Python with the JSON text we made of it: an
/// independent check of the YAML parser. Returns nil when they agree, else what PyYAML read.
public func pyYAMLDisagreement(yamlFile: String, ourJSON: String) throws -> String? {
    let script = """
        import json, sys, yaml
        theirs = yaml.safe_load(open(sys.argv[1], "rb"))
        ours = json.loads(sys.argv[2])
        print("same" if ours == theirs else json.dumps(theirs, sort_keys=True))
        """
    let result = try runProcess(
        "/usr/bin/env", ["python3", "-c", script, yamlFile, ourJSON],
        environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"])
    guard result.status == 0 else { throw TestFailure("python3 with PyYAML: \(result.stderr)") }
    let answer = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    return answer == "same" ? nil : answer
}
