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
    /// How many bytes of `ops.jsonl` may wait between the reading thread and deflate (tests lower it).
    var pipeCapacity = Self.pipeCapacity
    /// Told how far the export is; stops it when asked (the file is not written).
    var watch: WorkWatch = .none
    /// For an encrypted bundle: the envelope's sealer and the desks it wraps the file key for,
    /// which the signed manifest names.
    var envelope: (sealer: Age.Sealer, recipients: [ReplicaID])?

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
        func manifest(sha256: String, size: Int, count: Int, thin: Bool) throws -> BundleManifest {
            var manifest = BundleManifest(
                bundleID: try secureRandomBytes(16).hex, created: Replica.isoTimestamp(millis: wallClock.nowMillis()),
                exporter: local, exporterDelegation: identity.delegation, exporterFingerprint: card.fingerprint.text(),
                recipients: delegation.map { [$0] } ?? [], have: plan.have, segments: plan.segments,
                opsSHA256: sha256, opsSize: size, opsCount: count, thin: thin)
            manifest.forkProofs = proofs
            manifest.certificates = documents.certificates
            manifest.revocations = documents.revocations
            manifest.rotations = documents.rotations
            manifest.cards = cards
            manifest.envelope = envelope.map { BundleManifest.Envelope(recipients: $0.recipients, stanzas: $0.sealer.stanzaDigest) }
            return manifest
        }
        let widest = CanonicalJSON.encode(try manifest(sha256: String(repeating: "f", count: 64), size: 1 << 53, count: 1 << 53,
                                                           thin: false).json)
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
        let pipe = BytePipe(capacity: pipeCapacity)
        let total = plan.segments.reduce(0) { $0 + $1.count }
        let producer = BackgroundWork { [store, watch] () throws -> Lines in
            do {
                let result = try Self.writeLines(store, spans, covered: plan.covered, to: pipe, watch: watch, total: total)
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
            size = try Self.writeZip(to: path, sealer: envelope?.sealer) { zip in
                let opsSize = try zip.add("ops.jsonl", deflate: true) { most in try pipe.next(upTo: most) }
                let lines = try producer.join().get()
                count = lines.count
                let manifestBytes = CanonicalJSON.encode(try manifest(sha256: lines.sha256, size: opsSize, count: lines.count,
                                                                      thin: lines.thin).json)
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
        /// Per author, the last seq every recipient is known to hold on this store's chain.
        let covered: [ReplicaID: Int64]
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
        var covered = [ReplicaID: Int64]()
        for (replica, known) in base where known.seq > 0 {
            if try tx.operationHash(replica, seq: known.seq) == known.hash { covered[replica] = known.seq }
        }
        var segments = [BundleManifest.Segment]()
        for (replica, head) in have.sorted(by: { $0.key < $1.key }) {
            // A segment ends at the highest attested head we hold on our chain for that author.
            guard let attested = try tx.attestedHead(replica, atMost: head.seq) else { continue }
            let to = attested.seq
            var from: Int64 = 1
            if let known = covered[replica] { from = known + 1 }
            guard from <= to else { continue }
            segments.append(BundleManifest.Segment(replica: replica, from: from, to: to, headHash: attested.hash,
                                                   headSignature: attested.signature))
        }
        return Plan(segments: segments, have: have, covered: covered)
    }

    /// The most targets the recipients hold that an export keeps in memory once read.
    static let heldTargetCap = 1 << 18

    /// How many bytes of `ops.jsonl` may wait between the reading thread and deflate: enough for
    /// the reading thread to run ahead while a batch of blocks is deflated.
    static let pipeCapacity = 1 << 20

    /// How much of `ops.jsonl` the reading thread gathers before hashing it and handing it over.
    static let linePieceSize = 1 << 16

    /// What the reading thread reports: how many lines, their hash, and whether any of them left
    /// out what only the recipients' stores can restore (the manifest's `thin`).
    struct Lines {
        let count: Int
        let sha256: String
        let thin: Bool
    }

    /// Puts the segments' lines (``ThinWire``) into `pipe` in pieces, hashing and counting them on
    /// the way, all in one read transaction. `covered` is, per author, the last seq every
    /// recipient is known to hold on this store's chain: a reference to what they hold travels
    /// without its hash digits. A stored operation that does not decode stops the export.
    static func writeLines(_ store: Store, _ spans: [(replica: ReplicaID, from: Int64, to: Int64)], covered: [ReplicaID: Int64],
                           to pipe: BytePipe, watch: WorkWatch = .none, total: Int = 0) throws -> Lines {
        let hasher = try SHA256Hasher()
        var buffer = [UInt8]()
        buffer.reserveCapacity(linePieceSize + 4096)
        var count = 0
        var thin = false
        func flush() throws {
            hasher.update(buffer)
            try pipe.put(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
        // Targets the recipients hold, as read from the store (the first 16 hash digits, entity,
        // field): a record's first writes in a bundle all name its create.
        var heldTargets = [OpID: ThinWire.Target]()
        try store.read { tx in
            for span in spans {
                let author = Array(span.replica.hex.utf8)
                // This segment's lines so far: what a later line's references are checked against.
                var earlier = SegmentTargets(replica: span.replica, from: span.from)
                try tx.operationBytes(span.replica, from: span.from, to: span.to) { bytes, hash in
                    try watch.step(.exporting, count, of: total)
                    guard let parts = ThinWireBytes.canonical(bytes) else {
                        throw OpDecodingError("stored operation \(span.replica.short):\(earlier.next) is not in its canonical form")
                    }
                    let entity = String(decoding: bytes[parts.entity], as: UTF8.self)
                    let field = String(decoding: bytes[parts.field], as: UTF8.self)
                    // A reference travels without its hash digits when the importer will hold its
                    // target — an earlier line of this segment, or what every recipient is known
                    // to hold — and it names the target's hash as this store holds it (one that
                    // names a wrong hash keeps its digits: it stays the reference its author wrote).
                    var omissions = ThinWire.Omissions()
                    var firstTarget: ThinWire.Target?
                    var leansOnStore = false
                    for (index, ref) in parts.refs.enumerated() {
                        let digits = bytes[ref.hash]
                        guard let target = Int64(String(decoding: bytes[ref.seq], as: UTF8.self)) else {
                            omissions.refHashes.append(false)
                            continue
                        }
                        var resolved: ThinWire.Target?
                        if bytes[ref.author].elementsEqual(author), earlier.holds(OpID(replica: span.replica, seq: target)) {
                            if earlier.hash(at: target, startsWith: digits) { resolved = earlier.target(target) }
                        } else if let replica = ReplicaID(hex: String(decoding: bytes[ref.author], as: UTF8.self)),
                                  (covered[replica] ?? 0) >= target {
                            let id = OpID(replica: replica, seq: target)
                            var known = heldTargets[id]
                            if known == nil, let held = try tx.wireTarget(id) {
                                known = ThinWire.Target(hash: String(held.hash.prefix(16)), entity: held.entity, field: held.field)
                                if heldTargets.count < Self.heldTargetCap { heldTargets[id] = known }
                            }
                            if let known, known.hash.utf8.elementsEqual(digits) {
                                resolved = known
                                leansOnStore = true
                            }
                        }
                        omissions.refHashes.append(resolved != nil)
                        if index == 0, let resolved { firstTarget = resolved }
                    }
                    if let firstTarget {
                        omissions.entity = firstTarget.entity == entity
                        omissions.field = firstTarget.field == field
                    }
                    if leansOnStore { thin = true }
                    buffer.append(contentsOf: ThinWireBytes.line(bytes, parts, first: earlier.next == span.from, omitting: omissions))
                    buffer.append(0x0a)
                    earlier.append(hash: hash, entity: entity, field: field)
                    count += 1
                    if buffer.count >= linePieceSize { try flush() }
                }
            }
        }
        try flush()
        return Lines(count: count, sha256: hasher.finish().hex, thin: thin)
    }

    /// Writes a ZIP (``ZipWriter``) to a hidden temporary file beside `path`, entry by entry as
    /// `body` adds them, then renames it over `path` in one step, so that a reader never sees
    /// half a bundle. A failure to write is a ``WriteError`` naming `path`; `body`'s own errors
    /// come through as they are. No temporary file is left behind either way.
    static func writeZip(to path: String, sealer: Age.Sealer? = nil, _ body: (ZipWriter) throws -> Void) throws -> Int {
        try WriteError.refuseSpecialTarget(path)
        let temporary = hiddenSibling(of: path, suffix: "tmp")
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o666)
        guard descriptor >= 0 else { throw WriteError(path, errno) }
        defer { unlink(temporary) }  // gone already once renamed
        var isOpen = true
        defer { if isOpen { close(descriptor) } }
        // An encrypted bundle's ZIP goes straight into its envelope: no plaintext reaches the disk.
        let zip = ZipWriter(descriptor: descriptor, path: path,
                            sink: try sealer.map { try AgeZipSink(descriptor: descriptor, path: path, sealer: $0) })
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
