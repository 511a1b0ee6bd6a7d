import Foundation
import PuenteCrypto

/// Why a certificate, revocation, rotation or root card was refused.
public struct TrustError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Each code is also the last part of its message key (`trust.<code>`), in both languages.
    public enum Code: String, Sendable, CaseIterable {
        case disputedRoot = "disputed-root"
        case format
        case key
        case noRoot = "no-root"
        case notARoot = "not-a-root"
        case notCanonical = "not-canonical"
        case notCurrentRoot = "not-current-root"
        case notHeld = "not-held"
        case olderVersion = "older-version"
        case oneSignature = "one-signature"
        case otherDelegation = "other-delegation"
        case passphrase
        case rollback
        case rootExists = "root-exists"
        case rootKey = "root-key"
        case shape
        case signature
        case superseded
        case tooLarge = "too-large"
        case unknownReplica = "unknown-replica"
        case untrustedIssuer = "untrusted-issuer"
        case version
    }

    public let code: Code
    public let detail: String
    /// The code's text: `one-signature`, `untrusted-issuer`…
    public var problem: String { code.rawValue }

    public init(_ code: Code, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? problem : "\(problem): \(detail)" }
}

/// The canonical JSON envelope every signed trust document uses: `{"<name>": body, …}`.
enum SignedEnvelope {
    static let maximumSize = 64 * 1024

    /// Decodes `bytes` (canonical JSON, one optional trailing newline) and checks its members.
    static func decode(_ bytes: [UInt8], members: Set<String>) throws(TrustError) -> [String: JSONValue] {
        guard bytes.count <= maximumSize else { throw TrustError(.tooLarge) }
        var content = bytes
        if content.last == 0x0a { content.removeLast() }
        let value: JSONValue
        do { value = try CanonicalJSON.decodeCanonical(content) } catch { throw TrustError(.notCanonical) }
        guard let object = value.objectValue, Set(object.keys) == members else { throw TrustError(.shape) }
        return object
    }

    static func signature(_ value: JSONValue?) throws(TrustError) -> [UInt8] {
        guard let text = value?.stringValue, let data = Data(base64Encoded: text), data.count == 64,
              data.base64EncodedString() == text else { throw TrustError(.shape, "signature") }
        return Array(data)
    }

    static func key(_ value: JSONValue?, _ kind: KeyKind) throws(TrustError) -> PublicKey {
        guard let pem = value?.stringValue else { throw TrustError(.shape, "key") }
        do { return try PublicKey(pem: Array(pem.utf8), expecting: kind) } catch { throw TrustError(.key) }
    }

    static func pem(_ key: PublicKey) -> JSONValue {
        .string(String(decoding: (try? key.pem()) ?? [], as: UTF8.self))
    }

    static func text(_ value: JSONValue?, allowEmpty: Bool = false) throws(TrustError) -> String {
        guard let text = value?.stringValue, text.unicodeScalars.count <= LocalText.maximumNameLength, allowEmpty || !text.isEmpty else {
            throw TrustError(.shape)
        }
        return text
    }

    static func replica(of key: PublicKey) -> ReplicaID {
        ReplicaID(signingKey: key.raw)
    }
}

/// A member certificate (`puente-cert/1`): a delegation's root binds a member key to the
/// delegation, a display name, a role and a version. For one member key, the highest version
/// signed by the delegation's current root wins.
///
/// The certificate carries the member's own signature over its identity card (`member_created`
/// and `member_card_signature` complete the card from the certificate's other members), so the
/// delegation it names is the one the key itself states: no root can certify a key of the other
/// delegation as one of its own.
public struct Certificate: Sendable, Equatable {
    public static let format = "puente-cert/1"

    public let delegation: Delegation
    public let issuerKey: PublicKey
    public let memberKey: PublicKey
    public let memberAgreementKey: PublicKey
    public let name: String
    public let office: String
    public let role: KeyRole
    public let version: Int64
    public let issued: String
    /// The `created` date of the member's identity card.
    public let memberCreated: String
    /// The member's own signature over its identity card (`puente-card/1`).
    public let memberCardSignature: [UInt8]
    public let signature: [UInt8]

    public var issuer: ReplicaID { SignedEnvelope.replica(of: issuerKey) }
    public var member: ReplicaID { SignedEnvelope.replica(of: memberKey) }

    /// The member's identity card as the certificate carries it (its self-signature is ``memberCardSignature``).
    public var memberCard: IdentityCard {
        var card = IdentityCard(role: .replica, delegation: delegation, name: name, office: office, created: memberCreated,
                                signingKey: memberKey, agreementKey: memberAgreementKey)
        card.selfSignature = memberCardSignature
        return card
    }

