import Foundation
import GRDB
@testable import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// Upgrading a store of the earlier format (`Fixtures/stores/v1-mx-sspc`) by replay.
@Suite(.timeLimit(.minutes(20))) struct StoreUpgradeTests {
    /// A certificate written before certificates carried the member's card cannot count under
    /// the current rules: replaying admits the store's documents as a bundle's are, so it stays
    /// behind in the kept file, counted; everything else comes across.
    @Test func documentsTheCurrentRulesRefuseStayBehindInTheKeptFile() throws {
        let folder = try TemporaryFolder()
        let store = try StoreFixture.unpack(into: folder.path)
        let path = store + "/" + Replica.databaseFile
        let (kept, old) = try DatabaseQueue(path: path).write { db -> (Set<String>, String) in
            let kept = try String.fetchSet(db, sql: "SELECT digest FROM certificate")
            let genuine = try #require(try Row.fetchOne(db, sql: "SELECT digest, bytes FROM certificate ORDER BY digest LIMIT 1"))
            var document = try #require(try JSONParser.parse(Array(genuine["bytes"] as Data)).objectValue)
            var body = try #require(document["certificate"]?.objectValue)
            body["member_created"] = nil
            body["member_card_signature"] = nil
            body["version"] = 7
            document["certificate"] = .object(body)
            let bytes = CanonicalJSON.encode(.object(document))
            let digest = Digest.sha256hex(bytes)
            try db.execute(sql: """
                INSERT INTO certificate (digest, issuer, member, delegation, version, name, office, issued, bytes)
                SELECT ?, issuer, member, delegation, 7, name, office, issued, ? FROM certificate WHERE digest = ?
                """, arguments: [digest, Data(bytes), genuine["digest"] as String])
            return (kept, digest)
        }
        #expect(kept.count >= 1)
        let replica = try Replica.open(folder: store)
        let report = try #require(replica.storeUpgrade)
        #expect(report == StoreUpgradeReport(fromFormat: 1, operations: 79, documentsLeft: 1, keptAt: path + ".v1"))
        let carried = try DatabaseQueue(path: path).read { db in try String.fetchSet(db, sql: "SELECT digest FROM certificate") }
        #expect(carried == kept)
        let left = try DatabaseQueue(path: path + ".v1").read { db in try String.fetchSet(db, sql: "SELECT digest FROM certificate") }
        #expect(left == kept.union([old]))
        // Once upgraded, the store opens as it is.
        #expect(try Replica.open(folder: store).storeUpgrade == nil)
    }

    /// The state the upgrade derives is the state a rebuild derives, row for row, and the
    /// operations, held operations, signed heads and local facts came across unchanged.
    @Test func theUpgradedStoreHoldsWhatTheEarlierOneHeld() throws {
        let folder = try TemporaryFolder()
        let store = try StoreFixture.unpack(into: folder.path)
        let path = store + "/" + Replica.databaseFile
        // The log's form changed with format 5: the fields every format has, then each
        // operation's canonical bytes as each format gives them back.
        func facts(operations: String) -> String { """
            SELECT 'op', replica, seq, hash, '', status, coalesce(reason, ''), coalesce(arrived, -1) FROM \(operations)
            UNION ALL SELECT 'held', replica, seq, hex(bytes), '', '', '', 0 FROM held_operation
            UNION ALL SELECT 'attestation', replica, seq, hash, hex(signature), '', '', 0 FROM attestation
            UNION ALL SELECT 'have', peer, seq, replica, hash, '', '', 0 FROM peer_have
            UNION ALL SELECT 'head', id, head_seq, head_hash, head_hlc, trusted, role, 0 FROM replica
            UNION ALL SELECT 'local', replica, 0, clock, created_at, coalesce(halted, ''), '', 0 FROM local_replica
            UNION ALL SELECT 'import', id, at, kind, operations, '', '', 0 FROM import_event
            UNION ALL SELECT 'dropped', replica, from_seq, to_seq, count, dropped_at, reason, 0 FROM dropped_operations
            UNION ALL SELECT 'proof', replica, seq, digest, hex(bytes), '', '', 0 FROM fork_proof
            UNION ALL SELECT 'revocation', digest, 0, hex(bytes), '', '', '', 0 FROM revocation
            ORDER BY 1, 2, 3, 4
            """ }
        func read(_ path: String, operations: String) throws -> [[String]] {
            try DatabaseQueue(path: path).read { db in
                try Row.fetchAll(db, sql: facts(operations: operations)).map { row in (0..<8).map { (row[$0] as DatabaseValue).description } }
            }
        }
        let before = try read(path, operations: "operation")
        let bytesBefore = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT replica, bytes FROM operation ORDER BY replica, seq").map { row in
                [row["replica"] as String, (row["bytes"] as Data).base64EncodedString()]
            }
        }
        #expect(["held", "proof", "dropped", "revocation"].allSatisfy { kind in before.contains { $0[0] == "\"\(kind)\"" } })
        let replica = try Replica.open(folder: store)
        #expect(replica.storeUpgrade != nil)
        #expect(try read(path, operations: "operation_text") == before)
        let authors = Set(bytesBefore.map { $0[0] }).sorted().compactMap(ReplicaID.init(hex:))
        let bytesAfter = try authors.flatMap { author in
            try replica.operations(of: author).map { [author.hex, Data($0.canonicalBytes).base64EncodedString()] }
        }
        #expect(bytesAfter.count == bytesBefore.count)
        #expect(bytesAfter == bytesBefore)
        let rows = try replica.materializedRows()
        try replica.rebuild()
        #expect(try replica.materializedRows() == rows)
    }

    /// A store in the current layout replays as an earlier one does (the path the next
    /// format's upgrade takes): every operation is rebuilt from its compact row, checked
    /// against its hash and chain, and written again; the log, the held operation and the
    /// state derived again are those of the store it came from.
    @Test func aStoreOfTheCurrentLayoutReplaysIntoANewOne() throws {
        let folder = try TemporaryFolder()
        let store = try StoreFixture.unpack(into: folder.path)
        _ = try Replica.open(folder: store)  // upgraded from format 1 to the current layout
        let current = store + "/" + Replica.databaseFile
        let copy = folder.sub("replayed.sqlite")
        let target = try DatabaseQueue(path: copy)
        try target.write(Schema.create)
        let replayed = try DatabaseQueue(path: current).read { old in
            try target.write { db in try StoreUpgrade.replay(from: old, into: db) }
        }
        #expect(replayed.operations == 79)
        func facts(_ path: String) throws -> [[String]] {
            try DatabaseQueue(path: path).read { db in
                try Row.fetchAll(db, sql: """
                    SELECT 'op', replica, seq, hash, status, coalesce(reason, ''), coalesce(arrived, -1) FROM operation_text
                    UNION ALL SELECT 'held', replica, seq, hex(bytes), '', '', 0 FROM held_operation
                    UNION ALL SELECT 'head', id, head_seq, head_hash, head_hlc, trusted, 0 FROM replica
                    UNION ALL SELECT 'register', n.id, v.field, r.id, v.seq, v.value, v.winner FROM register_value v
                        JOIN entity_name n ON n.key = v.entity JOIN replica r ON r.key = v.author
                    UNION ALL SELECT 'entity', id, state, coalesce(owner, ''), conflicts, dangling, retracted FROM entity
                    ORDER BY 1, 2, 3, 4
                    """).map { row in (0..<7).map { (row[$0] as DatabaseValue).description } }
            }
        }
        let before = try facts(current)
        #expect(before.contains { $0[0] == "\"held\"" } && before.filter { $0[0] == "\"op\"" }.count == 79)
        #expect(try facts(copy) == before)
    }
}
