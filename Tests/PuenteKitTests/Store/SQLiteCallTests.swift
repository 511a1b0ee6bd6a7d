import Foundation
import GRDB
@testable import PuenteKit
import PuenteTestSupport
import Testing

/// The statements an import runs per operation go through SQLite's C interface (`SQLiteCall`):
/// what they bind and read is what GRDB would bind and read, and a call never leaves its
/// statement bound or half-read for the next one.
@Suite struct SQLiteCallTests {
    static func database() throws -> (TemporaryFolder, DatabaseQueue) {
        let folder = try TemporaryFolder()
        let queue = try DatabaseQueue(path: folder.path + "/calls.sqlite")
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, i INTEGER, s TEXT, b BLOB, n TEXT, UNIQUE (s))")
        }
        return (folder, queue)
    }

    @Test func valuesAreBoundAndReadAsGRDBBindsAndReadsThem() throws {
        let (folder, queue) = try Self.database()
        defer { _ = folder }
        // No text the store keeps holds U+0000 (canonical JSON escapes it, names refuse it), and
        // GRDB reads a text only up to its first one, so none is compared here.
        let texts = ["", "Ñandú \"q\" \\ 😀", "\u{1}\u{7f}\u{202e}x", String(repeating: "é", count: 5_000)]
        let blobs: [[UInt8]] = [[], [0], [0, 255, 10], Array(repeating: 7, count: 70_000)]
        try queue.write { db in
            for (index, (text, blob)) in zip(texts, blobs).enumerated() {
                let insert = try SQLiteCall(db, "INSERT INTO t (k, i, s, b, n) VALUES (?, ?, ?, ?, ?)")
                try insert.bind(.integer(Int64(index)), .integer(Int64.min + Int64(index)), .text(text), .bytes(blob), .null)
                try insert.run()
            }
            for (index, (text, blob)) in zip(texts, blobs).enumerated() {
                // GRDB reads what the call wrote: an empty text is a text, an empty blob a blob, nil is NULL.
                let row = try #require(try Row.fetchOne(db, sql: "SELECT i, s, b, n, typeof(s), typeof(b), typeof(n) FROM t WHERE k = ?",
                                                        arguments: [index]))
                #expect(row["i"] as Int64 == Int64.min + Int64(index))
                #expect(row["s"] as String == text)
                #expect(Array(row["b"] as Data) == blob)
                #expect(row[4] as String == "text")
                #expect(row[5] as String == "blob")
                #expect(row[6] as String == "null")
                // And the call reads what GRDB wrote.
                let read = try SQLiteCall(db, "SELECT i, s, b, n FROM t WHERE k = ?")
                try read.bind(.integer(Int64(index)))
                let values = try #require(try read.first { ($0.integer(0), $0.text(1), $0.bytes(2), $0.optionalText(3), $0.isNull(3)) })
                #expect(values.0 == Int64.min + Int64(index))
                #expect(values.1 == text)
                #expect(values.2 == blob)
                #expect(values.3 == nil && values.4)
            }
        }
    }

    @Test func aFailedStepThrowsTheStatementsErrorAndLeavesItReady() throws {
        let (folder, queue) = try Self.database()
        defer { _ = folder }
        try queue.write { db in
            let sql = "INSERT INTO t (k, s) VALUES (?, ?)"
            let first = try SQLiteCall(db, sql)
            try first.bind(.integer(1), .text("same"))
            try first.run()
            let again = try SQLiteCall(db, sql)
            try again.bind(.integer(2), .text("same"))
            let error = try #require(throws: DatabaseError.self) { try again.run() }
            #expect(error.resultCode == .SQLITE_CONSTRAINT)
            #expect(error.sql == sql)
            // The same cached statement runs again, with new arguments.
            let third = try SQLiteCall(db, sql)
            try third.bind(.integer(2), .text("other"))
            try third.run()
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM t") == 2)
        }
    }

    @Test func aCallStartsFromTheFirstRowWhateverTheLastOneRead() throws {
        let (folder, queue) = try Self.database()
        defer { _ = folder }
        try queue.write { db in
            for index in 1...3 { try db.execute(sql: "INSERT INTO t (k, s) VALUES (?, ?)", arguments: [index, "row \(index)"]) }
            let sql = "SELECT s FROM t ORDER BY k"
            // `first` stops after one row; `rows` stops when its body throws.
            for _ in 0..<2 {
                let call = try SQLiteCall(db, sql)
                try call.bind()
                #expect(try call.first { $0.text(0) } == "row 1")
            }
            struct Stop: Error {}
            let stopping = try SQLiteCall(db, sql)
            try stopping.bind()
            #expect(throws: Stop.self) { try stopping.rows { _ in throw Stop() } }
            var all = [String]()
            let call = try SQLiteCall(db, sql)
            try call.bind()
            try call.rows { all.append($0.text(0)) }
            #expect(all == ["row 1", "row 2", "row 3"])
            // GRDB runs the same cached statement afterwards as if the calls had never happened.
            #expect(try String.fetchAll(db, sql: sql) == ["row 1", "row 2", "row 3"])
        }
    }
}
