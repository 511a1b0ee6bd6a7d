import Foundation

/// The bundle formats of this version: the one `sync export` writes, and every one
/// `sync import` reads (what `puente --version` names).
public enum BundleFormats {
    public static var written: String { BundleManifest.format }
    public static var read: [String] { BundleManifest.formats.keys.sorted() }
}

/// `manifest.json`: what a bundle carries, signed as is by its exporter.
struct BundleManifest: Equatable {
    /// The format bundles are written in, and the earlier one still read: `ops.jsonl` in the wire
    /// form of ``ThinWire`` (2) or of ``WireForm`` (1).
    static let format = "puente-bundle/2"
    static let formats = ["puente-bundle/1": 1, "puente-bundle/2": 2]
    static let maximumSize = 1024 * 1024

    struct Segment: Equatable {
        let replica: ReplicaID
        let from: Int64
        let to: Int64
        /// Hash of the operation at `to`, and the author's signature over the head message.
        let headHash: String
        let headSignature: [UInt8]

        var count: Int { Int(to - from + 1) }
    }

    let bundleID: String
    let created: String
    let exporter: ReplicaID
    let exporterDelegation: Delegation
    let exporterFingerprint: String
    let recipients: [Delegation]
    let have: [ReplicaID: (seq: Int64, hash: String)]
    let segments: [Segment]
    let opsSHA256: String
    let opsSize: Int
    let opsCount: Int
    /// The wire form of `ops.jsonl`: 2 (``ThinWire``), or 1 (``WireForm``) in a bundle of the earlier format.
    let wire: Int
    /// Whether some lines leave out what only the recipients' stores restore (format 2): a store
    /// that lacks it refuses those segments and asks for a full bundle.
    let thin: Bool
    /// Canonical bytes of every fork proof the exporter holds.
    var forkProofs: [[UInt8]] = []
    /// Exact signed bytes of every certificate, revocation and root rotation the exporter holds.
    var certificates: [[UInt8]] = []
    var revocations: [[UInt8]] = []
    var rotations: [[UInt8]] = []
    /// Self-signed identity cards of the exporter and of the authors it carries, where it holds them.
    var cards: [[UInt8]] = []
    /// For a bundle written encrypted: the desks it is encrypted to, and the SHA-256 of its
    /// envelope's version line and stanzas (``Age/Sealer/stanzaDigest``). Signed with the rest,
    /// so an envelope re-wrapped for other recipients, or the bundle taken out of it, is refused.
    var envelope: Envelope?

    struct Envelope: Equatable {
        let recipients: [ReplicaID]
        let stanzas: String
    }

    /// The most desks a bundle is encrypted to (the envelope's stanza cap, less Puente's own).
    static let maximumRecipients = AgeHeader.maximumStanzas - 1

    /// The most trust documents of one kind a manifest may carry.
    static let maximumDocuments = 10_000
    /// The most fork proofs, and root rotations, a manifest may carry.
    static let maximumProofs = 1_000
    static let maximumRotations = 1_000

    /// The first limit of the reader that a manifest of these sizes would cross, described as
    /// (what it would carry, the limit), or nil when a reader accepts it.
    static func limitCrossed(size: Int, proofs: Int, certificates: Int, revocations: Int, rotations: Int,
                             cards: Int) -> (carried: String, limit: String)? {
        if size > maximumSize { return ("\(size) bytes", "\(maximumSize) bytes") }
        for (count, limit, name) in [(proofs, maximumProofs, "fork_proofs"), (certificates, maximumDocuments, "certificates"),
                                     (revocations, maximumDocuments, "revocations"), (rotations, maximumRotations, "rotations"),
                                     (cards, maximumDocuments, "cards")] where count > limit {
            return ("\(count) \(name)", "\(limit)")
        }
        return nil
    }

    static func == (lhs: BundleManifest, rhs: BundleManifest) -> Bool { lhs.json == rhs.json }

    /// The head attestation message of the design: `puente-head/1\n<replica>\n<seq>\n<hash>\n`.
    static func headMessage(replica: ReplicaID, seq: Int64, hash: String) -> [UInt8] {
        SignedMessage.head.bytes(Array("\(replica.hex)\n\(seq)\n\(hash)\n".utf8))
    }

