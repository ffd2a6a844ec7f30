import Foundation
import JSON
import SimulatorSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// How the simulated BMC treats an update it accepts.
public struct UpdateBehaviour: Sendable {
    public enum Outcome: String, Sendable, CaseIterable {
        /// Running, then Completed/OK, and the new version.
        case complete
        /// Completed with TaskStatus Warning and a message, and the new version.
        case warning
        /// Running, then Exception with the BMC's message; the version stays.
        case exception
        /// Accepted, no task, nothing changes (iLO with a .fwpkg through SimpleUpdate).
        case ignore
        /// The task disappears halfway; the new version appears at the end.
        case vanish
        /// (internal) a task that runs for a very long time, for "busy".
        case busy
    }

    public var outcome: Outcome
    public var taskSeconds: Double
    /// The BMC reboots from 30% to 70% of the task: every request is 503 and sessions end.
    public var rebootDuringUpdate: Bool
    /// The account's password after that reboot (an update that resets the BMC's settings).
    public var passwordAfterReboot: (user: String, password: String)?
    public var nextVersion: String
    public var enabled: Bool
    public var simpleProtocols: [String]?

    public init(
        outcome: Outcome = .complete, taskSeconds: Double = 1, rebootDuringUpdate: Bool = false, nextVersion: String = "7.10.30.00",
        enabled: Bool = true,
        simpleProtocols: [String]? = nil
    ) {
        self.outcome = outcome
        self.taskSeconds = taskSeconds
        self.rebootDuringUpdate = rebootDuringUpdate
        self.nextVersion = nextVersion
        self.enabled = enabled
        self.simpleProtocols = simpleProtocols
    }
}

/// An image the BMC received, as tests check it: how it came, how long, a checksum.
struct ReceivedImage {
    var method: String
    var bytes: Int
    var fnv1a: String
    var fileName: String
    var chunked: Bool

    var json: JSONValue {
        [
            "method": .string(method), "bytes": .integer(bytes), "fnv1a": .string(fnv1a), "fileName": .string(fileName),
            "chunked": .bool(chunked),
        ]
    }
}

/// One update task: its state is worked out from the time elapsed since it started.
struct UpdateTask {
    var id: String
    var started: Double
    var outcome: UpdateBehaviour.Outcome
    /// SimpleUpdate could not fetch the image: the task ends in Exception with this.
    var fetchError: String?
    /// SimpleUpdate's image is still being fetched: the task runs at 0% until it arrives.
    var fetching = false
    var applied = false
}

extension BMCSimulator {
    public func streamsBody(method: String, path: String) -> Bool {
        method == "POST"
            && (path == personality.pushPath || (personality == .idrac9 && path == "/redfish/v1/UpdateService/MultipartUpload"))
    }

    /// The push and multipart endpoints: the body is on disk already.
    func receiveUpload(_ request: SimulatedRequest, path: String) async -> SimulatedResponse? {
        guard let file = request.bodyFile else { return nil }
        defer { try? FileManager.default.removeItem(atPath: file) }
        return state.withLock { state in
            if now < state.rebootUntil {
                return Self.error(503, "Base.1.8.ServiceTemporarilyUnavailable", "The service is temporarily unavailable (rebooting).")
            }
            // Authentication: the session token, or (iLO) the session key in a cookie or the form.
            var token = request.header("x-auth-token")
            if token == nil, let cookie = request.header("cookie"), let range = cookie.firstRange(of: "sessionKey=") {
                token = String(cookie[range.upperBound...].prefix { $0 != ";" })
            }
            guard let token, state.sessions.contains(where: { $0.token == token && !$0.restricted }) else {
                return Self.error(401, "Base.1.8.NoValidSession", "There is no valid session established with the implementation.")
            }
            let chunked = request.header("transfer-encoding")?.lowercased().contains("chunked") == true
            if chunked && personality == .idrac9 {
                return Self.error(411, "Base.1.8.GeneralError", "Chunked transfer encoding is not supported; send a Content-Length.")
            }
            let contentType = request.header("content-type") ?? ""
            let image: ReceivedImage
            if contentType.hasPrefix("multipart/form-data") {
                let expected = personality == .ilo5 ? "file" : "UpdateFile"
                guard
                    let parsed = MultipartFile.parse(file: file, length: request.bodyLength, contentType: contentType, fileField: expected)
                else {
                    return Self.error(
                        400, "Base.1.8.MalformedJSON", "The multipart body could not be parsed (expected a \(expected) part).")
                }
                if personality == .ilo5 && parsed.fields["sessionKey"] != token {
                    return Self.error(401, "Base.1.8.NoValidSession", "The sessionKey form field does not name this session.")
                }
                if personality != .ilo5 && parsed.fields["UpdateParameters"].flatMap({ try? JSONValue(parsing: $0) }) == nil {
                    return Self.error(400, "Base.1.8.ActionParameterMissing", "The UpdateParameters part is missing or not JSON.")
                }
                image = ReceivedImage(
                    method: path == personality.pushPath ? "push" : "multipart", bytes: parsed.length, fnv1a: parsed.fnv1a,
                    fileName: parsed.fileName, chunked: chunked)
            } else {
                image = ReceivedImage(
                    method: "push", bytes: request.bodyLength,
                    fnv1a: MultipartFile.fnv1a(file: file, offset: 0, length: request.bodyLength), fileName: "", chunked: chunked)
            }
            state.images.append(image)
            return acceptUpdate(state: &state)
        }
    }

