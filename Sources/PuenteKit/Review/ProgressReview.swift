import Foundation
import GRDB

/// One indicator's standing: its latest reading against baseline and target.
public struct IndicatorProgress: Sendable, Equatable {
    public let id: String
    public let commitment: String
    public let commitmentTitleEN: String?
    public let commitmentTitleES: String?
    public let nameEN: String?
    public let nameES: String?
    public let kind: IndicatorKind
    public let direction: Direction
    public let unit: String?
    public let baseline: String?
    public let target: String?
    public let latest: String?
    public let latestDate: String?
    /// How far the latest reading has moved from baseline toward target, honoring direction:
    /// 0 at baseline, 1 at target, below 0 when it moved the wrong way, above 1 past the target.
    /// Nil without a reading or when baseline equals target.
    public let progress: Double?

    /// The progress of `latest` from `baseline` toward `target`.
    public static func progress(baseline: String?, target: String?, latest: String?, direction: Direction) -> Double? {
        guard let b = baseline.flatMap(Double.init), let g = target.flatMap(Double.init), let v = latest.flatMap(Double.init),
              g != b else { return nil }
        switch direction {
        case .increase: return (v - b) / (g - b)
        case .decrease: return (b - v) / (b - g)
        }
    }
}

/// A commitment that changed since the review's `since` point, with what changed and who changed it.
public struct ReviewChange: Sendable, Equatable {
    public let commitment: CommitmentSummary
    public let created: Bool
    /// Fields changed (of the commitment, its indicators and notes), sorted.
    public let fields: [String]
    /// Display names of the authors of those changes, sorted.
    public let authors: [String]
}

/// Where `review --since` starts counting.
public enum ReviewSince: Sendable, Equatable {
    /// Operations that arrived on or after this date (`YYYY-MM-DD`, UTC).
    case date(String)
    /// Operations that arrived with the last import of a file or bundle.
    case lastImport
}

/// The numbers of the progress dashboard, computed from the materialized state.
///
/// Every count covers the whole record. A list holds its first `limit` items (all of them when
/// `limit` is nil), so a terminal page costs the same on a record of any size.
public struct ProgressReview: Sendable, Equatable {
    /// The date the review was computed for (overdue means due before it).
    public let asOf: String
    public let total: Int
    /// Commitments per pillar and status.
    public let byPillar: [String: [String: Int]]
    /// Commitments per owner and status.
    public let byOwner: [String: [String: Int]]
    /// Open commitments due before `asOf`, earliest first.
    public let overdue: [CommitmentSummary]
    public let overdueCount: Int
    /// Open commitments due from `asOf` to 30 days after it, earliest first.
    public let dueSoon: [CommitmentSummary]
    public let dueSoonCount: Int
    /// Stalled commitments, in list order.
    public let stalled: [CommitmentSummary]
    public let stalledCount: Int
    /// Commitments the two delegations assess differently, in list order.
    public let disagreements: [CommitmentSummary]
    public let disagreementCount: Int
    /// Open conflicts (registers with several live values).
    public let conflicts: Int
    /// Open conflicts, one per entity and field.
    public let conflictList: [ConflictItem]
    /// For each disagreement listed, who wrote each delegation's assessment (name from the certificate or card).
    public let assessors: [String: [Delegation: String]]
    /// Standing indicators with their progress: outcome ones, then output ones; within a kind, in
    /// the order `list` shows their commitments, then by name and id. With a limit, the first
    /// `limit` of each kind.
    public let indicators: [IndicatorProgress]
    /// How many standing indicators there are of each kind.
    public let indicatorCounts: [IndicatorKind: Int]
    /// The start of `changes`, as a UTC timestamp, when asked for.
    public let since: String?
    /// Commitments changed since `since`, by id.
    public let changes: [ReviewChange]
    public let changeCount: Int
    /// The most items a list holds; nil when every list is whole.
    public let limit: Int?

    /// The days after `asOf` that count as due soon.
    public static let dueSoonDays = 30
}

