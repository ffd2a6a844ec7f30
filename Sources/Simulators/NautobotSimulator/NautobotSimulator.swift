import JSON
import SimulatorSupport
import Synchronization

/// A Nautobot 3.2.7 REST API in miniature, for the queries and writes the steps make, answering as the
/// real server does (reference/nautobot-3.2.7/FINDINGS.md): 403 for auth failures, strict
/// filters (400 on an unknown one), the `interfaces=` name validation that makes the legacy BMC
/// query fail, API versions in `Accept`, `{count, next, previous, results}` pages.
///
/// Two control endpoints, outside `/api/`, let tests script it: `POST /_simulator/fail` with
/// `{"status": 500, "count": 3}` makes the next 3 API requests answer 500 (with `"match": "text"`,
/// only requests whose path or a query value contains it; with `"retryAfter": 120`, a
/// Retry-After the client will not wait for), `POST /_simulator/write-first` with `{"path":
/// "/api/dcim/platforms/"}` makes the next POST to that path be made once by "another
/// workflow" just before it is answered (the race two records of one device type run), and `GET
/// /_simulator/requests` counts the API requests served.
public final class NautobotSimulator: SimulatedService {
    public static let supportedVersions = ["2.0", "2.1", "2.2", "2.3", "2.4", "3.0", "3.1", "3.2"]
    static let reservedParameters: Set<String> = ["limit", "offset", "depth", "exclude_m2m", "format", "api_version", "sort"]

    /// The objects served; the firmware record's writes (platforms, software versions, inventory
    /// items, notes) change it.
    let store: Mutex<NautobotInventory>
    /// A snapshot of the objects, for one request's reads.
    var inventory: NautobotInventory { store.withLock { $0 } }
    let token: String
    private struct Control {
        var failures: [Failure] = []
        var requests = 0
        /// Paths whose next POST another writer makes first.
        var writtenFirst: Set<String> = []
    }

    /// Failures scripted for the next requests that match.
    private struct Failure {
        var status: Int
        var count: Int
        var match: String?
        var retryAfter: Int?

        func matches(_ request: SimulatedRequest) -> Bool {
            guard let match else { return true }
            return request.path.contains(match) || request.query.contains { $0.value.contains(match) }
        }
    }
    private let control = Mutex(Control())

    public init(inventory: NautobotInventory, token: String) {
        self.store = Mutex(inventory)
        self.token = token
    }

    public func respond(to request: SimulatedRequest) async -> SimulatedResponse {
        if request.path.hasPrefix("/_simulator/") { return controlResponse(request) }
        if request.path == "/health/" { return SimulatedResponse(status: 200, body: Array("OK".utf8)) }
        guard request.path.hasPrefix("/api/") else { return .json(404, ["detail": "Not found."]) }

        let injected = control.withLock { state -> Failure? in
            state.requests += 1
            guard let index = state.failures.firstIndex(where: { $0.count > 0 && $0.matches(request) }) else { return nil }
            state.failures[index].count -= 1
            return state.failures[index]
        }
        if let injected {
            return .json(
                injected.status, ["detail": "Simulated failure"], headers: injected.retryAfter.map { [("Retry-After", String($0))] } ?? [])
        }
        if let denied = authenticate(request) { return denied }
        let version: String
        switch negotiateVersion(request) {
        case .success(let accepted): version = accepted
        case .failure(let refusal): return refusal.response
        }
        var response: SimulatedResponse
        if request.method == "GET" || request.method == "HEAD" {
            response = route(request)
        } else if let written = writeAfterAnyRival(request) {
            response = written
        } else {
            return .json(405, ["detail": .string("Method \"\(request.method)\" not allowed.")], headers: [("API-Version", version)])
        }
        response.headers.append(("API-Version", version))
        response.headers.append(("Vary", "Accept, Cookie, origin"))
        return response
    }

    // MARK: - Authentication and versions

