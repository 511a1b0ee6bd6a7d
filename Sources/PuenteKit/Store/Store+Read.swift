import Foundation
import GRDB

extension Store {
    func localIdentity() throws -> LocalIdentity? {
        try read { tx in
            let db = tx.db
            guard let row = try Row.fetchOne(db, sql: """
                SELECT r.id, r.delegation, r.name, r.office FROM local_replica l JOIN replica r ON r.id = l.replica
                """), let id = ReplicaID(hex: row["id"]), let delegation = Delegation(rawValue: row["delegation"]) else { return nil }
            return LocalIdentity(replica: id, delegation: delegation, name: row["name"], office: row["office"])
        }
    }

    /// Every replica the store knows, named as its certificate names it (else its identity card),
    /// with the delegation the trust configuration gives it; `trusted` when its operations count.
    static func replicas(_ db: Database, trust: TrustMap) throws -> [ReplicaID: ReplicaInfo] {
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
    ///
    /// `known`: operations the caller already read with their statuses (a `show` holds its
    /// entity's whole history, where most references lead); others are read from the log.
    static func previousValues(_ db: Database, of op: Op, keys: OperationKeys,
                               known: [OpID: (op: Op, status: OpStatus)] = [:]) throws -> [JSONValue] {
        guard !op.refs.isEmpty else { return [] }
        let statement = try db.cachedStatement(sql: """
            SELECT \(OperationRow.columns) FROM \(OperationRow.from)
            WHERE o.author = (SELECT key FROM replica WHERE id = ?) AND o.seq = ?
            """)
        var values = [JSONValue]()
        // Only what the write really superseded: a reference counts when its target is present
        // with that hash, accepted, and on the same entity and field (DESIGN); any other is
        // dormant, and showing its value would put words in the write's mouth.
        for ref in op.refs {
            let target: Op
            if let held = known[ref.target] {
                guard held.status.isAccepted else { continue }
                target = held.op
            } else {
                guard let row = try Row.fetchOne(statement, arguments: [ref.target.replica.hex, ref.target.seq]),
                      OperationRow.status(row).isAccepted else { continue }
                target = try OperationRow.op(row, keys: keys)
            }
            guard ref.matches(hash: target.hash) else { continue }
            guard target.entity == op.entity, target.kind == .create || target.field == op.field else { continue }
            if target.kind == .create {
                if let value = target.value[op.field] { values.append(value) }
            } else {
                values.append(target.value)
            }
        }
        return values
    }

    /// Every operation of `entity`, in clock order, with its status and arrival.
    static func logged(_ db: Database, entity: String, keys: OperationKeys) throws -> [LoggedRow] {
        try Row.fetchAll(db, sql: """
            SELECT \(OperationRow.columns) FROM \(OperationRow.from) WHERE n.id = ?
            """, arguments: [entity]).map { row in
            LoggedRow(op: try OperationRow.op(row, keys: keys), status: OperationRow.status(row), arrived: row["arrived"])
        }.sorted { ($0.op.hlc, $0.op.replica, $0.op.seq) < ($1.op.hlc, $1.op.replica, $1.op.seq) }
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
        CASE WHEN o.millis > o.arrived + \(HybridLogicalClock.maximumForwardSkewMillis)
        THEN printf('%012x-0000', o.arrived + \(HybridLogicalClock.maximumForwardSkewMillis))
        ELSE printf('%012x-%04x', o.millis, o.counter) END
        """

    /// A value as the materialized tables keep it (canonical JSON text).
    static func storedValue(_ text: String?) -> JSONValue? {
        guard let text else { return nil }
        return try? JSONParser.parse(Array(text.utf8))
    }

    /// An entity's state, computed by the merge engine from its stored operations.
    /// One entity's state, materialized from its operations; pass `trust` when reading many.
    static func state(_ db: Database, entity: EntityRef, trust: TrustMap? = nil, keys: OperationKeys) throws -> EntityState {
        try state(db, entity: entity, operations: try logged(db, entity: entity.text, keys: keys).map(\.logged), trust: trust)
    }

    /// `entity`'s state from `ops`, every operation the log holds of it.
    static func state(_ db: Database, entity: EntityRef, operations ops: [LoggedOperation], trust: TrustMap? = nil) throws -> EntityState {
        let parent = try parentContext(db, entity: entity, operations: ops)
        let trust = try trust ?? TrustMap.load(db)
        return EntityMaterializer.materialize(entity: entity, operations: ops, parent: parent,
                                              trusted: trust.delegations, cuts: trust.cuts)
    }
}


/// The columns of `commitment_summary c` that make a ``CommitmentSummary``, named once: a query
/// selects ``list`` and decodes each row by these same names (``CommitmentSummary/init(row:)``),
/// so the select list and the decoding cannot drift apart. A row is read by position, with no
/// lookup by column name per value: listings read up to every commitment.
enum SummaryColumn: Int, CaseIterable {
    case id, owner, titleEN, titleES, pillar, area, status, priority, due, dialogue, lead, assessmentUS, assessmentMX, conflicts, source
    case illustrative, leadUS, leadMX, priorityUS, priorityMX

    var column: String {
        switch self {
        case .id: "c.id"
        case .owner: "c.owner"
        case .titleEN: "c.title_en"
        case .titleES: "c.title_es"
        case .pillar: "c.pillar"
        case .area: "c.area"
        case .status: "c.status"
        case .priority: "c.priority"
        case .due: "c.due"
        case .dialogue: "c.dialogue"
        case .lead: "c.lead"
        case .assessmentUS: "c.assessment_us"
        case .assessmentMX: "c.assessment_mx"
        case .conflicts: "c.conflicts"
        case .source: "c.source"
        case .illustrative: "c.illustrative"
        case .leadUS: "c.lead_us"
        case .leadMX: "c.lead_mx"
        case .priorityUS: "c.priority_us"
        case .priorityMX: "c.priority_mx"
        }
    }

    /// The select list, in the order of the cases.
    static let list = allCases.map(\.column).joined(separator: ", ")

    /// The order of `list`: due date, undated last, then title and id. The index
    /// `commitment_list_order` has exactly these expressions, so the first page is read without
    /// sorting every commitment.
    static let dueOrder = "due IS NULL, due, coalesce(title_en, title_es), c.id"
}

extension CommitmentSummary {
    /// A summary from a row that selects ``SummaryColumn/list`` first.
    init?(row: Row) {
        func value<T: DatabaseValueConvertible>(_ column: SummaryColumn) -> T? { row[column.rawValue] }
        guard let id: String = value(.id), let owner = (value(.owner) as String?).flatMap(Owner.init(rawValue:)) else { return nil }
        self.init(id: id, owner: owner, titleEN: value(.titleEN), titleES: value(.titleES), pillar: value(.pillar), area: value(.area),
                  status: value(.status), priority: value(.priority), due: value(.due), dialogue: value(.dialogue), lead: value(.lead),
                  assessmentUS: value(.assessmentUS), assessmentMX: value(.assessmentMX), conflicts: value(.conflicts) ?? 0,
                  source: value(.source), illustrative: Store.illustrativeFields(value(.illustrative)),
                  leadUS: value(.leadUS), leadMX: value(.leadMX), priorityUS: value(.priorityUS), priorityMX: value(.priorityMX))
    }
}

/// One operation of the log as a listing reads it: the operation, its status here, and when it
/// arrived (milliseconds, on this store's clock).
struct LoggedRow {
    let op: Op
    let status: OpStatus
    let arrived: UInt64?

    /// The operation as the materializer takes it.
    var logged: LoggedOperation { LoggedOperation(op: op, hash: op.hash) }
}

extension StoreTransaction {
    /// One entity's state, materialized from its operations.
    func state(_ entity: EntityRef) throws -> EntityState {
        try Store.state(db, entity: entity, trust: try trust, keys: try logKeys)
    }

    /// The accepted entities of `types` whose id starts with `type/body`, at most `limit` of them.
    func acceptedEntities(_ types: [EntityType], prefix body: String, limit: Int) throws -> [String] {
        let statement = try db.cachedStatement(sql: "SELECT id FROM entity WHERE id >= ? AND id < ? AND state = 'accepted' LIMIT ?")
        return try types.flatMap { type in
            try String.fetchAll(statement, arguments: ["\(type.rawValue)/\(body)", "\(type.rawValue)/\(body)~", limit])
        }
    }

    /// Every accepted entity of `type`, oldest first.
    func acceptedEntities(of type: EntityType) throws -> [EntityRef] {
        try String.fetchAll(db, sql: "SELECT id FROM entity WHERE type = ? AND state = 'accepted' ORDER BY created_hlc, id",
                            arguments: [type.rawValue]).compactMap(EntityRef.init(text:))
    }

    /// Every child of `entity` (its indicators and notes), whatever its state.
    func allChildren(of entity: EntityRef) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT id FROM entity WHERE parent = ? ORDER BY id", arguments: [entity.text])
    }

    /// The accepted children of `entity` (its indicators and notes), oldest first.
    func acceptedChildren(of entity: EntityRef) throws -> [EntityRef] {
        try String.fetchAll(db, sql: "SELECT id FROM entity WHERE parent = ? AND state = 'accepted' ORDER BY created_hlc, id",
                            arguments: [entity.text]).compactMap(EntityRef.init(text:))
    }

    /// The accepted entity of `type` imported with `externalID`, if any.
    func entity(externalID: String, type: EntityType) throws -> EntityRef? {
        try String.fetchOne(db, sql: "SELECT id FROM entity WHERE type = ? AND external_id = ? AND state = 'accepted' ORDER BY id LIMIT 1",
                            arguments: [type.rawValue, externalID]).flatMap(EntityRef.init(text:))
    }

    /// The values of the operations `op` supersedes or removes (``Store/previousValues(_:of:keys:known:)``).
    func previousValues(of op: Op, known: [OpID: (op: Op, status: OpStatus)] = [:]) throws -> [JSONValue] {
        try Store.previousValues(db, of: op, keys: try logKeys, known: known)
    }

    /// Every operation of `entity` with its status and arrival, in clock order, and its state
    /// materialized from them: what `show` reads, each operation read once.
    func history(_ entity: EntityRef) throws -> (rows: [LoggedRow], state: EntityState) {
        let rows = try Store.logged(db, entity: entity.text, keys: try logKeys)
        let state = try Store.state(db, entity: entity, operations: rows.map(\.logged), trust: try trust)
        return (rows, state)
    }

    /// The standing (not retracted) entries of series `field` written by an author whose id
    /// begins with `authorPrefix`, at `seq`, with their entities.
    func standingEntries(field: String, authorPrefix: String, seq: Int64, limit: Int) throws -> [(entity: String, entry: OpID)] {
        try Row.fetchAll(db, sql: """
            SELECT n.id AS entity, r.id AS replica FROM series_entry e
            JOIN replica r ON r.key = e.author JOIN entity_name n ON n.key = e.entity
            WHERE e.field = ? AND e.seq = ? AND r.id >= ? AND r.id < ? AND e.retracted = 0 ORDER BY r.id LIMIT ?
            """, arguments: [field, seq, authorPrefix, authorPrefix + "g", limit]).compactMap { row in
            guard let replica = ReplicaID(hex: row["replica"]) else { return nil }
            return (row["entity"], OpID(replica: replica, seq: seq))
        }
    }

    /// The operations of `author` after `seq`, in chain order.
    func operations(of author: ReplicaID, after seq: Int64) throws -> [Op] {
        let keys = try logKeys
        return try Row.fetchAll(db, sql: """
            SELECT \(OperationRow.columns) FROM \(OperationRow.from)
            WHERE o.author = (SELECT key FROM replica WHERE id = ?) AND o.seq > ? ORDER BY o.seq
            """, arguments: [author.hex, seq]).map { try OperationRow.op($0, keys: keys) }
    }

    /// Every recorded run of dropped operations, newest first (``Store/droppedOperations(_:replicas:)``).
    func droppedOperations() throws -> [DroppedOperations] {
        try Store.droppedOperations(db, replicas: try replicas())
    }

    /// Hands the commitments matching `filter` to `each` in `filter`'s order, one row at a time.
    func commitments(_ filter: CommitmentFilter, each: (CommitmentSummary) throws -> Void) throws {
        let query = CommitmentQuery(filter)
        var arguments = query.arguments
        var limit = ""
        if let count = filter.limit {
            limit = " LIMIT ?"
            arguments.append(max(0, count))
        }
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT \(SummaryColumn.list) FROM commitment_summary c \(query.from) ORDER BY \(query.order(filter.sort))\(limit)
            """, arguments: StatementArguments(arguments))
        while let row = try cursor.next() {
            if let summary = CommitmentSummary(row: row) { try each(summary) }
        }
    }

