import CPuenteZlib
import Foundation
import PuenteCrypto
import PuenteKit

/// Builds ZIP files byte by byte, so tests can make every malformation the strict reader refuses.
public enum ZipBuilder {
    public struct Entry {
        public var name: String
        public var content: [UInt8]
        public var deflate: Bool
        public var flags: UInt16 = 0x800
        public var external: UInt32 = 0o100644 << 16
        /// Overrides, to lie about an entry.
        public var declaredSize: UInt32?
        public var declaredCRC: UInt32?
        public var extra: [UInt8] = []
        public var compressedOverride: [UInt8]?

        public init(_ name: String, _ content: [UInt8], deflate: Bool = false) {
            self.name = name
            self.content = content
            self.deflate = deflate
        }
    }

    public static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
    }

    public static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        guard puente_deflate_init_raw(&stream) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 64)
        let produced: Int = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                _ = CPuenteZlib.deflate(&stream, Z_FINISH)
                return Int(stream.total_out)
            }
        }
        return Array(output.prefix(produced))
    }

    static func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xff), UInt8(value >> 8 & 0xff)] }
    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(value >> (8 * $0) & 0xff) } }

    /// The ZIP of `entries`, in order, then the central directory and its end record.
    public static func build(_ entries: [Entry]) -> [UInt8] {
        var out = [UInt8]()
        var central = [UInt8]()
        for entry in entries {
            let data = entry.compressedOverride ?? (entry.deflate ? deflate(entry.content) : entry.content)
            let name = Array(entry.name.utf8)
            let method = entry.deflate ? 8 : 0
            let crc = entry.declaredCRC ?? crc(entry.content)
            let size = entry.declaredSize ?? UInt32(entry.content.count)
            let offset = UInt32(out.count)
            var common = le16(20) + le16(Int(entry.flags)) + le16(method) + le16(0) + le16(0x21)
            common += le32(crc) + le32(UInt32(data.count)) + le32(size) + le16(name.count) + le16(entry.extra.count)
            out += le32(0x0403_4b50) + common + name + entry.extra + data
            central += le32(0x0201_4b50) + le16(0x031e) + common + le16(0) + le16(0) + le16(0) + le32(entry.external)
            central += le32(offset) + name + entry.extra
        }
        let cdOffset = UInt32(out.count)
        out += central
        out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
        out += le32(UInt32(central.count)) + le32(cdOffset) + le16(0)
        return out
    }
}

/// Signs manifests and head attestations with real keys read from test stores.
public struct BundleForge {
    public let exporter: Replica
    let key: PrivateKey

    public init(exporter: Replica) throws {
        self.exporter = exporter
        key = try PrivateKey(pem: try KeyFile.read(path: exporter.folder + "/" + Replica.signingKeyFile), expecting: .ed25519)
    }

    /// The `ops.jsonl` lines of one segment, in the wire form.
    public static func wireLines(_ ops: [Op]) -> [[UInt8]] {
        ops.enumerated().map { WireForm.line($0.element, first: $0.offset == 0) }
    }

    /// `ops` re-linked from `firstPrev`: each later op's prev is the hash of the one before, so
    /// the run is internally whole but does not continue the author's real chain.
    public static func relinked(_ ops: [Op], firstPrev: String) -> [Op] {
        var out = [Op]()
        for op in ops {
            let prev = out.last?.hash ?? firstPrev
            out.append(Op(replica: op.replica, seq: op.seq, hlc: op.hlc, prev: prev, entity: op.entity, kind: op.kind,
                          field: op.field, value: op.value, refs: op.refs))
        }
        return out
    }

    /// The signing key of any test store.
    public static func key(of replica: Replica) throws -> PrivateKey {
        try PrivateKey(pem: try KeyFile.read(path: replica.folder + "/" + Replica.signingKeyFile), expecting: .ed25519)
    }

    /// A head attestation of `author` over `op`.
    public static func attest(_ op: Op, by author: Replica) throws -> [UInt8] {
        try key(of: author).sign(Array("puente-head/1\n\(op.replica.hex)\n\(op.seq)\n\(op.hash)\n".utf8))
    }

