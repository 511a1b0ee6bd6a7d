/// The only code that turns operations into state.
///
/// It is pure — no clock, no I/O, no randomness — and works one entity at a time: every
/// reference that counts names an operation on the same entity and field, so an entity's
/// state depends only on its own operations, its parent's acceptance and owner, and the
/// trust configuration. The store calls it for the entities a change touches, and for
/// every entity on a rebuild; there is no other path.
public enum EntityMaterializer {
    /// Materializes `entity` from `operations` (every stored operation naming it, any order).
    ///
    /// - Parameters:
    ///   - parent: for an indicator or a note, its parent's state; nil when the parent's
    ///     `create` has not arrived (or for commitments and dialogues).
    ///   - trusted: the delegation each trusted author is trusted for; others are not trusted.
    ///   - cuts: per author, where its chain stops counting (a fork proof or a revocation): its
    ///     operations from there on are rejected.
    public static func materialize(
        entity: EntityRef,
        operations: [LoggedOperation],
        parent: ParentContext?,
        trusted: [ReplicaID: Delegation],
        cuts: [ReplicaID: ChainCut] = [:]
    ) -> EntityState {
        let delegationOf: (ReplicaID) -> Delegation? = { trusted[$0] }
        let ops = operations.sorted { $0.op.id < $1.op.id }
        var statuses = [OpID: OpStatus]()

        // The valid creates. An id derived from a create's content matches that create alone; an
        // imported record's id (derived from its type, fixed members and external id) matches
        // the create of every desk that imported it, and those creates merge: each is judged on
        // its own, the entity stands when one of them is accepted, and the first accepted one
        // (by operation id) is the one the entity row names.
        var creates = [LoggedOperation]()
        for logged in ops where logged.op.kind == .create {
            // A record's create joins the others; a content-derived one stands alone.
            if logged.op.isRecordCreate || (creates.isEmpty && logged.op.hasDerivedEntity) {
                creates.append(logged)
            } else {
                statuses[logged.op.id] = .rejected(OpReason(.entityIDMismatch))
            }
        }
        for logged in creates {
            var status = createStatusFor(entity: entity, create: logged, parent: parent, delegationOf: delegationOf)
            if let cut = cuts[logged.op.replica], logged.op.seq >= cut.from { status = .rejected(cut.reason) }
            statuses[logged.op.id] = status
        }
        // The entity's create: the first accepted one, else the first pending one, else the first.
        let create = creates.first { statuses[$0.op.id]?.isAccepted == true }
            ?? creates.first { if case .pending = statuses[$0.op.id] { return true } else { return false } }
            ?? creates.first
        let createStatus = create.flatMap { statuses[$0.op.id] } ?? createStatusFor(entity: entity, create: nil, parent: parent,
                                                                                     delegationOf: delegationOf)
        guard let create, createStatus.isAccepted else {
            let waiting = OpStatus.pending(OpReason(.waitingForCreate))
            for logged in ops where statuses[logged.op.id] == nil { statuses[logged.op.id] = waiting }
            return EntityState(entity: entity, create: create, createStatus: createStatus, statuses: statuses,
                               registers: [:], sets: [:], series: [:], retracted: false)
        }

        let byID = Dictionary(ops.map { ($0.op.id, Referenced($0)) }, uniquingKeysWith: { first, _ in first })
        let context = Context(entity: entity, ownerDelegations: ownerDelegations(entity: entity, create: create.op, parent: parent),
                              creator: create.op.replica, byID: byID, trusted: trusted)
        for logged in ops where statuses[logged.op.id] == nil {
            if let cut = cuts[logged.op.replica], logged.op.seq >= cut.from {
                statuses[logged.op.id] = .rejected(cut.reason)
            } else {
                statuses[logged.op.id] = context.status(of: logged)
            }
        }
        let accepted = ops.filter { statuses[$0.op.id] == .accepted }
        // References that name no operation of this entity (with that hash): one may arrive and
        // change what the referencing operation does, so the entity cannot be stepped.
        let dangling = ops.reduce(0) { count, logged in
            count + logged.op.refs.filter { ref in byID[ref.target].map { !ref.matches(hash: $0.hash) } ?? true }.count
        }
        return context.state(create: create, accepted: accepted, statuses: statuses, dangling: dangling)
    }