extension Replica {
    /// The progress review as of `date` (default: today by the wall clock), with what changed
    /// since `since` when given. With `limit`, each list holds its first `limit` items; counts
    /// come from tallies and indexes (migration v11), so the review reads only the rows it shows.
    public func review(asOf date: String? = nil, since: ReviewSince? = nil, limit: Int? = nil) throws -> ProgressReview {
        try review(asOf: date, since: since) { lists in
            let tallies = try lists.tallies()
            var overdue = [CommitmentSummary]()
            let overdueCount = try lists.overdue(limit: limit) { overdue.append($0) }
            var dueSoon = [CommitmentSummary]()
            let dueSoonCount = try lists.dueSoon(limit: limit) { dueSoon.append($0) }
            var stalled = [CommitmentSummary]()
            let stalledCount = try lists.stalled(limit: limit) { stalled.append($0) }
            var disagreements = [CommitmentSummary]()
            var assessors = [String: [Delegation: String]]()
            let disagreementCount = try lists.disagreements(limit: limit) { commitment, by in
                disagreements.append(commitment)
                if !by.isEmpty { assessors[commitment.id] = by }
            }
            var conflictList = [ConflictItem]()
            try lists.conflicts(limit: limit) { conflictList.append($0) }
            var indicators = [IndicatorProgress]()
            try lists.indicators(limit: limit) { indicators.append($0) }
            var changes = [ReviewChange]()
            let changeCount = try lists.changes(limit: limit) { changes.append($0) }
            return ProgressReview(asOf: lists.asOf, total: tallies.total, byPillar: tallies.byPillar, byOwner: tallies.byOwner,
                                  overdue: overdue, overdueCount: overdueCount, dueSoon: dueSoon, dueSoonCount: dueSoonCount,
                                  stalled: stalled, stalledCount: stalledCount,
                                  disagreements: disagreements, disagreementCount: disagreementCount,
                                  conflicts: try lists.conflictCount(), conflictList: conflictList, assessors: assessors,
                                  indicators: indicators, indicatorCounts: try lists.indicatorCounts(),
                                  since: lists.since, changes: changes, changeCount: changeCount, limit: limit)
        }
    }

    /// Reads the progress review through `body` in one read transaction: the same numbers as
    /// ``review(asOf:since:limit:)``, with each list handed over an item at a time, so a review
    /// of any size is written (`--json`) without being held. `lists` is valid only inside `body`.
    public func review<T>(asOf date: String? = nil, since: ReviewSince? = nil,
                          _ body: (_ lists: ReviewLists) throws -> T) throws -> T {
        let asOf = date ?? today
        return try store.read { db in
            let start = try since.flatMap { try Self.sinceMillis(db, $0) }
            return try body(ReviewLists(db: db, replicas: try Store.replicas(db), asOf: asOf,
                                        soonLimit: Self.addDays(ProgressReview.dueSoonDays, to: asOf), start: start))
        }
    }

    /// `date` plus `days`, as `YYYY-MM-DD` (UTC).
    static func addDays(_ days: Int, to date: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard let start = formatter.date(from: date) else { return date }
        return formatter.string(from: start.addingTimeInterval(Double(days) * 86_400))
    }

    static func sinceMillis(_ db: Database, _ since: ReviewSince) throws -> UInt64? {
        switch since {
        case .lastImport:
            return try Int64.fetchOne(db, sql: "SELECT max(at) FROM import_event").map { UInt64(max(0, $0)) }
        case .date(let text):
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            return formatter.date(from: text).map { UInt64(max(0, $0.timeIntervalSince1970 * 1000)) }
        }
    }

    /// Indicators of one kind (the argument) in review order: their commitment's place in
    /// `list`, then name and id, read from `indicator_summary` through its index on exactly that order.
    /// The columns ``indicatorProgress(_:kind:each:)`` reads, of `indicator_summary i` and its
    /// commitment's `commitment_summary c`.
    static let indicatorColumns = """
        i.id, i.parent, c.title_en, c.title_es, i.name_en, i.name_es, i.direction, i.unit, i.baseline, i.target,
            i.latest, i.latest_date
        """

    static func indicatorSQL(cut: String) -> String {
        """
        SELECT \(indicatorColumns)
        FROM indicator_summary i INDEXED BY indicator_review_order LEFT JOIN commitment_summary c ON c.id = i.parent
        WHERE i.kind = ?
        ORDER BY i.parent_due IS NULL, i.parent_due, i.parent_title, i.parent, coalesce(i.name_en, i.name_es, ''), i.id
        """ + cut
    }

    /// Every standing indicator with its progress, in the review's order (outcome ones first).
    public func indicators() throws -> [IndicatorProgress] {
        var result = [IndicatorProgress]()
        try store.read { db in
            for kind in [IndicatorKind.outcome, .output] {
                try Self.indicatorProgress(db, kind: kind, cut: "") { result.append($0) }
            }
        }
        return result
    }

