import Foundation
import PuenteCrypto

/// Why one author's segment of a bundle was refused while the others applied.
public enum SegmentRefusal: Sendable, Equatable, CustomStringConvertible {
    /// No key for its author is known here, from the store or from the bundle.
    case unknownAuthor
    /// Its lines do not link: a `prev` that is not the hash before it, or a clock that does not advance.
    case brokenChain
    /// Its last line is not the head the manifest names, or the head's signature does not verify.
    case attestation
    /// It differs from the chain this store holds: kept as a fork proof, not applied.
    case fork
    /// A thin bundle left out what this store does not hold (the target of a reference): the
    /// exporter should send a full bundle (`sync export --full`).
    case needsFull
    /// The store refused to take it (its author is revoked before it, it is this store's own
    /// chain beyond its head…).
    case refused(PuenteError.Code)

    /// Why the store refused a segment: a chain that does not link to the stored one is a
    /// broken chain however it was found.
    init(refusedBy code: PuenteError.Code) {
        self = code == .brokenChain ? .brokenChain : .refused(code)
    }

    /// The code messages and `--json` name it by.
    public var code: String {
        switch self {
        case .unknownAuthor: "unknown-author"
        case .brokenChain: "broken-chain"
        case .attestation: "attestation"
        case .fork: "fork"
        case .needsFull: "needs-full"
        case .refused(let code): code.rawValue
        }
    }

    public var description: String { code }
}

/// Imports one bundle into a store, in two steps.
///
/// First, everything that can be checked without the store's write lock is checked, cheapest
/// first: the container, the manifest and its signature, the trust documents and cards it
/// carries, whether the exporter is trusted with them, and `ops.jsonl`'s size, hash and line
/// count, streamed without holding it (``verify(_:)``). Any failure there throws a
/// ``BundleError`` before the store is touched. Then, in one write transaction, the cards and
/// trust documents are admitted and each segment is received in a savepoint of its own, line by
/// line as `ops.jsonl` is inflated a second time (``apply(_:)``): a segment that does not link,
/// is not attested or forks is refused while the others apply, and a line that does not belong
/// rolls the whole transaction back.
struct BundleImporter {
    let store: Store
    /// This store's clock: the operations arrive when the transaction starts.
    let wallClock: any WallClock
    /// How many received operations materialization keeps in memory (``Store/Intake/knownCap``).
    let knownCap: Int
    /// Told how far verifying and receiving are; stops them when asked (nothing is kept).
    var watch: WorkWatch = .none
    /// For a bundle that came in an envelope: the digest of its stanzas and this desk, which the
    /// signed manifest must name. Nil for a plain bundle, whose manifest must name no envelope.
    var envelope: (stanzas: String, reader: ReplicaID)?

    /// A bundle whose container, manifest, signature, documents and `ops.jsonl` were checked.
    struct Verified {
        let container: StrictZip
        let manifest: BundleManifest
        let certificates: [Certificate]
        let revocations: [Revocation]
        let rotations: [Rotation]
        let cards: [IdentityCard]
        let proofs: [ForkProof]
    }

    func run(_ source: any BundleBytes) throws -> BundleImportReport {
        try apply(try verify(source))
    }

