import Foundation
import GRDB

/// A list of commitments in the review: the index it reads, its condition and its order. Its
/// count and its first rows come from the index alone.
struct ReviewList: Sendable {
    let index: String
    let condition: String
    let order: String
    /// A count the tallies hold, when they hold it (the one argument is the status): read in
    /// the small tally table instead of counting index entries.
    var tallyCount: String? = nil

    var countSQL: String {
        tallyCount ?? "SELECT count(*) FROM commitment_summary c INDEXED BY \(index) WHERE \(condition)"
    }

    func listSQL(cut: String) -> String {
        "SELECT \(SummaryColumn.list) FROM commitment_summary c INDEXED BY \(index) WHERE \(condition) ORDER BY \(order)" + cut
    }

    /// Open statuses of what is not a recommendation, written as the WHERE clause of
    /// `commitment_open_by_due` is (SQLite uses a partial index only for a query that repeats
    /// its condition). An outside analysts' recommendation is no one's commitment: it is never
    /// overdue, due or stalled.
    static let openStatuses: String = {
        let terms: [String] = CommitmentStatus.allCases.filter(\.isOpen).map { "status = '\($0.rawValue)'" }
        return "(" + terms.joined(separator: " OR ") + ") AND " + notRecommendation
    }()

    static let notRecommendation = "source IS NOT '\(SourceKind.recommendation.rawValue)'"

    /// `list`'s order for commitments that all have a due date: the order of `commitment_open_by_due`.
    static let datedOrder = "due, coalesce(title_en, title_es), c.id"

    /// Open and due before the date given.
    static let overdue = ReviewList(index: "commitment_open_by_due", condition: openStatuses + " AND due < ?", order: datedOrder)
    /// Open and due between the two dates given.
    static let dueSoon = ReviewList(index: "commitment_open_by_due", condition: openStatuses + " AND due >= ? AND due <= ?",
                                    order: datedOrder)
    /// In the status given, in list order.
    /// Its count is the tallies' (which count a recommendation as `recommended`, never as its
    /// status): counting the index took a seventh of `review` on 100,000 commitments.
    static let stalled = ReviewList(index: "commitment_status_order", condition: "status = ? AND " + notRecommendation,
                                    order: SummaryColumn.dueOrder,
                                    tallyCount: "SELECT coalesce(sum(n), 0) FROM commitment_tally WHERE status = ?")
    /// Assessed by both delegations, differently: the WHERE clause of `commitment_disagreement`.
    static let disagreements: ReviewList = {
        let unassessed = Rating.notAssessed.rawValue
        let condition = "assessment_us <> assessment_mx AND assessment_us <> '\(unassessed)' AND assessment_mx <> '\(unassessed)'"
        return ReviewList(index: "commitment_disagreement", condition: condition, order: SummaryColumn.dueOrder)
    }()

    static let all = [overdue, dueSoon, stalled, disagreements]
}

/// The columns of `indicator_summary i` (and its commitment's `commitment_summary c`) that make
/// an ``IndicatorProgress``, named once, as ``SummaryColumn`` names a summary's.
enum IndicatorColumn: Int, CaseIterable {
    case id, parent, titleEN, titleES, nameEN, nameES, direction, unit, baseline, target, latest, latestDate
    case illustrative, latestFrom, unitES, baselineDate, targetDate, estimate

    var column: String {
        switch self {
        case .id: "i.id"
        case .parent: "i.parent"
        case .titleEN: "c.title_en"
        case .titleES: "c.title_es"
        case .nameEN: "i.name_en"
        case .nameES: "i.name_es"
        case .direction: "i.direction"
        case .unit: "i.unit"
        case .baseline: "i.baseline"
        case .target: "i.target"
        case .latest: "i.latest"
        case .latestDate: "i.latest_date"
        case .illustrative: "i.illustrative"
        case .latestFrom: "i.latest_from"
        case .unitES: "i.unit_es"
        case .baselineDate: "i.baseline_date"
        case .targetDate: "i.target_date"
        case .estimate: "i.estimate"
        }
    }

    static let list = allCases.map(\.column).joined(separator: ", ")
}

