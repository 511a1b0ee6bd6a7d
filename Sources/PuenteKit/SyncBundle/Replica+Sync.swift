import Foundation
import PuenteCrypto

/// What an export wrote.
public struct ExportReport: Sendable, Equatable {
    public let path: String
    public let operations: Int
    /// Per author, the first and last seq carried.
    public let segments: [ReplicaID: ClosedRange<Int64>]
    public let bytes: Int
    /// The desks an encrypted bundle is for (none for a plain one).
    public var recipients: [BundleRecipient] = []
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
    ///
    /// `encrypted` seals it in an age envelope (``bundleRecipients(for:)``): to every trusted desk
    /// of `delegation` (or of both) whose agreement key this store holds, and to this desk.
    public func exportBundle(to path: String, for delegation: Delegation? = nil, full: Bool = false, encrypted: Bool = false,
                             watch: WorkWatch = .none) throws -> ExportReport {
        try exportBundle(to: path, for: delegation, full: full, encrypted: encrypted, pipeCapacity: BundleExporter.pipeCapacity,
                         watch: watch)
    }

    /// ``exportBundle(to:for:full:encrypted:watch:)`` with the pipe between its threads `pipeCapacity` bytes long.
    func exportBundle(to path: String, for delegation: Delegation? = nil, full: Bool = false, encrypted: Bool = false,
                      pipeCapacity: Int, watch: WorkWatch = .none) throws -> ExportReport {
        var exporter = BundleExporter(store: store, identity: identity, signingKey: signingKey, wallClock: wallClock,
                                      card: try identityCard())
        exporter.pipeCapacity = pipeCapacity
        exporter.watch = watch
        var recipients = [BundleRecipient]()
        if encrypted {
            recipients = try bundleRecipients(for: delegation)
            // A bundle for a delegation that none of its desks could open would reach no one; one
            // for every desk, when this store trusts no other desk, no one but its writer.
            if let wanted = delegation, !recipients.contains(where: { $0.delegation == wanted }) {
                throw PuenteError(.noRecipient, [wanted.rawValue])
            }
            if delegation == nil, !recipients.contains(where: { $0.replica != identity.replica }) {
                throw PuenteError(.noRecipient, [])
            }
            // Never an envelope this store's own reader would refuse (its stanza cap).
            guard recipients.count <= BundleManifest.maximumRecipients else {
                throw PuenteError(.exportLimit, ["\(recipients.count) recipient desks", "\(BundleManifest.maximumRecipients)"])
            }
            let counts = Dictionary(grouping: recipients, by: \.delegation).map { "\($0.key.rawValue)=\($0.value.count)" }.sorted()
            exporter.envelope = (try Age.Sealer(recipients: recipients.map(\.agreementKey), counts: counts), recipients.map(\.replica))
        }
        var report = try exporter.export(to: path, for: delegation, full: full)
        report.recipients = recipients
        return report
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
    ///
    /// An encrypted bundle is opened with this desk's agreement key, which `agreementKey` loads
    /// (asked only for an encrypted bundle): ``BundleError`` `not-for-this-desk` when no stanza of
    /// its envelope is for this desk, `envelope`, `envelope-mac` or `envelope-payload` when the
    /// envelope is malformed or altered, `envelope-recipients` when it is not the one the exporter
    /// signed. Decrypted bytes are read from the envelope chunk by chunk, never written to a file.
    public func importBundle(path: String, agreementKey: (() throws -> PrivateKey)? = nil,
                             watch: WorkWatch = .none) throws -> BundleImportReport {
        try importBundle(try openForReading(path: path, agreementKey: agreementKey), watch: watch)
    }

    /// A bundle file opened for reading: its ZIP (decrypted as it is read, for an encrypted
    /// one) and, for an encrypted one, the digest of its envelope's stanzas.
    func openForReading(path: String, agreementKey: (() throws -> PrivateKey)?) throws -> (zip: any BundleBytes, stanzas: String?) {
        let source = try openBundle(path: path, limit: Self.maximumBundleFileSize)
        guard let opened = try openEnvelope(source, agreementKey: agreementKey) else { return (source, nil) }
        return (opened.payload, opened.stanzas)
    }

    /// Imports what ``openForReading(path:agreementKey:)`` opened.
    func importBundle(_ opened: (zip: any BundleBytes, stanzas: String?), watch: WorkWatch) throws -> BundleImportReport {
        var importer = BundleImporter(store: store, wallClock: wallClock, knownCap: Store.Intake.knownCap, watch: watch)
        importer.envelope = opened.stanzas.map { ($0, identity.replica) }
        return try importer.run(opened.zip)
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