    /// Checks everything outside the store's transaction; throws ``BundleError`` for the first problem.
    func verify(_ source: any BundleBytes) throws -> Verified {
        let container = try StrictZip(source: source)
        guard container.entries["manifest.sig"]?.size == 64 else { throw BundleError(.signature, "manifest.sig is not 64 bytes") }
        let manifestBytes = try container.content("manifest.json", limit: BundleManifest.maximumSize)
        let signature = try container.content("manifest.sig", limit: 64)
        let manifest = try BundleManifest(bytes: manifestBytes)

        // Trust documents and cards are checked before anything else: a forged one refuses the bundle.
        var certificates = [Certificate]()
        var revocations = [Revocation]()
        var rotations = [Rotation]()
        var cards = [IdentityCard]()
        do {
            for bytes in manifest.certificates { certificates.append(try Certificate(bytes: bytes)) }
        } catch { throw BundleError(.certificate, error.description) }
        do {
            for bytes in manifest.revocations { revocations.append(try Revocation(bytes: bytes)) }
        } catch { throw BundleError(.revocation, error.description) }
        do {
            for bytes in manifest.rotations { rotations.append(try Rotation(bytes: bytes)) }
        } catch { throw BundleError(.rotation, error.description) }
        do {
            for bytes in manifest.cards { cards.append(try IdentityCard(file: bytes)) }
        } catch { throw BundleError(.card, error.problem) }

        // Every key this bundle can be checked with: the store's, then the certificates' and cards'.
        var keys = [ReplicaID: (signing: PublicKey, agreement: [UInt8])]()
        for card in cards where card.role == .replica {
            if let id = card.replica { keys[id] = (card.signingKey, card.agreementKey.raw) }
        }
        for certificate in certificates { keys[certificate.member] = (certificate.memberKey, certificate.memberAgreementKey.raw) }
        for stored in try store.read({ tx in try tx.keys() }) where stored.role == .replica {
            if let key = try? PublicKey(raw: stored.signingKey, kind: .ed25519) { keys[stored.id] = (key, stored.agreementKey ?? []) }
        }

        // The exporter's signature and fingerprint; whether it is trusted is decided below, with
        // the certificates this bundle brings.
        guard let exporterKey = keys[manifest.exporter] else { throw BundleError(.untrustedExporter, manifest.exporter.short) }
        guard exporterKey.signing.verify(signature: signature, message: manifestBytes) else { throw BundleError(.signature, "manifest") }
        let fingerprint = Fingerprint(role: .replica, delegation: manifest.exporterDelegation, signingKey: exporterKey.signing.raw,
                                      agreementKey: exporterKey.agreement)
        guard fingerprint.text() == manifest.exporterFingerprint else { throw BundleError(.untrustedExporter, "fingerprint") }
        try checkEnvelope(manifest)

        // Fork proofs travel in every bundle; one that does not verify refuses the bundle.
        var proofs = [ForkProof]()
        for bytes in manifest.forkProofs {
            let result = Result { () throws(BundleError) -> ForkProof in try ForkProof(bytes: bytes, key: { keys[$0]?.signing }) }
            switch result {
            case .success(let proof):
                proofs.append(proof)
            case .failure(let error):
                // A proof about a replica this store does not know cannot be checked here; skip it.
                guard error.code == .unknownAuthor else { throw error }
            }
        }

        // Whether the exporter is trusted, with the documents this bundle brings, is decided
        // before anything is inflated: an outsider's bundle costs its manifest and a signature.
        let exporterTrusted = try store.read { tx in
            try tx.wouldTrust(manifest.exporter, as: manifest.exporterDelegation, certificates: certificates,
                              revocations: revocations, rotations: rotations)
        }
        guard exporterTrusted else { throw BundleError(.untrustedExporter, manifest.exporter.short) }

        try Self.checkLines(container, manifest, watch: watch)
        return Verified(container: container, manifest: manifest, certificates: certificates, revocations: revocations,
                        rotations: rotations, cards: cards, proofs: proofs)
    }

    /// A bundle written encrypted arrives in the envelope its exporter signed: the same stanzas
    /// (so no recipient was added or dropped by re-wrapping it), with this desk among the
    /// recipients, and never taken out of it. A bundle written plain may arrive as it is, or
    /// wrapped by anyone for confidentiality in transit (stock `age -r`): its signature is its
    /// exporter's word either way.
    private func checkEnvelope(_ manifest: BundleManifest) throws(BundleError) {
        switch (envelope, manifest.envelope) {
        case (nil, nil), (.some, nil):
            return
        case (nil, .some):
            throw BundleError(.envelopeRecipients, "written encrypted, arrived without its envelope")
        case (.some(let received), .some(let signed)):
            guard signed.stanzas == received.stanzas else {
                throw BundleError(.envelopeRecipients, "the envelope's recipients differ from those the exporter signed")
            }
            guard signed.recipients.contains(received.reader) else {
                throw BundleError(.envelopeRecipients, "this desk is not among the recipients the exporter signed")
            }
        }
    }

