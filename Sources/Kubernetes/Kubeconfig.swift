import FoundationEssentials
import JSON
import YAML

/// A kubeconfig file as client-go's `clientcmd/api/v1` types shape it, read with a real YAML
/// parser. Fields these steps cannot honour are kept so that using them is refused by name.
public struct Kubeconfig: Decodable, Sendable {
    public var currentContext: String?
    public var clusters: [Named<Cluster>]?
    public var contexts: [Named<Context>]?
    public var users: [Named<User>]?

    /// One entry of `clusters`, `contexts` or `users`: client-go's NamedCluster and its kin.
    public struct Named<Entry: Decodable & Sendable>: Decodable, Sendable {
        public var name: String
        public var entry: Entry?

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            name = try container.decode(String.self, forKey: Key(stringValue: "name"))
            // The entry's key is the list's name in the singular: cluster, context, user.
            let entryKey = [Key(stringValue: "cluster"), Key(stringValue: "context"), Key(stringValue: "user")]
                .first { container.contains($0) }
            entry = try entryKey.map { try container.decodeIfPresent(Entry.self, forKey: $0) } ?? nil
        }
    }

    /// Where the API server is and how to trust it.
    public struct Cluster: Decodable, Sendable {
        public var server: String?
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?
        public var proxyURL: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
            case proxyURL = "proxy-url"
        }
    }

    /// Which cluster, which user, which namespace.
    public struct Context: Decodable, Sendable {
        public var cluster: String?
        public var user: String?
        public var namespace: String?
    }

    /// Who to be: client-go's AuthInfo.
    public struct User: Decodable, Sendable {
        public var token: String?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?
        public var username: String?
        public var password: String?
        public var impersonate: String?
        public var exec: Present?
        public var authProvider: Present?

        enum CodingKeys: String, CodingKey {
            case token, tokenFile, username, password, exec
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case impersonate = "as"
            case authProvider = "auth-provider"
        }
    }

    /// A field whose content these steps never read, only whether it is there (exec plugins).
    public struct Present: Decodable, Sendable {
        public init(from decoder: any Decoder) throws {}
    }

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context"
        case clusters, contexts, users
    }

    /// Reads one kubeconfig file's text: YAML (or JSON, which is YAML) into this model. A field of
    /// the wrong type is an error naming its path (`users[0].user.token`).
    public static func parse(_ text: String) throws(KubeconfigError) -> Kubeconfig {
        let document: JSONValue
        do {
            document = try YAMLDocument.parse(text)
        } catch {
            throw KubeconfigError("YAML \(error)")
        }
        if document == .null { return Kubeconfig() }
        guard case .object = document else { throw KubeconfigError("the top level is not a mapping") }
        do {
            return try JSONValueDecoder().decode(Kubeconfig.self, from: document)
        } catch let error as DecodingError {
            throw KubeconfigError(error.fieldDescription)
        } catch {
            throw KubeconfigError("\(error)")
        }
    }

    public init() {}
}

/// Why a kubeconfig file could not be read, in one line.
public struct KubeconfigError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
