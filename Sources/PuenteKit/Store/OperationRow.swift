import Foundation
import GRDB
import PuenteCrypto

/// How the log keeps an operation: only what cannot be derived (see ``Schema/log``).
///
/// The canonical bytes of an operation are its nine members in their fixed order; every member
/// but the value is a name with no escapes (ids, hex, a clock, a field name) or an integer, so
/// the bytes are those names joined around the value's canonical JSON. The row keeps the value
/// as those exact bytes, the names by integer key, and `prev` not at all (it is the hash of the
/// author's previous row). Reading a row back rebuilds the bytes and checks them against the
/// stored hash, so a row that does not rebuild to what was signed is never taken for it.
enum OperationRow {
    /// The SQL that reads rows for ``op(_:keys:prev:)`` from `operation o`, for a run of one
    /// chain in order (each row's `prev` is the hash of the row before it): the entity's id
    /// from its name.
    static let chainColumns = """
        o.author, o.seq, o.millis, o.counter, o.hash, n.id AS entity_id, o.kind, o.field, o.value, o.refs,
        o.status, o.reason, o.arrived
        """

    /// ``chainColumns`` and the previous row's hash as `prev`, for rows read one by one.
    static let columns = chainColumns + ", (SELECT p.hash FROM operation p WHERE p.author = o.author AND p.seq = o.seq - 1) AS prev"

    /// `FROM` and the join the columns need.
    static let from = "operation o JOIN entity_name n ON n.key = o.entity"

    static func kindCode(_ kind: OpKind) -> Int {
        switch kind {
        case .create: 0
        case .set: 1
        case .add: 2
        case .remove: 3
        case .append: 4
        case .retract: 5
        }
    }

    static func kind(code: Int64) -> OpKind? {
        switch code {
        case 0: .create
        case 1: .set
        case 2: .add
        case 3: .remove
        case 4: .append
        case 5: .retract
        default: nil
        }
    }

    static func statusCode(_ status: OpStatus) -> Int {
        switch status {
        case .accepted: 0
        case .pending: 1
        case .rejected: 2
        }
    }

    /// A stored status and its reason.
    static func status(code: Int64, reason: String?) -> OpStatus {
        let why = reason.flatMap(OpReason.init(text:)) ?? OpReason(.notAllowed)
        switch code {
        case 0: return .accepted
        case 2: return .rejected(why)
        default: return .pending(why)
        }
    }

