import Foundation
import GRDB

extension Store {
    /// Takes other replicas' operations into a store, one author's chain at a time and one
    /// operation at a time, inside the caller's transaction, then materializes what they
    /// touched. Only counters, the set of touched entities and a bounded number of parsed
    /// operations stay in memory, so a bundle of any length is received in bounded memory.
    ///
    /// Each author's chain must link: an operation that continues the stored head is appended,
    /// one after a gap is held until the gap fills, one already stored is a duplicate when its
    /// hash matches; a different operation at a stored `seq` is a fork. Authors must be known
    /// (their key registered); untrusted ones stay pending.
    ///
    /// The caller brackets each chain (``begin(_:)`` … ``end(_:)``) in a savepoint and rolls
    /// it back when any step throws; nothing the chain did reaches the report before ``end(_:)``.
    final class Intake {
        /// One author's chain while it is being received.
        final class Chain {
            let author: ReplicaID
            fileprivate let isLocal: Bool
            fileprivate let cut: Int64
            fileprivate let startSeq: Int64
            fileprivate var headSeq: Int64
            fileprivate var headHash: String
            fileprivate var headHLC: HLCTimestamp
            fileprivate var heldCount: Int
            fileprivate var applied = 0
            fileprivate var duplicates = 0
            fileprivate var held = 0
            fileprivate var evicted = 0
            fileprivate var pastRevocation = 0
            /// The seqs that arrived past the revocation cut, recorded as dropped when the chain ends.
            fileprivate var pastRange: ClosedRange<Int64>?
            fileprivate var touched = Set<String>()
            fileprivate var stepped = Set<String>()
            fileprivate var steppedAccepted = Set<String>()
            fileprivate var conflictDelta = 0
            fileprivate var steppedCount = 0
            fileprivate var known = [Op]()

            fileprivate init(author: ReplicaID, isLocal: Bool, cut: Int64, startSeq: Int64, headHash: String,
                             headHLC: HLCTimestamp, heldCount: Int) {
                self.author = author
                self.isLocal = isLocal
                self.cut = cut
                self.startSeq = startSeq
                headSeq = startSeq
                self.headHash = headHash
                self.headHLC = headHLC
                self.heldCount = heldCount
            }
        }

        /// Parsed operations kept for materialization, which otherwise reads them back from the
        /// log; past this many, it does (memory stays bounded, the result is the same). A parsed
        /// operation takes about 2 KiB: 5,000 of them keep a 100,000-operation import as fast as
        /// 50,000 do, at about half the peak memory (115 MiB against 212 MiB).
        static let knownCap = 5_000

        private let db: Database
        private let wall: UInt64
        private let heldCap: Int
        private let trustBefore: TrustMap
        private let local: String?
        private var report = ReceiveReport()
        /// Entities to materialize whole at the end.
        private var touched = Set<String>()
        /// Entities whose operations were all stepped, one by one: only their summaries remain.
        private var stepped = Set<String>()
        private var steppedAccepted = Set<String>()
        /// What steps read of each entity's row, kept for its next operation.
        private var stepEntities = [String: EntityMaterializer.AcceptedEntity]()
        private var steppedConflicts = 0
        private var known = [OpID: Op]()
        private var advanced = Set<ReplicaID>()
        private var headsBefore = [ReplicaID: Int64]()
        private let knownCap: Int
        private let keys: OperationKeys

        /// An entity's operations are stepped one by one (``Store/step(_:_:hash:trust:minimumHistory:keys:entities:)``)
        /// once it holds this many operations; below, it is materialized whole. Every operation
        /// that can be judged alone is stepped: a step reads the entity's row, the register's rows
        /// and the members of the operations it references, which costs less than reading and
        /// materializing even a short history (design note 61). Tests pass `Int.max` to compare
        /// the two paths.
        static let stepFrom = 0

        private let stepFrom: Int

        /// `operationsInMemory`: how many operations the caller already holds in memory anyway
        /// (all of them are then kept for materialization).
        init(_ db: Database, wall: UInt64, heldCap: Int = defaultHeldCap, operationsInMemory: Int = 0,
             knownCap: Int = Intake.knownCap, stepFrom: Int = Intake.stepFrom) throws {
            self.stepFrom = stepFrom
            self.db = db
            self.wall = wall
            self.heldCap = heldCap
            trustBefore = try TrustMap.load(db)
            local = try String.fetchOne(db, sql: "SELECT replica FROM local_replica")
            self.knownCap = max(knownCap, operationsInMemory)
            keys = try OperationKeys(db)
        }

