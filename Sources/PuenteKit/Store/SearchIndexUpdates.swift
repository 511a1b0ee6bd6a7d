import GRDB

/// Changes to the full-text index (`commitment_fts`) made while materializing, written together.
///
/// FTS5 holds new entries in memory and writes them out as a new index segment whenever a
/// statement opens a statement journal, because SQLite's statement savepoints reach every
/// virtual table of the connection. An entry written between a commitment's other rows, where
/// updating `commitment_summary` (which has triggers) opens one, would become a segment of its
/// own, merged again and again (measured at 7% of an import's instructions). Written together
/// with plain single-row statements, a batch of entries becomes one segment.
struct SearchIndexUpdates {
    /// Past this many changed entries the batch is written, so memory stays bounded (an entry
    /// holds a commitment's titles, summaries, area and lead).
    static let defaultBatchSize = 1_000

    private let batchSize: Int
    /// Commitment id → its new indexed text; nil removes its entry.
    private var bodies = [String: String?]()

    init(batchSize: Int = defaultBatchSize) {
        self.batchSize = max(1, batchSize)
    }

    var isFull: Bool { bodies.count >= batchSize }

    /// Sets the commitment's indexed text, or removes its entry when `body` is nil.
    mutating func set(_ id: String, body: String?) {
        bodies[id] = .some(body)
    }

    /// Writes the batch.
    mutating func apply(_ db: Database) throws {
        guard !bodies.isEmpty else { return }
        let findKey = try db.cachedStatement(sql: "SELECT key FROM commitment_search WHERE id = ?")
        let delete = try db.cachedStatement(sql: "DELETE FROM commitment_fts WHERE rowid = ?")
        let insert = try db.cachedStatement(sql: "INSERT INTO commitment_fts (rowid, body) VALUES (?, ?)")
        for (id, body) in bodies.sorted(by: { $0.key < $1.key }) {
            guard let key = try Int64.fetchOne(findKey, arguments: [id]) else {
                // A commitment that never had a summary has no entry to remove; one being indexed
                // got its key when its summary row was inserted.
                guard body == nil else {
                    throw DatabaseError(resultCode: .SQLITE_INTERNAL, message: "commitment \(id) has no search key")
                }
                continue
            }
            try delete.execute(arguments: [key])
            if let body { try insert.execute(arguments: [key, body]) }
        }
        bodies = [:]
    }
}
