import Synchronization

/// The process-wide list of secret values (tokens, passwords) that must never be written out.
///
/// Code that reads a secret registers it at once; every log line, failure message, stdout line and
/// output file passes through `redact` before it is written. This is the last line of defence:
/// the first is never formatting a secret into a message at all.
public enum SecretRedaction {
    private static let secrets = Mutex<[String]>([])

    /// The text that stands where a secret was.
    public static let mask = "[REDACTED]"

    /// Adds a value to the list. Values shorter than 4 characters are ignored: masking them would
    /// garble ordinary text and they are not worth hiding.
    public static func register(_ secret: String) {
        guard secret.count >= 4 else { return }
        secrets.withLock { list in
            if !list.contains(secret) {
                list.append(secret)
                // Longest first, so a secret that contains another is masked whole.
                list.sort { $0.count > $1.count }
            }
        }
    }

    /// Registers a credential an operator gave in `setting`, refusing one shorter than 4
    /// characters as bad input: it could not be masked without garbling ordinary text, so it
    /// could reach a log. The message names the setting, never the value.
    public static func registerCredential(_ value: String, setting: String) throws(StepError) {
        guard value.count >= 4 else {
            throw .badInput("\(setting) is shorter than 4 characters, too short to be kept out of logs; refused")
        }
        register(value)
    }

    /// The text with every registered secret replaced by `mask`.
    public static func redact(_ text: String) -> String {
        let list = secrets.withLock { $0 }
        var result = text
        for secret in list where result.contains(secret) {
            result = result.replacing(secret, with: mask)
        }
        return result
    }
}