    var body: JSONValue {
        ["format": .string(Self.format), "delegation": .string(delegation.rawValue), "issuer_key": SignedEnvelope.pem(issuerKey),
         "member_key": SignedEnvelope.pem(memberKey), "member_agreement_key": SignedEnvelope.pem(memberAgreementKey),
         "name": .string(name), "office": .string(office), "role": .string(role.rawValue), "version": .int(version),
         "issued": .string(issued), "member_created": .string(memberCreated),
         "member_card_signature": .string(Data(memberCardSignature).base64EncodedString())]
    }

    /// The exact signed bytes that travel in bundles and are written to certificate files.
    public var bytes: [UInt8] {
        CanonicalJSON.encode(["certificate": body, "signature": .string(Data(signature).base64EncodedString())])
    }

    /// Issues a certificate for the holder of `card` (a card read from its signed file, so its
    /// self-signature can travel), signed with the root key `root`. `delegation` is the card's
    /// unless a test crafts a hostile certificate, which then does not read back.
    public static func issue(for card: IdentityCard, delegation: Delegation? = nil, version: Int64, issued: String,
                             root: PrivateKey) throws -> Certificate {
        guard let cardSignature = card.selfSignature else { throw TrustError(.shape, "the card carries no signature") }
        let unsigned = Certificate(delegation: delegation ?? card.delegation, issuerKey: try root.publicKey(), memberKey: card.signingKey,
                                   memberAgreementKey: card.agreementKey, name: card.name, office: card.office, role: .replica,
                                   version: version, issued: issued, memberCreated: card.created, memberCardSignature: cardSignature,
                                   signature: [])
        let signature = try root.sign(SignedMessage.cert.bytes(CanonicalJSON.encode(unsigned.body)))
        return Certificate(delegation: unsigned.delegation, issuerKey: unsigned.issuerKey, memberKey: card.signingKey,
                           memberAgreementKey: card.agreementKey, name: card.name, office: card.office, role: .replica,
                           version: version, issued: issued, memberCreated: card.created, memberCardSignature: cardSignature,
                           signature: signature)
    }

    init(delegation: Delegation, issuerKey: PublicKey, memberKey: PublicKey, memberAgreementKey: PublicKey, name: String,
         office: String, role: KeyRole, version: Int64, issued: String, memberCreated: String, memberCardSignature: [UInt8],
         signature: [UInt8]) {
        self.delegation = delegation
        self.issuerKey = issuerKey
        self.memberKey = memberKey
        self.memberAgreementKey = memberAgreementKey
        self.name = name
        self.office = office
        self.role = role
        self.version = version
        self.issued = issued
        self.memberCreated = memberCreated
        self.memberCardSignature = memberCardSignature
        self.signature = signature
    }

    /// Reads a certificate strictly and checks the issuer's signature over it, and the member's
    /// own signature over the card it completes (so the delegation is the key's own word).
    public init(bytes: [UInt8]) throws(TrustError) {
        let outer = try SignedEnvelope.decode(bytes, members: ["certificate", "signature"])
        guard let bodyValue = outer["certificate"], let body = bodyValue.objectValue,
              Set(body.keys) == ["format", "delegation", "issuer_key", "member_key", "member_agreement_key", "name", "office",
                                 "role", "version", "issued", "member_created", "member_card_signature"]
        else { throw TrustError(.shape) }
        guard body["format"]?.stringValue == Self.format else { throw TrustError(.format) }
        guard let delegation = body["delegation"]?.stringValue.flatMap(Delegation.init(rawValue:)),
              body["role"]?.stringValue == KeyRole.replica.rawValue,
              let version = body["version"]?.intValue, version >= 1,
              let issued = body["issued"]?.stringValue, Validation.isDate(issued),
              let memberCreated = body["member_created"]?.stringValue, Validation.isDate(memberCreated)
        else { throw TrustError(.shape) }
        let signature = try SignedEnvelope.signature(outer["signature"])
        let issuerKey = try SignedEnvelope.key(body["issuer_key"], .ed25519)
        self.init(delegation: delegation, issuerKey: issuerKey, memberKey: try SignedEnvelope.key(body["member_key"], .ed25519),
                  memberAgreementKey: try SignedEnvelope.key(body["member_agreement_key"], .x25519),
                  name: try SignedEnvelope.text(body["name"]), office: try SignedEnvelope.text(body["office"], allowEmpty: true),
                  role: .replica, version: version, issued: issued, memberCreated: memberCreated,
                  memberCardSignature: try SignedEnvelope.signature(body["member_card_signature"]), signature: signature)
        guard issuerKey.verify(signature: signature, message: SignedMessage.cert.bytes(CanonicalJSON.encode(bodyValue))) else {
            throw TrustError(.signature, "certificate")
        }
        // The key's own word for its delegation, role, name and office: a root cannot put words in its mouth.
        guard let cardBody = try? memberCard.body(),
              memberKey.verify(signature: memberCardSignature, message: SignedMessage.card.bytes(CanonicalJSON.encode(cardBody))) else {
            throw TrustError(.signature, "the member's card")
        }
        guard memberKey != issuerKey else { throw TrustError(.shape, "a root cannot certify itself") }
    }
}

