/// Why a bundle was refused as a whole: a short code, and where or what, for the message.
public struct BundleError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Each code is also the last part of its message key (`bundle.<code>`), in both languages.
    public enum Code: String, Sendable, CaseIterable {
        case card
        case certificate
        case container
        case entries
        case entry
        /// An encrypted bundle's envelope (its age header) is malformed.
        case envelope
        /// The envelope's header MAC does not verify.
        case envelopeMAC = "envelope-mac"
        /// A chunk of the encrypted payload fails authentication, or the stream is truncated or extended.
        case envelopePayload = "envelope-payload"
        /// The envelope's recipients are not those the exporter signed, or an encrypted bundle arrived plain.
        case envelopeRecipients = "envelope-recipients"
        case inflate
        case line
        case manifest
        /// The bundle is encrypted, and not for this desk (the detail: `mx=3`, what its header says).
        case notForThisDesk = "not-for-this-desk"
        case opsCount = "ops-count"
        case opsHash = "ops-hash"
        case opsSize = "ops-size"
        case revocation
        case rotation
        case segment
        case signature
        case tooLarge = "too-large"
        case unknownAuthor = "unknown-author"
        case unreadable
        case untrustedExporter = "untrusted-exporter"
    }

    public let code: Code
    public let detail: String
    /// The code's text: `too-large`, `untrusted-exporter`…
    public var problem: String { code.rawValue }

    public init(_ code: Code, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? problem : "\(problem): \(detail)" }
}
