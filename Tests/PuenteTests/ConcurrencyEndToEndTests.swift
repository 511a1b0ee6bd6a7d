import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

@Suite struct ConcurrencyEndToEndTests {
    /// Two processes writing to one store at once: no "database is locked" reaches the user,
    /// nothing is lost, no seq is reused, and the chain stays whole.
    @Test func twoProcessesWritingToOneStoreLoseNothing() throws {
        let puente = PuenteProcess()
        let folder = try TemporaryFolder()
        let store = folder.sub("s")
        try puente.run(["--store", store, "init", "--delegation", "us", "--name", "desk"])
        let perWriter = 12
        let failures = LockedCounter()
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            for index in 0..<perWriter {
                let result = try? puente.run(["--store", store, "add", "--title-en", "W\(writer)-\(index)", "--pillar", "protect"])
                if result?.status != 0 { failures.increment() }
            }
        }
        #expect(failures.value == 0)
        let list = try JSONParser.parse(Array(try puente.run(["--store", store, "--json", "list"]).stdout.utf8))
        #expect(list.arrayValue?.count == 2 * perWriter)
        let replica = try Replica.open(folder: store)
        let ops = try replica.operations(of: replica.identity.replica)
        #expect(ops.map(\.seq) == Array(1...Int64(2 * perWriter)))
        for (previous, next) in zip(ops, ops.dropFirst()) {
            #expect(next.prev == previous.hash)
            #expect(previous.hlc < next.hlc)
        }
        let before = try replica.digest()
        try replica.rebuild()
        #expect(try replica.digest() == before)
    }
}

/// A counter shared by concurrent test workers.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
