import Foundation
import GRDB
import PuenteCrypto

extension Store {
    /// Takes one operation, just appended, into its entity's stored rows without reading the
    /// entity's history: its status and effect come from ``EntityMaterializer/step(_:on:targets:trusted:cuts:)``,
    /// which reads only the entity's row and the operations this one references, and the rows
    /// it changes are written (a register's live values and winner, a set element's adds, a
    /// series entry, the operation's status). The entity's change time and summaries are left to
    /// ``refreshSummaries(_:entities:changed:arrived:search:)``, once per entity per transaction.
    ///
    /// Returns nil when the operation cannot be judged alone (see `step`; also an entity that
    /// is not accepted, or that has dangling references): the caller then materializes the
    /// entity whole, as a rebuild does. Otherwise returns the change in open conflicts and
    /// whether the operation was accepted (the caller then moves the entity's change time).
    ///
    /// `entities` keeps what was read of each entity's row for the next operation on it: a step
    /// changes none of it.
    static func step(_ db: Database, _ op: Op, hash: String, trust: TrustMap, minimumHistory: Int, keys: OperationKeys,
                     entities: inout [String: EntityMaterializer.AcceptedEntity]) throws -> (conflictDelta: Int, accepted: Bool)? {
        guard op.kind != .create, !(op.kind == .retract && op.field.isEmpty) else { return nil }
        let accepted: EntityMaterializer.AcceptedEntity
        if let known = entities[op.entity] {
            accepted = known
        } else {
            guard let read = try acceptedEntity(db, op.entity, minimumHistory: minimumHistory, keys: keys) else { return nil }
            accepted = read
            entities[op.entity] = read
        }
        // A reference counts only if it names an operation of this entity: the rows are read by
        // key and entity, without rebuilding the operations (their members are what judging reads).
        let entityKey = try keys.entityKey(op.entity)
        var targets = [OpID: (operation: EntityMaterializer.Referenced, accepted: Bool)]()
        for ref in op.refs where targets[ref.target] == nil {
            guard let author = keys.knownKey(of: ref.target.replica) else { return nil }
            let lookup = try SQLiteCall(db, "SELECT hash, kind, field, value, status FROM operation WHERE author = ? AND seq = ? AND entity = ?")
            try lookup.bind(.integer(author), .integer(ref.target.seq), .integer(entityKey))
            guard let target = try lookup.first({ row in
                (hash: row.bytes(0), kind: row.integer(1), field: row.text(2), value: row.bytes(3), accepted: row.integer(4) == 0)
            }) else { return nil }
            guard let kind = OperationRow.kind(code: target.kind), target.hash.count == 32 else {
                throw PuenteError(.storeUnreadable, ["operation \(ref.target.replica.short):\(ref.target.seq)"])
            }
            // Only a create's or an add's value is read (what it writes or adds).
            var value = JSONValue.null
            if kind == .create || kind == .add {
                guard let parsed = try? JSONParser.parse(target.value) else {
                    throw PuenteError(.storeUnreadable, ["operation \(ref.target.replica.short):\(ref.target.seq)"])
                }
                value = parsed
            }
            let referenced = EntityMaterializer.Referenced(id: ref.target, hash: target.hash.hex, entity: op.entity, kind: kind,
                                                           field: target.field, value: value)
            targets[ref.target] = (referenced, target.accepted)
        }
        guard let step = EntityMaterializer.step(LoggedOperation(op: op, hash: hash), on: accepted, targets: targets,
                                                 trusted: trust.delegations, cuts: trust.cuts) else { return nil }
        guard step.status.isAccepted else {
            try db.cachedStatement(sql: "UPDATE operation SET status = ?, reason = ? WHERE author = ? AND seq = ?")
                .execute(arguments: [OperationRow.statusCode(step.status), step.status.reason?.text, try keys.key(of: op.replica), op.seq])
            return (0, false)
        }
        var conflictDelta = 0
        switch step.effect {
        case .none:
            break
        case let .register(field, value, supersedes):
            conflictDelta = try stepRegister(db, entity: op.entity, key: entityKey, field: field, value: value,
                                             supersedes: Set(supersedes), keys: keys)
            if conflictDelta != 0 {
                try db.cachedStatement(sql: "UPDATE entity SET conflicts = conflicts + ? WHERE id = ?")
                    .execute(arguments: [conflictDelta, op.entity])
            }
        case let .add(field, key, add):
            try db.cachedStatement(sql: "INSERT INTO set_element (entity, field, element, author, seq) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [entityKey, field, String(decoding: key, as: UTF8.self), try keys.author(add.replica), add.seq])
        case let .remove(field, key, adds):
            let element = String(decoding: key, as: UTF8.self)
            for add in adds {
                try db.cachedStatement(sql: """
                    DELETE FROM set_element WHERE entity = ? AND field = ? AND element = ? AND author = ? AND seq = ?
                    """).execute(arguments: [entityKey, field, element, try keys.author(add.replica), add.seq])
            }
        case let .append(field, entry):
            try db.cachedStatement(sql: """
                INSERT INTO series_entry (entity, field, author, seq, hlc, value, retracted) VALUES (?, ?, ?, ?, ?, ?, 0)
                """).execute(arguments: [entityKey, field, try keys.author(entry.op.replica), entry.op.seq, entry.hlc.text,
                                         String(decoding: CanonicalJSON.encode(entry.value), as: UTF8.self)])
        case let .retractEntries(field, entries):
            for entry in entries {
                try db.cachedStatement(sql: """
                    UPDATE series_entry SET retracted = 1 WHERE entity = ? AND field = ? AND author = ? AND seq = ?
                    """).execute(arguments: [entityKey, field, try keys.author(entry.replica), entry.seq])
            }
        }
        return (conflictDelta, true)
    }

    /// What judging an operation alone reads of its entity: nil unless the entity is accepted,
    /// has no dangling reference (and, for an indicator, its commitment is accepted) and holds
    /// at least `minimumHistory` operations.
    private static func acceptedEntity(_ db: Database, _ id: String, minimumHistory: Int,
                                       keys: OperationKeys) throws -> EntityMaterializer.AcceptedEntity? {
        guard let entity = EntityRef(text: id),
              let row = try Row.fetchOne(try db.cachedStatement(sql: """
                  SELECT key, state, owner, creator, parent, external_id, dangling FROM entity WHERE id = ?
                  """), arguments: [id]),
              (row["state"] as String) == "accepted", (row["dangling"] as Int64) == 0,
              let creator = ReplicaID(hex: row["creator"]) else { return nil }
        var owner = (row["owner"] as String?).flatMap(Owner.init(rawValue:))
        if entity.type == .indicator {
            // What an indicator's owner alone may change, its commitment's owner decides.
            guard let parentID: String = row["parent"],
                  let parent = try Row.fetchOne(try db.cachedStatement(sql: "SELECT state, owner FROM entity WHERE id = ?"),
                                                arguments: [parentID]),
                  (parent["state"] as String) == "accepted" else { return nil }
            owner = (parent["owner"] as String?).flatMap(Owner.init(rawValue:))
        }
        if minimumHistory > 0 {
            // Counted in the entity index alone, once per entity and transaction.
            let count = try Int.fetchOne(try db.cachedStatement(sql: """
                SELECT count(*) FROM (SELECT 1 FROM operation WHERE entity = ? LIMIT ?)
                """), arguments: [row["key"] as Int64, minimumHistory]) ?? 0
            guard count >= minimumHistory else { return nil }
        }
        // An imported record holds one create per desk that imported it: a reference to one of
        // several names the others too, which the whole materialization resolves.
        var acceptedCreates = 1
        if (row["external_id"] as String?) != nil {
            acceptedCreates = try Int.fetchOne(try db.cachedStatement(sql: """
                SELECT count(*) FROM operation WHERE entity = ? AND kind = 0 AND status = 0
                """), arguments: [row["key"] as Int64]) ?? 0
        }
        return EntityMaterializer.AcceptedEntity(entity: entity, owner: owner, creator: creator, acceptedCreates: acceptedCreates)
    }

    /// A register gains `value` and loses the values it supersedes; the winner moves when it
    /// must (cleared before another is set: one winner per field). Returns the change in open
    /// conflicts (0, 1 or -1): a register is in conflict while its live values differ.
    private static func stepRegister(_ db: Database, entity: String, key entityKey: Int64, field: String, value: RegisterValue,
                                     supersedes: Set<OpID>, keys: OperationKeys) throws -> Int {
        // Once per register an import steps: through SQLite's C interface (``SQLiteCall``).
        struct Stored { let author: Int64, seq: Int64, hlc: String, winner: Bool, value: String }
        var rows = [Stored]()
        let read = try SQLiteCall(db, "SELECT author, seq, hlc, winner, value FROM register_value WHERE entity = ? AND field = ?")
        try read.bind(.integer(entityKey), .text(field))
        try read.rows { row in
            rows.append(Stored(author: row.integer(0), seq: row.integer(1), hlc: row.text(2), winner: row.integer(3) == 1, value: row.text(4)))
        }
        let valueText = String(decoding: CanonicalJSON.encode(value.value), as: UTF8.self)
        // Values as their canonical texts, before and after: a conflict is two that differ.
        var textsAfter: Set<String> = [valueText]
        var live = [value]
        var oldWinner: OpID?
        for row in rows {
            guard let replica = try keys.replica(key: row.author), let hlc = HLCTimestamp(text: row.hlc) else {
                throw PuenteError(.storeUnreadable, ["register_value", entity])
            }
            let id = OpID(replica: replica, seq: row.seq)
            if row.winner { oldWinner = id }
            if supersedes.contains(id) {
                let delete = try SQLiteCall(db, "DELETE FROM register_value WHERE entity = ? AND field = ? AND author = ? AND seq = ?")
                try delete.bind(.integer(entityKey), .text(field), .integer(row.author), .integer(id.seq))
                try delete.run()
            } else {
                live.append(RegisterValue(op: id, hlc: hlc, value: .null))
                textsAfter.insert(row.value)
            }
        }
        let winner = EntityState.winner(live)?.op
        func setWinner(_ flag: Int64, _ id: OpID) throws {
            let update = try SQLiteCall(db, "UPDATE register_value SET winner = ? WHERE entity = ? AND field = ? AND author = ? AND seq = ?")
            try update.bind(.integer(flag), .integer(entityKey), .text(field), .integer(try keys.author(id.replica)), .integer(id.seq))
            try update.run()
        }
        if let oldWinner, oldWinner != winner, !supersedes.contains(oldWinner) { try setWinner(0, oldWinner) }
        let insert = try SQLiteCall(db, """
            INSERT INTO register_value (entity, field, author, seq, hlc, value, winner) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        try insert.bind(.integer(entityKey), .text(field), .integer(try keys.author(value.op.replica)), .integer(value.op.seq),
                        .text(value.hlc.text), .text(valueText), .integer(winner == value.op ? 1 : 0))
        try insert.run()
        if let winner, winner != value.op, winner != oldWinner { try setWinner(1, winner) }
        let textsBefore = Set(rows.map(\.value))
        return (textsAfter.count > 1 ? 1 : 0) - (textsBefore.count > 1 ? 1 : 0)
    }

    /// Brings entities changed by ``step(_:_:hash:trust:minimumHistory:keys:entities:)`` up to date: each one in
    /// `changed` (an operation of it was accepted) gets `arrived` as its change time when that
    /// is later (what `review --since` reads), and each one's summary rows are rewritten from
    /// its stored rows: a commitment's summary and full-text entry, an indicator's review row.
    static func refreshSummaries(_ db: Database, entities: Set<String>, changed: Set<String>, arrived: Int64,
                                 search: inout SearchIndexUpdates) throws {
        let changedAt = try db.cachedStatement(sql: """
            UPDATE entity SET changed_at = ?1 WHERE id = ?2 AND (changed_at IS NULL OR changed_at < ?1)
            """)
        for id in entities.sorted() {
            if changed.contains(id) { try changedAt.execute(arguments: [arrived, id]) }
            guard let entity = EntityRef(text: id), entity.type == .commitment || entity.type == .indicator,
                  let row = try Row.fetchOne(try db.cachedStatement(sql: """
                      SELECT state, owner, parent, created_hlc, retracted FROM entity WHERE id = ?
                      """), arguments: [id]),
                  (row["state"] as String) == "accepted" else { continue }
            var registers = [String: [RegisterValue]]()
            let values = try SQLiteCall(db, """
                SELECT v.field, r.id, v.seq, v.hlc, v.value FROM register_value v JOIN replica r ON r.key = v.author
                WHERE v.entity = (SELECT key FROM entity WHERE id = ?)
                """)
            try values.bind(.text(id))
            try values.rows { value in
                guard let replica = ReplicaID(hex: value.text(1)), let hlc = HLCTimestamp(text: value.text(3)),
                      let stored = Store.storedValue(value.text(4)) else {
                    throw PuenteError(.storeUnreadable, ["register_value", id])
                }
                registers[value.text(0), default: []].append(RegisterValue(op: OpID(replica: replica, seq: value.integer(2)), hlc: hlc,
                                                                           value: stored))
            }
            var illustrative = [String]()
            let marks = try SQLiteCall(db, """
                SELECT element FROM set_element WHERE entity = (SELECT key FROM entity WHERE id = ?) AND field = 'illustrative'
                """)
            try marks.bind(.text(id))
            try marks.rows { mark in
                guard let field = Store.storedValue(mark.text(0))?.stringValue else {
                    throw PuenteError(.storeUnreadable, ["set_element", id])
                }
                illustrative.append(field)
            }
            illustrative = Set(illustrative).sorted()
            if entity.type == .commitment, let owner = (row["owner"] as String?).flatMap(Owner.init(rawValue:)) {
                try writeSummary(db, id: id, owner: owner, registers: registers, illustrative: illustrative, created: row["created_hlc"],
                                 isNew: false, search: &search)
                if search.isFull { try search.apply(db) }
            } else if entity.type == .indicator {
                let standing = (row["retracted"] as Int64) == 0
                var readings = [IndicatorSummaryRow.Reading]()
                if standing {
                    for reading in try Row.fetchAll(try db.cachedStatement(sql: """
                        SELECT e.hlc, r.id AS replica, e.seq, e.value FROM series_entry e JOIN replica r ON r.key = e.author
                        WHERE e.entity = (SELECT key FROM entity WHERE id = ?) AND e.field = 'readings' AND e.retracted = 0
                        """), arguments: [id]) {
                        guard let value = Store.storedValue(reading["value"]) else { throw PuenteError(.storeUnreadable, ["series_entry", id]) }
                        readings.append(IndicatorSummaryRow.Reading(hlc: reading["hlc"], replica: reading["replica"], seq: reading["seq"], value: value))
                    }
                }
                try writeIndicatorSummary(db, id: id, parent: standing ? row["parent"] : nil) {
                    IndicatorSummaryRow(register: { EntityState.winner(registers[$0] ?? [])?.value }, readings: readings,
                                        illustrative: illustrative)
                }
            }
        }
    }
}
