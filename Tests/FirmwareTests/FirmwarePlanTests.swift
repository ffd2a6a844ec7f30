import Firmware
import Nautobot
import Redfish
import Testing

/// The baseline's targets and the plan's actions and verdicts, on baselines shaped as Nautobot's
/// software image files are.
@Suite struct FirmwarePlanTests {
    static let idrac = "Integrated Dell Remote Access Controller"

    static func file(
        _ platform: String, _ version: String, status: String = "Active", name: String? = nil, url: String = "https://images.example/x.bin",
        isDefault: Bool = false
    ) -> NautobotSoftwareImageFile {
        NautobotSoftwareImageFile(
            id: "file-\(platform)-\(version)-\(name ?? "")", fileName: name ?? "\(platform)-\(version).bin", checksum: "ab12",
            algorithm: "sha256",
            size: 1024, downloadURL: url, isDefault: isDefault,
            softwareVersion: .init(
                id: "v-\(platform)-\(version)", version: version, platform: .init(id: "p-\(platform)", name: platform),
                status: .init(id: "s-\(status)", name: status)))
    }

    static func component(_ name: String, _ version: String?, kind: FirmwareKind, id: String? = nil) -> FirmwareComponent {
        FirmwareComponent(id: id ?? "Installed-\(name)", name: name, version: version, updateable: true, kind: kind, path: "/fw/\(name)")
    }

    func plan(_ inventory: [FirmwareComponent], _ files: [NautobotSoftwareImageFile], allowDowngrade: Bool = false) -> FirmwarePlan {
        FirmwarePlanner.plan(
            hostname: "host1", inventory: inventory, baseline: FirmwareBaseline(files: files), allowDowngrade: allowDowngrade)
    }

    @Test func theTargetIsTheHighestActiveVersionNotAPulledNewerOne() {
        let baseline = FirmwareBaseline(files: [
            Self.file(Self.idrac, "6.10.80.00", status: "End-of-Life"), Self.file(Self.idrac, "7.00.60.00"),
            Self.file(Self.idrac, "7.10.30.00"), Self.file(Self.idrac, "7.20.10.00", status: "End-of-Life"),
        ])
        let expected = FirmwarePlan.Image(url: "https://images.example/x.bin", checksum: "ab12", algorithm: "sha256", size: 1024)
        #expect(baseline.targets[Self.idrac] == .version("7.10.30.00", image: expected))
        #expect(baseline.warnings.isEmpty)
    }

    @Test func versionsCompareAsNumbersNotAsText() {
        let baseline = FirmwareBaseline(files: [Self.file("BIOS", "1.10.0"), Self.file("BIOS", "1.9.2")])
        guard case .version(let target, _) = baseline.targets["BIOS"] else {
            Issue.record("no target")
            return
        }
        #expect(target == "1.10.0")
    }

    @Test func aPlatformWithoutAnActiveVersionHasNoBaseline() {
        let planned = plan(
            [Self.component(Self.idrac, "7.00.60.00", kind: .bmc)], [Self.file(Self.idrac, "7.10.30.00", status: "End-of-Life")])
        #expect(planned.components.map(\.action) == [.noBaseline])
        #expect(planned.verdict == .noBaseline)
    }

    @Test func severalImagesOfTheTargetNeedOneMarkedDefault() {
        let two = [Self.file(Self.idrac, "7.10.30.00", name: "a.d9"), Self.file(Self.idrac, "7.10.30.00", name: "b.EXE")]
        let ambiguous = FirmwareBaseline(files: two)
        let why = "platform \"\(Self.idrac)\" version 7.10.30.00: 2 image files and 0 marked default; mark one default"
        #expect(ambiguous.targets[Self.idrac] == .unusable(why))
        #expect(ambiguous.warnings == [why])
        let marked = FirmwareBaseline(files: [
            Self.file(Self.idrac, "7.10.30.00", name: "a.d9", url: "https://images.example/a.d9", isDefault: true), two[1],
        ])
        guard case .version(_, let image) = marked.targets[Self.idrac] else {
            Issue.record("no target")
            return
        }
        #expect(image.url == "https://images.example/a.d9")
    }