    func updateRoute(_ request: SimulatedRequest, path: String, state: inout State) -> SimulatedResponse? {
        switch (request.method, path) {
        case ("GET", "/redfish/v1/UpdateService"):
            return .json(200, personality.updateService(enabled: update.enabled, simpleProtocols: update.simpleProtocols))
        case ("GET", "/redfish/v1/UpdateService/SimpleUpdateActionInfo"):
            return .json(200, personality.simpleUpdateActionInfo(simpleProtocols: update.simpleProtocols))
        case ("POST", "/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate"):
            guard update.enabled else { return Self.error(400, "Base.1.8.ServiceDisabled", "The UpdateService is disabled.") }
            guard let body = try? JSONValue(parsing: request.body), let uri = body["ImageURI"]?.stringValue else {
                return Self.error(400, "Base.1.8.ActionParameterMissing", "The action requires the parameter ImageURI.")
            }
            // As a BMC does: the task is answered at once and the image fetched behind it, never
            // while the BMC's state is held (other requests, the task's polls, go on meanwhile).
            let answer = acceptUpdate(state: &state, fetching: true)
            startFetch(uri, task: update.outcome == .ignore ? nil : state.tasks.last?.id, state: &state)
            return answer
        case ("GET", "/redfish/v1/UpdateService/FirmwareInventory"):
            let members = firmwareInventory(state).compactMap { $0["@odata.id"]?.stringValue }
            return .json(200, Self.collection("/redfish/v1/UpdateService/FirmwareInventory", members))
        case ("GET", "/redfish/v1/TaskService"):
            return .json(
                200,
                [
                    "@odata.id": "/redfish/v1/TaskService", "Id": "TaskService", "ServiceEnabled": true,
                    "Tasks": ["@odata.id": "/redfish/v1/TaskService/Tasks"],
                ])
        case ("GET", "/redfish/v1/TaskService/Tasks"):
            let members = state.tasks.filter { taskJSON($0, state: &state) != nil }.map { "/redfish/v1/TaskService/Tasks/\($0.id)" }
            return .json(200, Self.collection("/redfish/v1/TaskService/Tasks", members))
        default:
            if request.method == "GET", path.hasPrefix("/redfish/v1/UpdateService/FirmwareInventory/") {
                guard let member = firmwareInventory(state).first(where: { $0["@odata.id"]?.stringValue == path }) else {
                    return Self.error(404, "Base.1.8.ResourceMissingAtURI", "The resource at the URI \(path) was not found.")
                }
                return .json(200, member)
            }
            if request.method == "GET", path.hasPrefix("/redfish/v1/TaskService/Tasks/") {
                let id = String(path.dropFirst("/redfish/v1/TaskService/Tasks/".count))
                guard let task = state.tasks.first(where: { $0.id == id }), let json = taskJSON(task, state: &state) else {
                    return Self.error(404, "Base.1.8.ResourceMissingAtURI", "The resource at the URI \(path) was not found.")
                }
                return .json(200, json, headers: [("Retry-After", "1")])
            }
            return nil
        }
    }

