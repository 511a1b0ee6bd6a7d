/// Why an import file was refused, and where.
public struct ImportFileError: Error, Equatable, Sendable {
    /// A short code: `syntax`, `too-large`, `format`, `missing`, `unknown-member`, `type`,
    /// `duplicate-external-id`, `unknown-dialogue`, or a value-rule code (`date`, `one-of:…`).
    public let problem: String
    /// Where: a JSON path (`commitments[3].pillar`), or `line 4, column 7` for syntax errors.
    public let path: String
    /// Extra words for syntax errors (the parser's reason).
    public let detail: String?

    public init(problem: String, path: String, detail: String? = nil) {
        self.problem = problem
        self.path = path
        self.detail = detail
    }
}

/// A validated import file: dialogues and commitments with their indicators.
public struct ImportFile: Sendable {
    public static let format = "puente-import/1"
    public static let maximumSize = 16 * 1024 * 1024

    public struct Dialogue: Sendable {
        public let draft: DialogueDraft
    }

    public struct Indicator: Sendable {
        public let draft: IndicatorDraft
        public let readings: [(date: String, value: String, source: String?, from: String?)]
    }

    public struct Commitment: Sendable {
        public let draft: CommitmentDraft
        /// The `external_id` of the dialogue it came from, if any.
        public let dialogue: String?
        /// The `external_id`s of the later dialogues that took it up again.
        public let revisited: [String]
        public let indicators: [Indicator]
    }

    public let dialogues: [Dialogue]
    public let commitments: [Commitment]

