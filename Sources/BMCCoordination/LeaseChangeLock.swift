import JSON
import Kubernetes
import Redfish
import StepRuntime
import Synchronization

/// One BMC-changing step per BMC at a time, across workflows and steps run by hand: a
/// `coordination.k8s.io/v1` Lease per BMC, taken the way client-go's leader election takes one
/// (tools/leaderelection/resourcelock/leaselock.go): created when there is none; updated with
/// the resourceVersion it was read at, so that of two takers one gets 409 (a Lease is never
/// updated unconditionally: registry/coordination/lease/strategy.go AllowUnconditionalUpdate
/// is false); taken over only once `renewTime + leaseDurationSeconds` has passed on our clock,
/// since the API server never expires a Lease; renewed from a thread of its own while held;
/// given up by clearing the holder, as client-go's ReleaseOnCancel does.
public final class LeaseChangeLock: ChangeLock, Sendable {
    /// How long a holder that stopped renewing keeps the lock: a pod killed without giving it
    /// up blocks the BMC this long, at most.
    public static let duration = 30
    /// How often the holder renews: a third of the duration, so two failed renewals in a row
    /// still leave it held.
    static let renewEvery = Double(duration) / 3
    /// How often a waiting step looks again.
    static let pollEvery = 1.0

    struct State {
        var resourceVersion: String?
        var held = false
        var lost = false
        var lastRenewed = 0.0
        var acquiredAt = ""
        var transitions = 0
        var stopped = false
        var renewalFailureLogged = false
    }

    let configuration: KubernetesConfiguration
    public let name: String
    let bmc: String
    public let identity: String
    private let state = Mutex(State())

    public init(configuration: KubernetesConfiguration, name: BMCObjectName, bmc: String, identity: String) {
        self.configuration = configuration
        self.name = name.lease
        self.bmc = bmc
        self.identity = identity
    }

    var location: String { "Lease \(name) in namespace \(configuration.namespace)" }

    public func acquire(deadline: Double) throws -> Bool {
        let client = try KubernetesClient(configuration: configuration)
        var waitedFor: String?
        let started = StepClock.monotonic()
        while true {
            let now = StepClock.wall()
            guard let lease = try client.object("leases", named: name) else {
                if case .created(let made) = try client.create("leases", taking(now: now, transitions: 0, resourceVersion: nil)) {
                    held(made, now: now, transitions: 0)
                    return waitedFor != nil
                }
                continue
            }
            let spec = lease["spec"] ?? [:]
            let holder = spec["holderIdentity"]?.stringValue ?? ""
            let renewed = (spec["renewTime"]?.stringValue).flatMap(UTCTimestamp.parse)
            let lasts = Double(spec["leaseDurationSeconds"]?.intValue ?? Self.duration)
            if holder.isEmpty || holder == identity || renewed.map({ now > $0 + lasts }) ?? true {
                var transitions = spec["leaseTransitions"]?.intValue ?? 0
                if !holder.isEmpty && holder != identity { transitions += 1 }
                let version = lease["metadata"]?["resourceVersion"]?.stringValue
                switch try client.replace(
                    "leases", named: name, with: taking(now: now, transitions: transitions, resourceVersion: version))
                {
                case .replaced(let taken):
                    if !holder.isEmpty && holder != identity {
                        Log.warning(
                            "took over \(location) from \(holder), which stopped renewing it \(StepDuration.wholeText(now - (renewed ?? now))) ago"
                        )
                    }
                    held(taken, now: now, transitions: transitions)
                    return waitedFor != nil
                case .conflict, .notFound:
                    continue
                }
            }
            if waitedFor != holder {
                // Once per holder, not once per poll.
                Log.info("BMC \(bmc) is being changed by \(holder) (\(location)): waiting for it to finish")
                waitedFor = holder
            }
            let left = deadline - StepClock.monotonic()
            guard left > 0 else {
                throw StepError.transient(
                    "another step (\(holder)) was still changing BMC \(bmc) after \(StepDuration.wholeText(StepClock.monotonic() - started)) (\(location)); not changing it at the same time: try again later"
                )
            }
            StepClock.sleep(min(left, Self.pollEvery))
            try TerminationSignal.throwIfRequested()
        }
    }

    public func checkHeld() throws {
        let (held, lost, age) = state.withLock { ($0.held, $0.lost, StepClock.monotonic() - $0.lastRenewed) }
        guard held else { return }
        if lost || age >= Double(Self.duration) - 2 {
            throw StepError.transient(
                "lost \(location) (\(lost ? "another step took it" : "not renewed for \(StepDuration.wholeText(age))")): not making another change to BMC \(bmc)"
            )
        }
    }

