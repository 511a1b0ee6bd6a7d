/// A new commitment, as the user gives it.
public struct CommitmentDraft: Sendable {
    public var owner: Owner
    public var titleEN: String?
    public var titleES: String?
    public var summaryEN: String?
    public var summaryES: String?
    public var pillar: Pillar
    public var area: String?
    public var lead: String?
    public var priority: Priority?
    public var due: String?
    public var status: CommitmentStatus
    public var dialogue: EntityRef?
    public var agencies: [String]
    public var tags: [String]
    public var externalID: String?
    /// Where the commitment comes from, and the passage that says so.
    public var source: SourceKind?
    public var citation: String?
    /// The fields whose values are planning values, which no source states
    /// (``FieldCatalog/planningFields``).
    public var illustrative: [String] = []
    /// Each delegation's lead agency (`lead.us`, `lead.mx`). Only the writing desk's own is
    /// written: the other delegation records its own.
    public var leads: [Delegation: String] = [:]
    /// Each delegation's priority (`priority.us`, `priority.mx`); only the writing desk's own is written.
    public var priorities: [Delegation: Priority] = [:]
    /// The later dialogues that took the commitment up again (`dialogue` is where it was made).
    public var revisited: [EntityRef] = []

    public init(owner: Owner, titleEN: String? = nil, titleES: String? = nil, summaryEN: String? = nil,
                summaryES: String? = nil, pillar: Pillar, area: String? = nil, lead: String? = nil,
                priority: Priority? = nil, due: String? = nil, status: CommitmentStatus = .agreed,
                dialogue: EntityRef? = nil, agencies: [String] = [], tags: [String] = [], externalID: String? = nil,
                source: SourceKind? = nil, citation: String? = nil) {
        self.owner = owner
        self.titleEN = titleEN
        self.titleES = titleES
        self.summaryEN = summaryEN
        self.summaryES = summaryES
        self.pillar = pillar
        self.area = area
        self.lead = lead
        self.priority = priority
        self.due = due
        self.status = status
        self.dialogue = dialogue
        self.agencies = agencies
        self.tags = tags
        self.externalID = externalID
        self.source = source
        self.citation = citation
    }

    /// The fields of `delegation`'s own the draft gives (its lead, its priority), as written:
    /// `lead.us`, `priority.us`. They are not part of the create, which is the owner's.
    func ownFields(of delegation: Delegation) -> [(field: String, value: String)] {
        [("lead", leads[delegation]), ("priority", priorities[delegation]?.rawValue)].compactMap { name, value in
            value.map { ("\(name).\(delegation.rawValue)", $0) }
        }
    }

    var createValue: JSONValue {
        var members: [String: JSONValue] = ["owner": .string(owner.rawValue), "pillar": .string(pillar.rawValue),
                                            "status": .string(status.rawValue)]
        members["title.en"] = titleEN.map(JSONValue.string)
        members["title.es"] = titleES.map(JSONValue.string)
        members["summary.en"] = summaryEN.map(JSONValue.string)
        members["summary.es"] = summaryES.map(JSONValue.string)
        members["area"] = area.map(JSONValue.string)
        members["lead"] = lead.map(JSONValue.string)
        members["priority"] = priority.map { .string($0.rawValue) }
        members["due"] = due.map(JSONValue.string)
        members["dialogue"] = dialogue.map { .string($0.text) }
        if !revisited.isEmpty { members["revisited"] = .array(Set(revisited.map(\.text)).sorted().map(JSONValue.string)) }
        if !agencies.isEmpty { members["agencies"] = .array(agencies.map(JSONValue.string)) }
        if !tags.isEmpty { members["tags"] = .array(tags.map(JSONValue.string)) }
        members["external_id"] = externalID.map(JSONValue.string)
        members["source"] = source.map { .string($0.rawValue) }
        members["citation"] = citation.map(JSONValue.string)
        if !illustrative.isEmpty { members["illustrative"] = .array(Set(illustrative).sorted().map(JSONValue.string)) }
        return .object(members)
    }
}

/// A new dialogue.
public struct DialogueDraft: Sendable {
    public var titleEN: String?
    public var titleES: String?
    public var date: String
    public var place: String?
    public var kind: DialogueKind
    public var participants: [String]
    public var statementEN: String?
    public var statementES: String?
    /// A summary in the recorder's words, when the official text is not quoted.
    public var summaryEN: String?
    public var summaryES: String?
    public var externalID: String?
    /// Where the record of the dialogue comes from, and the passage that says so.
    public var source: SourceKind?
    public var citation: String?