    /// Parses and validates the whole file; nothing is written until this succeeds.
    public init(bytes: [UInt8]) throws {
        guard bytes.count <= Self.maximumSize else {
            throw ImportFileError(problem: "too-large", path: "\(Self.maximumSize)")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes, numbersByValue: true)
        } catch {
            throw ImportFileError(problem: "syntax", path: "\(error.line):\(error.column)", detail: error.reason.rawValue)
        }
        let reader = Reader()
        let top = try reader.object(root, "$", required: ["format"], optional: ["dialogues", "commitments", "source"])
        guard top["format"]?.stringValue == Self.format else {
            throw ImportFileError(problem: "format", path: "format")
        }
        var dialogueIDs = Set<String>()
        var dialogues = [Dialogue]()
        for (index, value) in (try reader.array(top["dialogues"], "dialogues")).enumerated() {
            let path = "dialogues[\(index)]"
            let d = try reader.object(value, path, required: ["external_id", "title", "date", "kind"],
                                      optional: ["place", "participants", "statement", "summary", "source"])
            let externalID = try reader.text(d["external_id"], path + ".external_id", max: 200)
            guard dialogueIDs.insert(externalID).inserted else {
                throw ImportFileError(problem: "duplicate-external-id", path: path + ".external_id")
            }
            let title = try reader.bilingual(d["title"], path + ".title", max: 1_000)
            let statement = try d["statement"].map { try reader.bilingual($0, path + ".statement", max: 20_000) }
            let summary = try d["summary"].map { try reader.bilingual($0, path + ".summary", max: 20_000) }
            let source = try reader.source(d["source"], path + ".source")
            var draft = DialogueDraft(
                titleEN: title.en, titleES: title.es,
                // A day, or only the month when that is all the sources give.
                date: try reader.rule(.dayOrMonth, d["date"], path + ".date"),
                place: try d["place"].map { try reader.text($0, path + ".place", max: 1_000) },
                kind: DialogueKind(rawValue: try reader.rule(.oneOf(DialogueKind.allCases.map(\.rawValue)), d["kind"], path + ".kind")) ?? .workingGroup,
                participants: try reader.texts(d["participants"], path + ".participants", rule: .text(maxLength: 1_000)),
                statementEN: statement?.en, statementES: statement?.es, externalID: externalID,
                source: source.kind, citation: source.citation)
            draft.summaryEN = summary?.en
            draft.summaryES = summary?.es
            dialogues.append(Dialogue(draft: draft))
        }
        var commitmentIDs = Set<String>()
        var commitments = [Commitment]()
        for (index, value) in (try reader.array(top["commitments"], "commitments")).enumerated() {
            let path = "commitments[\(index)]"
            let c = try reader.object(value, path, required: ["external_id", "title", "owner", "pillar", "status"],
                                      optional: ["summary", "area", "agencies", "lead", "priority", "dialogue", "revisited", "due",
                                                 "tags", "indicators", "source", "illustrative"])
            let externalID = try reader.text(c["external_id"], path + ".external_id", max: 200)
            guard commitmentIDs.insert(externalID).inserted else {
                throw ImportFileError(problem: "duplicate-external-id", path: path + ".external_id")
            }
            let title = try reader.bilingual(c["title"], path + ".title", max: 1_000)
            let summary = try c["summary"].map { try reader.bilingual($0, path + ".summary", max: 20_000) }
            let dialogue = try c["dialogue"].map { try reader.text($0, path + ".dialogue", max: 200) }
            let revisited = try reader.texts(c["revisited"], path + ".revisited", rule: .text(maxLength: 200))
            let source = try reader.source(c["source"], path + ".source")
            var indicators = [Indicator]()
            for (position, item) in (try reader.array(c["indicators"], path + ".indicators")).enumerated() {
                let ipath = path + ".indicators[\(position)]"
                let i = try reader.object(item, ipath, required: ["external_id", "name", "kind", "direction"],
                                          optional: ["unit", "baseline", "target", "baseline_date", "target_date", "estimate",
                                                     "readings", "illustrative"])
                let name = try reader.bilingual(i["name"], ipath + ".name", max: 1_000)
                var readings = [(date: String, value: String, source: String?, from: String?)]()
                for (r, reading) in (try reader.array(i["readings"], ipath + ".readings")).enumerated() {
                    let rpath = ipath + ".readings[\(r)]"
                    let o = try reader.object(reading, rpath, required: ["date", "value"], optional: ["source", "from"])
                    let date = try reader.rule(.date, o["date"], rpath + ".date")
                    // A value over a period (a year's total) says when the period starts.
                    let from = try o["from"].map { try reader.rule(.date, $0, rpath + ".from") }
                    if let from, from > date { throw ImportFileError(problem: "reading-period", path: rpath + ".from") }
                    readings.append((date, try reader.decimal(o["value"], rpath + ".value"),
                                     try o["source"].map { try reader.text($0, rpath + ".source", max: 1_000) }, from))
                }
                // A unit in both languages (`{"en": …, "es": …}`), or as text, in English as before.
                let unit = try i["unit"].map { value in
                    value.objectValue == nil ? (en: try reader.text(value, ipath + ".unit", max: 1_000), es: nil)
                        : try reader.bilingual(value, ipath + ".unit", max: 1_000)
                }
                var indicator = IndicatorDraft(
                    nameEN: name.en, nameES: name.es,
                    kind: IndicatorKind(rawValue: try reader.rule(.oneOf(IndicatorKind.allCases.map(\.rawValue)), i["kind"], ipath + ".kind")) ?? .output,
                    unit: unit?.en,
                    baseline: try i["baseline"].map { try reader.decimal($0, ipath + ".baseline") },
                    target: try i["target"].map { try reader.decimal($0, ipath + ".target") },
                    direction: Direction(rawValue: try reader.rule(.oneOf(Direction.allCases.map(\.rawValue)), i["direction"], ipath + ".direction")) ?? .increase,
                    externalID: try reader.text(i["external_id"], ipath + ".external_id", max: 200))
                indicator.unitES = unit?.es
                indicator.baselineDate = try i["baseline_date"].map { try reader.rule(.date, $0, ipath + ".baseline_date") }
                indicator.targetDate = try i["target_date"].map { try reader.rule(.date, $0, ipath + ".target_date") }
                if let estimate = i["estimate"] {
                    guard case .bool(let flag) = estimate else { throw ImportFileError(problem: "flag", path: ipath + ".estimate") }
                    indicator.estimate = flag
                }
                // `target.date` is marked as `"target_date"` is given: the file's names for the fields.
                indicator.illustrative = try reader.illustrative(i["illustrative"], ipath + ".illustrative", type: .indicator,
                                                                 given: Set([("baseline", "baseline"), ("target", "target"), ("target.date", "target_date")]
                                                                     .filter { i[$0.1] != nil }.map(\.0)),
                                                                 names: ["target_date": "target.date"])
                indicators.append(Indicator(draft: indicator, readings: readings))
            }
            var draft = CommitmentDraft(
                owner: Owner(rawValue: try reader.rule(.oneOf(Owner.allCases.map(\.rawValue)), c["owner"], path + ".owner")) ?? .joint,
                titleEN: title.en, titleES: title.es, summaryEN: summary?.en, summaryES: summary?.es,
                pillar: Pillar(rawValue: try reader.rule(.oneOf(Pillar.allCases.map(\.rawValue)), c["pillar"], path + ".pillar")) ?? .protect,
                area: try c["area"].map { try reader.rule(.slug, $0, path + ".area") },
                // The owner's rank as text; each delegation's own as `{"us": …, "mx": …}`.
                priority: try c["priority"].flatMap { value in
                    value.objectValue != nil ? nil
                        : Priority(rawValue: try reader.rule(.oneOf(Priority.allCases.map(\.rawValue)), value, path + ".priority"))
                },
                due: try c["due"].map { try reader.rule(.date, $0, path + ".due") },
                status: CommitmentStatus(rawValue: try reader.rule(.oneOf(CommitmentStatus.allCases.map(\.rawValue)), c["status"], path + ".status")) ?? .agreed,
                agencies: try reader.texts(c["agencies"], path + ".agencies", rule: .text(maxLength: 1_000)),
                tags: try reader.texts(c["tags"], path + ".tags", rule: .slug),
                externalID: externalID, source: source.kind, citation: source.citation)
            // Each delegation's lead agency and priority: `{"us": …, "mx": …}`, either or both.
            if let lead = c["lead"] {
                draft.leads = try reader.perDelegation(lead, path + ".lead", rule: .text(maxLength: 1_000))
            }
            if let priority = c["priority"], priority.objectValue != nil {
                draft.priorities = try reader.perDelegation(priority, path + ".priority", rule: .oneOf(Priority.allCases.map(\.rawValue)))
                    .compactMapValues(Priority.init(rawValue:))
            }
            draft.illustrative = try reader.illustrative(c["illustrative"], path + ".illustrative", type: .commitment,
                                                         given: Set(["status"] + (c["due"] == nil ? [] : ["due"])
                                                                        + (draft.priority == nil ? [] : ["priority"])))
            commitments.append(Commitment(draft: draft, dialogue: dialogue, revisited: revisited, indicators: indicators))
        }
        self.dialogues = dialogues
        self.commitments = commitments
    }

    /// Typed access to the parsed JSON, each failure naming its path.
    private struct Reader {
        /// A record's `source`: `{"kind": …, "citation": …}`, the citation optional.
        func source(_ value: JSONValue?, _ path: String) throws -> (kind: SourceKind?, citation: String?) {
            guard let value else { return (nil, nil) }
            let o = try object(value, path, required: ["kind"], optional: ["citation"])
            return (SourceKind(rawValue: try rule(.oneOf(SourceKind.allCases.map(\.rawValue)), o["kind"], path + ".kind")),
                    try o["citation"].map { try text($0, path + ".citation", max: 1_000) })
        }

        /// A record's `illustrative`: `true` (every planning field the record gives) or the list of
        /// those fields whose values no source states. Naming a field the record does not give
        /// is refused: the mark would be on nothing.
        /// `names` maps the file's name of a field to the record's (`target_date` is `target.date`).
        func illustrative(_ value: JSONValue?, _ path: String, type: EntityType, given: Set<String>,
                          names: [String: String] = [:]) throws -> [String] {
            guard let value else { return [] }
            let fields = FieldCatalog.planningFields[type] ?? []
            if case .bool(let all) = value { return all ? fields.filter(given.contains) : [] }
            let fileNames = fields.map { field in names.first { $0.value == field }?.key ?? field }
            var out = [String]()
            for (index, item) in try array(value, path).enumerated() {
                let named = try rule(.oneOf(fileNames), item, "\(path)[\(index)]")
                let field = names[named] ?? named
                guard given.contains(field) else { throw ImportFileError(problem: "illustrative-unset", path: "\(path)[\(index)]") }
                if !out.contains(field) { out.append(field) }
            }
            return out
        }

        /// One value per delegation, `{"us": …, "mx": …}`, at least one, each held to `rule`.
        func perDelegation(_ value: JSONValue, _ path: String, rule: ValueRule) throws -> [Delegation: String] {
            let members = try object(value, path, required: [], optional: Set(Delegation.allCases.map(\.rawValue)))
            var out = [Delegation: String]()
            for delegation in Delegation.allCases {
                if let member = members[delegation.rawValue] {
                    out[delegation] = try self.rule(rule, member, path + "." + delegation.rawValue)
                }
            }
            guard !out.isEmpty else { throw ImportFileError(problem: "missing", path: path + ".us") }
            return out
        }

        func object(_ value: JSONValue?, _ path: String, required: Set<String>, optional: Set<String>) throws -> [String: JSONValue] {
            guard let object = value?.objectValue else { throw ImportFileError(problem: "type:object", path: path) }
            for key in object.keys.sorted() where !required.contains(key) && !optional.contains(key) {
                throw ImportFileError(problem: "unknown-member", path: path + "." + key)
            }
            for key in required.sorted() where object[key] == nil {
                throw ImportFileError(problem: "missing", path: path + "." + key)
            }
            return object
        }

        func array(_ value: JSONValue?, _ path: String) throws -> [JSONValue] {
            guard let value else { return [] }
            guard let items = value.arrayValue else { throw ImportFileError(problem: "type:array", path: path) }
            guard items.count <= 100_000 else { throw ImportFileError(problem: "too-many", path: path) }
            return items
        }

        func text(_ value: JSONValue?, _ path: String, max: Int) throws -> String {
            try rule(.text(maxLength: max), value, path)
        }

        func rule(_ rule: ValueRule, _ value: JSONValue?, _ path: String) throws -> String {
            guard let value else { throw ImportFileError(problem: "missing", path: path) }
            if let problem = rule.problem(with: value) { throw ImportFileError(problem: problem, path: path) }
            guard let text = value.stringValue else { throw ImportFileError(problem: "type:string", path: path) }
            // Summaries and statements may span lines; no text may hold controls or bidi overrides.
            let multiLine = path.contains(".summary.") || path.contains(".statement.")
            if let scalar = LocalText.forbidden(in: text, multiLine: multiLine) {
                throw ImportFileError(problem: "control:" + LocalText.describe(scalar), path: path)
            }
            return text
        }

        func decimal(_ value: JSONValue?, _ path: String) throws -> String {
            if let number = value?.intValue { return String(number) }
            return try rule(.decimal, value, path)
        }

        func texts(_ value: JSONValue?, _ path: String, rule: ValueRule) throws -> [String] {
            var out = [String]()
            for (index, item) in try array(value, path).enumerated() {
                let text = try self.rule(rule, item, "\(path)[\(index)]")
                if !out.contains(text) { out.append(text) }
            }
            return out
        }

        func bilingual(_ value: JSONValue?, _ path: String, max: Int) throws -> (en: String?, es: String?) {
            let object = try self.object(value, path, required: [], optional: ["en", "es"])
            let en = try object["en"].map { try text($0, path + ".en", max: max) }
            let es = try object["es"].map { try text($0, path + ".es", max: max) }
            guard en != nil || es != nil else { throw ImportFileError(problem: "missing", path: path + ".en") }
            return (en, es)
        }
    }
}