    public func release() {
        let wasHeld = state.withLock { state -> Bool in
            let held = state.held && !state.lost
            state.stopped = true
            state.held = false
            return held
        }
        guard wasHeld else { return }
        do {
            let client = try KubernetesClient(configuration: configuration)
            client.isCleanup = true
            // client-go's release(): holder cleared, a one-second duration, times now.
            for _ in 1...2 {
                guard let lease = try client.object("leases", named: name),
                    lease["spec"]?["holderIdentity"]?.stringValue == identity
                else { return }
                let now = StepClock.wall()
                let released = manifest(
                    holder: "", lasts: 1, acquired: UTCTimestamp.format(now), now: now,
                    transitions: lease["spec"]?["leaseTransitions"]?.intValue ?? 0,
                    resourceVersion: lease["metadata"]?["resourceVersion"]?.stringValue)
                if case .replaced = try client.replace("leases", named: name, with: released) { return }
            }
        } catch {
            Log.warning(
                "could not give up \(location) (\(error.message)); it lapses \(Self.duration) s after its last renewal"
            )
        }
    }

    // MARK: -

    /// The Lease as this step writes it: held by `holder` (empty: free) for `lasts` seconds,
    /// acquired at `acquired`, renewed `now`, at the resourceVersion read (nil: a create).
    func manifest(holder: String, lasts: Int, acquired: String, now: Double, transitions: Int, resourceVersion: String?) -> JSONValue {
        var metadata: JSONValue = [
            "name": .string(name),
            "labels": ["app.kubernetes.io/managed-by": "baremetal-steps", "app.kubernetes.io/component": "obm-change-lock"],
            "annotations": ["baremetal-steps/bmc": .string(bmc)],
        ]
        if let resourceVersion { metadata = metadata.setting("resourceVersion", to: .string(resourceVersion)) }
        return [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": metadata,
            "spec": [
                "holderIdentity": .string(holder), "leaseDurationSeconds": .integer(lasts), "acquireTime": .string(acquired),
                "renewTime": .string(UTCTimestamp.format(now)), "leaseTransitions": .integer(transitions),
            ],
        ]
    }

    /// Taking it now: held by this step for `duration`, acquired now.
    func taking(now: Double, transitions: Int, resourceVersion: String?) -> JSONValue {
        manifest(
            holder: identity, lasts: Self.duration, acquired: UTCTimestamp.format(now), now: now, transitions: transitions,
            resourceVersion: resourceVersion)
    }

    private func held(_ lease: JSONValue, now: Double, transitions: Int) {
        state.withLock {
            $0.resourceVersion = lease["metadata"]?["resourceVersion"]?.stringValue
            $0.held = true
            $0.lost = false
            $0.stopped = false
            $0.lastRenewed = StepClock.monotonic()
            $0.acquiredAt = lease["spec"]?["acquireTime"]?.stringValue ?? UTCTimestamp.format(now)
            $0.transitions = transitions
        }
        Log.debug("holding \(location)")
        BackgroundThread.start { [self] in renewUntilReleased() }
    }

    /// The renewal thread: its own client (a curl handle is not shared between threads).
    private func renewUntilReleased() {
        guard let client = try? KubernetesClient(configuration: configuration) else { return }
        while true {
            let end = StepClock.monotonic() + Self.renewEvery
            while StepClock.monotonic() < end {
                if state.withLock({ $0.stopped }) { return }
                // Stopping: no more renewals; the main thread gives the Lease up on its way out.
                if TerminationSignal.requested { return }
                StepClock.sleep(min(0.2, end - StepClock.monotonic()))
            }
            let keepGoing = state.withLock { state -> Bool in
                guard !state.stopped, state.held else { return false }
                renew(client, &state)
                return !state.lost
            }
            if !keepGoing { return }
        }
    }

    /// One renewal, inside the state's lock so that a release waits for it rather than races it.
    private func renew(_ client: KubernetesClient, _ state: inout State) {
        let now = StepClock.wall()
        let lease = manifest(
            holder: identity, lasts: Self.duration, acquired: state.acquiredAt, now: now, transitions: state.transitions,
            resourceVersion: state.resourceVersion)
        do {
            switch try client.replace("leases", named: name, with: lease) {
            case .replaced(let renewed):
                state.resourceVersion = renewed["metadata"]?["resourceVersion"]?.stringValue
                state.lastRenewed = StepClock.monotonic()
                state.renewalFailureLogged = false
            case .conflict, .notFound:
                let current = try client.object("leases", named: name)
                if current?["spec"]?["holderIdentity"]?.stringValue == identity {
                    state.resourceVersion = current?["metadata"]?["resourceVersion"]?.stringValue
                } else {
                    state.lost = true
                    Log.warning("\(location) was taken by \(current?["spec"]?["holderIdentity"]?.stringValue ?? "nobody") while held")
                }
            }
        } catch {
            if !state.renewalFailureLogged {
                Log.warning("could not renew \(location): \(error.message); trying again")
                state.renewalFailureLogged = true
            }
        }
    }
}
