import Foundation
import GRDB

/// The one owner of a replica's SQLite database: migrations, writes and queries.
///
/// Every write runs in one immediate transaction, so a crash leaves the store as it was
/// before the write or as it is after it, and two processes on one store take turns.
final class Store: Sendable {
    private let writer: DatabasePool

    init(path: String) throws {
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(30)
        configuration.label = "puente"
        // A 64 MiB page cache per connection (SQLite's default is 2 MiB): an import touches the
        // operation table, its entity index and every materialized row of what it changes.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        writer = try DatabasePool(path: path, configuration: configuration)
        try Schema.migrator.migrate(writer)
    }

    /// Reads in one deferred transaction (a consistent snapshot), read-only, on the writer's
    /// connection. A command reads and writes in turn, never at once, and a reader connection
    /// of its own costs its set-up and a second parse of the schema: a tenth of `puente show`.
    /// Other processes still read and write beside it (WAL).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.writeWithoutTransaction { db in
            try db.readOnly {
                var result: T?
                try db.inTransaction(.deferred) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "read produced no result") }
                return result
            }
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try writer.write(body)
    }
}