        /// Opens `author`'s chain. Throws `unknownReplica` when its key is not registered.
        func begin(_ author: ReplicaID) throws -> Chain {
            // A chain before this one may have been rolled back, and the keys it wrote with it.
            try keys.forget()
            guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT head_seq, head_hash, head_hlc FROM replica WHERE id = ?"),
                                             arguments: [author.hex]) else {
                throw PuenteError(.unknownReplica, [author.hex])
            }
            let heldCount = try Int.fetchOne(try db.cachedStatement(sql: "SELECT count(*) FROM held_operation WHERE replica = ?"),
                                             arguments: [author.hex]) ?? 0
            let headSeq: Int64 = row["head_seq"]
            return Chain(author: author, isLocal: local == author.hex,
                         cut: trustBefore.resolved.revocations[author]?.seq ?? Int64.max,
                         startSeq: headSeq, headHash: row["head_hash"],
                         headHLC: HLCTimestamp(text: row["head_hlc"]) ?? .zero, heldCount: heldCount)
        }

        /// Takes the next operation of the chain (in ascending `seq`).
        func take(_ op: Op, into chain: Chain) throws {
            // Past a revocation cut, operations are neither kept nor relayed.
            guard op.seq <= chain.cut else {
                chain.pastRevocation += 1
                chain.pastRange = min(chain.pastRange?.lowerBound ?? op.seq, op.seq)...max(chain.pastRange?.upperBound ?? op.seq, op.seq)
                return
            }
            // Our own operations coming back: anything beyond our head means a copied store.
            if chain.isLocal, op.seq > chain.startSeq { throw PuenteError(.ownReplicaAhead, [chain.author.hex]) }
            let hash = op.hash
            if op.seq <= chain.headSeq {
                guard try Store.storedHash(db, chain.author, seq: op.seq) == hash else {
                    throw PuenteError(.fork, [chain.author.hex, String(op.seq)])
                }
                chain.duplicates += 1
            } else if op.seq == chain.headSeq + 1 {
                try Store.appendVerified(db, op: op, hash: hash, headHash: chain.headHash, headHLC: chain.headHLC,
                                         arrived: Int64(wall), keys: keys)
                chain.headSeq = op.seq
                chain.headHash = hash
                chain.headHLC = op.hlc
                chain.applied += 1
                // Stepped alone when it can be, unless its entity is to be materialized whole anyway.
                if !touched.contains(op.entity), !chain.touched.contains(op.entity),
                   let outcome = try Store.step(db, op, hash: hash, trust: trustBefore, minimumHistory: stepFrom, keys: keys,
                                                entities: &stepEntities) {
                    chain.stepped.insert(op.entity)
                    if outcome.accepted { chain.steppedAccepted.insert(op.entity) }
                    chain.conflictDelta += outcome.conflictDelta
                    chain.steppedCount += 1
                } else {
                    chain.touched.insert(op.entity)
                    if known.count + chain.known.count < knownCap { chain.known.append(op) }
                }
            } else if chain.heldCount < heldCap {
                // Held operations are capped per author; past the cap they are dropped (evicted) and
                // come again in a later bundle. They are neither state nor `have`.
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO held_operation (replica, seq, bytes) VALUES (?, ?, ?)")
                    .execute(arguments: [chain.author.hex, op.seq, Data(op.canonicalBytes)])
                chain.heldCount += db.changesCount
                chain.held += 1
            } else {
                chain.evicted += 1
            }
        }

