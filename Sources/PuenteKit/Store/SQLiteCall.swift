import Foundation
import GRDB
import GRDBSQLite

/// One run of a cached statement through SQLite's C interface: arguments bound by position,
/// rows read by position, nothing boxed.
///
/// The statements an import runs for every operation it receives (the log's insert, the
/// lookups of what a step reads, a register's rows) are where GRDB's general path — arguments
/// as an array of existentials, columns found by name, a watchdog check per statement — took
/// about a quarter of an import's time. Those few statements run here instead; the SQL is the
/// same cached statement GRDB prepared, and every other statement goes through GRDB.
///
/// Each call binds every parameter of its statement, and ``rows(_:)`` or ``run()`` resets the
/// statement when done, so nothing bound or half-read outlives the call.
struct SQLiteCall {
    private let statement: Statement
    private let handle: OpaquePointer
    private let db: Database

    init(_ db: Database, _ sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
        sqlite3_reset(handle)
    }

    /// Binds the parameters, in order: `Int64`, `Int`, `String`, bytes, or nil for NULL.
    func bind(_ values: SQLiteArgument...) throws {
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            let code: Int32
            switch value {
            case .integer(let number):
                code = sqlite3_bind_int64(handle, position, number)
            case .text(let text):
                var utf8 = text
                code = utf8.withUTF8 { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { chars in
                        // An empty text is bound as an empty text, not NULL.
                        guard let base = chars.baseAddress, !chars.isEmpty else {
                            return sqlite3_bind_text(handle, position, "", 0, SQLiteCall.transient)
                        }
                        return sqlite3_bind_text(handle, position, base, Int32(chars.count), SQLiteCall.transient)
                    }
                }
            case .bytes(let bytes):
                code = bytes.withUnsafeBytes { buffer in
                    // An empty blob is bound as an empty blob, not NULL.
                    guard let base = buffer.baseAddress, !buffer.isEmpty else { return sqlite3_bind_zeroblob(handle, position, 0) }
                    return sqlite3_bind_blob(handle, position, base, Int32(buffer.count), SQLiteCall.transient)
                }
            case .null:
                code = sqlite3_bind_null(handle, position)
            }
            guard code == SQLITE_OK else { throw error(code) }
        }
    }

    /// Runs a statement that returns no rows.
    func run() throws {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw error(code) }
    }

    /// Hands each row to `each`, then resets the statement (also when `each` throws).
    func rows(_ each: (Row) throws -> Void) throws {
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code) }
            try each(Row(handle: handle))
        }
    }

    /// The first row, if any, through `read`.
    func first<T>(_ read: (Row) throws -> T) throws -> T? {
        defer { sqlite3_reset(handle) }
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE { return nil }
        guard code == SQLITE_ROW else { throw error(code) }
        return try read(Row(handle: handle))
    }

    /// The current row of a call: its columns by position, as the SELECT lists them.
    struct Row {
        fileprivate let handle: OpaquePointer

        func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

        func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

        func text(_ column: Int32) -> String {
            guard let pointer = sqlite3_column_text(handle, column) else { return "" }
            let count = Int(sqlite3_column_bytes(handle, column))
            return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
        }

        func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }

        func bytes(_ column: Int32) -> [UInt8] {
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return [] }
            return Array(UnsafeRawBufferPointer(start: pointer, count: count))
        }
    }

    private func error(_ code: Int32) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) },
                      sql: statement.sql)
    }

    /// SQLite copies what is bound (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// One argument of a ``SQLiteCall``.
enum SQLiteArgument {
    case integer(Int64)
    case text(String)
    case bytes([UInt8])
    case null
}