    /// The delegations that own what the entity's owner alone may change: a commitment's
    /// owner, an indicator's commitment's owner, anyone for dialogues and notes.
    static func ownerDelegations(entity: EntityRef, create: Op, parent: ParentContext?) -> Set<Delegation> {
        switch entity.type {
        case .commitment:
            return create.value["owner"]?.stringValue.flatMap(Owner.init(rawValue:))?.delegations ?? []
        case .indicator:
            return parent?.owner?.delegations ?? []
        case .dialogue, .note:
            return Set(Delegation.allCases)
        }
    }

    /// An entity whose `create` is accepted, as the store holds it: what judging one more of its
    /// operations reads besides the operations that one references.
    public struct AcceptedEntity: Sendable, Equatable {
        public let entity: EntityRef
        /// For a commitment, its owner; for an indicator, its commitment's owner; else nil.
        public let owner: Owner?
        /// The author of its `create`.
        public let creator: ReplicaID
        /// How many of its creates are accepted: one, unless it is an imported record that
        /// several desks imported (each desk's create merges into the one record).
        public let acceptedCreates: Int

        public init(entity: EntityRef, owner: Owner?, creator: ReplicaID, acceptedCreates: Int = 1) {
            self.entity = entity
            self.owner = owner
            self.creator = creator
            self.acceptedCreates = acceptedCreates
        }

        var ownerDelegations: Set<Delegation> {
            switch entity.type {
            case .commitment, .indicator: return owner?.delegations ?? []
            case .dialogue, .note: return Set(Delegation.allCases)
            }
        }
    }

    /// What judging an operation reads of an operation it references: the store reads these
    /// members of a stored operation without rebuilding (and hashing) the whole of it.
    public struct Referenced: Sendable, Equatable {
        public let id: OpID
        /// Its hash (64 hex digits), which a reference must name.
        public let hash: String
        public let entity: String
        public let kind: OpKind
        public let field: String
        public let value: JSONValue

        public init(id: OpID, hash: String, entity: String, kind: OpKind, field: String, value: JSONValue) {
            self.id = id
            self.hash = hash
            self.entity = entity
            self.kind = kind
            self.field = field
            self.value = value
        }

        public init(_ logged: LoggedOperation) {
            self.init(id: logged.op.id, hash: logged.hash, entity: logged.op.entity, kind: logged.op.kind, field: logged.op.field,
                      value: logged.op.value)
        }

        /// Whether this is a `create` of an imported record (``Op/isRecordCreate``).
        var isRecordCreate: Bool {
            guard kind == .create, let ref = EntityRef(text: entity) else { return false }
            return Op.recordEntity(type: ref.type, value: value) == ref
        }
    }

    /// One operation's status and what it does to the entity's state.
    public struct Step: Sendable, Equatable {
        public let status: OpStatus
        public let effect: Effect
    }

    /// What an accepted operation changes in its entity's state.
    public enum Effect: Sendable, Equatable {
        case none
        /// `value` joins the register's live values; those it supersedes leave them.
        case register(field: String, value: RegisterValue, supersedes: [OpID])
        /// One more add of an element (`key`: its canonical bytes).
        case add(field: String, key: [UInt8], add: OpID)
        /// These adds of the element no longer keep it.
        case remove(field: String, key: [UInt8], adds: [OpID])
        case append(field: String, entry: SeriesEntry)
        case retractEntries(field: String, entries: [OpID])
    }