    /// Hands the standing indicators of `kind` to `each` in review order, one at a time.
    static func indicatorProgress(_ db: Database, kind: IndicatorKind, cut: String,
                                  each: (IndicatorProgress) throws -> Void) throws {
        try indicatorProgress(try Row.fetchCursor(db, sql: indicatorSQL(cut: cut), arguments: [kind.rawValue]), kind: kind, each: each)
    }

    /// Hands the standing indicators of `kind` of one commitment to `each`, in review order
    /// (within one commitment: by name, then id).
    static func indicatorProgress(_ db: Database, kind: IndicatorKind, parent: String,
                                  each: (IndicatorProgress) throws -> Void) throws {
        let statement = try db.cachedStatement(sql: """
            SELECT \(indicatorColumns)
            FROM indicator_summary i LEFT JOIN commitment_summary c ON c.id = i.parent
            WHERE i.parent = ? AND i.kind = ?
            ORDER BY coalesce(i.name_en, i.name_es, ''), i.id
            """)
        try indicatorProgress(try Row.fetchCursor(statement, arguments: [parent, kind.rawValue]), kind: kind, each: each)
    }

    /// The indicators of `rows` (``indicatorColumns``), all of `kind`.
    private static func indicatorProgress(_ rows: RowCursor, kind: IndicatorKind, each: (IndicatorProgress) throws -> Void) throws {
        while let row = try rows.next() {
            let direction = (row[6] as String?).flatMap(Direction.init(rawValue:)) ?? .increase
            let name: (en: String?, es: String?) = (row[4], row[5])
            let baseline: String? = row[8]
            let target: String? = row[9]
            let latest: String? = row[10]
            let progress = IndicatorProgress.progress(baseline: baseline, target: target, latest: latest, direction: direction)
            try each(IndicatorProgress(
                id: row[0], commitment: row[1], commitmentTitleEN: row[2], commitmentTitleES: row[3],
                nameEN: name.en, nameES: name.es, kind: kind, direction: direction, unit: row[7], baseline: baseline,
                target: target, latest: latest, latestDate: row[11], progress: progress))
        }
    }

    /// Commitments changed since `since` — listed ones with an accepted operation that arrived
    /// since then, on themselves or on their indicators and notes — by id: how many, and the
    /// first `limit`. Which changed comes from the index on `entity.changed_at` (migration
    /// v13), so the cost follows the entities that changed, not every operation since; what
    /// changed and who changed it is read for the listed ones alone (a page), or in one pass
    /// over the operations of the entities that changed (the whole list).
    static func changes(_ db: Database, since: UInt64, replicas: [ReplicaID: ReplicaInfo], limit: Int?,
                        each: (ReviewChange) throws -> Void) throws -> Int {
        let start = Int64(clamping: since)
        let changedTargets = """
            SELECT CASE WHEN type = 'commitment' THEN id ELSE parent END FROM entity INDEXED BY entity_by_change
            WHERE changed_at >= ?
            """
        // One pass counts them all and keeps the first `limit` (the set of changed entities is
        // gathered once, not once for the count and again for the page).
        let rows = try Row.fetchCursor(db, sql: """
            SELECT \(summaryColumns) FROM commitment_summary c WHERE c.id IN (\(changedTargets)) ORDER BY c.id
            """, arguments: [start])
        // What changed and who changed it: for a page, each listed commitment's operations
        // and its children's; for the whole list, one pass over the operations of every entity
        // that changed (one query instead of one per commitment).
        var changed = [String: (fields: Set<String>, authors: Set<String>, created: Bool)]()
        func note(target: String, row: Row) {
            let entity: String = row[1]
            let kind: String = row[2]
            let field: String = row[3]
            var entry = changed[target] ?? ([], [], false)
            if entity == target, kind == OpKind.create.rawValue { entry.created = true }
            let name = entity.hasPrefix("indicator/") ? "indicators" : entity.hasPrefix("note/") ? "notes" : field
            if !name.isEmpty { entry.fields.insert(name) }
            if let id = ReplicaID(hex: row[0]) { entry.authors.insert(replicas[id]?.name ?? id.short) }
            changed[target] = entry
        }
        if limit == nil {
            let all = try Row.fetchCursor(db, sql: """
                SELECT o.replica, o.entity, o.kind, o.field, CASE WHEN e.type = 'commitment' THEN e.id ELSE e.parent END
                FROM entity e INDEXED BY entity_by_change JOIN operation o INDEXED BY operation_by_entity ON o.entity = e.id
                WHERE e.changed_at >= ? AND o.arrived >= ? AND o.status = 'accepted'
                """, arguments: [start, start])
            while let row = try all.next() {
                if let target = row[4] as String? { note(target: target, row: row) }
            }
        }
        let operations = try db.cachedStatement(sql: """
            SELECT o.replica, o.entity, o.kind, o.field FROM operation o INDEXED BY operation_by_entity
            WHERE o.entity IN (SELECT ? UNION ALL SELECT id FROM entity WHERE parent = ?) AND o.arrived >= ? AND o.status = 'accepted'
            """)
        var handed = 0
        var count = 0
        while let row = try rows.next() {
            count += 1
            if let limit, handed >= limit { continue }
            guard let commitment = summary(row) else { continue }
            if limit != nil {
                let found = try Row.fetchCursor(operations, arguments: [commitment.id, commitment.id, start])
                while let operation = try found.next() { note(target: commitment.id, row: operation) }
            }
            let entry = changed.removeValue(forKey: commitment.id) ?? ([], [], false)
            handed += 1
            try each(ReviewChange(commitment: commitment, created: entry.created, fields: entry.fields.sorted(),
                                  authors: entry.authors.sorted()))
        }
        return count
    }
}

