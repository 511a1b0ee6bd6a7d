import Foundation
import GRDB

/// The trust configuration resolved for one transaction: who is trusted for which delegation,
/// and where chains stop counting.
struct TrustMap {
    let resolved: ResolvedTrust
    let cuts: [ReplicaID: ChainCut]

    var delegations: [ReplicaID: Delegation] { resolved.delegations }

    static func load(_ db: Database) throws -> TrustMap {
        let facts = try facts(db)
        let resolved = TrustResolver.resolve(facts)
        let statement = try db.cachedStatement(sql: "SELECT hash FROM operation WHERE replica = ? AND seq = ?")
        var hashes = [OpID: String]()
        for (replica, revocation) in resolved.revocations where revocation.seq > 0 {
            hashes[OpID(replica: replica, seq: revocation.seq)] = try String.fetchOne(statement, arguments: [replica.hex, revocation.seq])
        }
        let cuts = TrustResolver.cuts(resolved, forks: facts.forks) { hashes[OpID(replica: $0, seq: $1)] }
        return TrustMap(resolved: resolved, cuts: cuts)
    }

    /// Every verified trust fact the store holds.
    static func facts(_ db: Database) throws -> TrustFacts {
        var facts = TrustFacts()
        for row in try Row.fetchAll(db, sql: "SELECT id, role, delegation FROM replica WHERE trusted = 1") {
            if let id = ReplicaID(hex: row["id"]), let role = KeyRole(rawValue: row["role"]),
               let delegation = Delegation(rawValue: row["delegation"]) {
                facts.manual.append(TrustFacts.ManualKey(id: id, role: role, delegation: delegation))
            }
        }
        for row in try Row.fetchAll(db, sql: "SELECT digest, issuer, member, delegation, version, name FROM certificate") {
            if let issuer = ReplicaID(hex: row["issuer"]), let member = ReplicaID(hex: row["member"]),
               let delegation = Delegation(rawValue: row["delegation"]) {
                facts.certificates.append(TrustFacts.CertificateFact(digest: row["digest"], issuer: issuer, member: member,
                                                                     delegation: delegation, version: row["version"], name: row["name"]))
            }
        }
        for row in try Row.fetchAll(db, sql: "SELECT delegation, version, old_root, new_root FROM rotation") {
            if let delegation = Delegation(rawValue: row["delegation"]), let old = ReplicaID(hex: row["old_root"]),
               let new = ReplicaID(hex: row["new_root"]) {
                facts.rotations.append(TrustFacts.RotationFact(delegation: delegation, version: row["version"], old: old, new: new))
            }
        }
        for row in try Row.fetchAll(db, sql: "SELECT issuer, delegation, replica, last_good_seq, last_good_hash FROM revocation") {
            if let issuer = ReplicaID(hex: row["issuer"]), let delegation = Delegation(rawValue: row["delegation"]),
               let replica = ReplicaID(hex: row["replica"]) {
                facts.revocations.append(TrustFacts.RevocationFact(issuer: issuer, delegation: delegation, replica: replica,
                                                                   seq: row["last_good_seq"], hash: row["last_good_hash"]))
            }
        }
        for row in try Row.fetchAll(db, sql: "SELECT replica, min(seq) AS seq FROM fork_proof GROUP BY replica") {
            if let id = ReplicaID(hex: row["replica"]) { facts.forks[id] = row["seq"] }
        }
        return facts
    }
}

