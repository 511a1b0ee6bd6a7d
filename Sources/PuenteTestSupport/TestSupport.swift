import Foundation
import PuenteKit
import Synchronization

/// A wall clock tests set by hand, and can set back.
public final class ManualWallClock: WallClock, Sendable {
    private let millis: Mutex<UInt64>

    public init(_ start: UInt64 = 1_700_000_000_000) {
        millis = Mutex(start)
    }

    public func nowMillis() -> UInt64 { millis.withLock { $0 } }

    public func set(_ value: UInt64) { millis.withLock { $0 = value } }

    public func advance(by delta: UInt64) { millis.withLock { $0 += delta } }
}

/// A temporary folder removed when the value goes away.
public final class TemporaryFolder: Sendable {
    public let path: String

    public init() throws {
        let base = FileManager.default.temporaryDirectory.path
        let template = base + "/puente-test-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    public func sub(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Several replicas in one temporary folder that trust one another.
public struct ReplicaGroup {
    public let folder: TemporaryFolder
    public let clock: ManualWallClock
    public let replicas: [Replica]

    /// Makes one replica per entry of `delegations`, each trusting all the others.
    public init(_ delegations: [Delegation], clock: ManualWallClock = ManualWallClock()) throws {
        let folder = try TemporaryFolder()
        var replicas = [Replica]()
        for (index, delegation) in delegations.enumerated() {
            replicas.append(try Replica.initialize(folder: folder.sub("r\(index)"), delegation: delegation,
                                                   name: "\(delegation.rawValue.uppercased()) desk \(index)", wallClock: clock))
        }
        for replica in replicas {
            for other in replicas where other.identity.replica != replica.identity.replica {
                let keys = try other.publicKeys()
                try replica.trustReplica(signingKey: keys.signing, agreementKey: keys.agreement,
                                         delegation: other.identity.delegation, name: other.identity.name)
            }
        }
        self.folder = folder
        self.clock = clock
        self.replicas = replicas
    }

    /// Every operation of every replica in the group, chain order per author.
    public func allOperations() throws -> [Op] {
        try replicas.flatMap { try $0.operations(of: $0.identity.replica) }
    }

    /// Delivers each replica's operations to every other.
    public func syncAll() throws {
        let ops = try allOperations()
        for replica in replicas { _ = try replica.receive(ops) }
    }
}

extension ReplicaGroup {
    /// A fresh store that trusts every replica of `group` and has written nothing.
    public static func observer(trusting group: ReplicaGroup, in folder: TemporaryFolder, name: String) throws -> Replica {
        let observer = try Replica.initialize(folder: folder.sub(name + "-\(UInt32.random(in: 0...UInt32.max))"),
                                              delegation: .us, name: "observer", wallClock: group.clock)
        for replica in group.replicas {
            let keys = try replica.publicKeys()
            try observer.trustReplica(signingKey: keys.signing, agreementKey: keys.agreement,
                                      delegation: replica.identity.delegation, name: replica.identity.name)
        }
        return observer
    }
}
