import Foundation
import GRDB
@testable import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// The store's schema as migrations leave it.
@Suite struct StoreSchemaTests {
    static let tables = ["replica", "operation", "entity", "register_value", "commitment_summary"]

    static func rows(_ db: Database) throws -> [String: [[DatabaseValue]]] {
        var out = [String: [[DatabaseValue]]]()
        for table in tables {
            out[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2").map { row in
                row.columnNames.map { row[$0] as DatabaseValue }
            }
        }
        return out
    }

    /// v9 rebuilds three tables; a store written before it keeps every row, every reference
    /// (no cascade ran) and every index.
    @Test func theV9RebuildKeepsEveryRow() throws {
        let folder = try TemporaryFolder()
        let queue = try DatabaseQueue(path: folder.sub("store.sqlite"))
        try Schema.migrator.migrate(queue, upTo: "v8-lean-operation-index")
        let replica = String(repeating: "a", count: 64)
        let commitment = "commitment/0b9c1a7e-5d3f-4c2a-9e1b-7f6d5c4b3a29"
        let note = "note/1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
        try queue.write { db in
            let hash = String(repeating: "b", count: 64)
            try db.execute(sql: """
                INSERT INTO replica (id, delegation, name, signing_key, trusted, head_seq, head_hash)
                    VALUES (?, 'us', 'State INL desk', zeroblob(32), 1, 3, ?)
                """, arguments: [replica, hash])
            try db.execute(sql: """
                INSERT INTO operation (replica, seq, hlc, hash, entity, kind, field, bytes, status, reason, arrived) VALUES
                    (?1, 1, '0193a0b0c0d0-0000', ?2, ?3, 'create', '', x'7b7d', 'accepted', NULL, 5),
                    (?1, 2, '0193a0b0c0d0-0001', ?2, ?3, 'set', 'status', x'7b7d', 'accepted', NULL, 5),
                    (?1, 3, '0193a0b0c0d0-0002', ?2, ?4, 'create', '', x'7b7d', 'rejected', 'not-owner', NULL)
                """, arguments: [replica, hash, commitment, note])
            try db.execute(sql: """
                INSERT INTO entity (id, type, state, owner, parent, external_id, creator, created_hlc, retracted) VALUES
                    (?2, 'commitment', 'accepted', 'joint', NULL, 'BF-1.1', ?1, '0193a0b0c0d0-0000', 0),
                    (?3, 'note', 'rejected', NULL, ?2, NULL, ?1, '0193a0b0c0d0-0002', 0)
                """, arguments: [replica, commitment, note])
            try db.execute(sql: """
                INSERT INTO register_value (entity, field, replica, seq, hlc, value, winner)
                    VALUES (?, 'status', ?, 2, '0193a0b0c0d0-0001', '"in-progress"', 1)
                """, arguments: [commitment, replica])
            try db.execute(sql: """
                INSERT INTO commitment_summary (id, owner, title_en, status, conflicts, created_hlc)
                    VALUES (?, 'joint', 'Disrupt arms trafficking', 'in-progress', 0, '0193a0b0c0d0-0000')
                """, arguments: [commitment])
        }
        let before = try queue.read(Self.rows)
        let indexSQL = "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
        let indexesBefore = try queue.read { db in try Row.fetchAll(db, sql: indexSQL) }
        #expect(indexesBefore.count >= 9)
        #expect(before["register_value"]?.count == 1 && before["operation"]?.count == 3)

        try Schema.migrator.migrate(queue, upTo: "v9-checks-without-in-lists")
        try queue.read { (db: Database) throws in
            #expect(try Self.rows(db) == before)
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            #expect(try Row.fetchAll(db, sql: indexSQL) == indexesBefore)
            #expect(try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE name LIKE '%_v9'").isEmpty)
        }
    }

