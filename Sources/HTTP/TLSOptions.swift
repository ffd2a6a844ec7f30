/// How a client checks the server's certificate. Verification is always on, except through the
/// `BMCInsecureTLS` SPI, which only BMC code imports: BMCs ship self-signed certificates, and the
/// operator's `OBM_TLS_VERIFY=false` is the only thing that may turn checking off.
public struct TLSOptions: Sendable, Equatable {
    /// A PEM bundle file of trusted CAs, instead of the system's.
    public var caFile: String?
    /// PEM bundle bytes of trusted CAs (a kubeconfig's certificate-authority-data).
    public var caPEM: [UInt8]?
    /// A client certificate and key, PEM, for mutual TLS.
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    public private(set) var verifiesPeer = true

    public init(caFile: String? = nil, caPEM: [UInt8]? = nil) {
        self.caFile = caFile
        self.caPEM = caPEM
    }

    /// The system's CA bundle.
    public static let system = TLSOptions()
}

extension TLSOptions {
    /// No certificate checking at all, for BMCs when the operator says so. Behind an SPI so that
    /// Nautobot or Kubernetes code cannot reach it by accident.
    @_spi(BMCInsecureTLS)
    public static var insecure: TLSOptions {
        var options = TLSOptions()
        options.verifiesPeer = false
        return options
    }
}
