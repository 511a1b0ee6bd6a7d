/// An operation as the merge engine sees it: the operation and its hash (computed once, on arrival).
public struct LoggedOperation: Sendable, Hashable {
    public let op: Op
    public let hash: String

    public init(op: Op, hash: String) {
        self.op = op
        self.hash = hash
    }

    public init(_ op: Op) {
        self.init(op: op, hash: op.hash)
    }
}

/// One live value of a register: the operation that wrote it and the value.
public struct RegisterValue: Hashable, Sendable {
    public let op: OpID
    public let hlc: HLCTimestamp
    public let value: JSONValue
}

/// A live element of a set, with every live add that keeps it there.
public struct SetElement: Hashable, Sendable {
    public let value: JSONValue
    /// Canonical bytes of `value`: sets compare elements as bytes.
    public let key: [UInt8]
    public let adds: [OpID]
}

/// One entry of an append-only series.
public struct SeriesEntry: Hashable, Sendable {
    public let op: OpID
    public let hlc: HLCTimestamp
    public let value: JSONValue
    public let retracted: Bool
}

/// What the parent of an indicator or a note looks like to the merge engine.
public struct ParentContext: Sendable, Hashable {
    public let accepted: Bool
    /// The parent commitment's owner; nil for a dialogue.
    public let owner: Owner?

    public init(accepted: Bool, owner: Owner?) {
        self.accepted = accepted
        self.owner = owner
    }
}

/// The materialized state of one entity: a pure function of its operations, its parent's
/// acceptance and owner, and who is trusted for which delegation.
public struct EntityState: Sendable, Equatable {
    public let entity: EntityRef
    /// The valid `create`, when it has arrived.
    public let create: LoggedOperation?
    public let createStatus: OpStatus
    public let statuses: [OpID: OpStatus]
    /// Per register field, its live values, sorted by op id.
    public let registers: [String: [RegisterValue]]
    /// Per set field, its live elements sorted by their canonical bytes.
    public let sets: [String: [SetElement]]
    /// Per series field, every accepted entry, sorted by op id.
    public let series: [String: [SeriesEntry]]
    public let retracted: Bool
    /// How many references of its operations name no operation of this entity with that hash
    /// (counted when the entity is accepted): while any does, its operations are not stepped
    /// one by one (``EntityMaterializer/step(_:on:targets:trusted:cuts:)``).
    public let danglingReferences: Int

    init(entity: EntityRef, create: LoggedOperation?, createStatus: OpStatus, statuses: [OpID: OpStatus],
         registers: [String: [RegisterValue]], sets: [String: [SetElement]], series: [String: [SeriesEntry]],
         retracted: Bool, danglingReferences: Int = 0) {
        self.entity = entity
        self.create = create
        self.createStatus = createStatus
        self.statuses = statuses
        self.registers = registers
        self.sets = sets
        self.series = series
        self.retracted = retracted
        self.danglingReferences = danglingReferences
    }

    public var isAccepted: Bool { createStatus.isAccepted }

    /// Fixed members of the `create` (owner, parent, external id…).
    public var owner: Owner? { create?.op.value["owner"]?.stringValue.flatMap(Owner.init(rawValue:)) }
    public var externalID: String? { create?.op.value["external_id"]?.stringValue }
    public var parent: String? {
        guard let value = create?.op.value else { return nil }
        return value["commitment"]?.stringValue ?? value["parent"]?.stringValue
    }

    /// The fields whose values are planning values (the `illustrative` set), as codes in order.
    public var illustrative: [String] {
        Set((sets["illustrative"] ?? []).compactMap(\.value.stringValue)).sorted()
    }

    /// The value shown for a register: the live value with the greatest (hlc, replica).
    public func displayValue(_ field: String) -> JSONValue? {
        Self.winner(registers[field] ?? [])?.value
    }

    /// The live value with the greatest `(hlc, replica)`.
    public static func winner(_ values: [RegisterValue]) -> RegisterValue? {
        values.max { ($0.hlc, $0.op.replica) < ($1.hlc, $1.op.replica) }
    }

    /// Whether a register's live values are an open conflict: two or more that differ. Equal
    /// values written concurrently (two desks that settled on the same value) are one value
    /// with several authors; the register still keeps each operation.
    public static func isConflict(_ values: [RegisterValue]) -> Bool {
        guard let first = values.first else { return false }
        return values.contains { $0.value != first.value }
    }

    /// Register fields whose live values differ (``isConflict(_:)``).
    public var conflictedFields: [String] {
        registers.filter { Self.isConflict($0.value) }.keys.sorted()
    }
}
