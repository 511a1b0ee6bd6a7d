import Foundation
import PuenteKit

/// Replays the shared workload through Puente's library: two real stores (A for the United
/// States, B for Mexico, trusting each other), one Puente operation per workload edit, writes
/// committed every 1,000 edits, and real bundle files between them.
///
/// The mapping (see ../shared/bench/README.md): titles → `title.en` / `title.es`; description →
/// `summary.en`; owner → `lead` (a commitment's owner delegation is fixed: here `joint`, so both
/// delegations may edit); status, pillar and priority → Puente's values by position; tags → the
/// tag set; a note → a note entity; an indicator value → a reading of the record's indicator of
/// that name, or, the first time this replica sees the name on the record, a new indicator whose
/// baseline is the value. Creating a record is one `create` for the commitment (its external id
/// is the record's id), one per note and one per indicator.
public final class WorkloadReplay {
    public let workload: Workload
    public let folder: String
    public let a: Replica
    public let b: Replica
    /// How many edits each transaction commits.
    public let batchSize: Int

    /// Per replica, what it knows of each record: the commitment and its indicators by name.
    private var viewA = [String: RecordView]()
    private var viewB = [String: RecordView]()

    struct RecordView {
        var commitment: EntityRef
        var indicators: [String: EntityRef]
    }

    /// The reading date every indicator value carries.
    static let readingDate = "2026-11-23"

    /// Makes the two stores in `folder` (which must not hold them already).
    public init(workload: Workload, folder: String, batchSize: Int = 1_000) throws {
        self.workload = workload
        self.folder = folder
        self.batchSize = batchSize
        a = try Replica.initialize(folder: folder + "/a", delegation: .us, name: "Workload A (US)")
        b = try Replica.initialize(folder: folder + "/b", delegation: .mx, name: "Workload B (MX)")
        for (store, other) in [(a, b), (b, a)] {
            // As delegations do: exchange identity cards and check fingerprints.
            let card = try other.identityCard()
            _ = try store.trust(card: card, fingerprint: card.fingerprint)
        }
    }

    /// Reopens the two stores a replay made in `folder`, and what each knows of the records
    /// (commitments by external id, indicators by name, read when an edit phase first needs
    /// them), so a later phase can run in a new process.
    public init(reopening folder: String, workload: Workload, batchSize: Int = 1_000) throws {
        self.workload = workload
        self.folder = folder
        self.batchSize = batchSize
        a = try Replica.open(folder: folder + "/a")
        b = try Replica.open(folder: folder + "/b")
        reopened = true
    }

    /// Whether the views must be read from the stores before the next edits (after reopening).
    private var reopened = false

    private static func view(of replica: Replica) throws -> [String: RecordView] {
        var view = [String: RecordView]()
        var byEntity = [String: String]()
        for commitment in try replica.entities(of: .commitment) {
            guard let record = commitment.externalID else { continue }
            view[record] = RecordView(commitment: commitment.entity, indicators: [:])
            byEntity[commitment.entity.text] = record
        }
        for indicator in try replica.entities(of: .indicator) {
            guard let parent = indicator.parent, let record = byEntity[parent],
                  let name = indicator.displayValue("name.en")?.stringValue else { continue }
            view[record]?.indicators[name] = indicator.entity
        }
        return view
    }

    /// Phase 0: A creates every record. Returns the number of operations written.
    @discardableResult
    public func create() throws -> Int {
        var written = 0
        let perBatch = max(1, batchSize / 4)
        for start in stride(from: 0, to: workload.records.count, by: perBatch) {
            let chunk = workload.records[start..<min(start + perBatch, workload.records.count)]
            written += try a.batch { batch in
                var count = 0
                for record in chunk {
                    let commitment = try batch.addCommitment(CommitmentDraft(
                        owner: .joint, titleEN: record.titleEN, titleES: record.titleES, summaryEN: record.description,
                        pillar: Self.pillar(record.pillar), lead: record.owner, priority: Self.priority(record.priority),
                        due: record.due, status: Self.status(record.status), tags: record.tags, externalID: record.id))
                    count += 1
                    for note in record.notes {
                        try batch.addNote(to: commitment, text: note)
                        count += 1
                    }
                    var indicators = [String: EntityRef]()
                    for (name, value) in record.indicators {
                        indicators[name] = try batch.addIndicator(to: commitment, Self.indicator(name, value))
                        count += 1
                    }
                    viewA[record.id] = RecordView(commitment: commitment, indicators: indicators)
                }
                return count
            }
        }
        viewB = viewA
        return written
    }

