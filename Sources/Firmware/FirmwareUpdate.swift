import HTTP
import JSON
import Redfish
import StepRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Installs BMC firmware over Redfish with the best method the BMC offers, streams pushed
/// images, and follows the update to its true outcome: only a task that completed with
/// TaskStatus OK or Warning, or a FirmwareVersion that changed, is a success.
public struct FirmwareUpdate {
    let client: RedfishClient
    let plan: FirmwareUpdateRequest
    let history: any LoginHistory
    let lock: any ChangeLock
    let clock: @Sendable () -> Double
    let sleep: @Sendable (Double) -> Void

    public init(
        client: RedfishClient, plan: FirmwareUpdateRequest, history: any LoginHistory = InProcessLoginHistory(),
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
        return try ActiveSession.with(
            login: login, session: try login.logInWithRecord(user: plan.user, password: plan.password, gate: gate), user: plan.user,
            password: plan.password, gate: gate
        ) { active in
            try update(through: active, root: root, vendor: vendor, reported: reported, gate: gate, deadline: deadline)
        }
    }

    /// The update itself, signed as `active`, which ActiveSession.with ends however this leaves.
    func update(
        through active: ActiveSession, root: ServiceRoot, vendor: VendorProfile, reported: LockoutPolicy?, gate: LoginGate,
        deadline: Double
    ) throws -> FirmwareUpdateOutcome {
        gate.learn(reported: reported, signedIn: active.client, root: root)

        let service = try UpdateService.read(active.client, root: root)
        guard service.serviceEnabled else {
            throw StepError.failure("the BMC's UpdateService is disabled (ServiceEnabled false); enable it on the BMC first")
        }
        if let running = TaskService.runningTask(root, active.client) {
            return .busy(running, method: plan.forcedMethod ?? .simple)
        }
        var before = ManagerFirmware.version(root, active.client)
        if let running = runningTarget(root: root, active: active) {
            // A retry after the flash, or a plan overtaken by another update: never a second flash.
            return .upToDate(version: running, method: plan.forcedMethod ?? .simple)
        }
        let checksum = plan.planned?.checksum
        let (method, reason) = try service.choose(forScheme: plan.image.scheme, forced: plan.forcedMethod, verifying: checksum != nil)
        Log.info("BMC \(client.endpoint.base): \(vendor.rawValue), firmware \(before ?? "unknown"); method \(method.rawValue): \(reason)")
        if method == .simple, checksum != nil {
            Log.warning(
                "unverified: with SimpleUpdate the BMC fetches the image itself, so its checksum cannot be checked (--method simple)")
        }
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
            return .dryRun(
                method: method, version: before,
                summary: "dry run: would update by \(method.rawValue) with \(plan.image.fileName), \(sizeText); nothing changed")
        }

