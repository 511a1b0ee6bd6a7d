import Foundation
import PuenteCrypto

#if canImport(Glibc)
import Glibc
#endif

/// Who this store is: its replica id, delegation and display name.
public struct LocalIdentity: Sendable, Equatable {
    public let replica: ReplicaID
    public let delegation: Delegation
    public let name: String
    public let office: String
}

/// The façade every front end uses: one replica's store, keys and clock.
///
/// It turns user intentions into operations on the local chain, receives other replicas'
/// operations, and answers queries from the materialized state.
public final class Replica: Sendable {
    public static let databaseFile = "store.sqlite"
    /// How an invalid name or office is described (``LocalText/isName(_:allowEmpty:)``).
    static let nameRule = "name"
    public static let signingKeyFile = "signing-key.pem"
    public static let agreementKeyFile = "agreement-key.pem"

    public let folder: String
    public let identity: LocalIdentity
    let store: Store

    /// Set when opening this store upgraded it from an earlier format (once: the next open finds
    /// it current).
    public var storeUpgrade: StoreUpgradeReport? { store.upgrade }
    let wallClock: any WallClock
    let signingKey: PrivateKey

    private init(folder: String, identity: LocalIdentity, store: Store, wallClock: any WallClock, signingKey: PrivateKey) {
        self.folder = folder
        self.identity = identity
        self.store = store
        self.wallClock = wallClock
        self.signingKey = signingKey
    }

    /// Creates a new store in `folder` (made with mode 0700) with fresh Ed25519 and X25519 keys;
    /// with `passphrase`, the key files are encrypted PKCS#8 (PBES2, scrypt, AES-256-CBC).
    public static func initialize(folder: String, delegation: Delegation, name: String, office: String = "",
                                  wallClock: any WallClock = SystemWallClock(), passphrase: SecretBuffer? = nil) throws -> Replica {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard LocalText.isName(name) else { throw PuenteError(.invalidValue, ["name", Self.nameRule]) }
        guard LocalText.isName(office, allowEmpty: true) else { throw PuenteError(.invalidValue, ["office", Self.nameRule]) }
        if mkdir(folder, 0o700) != 0 {
            guard errno == EEXIST else { throw PuenteError(.storeUnreadable, [folder, String(cString: strerror(errno))]) }
            if FileManager.default.fileExists(atPath: path(folder, databaseFile))
                || FileManager.default.fileExists(atPath: path(folder, signingKeyFile)) {
                throw PuenteError(.storeExists, [folder])
            }
            chmod(folder, 0o700)
        }
        let signing = try PrivateKey.generate(.ed25519)
        let agreement = try PrivateKey.generate(.x25519)
        let signingPublic = try signing.rawPublicKey()
        let agreementPublic = try agreement.rawPublicKey()
        try KeyFile.create(path: path(folder, signingKeyFile), bytes: passphrase.map { try signing.encryptedPEM(passphrase: $0) } ?? signing.pem())
        try KeyFile.create(path: path(folder, agreementKeyFile),
                           bytes: passphrase.map { try agreement.encryptedPEM(passphrase: $0) } ?? agreement.pem())
        guard let replica = ReplicaID(hex: Digest.sha256hex(signingPublic)) else { throw PuenteError(.storeUnreadable, ["key"]) }

        // The database is created 0600 before SQLite opens it (SQLite would create it 0644, and
        // its journal files take the database's mode).
        let descriptor = Glibc.open(path(folder, databaseFile), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw PuenteError(.storeUnreadable, [folder, String(cString: strerror(errno))]) }
        close(descriptor)
        let store = try Store(path: path(folder, databaseFile))
        let now = wallClock.nowMillis()
        try store.write { tx in
            try tx.createLocal(StoredKey(id: replica, delegation: delegation, role: .replica, name: name, office: office,
                                         signingKey: signingPublic, agreementKey: agreementPublic),
                               created: Self.isoDate(millis: now))
        }
        let identity = LocalIdentity(replica: replica, delegation: delegation, name: name, office: office)
        return Replica(folder: folder, identity: identity, store: store, wallClock: wallClock, signingKey: signing)
    }