        /// Closes the chain: drains what was held and now continues it, stores the new head, and
        /// counts the chain in the report.
        func end(_ chain: Chain) throws {
            let author = chain.author.hex
            while let heldBytes = try Data.fetchOne(try db.cachedStatement(sql: "SELECT bytes FROM held_operation WHERE replica = ? AND seq = ?"),
                                                    arguments: [author, chain.headSeq + 1]) {
                let bytes = Array(heldBytes)
                let op = try Op(canonicalBytes: bytes)
                try Store.appendVerified(db, op: op, hash: op.hash, headHash: chain.headHash, headHLC: chain.headHLC,
                                         arrived: Int64(wall), keys: keys)
                try db.cachedStatement(sql: "DELETE FROM held_operation WHERE replica = ? AND seq = ?").execute(arguments: [author, op.seq])
                chain.headSeq = op.seq
                chain.headHash = op.hash
                chain.headHLC = op.hlc
                chain.applied += 1
                chain.held -= 1
                chain.touched.insert(op.entity)
            }
            try db.cachedStatement(sql: "DELETE FROM held_operation WHERE replica = ? AND seq <= ?").execute(arguments: [author, chain.headSeq])
            try db.cachedStatement(sql: "UPDATE replica SET head_seq = ?, head_hash = ?, head_hlc = ? WHERE id = ?")
                .execute(arguments: [chain.headSeq, chain.headHash, chain.headHLC.text, author])
            report.applied[chain.author, default: 0] += chain.applied
            report.duplicates += chain.duplicates
            report.held += chain.held
            report.evicted += chain.evicted
            report.pastRevocation += chain.pastRevocation
            if let range = chain.pastRange {
                try Store.recordDropped(db, chain.author, range, count: chain.pastRevocation,
                                        reason: OpReason(.revoked, [String(chain.cut)]))
            }
            touched.formUnion(chain.touched)
            stepped.formUnion(chain.stepped)
            steppedAccepted.formUnion(chain.steppedAccepted)
            steppedConflicts += chain.conflictDelta
            report.stepped += chain.steppedCount
            for op in chain.known { known[op.id] = op }
            if chain.applied > 0 { advanced.insert(chain.author) }
            if headsBefore[chain.author] == nil { headsBefore[chain.author] = chain.startSeq }
            chain.touched = []
            chain.stepped = []
            chain.steppedAccepted = []
            chain.conflictDelta = 0
            chain.steppedCount = 0
            chain.known = []
        }

        /// Notes that `author`'s chain was refused (and its savepoint rolled back).
        func refuse(_ author: ReplicaID, _ error: PuenteError) {
            report.refused[author] = error
        }

        /// Materializes every touched entity, settles revocation branches, counts rejections and
        /// moves the clock; returns the report.
        func finish(watch: WorkWatch = .none) throws -> ReceiveReport {
            if report.refused.values.contains(where: { $0.code == .ownReplicaAhead }) {
                try db.execute(sql: "UPDATE local_replica SET halted = 'own-replica-ahead'")
            }
            let trust = try TrustMap.load(db)
            var search = SearchIndexUpdates()
            try refreshSummaries(db, entities: stepped.subtracting(touched), changed: steppedAccepted, arrived: Int64(wall),
                                 search: &search)
            stepEntities = [:]
            try search.apply(db)
            report.conflictsCreated = max(0, try rematerialize(db, entities: touched, trust: trust, known: known, watch: watch,
                                                               phase: .materializing) + steppedConflicts)
            known = [:]
            // A chain that now reaches its revocation's seq settles which branch counts.
            if trust.cuts != trustBefore.cuts {
                var effect = TrustEffect()
                try recompute(db, before: trustBefore, after: trust, &effect)
                report.turnedRejected = effect.turnedRejected
            }
            for author in advanced {
                report.rejected += try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM operation WHERE author = (SELECT key FROM replica WHERE id = ?) AND seq > ? AND status = 2
                    """, arguments: [author.hex, headsBefore[author] ?? 0]) ?? 0
            }
            report.entitiesChanged = touched.union(stepped).count

            // The clock follows accepted imported stamps only, and never past wall + 24 h.
            if !advanced.isEmpty, let clockText = try String.fetchOne(db, sql: "SELECT clock FROM local_replica"),
               let last = HLCTimestamp(text: clockText) {
                var clock = HybridLogicalClock(last: last)
                // An author's latest accepted stamp is that of its last accepted operation: clocks
                // strictly increase along a chain (checked for every stored operation). Read from the
                // end of the chain, not as the maximum over all of it: with 1,000,000 operations
                // stored for the author, that scan made importing a 3-operation bundle take 0.8 s.
                let latest = try db.cachedStatement(sql: """
                    SELECT hlc FROM operation_text WHERE replica = ? AND status = 'accepted' ORDER BY seq DESC LIMIT 1
                    """)
                let stamps = try advanced.compactMap { try String.fetchOne(latest, arguments: [$0.hex]) }
                for stamp in stamps.compactMap(HLCTimestamp.init(text:)) where !clock.observe(stamp, wall: wall) {
                    report.farFutureStamps += 1
                }
                try db.cachedStatement(sql: "UPDATE local_replica SET clock = ?").execute(arguments: [clock.last.text])
            }
            return report
        }
    }
}
