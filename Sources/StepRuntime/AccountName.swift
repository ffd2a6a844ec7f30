/// The rule for a BMC account name, wherever one is read (get-obm-creds writes it into a Secret,
/// the BMC steps log in with it): 1 to 64 characters, no control characters (a line break would
/// end a header or a Secret value), no `:` (it splits basic authentication's user:password).
public enum AccountName {
    public static func validate(_ name: String, setting: String) throws(StepError) {
        let printable = name.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F && $0 != ":" }
        guard !name.isEmpty, name.count <= 64, printable, name.trimmedWhitespace == name else {
            throw .badInput("\(setting) is not a BMC account name (1 to 64 characters, no control characters, no \":\")")
        }
    }
}
