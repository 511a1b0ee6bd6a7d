import Foundation
import PuenteCrypto

/// A key in the trust configuration.
public struct TrustedKey: Sendable, Equatable {
    public let replica: ReplicaID
    public let role: KeyRole
    public let delegation: Delegation
    public let name: String
    public let office: String
    public let fingerprint: Fingerprint
    public let isLocal: Bool
    /// How the key is trusted: by hand after a fingerprint check (`card`), by a certificate
    /// from the delegation's current root (`certificate`), or as the root a rotation leads to (`rotation`).
    public var via = "card"
    /// The certificate version, or the root version.
    public var version: Int64?
    /// Where its chain stops counting (a revocation or a fork proof), if anywhere.
    public var cut: ChainCut?
}

extension Replica {
    /// This store's self-signed identity card.
    public func identityCard() throws -> IdentityCard {
        let keys = try publicKeys()
        let created = try store.read { tx in try tx.createdAt() } ?? today
        return try IdentityCard(role: .replica, delegation: identity.delegation, name: identity.name, office: identity.office,
                                created: created, signingKey: try PublicKey(raw: keys.signing, kind: .ed25519),
                                agreementKey: try PublicKey(raw: keys.agreement, kind: .x25519)).signed(with: signingKey)
    }

    /// The identity card file, signed with this store's key.
    public func identityCardFile() throws -> [UInt8] {
        try identityCard().signedFile ?? []
    }

    /// Trusts the key of `card` for its role and delegation, after the person checked the full
    /// fingerprint out of band. A key never moves to another delegation. A root card becomes the
    /// delegation's trusted root (replacing any earlier one): its certified members are then
    /// accepted without a further step.
    @discardableResult
    public func trust(card: IdentityCard, fingerprint typed: Fingerprint) throws(CardError) -> TrustedKey {
        guard typed == card.fingerprint else { throw CardError(.fingerprint) }
        guard let id = card.replica else { throw CardError(.key) }
        guard id != identity.replica else { throw CardError(.ownKey) }
        guard let key = StoredKey(card: card) else { throw CardError(.key) }
        do {
            try store.write { tx in
                if let known = try tx.key(id) {
                    if known.delegation != card.delegation, try tx.isCertified(id) || known.trusted {
                        throw CardError(.delegationChange)
                    }
                    if known.role != card.role { throw CardError(.roleChange) }
                }
                // Trusting a card admits no certificate, revocation or rotation, so there is no
                // refusal to report; what the new trust accepts is materialized in here.
                _ = try tx.applyTrust { tx in
                    if card.role == .root {
                        // One trusted root per delegation: a new one replaces the old.
                        try tx.untrustRoots(of: card.delegation)
                    }
                    try tx.recordKey(key, trusted: true, onConflict: .trust)
                }
            }
        } catch let error as CardError {
            throw error
        } catch {
            throw CardError(.store)
        }
        return TrustedKey(replica: id, role: card.role, delegation: card.delegation, name: card.name, office: card.office,
                          fingerprint: card.fingerprint, isLocal: false)
    }

    /// The trust configuration: every trusted key — roots (as rotations leave them), keys
    /// trusted by hand, certified members — this store's own first.
    public func trustedKeys() throws -> [TrustedKey] {
        try store.read { tx in
            let local = try tx.localReplica()
            let trust = try tx.trust
            var wanted = Set(trust.delegations.keys)
            var rootVersion = [ReplicaID: Int64]()
            for root in trust.resolved.roots.values {
                wanted.insert(root.current)
                rootVersion[root.current] = root.version
            }
            return try tx.keys().compactMap { stored -> TrustedKey? in
                guard wanted.contains(stored.id) else { return nil }
                let id = stored.id, role = stored.role
                let delegation = trust.delegations[id] ?? stored.delegation
                let agreement = stored.agreementKey ?? []
                let certificate = trust.resolved.certified[id]
                var key = TrustedKey(replica: id, role: role, delegation: delegation, name: certificate?.name ?? stored.name,
                                     office: stored.office,
                                     fingerprint: Fingerprint(role: role, delegation: delegation, signingKey: stored.signingKey,
                                                              agreementKey: agreement),
                                     isLocal: id == local)
                if role == .root {
                    key.via = stored.trusted ? "card" : "rotation"
                    key.version = rootVersion[id]
                } else if !stored.trusted, let certificate {
                    key.via = "certificate"
                    key.version = certificate.version
                }
                key.cut = trust.cuts[id]
                return key
            }.sorted { $0.isLocal && !$1.isLocal }
        }
    }
}

