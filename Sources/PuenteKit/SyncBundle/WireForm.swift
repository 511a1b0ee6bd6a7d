/// The lines of `ops.jsonl`: the first operation of each segment in full, every later one
/// without `prev`, which the importer restores from the hash of the line before. Leaving out
/// what the importer recomputes halves a bundle (64 hex digits of hash compress poorly).
///
/// Both directions work on the canonical bytes. Keys sort by bytes, so a canonical operation
/// reads `…"kind":"…","prev":"<64 hex>","refs":[…]…`, and the members before `prev` (entity,
/// field, hlc, kind) are strings that cannot hold an unescaped quote: the first `,"refs":` is
/// the top-level one.
public enum WireForm {
    private static let refsMarker = Array(",\"refs\":".utf8)
    private static let prevMarker = Array(",\"prev\":\"".utf8)
    /// `,"prev":"` + 64 hex digits + `"`.
    static let prevMemberSize = 9 + 64 + 1

    /// The wire line of `op`; `first` for the first operation of its segment.
    public static func line(_ op: Op, first: Bool) -> [UInt8] {
        first ? op.canonicalBytes : withoutPrev(op.canonicalBytes) ?? op.canonicalBytes
    }

    /// Canonical operation bytes with the `prev` member cut out; nil when they have none where it belongs.
    static func withoutPrev(_ bytes: [UInt8]) -> [UInt8]? {
        guard let refs = firstIndex(of: refsMarker, in: bytes), refs >= prevMemberSize,
              bytes[(refs - prevMemberSize)..<(refs - prevMemberSize + prevMarker.count)].elementsEqual(prevMarker) else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count - prevMemberSize)
        out.append(contentsOf: bytes[..<(refs - prevMemberSize)])
        out.append(contentsOf: bytes[refs...])
        return out
    }

    /// Restores an operation from its wire line, strictly: the line must be canonical, and must
    /// carry `prev` exactly when it is the first of its segment.
    static func op(_ line: [UInt8], previous: Op?) throws(OpDecodingError) -> Op {
        guard line.count <= Op.maximumEncodedSize else { throw OpDecodingError("operation is larger than 64 KiB") }
        guard let previous else { return try Op(canonicalBytes: line) }
        guard let refs = firstIndex(of: refsMarker, in: line) else {
            throw OpDecodingError("operation members differ from the contract (missing: [\"refs\"])")
        }
        var full = [UInt8]()
        full.reserveCapacity(line.count + prevMemberSize)
        full.append(contentsOf: line[..<refs])
        full.append(contentsOf: prevMarker)
        full.append(contentsOf: previous.hash.utf8)
        full.append(0x22)
        full.append(contentsOf: line[refs...])
        let op = try Op(canonicalBytes: full)
        // The restored operation must be exactly the line plus its `prev`: a line that carried a
        // `prev` of its own, or anything else, is refused.
        guard op.prev == previous.hash, withoutPrev(op.canonicalBytes) == line else {
            throw OpDecodingError("only the first operation of a segment carries prev")
        }
        return op
    }

    private static func firstIndex(of marker: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= marker.count, let first = marker.first else { return nil }
        var index = 0
        let last = bytes.count - marker.count
        while index <= last {
            if bytes[index] == first, bytes[index..<(index + marker.count)].elementsEqual(marker) { return index }
            index += 1
        }
        return nil
    }
}

/// The lines of `ops.jsonl` in a bundle of format 2 (`puente-bundle/2`): each operation's
/// canonical object less what the importer restores.
///
/// - `replica` and `seq` never travel: the segment names its author and first seq, and its
///   lines follow one another.
/// - `prev` travels on the segment's first line only, as in format 1.
/// - A reference to the segment's own author is written without the author: `:seq:hash`.
/// - A reference the importer can resolve — to an earlier operation of the same segment, or,
///   in an incremental bundle, to one the recipients are known to hold — may travel without
///   its hash digits (`replica:seq`, `:seq`); its target restores them.
/// - When the first reference can be resolved so, `entity` and `field` are left out where that
///   target's are the same.
///
/// The importer restores the canonical operation, and the line must be exactly what this
/// encoding gives for the omissions it shows, so a line has one form. A wrong restoration (an
/// importer whose operation at that seq differs) changes the operation's hash, which breaks the
/// chain to the head its author signed: the segment is refused, never applied otherwise.
enum ThinWire {
    /// What a line leaves out beyond the rules every line follows.
    struct Omissions: Equatable {
        var entity = false
        var field = false
        /// Per reference, in order: whether its hash digits are left out.
        var refHashes: [Bool] = []
    }

    /// The target of a reference, as the importer holds it (`hash`: at least its first 16 digits).
    struct Target {
        let hash: String
        let entity: String
        let field: String
    }

    /// A reference whose target the importer does not hold: the segment needs a full bundle.
    struct Unresolved: Error {
        let target: OpID
    }

