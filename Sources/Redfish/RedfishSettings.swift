import StepRuntime

/// What every BMC step reads from the environment the templates fill: the credentials on record
/// (the Secret get-obm-creds names) and how to reach the BMC (ConfigMap obm-settings), with the
/// `--help` lines that say so, as NautobotSettings does for Nautobot.
public struct RedfishSettings: Sendable {
    public var user: String
    public var password: String
    public var endpoint: RedfishEndpoint

    public static let environmentHelp = [
        EnvironmentSetting("OBM_USERNAME, OBM_PASSWORD", "the credentials on record (the Secret named by get-obm-creds)"),
        EnvironmentSetting("OBM_CA_FILE", "PEM bundle to verify the BMC's certificate"),
        EnvironmentSetting("OBM_TLS_VERIFY", "false to skip BMC certificate checks (self-signed BMCs); default true"),
        EnvironmentSetting("OBM_PORT", "the BMCs' HTTPS port, when not 443"),
        EnvironmentSetting(
            "OBM_CONNECT_TO", "routes HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT, comma separated, to reach BMCs through another address"),
    ]

    /// Reads them for the BMC at `host`; a missing or malformed one is bad input (exit 64),
    /// said in one line naming it. The password is masked in every log line from here on.
    public static func fromEnvironment(_ environment: [String: String], host: String) throws -> RedfishSettings {
        guard let user = environment.setting("OBM_USERNAME") else {
            throw StepError.badInput("OBM_USERNAME is not set (the Secret named by get-obm-creds, key username)")
        }
        guard let password = environment.setting("OBM_PASSWORD") else {
            throw StepError.badInput("OBM_PASSWORD is not set (the Secret named by get-obm-creds, key password)")
        }
        try SecretRedaction.registerCredential(password, setting: "OBM_PASSWORD")
        try AccountName.validate(user, setting: "OBM_USERNAME")
        return RedfishSettings(user: user, password: password, endpoint: try RedfishEndpoint.from(host: host, environment: environment))
    }
}

extension RedfishSettings {
    /// How every BMC step begins, before any other thread: a SIGTERM from here on deletes the
    /// sessions held; then the process environment and these settings, read once.
    public static func beginBMCStep(host: String) throws -> (environment: [String: String], settings: RedfishSettings) {
        TerminationSignal.install { SessionRegistry.shared.deleteAll() }
        let environment = ProcessEnvironment.current()
        return (environment, try fromEnvironment(environment, host: host))
    }
}