extension Replica {
    /// The replica whose id starts with `prefix` (at least 6 hex digits), among those this store knows.
    public func resolveReplica(_ prefix: String) throws -> ReplicaID {
        let text = prefix.lowercased()
        guard text.count >= 6, ReplicaID.isHex(text, count: text.utf8.count) else { throw TrustError(.unknownReplica, prefix) }
        let matches = try store.read { tx in try tx.desks(prefix: text, limit: 2) }
        guard matches.count == 1, let id = matches.first else {
            throw matches.isEmpty ? TrustError(.unknownReplica, prefix) : PuenteError(.ambiguousID, [prefix])
        }
        return id
    }

    /// Gives this store a new replica key: for a store restored from a backup or copied, whose
    /// key another copy also writes with. The old operations stay, under the old key (still
    /// trusted here); the old key files are kept beside the new ones as `*.retired-<id>`; writes
    /// resume under the new key, which others must trust or certify anew.
    public static func rekey(folder: String, wallClock: any WallClock = SystemWallClock(),
                             passphrase: (() throws -> SecretBuffer)? = nil) throws -> Replica {
        let old = try open(folder: folder, wallClock: wallClock, passphrase: passphrase)
        // New keys are protected as the old ones were.
        let secret = isEncrypted(try KeyFile.read(path: path(folder, signingKeyFile))) ? try passphrase?() : nil
        let signing = try PrivateKey.generate(.ed25519)
        let agreement = try PrivateKey.generate(.x25519)
        let signingPublic = try signing.rawPublicKey()
        let agreementPublic = try agreement.rawPublicKey()
        let id = ReplicaID(signingKey: signingPublic)
        let staged = [(signingKeyFile, try secret.map { try signing.encryptedPEM(passphrase: $0) } ?? signing.pem()),
                      (agreementKeyFile, try secret.map { try agreement.encryptedPEM(passphrase: $0) } ?? agreement.pem())]
        for (file, bytes) in staged {
            _ = unlink(path(folder, file + ".new"))
            try KeyFile.create(path: path(folder, file + ".new"), bytes: bytes)
        }
        try old.store.write { tx in
            try tx.switchLocal(to: StoredKey(id: id, delegation: old.identity.delegation, role: .replica, name: old.identity.name,
                                             office: old.identity.office, signingKey: signingPublic, agreementKey: agreementPublic))
            // The old key attests its head one last time, so the old chain can still be relayed.
            if let head = try tx.head(of: old.identity.replica) {
                let signature = try old.signingKey.sign(BundleManifest.headMessage(replica: old.identity.replica, seq: head.seq,
                                                                                   hash: head.hash))
                try tx.attest(old.identity.replica, seq: head.seq, hash: head.hash, signature: signature)
            }
        }
        // The store now names the new key; put the files in place (``open`` finishes this after a crash).
        try finishRekey(folder: folder, retiring: old.identity.replica)
        return try open(folder: folder, wallClock: wallClock, passphrase: passphrase)
    }

    /// Moves staged `*.new` key files into place, keeping the old ones as `*.retired-<id>`.
    static func finishRekey(folder: String, retiring replica: ReplicaID) throws {
        for file in [signingKeyFile, agreementKeyFile] {
            let current = path(folder, file)
            guard FileManager.default.fileExists(atPath: current + ".new") else { continue }
            if FileManager.default.fileExists(atPath: current) {
                guard rename(current, current + ".retired-\(replica.short)") == 0 else { throw PuenteError(.keyFileUnreadable, [current, "rename"]) }
            }
            guard rename(current + ".new", current) == 0 else { throw PuenteError(.keyFileUnreadable, [current, "rename"]) }
        }
    }
}
