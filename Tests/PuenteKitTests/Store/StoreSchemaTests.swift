import Foundation
import GRDB
@testable import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// The store's schema, as `Schema` defines it.
@Suite struct StoreSchemaTests {
    /// The inserts an import runs for every operation and entity build no temporary b-tree, and
    /// the constraints still refuse what they refused.
    @Test func insertsCheckTheirValuesWithoutTemporaryTables() throws {
        let folder = try TemporaryFolder()
        let queue = try DatabaseQueue(path: folder.sub("store.sqlite"))
        try queue.write(Schema.create)
        try queue.write { db in
            for sql in [
                "INSERT INTO operation (author, seq, millis, counter, hash, entity, kind, field, value, refs, status, reason, arrived) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "INSERT INTO entity (type, state, owner, parent, external_id, creator, created_hlc, retracted, id, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "INSERT INTO commitment_summary (id, owner, status, created_hlc) VALUES (?, ?, ?, ?)",
                "UPDATE operation SET status = ?, reason = ? WHERE author = ? AND seq = ?",
                "UPDATE entity SET type = ?, state = ?, owner = ? WHERE id = ?",
            ] {
                let unbound = StatementArguments(Array(repeating: DatabaseValue.null, count: sql.filter { $0 == "?" }.count))
                let opcodes = try Row.fetchAll(db, sql: "EXPLAIN " + sql, arguments: unbound).map { $0["opcode"] as String }
                #expect(opcodes.contains("Insert") || opcodes.contains("IdxInsert"), "\(sql)")
                #expect(!opcodes.contains("OpenEphemeral"), "\(sql)")
            }
            let replica = String(repeating: "c", count: 64)
            try db.execute(sql: "INSERT INTO replica (id, delegation, name, signing_key, trusted, head_hash) VALUES (?, 'mx', 'SSPC', zeroblob(32), 1, ?)",
                           arguments: [replica, String(repeating: "0", count: 64)])
            func refused(_ sql: String, _ arguments: StatementArguments) -> Bool {
                do {
                    try db.inSavepoint {
                        try db.execute(sql: sql, arguments: arguments)
                        return .rollback
                    }
                    return false
                } catch let error as DatabaseError {
                    return error.extendedResultCode == .SQLITE_CONSTRAINT_CHECK
                } catch {
                    return false
                }
            }
            let author = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO entity_name (id) VALUES ('commitment/x')")
            let name = db.lastInsertedRowID
            let operation = """
                INSERT INTO operation (author, seq, millis, counter, hash, entity, kind, field, value, status, reason)
                VALUES (?, 1, 1734000000000, 0, ?, ?, ?, '', x'00', ?, ?)
                """
            let hash = Data(repeating: 0xdd, count: 32)
            // kind: create 0 … retract 5; status: accepted 0, pending 1, rejected 2.
            #expect(!refused(operation, [author, hash, name, 5, 0, nil]))
            #expect(!refused(operation, [author, hash, name, 4, 1, "unknown-author"]))
            #expect(refused(operation, [author, hash, name, 6, 0, nil]))
            #expect(refused(operation, [author, hash, name, 1, 3, "x"]))
            #expect(refused(operation, [author, hash, name, 1, 0, "x"]))
            #expect(refused(operation, [author, Data(repeating: 0xdd, count: 31), name, 1, 0, nil]))
            let entity = "INSERT INTO entity (id, key, type, state, owner, creator, created_hlc) VALUES (?, ?, ?, ?, ?, ?, '0193a0b0c0d0-0000')"
            #expect(!refused(entity, ["commitment/x", name, "commitment", "accepted", "joint", replica]))
            #expect(!refused(entity, ["note/x", name, "note", "pending", nil, replica]))
            #expect(refused(entity, ["memo/x", name, "memo", "accepted", nil, replica]))
            #expect(refused(entity, ["commitment/x", name, "commitment", "done", "us", replica]))
            #expect(refused(entity, ["commitment/x", name, "commitment", "accepted", "ca", replica]))
            let summary = "INSERT INTO commitment_summary (id, owner, created_hlc) VALUES ('commitment/x', ?, '0193a0b0c0d0-0000')"
            #expect(!refused(summary, ["mx"]))
            #expect(refused(summary, ["ca"]))
        }
    }

    /// `review` counts each list and reads its first rows through the list's index, without
    /// sorting: the cost of a terminal review does not grow with the record.
    @Test func theReviewListsAreIndexes() throws {
        let folder = try TemporaryFolder()
        let queue = try DatabaseQueue(path: folder.sub("store.sqlite"))
        try queue.write(Schema.create)
        try queue.read { (db: Database) throws in
            func plan(_ sql: String) throws -> [String] {
                let unbound = StatementArguments(Array(repeating: DatabaseValue.null, count: sql.filter { $0 == "?" }.count))
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: unbound).map { $0["detail"] as String }
            }
            for list in ReviewList.all {
                let rows = try plan(list.listSQL(cut: " LIMIT 40"))
                #expect(rows.contains { $0.contains("INDEX \(list.index)") } && !rows.contains { $0.contains("TEMP B-TREE") }, "\(rows)")
                let count = try plan(list.countSQL)
                #expect(count.contains { $0.contains("COVERING INDEX \(list.index)") || $0.contains("commitment_tally") }, "\(count)")
            }
            let indicators = try plan(StoreTransaction.indicatorReviewSQL(cut: " LIMIT 40"))
            #expect(indicators.contains { $0.contains("INDEX indicator_review_order") }, "\(indicators)")
            #expect(!indicators.contains { $0.contains("TEMP B-TREE") }, "\(indicators)")
            // The count of open conflicts reads only the entities that have any.
            let conflicts = try plan(StoreTransaction.conflictCountSQL)
            #expect(conflicts.contains { $0.contains("COVERING INDEX entity_with_conflicts") }, "\(conflicts)")
            // The review's first conflicts: those entities in id order, each one's registers in
            // field order, stopping at the limit (only the fields of one entity are sorted).
            let first = try plan(Store.openConflictsSQL(limit: 5))
            #expect(first.first?.contains("SCAN e USING INDEX entity_with_conflicts") == true, "\(first)")
            #expect(!first.contains { $0.contains("TEMP B-TREE FOR ORDER BY") }, "\(first)")
        }
    }

    /// `list` (in due order, the default) reads its first page through an index on exactly its
    /// ORDER BY, instead of sorting every commitment.
    @Test func theListOrderIsAnIndex() throws {
        let folder = try TemporaryFolder()
        let queue = try DatabaseQueue(path: folder.sub("store.sqlite"))
        try queue.write(Schema.create)
        try queue.read { (db: Database) throws in
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT c.id FROM commitment_summary c ORDER BY \(SummaryColumn.dueOrder) LIMIT 25")
                .map { $0["detail"] as String }
            #expect(plan.contains { $0.contains("USING INDEX commitment_list_order") }, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }
    }
}