    public init(titleEN: String? = nil, titleES: String? = nil, date: String, place: String? = nil,
                kind: DialogueKind, participants: [String] = [], statementEN: String? = nil,
                statementES: String? = nil, externalID: String? = nil, source: SourceKind? = nil, citation: String? = nil) {
        self.titleEN = titleEN
        self.titleES = titleES
        self.date = date
        self.place = place
        self.kind = kind
        self.participants = participants
        self.statementEN = statementEN
        self.statementES = statementES
        self.externalID = externalID
        self.source = source
        self.citation = citation
    }

    var createValue: JSONValue {
        var members: [String: JSONValue] = ["date": .string(date), "kind": .string(kind.rawValue)]
        members["title.en"] = titleEN.map(JSONValue.string)
        members["title.es"] = titleES.map(JSONValue.string)
        members["place"] = place.map(JSONValue.string)
        members["statement.en"] = statementEN.map(JSONValue.string)
        members["statement.es"] = statementES.map(JSONValue.string)
        members["summary.en"] = summaryEN.map(JSONValue.string)
        members["summary.es"] = summaryES.map(JSONValue.string)
        if !participants.isEmpty { members["participants"] = .array(participants.map(JSONValue.string)) }
        members["external_id"] = externalID.map(JSONValue.string)
        members["source"] = source.map { .string($0.rawValue) }
        members["citation"] = citation.map(JSONValue.string)
        return .object(members)
    }
}

/// A new indicator on a commitment.
public struct IndicatorDraft: Sendable {
    public var nameEN: String?
    public var nameES: String?
    public var kind: IndicatorKind
    public var unit: String?
    public var baseline: String?
    public var target: String?
    public var direction: Direction
    public var externalID: String?
    /// Whether the baseline or the target is a planning value (``FieldCatalog/planningFields``).
    public var illustrative: [String] = []
    /// The unit in Spanish (`unit` is the English one).
    public var unitES: String?
    /// When the baseline was measured; by when the target is to be met.
    public var baselineDate: String?
    public var targetDate: String?
    /// Whether the values are estimates, not counts.
    public var estimate = false

    public init(nameEN: String? = nil, nameES: String? = nil, kind: IndicatorKind, unit: String? = nil,
                baseline: String? = nil, target: String? = nil, direction: Direction, externalID: String? = nil) {
        self.nameEN = nameEN
        self.nameES = nameES
        self.kind = kind
        self.unit = unit
        self.baseline = baseline
        self.target = target
        self.direction = direction
        self.externalID = externalID
    }

    func createValue(commitment: EntityRef) -> JSONValue {
        var members: [String: JSONValue] = ["commitment": .string(commitment.text), "kind": .string(kind.rawValue),
                                            "direction": .string(direction.rawValue)]
        members["name.en"] = nameEN.map(JSONValue.string)
        members["name.es"] = nameES.map(JSONValue.string)
        members["unit"] = unit.map(JSONValue.string)
        members["unit.es"] = unitES.map(JSONValue.string)
        members["baseline"] = baseline.map(JSONValue.string)
        members["target"] = target.map(JSONValue.string)
        members["baseline.date"] = baselineDate.map(JSONValue.string)
        members["target.date"] = targetDate.map(JSONValue.string)
        if estimate { members["estimate"] = .bool(true) }
        members["external_id"] = externalID.map(JSONValue.string)
        if !illustrative.isEmpty { members["illustrative"] = .array(Set(illustrative).sorted().map(JSONValue.string)) }
        return .object(members)
    }
}

extension Replica {
    /// Runs several writes in one transaction: one `fsync`, one refresh of what they touched.
    /// The policy refuses the whole batch or none of it, as for a single write.
    @discardableResult
    public func batch<T>(_ body: (WriteBatch) throws -> T) throws -> T {
        try commit { try body(WriteBatch(appender: $0, delegation: identity.delegation)) }
    }

    /// Records a new commitment; the owner must be this store's delegation or `joint`.
    @discardableResult
    public func addCommitment(_ draft: CommitmentDraft) throws -> EntityRef {
        try batch { try $0.addCommitment(draft) }
    }

    /// Records a new dialogue.
    @discardableResult
    public func addDialogue(_ draft: DialogueDraft) throws -> EntityRef {
        try batch { try $0.addDialogue(draft) }
    }

    /// Adds an indicator to a commitment (its owner delegation(s) only).
    @discardableResult
    public func addIndicator(to commitment: EntityRef, _ draft: IndicatorDraft) throws -> EntityRef {
        try batch { try $0.addIndicator(to: commitment, draft) }
    }

    /// Adds an immutable, attributed note to a commitment or a dialogue.
    @discardableResult
    public func addNote(to parent: EntityRef, text: String, lang: String? = nil) throws -> EntityRef {
        try batch { try $0.addNote(to: parent, text: text, lang: lang) }
    }

