import Foundation
import GRDB

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
        return try store.read { db in
            let replicas = try Store.replicas(db)
            let reader = BriefingReader(db: db, replicas: replicas, dialogue: dialogue)
            var byPillar = [String: [String: Int]]()
            var count = 0
            for row in try Row.fetchAll(db, sql: """
                SELECT coalesce(pillar, '-'), coalesce(status, 'proposed'), count(*) FROM commitment_summary c
                \(reader.condition(pillar: false)) GROUP BY 1, 2
                """, arguments: reader.arguments(pillar: nil)) {
                byPillar[row[0], default: [:]][row[1]] = row[2]
                count += row[2] as Int
            }
            var dialogueBrief: DialogueBrief?
            if let dialogue {
                let state = try Store.state(db, entity: dialogue, trust: try TrustMap.load(db))
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
                    statementEN: text("statement.en"), statementES: text("statement.es"), readouts: readouts)
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
/// `create` — not materialized again from its operations: a briefing of 100,000 commitments
/// re-read 2,100,000 operations and took 47 s.
public struct BriefingReader {
    let db: Database
    let replicas: [ReplicaID: ReplicaInfo]
    let dialogue: EntityRef?

    /// The WHERE clause of the briefing's commitments (after `FROM commitment_summary c`), with
    /// a pillar condition when `pillar` is true.
    func condition(pillar: Bool) -> String {
        let terms: [String] = (dialogue == nil ? [] : ["dialogue = ?"]) + (pillar ? ["pillar IS ?"] : [])
        return terms.isEmpty ? "" : "WHERE " + terms.joined(separator: " AND ")
    }

    func arguments(pillar: String??) -> StatementArguments {
        var values = [DatabaseValue]()
        if let dialogue { values.append(dialogue.text.databaseValue) }
        if let pillar { values.append(pillar.databaseValue) }
        return StatementArguments(values)
    }

    /// Hands the briefing's commitments to `each` in `list` order, or — `byPillar` — grouped by
    /// pillar (in the order of ``Pillar``, then those without one), each group in `list` order.
    public func commitments(byPillar: Bool, _ each: (CommitmentBrief) throws -> Void) throws {
        let groups: [String??] = byPillar ? Pillar.allCases.map { .some($0.rawValue) } + [.some(nil)] : [nil]
        for group in groups {
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT \(Replica.summaryColumns), c.summary_en, c.summary_es FROM commitment_summary c \(condition(pillar: group != nil))
                ORDER BY \(Replica.dueOrder)
                """, arguments: arguments(pillar: group))
            while let row = try cursor.next() {
                guard let summary = Replica.summary(row) else { continue }
                // The summary texts follow the summary's columns.
                try each(try brief(summary, summaryEN: row[14], summaryES: row[15]))
            }
        }
    }

    /// One commitment as the briefing shows it.
    func brief(_ summary: CommitmentSummary, summaryEN: String?, summaryES: String?) throws -> CommitmentBrief {
        var assessments = [Delegation: AssessmentBrief]()
        for row in try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT field, replica, value FROM register_value
            WHERE entity = ? AND field IN ('assessment.us', 'assessment.mx') AND winner = 1
            """), arguments: [summary.id]) {
            let field: String = row[0]
            guard let delegation = Delegation(rawValue: String(field.dropFirst("assessment.".count))),
                  let value = Replica.storedValue(row[2]), let rating = value["rating"]?.stringValue else { continue }
            let writer = ReplicaID(hex: row[1])
            assessments[delegation] = AssessmentBrief(rating: rating, why: value["why"]?.stringValue,
                                                      author: writer.map { replicas[$0]?.name ?? $0.short })
        }
        var notes = [NoteBrief]()
        // The newest standing notes with their accepted `create` (a note is accepted only with
        // it), in one statement.
        for row in try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT o.bytes, o.hash FROM entity e
            JOIN operation o ON o.entity = e.id AND o.kind = 'create' AND o.status = 'accepted'
            WHERE e.parent = ? AND e.type = 'note' AND e.state = 'accepted' AND e.retracted = 0
            ORDER BY e.created_hlc DESC, e.id LIMIT ?
            """), arguments: [summary.id, Briefing.notesShown]) {
            let create = try Op(storedBytes: Array(row[0] as Data), hash: row[1])
            let writer = replicas[create.replica]
            notes.append(NoteBrief(date: Replica.isoDate(millis: create.hlc.millis),
                                   text: create.value["text"]?.stringValue ?? "", lang: create.value["lang"]?.stringValue,
                                   author: writer?.name, delegation: writer?.delegation))
        }
        var indicators = [IndicatorProgress]()
        for kind in [IndicatorKind.outcome, .output] {
            try Replica.indicatorProgress(db, kind: kind, parent: summary.id) { indicators.append($0) }
        }
        return CommitmentBrief(summary: summary, summaryEN: summaryEN, summaryES: summaryES, assessments: assessments,
                               notes: notes, indicators: indicators)
    }
}
