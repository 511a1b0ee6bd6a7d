import Foundation
import GRDB
import PuenteCrypto

/// What bundle export and import read from the store and record in it.
extension StoreTransaction {
    /// Where each held chain's verified prefix ends (chains holding at least one operation).
    func heads() throws -> [ReplicaID: (seq: Int64, hash: String)] {
        var heads = [ReplicaID: (seq: Int64, hash: String)]()
        for row in try Row.fetchAll(db, sql: "SELECT id, head_seq, head_hash FROM replica WHERE head_seq > 0") {
            if let id = ReplicaID(hex: row["id"]) { heads[id] = (row["head_seq"], row["head_hash"]) }
        }
        return heads
    }

    /// What `peer` is known to have, per author: the have vector of its latest bundle.
    func peerHave(_ peer: ReplicaID) throws -> [ReplicaID: (seq: Int64, hash: String)] {
        var known = [ReplicaID: (seq: Int64, hash: String)]()
        for row in try Row.fetchAll(db, sql: "SELECT replica, seq, hash FROM peer_have WHERE peer = ?", arguments: [peer.hex]) {
            if let id = ReplicaID(hex: row["replica"]) { known[id] = (row["seq"], row["hash"]) }
        }
        return known
    }

    /// Whether this store holds everything `manifest` says its bundle carries: each segment's
    /// operations up to its head (the head's operation, with that hash, is in the log, so the
    /// chain before it is too), and each certificate, revocation, rotation and fork proof.
    func holds(_ manifest: BundleManifest) throws -> Bool {
        for segment in manifest.segments {
            guard try operationHash(segment.replica, seq: segment.to) == segment.headHash else { return false }
        }
        for (table, documents) in [("certificate", manifest.certificates), ("revocation", manifest.revocations),
                                   ("rotation", manifest.rotations), ("fork_proof", manifest.forkProofs)] {
            let statement = try db.cachedStatement(sql: "SELECT count(*) FROM \(table) WHERE digest = ?")
            for bytes in documents where try Int.fetchOne(statement, arguments: [Digest.sha256hex(bytes)]) == 0 { return false }
        }
        return true
    }

    /// Where `peer` stands against this store, by the have vector of its latest bundle: the
    /// operations this store holds beyond it, and those it names that this store does not hold.
    func standing(of peer: ReplicaID) throws -> (theyLack: Int64, weLack: Int64) {
        let have = try peerHave(peer)
        let ours = try heads()
        var theyLack: Int64 = 0, weLack: Int64 = 0
        for (replica, head) in ours {
            theyLack += max(0, head.seq - (have[replica]?.seq ?? 0))
        }
        for (replica, entry) in have {
            weLack += max(0, entry.seq - (ours[replica]?.seq ?? 0))
        }
        return (theyLack, weLack)
    }