    /// Writes a register field, superseding every value this store sees — so it also resolves a conflict.
    @discardableResult
    public func set(_ entity: EntityRef, field: String, value: JSONValue) throws -> OpID {
        try batch { try $0.set(entity, field: field, value: value) }
    }

    /// Resolves a conflict: like ``set(_:field:value:)`` but refused when the field's live values
    /// do not differ (``EntityState/isConflict(_:)``).
    @discardableResult
    public func resolve(_ entity: EntityRef, field: String, value: JSONValue) throws -> OpID {
        let live = try registerValues(entity, field: field)
        guard EntityState.isConflict(live) else { throw PuenteError(.noConflict, [entity.text, field]) }
        return try set(entity, field: field, value: value)
    }

    /// This delegation's assessment of a commitment.
    @discardableResult
    public func assess(_ commitment: EntityRef, rating: Rating, why: String?) throws -> OpID {
        try batch { try $0.assess(commitment, rating: rating, why: why) }
    }

    /// Adds an element to a set field (agencies, tags, participants, evidence).
    @discardableResult
    public func addElement(_ entity: EntityRef, field: String, element: JSONValue) throws -> OpID {
        try batch { try $0.addElement(entity, field: field, element: element) }
    }

    /// Removes every add of `element` this store sees (observed-remove: a concurrent add survives).
    @discardableResult
    public func removeElement(_ entity: EntityRef, field: String, element: JSONValue) throws -> OpID {
        try batch { try $0.removeElement(entity, field: field, element: element) }
    }

    /// Appends a reading to an indicator's series.
    @discardableResult
    public func recordReading(_ indicator: EntityRef, date: String, value: String, source: String?, from: String? = nil) throws -> OpID {
        try batch { try $0.recordReading(indicator, date: date, value: value, source: source, from: from) }
    }

    /// Retracts a dialogue, an indicator or a note; the history stays.
    @discardableResult
    public func retract(_ entity: EntityRef) throws -> OpID {
        try batch { try $0.retract(entity) }
    }

    /// Retracts one reading of an indicator.
    @discardableResult
    public func retractReading(_ indicator: EntityRef, reading: OpID) throws -> OpID {
        try batch { try $0.retractReading(indicator, reading: reading) }
    }

    /// Stores operations from other replicas (the seam sync bundles build on).
    public func receive(_ operations: [Op]) throws -> ReceiveReport {
        try store.receive(operations, wall: wallClock.nowMillis())
    }

    /// ``receive(_:)`` with a small cap on held operations, so tests can reach it.
    package func receive(_ operations: [Op], heldCap: Int) throws -> ReceiveReport {
        try store.receive(operations, wall: wallClock.nowMillis(), heldCap: heldCap)
    }

    /// ``receive(_:)`` stepping the operations of entities that hold at least `stepFrom`
    /// operations (0, the default: of every entity that can be stepped; `Int.max`: of none), so
    /// tests can compare the step with the whole materialization.
    package func receive(_ operations: [Op], stepFrom: Int) throws -> ReceiveReport {
        try store.receive(operations, wall: wallClock.nowMillis(), stepFrom: stepFrom)
    }

    /// Re-derives all state from the op log with the same function incremental writes use.
    public func rebuild(watch: WorkWatch = .none) throws {
        try store.rebuild(watch: watch)
    }

    /// A rebuild that writes full-text entries `searchBatchSize` at a time.
    package func rebuild(searchBatchSize: Int) throws {
        try store.rebuild(searchBatchSize: searchBatchSize)
    }

    /// The state digest and the trust fingerprint.
    public func digest() throws -> StateDigest {
        try store.digest()
    }
}

/// The writes of one transaction (see ``Replica/batch(_:)``). Valid only inside the closure.
public struct WriteBatch {
    let appender: OpAppender
    /// This store's delegation: whose assessment ``assess(_:rating:why:)`` writes.
    let delegation: Delegation

    /// This delegation's assessment of a commitment.
    @discardableResult
    public func assess(_ commitment: EntityRef, rating: Rating, why: String?) throws -> OpID {
        var value: [String: JSONValue] = ["rating": .string(rating.rawValue)]
        if let why, !why.isEmpty { value["why"] = .string(why) }
        return try set(commitment, field: "assessment.\(delegation.rawValue)", value: .object(value))
    }

    /// Records a new commitment; the owner must be this store's delegation or `joint`.
    @discardableResult
    public func addCommitment(_ draft: CommitmentDraft) throws -> EntityRef {
        let ref = try appender.create(.commitment, value: draft.createValue)
        for own in draft.ownFields(of: delegation) { _ = try set(ref, field: own.field, value: .string(own.value)) }
        return ref
    }

    /// Records a new dialogue.
    @discardableResult
    public func addDialogue(_ draft: DialogueDraft) throws -> EntityRef {
        try appender.create(.dialogue, value: draft.createValue)
    }

