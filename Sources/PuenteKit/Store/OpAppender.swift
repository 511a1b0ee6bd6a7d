import PuenteCrypto
import Foundation
import GRDB

/// Writes the local replica's new operations inside one transaction: next `seq`, next clock
/// reading, `prev` link, derived entity ids, and references to what the author sees.
final class OpAppender {
    let db: Database
    let replica: ReplicaID
    private(set) var clock: HybridLogicalClock
    private(set) var headSeq: Int64
    private(set) var headHash: String
    /// The wall clock of this transaction, in milliseconds.
    let wall: UInt64
    private let trust: TrustMap
    private let keys: OperationKeys
    private(set) var touched = Set<String>()
    private var dirty = Set<String>()
    private(set) var written = [Op]()

    init(_ transaction: StoreTransaction, wall: UInt64) throws {
        let db = transaction.db
        self.db = db
        self.wall = wall
        guard let row = try Row.fetchOne(db, sql: """
            SELECT l.replica, l.clock, r.head_seq, r.head_hash FROM local_replica l JOIN replica r ON r.id = l.replica
            """), let replica = ReplicaID(hex: row["replica"]), let clock = HLCTimestamp(text: row["clock"]) else {
            throw PuenteError(.storeUnreadable, ["local replica"])
        }
        if let halted = try String.fetchOne(db, sql: "SELECT halted FROM local_replica") {
            throw PuenteError(halted == "revoked" ? .ownReplicaRevoked : .ownReplicaAhead, [replica.hex])
        }
        self.replica = replica
        self.clock = HybridLogicalClock(last: clock)
        self.headSeq = row["head_seq"]
        self.headHash = row["head_hash"]
        self.trust = try transaction.trust
        keys = try transaction.logKeys
    }

    /// Appends one operation to the local chain.
    @discardableResult
    func append(entity: String, kind: OpKind, field: String, value: JSONValue, refs: [OpRef],
                deriveEntity: Bool = true) throws -> Op {
        let seq = headSeq + 1
        let hlc = clock.tick(wall: wall)
        var op = Op(replica: replica, seq: seq, hlc: hlc, prev: headHash, entity: entity, kind: kind,
                           field: field, value: value, refs: refs.sorted())
        if kind == .create, deriveEntity, let type = EntityType(rawValue: String(entity.prefix { $0 != "/" })) {
            // A record with an external id is keyed by it, so every desk that imports it makes one entity.
            let derived = Op.recordEntity(type: type, value: value)
                ?? Op.derivedEntity(type: type, canonicalBytesWithoutEntity: op.with(entity: "").canonicalBytes)
            op = op.with(entity: derived.text)
        }
        let bytes = op.canonicalBytes
        guard bytes.count <= Op.maximumEncodedSize else {
            throw PuenteError(.invalidValue, [field, "larger than \(Op.maximumEncodedSize) bytes"])
        }
        let hash = op.hash
        // The status is a placeholder: `finish` materializes the entity in this transaction.
        try OperationRow.insert(db, op, hash: hash, arrived: Int64(wall), keys: keys)
        headSeq = seq
        headHash = hash
        touched.insert(op.entity)
        dirty.insert(op.entity)
        written.append(op)
        return op
    }

    /// Creates an entity of `type`; its id is derived from the operation.
    func create(_ type: EntityType, value: JSONValue) throws -> EntityRef {
        let op = try append(entity: "\(type.rawValue)/", kind: .create, field: "", value: value, refs: [])
        guard let ref = EntityRef(text: op.entity) else { throw PuenteError(.storeUnreadable, ["entity id"]) }
        return ref
    }

    /// Brings the materialized rows of entities written in this batch up to date.
    func refresh(_ entity: String) throws {
        guard dirty.contains(entity) else { return }
        try Store.rematerialize(db, entities: [entity], trust: trust)
        dirty.remove(entity)
    }

    /// References to every live value of a register: what a write of it supersedes.
    func liveValueRefs(entity: String, field: String) throws -> [OpRef] {
        try refresh(entity)
        return try Self.refs(db, sql: """
            SELECT r.id, v.seq, lower(hex(o.hash)) FROM register_value v JOIN operation o ON o.author = v.author AND o.seq = v.seq
            JOIN replica r ON r.key = v.author
            WHERE v.entity = (SELECT key FROM entity WHERE id = ?) AND v.field = ?
            """, arguments: [entity, field])
    }

    /// References to every live add of `element`: what removing it removes.
    func liveAddRefs(entity: String, field: String, element: JSONValue) throws -> [OpRef] {
        try refresh(entity)
        return try Self.refs(db, sql: """
            SELECT r.id, s.seq, lower(hex(o.hash)) FROM set_element s JOIN operation o ON o.author = s.author AND o.seq = s.seq
            JOIN replica r ON r.key = s.author
            WHERE s.entity = (SELECT key FROM entity WHERE id = ?) AND s.field = ? AND s.element = ?
            """, arguments: [entity, field, String(decoding: CanonicalJSON.encode(element), as: UTF8.self)])
    }

