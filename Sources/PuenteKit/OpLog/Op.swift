import PuenteCrypto

/// What an operation does.
public enum OpKind: String, CaseIterable, Sendable {
    /// Makes an entity; its value carries the fixed fields and any initial field values.
    case create
    /// Writes a register field.
    case set
    /// Adds an element to a set field.
    case add
    /// Removes the adds its references name.
    case remove
    /// Appends an entry to a series (an indicator reading).
    case append
    /// Retracts the entity or series entry its reference names.
    case retract
}

/// One change by one replica: the unit of the op log, of sync and of merge.
///
/// Its canonical bytes are what is hashed and chained; see ``CanonicalJSON``.
public struct Op: Hashable, Sendable {
    /// The `prev` of every replica's first operation.
    public static let genesisPrev = String(repeating: "0", count: 64)
    /// The most references one operation may carry.
    public static let maximumReferences = 256
    /// The longest canonical operation accepted (one line of `ops.jsonl`).
    public static let maximumEncodedSize = 64 * 1024

    public let replica: ReplicaID
    public let seq: Int64
    public let hlc: HLCTimestamp
    public let prev: String
    /// The entity text (`commitment/<uuid>`); for a `create` it must be the derived id.
    public let entity: String
    public let kind: OpKind
    public let field: String
    public let value: JSONValue
    public let refs: [OpRef]

    /// The canonical bytes: what is hashed, chained and sent. Computed once, when the operation is made.
    public let canonicalBytes: [UInt8]
    /// SHA-256 of the canonical bytes, lowercase hex.
    public let hash: String

    public init(replica: ReplicaID, seq: Int64, hlc: HLCTimestamp, prev: String, entity: String,
                kind: OpKind, field: String, value: JSONValue, refs: [OpRef]) {
        let bytes = CanonicalJSON.encode(Self.json(replica: replica, seq: seq, hlc: hlc, prev: prev, entity: entity, kind: kind,
                                                   field: field, value: value, refs: refs))
        self.init(replica: replica, seq: seq, hlc: hlc, prev: prev, entity: entity, kind: kind, field: field, value: value,
                  refs: refs, canonicalBytes: bytes, hash: Digest.sha256(bytes).hex)
    }

    /// An operation whose canonical bytes (and hash) the caller already holds: decoded from
    /// exactly those bytes, or read back from the store, which keeps both.
    init(replica: ReplicaID, seq: Int64, hlc: HLCTimestamp, prev: String, entity: String, kind: OpKind, field: String,
         value: JSONValue, refs: [OpRef], canonicalBytes: [UInt8], hash: String) {
        self.replica = replica
        self.seq = seq
        self.hlc = hlc
        self.prev = prev
        self.entity = entity
        self.kind = kind
        self.field = field
        self.value = value
        self.refs = refs
        self.canonicalBytes = canonicalBytes
        self.hash = hash
    }

    /// Two operations are equal when their canonical bytes are.
    public static func == (lhs: Op, rhs: Op) -> Bool { lhs.canonicalBytes == rhs.canonicalBytes }

    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    public var id: OpID { OpID(replica: replica, seq: seq) }

    /// The operation as a JSON object, exactly the nine members of the contract.
    public var json: JSONValue {
        Self.json(replica: replica, seq: seq, hlc: hlc, prev: prev, entity: entity, kind: kind, field: field, value: value, refs: refs)
    }

    static func json(replica: ReplicaID, seq: Int64, hlc: HLCTimestamp, prev: String, entity: String, kind: OpKind,
                     field: String, value: JSONValue, refs: [OpRef]) -> JSONValue {
        .object([
            "replica": .string(replica.hex),
            "seq": .int(seq),
            "hlc": .string(hlc.text),
            "prev": .string(prev),
            "entity": .string(entity),
            "kind": .string(kind.rawValue),
            "field": .string(field),
            "value": value,
            "refs": .array(refs.map { .string($0.text) }),
        ])
    }