    /// One more operation on an accepted entity, judged alone: its status and effect are what
    /// ``materialize(entity:operations:parent:trusted:cuts:)`` gives when the entity's stored
    /// state is the materialization of its other operations, none of them references this one
    /// (no dangling reference), and `targets` holds every operation it references, with whether
    /// each is accepted. Nil when it cannot be judged alone — a `create`, the retraction of the
    /// entity itself, a reference to an operation not in `targets`, of another entity, or
    /// with another hash, or to a create of a record that holds several: the store materializes
    /// the entity whole then.
    public static func step(_ logged: LoggedOperation, on entity: AcceptedEntity,
                            targets: [OpID: (operation: Referenced, accepted: Bool)],
                            trusted: [ReplicaID: Delegation], cuts: [ReplicaID: ChainCut] = [:]) -> Step? {
        let op = logged.op
        guard op.kind != .create, !(op.kind == .retract && op.field.isEmpty), op.entity == entity.entity.text else { return nil }
        for ref in op.refs {
            guard let target = targets[ref.target], ref.matches(hash: target.operation.hash),
                  target.operation.entity == op.entity else { return nil }
            // An imported record may have several creates, which a reference to one names together;
            // with one create, a reference to it names that create alone.
            if target.operation.kind == .create, entity.acceptedCreates != 1, target.operation.isRecordCreate { return nil }
        }
        if let cut = cuts[op.replica], op.seq >= cut.from { return Step(status: .rejected(cut.reason), effect: .none) }
        let context = Context(entity: entity.entity, ownerDelegations: entity.ownerDelegations, creator: entity.creator,
                              byID: targets.mapValues(\.operation), trusted: trusted)
        let status = context.status(of: logged)
        guard status.isAccepted else { return Step(status: status, effect: .none) }
        let counted = op.refs.compactMap { ref in targets[ref.target].flatMap { $0.accepted ? $0.operation : nil } }
        let effect: Effect
        switch op.kind {
        case .set:
            effect = .register(field: op.field, value: RegisterValue(op: op.id, hlc: op.hlc, value: op.value),
                               supersedes: counted.filter { context.writes($0, field: op.field) }.map(\.id).sorted())
        case .add:
            effect = .add(field: op.field, key: CanonicalJSON.encode(op.value), add: op.id)
        case .remove:
            effect = .remove(field: op.field, key: CanonicalJSON.encode(op.value),
                             adds: counted.filter { context.adds($0, field: op.field, element: op.value) }.map(\.id).sorted())
        case .append:
            effect = .append(field: op.field, entry: SeriesEntry(op: op.id, hlc: op.hlc, value: op.value, retracted: false))
        case .retract:
            effect = .retractEntries(field: op.field,
                                     entries: counted.filter { $0.kind == .append && $0.field == op.field }.map(\.id).sorted())
        case .create:
            return nil
        }
        return Step(status: status, effect: effect)
    }

