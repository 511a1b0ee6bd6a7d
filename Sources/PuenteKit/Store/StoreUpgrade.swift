import Foundation
import GRDB
import PuenteCrypto

/// What an upgrade of an earlier store format did: shown once, by the command that opened it.
public struct StoreUpgradeReport: Sendable, Equatable {
    /// The format the store was in.
    public let fromFormat: Int
    /// Operations replayed into the new format (every one the store held, each checked).
    public let operations: Int
    /// Trust documents the current rules refuse, left behind in the kept file.
    public let documentsLeft: Int
    /// Where the store as it was is kept, untouched.
    public let keptAt: String
}

/// Brings a store written in an earlier format to the current one by replaying what it holds
/// into a new file: its keys and the trust a person gave by hand, its trust documents (each
/// verified again and admitted as a bundle's are), each author's operations in chain order
/// (their canonical bytes are authoritative: each must hash to its stored hash and link to
/// the one before), and its local facts (arrivals, imports, held operations, signed heads,
/// what peers have, dropped runs). The state is then derived again, as `rebuild` derives it.
///
/// The file as it was is kept beside the new one (`store.sqlite.v1` for format 1, and so on);
/// nothing is altered in place. A crash while the new file is written leaves the old store as it was (the partial
/// file is removed by the next attempt); the new file replaces the old one by one rename.
enum StoreUpgrade {
    /// The first format: the store of the migrations that came before (GRDB's `grdb_migrations`).
    static let migrationsFormat = 1