    var json: JSONValue {
        var haveObject = [String: JSONValue]()
        for (replica, entry) in have { haveObject[replica.hex] = [.int(entry.seq), .string(entry.hash)] }
        var members: [String: JSONValue] = [
            "format": .string(wire == 1 ? "puente-bundle/1" : Self.format), "bundle": .string(bundleID), "created": .string(created),
            "exporter": ["replica": .string(exporter.hex), "delegation": .string(exporterDelegation.rawValue),
                         "fingerprint": .string(exporterFingerprint)],
            "recipients": .array(recipients.map { .string($0.rawValue) }),
            "have": .object(haveObject),
            "segments": .array(segments.map { segment in
                ["replica": .string(segment.replica.hex), "from": .int(segment.from), "to": .int(segment.to),
                 "head": ["hash": .string(segment.headHash), "signature": .string(Data(segment.headSignature).base64EncodedString())]]
            }),
            "certificates": Self.base64(certificates), "revocations": Self.base64(revocations),
            "rotations": Self.base64(rotations), "cards": Self.base64(cards), "fork_proofs": Self.base64(forkProofs),
            "ops": .object(opsJSON),
        ]
        if let envelope {
            members["envelope"] = ["recipients": .array(envelope.recipients.map { .string($0.hex) }), "stanzas": .string(envelope.stanzas)]
        }
        return .object(members)
    }

    private var opsJSON: [String: JSONValue] {
        var ops: [String: JSONValue] = ["sha256": .string(opsSHA256), "size": .int(Int64(opsSize)), "count": .int(Int64(opsCount))]
        if wire >= 2 { ops["thin"] = .bool(thin) }
        return ops
    }

    init(bundleID: String, created: String, exporter: ReplicaID, exporterDelegation: Delegation, exporterFingerprint: String,
         recipients: [Delegation], have: [ReplicaID: (seq: Int64, hash: String)], segments: [Segment],
         opsSHA256: String, opsSize: Int, opsCount: Int, wire: Int = 2, thin: Bool = false) {
        self.bundleID = bundleID
        self.created = created
        self.exporter = exporter
        self.exporterDelegation = exporterDelegation
        self.exporterFingerprint = exporterFingerprint
        self.recipients = recipients
        self.have = have
        self.segments = segments
        self.opsSHA256 = opsSHA256
        self.opsSize = opsSize
        self.opsCount = opsCount
        self.wire = wire
        self.thin = thin
    }