/// A revocation (`puente-revoke/1`): a delegation's root cuts one of its replicas off after
/// `lastGoodSeq`, on the chain that ends at `lastGoodHash`. Final; several combine by the
/// smallest cut.
public struct Revocation: Sendable, Equatable {
    public static let format = "puente-revoke/1"

    public let delegation: Delegation
    public let issuerKey: PublicKey
    public let replica: ReplicaID
    public let lastGoodSeq: Int64
    public let lastGoodHash: String
    public let issued: String
    public let signature: [UInt8]

    public var issuer: ReplicaID { SignedEnvelope.replica(of: issuerKey) }

    var body: JSONValue {
        ["format": .string(Self.format), "delegation": .string(delegation.rawValue), "issuer_key": SignedEnvelope.pem(issuerKey),
         "replica": .string(replica.hex), "last_good_seq": .int(lastGoodSeq), "last_good_hash": .string(lastGoodHash),
         "issued": .string(issued)]
    }

    public var bytes: [UInt8] {
        CanonicalJSON.encode(["revocation": body, "signature": .string(Data(signature).base64EncodedString())])
    }

    public static func issue(replica: ReplicaID, delegation: Delegation, lastGoodSeq: Int64, lastGoodHash: String,
                             issued: String, root: PrivateKey) throws -> Revocation {
        let unsigned = Revocation(delegation: delegation, issuerKey: try root.publicKey(), replica: replica,
                                  lastGoodSeq: lastGoodSeq, lastGoodHash: lastGoodHash, issued: issued, signature: [])
        let signature = try root.sign(SignedMessage.revoke.bytes(CanonicalJSON.encode(unsigned.body)))
        return Revocation(delegation: delegation, issuerKey: unsigned.issuerKey, replica: replica, lastGoodSeq: lastGoodSeq,
                          lastGoodHash: lastGoodHash, issued: issued, signature: signature)
    }

    init(delegation: Delegation, issuerKey: PublicKey, replica: ReplicaID, lastGoodSeq: Int64, lastGoodHash: String,
         issued: String, signature: [UInt8]) {
        self.delegation = delegation
        self.issuerKey = issuerKey
        self.replica = replica
        self.lastGoodSeq = lastGoodSeq
        self.lastGoodHash = lastGoodHash
        self.issued = issued
        self.signature = signature
    }

    public init(bytes: [UInt8]) throws(TrustError) {
        let outer = try SignedEnvelope.decode(bytes, members: ["revocation", "signature"])
        guard let bodyValue = outer["revocation"], let body = bodyValue.objectValue,
              Set(body.keys) == ["format", "delegation", "issuer_key", "replica", "last_good_seq", "last_good_hash", "issued"]
        else { throw TrustError(.shape) }
        guard body["format"]?.stringValue == Self.format else { throw TrustError(.format) }
        guard let delegation = body["delegation"]?.stringValue.flatMap(Delegation.init(rawValue:)),
              let replica = body["replica"]?.stringValue.flatMap(ReplicaID.init(hex:)),
              let seq = body["last_good_seq"]?.intValue, seq >= 0,
              let hash = body["last_good_hash"]?.stringValue, ReplicaID.isHex(hash, count: 64),
              seq > 0 || hash == Op.genesisPrev,
              let issued = body["issued"]?.stringValue, Validation.isDate(issued) else { throw TrustError(.shape) }
        let signature = try SignedEnvelope.signature(outer["signature"])
        let issuerKey = try SignedEnvelope.key(body["issuer_key"], .ed25519)
        self.init(delegation: delegation, issuerKey: issuerKey, replica: replica, lastGoodSeq: seq, lastGoodHash: hash,
                  issued: issued, signature: signature)
        guard issuerKey.verify(signature: signature, message: SignedMessage.revoke.bytes(CanonicalJSON.encode(bodyValue))) else {
            throw TrustError(.signature, "revocation")
        }
    }
}

/// A root rotation (`puente-rotate/1`): the delegation's root moves from the old key to a new
/// one, at version old + 1, signed by both.
public struct Rotation: Sendable, Equatable {
    public static let format = "puente-rotate/1"