/// What an import did.
public struct ImportReport: Sendable, Equatable {
    public var dialoguesCreated = 0
    public var commitmentsCreated = 0
    public var indicatorsCreated = 0
    public var readingsRecorded = 0
    /// This delegation's leads written (`lead.us` or `lead.mx`).
    public var leadsRecorded = 0
    /// This delegation's priorities written (`priority.us` or `priority.mx`).
    public var prioritiesRecorded = 0
    /// Records already in the store (matched on `external_id`).
    public var alreadyPresent = 0
    /// Commitments another delegation owns: that delegation records them.
    public var leftForOthers: [Owner: Int] = [:]
}

extension Replica {
    /// Imports a validated file in one transaction, so importing the same file twice changes
    /// nothing. Each record's entity is keyed by its type, fixed members and `external_id`
    /// (``Op/recordEntity(type:value:)``): both delegations importing the same joint record, in
    /// any order or at once, make one entity whose creates merge. Commitments owned by the
    /// other delegation are left for it to import (the policy lets only the owner record them)
    /// and counted in the report.
    public func importFile(_ file: ImportFile, watch: WorkWatch = .none) throws -> ImportReport {
        let mine = identity.delegation
        return try commit(watch: watch) { appender in
            var report = ImportReport()
            var dialogueByExternalID = [String: EntityRef]()
            for dialogue in file.dialogues {
                guard let externalID = dialogue.draft.externalID else { continue }
                if let existing = try appender.record(.dialogue, value: dialogue.draft.createValue) {
                    dialogueByExternalID[externalID] = existing
                    report.alreadyPresent += 1
                } else {
                    dialogueByExternalID[externalID] = try appender.create(.dialogue, value: dialogue.draft.createValue)
                    report.dialoguesCreated += 1
                }
            }
            for (index, commitment) in file.commitments.enumerated() {
                try watch.step(.importing, index, of: file.commitments.count)
                for dialogue in [commitment.dialogue].compactMap({ $0 }) + commitment.revisited
                where dialogueByExternalID[dialogue] == nil {
                    // A dialogue of an earlier file, already in the store.
                    let named: JSONValue = .object(["external_id": .string(dialogue)])
                    guard let existing = try appender.record(.dialogue, value: named) else {
                        throw ImportFileError(problem: "unknown-dialogue", path: dialogue)
                    }
                    dialogueByExternalID[dialogue] = existing
                }
                var draft = commitment.draft
                draft.dialogue = commitment.dialogue.flatMap { dialogueByExternalID[$0] }
                draft.revisited = commitment.revisited.compactMap { dialogueByExternalID[$0] }
                let ref: EntityRef
                if let existing = try appender.record(.commitment, value: draft.createValue) {
                    report.alreadyPresent += 1
                    ref = existing
                } else {
                    guard draft.owner == .joint || draft.owner.rawValue == mine.rawValue else {
                        report.leftForOthers[draft.owner, default: 0] += 1
                        continue
                    }
                    ref = try appender.create(.commitment, value: draft.createValue)
                    report.commitmentsCreated += 1
                }
                // This desk's own lead and priority, each when its delegation has none on the record
                // yet: the other delegation's desks write theirs when they import the same file.
                for own in draft.ownFields(of: mine) where try appender.liveValueRefs(entity: ref.text, field: own.field).isEmpty {
                    _ = try WriteBatch(appender: appender, delegation: mine).set(ref, field: own.field, value: .string(own.value))
                    if own.field.hasPrefix("lead.") { report.leadsRecorded += 1 } else { report.prioritiesRecorded += 1 }
                }
                guard draft.owner.delegations.contains(mine) else { continue }
                for indicator in commitment.indicators {
                    let value = indicator.draft.createValue(commitment: ref)
                    if try appender.record(.indicator, value: value) != nil {
                        report.alreadyPresent += 1
                        continue
                    }
                    try appender.refresh(ref.text)
                    let created = try appender.create(.indicator, value: value)
                    report.indicatorsCreated += 1
                    for reading in indicator.readings {
                        var value: [String: JSONValue] = ["date": .string(reading.date), "value": .string(reading.value)]
                        value["source"] = reading.source.map(JSONValue.string)
                        value["from"] = reading.from.map(JSONValue.string)
                        try appender.append(entity: created.text, kind: .append, field: "readings", value: .object(value), refs: [])
                        report.readingsRecorded += 1
                    }
                }
            }
            try Store.recordImport(appender.db, kind: "import", operations: appender.written.count, wall: appender.wall)
            return report
        }
    }
}
