import Redfish
import StepRuntime

/// What get-firmware-inventory does: one login with the credentials on record, through the BMC's
/// login history like every BMC login, then GETs only (the UpdateService's FirmwareInventory and
/// its members); the session is ended however the read ends.
public struct FirmwareInventoryRead {
    let client: RedfishClient
    let settings: RedfishSettings
    let history: any LoginHistory
    /// Seconds the whole read may take, waits for the lockout policy included.
    let timeout: Double
    /// The step the BMC's login history records the login under.
    let step: String

    public init(
        client: RedfishClient, settings: RedfishSettings, history: any LoginHistory, timeout: Double,
        step: String = "get-firmware-inventory"
    ) {
        self.client = client
        self.settings = settings
        self.history = history
        self.timeout = timeout
        self.step = step
    }

    public func run() throws -> [FirmwareComponent] {
        let deadline = StepClock.monotonic() + timeout
        client.deadline = deadline
        let root = try ServiceRoot.read(client)
        // Reading needs no session to renew: basic authentication will do where there is none.
        let login = try RedfishLogin(client: client, root: root)
        let reported = (try? AccountService(client: client, root: root))?.lockoutPolicy()
        let gate = try LoginGate(
            history: history, policies: [reported, VendorProfile.detect(root).knownLockoutPolicy].compactMap { $0 },
            step: step, deadline: deadline)
        defer { gate.finish() }
        let session = try login.logInWithRecord(user: settings.user, password: settings.password, gate: gate)
        return try login.with(session) { signed in
            gate.learn(reported: reported, signedIn: signed, root: root)
            return try FirmwareInventory.read(signed, root: root)
        }
    }
}
