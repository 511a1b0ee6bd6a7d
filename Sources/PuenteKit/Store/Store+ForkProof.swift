import Foundation
import GRDB
import PuenteCrypto

extension Store {
    /// Stores a verified fork proof; when it is new, recomputes the replica's entities.
    /// Returns whether it was new.
    @discardableResult
    static func add(_ proof: ForkProof, _ db: Database) throws -> Bool {
        try !applyTrust(db, proofs: [proof]).changes.isEmpty
    }

    /// The fork proof for `incoming` (a verified, attested run of `replica`'s chain) against the
    /// stored chain, if they differ somewhere the store holds an attested head at or beyond.
    static func forkProof(_ db: Database, replica: ReplicaID, incoming: [Op], signature: [UInt8],
                          keys: OperationKeys) throws -> ForkProof? {
        var diverging: Op?
        for op in incoming {
            guard let stored = try Store.storedHash(db, replica, seq: op.seq) else { break }
            if stored != op.hash {
                diverging = op
                break
            }
        }
        guard let first = diverging, let theirs = incoming.firstIndex(of: first) else { return nil }
        // Our branch: from the same seq to the nearest attested head on our chain.
        guard let head = try Row.fetchOne(db, sql: """
            SELECT a.seq, a.signature FROM attestation a JOIN operation_text o ON o.replica = a.replica AND o.seq = a.seq AND o.hash = a.hash
            WHERE a.replica = ? AND a.seq >= ? ORDER BY a.seq LIMIT 1
            """, arguments: [replica.hex, first.seq]) else { return nil }
        let headSeq: Int64 = head["seq"]
        guard headSeq - first.seq < Int64(ForkProof.maximumBranchLength), incoming.count - theirs <= ForkProof.maximumBranchLength
        else { return nil }
        let ours = try Row.fetchAll(db, sql: """
            SELECT \(OperationRow.columns) FROM \(OperationRow.from)
            WHERE o.author = (SELECT key FROM replica WHERE id = ?) AND o.seq BETWEEN ? AND ? ORDER BY o.seq
            """, arguments: [replica.hex, first.seq, headSeq]).map { try OperationRow.op($0, keys: keys) }
        return ForkProof(replica: replica, seq: first.seq, branches: [
            ForkProof.Branch(ops: ours, headSignature: Array(head["signature"] as Data)),
            ForkProof.Branch(ops: Array(incoming[theirs...]), headSignature: signature),
        ])
    }

    /// Every fork proof held, as canonical bytes.
    static func forkProofs(_ db: Database) throws -> [[UInt8]] {
        try Data.fetchAll(db, sql: "SELECT bytes FROM fork_proof ORDER BY replica, digest").map { Array($0) }
    }
}

extension StoreTransaction {
    /// The fork proofs this store holds, as their canonical bytes, in a fixed order.
    func forkProofs() throws -> [[UInt8]] {
        try Store.forkProofs(db)
    }
}
