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
    public let stalled: [CommitmentSummary]
    /// Commitments the two delegations assess differently.
    public let disagreements: [CommitmentSummary]
    /// Open conflicts (registers with several live values).
    public let conflicts: Int
    /// For each disagreement, who wrote each delegation's assessment (name from the certificate or card).
    public let assessors: [String: [Delegation: String]]
}

extension Replica {
    /// The progress review as of `date` (default: today by the wall clock).
    public func review(asOf date: String? = nil) throws -> ProgressReview {
        let asOf = date ?? today
        let all = try commitments()
        var byPillar = [String: [String: Int]]()
        var byOwner = [String: [String: Int]]()
        for commitment in all {
            let status = commitment.status ?? "proposed"
            byPillar[commitment.pillar ?? "-", default: [:]][status, default: 0] += 1
            byOwner[commitment.owner.rawValue, default: [:]][status, default: 0] += 1
        }
        let overdue = all.filter { c in
            guard let due = c.due, let status = c.status.flatMap(CommitmentStatus.init(rawValue:)) else { return false }
            return status.isOpen && due < asOf
        }
        let stalled = all.filter { $0.status == CommitmentStatus.stalled.rawValue }
        let disagreements = all.filter { c in
            guard let us = c.assessmentUS, let mx = c.assessmentMX else { return false }
            return us != mx && us != Rating.notAssessed.rawValue && mx != Rating.notAssessed.rawValue
        }
        let (conflicts, assessors) = try store.read { db in
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
            return (try Store.openConflictCount(db), assessors)
        }
        return ProgressReview(asOf: asOf, total: all.count, byPillar: byPillar, byOwner: byOwner, overdue: overdue,
                              stalled: stalled, disagreements: disagreements, conflicts: conflicts, assessors: assessors)
    }
}
