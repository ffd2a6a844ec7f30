import HTTP
import JSON
import Nautobot
import Redfish
import StepRuntime

/// `firmware-plan --record` (contract.md): what the inventory says, written to Nautobot. Per
/// installed component an inventory item on the device, keyed by the component's id without the
/// version iDRAC puts in it (kept in `part_id`), whose `software_version` links the
/// SoftwareVersion of the component's platform and version (both made when missing); a note on the
/// device for each version that changed since the last record. Nothing changed, nothing written.
public struct FirmwareRecord {
    let client: NautobotClient
    let device: DeviceSoftwareImageFiles.Device
    /// The Argo workflow the notes name; nil by hand.
    let workflow: String?

    public init(client: NautobotClient, device: DeviceSoftwareImageFiles.Device, workflow: String?) {
        self.client = client
        self.device = device
        self.workflow = workflow
    }

    /// What was written, for the step's log line.
    public struct Written: Sendable, Equatable {
        public var platforms = 0
        public var versions = 0
        public var itemsCreated = 0
        public var itemsUpdated = 0
        public var notes: [String] = []

        public var summary: String {
            let counts = [
                (itemsCreated, "inventory item(s) created"), (itemsUpdated, "updated"), (versions, "software version(s) made"),
                (platforms, "platform(s) made"), (notes.count, "note(s)"),
            ].filter { $0.0 > 0 }.map { "\($0.0) \($0.1)" }
            return counts.isEmpty ? "nothing changed, nothing written" : counts.joined(separator: ", ")
        }
    }

    /// The key an item is found by: iDRAC's `Installed-25227-7.10.30.00` is `Installed-25227`
    /// (its id changes with every update); any other id is its own key.
    public static func key(of component: FirmwareComponent) -> String {
        let parts = component.id.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, ["Installed", "Previous", "Available", "Current"].contains(parts[0]), !parts[1].isEmpty,
            parts[1].allSatisfy(\.isNumber)
        else { return component.id }
        return "\(parts[0])-\(parts[1])"
    }

    public func record(_ inventory: [FirmwareComponent]) throws(NautobotError) -> Written {
        var written = Written()
        let components = inventory.filter { !$0.isSpareCopy }
        let existing = try client.list(
            "/dcim/inventory-items/?" + URLText.query([("device", device.id), ("depth", "1")]), as: NautobotInventoryItem.self,
            what: "inventory item")
        // What exists is read up front, one request each, whatever the number of components.
        var platforms = try knownPlatforms(Set(components.filter { $0.version != nil }.map(\.name)))
        var versions = try knownVersions(platforms: Set(platforms.values), versions: Set(components.compactMap(\.version)))
        var active: String?
        for component in components {
            var linked: NautobotObject?
            if let version = component.version {
                let platform = try platformID(named: component.name, cache: &platforms, written: &written)
                let cacheKey = platform + "\u{0}" + version
                if let known = versions[cacheKey] {
                    linked = known
                } else {
                    let made = try softwareVersion(platform: platform, version: version, active: &active, written: &written)
                    versions[cacheKey] = made
                    linked = made
                }
            }
            let key = Self.key(of: component)
            guard key.count <= 255, component.name.count <= 255 else {
                throw .invalidAnswer("the BMC's component \"\(component.name.prefix(64))\" has a name or id too long to record")
            }
            if let item = existing.first(where: { $0.partID == key }) {
                guard item.softwareVersion?.id != linked?.id || item.name != component.name else { continue }
                let body: JSONValue = ["name": .string(component.name), "software_version": linked.map { .string($0.id) } ?? nil]
                _ = try client.write(.patch, "/dcim/inventory-items/\(item.id)/", body, as: NautobotObject.self, what: "inventory item")
                written.itemsUpdated += 1
                if let old = item.softwareVersion?.version, let new = component.version, old != new {
                    try note("\(component.name) \(old) -> \(new)", written: &written)
                }
            } else {
                let body: JSONValue = [
                    "device": .string(device.id), "name": .string(component.name), "part_id": .string(key),
                    "software_version": linked.map { .string($0.id) } ?? nil, "discovered": true,
                    "description": .string("firmware component \(component.id.prefix(180)) (firmware-plan --record)"),
                ]
                _ = try client.write(.post, "/dcim/inventory-items/", body, as: NautobotObject.self, what: "inventory item")
                written.itemsCreated += 1
            }
        }
        return written
    }

