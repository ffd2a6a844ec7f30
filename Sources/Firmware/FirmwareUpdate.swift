import HTTP
import JSON
import Redfish
import StepRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What obm-firmware-update was asked to do.
public struct FirmwareUpdatePlan: Sendable {
    public var image: FirmwareImage
    public var user: String
    public var password: String
    public var forcedMethod: UpdateMethod?
    /// Seconds from the start until the outcome must be known.
    public var timeout: Double
    /// Seconds between polls when the BMC gives no Retry-After.
    public var pollInterval: Double
    public var dryRun: Bool

    public init(
        image: FirmwareImage, user: String, password: String, forcedMethod: UpdateMethod?, timeout: Double, pollInterval: Double,
        dryRun: Bool
    ) {
        self.image = image
        self.user = user
        self.password = password
        self.forcedMethod = forcedMethod
        self.timeout = timeout
        self.pollInterval = pollInterval
        self.dryRun = dryRun
    }
}

/// What came of it: `status` is the final task state (the step's output) whenever it is known.
public struct FirmwareUpdateOutcome: Sendable {
    public var status: String
    public var succeeded: Bool
    public var method: UpdateMethod
    public var versionBefore: String?
    public var versionAfter: String?
    /// One line: what happened, with the BMC's own messages on failure.
    public var summary: String
    /// Exit 75 instead of 1 (a busy BMC).
    public var transient = false
}

/// Installs BMC firmware over Redfish with the best method the BMC offers, streams pushed
/// images, and follows the update to its true outcome: only a task that completed with
/// TaskStatus OK or Warning, or a FirmwareVersion that changed, is a success.
public struct FirmwareUpdate {
    let client: RedfishClient
    let plan: FirmwareUpdatePlan
    let history: any LoginHistory
    let lock: any ChangeLock
    let clock: @Sendable () -> Double
    let sleep: @Sendable (Double) -> Void

    public init(
        client: RedfishClient, plan: FirmwareUpdatePlan, history: any LoginHistory = InProcessLoginHistory(),
        lock: any ChangeLock = NoChangeLock(), clock: @escaping @Sendable () -> Double = StepClock.monotonic,
        sleep: @escaping @Sendable (Double) -> Void = StepClock.sleep
    ) {
        self.client = client
        self.plan = plan
        self.history = history
        self.lock = lock
        self.clock = clock
        self.sleep = sleep
    }

