import Foundation
import GRDB
import PuenteCrypto

/// A key as the `replica` table keeps it: a desk's or a root's, trusted here or only known.
struct StoredKey {
    let id: ReplicaID
    let delegation: Delegation
    let role: KeyRole
    let name: String
    let office: String
    let signingKey: [UInt8]
    let agreementKey: [UInt8]?
    /// Its signed identity card, when one was received (written with the key; not read back).
    var card: [UInt8]?
    /// Trusted by hand (a checked card, or this store's own key), not by a certificate or rotation.
    var trusted = false

    init(id: ReplicaID, delegation: Delegation, role: KeyRole, name: String, office: String, signingKey: [UInt8],
         agreementKey: [UInt8]?, card: [UInt8]? = nil) {
        self.id = id
        self.delegation = delegation
        self.role = role
        self.name = name
        self.office = office
        self.signingKey = signingKey
        self.agreementKey = agreementKey
        self.card = card
    }

    /// The key of an identity card (its own signed file kept with it).
    init?(card: IdentityCard) {
        guard let id = card.replica else { return nil }
        self.init(id: id, delegation: card.delegation, role: card.role, name: card.name, office: card.office,
                  signingKey: card.signingKey.raw, agreementKey: card.agreementKey.raw, card: card.signedFile)
    }

    init?(row: Row) {
        guard let id = ReplicaID(hex: row["id"]), let delegation = Delegation(rawValue: row["delegation"]),
              let role = KeyRole(rawValue: row["role"]) else { return nil }
        self.init(id: id, delegation: delegation, role: role, name: row["name"], office: row["office"],
                  signingKey: Array(row["signing_key"] as Data), agreementKey: (row["agreement_key"] as Data?).map { Array($0) })
        trusted = (row["trusted"] as Int) == 1
    }

    /// The columns a read key comes from: its card stays in the store (bundles read the cards
    /// alone, ``StoreTransaction/deskCards()``), so reading keys never reads card blobs.
    static let columns = "id, delegation, role, name, office, signing_key, agreement_key, trusted"
}

/// What recording a key does when the store already has one with that id.
enum KeyConflict {
    /// Nothing: the first record stands, and an insert that finds one fails.
    case fail
    /// Nothing: the first record stands.
    case ignore
    /// Keep the first record; take the card if it had none.
    case keepCard
    /// Trust it by hand, with this record's delegation, names, agreement key and card.
    case trust
    /// Trust it by hand under this record's name (the tests' shortcut).
    case trustName
}

extension Store {
    /// Records `key`, trusted by hand or only known; a new key's chain starts empty. The one
    /// place a key is written (an upgrade copies an earlier store's rows as they were).
    static func recordKey(_ db: Database, _ key: StoredKey, trusted: Bool, onConflict: KeyConflict) throws {
        let upsert = switch onConflict {
        case .fail: ""
        // On the id alone: a record that breaks a CHECK is an error, never skipped.
        case .ignore: " ON CONFLICT(id) DO NOTHING"
        case .keepCard: " ON CONFLICT(id) DO UPDATE SET card = coalesce(replica.card, excluded.card)"
        case .trust: """
             ON CONFLICT(id) DO UPDATE SET trusted = 1, delegation = excluded.delegation, name = excluded.name,
                office = excluded.office, agreement_key = excluded.agreement_key, card = coalesce(excluded.card, replica.card)
            """
        case .trustName: " ON CONFLICT(id) DO UPDATE SET trusted = 1, name = excluded.name"
        }
        try db.execute(sql: """
            INSERT INTO replica
                (id, delegation, role, name, office, signing_key, agreement_key, trusted, head_seq, head_hash, card)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)\(upsert)
            """, arguments: [key.id.hex, key.delegation.rawValue, key.role.rawValue, key.name, key.office, Data(key.signingKey),
                             key.agreementKey.map { Data($0) }, trusted ? 1 : 0, Op.genesisPrev, key.card.map { Data($0) }])
    }

}

extension StoreTransaction {
    /// Records `key`, trusted by hand or only known (``Store/recordKey(_:_:trusted:onConflict:)``).
    func recordKey(_ key: StoredKey, trusted: Bool, onConflict: KeyConflict) throws {
        try Store.recordKey(db, key, trusted: trusted, onConflict: onConflict)
        trustChanged()
    }

