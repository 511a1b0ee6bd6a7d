import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// The binary on a terminal of its own (``TerminalSession``), as a desk officer runs it: a
/// mistyped passphrase is asked for again, three tries in all, in both languages.
@Suite(.timeLimit(.minutes(10))) struct PassphrasePromptEndToEndTests {
    let puente = PuenteProcess()

    @Test(arguments: [0, 1]) func aMistypedPassphraseIsAskedForAgain(_ language: Int) throws {
        let spanish = language == 1
        // No pager: what `list` prints is read as it is (PagerEndToEndTests covers the pager).
        let environment = ["LANG": spanish ? "es_MX.UTF-8" : "en_US.UTF-8", "PUENTE_PAGER": ""]
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        let created = try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk", "--passphrase"],
                                     environment: ["PUENTE_PASSPHRASE": "correct horse battery"])
        #expect(created.status == 0, "\(created.stderr)")
        let prompt = spanish ? "Frase de paso de la clave de este almacén: " : "Passphrase of this store's key: "
        func session() throws -> TerminalSession {
            try TerminalSession(puente.binary, ["--store", store, "list"], environment: environment,
                                removing: ["PUENTE_PASSPHRASE", "LC_ALL", "LC_MESSAGES"])
        }
        // A wrong passphrase, then the right one: each typed once its prompt has shown.
        let terminal = try session()
        #expect(terminal.expect(prompt, count: 1), "\(terminal.text)")
        terminal.send("wrong horse battery\n")
        #expect(terminal.expect(spanish ? "inténtelo de nuevo" : "try again", count: 1), "\(terminal.text)")
        #expect(terminal.expect(prompt, count: 2), "\(terminal.text)")
        terminal.send("correct horse battery\n")
        #expect(terminal.finish() == 0, "\(terminal.text)")
        #expect(terminal.text.contains(spanish ? "Ningún compromiso" : "No commitments match"), "\(terminal.text)")
        #expect(!terminal.text.contains("horse"), "never echoed")
        // Three wrong tries, and it stops with the key's error.
        let wrong = try session()
        for (index, attempt) in ["one wrong pass", "two wrong pass", "three wrong pass"].enumerated() {
            #expect(wrong.expect(prompt, count: index + 1), "\(wrong.text)")
            wrong.send(attempt + "\n")
        }
        #expect(wrong.finish() == 65, "\(wrong.text)")
        #expect(wrong.text.components(separatedBy: prompt).count - 1 == 3, "\(wrong.text)")
    }
}

