import CCrypto
import FoundationEssentials

/// The `standard` credential source's password: derived from a master key and the BMC's IP, so
/// no per-server password is stored anywhere.
///
/// base64(PBKDF2-HMAC-SHA256(password = master key + IP, salt = "NaCl", 100 000 iterations,
/// 15 bytes)): 20 characters, no padding.
public enum StandardPassword {
    public static let salt = "NaCl"
    public static let iterations = 100_000
    public static let length = 15

    public static func derive(masterKey: String, ip: String) -> String? {
        var password = (masterKey + ip).utf8.map { CChar(bitPattern: $0) }
        defer { password.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        let salt = Array(Self.salt.utf8)
        var output = [UInt8](repeating: 0, count: length)
        let ok = PKCS5_PBKDF2_HMAC(
            password, Int32(password.count), salt, Int32(salt.count), Int32(iterations), EVP_sha256(), Int32(length), &output)
        defer { output.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        return ok == 1 ? Data(output).base64EncodedString() : nil
    }
}