    private static func createStatusFor(entity: EntityRef, create: LoggedOperation?, parent: ParentContext?,
                                        delegationOf: (ReplicaID) -> Delegation?) -> OpStatus {
        guard let create else { return .pending(OpReason(.waitingForCreate)) }
        guard let delegation = delegationOf(create.op.replica) else { return .pending(OpReason(.untrustedAuthor)) }
        let op = create.op
        guard let members = op.value.objectValue, op.field.isEmpty, op.refs.isEmpty else {
            return .rejected(OpReason(.invalidCreate, ["shape"]))
        }
        let fields = FieldCatalog.fields(of: entity.type)
        let fixed = FieldCatalog.fixedCreateMembers[entity.type] ?? []
        for (name, value) in members {
            if fixed.contains(name) { continue }
            guard let spec = fields[name], spec.inCreate else { return .rejected(OpReason(.invalidCreate, [name])) }
            switch spec.shape {
            case .register:
                if let problem = spec.rule.problem(with: value) { return .rejected(OpReason(.invalidValue, [name, problem])) }
            case .set:
                guard let elements = value.arrayValue, elements.count <= 256 else {
                    return .rejected(OpReason(.invalidValue, [name, "list"]))
                }
                for element in elements {
                    if let problem = spec.rule.problem(with: element) { return .rejected(OpReason(.invalidValue, [name, problem])) }
                }
            case .series:
                return .rejected(OpReason(.invalidCreate, [name]))
            }
        }
        for required in FieldCatalog.requiredInCreate[entity.type] ?? [] where members[required] == nil {
            return .rejected(OpReason(.invalidCreate, [required]))
        }
        if let externalID = members["external_id"], ValueRule.text(maxLength: 200).problem(with: externalID) != nil {
            return .rejected(OpReason(.invalidValue, ["external_id", "text"]))
        }
        switch entity.type {
        case .commitment:
            guard let ownerText = members["owner"]?.stringValue, let owner = Owner(rawValue: ownerText) else {
                return .rejected(OpReason(.invalidCreate, ["owner"]))
            }
            guard owner == .joint || owner.rawValue == delegation.rawValue else {
                return .rejected(OpReason(.ownerNotOwnDelegation, [delegation.rawValue]))
            }
        case .dialogue:
            break
        case .indicator:
            guard let link = members["commitment"]?.stringValue, let ref = EntityRef(text: link), ref.type == .commitment else {
                return .rejected(OpReason(.invalidCreate, ["commitment"]))
            }
            guard let parent, parent.accepted else { return .pending(OpReason(.waitingForParent, [link])) }
            guard let owner = parent.owner, owner.delegations.contains(delegation) else {
                return .rejected(OpReason(.ownerOnly, parentOwnerArguments(parent)))
            }
        case .note:
            guard let link = members["parent"]?.stringValue, let ref = EntityRef(text: link),
                  ref.type == .commitment || ref.type == .dialogue else {
                return .rejected(OpReason(.invalidCreate, ["parent"]))
            }
            guard let text = members["text"], ValueRule.text(maxLength: 20_000).problem(with: text) == nil else {
                return .rejected(OpReason(.invalidValue, ["text", "text"]))
            }
            if let lang = members["lang"], lang != "en", lang != "es" {
                return .rejected(OpReason(.invalidValue, ["lang", "one-of:en,es"]))
            }
            guard let parent, parent.accepted else { return .pending(OpReason(.waitingForParent, [link])) }
        }
        return .accepted
    }

    static func parentOwnerArguments(_ parent: ParentContext) -> [String] {
        (parent.owner?.delegations ?? []).sorted().map(\.rawValue)
    }

    /// What the checks of one entity's non-create operations read.
    private struct Context {
        let entity: EntityRef
        /// The delegations that own what the entity's owner alone may change.
        let ownerDelegations: Set<Delegation>
        /// The author of the entity's accepted `create`.
        let creator: ReplicaID
        /// The operations references may name (of this entity).
        let byID: [OpID: Referenced]
        let trusted: [ReplicaID: Delegation]

        func delegationOf(_ replica: ReplicaID) -> Delegation? { trusted[replica] }

        var fields: [String: FieldSpec] { FieldCatalog.fields(of: entity.type) }

        func allowed(_ writers: FieldWriters, author: Delegation, adders: [Delegation]) -> OpReason? {
            switch writers {
            case .anyone:
                return nil
            case .owner:
                return ownerDelegations.contains(author) ? nil : OpReason(.ownerOnly, ownerDelegations.sorted().map(\.rawValue))
            case .delegation(let only):
                return author == only ? nil : OpReason(.delegationOnly, [only.rawValue])
            case .adder:
                let others = adders.filter { $0 != author }
                return others.isEmpty ? nil : OpReason(.adderOnly, Array(Set(others.map(\.rawValue))).sorted())
            }
        }

        /// The referenced operations that are present with the named hash.
        func present(_ refs: [OpRef]) -> [Referenced] {
            refs.compactMap { ref in
                guard let target = byID[ref.target], ref.matches(hash: target.hash) else { return nil }
                return target
            }
        }

