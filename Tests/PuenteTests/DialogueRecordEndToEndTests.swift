import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// A dialogue is recorded as the public record describes it: of the kind it was (a cabinet-level
/// meeting, a standing group's session, a document), and what was said there either quoted as
/// the joint statement or summarized in the recorder's words — and a summary is never shown
/// under the statement's heading.
///
/// The meeting is the QI brief's account of April 2023 (`../shared/seeds/003_aaa748ad6e1e3460.txt`),
/// the document the State Department's action-plan summary the same brief cites.
@Suite struct DialogueRecordEndToEndTests {
    let puente = PuenteProcess()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    static let file = """
        {"format": "puente-import/1",
         "dialogues": [{"external_id": "april-2023", "kind": "cabinet-meeting", "date": "2023-04-13", "place": "The White House",
                        "title": {"en": "Meeting at the White House", "es": "Reunión en la Casa Blanca"},
                        "summary": {"en": "DHS welcomed a Mexican delegation led by the SSPC Secretary.",
                                    "es": "El DHS recibió a una delegación mexicana encabezada por la secretaria de la SSPC."},
                        "source": {"kind": "other", "citation": "003_aaa748ad6e1e3460.txt: “in April 2023 the U.S. Department of Homeland Security (DHS) welcomed a Mexican delegation”"}}]}
        """

    @Test(arguments: [0, 1]) func aSummaryIsNeverShownAsTheStatement(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let english = name == "en"
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        let path = folder.sub("record.json")
        try Data(Self.file.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try puente.run(["--store", store, "import", path]).status == 0)
        func run(_ arguments: [String]) throws -> String {
            let result = try puente.run(["--store", store] + flags + arguments, environment: environment)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return result.stdout
        }
        let id = try #require(try json(try puente.run(["--store", store, "--json", "dialogue", "list"]).stdout).arrayValue?.first?["id"]?.stringValue)

        let shown = try run(["dialogue", "show", id])
        #expect(shown.contains(english ? "cabinet-level meeting" : "reunión de gabinete"), "\(shown)")
        #expect(shown.contains(english ? "Summary (English)" : "Resumen (inglés)"), "\(shown)")
        #expect(!shown.contains(english ? "Joint statement" : "Declaración conjunta"), "\(shown)")
        for format in ["markdown", "html"] {
            let report = try run(["report", "--dialogue", id, "--format", format])
            #expect(report.contains(english ? "Summary (not the official text)" : "Resumen (no es el texto oficial)"), "\(report)")
            #expect(!report.contains(english ? "Joint statement" : "Declaración conjunta"), "\(report)")
            #expect(report.contains(english ? "DHS welcomed a Mexican delegation" : "El DHS recibió a una delegación mexicana"), "\(report)")
        }
        let reportJSON = try json(try run(["report", "--dialogue", id, "--format", "json"]))
        #expect(reportJSON["dialogue"]?["summary_en"]?.stringValue?.hasPrefix("DHS welcomed") == true)
        #expect(reportJSON["dialogue"]?["statement_en"] == .null)

        // A quoted statement keeps its heading; a document is a kind of its own, typed as displayed.
        let added = try puente.run(["--store", store] + flags + [
            "--json", "dialogue", "add", "--title-en", "Summary of the Action Plan", "--date", "2022-01-31",
            "--kind", english ? "document" : "documento", "--statement-en", "the Bicentennial Framework for Security, Public Health, and Safe Communities",
        ], environment: environment)
        #expect(added.status == 0, "\(added.stderr)")
        let document = try #require(try json(added.stdout)["id"]?.stringValue)
        #expect(try run(["dialogue", "show", document]).contains(english ? "document" : "documento"))
        let quoted = try run(["report", "--dialogue", document, "--format", "markdown"])
        #expect(quoted.contains(english ? "### Joint statement" : "### Declaración conjunta"), "\(quoted)")
    }
}
