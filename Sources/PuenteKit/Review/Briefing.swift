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

extension Replica {
    /// The briefing for `dialogue` (its commitments), or for every commitment.
    public func briefing(dialogue: EntityRef? = nil, asOf date: String? = nil) throws -> Briefing {
        let asOf = date ?? today
        let summaries = try commitments(CommitmentFilter(dialogue: dialogue))
        let indicators = Dictionary(grouping: try self.indicators(), by: \.commitment)
        return try store.read { db in
            let replicas = try Store.replicas(db)
            let trust = try TrustMap.load(db)
            func author(_ values: [RegisterValue]?) -> (String?, Delegation?) {
                guard let op = EntityState.winner(values ?? [])?.op else { return (nil, nil) }
                return (replicas[op.replica]?.name ?? op.replica.short, replicas[op.replica]?.delegation)
            }
            // Each commitment is read from its materialized rows (summary, winning assessments,
            // its latest notes' creates), not materialized again from its operations: a briefing of
            // 100,000 commitments re-read 2,100,000 operations and took 47 s.
            let summaryTexts = try db.cachedStatement(sql: "SELECT summary_en, summary_es FROM commitment_summary WHERE id = ?")
            let winningAssessments = try db.cachedStatement(sql: """
                SELECT field, replica, value FROM register_value
                WHERE entity = ? AND field IN ('assessment.us', 'assessment.mx') AND winner = 1
                """)
            let latestNotes = try db.cachedStatement(sql: """
                SELECT id FROM entity WHERE parent = ? AND type = 'note' AND state = 'accepted' AND retracted = 0
                ORDER BY created_hlc DESC, id LIMIT ?
                """)
            let noteCreate = try db.cachedStatement(sql: """
                SELECT bytes, hash FROM operation WHERE entity = ? AND kind = 'create' AND status = 'accepted'
                """)
            var byPillar = [String: [String: Int]]()
            var briefs = [CommitmentBrief]()
            for summary in summaries {
                byPillar[summary.pillar ?? "-", default: [:]][summary.status ?? "proposed", default: 0] += 1
                let texts = try Row.fetchOne(summaryTexts, arguments: [summary.id])
                var assessments = [Delegation: AssessmentBrief]()
                for row in try Row.fetchAll(winningAssessments, arguments: [summary.id]) {
                    let field: String = row[0]
                    guard let delegation = Delegation(rawValue: String(field.dropFirst("assessment.".count))),
                          let value = Self.storedValue(row[2]), let rating = value["rating"]?.stringValue else { continue }
                    let writer = ReplicaID(hex: row[1])
                    assessments[delegation] = AssessmentBrief(rating: rating, why: value["why"]?.stringValue,
                                                              author: writer.map { replicas[$0]?.name ?? $0.short })
                }
                var notes = [NoteBrief]()
                for id in try String.fetchAll(latestNotes, arguments: [summary.id, Briefing.notesShown]) {
                    guard let row = try Row.fetchOne(noteCreate, arguments: [id]) else { continue }
                    let create = try Op(storedBytes: Array(row[0] as Data), hash: row[1])
                    let writer = replicas[create.replica]
                    notes.append(NoteBrief(date: Self.isoDate(millis: create.hlc.millis),
                                           text: create.value["text"]?.stringValue ?? "", lang: create.value["lang"]?.stringValue,
                                           author: writer?.name, delegation: writer?.delegation))
                }
                briefs.append(CommitmentBrief(summary: summary, summaryEN: texts?[0], summaryES: texts?[1], assessments: assessments,
                                              notes: notes, indicators: indicators[summary.id] ?? []))
            }
            var dialogueBrief: DialogueBrief?
            if let dialogue {
                let state = try Store.state(db, entity: dialogue, trust: trust)
                func text(_ field: String) -> String? { state.displayValue(field)?.stringValue }
                var readouts = [Delegation: Attributed]()
                for delegation in Delegation.allCases {
                    let field = "readout.\(delegation.rawValue)"
                    if let readout = text(field) {
                        let (name, side) = author(state.registers[field])
                        readouts[delegation] = Attributed(text: readout, author: name, delegation: side)
                    }
                }
                dialogueBrief = DialogueBrief(
                    id: dialogue.text, titleEN: text("title.en"), titleES: text("title.es"), date: text("date"), place: text("place"),
                    kind: text("kind"), participants: (state.sets["participants"] ?? []).compactMap { $0.value.stringValue }.sorted(),
                    statementEN: text("statement.en"), statementES: text("statement.es"), readouts: readouts)
            }
            return Briefing(asOf: asOf, dialogue: dialogueBrief, byPillar: byPillar, commitments: briefs)
        }
    }
}
