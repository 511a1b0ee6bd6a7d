import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// Planning values: a due date, status, priority, baseline or target that no source states is
/// marked as such in the record (`illustrative`), and every view that shows it marks it —
/// `list`, `show`, the review and the reports, in both languages — so an invented deadline never
/// reads as a fact. A value written by hand is its writer's word and loses the mark.
///
/// The records are the source documents' own (the QI brief, `../shared/seeds/003_aaa748ad6e1e3460.txt`):
/// Operation Southbound was announced in April 2023 with no deadline, and Mexico's homicide rate
/// of 27.8 per 100,000 is stated; the due date and the target of 20 are planning values.
@Suite struct PlanningValuesEndToEndTests {
    let puente = PuenteProcess()
    static let brief = "003_aaa748ad6e1e3460.txt"

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    /// An import file: Operation Southbound with a planning due date and status, the homicide
    /// rate with a planning target (its baseline is the brief's), and a second commitment
    /// whose due date is not marked. `marks` replaces the first commitment's marks.
    static func file(marks: String = #"["due", "status"]"#) -> String {
        """
        {"format": "puente-import/1",
         "commitments": [
          {"external_id": "southbound", "owner": "us", "pillar": "prevent", "status": "in-progress", "due": "2024-04-13",
           "title": {"en": "Operation Southbound", "es": "Operación Southbound"},
           "source": {"kind": "announcement", "citation": "\(brief): “the DoJ and ATF agreed to target southbound weapons more intensively”"},
           "illustrative": \(marks),
           "indicators": [{"external_id": "homicide-rate", "name": {"en": "Homicide rate", "es": "Tasa de homicidios"},
                           "kind": "outcome", "direction": "decrease", "baseline": "27.8", "target": "20",
                           "unit": "per 100,000 people", "illustrative": ["target"]}]},
          {"external_id": "dated", "owner": "us", "pillar": "prevent", "status": "agreed", "due": "2024-03-01",
           "title": {"en": "A commitment dated by its source", "es": "Un compromiso fechado por su fuente"}}
         ]}
        """
    }

    func store(_ folder: TemporaryFolder, file: String = PlanningValuesEndToEndTests.file()) throws -> String {
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        let path = folder.sub("record.json")
        try Data(file.utf8).write(to: URL(fileURLWithPath: path))
        let imported = try puente.run(["--store", store, "import", path])
        #expect(imported.status == 0, "\(imported.stderr)")
        return store
    }

    func id(_ store: String, _ title: String) throws -> String {
        let rows = try #require(try json(try puente.run(["--store", store, "--json", "list"]).stdout).arrayValue)
        let row = try #require(rows.first { $0["title"]?["en"]?.stringValue == title })
        return try #require(row["short_id"]?.stringValue)
    }