    /// The key recorded under `id`, if any.
    func key(_ id: ReplicaID) throws -> StoredKey? {
        try Row.fetchOne(db, sql: "SELECT \(StoredKey.columns) FROM replica WHERE id = ?", arguments: [id.hex]).flatMap(StoredKey.init(row:))
    }

    /// Every recorded key, by delegation, name and id.
    func keys() throws -> [StoredKey] {
        try Row.fetchAll(db, sql: "SELECT \(StoredKey.columns) FROM replica ORDER BY delegation, name, id").compactMap(StoredKey.init(row:))
    }

    /// The desks' keys whose id starts with `prefix` (lowercase hex), at most `limit` of them.
    func desks(prefix: String, limit: Int) throws -> [ReplicaID] {
        try String.fetchAll(db, sql: "SELECT id FROM replica WHERE role = 'replica' AND substr(id, 1, ?) = ? LIMIT ?",
                            arguments: [prefix.count, prefix, limit]).compactMap(ReplicaID.init(hex:))
    }

    /// Whether any certificate names `member`.
    func isCertified(_ member: ReplicaID) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM certificate WHERE member = ?)", arguments: [member.hex]) ?? false
    }

    /// Stops trusting by hand every root of `delegation`: one trusted root per delegation, and a
    /// new one replaces the old.
    func untrustRoots(of delegation: Delegation) throws {
        try db.execute(sql: "UPDATE replica SET trusted = 0 WHERE role = 'root' AND delegation = ?", arguments: [delegation.rawValue])
        trustChanged()
    }

    /// Keeps `card` as the signed identity card of `id`.
    func setCard(_ card: [UInt8], of id: ReplicaID) throws {
        try db.execute(sql: "UPDATE replica SET card = ? WHERE id = ?", arguments: [Data(card), id.hex])
    }

    /// The identity cards of the desks this store holds, by id.
    func deskCards() throws -> [[UInt8]] {
        try Data.fetchAll(db, sql: "SELECT card FROM replica WHERE card IS NOT NULL AND role = 'replica' ORDER BY id").map { Array($0) }
    }

    /// The name a certificate gives `replica`, else its card's, else its short id.
    func displayName(_ replica: ReplicaID) throws -> String {
        try Store.displayName(db, replica)
    }

    /// Where the verified prefix of `replica`'s chain ends here, when it holds any operation.
    func head(of replica: ReplicaID) throws -> (seq: Int64, hash: String)? {
        guard let row = try Row.fetchOne(db, sql: "SELECT head_seq, head_hash FROM replica WHERE id = ? AND head_seq > 0",
                                         arguments: [replica.hex]) else { return nil }
        return (row["head_seq"], row["head_hash"])
    }

    /// The stored hash of `replica`'s operation `seq`, if held (``Store/storedHash(_:_:seq:)``).
    func operationHash(_ replica: ReplicaID, seq: Int64) throws -> String? {
        try Store.storedHash(db, replica, seq: seq)
    }

    /// Keeps a signed attestation of `replica`'s head (`seq`, `hash`); the first one stands.
    func attest(_ replica: ReplicaID, seq: Int64, hash: String, signature: [UInt8]) throws {
        try db.execute(sql: "INSERT OR IGNORE INTO attestation (replica, seq, hash, signature) VALUES (?, ?, ?, ?)",
                       arguments: [replica.hex, seq, hash, Data(signature)])
    }

    /// Materializes again every entity `author` wrote: its operations' standing changed.
    func rematerialize(authoredBy author: ReplicaID) throws {
        let entities = try String.fetchSet(db, sql: "SELECT DISTINCT entity FROM operation_text WHERE replica = ?", arguments: [author.hex])
        try Store.rematerialize(db, entities: entities, trust: try trust)
    }

    /// Admits trust documents as ``Store/applyTrust(_:certificates:revocations:rotations:proofs:extra:)``
    /// does; `extra` records keys in the same step, before the new trust state is computed.
    func applyTrust(certificates: [Certificate] = [], revocations: [Revocation] = [], rotations: [Rotation] = [],
                    proofs: [ForkProof] = [], extra: (StoreTransaction) throws -> Void = { _ in }) throws -> TrustEffect {
        defer { trustChanged() }
        return try Store.applyTrust(db, certificates: certificates, revocations: revocations, rotations: rotations, proofs: proofs,
                                    extra: { _ in try extra(self) })
    }

    /// Whether `replica` would be trusted for `delegation` once these documents are in (nothing is written).
    func wouldTrust(_ replica: ReplicaID, as delegation: Delegation, certificates: [Certificate], revocations: [Revocation],
                    rotations: [Rotation]) throws -> Bool {
        try Store.wouldTrust(db, replica, as: delegation, certificates: certificates, revocations: revocations, rotations: rotations)
    }

    /// The highest certificate version `issuer` gave `member`, 0 when none.
    func highestCertificateVersion(issuer: ReplicaID, member: ReplicaID) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT max(version) FROM certificate WHERE issuer = ? AND member = ?",
                           arguments: [issuer.hex, member.hex]) ?? 0
    }

    /// The certificates `issuer` gave, as their signed bytes.
    func certificates(issuedBy issuer: ReplicaID) throws -> [[UInt8]] {
        try Data.fetchAll(db, sql: "SELECT bytes FROM certificate WHERE issuer = ?", arguments: [issuer.hex]).map { Array($0) }
    }

    /// Stores `certificate` (and its member's key, only known) with none of the checks of
    /// ``applyTrust(certificates:revocations:rotations:proofs:extra:)``: what a hostile or
    /// broken client would hold, for tests.
    func storeUnchecked(_ certificate: Certificate) throws {
        try recordKey(StoredKey(id: certificate.member, delegation: certificate.delegation, role: .replica, name: certificate.name,
                                office: certificate.office, signingKey: certificate.memberKey.raw,
                                agreementKey: certificate.memberAgreementKey.raw),
                      trusted: false, onConflict: .ignore)
        let bytes = certificate.bytes
        try db.execute(sql: """
            INSERT OR IGNORE INTO certificate (digest, issuer, member, delegation, version, name, office, issued, bytes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [Digest.sha256hex(bytes), certificate.issuer.hex, certificate.member.hex,
                             certificate.delegation.rawValue, certificate.version, certificate.name, certificate.office,
                             certificate.issued, Data(bytes)])
        trustChanged()
    }

    /// Records this store's own key, trusted, and the store's local facts: created on `created`,
    /// its clock at zero.
    func createLocal(_ key: StoredKey, created: String) throws {
        try recordKey(key, trusted: true, onConflict: .fail)
        try db.execute(sql: "INSERT INTO local_replica (singleton, replica, clock, created_at) VALUES (1, ?, ?, ?)",
                       arguments: [key.id.hex, HLCTimestamp.zero.text, created])
    }

    /// The date this store was created.
    func createdAt() throws -> String? {
        try String.fetchOne(db, sql: "SELECT created_at FROM local_replica")
    }

    /// The id this store writes under.
    func localReplica() throws -> ReplicaID? {
        try String.fetchOne(db, sql: "SELECT replica FROM local_replica").flatMap(ReplicaID.init(hex:))
    }

    /// Makes `key` this store's writing key (a re-key): recorded, trusted, and writing again.
    func switchLocal(to key: StoredKey) throws {
        try recordKey(key, trusted: true, onConflict: .fail)
        try db.execute(sql: "UPDATE local_replica SET replica = ?, halted = NULL", arguments: [key.id.hex])
    }
}

extension Store {
    /// The stored hash of `replica`'s operation `seq`, if the log holds it: the one lookup of a
    /// stored hash (a duplicate's check, a chain's previous hash, a revocation's last good
    /// operation, a manifest's heads, a fork), by the log's key through ``SQLiteCall``.
    static func storedHash(_ db: Database, _ replica: ReplicaID, seq: Int64) throws -> String? {
        let stored = try SQLiteCall(db, "SELECT hash FROM operation WHERE author = (SELECT key FROM replica WHERE id = ?) AND seq = ?")
        try stored.bind(.text(replica.hex), .integer(seq))
        return try stored.first { $0.bytes(0).hex }
    }
}