    /// Replays the store at `path`, in the earlier format `format`, into the current format and
    /// puts the result in its place. Every earlier format keeps the tables and columns the
    /// replay reads (the log, the keys, the trust documents and the local facts); only the
    /// derived state differs, and it is derived again.
    static func run(path: String, from format: Int) throws -> StoreUpgradeReport {
        let building = path + ".upgrading"
        let kept = path + ".v\(format)"
        for suffix in ["", "-journal", "-wal", "-shm"] { unlink(building + suffix) }
        var oldConfiguration = Configuration()
        oldConfiguration.busyMode = .timeout(30)
        let old = try DatabaseQueue(path: path, configuration: oldConfiguration)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -65536") }
        var counts = (operations: 0, documentsLeft: 0)
        do {
            // Created 0600 before SQLite opens it, as a new store is (Replica.initialize).
            let descriptor = open(building, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard descriptor >= 0 else { throw fail(building + ": " + String(cString: strerror(errno))) }
            close(descriptor)
            let new = try DatabaseQueue(path: building, configuration: configuration)
            try old.inDatabase { oldDB in
                // Everything in the main file, and no other process writes while it is read.
                try oldDB.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                try oldDB.execute(sql: "BEGIN IMMEDIATE")
                defer { try? oldDB.execute(sql: "ROLLBACK") }
                counts = try new.write { db in
                    try Schema.create(db)
                    return try replay(from: oldDB, into: db)
                }
            }
            try new.close()
            try old.close()
            try synchronize(building)
            // A write that reached the old store after it was read would be in its WAL: start again then.
            var status = stat()
            if stat(path + "-wal", &status) == 0, status.st_size > 0 {
                throw fail("the store was written to while it was upgraded; run the command again")
            }
            for suffix in ["-wal", "-shm"] { unlink(path + suffix) }
            unlink(kept)
            guard link(path, kept) == 0 else {
                throw fail("cannot keep the old file as \(kept): " + String(cString: strerror(errno)))
            }
            guard rename(building, path) == 0 else {
                throw fail("cannot put the new file in place: " + String(cString: strerror(errno)))
            }
        } catch {
            try? old.close()
            for suffix in ["", "-journal", "-wal", "-shm"] { unlink(building + suffix) }
            if let error = error as? PuenteError, error.code == .storeUpgrade, let detail = error.arguments.first {
                throw PuenteError(.storeUpgrade, [path, detail])
            }
            throw PuenteError(.storeUpgrade, [path, "\(error)"])
        }
        // The rename reaches the disk with the folder; the upgrade is done either way (the new
        // file is complete and synced), so a folder that cannot be synced does not undo it.
        try? synchronize((path as NSString).deletingLastPathComponent)
        return StoreUpgradeReport(fromFormat: format, operations: counts.operations,
                                  documentsLeft: counts.documentsLeft, keptAt: kept)
    }

    /// Writes the file or folder at `path` to disk.
    private static func synchronize(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw fail(path + ": " + String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw fail(path + ": " + String(cString: strerror(errno))) }
    }

    /// An upgrade failure; ``run(path:)`` adds the store's path.
    private static func fail(_ what: String) -> PuenteError { PuenteError(.storeUpgrade, [what]) }

    /// Replays everything `old` (an earlier format) holds into `db` (the current format, empty).
    static func replay(from old: Database, into db: Database) throws -> (operations: Int, documentsLeft: Int) {
        for table in ["replica", "local_replica", "operation", "held_operation", "attestation", "peer_have",
                      "certificate", "revocation", "rotation", "fork_proof", "import_event"]
        where try !old.tableExists(table) {
            throw fail("an earlier store without its \(table) table")
        }
        // Keys, and the trust a person gave by hand; every chain starts empty.
        var signingKeys = [ReplicaID: PublicKey]()
        for row in try Row.fetchAll(old, sql: """
            SELECT id, delegation, role, name, office, signing_key, agreement_key, trusted, card FROM replica
            """) {
            try db.execute(sql: """
                INSERT INTO replica (id, delegation, role, name, office, signing_key, agreement_key, trusted, head_seq, head_hash, card)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
                """, arguments: [row["id"], row["delegation"], row["role"], row["name"], row["office"], row["signing_key"],
                                 row["agreement_key"], row["trusted"], Op.genesisPrev, row["card"]])
            if let id = ReplicaID(hex: row["id"]), let raw = row["signing_key"] as Data?,
               let key = try? PublicKey(raw: Array(raw), kind: .ed25519) {
                signingKeys[id] = key
            }
        }
        guard let local = try Row.fetchOne(old, sql: "SELECT replica, clock, created_at, halted FROM local_replica") else {
            throw fail("an earlier store without its own replica")
        }
        try db.execute(sql: "INSERT INTO local_replica (singleton, replica, clock, created_at, halted) VALUES (1, ?, ?, ?, ?)",
                       arguments: [local["replica"], local["clock"], local["created_at"], local["halted"]])

        // Trust documents, verified again as they are read and admitted as a bundle's are.
        var left = 0
        func documents<T>(_ table: String, _ parse: ([UInt8]) throws -> T) throws -> [T] {
            try Data.fetchAll(old, sql: "SELECT bytes FROM \(table) ORDER BY digest").compactMap { bytes in
                guard let document = try? parse(Array(bytes)) else {
                    left += 1
                    return nil
                }
                return document
            }
        }
        let effect = try Store.applyTrust(
            db, certificates: try documents("certificate", Certificate.init(bytes:)),
            revocations: try documents("revocation", Revocation.init(bytes:)),
            rotations: try documents("rotation", Rotation.init(bytes:)),
            proofs: try documents("fork_proof") { try ForkProof(bytes: $0) { signingKeys[$0] } })
        left += effect.refusals.count

        // Each author's operations in chain order, each checked against its stored hash and link.
        var operations = 0
        var head: (author: String, seq: Int64, hash: String, hlc: HLCTimestamp)?
        func storeHead() throws {
            guard let head else { return }
            try db.execute(sql: "UPDATE replica SET head_seq = ?, head_hash = ?, head_hlc = ? WHERE id = ?",
                           arguments: [head.seq, head.hash, head.hlc.text, head.author])
        }
        // Before format 5 an operation was kept as its canonical text; since, as the members
        // it cannot derive (``OperationRow``), rebuilt here and checked against its hash.
        let compact = try !old.columns(in: "operation").contains { $0.name == "bytes" }
        let oldKeys = compact ? try OperationKeys(old) : nil
        let keys = try OperationKeys(db)
        let rows = try Row.fetchCursor(old, sql: compact ? """
            SELECT r.id AS replica, \(OperationRow.chainColumns) FROM \(OperationRow.from) JOIN replica r ON r.key = o.author
            ORDER BY r.id, o.seq
            """ : "SELECT replica, seq, hash, bytes, arrived FROM operation ORDER BY replica, seq")
        while let row = try rows.next() {
            let author: String = row["replica"]
            let seq: Int64 = row["seq"]
            if head?.author != author {
                try storeHead()
                head = (author, 0, Op.genesisPrev, .zero)
            }
            let op: Op?
            if let oldKeys {
                op = try? OperationRow.op(row, keys: oldKeys, prev: head?.hash)
            } else {
                op = (try? Op(canonicalBytes: Array(row["bytes"] as Data))).flatMap { $0.hash == (row["hash"] as String) ? $0 : nil }
            }
            guard let current = head, let op, op.replica.hex == author, op.seq == seq, seq == current.seq + 1 else {
                throw fail("operation \(author.prefix(12)):\(seq) does not match its stored hash or chain")
            }
            try Store.appendVerified(db, op: op, hash: op.hash, headHash: current.hash, headHLC: current.hlc,
                                     arrived: row["arrived"], keys: keys)
            head = (author, seq, op.hash, op.hlc)
            operations += 1
        }
        try storeHead()
        for row in try Row.fetchAll(old, sql: "SELECT replica, seq, bytes FROM held_operation") {
            let bytes = Array(row["bytes"] as Data)
            guard let op = try? Op(canonicalBytes: bytes), op.replica.hex == (row["replica"] as String),
                  op.seq == (row["seq"] as Int64) else { throw fail("a held operation does not match its place") }
            try db.execute(sql: "INSERT INTO held_operation (replica, seq, bytes) VALUES (?, ?, ?)",
                           arguments: [op.replica.hex, op.seq, Data(bytes)])
        }

        // Local facts, as they were.
        for row in try Row.fetchAll(old, sql: "SELECT replica, seq, hash, signature FROM attestation") {
            try db.execute(sql: "INSERT INTO attestation (replica, seq, hash, signature) VALUES (?, ?, ?, ?)",
                           arguments: [row["replica"], row["seq"], row["hash"], row["signature"]])
        }
        for row in try Row.fetchAll(old, sql: "SELECT peer, replica, seq, hash FROM peer_have") {
            try db.execute(sql: "INSERT INTO peer_have (peer, replica, seq, hash) VALUES (?, ?, ?, ?)",
                           arguments: [row["peer"], row["replica"], row["seq"], row["hash"]])
        }
        for row in try Row.fetchAll(old, sql: "SELECT id, at, kind, operations FROM import_event") {
            try db.execute(sql: "INSERT INTO import_event (id, at, kind, operations) VALUES (?, ?, ?, ?)",
                           arguments: [row["id"], row["at"], row["kind"], row["operations"]])
        }
        if try old.tableExists("dropped_operations") {
            for row in try Row.fetchAll(old, sql: "SELECT replica, from_seq, to_seq, count, dropped_at, reason FROM dropped_operations") {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO dropped_operations (replica, from_seq, to_seq, count, dropped_at, reason) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [row["replica"], row["from_seq"], row["to_seq"], row["count"], row["dropped_at"], row["reason"]])
            }
        }

        // The state, derived again from the log.
        let entities = try String.fetchSet(db, sql: "SELECT DISTINCT entity FROM operation_text")
        try Store.rematerialize(db, entities: entities, trust: try TrustMap.load(db))
        return (operations, left)
    }
}
