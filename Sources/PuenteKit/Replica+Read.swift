import Foundation
import PuenteCrypto

/// A commitment as listings show it: the display value of each field.
public struct CommitmentSummary: Sendable, Equatable, Codable {
    public let id: String
    public let owner: Owner
    public let titleEN: String?
    public let titleES: String?
    public let pillar: String?
    public let area: String?
    public let status: String?
    public let priority: String?
    public let due: String?
    public let dialogue: String?
    public let lead: String?
    public let assessmentUS: String?
    public let assessmentMX: String?
    public let conflicts: Int
    /// Where the commitment comes from (a ``SourceKind`` code), when recorded.
    public let source: String?
    /// The fields whose values are planning values, which no source states (codes, in order).
    public let illustrative: [String]
    /// Each delegation's lead agency (an ``AgencyCatalog`` code or text), as that delegation wrote it.
    public let leadUS: String?
    public let leadMX: String?
    /// Each delegation's own priority (a ``Priority`` code), as that delegation wrote it.
    public let priorityUS: String?
    public let priorityMX: String?

    public var entity: EntityRef? { EntityRef(text: id) }

    /// Whether the commitment is an outside analysts' recommendation, which neither government
    /// agreed: never counted or shown as an agreed or fulfilled commitment.
    public var isRecommendation: Bool { source == SourceKind.recommendation.rawValue }
}

/// How a listing is ordered.
public enum CommitmentSort: String, Sendable, CaseIterable {
    /// Due date, earliest first (undated last).
    case due
    case title
    case status
    case owner
    case pillar
    /// Most recently created first.
    case created
    /// Best match first (with `text`; otherwise by due date).
    case relevance
}

/// Which commitments a listing shows.
public struct CommitmentFilter: Sendable {
    public var owner: Owner?
    public var pillar: Pillar?
    public var area: String?
    public var status: CommitmentStatus?
    /// Only open commitments whose due date is before this date.
    public var overdueAsOf: String?
    public var dueBefore: String?
    public var dialogue: EntityRef?
    public var source: SourceKind?
    /// Words to find in either language (titles, summaries, area, lead), case and accents folded;
    /// each word matches as a prefix.
    public var text: String?
    public var sort: CommitmentSort
    public var limit: Int?

    public init(owner: Owner? = nil, pillar: Pillar? = nil, area: String? = nil, status: CommitmentStatus? = nil,
                overdueAsOf: String? = nil, dueBefore: String? = nil, dialogue: EntityRef? = nil, text: String? = nil,
                sort: CommitmentSort = .due, limit: Int? = nil, source: SourceKind? = nil) {
        self.source = source
        self.sort = sort
        self.limit = limit
        self.owner = owner
        self.pillar = pillar
        self.area = area
        self.status = status
        self.overdueAsOf = overdueAsOf
        self.dueBefore = dueBefore
        self.dialogue = dialogue
        self.text = text
    }
}

/// A replica as the store knows it: who wrote what.
public struct ReplicaInfo: Sendable, Equatable {
    public let id: ReplicaID
    public let delegation: Delegation
    public let name: String
    public let trusted: Bool
    public let headSeq: Int64
}

/// One operation in the audit trail, with what it replaced.
public struct HistoryEntry: Sendable, Equatable {
    public let op: Op
    public let author: ReplicaInfo?
    public let status: OpStatus
    /// Values of the operations it supersedes or removes (present ones only).
    public let previous: [JSONValue]
    /// Its clock was more than 24 h ahead of this store's wall clock when it arrived: kept, never
    /// followed, and listed at that limit rather than at its stamp (it would head the log for years).
    public var clockAhead = false
}

/// A run of an author's operations dropped past a revocation cut (or refused on arrival past
/// it): neither kept nor relayed, recorded for the audit.
public struct DroppedOperations: Sendable, Equatable {
    public let author: ReplicaID
    public let authorInfo: ReplicaInfo?
    public let seqs: ClosedRange<Int64>
    public let count: Int
    /// Milliseconds since the epoch, on this store's clock.
    public let at: UInt64
    public let reason: OpReason
}

/// Everything `show` displays about one entity.
public struct EntityDetail: Sendable {
    public let state: EntityState
    public let creator: ReplicaInfo?
    public let history: [HistoryEntry]
    /// Indicators and notes attached to it, with their own state.
    public let children: [EntityState]
    /// Every replica known here, to attribute each value to its delegation and replica.
    public let authors: [ReplicaID: ReplicaInfo]
}

/// An open conflict: a register with several live values.
public struct ConflictItem: Sendable, Equatable {
    public let entity: EntityRef
    /// The entity's title in English, else in Spanish.
    public let title: String?
    /// The entity's title in each language, as it holds them.
    public let titleEN: String?
    public let titleES: String?
    public let field: String
    public let values: [RegisterValue]
    public let authors: [ReplicaID: ReplicaInfo]
}

