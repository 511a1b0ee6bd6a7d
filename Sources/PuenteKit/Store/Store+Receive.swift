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
    func receive(_ operations: [Op], wall: UInt64, heldCap: Int = defaultHeldCap) throws -> ReceiveReport {
        try write { db in try Self.receive(db, operations, wall: wall, heldCap: heldCap) }
    }

    /// ``receive(_:wall:)`` inside a caller's transaction.
    static func receive(_ db: Database, _ operations: [Op], wall: UInt64, heldCap: Int = defaultHeldCap) throws -> ReceiveReport {
        do {
            var report = ReceiveReport()
            var touched = Set<String>()
            var advanced = Set<ReplicaID>()
            let trustBefore = try TrustMap.load(db)
            let byAuthor = Dictionary(grouping: operations, by: \.replica)
            var headsBefore = [ReplicaID: Int64]()
            for author in byAuthor.keys {
                headsBefore[author] = try Int64.fetchOne(try db.cachedStatement(sql: "SELECT head_seq FROM replica WHERE id = ?"),
                                                         arguments: [author.hex]) ?? 0
            }
            for (author, ops) in byAuthor.sorted(by: { $0.key < $1.key }) {
                do {
                    try db.inSavepoint {
                        // Past a revocation cut, operations are neither kept nor relayed.
                        let cut = trustBefore.resolved.revocations[author]?.seq ?? Int64.max
                        let kept = ops.filter { $0.seq <= cut }
                        report.pastRevocation += ops.count - kept.count
                        let result = try receiveChain(db, author: author, ops: kept.sorted { $0.seq < $1.seq }, heldCap: heldCap, wall: wall)
                        report.applied[author, default: 0] += result.applied
                        report.duplicates += result.duplicates
                        report.held += result.held
                        report.evicted += result.evicted
                        touched.formUnion(result.touched)
                        if result.applied > 0 { advanced.insert(author) }
                        return .commit
                    }
                } catch let error as PuenteError {
                    report.refused[author] = error
                }
            }
            if report.refused.values.contains(where: { $0.code == .ownReplicaAhead }) {
                try db.execute(sql: "UPDATE local_replica SET halted = 'own-replica-ahead'")
            }
            let trust = try TrustMap.load(db)
            let known = Dictionary(operations.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            report.conflictsCreated = max(0, try rematerialize(db, entities: touched, trust: trust, known: known))
            // A chain that now reaches its revocation's seq settles which branch counts.
            if trust.cuts != trustBefore.cuts {
                var effect = TrustEffect()
                try recompute(db, before: trustBefore, after: trust, &effect)
                report.turnedRejected = effect.turnedRejected
            }
            for author in advanced {
                report.rejected += try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM operation WHERE replica = ? AND seq > ? AND status = 'rejected'
                    """, arguments: [author.hex, headsBefore[author] ?? 0]) ?? 0
            }
            report.entitiesChanged = touched.count

            // The clock follows accepted imported stamps only, and never past wall + 24 h.
            if !advanced.isEmpty, let clockText = try String.fetchOne(db, sql: "SELECT clock FROM local_replica"),
               let last = HLCTimestamp(text: clockText) {
                var clock = HybridLogicalClock(last: last)
                let placeholders = advanced.map { _ in "?" }.joined(separator: ",")
                let stamps = try String.fetchAll(db, sql: """
                    SELECT max(hlc) FROM operation WHERE status = 'accepted' AND replica IN (\(placeholders)) GROUP BY replica
                    """, arguments: StatementArguments(advanced.map(\.hex)))
                for stamp in stamps.compactMap(HLCTimestamp.init(text:)) where !clock.observe(stamp, wall: wall) {
                    report.farFutureStamps += 1
                }
                try db.cachedStatement(sql: "UPDATE local_replica SET clock = ?").execute(arguments: [clock.last.text])
            }
            return report
        }
    }

    /// Notes an import (of a file or a bundle) for `review --since last-import`.
    static func recordImport(_ db: Database, kind: String, operations: Int, wall: UInt64) throws {
        try db.execute(sql: "INSERT INTO import_event (at, kind, operations) VALUES (?, ?, ?)",
                       arguments: [Int64(wall), kind, operations])
    }

    /// The most operations held per author while a gap in its chain is open.
    static let defaultHeldCap = 100_000

    private struct ChainResult {
        var applied = 0
        var duplicates = 0
        var held = 0
        var evicted = 0
        var touched = Set<String>()
    }

    private static func receiveChain(_ db: Database, author: ReplicaID, ops: [Op], heldCap: Int, wall: UInt64) throws -> ChainResult {
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT head_seq, head_hash, head_hlc FROM replica WHERE id = ?"), arguments: [author.hex]) else {
            throw PuenteError(.unknownReplica, [author.hex])
        }
        if let local = try String.fetchOne(db, sql: "SELECT replica FROM local_replica"), local == author.hex {
            // Our own operations coming back: anything beyond our head means a copied store.
            let head: Int64 = row["head_seq"]
            if ops.contains(where: { $0.seq > head }) { throw PuenteError(.ownReplicaAhead, [author.hex]) }
        }
        var result = ChainResult()
        var heldCount = try Int.fetchOne(try db.cachedStatement(sql: "SELECT count(*) FROM held_operation WHERE replica = ?"),
                                         arguments: [author.hex]) ?? 0
        var headSeq: Int64 = row["head_seq"]
        var headHash: String = row["head_hash"]
        var headHLC = HLCTimestamp(text: row["head_hlc"]) ?? .zero
        for op in ops {
            let bytes = op.canonicalBytes
            let hash = op.hash
            if op.seq <= headSeq {
                let stored = try String.fetchOne(try db.cachedStatement(sql: "SELECT hash FROM operation WHERE replica = ? AND seq = ?"), arguments: [author.hex, op.seq])
                guard stored == hash else { throw PuenteError(.fork, [author.hex, String(op.seq)]) }
                result.duplicates += 1
            } else if op.seq == headSeq + 1 {
                try appendVerified(db, op: op, bytes: bytes, hash: hash, headHash: headHash, headHLC: headHLC, wall: wall)
                headSeq = op.seq
                headHash = hash
                headHLC = op.hlc
                result.applied += 1
                result.touched.insert(op.entity)
            } else {
                // Held operations are capped per author; past the cap they are dropped (evicted) and
                // come again in a later bundle. They are neither state nor `have`.
                if heldCount < heldCap {
                    try db.cachedStatement(sql: "INSERT OR IGNORE INTO held_operation (replica, seq, bytes) VALUES (?, ?, ?)").execute(arguments: [author.hex, op.seq, Data(bytes)])
                    heldCount += db.changesCount
                    result.held += 1
                } else {
                    result.evicted += 1
                }
            }
        }
        // Drain what was held and now continues the chain.
        while let heldBytes = try Data.fetchOne(try db.cachedStatement(sql: "SELECT bytes FROM held_operation WHERE replica = ? AND seq = ?"), arguments: [author.hex, headSeq + 1]) {
            let bytes = Array(heldBytes)
            let op = try Op(canonicalBytes: bytes)
            let hash = op.hash
            try appendVerified(db, op: op, bytes: bytes, hash: hash, headHash: headHash, headHLC: headHLC, wall: wall)
            try db.cachedStatement(sql: "DELETE FROM held_operation WHERE replica = ? AND seq = ?").execute(arguments: [author.hex, op.seq])
            headSeq = op.seq
            headHash = hash
            headHLC = op.hlc
            result.applied += 1
            result.held -= 1
            result.touched.insert(op.entity)
        }
        try db.cachedStatement(sql: "DELETE FROM held_operation WHERE replica = ? AND seq <= ?").execute(arguments: [author.hex, headSeq])
        try db.cachedStatement(sql: "UPDATE replica SET head_seq = ?, head_hash = ?, head_hlc = ? WHERE id = ?").execute(arguments: [headSeq, headHash, headHLC.text, author.hex])
        return result
    }

    /// Stores one operation that continues its author's chain. Its status is a placeholder that
    /// the materialization of its entity, later in the same transaction, overwrites when it
    /// differs; most operations are accepted, so most rows are written once.
    private static func appendVerified(_ db: Database, op: Op, bytes: [UInt8], hash: String,
                                       headHash: String, headHLC: HLCTimestamp, wall: UInt64) throws {
        guard op.prev == headHash else { throw PuenteError(.brokenChain, [op.replica.hex, String(op.seq), "prev"]) }
        guard op.hlc > headHLC else { throw PuenteError(.brokenChain, [op.replica.hex, String(op.seq), "hlc"]) }
        try db.cachedStatement(sql: """
            INSERT INTO operation (replica, seq, hlc, hash, entity, kind, field, bytes, status, reason, arrived)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'accepted', NULL, ?)
            """).execute(arguments: [op.replica.hex, op.seq, op.hlc.text, hash, op.entity, op.kind.rawValue, op.field, Data(bytes),
                                     Int64(wall)])
    }

    /// Re-derives every materialized row from the stored operations, with the same function
    /// incremental writes use.
    func rebuild() throws {
        try write { db in
            try db.execute(sql: "DELETE FROM entity")
            try db.execute(sql: "UPDATE operation SET status = 'pending', reason = 'waiting-create'")
            let entities = try String.fetchSet(db, sql: "SELECT DISTINCT entity FROM operation")
            try Self.rematerialize(db, entities: entities, trust: try TrustMap.load(db))
        }
    }
}