    @Test(arguments: [0, 1]) func everyViewMarksAPlanningValueAndOnlyIt(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let store = try store(folder)
        func run(_ arguments: [String]) throws -> PuenteProcess.Result {
            let result = try puente.run(["--store", store] + flags + arguments, environment: environment)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return result
        }
        let legend = name == "en" ? "* planning value: no source states it" : "* valor de planificación: ninguna fuente lo establece"
        let southbound = try id(store, "Operation Southbound")

        // The list: the marked due date and status carry the mark, the other row none; the legend once.
        let listed = try run(["list"]).stdout
        let marked = try #require(listed.split(separator: "\n").first { $0.contains("Southbound") })
        #expect(marked.contains("2024-04-13*") && marked.contains(name == "en" ? "in progress*" : "en curso*"), "\(marked)")
        let plain = try #require(listed.split(separator: "\n").first { $0.contains(name == "en" ? "dated by its source" : "fechado por su fuente") })
        #expect(!plain.contains("*"), "\(plain)")
        #expect(listed.components(separatedBy: legend).count == 2, "\(listed)")

        // `show` says it in words, beside each value, and lists the marks.
        let shown = try run(["show", southbound]).stdout
        let words = name == "en" ? "(planning value)" : "(valor de planificación)"
        let due = try #require(shown.split(separator: "\n").first { $0.hasPrefix(name == "en" ? "Due" : "Vence") })
        #expect(due.contains("2024-04-13 " + words), "\(due)")
        let status = try #require(shown.split(separator: "\n").first { $0.hasPrefix(name == "en" ? "Status" : "Estado") })
        #expect(status.contains(words), "\(status)")
        let pillar = try #require(shown.split(separator: "\n").first { $0.hasPrefix(name == "en" ? "Goal" : "Objetivo") })
        #expect(!pillar.contains(words))
        #expect(shown.contains(name == "en" ? "Planning values" : "Valores de planificación"), "\(shown)")
        #expect(shown.contains("27.8 → — → 20*"), "\(shown)")

        // The review: overdue with both marks, the unmarked one without; the indicator's target; the legend.
        let review = try run(["review", "--as-of", "2024-06-01"]).stdout
        let overdue = try #require(review.split(separator: "\n").first { $0.contains("Southbound") })
        #expect(overdue.contains("2024-04-13*") && overdue.contains("*"), "\(overdue)")
        let other = try #require(review.split(separator: "\n").first { $0.contains(name == "en" ? "dated by its source" : "fechado por su fuente") })
        #expect(!other.contains("*"), "\(other)")
        #expect(review.contains("27.8 → — → 20*"), "\(review)")
        #expect(review.contains(legend), "\(review)")

        // The reports: the mark on the value and the legend; in CSV a column of its own, the date left a date.
        // Spanish prose writes dates as dates ("13 de abril de 2024"); tables keep ISO dates, which sort.
        #expect(review.contains(name == "en" ? "as of 2024-06-01" : "al 1 de junio de 2024"), "\(review)")
        let markdown = try run(["report", "--format", "markdown"]).stdout
        #expect(markdown.contains(name == "en" ? "2024-04-13\\*" : "13 de abril de 2024\\*"), "\(markdown)")
        #expect(markdown.contains("\\* " + legend.dropFirst(2)), "\(markdown)")
        let html = try run(["report", "--format", "html"]).stdout
        #expect(html.contains(name == "en" ? "2024-04-13*" : "13 de abril de 2024*") && html.contains(String(legend.dropFirst(2))), "\(html)")
        let csv = try run(["report", "--format", "csv"]).stdout
        let header = try #require(csv.split(separator: "\r\n").first)
        #expect(header.contains(name == "en" ? ",Priority,Planning values," : ",Prioridad,Valores de planificación,"), "\(header)")
        let row = try #require(csv.split(separator: "\r\n").first { $0.contains("Southbound") })
        #expect(row.contains(",2024-04-13,") && !row.contains("2024-04-13*"), "\(row)")
        #expect(row.contains(name == "en" ? ",—,Due; Status," : ",—,Vence; Estado,"), "\(row)")
        let plainRow = try #require(csv.split(separator: "\r\n").first { $0.contains(name == "en" ? "dated by its source" : "fechado por su fuente") })
        #expect(plainRow.contains(",—,,"), "\(plainRow)")

        // JSON: the marks where there are any, and no member where there are none.
        let rows = try #require(try json(try run(["--json", "list"]).stdout).arrayValue)
        #expect(rows.first { $0["short_id"]?.stringValue == southbound }?["illustrative"] == ["due", "status"])
        #expect(rows.filter { $0["illustrative"] == nil }.count == 1)
        let reviewJSON = try json(try run(["--json", "review", "--as-of", "2024-06-01"]).stdout)
        #expect(reviewJSON["indicators"]?.arrayValue?.first?["illustrative"] == ["target"], "\(reviewJSON)")
    }

    /// A value written by hand is its writer's word: it loses the mark. `--illustrative +field`
    /// marks one, `-field` takes the mark off, and `add` refuses a mark on a value it does not give.
    @Test(arguments: [0, 1]) func aValueWrittenByHandLosesTheMarkUnlessMarkedAgain(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let store = try store(folder)
        func run(_ arguments: [String]) throws -> PuenteProcess.Result {
            try puente.run(["--store", store] + flags + arguments, environment: environment)
        }
        let southbound = try id(store, "Operation Southbound")
        func marks() throws -> JSONValue? {
            let rows = try #require(try json(try puente.run(["--store", store, "--json", "list"]).stdout).arrayValue)
            return rows.first { $0["short_id"]?.stringValue == southbound }?["illustrative"]
        }

        let stated = try run(["update", southbound, "--status", "stalled"])
        #expect(stated.status == 0, "\(stated.stderr)")
        #expect(try marks() == ["due"])
        let planned = try run(["update", southbound, "--due", "2024-12-31", "--illustrative", "+due", "--illustrative",
                               name == "en" ? "+Priority" : "+prioridad", "--priority", "high"])
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(try marks() == ["due", "priority"])
        let unmarked = try run(["update", southbound, "--illustrative", name == "en" ? "-due" : "-Vence"])
        #expect(unmarked.status == 0, "\(unmarked.stderr)")
        #expect(try marks() == ["priority"])
        let set = try run(["set", southbound, "priority", "low"])
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try marks() == nil)