    /// The first pass over `ops.jsonl`: size, hash and line count, without holding the content.
    /// The manifest's word is checked as the stream inflates: its declared size first, then each
    /// line, so a stream that contradicts it (a line too many, an empty line, a line over the
    /// limit) stops at the first contradiction rather than at the end of gigabytes.
    private static func checkLines(_ container: StrictZip, _ manifest: BundleManifest, watch: WorkWatch) throws {
        let opsReader = try container.open("ops.jsonl", limit: Replica.maximumBundleSize)
        guard opsReader.entry.size == manifest.opsSize else { throw BundleError(.opsSize) }
        guard manifest.segments.reduce(0, { $0 + $1.count }) == manifest.opsCount else { throw BundleError(.opsCount) }
        let hasher = try SHA256Hasher()
        var newlines = 0
        var lineLength = 0
        while let piece = try opsReader.next() {
            try watch.step(.verifying, newlines, of: manifest.opsCount)
            hasher.update(piece)
            try piece.withUnsafeBufferPointer { buffer throws(BundleError) in
                for byte in buffer {
                    if byte == 0x0a {
                        guard lineLength > 0 else { throw BundleError(.line, "\(newlines + 1): empty") }
                        newlines += 1
                        guard newlines <= manifest.opsCount else { throw BundleError(.opsCount) }
                        lineLength = 0
                    } else {
                        lineLength += 1
                        guard lineLength <= Op.maximumEncodedSize else {
                            throw BundleError(.line, "\(newlines + 1): longer than \(Op.maximumEncodedSize) bytes")
                        }
                    }
                }
            }
        }
        guard hasher.finish().hex == manifest.opsSHA256 else { throw BundleError(.opsHash) }
        guard lineLength == 0, newlines == manifest.opsCount else { throw BundleError(.opsCount) }
    }

    /// Applies a verified bundle in one write transaction.
    func apply(_ bundle: Verified) throws -> BundleImportReport {
        let manifest = bundle.manifest
        let wall = wallClock.nowMillis()
        return try store.write { tx in
            var refused = [ReplicaID: SegmentRefusal]()
            // Cards make keys known (never trusted); then the trust documents, and the exporter
            // must be trusted once they are in. If not, the transaction rolls back. Only the cards
            // of the exporter and of the authors it carries are kept: any more would be a way to
            // fill every later manifest with keys nobody needs.
            let carried = Set(manifest.segments.map(\.replica)).union([manifest.exporter])
            for card in bundle.cards where card.role == .replica {
                guard let id = card.replica, carried.contains(id), card.signedFile != nil, let key = StoredKey(card: card) else { continue }
                try tx.recordKey(key, trusted: false, onConflict: .keepCard)
            }
            let trust = try tx.applyTrust(certificates: bundle.certificates, revocations: bundle.revocations,
                                          rotations: bundle.rotations, proofs: bundle.proofs)
            var forkProofsAdded = trust.changes.filter { $0.kind == .forkProof }.count
            guard try tx.trust.delegations[manifest.exporter] == manifest.exporterDelegation else {
                throw BundleError(.untrustedExporter, manifest.exporter.short)
            }
            let exporterName = try tx.displayName(manifest.exporter)
            // Second pass: every line in its listed segment, in order, canonical, received as it is read.
            let lines = LineReader(try bundle.container.open("ops.jsonl", limit: Replica.maximumBundleSize))
            let intake = try tx.intake(wall: wall, knownCap: knownCap)
            var attested = [BundleManifest.Segment]()
            for segment in manifest.segments {
                let outcome = try Self.receive(segment, from: lines, wire: manifest.wire, into: intake, tx,
                                               watch: watch, total: manifest.opsCount)
                switch outcome {
                case nil:
                    attested.append(segment)
                case .forked(let proof)?:
                    refused[segment.replica] = .fork
                    // A run that differs from the stored chain is a fork: kept as a proof, not applied.
                    if let proof {
                        try tx.add(proof)
                        forkProofsAdded += 1
                    }
                case .refused(let refusal)?:
                    refused[segment.replica] = refusal
                }
            }
            var report = try intake.finish(watch: watch)
            report.refused = [:]
            for segment in attested {
                try tx.attest(segment.replica, seq: segment.to, hash: segment.headHash, signature: segment.headSignature)
            }
            try tx.recordImport(kind: "sync", operations: report.appliedTotal, wall: wall)
            // The exporter's have vector, merged by pointwise maximum: a replayed old bundle never lowers it.
            try tx.recordPeerHave(manifest.exporter, manifest.have)
            return BundleImportReport(exporter: manifest.exporter, exporterName: exporterName, receive: report,
                                      refusedSegments: refused, forkProofsAdded: forkProofsAdded, trust: trust)
        }
    }

    /// What became of a segment that did not apply.
    private enum Outcome {
        case refused(SegmentRefusal)
        /// A fork, with its proof when one can be made from what the bundle carried.
        case forked(ForkProof?)
    }