        func status(of logged: LoggedOperation) -> OpStatus {
            let op = logged.op
            guard let author = delegationOf(op.replica) else { return .pending(OpReason(.untrustedAuthor)) }
            if op.kind == .retract { return retractStatus(logged, author: author) }
            guard let spec = fields[op.field] else {
                // Fields a later version may know are kept and relayed, never rejected.
                return op.field.isEmpty || op.field == "owner" ? .rejected(OpReason(.notAllowed, [op.field]))
                    : .pending(OpReason(.unknownField, [op.field]))
            }
            switch (op.kind, spec.shape) {
            case (.set, .register):
                if op.value.isNull {
                    guard spec.nullable else { return .rejected(OpReason(.invalidValue, [op.field, "required"])) }
                } else if let problem = spec.rule.problem(with: op.value) {
                    return .rejected(OpReason(.invalidValue, [op.field, problem]))
                }
                return allowed(spec.writers, author: author, adders: []).map(OpStatus.rejected) ?? .accepted
            case (.add, .set):
                if let problem = spec.rule.problem(with: op.value) { return .rejected(OpReason(.invalidValue, [op.field, problem])) }
                return allowed(spec.writers, author: author, adders: []).map(OpStatus.rejected) ?? .accepted
            case (.remove, .set):
                let adders = present(op.refs).filter { adds($0, field: op.field, element: op.value) }
                    .compactMap { delegationOf($0.id.replica) }
                return allowed(spec.removers, author: author, adders: adders).map(OpStatus.rejected) ?? .accepted
            case (.append, .series):
                if let problem = spec.rule.problem(with: op.value) { return .rejected(OpReason(.invalidValue, [op.field, problem])) }
                return allowed(spec.writers, author: author, adders: []).map(OpStatus.rejected) ?? .accepted
            default:
                return .rejected(OpReason(.wrongKind, [op.kind.rawValue, op.field]))
            }
        }

        func retractStatus(_ logged: LoggedOperation, author: Delegation) -> OpStatus {
            let op = logged.op
            if op.field.isEmpty {
                // Retracting the entity itself; commitments are withdrawn through their status instead.
                switch entity.type {
                case .commitment:
                    return .rejected(OpReason(.notAllowed, ["retract"]))
                case .dialogue:
                    return .accepted
                case .indicator:
                    return allowed(.owner, author: author, adders: []).map(OpStatus.rejected) ?? .accepted
                case .note:
                    let adder = delegationOf(creator).map { [$0] } ?? []
                    return allowed(.adder, author: author, adders: adder).map(OpStatus.rejected) ?? .accepted
                }
            }
            guard let spec = fields[op.field], spec.shape == .series else {
                return .rejected(OpReason(.wrongKind, [op.kind.rawValue, op.field]))
            }
            return allowed(spec.writers, author: author, adders: []).map(OpStatus.rejected) ?? .accepted
        }

        /// Whether `op` writes register `field` (a `set` on it, or a `create` that gives it a value).
        func writes(_ op: Referenced, field: String) -> Bool {
            switch op.kind {
            case .set: return op.field == field
            case .create: return op.value[field] != nil
            default: return false
            }
        }

        /// Whether `op` adds `element` to set `field`.
        func adds(_ op: Referenced, field: String, element: JSONValue) -> Bool {
            switch op.kind {
            case .add:
                return op.field == field && CanonicalJSON.encode(op.value) == CanonicalJSON.encode(element)
            case .create:
                let key = CanonicalJSON.encode(element)
                return op.value[field]?.arrayValue?.contains { CanonicalJSON.encode($0) == key } ?? false
            default:
                return false
            }
        }

