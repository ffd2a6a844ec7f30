import Redfish
import StepRuntime

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
