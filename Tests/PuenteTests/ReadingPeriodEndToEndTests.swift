import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// A reading may be a total over a period — the 58 students trained in human rights are the
/// count of FY2019 and FY2020 together (`../shared/seeds/002_9eb9475f2359a046.txt`), not a
/// yearly value — and every view says over which period, in both languages; its unit is
/// recorded in both languages and shown in the reader's.
@Suite struct ReadingPeriodEndToEndTests {
    let puente = PuenteProcess()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    static func file(from: String = "2018-10-01") -> String {
        """
        {"format": "puente-import/1",
         "commitments": [
          {"external_id": "hr-training", "owner": "us", "pillar": "protect", "status": "in-progress",
           "title": {"en": "Human-rights training for Mexican security forces", "es": "Capacitación en derechos humanos para fuerzas de seguridad mexicanas"},
           "indicators": [{"external_id": "hr-students", "name": {"en": "Students trained in human rights", "es": "Alumnos capacitados en derechos humanos"},
                           "kind": "output", "direction": "increase", "unit": {"en": "students", "es": "alumnos"},
                           "readings": [{"date": "2020-09-30", "value": 58, "from": "\(from)", "source": "Foreign Military Training report FY2020"}]}]}
         ]}
        """
    }

    @Test(arguments: [0, 1]) func aTotalOverAPeriodIsShownWithItsPeriod(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        try expectImportRefused(puente, store: store, contents: Self.file(from: "2020-10-01"),
                                path: "commitments[0].indicators[0].readings[0].from",
                                words: name == "en" ? "on or before the reading's date" : "igual o anterior a la de la medición",
                                language: language, folder: folder)

        let good = folder.sub("good.json")
        try Data(Self.file().utf8).write(to: URL(fileURLWithPath: good))
        #expect(try puente.run(["--store", store, "import", good]).status == 0)
        func run(_ arguments: [String]) throws -> PuenteProcess.Result {
            try puente.run(["--store", store] + flags + arguments, environment: environment)
        }
        let indicator = try #require(try json(try puente.run(["--store", store, "--json", "indicator", "list"]).stdout).arrayValue?.first?["id"]?.stringValue)
        let period = "2018-10-01 – 2020-09-30"
        let shown = try run(["show", indicator]).stdout
        #expect(shown.contains(period + ": 58 (Foreign Military Training report FY2020)"), "\(shown)")
        let markdown = try run(["report", "--format", "markdown"]).stdout
        #expect(markdown.contains("58 (\(period))"), "\(markdown)")
        // The unit in the reader's language.
        #expect(markdown.contains(name == "en" ? "→ — students" : "→ — alumnos"), "\(markdown)")
        #expect(shown.contains(name == "en" ? "Unit (Spanish)" : "Unidad (español)") && shown.contains("alumnos"), "\(shown)")
        let review = try json(try run(["--json", "review"]).stdout)
        #expect(review["indicators"]?.arrayValue?.first?["latest_from"]?.stringValue == "2018-10-01", "\(review)")

        // A desk records a total over a period with --from; a period that ends before it starts is refused.
        let recorded = try run(["indicator", "record", indicator, "61", "--date", "2022-09-30", "--from", "2020-10-01", "--yes"])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(try run(["show", indicator]).stdout.contains("2020-10-01 – 2022-09-30: 61"))
        let backwards = try run(["indicator", "record", indicator, "61", "--date", "2022-09-30", "--from", "2022-10-01", "--yes"])
        #expect(backwards.status == 64, "\(backwards.stderr)")
        #expect(backwards.stderr.contains(name == "en" ? "on or before the reading's date" : "igual o anterior a la de la medición"),
                "\(backwards.stderr)")
    }
}