    @Test func activeVersionsThatCannotBeRankedMakeTheComponentUnknown() {
        let unranked = FirmwareBaseline(files: [Self.file("System ROM", "A43 v2.52 (10/29/2021)"), Self.file("System ROM", "U46 v1.10")])
        #expect(
            unranked.targets["System ROM"]
                == .unusable("platform \"System ROM\": Active versions \"A43 v2.52 (10/29/2021)\" and \"U46 v1.10\" cannot be compared"))
        let odd = FirmwareBaseline(files: [Self.file("BMC", "latest")])
        #expect(odd.targets["BMC"] == .unusable("platform \"BMC\": Active version \"latest\" is in no form the plan compares"))
        let planned = plan([Self.component("BMC", "1.0", kind: .bmc)], [Self.file("BMC", "latest")])
        #expect(planned.components.map(\.action) == [.unknown] && planned.verdict == .unknown)
    }

    @Test func aDownloadURLWithCredentialsIsNotPassedOnAndTheWarningHidesThem() {
        let baseline = FirmwareBaseline(files: [Self.file("BIOS", "1.8.2", url: "https://fw:S3cret-Pw@images.example/bios.exe")])
        guard case .version(_, let image) = baseline.targets["BIOS"] else {
            Issue.record("no target")
            return
        }
        #expect(image.url == nil && image.checksum == "ab12")
        #expect(
            baseline.warnings == [
                "image file \"BIOS-1.8.2.bin\" of BIOS 1.8.2: its download URL carries credentials; not passed on (https://images.example/bios.exe)"
            ])
        #expect(!baseline.warnings.joined().contains("S3cret"))
    }

    @Test func eachComponentGetsTheActionItsKindAndVersionsCallFor() {
        let files = [
            Self.file(Self.idrac, "7.10.30.00"), Self.file("BIOS", "1.8.2"), Self.file("PERC H755 Front", "52.26.0-5179"),
            Self.file("System CPLD", "1.0.3"), Self.file("Broadcom Gigabit Ethernet BCM5720", "22.00.6"),
        ]
        let inventory = [
            Self.component(Self.idrac, "7.00.60.00", kind: .bmc, id: "Installed-25227-7.00.60.00"),
            Self.component(Self.idrac, "6.10.80.00", kind: .other, id: "Previous-25227-6.10.80.00"),
            Self.component("BIOS", "1.6.5", kind: .bios),
            Self.component("PERC H755 Front", "52.26.0-5179", kind: .storage),
            Self.component("System CPLD", "1.0.3", kind: .cpld),
            Self.component("Broadcom Gigabit Ethernet BCM5720", "22.31.6", kind: .nic),
            Self.component("Power Supply", "00.1D.7D", kind: .other),
        ]
        let planned = plan(inventory, files)
        #expect(
            planned.components.map(\.name) == inventory.filter { !$0.id.hasPrefix("Previous-") }.map(\.name),
            "the rollback copy is left out")
        #expect(planned.components.map(\.action) == [.update, .updateNeedsReboot, .none, .none, .downgradeRefused, .noBaseline])
        #expect(planned.components.map { $0.image != nil } == [true, true, false, false, false, false], "an image only to install")
        #expect(planned.components[0].current == "7.00.60.00" && planned.components[0].target == "7.10.30.00")
        #expect(planned.verdict == .outdated)
        #expect(
            planned.summary == "host1: outdated (2 none, 1 update, 1 update-needs-reboot, 1 downgrade-refused, 1 no-baseline)")
        let allowed = plan(inventory, files, allowDowngrade: true)
        #expect(allowed.components[4].action == .downgrade && allowed.components[4].image?.url == "https://images.example/x.bin")
    }

    @Test func theVerdictSumsUpTheComponentsWithABaseline() {
        let files = [Self.file(Self.idrac, "7.10.30.00"), Self.file("BIOS", "1.8.2")]
        let compliant = plan([Self.component(Self.idrac, "7.10.30.00", kind: .bmc), Self.component("NIC", "1.0", kind: .nic)], files)
        #expect(compliant.verdict == .compliant && compliant.summary == "host1: compliant (1 none, 1 no-baseline)")
        let ahead = plan([Self.component(Self.idrac, "7.20.10.00", kind: .bmc)], files)
        #expect(ahead.verdict == .outdated, "newer than the baseline is not at the baseline")
        let unknown = plan([Self.component(Self.idrac, "7.10.30.00", kind: .bmc), Self.component("BIOS", nil, kind: .bios)], files)
        #expect(unknown.verdict == .unknown && unknown.components[1].target == "1.8.2")
        let nothing = plan([Self.component("NIC", "1.0", kind: .nic)], [])
        #expect(nothing.verdict == .noBaseline && nothing.summary == "host1: no-baseline (1 no-baseline)")
    }

    @Test func thePlanReadsBackFromItsOwnOutput() throws {
        let planned = plan(
            [Self.component(Self.idrac, "7.00.60.00", kind: .bmc), Self.component("NIC", nil, kind: .nic)],
            [Self.file(Self.idrac, "7.10.30.00")])
        let text = planned.json.serialized
        #expect(
            text
                == #"{"hostname":"host1","verdict":"outdated","components":[{"name":"Integrated Dell Remote Access Controller","kind":"bmc","current":"7.00.60.00","target":"7.10.30.00","action":"update","image":{"url":"https://images.example/x.bin","checksum":"ab12","algorithm":"sha256","size":1024}},{"name":"NIC","kind":"nic","current":null,"target":null,"action":"no-baseline","image":null}]}"#
        )
        #expect(try FirmwarePlan.read(text, option: "--plan") == planned)
    }

    @Test func aComponentIsKeyedByItsIdWithoutIDRACsVersion() {
        #expect(
            FirmwareRecord.key(of: Self.component(Self.idrac, "7.10.30.00", kind: .bmc, id: "Installed-25227-7.10.30.00"))
                == "Installed-25227")
        #expect(FirmwareRecord.key(of: Self.component("NIC", "1.0", kind: .nic, id: "Installed-108255-22.31.6")) == "Installed-108255")
        #expect(FirmwareRecord.key(of: Self.component("iLO 5", "2.72", kind: .bmc, id: "1")) == "1")
        #expect(FirmwareRecord.key(of: Self.component("BMC", "1", kind: .bmc, id: "BMC")) == "BMC")
        #expect(FirmwareRecord.key(of: Self.component("X", "1", kind: .other, id: "Installed-abc-1.0")) == "Installed-abc-1.0")
    }

    /// `bmc-action`, what a fleet's `when` compares: the BMC component's action; none without a
    /// BMC component; unknown with several (obm-firmware-update refuses that plan).
    @Test func theBMCActionIsTheOneBMCComponentsAction() {
        func component(_ kind: FirmwareKind, _ action: FirmwarePlan.Action) -> FirmwarePlan.Component {
            FirmwarePlan.Component(name: "c", kind: kind, current: "1", target: "2", action: action, image: nil)
        }
        #expect(
            FirmwarePlan(hostname: "h", components: [component(.bios, .updateNeedsReboot), component(.bmc, .update)]).bmcAction == "update")
        #expect(FirmwarePlan(hostname: "h", components: [component(.bmc, .downgradeRefused)]).bmcAction == "downgrade-refused")
        #expect(FirmwarePlan(hostname: "h", components: [component(.bios, .updateNeedsReboot)]).bmcAction == "none")
        #expect(FirmwarePlan(hostname: "h", components: [component(.bmc, .update), component(.bmc, .update)]).bmcAction == "unknown")
    }
}
