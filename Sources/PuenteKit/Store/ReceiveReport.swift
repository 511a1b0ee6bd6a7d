/// What receiving operations from other replicas did.
public struct ReceiveReport: Sendable, Equatable {
    /// New operations stored, per author.
    public var applied: [ReplicaID: Int] = [:]
    /// Operations already held with the same hash.
    public var duplicates = 0
    /// Operations kept aside until the gap before them fills.
    public var held = 0
    /// Operations after a gap dropped because the author's held operations reached the cap.
    public var evicted = 0
    /// Authors whose operations were refused, and why.
    public var refused: [ReplicaID: PuenteError] = [:]
    /// Entities whose state was recomputed.
    public var entitiesChanged = 0
    /// Conflicts open after the change, minus those open before.
    public var conflictsCreated = 0
    /// Received stamps beyond the local wall clock + 24 h: kept, flagged, not followed.
    public var farFutureStamps = 0
    /// Operations past their author's revocation cut: neither kept nor relayed.
    public var pastRevocation = 0
    /// Accepted operations that became rejected because new operations settled a revocation's branch.
    public var turnedRejected = 0
    /// New operations the merge engine rejected (the policy, a cut, a malformed value): kept in
    /// the log, listed by `log --rejected`, never materialized.
    public var rejected = 0
    /// New operations taken into their entity's stored state one by one, without reading the
    /// entity's history (the others' entities were materialized whole).
    public var stepped = 0

    public var appliedTotal: Int { applied.values.reduce(0, +) }
}
