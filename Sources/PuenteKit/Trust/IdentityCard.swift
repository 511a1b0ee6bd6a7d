import Foundation
import PuenteCrypto

/// Why an identity card was refused.
public struct CardError: Error, Equatable, Sendable {
    /// Each code is also the last part of its message key (`card.<code>`), in both languages.
    public enum Code: String, Sendable, CaseIterable {
        case delegationChange = "delegation-change"
        case fingerprint
        case format
        case key
        case notCanonical = "not-canonical"
        case ownKey = "own-key"
        case roleChange = "role-change"
        case shape
        case signature
        case store
        case tooLarge = "too-large"
        case unreadable
    }

    public let code: Code
    /// The code's text: `fingerprint`, `own-key`…
    public var problem: String { code.rawValue }
    public init(_ code: Code) { self.code = code }
}

/// A self-signed identity card (`puente-card/1`): who holds a key, for which delegation and role.
///
/// The file is canonical JSON `{"card": {…}, "signature": "<base64>"}` and one newline; the
/// signature covers `puente-card/1\n` followed by the canonical bytes of the card object.
public struct IdentityCard: Sendable, Equatable {
    public static let format = "puente-card/1"
    public static let maximumSize = 64 * 1024

    public let role: KeyRole
    public let delegation: Delegation
    public let name: String
    public let office: String
    public let created: String
    public let signingKey: PublicKey
    public let agreementKey: PublicKey
    /// The exact file it was read from, when it was read from one (kept, so it can travel).
    public private(set) var signedFile: [UInt8]?
    /// The key's own signature over the card, when it was read from (or written as) a signed file.
    public internal(set) var selfSignature: [UInt8]?

    public var replica: ReplicaID? { ReplicaID(hex: Digest.sha256hex(signingKey.raw)) }

    public var fingerprint: Fingerprint {
        Fingerprint(role: role, delegation: delegation, signingKey: signingKey.raw, agreementKey: agreementKey.raw)
    }

    public init(role: KeyRole, delegation: Delegation, name: String, office: String, created: String,
                signingKey: PublicKey, agreementKey: PublicKey) {
        self.role = role
        self.delegation = delegation
        self.name = name
        self.office = office
        self.created = created
        self.signingKey = signingKey
        self.agreementKey = agreementKey
    }

    func body() throws -> JSONValue {
        ["format": .string(Self.format), "role": .string(role.rawValue), "delegation": .string(delegation.rawValue),
         "name": .string(name), "office": .string(office), "created": .string(created),
         "signing_key": .string(String(decoding: try signingKey.pem(), as: UTF8.self)),
         "agreement_key": .string(String(decoding: try agreementKey.pem(), as: UTF8.self))]
    }

    /// The card file, signed with `key` (which must be the card's signing key).
    public func file(signedWith key: PrivateKey) throws -> [UInt8] {
        try signed(with: key).signedFile ?? []
    }

    /// The card with its self-signature and signed file, signed with `key` (the card's signing key).
    public func signed(with key: PrivateKey) throws -> IdentityCard {
        let body = try self.body()
        let signature = try key.sign(SignedMessage.card.bytes(CanonicalJSON.encode(body)))
        var card = self
        card.selfSignature = signature
        card.signedFile = CanonicalJSON.encode(["card": body, "signature": .string(Data(signature).base64EncodedString())]) + [0x0a]
        return card
    }

    /// Reads a card file strictly: size, canonical form, members, keys, and the self-signature.
    /// The one line may end in CRLF, as a card sent by email often does: the card itself is the
    /// canonical JSON before it, which holds no raw CR, so a CR anywhere else is still refused.
    public init(file bytes: [UInt8]) throws(CardError) {
        guard bytes.count <= Self.maximumSize else { throw CardError(.tooLarge) }
        var content = bytes
        if content.last == 0x0a {
            content.removeLast()
            if content.last == 0x0d { content.removeLast() }
        }
        let value: JSONValue
        do {
            value = try CanonicalJSON.decodeCanonical(content)
        } catch {
            throw CardError(.notCanonical)
        }
        guard let outer = value.objectValue, Set(outer.keys) == ["card", "signature"],
              let body = outer["card"], let card = body.objectValue,
              Set(card.keys) == ["format", "role", "delegation", "name", "office", "created", "signing_key", "agreement_key"],
              let signatureText = outer["signature"]?.stringValue, let signature = Data(base64Encoded: signatureText),
              Data(signature).base64EncodedString() == signatureText else { throw CardError(.shape) }
        guard card["format"]?.stringValue == Self.format else { throw CardError(.format) }
        guard let role = card["role"]?.stringValue.flatMap(KeyRole.init(rawValue:)),
              let delegation = card["delegation"]?.stringValue.flatMap(Delegation.init(rawValue:)),
              let name = card["name"]?.stringValue, name.unicodeScalars.count <= LocalText.maximumNameLength, !name.isEmpty,
              let office = card["office"]?.stringValue, office.unicodeScalars.count <= LocalText.maximumNameLength,
              let created = card["created"]?.stringValue, Validation.isDate(created),
              let signingPEM = card["signing_key"]?.stringValue, let agreementPEM = card["agreement_key"]?.stringValue
        else { throw CardError(.shape) }
        let signingKey: PublicKey
        let agreementKey: PublicKey
        do {
            signingKey = try PublicKey(pem: Array(signingPEM.utf8), expecting: .ed25519)
            agreementKey = try PublicKey(pem: Array(agreementPEM.utf8), expecting: .x25519)
        } catch {
            throw CardError(.key)
        }
        guard signingKey.verify(signature: Array(signature), message: SignedMessage.card.bytes(CanonicalJSON.encode(body))) else {
            throw CardError(.signature)
        }
        self.init(role: role, delegation: delegation, name: name, office: office, created: created,
                  signingKey: signingKey, agreementKey: agreementKey)
        // One newline, as the schema states and every card file written here ends.
        signedFile = CanonicalJSON.encode(value) + [0x0a]
        selfSignature = Array(signature)
    }
}
