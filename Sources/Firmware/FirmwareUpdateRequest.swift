import HTTP
import Redfish
import StepRuntime

/// What obm-firmware-update was asked to do.
public struct FirmwareUpdateRequest: Sendable {
    public var image: FirmwareImage
    public var user: String
    public var password: String
    public var forcedMethod: UpdateMethod?
    /// Seconds from the start until the outcome must be known.
    public var timeout: Double
    /// Seconds between polls when the BMC gives no Retry-After.
    public var pollInterval: Double
    public var dryRun: Bool
    /// From `--plan`: the checksum the image must match and the version the BMC must report after.
    public var planned: PlannedBMCImage?

    public init(
        image: FirmwareImage, user: String, password: String, forcedMethod: UpdateMethod?, timeout: Double, pollInterval: Double,
        dryRun: Bool, planned: PlannedBMCImage? = nil
    ) {
        self.image = image
        self.planned = planned
        self.user = user
        self.password = password
        self.forcedMethod = forcedMethod
        self.timeout = timeout
        self.pollInterval = pollInterval
        self.dryRun = dryRun
    }

    /// `--plan` or `--firmware-url`, exactly one: what the plan asks of the BMC, or the URL as an
    /// install without a plan.
    public static func source(firmwareURL: String?, plan: String?, allowUnverified: Bool) throws(StepError) -> PlannedBMCImage.Reading? {
        switch (firmwareURL, plan) {
        case (nil, nil): throw .badInput("give --firmware-url, or --plan (firmware-plan's output)")
        case (.some, .some): throw .badInput("give --firmware-url or --plan, not both")
        case (.some, nil): return nil
        case (nil, .some(let text)):
            return try PlannedBMCImage.read(
                try FirmwarePlan.read(try ArgumentFile.resolve(text, option: "--plan"), option: "--plan"), allowUnverified: allowUnverified)
        }
    }

    /// From the step's options and the credentials on record; a malformed option is bad input
    /// naming it. `planned` gives the image when there is no `firmwareURL`.
    public static func fromOptions(
        settings: RedfishSettings, firmwareURL: String?, planned: PlannedBMCImage?, method: String?, timeout: String,
        pollInterval: Double, caFile: String?, dryRun: Bool
    ) throws -> FirmwareUpdateRequest {
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
        guard let url = firmwareURL ?? planned?.url else {
            throw StepError.badInput("give --firmware-url, or --plan (firmware-plan's output)")
        }
        return FirmwareUpdateRequest(
            image: try FirmwareImage(url: url, tls: TLSOptions(caFile: caFile)), user: settings.user, password: settings.password,
            forcedMethod: forced, timeout: try StepDuration.seconds(timeout, option: "--timeout"), pollInterval: pollInterval,
            dryRun: dryRun, planned: planned)
    }
}
