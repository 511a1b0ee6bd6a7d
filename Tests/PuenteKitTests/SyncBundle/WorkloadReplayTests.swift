import Foundation
import PuenteKit
import PuenteTestSupport
import PuenteWorkload
import Testing

/// The benchmark's replay of the shared peer workload, at a small size (Fixtures/workload: 40
/// records, written by ../shared/bench/dump_workload.py): one operation per edit, and both
/// stores equal at the end.
@Suite struct WorkloadReplayTests {
    @Test func theWorkloadReplaysOneOperationPerEditAndConverges() throws {
        let workload = try Workload.load(folder: Repository.path("Fixtures/workload"))
        #expect(workload.records.count == 40 && workload.editsA.count == 400 && workload.editsB.count == 40)
        let folder = try TemporaryFolder()
        let replay = try WorkloadReplay(workload: workload, folder: folder.path, batchSize: 64)

        let created = try replay.create()
        let expectedCreated = workload.records.reduce(0) { $0 + 1 + $1.notes.count + $1.indicators.count }
        #expect(created == expectedCreated)
        try replay.baseSync()
        #expect(try replay.a.digest() == replay.b.digest())

        #expect(try replay.editA() == 400)
        // B's phase from a new process's view: the stores reopened, the records found by external id.
        let reopened = try WorkloadReplay(reopening: folder.path, workload: workload, batchSize: 64)
        #expect(try reopened.editB() == 40)
        #expect(try replay.a.operations(of: replay.a.identity.replica).count == created + 400)
        #expect(try replay.b.operations(of: replay.b.identity.replica).count == 40)

        let (fromA, fromB) = try replay.exportBoth()
        #expect(fromA.operations == 400)
        #expect(fromB.operations == 40)
        let (intoB, intoA) = try replay.importBoth()
        #expect(intoB.receive.appliedTotal == 400 && intoB.refusedSegments.isEmpty)
        #expect(intoA.receive.appliedTotal == 40 && intoA.refusedSegments.isEmpty)
        #expect(try replay.a.digest() == replay.b.digest())
        // Every operation was accepted: the workload's edits are all within the policy.
        #expect(try replay.a.log(limit: 10, rejectedOnly: true).isEmpty)
        #expect(try replay.a.commitments().count == 40)
    }
}
