import Foundation

/// A value and who wrote it.
public struct Attributed: Sendable, Equatable {
    public let text: String
    public let author: String?
    public let delegation: Delegation?
}

/// One delegation's assessment of a commitment.
public struct AssessmentBrief: Sendable, Equatable {
    public let rating: String
    public let why: String?
    public let author: String?
}

/// A note as a briefing shows it.
public struct NoteBrief: Sendable, Equatable {
    public let date: String
    public let text: String
    public let lang: String?
    public let author: String?
    public let delegation: Delegation?
}

/// A commitment as a briefing shows it.
public struct CommitmentBrief: Sendable, Equatable {
    public let summary: CommitmentSummary
    public let summaryEN: String?
    public let summaryES: String?
    public let assessments: [Delegation: AssessmentBrief]
    /// The latest notes, newest first (at most three).
    public let notes: [NoteBrief]
    public let indicators: [IndicatorProgress]
}

/// A dialogue round as a briefing shows it.
public struct DialogueBrief: Sendable, Equatable {
    public let id: String
    public let titleEN: String?
    public let titleES: String?
    public let date: String?
    public let place: String?
    public let kind: String?
    public let participants: [String]
    public let statementEN: String?
    public let statementES: String?
    /// A summary in the recorder's words (not the official text).
    public let summaryEN: String?
    public let summaryES: String?
    public let readouts: [Delegation: Attributed]
}

/// Everything a briefing for a dialogue round (or for the whole record) needs.
public struct Briefing: Sendable, Equatable {
    public let asOf: String
    public let dialogue: DialogueBrief?
    /// Commitments per pillar and status.
    public let byPillar: [String: [String: Int]]
    public let commitments: [CommitmentBrief]

    /// How many notes each commitment shows.
    public static let notesShown = 3
}

/// The parts of a briefing that come before its commitments.
public struct BriefingHead: Sendable, Equatable {
    public let asOf: String
    public let dialogue: DialogueBrief?
    /// Commitments per pillar (`-` for none) and status (`proposed` for none).
    public let byPillar: [String: [String: Int]]
    /// How many commitments the briefing holds.
    public let count: Int
}

extension Replica {
    /// The briefing for `dialogue` (its commitments), or for every commitment.
    public func briefing(dialogue: EntityRef? = nil, asOf date: String? = nil) throws -> Briefing {
        try briefing(dialogue: dialogue, asOf: date) { head, reader in
            var commitments = [CommitmentBrief]()
            try reader.commitments(byPillar: false) { commitments.append($0) }
            return Briefing(asOf: head.asOf, dialogue: head.dialogue, byPillar: head.byPillar, commitments: commitments)
        }
    }

    /// Reads the briefing through `body` in one read transaction: its head, then its
    /// commitments one at a time (`reader` is valid only inside `body`), so a briefing of any
    /// size is written without being held.
    public func briefing<T>(dialogue: EntityRef? = nil, asOf date: String? = nil,
                            _ body: (_ head: BriefingHead, _ reader: BriefingReader) throws -> T) throws -> T {
        let asOf = date ?? today
        return try store.read { tx in
            let replicas = try tx.replicas()
            let reader = BriefingReader(tx: tx, replicas: replicas, dialogue: dialogue)
            let byPillar = try tx.briefingCounts(dialogue: dialogue)
            let count = byPillar.values.reduce(0) { $0 + $1.values.reduce(0, +) }
            var dialogueBrief: DialogueBrief?
            if let dialogue {
                let state = try tx.state(dialogue)
                func text(_ field: String) -> String? { state.displayValue(field)?.stringValue }
                var readouts = [Delegation: Attributed]()
                for delegation in Delegation.allCases {
                    let field = "readout.\(delegation.rawValue)"
                    if let readout = text(field) {
                        let writer = EntityState.winner(state.registers[field] ?? [])?.op.replica
                        readouts[delegation] = Attributed(text: readout, author: writer.map { replicas[$0]?.name ?? $0.short },
                                                          delegation: writer.flatMap { replicas[$0]?.delegation })
                    }
                }
                dialogueBrief = DialogueBrief(
                    id: dialogue.text, titleEN: text("title.en"), titleES: text("title.es"), date: text("date"), place: text("place"),
                    kind: text("kind"), participants: (state.sets["participants"] ?? []).compactMap { $0.value.stringValue }.sorted(),
                    statementEN: text("statement.en"), statementES: text("statement.es"),
                    summaryEN: text("summary.en"), summaryES: text("summary.es"), readouts: readouts)
            }
            return try body(BriefingHead(asOf: asOf, dialogue: dialogueBrief, byPillar: byPillar, count: count), reader)
        }
    }
}

/// The commitments of a briefing, read one at a time within its read transaction (see
/// ``Replica/briefing(dialogue:asOf:_:)``).
///
/// Each is read from its materialized rows — the summary, the winning assessments (and their
/// authors), its standing indicators, the three newest standing notes and each one's accepted
/// `create` — not materialized again from its operations, which for 100,000 commitments would
/// re-read 2,100,000 operations (design note 47).
public struct BriefingReader {
    let tx: StoreTransaction
    let replicas: [ReplicaID: ReplicaInfo]
    let dialogue: EntityRef?

    /// Hands the briefing's commitments to `each` in `list` order, or — `byPillar` — grouped by
    /// pillar (in the order of ``Pillar``, then those without one), each group in `list` order.
    public func commitments(byPillar: Bool, _ each: (CommitmentBrief) throws -> Void) throws {
        let groups: [String??] = byPillar ? Pillar.allCases.map { .some($0.rawValue) } + [.some(nil)] : [nil]
        for group in groups {
            try tx.briefingCommitments(dialogue: dialogue, pillar: group) { summary, summaryEN, summaryES in
                try each(try brief(summary, summaryEN: summaryEN, summaryES: summaryES))
            }
        }
    }

