/// Domain separation for signatures: OpenSSL 3.0 has no Ed25519 context strings, so every
/// signed message except `manifest.json` starts with `puente-<kind>/1\n`, and a verifier
/// states which kind it expects.
public enum SignedMessage: String, Sendable, CaseIterable {
    case head
    case card
    case cert
    case revoke
    case rotate

    /// The exact bytes signed for `body` under this kind.
    public func bytes(_ body: [UInt8]) -> [UInt8] {
        Array("puente-\(rawValue)/1\n".utf8) + body
    }
}
