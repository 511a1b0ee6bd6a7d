import Foundation
@testable import PuenteKit
import PuenteTestSupport
import Testing

/// Bundles are encrypted to the desks that should read them (age v1), through the binary, in
/// both languages; stock `age` opens them with the identity `keys age-identity` writes, and
/// what stock `age -r` encrypts to a desk is read by `sync import`.
@Suite struct ConfidentialBundlesEndToEndTests {
    let puente = PuenteProcess()
    let sync = SyncEndToEndTests()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    /// Runs a stock tool; its exit status.
    @discardableResult
    static func tool(_ path: String, _ arguments: [String]) throws -> Int32 {
        try PuenteProcess(binary: path).run(arguments).status
    }

    /// Stock `age` is a test dependency (`make` installs Debian's package): its absence fails the suite.
    static let age = "/usr/bin/age"

    @Test(arguments: [0, 1]) func aBundleIsForTheRecipientDesksAndSaysSo(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let stores = try sync.makeStores([("us", "us"), ("mx", "mx")])
        let (us, mx) = (stores.paths[0], stores.paths[1])
        func run(_ store: String, _ arguments: [String]) throws -> PuenteProcess.Result {
            try puente.run(["--store", store] + flags + arguments, environment: environment)
        }
        #expect(try puente.run(["--store", us, "import", Repository.path("Fixtures/bicentennial.json")]).status == 0)
        let bundle = stores.folder.sub("for-mx.puente")
        let exported = try run(us, ["sync", "export", "--for", "mx", "--to", bundle])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout.contains(name == "en" ? "Encrypted for 2 desk(s): " : "Cifrado para 2 mesa(s): ")
                && exported.stdout.contains("mx (") && exported.stdout.contains("us ("), "\(exported.stdout)")
        let head = Array(try Data(contentsOf: URL(fileURLWithPath: bundle)).prefix(22))
        #expect(head == Array("age-encryption.org/v1\n".utf8))
        let report = try json(try puente.run(["--store", us, "--json", "sync", "export", "--for", "mx", "--to", bundle + "2"]).stdout)
        #expect(report["encrypted"] == .bool(true) && report["recipients"]?.arrayValue?.count == 2, "\(report)")
        // Given to `import`, an encrypted bundle is named for what it is.
        let misplaced = try run(mx, ["import", bundle])
        #expect(misplaced.status == 64 && misplaced.stderr.contains("puente sync import " + bundle), "\(misplaced.stderr)")
        #expect(try run(mx, ["sync", "import", bundle]).status == 0)
        #expect(try sync.digest(us) == sync.digest(mx))