    /// Phase 1: A's full state goes to B in one bundle, and B's acknowledgment (a bundle with no
    /// operations: its `have`) comes back, so later exports send only what is new. Returns the
    /// full bundle's report.
    @discardableResult
    public func baseSync() throws -> ExportReport {
        let path = folder + "/base.puente"
        let report = try a.exportBundle(to: path, full: true)
        _ = try b.importBundle(path: path)
        let acknowledgment = folder + "/base-ack.puente"
        _ = try b.exportBundle(to: acknowledgment, for: .us)
        _ = try a.importBundle(path: acknowledgment)
        return report
    }

    /// Phase 2 on A: its edits, `batchSize` per transaction. Returns the number of operations written.
    @discardableResult
    public func editA() throws -> Int {
        if reopened { viewA = try Self.view(of: a) }
        return try edit(a, workload.editsA, view: &viewA)
    }

    /// Phase 2 on B.
    @discardableResult
    public func editB() throws -> Int {
        if reopened { viewB = try Self.view(of: b) }
        return try edit(b, workload.editsB, view: &viewB)
    }

    private func edit(_ replica: Replica, _ edits: [Workload.Edit], view: inout [String: RecordView]) throws -> Int {
        var written = 0
        for start in stride(from: 0, to: edits.count, by: batchSize) {
            let chunk = edits[start..<min(start + batchSize, edits.count)]
            written += try replica.batch { batch in
                for edit in chunk { try apply(edit, batch, view: &view) }
                return chunk.count
            }
        }
        return written
    }

    private func apply(_ edit: Workload.Edit, _ batch: WriteBatch, view: inout [String: RecordView]) throws {
        guard var record = view[edit.record] else { throw Workload.LoadError(description: "unknown record \(edit.record)") }
        let commitment = record.commitment
        switch edit.kind {
        case .set:
            let (field, value) = try Self.field(edit)
            try batch.set(commitment, field: field, value: value)
        case .tagAdd:
            try batch.addElement(commitment, field: "tags", element: .string(edit.text ?? ""))
        case .tagDel:
            try batch.removeElement(commitment, field: "tags", element: .string(edit.text ?? ""))
        case .note:
            try batch.addNote(to: commitment, text: edit.text ?? "")
        case .ind:
            let value = edit.number ?? 0
            if let indicator = record.indicators[edit.field] {
                try batch.recordReading(indicator, date: Self.readingDate, value: String(value), source: nil)
            } else {
                record.indicators[edit.field] = try batch.addIndicator(to: commitment, Self.indicator(edit.field, value))
                view[edit.record] = record
            }
        }
    }

    /// Phase 3: each side exports what the other lacks. Returns the bundles' paths (A's, B's).
    public func exportBoth() throws -> (fromA: ExportReport, fromB: ExportReport) {
        (try a.exportBundle(to: folder + "/a-to-b.puente", for: .mx), try b.exportBundle(to: folder + "/b-to-a.puente", for: .us))
    }

    /// Phase 3: both import the other's bundle.
    public func importBoth() throws -> (intoB: BundleImportReport, intoA: BundleImportReport) {
        let intoB = try b.importBundle(path: folder + "/a-to-b.puente")
        let intoA = try a.importBundle(path: folder + "/b-to-a.puente")
        return (intoB, intoA)
    }

    // MARK: - The mapping

    static let workloadPillars = ["people", "planet", "prosperity", "peace", "partnership", "governance"]
    static let workloadStatuses = ["planned", "in_progress", "blocked", "done", "dropped"]

    static func pillar(_ text: String) -> Pillar {
        Pillar.allCases[(workloadPillars.firstIndex(of: text) ?? 0) % Pillar.allCases.count]
    }

    static func status(_ text: String) -> CommitmentStatus {
        CommitmentStatus.allCases[(workloadStatuses.firstIndex(of: text) ?? 0) % CommitmentStatus.allCases.count]
    }

    /// 1–5 onto high, medium, low.
    static func priority(_ value: Int) -> Priority {
        Priority.allCases[min(Priority.allCases.count - 1, max(0, (value - 1) * Priority.allCases.count / 5))]
    }

    static func indicator(_ name: String, _ value: Int) -> IndicatorDraft {
        IndicatorDraft(nameEN: name, kind: .output, baseline: String(value), direction: .increase)
    }

    static func field(_ edit: Workload.Edit) throws -> (String, JSONValue) {
        let text = edit.text ?? ""
        switch edit.field {
        case "title_en": return ("title.en", .string(text))
        case "title_es": return ("title.es", .string(text))
        case "description": return ("summary.en", .string(text))
        case "owner": return ("lead", .string(text))
        case "pillar": return ("pillar", .string(pillar(text).rawValue))
        case "status": return ("status", .string(status(text).rawValue))
        case "due": return ("due", .string(text))
        case "priority": return ("priority", .string(priority(edit.number ?? 3).rawValue))
        default: throw Workload.LoadError(description: "unknown field \(edit.field)")
        }
    }
}