    /// The wire line of `op`, the `first` of its segment or not, with `omissions`.
    static func line(_ op: Op, first: Bool, omitting omissions: Omissions) -> [UInt8] {
        var object: [String: JSONValue] = ["hlc": .string(op.hlc.text), "kind": .string(op.kind.rawValue), "value": op.value]
        if !omissions.entity { object["entity"] = .string(op.entity) }
        if !omissions.field { object["field"] = .string(op.field) }
        if first { object["prev"] = .string(op.prev) }
        object["refs"] = .array(op.refs.enumerated().map { index, ref in
            let hashOmitted = index < omissions.refHashes.count && omissions.refHashes[index]
            let author = ref.target.replica == op.replica ? "" : ref.target.replica.hex
            return .string(author + ":" + String(ref.target.seq) + (hashOmitted ? "" : ":" + ref.hashPrefix))
        })
        return CanonicalJSON.encode(.object(object))
    }

    /// Restores the operation `seq` of `author` from its line: `previous` is the operation of the
    /// line before in the segment (nil on its first line), `resolve` gives what the importer holds
    /// of a target (nil when it holds nothing). Throws ``Unresolved`` when a target it needs is not
    /// held, and ``OpDecodingError`` for a line that is not a well-formed wire line.
    static func op(_ line: [UInt8], author: ReplicaID, seq: Int64, previous: Op?,
                   resolve: (OpID) throws -> Target?) throws -> Op {
        // On the bytes first (``ThinWireBytes``); a line they do not take is read by the
        // definition below, which says what is wrong with it.
        if line.count <= Op.maximumEncodedSize, let parts = ThinWireBytes.wire(line),
           let restored = try ThinWireBytes.restore(line, parts, author: author, seq: seq, previousHash: previous?.hash,
                                                    resolve: resolve),
           let op = try? Op(canonicalBytes: restored.canonical), let canonical = ThinWireBytes.canonical(op.canonicalBytes),
           ThinWireBytes.line(op.canonicalBytes, canonical, first: previous == nil, omitting: restored.omissions) == line {
            return op
        }
        return try definition(line, author: author, seq: seq, previous: previous, resolve: resolve)
    }

    /// ``op(_:author:seq:previous:resolve:)`` on the JSON tree: the definition the bytes are held to.
    static func definition(_ line: [UInt8], author: ReplicaID, seq: Int64, previous: Op?,
                           resolve: (OpID) throws -> Target?) throws -> Op {
        let parsed = try shape(line, first: previous == nil)
        var omissions = Omissions()
        var refs = [OpRef]()
        for wire in parsed.refs {
            let target = OpID(replica: wire.author ?? author, seq: wire.seq)
            if let prefix = wire.hashPrefix {
                refs.append(OpRef(target: target, hashPrefix: prefix))
                omissions.refHashes.append(false)
            } else {
                guard let held = try resolve(target) else { throw Unresolved(target: target) }
                refs.append(OpRef(target: target, hashPrefix: String(held.hash.prefix(16))))
                omissions.refHashes.append(true)
            }
        }
        var entity = parsed.entity
        var field = parsed.field
        if entity == nil || field == nil {
            guard let first = refs.first else { throw OpDecodingError("entity and field may be left out only with a reference") }
            guard let held = try resolve(first.target) else { throw Unresolved(target: first.target) }
            if entity == nil {
                entity = held.entity
                omissions.entity = true
            }
            if field == nil {
                field = held.field
                omissions.field = true
            }
        }
        let prev = previous?.hash ?? parsed.prev ?? ""
        let op = try Op(json: Op.json(replica: author, seq: seq, hlc: parsed.hlc, prev: prev, entity: entity ?? "", kind: parsed.kind,
                                      field: field ?? "", value: parsed.value, refs: refs))
        // One form per line: exactly what the encoding gives for the omissions it shows (a member
        // left out where the target differs, say, would restore an operation the line does not say).
        guard self.line(op, first: previous == nil, omitting: omissions) == line else {
            throw OpDecodingError("the line is not the wire form of the operation it restores")
        }
        return op
    }

    /// A wire line's members, read strictly (canonical JSON, the members of the form, each of its
    /// shape), before anything is restored: what a segment whose lines cannot be restored still checks.
    struct Shape {
        let entity: String?
        let field: String?
        let hlc: HLCTimestamp
        let kind: OpKind
        let prev: String?
        let refs: [(author: ReplicaID?, seq: Int64, hashPrefix: String?)]
        let value: JSONValue
    }

