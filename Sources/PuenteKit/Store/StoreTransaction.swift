import GRDB

/// One transaction on the store, to read (a consistent snapshot) or to write: what
/// ``Store/read(_:)`` and ``Store/write(_:)`` hand to the rest of the library.
///
/// The database itself is reached only from `Store/`, the one folder that imports GRDB (the
/// package builds with `MemberImportVisibility`, so a file that does not import GRDB cannot run
/// SQL on it); everything else calls the named methods of `Store/`'s extensions of this type.
/// The trust state and the replicas it names are read once per transaction, and read again
/// only after the transaction changes trust (``trustChanged()``).
final class StoreTransaction {
    let db: Database
    private var trustState: TrustMap?
    private var knownReplicas: [ReplicaID: ReplicaInfo]?
    private var operationKeys: OperationKeys?

    init(_ db: Database) {
        self.db = db
    }

    /// The trust state this transaction sees.
    var trust: TrustMap {
        get throws {
            if let trustState { return trustState }
            let loaded = try TrustMap.load(db)
            trustState = loaded
            return loaded
        }
    }

    /// The integer keys the log uses, read once per transaction (``OperationKeys``): a `show`
    /// reads every operation of an entity and of its children, and each reference's target.
    var logKeys: OperationKeys {
        get throws {
            if let operationKeys { return operationKeys }
            let loaded = try OperationKeys(db)
            operationKeys = loaded
            return loaded
        }
    }

    /// Every replica the store knows, named and placed as the trust state says (``Store/replicas(_:trust:)``).
    func replicas() throws -> [ReplicaID: ReplicaInfo] {
        if let knownReplicas { return knownReplicas }
        let loaded = try Store.replicas(db, trust: try trust)
        knownReplicas = loaded
        return loaded
    }

    /// Forgets what was read of the trust state: the transaction changed it.
    func trustChanged() {
        trustState = nil
        knownReplicas = nil
    }
}