    public func run() throws -> FirmwareUpdateOutcome {
        let deadline = clock() + plan.timeout
        // No request, poll or retry outlives --timeout; clean-up requests have their own bound.
        client.deadline = StepClock.monotonic() + plan.timeout
        let root = try ServiceRoot.read(client)
        let vendor = VendorProfile.detect(root)
        // A session it can renew after a reboot and end: never basic authentication.
        let login = try RedfishLogin(client: client, root: root, basicAllowed: false)
        // Every login, the first and those after a reboot, goes through the BMC's shared
        // history: a wrong password on record here is a failure the next sync counts.
        let reported = (try? AccountService(client: client, root: root))?.lockoutPolicy()
        let gate = try LoginGate(
            history: history, policies: [reported, vendor.knownLockoutPolicy].compactMap { $0 }, step: "obm-firmware-update",
            deadline: StepClock.monotonic() + plan.timeout)
        defer { gate.finish() }
        let active = ActiveSession(
            login: login, session: try logIn(login, gate: gate), user: plan.user, password: plan.password, gate: gate)
        defer { active.end() }
        gate.learn(reported ?? (try? AccountService(client: active.client, root: root))?.lockoutPolicy())

        let service = try UpdateService.read(active.client, root: root)
        guard service.serviceEnabled else {
            throw StepError.failure("the BMC's UpdateService is disabled (ServiceEnabled false); enable it on the BMC first")
        }
        if let busy = try busyOutcome(root, active.client) { return busy }
        var before = firmwareVersion(root, active.client)
        let (method, reason) = try service.choose(forScheme: plan.image.scheme, forced: plan.forcedMethod)
        Log.info("BMC \(client.endpoint.base): \(vendor.rawValue), firmware \(before ?? "unknown"); method \(method.rawValue): \(reason)")
        let imageHTTP: HTTPClient
        do {
            imageHTTP = try HTTPClient(tls: plan.image.tls)
        } catch {
            throw RedfishError.transport(error)
        }
        if plan.dryRun {
            let size: Int?
            do {
                size = try plan.image.size(using: imageHTTP)
            } catch {
                // A dry run that cannot reach the image proves nothing: say so, with the usual exit.
                throw StepError(error.exitStatus, "dry run: the firmware image cannot be checked: \(error.message)")
            }
            let sizeText = size.map { "\($0) bytes" } ?? "of unknown size (the server gives no length; it would be spooled to disk first)"
            return FirmwareUpdateOutcome(
                status: "DryRun", succeeded: true, method: method, versionBefore: before, versionAfter: before,
                summary: "dry run: would update by \(method.rawValue) with \(plan.image.fileName), \(sizeText); nothing changed")
        }

        // One change to a BMC at a time, from the upload until the outcome is known.
        defer { lock.release() }
        if try lock.acquire(deadline: StepClock.monotonic() + max(0, deadline - clock())) {
            // Another step changed the BMC meanwhile: what was read before is stale.
            if let busy = try busyOutcome(root, active.client) { return busy }
            before = firmwareVersion(root, active.client)
        }
        try lock.checkHeld()
        let change = "the \(method.rawValue) update with \(plan.image.fileName)"
        ChangeLedger.sending(change)
        let accepted: HTTPResponse
        do {
            accepted = try start(method, service: service, vendor: vendor, active: active, imageHTTP: imageHTTP)
        } catch {
            // Not sent in full (an upload cut by a stop, a refused connection): nothing applied.
            if case .transport(let failure) = error as? RedfishError, !failure.requestSent { ChangeLedger.refused(change) }
            throw error
        }
        guard accepted.isSuccess else {
            if (400..<500).contains(accepted.status) { ChangeLedger.refused(change) }
            let messages = RedfishMessages.text(accepted)
            throw RedfishError.refused(status: accepted.status, request: "the \(method.rawValue) update", messages: messages)
        }
        ChangeLedger.accepted(change)
        let taskPath = accepted.header("Location") ?? taskLink(in: accepted)
        Log.info("the BMC accepted the update (HTTP \(accepted.status))\(taskPath.map { "; following \($0)" } ?? " without a task")")

        var outcome: FirmwareUpdateOutcome
        if let taskPath {
            outcome = try follow(taskPath, method: method, before: before, root: root, active: active, deadline: deadline)
        } else {
            outcome = try watchVersion(
                method: method, before: before, root: root, active: active, deadline: deadline, reason: "left no task")
        }
        if outcome.succeeded && outcome.versionAfter == nil {
            outcome.versionAfter = firmwareVersion(root, active.client)
        }
        return outcome
    }

    // MARK: - Steps

    /// An update task already running: a second update now would be refused or queue behind it.
    func busyOutcome(_ root: ServiceRoot, _ client: RedfishClient) throws -> FirmwareUpdateOutcome? {
        guard let running = try runningTask(root, client) else { return nil }
        return FirmwareUpdateOutcome(
            status: running.state, succeeded: false, method: plan.forcedMethod ?? .simple, versionBefore: nil, versionAfter: nil,
            summary: "the BMC is busy: an update task is already \(running.state.lowercased()) (\(running.path)); try again when it ends",
            transient: true)
    }

    func logIn(_ login: RedfishLogin, gate: LoginGate) throws -> RedfishSession {
        let result = try gate.attempt(.record, "logging in with the credentials on record") {
            try login.attempt(user: plan.user, password: plan.password)
        }
        switch result {
        case .accepted(let session):
            return session
        case .refused(let status, let messages):
            throw StepError.failure(
                "the BMC refused the credentials on record for \(plan.user) (HTTP \(status)\(messages.isEmpty ? "" : ": " + messages)); run obm-sync-creds first"
            )
        }
    }

    /// A task of the TaskService still running, if any: a second update now would be refused
    /// or would queue behind it.
    func runningTask(_ root: ServiceRoot, _ client: RedfishClient) throws -> (path: String, state: String)? {
        // Only through the service root's link: a BMC that links no TaskService has no tasks to ask.
        guard let service = root.resource.link("TaskService"), let tasks = try? client.get(service).link("Tasks"),
            let collection = try? client.get(tasks)
        else { return nil }
        for member in collection.members.suffix(32) {
            guard let task = try? client.get(member) else { continue }
            let report = TaskReport(task.json)
            if report.isRunning { return (member, report.state) }
        }
        return nil
    }