    static func shape(_ line: [UInt8], first: Bool) throws(OpDecodingError) -> Shape {
        guard line.count <= Op.maximumEncodedSize else { throw OpDecodingError("operation is larger than 64 KiB") }
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parseCanonical(line)
        } catch {
            throw OpDecodingError("line JSON \(error.reason.rawValue) (byte \(error.offset))")
        }
        guard let object = parsed.objectValue else { throw OpDecodingError("operation is not a JSON object") }
        let allowed: Set<String> = ["entity", "field", "hlc", "kind", "prev", "refs", "value"]
        let keys = Set(object.keys)
        guard keys.isSubset(of: allowed), keys.isSuperset(of: ["hlc", "kind", "refs", "value"]) else {
            throw OpDecodingError("line members differ from the wire form (\(keys.sorted()))")
        }
        guard (object["prev"] != nil) == first else { throw OpDecodingError("only the first operation of a segment carries prev") }
        if let prev = object["prev"] {
            guard let text = prev.stringValue, ReplicaID.isHex(text, count: 64) else { throw OpDecodingError("prev is not 64 lowercase hex digits") }
        }
        guard let hlcText = object["hlc"]?.stringValue, let hlc = HLCTimestamp(text: hlcText) else {
            throw OpDecodingError("hlc is not of the form 012345abcdef-0001")
        }
        guard let kindText = object["kind"]?.stringValue, let kind = OpKind(rawValue: kindText) else {
            throw OpDecodingError("kind is not one of \(OpKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let refValues = object["refs"]?.arrayValue, refValues.count <= Op.maximumReferences else {
            throw OpDecodingError("refs is not a list of at most \(Op.maximumReferences) references")
        }
        var refs = [(author: ReplicaID?, seq: Int64, hashPrefix: String?)]()
        for value in refValues {
            guard let text = value.stringValue, let ref = wireRef(text) else {
                throw OpDecodingError("a reference is not of the form [replica]:seq[:hash16]")
            }
            refs.append(ref)
        }
        if object["entity"] == nil || object["field"] == nil, refs.isEmpty {
            throw OpDecodingError("entity and field may be left out only with a reference")
        }
        if let entity = object["entity"] {
            guard let text = entity.stringValue, EntityRef(text: text) != nil else {
                throw OpDecodingError("entity is not of the form commitment/<uuid>")
            }
        }
        if let field = object["field"] {
            guard let text = field.stringValue, Op.isValidFieldName(text) else { throw OpDecodingError("field name is not valid") }
        }
        return Shape(entity: object["entity"]?.stringValue, field: object["field"]?.stringValue, hlc: hlc, kind: kind,
                     prev: object["prev"]?.stringValue, refs: refs, value: object["value"] ?? .null)
    }

    /// `[replica]:seq[:hash16]`: the author (absent for the segment's own), the seq, the hash digits (absent when left out).
    static func wireRef(_ text: String) -> (author: ReplicaID?, seq: Int64, hashPrefix: String?)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        var author: ReplicaID?
        if !parts[0].isEmpty {
            guard let id = ReplicaID(hex: String(parts[0])) else { return nil }
            author = id
        }
        let digits = parts[1].utf8
        guard let first = digits.first, first != 0x30, digits.count <= 18, digits.allSatisfy({ (0x30...0x39).contains($0) }),
              let seq = Int64(parts[1]) else { return nil }
        var prefix: String?
        if parts.count == 3 {
            guard ReplicaID.isHex(String(parts[2]), count: 16) else { return nil }
            prefix = String(parts[2])
        }
        return (author, seq, prefix)
    }
}

/// The lines of one segment read or written so far, by `seq - from`: what a later line's
/// references to them restore (the first 16 hash digits, the entity and field), kept in about
/// 24 bytes a line, entity ids and field names interned. The export checks a reference against
/// it before leaving the digits out; the import restores from it, the bundle's own version even
/// where its store holds another operation at that seq (a fork).
struct SegmentTargets {
    let replica: ReplicaID
    let from: Int64
    private var prefixes = [UInt8]()
    private var entityOf = [Int32]()
    private var fieldOf = [Int32]()
    private var names = [String: Int32]()
    private var nameList = [String]()

    init(replica: ReplicaID, from: Int64) {
        self.replica = replica
        self.from = from
    }

    /// The seq the next line has.
    var next: Int64 { from + Int64(entityOf.count) }

    /// Whether `target` is one of the lines so far.
    func holds(_ target: OpID) -> Bool {
        target.replica == replica && target.seq >= from && target.seq < next
    }

    /// Adds the next line's operation: its hash (64 hex digits), entity and field.
    mutating func append(hash: String, entity: String, field: String) {
        prefixes.append(contentsOf: hash.utf8.prefix(16))
        entityOf.append(intern(entity))
        fieldOf.append(intern(field))
    }

    /// What the line at `seq` restores, if it is one of the lines so far.
    func target(_ seq: Int64) -> ThinWire.Target? {
        guard seq >= from, seq < next else { return nil }
        let slot = Int(seq - from)
        return ThinWire.Target(hash: String(decoding: prefixes[(slot * 16)..<(slot * 16 + 16)], as: UTF8.self),
                               entity: nameList[Int(entityOf[slot])], field: nameList[Int(fieldOf[slot])])
    }

    /// Whether the line at `seq` (one of the lines so far) has a hash that starts with `digits`.
    func hash(at seq: Int64, startsWith digits: ArraySlice<UInt8>) -> Bool {
        let slot = Int(seq - from)
        return prefixes[(slot * 16)..<(slot * 16 + 16)].elementsEqual(digits)
    }

    private mutating func intern(_ text: String) -> Int32 {
        if let known = names[text] { return known }
        names[text] = Int32(nameList.count)
        nameList.append(text)
        return Int32(nameList.count - 1)
    }
}