    /// How many commitments `filter` matches (its sort and limit aside).
    func commitmentCount(_ filter: CommitmentFilter) throws -> Int {
        let query = CommitmentQuery(filter)
        return try Int.fetchOne(db, sql: "SELECT count(*) FROM commitment_summary c \(query.from)",
                                arguments: StatementArguments(query.arguments)) ?? 0
    }

    /// Whether any commitment records a delegation's lead (read from a partial index, so it
    /// costs the same on any record): `list` gives the leads a column only then.
    func anyLead() throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM commitment_summary INDEXED BY commitment_with_lead
                           WHERE lead_us IS NOT NULL OR lead_mx IS NOT NULL)
            """) ?? false
    }

    /// Hands the open conflicts to `each` in entity and field order (the first `limit`, or all
    /// of them), one at a time: the rows of one conflict are gathered, then handed over.
    func conflicts(limit: Int?, each: (ConflictItem) throws -> Void) throws {
        let replicas = try replicas()
        let rows = try Row.fetchCursor(db, sql: """
            SELECT c.id AS entity, v.field, r.id AS replica, v.seq, v.hlc, v.value,
                (SELECT t.value FROM register_value t WHERE t.entity = v.entity AND t.field = 'title.en' AND t.winner = 1) AS title_en,
                (SELECT t.value FROM register_value t WHERE t.entity = v.entity AND t.field = 'title.es' AND t.winner = 1) AS title_es
            FROM (\(Store.openConflictsSQL(limit: limit))) c
            JOIN register_value v ON v.entity = c.entity AND v.field = c.field JOIN replica r ON r.key = v.author
            ORDER BY c.id, v.field, r.id, v.seq
            """)
        // The conflict being gathered: its entity, field, titles and values so far.
        var current: (entity: String, field: String, titleEN: String?, titleES: String?, values: [RegisterValue])?
        func handOver() throws {
            guard let gathered = current, let entity = EntityRef(text: gathered.entity) else { return }
            let titleEN = Store.storedValue(gathered.titleEN)?.stringValue
            let titleES = Store.storedValue(gathered.titleES)?.stringValue
            // One author may hold several live values (a write that named none of its own).
            let authors = Dictionary(gathered.values.compactMap { value in
                replicas[value.op.replica].map { (value.op.replica, $0) }
            }, uniquingKeysWith: { first, _ in first })
            try each(ConflictItem(entity: entity, title: titleEN ?? titleES, titleEN: titleEN, titleES: titleES, field: gathered.field, values: gathered.values, authors: authors))
        }
        while let row = try rows.next() {
            let entityText: String = row["entity"]
            let field: String = row["field"]
            if current?.entity != entityText || current?.field != field {
                try handOver()
                current = (entityText, field, row["title_en"], row["title_es"], [])
            }
            guard let replica = ReplicaID(hex: row["replica"]), let hlc = HLCTimestamp(text: row["hlc"]),
                  let value = Store.storedValue(row["value"]) else { continue }
            current?.values.append(RegisterValue(op: OpID(replica: replica, seq: row["seq"]), hlc: hlc, value: value))
        }
        try handOver()
    }

    /// The op log, newest first (by listed clock, then author, then newest in the chain): the
    /// latest `limit` operations, or the latest `limit` rejected ones; only those of
    /// `entities`, and only those written by `authors`, when given.
    func log(limit: Int, rejectedOnly: Bool, entities: [String]? = nil, authors: [ReplicaID]? = nil) throws -> [LoggedRow] {
        var rows = rejectedOnly || entities != nil ? nil : try latestOperations(limit: limit, authors: authors)
        if rows == nil {
            // `status <> 'accepted'` lets SQLite use the partial index of the operations that
            // are not accepted (it does not infer it from `status = 'rejected'`); an entity's
            // operations are read through their index.
            var conditions = [String]()
            var arguments = [DatabaseValueConvertible]()
            if rejectedOnly { conditions.append("o.status <> 0 AND o.status = 2") }
            if let entities {
                conditions.append("n.id IN (\(entities.map { _ in "?" }.joined(separator: ", ")))")
                arguments += entities
            }
            if let authors {
                conditions.append("r.id IN (\(authors.map { _ in "?" }.joined(separator: ", ")))")
                arguments += authors.map(\.hex)
            }
            rows = try Row.fetchAll(db, sql: """
                SELECT \(OperationRow.columns) FROM \(OperationRow.from) JOIN replica r ON r.key = o.author
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                ORDER BY \(Store.listedClockSQL) DESC, r.id, o.seq DESC LIMIT ?
                """, arguments: StatementArguments(arguments + [limit]))
        }
        let keys = try logKeys
        return try (rows ?? []).map { row in
            LoggedRow(op: try OperationRow.op(row, keys: keys), status: OperationRow.status(row), arrived: row["arrived"])
        }
    }

    /// The latest `limit` operations in log order, read from the end of each author's chain.
    /// A chain's clock strictly increases with `seq` (every stored operation is checked for
    /// it, DESIGN: Operations), so each chain read backwards is already in log order and the
    /// log is their merge: about `limit` rows read, where sorting every operation by its clock
    /// (no index has it) reads them all. Nil if a chain is out of clock order after all (the
    /// caller then sorts).
    private func latestOperations(limit: Int, authors: [ReplicaID]? = nil) throws -> [Row]? {
        var chains = [(cursor: RowCursor, head: Row, hlc: String)]()
        let ids = try authors.map { $0.map(\.hex).sorted() } ?? String.fetchAll(db, sql: "SELECT id FROM replica ORDER BY id")
        for replica in ids {
            let cursor = try Row.fetchCursor(db.makeStatement(sql: """
                SELECT \(OperationRow.columns), \(Store.listedClockSQL) AS hlc FROM \(OperationRow.from)
                WHERE o.author = (SELECT key FROM replica WHERE id = ?) ORDER BY o.seq DESC
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

    /// Every materialized row, every operation's status and every full-text entry, as sorted
    /// text lines: what the digest covers and everything it leaves out.
    func materializedRows() throws -> [String] {
        let queries = [
            // Entities and authors by their ids: keys are this store's own.
            """
            SELECT 'entity', id, type, state, owner, parent, external_id, creator, created_hlc, retracted, dangling, conflicts,
                changed_at FROM entity
            """,
            """
            SELECT 'register', n.id, v.field, r.id, v.seq, v.hlc, v.value, v.winner FROM register_value v
            JOIN entity_name n ON n.key = v.entity JOIN replica r ON r.key = v.author
            """,
            """
            SELECT 'set', n.id, s.field, s.element, r.id, s.seq FROM set_element s
            JOIN entity_name n ON n.key = s.entity JOIN replica r ON r.key = s.author
            """,
            """
            SELECT 'series', n.id, e.field, r.id, e.seq, e.hlc, e.value, e.retracted FROM series_entry e
            JOIN entity_name n ON n.key = e.entity JOIN replica r ON r.key = e.author
            """,
            "SELECT 'summary', * FROM commitment_summary",
            "SELECT 'indicator', * FROM indicator_summary",
            "SELECT 'commitment-tally', * FROM commitment_tally WHERE n > 0",
            "SELECT 'indicator-tally', * FROM indicator_tally WHERE n > 0",
            "SELECT 'search', s.id, f.body FROM commitment_fts f JOIN commitment_search s ON s.key = f.rowid",
            "SELECT 'fts-rows', count(*) FROM commitment_fts",
            "SELECT 'status', replica, seq, status, reason FROM operation_text",
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

/// The joins, conditions and order of a ``CommitmentFilter`` over `commitment_summary c`.
struct CommitmentQuery {
    /// What follows `FROM commitment_summary c`: joins and the WHERE clause.
    let from: String
    let arguments: [any DatabaseValueConvertible]
    /// Whether full-text ranking is available (a text was searched).
    let ranked: Bool

    init(_ filter: CommitmentFilter) {
        var clauses = [String]()
        var arguments = [any DatabaseValueConvertible]()
        if let owner = filter.owner { clauses.append("owner = ?"); arguments.append(owner.rawValue) }
        if let pillar = filter.pillar { clauses.append("pillar = ?"); arguments.append(pillar.rawValue) }
        if let area = filter.area { clauses.append("area = ?"); arguments.append(area) }
        if let status = filter.status { clauses.append("status = ?"); arguments.append(status.rawValue) }
        if let date = filter.overdueAsOf {
            clauses.append("due < ? AND status NOT IN ('fulfilled', 'withdrawn') AND " + ReviewList.notRecommendation)
            arguments.append(date)
        }
        if let date = filter.dueBefore { clauses.append("due < ?"); arguments.append(date) }
        if let dialogue = filter.dialogue {
            clauses.append(Self.ofDialogue)
            arguments += Self.ofDialogueArguments(dialogue)
        }
        if let source = filter.source { clauses.append("source = ?"); arguments.append(source.rawValue) }
        var join = ""
        if let text = filter.text, let query = Self.ftsQuery(text) {
            join = "JOIN commitment_search s ON s.id = c.id JOIN commitment_fts f ON f.rowid = s.key "
            clauses.append("commitment_fts MATCH ?")
            arguments.append(query)
        }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        from = join + whereClause
        self.arguments = arguments
        ranked = !join.isEmpty
    }

    /// The commitments of a dialogue, over `commitment_summary c`: made there (`dialogue`) or
    /// taken up again there (`revisited`), with ``ofDialogueArguments(_:)``.
    static let ofDialogue = """
        (c.dialogue = ? OR c.id IN (SELECT e.id FROM set_element s JOIN entity e ON e.key = s.entity
            WHERE s.field = 'revisited' AND s.element = ?))
        """

    static func ofDialogueArguments(_ dialogue: EntityRef) -> [String] {
        [dialogue.text, String(decoding: CanonicalJSON.encode(.string(dialogue.text)), as: UTF8.self)]
    }

    /// The ORDER BY clause of `sort`.
    func order(_ sort: CommitmentSort) -> String {
        switch sort {
        case .due: SummaryColumn.dueOrder
        case .title: "coalesce(title_en, title_es) COLLATE NOCASE, c.id"
        case .status: "status, due IS NULL, due, c.id"
        case .owner: "owner, due IS NULL, due, c.id"
        case .pillar: "pillar, due IS NULL, due, c.id"
        case .created: "created_hlc DESC, c.id"
        case .relevance: (ranked ? "bm25(commitment_fts), " : "") + "due IS NULL, due, c.id"
        }
    }

    /// An FTS5 query from what a person typed: every word must match, each as a quoted prefix.
    static func ftsQuery(_ text: String) -> String? {
        let words = text.split(whereSeparator: { $0.isWhitespace || $0 == "\"" }).map(String.init).filter { !$0.isEmpty }
        guard !words.isEmpty else { return nil }
        return words.prefix(16).map { "\"" + $0 + "\"*" }.joined(separator: " ")
    }
}