extension IndicatorProgress {
    /// An indicator of `kind` from a row that selects ``IndicatorColumn/list``.
    init?(row: Row, kind: IndicatorKind) {
        func value<T: DatabaseValueConvertible>(_ column: IndicatorColumn) -> T? { row[column.rawValue] }
        guard let id: String = value(.id), let commitment: String = value(.parent) else { return nil }
        let direction = (value(.direction) as String?).flatMap(Direction.init(rawValue:)) ?? .increase
        let baseline: String? = value(.baseline)
        let target: String? = value(.target)
        let latest: String? = value(.latest)
        self.init(id: id, commitment: commitment, commitmentTitleEN: value(.titleEN), commitmentTitleES: value(.titleES),
                  nameEN: value(.nameEN), nameES: value(.nameES), kind: kind, direction: direction,
                  unit: value(.unit), unitES: value(.unitES),
                  baseline: baseline, target: target, latest: latest, latestDate: value(.latestDate), latestFrom: value(.latestFrom),
                  illustrative: Store.illustrativeFields(value(.illustrative)),
                  progress: IndicatorProgress.progress(baseline: baseline, target: target, latest: latest, direction: direction),
                  baselineDate: value(.baselineDate), targetDate: value(.targetDate), estimate: (value(.estimate) as Int64?) == 1)
    }
}

/// One row of the commitment tallies: how many commitments of a pillar and owner are in a status.
struct CommitmentTally {
    /// Empty when the commitment has none.
    let pillar: String
    let owner: String
    /// Empty when the commitment has none.
    let status: String
    let count: Int
}

extension StoreTransaction {
    /// When the latest import ran (milliseconds), if any did.
    func lastImport() throws -> UInt64? {
        try Int64.fetchOne(db, sql: "SELECT max(at) FROM import_event").map { UInt64(max(0, $0)) }
    }

    /// The non-empty commitment tallies.
    func commitmentTallies() throws -> [CommitmentTally] {
        try Row.fetchAll(db, sql: "SELECT pillar, owner, status, n FROM commitment_tally WHERE n > 0").map { row in
            CommitmentTally(pillar: row["pillar"], owner: row["owner"], status: row["status"], count: row["n"])
        }
    }

    /// Hands over the first `limit` rows of `list` (all without one) and returns how many
    /// commitments it holds: the rows read when it is whole, its index's count when it is cut.
    func reviewList(_ list: ReviewList, _ arguments: [String], limit: Int?, _ each: (CommitmentSummary) throws -> Void) throws -> Int {
        let cursor = try Row.fetchCursor(db, sql: list.listSQL(cut: Self.cut(limit)), arguments: StatementArguments(arguments))
        var rows = 0
        while let row = try cursor.next() {
            rows += 1
            if let summary = CommitmentSummary(row: row) { try each(summary) }
        }
        guard limit != nil else { return rows }
        return try Int.fetchOne(db, sql: list.countSQL, arguments: StatementArguments(arguments)) ?? 0
    }

    /// Who wrote the winning value of `field` of `entity`, if it has one.
    func winningAuthor(_ entity: String, field: String) throws -> ReplicaID? {
        let statement = try db.cachedStatement(sql: """
            SELECT r.id FROM register_value v JOIN replica r ON r.key = v.author
            WHERE v.entity = (SELECT key FROM entity WHERE id = ?) AND v.field = ? AND v.winner = 1
            """)
        return try String.fetchOne(statement, arguments: [entity, field]).flatMap(ReplicaID.init(hex:))
    }