    func authenticate(_ request: SimulatedRequest) -> SimulatedResponse? {
        guard let header = request.header("authorization"), header.lowercased().hasPrefix("token") else {
            return .json(403, ["detail": "Authentication credentials were not provided."])
        }
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return .json(403, ["detail": "Invalid token header. No credentials provided."]) }
        guard parts.count == 2 else { return .json(403, ["detail": "Invalid token header. Token string should not contain spaces."]) }
        guard String(parts[1]) == token else { return .json(403, ["detail": "Invalid token"]) }
        return nil
    }

    struct VersionRefusal: Error {
        var response: SimulatedResponse
    }

    func negotiateVersion(_ request: SimulatedRequest) -> Result<String, VersionRefusal> {
        let supported = Self.supportedVersions.joined(separator: ", ")
        let header = request.header("accept")?.split(separator: ";").dropFirst()
            .map { $0.trimmingPrefix(" ") }
            .first { $0.hasPrefix("version=") }
            .map { String($0.dropFirst("version=".count)) }
        let query = request.value("api_version")
        if let header, let query, header != query {
            return .failure(VersionRefusal(response: .json(400, ["detail": "Version mismatch in \"Accept\" header and query parameter."])))
        }
        if let header, !Self.supportedVersions.contains(header) {
            return .failure(
                VersionRefusal(
                    response: .json(
                        406, ["detail": .string("Invalid version \"\(header)\" in \"Accept\" header. Supported versions are: \(supported)")]
                    )))
        }
        if let query, !Self.supportedVersions.contains(query) {
            return .failure(
                VersionRefusal(
                    response: .json(
                        404,
                        [
                            "detail": .string(
                                "Invalid version \"\(query)\" in \"api_version\" query parameter. Supported versions are: \(supported)")
                        ])))
        }
        return .success(header ?? query ?? "3.2")
    }

    // MARK: - Routing

    func route(_ request: SimulatedRequest) -> SimulatedResponse {
        let representation = NautobotRepresentation(inventory: inventory, origin: request.origin)
        let depth = min(max(Int(request.value("depth") ?? "0") ?? 0, 0), 10)
        switch request.path {
        case "/api/":
            return .json(
                200,
                [
                    "dcim": .string("\(request.origin)/api/dcim/"), "ipam": .string("\(request.origin)/api/ipam/"),
                    "extras": .string("\(request.origin)/api/extras/"),
                ])
        case "/api/status/":
            return .json(200, ["nautobot-version": "3.2.7", "simulator": true])
        case "/api/dcim/devices/":
            return list(request, known: ["name", "name__ie", "id", "location", "role", "tags", "platform", "manufacturer", "status"]) {
                () throws(FilterRefusal) -> [JSONValue] in
                try devices(request).map { representation.device($0, depth: depth) }
            }
        case "/api/dcim/device-types/":
            return list(request, known: ["id", "model"]) { () throws(FilterRefusal) -> [JSONValue] in
                filtered(inventory.deviceTypes, request, ["id": \.id, "model": \.model]).map {
                    representation.deviceType($0.id, depth: depth + 1)
                }
            }
        case "/api/dcim/interfaces/":
            let includeM2M = request.value("exclude_m2m")?.lowercased() == "false"
            return list(request, known: ["device", "device_id", "name", "mgmt_only", "id"]) { () throws(FilterRefusal) -> [JSONValue] in
                try interfaces(request).map { representation.interface($0, depth: depth, includeM2M: includeM2M) }
            }
        case "/api/ipam/ip-addresses/":
            return list(request, known: ["device", "device_id", "interfaces", "address", "id"]) { () throws(FilterRefusal) -> [JSONValue] in
                try ipAddresses(request).map { representation.ipAddress($0, depth: depth) }
            }
        case "/api/ipam/ip-address-to-interface/":
            return list(request, known: ["interface", "ip_address"]) { () throws(FilterRefusal) -> [JSONValue] in
                try links(request).map { representation.link($0, depth: depth) }
            }
        case "/api/dcim/platforms/":
            return list(request, known: ["name", "id"]) { () throws(FilterRefusal) -> [JSONValue] in
                filtered(inventory.platforms, request, ["name": \.name, "id": \.id]).map {
                    representation.platform($0.id, depth: depth + 1)
                }
            }
        case "/api/dcim/software-versions/":
            return list(request, known: ["platform", "version", "id"]) { () throws(FilterRefusal) -> [JSONValue] in
                try softwareVersions(request).map { representation.softwareVersion($0.id, depth: depth + 1) }
            }
        case "/api/extras/statuses/":
            return list(request, known: ["name", "id", "content_types"]) { () throws(FilterRefusal) -> [JSONValue] in
                inventory.statuses.filter { status in request.values("name").isEmpty || request.values("name").contains(status.name) }
                    .map { representation.status(depth: 1, id: $0.id) }
            }
        case "/api/dcim/inventory-items/":
            return list(request, known: ["device", "device_id", "part_id", "id"]) { () throws(FilterRefusal) -> [JSONValue] in
                try inventoryItems(request).map { representation.inventoryItem($0, depth: depth) }
            }
        case "/api/dcim/software-image-files/":
            return list(request, known: ["device_types", "id", "software_version"]) { () throws(FilterRefusal) -> [JSONValue] in
                try imageFiles(request).map { representation.imageFile($0, depth: depth) }
            }
        default:
            if let deviceID = Self.notesPath(request.path) {
                guard inventory.device(deviceID) != nil else { return .json(404, ["detail": "Not found."]) }
                return list(request, known: []) { () throws(FilterRefusal) -> [JSONValue] in
                    inventory.notes.filter { $0.deviceID == deviceID }.map { representation.note($0) }
                }
            }
            if request.path.hasPrefix("/api/dcim/devices/"), request.path.hasSuffix("/") {
                let id = String(request.path.dropFirst("/api/dcim/devices/".count).dropLast())
                guard let device = inventory.device(id) else { return .json(404, ["detail": "No Device matches the given query."]) }
                return .json(200, representation.device(device, depth: depth))
            }
            return .json(404, ["detail": "Not found."])
        }
    }

    /// A filter value Nautobot refuses, answered as its 400 `{"field": ["message"]}`.
    struct FilterRefusal: Error {
        var field: String
        var message: String
    }

    func list(_ request: SimulatedRequest, known: Set<String>, results: () throws(FilterRefusal) -> [JSONValue]) -> SimulatedResponse {
        for (name, _) in request.query where !known.contains(name) && !Self.reservedParameters.contains(name) {
            return .json(400, .object([JSONMember(name, ["Unknown filter field"])]))
        }
        let all: [JSONValue]
        do {
            all = try results()
        } catch {
            return .json(400, .object([JSONMember(error.field, .array([.string(error.message)]))]))
        }
        // Measured: default 50, capped at 1000; 0 means the cap; garbage or negative means 50.
        var limit = Int(request.value("limit") ?? "") ?? 50
        if limit < 0 { limit = 50 }
        if limit == 0 || limit > 1000 { limit = 1000 }
        let offset = max(Int(request.value("offset") ?? "") ?? 0, 0)
        let page = Array(all.dropFirst(offset).prefix(limit))
        func pageURL(_ newOffset: Int) -> JSONValue {
            var items = request.query.filter { $0.name != "offset" && $0.name != "limit" }
            items.append(("limit", String(limit)))
            items.append(("offset", String(newOffset)))
            let query = items.map { "\(Self.encode($0.name))=\(Self.encode($0.value))" }.joined(separator: "&")
            return .string("\(request.origin)\(request.path)?\(query)")
        }
        let next: JSONValue = offset + limit < all.count ? pageURL(offset + limit) : nil
        let previous: JSONValue = offset > 0 ? pageURL(max(offset - limit, 0)) : nil
        return .json(200, ["count": .integer(all.count), "next": next, "previous": previous, "results": .array(page)])
    }

    // MARK: - Filters

    func devices(_ request: SimulatedRequest) throws(FilterRefusal) -> [NautobotInventory.Device] {
        var result = inventory.devices
        let names = request.values("name")
        if !names.isEmpty { result = result.filter { names.contains($0.name) } }
        let insensitive = request.values("name__ie").map { $0.lowercased() }
        if !insensitive.isEmpty { result = result.filter { insensitive.contains($0.name.lowercased()) } }
        let ids = request.values("id")
        if !ids.isEmpty { result = result.filter { ids.contains($0.id) } }
        // As on 3.2.7, every choice filter validates its values: an unknown one is a 400.
        func validate(_ field: String, _ choices: [String]) throws(FilterRefusal) -> [String] {
            let values = request.values(field)
            for value in values where !choices.contains(value) {
                throw FilterRefusal(field: field, message: "Select a valid choice. \(value) is not one of the available choices.")
            }
            return values
        }
        let locationChoices = inventory.locations.flatMap { [$0.name, $0.id] }
        _ = try validate("location", locationChoices)
        // Every simulated device has role server and status Active: once valid, these keep all.
        _ = try validate("role", ["server", inventory.roleID])
        _ = try validate("status", ["Active", inventory.activeStatusID])
        _ = try validate("tags", [])
        _ = try validate("platform", [])
        let manufacturers = try validate("manufacturer", Array(Set(inventory.deviceTypes.map(\.manufacturer))))
        if !manufacturers.isEmpty {
            result = result.filter { manufacturers.contains(inventory.deviceType($0.deviceTypeID)?.manufacturer ?? "") }
        }
        let locations = request.values("location")
        if !locations.isEmpty {
            result = result.filter { device in
                locations.contains(device.locationID) || locations.contains(inventory.location(device.locationID)?.name ?? "")
            }
        }
        return result
    }

    func interfaces(_ request: SimulatedRequest) throws(FilterRefusal) -> [NautobotInventory.Interface] {
        var result = inventory.interfaces
        let devices = request.values("device")
        // Measured on 3.2.7: this endpoint validates `device=`; an unknown name is a 400.
        for value in devices where !inventory.devices.contains(where: { $0.name == value || $0.id == value }) {
            throw FilterRefusal(field: "device", message: "Select a valid choice. \(value) is not one of the available choices.")
        }
        if !devices.isEmpty {
            result = result.filter { devices.contains(inventory.device($0.deviceID)?.name ?? "") || devices.contains($0.deviceID) }
        }
        let deviceIDs = request.values("device_id")
        for id in deviceIDs where !Self.isUUID(id) { throw FilterRefusal(field: "device_id", message: "Enter a valid UUID.") }
        if !deviceIDs.isEmpty { result = result.filter { deviceIDs.contains($0.deviceID) } }
        let names = request.values("name")
        if !names.isEmpty { result = result.filter { names.contains($0.name) } }
        if let mgmtOnly = request.value("mgmt_only")?.lowercased() {
            result = result.filter { $0.mgmtOnly == (mgmtOnly == "true" || mgmtOnly == "1") }
        }
        let ids = request.values("id")
        if !ids.isEmpty { result = result.filter { ids.contains($0.id) } }
        return result
    }

    func ipAddresses(_ request: SimulatedRequest) throws(FilterRefusal) -> [NautobotInventory.IPAddress] {
        var result = inventory.addresses
        let devices = request.values("device")
        if !devices.isEmpty {
            result = result.filter { address in
                guard let interface = inventory.interface(address.interfaceID), let device = inventory.device(interface.deviceID) else {
                    return false
                }
                return devices.contains(device.name)
            }
        }
        let deviceIDs = request.values("device_id")
        for id in deviceIDs where !Self.isUUID(id) { throw FilterRefusal(field: "device_id", message: "Enter a valid UUID.") }
        if !deviceIDs.isEmpty {
            result = result.filter { deviceIDs.contains(inventory.interface($0.interfaceID)?.deviceID ?? "") }
        }
        let interfaces = request.values("interfaces")
        // The flaw the steps avoid: each value must name some interface somewhere, or the whole query is 400.
        for value in interfaces where !inventory.interfaces.contains(where: { $0.name == value || $0.id == value }) {
            throw FilterRefusal(field: "interfaces", message: "Select a valid choice. \(value) is not one of the available choices.")
        }
        if !interfaces.isEmpty {
            result = result.filter { address in
                guard let interface = inventory.interface(address.interfaceID) else { return false }
                return interfaces.contains(interface.name) || interfaces.contains(interface.id)
            }
        }
        let addresses = request.values("address")
        if !addresses.isEmpty { result = result.filter { addresses.contains($0.address) || addresses.contains($0.host) } }
        let ids = request.values("id")
        if !ids.isEmpty { result = result.filter { ids.contains($0.id) } }
        return result
    }

    func imageFiles(_ request: SimulatedRequest) throws(FilterRefusal) -> [NautobotInventory.SoftwareImageFile] {
        var result = inventory.imageFiles
        // Measured on 3.2.7: `device_types` takes a device type's id or model and refuses any other value.
        let types = request.values("device_types")
        for value in types where !inventory.deviceTypes.contains(where: { $0.id == value || $0.model == value }) {
            throw FilterRefusal(field: "device_types", message: "Select a valid choice. \(value) is not one of the available choices.")
        }
        if !types.isEmpty {
            let ids = inventory.deviceTypes.filter { types.contains($0.id) || types.contains($0.model) }.map(\.id)
            result = result.filter { file in file.deviceTypeIDs.contains { ids.contains($0) } }
        }
        let ids = request.values("id")
        if !ids.isEmpty { result = result.filter { ids.contains($0.id) } }
        let versions = request.values("software_version")
        if !versions.isEmpty { result = result.filter { versions.contains($0.versionID) } }
        return result
    }

    func links(_ request: SimulatedRequest) throws(FilterRefusal) -> [NautobotInventory.IPAddress] {
        var result = inventory.addresses
        let interfaces = request.values("interface")
        if !interfaces.isEmpty {
            result = result.filter { address in
                interfaces.contains(address.interfaceID) || interfaces.contains(inventory.interface(address.interfaceID)?.name ?? "")
            }
        }
        let ips = request.values("ip_address")
        if !ips.isEmpty { result = result.filter { ips.contains($0.id) } }
        return result
    }

    // MARK: - Control

    func controlResponse(_ request: SimulatedRequest) -> SimulatedResponse {
        switch (request.method, request.path) {
        case ("POST", "/_simulator/fail"):
            let body = try? JSONValue(parsing: request.body)
            let status = body?["status"]?.intValue ?? 500
            let count = body?["count"]?.intValue ?? 1
            let failure = Failure(
                status: status, count: count, match: body?["match"]?.stringValue, retryAfter: body?["retryAfter"]?.intValue)
            control.withLock { state in
                // A new failure for everything replaces the scripted ones; a matched one adds.
                if failure.match == nil { state.failures.removeAll() }
                state.failures.append(failure)
            }
            return .json(200, ["status": .integer(status), "count": .integer(count)])
        case ("POST", "/_simulator/write-first"):
            guard let path = (try? JSONValue(parsing: request.body))?["path"]?.stringValue else {
                return .json(400, ["detail": "give the path whose next POST another writer makes first"])
            }
            control.withLock { _ = $0.writtenFirst.insert(path) }
            return .json(200, ["path": .string(path)])
        case ("GET", "/_simulator/requests"):
            return .json(200, ["requests": .integer(control.withLock { $0.requests })])
        default:
            return .json(404, ["detail": "Not found."])
        }
    }

    /// The write, after the same write by a rival when `/_simulator/write-first` armed its path.
    func writeAfterAnyRival(_ request: SimulatedRequest) -> SimulatedResponse? {
        let rival = request.method == "POST" && control.withLock { $0.writtenFirst.remove(request.path) != nil }
        if rival { _ = write(request) }
        return write(request)
    }

    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    static func encode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || [0x2D, 0x2E, 0x5F, 0x7E].contains(byte)
            {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return result
    }
}
