import Foundation
import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// An outsider's bundle costs its manifest and a signature; a member's bundle that contradicts
/// its manifest stops at the first contradiction. Each bundle's `ops.jsonl` is corrupt past the
/// point where the check must stop, so a reader that inflated further would report the
/// corruption instead of the contradiction.
@Suite struct OutsiderCostTests {
    /// A signed bundle from `exporter` whose `ops.jsonl` entry has `compressed` as its deflate
    /// stream and declares `size` bytes and `count` lines in one segment of the exporter.
    static func bundle(from exporter: Replica, compressed: [UInt8], size: Int, count: Int, crc: UInt32) throws -> [UInt8] {
        let forge = try BundleForge(exporter: exporter)
        var manifest = try forge.manifest(segments: [], opsBytes: [], count: count).objectValue ?? [:]
        manifest["ops"] = ["sha256": .string(String(repeating: "0", count: 64)), "size": .int(Int64(size)), "count": .int(Int64(count))]
        manifest["segments"] = [["replica": .string(exporter.identity.replica.hex), "from": 1, "to": .int(Int64(count)),
                                 "head": ["hash": .string(String(repeating: "a", count: 64)),
                                          "signature": .string(Data(repeating: 1, count: 64).base64EncodedString())]]]
        manifest["cards"] = [.string(Data(try exporter.identityCardFile()).base64EncodedString())]
        let bytes = CanonicalJSON.encode(.object(manifest))
        var ops = ZipBuilder.Entry("ops.jsonl", [], deflate: true)
        ops.compressedOverride = compressed
        ops.declaredSize = UInt32(size)
        ops.declaredCRC = crc
        return ZipBuilder.build([ZipBuilder.Entry("manifest.json", bytes),
                                 ZipBuilder.Entry("manifest.sig", try BundleForge.key(of: exporter).sign(bytes)), ops])
    }

    /// `content` deflated, with its last bytes changed: inflating it to the end fails.
    static func corruptAtTheEnd(_ content: [UInt8]) -> [UInt8] {
        var compressed = ZipBuilder.deflate(content)
        for index in compressed.count - 4..<compressed.count { compressed[index] ^= 0x5a }
        return compressed
    }

    static func problem(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as BundleError {
            return error.problem
        } catch {
            return "\(error)"
        }
    }

    @Test func anUntrustedExportersBundleIsRefusedBeforeAnythingIsInflated() throws {
        let world = try Delegations()
        let victim = try world.member(.us, "victim")
        let stranger = try Replica.initialize(folder: world.folder.sub("stranger"), delegation: .us, name: "Stranger")
        // Not a deflate stream at all, declaring 1 GiB of lines: only inflating would find out.
        let garbage = [UInt8]((0..<65_536).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) })
        let bundle = try Self.bundle(from: stranger, compressed: garbage, size: 1 << 30, count: 1, crc: 0)
        let before = try victim.digest()
        #expect(Self.problem { _ = try victim.importBundle(bytes: bundle) } == "untrusted-exporter")
        #expect(try victim.digest() == before)
    }

    @Test func aMembersStreamThatContradictsItsManifestStopsAtTheFirstContradiction() throws {
        var world = try Delegations()
        let desk = try world.member(.us, "desk")
        let victim = try world.member(.us, "victim")
        try world.send(world.usAdmin, to: victim)
        try world.send(world.usAdmin, to: desk)
        let lines = Array(String(repeating: "{}\n", count: 400_000).utf8)
        let newlines = [UInt8](repeating: 0x0a, count: 1_200_000)
        let long = [UInt8](repeating: 0x61, count: 1_200_000) + [0x0a]
        for (content, count, expected) in [(lines, 1, "ops-count"), (newlines, 1, "line"), (long, 1, "line")] {
            let bundle = try Self.bundle(from: desk, compressed: Self.corruptAtTheEnd(content), size: content.count, count: count,
                                         crc: ZipBuilder.crc(content))
            #expect(Self.problem { _ = try victim.importBundle(bytes: bundle) } == expected)
        }
    }
}
