import Foundation
import GRDB

/// The one owner of a replica's SQLite database: its schema, its writes and its queries.
///
/// Every write runs in one immediate transaction, so a crash leaves the store as it was
/// before the write or as it is after it, and two processes on one store take turns.
final class Store: Sendable {
    private let writer: DatabasePool
    /// Set when opening this store upgraded it from an earlier format.
    let upgrade: StoreUpgradeReport?

    /// `willUpgrade` is told the earlier format and the current one just before an upgrade.
    init(path: String, willUpgrade: (_ from: Int, _ to: Int) -> Void = { _, _ in }) throws {
        // An earlier store is upgraded before anything opens it for writing: opening a pool
        // writes to the file, and the upgrade keeps the file exactly as it was.
        var upgrade: StoreUpgradeReport?
        let current = Self.headerFormat(path) == Schema.version
        if !current, let format = try Self.probeFormat(path), format < Schema.version {
            willUpgrade(format, Schema.version)
            upgrade = try StoreUpgrade.run(path: path, from: format)
        }
        let pool = try Self.pool(path)
        // A header in the current format is what almost every open finds: no transaction then.
        // Otherwise the store is new (the schema is created) or of a later format (refused),
        // decided under the write lock so two first opens cannot both create it.
        if !current {
            try Self.settleFormat(pool, path: path)
        }
        writer = pool
        self.upgrade = upgrade
    }

    private static func settleFormat(_ pool: DatabasePool, path: String) throws {
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                switch try Self.format(db) {
                case nil: try Schema.create(db)
                case Schema.version?: break
                case let other?: throw PuenteError(.storeFormatNewer, [path, String(other), String(Schema.version)])
                }
                return .commit
            }
        }
    }

    private static func pool(_ path: String) throws -> DatabasePool {
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
        return try DatabasePool(path: path, configuration: configuration)
    }

    /// The format in the file's header (SQLite keeps `user_version` at byte 60), without opening
    /// it: what almost every open finds, at the cost of one small read.
    private static func headerFormat(_ path: String) -> Int? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 64), header.count == 64,
              header.prefix(16).elementsEqual(Array("SQLite format 3".utf8) + [0]) else { return nil }
        return header[60..<64].reduce(0) { $0 << 8 | Int($1) }
    }

    /// The format of the file at `path`, read without writing to it; nil when there is no file
    /// or it is empty.
    private static func probeFormat(_ path: String) throws -> Int? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_size > 0 else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in try format(db) }
    }

    /// The store's format: its `user_version`, 1 for a store of the earlier migrations, nil for
    /// an empty file.
    private static func format(_ db: Database) throws -> Int? {
        let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if version > 0 { return version }
        if try db.tableExists("grdb_migrations") { return StoreUpgrade.migrationsFormat }
        guard try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_schema") == 0 else {
            throw PuenteError(.storeUnreadable, [db.description, "not a Puente store"])
        }
        return nil
    }

    /// Reads in one deferred transaction (a consistent snapshot), read-only, on the writer's
    /// connection. A command reads and writes in turn, never at once, and a reader connection
    /// of its own costs its set-up and a second parse of the schema: a tenth of `puente show`.
    /// Other processes still read and write beside it (WAL).
    func read<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try writer.writeWithoutTransaction { db in
            try db.readOnly {
                var result: T?
                try db.inTransaction(.deferred) {
                    result = try body(StoreTransaction(db))
                    return .commit
                }
                guard let result else { throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "read produced no result") }
                return result
            }
        }
    }

    /// Writes in one immediate transaction: all of `body` or, when it throws, none of it.
    func write<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try writer.write { db in try body(StoreTransaction(db)) }
    }
}
