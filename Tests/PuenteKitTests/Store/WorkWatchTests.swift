import Foundation
@testable import PuenteKit
import PuenteTestSupport
import Testing

/// Long work told to stop through its ``WorkWatch`` keeps nothing: an import file's records, a
/// bundle's operations, an export's file and a rebuild's rows are as they were; and each
/// reports its progress, in order, up to its total.
@Suite struct WorkWatchTests {
    /// Records every step, and asks to stop at step `stopAt` (never when nil).
    final class Recorder: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var steps = [(phase: WorkPhase, done: Int, total: Int)]()
        let stopAt: Int?

        init(stopAt: Int?) { self.stopAt = stopAt }

        var watch: WorkWatch {
            WorkWatch(report: { phase, done, total in
                self.lock.lock()
                self.steps.append((phase, done, total))
                self.lock.unlock()
            }, stop: {
                self.lock.lock()
                defer { self.lock.unlock() }
                return self.stopAt.map { self.steps.count >= $0 } ?? false
            })
        }
    }

    static func fixture() throws -> ImportFile {
        try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))))
    }

    @Test func stoppedWorkKeepsNothingAndProgressIsReported() throws {
        let group = try ReplicaGroup([.us, .mx])
        let (us, mx) = (group.replicas[0], group.replicas[1])
        let empty = try us.materializedRows()

        // An import file: stopped after a few records, nothing kept; then whole, with progress.
        let stopped = Recorder(stopAt: 5)
        #expect(throws: WorkInterrupted.self) { try us.importFile(try Self.fixture(), watch: stopped.watch) }
        #expect(try us.materializedRows() == empty)
        #expect(try us.operations(of: us.identity.replica).isEmpty)
        let imported = Recorder(stopAt: nil)
        _ = try us.importFile(try Self.fixture(), watch: imported.watch)
        #expect(imported.steps.contains { $0.phase == .importing } && imported.steps.contains { $0.phase == .materializing })
        #expect(imported.steps.allSatisfy { $0.done <= $0.total })

        // An export: stopped mid-way, no file; then whole.
        let folder = try TemporaryFolder()
        let path = folder.sub("us.puente")
        let exportStopped = Recorder(stopAt: 10)
        #expect(throws: WorkInterrupted.self) { try us.exportBundle(to: path, watch: exportStopped.watch) }
        #expect(!FileManager.default.fileExists(atPath: path), "no bundle written")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "nor a temporary file left")
        let exported = Recorder(stopAt: nil)
        let report = try us.exportBundle(to: path, watch: exported.watch)
        #expect(exported.steps.filter { $0.phase == .exporting }.map(\.done) == Array(0..<report.operations))

        // A bundle's import: stopped at once (verifying) and mid-way, nothing kept; then whole.
        let before = try mx.materializedRows()
        for stopAt in [0, report.operations / 2] {
            let bundleStopped = Recorder(stopAt: stopAt)
            #expect(throws: WorkInterrupted.self) { try mx.importBundle(path: path, watch: bundleStopped.watch) }
            #expect(try mx.materializedRows() == before)
        }
        let received = Recorder(stopAt: nil)
        _ = try mx.importBundle(path: path, watch: received.watch)
        #expect(received.steps.contains { $0.phase == .verifying } && received.steps.contains { $0.phase == .importing })
        #expect(try mx.digest() == us.digest())

        // A rebuild: stopped, the rows are as they were.
        let rows = try mx.materializedRows()
        let rebuildStopped = Recorder(stopAt: 20)
        #expect(throws: WorkInterrupted.self) { try mx.rebuild(watch: rebuildStopped.watch) }
        #expect(try mx.materializedRows() == rows)
        #expect(rebuildStopped.steps.allSatisfy { $0.phase == .rebuilding })
    }
}
