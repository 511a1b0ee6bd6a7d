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
    /// Open commitments due from `asOf` to 30 days after it, earliest first.
    public let dueSoon: [CommitmentSummary]
    public let stalled: [CommitmentSummary]
    /// Commitments the two delegations assess differently.
    public let disagreements: [CommitmentSummary]
    /// Open conflicts (registers with several live values).
    public let conflicts: Int
    /// Open conflicts, one per entity and field.
    public let conflictList: [ConflictItem]
    /// For each disagreement, who wrote each delegation's assessment (name from the certificate or card).
    public let assessors: [String: [Delegation: String]]
    /// Every live indicator with its progress, outcome ones first.
    public let indicators: [IndicatorProgress]
    /// The start of `changes`, as a UTC timestamp, when asked for.
    public let since: String?
    public let changes: [ReviewChange]

    /// The days after `asOf` that count as due soon.
    public static let dueSoonDays = 30
}

extension Replica {
    /// The progress review as of `date` (default: today by the wall clock), with what changed
    /// since `since` when given.
    public func review(asOf date: String? = nil, since: ReviewSince? = nil) throws -> ProgressReview {
        let asOf = date ?? today
        let soonLimit = Self.addDays(ProgressReview.dueSoonDays, to: asOf)
        let all = try commitments()
        var byPillar = [String: [String: Int]]()
        var byOwner = [String: [String: Int]]()
        for commitment in all {
            let status = commitment.status ?? "proposed"
            byPillar[commitment.pillar ?? "-", default: [:]][status, default: 0] += 1
            byOwner[commitment.owner.rawValue, default: [:]][status, default: 0] += 1
        }
        func isOpen(_ c: CommitmentSummary) -> Bool { c.status.flatMap(CommitmentStatus.init(rawValue:))?.isOpen ?? false }
        let overdue = all.filter { c in isOpen(c) && (c.due.map { $0 < asOf } ?? false) }
        let dueSoon = all.filter { c in isOpen(c) && (c.due.map { $0 >= asOf && $0 <= soonLimit } ?? false) }
        let stalled = all.filter { $0.status == CommitmentStatus.stalled.rawValue }
        let disagreements = all.filter { c in
            guard let us = c.assessmentUS, let mx = c.assessmentMX else { return false }
            return us != mx && us != Rating.notAssessed.rawValue && mx != Rating.notAssessed.rawValue
        }
        let byID = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let conflictList = try conflicts()
        return try store.read { db in
            let replicas = try Store.replicas(db)
            var assessors = [String: [Delegation: String]]()
            let statement = try db.cachedStatement(sql: "SELECT replica FROM register_value WHERE entity = ? AND field = ? AND winner = 1")
            for commitment in disagreements {
                for delegation in Delegation.allCases {
                    if let author = try String.fetchOne(statement, arguments: [commitment.id, "assessment.\(delegation.rawValue)"])
                        .flatMap(ReplicaID.init(hex:)) {
                        assessors[commitment.id, default: [:]][delegation] = replicas[author]?.name ?? author.short
                    }
                }
            }
            let indicators = try Self.indicatorProgress(db, commitments: byID)
            var sinceText: String?
            var changes = [ReviewChange]()
            if let since, let start = try Self.sinceMillis(db, since) {
                sinceText = Self.isoTimestamp(millis: start)
                changes = try Self.changes(db, since: start, commitments: byID, replicas: replicas)
            }
            return ProgressReview(asOf: asOf, total: all.count, byPillar: byPillar, byOwner: byOwner, overdue: overdue,
                                  dueSoon: dueSoon, stalled: stalled, disagreements: disagreements,
                                  conflicts: conflictList.count, conflictList: conflictList, assessors: assessors,
                                  indicators: indicators, since: sinceText, changes: changes)
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

    private static func sinceMillis(_ db: Database, _ since: ReviewSince) throws -> UInt64? {
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

    private static func indicatorProgress(_ db: Database, commitments: [String: CommitmentSummary]) throws -> [IndicatorProgress] {
        // Read from the materialized rows in entity order (a merge of two ordered cursors, read by
        // column position): the latest reading of each indicator, then its winning register values.
        var latestReadings = [(id: String, date: String, hlc: String, value: JSONValue)]()
        let readings = try Row.fetchCursor(db, sql: """
            SELECT s.entity, s.hlc, s.value FROM series_entry s
            WHERE s.field = 'readings' AND s.retracted = 0 AND s.entity >= 'indicator/' AND s.entity < 'indicator0'
            ORDER BY s.entity
            """)
        while let row = try readings.next() {
            let id: String = row[0]
            let hlc: String = row[1]
            guard let value = storedValue(row[2]) else { continue }
            let date = value["date"]?.stringValue ?? ""
            if let last = latestReadings.last, last.id == id {
                if (last.date, last.hlc) < (date, hlc) { latestReadings[latestReadings.count - 1] = (id, date, hlc, value) }
            } else {
                latestReadings.append((id, date, hlc, value))
            }
        }
        var result = [IndicatorProgress]()
        var readingIndex = 0
        func finish(_ id: String, _ parent: String, _ registers: [String: JSONValue]) {
            guard let commitment = commitments[parent] else { return }
            while readingIndex < latestReadings.count, latestReadings[readingIndex].id < id { readingIndex += 1 }
            let latest: JSONValue? = readingIndex < latestReadings.count && latestReadings[readingIndex].id == id
                ? latestReadings[readingIndex].value : nil
            func text(_ field: String) -> String? { registers[field]?.stringValue }
            let direction = text("direction").flatMap(Direction.init(rawValue:)) ?? .increase
            let latestValue = latest?["value"]?.stringValue ?? latest?["value"]?.intValue.map(String.init)
            result.append(IndicatorProgress(
                id: id, commitment: parent, commitmentTitleEN: commitment.titleEN, commitmentTitleES: commitment.titleES,
                nameEN: text("name.en"), nameES: text("name.es"), kind: text("kind").flatMap(IndicatorKind.init(rawValue:)) ?? .output,
                direction: direction, unit: text("unit"), baseline: text("baseline"), target: text("target"),
                latest: latestValue, latestDate: latest?["date"]?.stringValue,
                progress: IndicatorProgress.progress(baseline: text("baseline"), target: text("target"), latest: latestValue,
                                                     direction: direction)))
        }
        let rows = try Row.fetchCursor(db, sql: """
            SELECT e.id, e.parent, v.field, v.value FROM entity e
            LEFT JOIN register_value v ON v.entity = e.id AND v.winner = 1
            WHERE e.type = 'indicator' AND e.state = 'accepted' AND e.retracted = 0
            ORDER BY e.id
            """)
        var current: (id: String, parent: String?, registers: [String: JSONValue])?
        while let row = try rows.next() {
            let id: String = row[0]
            if current?.id != id {
                if let done = current, let parent = done.parent { finish(done.id, parent, done.registers) }
                current = (id, row[1], [:])
            }
            if let field: String = row[2], let value = storedValue(row[3]) { current?.registers[field] = value }
        }
        if let done = current, let parent = done.parent { finish(done.id, parent, done.registers) }
        // Outcome first; then as commitments are listed (due date, title), then by name: stable across stores.
        // Only the parents of the indicators found are ordered, each by a key made once.
        let parents = Set(result.map(\.commitment)).compactMap { id in
            commitments[id].map { ((due: $0.due ?? "~", title: $0.titleEN ?? $0.titleES ?? "", id: id)) }
        }
        let order = Dictionary(parents.sorted { $0 < $1 }.enumerated().map { ($0.element.id, $0.offset) },
                               uniquingKeysWith: { first, _ in first })
        // Each key computed once (not in every comparison).
        let keyed = result.map { item in
            ((item.kind == .outcome ? 0 : 1, order[item.commitment] ?? 0, item.nameEN ?? item.nameES ?? "", item.id), item)
        }
        return keyed.sorted { $0.0 < $1.0 }.map(\.1)
    }

    private static func changes(_ db: Database, since: UInt64, commitments: [String: CommitmentSummary],
                                replicas: [ReplicaID: ReplicaInfo]) throws -> [ReviewChange] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT o.replica, o.entity, o.kind, o.field, e.parent FROM operation o LEFT JOIN entity e ON e.id = o.entity
            WHERE o.arrived >= ? AND o.status = 'accepted'
            """, arguments: [Int64(since)])
        var fields = [String: Set<String>]()
        var authors = [String: Set<String>]()
        var created = Set<String>()
        for row in rows {
            let entity: String = row["entity"]
            let parent: String? = row["parent"]
            let kind: String = row["kind"]
            let field: String = row["field"]
            let target: String
            if entity.hasPrefix("commitment/") {
                target = entity
                if kind == OpKind.create.rawValue { created.insert(entity) }
            } else if let parent, parent.hasPrefix("commitment/") {
                target = parent
            } else {
                continue
            }
            guard commitments[target] != nil else { continue }
            let name = entity.hasPrefix("indicator/") ? "indicators" : entity.hasPrefix("note/") ? "notes" : field
            if !name.isEmpty { fields[target, default: []].insert(name) }
            if let id = ReplicaID(hex: row["replica"]) { authors[target, default: []].insert(replicas[id]?.name ?? id.short) }
        }
        return Set(fields.keys).union(created).union(authors.keys).sorted().compactMap { id in
            commitments[id].map { ReviewChange(commitment: $0, created: created.contains(id), fields: (fields[id] ?? []).sorted(),
                                               authors: (authors[id] ?? []).sorted()) }
        }
    }
}