    /// The manifest members for `segments` of `ops`, written independently of the implementation.
    public func manifest(segments: [(ops: [Op], author: Replica)], opsBytes: [UInt8], count: Int) throws -> JSONValue {
        let card = try exporter.identityCard()
        let segmentValues: [JSONValue] = try segments.map { segment in
            guard let first = segment.ops.first, let last = segment.ops.last else { return .null }
            return ["replica": .string(first.replica.hex), "from": .int(first.seq), "to": .int(last.seq),
                    "head": ["hash": .string(last.hash),
                             "signature": .string(Data(try Self.attest(last, by: segment.author)).base64EncodedString())]]
        }
        return ["format": "puente-bundle/1", "bundle": .string(String(repeating: "ab", count: 16)), "created": "2026-01-01T00:00:00Z",
                "exporter": ["replica": .string(exporter.identity.replica.hex), "delegation": .string(exporter.identity.delegation.rawValue),
                             "fingerprint": .string(card.fingerprint.text())],
                "recipients": [], "have": [:], "segments": .array(segmentValues), "certificates": [], "revocations": [],
                "rotations": [], "cards": [],
                "fork_proofs": [], "ops": ["sha256": .string(Digest.sha256hex(opsBytes)), "size": .int(Int64(opsBytes.count)),
                                           "count": .int(Int64(count))]]
    }

    /// A complete bundle of `segments`, with `lines` as ops.jsonl (the ops' canonical lines by
    /// default), carrying the given trust documents (exact signed bytes) in its manifest.
    public func bundle(segments: [(ops: [Op], author: Replica)], lines: [[UInt8]]? = nil,
                       certificates: [[UInt8]] = [], revocations: [[UInt8]] = [], rotations: [[UInt8]] = [],
                       forkProofs: [[UInt8]] = [],
                       editManifest: (inout [UInt8]) -> Void = { _ in }) throws -> [UInt8] {
        let opsLines: [[UInt8]] = lines ?? segments.flatMap { Self.wireLines($0.ops) }
        var opsBytes = [UInt8]()
        for line in opsLines { opsBytes += line + [0x0a] }
        var members = try self.manifest(segments: segments, opsBytes: opsBytes, count: opsLines.count).objectValue ?? [:]
        func base64(_ documents: [[UInt8]]) -> JSONValue { .array(documents.map { .string(Data($0).base64EncodedString()) }) }
        members["certificates"] = base64(certificates)
        members["revocations"] = base64(revocations)
        members["rotations"] = base64(rotations)
        members["fork_proofs"] = base64(forkProofs)
        var manifest = CanonicalJSON.encode(.object(members))
        editManifest(&manifest)
        let signature = try key.sign(manifest)
        return ZipBuilder.build([ZipBuilder.Entry("manifest.json", manifest), ZipBuilder.Entry("manifest.sig", signature),
                                 ZipBuilder.Entry("ops.jsonl", opsBytes, deflate: true)])
    }
}

/// The `ops.jsonl` content of one segment of `ops`, in the wire form, each line and a newline.
public func opsJSONL(_ ops: [Op]) -> [UInt8] {
    var out = [UInt8]()
    for line in BundleForge.wireLines(ops) { out += line + [0x0a] }
    return out
}

extension ZipBuilder {
    /// Raw deflate of `count` zero bytes, streamed in chunks (for an honest zip bomb).
    public static func deflateZeros(count: Int) -> [UInt8] {
        var stream = z_stream()
        guard puente_deflate_init_raw(&stream) == Z_OK else { return [] }
        defer { deflateEnd(&stream) }
        var zeros = [UInt8](repeating: 0, count: 1 << 20)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var out = [UInt8]()
        var remaining = count
        while true {
            let take = min(remaining, zeros.count)
            remaining -= take
            let flush = remaining == 0 ? Z_FINISH : Z_NO_FLUSH
            var status: Int32 = Z_OK
            zeros.withUnsafeMutableBufferPointer { input in
                stream.next_in = input.baseAddress
                stream.avail_in = UInt32(take)
                repeat {
                    chunk.withUnsafeMutableBufferPointer { buffer in
                        stream.next_out = buffer.baseAddress
                        stream.avail_out = UInt32(buffer.count)
                        status = CPuenteZlib.deflate(&stream, flush)
                        out.append(contentsOf: buffer.prefix(buffer.count - Int(stream.avail_out)))
                    }
                } while stream.avail_out == 0
            }
            if remaining == 0 || status == Z_STREAM_END { break }
        }
        return out
    }
}