    func firmwareVersion(_ root: ServiceRoot, _ client: RedfishClient) -> String? {
        guard let managers = root.managersPath, let first = (try? client.get(managers))?.members.first else { return nil }
        return (try? client.get(first))?.json["FirmwareVersion"]?.stringValue
    }

    func start(_ method: UpdateMethod, service: UpdateService, vendor: VendorProfile, active: ActiveSession, imageHTTP: HTTPClient)
        throws -> HTTPResponse
    {
        let client = active.client
        switch method {
        case .simple:
            guard let target = service.simpleUpdateTarget else { throw RedfishError.unexpected("no SimpleUpdate target") }
            return try client.send(
                .post, target, body: ["ImageURI": .string(plan.image.url), "TransferProtocol": .string(plan.image.scheme.uppercased())])
        case .multipart:
            guard let uri = service.multipartURI else { throw RedfishError.unexpected("no MultipartHttpPushUri") }
            let parameters = Array(#"{"Targets": [], "@Redfish.OperationApplyTime": "Immediate"}"#.utf8)
            let form = MultipartForm(
                fields: [.field(name: "UpdateParameters", contentType: "application/json", value: parameters)], fileField: "UpdateFile",
                fileName: plan.image.fileName)
            return try push(
                to: uri, contentType: form.contentType, framing: BodyFraming(prefix: form.prefix, suffix: form.suffix), headers: [],
                imageHTTP: imageHTTP, client: client)
        case .push:
            guard let uri = service.pushURI else { throw RedfishError.unexpected("no HttpPushUri") }
            let shape = vendor.pushForm(sessionToken: active.session.token ?? "", fileName: plan.image.fileName)
            let framing = shape.form.map { BodyFraming(prefix: $0.prefix, suffix: $0.suffix) } ?? .none
            return try push(
                to: uri, contentType: shape.contentType, framing: framing, headers: shape.headers.map { HTTPHeader($0.0, $0.1) },
                imageHTTP: imageHTTP, client: client)
        }
    }

    /// Streams the image from its server to the BMC when the server gives its length, else spools
    /// it to disk first: the upload always carries an exact Content-Length.
    func push(
        to uri: String, contentType: String, framing: BodyFraming, headers: [HTTPHeader], imageHTTP: HTTPClient, client: RedfishClient
    ) throws -> HTTPResponse {
        let size: Int?
        do {
            size = try plan.image.size(using: imageHTTP)
        } catch {
            throw StepError(error.exitStatus, "firmware image: " + error.message)
        }
        // A HEAD that says 0 bytes is not a firmware image's length: some servers answer HEAD so
        // when they stream. Unknown lengths are spooled.
        if let size, size > 0 {
            Log.info("streaming \(plan.image.fileName) (\(size) bytes) from its server to the BMC")
            do {
                return try client.upload(
                    uri,
                    body: .stream(
                        from: HTTPRequest(.get, plan.image.url, timeouts: HTTPTimeouts(connect: 10, total: nil)), tls: plan.image.tls,
                        framing: framing),
                    contentType: contentType, headers: headers)
            } catch let error as RedfishError {
                guard case .transport(let transport) = error, transport.kind == .sourceLengthUnknown else { throw error }
                Log.info("the image server sent no length after all")
            }
        }
        Log.info("the image server gives no length: spooling \(plan.image.fileName) to disk first")
        let path: String
        do {
            path = try plan.image.spool(using: imageHTTP)
        } catch {
            throw StepError(error.exitStatus, "firmware image: " + error.message)
        }
        defer { unlink(path) }
        return try client.upload(uri, body: .file(path: path, framing: framing), contentType: contentType, headers: headers)
    }

    func taskLink(in response: HTTPResponse) -> String? {
        guard let body = try? JSONValue(parsing: response.body) else { return nil }
        if body["TaskState"] != nil { return body["@odata.id"]?.stringValue }
        return body["Task"]?["@odata.id"]?.stringValue
    }

    // MARK: - Following

    /// Polls the task until it ends or the deadline passes, riding out a BMC that reboots
    /// (connection refused, 5xx, 401 until a new login works).
    func follow(
        _ taskPath: String, method: UpdateMethod, before: String?, root: ServiceRoot, active: ActiveSession, deadline: Double
    ) throws -> FirmwareUpdateOutcome {
        var last: TaskReport?
        var lastPercent: Int?
        var quiet = false
        var wait = min(plan.pollInterval, 1)
        while clock() + wait <= deadline {
            sleep(wait)
            wait = plan.pollInterval
            let response: HTTPResponse
            do {
                response = try active.client.send(.get, taskPath)
            } catch {
                // A stop is not a rebooting BMC: end here, the step reports what was sent.
                if TerminationSignal.requested { throw error }
                if !quiet { Log.info("the BMC is not answering (\(error.message)); it may be rebooting: waiting") }
                quiet = true
                continue
            }
            if let retryAfter = response.header("Retry-After"), let seconds = Double(retryAfter), seconds > 0 {
                wait = min(seconds, max(plan.pollInterval, 1) * 6)
            }
            switch response.status {
            case 200, 201, 202:
                quiet = false
                guard let json = try? JSONValue(parsing: response.body), json["TaskState"] != nil else { continue }
                let report = TaskReport(json)
                last = report
                if report.percent != lastPercent, let percent = report.percent {
                    Log.info("task \(report.state), \(percent)%")
                    lastPercent = percent
                }
                if report.succeeded {
                    if report.status == "Warning" { Log.warning("the update completed with warnings: \(report.messages)") }
                    let after = firmwareVersion(root, active.client)
                    return FirmwareUpdateOutcome(
                        status: report.state, succeeded: true, method: method, versionBefore: before, versionAfter: after,
                        summary: "update completed (TaskStatus \(report.status ?? "OK"))")
                }
                if report.failed {
                    return FirmwareUpdateOutcome(
                        status: report.state, succeeded: false, method: method, versionBefore: before, versionAfter: nil,
                        summary:
                            "the update task ended \(report.state)\(report.status.map { " (TaskStatus \($0))" } ?? "")\(report.messages.isEmpty ? "" : ": " + report.messages)"
                    )
                }
            case 401:
                // A rebooted BMC forgets its sessions: log in again, paced, and go on.
                try active.renew(why: "the BMC ended the session, likely a reboot")
            case 404:
                Log.info("the task is gone (\(taskPath)); checking the firmware version instead")
                return try watchVersion(
                    method: method, before: before, root: root, active: active, deadline: deadline, reason: "lost its task")
            default:
                if !quiet { Log.info("the BMC answered HTTP \(response.status) while the update runs; it may be rebooting: waiting") }
                quiet = true
            }
        }
        let state = last?.state ?? "Unknown"
        return FirmwareUpdateOutcome(
            status: state, succeeded: false, method: method, versionBefore: before, versionAfter: nil,
            summary:
                "the outcome is still unknown after \(Int(plan.timeout)) s (task \(state)\(last?.percent.map { ", \($0)%" } ?? "")); not retried: check the BMC before flashing again"
        )
    }

    /// No task to follow: only a changed FirmwareVersion shows the update happened.
    func watchVersion(
        method: UpdateMethod, before: String?, root: ServiceRoot, active: ActiveSession, deadline: Double, reason: String
    ) throws -> FirmwareUpdateOutcome {
        var current: String? = before
        while clock() <= deadline {
            if let version = firmwareVersion(root, active.client) {
                current = version
                if let before, version != before {
                    return FirmwareUpdateOutcome(
                        status: "Completed", succeeded: true, method: method, versionBefore: before, versionAfter: version,
                        summary: "the update \(reason), but FirmwareVersion changed from \(before) to \(version)")
                }
            } else {
                try active.renew(why: "the firmware version could not be read with the session")
            }
            sleep(max(0, min(plan.pollInterval, deadline - clock())))
        }
        return FirmwareUpdateOutcome(
            status: "Unknown", succeeded: false, method: method, versionBefore: before, versionAfter: current,
            summary:
                "the BMC accepted the update but it \(reason), and FirmwareVersion is still \(current ?? "unknown") after \(Int(plan.timeout)) s: not a success (an image the BMC accepts but never flashes looks like this)"
        )
    }
}
