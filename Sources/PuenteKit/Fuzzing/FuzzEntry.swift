import Foundation
import PuenteCrypto

/// Entry points for the libFuzzer harnesses in `Fuzz/`: each runs one reader of outside
/// input over arbitrary bytes. A thrown error is the expected answer to bad input; a crash,
/// a hang or a leak is a finding.
@_spi(Fuzzing)
public enum FuzzEntry {
    /// The strict bundle reader: container, entries, inflate, manifest, and every line of
    /// `ops.jsonl` decoded in its segment, as an import reads them before touching a store.
    /// Returns whether every part read.
    @discardableResult
    public static func bundle(_ bytes: [UInt8]) -> Bool {
        guard let container = try? StrictZip(bytes: bytes),
              let manifestBytes = try? container.content("manifest.json", limit: BundleManifest.maximumSize),
              (try? container.content("manifest.sig", limit: 64)) != nil,
              let manifest = try? BundleManifest(bytes: manifestBytes),
              let ops = try? container.content("ops.jsonl", limit: 64 * 1024 * 1024) else { return false }
        // Size and hash are checked, but the lines are decoded either way, to reach the decoders.
        var good = trustDocuments(manifest) && ops.count == manifest.opsSize && Digest.sha256hex(ops) == manifest.opsSHA256
        var lines = ops.split(separator: 0x0a, omittingEmptySubsequences: false)[...]
        for segment in manifest.segments {
            var previous: Op?
            // Wire form 2 restores references from the segment's earlier lines (a store would add its own).
            var restored = [OpID: ThinWire.Target]()
            for offset in 0..<min(segment.count, 100_000) {
                guard let line = lines.popFirst() else { return false }
                let decoded: Op?
                if manifest.wire == 1 {
                    decoded = try? WireForm.op(Array(line), previous: previous)
                } else {
                    decoded = try? ThinWire.op(Array(line), author: segment.replica, seq: segment.from + Int64(offset),
                                               previous: previous) { restored[$0] }
                }
                guard let op = decoded else { return false }
                restored[op.id] = ThinWire.Target(hash: op.hash, entity: op.entity, field: op.field)
                previous = op
            }
        }
        good = good && lines.count == 1 && lines.first?.isEmpty == true
        return good
    }

    /// The manifest reader and the trust documents it carries.
    @discardableResult
    public static func manifest(_ bytes: [UInt8]) -> Bool {
        guard let manifest = try? BundleManifest(bytes: bytes) else { return false }
        return trustDocuments(manifest)
    }

    /// One signed trust document of each kind, and an identity card.
    @discardableResult
    public static func trustDocument(_ bytes: [UInt8]) -> Bool {
        let read = [(try? Certificate(bytes: bytes)) != nil, (try? Revocation(bytes: bytes)) != nil,
                    (try? Rotation(bytes: bytes)) != nil, (try? IdentityCard(file: bytes)) != nil]
        return read.contains(true)
    }

    /// The operation decoders: canonical bytes, the wire form, and the strict JSON parser.
    @discardableResult
    public static func operation(_ bytes: [UInt8]) -> Bool {
        _ = try? JSONParser.parse(bytes)
        _ = try? WireForm.op(bytes, previous: nil)
        _ = try? ThinWire.shape(bytes, first: true)
        if let author = ReplicaID(hex: String(repeating: "a", count: 64)) {
            _ = try? ThinWire.op(bytes, author: author, seq: 1, previous: nil) { _ in nil }
        }
        guard let op = try? Op(canonicalBytes: bytes) else { return false }
        return op.canonicalBytes == bytes
    }

    /// The identity the envelope target opens with: the age specification's example identity
    /// (`AGE-SECRET-KEY-1GFPYYSJZ…`), whose recipient the seed corpus is encrypted to.
    static let envelopeIdentity = Age.privateKey(identity: "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX") ?? []

    /// The envelope reader: the age header, the stanzas unwrapped with ``envelopeIdentity``,
    /// the MAC, and every chunk of the payload authenticated and read back. Returns whether the
    /// whole payload opened.
    @discardableResult
    public static func envelope(_ bytes: [UInt8]) -> Bool {
        guard let header = try? AgeHeader(Array(bytes.prefix(AgeHeader.maximumSize))) else { return false }
        _ = Age.counts(header)
        guard let fileKey = try? Age.unwrap(header, identity: envelopeIdentity),
              Age.macMatches(header, fileKey: fileKey),
              let payload = try? AgePayloadBytes(source: MemoryBundleBytes(bytes), start: header.length, fileKey: fileKey) else {
            return false
        }
        return (try? payload.read(0, payload.count)) != nil
    }

    /// The import-file reader.
    @discardableResult
    public static func importFile(_ bytes: [UInt8]) -> Bool {
        (try? ImportFile(bytes: bytes)) != nil
    }

    private static func trustDocuments(_ manifest: BundleManifest) -> Bool {
        var good = true
        for document in manifest.certificates + manifest.revocations + manifest.rotations + manifest.cards {
            good = trustDocument(document) && good
        }
        for proof in manifest.forkProofs { _ = try? ForkProof(bytes: proof, key: { _ in nil }) }
        return good
    }
}
