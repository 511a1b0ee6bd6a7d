import Foundation
import PuenteCrypto

/// Where a desk whose bundle was read stands against this store, once it was read.
public struct PeerStanding: Sendable, Equatable {
    public let replica: ReplicaID
    public let name: String
    public let delegation: Delegation
    /// Operations this store holds that the desk did not have when it wrote its latest bundle.
    public let theyLack: Int64
    /// Operations the desk had then that this store does not hold (refused or held back here).
    public let weLack: Int64
    /// Both hold the same operations: their digests agree when they trust alike.
    public var converged: Bool { theyLack == 0 && weLack == 0 }
}

/// What `sync exchange` did with a folder.
public struct ExchangeReport: Sendable {
    public enum Outcome: Sendable {
        case imported(BundleImportReport)
        /// This store already holds everything the bundle carries (this desk's own bundles too).
        case held
        /// An encrypted bundle for other desks (another delegation's, say): not read, not an error.
        /// The detail is what its envelope says of its recipients (`mx=3`).
        case notForThisDesk(String)
        case refused(BundleError)
    }

    public struct Read: Sendable {
        public let file: String
        public let outcome: Outcome
    }

    public struct Written: Sendable {
        public let delegation: Delegation
        public let report: ExportReport
    }

    /// Every bundle file of the folder, by name.
    public var read: [Read] = []
    /// A bundle for each delegation with a trusted desk besides this one.
    public var written: [Written] = []
    /// The desks whose bundles were read (imported or already held), by delegation and name.
    public var peers: [PeerStanding] = []

    /// Whether a bundle, or part of one, was refused (exit 65).
    public var refusedAny: Bool {
        read.contains { read in
            switch read.outcome {
            case .refused: return true
            case .imported(let report): return report.partlyRefused
            case .held, .notForThisDesk: return false
            }
        }
    }
}

extension Replica {
    /// The extension of the bundle files `sync exchange` reads and writes.
    public static let bundleExtension = "puente"

    /// The stable name of the bundle this desk writes for `delegation` in an exchange folder.
    public func exchangeFileName(for delegation: Delegation) -> String {
        "\(identity.delegation.rawValue)-\(identity.replica.short)-for-\(delegation.rawValue).\(Self.bundleExtension)"
    }

    /// The USB-stick routine in one step: imports every bundle in `folder` this store does not
    /// already hold (each segment's head and each trust document), then writes into it, for each delegation with a
    /// trusted desk besides this one, a bundle of what that delegation's desks lack, under a
    /// stable name (``exchangeFileName(for:)``) that replaces the previous one, and says where
    /// each desk whose bundle was read stands against this store. A bundle refused is reported
    /// and the others are still read; what a refused bundle would have brought is not exported.
    ///
    /// With `encrypted`, each bundle written is sealed to its delegation's desks (and this one);
    /// `agreementKey` opens the encrypted bundles read, and one for other desks is noted, not refused.
    public func exchange(folder: String, full: Bool = false, encrypted: Bool = false,
                         agreementKey: (() throws -> PrivateKey)? = nil, watch: WorkWatch = .none) throws -> ExchangeReport {
        var report = ExchangeReport()
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasSuffix("." + Self.bundleExtension) && !$0.hasPrefix(".") }.sorted()
        var exporters = [ReplicaID]()
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            do {
                // Opened once (an encrypted one authenticated once), then read for its manifest and imported.
                let opened = try openForReading(path: path, agreementKey: agreementKey)
                let signed = try signedManifest(opened.zip)
                let manifest = signed.manifest
                if manifest.exporter != identity.replica, !exporters.contains(manifest.exporter) { exporters.append(manifest.exporter) }
                if try store.read({ tx in try tx.holds(manifest) }) {
                    // Nothing to import, but it still says what its desk had when it wrote it.
                    try recordHave(signed)
                    report.read.append(.init(file: path, outcome: .held))
                    continue
                }
                report.read.append(.init(file: path, outcome: .imported(try importBundle(opened, watch: watch))))
            } catch let error as BundleError where error.code == .notForThisDesk {
                report.read.append(.init(file: path, outcome: .notForThisDesk(error.detail)))
            } catch let error as BundleError {
                report.read.append(.init(file: path, outcome: .refused(error)))
            }
        }
        let others = try store.read { tx in Set(try tx.trust.delegations.filter { $0.key != identity.replica }.values) }
        for delegation in Delegation.allCases where others.contains(delegation) {
            let path = (folder as NSString).appendingPathComponent(exchangeFileName(for: delegation))
            report.written.append(.init(delegation: delegation, report: try exportBundle(to: path, for: delegation, full: full,
                                                                                           encrypted: encrypted, watch: watch)))
        }
        report.peers = try store.read { tx in
            let known = try tx.replicas()
            return try exporters.compactMap { peer -> PeerStanding? in
                guard let key = known[peer] else { return nil }
                let standing = try tx.standing(of: peer)
                return PeerStanding(replica: peer, name: key.name, delegation: key.delegation,
                                    theyLack: standing.theyLack, weLack: standing.weLack)
            }
        }.sorted { ($0.delegation.rawValue, $0.name, $0.replica) < ($1.delegation.rawValue, $1.name, $1.replica) }
        return report
    }

    /// A bundle's manifest with its signature, read from the container without checking either:
    /// enough to tell what it carries. Deciding from it only ever skips a file, so a forged
    /// manifest costs its author nothing more than its bundle not being read; what it says
    /// the exporter had counts only once the signature verifies (``recordHave(_:)``).
    func signedManifest(_ zip: any BundleBytes) throws -> (manifest: BundleManifest, bytes: [UInt8], signature: [UInt8]) {
        let container = try StrictZip(source: zip)
        guard container.entries["manifest.sig"]?.size == 64 else { throw BundleError(.signature, "manifest.sig is not 64 bytes") }
        let bytes = try container.content("manifest.json", limit: BundleManifest.maximumSize)
        return (try BundleManifest(bytes: bytes), bytes, try container.content("manifest.sig", limit: 64))
    }

    /// Records what a bundle's exporter had (its have vector), as importing the bundle would,
    /// when the exporter is a desk this store trusts for the delegation the manifest names and
    /// the signature verifies with the key this store holds for it; otherwise records nothing.
    /// Later exports for that desk's delegation then leave out what it already has.
    func recordHave(_ signed: (manifest: BundleManifest, bytes: [UInt8], signature: [UInt8])) throws {
        let exporter = signed.manifest.exporter
        guard exporter != identity.replica else { return }
        try store.write { tx in
            guard try tx.trust.delegations[exporter] == signed.manifest.exporterDelegation,
                  let stored = try tx.keys().first(where: { $0.id == exporter && $0.role == .replica }),
                  let key = try? PublicKey(raw: stored.signingKey, kind: .ed25519),
                  key.verify(signature: signed.signature, message: signed.bytes) else { return }
            try tx.recordPeerHave(exporter, signed.manifest.have)
        }
    }
}
