import Foundation
@testable import PuenteKit
import PuenteTestSupport
import Testing

/// Puente writes its bundles' ZIP itself: what it writes reads back through the strict reader
/// byte for byte, and stock `unzip -t` and Python's `zipfile` find every entry sound.
@Suite(.timeLimit(.minutes(20))) struct ZipWriterTests {
    /// Runs a shell command; its exit status and what it printed.
    static func shell(_ command: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    static func stockToolsAccept(_ path: String) throws {
        let unzip = try shell("unzip -tq '\(path)'")
        #expect(unzip.status == 0, "\(unzip.output)")
        let python = try shell("""
            python3 -c "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; \
            print(','.join(z.namelist()))" '\(path)'
            """)
        #expect(python.status == 0 && python.output.hasPrefix("ops.jsonl,manifest.json,manifest.sig"), "\(python.output)")
    }

    @Test func entriesOfEverySizeReadBackAndPassStockTools() throws {
        let folder = try TemporaryFolder()
        var rng = SplitMix(state: 42)
        // Across pieces, blocks (128 KiB) and batches of blocks deflated at once.
        let sizes = [0, 1, 65_535, 65_536, 65_537, 131_072, 131_073, 300_000, 1_048_576, 2_500_001]
        for (index, size) in sizes.enumerated() {
            // Half text that deflates well, half noise that does not.
            let content = (0..<size).map { i in i % 2 == 0 ? UInt8(ascii: "a") + UInt8(i % 7) : UInt8.random(in: 0...255, using: &rng) }
            let manifest = Array("{\"n\":\(index)}".utf8)
            let path = folder.sub("z\(index).puente")
            let written = try BundleExporter.writeZip(to: path) { zip in
                try zip.add("ops.jsonl", bytes: content, deflate: true)
                try zip.add("manifest.json", bytes: manifest)
                try zip.add("manifest.sig", bytes: Array(repeating: 7, count: 64))
            }
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(written == bytes.count)
            let zip = try StrictZip(bytes: bytes)
            #expect(try zip.content("ops.jsonl", limit: 1 << 22) == content, "size \(size)")
            #expect(try zip.content("manifest.json", limit: 1 << 20) == manifest)
            try Self.stockToolsAccept(path)
        }
    }

    /// `ops.jsonl` is deflated in blocks on several cores and joined into one stream: the bytes
    /// are the same however many cores deflate it, zlib inflates them whole, and the seams cost
    /// under 0.2% against one stream of the same level.
    @Test func blocksDeflatedOnSeveralCoresJoinIntoOneStream() throws {
        var rng = SplitMix(state: 7)
        // Operation-like lines: repeats within a line and across the blocks' seams.
        var content = [UInt8]()
        while content.count < 1_500_000 {
            let line = "{\"entity\":\"commitment/\(UInt16.random(in: 0...999, using: &rng))\",\"field\":\"status\",\"hlc\":\"\(UInt32.random(in: 0...UInt32.max, using: &rng))\"}\n"
            content += Array(line.utf8)
        }
        func deflated(width: Int, pieces: Int) throws -> [UInt8] {
            let deflater = Replica.ParallelDeflater(path: "test", width: width)
            var out = [UInt8]()
            var start = 0
            while start < content.count {
                let end = min(content.count, start + pieces)
                out += try deflater.deflate(Array(content[start..<end]), finish: end == content.count)
                start = end
            }
            return out
        }
        let one = try deflated(width: 1, pieces: 65_536)
        for (width, pieces) in [(2, 65_536), (4, 10_000), (3, 1_000_000)] {
            #expect(try deflated(width: width, pieces: pieces) == one, "width \(width)")
        }
        let folder = try TemporaryFolder()
        try Data(one).write(to: URL(fileURLWithPath: folder.sub("ops.deflate")))
        try Data(content).write(to: URL(fileURLWithPath: folder.sub("ops.jsonl")))
        let check = try Self.shell("""
            python3 -c "import sys, zlib; d = open(sys.argv[1], 'rb').read(); o = zlib.decompressobj(-15); \
            assert o.decompress(d) == open(sys.argv[2], 'rb').read() and o.eof and not o.unused_data; \
            c = zlib.compressobj(6, zlib.DEFLATED, -15, 8); s = len(c.compress(open(sys.argv[2], 'rb').read()) + c.flush()); \
            print(len(d) / s)" '\(folder.sub("ops.deflate"))' '\(folder.sub("ops.jsonl"))'
            """)
        #expect(check.status == 0, "\(check.output)")
        let ratio = Double(check.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 9
        #expect(ratio < 1.002, "\(check.output)")
    }

    @Test func anExportedBundlePassesStockToolsAndImports() throws {
        let group = try ReplicaGroup([.us, .mx])
        let (us, mx) = (group.replicas[0], group.replicas[1])
        for index in 0..<300 {
            _ = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "Commitment \(index) on arms trafficking", pillar: .prevent))
        }
        let path = group.folder.sub("us.puente")
        let report = try us.exportBundle(to: path, full: true)
        #expect(report.operations == 300)
        try Self.stockToolsAccept(path)
        #expect(try mx.importBundle(path: path).receive.appliedTotal == 300)
        #expect(try mx.digest().state == us.digest().state)
    }
}