        let refused = try run(["add", "--title-en", "Undated", "--pillar", "prevent", "--illustrative", "due"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains(name == "en" ? "marked as a planning value, but the record gives it no value"
                                                     : "marcado como valor de planificación, pero el registro no le da ningún valor"),
                "\(refused.stderr)")
        let unknown = try run(["add", "--title-en", "Led", "--pillar", "prevent", "--illustrative", "lead"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("due, priority, status"), "\(unknown.stderr)")
        let added = try run(["--json", "add", "--title-en", "Dated for planning", "--pillar", "prevent", "--due", "2025-01-31",
                             "--illustrative", "due"])
        #expect(added.status == 0, "\(added.stderr)")
        let listed = try run(["list"]).stdout
        #expect(listed.split(separator: "\n").first { $0.contains("Dated for planning") }?.contains("2025-01-31*") == true, "\(listed)")

        // An indicator's target, marked at creation, loses the mark when a desk sets it.
        let words = name == "en" ? "(planning value)" : "(valor de planificación)"
        let indicator = try run(["--json", "indicator", "add", southbound, "--name-en", "Weapons seized", "--kind", "output",
                                 "--target", "100", "--illustrative", name == "en" ? "target" : "Meta"])
        #expect(indicator.status == 0, "\(indicator.stderr)")
        let created = try #require(try json(indicator.stdout)["id"]?.stringValue)
        func target() throws -> String {
            String(try #require(try run(["show", created]).stdout.split(separator: "\n").first { $0.hasPrefix(name == "en" ? "Target" : "Meta") }))
        }
        let marked = try target()
        #expect(marked.contains("100 " + words), "\(marked)")
        #expect(try run(["set", created, "target", "120"]).status == 0)
        let written = try target()
        #expect(!written.contains(words) && written.contains("120"), "\(written)")
        let baseless = try run(["indicator", "add", southbound, "--name-en", "Agents", "--kind", "output", "--illustrative", "baseline"])
        #expect(baseless.status == 64, "\(baseless.stderr)")
    }

    /// An import file's marks must name planning fields the record gives; `true` marks all of
    /// them. A mark on nothing, or on a field that cannot be one, is refused with its path, in
    /// both languages, and nothing is written.
    @Test(arguments: [0, 1]) func anImportFileMarksOnlyValuesItGives(_ language: Int) throws {
        let name = DocumentedCommandsEndToEndTests.languages[language].name
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        for (marks, path, words) in [
            (#"["lead"]"#, "commitments[0].illustrative[0]", name == "en" ? "expected one of" : "se esperaba uno de"),
            (#"["priority"]"#, "commitments[0].illustrative[0]",
             name == "en" ? "the record gives it no value" : "el registro no le da ningún valor"),
            (#""due""#, "commitments[0].illustrative", name == "en" ? "expected a JSON array" : "se esperaba un array JSON"),
        ] {
            try expectImportRefused(puente, store: store, contents: Self.file(marks: marks), path: path, words: words,
                                    language: language, folder: folder)
        }
        let good = folder.sub("good.json")
        try Data(Self.file(marks: "true").utf8).write(to: URL(fileURLWithPath: good))
        #expect(try puente.run(["--store", store, "import", good]).status == 0)
        let rows = try #require(try json(try puente.run(["--store", store, "--json", "list"]).stdout).arrayValue)
        // `true`: every planning field the record gives (it gives no priority).
        #expect(rows.first { $0["title"]?["en"]?.stringValue == "Operation Southbound" }?["illustrative"] == ["due", "status"])
    }
}
