import Foundation
import GRDB
import PuenteCrypto

/// A commitment as listings show it: the display value of each field.
public struct CommitmentSummary: Sendable, Equatable, Codable {
    public let id: String
    public let owner: Owner
    public let titleEN: String?
    public let titleES: String?
    public let pillar: String?
    public let area: String?
    public let status: String?
    public let priority: String?
    public let due: String?
    public let dialogue: String?
    public let lead: String?
    public let assessmentUS: String?
    public let assessmentMX: String?
    public let conflicts: Int

    public var entity: EntityRef? { EntityRef(text: id) }
}

/// How a listing is ordered.
public enum CommitmentSort: String, Sendable, CaseIterable {
    /// Due date, earliest first (undated last).
    case due
    case title
    case status
    case owner
    case pillar
    /// Most recently created first.
    case created
    /// Best match first (with `text`; otherwise by due date).
    case relevance
}

/// Which commitments a listing shows.
public struct CommitmentFilter: Sendable {
    public var owner: Owner?
    public var pillar: Pillar?
    public var area: String?
    public var status: CommitmentStatus?
    /// Only open commitments whose due date is before this date.
    public var overdueAsOf: String?
    public var dueBefore: String?
    public var dialogue: EntityRef?
    /// Words to find in either language (titles, summaries, area, lead), case and accents folded;
    /// each word matches as a prefix.
    public var text: String?
    public var sort: CommitmentSort
    public var limit: Int?

    public init(owner: Owner? = nil, pillar: Pillar? = nil, area: String? = nil, status: CommitmentStatus? = nil,
                overdueAsOf: String? = nil, dueBefore: String? = nil, dialogue: EntityRef? = nil, text: String? = nil,
                sort: CommitmentSort = .due, limit: Int? = nil) {
        self.sort = sort
        self.limit = limit
        self.owner = owner
        self.pillar = pillar
        self.area = area
        self.status = status
        self.overdueAsOf = overdueAsOf
        self.dueBefore = dueBefore
        self.dialogue = dialogue
        self.text = text
    }
}

/// A replica as the store knows it: who wrote what.
public struct ReplicaInfo: Sendable, Equatable {
    public let id: ReplicaID
    public let delegation: Delegation
    public let name: String
    public let trusted: Bool
    public let headSeq: Int64
}

/// One operation in the audit trail, with what it replaced.
public struct HistoryEntry: Sendable, Equatable {
    public let op: Op
    public let author: ReplicaInfo?
    public let status: OpStatus
    /// Values of the operations it supersedes or removes (present ones only).
    public let previous: [JSONValue]
    /// Its clock was more than 24 h ahead of this store's wall clock when it arrived: kept, never
    /// followed, and listed at that limit rather than at its stamp (it would head the log for years).
    public var clockAhead = false
}

/// A run of an author's operations dropped past a revocation cut (or refused on arrival past
/// it): neither kept nor relayed, recorded for the audit.
public struct DroppedOperations: Sendable, Equatable {
    public let author: ReplicaID
    public let authorInfo: ReplicaInfo?
    public let seqs: ClosedRange<Int64>
    public let count: Int
    /// Milliseconds since the epoch, on this store's clock.
    public let at: UInt64
    public let reason: OpReason
}

/// Everything `show` displays about one entity.
public struct EntityDetail: Sendable {
    public let state: EntityState
    public let creator: ReplicaInfo?
    public let history: [HistoryEntry]
    /// Indicators and notes attached to it, with their own state.
    public let children: [EntityState]
    /// Every replica known here, to attribute each value to its delegation and replica.
    public let authors: [ReplicaID: ReplicaInfo]
}

/// An open conflict: a register with several live values.
public struct ConflictItem: Sendable, Equatable {
    public let entity: EntityRef
    public let title: String?
    public let field: String
    public let values: [RegisterValue]
    public let authors: [ReplicaID: ReplicaInfo]
}