/// The parts of one progress review, read within its read transaction (see
/// ``Replica/review(asOf:since:_:)``; valid only inside the function given there). Each list
/// hands its items over one at a time, in the order the terminal shows them; `limit` keeps the
/// first `limit` (nil: all of them).
public struct ReviewLists {
    let db: Database
    let replicas: [ReplicaID: ReplicaInfo]
    /// The date the review is computed for (overdue means due before it).
    public let asOf: String
    let soonLimit: String
    /// Where `review --since` starts, in milliseconds; nil when not asked for (or no import yet).
    let start: UInt64?

    /// The start of the changes, as a UTC timestamp, when asked for.
    public var since: String? { start.map(Replica.isoTimestamp(millis:)) }

    /// All commitments, and per pillar and per owner, per status (from the tallies).
    public func tallies() throws -> (total: Int, byPillar: [String: [String: Int]], byOwner: [String: [String: Int]]) {
        var byPillar = [String: [String: Int]]()
        var byOwner = [String: [String: Int]]()
        var total = 0
        for row in try Row.fetchAll(db, sql: "SELECT pillar, owner, status, n FROM commitment_tally WHERE n > 0") {
            let pillar: String = row[0]
            let owner: String = row[1]
            let stored: String = row[2]
            let status = stored.isEmpty ? "proposed" : stored
            let count: Int = row[3]
            byPillar[pillar.isEmpty ? "-" : pillar, default: [:]][status, default: 0] += count
            byOwner[owner, default: [:]][status, default: 0] += count
            total += count
        }
        return (total, byPillar, byOwner)
    }

    /// Open commitments due before `asOf`, earliest first. Returns how many there are in all.
    @discardableResult
    public func overdue(limit: Int?, _ each: (CommitmentSummary) throws -> Void) throws -> Int {
        try listed(ReviewList.overdue, StatementArguments([asOf]), limit: limit, each)
    }

    /// Open commitments due from `asOf` to 30 days after it, earliest first. Returns how many in all.
    @discardableResult
    public func dueSoon(limit: Int?, _ each: (CommitmentSummary) throws -> Void) throws -> Int {
        try listed(ReviewList.dueSoon, StatementArguments([asOf, soonLimit]), limit: limit, each)
    }

    /// Stalled commitments, in list order. Returns how many in all.
    @discardableResult
    public func stalled(limit: Int?, _ each: (CommitmentSummary) throws -> Void) throws -> Int {
        try listed(ReviewList.stalled, StatementArguments([CommitmentStatus.stalled.rawValue]), limit: limit, each)
    }

    /// Commitments the two delegations assess differently, in list order, each with who wrote
    /// each delegation's assessment (name from the certificate or card). Returns how many in all.
    @discardableResult
    public func disagreements(limit: Int?, _ each: (CommitmentSummary, [Delegation: String]) throws -> Void) throws -> Int {
        let statement = try db.cachedStatement(sql: "SELECT replica FROM register_value WHERE entity = ? AND field = ? AND winner = 1")
        return try listed(ReviewList.disagreements, StatementArguments(), limit: limit) { commitment in
            var assessors = [Delegation: String]()
            for delegation in Delegation.allCases {
                if let author = try String.fetchOne(statement, arguments: [commitment.id, "assessment.\(delegation.rawValue)"])
                    .flatMap(ReplicaID.init(hex:)) {
                    assessors[delegation] = replicas[author]?.name ?? author.short
                }
            }
            try each(commitment, assessors)
        }
    }

