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
    public let refusedSegments: [ReplicaID: String]
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

    /// Writes a signed bundle: incremental by default, against the pointwise minimum of what the
    /// replicas of `delegation` (or of every peer) are known to have; everything with `full`.
    public func exportBundle(to path: String, for delegation: Delegation? = nil, full: Bool = false) throws -> ExportReport {
        let local = identity.replica
        // Attest our own head whenever we export, so relays can forward our chain.
        try store.write { tx in
            guard let head = try tx.head(of: local) else { return }
            let signature = try signingKey.sign(BundleManifest.headMessage(replica: local, seq: head.seq, hash: head.hash))
            try tx.attest(local, seq: head.seq, hash: head.hash, signature: signature)
        }
        // The card is signed once per export, not once per manifest built.
        let card = try identityCard()
        let (plan, proofs, documents, cards) = try store.read { tx in
            (try exportPlan(tx, for: delegation, full: full), try tx.forkProofs(), try tx.trustDocuments(),
             [card.signedFile ?? []] + (try tx.deskCards()))
        }
        // Never write a bundle this store's own reader would refuse: check the manifest's limits
        // before any operation is read, with the ops members at their widest.
        func manifest(sha256: String, size: Int, count: Int) throws -> BundleManifest {
            var manifest = BundleManifest(
                bundleID: try secureRandomBytes(16).hex, created: Self.isoTimestamp(millis: wallClock.nowMillis()),
                exporter: local, exporterDelegation: identity.delegation, exporterFingerprint: card.fingerprint.text(),
                recipients: delegation.map { [$0] } ?? [], have: plan.have, segments: plan.segments,
                opsSHA256: sha256, opsSize: size, opsCount: count)
            manifest.forkProofs = proofs
            manifest.certificates = documents.certificates
            manifest.revocations = documents.revocations
            manifest.rotations = documents.rotations
            manifest.cards = cards
            return manifest
        }
        let widest = CanonicalJSON.encode(try manifest(sha256: String(repeating: "f", count: 64), size: 1 << 53, count: 1 << 53).json)
        if let crossed = BundleManifest.limitCrossed(size: widest.count, proofs: proofs.count, certificates: documents.certificates.count,
                                                     revocations: documents.revocations.count, rotations: documents.rotations.count,
                                                     cards: cards.count) {
            throw PuenteError(.exportLimit, [crossed.carried, crossed.limit])
        }
        // ops.jsonl is written first, as it is read: a second thread reads the lines from the
        // store, hashes and counts them, and hands them through a bounded pipe to the ZIP writer,
        // which deflates them on this one. Memory does not grow with the bundle, nothing is
        // spooled to disk, and reading overlaps deflating (Design 51). The manifest, which
        // names the lines' hash, size and count, follows them.
        let spans = plan.segments.map { (replica: $0.replica, from: $0.from, to: $0.to) }
        let pipe = BytePipe(capacity: Self.pipeCapacity)
        let producer = BackgroundWork { [store] () throws -> (count: Int, sha256: String) in
            do {
                let result = try Self.writeLines(store, spans, to: pipe)
                pipe.finish()
                return result
            } catch {
                pipe.finish(error)
                throw error
            }
        }
        var ranges = [ReplicaID: ClosedRange<Int64>]()
        for segment in plan.segments { ranges[segment.replica] = segment.from...segment.to }
        var count = 0
        let size: Int
        do {
            size = try Self.writeZip(to: path) { zip in
                let opsSize = try pipe.declaredSize()
                try zip.add("ops.jsonl", size: opsSize, deflate: true, read: pipe.take)
                let lines = try producer.join().get()
                count = lines.count
                let manifestBytes = CanonicalJSON.encode(try manifest(sha256: lines.sha256, size: opsSize, count: lines.count).json)
                try zip.add("manifest.json", bytes: manifestBytes)
                try zip.add("manifest.sig", bytes: try signingKey.sign(manifestBytes))
            }
        } catch {
            // The reading thread is stopped and waited for before returning (on success the ZIP
            // waited for it). Its own failure (a database error, say) is the one to report, not
            // the short read it caused in the ZIP writer.
            pipe.cancel()
            if case .failure(let cause) = producer.join(), !(cause is BytePipe.Cancelled) { throw cause }
            throw error
        }
        return ExportReport(path: path, operations: count, segments: ranges, bytes: size)
    }

    private struct ExportPlan {
        let segments: [BundleManifest.Segment]
        let have: [ReplicaID: (seq: Int64, hash: String)]
    }

    private func exportPlan(_ tx: StoreTransaction, for delegation: Delegation?, full: Bool) throws -> ExportPlan {
        // What we hold: each replica's verified contiguous prefix.
        let have = try tx.heads()
        // What the recipients are known to have: the pointwise minimum over every trusted replica
        // of the recipient delegation (of any delegation without --for). One we have never heard
        // from counts as having nothing, so no member of the delegation starves.
        var base = [ReplicaID: (seq: Int64, hash: String)]()
        if !full {
            // Trusted by hand or certified, not revoked.
            let trust = try tx.trust
            let peers = trust.delegations.filter { id, peerDelegation in
                id != identity.replica && trust.resolved.revocations[id] == nil && (delegation == nil || peerDelegation == delegation)
            }.keys.sorted()
            for (index, peer) in peers.enumerated() {
                let known = try tx.peerHave(peer)
                if index == 0 {
                    base = known
                } else {
                    for (id, entry) in base {
                        guard let other = known[id] else { base[id] = nil; continue }
                        if other.seq < entry.seq { base[id] = other }
                    }
                }
            }
        }
        var segments = [BundleManifest.Segment]()
        for (replica, head) in have.sorted(by: { $0.key < $1.key }) {
            // A segment ends at the highest attested head we hold on our chain for that author.
            guard let attested = try tx.attestedHead(replica, atMost: head.seq) else { continue }
            let to = attested.seq
            var from: Int64 = 1
            if let known = base[replica], known.seq > 0, try tx.operationHash(replica, seq: known.seq) == known.hash {
                from = known.seq + 1
            }
            guard from <= to else { continue }
            segments.append(BundleManifest.Segment(replica: replica, from: from, to: to, headHash: attested.hash,
                                                   headSignature: attested.signature))
        }
        return ExportPlan(segments: segments, have: have)
    }

    static func isoTimestamp(millis: UInt64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    /// How many bytes of `ops.jsonl` may wait between the reading thread and deflate.
    static let pipeCapacity = 1 << 17

    /// How much of `ops.jsonl` the reading thread gathers before hashing it and handing it over.
    static let linePieceSize = 1 << 16

    /// The exact size of `ops.jsonl` for these segments, known before a line is read (the local
    /// header states an entry's size up front): every stored operation's canonical bytes and a newline,
    /// less the `prev` member that every line but a segment's first leaves out (``WireForm``).
    static func wireSize(_ tx: StoreTransaction, _ spans: [(replica: ReplicaID, from: Int64, to: Int64)]) throws -> Int {
        var total = 0
        for span in spans {
            let (count, bytes) = try tx.segmentSize(span.replica, from: span.from, to: span.to)
            if count > 0 { total += bytes + count - (count - 1) * WireForm.prevMemberSize }
        }
        return total
    }

    /// Declares the size of the segments' lines to `pipe`, then puts the lines into it in pieces,
    /// hashing and counting them on the way, all in one read transaction. Throws
    /// ``ExportSizeMismatch`` when the lines do not add up to the size declared (never more than
    /// that reaches the pipe).
    static func writeLines(_ store: Store, _ spans: [(replica: ReplicaID, from: Int64, to: Int64)],
                           to pipe: BytePipe) throws -> (count: Int, sha256: String) {
        let hasher = try SHA256Hasher()
        var buffer = [UInt8]()
        buffer.reserveCapacity(linePieceSize + 4096)
        var written = 0
        var count = 0
        var size = 0
        func flush() throws {
            guard written + buffer.count <= size else { throw ExportSizeMismatch(expected: size, actual: written + buffer.count) }
            hasher.update(buffer)
            try pipe.put(buffer)
            written += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        try store.read { tx in
            size = try wireSize(tx, spans)
            pipe.declare(size: size)
            for span in spans {
                var first = true
                try tx.operationBytes(span.replica, from: span.from, to: span.to) { bytes in
                    if first {
                        buffer.append(contentsOf: bytes)
                    } else {
                        let canonical = Array(bytes)
                        buffer.append(contentsOf: WireForm.withoutPrev(canonical) ?? canonical)
                    }
                    first = false
                    buffer.append(0x0a)
                    count += 1
                    if buffer.count >= linePieceSize { try flush() }
                }
            }
        }
        try flush()
        guard written == size else { throw ExportSizeMismatch(expected: size, actual: written) }
        return (count, hasher.finish().hex)
    }

    /// An export's lines did not add up to the size computed for them beforehand: a stored
    /// operation is not in its canonical form. Nothing is written.
    struct ExportSizeMismatch: Error, Equatable, CustomStringConvertible {
        let expected: Int
        let actual: Int
        var description: String { "ops.jsonl came to \(actual) bytes where \(expected) were expected" }
    }

    /// Writes a ZIP (``ZipWriter``) to a hidden temporary file beside `path`, entry by entry as
    /// `body` adds them, then renames it over `path` in one step, so that a reader never sees
    /// half a bundle. A failure to write is a ``WriteError`` naming `path`; `body`'s own errors
    /// come through as they are. No temporary file is left behind either way.
    static func writeZip(to path: String, _ body: (ZipWriter) throws -> Void) throws -> Int {
        try WriteError.refuseSpecialTarget(path)
        let temporary = hiddenSibling(of: path, suffix: "tmp")
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o666)
        guard descriptor >= 0 else { throw WriteError(path, errno) }
        defer { unlink(temporary) }  // gone already once renamed
        var isOpen = true
        defer { if isOpen { close(descriptor) } }
        let zip = ZipWriter(descriptor: descriptor, path: path)
        try body(zip)
        try zip.finish()
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw WriteError(path, errno) }
        isOpen = false
        guard close(descriptor) == 0 else { throw WriteError(path, errno) }
        try WriteError.refuseSpecialTarget(path)
        guard rename(temporary, path) == 0 else { throw WriteError(path, errno) }
        return Int(status.st_size)
    }

    /// The largest bundle file read: `ops.jsonl` at its cap, plus room for the manifest and signature.
    static let maximumBundleFileSize = maximumBundleSize + 2 * BundleManifest.maximumSize

    /// Imports the bundle file at `path`, read piece by piece: memory stays bounded whatever the
    /// bundle's size. Throws ``BundleError`` `unreadable` or `too-large` for the file itself;
    /// otherwise as ``importBundle(bytes:)``.
    public func importBundle(path: String) throws -> BundleImportReport {
        try importBundle(source: openBundle(path: path, limit: Self.maximumBundleFileSize))
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

    /// `ops.jsonl` is read twice, streamed both times: first for its size, hash and line count,
    /// before the store is touched; then line by line inside the transaction, where each line
    /// is decoded, checked against its segment and received at once. A bad line found then
    /// rolls the whole transaction back, so the store is left as it was. Tests lower `knownCap`
    /// (``Store/Intake/knownCap``) to make materialization read operations back from the log.
    func importBundle(source: any BundleBytes, knownCap: Int = Store.Intake.knownCap) throws -> BundleImportReport {
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

        // First pass: size, hash and line count, without holding the content. The manifest's
        // word is checked as the stream inflates: its declared size first, then each line, so a
        // stream that contradicts it (a line too many, an empty line, a line over the limit)
        // stops at the first contradiction rather than at the end of gigabytes.
        let opsReader = try container.open("ops.jsonl", limit: Self.maximumBundleSize)
        guard opsReader.entry.size == manifest.opsSize else { throw BundleError(.opsSize) }
        guard manifest.segments.reduce(0, { $0 + $1.count }) == manifest.opsCount else { throw BundleError(.opsCount) }
        let hasher = try SHA256Hasher()
        var newlines = 0
        var lineLength = 0
        while let piece = try opsReader.next() {
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

        let wall = wallClock.nowMillis()
        return try store.write { tx in
            var refused = [ReplicaID: String]()
            // Cards make keys known (never trusted); then the trust documents, and the exporter
            // must be trusted once they are in. If not, the transaction rolls back. Only the cards
            // of the exporter and of the authors it carries are kept: any more would be a way to
            // fill every later manifest with keys nobody needs.
            let carried = Set(manifest.segments.map(\.replica)).union([manifest.exporter])
            for card in cards where card.role == .replica {
                guard let id = card.replica, carried.contains(id), card.signedFile != nil, let key = StoredKey(card: card) else { continue }
                try tx.recordKey(key, trusted: false, onConflict: .keepCard)
            }
            let trust = try tx.applyTrust(certificates: certificates, revocations: revocations, rotations: rotations, proofs: proofs)
            var forkProofsAdded = trust.changes.filter { $0.kind == .forkProof }.count
            guard try tx.trust.delegations[manifest.exporter] == manifest.exporterDelegation else {
                throw BundleError(.untrustedExporter, manifest.exporter.short)
            }
            let exporterName = try tx.displayName(manifest.exporter)
            // Second pass: every line in its listed segment, in order, canonical, received as it is read.
            let lines = LineReader(try container.open("ops.jsonl", limit: Self.maximumBundleSize))
            let intake = try tx.intake(wall: wall, knownCap: knownCap)
            var attestations = [BundleManifest.Segment]()
            for segment in manifest.segments {
                let key = try tx.key(segment.replica).flatMap { try? PublicKey(raw: $0.signingKey, kind: .ed25519) }
                guard let key else {
                    // Its lines are still read and checked: a bad line refuses the whole bundle.
                    try Self.readSegment(segment, from: lines) { _ in }
                    refused[segment.replica] = "unknown-author"
                    continue
                }
                let attested = key.verify(signature: segment.headSignature,
                                          message: BundleManifest.headMessage(replica: segment.replica, seq: segment.to,
                                                                              hash: segment.headHash))
                var linked = true
                var previous: Op?
                var receiveError: PuenteError?
                // From the first operation that differs from the stored chain: their branch, kept
                // (up to a proof's length) for the fork proof.
                var theirBranch: [Op]?
                var outcome: String?
                try tx.inSavepoint {
                    let chain = try intake.begin(segment.replica)
                    try Self.readSegment(segment, from: lines) { op in
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
                    if !linked {
                        outcome = "broken-chain"
                    } else if previous?.hash != segment.headHash || !attested {
                        outcome = "attestation"
                    } else if theirBranch != nil {
                        outcome = "fork"
                    } else if receiveError == nil {
                        do { try intake.end(chain) } catch let error as PuenteError { receiveError = error }
                    }
                    if outcome == nil, let receiveError { outcome = receiveError.code.rawValue }
                    return outcome == nil
                }
                if let outcome {
                    refused[segment.replica] = outcome
                    if let receiveError, outcome == receiveError.code.rawValue { intake.refuse(segment.replica, receiveError) }
                    // A run that differs from the stored chain is a fork: kept as a proof, not applied.
                    if outcome == "fork", let branch = theirBranch, branch.count <= ForkProof.maximumBranchLength,
                       let proof = try tx.forkProof(segment.replica, incoming: branch, signature: segment.headSignature) {
                        try tx.add(proof)
                        forkProofsAdded += 1
                    }
                    continue
                }
                attestations.append(segment)
            }
            var report = try intake.finish()
            report.refused = [:]
            for segment in attestations where refused[segment.replica] == nil {
                try tx.attest(segment.replica, seq: segment.to, hash: segment.headHash, signature: segment.headSignature)
            }
            try tx.recordImport(kind: "sync", operations: report.appliedTotal, wall: wall)
            // The exporter's have vector, merged by pointwise maximum: a replayed old bundle never lowers it.
            try tx.recordPeerHave(manifest.exporter, manifest.have)
            return BundleImportReport(exporter: manifest.exporter, exporterName: exporterName, receive: report,
                                      refusedSegments: refused, forkProofsAdded: forkProofsAdded, trust: trust)
        }
    }


    /// Reads the lines of one segment, decodes each against the one before, checks that it is
    /// the segment's next operation, and hands it on.
    private static func readSegment(_ segment: BundleManifest.Segment, from lines: LineReader,
                                    _ handle: (Op) throws -> Void) throws {
        var previous: Op?
        for offset in 0..<segment.count {
            guard let line = try lines.next() else { throw BundleError(.opsCount) }
            let op: Op
            do {
                op = try WireForm.op(line, previous: previous)
            } catch {
                throw BundleError(.line, "\(lines.count): \(error.problem)")
            }
            guard op.replica == segment.replica, op.seq == segment.from + Int64(offset) else {
                throw BundleError(.segment, "line \(lines.count) belongs to no listed segment")
            }
            try handle(op)
            previous = op
        }
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
