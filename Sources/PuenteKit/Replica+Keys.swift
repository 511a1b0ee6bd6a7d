import Foundation
import GRDB
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
}

extension Replica {
    /// This store's self-signed identity card.
    public func identityCard() throws -> IdentityCard {
        let keys = try publicKeys()
        let created = try store.read { db in try String.fetchOne(db, sql: "SELECT created_at FROM local_replica") } ?? today
        return IdentityCard(role: .replica, delegation: identity.delegation, name: identity.name, office: identity.office,
                            created: created, signingKey: try PublicKey(raw: keys.signing, kind: .ed25519),
                            agreementKey: try PublicKey(raw: keys.agreement, kind: .x25519))
    }

    /// The identity card file, signed with this store's key.
    public func identityCardFile() throws -> [UInt8] {
        try identityCard().file(signedWith: signingKey)
    }

    /// Trusts the key of `card` for its role and delegation, after the person checked the full
    /// fingerprint out of band. A key never moves to another delegation.
    @discardableResult
    public func trust(card: IdentityCard, fingerprint typed: Fingerprint) throws(CardError) -> TrustedKey {
        guard typed == card.fingerprint else { throw CardError("fingerprint") }
        guard card.role == .replica else { throw CardError("root-unsupported") }
        guard let id = card.replica else { throw CardError("key") }
        guard id != identity.replica else { throw CardError("own-key") }
        do {
            try store.write { db in
                if let existing = try String.fetchOne(db, sql: "SELECT delegation FROM replica WHERE id = ?", arguments: [id.hex]),
                   existing != card.delegation.rawValue {
                    throw CardError("delegation-change")
                }
                try db.execute(sql: """
                    INSERT INTO replica (id, delegation, role, name, office, signing_key, agreement_key, trusted, head_seq, head_hash)
                    VALUES (?, ?, 'replica', ?, ?, ?, ?, 1, 0, ?)
                    ON CONFLICT(id) DO UPDATE SET trusted = 1, name = excluded.name, office = excluded.office,
                        agreement_key = excluded.agreement_key
                    """, arguments: [id.hex, card.delegation.rawValue, card.name, card.office, Data(card.signingKey.raw),
                                     Data(card.agreementKey.raw), Op.genesisPrev])
                let entities = try String.fetchSet(db, sql: "SELECT DISTINCT entity FROM operation WHERE replica = ?", arguments: [id.hex])
                try Store.rematerialize(db, entities: entities, trust: try TrustMap.load(db))
            }
        } catch let error as CardError {
            throw error
        } catch {
            throw CardError("store")
        }
        return TrustedKey(replica: id, role: card.role, delegation: card.delegation, name: card.name, office: card.office,
                          fingerprint: card.fingerprint, isLocal: false)
    }

    /// The trust configuration: every trusted key, this store's own first.
    public func trustedKeys() throws -> [TrustedKey] {
        try store.read { db in
            let local = try String.fetchOne(db, sql: "SELECT replica FROM local_replica")
            return try Row.fetchAll(db, sql: """
                SELECT id, role, delegation, name, office, signing_key, agreement_key FROM replica WHERE trusted = 1 ORDER BY delegation, name, id
                """).compactMap { row -> TrustedKey? in
                guard let id = ReplicaID(hex: row["id"]), let role = KeyRole(rawValue: row["role"]),
                      let delegation = Delegation(rawValue: row["delegation"]) else { return nil }
                let signing = Array(row["signing_key"] as Data)
                let agreement = Array((row["agreement_key"] as Data?) ?? Data())
                return TrustedKey(replica: id, role: role, delegation: delegation, name: row["name"], office: row["office"],
                                  fingerprint: Fingerprint(role: role, delegation: delegation, signingKey: signing, agreementKey: agreement),
                                  isLocal: id.hex == local)
            }.sorted { $0.isLocal && !$1.isLocal }
        }
    }
}
