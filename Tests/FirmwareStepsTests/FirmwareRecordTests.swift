import Foundation
import JSON
import StepTesting
import Testing

/// `firmware-plan --record` against a Nautobot simulator of its own and, in CI, the real 3.2.7
/// with the restricted token of `scripts/real-nautobot.sh` (exactly the README's permissions):
/// an inventory item per installed component, its software version, a note per changed version,
/// and nothing written when nothing changed.
@Suite(.stopsSimulators) struct FirmwareRecordTests {
    static let idrac = "Integrated Dell Remote Access Controller"
    static let host = "host4.domain.local"

    /// A Nautobot to record into, and a way to read (and, on the real one, clear) what it holds
    /// with full rights.
    struct Target: CustomStringConvertible {
        var backend: NautobotBackend
        var adminToken: String
        var description: String { backend.description }

        func get(_ path: String) throws -> JSONValue { try backend.get(path, token: adminToken) }

        func delete(_ path: String) throws {
            _ = try runProcess(
                "/usr/bin/curl", ["-sS", "-X", "DELETE", "-H", "Authorization: Token \(adminToken)", backend.url + "/api" + path],
                environment: [:])
        }

        /// The device's items, as `part_id: version`.
        func items(of deviceID: String) throws -> [String: String] {
            let results = try get("/dcim/inventory-items/?device=\(deviceID)&depth=1")["results"]?.arrayValue ?? []
            var items: [String: String] = [:]
            for item in results { items[item["part_id"]?.stringValue ?? ""] = item["software_version"]?["version"]?.stringValue ?? "none" }
            return items
        }

        func notes(of deviceID: String) throws -> [String] {
            (try get("/dcim/devices/\(deviceID)/notes/")["results"]?.arrayValue ?? []).compactMap { $0["note"]?.stringValue }
        }

        func deviceID() throws -> String {
            try #require(try get("/dcim/devices/?name=\(FirmwareRecordTests.host)")["results"]?.arrayValue?.first?["id"]?.stringValue)
        }
    }

    static var targets: [Target] {
        var targets: [Target] = []
        if let own = try? SimulatedNautobot.start() { targets.append(Target(backend: own, adminToken: own.token)) }
        let env = ProcessInfo.processInfo.environment
        if let real = NautobotBackend.real, let record = env["NAUTOBOT_REAL_RECORD_TOKEN"], !record.isEmpty {
            var restricted = real
            restricted.token = record
            targets.append(Target(backend: restricted, adminToken: real.token))
        }
        return targets
    }

    static func inventory(bmcVersion: String) -> String {
        FirmwarePlanStepTests.inventory([
            ("Installed-25227-\(bmcVersion)", idrac, bmcVersion, "bmc"), ("Previous-25227-6.10.80.00", idrac, "6.10.80.00", "other"),
            ("Installed-159-1.6.5", "BIOS", "1.6.5", "bios"), ("Installed-27763-1.0.3", "System CPLD", "1.0.3", "cpld"),
        ])
    }

    func record(_ target: Target, bmcVersion: String, workflow: String) throws -> StepRun {
        try runStep(
            "firmware-plan",
            ["--hostname", Self.host, "--inventory", Self.inventory(bmcVersion: bmcVersion), "--record", "--workflow", workflow],
            environment: target.backend.environment)
    }

