import Foundation
import PropertyBased
@testable import PuenteKit
import PuenteTestSupport
import Testing

/// The bundle reader streams `ops.jsonl` through fixed buffers (256 KiB of input, 1 MiB of
/// output) from memory or from a file: these tests cross every piece boundary.
@Suite(.timeLimit(.minutes(20))) struct StreamingReaderTests {
    /// A bundle-shaped ZIP whose `ops.jsonl` is `content`.
    static func zip(_ content: [UInt8], deflate: Bool, tamper: (inout ZipBuilder.Entry) -> Void = { _ in }) -> [UInt8] {
        var ops = ZipBuilder.Entry("ops.jsonl", content, deflate: deflate)
        tamper(&ops)
        return ZipBuilder.build([ZipBuilder.Entry("manifest.json", Array("{}".utf8)),
                                 ZipBuilder.Entry("manifest.sig", [UInt8](repeating: 0, count: 64)), ops])
    }

    /// Random printable text: it barely compresses, so the deflated entry spans many input pieces.
    static func text(_ count: Int, _ rng: inout SplitMix) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0x20...0x7e, using: &rng) }
    }

    /// Both sources of the same bytes: memory, and a file read with `pread`.
    static func sources(_ bytes: [UInt8], in folder: TemporaryFolder) throws -> [any BundleBytes] {
        let path = folder.sub("bundle-\(UInt32.random(in: 0...UInt32.max)).puente")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return [MemoryBundleBytes(bytes), try openBundle(path: path, limit: 1 << 30)]
    }

    static func drain(_ reader: EntryReader) throws(BundleError) -> [UInt8] {
        var out = [UInt8]()
        while let piece = try reader.next() { out += piece }
        return out
    }

    /// Why reading `ops.jsonl` to its end fails; nil when it reads.
    static func refusal(_ source: any BundleBytes) -> BundleError? {
        func read() throws(BundleError) {
            _ = try drain(try StrictZip(source: source).open("ops.jsonl", limit: 1 << 30))
        }
        do {
            try read()
            return nil
        } catch {
            return error
        }
    }

    @Test func linesReadInPiecesAreExactlyTheLinesWritten() async throws {
        let folder = try TemporaryFolder()
        await propertyCheck(count: 16, input: Gen.int(in: 0...Int.max)) { seed in
            do {
                var rng = SplitMix(state: UInt64(seed))
                var lines = [[UInt8]]()
                var total = 0
                let target = Int.random(in: 0...(3 << 20), using: &rng)
                while total < target {
                    let length = [0, 1, Int.random(in: 2...400, using: &rng), Int.random(in: 400...66_000, using: &rng)]
                        .randomElement(using: &rng) ?? 0
                    lines.append(Self.text(length, &rng))
                    total += length + 1
                }
                let content: [UInt8] = lines.flatMap { $0 + [UInt8(0x0a)] }
                let bytes = Self.zip(content, deflate: Bool.random(using: &rng))
                for source in try Self.sources(bytes, in: folder) {
                    let container = try StrictZip(source: source)
                    #expect(try Self.drain(container.open("ops.jsonl", limit: 1 << 30)) == content, "seed \(seed)")
                    let reader = LineReader(try container.open("ops.jsonl", limit: 1 << 30))
                    if let long = lines.firstIndex(where: { $0.count > Op.maximumEncodedSize }) {
                        var read = 0
                        do {
                            while try reader.next() != nil { read += 1 }
                            Issue.record("a line over 64 KiB was read (seed \(seed))")
                        } catch let error as BundleError {
                            #expect(error.problem == "line" && read == long, "seed \(seed): \(error)")
                        }
                    } else {
                        var read = [[UInt8]]()
                        while let line = try reader.next() { read.append(line) }
                        #expect(read == lines, "seed \(seed)")
                    }
                }
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
    }

    @Test func aLyingOrBrokenEntryIsRefusedWhereverTheFaultFalls() throws {
        let folder = try TemporaryFolder()
        var rng = SplitMix(state: 0x5eed)
        let content = Self.text(3 << 20, &rng) + [0x0a]
        let deflated = ZipBuilder.deflate(content)
        let piece = EntryReader.inputPiece
        // Cuts on and beside input-piece boundaries, early and at the very end.
        var cases = [[UInt8]]()
        for cut in [1, piece - 1, piece, piece + 1, 2 * piece, deflated.count / 2, deflated.count - 1] {
            cases.append(Self.zip(content, deflate: true) { $0.compressedOverride = Array(deflated.prefix(cut)) })
        }
        cases.append(Self.zip(content, deflate: true) { $0.compressedOverride = deflated + [1, 2, 3] })
        cases.append(Self.zip(content, deflate: true) { $0.declaredSize = UInt32(content.count - 1) })
        cases.append(Self.zip(content, deflate: true) { $0.declaredSize = UInt32(content.count + 1) })
        cases.append(Self.zip(content, deflate: true) { $0.declaredCRC = ZipBuilder.crc(content) ^ 1 })
        cases.append(Self.zip(content, deflate: false) { $0.declaredCRC = ZipBuilder.crc(content) ^ 1 })
        var flipped = deflated
        flipped[flipped.count / 3] ^= 0x40
        cases.append(Self.zip(content, deflate: true) { $0.compressedOverride = flipped })
        for (index, bytes) in cases.enumerated() {
            for source in try Self.sources(bytes, in: folder) {
                let clock = ContinuousClock()
                let start = clock.now
                let refusal = Self.refusal(source)
                #expect(refusal?.problem == "inflate", "case \(index): \(String(describing: refusal))")
                // A hang guard, not a speed target.
                #expect(clock.now - start < .seconds(10), "case \(index)")
            }
        }
    }

    @Test func aBundleImportsTheSameFromAFileAPipeAndMemory() throws {
        let setup = try BundleReaderTests.Setup()
        let valid = try setup.valid
        let folder = try TemporaryFolder()
        let path = folder.sub("valid.puente")
        try Data(valid).write(to: URL(fileURLWithPath: path))

        let report = try setup.importer.importBundle(path: path)
        #expect(report.refusedSegments.isEmpty)
        #expect(report.receive.appliedTotal == setup.ops.count + setup.thirdOps.count)
        _ = try setup.exporter.receive(setup.thirdOps)
        #expect(try setup.importer.digest().state == setup.exporter.digest().state)

        // A named pipe (as with `<(…)` or /dev/stdin) is read into memory, up to the same cap.
        let fifo = folder.sub("pipe.puente")
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo) {
                handle.write(Data(valid))
                try? handle.close()
            }
        }
        writer.start()
        let again = try setup.importer.importBundle(path: fifo)
        #expect(again.receive.appliedTotal == 0 && again.receive.duplicates == setup.ops.count + setup.thirdOps.count)
        let fromMemory = try setup.importer.importBundle(bytes: valid)
        #expect(fromMemory.receive.duplicates == again.receive.duplicates)

        let before = try setup.importer.digest()
        #expect(throws: BundleError(.unreadable, folder.sub("missing.puente"))) {
            try setup.importer.importBundle(path: folder.sub("missing.puente"))
        }
        #expect(throws: BundleError(.unreadable, folder.path)) { try setup.importer.importBundle(path: folder.path) }
        #expect(try setup.importer.digest() == before)
    }

    /// Past `Intake.knownCap` parsed operations, materialization reads the rest back from the
    /// log: a store that keeps only one must end with exactly the rows of one that keeps all.
    @Test func materializingFromTheLogGivesTheSameRowsAsFromParsedOperations() throws {
        let group = try ReplicaGroup([.us, .mx])
        let (us, mx) = (group.replicas[0], group.replicas[1])
        _ = try us.importFile(try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath:
            Repository.path("Fixtures/bicentennial.json"))))))
        let base = group.folder.sub("base.puente")
        _ = try us.exportBundle(to: base)
        _ = try mx.importBundle(path: base)
        // Joint commitments, which both delegations may edit.
        let commitments = try us.commitments(CommitmentFilter(owner: .joint))
        #expect(commitments.count > 3)
        // Edits on both sides, some to the same fields (conflicts), some on one side only.
        for (index, commitment) in commitments.enumerated() {
            let entity = try us.resolveID(commitment.id, as: .commitment)
            try us.set(entity, field: "status", value: index % 2 == 0 ? "in-progress" : "stalled")
            try us.set(entity, field: "priority", value: "high")
            if index % 3 == 0 { _ = try us.addNote(to: entity, text: "Revisado en la reunión técnica") }
            if index % 2 == 0 {
                try mx.set(try mx.resolveID(commitment.id, as: .commitment), field: "status", value: "agreed")
            }
        }
        let bundle = group.folder.sub("edits.puente")
        _ = try us.exportBundle(to: bundle)
        let copyFolder = group.folder.sub("mx-copy")
        try FileManager.default.copyItem(atPath: group.folder.sub("r1"), toPath: copyFolder)
        let copy = try Replica.open(folder: copyFolder, wallClock: group.clock)

        let keptAll = try mx.importBundle(path: bundle)
        let keptOne = try copy.importBundle(source: openBundle(path: bundle, limit: Replica.maximumBundleFileSize), knownCap: 1)
        #expect(keptAll.receive.appliedTotal > 2 * commitments.count)
        #expect(keptOne.receive.appliedTotal == keptAll.receive.appliedTotal)
        #expect(keptOne.receive.conflictsCreated == keptAll.receive.conflictsCreated && keptAll.receive.conflictsCreated > 0)
        #expect(try copy.materializedRows() == mx.materializedRows())
        #expect(try copy.digest() == mx.digest())
    }

    /// An export hands `ops.jsonl` from its reading thread to deflate through a bounded pipe: a
    /// bundle longer than the pipe holds reads back whole, and no temporary file is left beside it.
    @Test func anExportLongerThanItsBufferReadsBackWholeAndLeavesNoTemporaryFile() throws {
        let group = try ReplicaGroup([.us, .mx])
        let (us, mx) = (group.replicas[0], group.replicas[1])
        _ = try us.importFile(try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath:
            Repository.path("Fixtures/bicentennial.json"))))))
        for commitment in try us.commitments() where commitment.owner != .mx {
            let entity = try us.resolveID(commitment.id, as: .commitment)
            for _ in 0..<6 {
                for status in ["agreed", "in-progress", "stalled", "in-progress"] { try us.set(entity, field: "status", value: .string(status)) }
            }
        }
        let folder = try TemporaryFolder()
        let path = folder.sub("all.puente")
        let capacity = 1 << 16
        let report = try us.exportBundle(to: path, full: true, pipeCapacity: capacity)
        let ops = try us.operations(of: us.identity.replica)
        #expect(report.operations == ops.count)
        let zip = try StrictZip(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let opsSize = try #require(zip.entries["ops.jsonl"]?.size)
        #expect(opsSize > capacity)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["all.puente"])

        let imported = try mx.importBundle(path: path)
        #expect(imported.refusedSegments.isEmpty)
        #expect(imported.receive.appliedTotal == ops.count)
        #expect(try mx.operations(of: us.identity.replica).map(\.hash) == ops.map(\.hash))
        #expect(try mx.digest().state == us.digest().state)

        // A folder that cannot be written to: a clear error, nothing left behind.
        #expect(throws: (any Error).self) { try us.exportBundle(to: folder.sub("missing/none.puente"), full: true) }
    }

    /// The ZIP is written beside its target and renamed over it: an existing bundle is replaced
    /// whole, and a failure at any step is a `WriteError` naming the target, with no temporary
    /// file left behind.
    @Test func aZipIsRenamedIntoPlaceAndEveryFailureIsAWriteError() throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("out.puente")
        try Data("an older bundle".utf8).write(to: URL(fileURLWithPath: path))
        func entries(_ zip: Replica.ZipWriter) throws {
            try zip.add("manifest.json", bytes: Array("{}".utf8))
            try zip.add("manifest.sig", bytes: Array(repeating: 7, count: 64))
            try zip.add("ops.jsonl", bytes: Array(repeating: UInt8(ascii: "a"), count: 100_000), deflate: true)
        }
        let size = try BundleExporter.writeZip(to: path, entries)
        let written = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(size == written.count)
        let zip = try StrictZip(bytes: written)
        #expect(try zip.content("ops.jsonl", limit: 200_000) == Array(repeating: UInt8(ascii: "a"), count: 100_000))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["out.puente"])

        // The ZIP cannot be created: its folder does not exist.
        let missing = folder.sub("missing/out.puente")
        #expect(throws: WriteError(missing, ENOENT)) { try BundleExporter.writeZip(to: missing, entries) }
        // A folder is where the ZIP would go: it is not a regular file, so nothing is written.
        let occupied = folder.sub("occupied.puente")
        try FileManager.default.createDirectory(atPath: occupied, withIntermediateDirectories: false)
        #expect(throws: WriteError.notRegular(occupied)) { try BundleExporter.writeZip(to: occupied, entries) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["occupied.puente", "out.puente"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(written))
    }

    /// A file written a piece at a time appears whole: the pieces in order, replacing what was
    /// there; a failure to write names the target, and a failure of the producer leaves the old
    /// file and no temporary file.
    @Test func aFileWrittenInPiecesAppearsWholeOrNotAtAll() throws {
        let folder = try TemporaryFolder()
        let path = folder.sub("briefing.md")
        try Data("an older briefing".utf8).write(to: URL(fileURLWithPath: path))
        let pieces = (0..<300).map { Array("line \($0) \(String(repeating: "·", count: $0))\n".utf8) }
        try OutputFile.write(to: path) { emit in for piece in pieces { try emit(piece) } }
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == pieces.flatMap { $0 })
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["briefing.md"])

        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try OutputFile.write(to: path) { emit in
                try emit(Array("half of a new briefing".utf8))
                throw Interrupted()
            }
        }
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == pieces.flatMap { $0 })
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["briefing.md"])

        let missing = folder.sub("missing/briefing.md")
        #expect(throws: WriteError(missing, ENOENT)) { try OutputFile.write(to: missing) { emit in try emit([1]) } }
        let occupied = folder.sub("occupied.md")
        try FileManager.default.createDirectory(atPath: occupied, withIntermediateDirectories: false)
        #expect(throws: WriteError.notRegular(occupied)) { try OutputFile.write(to: occupied) { emit in try emit([1]) } }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["briefing.md", "occupied.md"])
    }
}
