import Foundation
import PuenteCrypto

/// What an export wrote.
public struct ExportReport: Sendable, Equatable {
    public let path: String
    public let operations: Int
    /// Per author, the first and last seq carried.
    public let segments: [ReplicaID: ClosedRange<Int64>]
    public let bytes: Int
}

/// What an import did, per author and in total.
public struct BundleImportReport: Sendable, Equatable {
    public let exporter: ReplicaID
    public let exporterName: String
    public let receive: ReceiveReport
    /// Segments refused while the others applied, with the reason.
    public let refusedSegments: [ReplicaID: SegmentRefusal]
    /// Fork proofs new to this store (found in this bundle or made from it).
    public let forkProofsAdded: Int
    /// Certificates, revocations, rotations and fork proofs this bundle brought, what they
    /// changed, and the ones refused.
    public let trust: TrustEffect

    /// Whether anything in the bundle was refused (exit 65).
    public var partlyRefused: Bool { !refusedSegments.isEmpty || trust.refusals.contains(where: \.isRefusal) }
}

/// Where a peer stands: what we have from it, what it is known to have from us, what is held.
public struct PeerStatus: Sendable, Equatable {
    public let replica: ReplicaID
    public let name: String
    public let delegation: Delegation
    public let haveFromIt: Int64
    public let itHasFromUs: Int64?
    public let held: Int
}

extension Replica {
    /// The largest bundle read (the design's default cap on `ops.jsonl`).
    public static let maximumBundleSize = 2 * 1024 * 1024 * 1024

    /// Writes a signed bundle (``BundleExporter``): incremental by default, against the
    /// pointwise minimum of what the replicas of `delegation` (or of every peer) are known to
    /// have; everything with `full`.
    public func exportBundle(to path: String, for delegation: Delegation? = nil, full: Bool = false,
                             watch: WorkWatch = .none) throws -> ExportReport {
        try exportBundle(to: path, for: delegation, full: full, pipeCapacity: BundleExporter.pipeCapacity, watch: watch)
    }

    /// ``exportBundle(to:for:full:watch:)`` with the pipe between its threads `pipeCapacity` bytes long.
    func exportBundle(to path: String, for delegation: Delegation? = nil, full: Bool = false, pipeCapacity: Int,
                      watch: WorkWatch = .none) throws -> ExportReport {
        var exporter = BundleExporter(store: store, identity: identity, signingKey: signingKey, wallClock: wallClock,
                                      card: try identityCard())
        exporter.pipeCapacity = pipeCapacity
        exporter.watch = watch
        return try exporter.export(to: path, for: delegation, full: full)
    }

    static func isoTimestamp(millis: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    /// The largest bundle file read: `ops.jsonl` at its cap, plus room for the manifest and signature.
    static let maximumBundleFileSize = maximumBundleSize + 2 * BundleManifest.maximumSize

    /// Imports the bundle file at `path`, read piece by piece: memory stays bounded whatever the
    /// bundle's size. Throws ``BundleError`` `unreadable` or `too-large` for the file itself;
    /// otherwise as ``importBundle(bytes:)``.
    public func importBundle(path: String, watch: WorkWatch = .none) throws -> BundleImportReport {
        try importBundle(source: openBundle(path: path, limit: Self.maximumBundleFileSize), watch: watch)
    }

    /// Verifies a bundle, then applies every good segment in one transaction.
    ///
    /// Throws ``BundleError`` — and changes nothing — for a bad container, manifest or
    /// signature, an untrusted exporter, a wrong `ops.jsonl` hash, size or count, or a line
    /// outside the listed segments. A segment with a bad attestation, an unknown author or a
    /// broken chain is refused and reported while the others apply.
    public func importBundle(bytes: [UInt8]) throws -> BundleImportReport {
        guard bytes.count <= Self.maximumBundleFileSize else { throw BundleError(.tooLarge) }
        return try importBundle(source: MemoryBundleBytes(bytes))
    }

    /// Imports through ``BundleImporter``. Tests lower `knownCap` (``Store/Intake/knownCap``)
    /// to make materialization read operations back from the log.
    func importBundle(source: any BundleBytes, knownCap: Int = Store.Intake.knownCap, watch: WorkWatch = .none) throws -> BundleImportReport {
        try BundleImporter(store: store, wallClock: wallClock, knownCap: knownCap, watch: watch).run(source)
    }

    /// Per peer replica: what we have from it, what it is known to have from us, and what is held.
    public func syncStatus() throws -> [PeerStatus] {
        try store.read { tx in
            let known = try tx.replicas()
            return try tx.peers(of: identity.replica).map { peer in
                let id = peer.key.id
                return PeerStatus(replica: id, name: known[id]?.name ?? peer.key.name, delegation: known[id]?.delegation ?? peer.key.delegation,
                                  haveFromIt: peer.head, itHasFromUs: peer.hasOurs, held: peer.held)
            }
        }
    }
}