/// Long work at a terminal shows how far it is, and Ctrl-C stops it with nothing kept: exit
/// 130 and a sentence in the user's language; piped, no progress line is written.
@Suite(.timeLimit(.minutes(10))) struct InterruptionEndToEndTests {
    let puente = PuenteProcess()

    /// An import file of `count` U.S. commitments (load-test records, not part of the fixture).
    static func loadFile(_ path: String, count: Int) throws {
        let commitments = (0..<count).map { index -> JSONValue in
            ["external_id": .string("load-\(index)"), "title": ["en": .string("Load test commitment \(index)")],
             "owner": "us", "pillar": "protect", "status": "agreed"]
        }
        let file: JSONValue = ["format": "puente-import/1", "commitments": .array(commitments)]
        try Data(CanonicalJSON.encode(file)).write(to: URL(fileURLWithPath: path))
    }

    @Test(arguments: [0, 1]) func ctrlCStopsAnImportAndNothingIsKept(_ language: Int) throws {
        let spanish = language == 1
        let environment = ["LANG": spanish ? "es_MX.UTF-8" : "en_US.UTF-8"]
        let folder = try TemporaryFolder()
        let (us, mx) = (folder.sub("us"), folder.sub("mx"))
        let file = folder.sub("load.json")
        try Self.loadFile(file, count: 4000)
        #expect(try puente.run(["--store", us, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        let before = try puente.run(["--store", us, "digest"]).stdout

        // A file's import, stopped once its progress shows.
        let terminal = try TerminalSession(puente.binary, ["--store", us, "import", file], environment: environment,
                                           removing: ["LC_ALL", "LC_MESSAGES", "PUENTE_LANG"])
        #expect(terminal.expect("%", count: 1), "\(terminal.text)")
        #expect(terminal.text.contains(spanish ? "Importando [" : "Importing ["), "\(terminal.text)")
        terminal.interrupt()
        #expect(terminal.finish() == 130, "\(terminal.text)")
        #expect(terminal.text.contains(spanish ? "Interrumpido: no se importó nada; el almacén no cambió."
                                               : "Interrupted — nothing was imported; the store is unchanged."), "\(terminal.text)")
        #expect(!terminal.text.contains("Error"), "stopping was asked for: it is not an error")
        #expect(try puente.run(["--store", us, "digest"]).stdout == before, "the store is unchanged")

        // Piped, the same import writes no progress line, and completes.
        let piped = try puente.run(["--store", us, "import", file], environment: environment)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(!piped.stderr.contains("[") && !piped.stdout.contains("%"), "\(piped.stderr)")

        // A rebuild, stopped the same way, is undone.
        let full = try puente.run(["--store", us, "digest"]).stdout
        let rebuilding = try TerminalSession(puente.binary, ["--store", us, "rebuild"], environment: environment,
                                             removing: ["LC_ALL", "LC_MESSAGES", "PUENTE_LANG"])
        #expect(rebuilding.expect("%", count: 1), "\(rebuilding.text)")
        rebuilding.interrupt()
        #expect(rebuilding.finish() == 130, "\(rebuilding.text)")
        #expect(rebuilding.text.contains(spanish ? "la reconstrucción se deshizo" : "the rebuild was undone"), "\(rebuilding.text)")
        #expect(try puente.run(["--store", us, "digest"]).stdout == full)

        // A bundle's import, stopped the same way, leaves the other store as it was.
        #expect(try puente.run(["--store", mx, "init", "--delegation", "mx", "--name", "SSPC desk"]).status == 0)
        try puente.run(["--store", us, "keys", "export", "--to", us + ".card"])
        let fingerprint = try JSONParser.parse(Array(try puente.run(["--store", us, "--json", "keys", "show"]).stdout.utf8))["fingerprint"]?.stringValue ?? ""
        #expect(try puente.run(["--store", mx, "keys", "trust", us + ".card", "--fingerprint", fingerprint]).status == 0)
        let bundle = folder.sub("load.puente")
        // Plain: the Mexican store trusts the U.S. one, which does not know it.
        #expect(try puente.run(["--store", us, "sync", "export", "--to", bundle, "--plain"]).status == 0)
        let mexican = try puente.run(["--store", mx, "digest"]).stdout
        let receiving = try TerminalSession(puente.binary, ["--store", mx, "sync", "import", bundle], environment: environment,
                                            removing: ["LC_ALL", "LC_MESSAGES", "PUENTE_LANG"])
        #expect(receiving.expect("%", count: 1), "\(receiving.text)")
        receiving.interrupt()
        #expect(receiving.finish() == 130, "\(receiving.text)")
        #expect(receiving.text.contains(spanish ? "no se importó nada" : "nothing was imported"), "\(receiving.text)")
        #expect(try puente.run(["--store", mx, "digest"]).stdout == mexican, "the store is unchanged")
        #expect(try puente.run(["--store", mx, "sync", "import", bundle]).status == 0, "and the bundle imports whole afterwards")
    }
}

/// `list` and `log` go through the pager on a terminal, as git's do, and never when piped.
@Suite(.timeLimit(.minutes(10))) struct PagerEndToEndTests {
    let puente = PuenteProcess()

    @Test(arguments: [0, 1]) func longListingsGoThroughThePagerOnATerminal(_ language: Int) throws {
        let lang = language == 1 ? "es" : "en"
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        #expect(try puente.run(["--store", store, "import", Repository.path("Fixtures/bicentennial.json")]).status == 0)
        // A pager that marks every line it shows.
        for command in [["list"], ["log", "--limit", "5"]] {
            let paged = try TerminalSession(puente.binary, ["--store", store, "--lang", lang] + command,
                                            environment: ["PAGER": "sed s/^/PAGED:/"], removing: ["PUENTE_PAGER"])
            #expect(paged.finish() == 0, "\(paged.text)")
            // A terminal ends lines with CR LF (one Character in Swift).
            let lines = paged.text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n")
            #expect(lines.count >= 5 && lines.allSatisfy { $0.hasPrefix("PAGED:") }, "\(command): \(paged.text.prefix(500))")
            // PUENTE_PAGER comes first; an empty one means no pager.
            let none = try TerminalSession(puente.binary, ["--store", store, "--lang", lang] + command,
                                           environment: ["PAGER": "sed s/^/PAGED:/", "PUENTE_PAGER": ""])
            #expect(none.finish() == 0)
            #expect(!none.text.contains("PAGED:") && none.text.contains("  "), "\(none.text.prefix(300))")
            // Piped, never.
            let piped = try puente.run(["--store", store, "--lang", lang] + command, environment: ["PAGER": "sed s/^/PAGED:/"])
            #expect(piped.status == 0 && !piped.stdout.contains("PAGED:"))
        }
    }
}