    func acceptUpdate(state: inout State, fetching: Bool = false) -> SimulatedResponse {
        if update.outcome == .ignore {
            return .json(200, ["@Message.ExtendedInfo": [Self.message("Base.1.8.Success", "Successfully Completed Request")]])
        }
        let task = UpdateTask(
            id: String(state.tasks.count + 1), started: now, outcome: update.outcome, fetchError: nil, fetching: fetching)
        state.tasks.append(task)
        if update.rebootDuringUpdate {
            // The reboot is scheduled now; it starts 30% in and ends 70% in.
            state.rebootUntil = -1e9
        }
        let location = "/redfish/v1/TaskService/Tasks/\(task.id)"
        return .json(202, ["@odata.id": .string(location), "Id": .string(task.id), "TaskState": "New"], headers: [("Location", location)])
    }

    /// The task as it stands now; nil once it has vanished.
    func taskJSON(_ task: UpdateTask, state: inout State) -> JSONValue? {
        if task.fetching {
            return [
                "@odata.id": .string("/redfish/v1/TaskService/Tasks/\(task.id)"), "Id": .string(task.id), "Name": "Firmware update",
                "TaskState": "Running", "TaskStatus": "OK", "PercentComplete": 0, "Messages": [],
            ]
        }
        let elapsed = now - task.started
        let duration = task.outcome == .busy ? 1e9 : update.taskSeconds
        let fraction = min(1, elapsed / max(duration, 0.001))
        if update.rebootDuringUpdate && task.outcome != .busy && fraction >= 0.3 && fraction < 0.7 && state.rebootUntil < task.started {
            state.rebootUntil = task.started + duration * 0.7
            state.sessions.removeAll()
            if let (user, password) = update.passwordAfterReboot, let index = state.accounts.firstIndex(where: { $0.user == user }) {
                state.accounts[index].password = password
            }
        }
        if task.outcome == .vanish && fraction >= 0.5 {
            if fraction >= 1 { apply(task, state: &state) }
            return nil
        }
        var taskState = "Running"
        var status = "OK"
        var messages: [JSONValue] = []
        if fraction >= 1 {
            if let error = task.fetchError {
                taskState = "Exception"
                status = "Critical"
                messages = [Self.message("Update.1.0.TransferFailed", "The image could not be downloaded: \(error)")]
            } else {
                switch task.outcome {
                case .complete:
                    taskState = "Completed"
                    apply(task, state: &state)
                case .warning:
                    taskState = "Completed"
                    status = "Warning"
                    messages = [
                        Self.message(
                            "Update.1.0.UpdateSuccessful", "The update completed; a reset is recommended to apply every component.")
                    ]
                    apply(task, state: &state)
                case .exception:
                    taskState = "Exception"
                    status = "Critical"
                    messages = [
                        Self.message(
                            "Update.1.0.VerificationFailed",
                            "Firmware image verification failed: the signature does not match this platform.")
                    ]
                case .ignore, .vanish, .busy:
                    taskState = "Running"
                }
            }
        }
        return [
            "@odata.id": .string("/redfish/v1/TaskService/Tasks/\(task.id)"), "Id": .string(task.id), "Name": "Firmware update",
            "TaskState": .string(taskState), "TaskStatus": .string(status), "PercentComplete": .integer(Int(fraction * 100)),
            "Messages": .array(messages),
        ]
    }

    func firmwareInventory(_ state: State) -> [JSONValue] {
        personality.firmwareInventory(bmcVersion: state.firmwareVersion, previousBMCVersion: state.previousFirmwareVersion)
    }

    func apply(_ task: UpdateTask, state: inout State) {
        guard let index = state.tasks.firstIndex(where: { $0.id == task.id }), !state.tasks[index].applied else { return }
        state.tasks[index].applied = true
        state.previousFirmwareVersion = state.firmwareVersion
        state.firmwareVersion = update.nextVersion
    }

    /// SimpleUpdate: the BMC fetches the image itself (plain HTTP in tests). The answer arrives on
    /// URLSession's queue and is recorded under the lock then; the task's time starts from it.
    func startFetch(_ uri: String, task id: String?, state: inout State) {
        guard let url = URL(string: uri), url.scheme == "http" || url.scheme == "https" else {
            Self.fetched(uri, task: id, bytes: nil, error: "unsupported URI \(uri)", at: now, state: &state)
            return
        }
        var request = URLRequest(url: url)
        request.timeoutInterval = 30
        URLSession.shared.dataTask(with: request) { [self] data, response, error in
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            let failure = error.map(\.localizedDescription) ?? ((200..<300).contains(status) && data != nil ? nil : "HTTP \(status)")
            let bytes = failure == nil ? data.map { Array($0) } : nil
            self.state.withLock { state in Self.fetched(uri, task: id, bytes: bytes, error: failure, at: now, state: &state) }
        }.resume()
    }