    /// Opens the store in `folder`, refusing key files that others can read. An encrypted key
    /// asks `passphrase` for its passphrase (only then). `willUpgrade` is told the store's
    /// earlier format and the current one just before an upgrade replays it (minutes for a
    /// large store).
    public static func open(folder: String, wallClock: any WallClock = SystemWallClock(),
                            passphrase: (() throws -> SecretBuffer)? = nil,
                            willUpgrade: (_ from: Int, _ to: Int) -> Void = { _, _ in }) throws -> Replica {
        let databasePath = path(folder, databaseFile)
        var status = stat()
        guard stat(databasePath, &status) == 0 else {
            // Only a store that is not there is missing; one that cannot be reached says why.
            if errno == ENOENT { throw PuenteError(.storeMissing, [folder]) }
            throw PuenteError(.storeUnreadable, [folder, String(cString: strerror(errno))])
        }
        try tightenModes(folder: folder)
        let keyPath = path(folder, signingKeyFile)
        let signing: PrivateKey
        do {
            signing = try loadKey(path: keyPath, kind: .ed25519, passphrase: passphrase)
        } catch let failure as KeyFile.Failure {
            if case .tooOpen = failure { throw PuenteError(.keyFileTooOpen, [keyPath]) }
            throw PuenteError(.keyFileUnreadable, [keyPath, "\(failure)"])
        } catch let error as CryptoError {
            throw PuenteError(.keyFileUnreadable, [keyPath, "\(error)"])
        }
        let store = try Store(path: databasePath, willUpgrade: willUpgrade)
        guard let identity = try store.localIdentity() else { throw PuenteError(.storeUnreadable, [databasePath]) }
        let staged = path(folder, signingKeyFile + ".new")
        if Digest.sha256hex(try signing.rawPublicKey()) != identity.replica.hex, FileManager.default.fileExists(atPath: staged),
           let stagedKey = try? loadKey(path: staged, kind: .ed25519, passphrase: passphrase),
           Digest.sha256hex(try stagedKey.rawPublicKey()) == identity.replica.hex {
            // A re-key stopped between recording the new key and moving its files: finish it.
            try finishRekey(folder: folder, retiring: ReplicaID(signingKey: try signing.rawPublicKey()))
            return try open(folder: folder, wallClock: wallClock, passphrase: passphrase, willUpgrade: willUpgrade)
        }
        guard Digest.sha256hex(try signing.rawPublicKey()) == identity.replica.hex else {
            throw PuenteError(.keyFileUnreadable, [keyPath, "key does not belong to this store"])
        }
        return Replica(folder: folder, identity: identity, store: store, wallClock: wallClock, signingKey: signing)
    }

    /// A store's files are its owner's alone: the folder is made 0700 and the database files
    /// 0600 again if they were opened up (they hold the record, not secrets that leaked), and an
    /// agreement key that others can read is refused, like the signing key.
    static func tightenModes(folder: String) throws {
        var status = stat()
        if stat(folder, &status) == 0, status.st_mode & 0o077 != 0 { chmod(folder, 0o700) }
        for file in [databaseFile, databaseFile + "-wal", databaseFile + "-shm"] {
            let target = path(folder, file)
            if lstat(target, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, status.st_mode & 0o077 != 0 {
                chmod(target, 0o600)
            }
        }
        let agreement = path(folder, agreementKeyFile)
        if lstat(agreement, &status) == 0, status.st_mode & 0o077 != 0 { throw PuenteError(.keyFileTooOpen, [agreement]) }
    }

    /// Whether the key file at `path` is passphrase-protected.
    static func isEncrypted(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes.prefix(64), as: UTF8.self).hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    }

    /// Reads a key file, plain or encrypted.
    static func loadKey(path: String, kind: KeyKind, passphrase: (() throws -> SecretBuffer)?) throws -> PrivateKey {
        let bytes = try KeyFile.read(path: path)
        guard isEncrypted(bytes) else { return try PrivateKey(pem: bytes, expecting: kind) }
        guard let passphrase else { throw PuenteError(.passphraseNeeded, [path]) }
        do {
            return try PrivateKey(encryptedPEM: bytes, passphrase: try passphrase(), expecting: kind)
        } catch let error as CryptoError {
            throw PuenteError(.wrongPassphrase, [path, "\(error.code)"])
        }
    }

    static func path(_ folder: String, _ file: String) -> String {
        folder.hasSuffix("/") ? folder + file : folder + "/" + file
    }

    static func isoDate(millis: UInt64) -> String {
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1)
    }

    /// Today's date (UTC) by the wall clock, as `YYYY-MM-DD`.
    public var today: String { Self.isoDate(millis: wallClock.nowMillis()) }

    /// Runs `body` with an appender in one transaction; the policy refuses the whole batch or none of it.
    @discardableResult
    func commit<T>(enforcePolicy: Bool = true, watch: WorkWatch = .none, _ body: (OpAppender) throws -> T) throws -> T {
        let wall = wallClock.nowMillis()
        return try store.write { tx in
            let appender = try OpAppender(tx, wall: wall)
            let result = try body(appender)
            try appender.finish(enforcePolicy: enforcePolicy, watch: watch)
            return result
        }
    }

    /// The fork proofs this store holds, as their canonical bytes (what bundles carry).
    package func forkProofDocuments() throws -> [[UInt8]] {
        try store.read { tx in try tx.forkProofs() }
    }

    /// Writes a batch without the local refusals (policy, forbidden characters), as a modified
    /// or hostile client would; every store still judges the operations by the policy.
    @discardableResult
    package func batchUnchecked<T>(_ body: (WriteBatch) throws -> T) throws -> T {
        try commit(enforcePolicy: false) { try body(WriteBatch(appender: $0, delegation: identity.delegation)) }
    }

    /// Appends one operation to the local chain without the local policy refusal, as a
    /// modified or hostile client would; the merge engine still rejects it on every store.
    @discardableResult
    package func appendUnchecked(entity: String, kind: OpKind, field: String, value: JSONValue,
                                refs: [OpRef] = []) throws -> Op {
        try commit(enforcePolicy: false) {
            try $0.append(entity: entity, kind: kind, field: field, value: value, refs: refs, deriveEntity: false)
        }
    }
}
