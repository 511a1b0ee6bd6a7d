import Foundation
import GRDB
import PuenteCrypto

/// The trust configuration resolved for one transaction: who is trusted for which delegation,
/// and where chains stop counting.
struct TrustMap {
    let resolved: ResolvedTrust
    let cuts: [ReplicaID: ChainCut]

    var delegations: [ReplicaID: Delegation] { resolved.delegations }

    static func load(_ db: Database) throws -> TrustMap {
        let facts = try facts(db)
        let resolved = TrustResolver.resolve(facts)
        var hashes = [OpID: String]()
        for (replica, revocation) in resolved.revocations where revocation.seq > 0 {
            hashes[OpID(replica: replica, seq: revocation.seq)] = try Store.storedHash(db, replica, seq: revocation.seq)
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
    /// The registers with an open conflict, as `entity, field` rows: a live value that is not
    /// the winner and differs from it (``EntityState/isConflict(_:)``). Values are stored as
    /// canonical JSON, so equal values are equal texts.
    ///
    /// Read in the entities' id order (the partial index of the entities that count any open
    /// conflict), so the first `limit` are found without reading the others.
    static func openConflictsSQL(limit: Int?) -> String {
        """
        SELECT DISTINCT l.entity, l.field, e.id FROM entity e INDEXED BY entity_with_conflicts
        JOIN register_value l INDEXED BY register_conflict ON l.entity = e.key AND l.winner = 0
        JOIN register_value w ON w.entity = l.entity AND w.field = l.field AND w.winner = 1
        WHERE e.conflicts > 0 AND l.value <> w.value
        ORDER BY e.id, l.field\(limit.map { " LIMIT \(max(0, $0))" } ?? "")
        """
    }

    /// Re-derives the materialized state of `entities` — and of the children whose parent's
    /// acceptance changes on the way — with ``EntityMaterializer``, the one path from
    /// operations to state. A rebuild calls this with every entity.
    ///
    /// Returns how many open conflicts the recomputed entities gained (negative when they lost some).
    @discardableResult
    ///
    /// `known` holds operations the caller has in memory (the ones it just stored): a stored row
    /// with the same id and hash is taken from there instead of being parsed again.
    ///
    /// `searchBatchSize`: how many changed full-text entries are written together (tests vary it).
    static func rematerialize(_ db: Database, entities: Set<String>, trust: TrustMap, known: [OpID: Op] = [:],
                              searchBatchSize: Int = SearchIndexUpdates.defaultBatchSize, watch: WorkWatch = .none,
                              phase: WorkPhase = .rebuilding) throws -> Int {
        // Parents before children, so a child reads its parent's fresh state.
        var queue = entities.sorted { rank($0) == rank($1) ? $0 < $1 : rank($0) < rank($1) }
        var done = Set<String>()
        var index = 0
        var conflictDelta = 0
        var search = SearchIndexUpdates(batchSize: searchBatchSize)
        let keys = try OperationKeys(db)
        while index < queue.count {
            let entityText = queue[index]
            try watch.step(phase, index, of: queue.count)
            index += 1
            guard done.insert(entityText).inserted, let entity = EntityRef(text: entityText) else { continue }
            let (before, after, delta) = try rematerializeOne(db, entity: entity, trust: trust, known: known, keys: keys,
                                                              search: &search)
            conflictDelta += delta
            if search.isFull { try search.apply(db) }
            if before != after, entity.type == .commitment || entity.type == .dialogue {
                let children = try String.fetchAll(try db.cachedStatement(sql: "SELECT id FROM entity WHERE parent = ?"), arguments: [entityText])
                queue.append(contentsOf: children.filter { !done.contains($0) })
            }
        }
        try search.apply(db)
        return conflictDelta
    }

    private static func rank(_ entity: String) -> Int {
        entity.hasPrefix("commitment/") || entity.hasPrefix("dialogue/") ? 0 : 1
    }

    /// Loads one entity's operations, materializes it, and writes its rows. Returns its stored
    /// state before and after, and the change in its number of open conflicts.
    private static func rematerializeOne(_ db: Database, entity: EntityRef, trust: TrustMap, known: [OpID: Op], keys: OperationKeys,
                                         search: inout SearchIndexUpdates) throws -> (before: String?, after: String?, conflictDelta: Int) {
        let rows = try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT \(OperationRow.columns) FROM \(OperationRow.from) WHERE n.id = ?
            """), arguments: [entity.text])
        var logged = [LoggedOperation]()
        var stored = [OpID: (Int, String?)]()
        var arrived = [OpID: Int64]()
        logged.reserveCapacity(rows.count)
        for row in rows {
            let op: Op
            if !known.isEmpty, let replica = try keys.replica(key: row["author"]),
               let held = known[OpID(replica: replica, seq: row["seq"])], held.hash == Array(row["hash"] as Data).hex {
                op = held
            } else {
                op = try OperationRow.op(row, keys: keys)
            }
            logged.append(LoggedOperation(op: op, hash: op.hash))
            stored[op.id] = (row["status"], row["reason"])
            if let at = row["arrived"] as Int64? { arrived[op.id] = at }
        }
        let parent = try parentContext(db, entity: entity, operations: logged)
        let state = EntityMaterializer.materialize(entity: entity, operations: logged, parent: parent,
                                                   trusted: trust.delegations, cuts: trust.cuts)
        // The latest arrival of an accepted operation: what `review --since` looks for.
        let changedAt = state.statuses.compactMap { id, status in status.isAccepted ? arrived[id] : nil }.max()
        let (conflictsBefore, stateBefore) = try write(db, state: state, changedAt: changedAt, keys: keys, search: &search)
        for (id, status) in state.statuses {
            let reason = status.reason?.text
            let code = OperationRow.statusCode(status)
            if let old = stored[id], old.0 == code, old.1 == reason { continue }
            try db.cachedStatement(sql: "UPDATE operation SET status = ?, reason = ? WHERE author = ? AND seq = ?")
                .execute(arguments: [code, reason, try keys.key(of: id.replica), id.seq])
        }
        let conflictsAfter = state.isAccepted ? state.conflictedFields.count : 0
        return (stateBefore, state.create == nil ? nil : state.createStatus.name, conflictsAfter - conflictsBefore)
    }

    /// What an indicator's or a note's parent looks like now; nil for other entities or when
    /// the parent's `create` has not arrived.
    static func parentContext(_ db: Database, entity: EntityRef, operations: [LoggedOperation]) throws -> ParentContext? {
        guard entity.type == .indicator || entity.type == .note else { return nil }
        guard let create = operations.first(where: { $0.op.kind == .create && $0.op.hasValidEntity }),
              let link = create.op.value["commitment"]?.stringValue ?? create.op.value["parent"]?.stringValue,
              let row = try Row.fetchOne(try db.cachedStatement(sql: "SELECT state, owner FROM entity WHERE id = ?"), arguments: [link])
        else { return nil }
        let owner: String? = row["owner"]
        return ParentContext(accepted: row["state"] == "accepted", owner: owner.flatMap(Owner.init(rawValue:)))
    }

    /// Brings the entity's stored rows to `state`, changing only the rows that differ: most
    /// changes add one value and drop the one it supersedes, and rewriting every row of the
    /// entity (and its full-text entry) for that was most of the cost of an import. Returns the
    /// number of open conflicts the stored rows had before, and the entity's stored state before.
    private static func write(_ db: Database, state: EntityState, changedAt: Int64?, keys: OperationKeys,
                              search: inout SearchIndexUpdates) throws -> (conflicts: Int, state: String?) {
        let id = state.entity.text
        let entityKey = try keys.entityKey(id)
        let isCommitment = state.entity.type == .commitment
        let old = try Row.fetchOne(try db.cachedStatement(sql: """
            SELECT \(entityColumns.joined(separator: ", ")) FROM entity WHERE id = ?
            """), arguments: [id])
        let oldAccepted = old.map { ($0[1] as String) == "accepted" } ?? false
        let oldRegisters = oldAccepted ? try Row.fetchAll(try db.cachedStatement(sql: """
            SELECT field, author, seq, winner, value FROM register_value WHERE entity = ?
            """), arguments: [entityKey]) : []
        let conflictsBefore = oldAccepted ? Int(old?["conflicts"] as Int64? ?? 0) : 0
        let before = (conflictsBefore, old.map { $0[1] as String })

        guard let create = state.create else {
            if old != nil { try dropEntity(db, id: id, key: entityKey, isCommitment: isCommitment, keepEntity: false, search: &search) }
            return before
        }
        let entityValues: [DatabaseValue] = [state.entity.type.rawValue.databaseValue, state.createStatus.name.databaseValue,
                                             (state.createStatus.isAccepted ? state.owner?.rawValue : nil).databaseValue,
                                             state.parent.databaseValue, state.externalID.databaseValue,
                                             create.op.replica.hex.databaseValue, create.op.hlc.text.databaseValue,
                                             (state.retracted ? 1 : 0).databaseValue, state.danglingReferences.databaseValue,
                                             (state.isAccepted ? state.conflictedFields.count : 0).databaseValue,
                                             changedAt.databaseValue]
        if let old {
            // Only the columns that changed (most often `changed_at` alone): SQLite rewrites the
            // entry of every index that holds a column an UPDATE sets.
            let changed = entityValues.indices.filter { old[$0] as DatabaseValue != entityValues[$0] }
            if !changed.isEmpty {
                try db.cachedStatement(sql: """
                    UPDATE entity SET \(changed.map { "\(entityColumns[$0]) = ?" }.joined(separator: ", ")) WHERE id = ?
                    """).execute(arguments: StatementArguments(changed.map { entityValues[$0] } + [id.databaseValue]))
            }
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO entity (\(entityColumns.joined(separator: ", ")), id, key)
                VALUES (\(entityColumns.map { _ in "?" }.joined(separator: ", ")), ?, ?)
                """).execute(arguments: StatementArguments(entityValues + [id.databaseValue, entityKey.databaseValue]))
        }
        guard state.isAccepted else {
            if oldAccepted { try dropEntity(db, id: id, key: entityKey, isCommitment: isCommitment, keepEntity: true, search: &search) }
            return before
        }

        // Registers: values that left, winners that changed, values that arrived. A winner is
        // cleared before another is set (one winner per field).
        struct Key: Hashable { let field: String, author: Int64, seq: Int64 }
        var storedWinner = [Key: Bool]()
        for row in oldRegisters { storedWinner[Key(field: row["field"], author: row["author"], seq: row["seq"])] = (row["winner"] as Int64) == 1 }
        var wanted = [Key: (value: RegisterValue, winner: Bool)]()
        for (field, values) in state.registers {
            let winner = EntityState.winner(values)?.op
            for value in values {
                wanted[Key(field: field, author: try keys.author(value.op.replica), seq: value.op.seq)] = (value, value.op == winner)
            }
        }
        for (key, _) in storedWinner where wanted[key] == nil {
            try db.cachedStatement(sql: "DELETE FROM register_value WHERE entity = ? AND field = ? AND author = ? AND seq = ?")
                .execute(arguments: [entityKey, key.field, key.author, key.seq])
        }
        let setWinner = try db.cachedStatement(sql: """
            UPDATE register_value SET winner = ? WHERE entity = ? AND field = ? AND author = ? AND seq = ?
            """)
        for (key, entry) in wanted where !entry.winner && storedWinner[key] == true {
            try setWinner.execute(arguments: [0, entityKey, key.field, key.author, key.seq])
        }
        let registerInsert = try db.cachedStatement(sql: """
            INSERT INTO register_value (entity, field, author, seq, hlc, value, winner) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for (key, entry) in wanted {
            if let stored = storedWinner[key] {
                if entry.winner, !stored { try setWinner.execute(arguments: [1, entityKey, key.field, key.author, key.seq]) }
            } else {
                try registerInsert.execute(arguments: [entityKey, key.field, key.author, key.seq, entry.value.hlc.text,
                                                       String(decoding: CanonicalJSON.encode(entry.value.value), as: UTF8.self),
                                                       entry.winner ? 1 : 0])
            }
        }

        // Set elements: one row per add that stands.
        struct ElementKey: Hashable { let field: String, element: String, author: Int64, seq: Int64 }
        var storedElements = Set<ElementKey>()
        if oldAccepted {
            for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT field, element, author, seq FROM set_element WHERE entity = ?"),
                                        arguments: [entityKey]) {
                storedElements.insert(ElementKey(field: row["field"], element: row["element"], author: row["author"], seq: row["seq"]))
            }
        }
        var wantedElements = Set<ElementKey>()
        for (field, elements) in state.sets {
            for element in elements {
                let text = String(decoding: element.key, as: UTF8.self)
                for add in element.adds {
                    wantedElements.insert(ElementKey(field: field, element: text, author: try keys.author(add.replica), seq: add.seq))
                }
            }
        }
        for key in storedElements.subtracting(wantedElements) {
            try db.cachedStatement(sql: "DELETE FROM set_element WHERE entity = ? AND field = ? AND element = ? AND author = ? AND seq = ?")
                .execute(arguments: [entityKey, key.field, key.element, key.author, key.seq])
        }
        for key in wantedElements.subtracting(storedElements) {
            try db.cachedStatement(sql: "INSERT INTO set_element (entity, field, element, author, seq) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [entityKey, key.field, key.element, key.author, key.seq])
        }

        // Series entries: added, dropped, or retracted since.
        var storedEntries = [Key: Bool]()
        if oldAccepted {
            for row in try Row.fetchAll(try db.cachedStatement(sql: "SELECT field, author, seq, retracted FROM series_entry WHERE entity = ?"),
                                        arguments: [entityKey]) {
                storedEntries[Key(field: row["field"], author: row["author"], seq: row["seq"])] = (row["retracted"] as Int64) == 1
            }
        }
        var wantedEntries = Set<Key>()
        for (field, entries) in state.series {
            for entry in entries {
                let key = Key(field: field, author: try keys.author(entry.op.replica), seq: entry.op.seq)
                wantedEntries.insert(key)
                if let retracted = storedEntries[key] {
                    if retracted != entry.retracted {
                        try db.cachedStatement(sql: "UPDATE series_entry SET retracted = ? WHERE entity = ? AND field = ? AND author = ? AND seq = ?")
                            .execute(arguments: [entry.retracted ? 1 : 0, entityKey, key.field, key.author, key.seq])
                    }
                } else {
                    try db.cachedStatement(sql: """
                        INSERT INTO series_entry (entity, field, author, seq, hlc, value, retracted) VALUES (?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [entityKey, field, key.author, key.seq, entry.hlc.text,
                                                 String(decoding: CanonicalJSON.encode(entry.value), as: UTF8.self),
                                                 entry.retracted ? 1 : 0])
                }
            }
        }
        for (key, _) in storedEntries where !wantedEntries.contains(key) {
            try db.cachedStatement(sql: "DELETE FROM series_entry WHERE entity = ? AND field = ? AND author = ? AND seq = ?")
                .execute(arguments: [entityKey, key.field, key.author, key.seq])
        }

        if isCommitment, let owner = state.owner {
            try writeSummary(db, id: id, owner: owner, registers: state.registers, illustrative: state.illustrative,
                             created: create.op.hlc.text, isNew: !oldAccepted, search: &search)
        } else if state.entity.type == .indicator {
            try writeIndicatorSummary(db, state: state)
        }
        return before
    }

    /// The columns of `entity` after `id`, in the order ``write(_:state:changedAt:keys:search:)`` reads and writes them.
    private static let entityColumns = ["type", "state", "owner", "parent", "external_id", "creator", "created_hlc", "retracted",
                                        "dangling", "conflicts", "changed_at"]

    /// The columns of `commitment_summary` after `id` and the full-text fields among them.
    private static let summaryColumns = ["owner", "title_en", "title_es", "summary_en", "summary_es", "pillar", "area",
                                         "status", "priority", "due", "dialogue", "lead", "assessment_us", "assessment_mx",
                                         "conflicts", "created_hlc", "source", "illustrative", "lead_us", "lead_mx",
                                         "priority_us", "priority_mx"]
    /// The columns searched as they are (titles, summaries, area) and those that name an agency
    /// (the shared lead and each delegation's), searched by its acronym and names.
    private static let searchedColumns = ["title_en", "title_es", "summary_en", "summary_es", "area"]
        .compactMap { summaryColumns.firstIndex(of: $0) }
    private static let agencyColumns = ["lead", "lead_us", "lead_mx"].compactMap { summaryColumns.firstIndex(of: $0) }

    /// The `illustrative` column of a summary: the fields whose values are planning values, in
    /// order and joined by commas (`due,status`), or NULL when there are none.
    static func illustrativeColumn(_ fields: [String]) -> String? {
        fields.isEmpty ? nil : fields.joined(separator: ",")
    }

    /// The fields an `illustrative` column names.
    static func illustrativeFields(_ column: String?) -> [String] {
        column.map { $0.split(separator: ",").map(String.init) } ?? []
    }

    /// The summary row and its full-text entry, each written only when it changed.
    static func writeSummary(_ db: Database, id: String, owner: Owner, registers: [String: [RegisterValue]], illustrative: [String],
                             created: String, isNew: Bool, search: inout SearchIndexUpdates) throws {
        func display(_ field: String) -> JSONValue? { EntityState.winner(registers[field] ?? [])?.value }
        func text(_ field: String) -> DatabaseValue { display(field)?.stringValue.databaseValue ?? .null }
        func rating(_ field: String) -> DatabaseValue { display(field)?["rating"]?.stringValue.databaseValue ?? .null }
        let conflicts = registers.values.filter(EntityState.isConflict).count
        let values: [DatabaseValue] = [owner.rawValue.databaseValue, text("title.en"), text("title.es"), text("summary.en"),
                                       text("summary.es"), text("pillar"), text("area"), text("status"), text("priority"),
                                       text("due"), text("dialogue"), text("lead"), rating("assessment.us"),
                                       rating("assessment.mx"), conflicts.databaseValue, created.databaseValue, text("source"),
                                       Store.illustrativeColumn(illustrative).databaseValue, text("lead.us"), text("lead.mx"),
                                       text("priority.us"), text("priority.mx")]
        func body(_ row: [DatabaseValue]) -> String {
            (searchedColumns.compactMap { String.fromDatabaseValue(row[$0]) }
                + agencyColumns.compactMap { String.fromDatabaseValue(row[$0]).map(AgencyCatalog.searchText) }).joined(separator: " ")
        }
        let old = isNew ? nil : try Row.fetchOne(try db.cachedStatement(sql: """
            SELECT \(summaryColumns.joined(separator: ", ")) FROM commitment_summary WHERE id = ?
            """), arguments: [id]).map { row in (0..<summaryColumns.count).map { row[$0] as DatabaseValue } }
        if let old {
            guard old != values else { return }
            // Only the columns that changed: SQLite rewrites the entry of every index that holds
            // a column an UPDATE sets, changed or not, and this table has six.
            let changed = summaryColumns.indices.filter { old[$0] != values[$0] }
            try db.cachedStatement(sql: """
                UPDATE commitment_summary SET \(changed.map { "\(summaryColumns[$0]) = ?" }.joined(separator: ", ")) WHERE id = ?
                """).execute(arguments: StatementArguments(changed.map { values[$0] } + [id.databaseValue]))
            if body(old) == body(values) { return }
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO commitment_summary (id, \(summaryColumns.joined(separator: ", ")))
                VALUES (?, \(summaryColumns.map { _ in "?" }.joined(separator: ", ")))
                """).execute(arguments: StatementArguments([id.databaseValue] + values))
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO commitment_search (id) VALUES (?)").execute(arguments: [id])
        }
        search.set(id, body: body(values))
    }

    /// Removes the entity's materialized rows: all of them, or all but its `entity` row.
    private static func dropEntity(_ db: Database, id: String, key: Int64, isCommitment: Bool, keepEntity: Bool,
                                   search: inout SearchIndexUpdates) throws {
        if isCommitment { search.set(id, body: nil) }
        if keepEntity {
            for table in ["register_value", "set_element", "series_entry"] {
                try db.cachedStatement(sql: "DELETE FROM \(table) WHERE entity = ?").execute(arguments: [key])
            }
            try db.cachedStatement(sql: "DELETE FROM indicator_summary WHERE id = ?").execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM commitment_summary WHERE id = ?").execute(arguments: [id])
        } else {
            try db.cachedStatement(sql: "DELETE FROM entity WHERE id = ?").execute(arguments: [id])
        }
    }
}
