import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// `sync exchange DIR`, the USB-stick routine in one command, through the binary in both
/// languages: what is new is read, what each delegation lacks is written under a stable name,
/// and the desks whose bundles were read are said to have converged or not.
@Suite struct ExchangeEndToEndTests {
    let puente = PuenteProcess()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func bundles(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".puente") }.sorted()
    }

    /// A U.S. and a Mexican store that trust each other, and an empty folder between them.
    func desks() throws -> (stores: SyncEndToEndTests.Stores, us: String, mx: String, stick: String) {
        let stores = try SyncEndToEndTests().makeStores([("us", "us"), ("mx", "mx")])
        let stick = stores.folder.sub("stick")
        try FileManager.default.createDirectory(atPath: stick, withIntermediateDirectories: false)
        return (stores, stores.paths[0], stores.paths[1], stick)
    }

    @Test(arguments: [0, 1]) func aStickCarriesBothWaysAndConvergenceIsSaid(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let sync = SyncEndToEndTests()
        let (stores, us, mx, stick) = try desks()
        defer { withExtendedLifetime(stores) {} }  // the temporary folder lives as long as the test
        func exchange(_ store: String) throws -> PuenteProcess.Result {
            try puente.run(["--store", store] + flags + ["sync", "exchange", stick], environment: environment)
        }
        #expect(try puente.run(["--store", us, "import", Repository.path("Fixtures/bicentennial.json")]).status == 0)

        // The U.S. desk goes first: nothing to read yet, one bundle written for Mexico.
        let first = try exchange(us)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains(name == "en" ? "No bundle from another desk" : "Aún no hay"), "\(first.stdout)")
        let written = try bundles(stick)
        #expect(written.count == 1 && written[0].hasPrefix("us-") && written[0].hasSuffix("-for-mx.puente"), "\(written)")
        // Encrypted to the Mexican desk (and the writer), as `sync export` does.
        let sealed = Array(try Data(contentsOf: URL(fileURLWithPath: stick + "/" + written[0])).prefix(22))
        #expect(sealed == Array("age-encryption.org/v1\n".utf8))

        // The Mexican desk, with a commitment of its own, reads it and writes one for the U.S.:
        // the U.S. desk lacks that commitment, and is told so.
        let added = try puente.run(["--store", mx, "add", "--title-es", "Fortalecer los centros penitenciarios", "--pillar", "pursue"])
        #expect(added.status == 0, "\(added.stderr)")
        let second = try exchange(mx)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains(name == "en" ? "signature verified" : "firma verificada"), "\(second.stdout)")
        #expect(second.stdout.contains(name == "en" ? "not yet" : "todavía no"), "\(second.stdout)")
        #expect(try bundles(stick).count == 2)

        // Back at the U.S. desk: its own bundle is skipped, Mexico's read, and both have converged.
        let third = try exchange(us)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stdout.contains(name == "en" ? "already held here; skipped" : "ya se tiene aquí; se omite"), "\(third.stdout)")
        #expect(third.stdout.contains(name == "en" ? "converged" : "coincide"), "\(third.stdout)")
        #expect(try sync.digest(us) == (try sync.digest(mx)))

        // Again at the Mexican desk, as JSON: nothing new to read, and the U.S. desk converged.
        let fourth = try json(try puente.run(["--store", mx, "--json", "sync", "exchange", stick]).stdout)
        #expect(fourth["read"]?.arrayValue?.allSatisfy { $0["outcome"]?.stringValue == "held" } == true, "\(fourth)")
        #expect(fourth["peers"]?.arrayValue?.map { $0["converged"]?.boolValue } == [true], "\(fourth)")
        #expect(try bundles(stick).count == 2, "the names are stable: each run replaces its own bundles")
    }

    @Test(arguments: [0, 1]) func aDamagedBundleIsRefusedAndTheOthersAreRead(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let (stores, us, mx, stick) = try desks()
        defer { withExtendedLifetime(stores) {} }  // the temporary folder lives as long as the test
        #expect(try puente.run(["--store", us, "add", "--title-en", "Operation Southbound", "--pillar", "prevent"]).status == 0)
        #expect(try puente.run(["--store", us, "sync", "exchange", stick]).status == 0)
        try Data("not a bundle".utf8).write(to: URL(fileURLWithPath: stick + "/a-damaged.puente"))
        let result = try puente.run(["--store", mx] + flags + ["sync", "exchange", stick], environment: environment)
        #expect(result.status == 65)
        #expect(result.stderr.contains("a-damaged.puente"), "\(result.stderr)")
        #expect(result.stdout.contains(name == "en" ? "signature verified" : "firma verificada"), "\(result.stdout)")
        #expect(try json(try puente.run(["--store", mx, "--json", "list"]).stdout).arrayValue?.count == 1)

        // A folder that is not there is a usage mistake, in the user's language.
        let missing = try puente.run(["--store", mx] + flags + ["sync", "exchange", stick + "/nowhere"], environment: environment)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains(name == "en" ? "is not a folder" : "no es una carpeta"), "\(missing.stderr)")
    }
}
