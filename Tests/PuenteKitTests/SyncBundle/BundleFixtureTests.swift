import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// The committed files in Fixtures/bundles, each answered as expected.json says.
@Suite struct BundleFixtureTests {
    let folder = Repository.path("Fixtures/bundles")

    func read(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
    }

    /// A fresh store that trusts the fixtures' two cards, on the clock the fixtures were made with.
    func importer(in temporary: TemporaryFolder, _ name: String) throws -> Replica {
        let replica = try Replica.initialize(folder: temporary.sub(name), delegation: .mx, name: "importer", wallClock: ManualWallClock())
        for card in ["exporter.card", "author.card"] {
            let parsed = try IdentityCard(file: try read(card))
            try replica.trust(card: parsed, fingerprint: parsed.fingerprint)
        }
        return replica
    }

    @Test func everyFixtureIsAnsweredAsExpected() throws {
        let expected = try #require(try JSONParser.parse(try read("expected.json")).objectValue)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".puente") }
        #expect(Set(files) == Set(expected.keys), "expected.json and the files differ")
        #expect(files.count >= 20)
        let temporary = try TemporaryFolder()
        for (name, outcome) in expected.sorted(by: { $0.key < $1.key }) {
            let replica = try importer(in: temporary, name)
            if let first = outcome["after"]?.stringValue { _ = try replica.importBundle(bytes: try read(first)) }
            let before = try replica.digest()
            let bytes = try read(name)
            if let problem = outcome["refused"]?.stringValue {
                do {
                    _ = try replica.importBundle(bytes: bytes)
                    Issue.record("\(name) was accepted")
                } catch let error as BundleError {
                    #expect(error.problem == problem, "\(name): \(error)")
                }
                #expect(try replica.digest() == before, "\(name) changed the store")
                continue
            }
            let report = try replica.importBundle(bytes: bytes)
            #expect(report.receive.appliedTotal == Int(outcome["applied"]?.intValue ?? -1), "\(name)")
            let segments = outcome["segments"]?.objectValue ?? [:]
            #expect(report.refusedSegments.count == segments.count, "\(name)")
            for (replica, reason) in segments {
                #expect(report.refusedSegments.first { $0.key.hex == replica }?.value.code == reason.stringValue, "\(name)")
            }
            #expect(report.receive.farFutureStamps == Int(outcome["far_future"]?.intValue ?? 0), "\(name)")
        }
    }
}