    /// One commitment as the briefing shows it.
    func brief(_ summary: CommitmentSummary, summaryEN: String?, summaryES: String?) throws -> CommitmentBrief {
        var assessments = [Delegation: AssessmentBrief]()
        for (delegation, assessment) in try tx.winningAssessments(summary.id) {
            guard let rating = assessment.value["rating"]?.stringValue else { continue }
            assessments[delegation] = AssessmentBrief(rating: rating, why: assessment.value["why"]?.stringValue,
                                                      author: assessment.author.map { replicas[$0]?.name ?? $0.short })
        }
        var notes = [NoteBrief]()
        for create in try tx.newestNotes(on: summary.id, limit: Briefing.notesShown) {
            let writer = replicas[create.replica]
            notes.append(NoteBrief(date: Replica.isoDate(millis: create.hlc.millis),
                                   text: create.value["text"]?.stringValue ?? "", lang: create.value["lang"]?.stringValue,
                                   author: writer?.name, delegation: writer?.delegation))
        }
        var indicators = [IndicatorProgress]()
        for kind in [IndicatorKind.outcome, .output] {
            try tx.indicatorProgress(kind: kind, parent: summary.id) { indicators.append($0) }
        }
        return CommitmentBrief(summary: summary, summaryEN: summaryEN, summaryES: summaryES, assessments: assessments,
                               notes: notes, indicators: indicators)
    }
}

/// What a round should take up first, before the per-pillar sections: the briefing's
/// commitments whose assessments differ, that are overdue or stalled, the open conflicts on
/// them, and what changed since a point (the previous round).
public struct BriefingAgenda: Sendable, Equatable {
    public let disagreements: [CommitmentSummary]
    /// Who wrote each delegation's assessment of each disagreement.
    public let assessors: [String: [Delegation: String]]
    public let overdue: [CommitmentSummary]
    public let stalled: [CommitmentSummary]
    public let conflicts: [ConflictItem]
    /// The commitments the open conflicts are on (their own fields, or an indicator's or a note's).
    public let conflictCommitments: Set<String>
    /// The start of `changes` as a UTC timestamp; nil when no start was given (no changes listed).
    public let since: String?
    public let changes: [ReviewChange]
}

extension Replica {
    /// The agenda of the briefing for `dialogue` (its commitments), or for every commitment:
    /// the review's lists as of `date`, whole, kept to the briefing's commitments, with what
    /// changed since `since` when given.
    public func agenda(dialogue: EntityRef? = nil, asOf date: String? = nil, since: ReviewSince? = nil) throws -> BriefingAgenda {
        let members = try dialogue.map { Set(try commitments(CommitmentFilter(dialogue: $0)).map(\.id)) }
        func kept(_ id: String) -> Bool { members?.contains(id) ?? true }
        // Only the review's lists the agenda shows, read whole and kept to the briefing's
        // commitments as they are read (not its counts or indicators).
        var disagreements = [CommitmentSummary](), assessors = [String: [Delegation: String]]()
        var overdue = [CommitmentSummary](), stalled = [CommitmentSummary](), changes = [ReviewChange]()
        var allConflicts = [ConflictItem]()
        let start = try review(asOf: date, since: since) { lists -> String? in
            _ = try lists.disagreements(limit: nil) { commitment, by in
                guard kept(commitment.id) else { return }
                disagreements.append(commitment)
                if !by.isEmpty { assessors[commitment.id] = by }
            }
            _ = try lists.overdue(limit: nil) { if kept($0.id) { overdue.append($0) } }
            _ = try lists.stalled(limit: nil) { if kept($0.id) { stalled.append($0) } }
            try lists.conflicts(limit: nil) { allConflicts.append($0) }
            if lists.since != nil { _ = try lists.changes(limit: nil) { if kept($0.commitment.id) { changes.append($0) } } }
            return lists.since
        }
        // What each conflict is on: a commitment, or an indicator's or a note's parent; with a
        // round, the round itself too.
        var on = [EntityRef: String]()
        for item in allConflicts {
            switch item.entity.type {
            case .commitment, .dialogue: on[item.entity] = item.entity.text
            case .indicator, .note: on[item.entity] = try state(item.entity).parent
            }
        }
        let conflicts = allConflicts.filter { item in on[item.entity].map { kept($0) || $0 == dialogue?.text } ?? false }
        return BriefingAgenda(disagreements: disagreements, assessors: assessors, overdue: overdue, stalled: stalled,
                              conflicts: conflicts,
                              conflictCommitments: Set(conflicts.compactMap { on[$0.entity] }.filter { $0.hasPrefix("commitment/") }),
                              since: start, changes: changes)
    }

    /// The dialogue round before `dialogue` (the latest standing one dated before it), or, with
    /// none given, the latest dated on or before `date`: where a briefing's "changed since" starts
    /// by default. Nil when there is none.
    public func previousRound(before dialogue: EntityRef?, asOf date: String? = nil) throws -> (dialogue: EntityRef, date: String)? {
        let rounds = try entities(of: .dialogue).filter { $0.isAccepted && !$0.retracted }.compactMap { state -> (EntityRef, String)? in
            state.displayValue("date")?.stringValue.map { (state.entity, $0) }
        }
        let limit: (String) -> Bool
        if let dialogue {
            guard let own = rounds.first(where: { $0.0 == dialogue })?.1 else { return nil }
            limit = { $0 < own }
        } else {
            let asOf = date ?? today
            limit = { $0 <= asOf }
        }
        return rounds.filter { limit($0.1) && $0.0 != dialogue }.max { ($0.1, $0.0.text) < ($1.1, $1.0.text) }.map { ($0.0, $0.1) }
    }
}