extension Store {
    /// Re-derives the materialized state of `entities` — and of the children whose parent's
    /// acceptance changes on the way — with ``EntityMaterializer``, the one path from
    /// operations to state. A rebuild calls this with every entity.
    ///
    /// Returns how many open conflicts the recomputed entities gained (negative when they lost some).
    @discardableResult
    ///
    /// `known` holds operations the caller has in memory (the ones it just stored): a stored row
    /// with the same id and hash is taken from there instead of being parsed again.
    static func rematerialize(_ db: Database, entities: Set<String>, trust: TrustMap, known: [OpID: Op] = [:]) throws -> Int {
        // Parents before children, so a child reads its parent's fresh state.
        var queue = entities.sorted { rank($0) == rank($1) ? $0 < $1 : rank($0) < rank($1) }
        var done = Set<String>()
        var index = 0
        var conflictDelta = 0
        while index < queue.count {
            let entityText = queue[index]
            index += 1
            guard done.insert(entityText).inserted, let entity = EntityRef(text: entityText) else { continue }
            let before = try String.fetchOne(try db.cachedStatement(sql: "SELECT state FROM entity WHERE id = ?"), arguments: [entityText])
            let (after, delta) = try rematerializeOne(db, entity: entity, trust: trust, known: known)
            conflictDelta += delta
            if before != after, entity.type == .commitment || entity.type == .dialogue {
                let children = try String.fetchAll(try db.cachedStatement(sql: "SELECT id FROM entity WHERE parent = ?"), arguments: [entityText])
                queue.append(contentsOf: children.filter { !done.contains($0) })
            }
        }
        return conflictDelta
    }

    private static func rank(_ entity: String) -> Int {
        entity.hasPrefix("commitment/") || entity.hasPrefix("dialogue/") ? 0 : 1
    }

    /// Loads one entity's operations, materializes it, and writes its rows. Returns its state and
    /// the change in its number of open conflicts.
    static func rematerializeOne(_ db: Database, entity: EntityRef, trust: TrustMap,
                                 known: [OpID: Op] = [:]) throws -> (state: String?, conflictDelta: Int) {
        let rows = try Row.fetchAll(try db.cachedStatement(sql: "SELECT bytes, hash, status, reason, replica, seq FROM operation WHERE entity = ?"), arguments: [entity.text])
        var logged = [LoggedOperation]()
        var stored = [OpID: (String, String?)]()
        logged.reserveCapacity(rows.count)
        for row in rows {
            let hash: String = row[1]
            let op: Op
            if !known.isEmpty, let replica = ReplicaID(hex: row[4]), let held = known[OpID(replica: replica, seq: row[5])],
               held.hash == hash {
                op = held
            } else {
                op = try Op(storedBytes: Array(row[0] as Data), hash: hash)
            }
            logged.append(LoggedOperation(op: op, hash: hash))
            stored[op.id] = (row[2], row[3])
        }
        let parent = try parentContext(db, entity: entity, operations: logged)
        let state = EntityMaterializer.materialize(entity: entity, operations: logged, parent: parent,
                                                   trusted: trust.delegations, cuts: trust.cuts)
        let conflictsBefore = try Int.fetchOne(try db.cachedStatement(sql: """
            SELECT count(*) FROM (SELECT 1 FROM register_value WHERE entity = ? GROUP BY field HAVING count(*) > 1)
            """), arguments: [entity.text]) ?? 0
        try write(db, state: state)
        for (id, status) in state.statuses {
            let reason = status.reason?.text
            if let old = stored[id], old.0 == status.name, old.1 == reason { continue }
            try db.cachedStatement(sql: "UPDATE operation SET status = ?, reason = ? WHERE replica = ? AND seq = ?").execute(arguments: [status.name, reason, id.replica.hex, id.seq])
        }
        let conflictsAfter = state.isAccepted ? state.conflictedFields.count : 0
        return (state.create == nil ? nil : state.createStatus.name, conflictsAfter - conflictsBefore)
    }

    /// What an indicator's or a note's parent looks like now; nil for other entities or when
    /// the parent's `create` has not arrived.
    static func parentContext(_ db: Database, entity: EntityRef, operations: [LoggedOperation]) throws -> ParentContext? {
        guard entity.type == .indicator || entity.type == .note else { return nil }
        guard let create = operations.first(where: { $0.op.kind == .create && $0.op.hasDerivedEntity }),
              let link = create.op.value["commitment"]?.stringValue ?? create.op.value["parent"]?.stringValue,
              let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT state, owner FROM entity WHERE id = ?"), arguments: [link])
        else { return nil }
        let owner: String? = row["owner"]
        return ParentContext(accepted: row["state"] == "accepted", owner: owner.flatMap(Owner.init(rawValue:)))
    }