    /// A reference to this operation.
    public var ref: OpRef { OpRef(target: id, hashPrefix: String(hash.prefix(16))) }

    /// The entity a `create` with this content names: derived from its canonical bytes with
    /// `entity` set to `""`, so no one can choose, collide with or take over an id.
    public static func derivedEntity(type: EntityType, canonicalBytesWithoutEntity bytes: [UInt8]) -> EntityRef {
        EntityRef(type: type, id: EntityRef.uuid(fromDigest: Digest.sha256(bytes)))
    }

    /// The entity a `create` of an imported record names: derived from its type, its fixed
    /// members and its `external_id`, so every desk that imports the record creates the same
    /// entity, and the creates merge. Nil for notes and for a create without an `external_id`.
    ///
    /// The fixed members are in the key, so no create can reach another's record through a
    /// crafted `external_id`: a commitment's owner (the policy lets a desk create only for its
    /// own delegation or `joint`) and an indicator's commitment (only its owners may create
    /// there). Dialogues have no owner; every trusted desk may edit or retract one anyway.
    public static func recordEntity(type: EntityType, value: JSONValue) -> EntityRef? {
        guard let externalID = value["external_id"]?.stringValue else { return nil }
        let scope: String
        switch type {
        case .commitment:
            guard let owner = value["owner"]?.stringValue else { return nil }
            scope = owner
        case .dialogue:
            scope = ""
        case .indicator:
            guard let commitment = value["commitment"]?.stringValue else { return nil }
            scope = commitment
        case .note:
            return nil
        }
        // The external id comes last: it may hold any text, and nothing follows it.
        let key = "puente-record/1\n\(type.rawValue)\n\(scope)\n\(externalID)"
        return EntityRef(type: type, id: EntityRef.uuid(fromDigest: Digest.sha256(Array(key.utf8))))
    }

    /// Whether this `create` names a valid entity: the one its content derives, or, for an
    /// imported record, the one its type, fixed members and external id derive.
    public var hasValidEntity: Bool { isRecordCreate || hasDerivedEntity }

    /// Whether this is a `create` of an imported record (its entity is keyed by `external_id`):
    /// one of possibly several creates of its entity, by every desk that imported the record.
    public var isRecordCreate: Bool {
        guard kind == .create, let ref = EntityRef(text: entity) else { return false }
        return Op.recordEntity(type: ref.type, value: value) == ref
    }

    /// This operation with `entity` replaced (used to derive and check create ids).
    public func with(entity: String) -> Op {
        Op(replica: replica, seq: seq, hlc: hlc, prev: prev, entity: entity, kind: kind, field: field, value: value, refs: refs)
    }

    /// Whether this `create`'s entity is the one its content derives.
    public var hasDerivedEntity: Bool {
        guard kind == .create, let ref = EntityRef(text: entity) else { return false }
        // `entity` sorts first, so the canonical bytes open with `{"entity":"<entity>"`; the same
        // operation with `entity` set to "" differs only there (an entity id holds no escapes).
        let opening = Array("{\"entity\":\"".utf8)
        let end = opening.count + entity.utf8.count
        guard canonicalBytes.count > end, canonicalBytes.starts(with: opening), canonicalBytes[end] == 0x22 else { return false }
        var withoutEntity = opening
        withoutEntity.append(contentsOf: canonicalBytes[end...])
        return Op.derivedEntity(type: ref.type, canonicalBytesWithoutEntity: withoutEntity) == ref
    }
}

/// Why an operation's bytes were refused.
public struct OpDecodingError: Error, Equatable, Sendable, CustomStringConvertible {
    public let problem: String
    public init(_ problem: String) { self.problem = problem }
    public var description: String { problem }
}

