import Foundation

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
    /// The unit in English (`unit`) and in Spanish.
    public let unit: String?
    public let unitES: String?
    public let baseline: String?
    public let target: String?
    public let latest: String?
    public let latestDate: String?
    /// When the latest reading's period starts, when it is a total over a period (a two-year
    /// count), not a value at its date.
    public let latestFrom: String?
    /// Which of `baseline` and `target` are planning values, which no source states.
    public let illustrative: [String]
    /// How far the latest reading has moved from baseline toward target, honoring direction:
    /// 0 at baseline, 1 at target, below 0 when it moved the wrong way, above 1 past the target.
    /// Nil without a reading or when baseline equals target.
    public let progress: Double?
    /// When the baseline was measured, and by when the target is to be met.
    public var baselineDate: String? = nil
    public var targetDate: String? = nil
    /// Whether the values are estimates, not counts.
    public var estimate = false

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
    /// Open conflicts (registers whose live values differ).
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
        return try store.read { tx in
            let start = try since.flatMap { try Self.sinceMillis(tx, $0) }
            return try body(ReviewLists(tx: tx, asOf: asOf,
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

    static func sinceMillis(_ tx: StoreTransaction, _ since: ReviewSince) throws -> UInt64? {
        switch since {
        case .lastImport:
            return try tx.lastImport()
        case .date(let text):
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            // A round known only to the month (`2023-01`) starts on its first day.
            let day = Validation.isMonth(text) ? text + "-01" : text
            return formatter.date(from: day).map { UInt64(max(0, $0.timeIntervalSince1970 * 1000)) }
        }
    }

    /// Every standing indicator with its progress, in the review's order (outcome ones first).
    public func indicators() throws -> [IndicatorProgress] {
        var result = [IndicatorProgress]()
        try store.read { tx in
            for kind in [IndicatorKind.outcome, .output] {
                try tx.indicatorProgress(kind: kind, limit: nil) { result.append($0) }
            }
        }
        return result
    }
}

/// The parts of one progress review, read within its read transaction (see
/// ``Replica/review(asOf:since:_:)``; valid only inside the function given there). Each list
/// hands its items over one at a time, in the order the terminal shows them; `limit` keeps the
/// first `limit` (nil: all of them).
public struct ReviewLists {
    let tx: StoreTransaction
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
        for tally in try tx.commitmentTallies() {
            let status = tally.status.isEmpty ? "proposed" : tally.status
            byPillar[tally.pillar.isEmpty ? "-" : tally.pillar, default: [:]][status, default: 0] += tally.count
            byOwner[tally.owner, default: [:]][status, default: 0] += tally.count
            total += tally.count
        }
        return (total, byPillar, byOwner)
    }

    /// Open commitments due before `asOf`, earliest first. Returns how many there are in all.
    @discardableResult
    public func overdue(limit: Int?, _ each: (CommitmentSummary) throws -> Void) throws -> Int {
        try tx.reviewList(.overdue, [asOf], limit: limit, each)
    }

    /// Open commitments due from `asOf` to 30 days after it, earliest first. Returns how many in all.
    @discardableResult
    public func dueSoon(limit: Int?, _ each: (CommitmentSummary) throws -> Void) throws -> Int {
        try tx.reviewList(.dueSoon, [asOf, soonLimit], limit: limit, each)
    }

    /// Stalled commitments, in list order. Returns how many in all.
    @discardableResult
    public func stalled(limit: Int?, _ each: (CommitmentSummary) throws -> Void) throws -> Int {
        try tx.reviewList(.stalled, [CommitmentStatus.stalled.rawValue], limit: limit, each)
    }

    /// Commitments the two delegations assess differently, in list order, each with who wrote
    /// each delegation's assessment (name from the certificate or card). Returns how many in all.
    @discardableResult
    public func disagreements(limit: Int?, _ each: (CommitmentSummary, [Delegation: String]) throws -> Void) throws -> Int {
        let replicas = try tx.replicas()
        return try tx.reviewList(.disagreements, [], limit: limit) { commitment in
            var assessors = [Delegation: String]()
            for delegation in Delegation.allCases {
                if let author = try tx.winningAuthor(commitment.id, field: "assessment.\(delegation.rawValue)") {
                    assessors[delegation] = replicas[author]?.name ?? author.short
                }
            }
            try each(commitment, assessors)
        }
    }

    /// How many open conflicts (registers whose live values differ) there are.
    public func conflictCount() throws -> Int {
        try tx.conflictCount()
    }

    /// Open conflicts, one per entity and field, in that order.
    public func conflicts(limit: Int?, _ each: (ConflictItem) throws -> Void) throws {
        try tx.conflicts(limit: limit, each: each)
    }

    /// How many standing indicators there are of each kind.
    public func indicatorCounts() throws -> [IndicatorKind: Int] {
        try tx.indicatorCounts()
    }

    /// Standing indicators with their progress: outcome ones, then output ones (the first
    /// `limit` of each kind); within a kind, in the order `list` shows their commitments, then
    /// by name and id.
    public func indicators(limit: Int?, _ each: (IndicatorProgress) throws -> Void) throws {
        for kind in [IndicatorKind.outcome, .output] {
            try tx.indicatorProgress(kind: kind, limit: limit, each: each)
        }
    }

    /// Commitments changed since the review's start, by id (none when it has no start).
    /// Returns how many in all.
    @discardableResult
    public func changes(limit: Int?, _ each: (ReviewChange) throws -> Void) throws -> Int {
        guard let start else { return 0 }
        return try tx.changes(since: start, limit: limit, each: each)
    }
}