    private static func write(_ db: Database, state: EntityState) throws {
        let id = state.entity.text
        try db.cachedStatement(sql: "DELETE FROM entity WHERE id = ?").execute(arguments: [id])
        if state.entity.type == .commitment {
            try db.cachedStatement(sql: """
                DELETE FROM commitment_fts WHERE rowid = (SELECT key FROM commitment_search WHERE id = ?)
                """).execute(arguments: [id])
        }
        guard let create = state.create else { return }
        try db.cachedStatement(sql: """
            INSERT INTO entity (id, type, state, owner, parent, external_id, creator, created_hlc, retracted)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, state.entity.type.rawValue, state.createStatus.name,
                             state.createStatus.isAccepted ? state.owner?.rawValue : nil,
                             state.parent, state.externalID, create.op.replica.hex, create.op.hlc.text,
                             state.retracted ? 1 : 0])
        guard state.isAccepted else { return }

        let registerInsert = try db.cachedStatement(sql: """
            INSERT INTO register_value (entity, field, replica, seq, hlc, value, winner) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for (field, values) in state.registers {
            let winner = EntityState.winner(values)?.op
            for value in values {
                try registerInsert.execute(arguments: [id, field, value.op.replica.hex, value.op.seq, value.hlc.text,
                                                       String(decoding: CanonicalJSON.encode(value.value), as: UTF8.self),
                                                       value.op == winner ? 1 : 0])
            }
        }
        let setInsert = try db.cachedStatement(sql: """
            INSERT INTO set_element (entity, field, element, replica, seq) VALUES (?, ?, ?, ?, ?)
            """)
        for (field, elements) in state.sets {
            for element in elements {
                let text = String(decoding: element.key, as: UTF8.self)
                for add in element.adds {
                    try setInsert.execute(arguments: [id, field, text, add.replica.hex, add.seq])
                }
            }
        }
        let seriesInsert = try db.cachedStatement(sql: """
            INSERT INTO series_entry (entity, field, replica, seq, hlc, value, retracted) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for (field, entries) in state.series {
            for entry in entries {
                try seriesInsert.execute(arguments: [id, field, entry.op.replica.hex, entry.op.seq, entry.hlc.text,
                                                     String(decoding: CanonicalJSON.encode(entry.value), as: UTF8.self),
                                                     entry.retracted ? 1 : 0])
            }
        }
        if state.entity.type == .commitment, let owner = state.owner {
            func text(_ field: String) -> String? { state.displayValue(field)?.stringValue }
            func rating(_ field: String) -> String? { state.displayValue(field)?["rating"]?.stringValue }
            try db.cachedStatement(sql: """
                INSERT INTO commitment_summary (id, owner, title_en, title_es, summary_en, summary_es, pillar, area,
                    status, priority, due, dialogue, lead, assessment_us, assessment_mx, conflicts, created_hlc)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [id, owner.rawValue, text("title.en"), text("title.es"), text("summary.en"),
                                 text("summary.es"), text("pillar"), text("area"), text("status"), text("priority"),
                                 text("due"), text("dialogue"), text("lead"), rating("assessment.us"),
                                 rating("assessment.mx"), state.conflictedFields.count, create.op.hlc.text])
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO commitment_search (id) VALUES (?)").execute(arguments: [id])
            let body = ["title.en", "title.es", "summary.en", "summary.es", "area", "lead"].compactMap(text).joined(separator: " ")
            try db.cachedStatement(sql: """
                INSERT INTO commitment_fts (rowid, body) SELECT key, ? FROM commitment_search WHERE id = ?
                """).execute(arguments: [body, id])
        }
    }
}