    /// The winning assessments of `commitment`, per delegation: its writer and its value.
    func winningAssessments(_ commitment: String) throws -> [Delegation: (author: ReplicaID?, value: JSONValue)] {
        var assessments = [Delegation: (author: ReplicaID?, value: JSONValue)]()
        for row in try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT v.field, r.id AS replica, v.value FROM register_value v JOIN replica r ON r.key = v.author
            WHERE v.entity = (SELECT key FROM entity WHERE id = ?) AND v.field IN ('assessment.us', 'assessment.mx') AND v.winner = 1
            """), arguments: [commitment]) {
            let field: String = row["field"]
            guard let delegation = Delegation(rawValue: String(field.dropFirst("assessment.".count))),
                  let value = Store.storedValue(row["value"]) else { continue }
            assessments[delegation] = (ReplicaID(hex: row["replica"]), value)
        }
        return assessments
    }

    /// The `create` operations of the newest `limit` standing notes on `entity`, newest first
    /// (a note is accepted only with its create), in one statement.
    func newestNotes(on entity: String, limit: Int) throws -> [Op] {
        let keys = try logKeys
        return try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT \(OperationRow.columns) FROM entity e JOIN entity_name n ON n.key = e.key
            JOIN operation o ON o.entity = n.key AND o.kind = 0 AND o.status = 0
            WHERE e.parent = ? AND e.type = 'note' AND e.state = 'accepted' AND e.retracted = 0
            ORDER BY e.created_hlc DESC, e.id LIMIT ?
            """), arguments: [entity, limit]).map { row in try OperationRow.op(row, keys: keys) }
    }

    /// How many open conflicts (registers whose live values differ) there are: each entity
    /// keeps its own count, and only the entities that have any are read.
    func conflictCount() throws -> Int {
        try Int.fetchOne(try db.cachedStatement(sql: Self.conflictCountSQL)) ?? 0
    }

    static let conflictCountSQL = "SELECT coalesce(sum(conflicts), 0) FROM entity WHERE conflicts > 0"

    /// How many standing indicators there are of each kind.
    func indicatorCounts() throws -> [IndicatorKind: Int] {
        var counts = [IndicatorKind: Int]()
        for row in try Row.fetchAll(db, sql: "SELECT kind, n FROM indicator_tally WHERE n > 0") {
            if let kind = IndicatorKind(rawValue: row["kind"]) { counts[kind] = row["n"] }
        }
        return counts
    }

    /// Hands the standing indicators of `kind` to `each` in review order (their commitment's
    /// place in `list`, then name and id, read through the index on exactly that order): the
    /// first `limit`, or all of them.
    func indicatorProgress(kind: IndicatorKind, limit: Int?, each: (IndicatorProgress) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db, sql: Self.indicatorReviewSQL(cut: Self.cut(limit)), arguments: [kind.rawValue])
        while let row = try cursor.next() {
            if let indicator = IndicatorProgress(row: row, kind: kind) { try each(indicator) }
        }
    }

    /// The standing indicators of one kind (the argument) in review order, read through
    /// `indicator_review_order`, which has exactly that order; `cut` is a LIMIT clause or empty.
    static func indicatorReviewSQL(cut: String) -> String {
        """
        SELECT \(IndicatorColumn.list)
        FROM indicator_summary i INDEXED BY indicator_review_order LEFT JOIN commitment_summary c ON c.id = i.parent
        WHERE i.kind = ?
        ORDER BY i.parent_due IS NULL, i.parent_due, i.parent_title, i.parent, coalesce(i.name_en, i.name_es, ''), i.id
        """ + cut
    }

    /// Hands the standing indicators of `kind` of one commitment to `each`, by name, then id.
    func indicatorProgress(kind: IndicatorKind, parent: String, each: (IndicatorProgress) throws -> Void) throws {
        let statement = try db.cachedStatement(sql: """
            SELECT \(IndicatorColumn.list)
            FROM indicator_summary i LEFT JOIN commitment_summary c ON c.id = i.parent
            WHERE i.parent = ? AND i.kind = ?
            ORDER BY coalesce(i.name_en, i.name_es, ''), i.id
            """)
        let cursor = try Row.fetchCursor(statement, arguments: [parent, kind.rawValue])
        while let row = try cursor.next() {
            if let indicator = IndicatorProgress(row: row, kind: kind) { try each(indicator) }
        }
    }

    /// Commitments changed since `since` — listed ones with an accepted operation that arrived
    /// since then, on themselves or on their indicators and notes — by id: how many, and the
    /// first `limit`. Which changed comes from the index on `entity.changed_at`, so the cost
    /// follows the entities that changed, not every operation since; what changed and who
    /// changed it is read for the listed ones alone (a page), or in one pass over the
    /// operations of the entities that changed (the whole list).
    func changes(since: UInt64, limit: Int?, each: (ReviewChange) throws -> Void) throws -> Int {
        let replicas = try replicas()
        let start = Int64(clamping: since)
        let changedTargets = """
            SELECT CASE WHEN type = 'commitment' THEN id ELSE parent END FROM entity INDEXED BY entity_by_change
            WHERE changed_at >= ?
            """
        // One pass counts them all and keeps the first `limit` (the set of changed entities is
        // gathered once, not once for the count and again for the page).
        let rows = try Row.fetchCursor(db, sql: """
            SELECT \(SummaryColumn.list) FROM commitment_summary c WHERE c.id IN (\(changedTargets)) ORDER BY c.id
            """, arguments: [start])
        // What changed and who changed it: for a page, each listed commitment's operations
        // and its children's; for the whole list, one pass over the operations of every entity
        // that changed (one query instead of one per commitment).
        var changed = [String: (fields: Set<String>, authors: Set<String>, created: Bool)]()
        func note(target: String, row: Row) {
            let entity: String = row["entity"]
            let created: Bool = row["created"]
            let field: String = row["field"]
            var entry = changed[target] ?? ([], [], false)
            if entity == target, created { entry.created = true }
            let name = entity.hasPrefix("indicator/") ? "indicators" : entity.hasPrefix("note/") ? "notes" : field
            if !name.isEmpty { entry.fields.insert(name) }
            if let id = ReplicaID(hex: row["replica"]) { entry.authors.insert(replicas[id]?.name ?? id.short) }
            changed[target] = entry
        }
        if limit == nil {
            let all = try Row.fetchCursor(db, sql: """
                SELECT r.id AS replica, e.id AS entity, o.kind = 0 AS created, o.field,
                    CASE WHEN e.type = 'commitment' THEN e.id ELSE e.parent END AS target
                FROM entity e INDEXED BY entity_by_change
                JOIN operation o INDEXED BY operation_by_entity ON o.entity = e.key JOIN replica r ON r.key = o.author
                WHERE e.changed_at >= ? AND o.arrived >= ? AND o.status = 0
                """, arguments: [start, start])
            while let row = try all.next() {
                if let target = row["target"] as String? { note(target: target, row: row) }
            }
        }
        let operations = try db.cachedStatement(sql: """
            SELECT r.id AS replica, n.id AS entity, o.kind = 0 AS created, o.field FROM operation o INDEXED BY operation_by_entity
            JOIN entity_name n ON n.key = o.entity JOIN replica r ON r.key = o.author
            WHERE o.entity IN (SELECT key FROM entity WHERE id = ?1 UNION ALL SELECT key FROM entity WHERE parent = ?1)
                AND o.arrived >= ?2 AND o.status = 0
            """)
        var handed = 0
        var count = 0
        while let row = try rows.next() {
            count += 1
            if let limit, handed >= limit { continue }
            guard let commitment = CommitmentSummary(row: row) else { continue }
            if limit != nil {
                let found = try Row.fetchCursor(operations, arguments: [commitment.id, start])
                while let operation = try found.next() { note(target: commitment.id, row: operation) }
            }
            let entry = changed.removeValue(forKey: commitment.id) ?? ([], [], false)
            handed += 1
            try each(ReviewChange(commitment: commitment, created: entry.created, fields: entry.fields.sorted(),
                                  authors: entry.authors.sorted()))
        }
        return count
    }

    /// A briefing's commitments per pillar (`-` for none) and status (`proposed` for none;
    /// `recommended` for outside analysts' recommendations, as the tallies count them), those
    /// of `dialogue` or all.
    func briefingCounts(dialogue: EntityRef?) throws -> [String: [String: Int]] {
        var byPillar = [String: [String: Int]]()
        for row in try Row.fetchAll(db, sql: """
            SELECT coalesce(pillar, '-') AS pillar,
                CASE WHEN source IS 'recommendation' THEN 'recommended' ELSE coalesce(status, 'proposed') END AS status,
                count(*) AS n FROM commitment_summary c
            \(Self.briefingCondition(dialogue: dialogue, pillar: false)) GROUP BY 1, 2
            """, arguments: Self.briefingArguments(dialogue: dialogue, pillar: nil)) {
            byPillar[row["pillar"], default: [:]][row["status"]] = row["n"]
        }
        return byPillar
    }

    /// Hands a briefing's commitments (those of `dialogue`, or all; of one pillar, with nil
    /// for none, when `pillar` is given) to `each` in `list` order, with their summary texts.
    func briefingCommitments(dialogue: EntityRef?, pillar: String??,
                             each: (CommitmentSummary, _ summaryEN: String?, _ summaryES: String?) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT \(SummaryColumn.list), c.summary_en, c.summary_es FROM commitment_summary c
            \(Self.briefingCondition(dialogue: dialogue, pillar: pillar != nil))
            ORDER BY \(SummaryColumn.dueOrder)
            """, arguments: Self.briefingArguments(dialogue: dialogue, pillar: pillar))
        while let row = try cursor.next() {
            guard let summary = CommitmentSummary(row: row) else { continue }
            try each(summary, row["summary_en"], row["summary_es"])
        }
    }

    /// The WHERE clause of a briefing's commitments (after `FROM commitment_summary c`).
    private static func briefingCondition(dialogue: EntityRef?, pillar: Bool) -> String {
        let terms: [String] = (dialogue == nil ? [] : [CommitmentQuery.ofDialogue]) + (pillar ? ["pillar IS ?"] : [])
        return terms.isEmpty ? "" : "WHERE " + terms.joined(separator: " AND ")
    }

    private static func briefingArguments(dialogue: EntityRef?, pillar: String??) -> StatementArguments {
        var values = [DatabaseValue]()
        if let dialogue { values += CommitmentQuery.ofDialogueArguments(dialogue).map(\.databaseValue) }
        if let pillar { values.append(pillar.databaseValue) }
        return StatementArguments(values)
    }

    /// The LIMIT clause of `limit`, or none.
    static func cut(_ limit: Int?) -> String { limit.map { " LIMIT \(max(0, $0))" } ?? "" }
}