    /// Reads a manifest strictly: canonical bytes, exactly the members of the format.
    init(bytes: [UInt8]) throws(BundleError) {
        guard bytes.count <= Self.maximumSize else { throw BundleError(.tooLarge, "manifest.json") }
        let value: JSONValue
        do {
            value = try CanonicalJSON.decodeCanonical(bytes)
        } catch {
            throw BundleError(.manifest, "not canonical JSON (\(error.reason.rawValue))")
        }
        func fail(_ what: String) -> BundleError { BundleError(.manifest, what) }
        let members: Set<String> = ["format", "bundle", "created", "exporter", "recipients", "have", "segments", "certificates",
                                    "revocations", "rotations", "cards", "fork_proofs", "ops"]
        guard let top = value.objectValue, Set(top.keys) == members || Set(top.keys) == members.union(["envelope"]) else {
            throw fail("members")
        }
        guard let wire = top["format"]?.stringValue.flatMap({ Self.formats[$0] }) else { throw fail("format") }
        guard let bundleID = top["bundle"]?.stringValue, ReplicaID.isHex(bundleID, count: 32),
              let created = top["created"]?.stringValue, created.utf8.count <= 40 else { throw fail("bundle id or date") }
        guard let exporter = top["exporter"]?.objectValue, Set(exporter.keys) == ["replica", "delegation", "fingerprint"],
              let exporterID = exporter["replica"]?.stringValue.flatMap(ReplicaID.init(hex:)),
              let delegation = exporter["delegation"]?.stringValue.flatMap(Delegation.init(rawValue:)),
              let fingerprint = exporter["fingerprint"]?.stringValue else { throw fail("exporter") }
        guard let recipientValues = top["recipients"]?.arrayValue, recipientValues.count <= 2 else { throw fail("recipients") }
        var recipients = [Delegation]()
        for item in recipientValues {
            guard let delegation = item.stringValue.flatMap(Delegation.init(rawValue:)) else { throw fail("recipients") }
            recipients.append(delegation)
        }
        guard let haveObject = top["have"]?.objectValue, haveObject.count <= 100_000 else { throw fail("have") }
        var have = [ReplicaID: (seq: Int64, hash: String)]()
        for (key, entry) in haveObject {
            guard let replica = ReplicaID(hex: key), let pair = entry.arrayValue, pair.count == 2,
                  let seq = pair[0].intValue, seq >= 0, let hash = pair[1].stringValue, ReplicaID.isHex(hash, count: 64)
            else { throw fail("have") }
            have[replica] = (seq, hash)
        }
        guard let segmentValues = top["segments"]?.arrayValue, segmentValues.count <= 100_000 else { throw fail("segments") }
        var segments = [Segment]()
        for item in segmentValues {
            guard let object = item.objectValue, Set(object.keys) == ["replica", "from", "to", "head"],
                  let replica = object["replica"]?.stringValue.flatMap(ReplicaID.init(hex:)),
                  let from = object["from"]?.intValue, let to = object["to"]?.intValue, from >= 1, to >= from,
                  to - from < 10_000_000,
                  let head = object["head"]?.objectValue, Set(head.keys) == ["hash", "signature"],
                  let hash = head["hash"]?.stringValue, ReplicaID.isHex(hash, count: 64),
                  let signatureText = head["signature"]?.stringValue, let signature = Data(base64Encoded: signatureText),
                  signature.count == 64 else { throw fail("segment") }
            segments.append(Segment(replica: replica, from: from, to: to, headHash: hash, headSignature: Array(signature)))
        }
        func documents(_ key: String, limit: Int) throws(BundleError) -> [[UInt8]] {
            guard let values = top[key]?.arrayValue, values.count <= limit else { throw fail(key) }
            var result = [[UInt8]]()
            for value in values {
                guard let text = value.stringValue, let data = Data(base64Encoded: text), data.base64EncodedString() == text else {
                    throw fail(key)
                }
                result.append(Array(data))
            }
            return result
        }
        let proofs = try documents("fork_proofs", limit: Self.maximumProofs)
        let certificates = try documents("certificates", limit: Self.maximumDocuments)
        let revocations = try documents("revocations", limit: Self.maximumDocuments)
        let rotations = try documents("rotations", limit: Self.maximumRotations)
        let cards = try documents("cards", limit: Self.maximumDocuments)
        let opsMembers: Set<String> = wire >= 2 ? ["sha256", "size", "count", "thin"] : ["sha256", "size", "count"]
        guard let ops = top["ops"]?.objectValue, Set(ops.keys) == opsMembers,
              let sha = ops["sha256"]?.stringValue, ReplicaID.isHex(sha, count: 64),
              let size = ops["size"]?.intValue, size >= 0, let count = ops["count"]?.intValue, count >= 0 else { throw fail("ops") }
        var thin = false
        if wire >= 2 {
            guard case .bool(let flag)? = ops["thin"] else { throw fail("ops") }
            thin = flag
        }
        self.init(bundleID: bundleID, created: created, exporter: exporterID, exporterDelegation: delegation,
                  exporterFingerprint: fingerprint, recipients: recipients, have: have, segments: segments,
                  opsSHA256: sha, opsSize: Int(size), opsCount: Int(count), wire: wire, thin: thin)
        forkProofs = proofs
        self.certificates = certificates
        self.revocations = revocations
        self.rotations = rotations
        self.cards = cards
        if let value = top["envelope"] {
            guard let object = value.objectValue, Set(object.keys) == ["recipients", "stanzas"],
                  let list = object["recipients"]?.arrayValue, !list.isEmpty, list.count <= Self.maximumRecipients,
                  let stanzas = object["stanzas"]?.stringValue, ReplicaID.isHex(stanzas, count: 64) else { throw fail("envelope") }
            var recipients = [ReplicaID]()
            for item in list {
                guard let replica = item.stringValue.flatMap(ReplicaID.init(hex:)) else { throw fail("envelope") }
                recipients.append(replica)
            }
            guard Set(recipients).count == recipients.count else { throw fail("envelope") }
            envelope = Envelope(recipients: recipients, stanzas: stanzas)
        }
    }

    private static func base64(_ documents: [[UInt8]]) -> JSONValue {
        .array(documents.map { .string(Data($0).base64EncodedString()) })
    }
}