extension Store {
    func localIdentity() throws -> LocalIdentity? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT r.id, r.delegation, r.name, r.office FROM local_replica l JOIN replica r ON r.id = l.replica
                """), let id = ReplicaID(hex: row["id"]), let delegation = Delegation(rawValue: row["delegation"]) else { return nil }
            return LocalIdentity(replica: id, delegation: delegation, name: row["name"], office: row["office"])
        }
    }

    /// Every replica the store knows, named as its certificate names it (else its identity card),
    /// with the delegation the trust configuration gives it; `trusted` when its operations count.
    static func replicas(_ db: Database) throws -> [ReplicaID: ReplicaInfo] {
        let trust = try TrustMap.load(db)
        var out = [ReplicaID: ReplicaInfo]()
        for row in try Row.fetchAll(db, sql: "SELECT id, delegation, name, head_seq FROM replica WHERE role = 'replica'") {
            guard let id = ReplicaID(hex: row["id"]), let delegation = Delegation(rawValue: row["delegation"]) else { continue }
            out[id] = ReplicaInfo(id: id, delegation: trust.delegations[id] ?? delegation,
                                  name: trust.resolved.certified[id]?.name ?? row["name"], trusted: trust.delegations[id] != nil,
                                  headSeq: row["head_seq"])
        }
        return out
    }

    /// The values of the operations `op` supersedes or removes: present ones on its entity only.
    static func previousValues(_ db: Database, of op: Op) throws -> [JSONValue] {
        guard !op.refs.isEmpty else { return [] }
        let statement = try db.cachedStatement(sql: "SELECT bytes, hash, status FROM operation WHERE replica = ? AND seq = ?")
        var values = [JSONValue]()
        // Only what the write really superseded: a reference counts when its target is present
        // with that hash, accepted, and on the same entity and field (DESIGN); any other is
        // dormant, and showing its value would put words in the write's mouth.
        for ref in op.refs {
            guard let row = try Row.fetchOne(statement, arguments: [ref.target.replica.hex, ref.target.seq]),
                  ref.matches(hash: row["hash"]), row["status"] as String == "accepted" else { continue }
            let target = try Op(storedBytes: Array(row["bytes"] as Data), hash: row["hash"])
            guard target.entity == op.entity, target.kind == .create || target.field == op.field else { continue }
            if target.kind == .create {
                if let value = target.value[op.field] { values.append(value) }
            } else {
                values.append(target.value)
            }
        }
        return values
    }

    static func logged(_ db: Database, entity: String) throws -> [(LoggedOperation, OpStatus)] {
        try Row.fetchAll(db, sql: "SELECT bytes, hash, status, reason FROM operation WHERE entity = ? ORDER BY hlc, replica, seq",
                         arguments: [entity]).map { row in
            (LoggedOperation(op: try Op(storedBytes: Array(row["bytes"] as Data), hash: row["hash"]), hash: row["hash"]), status(row))
        }
    }

    /// When each operation of `entity` arrived here (milliseconds).
    static func arrivals(_ db: Database, entity: String) throws -> [OpID: UInt64] {
        var arrived = [OpID: UInt64]()
        for row in try Row.fetchAll(db, sql: "SELECT replica, seq, arrived FROM operation WHERE entity = ?", arguments: [entity]) {
            if let replica = ReplicaID(hex: row["replica"]) { arrived[OpID(replica: replica, seq: row["seq"])] = row["arrived"] }
        }
        return arrived
    }

    /// Whether `hlc` was more than the allowed skew ahead of the wall clock when its operation
    /// arrived (`arrived`, in milliseconds).
    static func isClockAhead(_ hlc: HLCTimestamp, arrived: UInt64?) -> Bool {
        guard let arrived else { return false }
        return hlc.millis > arrived + HybridLogicalClock.maximumForwardSkewMillis
    }

    /// Where an operation is listed in clock order: at its stamp, or, when that was too far
    /// ahead on arrival, at the limit it broke.
    static func listedClock(_ hlc: HLCTimestamp, arrived: UInt64?) -> HLCTimestamp {
        guard let arrived, isClockAhead(hlc, arrived: arrived) else { return hlc }
        return HLCTimestamp(millis: arrived + HybridLogicalClock.maximumForwardSkewMillis, counter: 0)
    }

    /// ``listedClock(_:arrived:)`` in SQL, as clock text.
    static let listedClockSQL = """
        CASE WHEN hlc > printf('%012x-ffff', arrived + \(HybridLogicalClock.maximumForwardSkewMillis))
        THEN printf('%012x-0000', arrived + \(HybridLogicalClock.maximumForwardSkewMillis)) ELSE hlc END
        """

    /// The stored status of an operation row (`status` and `reason` columns).
    static func status(_ row: Row) -> OpStatus {
        let reason = (row["reason"] as String?).flatMap(OpReason.init(text:)) ?? OpReason(.notAllowed)
        switch row["status"] as String {
        case "accepted": return .accepted
        case "rejected": return .rejected(reason)
        default: return .pending(reason)
        }
    }

    /// An entity's state, computed by the merge engine from its stored operations.
    /// One entity's state, materialized from its operations; pass `trust` when reading many.
    static func state(_ db: Database, entity: EntityRef, trust: TrustMap? = nil) throws -> EntityState {
        let ops = try logged(db, entity: entity.text).map(\.0)
        let parent = try parentContext(db, entity: entity, operations: ops)
        let trust = try trust ?? TrustMap.load(db)
        return EntityMaterializer.materialize(entity: entity, operations: ops, parent: parent,
                                              trusted: trust.delegations, cuts: trust.cuts)
    }
}

extension Replica {
    /// The shortest display form of an entity id: the first 8 digits of its UUID.
    public static func shortID(_ entity: String) -> String {
        let utf8 = entity.utf8
        let start = utf8.lastIndex(of: UInt8(ascii: "/")).map { utf8.index(after: $0) } ?? utf8.startIndex
        return String(entity[start...].prefix(8))
    }

    /// Finds the entity whose id starts with `prefix` (a short id, a full UUID, or `type/uuid`).
    public func resolveID(_ prefix: String, as type: EntityType? = nil) throws -> EntityRef {
        let cleaned = prefix.lowercased().trimmingCharacters(in: .whitespaces)
        var types = type.map { [$0] } ?? EntityType.allCases
        var body = cleaned
        if let slash = cleaned.firstIndex(of: "/"), let named = EntityType(rawValue: String(cleaned[..<slash])) {
            types = [named]
            body = String(cleaned[cleaned.index(after: slash)...])
        }
        guard body.count >= 4, body.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw PuenteError(.notFound, [prefix])
        }
        let matches = try store.read { db in
            try types.flatMap { type in
                try String.fetchAll(db, sql: "SELECT id FROM entity WHERE id >= ? AND id < ? AND state = 'accepted' LIMIT 5",
                                    arguments: ["\(type.rawValue)/\(body)", "\(type.rawValue)/\(body)~"])
            }
        }
        guard let first = matches.first, let ref = EntityRef(text: first) else {
            throw PuenteError(.notFound, [prefix])
        }
        guard matches.count == 1 else { throw PuenteError(.ambiguousID, [prefix] + matches.map { Self.shortID($0) }) }
        return ref
    }

    /// The live values of one register.
    public func registerValues(_ entity: EntityRef, field: String) throws -> [RegisterValue] {
        try store.read { db in try Store.state(db, entity: entity).registers[field] ?? [] }
    }

    /// Commitments matching `filter`, ordered by due date then title.
    public func commitments(_ filter: CommitmentFilter = CommitmentFilter()) throws -> [CommitmentSummary] {
        var summaries = [CommitmentSummary]()
        try commitments(filter) { summaries.append($0) }
        return summaries
    }

    /// Hands the commitments matching `filter` to `each` one at a time, in `filter`'s order, as
    /// they are read (all in one read transaction): a listing of any size is written without
    /// being held.
    public func commitments(_ filter: CommitmentFilter = CommitmentFilter(), each: (CommitmentSummary) throws -> Void) throws {
        let query = Self.query(filter)
        var arguments = query.arguments
        let order: String
        switch filter.sort {
        case .due: order = Self.dueOrder
        case .title: order = "coalesce(title_en, title_es) COLLATE NOCASE, c.id"
        case .status: order = "status, due IS NULL, due, c.id"
        case .owner: order = "owner, due IS NULL, due, c.id"
        case .pillar: order = "pillar, due IS NULL, due, c.id"
        case .created: order = "created_hlc DESC, c.id"
        case .relevance: order = (query.ranked ? "bm25(commitment_fts), " : "") + "due IS NULL, due, c.id"
        }
        var limit = ""
        if let count = filter.limit {
            limit = " LIMIT ?"
            arguments.append(max(0, count))
        }
        try store.read { db in
            // A cursor and column positions: a row is decoded once, with no lookup by column name.
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT \(Self.summaryColumns) FROM commitment_summary c \(query.from) ORDER BY \(order)\(limit)
                """, arguments: StatementArguments(arguments))
            while let row = try cursor.next() {
                if let summary = Self.summary(row) { try each(summary) }
            }
        }
    }

    /// How many commitments `filter` matches (its sort and limit aside).
    public func commitmentCount(_ filter: CommitmentFilter = CommitmentFilter()) throws -> Int {
        let query = Self.query(filter)
        return try store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM commitment_summary c \(query.from)",
                             arguments: StatementArguments(query.arguments)) ?? 0
        }
    }

    /// The joins and conditions of `filter` (after `FROM commitment_summary c`), their
    /// arguments, and whether full-text ranking is available.
    private static func query(_ filter: CommitmentFilter) -> (from: String, arguments: [any DatabaseValueConvertible], ranked: Bool) {
        var clauses = [String]()
        var arguments = [any DatabaseValueConvertible]()
        if let owner = filter.owner { clauses.append("owner = ?"); arguments.append(owner.rawValue) }
        if let pillar = filter.pillar { clauses.append("pillar = ?"); arguments.append(pillar.rawValue) }
        if let area = filter.area { clauses.append("area = ?"); arguments.append(area) }
        if let status = filter.status { clauses.append("status = ?"); arguments.append(status.rawValue) }
        if let date = filter.overdueAsOf {
            clauses.append("due < ? AND status NOT IN ('fulfilled', 'withdrawn')")
            arguments.append(date)
        }
        if let date = filter.dueBefore { clauses.append("due < ?"); arguments.append(date) }
        if let dialogue = filter.dialogue { clauses.append("dialogue = ?"); arguments.append(dialogue.text) }
        var join = ""
        if let text = filter.text, let query = ftsQuery(text) {
            join = "JOIN commitment_search s ON s.id = c.id JOIN commitment_fts f ON f.rowid = s.key "
            clauses.append("commitment_fts MATCH ?")
            arguments.append(query)
        }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return (join + whereClause, arguments, !join.isEmpty)
    }

    /// An FTS5 query from what a person typed: every word must match, each as a quoted prefix.
    static func ftsQuery(_ text: String) -> String? {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0 == "\"" }).map(String.init).filter { !$0.isEmpty }
        guard !words.isEmpty else { return nil }
        return words.prefix(16).map { "\"" + $0 + "\"*" }.joined(separator: " ")
    }

    /// The order of `list`: due date, undated last, then title and id. Migration v10 indexes
    /// exactly these expressions, so the first page is read without sorting every commitment.
    static let dueOrder = "due IS NULL, due, coalesce(title_en, title_es), c.id"

    /// The columns ``summary(_:)`` reads, in its order (of `commitment_summary c`).
    static let summaryColumns = """
        c.id, c.owner, c.title_en, c.title_es, c.pillar, c.area, c.status, c.priority, c.due, c.dialogue, c.lead,
        c.assessment_us, c.assessment_mx, c.conflicts
        """

    /// A summary from the columns of ``summaryColumns``, in that order.
    static func summary(_ row: Row) -> CommitmentSummary? {
        guard let owner = Owner(rawValue: row[1]) else { return nil }
        return CommitmentSummary(id: row[0], owner: owner, titleEN: row[2], titleES: row[3],
                                 pillar: row[4], area: row[5], status: row[6], priority: row[7],
                                 due: row[8], dialogue: row[9], lead: row[10],
                                 assessmentUS: row[11], assessmentMX: row[12], conflicts: row[13])
    }

    /// Every accepted entity of `type`, with its state (dialogues are few; commitments use ``commitments(_:)``).
    public func entities(of type: EntityType) throws -> [EntityState] {
        try store.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM entity WHERE type = ? AND state = 'accepted' ORDER BY created_hlc, id",
                                arguments: [type.rawValue])
                .compactMap(EntityRef.init(text:))
                .map { [trust = try TrustMap.load(db)] in try Store.state(db, entity: $0, trust: trust) }
        }
    }

    /// One entity in full: state, creator, history (every operation, rejected ones too) and children.
    public func detail(_ entity: EntityRef) throws -> EntityDetail {
        try store.read { db in
            let trust = try TrustMap.load(db)
            let state = try Store.state(db, entity: entity, trust: trust)
            let replicas = try Store.replicas(db)
            let logged = try Store.logged(db, entity: entity.text)
            let arrived = try Store.arrivals(db, entity: entity.text)
            let history = try logged.map { entry, status in
                var line = HistoryEntry(op: entry.op, author: replicas[entry.op.replica], status: status,
                                        previous: try Store.previousValues(db, of: entry.op))
                line.clockAhead = Store.isClockAhead(entry.op.hlc, arrived: arrived[entry.op.id])
                return line
            }.enumerated().sorted { first, second in
                // In clock order, a stamp too far ahead counted at the limit it broke (a stable sort).
                let (a, b) = (Store.listedClock(first.element.op.hlc, arrived: arrived[first.element.op.id]),
                              Store.listedClock(second.element.op.hlc, arrived: arrived[second.element.op.id]))
                return a != b ? a < b : first.offset < second.offset
            }.map(\.element)
            let children = try String.fetchAll(db, sql: """
                SELECT id FROM entity WHERE parent = ? AND state = 'accepted' ORDER BY created_hlc, id
                """, arguments: [entity.text]).compactMap(EntityRef.init(text:)).map { try Store.state(db, entity: $0, trust: trust) }
            return EntityDetail(state: state, creator: state.create.flatMap { replicas[$0.op.replica] },
                                history: history, children: children, authors: replicas)
        }
    }

    /// Every open conflict, read from the materialized registers (a loser row marks one).
    public func conflicts() throws -> [ConflictItem] {
        var items = [ConflictItem]()
        try conflicts { items.append($0) }
        return items
    }

    /// Hands every open conflict to `each`, in entity and field order, as it is read (all in one
    /// read transaction).
    public func conflicts(each: (ConflictItem) throws -> Void) throws {
        try store.read { db in try Self.conflicts(db, replicas: try Store.replicas(db), limit: nil, each: each) }
    }

    /// Hands the open conflicts to `each` in entity and field order (the first `limit`, or all
    /// of them), one at a time: the rows of one conflict are gathered, then handed over.
    static func conflicts(_ db: Database, replicas: [ReplicaID: ReplicaInfo], limit: Int?,
                          each: (ConflictItem) throws -> Void) throws {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT v.entity, v.field, v.replica, v.seq, v.hlc, v.value,
                (SELECT t.value FROM register_value t WHERE t.entity = v.entity AND t.field = 'title.en' AND t.winner = 1) AS title_en,
                (SELECT t.value FROM register_value t WHERE t.entity = v.entity AND t.field = 'title.es' AND t.winner = 1) AS title_es
            FROM (SELECT DISTINCT entity, field FROM register_value WHERE winner = 0 ORDER BY entity, field\(limit.map { " LIMIT \(max(0, $0))" } ?? "")) c
            JOIN register_value v ON v.entity = c.entity AND v.field = c.field
            ORDER BY v.entity, v.field, v.replica, v.seq
            """)
        // The conflict being gathered: its entity, field, titles and values so far.
        var current: (entity: String, field: String, titleEN: String?, titleES: String?, values: [RegisterValue])?
        func handOver() throws {
            guard let gathered = current, let entity = EntityRef(text: gathered.entity) else { return }
            let title = Self.storedValue(gathered.titleEN)?.stringValue ?? Self.storedValue(gathered.titleES)?.stringValue
            // One author may hold several live values (a write that named none of its own).
            let authors = Dictionary(gathered.values.compactMap { value in
                replicas[value.op.replica].map { (value.op.replica, $0) }
            }, uniquingKeysWith: { first, _ in first })
            try each(ConflictItem(entity: entity, title: title, field: gathered.field, values: gathered.values, authors: authors))
        }
        while let row = try rows.next() {
            let entityText: String = row[0]
            let field: String = row[1]
            if current?.entity != entityText || current?.field != field {
                try handOver()
                current = (entityText, field, row[6], row[7], [])
            }
            guard let replica = ReplicaID(hex: row[2]), let hlc = HLCTimestamp(text: row[4]),
                  let value = Self.storedValue(row[5]) else { continue }
            current?.values.append(RegisterValue(op: OpID(replica: replica, seq: row[3]), hlc: hlc, value: value))
        }
        try handOver()
    }

    /// A value as the materialized tables keep it (canonical JSON text).
    static func storedValue(_ text: String?) -> JSONValue? {
        guard let text else { return nil }
        return try? JSONParser.parse(Array(text.utf8))
    }

    /// The op log, newest first (by clock, then author, then newest in the chain): the latest
    /// `limit` operations with their authors and statuses.
    public func log(limit: Int = 50, rejectedOnly: Bool = false) throws -> [HistoryEntry] {
        try store.read { db in
            let replicas = try Store.replicas(db)
            var rows = rejectedOnly ? nil : try Self.latestOperations(db, limit: limit)
            if rows == nil {
                // `status <> 'accepted'` lets SQLite use the partial index of the operations that
                // are not accepted (it does not infer it from `status = 'rejected'`): 0.56 s -> ms.
                rows = try Row.fetchAll(db, sql: """
                    SELECT bytes, status, reason, arrived FROM operation
                    \(rejectedOnly ? "WHERE status <> 'accepted' AND status = 'rejected'" : "")
                    ORDER BY \(Store.listedClockSQL) DESC, replica, seq DESC LIMIT ?
                    """, arguments: [limit])
            }
            return try (rows ?? []).map { row in
                let op = try Op(canonicalBytes: Array(row["bytes"] as Data))
                var entry = HistoryEntry(op: op, author: replicas[op.replica], status: Store.status(row),
                                         previous: try Store.previousValues(db, of: op))
                entry.clockAhead = Store.isClockAhead(op.hlc, arrived: row["arrived"])
                return entry
            }
        }
    }

    /// Every run of operations dropped past a revocation cut, newest first.
    public func droppedOperations() throws -> [DroppedOperations] {
        try store.read { db in try Store.droppedOperations(db) }
    }

    /// The latest `limit` operations in log order, read from the end of each author's chain.
    /// A chain's clock strictly increases with `seq` (every stored operation is checked for
    /// it, DESIGN: Operations), so each chain read backwards is already in log order and the
    /// log is their merge: about `limit` rows read, where sorting every operation by its clock
    /// (no index has it) took about 3 s at 2,100,000 operations. Nil if a chain is out of clock
    /// order after all (the caller then sorts).
    static func latestOperations(_ db: Database, limit: Int) throws -> [Row]? {
        var chains = [(cursor: RowCursor, head: Row, hlc: String)]()
        for replica in try String.fetchAll(db, sql: "SELECT id FROM replica ORDER BY id") {
            let cursor = try Row.fetchCursor(db.makeStatement(sql: """
                SELECT bytes, status, reason, arrived, \(Store.listedClockSQL) AS hlc FROM operation WHERE replica = ? ORDER BY seq DESC
                """), arguments: [replica])
            if let row = try cursor.next() { chains.append((cursor, row.copy(), row["hlc"])) }
        }
        var rows = [Row]()
        while rows.count < limit, !chains.isEmpty {
            // The newest head: the latest clock; on a tie, the smaller author id (chains are by id).
            var newest = 0
            for index in chains.indices.dropFirst() where chains[index].hlc > chains[newest].hlc { newest = index }
            rows.append(chains[newest].head)
            if let row = try chains[newest].cursor.next() {
                let hlc: String = row["hlc"]
                // Listed clocks only ever tie within a chain where stamps ran too far ahead.
                guard hlc <= chains[newest].hlc else { return nil }
                chains[newest].head = row.copy()
                chains[newest].hlc = hlc
            } else {
                chains.remove(at: newest)
            }
        }
        return rows
    }

    /// Every replica this store knows.
    public func replicas() throws -> [ReplicaInfo] {
        try store.read { db in try Store.replicas(db).values.sorted { $0.id < $1.id } }
    }

    /// The operations of `author` after `seq`, in chain order (what a bundle carries).
    public func operations(of author: ReplicaID, after seq: Int64 = 0) throws -> [Op] {
        try store.read { db in
            try Data.fetchAll(db, sql: "SELECT bytes FROM operation WHERE replica = ? AND seq > ? ORDER BY seq",
                              arguments: [author.hex, seq]).map { try Op(canonicalBytes: Array($0)) }
        }
    }

    /// Registers another replica's key and trusts it for `delegation`, with no card or
    /// fingerprint check: for tests only. People trust keys through ``trust(card:fingerprint:)``.
    @_spi(Testing)
    public func trustReplica(signingKey: [UInt8], agreementKey: [UInt8]?, delegation: Delegation, name: String) throws {
        guard signingKey.count == 32, let id = ReplicaID(hex: Digest.sha256hex(signingKey)) else {
            throw PuenteError(.invalidValue, ["key", "32 bytes"])
        }
        try store.write { db in
            try db.execute(sql: """
                INSERT INTO replica (id, delegation, role, name, office, signing_key, agreement_key, trusted, head_seq, head_hash)
                VALUES (?, ?, 'replica', ?, '', ?, ?, 1, 0, ?)
                ON CONFLICT(id) DO UPDATE SET trusted = 1, name = excluded.name
                """, arguments: [id.hex, delegation.rawValue, name, Data(signingKey), agreementKey.map { Data($0) },
                                 Op.genesisPrev])
            let entities = try String.fetchSet(db, sql: "SELECT DISTINCT entity FROM operation WHERE replica = ?", arguments: [id.hex])
            try Store.rematerialize(db, entities: entities, trust: try TrustMap.load(db))
        }
    }

    /// This store's raw public keys (signing, agreement).
    public func publicKeys() throws -> (signing: [UInt8], agreement: [UInt8]) {
        try store.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT signing_key, agreement_key FROM replica WHERE id = ?",
                                             arguments: [identity.replica.hex]) else { throw PuenteError(.storeUnreadable, ["keys"]) }
            return (Array(row["signing_key"] as Data), Array((row["agreement_key"] as Data?) ?? Data()))
        }
    }
}

extension Replica {
    /// The accepted entity of `type` imported with `externalID`, if any.
    public func entity(externalID: String, type: EntityType) throws -> EntityRef? {
        try store.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM entity WHERE type = ? AND external_id = ? AND state = 'accepted' ORDER BY id LIMIT 1",
                                arguments: [type.rawValue, externalID]).flatMap(EntityRef.init(text:))
        }
    }
}

extension Replica {
    /// Every materialized row, every operation's status and every full-text entry, as sorted
    /// text lines: what the digest covers and everything it leaves out. Tests compare it
    /// before and after a rebuild.
    @_spi(Testing)
    public func materializedRows() throws -> [String] {
        try store.read { db in
            let queries = [
                "SELECT 'entity', * FROM entity",
                "SELECT 'register', * FROM register_value",
                "SELECT 'set', * FROM set_element",
                "SELECT 'series', * FROM series_entry",
                "SELECT 'summary', * FROM commitment_summary",
                "SELECT 'indicator', * FROM indicator_summary",
                "SELECT 'commitment-tally', * FROM commitment_tally WHERE n > 0",
                "SELECT 'indicator-tally', * FROM indicator_tally WHERE n > 0",
                "SELECT 'search', s.id, f.body FROM commitment_fts f JOIN commitment_search s ON s.key = f.rowid",
                "SELECT 'fts-rows', count(*) FROM commitment_fts",
                "SELECT 'status', replica, seq, status, reason FROM operation",
            ]
            var lines = [String]()
            for sql in queries {
                for row in try Row.fetchAll(db, sql: sql) {
                    lines.append(row.databaseValues.map(\.description).joined(separator: "|"))
                }
            }
            return lines.sorted()
        }
    }
}