    /// The standing entries of a series whose value equals that of `entry` (itself included
    /// when it stands), in operation order.
    func equalEntries(entity: String, field: String, as entry: OpID) throws -> [OpID] {
        try refresh(entity)
        return try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT r.id, e.seq FROM series_entry e JOIN replica r ON r.key = e.author
            WHERE e.entity = (SELECT key FROM entity WHERE id = ?) AND e.field = ? AND e.retracted = 0
              AND e.value = (SELECT o.value FROM series_entry o WHERE o.entity = e.entity AND o.field = e.field
                             AND o.author = (SELECT key FROM replica WHERE id = ?) AND o.seq = ?)
            ORDER BY r.id, e.seq
            """), arguments: [entity, field, entry.replica.hex, entry.seq]).compactMap { row in
            ReplicaID(hex: row[0]).map { OpID(replica: $0, seq: row[1]) }
        }
    }

    /// A reference to one stored operation.
    func ref(to id: OpID) throws -> OpRef {
        let refs = try Self.refs(db, sql: "SELECT replica, seq, hash FROM operation_text WHERE replica = ? AND seq = ?",
                                 arguments: [id.replica.hex, id.seq])
        guard let ref = refs.first else { throw PuenteError(.notFound, [id.description]) }
        return ref
    }

    static func refs(_ db: Database, sql: String, arguments: StatementArguments) throws -> [OpRef] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row in
            guard let replica = ReplicaID(hex: row[0]) else { return nil }
            let hash: String = row[2]
            return OpRef(target: OpID(replica: replica, seq: row[1]), hashPrefix: String(hash.prefix(16)))
        }
    }

    /// Materializes what the batch touched, refuses the whole batch if the policy refused any
    /// of it, and records the new head and clock.
    func finish(enforcePolicy: Bool = true, watch: WorkWatch = .none) throws {
        try Store.rematerialize(db, entities: dirty, trust: trust,
                                known: Dictionary(written.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
                                watch: watch, phase: .materializing)
        dirty.removeAll()
        for op in written where enforcePolicy {
            if let (field, scalar) = LocalText.forbidden(in: op) {
                throw PuenteError(.invalidValue, [field, "control:" + LocalText.describe(scalar)])
            }
            let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT status, reason FROM operation_text WHERE replica = ? AND seq = ?"), arguments: [op.replica.hex, op.seq])
            guard let row, row["status"] as String == "accepted" else {
                let reason = (row?["reason"] as String?).flatMap(OpReason.init(text:))
                throw PuenteError(.refused, [op.entity, op.field], reason: reason)
            }
        }
        try db.cachedStatement(sql: "UPDATE replica SET head_seq = ?, head_hash = ?, head_hlc = ? WHERE id = ?").execute(arguments: [headSeq, headHash, clock.last.text, replica.hex])
        try db.cachedStatement(sql: "UPDATE local_replica SET clock = ?").execute(arguments: [clock.last.text])
    }
}

extension OpAppender {
    /// The stored `create` of an entity, if any.
    func createOp(of entity: String) throws -> OpID? {
        guard let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT replica, seq FROM operation_text WHERE entity = ? AND kind = 'create' AND status = 'accepted'"), arguments: [entity]), let replica = ReplicaID(hex: row["replica"]) else { return nil }
        return OpID(replica: replica, seq: row["seq"])
    }
}

extension OpAppender {
    /// The accepted entity an imported record already is in this store, if any: the one its
    /// type, fixed members and external id name (``Op/recordEntity(type:value:)``), else one
    /// made from the same record before records were keyed — same type and external id, and
    /// the same owner (a commitment) or commitment (an indicator). A record of another owner
    /// or commitment with that external id is another record, so a crafted external id
    /// cannot stand in for this one.
    func record(_ type: EntityType, value: JSONValue) throws -> EntityRef? {
        guard type != .note, let key = Op.recordEntity(type: type, value: value),
              let externalID = value["external_id"]?.stringValue else { return nil }
        // One lookup in `entity_by_external_id` finds both: the keyed entity first, else the
        // earliest one made before records were keyed, with the same owner or commitment.
        let owner = type == .commitment ? value["owner"]?.stringValue : nil
        let commitment = type == .indicator ? value["commitment"]?.stringValue : nil
        let id = try String.fetchOne(try db.cachedStatement(sql: """
            SELECT id FROM entity WHERE type = ? AND external_id = ? AND state = 'accepted'
                AND (?3 IS NULL OR owner = ?3) AND (?4 IS NULL OR parent = ?4)
            ORDER BY id <> ?5, id LIMIT 1
            """), arguments: [type.rawValue, externalID, owner, commitment, key.text])
        return id.flatMap(EntityRef.init(text:))
    }
}
