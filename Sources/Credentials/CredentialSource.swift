import StepRuntime

/// Where `get-obm-creds` finds a BMC's credentials; every site keeps them somewhere else.
public enum CredentialSource: String, Sendable, CaseIterable {
    /// Already in a Secret: `obm-creds-<hostname>` if it exists, else `obm-creds`. Nothing copied.
    case secret
    /// Derived from the `obm-master` key and the BMC's IP (`StandardPassword`), into a new Secret.
    case standard

    public static let defaultUsername = "root"
    public static let masterSecretName = "obm-master"

    public static func named(_ name: String) throws(StepError) -> CredentialSource {
        guard let source = CredentialSource(rawValue: name.lowercased()) else {
            throw .badInput("credential source \"\(name)\" is not one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return source
    }
}