    public let delegation: Delegation
    public let version: Int64
    public let oldKey: PublicKey
    public let newKey: PublicKey
    public let newAgreementKey: PublicKey
    public let name: String
    public let created: String
    public let oldSignature: [UInt8]
    public let newSignature: [UInt8]

    public var oldRoot: ReplicaID { SignedEnvelope.replica(of: oldKey) }
    public var newRoot: ReplicaID { SignedEnvelope.replica(of: newKey) }

    var body: JSONValue {
        ["format": .string(Self.format), "delegation": .string(delegation.rawValue), "version": .int(version),
         "old_key": SignedEnvelope.pem(oldKey), "new_key": SignedEnvelope.pem(newKey),
         "new_agreement_key": SignedEnvelope.pem(newAgreementKey), "name": .string(name), "created": .string(created)]
    }

    public var bytes: [UInt8] {
        CanonicalJSON.encode(["rotation": body, "signatures": [
            "old": .string(Data(oldSignature).base64EncodedString()), "new": .string(Data(newSignature).base64EncodedString()),
        ]])
    }

    /// The new root's card as this rotation describes it.
    public var newCard: IdentityCard {
        IdentityCard(role: .root, delegation: delegation, name: name, office: "", created: created, signingKey: newKey,
                     agreementKey: newAgreementKey)
    }

    public static func sign(delegation: Delegation, version: Int64, old: PrivateKey, new: PrivateKey, newAgreementKey: PublicKey,
                            name: String, created: String) throws -> Rotation {
        let unsigned = Rotation(delegation: delegation, version: version, oldKey: try old.publicKey(), newKey: try new.publicKey(),
                                newAgreementKey: newAgreementKey, name: name, created: created, oldSignature: [], newSignature: [])
        let message = SignedMessage.rotate.bytes(CanonicalJSON.encode(unsigned.body))
        return Rotation(delegation: delegation, version: version, oldKey: unsigned.oldKey, newKey: unsigned.newKey,
                        newAgreementKey: newAgreementKey, name: name, created: created,
                        oldSignature: try old.sign(message), newSignature: try new.sign(message))
    }

    init(delegation: Delegation, version: Int64, oldKey: PublicKey, newKey: PublicKey, newAgreementKey: PublicKey, name: String,
         created: String, oldSignature: [UInt8], newSignature: [UInt8]) {
        self.delegation = delegation
        self.version = version
        self.oldKey = oldKey
        self.newKey = newKey
        self.newAgreementKey = newAgreementKey
        self.name = name
        self.created = created
        self.oldSignature = oldSignature
        self.newSignature = newSignature
    }

    /// Reads a rotation strictly; both the old and the new root must have signed it.
    public init(bytes: [UInt8]) throws(TrustError) {
        let outer = try SignedEnvelope.decode(bytes, members: ["rotation", "signatures"])
        guard let bodyValue = outer["rotation"], let body = bodyValue.objectValue,
              Set(body.keys) == ["format", "delegation", "version", "old_key", "new_key", "new_agreement_key", "name", "created"],
              let signatures = outer["signatures"]?.objectValue else { throw TrustError(.shape) }
        guard body["format"]?.stringValue == Self.format else { throw TrustError(.format) }
        guard Set(signatures.keys) == ["old", "new"] else { throw TrustError(.oneSignature) }
        guard let delegation = body["delegation"]?.stringValue.flatMap(Delegation.init(rawValue:)),
              let version = body["version"]?.intValue, version >= 2,
              let created = body["created"]?.stringValue, Validation.isDate(created) else { throw TrustError(.shape) }
        let oldKey = try SignedEnvelope.key(body["old_key"], .ed25519)
        let newKey = try SignedEnvelope.key(body["new_key"], .ed25519)
        self.init(delegation: delegation, version: version, oldKey: oldKey, newKey: newKey,
                  newAgreementKey: try SignedEnvelope.key(body["new_agreement_key"], .x25519),
                  name: try SignedEnvelope.text(body["name"]), created: created,
                  oldSignature: try SignedEnvelope.signature(signatures["old"]),
                  newSignature: try SignedEnvelope.signature(signatures["new"]))
        guard oldKey != newKey else { throw TrustError(.oneSignature, "the old and new root are the same key") }
        let message = SignedMessage.rotate.bytes(CanonicalJSON.encode(bodyValue))
        let oldValid = oldKey.verify(signature: oldSignature, message: message)
        let newValid = newKey.verify(signature: newSignature, message: message)
        guard oldValid || newValid else { throw TrustError(.signature, "rotation") }
        guard oldValid && newValid else { throw TrustError(.oneSignature, oldValid ? "new" : "old") }
    }
}
