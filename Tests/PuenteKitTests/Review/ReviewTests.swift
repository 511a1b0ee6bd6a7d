import Foundation
import GRDB
import PuenteCrypto
@testable import PuenteKit
import PuenteTestSupport
import Testing

@Suite struct ReviewTests {
    static let asOf = "2025-06-01"

    /// A record in which every list of the review has several entries: the Bicentennial
    /// fixture on two replicas; assessments that differ; concurrent edits (conflicts); stalled
    /// and soon-due commitments; outcome indicators with readings (one retracted, two on the
    /// same date); a retracted indicator; an indicator that changed kind; and commitments whose
    /// due date or title changed after their indicators were made (the review must follow them).
    ///
    /// `extra`: more replicas in the group, synced with the others but otherwise idle.
    static func busyRecord(extra: [Delegation] = []) throws -> (group: ReplicaGroup, us: Replica) {
        let group = try ReplicaGroup([.us, .mx] + extra)
        let us = group.replicas[0]
        let mx = group.replicas[1]
        _ = try us.importFile(try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath:
            Repository.path("Fixtures/bicentennial.json"))))))
        for n in 1...30 {
            let pillar = Pillar.allCases[n % Pillar.allCases.count]
            // Every fifth one is outside analysts' recommendation, in any status and due date an
            // import may give it: it is tallied as recommended and in no list of open commitments.
            try us.addCommitment(CommitmentDraft(owner: .joint, titleEN: "Joint follow-up \(n)", pillar: pillar,
                                                 due: n % 7 == 0 ? nil : "202\(4 + n % 3)-0\(1 + n % 9)-\(10 + n % 19)",
                                                 status: CommitmentStatus.allCases[n % CommitmentStatus.allCases.count],
                                                 source: n % 5 == 0 ? .recommendation : .jointStatement))
        }
        try group.syncAll()
        let joint = try us.commitments().filter { $0.owner == .joint }.compactMap(\.entity)
        #expect(joint.count >= 40)
        var outcome = [EntityRef]()
        for (index, c) in joint.enumerated() {
            group.clock.advance(by: 5)
            switch index % 6 {
            case 0:
                try us.assess(c, rating: .onTrack, why: nil)
                try mx.assess(c, rating: index % 12 == 0 ? .offTrack : .atRisk, why: nil)
            case 1:
                try us.set(c, field: "status", value: "stalled")
                try mx.set(c, field: "status", value: "in-progress")  // concurrent: a conflict until resolved
            case 2:
                try us.set(c, field: "due", value: .string("2025-06-\(10 + index % 20)"))
            case 3:
                try us.set(c, field: "status", value: "stalled")
            default:
                let indicator = try us.addIndicator(to: c, IndicatorDraft(
                    nameEN: index % 4 == 0 ? nil : "Seizures \(index % 3)", nameES: "Decomisos \(index)", kind: .outcome,
                    unit: "cases", baseline: "10", target: index % 5 == 0 ? "10" : "40", direction: index % 2 == 0 ? .increase : .decrease))
                outcome.append(indicator)
                let first = try us.recordReading(indicator, date: "2025-01-31", value: "\(12 + index)", source: nil)
                _ = try mx.set(c, field: "title.es", value: .string("Título \(index)"))
                if index % 3 == 0 { _ = try us.retractReading(indicator, reading: first) }
                if index % 2 == 0 { _ = try us.recordReading(indicator, date: "2025-03-31", value: "\(30 - index)", source: nil) }
                if index % 5 == 0 { _ = try us.recordReading(indicator, date: "2025-03-31", value: "\(31 - index)", source: nil) }
            }
        }
        try group.syncAll()
        // After the indicators exist: their commitments move in the list, one indicator is
        // retracted, one changes kind.
        for (index, c) in joint.enumerated() where index % 6 == 4 || index % 6 == 5 {
            try us.set(c, field: index % 4 == 0 ? "due" : "title.en",
                       value: index % 4 == 0 ? .string("2023-0\(1 + index % 9)-15") : .string("A renamed commitment \(index)"))
        }
        if let gone = outcome.first { _ = try us.retract(gone) }
        let jointIDs = Set(joint.map(\.text))
        let outputs = try us.entities(of: .indicator).filter { $0.displayValue("kind") == "output" && jointIDs.contains($0.parent ?? "") }
        #expect(!outputs.isEmpty)
        if let changed = outputs.first { try us.set(changed.entity, field: "kind", value: "outcome") }
        try group.syncAll()
        return (group, us)
    }

    /// The review as its definition states it, computed from `list` and every indicator's
    /// state (what `review` computed before it read tallies and indexes).
    static func definition(_ replica: Replica, asOf: String) throws -> ProgressReview {
        let all = try replica.commitments()
        var byPillar = [String: [String: Int]]()
        var byOwner = [String: [String: Int]]()
        for c in all {
            let status = c.isRecommendation ? "recommended" : c.status ?? "proposed"
            byPillar[c.pillar ?? "-", default: [:]][status, default: 0] += 1
            byOwner[c.owner.rawValue, default: [:]][status, default: 0] += 1
        }
        // A recommendation is no one's commitment: never overdue, due or stalled.
        func isOpen(_ c: CommitmentSummary) -> Bool {
            !c.isRecommendation && (c.status.flatMap(CommitmentStatus.init(rawValue:))?.isOpen ?? false)
        }
        let soon = Replica.addDays(ProgressReview.dueSoonDays, to: asOf)
        let overdue = all.filter { isOpen($0) && ($0.due.map { $0 < asOf } ?? false) }
        let dueSoon = all.filter { isOpen($0) && ($0.due.map { $0 >= asOf && $0 <= soon } ?? false) }
        let stalled = all.filter { $0.status == "stalled" && !$0.isRecommendation }
        let disagreements = all.filter { c in
            guard let us = c.assessmentUS, let mx = c.assessmentMX else { return false }
            return us != mx && us != "not-assessed" && mx != "not-assessed"
        }
        var assessors = [String: [Delegation: String]]()
        let names = Dictionary(uniqueKeysWithValues: try replica.replicas().map { ($0.id, $0.name) })
        for c in disagreements {
            guard let ref = c.entity else { continue }
            let state = try replica.detail(ref).state
            for delegation in Delegation.allCases {
                if let op = EntityState.winner(state.registers["assessment.\(delegation.rawValue)"] ?? [])?.op {
                    assessors[c.id, default: [:]][delegation] = names[op.replica] ?? op.replica.short
                }
            }
        }
        let place = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($1.id, $0) })
        let byID = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
        var indicators = [(key: (Int, Int, [UInt8], String), item: IndicatorProgress)]()
        for state in try replica.entities(of: .indicator) where !state.retracted {
            guard let parent = state.parent, let order = place[parent], let commitment = byID[parent] else { continue }
            func text(_ field: String) -> String? { state.displayValue(field)?.stringValue }
            let latest = (state.series["readings"] ?? []).filter { !$0.retracted }.max { a, b in
                (a.value["date"]?.stringValue ?? "", a.hlc.text, a.op.replica.hex, a.op.seq)
                    < (b.value["date"]?.stringValue ?? "", b.hlc.text, b.op.replica.hex, b.op.seq)
            }
            let kind = text("kind").flatMap(IndicatorKind.init(rawValue:)) ?? .output
            let direction = text("direction").flatMap(Direction.init(rawValue:)) ?? .increase
            let value = latest?.value["value"]?.stringValue ?? latest?.value["value"]?.intValue.map(String.init)
            let item = IndicatorProgress(
                id: state.entity.text, commitment: parent, commitmentTitleEN: commitment.titleEN, commitmentTitleES: commitment.titleES,
                nameEN: text("name.en"), nameES: text("name.es"), kind: kind, direction: direction, unit: text("unit"),
                unitES: text("unit.es"),
                baseline: text("baseline"), target: text("target"), latest: value, latestDate: latest?.value["date"]?.stringValue,
                latestFrom: latest?.value["from"]?.stringValue, illustrative: state.illustrative,
                progress: IndicatorProgress.progress(baseline: text("baseline"), target: text("target"), latest: value,
                                                     direction: direction),
                baselineDate: text("baseline.date"), targetDate: text("target.date"), estimate: state.displayValue("estimate") == .bool(true))
            indicators.append(((kind == .outcome ? 0 : 1, order, Array((item.nameEN ?? item.nameES ?? "").utf8), item.id), item))
        }
        indicators.sort { a, b in
            if a.key.0 != b.key.0 { return a.key.0 < b.key.0 }
            if a.key.1 != b.key.1 { return a.key.1 < b.key.1 }
            if a.key.2 != b.key.2 { return a.key.2.lexicographicallyPrecedes(b.key.2) }
            return a.key.3 < b.key.3
        }
        let conflicts = try replica.conflicts()
        return ProgressReview(
            asOf: asOf, total: all.count, byPillar: byPillar, byOwner: byOwner, overdue: overdue, overdueCount: overdue.count,
            dueSoon: dueSoon, dueSoonCount: dueSoon.count, stalled: stalled, stalledCount: stalled.count,
            disagreements: disagreements, disagreementCount: disagreements.count, conflicts: conflicts.count, conflictList: conflicts,
            assessors: assessors, indicators: indicators.map(\.item),
            indicatorCounts: Dictionary(grouping: indicators.map(\.item), by: \.kind).mapValues(\.count),
            since: nil, changes: [], changeCount: 0, limit: nil)
    }

    /// The whole review equals its definition on a busy record, before and after a rebuild.
    @Test func theReviewIsItsDefinition() throws {
        let (_, us) = try Self.busyRecord()
        let review = try us.review(asOf: Self.asOf)
        #expect(review.overdueCount > 5 && review.dueSoonCount > 5 && review.stalledCount > 5)
        #expect(review.disagreementCount > 2 && review.conflicts > 2)
        #expect((review.indicatorCounts[.outcome] ?? 0) > 5 && (review.indicatorCounts[.output] ?? 0) > 5)
        #expect(review.indicators.contains { $0.latest != nil } && review.indicators.contains { $0.progress.map { $0 < 0 } ?? false })
        let expected = try Self.definition(us, asOf: Self.asOf)
        #expect(review == expected)
        #expect(review.byPillar.values.contains { ($0["recommended"] ?? 0) > 0 })
        // Set as a recommendation, an overdue commitment leaves every list; set back, it returns.
        let first = try #require(review.overdue.first { !$0.isRecommendation })
        let ref = try #require(first.entity)
        try us.set(ref, field: "source", value: "recommendation")
        let moved = try us.review(asOf: Self.asOf)
        let movedDefinition = try Self.definition(us, asOf: Self.asOf)
        #expect(!moved.overdue.contains { $0.id == first.id } && moved == movedDefinition)
        try us.set(ref, field: "source", value: "other")
        let back = try us.review(asOf: Self.asOf)
        let backDefinition = try Self.definition(us, asOf: Self.asOf)
        #expect(back.overdue.contains { $0.id == first.id } && back == backDefinition)
        try us.rebuild()
        #expect(try us.review(asOf: Self.asOf) == back)
    }

    /// Full-text entries are written in batches, after the rows they index. Every batch size
    /// (one entry at a time, a last batch left over, all at once) gives the same index: one entry
    /// per commitment, holding its current text.
    /// A briefing as its definition states it: each listed commitment's materialized state
    /// (from its operations), its latest three standing notes by creation, newest first, and
    /// its indicators — what `briefing` computed before it read the stored rows.
    static func briefingDefinition(_ replica: Replica, dialogue: EntityRef?, asOf: String) throws -> [CommitmentBrief] {
        let indicators = Dictionary(grouping: try replica.indicators(), by: \.commitment)
        return try replica.commitments(CommitmentFilter(dialogue: dialogue)).map { summary in
            let detail = try replica.detail(try #require(summary.entity))
            let state = detail.state
            func name(_ id: ReplicaID) -> String { detail.authors[id]?.name ?? id.short }
            var assessments = [Delegation: AssessmentBrief]()
            for delegation in Delegation.allCases {
                let field = "assessment.\(delegation.rawValue)"
                if let value = state.displayValue(field), let rating = value["rating"]?.stringValue,
                   let winner = EntityState.winner(state.registers[field] ?? [])?.op {
                    assessments[delegation] = AssessmentBrief(rating: rating, why: value["why"]?.stringValue, author: name(winner.replica))
                }
            }
            let notes = detail.children.filter { $0.entity.type == .note && !$0.retracted }
                .sorted { a, b in
                    let (x, y) = (a.create?.op.hlc.text ?? "", b.create?.op.hlc.text ?? "")
                    return x != y ? x > y : a.entity.text < b.entity.text
                }
                .prefix(Briefing.notesShown)
                .compactMap { note -> NoteBrief? in
                    guard let create = note.create?.op else { return nil }
                    let writer = detail.authors[create.replica]
                    return NoteBrief(date: Replica.isoDate(millis: create.hlc.millis), text: create.value["text"]?.stringValue ?? "",
                                     lang: create.value["lang"]?.stringValue, author: writer?.name, delegation: writer?.delegation)
                }
            return CommitmentBrief(summary: summary, summaryEN: state.displayValue("summary.en")?.stringValue,
                                   summaryES: state.displayValue("summary.es")?.stringValue, assessments: assessments,
                                   notes: Array(notes), indicators: indicators[summary.id] ?? [])
        }
    }

    @Test func theBriefingIsItsDefinition() throws {
        let (group, us) = try Self.busyRecord(extra: [.us])
        let mx = group.replicas[1]
        let otherUS = group.replicas[2]
        // Notes from both desks, more than a briefing shows on one commitment, one retracted;
        // an assessment with its reasons, one written over, and two written at once (a conflict:
        // the briefing shows the winner and its author).
        let commitments = try us.commitments().filter { $0.owner == .joint }.compactMap(\.entity)
        let busy = try #require(commitments.first)
        var written = [EntityRef]()
        for n in 1...5 {
            group.clock.advance(by: 7)
            written.append(try (n % 2 == 0 ? mx : us).addNote(to: busy, text: "Nota \(n) | línea", lang: n % 2 == 0 ? "es" : nil))
        }
        _ = try us.retract(written[4])
        group.clock.advance(by: 3)
        _ = try us.addNote(to: commitments[1], text: "Seguimiento", lang: "es")
        _ = try us.assess(busy, rating: .atRisk, why: "Awaiting the second round")
        _ = try mx.assess(commitments[2], rating: .onTrack, why: "Calendario acordado")
        _ = try mx.assess(commitments[2], rating: .offTrack, why: nil)
        // Each desk wins one of the two conflicts (the later write), whatever order their rows take.
        for (index, desks) in [(3, [us, otherUS]), (4, [otherUS, us])] {
            for desk in desks {
                group.clock.advance(by: 2)
                _ = try desk.assess(commitments[index], rating: desk === us ? .onTrack : .offTrack, why: desk.identity.name)
            }
        }
        try group.syncAll()
        for index in [3, 4] { #expect(try us.registerValues(commitments[index], field: "assessment.us").count == 2) }
        for replica in [us, mx] {
            let briefing = try replica.briefing(asOf: Self.asOf)
            #expect(briefing.commitments == (try Self.briefingDefinition(replica, dialogue: nil, asOf: Self.asOf)))
            #expect(briefing.commitments.first { $0.summary.id == busy.text }?.notes.map(\.text) == ["Nota 4 | línea", "Nota 3 | línea", "Nota 2 | línea"])
            #expect(briefing.commitments.contains { $0.assessments[.us]?.why == "Awaiting the second round" })
        }
        let dialogues = try us.entities(of: .dialogue)
        #expect(!dialogues.isEmpty)
        for dialogue in dialogues {
            let briefing = try us.briefing(dialogue: dialogue.entity, asOf: Self.asOf)
            #expect(briefing.commitments == (try Self.briefingDefinition(us, dialogue: dialogue.entity, asOf: Self.asOf)))
        }
    }

    /// The state digest as DESIGN defines it: SHA-256 of one canonical JSON array per row, each
    /// ended by a newline (what `digest` computed before it wrote the lines itself).
    static func stateDigestDefinition(_ path: String) throws -> String {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        var listing = [UInt8]()
        func line(_ value: JSONValue) { listing += CanonicalJSON.encode(value) + [0x0a] }
        try DatabaseQueue(path: path + "/" + Replica.databaseFile).read { db in
            for row in try Row.fetchAll(db, sql: "SELECT id, owner, parent, external_id, retracted FROM entity WHERE state = 'accepted' ORDER BY id") {
                line(["e", .string(row[0]), optional(row[1]), optional(row[2]), optional(row[3]), .bool(row[4] as Int == 1)])
            }
            // Materialized rows name entities and authors by this store's keys; the digest, by their ids.
            for row in try Row.fetchAll(db, sql: """
                SELECT n.id, v.field, r.id, v.seq, v.value FROM register_value v JOIN entity_name n ON n.key = v.entity
                JOIN replica r ON r.key = v.author ORDER BY 1, 2, 3, 4
                """) {
                line(["r", .string(row[0]), .string(row[1]), .string(row[2]), .int(row[3]), .string(row[4])])
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT n.id, s.field, s.element, r.id, s.seq FROM set_element s JOIN entity_name n ON n.key = s.entity
                JOIN replica r ON r.key = s.author ORDER BY 1, 2, 3, 4, 5
                """) {
                line(["s", .string(row[0]), .string(row[1]), .string(row[2]), .string(row[3]), .int(row[4])])
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT n.id, e.field, r.id, e.seq, e.value, e.retracted FROM series_entry e JOIN entity_name n ON n.key = e.entity
                JOIN replica r ON r.key = e.author ORDER BY 1, 2, 3, 4
                """) {
                line(["t", .string(row[0]), .string(row[1]), .string(row[2]), .int(row[3]), .string(row[4]), .bool(row[5] as Int == 1)])
            }
        }
        return Digest.sha256(listing).hex
    }

    @Test func theStateDigestIsItsDefinition() throws {
        let (group, us) = try Self.busyRecord()
        // Text that JSON escapes, in values (a tab and a newline where text may span lines), an
        // element and an external id.
        let c = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "Quote \" backslash \\ end",
                                                     summaryEN: "A tab \t and a\nnewline", pillar: .pursue,
                                                     agencies: ["Agencia \"A\"", "Barra \\ B"], externalID: "ext \"1\" \\"))
        _ = try us.addNote(to: c, text: "Nota con \"comillas\"")
        try group.syncAll()
        #expect(try us.materializedRows().count > 1_000)
        for (index, replica) in group.replicas.enumerated() {
            #expect(try replica.digest().state == (try Self.stateDigestDefinition(group.folder.sub("r\(index)"))))
        }
    }

    @Test func theSearchIndexIsTheSameForAnyBatchSize() throws {
        let (_, us) = try Self.busyRecord()
        let rows = try us.materializedRows()
        let commitments = try us.commitments().count
        #expect(commitments > 50)
        #expect(rows.filter { $0.hasPrefix("\"search\"|") }.count == commitments)
        #expect(rows.filter { $0.hasPrefix("\"fts-rows\"|") } == ["\"fts-rows\"|\(commitments)"])
        func titled(_ text: String) throws -> Int {
            var filter = CommitmentFilter()
            filter.text = text
            return try us.commitments(filter).count
        }
        // Titles changed after creation are found by their new words only.
        let renamed = try titled("renamed")
        #expect(renamed > 0)
        #expect(try titled("Título") > 0)
        for size in [1, 2, 7, 1_000] {
            try us.rebuild(searchBatchSize: size)
            #expect(try us.materializedRows() == rows, "batch size \(size)")
            #expect(try titled("renamed") == renamed)
        }
    }

    /// What changed since a point, as the review defined it before entities kept their change
    /// time: every accepted operation that arrived since then, on a listed commitment or on one
    /// of its indicators and notes, read from the log.
    static func changesDefinition(_ replica: Replica, since: ReviewSince) throws -> [ReviewChange] {
        let queue = try DatabaseQueue(path: replica.folder + "/" + Replica.databaseFile)
        defer { try? queue.close() }
        let names = Dictionary(uniqueKeysWithValues: try replica.replicas().map { ($0.id, $0.name) })
        let listed = Dictionary(uniqueKeysWithValues: try replica.commitments().map { ($0.id, $0) })
        return try queue.read { db in
            let start: Int64
            switch since {
            case .lastImport: start = try Int64.fetchOne(db, sql: "SELECT max(at) FROM import_event") ?? 0
            case .date(let day): start = try Int64.fetchOne(db, sql: "SELECT unixepoch(?) * 1000", arguments: [day]) ?? 0
            }
            var fields = [String: Set<String>]()
            var authors = [String: Set<String>]()
            var created = Set<String>()
            for row in try Row.fetchAll(db, sql: """
                SELECT o.replica, o.entity, o.kind, o.field, e.parent FROM operation_text o LEFT JOIN entity e ON e.id = o.entity
                WHERE o.arrived >= ? AND o.status = 'accepted'
                """, arguments: [start]) {
                let entity: String = row[1]
                let parent: String? = row[4]
                guard let target = entity.hasPrefix("commitment/") ? entity : parent, listed[target] != nil else { continue }
                if entity == target, row[2] == "create" { created.insert(target) }
                let name = entity.hasPrefix("indicator/") ? "indicators" : entity.hasPrefix("note/") ? "notes" : row[3] as String
                fields[target, default: []].formUnion(name.isEmpty ? [] : [name])
                if let id = ReplicaID(hex: row[0]) { authors[target, default: []].insert(names[id] ?? id.short) }
            }
            return authors.keys.sorted().compactMap { id in
                listed[id].map { ReviewChange(commitment: $0, created: created.contains(id), fields: (fields[id] ?? []).sorted(),
                                              authors: (authors[id] ?? []).sorted()) }
            }
        }
    }

    /// `review --since` lists what its definition lists, for the last import and for dates,
    /// before and after a rebuild, whole and cut.
    @Test func theChangesSinceArePerTheirDefinition() throws {
        let (group, us) = try Self.busyRecord()
        let mx = group.replicas[1]
        let joint = try us.commitments().filter { $0.owner == .joint }.compactMap(\.entity)
        let indicator = try us.entities(of: .indicator).first { state in !state.retracted && joint.contains { $0.text == state.parent } }
        // A last import that touches a few commitments: a field, a note, a reading.
        group.clock.advance(by: 60_000)
        try mx.set(joint[1], field: "status", value: "fulfilled")
        _ = try mx.addNote(to: joint[2], text: "Revisado en la reunión")
        if let indicator { _ = try mx.recordReading(indicator.entity, date: "2025-05-31", value: "25", source: nil) }
        let bundle = group.folder.sub("from-mx.puente")
        _ = try mx.exportBundle(to: bundle, for: .us)
        _ = try us.importBundle(path: bundle)
        _ = try us.set(joint[3], field: "priority", value: "high")  // local, after the import
        for since in [ReviewSince.lastImport, .date("1970-01-01"), .date("2999-01-01")] {
            let expected = try Self.changesDefinition(us, since: since)
            let review = try us.review(asOf: Self.asOf, since: since)
            #expect(review.changes == expected, "\(since)")
            #expect(review.changeCount == expected.count)
            let cut = try us.review(asOf: Self.asOf, since: since, limit: 2)
            #expect(cut.changes == Array(expected.prefix(2)) && cut.changeCount == expected.count)
        }
        let last = try us.review(asOf: Self.asOf, since: .lastImport)
        #expect(last.changes.count >= 3 && last.changes.count < joint.count)
        #expect(last.changes.contains { $0.fields.contains("notes") } && last.changes.contains { $0.fields.contains("status") })
        #expect(last.changes.filter { $0.commitment.id != joint[3].text }.allSatisfy { $0.authors == [mx.identity.name] })
        #expect(last.changes.first { $0.commitment.id == joint[3].text }?.authors == [us.identity.name])
        if indicator != nil { #expect(last.changes.contains { $0.fields.contains("indicators") }) }
        #expect(try us.review(asOf: Self.asOf, since: .date("1970-01-01")).changeCount > joint.count)
        let before = try us.materializedRows()
        try us.rebuild()
        #expect(try us.materializedRows() == before)
        #expect(try us.review(asOf: Self.asOf, since: .lastImport) == last)
    }

    /// A limited review holds the first items of each list of the whole one, and the same counts.
    @Test func aLimitedReviewIsThePrefixOfTheWholeOne() throws {
        let (_, us) = try Self.busyRecord()
        let whole = try us.review(asOf: Self.asOf, since: .date("1970-01-01"))
        #expect(whole.changeCount > 5 && whole.changeCount == whole.changes.count)
        for limit in [0, 1, 2, 5] {
            let cut = try us.review(asOf: Self.asOf, since: .date("1970-01-01"), limit: limit)
            #expect(cut.limit == limit)
            #expect(cut.total == whole.total && cut.byPillar == whole.byPillar && cut.byOwner == whole.byOwner)
            #expect(cut.overdue == Array(whole.overdue.prefix(limit)) && cut.overdueCount == whole.overdue.count)
            #expect(cut.dueSoon == Array(whole.dueSoon.prefix(limit)) && cut.dueSoonCount == whole.dueSoon.count)
            #expect(cut.stalled == Array(whole.stalled.prefix(limit)) && cut.stalledCount == whole.stalled.count)
            #expect(cut.disagreements == Array(whole.disagreements.prefix(limit)))
            #expect(cut.disagreementCount == whole.disagreements.count)
            #expect(cut.assessors == whole.assessors.filter { id, _ in cut.disagreements.contains { $0.id == id } })
            #expect(cut.conflictList == Array(whole.conflictList.prefix(limit)) && cut.conflicts == whole.conflictList.count)
            for kind in IndicatorKind.allCases {
                let all = whole.indicators.filter { $0.kind == kind }
                #expect(cut.indicators.filter { $0.kind == kind } == Array(all.prefix(limit)))
                #expect(cut.indicatorCounts[kind] ?? 0 == all.count)
            }
            #expect(cut.changes == Array(whole.changes.prefix(limit)) && cut.changeCount == whole.changes.count)
        }
    }

    /// Indicators come outcome first, then in the order `list` shows their commitments (due
    /// date, title, id), then by name and id — the same on every store.
    @Test func indicatorsAreOrderedByKindThenCommitmentThenName() throws {
        let group = try ReplicaGroup([.us])
        let us = group.replicas[0]
        _ = try us.importFile(try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath:
            Repository.path("Fixtures/bicentennial.json"))))))
        let review = try us.review(asOf: "2025-06-01")
        let place = Dictionary(uniqueKeysWithValues: try us.commitments().enumerated().map { ($1.id, $0) })
        #expect(Set(review.indicators.map(\.commitment)).count > 2)
        #expect(Set(review.indicators.map(\.kind)).count == 2)
        let expected = review.indicators.sorted { a, b in
            func key(_ item: IndicatorProgress) -> (Int, Int, String, String) {
                (item.kind == .outcome ? 0 : 1, place[item.commitment] ?? -1, item.nameEN ?? item.nameES ?? "", item.id)
            }
            return key(a) < key(b)
        }
        #expect(review.indicators.map(\.id) == expected.map(\.id))
    }
}
