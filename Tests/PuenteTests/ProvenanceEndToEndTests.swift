import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// Where a commitment comes from: its kind of source and the passage it rests on, recorded by
/// `add` and `import`, shown by `show`, filtered by `list --source`, in both languages; and an
/// outside analysts' recommendation is never listed as agreed, whatever its status says.
///
/// The records are the source documents' own: the arms-flow recommendation of the QI brief
/// (`../shared/seeds/003_aaa748ad6e1e3460.txt`) and the April 2023 meeting it reports.
@Suite struct ProvenanceEndToEndTests {
    let puente = PuenteProcess()
    static let brief = "003_aaa748ad6e1e3460.txt"
    static let recommendation = "Developing more robust policies to halt U.S. arms flow to Mexico"
    static let southbound = "the DoJ and ATF agreed to target southbound weapons more intensively"

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    /// A U.S. store with the recommendation (recorded as `agreed`, as a careless import would)
    /// and Operation Southbound (an announcement); returns the store and both ids.
    func store(_ folder: TemporaryFolder) throws -> (store: String, recommendation: String, southbound: String) {
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        let first = try puente.run(["--store", store, "--json", "add", "--title-en", "Halt U.S. arms flows to Mexico",
                                    "--pillar", "prevent", "--status", "agreed", "--due", "2024-01-31", "--source", "recommendation",
                                    "--citation", "\(Self.brief): “\(Self.recommendation)”"])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try puente.run(["--store", store, "--json", "add", "--title-en", "Operation Southbound",
                                     "--pillar", "prevent", "--status", "in-progress", "--due", "2024-01-31", "--source", "announcement",
                                     "--citation", "\(Self.brief): “\(Self.southbound)”"])
        #expect(second.status == 0, "\(second.stderr)")
        return (store, try #require(try json(first.stdout)["id"]?.stringValue), try #require(try json(second.stdout)["id"]?.stringValue))
    }

    @Test(arguments: [0, 1]) func theSourceIsShownAndARecommendationIsNeverListedAsAgreed(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, recommendation, southbound) = try store(folder)
        func run(_ arguments: [String]) throws -> PuenteProcess.Result {
            try puente.run(["--store", store] + flags + arguments, environment: environment)
        }

        let shown = try run(["show", recommendation])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains(name == "en" ? "recommendation (outside analysts; neither government agreed to it)"
                                                   : "recomendación (de analistas externos; ningún gobierno la acordó)"), "\(shown.stdout)")
        #expect(shown.stdout.contains(name == "en" ? "Citation" : "Cita"))
        #expect(shown.stdout.contains("\(Self.brief): “\(Self.recommendation)”"))
        let announced = try run(["show", southbound])
        #expect(announced.stdout.contains(name == "en" ? "announcement (one government, unilateral)"
                                                      : "anuncio (de un solo gobierno, unilateral)"), "\(announced.stdout)")

        // The list never calls the recommendation agreed; the announcement keeps its status.
        let listed = try run(["list"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let row = try #require(listed.stdout.split(separator: "\n").first { $0.contains("Halt U.S. arms flows") })
        #expect(row.contains(name == "en" ? "recommended" : "recomendado"), "\(row)")
        #expect(!row.contains(name == "en" ? "agreed" : "acordado"), "\(row)")
        let other = try #require(listed.stdout.split(separator: "\n").first { $0.contains("Operation Southbound") })
        #expect(other.contains(name == "en" ? "in progress" : "en curso"), "\(other)")

        // Filtered by the code or by the word displayed, in either language.
        for word in ["recommendation", "recomendación", "Recommendation"] {
            let filtered = try run(["list", "--source", word])
            #expect(filtered.status == 0, "\(filtered.stderr)")
            #expect(filtered.stdout.contains("Halt U.S. arms flows") && !filtered.stdout.contains("Operation Southbound"),
                    "\(word): \(filtered.stdout)")
        }
        // The review counts it apart and never calls it overdue; the announcement is overdue.
        let review = try run(["review", "--as-of", "2024-06-01"])
        #expect(review.status == 0, "\(review.stderr)")
        #expect(review.stdout.contains(name == "en" ? "? recommended" : "? recomendado"), "\(review.stdout)")
        let overdue = try run(["--json", "review", "--as-of", "2024-06-01"])
        let lists = try json(overdue.stdout)
        #expect(lists["overdue"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [southbound], "\(overdue.stdout)")
        #expect(lists["by_pillar"]?["prevent"]?["recommended"]?.intValue == 1)
        #expect(lists["by_pillar"]?["prevent"]?["agreed"] == nil)
        for arguments in [["list", "--overdue"], ["report", "--format", "markdown"]] {
            let listed = try run(arguments)
            #expect(listed.status == 0, "\(listed.stderr)")
            if arguments[0] == "list" { #expect(!listed.stdout.contains("Halt U.S. arms flows"), "\(listed.stdout)") }
            else { #expect(listed.stdout.contains(name == "en" ? "| recommended |" : "| recomendado |"), "\(listed.stdout)") }
        }
        let refused = try run(["list", "--source", "rumour"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("joint-statement") && refused.stderr.contains("recommendation"), "\(refused.stderr)")
    }

    @Test func listingsInJSONCarryTheSourceOnlyWhereOneIsRecorded() throws {
        let folder = try TemporaryFolder()
        let (store, recommendation, _) = try store(folder)
        #expect(try puente.run(["--store", store, "add", "--title-en", "A commitment of no recorded source", "--pillar", "protect"]).status == 0)
        let listed = try json(try puente.run(["--store", store, "--json", "list"]).stdout)
        let rows = try #require(listed.arrayValue)
        #expect(rows.count == 3)
        #expect(rows.first { $0["id"]?.stringValue == recommendation }?["source"]?.stringValue == "recommendation")
        #expect(rows.filter { $0["source"] == nil }.count == 1)
        let filtered = try json(try puente.run(["--store", store, "--json", "list", "--source", "announcement"]).stdout)
        #expect(filtered.arrayValue?.count == 1)
        // The source is a field like any other: its owner may correct it.
        let corrected = try puente.run(["--store", store, "set", String(recommendation.dropFirst("commitment/".count).prefix(8)),
                                        "source", "other"])
        #expect(corrected.status == 0, "\(corrected.stderr)")
        let after = try json(try puente.run(["--store", store, "--json", "list", "--source", "recommendation"]).stdout)
        #expect(after.arrayValue?.isEmpty == true)
    }

    /// A recommendation has its own path: adopted, it takes the source of what adopted it (and
    /// is listed, tallied and reviewed as a commitment from then on, its history keeping what it
    /// was); set aside (withdrawn), it is listed as such. Test records, not the sources' own.
    @Test(arguments: [0, 1]) func aRecommendationIsAdoptedOrSetAside(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        func run(_ arguments: [String]) throws -> PuenteProcess.Result {
            try puente.run(["--store", store] + flags + arguments, environment: environment)
        }
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        var ids = [String]()
        for title in ["A recommendation that is adopted", "A recommendation that is set aside"] {
            let added = try puente.run(["--store", store, "--json", "add", "--title-en", title, "--pillar", "prevent",
                                        "--status", "proposed", "--source", "recommendation", "--citation", "test: “\(title)”"])
            ids.append(try #require(try json(added.stdout)["id"]?.stringValue))
        }
        let adopted = try run(["update", String(ids[0].dropFirst("commitment/".count).prefix(8)), "--status", "agreed",
                               "--source", name == "en" ? "announcement" : "anuncio", "--citation", "test: “adopted”"])
        #expect(adopted.status == 0, "\(adopted.stderr)")
        let setAside = try run(["set", String(ids[1].dropFirst("commitment/".count).prefix(8)), "status", "withdrawn"])
        #expect(setAside.status == 0, "\(setAside.stderr)")

        let listed = try run(["list"])
        let first = try #require(listed.stdout.split(separator: "\n").first { $0.contains("is adopted") })
        #expect(first.contains(name == "en" ? "agreed" : "acordado"), "\(first)")
        let second = try #require(listed.stdout.split(separator: "\n").first { $0.contains("is set aside") })
        #expect(second.contains(name == "en" ? "set aside" : "descartado"), "\(second)")
        let review = try json(try run(["--json", "review"]).stdout)
        #expect(review["by_pillar"]?["prevent"]?["agreed"]?.intValue == 1 && review["by_pillar"]?["prevent"]?["recommended"]?.intValue == 1)
        // What it was stays in its history.
        let history = try run(["show", "--history", ids[0]])
        #expect(history.stdout.contains(name == "en" ? "recommendation" : "recomendación"), "\(history.stdout)")
    }

    /// An import file records each commitment's and dialogue's source; a kind it does not know
    /// is refused with the path, in both languages, and nothing is written.
    @Test(arguments: [0, 1]) func anImportFileRecordsSourcesAndRefusesAnUnknownKind(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        func file(kind: String) -> String {
            """
            {"format": "puente-import/1",
             "dialogues": [{"external_id": "bf-implementation-2023-04-13", "kind": "technical-meeting", "date": "2023-04-13",
                            "title": {"en": "April 2023 meeting at the White House", "es": "Reunión de abril de 2023 en la Casa Blanca"},
                            "source": {"kind": "other", "citation": "\(Self.brief): “in April 2023 the U.S. Department of Homeland Security (DHS) welcomed a Mexican delegation”"}}],
             "commitments": [{"external_id": "arms-flow-recommendation", "owner": "us", "pillar": "prevent", "status": "proposed",
                              "title": {"en": "Halt U.S. arms flows to Mexico", "es": "Detener el flujo de armas de EE. UU. a México"},
                              "source": {"kind": "\(kind)", "citation": "\(Self.brief): “\(Self.recommendation)”"}}]}
            """
        }
        let bad = folder.sub("bad.json")
        try Data(file(kind: "rumour").utf8).write(to: URL(fileURLWithPath: bad))
        let digest = try puente.run(["--store", store, "digest"]).stdout
        let refused = try puente.run(["--store", store] + flags + ["import", bad], environment: environment)
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("commitments[0].source.kind"), "\(refused.stderr)")
        #expect(refused.stderr.contains(name == "en" ? "nothing was changed" : "no se cambió nada"), "\(refused.stderr)")
        #expect(try puente.run(["--store", store, "digest"]).stdout == digest)

        let good = folder.sub("good.json")
        try Data(file(kind: "recommendation").utf8).write(to: URL(fileURLWithPath: good))
        let imported = try puente.run(["--store", store] + flags + ["import", good], environment: environment)
        #expect(imported.status == 0, "\(imported.stderr)")
        let listed = try json(try puente.run(["--store", store, "--json", "list", "--source", "recommendation"]).stdout)
        #expect(listed.arrayValue?.count == 1)
        let dialogue = try json(try puente.run(["--store", store, "--json", "dialogue", "list"]).stdout)
        let dialogueID = try #require(dialogue.arrayValue?.first?["id"]?.stringValue)
        let shown = try puente.run(["--store", store] + flags + ["dialogue", "show", dialogueID], environment: environment)
        #expect(shown.stdout.contains(name == "en" ? "Source" : "Fuente"), "\(shown.stdout)")
        #expect(shown.stdout.contains("welcomed a Mexican delegation"), "\(shown.stdout)")
    }
}