    /// Adds an indicator to a commitment (its owner delegation(s) only).
    @discardableResult
    public func addIndicator(to commitment: EntityRef, _ draft: IndicatorDraft) throws -> EntityRef {
        try appender.create(.indicator, value: draft.createValue(commitment: commitment))
    }

    /// Adds an immutable, attributed note to a commitment or a dialogue.
    @discardableResult
    public func addNote(to parent: EntityRef, text: String, lang: String? = nil) throws -> EntityRef {
        var value: [String: JSONValue] = ["parent": .string(parent.text), "text": .string(text)]
        value["lang"] = lang.map(JSONValue.string)
        return try appender.create(.note, value: .object(value))
    }

    /// Writes a register field, superseding every value this store sees.
    ///
    /// A value written by hand is its writer's word, not a planning value: when the field was
    /// marked as one (its record's `illustrative` set holds it), the mark is removed in the same
    /// batch. A writer who means the new value as a planning value marks it again after
    /// (`update --due … --illustrative +due`).
    @discardableResult
    public func set(_ entity: EntityRef, field: String, value: JSONValue) throws -> OpID {
        guard let spec = FieldCatalog.fields(of: entity.type)[field] else {
            throw PuenteError(.unknownField, [entity.type.rawValue, field])
        }
        guard spec.shape == .register else { throw PuenteError(.wrongType, [field]) }
        let refs = try appender.liveValueRefs(entity: entity.text, field: field)
        let written = try appender.append(entity: entity.text, kind: .set, field: field, value: value, refs: refs).id
        if FieldCatalog.planningFields[entity.type]?.contains(field) == true {
            let marks = try appender.liveAddRefs(entity: entity.text, field: "illustrative", element: .string(field))
            if !marks.isEmpty {
                _ = try appender.append(entity: entity.text, kind: .remove, field: "illustrative", value: .string(field), refs: marks)
            }
        }
        return written
    }

    /// Adds an element to a set field (agencies, tags, participants, evidence).
    @discardableResult
    public func addElement(_ entity: EntityRef, field: String, element: JSONValue) throws -> OpID {
        guard FieldCatalog.fields(of: entity.type)[field]?.shape == .set else {
            throw PuenteError(.unknownField, [entity.type.rawValue, field])
        }
        return try appender.append(entity: entity.text, kind: .add, field: field, value: element, refs: []).id
    }

    /// Removes every add of `element` this store sees (observed-remove: a concurrent add survives).
    @discardableResult
    public func removeElement(_ entity: EntityRef, field: String, element: JSONValue) throws -> OpID {
        guard FieldCatalog.fields(of: entity.type)[field]?.shape == .set else {
            throw PuenteError(.unknownField, [entity.type.rawValue, field])
        }
        let refs = try appender.liveAddRefs(entity: entity.text, field: field, element: element)
        guard !refs.isEmpty else {
            throw PuenteError(.notInList, [field, element.stringValue ?? String(decoding: CanonicalJSON.encode(element), as: UTF8.self)])
        }
        return try appender.append(entity: entity.text, kind: .remove, field: field, value: element, refs: refs).id
    }

    /// Appends a reading to an indicator's series.
    @discardableResult
    public func recordReading(_ indicator: EntityRef, date: String, value: String, source: String?, from: String? = nil) throws -> OpID {
        var reading: [String: JSONValue] = ["date": .string(date), "value": .string(value)]
        if let source, !source.isEmpty { reading["source"] = .string(source) }
        // The start of the period the value covers (a total over it), when it is not a value at `date`.
        reading["from"] = from.map(JSONValue.string)
        return try appender.append(entity: indicator.text, kind: .append, field: "readings", value: .object(reading), refs: []).id
    }

    /// Retracts a dialogue, an indicator or a note; the history stays.
    @discardableResult
    public func retract(_ entity: EntityRef) throws -> OpID {
        guard let create = try appender.createOp(of: entity.text) else { throw PuenteError(.notFound, [entity.text]) }
        let ref = try appender.ref(to: create)
        return try appender.append(entity: entity.text, kind: .retract, field: "", value: .null, refs: [ref]).id
    }

    /// Retracts one reading of an indicator, with the standing readings equal to it (the same
    /// reading recorded or imported by another desk too), in one operation.
    @discardableResult
    public func retractReading(_ indicator: EntityRef, reading: OpID) throws -> OpID {
        let twins = try appender.equalEntries(entity: indicator.text, field: "readings", as: reading).filter { $0 != reading }
        let refs = try ([reading] + twins.prefix(Op.maximumReferences - 1)).map { try appender.ref(to: $0) }
        return try appender.append(entity: indicator.text, kind: .retract, field: "readings", value: .null, refs: refs).id
    }
}