    /// The inserts an import runs for every operation and entity build no temporary b-tree, and
    /// the constraints still refuse what they refused.
    @Test func insertsCheckTheirValuesWithoutTemporaryTables() throws {
        let folder = try TemporaryFolder()
        let queue = try DatabaseQueue(path: folder.sub("store.sqlite"))
        try Schema.migrator.migrate(queue)
        try queue.write { db in
            for sql in [
                "INSERT INTO operation (replica, seq, hlc, hash, entity, kind, field, bytes, status, reason, arrived) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "INSERT INTO entity (type, state, owner, parent, external_id, creator, created_hlc, retracted, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "INSERT INTO commitment_summary (id, owner, status, created_hlc) VALUES (?, ?, ?, ?)",
                "UPDATE operation SET status = ?, reason = ? WHERE replica = ? AND seq = ?",
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
            let operation = "INSERT INTO operation (replica, seq, hlc, hash, entity, kind, field, bytes, status, reason) VALUES (?, 1, '0193a0b0c0d0-0000', ?, 'commitment/x', ?, '', x'00', ?, ?)"
            let hash = String(repeating: "d", count: 64)
            #expect(!refused(operation, [replica, hash, "retract", "accepted", nil]))
            #expect(!refused(operation, [replica, hash, "append", "pending", "unknown-author"]))
            #expect(refused(operation, [replica, hash, "delete", "accepted", nil]))
            #expect(refused(operation, [replica, hash, "set", "done", "x"]))
            #expect(refused(operation, [replica, hash, "Set", "accepted", nil]))
            let entity = "INSERT INTO entity (id, type, state, owner, creator, created_hlc) VALUES (?, ?, ?, ?, ?, '0193a0b0c0d0-0000')"
            #expect(!refused(entity, ["commitment/x", "commitment", "accepted", "joint", replica]))
            #expect(!refused(entity, ["note/x", "note", "pending", nil, replica]))
            #expect(refused(entity, ["memo/x", "memo", "accepted", nil, replica]))
            #expect(refused(entity, ["commitment/x", "commitment", "done", "us", replica]))
            #expect(refused(entity, ["commitment/x", "commitment", "accepted", "ca", replica]))
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
        try Schema.migrator.migrate(queue)
        try queue.read { (db: Database) throws in
            func plan(_ sql: String) throws -> [String] {
                let unbound = StatementArguments(Array(repeating: DatabaseValue.null, count: sql.filter { $0 == "?" }.count))
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: unbound).map { $0["detail"] as String }
            }
            for list in ReviewList.all {
                let rows = try plan(list.listSQL(cut: " LIMIT 40"))
                #expect(rows.contains { $0.contains("INDEX \(list.index)") } && !rows.contains { $0.contains("TEMP B-TREE") }, "\(rows)")
                let count = try plan(list.countSQL)
                #expect(count.contains { $0.contains("COVERING INDEX \(list.index)") }, "\(count)")
            }
            let indicators = try plan(Replica.indicatorSQL(cut: " LIMIT 40"))
            #expect(indicators.contains { $0.contains("INDEX indicator_review_order") }, "\(indicators)")
            #expect(!indicators.contains { $0.contains("TEMP B-TREE") }, "\(indicators)")
            let conflicts = try plan("SELECT count(*) FROM (SELECT DISTINCT entity, field FROM register_value WHERE winner = 0)")
            #expect(conflicts.contains { $0.contains("COVERING INDEX register_conflict") }, "\(conflicts)")
        }
    }

    /// `list` (in due order, the default) reads its first page through an index on exactly its
    /// ORDER BY, instead of sorting every commitment.
    @Test func theListOrderIsAnIndex() throws {
        let folder = try TemporaryFolder()
        let queue = try DatabaseQueue(path: folder.sub("store.sqlite"))
        try Schema.migrator.migrate(queue)
        try queue.read { (db: Database) throws in
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT c.id FROM commitment_summary c ORDER BY \(Replica.dueOrder) LIMIT 25")
                .map { $0["detail"] as String }
            #expect(plan.contains { $0.contains("USING INDEX commitment_list_order") }, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }
    }
}

/// v15 removes certificates written before they carried the member's card: they cannot count,
/// and every bundle that carried one would be refused.
@Suite struct CertificateMigrationTests {
    @Test func certificatesWithoutTheMembersCardAreRemovedAndTheOthersKept() throws {
        let world = try Delegations()
        let desk = try world.member(.us, "us-desk")
        let path = world.usAdmin.folder + "/" + Replica.databaseFile
        let queue = try DatabaseQueue(path: path)
        let (kept, old) = try queue.write { db -> (Int, String) in
            let kept = try Int.fetchOne(db, sql: "SELECT count(*) FROM certificate") ?? 0
            // A certificate as it was written before: the same members less the card's.
            let genuine = try #require(try Data.fetchOne(db, sql: "SELECT bytes FROM certificate WHERE member = ?",
                                                         arguments: [desk.identity.replica.hex]))
            var document = try #require(try JSONParser.parse(Array(genuine)).objectValue)
            var body = try #require(document["certificate"]?.objectValue)
            body["member_created"] = nil
            body["member_card_signature"] = nil
            body["version"] = 7
            document["certificate"] = .object(body)
            let bytes = CanonicalJSON.encode(.object(document))
            let digest = Digest.sha256hex(bytes)
            try db.execute(sql: """
                INSERT INTO certificate (digest, issuer, member, delegation, version, name, office, issued, bytes)
                SELECT ?, issuer, member, delegation, 7, name, office, issued, ? FROM certificate WHERE member = ?
                """, arguments: [digest, Data(bytes), desk.identity.replica.hex])
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v15-certificates-carry-the-members-card'")
            return (kept, digest)
        }
        try queue.close()
        let reopened = try Replica.open(folder: world.usAdmin.folder)
        let digests = try DatabaseQueue(path: path).read { db in try String.fetchAll(db, sql: "SELECT digest FROM certificate") }
        #expect(digests.count == kept)
        #expect(!digests.contains(old))
        #expect(try reopened.trustedKeys().contains { $0.replica == desk.identity.replica && $0.via == "certificate" })
    }
}