    /// The canonical bytes of an operation with these members; `value` is the value's canonical JSON.
    static func canonicalBytes<Value: Collection<UInt8>>(entity: String, field: String, hlc: HLCTimestamp, kind: OpKind,
                                                         prev: String, refs: [OpRef], replica: ReplicaID, seq: Int64,
                                                         value: Value) -> [UInt8] {
        var out = prefix(entity: entity, field: field, hlc: hlc, kind: kind, prev: prev, refs: refs, replica: replica, seq: seq,
                         extra: value.count + 1)
        out.append(contentsOf: value)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// Everything before the value.
    private static func prefix(entity: String, field: String, hlc: HLCTimestamp, kind: OpKind, prev: String, refs: [OpRef],
                               replica: ReplicaID, seq: Int64, extra: Int = 0) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(220 + refs.count * 86 + extra)
        out.append(contentsOf: "{\"entity\":\"".utf8)
        out.append(contentsOf: entity.utf8)
        out.append(contentsOf: "\",\"field\":\"".utf8)
        out.append(contentsOf: field.utf8)
        out.append(contentsOf: "\",\"hlc\":\"".utf8)
        out.append(contentsOf: hlc.text.utf8)
        out.append(contentsOf: "\",\"kind\":\"".utf8)
        out.append(contentsOf: kind.rawValue.utf8)
        out.append(contentsOf: "\",\"prev\":\"".utf8)
        out.append(contentsOf: prev.utf8)
        out.append(contentsOf: "\",\"refs\":[".utf8)
        for (index, ref) in refs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: ref.text.utf8)
            out.append(UInt8(ascii: "\""))
        }
        out.append(contentsOf: "],\"replica\":\"".utf8)
        out.append(contentsOf: replica.hex.utf8)
        out.append(contentsOf: "\",\"seq\":".utf8)
        out.append(contentsOf: String(seq).utf8)
        out.append(contentsOf: ",\"value\":".utf8)
        return out
    }

    /// The value's canonical JSON inside `op`'s canonical bytes; nil if the bytes are not the
    /// members joined as ``canonicalBytes(entity:field:hlc:kind:prev:refs:replica:seq:value:)`` joins them.
    static func valueBytes(of op: Op) -> ArraySlice<UInt8>? {
        let head = prefix(entity: op.entity, field: op.field, hlc: op.hlc, kind: op.kind, prev: op.prev, refs: op.refs,
                          replica: op.replica, seq: op.seq)
        let bytes = op.canonicalBytes
        guard bytes.count > head.count + 1, bytes.last == UInt8(ascii: "}"), bytes.starts(with: head) else { return nil }
        return bytes[head.count..<(bytes.count - 1)]
    }

    /// Stores one operation in the log.
    static func insert(_ db: Database, _ op: Op, hash: String, status: OpStatus = .accepted, arrived: Int64?,
                       keys: OperationKeys) throws {
        guard let value = valueBytes(of: op), let digest = bytes(hex: hash), digest.count == 32,
              let author = try keys.key(of: op.replica) else {
            throw PuenteError(.storeUnreadable, ["operation \(op.replica.short):\(op.seq)"])
        }
        let entity = try keys.entityKey(op.entity)
        // Once per operation an import receives: through SQLite's C interface (``SQLiteCall``).
        let insert = try SQLiteCall(db, """
            INSERT INTO operation (author, seq, millis, counter, hash, entity, kind, field, value, refs, status, reason, arrived)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try insert.bind(.integer(author), .integer(op.seq), .integer(Int64(op.hlc.millis)), .integer(Int64(op.hlc.counter)),
                        .bytes(digest), .integer(entity), .integer(Int64(kindCode(op.kind))), .text(op.field), .bytes(Array(value)),
                        try encode(op.refs, keys: keys).map { .bytes(Array($0)) } ?? .null, .integer(Int64(statusCode(status))),
                        status.reason.map { .text($0.text) } ?? .null, arrived.map { .integer($0) } ?? .null)
        try insert.run()
    }

    /// A row read with ``columns`` (or ``chainColumns`` and `prev`) as the operation it stores,
    /// its canonical bytes rebuilt and checked against its hash.
    static func op(_ row: Row, keys: OperationKeys, prev: String? = nil) throws -> Op {
        let rebuilt = try rebuild(row, keys: keys, prev: prev)
        guard let value = try? JSONParser.parse(rebuilt.value) else {
            throw PuenteError(.storeUnreadable, ["operation \(rebuilt.replica.short):\(rebuilt.seq) (value)"])
        }
        return Op(replica: rebuilt.replica, seq: rebuilt.seq, hlc: rebuilt.hlc, prev: rebuilt.prev, entity: rebuilt.entity,
                  kind: rebuilt.kind, field: rebuilt.field, value: value, refs: rebuilt.refs, canonicalBytes: rebuilt.bytes,
                  hash: rebuilt.hash)
    }

    /// What a row rebuilds to, its value left unparsed.
    struct Rebuilt {
        let replica: ReplicaID
        let seq: Int64
        let hlc: HLCTimestamp
        let prev: String
        let entity: String
        let kind: OpKind
        let field: String
        let refs: [OpRef]
        let value: [UInt8]
        /// The canonical bytes, which hash to `hash`.
        let bytes: [UInt8]
        let hash: String
    }

    /// What a row of the log holds, as ``chainColumns`` (and ``columns``' `prev`) read it.
    struct Members {
        let author: Int64
        let seq: Int64
        let millis: Int64
        let counter: Int64
        let hash: [UInt8]
        let entity: String?
        let kind: Int64
        let field: String
        let value: [UInt8]
        let refs: [UInt8]
        let prev: [UInt8]?

        /// A row read by GRDB, by column name.
        init(_ row: Row) {
            author = row["author"]
            seq = row["seq"]
            millis = row["millis"]
            counter = row["counter"]
            hash = Array(row["hash"] as Data)
            entity = row["entity_id"]
            kind = row["kind"]
            field = row["field"]
            value = Array(row["value"] as Data)
            refs = (row["refs"] as Data?).map(Array.init) ?? []
            prev = (row["prev"] as Data?).map(Array.init)
        }

        /// A row of ``chainColumns`` read through ``SQLiteCall``, by position (no `prev`).
        init(chain row: SQLiteCall.Row) {
            author = row.integer(0)
            seq = row.integer(1)
            millis = row.integer(2)
            counter = row.integer(3)
            hash = row.bytes(4)
            entity = row.optionalText(5)
            kind = row.integer(6)
            field = row.text(7)
            value = row.bytes(8)
            refs = row.bytes(9)
            prev = nil
        }
    }

    /// A row's canonical bytes and hash, checked; `prev` when the row was read without it.
    static func rebuild(_ row: Row, keys: OperationKeys, prev given: String? = nil) throws -> Rebuilt {
        try rebuild(Members(row), keys: keys, prev: given)
    }

    /// The canonical bytes and hash of the row with these members, checked.
    static func rebuild(_ row: Members, keys: OperationKeys, prev given: String? = nil) throws -> Rebuilt {
        let seq = row.seq
        guard let replica = try keys.replica(key: row.author) else {
            throw PuenteError(.storeUnreadable, ["operation author \(row.author)"])
        }
        // Named only when something is wrong: a row's place is text built for a message.
        func place() -> String { "operation \(replica.short):\(seq)" }
        let digest = row.hash
        let prev: String
        if seq == 1 {
            prev = Op.genesisPrev
        } else if let given {
            prev = given
        } else if let previous = row.prev {
            prev = previous.hex
        } else {
            throw PuenteError(.storeUnreadable, [place() + " (no previous operation)"])
        }
        let millis = row.millis
        let counter = row.counter
        guard let kind = kind(code: row.kind), millis >= 0, (0...Int64(UInt16.max)).contains(counter),
              let entity = row.entity else {
            throw PuenteError(.storeUnreadable, [place()])
        }
        let hlc = HLCTimestamp(millis: UInt64(millis), counter: UInt16(counter))
        let field = row.field
        let value = row.value
        let refs = try decode(row.refs, keys: keys, at: place)
        let bytes = canonicalBytes(entity: entity, field: field, hlc: hlc, kind: kind, prev: prev, refs: refs, replica: replica,
                                   seq: seq, value: value)
        guard Digest.sha256(bytes) == digest else { throw PuenteError(.storeUnreadable, [place() + " (does not match its hash)"]) }
        return Rebuilt(replica: replica, seq: seq, hlc: hlc, prev: prev, entity: entity, kind: kind, field: field, refs: refs,
                       value: value, bytes: bytes, hash: digest.hex)
    }

    /// A row's status, read with ``columns``.
    static func status(_ row: Row) -> OpStatus {
        status(code: row["status"], reason: row["reason"])
    }

    // MARK: - References

    /// Each reference as: 0 and its author's key (or 1 and the author's 32 bytes, for an
    /// author this store has no key for), its seq, then the 8 bytes of its hash prefix; all
    /// integers as unsigned LEB128. Nil for none.
    static func encode(_ refs: [OpRef], keys: OperationKeys) throws -> Data? {
        guard !refs.isEmpty else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(refs.count * 14)
        for ref in refs {
            guard let prefix = bytes(hex: ref.hashPrefix), prefix.count == 8 else {
                throw PuenteError(.storeUnreadable, ["reference \(ref.text)"])
            }
            if let key = keys.knownKey(of: ref.target.replica) {
                out.append(0)
                appendVarint(UInt64(key), to: &out)
            } else if let raw = bytes(hex: ref.target.replica.hex), raw.count == 32 {
                out.append(1)
                out.append(contentsOf: raw)
            } else {
                throw PuenteError(.storeUnreadable, ["reference \(ref.text)"])
            }
            appendVarint(UInt64(ref.target.seq), to: &out)
            out.append(contentsOf: prefix)
        }
        return Data(out)
    }

    static func decode(_ bytes: [UInt8], keys: OperationKeys, at place: () -> String) throws -> [OpRef] {
        var refs = [OpRef]()
        var index = 0
        func fail() -> PuenteError { PuenteError(.storeUnreadable, [place() + " (references)"]) }
        while index < bytes.count {
            let tag = bytes[index]
            index += 1
            let replica: ReplicaID
            if tag == 0 {
                guard let key = readVarint(bytes, &index), let known = try keys.replica(key: Int64(clamping: key)) else { throw fail() }
                replica = known
            } else {
                guard tag == 1, index + 32 <= bytes.count, let id = ReplicaID(hex: bytes[index..<(index + 32)].hex) else { throw fail() }
                replica = id
                index += 32
            }
            guard let seq = readVarint(bytes, &index), seq >= 1, seq <= UInt64(Int64.max), index + 8 <= bytes.count else { throw fail() }
            refs.append(OpRef(target: OpID(replica: replica, seq: Int64(seq)), hashPrefix: bytes[index..<(index + 8)].hex))
            index += 8
        }
        return refs
    }

    private static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    private static func readVarint(_ bytes: [UInt8], _ index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }

    /// Lowercase hex as bytes; nil for anything else.
    static func bytes(hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x61...0x66: byte - 0x57
            default: nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}

/// The integer keys the log uses for replicas and entities, cached for one transaction.
///
/// An entity key written inside a savepoint that is rolled back may be given again to another
/// entity; whoever rolls back calls ``forget()`` before writing again.
final class OperationKeys {
    private let db: Database
    private var keyOf = [ReplicaID: Int64]()
    private var idOf = [Int64: ReplicaID]()
    private var entityKeys = [String: Int64]()
    /// Past this many cached entity keys the cache starts again (memory stays bounded).
    private static let entityCap = 200_000

    init(_ db: Database) throws {
        self.db = db
        try loadReplicas()
    }

    private func loadReplicas() throws {
        keyOf.removeAll(keepingCapacity: true)
        idOf.removeAll(keepingCapacity: true)
        for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT key, id FROM replica")) {
            guard let id = ReplicaID(hex: row["id"]) else { continue }
            keyOf[id] = row["key"]
            idOf[row["key"]] = id
        }
    }

    /// Drops every cached key (after a rollback).
    func forget() throws {
        entityKeys.removeAll(keepingCapacity: true)
        try loadReplicas()
    }

    /// The key of a registered replica, reading the table again if it was registered since.
    func key(of replica: ReplicaID) throws -> Int64? {
        if let key = keyOf[replica] { return key }
        try loadReplicas()
        return keyOf[replica]
    }

    /// The key of a replica that wrote a stored operation (so it is registered).
    func author(_ replica: ReplicaID) throws -> Int64 {
        guard let key = try key(of: replica) else { throw PuenteError(.storeUnreadable, ["replica \(replica.short)"]) }
        return key
    }

    /// The key of a replica already known to this cache, without reading the table.
    func knownKey(of replica: ReplicaID) -> Int64? { keyOf[replica] }

    func replica(key: Int64) throws -> ReplicaID? {
        if let id = idOf[key] { return id }
        try loadReplicas()
        return idOf[key]
    }

    /// The key of an entity's name, numbered on first use.
    func entityKey(_ entity: String) throws -> Int64 {
        if let key = entityKeys[entity] { return key }
        let key: Int64
        let lookup = try SQLiteCall(db, "SELECT key FROM entity_name WHERE id = ?")
        try lookup.bind(.text(entity))
        if let stored = try lookup.first({ $0.integer(0) }) {
            key = stored
        } else {
            let insert = try SQLiteCall(db, "INSERT INTO entity_name (id) VALUES (?)")
            try insert.bind(.text(entity))
            try insert.run()
            key = db.lastInsertedRowID
        }
        if entityKeys.count >= Self.entityCap { entityKeys.removeAll(keepingCapacity: true) }
        entityKeys[entity] = key
        return key
    }
}
