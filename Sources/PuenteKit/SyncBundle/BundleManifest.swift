import Foundation

/// `manifest.json`: what a bundle carries, signed as is by its exporter.
struct BundleManifest: Equatable {
    static let format = "puente-bundle/1"
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
    /// Canonical bytes of every fork proof the exporter holds.
    var forkProofs: [[UInt8]] = []

    static func == (lhs: BundleManifest, rhs: BundleManifest) -> Bool { lhs.json == rhs.json }

    /// The head attestation message of the design: `puente-head/1\n<replica>\n<seq>\n<hash>\n`.
    static func headMessage(replica: ReplicaID, seq: Int64, hash: String) -> [UInt8] {
        SignedMessage.head.bytes(Array("\(replica.hex)\n\(seq)\n\(hash)\n".utf8))
    }

    var json: JSONValue {
        var haveObject = [String: JSONValue]()
        for (replica, entry) in have { haveObject[replica.hex] = [.int(entry.seq), .string(entry.hash)] }
        return [
            "format": .string(Self.format), "bundle": .string(bundleID), "created": .string(created),
            "exporter": ["replica": .string(exporter.hex), "delegation": .string(exporterDelegation.rawValue),
                         "fingerprint": .string(exporterFingerprint)],
            "recipients": .array(recipients.map { .string($0.rawValue) }),
            "have": .object(haveObject),
            "segments": .array(segments.map { segment in
                ["replica": .string(segment.replica.hex), "from": .int(segment.from), "to": .int(segment.to),
                 "head": ["hash": .string(segment.headHash), "signature": .string(Data(segment.headSignature).base64EncodedString())]]
            }),
            "certificates": [], "revocations": [],
            "fork_proofs": .array(forkProofs.map { .string(Data($0).base64EncodedString()) }),
            "ops": ["sha256": .string(opsSHA256), "size": .int(Int64(opsSize)), "count": .int(Int64(opsCount))],
        ]
    }

    init(bundleID: String, created: String, exporter: ReplicaID, exporterDelegation: Delegation, exporterFingerprint: String,
         recipients: [Delegation], have: [ReplicaID: (seq: Int64, hash: String)], segments: [Segment],
         opsSHA256: String, opsSize: Int, opsCount: Int) {
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
    }

    /// Reads a manifest strictly: canonical bytes, exactly the members of the format.
    init(bytes: [UInt8]) throws(BundleError) {
        guard bytes.count <= Self.maximumSize else { throw BundleError("too-large", "manifest.json") }
        let value: JSONValue
        do {
            value = try CanonicalJSON.decodeCanonical(bytes)
        } catch {
            throw BundleError("manifest", "not canonical JSON (\(error.reason.rawValue))")
        }
        func fail(_ what: String) -> BundleError { BundleError("manifest", what) }
        guard let top = value.objectValue,
              Set(top.keys) == ["format", "bundle", "created", "exporter", "recipients", "have", "segments", "certificates",
                                "revocations", "fork_proofs", "ops"] else { throw fail("members") }
        guard top["format"]?.stringValue == Self.format else { throw fail("format") }
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
        for key in ["certificates", "revocations"] where top[key]?.arrayValue?.isEmpty != true {
            throw fail("\(key) are not supported by this version")
        }
        guard let proofValues = top["fork_proofs"]?.arrayValue, proofValues.count <= 1_000 else { throw fail("fork_proofs") }
        var proofs = [[UInt8]]()
        for value in proofValues {
            guard let text = value.stringValue, let data = Data(base64Encoded: text), data.base64EncodedString() == text else {
                throw fail("fork_proofs")
            }
            proofs.append(Array(data))
        }
        guard let ops = top["ops"]?.objectValue, Set(ops.keys) == ["sha256", "size", "count"],
              let sha = ops["sha256"]?.stringValue, ReplicaID.isHex(sha, count: 64),
              let size = ops["size"]?.intValue, size >= 0, let count = ops["count"]?.intValue, count >= 0 else { throw fail("ops") }
        self.init(bundleID: bundleID, created: created, exporter: exporterID, exporterDelegation: delegation,
                  exporterFingerprint: fingerprint, recipients: recipients, have: have, segments: segments,
                  opsSHA256: sha, opsSize: Int(size), opsCount: Int(count))
        forkProofs = proofs
    }
}
