import HTTP
import StepRuntime

/// Where Nautobot is and how to talk to it, from the environment the templates fill
/// (ConfigMap `nautobot`, Secret `nautobot-token`).
public struct NautobotSettings: Sendable {
    /// `https://nautobot.local`: no trailing slash, no `/api`.
    public var url: String
    public var token: String
    public var caFile: String?
    /// The REST API version asked for in `Accept`. 2.0 is accepted by every Nautobot 2.x and 3.x
    /// (3.2.7 measured: 2.0 to 3.2), and the device body is the same as 3.2's.
    public var apiVersion: String

    public static let defaultAPIVersion = "2.0"

    public init(url: String, token: String, caFile: String? = nil, apiVersion: String = NautobotSettings.defaultAPIVersion) {
        self.url = url
        self.token = token
        self.caFile = caFile
        self.apiVersion = apiVersion
    }

    /// Reads `NAUTOBOT_URL`, `NAUTOBOT_TOKEN`, `NAUTOBOT_CA_FILE`, `NAUTOBOT_API_VERSION`;
    /// anything missing or malformed is bad input (exit 64), said in one line.
    public static func fromEnvironment(_ environment: [String: String]) throws(NautobotError) -> NautobotSettings {
        guard let rawURL = environment["NAUTOBOT_URL"]?.trimmedWhitespace, !rawURL.isEmpty else {
            throw .setting("NAUTOBOT_URL is not set (ConfigMap nautobot, key url; e.g. https://nautobot.local)")
        }
        guard let rawToken = environment["NAUTOBOT_TOKEN"] else {
            throw .setting("NAUTOBOT_TOKEN is not set (Secret nautobot-token, key token)")
        }
        // A token read from a file often ends with a newline; nothing else is trimmed.
        let token = rawToken.trimmedWhitespace
        guard !token.isEmpty else { throw .setting("NAUTOBOT_TOKEN is empty") }
        do {
            try SecretRedaction.registerCredential(token, setting: "NAUTOBOT_TOKEN")
        } catch {
            throw .setting(error.message)
        }
        guard token.count <= 512, token.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            // Spaces or control characters would break (or forge) the Authorization header.
            throw .setting("NAUTOBOT_TOKEN holds characters a token cannot have (it must be the bare token, without \"Token \")")
        }
        if token.lowercased().hasPrefix("token") && token.count > 40 {
            Log.warning("NAUTOBOT_TOKEN looks like it includes a \"Token\" prefix; it should be the bare token")
        }
        let url = try validatedURL(rawURL)
        let caFile = environment.setting("NAUTOBOT_CA_FILE")
        let version = environment.setting("NAUTOBOT_API_VERSION") ?? defaultAPIVersion
        guard version.count <= 8, version.split(separator: ".").count == 2, version.allSatisfy({ $0.isNumber || $0 == "." }) else {
            throw .setting("NAUTOBOT_API_VERSION \"\(version)\" is not a version like 2.0 or 3.2")
        }
        return NautobotSettings(url: url, token: token, caFile: caFile, apiVersion: version)
    }

    static func validatedURL(_ raw: String) throws(NautobotError) -> String {
        guard raw.count <= 2048, let scheme = URLText.scheme(raw), scheme == "http" || scheme == "https",
            URLText.origin(raw) != nil, !raw.contains(where: { $0 == " " || $0 == "?" || $0 == "#" })
        else {
            throw .setting("NAUTOBOT_URL \"\(URLText.printable(raw))\" is not an http(s) URL such as https://nautobot.local")
        }
        let authority = raw.dropFirst((URLText.scheme(raw) ?? "").count + 3).prefix { $0 != "/" }
        if authority.contains("@") {
            // Never echoed: the message names the setting, not what it holds.
            throw .setting(
                "NAUTOBOT_URL carries a user name or password (user:password@host); the token goes in NAUTOBOT_TOKEN: remove them")
        }
        if URLText.scheme(raw) == "http" && !URLText.isLoopback(raw) {
            throw .setting(
                "NAUTOBOT_URL \(URLText.printable(raw)) is plain http to a host other than this machine: the token would travel in clear; use https"
            )
        }
        var url = raw
        while url.hasSuffix("/") { url.removeLast() }
        if url.hasSuffix("/api") {
            // The contract's URL has no /api; tolerate it rather than ask for /api/api/.
            Log.warning("NAUTOBOT_URL ends with /api; using \(URLText.printable(String(url.dropLast(4)))) (the steps add /api themselves)")
            url.removeLast(4)
        }
        return url
    }
}

extension NautobotSettings {
    /// The settings every Nautobot step reads, for `--help`.
    public static let environmentHelp: [EnvironmentSetting] = [
        EnvironmentSetting("NAUTOBOT_URL", "Nautobot's base URL, e.g. https://nautobot.local (ConfigMap nautobot, key url)"),
        EnvironmentSetting("NAUTOBOT_TOKEN", "the bare API token (Secret nautobot-token, key token)"),
        EnvironmentSetting("NAUTOBOT_CA_FILE", "PEM bundle to verify Nautobot's certificate (default: the system's)"),
        EnvironmentSetting("NAUTOBOT_API_VERSION", "REST API version asked for (default \(defaultAPIVersion))"),
    ]
}

extension NautobotClient {
    /// A client from the step's environment.
    public static func fromEnvironment(_ environment: [String: String]) throws(NautobotError) -> NautobotClient {
        try NautobotClient(settings: NautobotSettings.fromEnvironment(environment))
    }
}