extension Op {
    /// Decodes an operation from exactly its canonical bytes; anything else is refused.
    public init(canonicalBytes bytes: [UInt8]) throws(OpDecodingError) {
        guard bytes.count <= Op.maximumEncodedSize else {
            throw OpDecodingError("operation is larger than \(Op.maximumEncodedSize) bytes")
        }
        if let op = Op.decodedFast(bytes, hash: nil) {
            self = op
            return
        }
        let value: JSONValue
        do {
            value = try CanonicalJSON.decodeCanonical(bytes)
        } catch {
            throw OpDecodingError("operation JSON \(error.reason.rawValue) (byte \(error.offset))")
        }
        try self.init(json: value, canonicalBytes: bytes, hash: nil)
    }

    /// Decodes an operation from its JSON object, checking every member's form.
    public init(json value: JSONValue) throws(OpDecodingError) {
        try self.init(json: value, canonicalBytes: nil, hash: nil)
    }

    /// `canonicalBytes`, when given, must be the canonical encoding of `value` (the caller checked).
    private init(json value: JSONValue, canonicalBytes: [UInt8]?, hash: String?) throws(OpDecodingError) {
        guard let object = value.objectValue else { throw OpDecodingError("operation is not a JSON object") }
        // Nine members, each of them expected: exactly the expected ones.
        guard object.count == Self.members.count, Self.members.allSatisfy({ object[$0] != nil }) else {
            let keys = Set(object.keys)
            let extra = keys.subtracting(Self.members).sorted()
            let missing = Set(Self.members).subtracting(keys).sorted()
            throw OpDecodingError("operation members differ from the contract (extra: \(extra), missing: \(missing))")
        }
        guard let replicaText = object["replica"]?.stringValue, let replica = ReplicaID(hex: replicaText) else {
            throw OpDecodingError("replica is not 64 lowercase hex digits")
        }
        guard let seq = object["seq"]?.intValue, seq >= 1 else { throw OpDecodingError("seq is not a positive integer") }
        guard let hlcText = object["hlc"]?.stringValue, let hlc = HLCTimestamp(text: hlcText) else {
            throw OpDecodingError("hlc is not of the form 012345abcdef-0001")
        }
        guard let prev = object["prev"]?.stringValue, ReplicaID.isHex(prev, count: 64) else {
            throw OpDecodingError("prev is not 64 lowercase hex digits")
        }
        guard let entity = object["entity"]?.stringValue, EntityRef(text: entity) != nil else {
            throw OpDecodingError("entity is not of the form commitment/<uuid>")
        }
        guard let kindText = object["kind"]?.stringValue, let kind = OpKind(rawValue: kindText) else {
            throw OpDecodingError("kind is not one of \(OpKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let field = object["field"]?.stringValue, Self.isValidFieldName(field) else {
            throw OpDecodingError("field name is not valid")
        }
        guard let refValues = object["refs"]?.arrayValue, refValues.count <= Op.maximumReferences else {
            throw OpDecodingError("refs is not a list of at most \(Op.maximumReferences) references")
        }
        var refs = [OpRef]()
        for refValue in refValues {
            guard let text = refValue.stringValue, let ref = OpRef(text: text) else {
                throw OpDecodingError("a reference is not of the form replica:seq:hash16")
            }
            refs.append(ref)
        }
        let value = object["value"] ?? .null
        guard let canonicalBytes else {
            self.init(replica: replica, seq: seq, hlc: hlc, prev: prev, entity: entity, kind: kind, field: field, value: value, refs: refs)
            return
        }
        self.init(replica: replica, seq: seq, hlc: hlc, prev: prev, entity: entity, kind: kind, field: field, value: value,
                  refs: refs, canonicalBytes: canonicalBytes, hash: hash ?? Digest.sha256(canonicalBytes).hex)
    }

    /// The members of an operation object.
    static let members = ["replica", "seq", "hlc", "prev", "entity", "kind", "field", "value", "refs"]

    /// Field names: empty, or lowercase ASCII letters, digits, `.`, `-` and `_`, at most 64 bytes.
    public static func isValidFieldName(_ field: String) -> Bool {
        field.utf8.count <= 64 && field.utf8.allSatisfy {
            (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2e || $0 == 0x2d || $0 == 0x5f
        }
    }
}
