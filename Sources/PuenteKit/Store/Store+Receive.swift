import Foundation
import GRDB
import PuenteCrypto

extension Store {
    /// Stores operations from other replicas, in any order, in one transaction.
    ///
    /// Each author's chain must link: an operation that continues the stored head is appended,
    /// one after a gap is held until the gap fills, one already stored is a duplicate when its
    /// hash matches; a different operation at a stored `seq` is a fork and refuses that author's
    /// batch. Authors must be known (their key registered); untrusted ones stay pending.
    func receive(_ operations: [Op], wall: UInt64, heldCap: Int = defaultHeldCap,
                 stepFrom: Int = Intake.stepFrom) throws -> ReceiveReport {
        try write { tx in try Self.receive(tx.db, operations, wall: wall, heldCap: heldCap, stepFrom: stepFrom) }
    }

    /// ``receive(_:wall:)`` inside a caller's transaction.
    static func receive(_ db: Database, _ operations: [Op], wall: UInt64, heldCap: Int = defaultHeldCap,
                        stepFrom: Int = Intake.stepFrom) throws -> ReceiveReport {
        let intake = try Intake(db, wall: wall, heldCap: heldCap, operationsInMemory: operations.count, stepFrom: stepFrom)
        let byAuthor = Dictionary(grouping: operations, by: \.replica)
        for (author, ops) in byAuthor.sorted(by: { $0.key < $1.key }) {
            do {
                try db.inSavepoint {
                    let chain = try intake.begin(author)
                    for op in ops.sorted(by: { $0.seq < $1.seq }) { try intake.take(op, into: chain) }
                    try intake.end(chain)
                    return .commit
                }
            } catch let error as PuenteError {
                intake.refuse(author, error)
            }
        }
        return try intake.finish()
    }

    /// Notes an import (of a file or a bundle) for `review --since last-import`.
    static func recordImport(_ db: Database, kind: String, operations: Int, wall: UInt64) throws {
        try db.execute(sql: "INSERT INTO import_event (at, kind, operations) VALUES (?, ?, ?)",
                       arguments: [Int64(wall), kind, operations])
    }

    /// The most operations held per author while a gap in its chain is open.
    static let defaultHeldCap = 100_000

    /// Stores one operation that continues its author's chain. Its status is a placeholder that
    /// the materialization of its entity, later in the same transaction, overwrites when it
    /// differs; most operations are accepted, so most rows are written once.
    static func appendVerified(_ db: Database, op: Op, hash: String, headHash: String, headHLC: HLCTimestamp,
                               arrived: Int64?, keys: OperationKeys) throws {
        guard op.prev == headHash else { throw PuenteError(.brokenChain, [op.replica.hex, String(op.seq), "prev"]) }
        guard op.hlc > headHLC else { throw PuenteError(.brokenChain, [op.replica.hex, String(op.seq), "hlc"]) }
        try OperationRow.insert(db, op, hash: hash, arrived: arrived, keys: keys)
    }

    /// Re-derives every materialized row from the stored operations, with the same function
    /// incremental writes use.
    func rebuild(searchBatchSize: Int = SearchIndexUpdates.defaultBatchSize, watch: WorkWatch = .none) throws {
        try write { tx in
            let db = tx.db
            try db.execute(sql: "DELETE FROM entity")
            try db.execute(sql: "DELETE FROM commitment_fts")
            try db.execute(sql: "UPDATE operation SET status = 1, reason = 'waiting-create'")
            let entities = try String.fetchSet(db, sql: "SELECT DISTINCT entity FROM operation_text")
            try Self.rematerialize(db, entities: entities, trust: try TrustMap.load(db), searchBatchSize: searchBatchSize, watch: watch)
        }
    }
}
