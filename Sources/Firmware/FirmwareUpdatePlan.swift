import HTTP
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

    /// From the step's options and the credentials on record; a malformed option is bad input
    /// naming it.
    public static func fromOptions(
        settings: RedfishSettings, firmwareURL: String, method: String?, timeout: String, pollInterval: Double, caFile: String?,
        dryRun: Bool
    ) throws -> FirmwareUpdatePlan {
        let forced = try method.map { name throws(StepError) -> UpdateMethod in
            guard let method = UpdateMethod(rawValue: name.lowercased()) else {
                throw .badInput("--method \"\(name)\" is not simple, multipart or push")
            }
            return method
        }
        guard pollInterval >= 0.05, pollInterval <= 600 else {
            // Below 50 ms a poll loop is a flood on the BMC, not a wait.
            throw StepError.badInput("--poll-interval must be between 0.05 and 600 seconds")
        }
        return FirmwareUpdatePlan(
            image: try FirmwareImage(url: firmwareURL, tls: TLSOptions(caFile: caFile)), user: settings.user,
            password: settings.password, forcedMethod: forced, timeout: try StepDuration.seconds(timeout, option: "--timeout"),
            pollInterval: pollInterval, dryRun: dryRun)
    }
}