extension Replica {
    /// The shortest display form of an entity id: the first 8 digits of its UUID.
    public static func shortID(_ entity: String) -> String {
        let utf8 = entity.utf8
        let start = utf8.lastIndex(of: UInt8(ascii: "/")).map { utf8.index(after: $0) } ?? utf8.startIndex
        return String(entity[start...].prefix(8))
    }

    /// Finds the entity whose id starts with `prefix` (a short id, a full UUID, or `type/uuid`).
    public func resolveID(_ prefix: String, as type: EntityType? = nil) throws -> EntityRef {
        let cleaned = prefix.lowercased().trimmingCharacters(in: .whitespaces)
        var types = type.map { [$0] } ?? EntityType.allCases
        var body = cleaned
        if let slash = cleaned.firstIndex(of: "/"), let named = EntityType(rawValue: String(cleaned[..<slash])) {
            types = [named]
            body = String(cleaned[cleaned.index(after: slash)...])
        }
        guard body.allSatisfy({ $0.isHexDigit || $0 == "-" }) else { throw PuenteError(.notFound, [prefix]) }
        let digits = body.filter(\.isHexDigit).count
        guard digits >= 4 else { throw PuenteError(.shortID, [prefix, String(digits)]) }
        let matches = try store.read { tx in try tx.acceptedEntities(types, prefix: body, limit: 5) }
        guard let first = matches.first, let ref = EntityRef(text: first) else {
            throw PuenteError(.notFound, [prefix])
        }
        guard matches.count == 1 else { throw PuenteError(.ambiguousID, [prefix] + matches.map { Self.shortID($0) }) }
        return ref
    }

    /// How `show` names one entry of a series (a reading): the first 8 digits of its author's id,
    /// a colon and its seq, e.g. `25b937e2:7`. ``reading(_:)`` takes it back.
    public static func entryHandle(_ entry: OpID) -> String { String(entry.replica.hex.prefix(8)) + ":" + String(entry.seq) }

    /// The standing reading that `handle` names (``entryHandle(_:)``; at least 4 digits of the
    /// author's id) and its indicator.
    public func reading(_ handle: String) throws -> (indicator: EntityRef, reading: OpID) {
        let parts = handle.lowercased().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = Int64(parts[1]), seq >= 1, parts[0].allSatisfy(\.isHexDigit) else {
            throw PuenteError(.notFound, [handle])
        }
        guard parts[0].count >= 4 else { throw PuenteError(.shortID, [handle, String(parts[0].count)]) }
        let matches = try store.read { tx in try tx.standingEntries(field: "readings", authorPrefix: String(parts[0]), seq: seq, limit: 5) }
        guard let first = matches.first, let indicator = EntityRef(text: first.entity) else { throw PuenteError(.notFound, [handle]) }
        guard matches.count == 1 else { throw PuenteError(.ambiguousID, [handle] + matches.map { Self.entryHandle($0.entry) }) }
        return (indicator, first.entry)
    }

    /// An entity's materialized state (what `show` reads, without the history).
    public func state(_ entity: EntityRef) throws -> EntityState {
        try store.read { tx in try tx.state(entity) }
    }

    /// The live values of one register.
    public func registerValues(_ entity: EntityRef, field: String) throws -> [RegisterValue] {
        try store.read { tx in try tx.state(entity).registers[field] ?? [] }
    }

    /// Commitments matching `filter`, ordered by due date then title.
    public func commitments(_ filter: CommitmentFilter = CommitmentFilter()) throws -> [CommitmentSummary] {
        var summaries = [CommitmentSummary]()
        try commitments(filter) { summaries.append($0) }
        return summaries
    }

    /// Hands the commitments matching `filter` to `each` one at a time, in `filter`'s order, as
    /// they are read (all in one read transaction): a listing of any size is written without
    /// being held.
    public func commitments(_ filter: CommitmentFilter = CommitmentFilter(), each: (CommitmentSummary) throws -> Void) throws {
        try store.read { tx in try tx.commitments(filter, each: each) }
    }

    /// How many commitments `filter` matches (its sort and limit aside).
    public func commitmentCount(_ filter: CommitmentFilter = CommitmentFilter()) throws -> Int {
        try store.read { tx in try tx.commitmentCount(filter) }
    }

    /// Whether any commitment records a delegation's lead.
    public func anyLead() throws -> Bool {
        try store.read { tx in try tx.anyLead() }
    }

    /// Every accepted entity of `type`, with its state (dialogues are few; commitments use ``commitments(_:)``).
    public func entities(of type: EntityType) throws -> [EntityState] {
        try store.read { tx in try tx.acceptedEntities(of: type).map { try tx.state($0) } }
    }