    /// The platforms of these names that exist, by name.
    func knownPlatforms(_ names: Set<String>) throws(NautobotError) -> [String: String] {
        guard !names.isEmpty else { return [:] }
        let query = URLText.query(names.sorted().map { ("name", $0) })
        let found = try client.list("/dcim/platforms/?" + query, as: NautobotSoftwareImageFile.Named.self, what: "platform")
        return Dictionary(found.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
    }

    /// The software versions of these platforms with these version texts that exist, by platform
    /// and version.
    func knownVersions(platforms: Set<String>, versions: Set<String>) throws(NautobotError) -> [String: NautobotObject] {
        struct Listed: Decodable {
            var id: String
            var version: String
            var platform: NautobotObject
        }
        guard !platforms.isEmpty, !versions.isEmpty else { return [:] }
        let query = URLText.query(platforms.sorted().map { ("platform", $0) } + versions.sorted().map { ("version", $0) })
        let found = try client.list("/dcim/software-versions/?" + query, as: Listed.self, what: "software version")
        return Dictionary(
            found.map { ($0.platform.id + "\u{0}" + $0.version, NautobotObject(id: $0.id)) }, uniquingKeysWith: { first, _ in first })
    }

    /// The platform named as the component (the baseline's matching rule), made when missing.
    func platformID(named name: String, cache: inout [String: String], written: inout Written) throws(NautobotError) -> String {
        if let known = cache[name] { return known }
        let query = "/dcim/platforms/?" + URLText.query([("name", name)])
        let id: String
        if let first = try client.list(query, as: NautobotObject.self, what: "platform").first {
            id = first.id
        } else {
            let (platform, made) = try makeUnique("/dcim/platforms/", ["name": .string(name)], what: "platform", readAgain: query)
            if made { written.platforms += 1 }
            id = platform.id
        }
        cache[name] = id
        return id
    }

    /// The SoftwareVersion of a platform and version, made (status Active) when missing.
    func softwareVersion(platform: String, version: String, active: inout String?, written: inout Written) throws(NautobotError)
        -> NautobotObject
    {
        let query = "/dcim/software-versions/?" + URLText.query([("platform", platform), ("version", version)])
        if let found = try client.list(query, as: NautobotObject.self, what: "software version").first { return found }
        if active == nil {
            active = try client.list("/extras/statuses/?name=Active", as: NautobotObject.self, what: "status").first?.id
        }
        guard let status = active else { throw .notFound("Nautobot has no status named Active for new software versions") }
        let (made, isNew) = try makeUnique(
            "/dcim/software-versions/", ["platform": .string(platform), "version": .string(version), "status": .string(status)],
            what: "software version", readAgain: query)
        if isNew { written.versions += 1 }
        return made
    }

    /// POSTs an object Nautobot keeps unique (a platform by name, a software version per
    /// platform and version). Another workflow recording a host of the same device type makes it
    /// at the same moment more often than not (a compliance fleet runs ten at once): Nautobot
    /// answers that duplicate 400 ("platform with this name already exists"), and the one it
    /// made is read again. `made` says whether this POST made it.
    func makeUnique(_ path: String, _ body: JSONValue, what: String, readAgain query: String) throws(NautobotError)
        -> (object: NautobotObject, made: Bool)
    {
        do {
            return (try client.write(.post, path, body, as: NautobotObject.self, what: what), true)
        } catch .rejected(let code, let detail, let request) where code == 400 {
            if let found = try client.list(query, as: NautobotObject.self, what: what).first { return (found, false) }
            throw .rejected(status: code, detail: detail, request: request)
        }
    }

    func note(_ change: String, written: inout Written) throws(NautobotError) {
        let text = change + (workflow.map { ", workflow \($0)" } ?? ", firmware-plan --record")
        _ = try client.write(.post, "/dcim/devices/\(device.id)/notes/", ["note": .string(text)], as: NautobotObject.self, what: "note")
        written.notes.append(text)
    }
}
