import ArgumentParser
import Credentials
import Kubernetes
import StepRuntime

/// `get-obm-creds`: names a Kubernetes Secret holding the BMC's username and password, as `secret`.
@main
struct GetOBMCreds: Step {
    static let configuration = CommandConfiguration(
        commandName: "get-obm-creds",
        abstract: "Names a Kubernetes Secret (keys username, password) with the BMC's credentials; prints and outputs it as `secret`.",
        discussion: environmentHelp(),
        version: StepVersion.current
    )
    static let parameters = ["hostname", "source", "ip", "username", "owner"]
    static let flags = ["persist"]
    static let settings = CredentialsRequest.environmentHelp

    @Option(help: "The device's name in Nautobot, e.g. host1.domain.local.")
    var hostname: String

    @Option(help: "Where the credentials are: secret or standard (env OBM_CREDS_SOURCE; default secret).")
    var source: String?

    @Option(help: "The BMC's IP, for the standard source; looked up in Nautobot as get-obm-ip does when absent.")
    var ip: String?

    @Option(help: "The standard source's username (env OBM_USERNAME_DEFAULT; default root).")
    var username: String?

    @Option(help: "Who owns a new Secret: pod (default) or workflow.")
    var owner: SecretOwner.Kind = .pod

    @Flag(help: "Make a new Secret without an owner, so it outlives the workflow.")
    var persist = false

    @OptionGroup var runtime: RuntimeOptions

    func run() throws {
        let environment = ProcessEnvironment.current()
        let request = try CredentialsRequest.fromEnvironment(
            environment, hostname: hostname, source: source, ip: ip, username: username, owner: owner, persist: persist)
        try runtime.emit("secret", try request.secretName(), environment: environment)
    }
}

extension SecretOwner.Kind: ExpressibleByArgument {}