    /// How many open conflicts (registers with several live values) there are.
    public func conflictCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT DISTINCT entity, field FROM register_value WHERE winner = 0)") ?? 0
    }

    /// Open conflicts, one per entity and field, in that order.
    public func conflicts(limit: Int?, _ each: (ConflictItem) throws -> Void) throws {
        try Replica.conflicts(db, replicas: replicas, limit: limit, each: each)
    }

    /// How many standing indicators there are of each kind.
    public func indicatorCounts() throws -> [IndicatorKind: Int] {
        var counts = [IndicatorKind: Int]()
        for row in try Row.fetchAll(db, sql: "SELECT kind, n FROM indicator_tally WHERE n > 0") {
            if let kind = IndicatorKind(rawValue: row[0]) { counts[kind] = row[1] }
        }
        return counts
    }

    /// Standing indicators with their progress: outcome ones, then output ones (the first
    /// `limit` of each kind); within a kind, in the order `list` shows their commitments, then
    /// by name and id.
    public func indicators(limit: Int?, _ each: (IndicatorProgress) throws -> Void) throws {
        for kind in [IndicatorKind.outcome, .output] {
            try Replica.indicatorProgress(db, kind: kind, cut: Self.cut(limit), each: each)
        }
    }

    /// Commitments changed since the review's start, by id (none when it has no start).
    /// Returns how many in all.
    @discardableResult
    public func changes(limit: Int?, _ each: (ReviewChange) throws -> Void) throws -> Int {
        guard let start else { return 0 }
        return try Replica.changes(db, since: start, replicas: replicas, limit: limit, each: each)
    }

    /// Hands over the first rows of `list` and returns how many commitments it holds: the rows
    /// read when it is whole, its index's count when it is cut.
    private func listed(_ list: ReviewList, _ arguments: StatementArguments, limit: Int?,
                        _ each: (CommitmentSummary) throws -> Void) throws -> Int {
        let cursor = try Row.fetchCursor(db, sql: list.listSQL(cut: Self.cut(limit)), arguments: arguments)
        var rows = 0
        while let row = try cursor.next() {
            rows += 1
            if let summary = Replica.summary(row) { try each(summary) }
        }
        guard limit != nil else { return rows }
        return try Int.fetchOne(db, sql: list.countSQL, arguments: arguments) ?? 0
    }

    /// The LIMIT clause of `limit`, or none.
    static func cut(_ limit: Int?) -> String { limit.map { " LIMIT \(max(0, $0))" } ?? "" }
}

/// A list of commitments in the review: the index it reads (migration v11), its condition and
/// its order. Its count and its first rows come from the index alone.
struct ReviewList: Sendable {
    let index: String
    let condition: String
    let order: String

    var countSQL: String {
        "SELECT count(*) FROM commitment_summary c INDEXED BY \(index) WHERE \(condition)"
    }

    func listSQL(cut: String) -> String {
        "SELECT \(Replica.summaryColumns) FROM commitment_summary c INDEXED BY \(index) WHERE \(condition) ORDER BY \(order)" + cut
    }

    /// Open statuses, written as the WHERE clause of `commitment_open_by_due` is (SQLite uses a
    /// partial index only for a query that repeats its condition).
    static let openStatuses: String = {
        let terms: [String] = CommitmentStatus.allCases.filter(\.isOpen).map { "status = '\($0.rawValue)'" }
        return "(" + terms.joined(separator: " OR ") + ")"
    }()

    /// `list`'s order for commitments that all have a due date: the order of `commitment_open_by_due`.
    static let datedOrder = "due, coalesce(title_en, title_es), c.id"

    /// Open and due before the date given.
    static let overdue = ReviewList(index: "commitment_open_by_due", condition: openStatuses + " AND due < ?", order: datedOrder)
    /// Open and due between the two dates given.
    static let dueSoon = ReviewList(index: "commitment_open_by_due", condition: openStatuses + " AND due >= ? AND due <= ?",
                                    order: datedOrder)
    /// In the status given, in list order.
    static let stalled = ReviewList(index: "commitment_status_order", condition: "status = ?", order: Replica.dueOrder)
    /// Assessed by both delegations, differently: the WHERE clause of `commitment_disagreement`.
    static let disagreements: ReviewList = {
        let unassessed = Rating.notAssessed.rawValue
        let condition = "assessment_us <> assessment_mx AND assessment_us <> '\(unassessed)' AND assessment_mx <> '\(unassessed)'"
        return ReviewList(index: "commitment_disagreement", condition: condition, order: Replica.dueOrder)
    }()

    static let all = [overdue, dueSoon, stalled, disagreements]
}
