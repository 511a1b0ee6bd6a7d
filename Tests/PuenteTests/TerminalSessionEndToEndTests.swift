import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// The binary on a terminal of its own (``TerminalSession``), as a desk officer runs it: a
/// mistyped passphrase is asked for again, three tries in all, in both languages.
@Suite(.timeLimit(.minutes(3))) struct PassphrasePromptEndToEndTests {
    let puente = PuenteProcess()

    @Test(arguments: [0, 1]) func aMistypedPassphraseIsAskedForAgain(_ language: Int) throws {
        let spanish = language == 1
        let environment = ["LANG": spanish ? "es_MX.UTF-8" : "en_US.UTF-8"]
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