        // A Mexican desk that trusts the U.S. desk, but that the U.S. desk did not know of when it wrote.
        let late = stores.folder.sub("mx-late")
        #expect(try puente.run(["--store", late, "init", "--delegation", "mx", "--name", "mx-late"]).status == 0)
        let usCard = try json(try puente.run(["--store", us, "--json", "keys", "show"]).stdout)
        #expect(try puente.run(["--store", late, "keys", "trust", us + ".card", "--fingerprint",
                                usCard["fingerprint"]?.stringValue ?? ""]).status == 0)
        let before = try sync.digest(late)
        let refused = try run(late, ["sync", "import", bundle])
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains(name == "en"
                ? "this bundle is encrypted for 1 desk(s) of Mexico and 1 desk(s) of the United States; not for this one. Ask its sender for a bundle made for this desk (a desk certified after the bundle was written needs a new one)"
                : "este paquete está cifrado para 1 mesa(s) de México y 1 mesa(s) de Estados Unidos; no para esta. Pida a quien lo envió un paquete hecho para esta mesa"),
                "\(refused.stderr)")
        #expect(try sync.digest(late) == before)

        // --plain writes the ZIP itself, and says that anyone can read it.
        let plain = stores.folder.sub("plain.puente")
        let plainExport = try run(us, ["sync", "export", "--for", "mx", "--to", plain, "--plain"])
        #expect(plainExport.stdout.contains(name == "en" ? "Not encrypted (--plain)" : "Sin cifrar (--plain)"), "\(plainExport.stdout)")
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: plain)).prefix(4)) == [0x50, 0x4b, 0x03, 0x04])
        #expect(try run(late, ["sync", "import", plain]).status == 0)
    }

    /// The audit needs no Puente: stock `age` opens the bundle with the identity
    /// `keys age-identity` writes and yields the signed ZIP, which `unzip`, `openssl` and
    /// `sha256sum` check; and a bundle stock `age -r` encrypts to a desk's recipient is read.
    @Test func stockAgeOpensWhatPuenteSealsAndSealsWhatPuenteReads() throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.age), "Debian's age package is needed (make installs it)")
        let stores = try sync.makeStores([("us", "us"), ("mx", "mx")])
        let (us, mx) = (stores.paths[0], stores.paths[1])
        #expect(try puente.run(["--store", us, "import", Repository.path("Fixtures/bicentennial.json")]).status == 0)
        let bundle = stores.folder.sub("for-mx.puente")
        try sync.export(us, bundle, ["--for", "mx"])

        // The identity file: new, 0600; an existing file or a device is refused.
        let identity = stores.folder.sub("identity.txt")
        let written = try puente.run(["--store", mx, "keys", "age-identity", "--to", identity])
        #expect(written.status == 0 && written.stderr.contains("decryption key"), "\(written.stderr)")
        var status = stat()
        #expect(stat(identity, &status) == 0 && status.st_mode & 0o777 == 0o600)
        #expect(try puente.run(["--store", mx, "keys", "age-identity", "--to", identity]).status == 64)
        let device = try puente.run(["--store", mx, "--lang", "es", "keys", "age-identity", "--to", "/dev/null"])
        #expect(device.status == 64 && device.stderr.contains("terminal o un dispositivo"), "\(device.stderr)")
        let recipient = try #require(try json(try puente.run(["--store", mx, "--json", "keys", "show"]).stdout)["age_recipient"]?.stringValue)
        #expect(try String(contentsOfFile: identity, encoding: .utf8).contains("# public key: " + recipient))

        // age -d, then the README's audit with unzip, openssl and sha256sum.
        let audit = stores.folder.sub("audit")
        try FileManager.default.createDirectory(atPath: audit, withIntermediateDirectories: true)
        #expect(try Self.tool(Self.age, ["-d", "-i", identity, "-o", audit + "/bundle.zip", bundle]) == 0)
        let card = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: us + ".card"))))
        try Data((card["card"]?["signing_key"]?.stringValue ?? "").utf8).write(to: URL(fileURLWithPath: audit + "/exporter.pem"))
        let script = """
            set -e
            cd '\(audit)'
            unzip -q -o bundle.zip
            openssl pkeyutl -verify -pubin -inkey exporter.pem -rawin -in manifest.json -sigfile manifest.sig
            test "$(sha256sum ops.jsonl | cut -d' ' -f1)" = "$(grep -o '"sha256":"[0-9a-f]*"' manifest.json | cut -d'"' -f4)"
            """
        #expect(try Self.tool("/bin/sh", ["-c", script]) == 0)
        // The signed manifest names the desks the envelope was sealed to.
        let manifest = try json(try String(contentsOfFile: audit + "/manifest.json", encoding: .utf8))
        #expect(manifest["envelope"]?["recipients"]?.arrayValue?.count == 2, "\(manifest)")
        #expect(try SchemaValidator(schemaFile: Repository.path("Schemas/bundle-manifest.schema.json")).violations(of: manifest) == [])
        // The ZIP taken out of its envelope is not accepted in its place.
        let unwrapped = try puente.run(["--store", mx, "sync", "import", audit + "/bundle.zip"])
        #expect(unwrapped.status == 65 && unwrapped.stderr.contains("not the one its exporter signed"), "\(unwrapped.stderr)")

        // The other way: a plain bundle sealed by stock age to the Mexican desk's recipient is read.
        let plain = stores.folder.sub("plain.puente")
        try sync.export(us, plain, ["--for", "mx", "--plain"])
        let sealed = stores.folder.sub("sealed-by-age.puente")
        #expect(try Self.tool(Self.age, ["-r", recipient, "-o", sealed, plain]) == 0)
        let read = try puente.run(["--store", mx, "sync", "import", sealed])
        #expect(read.status == 0 && read.stdout.contains("signature verified"), "\(read.stderr)")
        // What stock age seals that is not a signed bundle is refused, the store unchanged.
        let note = stores.folder.sub("note.txt")
        try Data("Minuta: reunión del grupo de trabajo".utf8).write(to: URL(fileURLWithPath: note))
        let junk = stores.folder.sub("not-a-bundle.puente")
        #expect(try Self.tool(Self.age, ["-r", recipient, "-o", junk, note]) == 0)
        let before = try sync.digest(mx)
        for language in [0, 1] {
            let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
            let refused = try puente.run(["--store", mx] + flags + ["sync", "import", junk], environment: environment)
            #expect(refused.status == 65 && refused.stderr.contains(name == "en" ? "The store is unchanged" : "El almacén no cambió"),
                    "\(refused.stderr)")
        }
        #expect(try sync.digest(mx) == before)
    }
}