        // One change to a BMC at a time, from the upload until the outcome is known.
        defer { lock.release() }
        if try lock.acquire(deadline: StepClock.monotonic() + max(0, deadline - clock())) {
            // Another step changed the BMC meanwhile: what was read before is stale.
            if let running = TaskService.runningTask(root, active.client) {
                return .busy(running, method: plan.forcedMethod ?? .simple)
            }
            before = ManagerFirmware.version(root, active.client)
            // Another workflow with the same plan flashed it while this one waited.
            if let running = runningTarget(root: root, active: active) {
                return .upToDate(version: running, method: plan.forcedMethod ?? .simple)
            }
        }
        try lock.checkHeld()
        let change = "the \(method.rawValue) update with \(plan.image.fileName)"
        ChangeLedger.sending(change)
        let accepted: HTTPResponse
        do {
            accepted = try start(method, service: service, vendor: vendor, active: active, imageHTTP: imageHTTP)
        } catch {
            // Not sent in full (an upload cut by a stop, a refused connection, an image that is not
            // the one on record): nothing applied.
            if case .transport(let failure) = error as? RedfishError, !failure.requestSent {
                ChangeLedger.refused(change)
                if failure.kind == .checksumMismatch { throw StepError.failure("firmware image: \(failure.message); nothing was applied") }
            }
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
            outcome.versionAfter = ManagerFirmware.version(root, active.client)
        }
        if outcome.succeeded, let planned = plan.planned {
            outcome = try confirm(planned, outcome: outcome, before: before, root: root, active: active, deadline: deadline)
        }
        return outcome
    }

    // MARK: - Steps

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
                        framing: framing, checksum: plan.planned?.checksum),
                    contentType: contentType, headers: headers)
            } catch {
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
        if let checksum = plan.planned?.checksum {
            let actual: [UInt8]
            do {
                actual = try checksum.digest(ofFile: path)
            } catch {
                throw StepError(error.exitStatus, "firmware image: " + error.message)
            }
            guard actual == checksum.expected else {
                throw RedfishError.transport(
                    checksum.mismatch(actual: actual, url: URLText.printable(plan.image.url), what: "not a byte of it was sent"))
            }
        }
        return try client.upload(uri, body: .file(path: path, framing: framing), contentType: contentType, headers: headers)
    }

    func taskLink(in response: HTTPResponse) -> String? {
        guard let body = try? JSONValue(parsing: response.body) else { return nil }
        if body["TaskState"] != nil { return body["@odata.id"]?.stringValue }
        return body["Task"]?["@odata.id"]?.stringValue
    }

    // MARK: - Following

    /// Follows the task to its end (through reboots and renewed sessions) and says what came of it.
    func follow(
        _ taskPath: String, method: UpdateMethod, before: String?, root: ServiceRoot, active: ActiveSession, deadline: Double
    ) throws -> FirmwareUpdateOutcome {
        let follower = TaskFollower(active: active, pollInterval: plan.pollInterval, clock: clock, sleep: sleep)
        switch try follower.follow(taskPath, deadline: deadline) {
        case .succeeded(let report):
            if report.status == "Warning" { Log.warning("the update completed with warnings: \(report.messages)") }
            return .completed(report, method: method, before: before, after: ManagerFirmware.version(root, active.client))
        case .failed(let report):
            return .taskFailed(report, method: method, before: before)
        case .gone:
            Log.info("checking the firmware version instead")
            return try watchVersion(method: method, before: before, root: root, active: active, deadline: deadline, reason: "lost its task")
        case .unfinished(let last):
            return .taskUnfinished(last: last, method: method, before: before, timeout: plan.timeout)
        }
    }

    /// With a plan: the BMC component's version when it is already the plan's target, read as the
    /// plan read it (the firmware inventory; iLO's Manager says `iLO 5 v2.72` where its inventory
    /// says `2.72 Sep 04 2022`), else the manager's FirmwareVersion; nil otherwise.
    func runningTarget(root: ServiceRoot, active: ActiveSession) -> String? {
        guard let planned = plan.planned else { return nil }
        let inventory = try? FirmwareInventory.read(active.client, root: root)
        let running = inventory?.first { $0.kind == .bmc && !$0.isSpareCopy }?.version ?? ManagerFirmware.version(root, active.client)
        guard let running, PlannedBMCImage.same(running, planned.target) else { return nil }
        return running
    }

    /// With a plan, a completed task is not yet a success: the BMC's firmware inventory must show
    /// its component at the plan's target. While it still shows the version from before (a BMC
    /// that has not reset yet), it is read again until the deadline; any other version fails.
    func confirm(
        _ planned: PlannedBMCImage, outcome: FirmwareUpdateOutcome, before: String?, root: ServiceRoot, active: ActiveSession,
        deadline: Double
    ) throws -> FirmwareUpdateOutcome {
        var reported: String?
        while true {
            do {
                let bmc = try FirmwareInventory.read(active.client, root: root).filter { $0.kind == .bmc && !$0.isSpareCopy }
                reported = bmc.first?.version
            } catch {
                try active.renew(why: "the firmware inventory could not be read with the session")
            }
            if let reported, PlannedBMCImage.same(reported, planned.target) {
                return outcome.confirmed(by: reported)
            }
            let stillBefore = reported == nil || before.map { PlannedBMCImage.same(reported ?? "", $0) } == true
            if !stillBefore || clock() > deadline {
                return outcome.contradicted(reported: reported, target: planned.target)
            }
            sleep(max(0, min(plan.pollInterval, deadline - clock())))
        }
    }

    /// No task to follow: only a changed FirmwareVersion shows the update happened.
    func watchVersion(
        method: UpdateMethod, before: String?, root: ServiceRoot, active: ActiveSession, deadline: Double, reason: String
    ) throws -> FirmwareUpdateOutcome {
        var current: String? = before
        while clock() <= deadline {
            if let version = ManagerFirmware.version(root, active.client) {
                current = version
                if let before, version != before {
                    return .versionChanged(method: method, before: before, after: version, reason: reason)
                }
            } else {
                try active.renew(why: "the firmware version could not be read with the session")
            }
            sleep(max(0, min(plan.pollInterval, deadline - clock())))
        }
        return .versionUnchanged(method: method, before: before, current: current, reason: reason, timeout: plan.timeout)
    }
}