    static func fetched(_ uri: String, task id: String?, bytes: [UInt8]?, error: String?, at time: Double, state: inout State) {
        if let bytes {
            state.images.append(
                ReceivedImage(
                    method: "simple", bytes: bytes.count, fnv1a: MultipartFile.fnv1a(bytes),
                    fileName: URL(string: uri)?.lastPathComponent ?? "", chunked: false))
        }
        guard let id, let index = state.tasks.firstIndex(where: { $0.id == id }) else { return }
        state.tasks[index].fetching = false
        state.tasks[index].fetchError = error
        state.tasks[index].started = time
    }
}

/// A multipart body on disk, read for its small fields and for where the file part lies:
/// the head and the tail are read, never the whole image into memory.
struct MultipartFile {
    var fields: [String: String]
    var fileName: String
    var offset: Int
    var length: Int
    var fnv1a: String

    static func parse(file: String, length: Int, contentType: String, fileField: String) -> MultipartFile? {
        guard let boundaryRange = contentType.firstRange(of: "boundary=") else { return nil }
        let boundary = String(contentType[boundaryRange.upperBound...].prefix { $0 != ";" }).trimmingCharacters(
            in: CharacterSet(charactersIn: "\""))
        guard let handle = FileHandle(forReadingAtPath: file) else { return nil }
        defer { try? handle.close() }
        let head = Array(handle.readData(ofLength: 64 * 1024))
        let delimiter = Array("--\(boundary)".utf8)
        var fields: [String: String] = [:]
        var position = 0
        while let start = find(delimiter, in: head, from: position) {
            var cursor = start + delimiter.count
            guard cursor + 2 <= head.count, head[cursor] == 13, head[cursor + 1] == 10 else { return nil }
            cursor += 2
            guard let headersEnd = find(Array("\r\n\r\n".utf8), in: head, from: cursor) else { return nil }
            let headers = String(decoding: head[cursor..<headersEnd], as: UTF8.self)
            let name = attribute("name", in: headers) ?? ""
            let contentStart = headersEnd + 4
            if name == fileField {
                // The image is the last part: it ends just before the closing delimiter at the tail.
                let tailLength = min(length, 4096)
                try? handle.seek(toOffset: UInt64(length - tailLength))
                let tail = Array(handle.readData(ofLength: tailLength))
                let closing = Array("\r\n--\(boundary)--".utf8)
                guard let closeAt = findLast(closing, in: tail) else { return nil }
                let end = length - tailLength + closeAt
                let fileLength = end - contentStart
                guard fileLength >= 0 else { return nil }
                return MultipartFile(
                    fields: fields, fileName: attribute("filename", in: headers) ?? "", offset: contentStart, length: fileLength,
                    fnv1a: fnv1a(file: file, offset: contentStart, length: fileLength))
            }
            guard let valueEnd = find(Array("\r\n--\(boundary)".utf8), in: head, from: contentStart) else { return nil }
            fields[name] = String(decoding: head[contentStart..<valueEnd], as: UTF8.self)
            position = valueEnd + 2
        }
        return nil
    }

    static func attribute(_ name: String, in headers: String) -> String? {
        guard let range = headers.firstRange(of: "\(name)=\"") else { return nil }
        return String(headers[range.upperBound...].prefix { $0 != "\"" })
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0] && Array(haystack[index..<index + needle.count]) == needle { return index }
            index += 1
        }
        return nil
    }

    static func findLast(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var index = haystack.count - needle.count
        while index >= 0 {
            if Array(haystack[index..<index + needle.count]) == needle { return index }
            index -= 1
        }
        return nil
    }

    /// FNV-1a 64 of a file region, for images up to 64 MiB ("large" beyond: not worth a re-read).
    static func fnv1a(file: String, offset: Int, length: Int) -> String {
        guard length <= 64 << 20, let handle = FileHandle(forReadingAtPath: file) else { return "large" }
        defer { try? handle.close() }
        try? handle.seek(toOffset: UInt64(offset))
        return fnv1a(Array(handle.readData(ofLength: length)))
    }

    static func fnv1a(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