    /// Merges `peer`'s have vector into what is known of it, by pointwise maximum: a replayed
    /// old bundle never lowers it.
    func recordPeerHave(_ peer: ReplicaID, _ have: [ReplicaID: (seq: Int64, hash: String)]) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO peer_have (peer, replica, seq, hash) VALUES (?, ?, ?, ?)
            ON CONFLICT(peer, replica) DO UPDATE SET seq = excluded.seq, hash = excluded.hash WHERE excluded.seq > peer_have.seq
            """)
        for (replica, entry) in have {
            try statement.execute(arguments: [peer.hex, replica.hex, entry.seq, entry.hash])
        }
    }

    /// The highest attested head of `replica` at or below `seq` that lies on the chain this
    /// store holds: where an exported segment of that author may end.
    func attestedHead(_ replica: ReplicaID, atMost seq: Int64) throws -> (seq: Int64, hash: String, signature: [UInt8])? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT a.seq, a.hash, a.signature FROM attestation a
            JOIN operation_text o ON o.replica = a.replica AND o.seq = a.seq AND o.hash = a.hash
            WHERE a.replica = ? AND a.seq <= ? ORDER BY a.seq DESC LIMIT 1
            """, arguments: [replica.hex, seq]) else { return nil }
        return (row["seq"], row["hash"], Array(row["signature"] as Data))
    }

    /// Hands the canonical bytes and hash of `replica`'s operations from `from` to `to` to
    /// `each`, in chain order, one at a time.
    func operationBytes(_ replica: ReplicaID, from: Int64, to: Int64, each: ([UInt8], String) throws -> Void) throws {
        let keys = try logKeys
        var prev = from <= 1 ? Op.genesisPrev : try operationHash(replica, seq: from - 1)
        // Every operation an export writes: read by position through ``SQLiteCall``.
        let rows = try SQLiteCall(db, """
            SELECT \(OperationRow.chainColumns) FROM \(OperationRow.from)
            WHERE o.author = (SELECT key FROM replica WHERE id = ?) AND o.seq BETWEEN ? AND ? ORDER BY o.seq
            """)
        try rows.bind(.text(replica.hex), .integer(from), .integer(to))
        try rows.rows { row in
            let rebuilt = try OperationRow.rebuild(OperationRow.Members(chain: row), keys: keys, prev: prev)
            try each(rebuilt.bytes, rebuilt.hash)
            prev = rebuilt.hash
        }
    }

    /// What a thin line's reference restores from the store: the hash, entity and field of the
    /// operation `id`, whether it is in the log or held after a gap.
    func wireTarget(_ id: OpID) throws -> ThinWire.Target? {
        // Once per reference an import restores: through SQLite's C interface (``SQLiteCall``).
        let stored = try SQLiteCall(db, """
            SELECT o.hash, n.id, o.field FROM operation o JOIN entity_name n ON n.key = o.entity
            WHERE o.author = (SELECT key FROM replica WHERE id = ?) AND o.seq = ?
            """)
        try stored.bind(.text(id.replica.hex), .integer(id.seq))
        if let target = try stored.first({ ThinWire.Target(hash: $0.bytes(0).hex, entity: $0.text(1), field: $0.text(2)) }) {
            return target
        }
        let held = try db.cachedStatement(sql: "SELECT bytes FROM held_operation WHERE replica = ? AND seq = ?")
        guard let bytes = try Data.fetchOne(held, arguments: [id.replica.hex, id.seq]) else { return nil }
        let op = try Op(canonicalBytes: Array(bytes))
        return ThinWire.Target(hash: op.hash, entity: op.entity, field: op.field)
    }

    /// The certificates, revocations and rotations this store holds, as their signed bytes (what
    /// every bundle carries).
    func trustDocuments() throws -> (certificates: [[UInt8]], revocations: [[UInt8]], rotations: [[UInt8]]) {
        try Store.trustDocuments(db)
    }

    /// An intake for received operations in this transaction (``Store/Intake``).
    func intake(wall: UInt64, knownCap: Int) throws -> Store.Intake {
        try Store.Intake(db, wall: wall, knownCap: knownCap)
    }

    /// Runs `body` in a savepoint: kept when it returns true, rolled back when it returns false
    /// or throws.
    func inSavepoint(_ body: () throws -> Bool) throws {
        try db.inSavepoint { try body() ? .commit : .rollback }
    }

    /// The fork proof for `incoming` against the stored chain of `replica`, if they differ
    /// (``Store/forkProof(_:replica:incoming:signature:keys:)``).
    func forkProof(_ replica: ReplicaID, incoming: [Op], signature: [UInt8]) throws -> ForkProof? {
        try Store.forkProof(db, replica: replica, incoming: incoming, signature: signature, keys: try logKeys)
    }

    /// Stores a verified fork proof; returns whether it was new.
    @discardableResult
    func add(_ proof: ForkProof) throws -> Bool {
        defer { trustChanged() }
        return try Store.add(proof, db)
    }

    /// Records an import of `operations` operations at `wall` (what `review --since last-import` reads).
    func recordImport(kind: String, operations: Int, wall: UInt64) throws {
        try Store.recordImport(db, kind: kind, operations: operations, wall: wall)
    }

    /// Per peer desk (every desk but `local`): the head held of its chain, what it is known to
    /// have of `local`'s, and how many of its operations are held back, by delegation and name.
    func peers(of local: ReplicaID) throws -> [(key: StoredKey, head: Int64, hasOurs: Int64?, held: Int)] {
        try Row.fetchAll(db, sql: """
            SELECT \(StoredKey.columns), r.head_seq,
                (SELECT seq FROM peer_have p WHERE p.peer = r.id AND p.replica = ?) AS has_ours,
                (SELECT count(*) FROM held_operation h WHERE h.replica = r.id) AS held
            FROM replica r WHERE r.id <> ? AND r.role = 'replica' ORDER BY r.delegation, r.name
            """, arguments: [local.hex, local.hex]).compactMap { row in
            StoredKey(row: row).map { ($0, row["head_seq"], row["has_ours"], row["held"]) }
        }
    }
}