    /// Receives one segment's lines in a savepoint of its own: kept when every line linked, the
    /// last is the attested head and the store took them all; rolled back otherwise, with why.
    /// Its lines are read and checked either way: a line that does not belong refuses the bundle.
    private static func receive(_ segment: BundleManifest.Segment, from lines: LineReader, wire: Int, into intake: Store.Intake,
                                _ tx: StoreTransaction, watch: WorkWatch, total: Int) throws -> Outcome? {
        guard let key = try tx.key(segment.replica).flatMap({ try? PublicKey(raw: $0.signingKey, kind: .ed25519) }) else {
            _ = try readSegment(segment, from: lines, wire: wire, tx: tx, watch: watch, total: total) { _ in }
            return .refused(.unknownAuthor)
        }
        let isAttested = key.verify(signature: segment.headSignature,
                                    message: BundleManifest.headMessage(replica: segment.replica, seq: segment.to, hash: segment.headHash))
        var linked = true
        var previous: Op?
        var receiveError: PuenteError?
        // From the first operation that differs from the stored chain: their branch, kept (up to
        // a proof's length) for the fork proof.
        var theirBranch: [Op]?
        var outcome: Outcome?
        // A target a thin line needed and this store does not hold.
        var unresolved: OpID?
        try tx.inSavepoint {
            let chain = try intake.begin(segment.replica)
            unresolved = try readSegment(segment, from: lines, wire: wire, tx: tx, watch: watch, total: total) { op in
                if let previous, op.prev != previous.hash || op.hlc <= previous.hlc { linked = false }
                previous = op
                guard linked, receiveError == nil else { return }
                if theirBranch != nil {
                    if let branch = theirBranch, branch.count <= ForkProof.maximumBranchLength { theirBranch?.append(op) }
                    return
                }
                do {
                    try intake.take(op, into: chain)
                } catch let error as PuenteError where error.code == .fork {
                    theirBranch = [op]
                } catch let error as PuenteError {
                    receiveError = error
                }
            }
            if unresolved != nil {
                outcome = .refused(.needsFull)
            } else if !linked {
                outcome = .refused(.brokenChain)
            } else if previous?.hash != segment.headHash || !isAttested {
                outcome = .refused(.attestation)
            } else if theirBranch != nil {
                outcome = .forked(nil)
            } else if receiveError == nil {
                do { try intake.end(chain) } catch let error as PuenteError { receiveError = error }
            }
            if outcome == nil, let receiveError {
                outcome = .refused(SegmentRefusal(refusedBy: receiveError.code))
                // The store's own refusal is reported with the others.
                intake.refuse(segment.replica, receiveError)
            }
            return outcome == nil
        }
        switch outcome {
        case .forked?:
            if let branch = theirBranch, branch.count <= ForkProof.maximumBranchLength {
                return .forked(try tx.forkProof(segment.replica, incoming: branch, signature: segment.headSignature))
            }
        default:
            break
        }
        return outcome
    }

    /// Reads the lines of one segment, decodes each against the one before, checks that it is
    /// the segment's next operation, and hands it on. In wire form 2 a line's references to the
    /// segment's earlier lines are restored from those lines — the bundle's own version, even
    /// where this store holds another at that seq (a fork) — and its other references from the
    /// store. When a target is in neither, the rest of the segment is checked line by line
    /// without being restored or handed on, and that target is returned. A line that is not
    /// well formed throws ``BundleError`` (the whole bundle is refused).
    private static func readSegment(_ segment: BundleManifest.Segment, from lines: LineReader, wire: Int, tx: StoreTransaction,
                                    watch: WorkWatch, total: Int, _ handle: (Op) throws -> Void) throws -> OpID? {
        var previous: Op?
        var unresolved: OpID?
        var earlier = SegmentTargets(replica: segment.replica, from: segment.from)
        for offset in 0..<segment.count {
            try watch.step(.importing, lines.count, of: total)
            guard let line = try lines.next() else { throw BundleError(.opsCount) }
            let seq = segment.from + Int64(offset)
            let op: Op
            do {
                if wire == 1 {
                    op = try WireForm.op(line, previous: previous)
                } else if unresolved != nil {
                    _ = try ThinWire.shape(line, first: offset == 0)
                    continue
                } else {
                    op = try ThinWire.op(line, author: segment.replica, seq: seq, previous: previous) { target in
                        earlier.holds(target) ? earlier.target(target.seq) : try tx.wireTarget(target)
                    }
                }
            } catch let missing as ThinWire.Unresolved {
                unresolved = missing.target
                continue
            } catch let error as OpDecodingError {
                throw BundleError(.line, "\(lines.count): \(error.problem)")
            }
            guard op.replica == segment.replica, op.seq == seq else {
                throw BundleError(.segment, "line \(lines.count) belongs to no listed segment")
            }
            try handle(op)
            if wire >= 2 { earlier.append(hash: op.hash, entity: op.entity, field: op.field) }
            previous = op
        }
        return unresolved
    }
}
