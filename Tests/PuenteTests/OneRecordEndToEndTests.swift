import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// README's week has both delegations import `Fixtures/bicentennial.json`: before any exchange,
/// each records the joint commitments and the dialogues itself. After one exchange each way
/// both stores hold the fixture's records once, with no conflict and the same digest.
@Suite struct OneRecordEndToEndTests {
    let puente = PuenteProcess()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test(arguments: [0, 1]) func bothDelegationsImportTheFixtureAndKeepOneRecordEach(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let sync = SyncEndToEndTests()
        let stores = try sync.makeStores([("us", "us"), ("mx", "mx")])
        let (us, mx) = (stores.paths[0], stores.paths[1])
        let fixture = Repository.path("Fixtures/bicentennial.json")
        let file = try json(String(decoding: try Data(contentsOf: URL(fileURLWithPath: fixture)), as: UTF8.self))
        let commitments = file["commitments"]?.arrayValue?.count ?? 0
        let dialogues = file["dialogues"]?.arrayValue?.count ?? 0
        #expect(commitments == 44 && dialogues == 5)
        for store in [us, mx] {
            let imported = try puente.run(["--store", store] + flags + ["import", fixture], environment: environment)
            #expect(imported.status == 0, "\(imported.stderr)")
        }
        for (from, to) in [(us, mx), (mx, us)] {
            let bundle = from + ".puente"
            #expect(try puente.run(["--store", from, "sync", "export", "--to", bundle]).status == 0)
            let received = try puente.run(["--store", to] + flags + ["sync", "import", bundle], environment: environment)
            #expect(received.status == 0, "\(received.stderr)")
        }
        for store in [us, mx] {
            let list = try json(try puente.run(["--store", store, "--json", "list"]).stdout)
            #expect(list.arrayValue?.count == commitments)
            let shown = try json(try puente.run(["--store", store, "--json", "dialogue", "list"]).stdout)
            #expect(shown.arrayValue?.count == dialogues)
            #expect(try json(try puente.run(["--store", store, "--json", "conflicts"]).stdout).arrayValue?.isEmpty == true)
            // The review counts each commitment once.
            let review = try puente.run(["--store", store] + flags + ["review"], environment: environment)
            #expect(review.stdout.contains(" \(commitments) "), "\(review.stdout.prefix(200))")
            // Importing the file again changes nothing, and says so.
            let again = try puente.run(["--store", store, "--json", "import", fixture])
            let report = try json(again.stdout)
            #expect(report["commitments"]?.intValue == 0 && report["dialogues"]?.intValue == 0, "\(again.stdout)")
        }
        #expect(try sync.digest(us) == (try sync.digest(mx)))
    }

    /// A reading of a joint indicator that both desks imported is one line of `show`, with both
    /// handles and both desks.
    @Test(arguments: [0, 1]) func aReadingBothDesksImportedIsShownOnce(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let sync = SyncEndToEndTests()
        let stores = try sync.makeStores([("us", "us"), ("mx", "mx")])
        let (us, mx) = (stores.paths[0], stores.paths[1])
        let file = stores.folder.sub("joint.json")
        try Data(SampleImports.jointReading.utf8).write(to: URL(fileURLWithPath: file))
        for store in [us, mx] { #expect(try puente.run(["--store", store, "import", file]).status == 0) }
        for (from, to) in [(us, mx), (mx, us)] {
            #expect(try puente.run(["--store", from, "sync", "export", "--to", from + ".puente"]).status == 0)
            #expect(try puente.run(["--store", to, "sync", "import", from + ".puente"]).status == 0)
        }
        let indicators = try json(try puente.run(["--store", us, "--json", "indicator", "list"]).stdout)
        let id = try #require(indicators.arrayValue?.first?["id"]?.stringValue)
        let shown = try puente.run(["--store", us] + flags + ["show", id], environment: environment)
        let lines = shown.stdout.split(separator: "\n").filter { $0.hasPrefix("  • ") }
        #expect(lines.count == 1, "\(shown.stdout)")
        #expect(lines.first?.contains("109,000") == true && lines.first?.contains("(US)") == true
                && lines.first?.contains("(MX)") == true, "\(shown.stdout)")
    }
}
