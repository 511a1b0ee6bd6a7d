#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import PuenteCrypto

/// Writes one signed bundle of a store: the plan (which segments, from what the recipients are
/// known to have), the manifest's limits checked before a line is read, then `ops.jsonl` streamed
/// from the store on one thread and deflated on the others, and the signed manifest after it.
struct BundleExporter {
    let store: Store
    let identity: LocalIdentity
    let signingKey: PrivateKey
    let wallClock: any WallClock
    /// This store's identity card, signed once per export (not once per manifest built).
    let card: IdentityCard

    typealias ZipWriter = Replica.ZipWriter

    /// Writes a signed bundle: incremental by default, against the pointwise minimum of what the
    /// replicas of `delegation` (or of every peer) are known to have; everything with `full`.
    func export(to path: String, for delegation: Delegation?, full: Bool) throws -> ExportReport {
        let local = identity.replica
        // Attest our own head whenever we export, so relays can forward our chain.
        try store.write { tx in
            guard let head = try tx.head(of: local) else { return }
            let signature = try signingKey.sign(BundleManifest.headMessage(replica: local, seq: head.seq, hash: head.hash))
            try tx.attest(local, seq: head.seq, hash: head.hash, signature: signature)
        }
        let (plan, proofs, documents, cards) = try store.read { tx in
            (try self.plan(tx, for: delegation, full: full), try tx.forkProofs(), try tx.trustDocuments(),
             [card.signedFile ?? []] + (try tx.deskCards()))
        }
        // Never write a bundle this store's own reader would refuse: check the manifest's limits
        // before any operation is read, with the ops members at their widest.
        func manifest(sha256: String, size: Int, count: Int) throws -> BundleManifest {
            var manifest = BundleManifest(
                bundleID: try secureRandomBytes(16).hex, created: Replica.isoTimestamp(millis: wallClock.nowMillis()),
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

    struct Plan {
        let segments: [BundleManifest.Segment]
        let have: [ReplicaID: (seq: Int64, hash: String)]
    }

    func plan(_ tx: StoreTransaction, for delegation: Delegation?, full: Bool) throws -> Plan {
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
        return Plan(segments: segments, have: have)
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
}
