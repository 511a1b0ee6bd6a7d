import Foundation
import GRDB
@testable import PuenteKit
import PuenteTestSupport
import Testing

/// An export reads its lines on one thread and deflates them on another, through a bounded
/// pipe (Design 51). These tests run real threads.
@Suite struct ExportPipeTests {
    struct Planted: Error, Equatable {}

    /// Whatever the pieces put and the counts taken, the consumer gets exactly the bytes put, in
    /// order, while at most `capacity` bytes wait (the producer blocks, then resumes).
    @Test(arguments: [1, 7, 64, 4096])
    func theBytesTakenAreTheBytesPut(capacity: Int) throws {
        var rng = SplitMix(state: UInt64(capacity))
        let pieces = (0..<300).map { _ in
            (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        let all = pieces.flatMap { $0 }
        let pipe = BytePipe(capacity: capacity)
        let producer = BackgroundWork { () throws -> Int in
            for piece in pieces { try pipe.put(piece) }
            pipe.finish()
            return pieces.count
        }
        // Exact counts, then whatever comes (as the ZIP writer reads a stream of unknown size).
        var taken = [UInt8]()
        while taken.count < all.count / 2 {
            let count = min(all.count / 2 - taken.count, Int.random(in: 0...300, using: &rng))
            let piece = try pipe.take(count)
            #expect(piece.count == count)
            taken.append(contentsOf: piece)
        }
        while let piece = try pipe.next(upTo: Int.random(in: 1...300, using: &rng)) {
            #expect(!piece.isEmpty)
            taken.append(contentsOf: piece)
        }
        #expect(taken == all)
        #expect(try pipe.next(upTo: 10) == nil)
        #expect(try producer.join().get() == 300)
        // Drained, the producer finished without an error: past the end the stream is short, by
        // exactly what was asked.
        #expect(throws: BytePipe.Short(asked: 1, got: 0)) { try pipe.take(1) }
        #expect(throws: BytePipe.Short(asked: 5, got: 0)) { try pipe.take(5) }
    }

    /// A producer's error reaches the consumer after the bytes put before it, and a stream that
    /// ends early says how short it fell.
    @Test func theProducersErrorComesAfterItsBytes() throws {
        let failing = BytePipe(capacity: 100)
        try failing.put([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        failing.finish(Planted())
        #expect(try failing.take(4) == Data([1, 2, 3, 4]))
        #expect(throws: Planted()) { try failing.take(10) }
        // Once drained, every read gives the producer's error, not a short stream.
        #expect(throws: Planted()) { try failing.take(1) }
        #expect(throws: Planted()) { try failing.next(upTo: 1) }

        let short = BytePipe(capacity: 100)
        try short.put([1, 2, 3])
        short.finish()
        #expect(throws: BytePipe.Short(asked: 5, got: 3)) { try short.take(5) }
        #expect(try short.next(upTo: 5) == nil)
    }

    /// A consumer that gives up releases a producer blocked on a full pipe: its `put` throws, and
    /// its thread ends.
    @Test func aCancelledPipeReleasesItsProducer() throws {
        let pipe = BytePipe(capacity: 16)
        let producer = BackgroundWork { () throws -> Int in
            var put = 0
            while true {
                try pipe.put(Array(repeating: 1, count: 8))
                put += 1
            }
        }
        #expect(try pipe.take(24).count == 24)
        pipe.cancel()
        guard case .failure(let error) = producer.join() else {
            Issue.record("the producer went on")
            return
        }
        #expect(error is BytePipe.Cancelled)
        // Joined twice: the same result at once.
        guard case .failure = producer.join() else {
            Issue.record("a second join differed")
            return
        }
    }

    /// When the reading thread fails, the export reports its error, not the short read it caused
    /// in the ZIP writer, and leaves neither a bundle nor a temporary file. Here a stored
    /// operation is not an operation (it has none of the members its wire line is made of).
    @Test func anExportWhoseReadingFailsReportsWhyAndWritesNothing() throws {
        let group = try ReplicaGroup([.us, .mx])
        let us = group.replicas[0]
        let entity = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "Operation Southbound", pillar: .prevent))
        for status in ["agreed", "in-progress", "stalled"] { try us.set(entity, field: "status", value: .string(status)) }
        let folder = try TemporaryFolder()
        let good = folder.sub("good.puente")
        let report = try us.exportBundle(to: good, full: true)
        #expect(report.operations == (try us.operations(of: us.identity.replica)).count && report.operations > 3)
        // Manifest last: ops.jsonl is written first, the manifest naming its hash after it.
        let zip = try StrictZip(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: good))))
        #expect(zip.entries["ops.jsonl"]?.dataOffset == 30 + "ops.jsonl".utf8.count)

        try DatabaseQueue(path: us.folder + "/" + Replica.databaseFile).write { db in
            try db.execute(sql: """
                UPDATE operation SET value = CAST('"stopped"' AS BLOB) WHERE author = (SELECT key FROM replica WHERE id = ?) AND seq = 3
                """, arguments: [us.identity.replica.hex])
        }
        // The row no longer rebuilds to the bytes its hash names.
        let bad = folder.sub("bad.puente")
        let error = #expect(throws: PuenteError.self) { try us.exportBundle(to: bad, full: true) }
        #expect(error?.code == .storeUnreadable)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["good.puente"])

        // The reading thread fails before its first line: the lines' column is gone. The
        // database's own error is reported, and nothing is written either.
        try DatabaseQueue(path: us.folder + "/" + Replica.databaseFile).write { db in
            try db.execute(sql: "ALTER TABLE operation RENAME COLUMN value TO gone")
        }
        #expect(throws: DatabaseError.self) { try us.exportBundle(to: bad, full: true) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["good.puente"])
    }
}
