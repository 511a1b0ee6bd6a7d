import Benchmark
import Foundation
import PuenteKit
import PuenteWorkload

// The shared peer workload (../shared/bench/README.md) through Puente's library, phase by phase,
// on two real stores and real bundle files. ordo-one/benchmark runs each benchmark in its own
// process, in name order, so each phase leaves its stores in PUENTE_BENCH_DIR and the next one
// reopens them.
//
//   PUENTE_WORKLOAD   the folder dump_workload.py wrote (records.jsonl, ops_a.jsonl, ops_b.jsonl)
//   PUENTE_BENCH_DIR  where the stores and bundles live (empty before "01"; kept afterwards)
//
// Benchmarks/run.sh sets both, and also times the same steps through the `puente` binary.

let environment = ProcessInfo.processInfo.environment
let workloadFolder = environment["PUENTE_WORKLOAD"] ?? ""
let benchFolder = environment["PUENTE_BENCH_DIR"] ?? ""

nonisolated(unsafe) var loadedWorkload: Workload?

func workload() throws -> Workload {
    if let loadedWorkload { return loadedWorkload }
    guard !workloadFolder.isEmpty else { throw Workload.LoadError(description: "set PUENTE_WORKLOAD (see Benchmarks/run.sh)") }
    let workload = try Workload.load(folder: workloadFolder)
    loadedWorkload = workload
    return workload
}

func reopen() throws -> WorkloadReplay {
    try WorkloadReplay(reopening: benchFolder, workload: workload())
}

/// One of the two stores alone (the phases that neither edit nor need the workload).
func store(_ name: String) throws -> Replica {
    try Replica.open(folder: benchFolder + "/" + name)
}

/// Operations per second, reported as a custom metric (larger is better).
let opsPerSecond = BenchmarkMetric.custom("operations/s", polarity: .prefersLarger, useScalingFactor: false)
let bytesPerOperation = BenchmarkMetric.custom("bundle bytes/operation", polarity: .prefersSmaller, useScalingFactor: false)

/// Runs a phase once, timed, and records its rate and a line in PUENTE_BENCH_DIR/results.jsonl.
func phase(_ benchmark: Benchmark, _ name: String, _ body: () throws -> (operations: Int, bytes: Int?)) throws {
    let start = ContinuousClock.now
    benchmark.startMeasurement()
    let (operations, bytes) = try body()
    benchmark.stopMeasurement()
    let seconds = (ContinuousClock.now - start) / .seconds(1)
    benchmark.measurement(opsPerSecond, Int(Double(operations) / max(seconds, 1e-9)))
    var line = "{\"phase\":\"\(name)\",\"operations\":\(operations),\"seconds\":\(seconds)"
    if let bytes {
        benchmark.measurement(bytesPerOperation, operations > 0 ? bytes / operations : 0)
        line += ",\"bytes\":\(bytes)"
    }
    line += "}\n"
    if let handle = FileHandle(forWritingAtPath: benchFolder + "/results.jsonl") ?? {
        FileManager.default.createFile(atPath: benchFolder + "/results.jsonl", contents: nil)
        return FileHandle(forWritingAtPath: benchFolder + "/results.jsonl")
    }() {
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        handle.closeFile()
    }
}

nonisolated(unsafe) let once = Benchmark.Configuration(metrics: [.wallClock, .peakMemoryResident, opsPerSecond, bytesPerOperation],
                                   warmupIterations: 0, maxDuration: .seconds(3_600), maxIterations: 1)
nonisolated(unsafe) let repeated = Benchmark.Configuration(metrics: [.wallClock, .peakMemoryResident], warmupIterations: 1,
                                       maxDuration: .seconds(10), maxIterations: 20)

let benchmarks: @Sendable () -> Void = {
    Benchmark("01 create records (A, local writes)", configuration: once) { benchmark in
        let replay = try WorkloadReplay(workload: workload(), folder: benchFolder)
        try phase(benchmark, "create") { (try replay.create(), nil) }
    }
    Benchmark("02 base sync (A full bundle into B)", configuration: once) { benchmark in
        let replay = try reopen()
        try phase(benchmark, "base") {
            let report = try replay.baseSync()
            return (report.operations, report.bytes)
        }
    }
    Benchmark("03 edit (A, local writes)", configuration: once) { benchmark in
        let replay = try reopen()
        try phase(benchmark, "editA") { (try replay.editA(), nil) }
    }
    Benchmark("04 edit (B, local writes)", configuration: once) { benchmark in
        let replay = try reopen()
        try phase(benchmark, "editB") { (try replay.editB(), nil) }
    }
    Benchmark("05 export (A to B, incremental)", configuration: once) { benchmark in
        let replay = try reopen()
        try phase(benchmark, "exportA") {
            let report = try replay.a.exportBundle(to: benchFolder + "/a-to-b.puente", for: .mx)
            return (report.operations, report.bytes)
        }
        _ = try replay.b.exportBundle(to: benchFolder + "/b-to-a.puente", for: .us)
        // A copy of B before the merge, for Benchmarks/run.sh to time `puente sync import` on.
        try? FileManager.default.removeItem(atPath: benchFolder + "/b-before-merge")
        try FileManager.default.copyItem(atPath: benchFolder + "/b", toPath: benchFolder + "/b-before-merge")
    }
    Benchmark("06 import (B, verified, durable, one transaction)", configuration: once) { benchmark in
        let b = try store("b")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: benchFolder + "/a-to-b.puente")))
        try phase(benchmark, "importB") { (try b.importBundle(bytes: bytes).receive.appliedTotal, nil) }
    }
    Benchmark("07 import (A)", configuration: once) { benchmark in
        let a = try store("a")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: benchFolder + "/b-to-a.puente")))
        try phase(benchmark, "importA") { (try a.importBundle(bytes: bytes).receive.appliedTotal, nil) }
        guard try a.digest() == store("b").digest() else { throw Workload.LoadError(description: "A and B differ") }
    }
    Benchmark("08 list (every commitment, B)", configuration: repeated) { benchmark in
        let b = try store("b")
        benchmark.startMeasurement()
        blackHole(try b.commitments().count)
    }
    Benchmark("09 show (one commitment, B)", configuration: repeated) { benchmark in
        let b = try store("b")
        guard let first = try b.commitments(CommitmentFilter(limit: 1)).first?.entity else { return }
        benchmark.startMeasurement()
        blackHole(try b.detail(first).history.count)
    }
    Benchmark("10 review (B)", configuration: repeated) { benchmark in
        let b = try store("b")
        benchmark.startMeasurement()
        blackHole(try b.review())
    }
    Benchmark("11 digest (B)", configuration: repeated) { benchmark in
        let b = try store("b")
        benchmark.startMeasurement()
        blackHole(try b.digest())
    }
}