        func state(create: LoggedOperation, accepted: [LoggedOperation], statuses: [OpID: OpStatus], dangling: Int) -> EntityState {
            let acceptedIDs = Set(accepted.map(\.op.id))
            func counted(_ refs: [OpRef]) -> [Referenced] {
                present(refs).filter { acceptedIDs.contains($0.id) }
            }

            // Registers: live = accepted writes that no accepted write of the same field supersedes.
            // The creates of an imported record are one create: a reference to one of them also
            // names what the others wrote that is equal to what it wrote (so two desks' equal
            // imports of a value are superseded together). A different value stays live.
            let creates = accepted.filter { $0.op.kind == .create }
            func alike(_ target: Referenced, field: String, element: JSONValue? = nil) -> [OpID] {
                guard target.kind == .create, creates.count > 1 else { return [target.id] }
                if let element {
                    return creates.filter { adds(Referenced($0), field: field, element: element) }.map(\.op.id)
                }
                guard let written = target.value[field] else { return [target.id] }
                let key = CanonicalJSON.encode(written)
                return creates.filter { $0.op.value[field].map(CanonicalJSON.encode) == key }.map(\.op.id)
            }
            var writesByField = [String: [LoggedOperation]]()
            var superseded = [String: Set<OpID>]()
            for logged in accepted {
                let op = logged.op
                switch op.kind {
                case .create:
                    for (name, _) in op.value.objectValue ?? [:] where fields[name]?.shape == .register {
                        writesByField[name, default: []].append(logged)
                    }
                case .set:
                    writesByField[op.field, default: []].append(logged)
                    for target in counted(op.refs) where writes(target, field: op.field) {
                        superseded[op.field, default: []].formUnion(alike(target, field: op.field))
                    }
                default:
                    break
                }
            }
            var registers = [String: [RegisterValue]]()
            for (field, writers) in writesByField {
                let gone = superseded[field] ?? []
                let live = writers.filter { !gone.contains($0.op.id) }.map { logged in
                    RegisterValue(op: logged.op.id, hlc: logged.op.hlc,
                                  value: logged.op.kind == .create ? (logged.op.value[field] ?? .null) : logged.op.value)
                }
                if !live.isEmpty { registers[field] = live.sorted { $0.op < $1.op } }
            }

            // Sets: observed-remove, add wins — an element stays while any add of it is not removed.
            var addsByField = [String: [[UInt8]: (value: JSONValue, adds: [OpID])]]()
            for logged in accepted {
                let op = logged.op
                switch op.kind {
                case .create:
                    for (name, value) in op.value.objectValue ?? [:] where fields[name]?.shape == .set {
                        for element in value.arrayValue ?? [] {
                            let key = CanonicalJSON.encode(element)
                            addsByField[name, default: [:]][key, default: (element, [])].adds.append(op.id)
                        }
                    }
                case .add:
                    let key = CanonicalJSON.encode(op.value)
                    addsByField[op.field, default: [:]][key, default: (op.value, [])].adds.append(op.id)
                default:
                    break
                }
            }
            // A remove names (add op, element); one create may add several elements, so a removed
            // create-add only removes the element the remove names.
            var removedPairs = Set<String>()
            for logged in accepted where logged.op.kind == .remove {
                let key = CanonicalJSON.encode(logged.op.value)
                for target in counted(logged.op.refs) where adds(target, field: logged.op.field, element: logged.op.value) {
                    for add in alike(target, field: logged.op.field, element: logged.op.value) {
                        removedPairs.insert("\(logged.op.field)\u{0}\(add)\u{0}" + String(decoding: key, as: UTF8.self))
                    }
                }
            }
            var sets = [String: [SetElement]]()
            for (field, elements) in addsByField {
                var live = [SetElement]()
                for (key, entry) in elements {
                    let keyText = String(decoding: key, as: UTF8.self)
                    let remaining = entry.adds.filter { !removedPairs.contains("\(field)\u{0}\($0)\u{0}" + keyText) }
                    if !remaining.isEmpty { live.append(SetElement(value: entry.value, key: key, adds: remaining.sorted())) }
                }
                if !live.isEmpty { sets[field] = live.sorted { $0.key.lexicographicallyPrecedes($1.key) } }
            }

            // Series and retraction.
            var retractedEntries = Set<OpID>()
            var entityRetracted = false
            for logged in accepted where logged.op.kind == .retract {
                for target in counted(logged.op.refs) {
                    if logged.op.field.isEmpty, target.kind == .create {
                        entityRetracted = true
                    } else if !logged.op.field.isEmpty, target.kind == .append, target.field == logged.op.field {
                        retractedEntries.insert(target.id)
                    }
                }
            }
            var series = [String: [SeriesEntry]]()
            for logged in accepted where logged.op.kind == .append {
                series[logged.op.field, default: []].append(
                    SeriesEntry(op: logged.op.id, hlc: logged.op.hlc, value: logged.op.value,
                                retracted: retractedEntries.contains(logged.op.id)))
            }
            for field in series.keys { series[field]?.sort { $0.op < $1.op } }

            return EntityState(entity: entity, create: create, createStatus: .accepted, statuses: statuses,
                               registers: registers, sets: sets, series: series, retracted: entityRetracted,
                               danglingReferences: dangling)
        }
    }
}