    @Test(arguments: targets)
    func eachInstalledComponentIsRecordedOnceAndEachChangeNoted(target: Target) throws {
        let device = try target.deviceID()
        // The real Nautobot keeps what earlier runs recorded: start from none.
        for item in try target.get("/dcim/inventory-items/?device=\(device)")["results"]?.arrayValue ?? [] {
            try target.delete("/dcim/inventory-items/\(item["id"]?.stringValue ?? "")/")
        }
        for note in try target.get("/dcim/devices/\(device)/notes/")["results"]?.arrayValue ?? [] {
            try target.delete("/extras/notes/\(note["id"]?.stringValue ?? "")/")
        }

        let first = try record(target, bmcVersion: "7.00.60.00", workflow: "fw-1")
        #expect(first.status == 0, "\(first)")
        #expect(first.stderr.contains("recorded in Nautobot: 3 inventory item(s) created"), "\(first)")
        #expect(try target.items(of: device) == ["Installed-25227": "7.00.60.00", "Installed-159": "1.6.5", "Installed-27763": "1.0.3"])
        #expect(try target.notes(of: device).isEmpty, "a first record changes no version")

        let again = try record(target, bmcVersion: "7.00.60.00", workflow: "fw-2")
        #expect(again.status == 0, "\(again)")
        #expect(again.stderrLines.last == "firmware-plan: info: recorded in Nautobot: nothing changed, nothing written", "\(again)")

        let updated = try record(target, bmcVersion: "7.10.30.00", workflow: "fw-3")
        #expect(updated.status == 0, "\(updated)")
        #expect(updated.stderrLines.last?.hasPrefix("firmware-plan: info: recorded in Nautobot: 1 updated") == true, "\(updated)")
        #expect(updated.stderrLines.last?.hasSuffix(", 1 note(s)") == true, "\(updated)")
        #expect(try target.items(of: device)["Installed-25227"] == "7.10.30.00")
        #expect(try target.items(of: device).count == 3, "the same item, not a new one for the new id")
        #expect(try target.notes(of: device) == ["\(Self.idrac) 7.00.60.00 -> 7.10.30.00, workflow fw-3"])
        for run in [first, again, updated] { #expect(!run.everything.contains(target.backend.token)) }
    }

    /// Ten hosts of one device type recorded at once all find a platform or a version missing,
    /// and all but one are refused making it (400: it exists now). The refused read it again.
    @Test func aPlatformAndAVersionAnotherRecordMadeFirstAreReadAgain() throws {
        let nautobot = try SimulatedNautobot.start()
        let target = Target(backend: nautobot, adminToken: nautobot.token)
        for path in ["/api/dcim/platforms/", "/api/dcim/software-versions/"] {
            try nautobot.control("/_simulator/write-first", body: #"{"path": "\#(path)"}"#)
        }
        let run = try record(target, bmcVersion: "7.00.60.00", workflow: "fw-race")
        #expect(run.status == 0, "\(run)")
        #expect(try target.items(of: try target.deviceID())["Installed-27763"] == "1.0.3", "\(run)")
        let platforms = try target.get("/dcim/platforms/?name=System%20CPLD")["results"]?.arrayValue ?? []
        #expect(platforms.count == 1, "one platform, made by the rival: \(platforms)")
        let versions = try target.get("/dcim/software-versions/?version=1.0.3")["results"]?.arrayValue ?? []
        #expect(versions.count == 1, "\(versions)")
    }

    /// The restricted token reads and records, nothing more: a write its user may not make is
    /// refused by the real 3.2.7 with 403, and the step names the request and the permission,
    /// not only the token.
    @Test func aWriteTheTokensUserMayNotMakeNamesTheRequest() throws {
        guard let restricted = Self.targets.first(where: { $0.backend.kind == .real })?.backend else { return }
        let run = try runStep(
            "nautobot-api", ["--method", "POST", "--uri", "/dcim/manufacturers/", "--body", #"{"name": "Not Allowed"}"#],
            environment: restricted.environment)
        #expect(run.status == 1, "\(run)")
        #expect(
            run.stderrLines.last
                == "nautobot-api: Nautobot (\(restricted.url)) refused the token (HTTP 403: You do not have permission to perform this action.) for POST /api/dcim/manufacturers/; check Secret nautobot-token: its user needs the permission to do that (README, firmware-plan --record)",
            "\(run)")
        #expect(!run.everything.contains(restricted.token))
    }

    /// CI runs the real Nautobot: the record must be tested there with the restricted token.
    @Test func theRestrictedTokenIsThereWhenTheRealNautobotIsRequired() {
        guard NautobotBackend.realIsRequired else { return }
        #expect(ProcessInfo.processInfo.environment["NAUTOBOT_REAL_RECORD_TOKEN"]?.isEmpty == false, "scripts/real-nautobot.sh env")
        #expect(Self.targets.map(\.description) == ["simulator", "real"])
    }
}