    /// One entity in full: state, creator, history (every operation, rejected ones too) and children.
    public func detail(_ entity: EntityRef) throws -> EntityDetail {
        try store.read { tx in
            // Each operation of the entity is read once: for its state, its history and the
            // values its history lines supersede.
            let (rows, state) = try tx.history(entity)
            let replicas = try tx.replicas()
            var arrived = [OpID: UInt64]()
            var known = [OpID: (op: Op, status: OpStatus)]()
            for row in rows {
                arrived[row.op.id] = row.arrived
                known[row.op.id] = (row.op, row.status)
            }
            let history = try rows.map { row in
                var line = HistoryEntry(op: row.op, author: replicas[row.op.replica], status: row.status,
                                        previous: try tx.previousValues(of: row.op, known: known))
                line.clockAhead = Store.isClockAhead(row.op.hlc, arrived: arrived[row.op.id])
                return line
            }.enumerated().sorted { first, second in
                // In clock order, a stamp too far ahead counted at the limit it broke (a stable sort).
                let (a, b) = (Store.listedClock(first.element.op.hlc, arrived: arrived[first.element.op.id]),
                              Store.listedClock(second.element.op.hlc, arrived: arrived[second.element.op.id]))
                return a != b ? a < b : first.offset < second.offset
            }.map(\.element)
            let children = try tx.acceptedChildren(of: entity).map { try tx.state($0) }
            return EntityDetail(state: state, creator: state.create.flatMap { replicas[$0.op.replica] },
                                history: history, children: children, authors: replicas)
        }
    }

    /// Every open conflict, read from the materialized registers (a loser row marks one).
    public func conflicts() throws -> [ConflictItem] {
        var items = [ConflictItem]()
        try conflicts { items.append($0) }
        return items
    }

    /// Hands every open conflict to `each`, in entity and field order, as it is read (all in one
    /// read transaction).
    public func conflicts(each: (ConflictItem) throws -> Void) throws {
        try store.read { tx in try tx.conflicts(limit: nil, each: each) }
    }

    /// The op log, newest first (by clock, then author, then newest in the chain): the latest
    /// `limit` operations with their authors and statuses.
    ///
    /// `about`: only the operations of that entity and of its children (a commitment's
    /// indicators and notes). `authors`: only the operations they wrote.
    public func log(limit: Int = 50, rejectedOnly: Bool = false, about: EntityRef? = nil,
                    authors: [ReplicaID]? = nil) throws -> [HistoryEntry] {
        try store.read { tx in
            let replicas = try tx.replicas()
            let entities = try about.map { [$0.text] + (try tx.allChildren(of: $0)) }
            return try tx.log(limit: limit, rejectedOnly: rejectedOnly, entities: entities, authors: authors).map { row in
                var entry = HistoryEntry(op: row.op, author: replicas[row.op.replica], status: row.status,
                                         previous: try tx.previousValues(of: row.op))
                entry.clockAhead = Store.isClockAhead(row.op.hlc, arrived: row.arrived)
                return entry
            }
        }
    }

    /// Every run of operations dropped past a revocation cut, newest first.
    public func droppedOperations() throws -> [DroppedOperations] {
        try store.read { tx in try tx.droppedOperations() }
    }

    /// Every replica this store knows.
    public func replicas() throws -> [ReplicaInfo] {
        try store.read { tx in try tx.replicas().values.sorted { $0.id < $1.id } }
    }

    /// The operations of `author` after `seq`, in chain order (what a bundle carries).
    public func operations(of author: ReplicaID, after seq: Int64 = 0) throws -> [Op] {
        try store.read { tx in try tx.operations(of: author, after: seq) }
    }

    /// Registers another replica's key and trusts it for `delegation`, with no card or
    /// fingerprint check: for tests only. People trust keys through ``trust(card:fingerprint:)``.
    package func trustReplica(signingKey: [UInt8], agreementKey: [UInt8]?, delegation: Delegation, name: String) throws {
        guard signingKey.count == 32, let id = ReplicaID(hex: Digest.sha256hex(signingKey)) else {
            throw PuenteError(.invalidValue, ["key", "32 bytes"])
        }
        try store.write { tx in
            try tx.recordKey(StoredKey(id: id, delegation: delegation, role: .replica, name: name, office: "",
                                       signingKey: signingKey, agreementKey: agreementKey),
                             trusted: true, onConflict: .trustName)
            try tx.rematerialize(authoredBy: id)
        }
    }

    /// This store's raw public keys (signing, agreement).
    public func publicKeys() throws -> (signing: [UInt8], agreement: [UInt8]) {
        guard let key = try store.read({ tx in try tx.key(identity.replica) }) else { throw PuenteError(.storeUnreadable, ["keys"]) }
        return (key.signingKey, key.agreementKey ?? [])
    }

    /// The accepted entity of `type` imported with `externalID`, if any.
    public func entity(externalID: String, type: EntityType) throws -> EntityRef? {
        try store.read { tx in try tx.entity(externalID: externalID, type: type) }
    }

    /// Every materialized row, every operation's status and every full-text entry, as sorted
    /// text lines: what the digest covers and everything it leaves out. Tests compare it
    /// before and after a rebuild.
    package func materializedRows() throws -> [String] {
        try store.read { tx in try tx.materializedRows() }
    }
}
