import Foundation
import GRDB
import PuenteKit
import PuenteTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `puente import` and `puente sync import` killed with SIGKILL at random moments: the store
/// passes `PRAGMA integrity_check`, its digest is the one before or the one after, and the
/// same import run again completes.
@Suite(.serialized) struct CrashConsistencyTests {
    let puente = PuenteProcess()
    static let runs = 50

    /// The fixture's commitments, `copies` times over with their own external ids: a file large
    /// enough that a kill can land in the middle of its transaction.
    static func largeImportFile(copies: Int) throws -> [UInt8] {
        let fixture = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))))
        guard case .object(var file) = fixture, let commitments = file["commitments"]?.arrayValue else { return [] }
        var all = [JSONValue]()
        for copy in 0..<copies {
            for commitment in commitments {
                guard case .object(var object) = commitment, let id = object["external_id"]?.stringValue else { continue }
                object["external_id"] = .string("\(id)-copy\(copy)")
                if let indicators = object["indicators"]?.arrayValue {
                    object["indicators"] = .array(indicators.map { indicator in
                        guard case .object(var value) = indicator, let iid = value["external_id"]?.stringValue else { return indicator }
                        value["external_id"] = .string("\(iid)-copy\(copy)")
                        return .object(value)
                    })
                }
                all.append(.object(object))
            }
        }
        file["commitments"] = .array(all)
        return CanonicalJSON.encode(.object(file))
    }

    /// Starts `puente` and kills it with SIGKILL after `delay` seconds (or lets it finish first).
    func runAndKill(_ arguments: [String], after delay: Double) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: puente.binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        usleep(useconds_t(delay * 1_000_000))
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func copyStore(_ from: String, _ to: String) throws {
        try? FileManager.default.removeItem(atPath: to)
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    func integrity(_ store: String) throws -> String {
        let queue = try DatabaseQueue(path: store + "/" + Replica.databaseFile)
        return try queue.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } ?? ""
    }

    /// What a run is compared on. A bundle carries fixed operations, so its outcome is one
    /// digest; a local import writes new operations (new stamps, new derived ids) on every run,
    /// so its outcome is what it recorded: the operations of the local chain and the external
    /// ids of the accepted commitments.
    enum Outcome: Equatable {
        case digest(StateDigest)
        case recorded(operations: Int, externalIDs: Set<String>)
    }

    func digest(_ store: String) throws -> StateDigest { try Replica.open(folder: store).digest() }

    func recorded(_ store: String) throws -> Outcome {
        let queue = try DatabaseQueue(path: store + "/" + Replica.databaseFile)
        return try queue.read { db in
            let operations = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM operation_text WHERE replica = (SELECT replica FROM local_replica)
                """) ?? -1
            let ids = try String.fetchSet(db, sql: """
                SELECT external_id FROM entity WHERE type = 'commitment' AND state = 'accepted' AND external_id IS NOT NULL
                """)
            return .recorded(operations: operations, externalIDs: ids)
        }
    }

    /// Kills `arguments` (run on a fresh copy of `pristine` each time) at random moments over its
    /// usual duration, and checks each outcome.
    func harness(pristine: String, arguments: (String) -> [String], folder: TemporaryFolder,
                 outcome: (String) throws -> Outcome) throws -> (interrupted: Int, completed: Int) {
        let before = try outcome(pristine)
        // One uninterrupted run gives the state after and how long a run takes.
        let reference = folder.sub("reference")
        try copyStore(pristine, reference)
        let start = Date()
        let full = try puente.run(arguments(reference))
        let duration = Date().timeIntervalSince(start)
        #expect(full.status == 0, "\(full.stderr)")
        let after = try outcome(reference)
        #expect(after != before)
        var generator = SystemRandomNumberGenerator()
        var interrupted = 0
        var completed = 0
        for run in 0..<Self.runs {
            let store = folder.sub("run")
            try copyStore(pristine, store)
            try runAndKill(arguments(store), after: Double.random(in: 0...(duration * 1.1), using: &generator))
            #expect(try integrity(store) == "ok", "run \(run)")
            let state = try outcome(store)
            #expect(state == before || state == after, "run \(run): the store is neither as before nor as after")
            if state == before { interrupted += 1 } else { completed += 1 }
            let again = try puente.run(arguments(store))
            #expect(again.status == 0, "run \(run): \(again.stderr)")
            #expect(try outcome(store) == after, "run \(run)")
        }
        return (interrupted, completed)
    }

    @Test func aKilledImportLeavesTheStoreBeforeOrAfter() throws {
        let folder = try TemporaryFolder()
        let pristine = folder.sub("pristine")
        try puente.run(["--store", pristine, "init", "--delegation", "us", "--name", "State INL desk"])
        let file = folder.sub("large.json")
        try Data(try Self.largeImportFile(copies: 3)).write(to: URL(fileURLWithPath: file))
        let outcome = try harness(pristine: pristine, arguments: { ["--store", $0, "import", file] }, folder: folder,
                                  outcome: recorded)
        #expect(outcome.interrupted > 0)
    }

    @Test func aKilledBundleImportLeavesTheStoreBeforeOrAfter() throws {
        let folder = try TemporaryFolder()
        let source = folder.sub("source")
        let pristine = folder.sub("pristine")
        try puente.run(["--store", source, "init", "--delegation", "us", "--name", "State INL desk"])
        try puente.run(["--store", pristine, "init", "--delegation", "mx", "--name", "SSPC enlace"])
        try puente.run(["--store", source, "keys", "export", "--to", folder.sub("source.card")])
        let shown = try JSONParser.parse(Array(try puente.run(["--store", source, "--json", "keys", "show"]).stdout.utf8))
        try puente.run(["--store", pristine, "keys", "trust", folder.sub("source.card"), "--fingerprint", shown["fingerprint"]?.stringValue ?? ""])
        let file = folder.sub("large.json")
        try Data(try Self.largeImportFile(copies: 3)).write(to: URL(fileURLWithPath: file))
        #expect(try puente.run(["--store", source, "import", file]).status == 0)
        let bundle = folder.sub("large.puente")
        // Plain: the pristine store trusts the source, which does not know it.
        #expect(try puente.run(["--store", source, "sync", "export", "--to", bundle, "--full", "--plain"]).status == 0)
        let outcome = try harness(pristine: pristine, arguments: { ["--store", $0, "sync", "import", bundle] }, folder: folder,
                                  outcome: { .digest(try digest($0)) })
        #expect(outcome.interrupted > 0)
    }
}
