import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// What the sources say of rounds and figures, and the record keeps: a commitment made at one
/// dialogue and taken up again at later ones (the Bicentennial Framework's goals, launched on
/// 8 October 2021 and reviewed at the January 2023 summit, whose day the sources do not give);
/// an indicator's baseline date, target date, and values that are estimates ("an estimated
/// half–million weapons", `../shared/seeds/003_aaa748ad6e1e3460.txt`). Both languages.
@Suite struct RoundsAndEstimatesEndToEndTests {
    let puente = PuenteProcess()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    static func rounds(summitDate: String = "2023-01", revisited: String = "summit-2023") -> String {
        """
        {"format": "puente-import/1",
         "dialogues": [
          {"external_id": "hlsd-2021", "title": {"en": "High-Level Security Dialogue", "es": "Diálogo de Alto Nivel sobre Seguridad"},
           "date": "2021-10-08", "kind": "high-level-dialogue"},
          {"external_id": "summit-2023", "title": {"en": "North American Leaders' Summit", "es": "Cumbre de Líderes de América del Norte"},
           "date": "\(summitDate)", "kind": "summit"}
         ],
         "commitments": [
          {"external_id": "arms", "owner": "joint", "pillar": "prevent", "status": "in-progress",
           "title": {"en": "Reduce illegal weapons entering Mexico", "es": "Reducir las armas que entran ilegalmente a México"},
           "dialogue": "hlsd-2021", "revisited": ["\(revisited)"]},
          {"external_id": "finance", "owner": "joint", "pillar": "pursue", "status": "in-progress",
           "title": {"en": "Disrupt illicit financiers", "es": "Desarticular a los financiadores ilícitos"},
           "dialogue": "hlsd-2021"}
         ]}
        """
    }

    @Test(arguments: [0, 1]) func aCommitmentTakenUpAgainIsAmongThatRoundsCommitments(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        // A round that names a dialogue nobody recorded, and a month that does not exist, are refused.
        try expectImportRefused(puente, store: store, contents: Self.rounds(revisited: "nowhere"), path: "nowhere",
                                language: language, folder: folder)
        try expectImportRefused(puente, store: store, contents: Self.rounds(summitDate: "2023-13"), path: "dialogues[1].date",
                                words: name == "en" ? "YYYY-MM when only the month is known" : "AAAA-MM cuando solo se conoce el mes",
                                language: language, folder: folder)

        let file = folder.sub("rounds.json")
        try Data(Self.rounds().utf8).write(to: URL(fileURLWithPath: file))
        #expect(try puente.run(["--store", store, "import", file]).status == 0)
        func run(_ arguments: [String]) throws -> PuenteProcess.Result {
            try puente.run(["--store", store] + flags + arguments, environment: environment)
        }
        let dialogues = try #require(try json(try run(["--json", "dialogue", "list"]).stdout).arrayValue)
        func dialogue(_ date: String) throws -> String {
            try #require(dialogues.first { $0["fields"]?["date"]?["value"]?.stringValue == date }?["id"]?.stringValue)
        }
        let launch = try dialogue("2021-10-08")
        let summit = try dialogue("2023-01")
        #expect(try run(["dialogue", "list"]).stdout.contains("2023-01 "))

        func titles(_ dialogue: String) throws -> [String] {
            try #require(try json(try run(["--json", "list", "--dialogue", dialogue]).stdout).arrayValue)
                .compactMap { $0["title"]?["en"]?.stringValue }.sorted()
        }
        #expect(try titles(launch) == ["Disrupt illicit financiers", "Reduce illegal weapons entering Mexico"])
        #expect(try titles(summit) == ["Reduce illegal weapons entering Mexico"])
        let shown = try run(["dialogue", "show", summit]).stdout
        #expect(shown.contains(name == "en" ? "Commitments this dialogue took up again (1)" : "Compromisos que este diálogo retomó (1)"),
                "\(shown)")
        #expect(!shown.contains(name == "en" ? "Commitments from this dialogue" : "Compromisos de este diálogo"), "\(shown)")
        // The round's briefing covers it; the round's date is its month.
        let report = try run(["report", "--dialogue", summit, "--format", "markdown"]).stdout
        #expect(report.contains(name == "en" ? "Reduce illegal weapons entering Mexico" : "Reducir las armas que entran ilegalmente a México"),
                "\(report)")
        #expect(!report.contains(name == "en" ? "Disrupt illicit financiers" : "Desarticular a los financiadores ilícitos"))
        #expect(report.contains(name == "en" ? "**Date:** 2023-01 " : "**Fecha:** 2023-01 "), "\(report)")
        // Each commitment the round took up again says so, and where it was made.
        let again = name == "en" ? "Taken up again at this round (made at dialogue \(Replica.shortID(launch)))"
                                 : "Retomado en esta ronda (hecho en el diálogo \(Replica.shortID(launch)))"
        #expect(report.contains(again), "\(report)")
        #expect(try run(["report", "--dialogue", summit, "--format", "html"]).stdout.contains(again))
        #expect(!(try run(["report", "--dialogue", launch, "--format", "markdown"]).stdout.contains(again)))
        let briefing = try json(try run(["report", "--dialogue", summit, "--format", "json"]).stdout)
        #expect(briefing["commitments"]?.arrayValue?.first?["taken_up_again"] == .bool(true), "\(briefing)")
        // What changed since the round counts from the first of its month.
        let since = try run(["review", "--since", "dialogue:" + summit]).stdout
        #expect(since.contains((name == "en" ? "since " : "desde ") + "2023-01-01T00:00:00Z (2)"), "\(since)")

        // A desk records that the summit took up a second commitment, and takes it back.
        let finance = try #require(try json(try run(["--json", "list", "--dialogue", launch]).stdout).arrayValue?
            .first { $0["title"]?["en"]?.stringValue == "Disrupt illicit financiers" }?["id"]?.stringValue)
        let added = try run(["update", finance, "--revisited", "+" + summit])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains(name == "en" ? "Taken up again at" : "Retomado en"), "\(added.stdout)")
        #expect(try titles(summit) == ["Disrupt illicit financiers", "Reduce illegal weapons entering Mexico"])
        #expect(try run(["show", finance]).stdout.contains(Replica.shortID(summit)))
        #expect(try run(["update", finance, "--revisited", "-" + summit]).status == 0)
        #expect(try titles(summit) == ["Reduce illegal weapons entering Mexico"])
        // Only a dialogue may be named.
        let wrong = try run(["update", finance, "--revisited", "+" + finance])
        #expect(wrong.status != 0, "\(wrong.stdout)")
    }

    static func estimates(estimate: String = "true", marks: String = "[\"target_date\"]", targetDate: String = ", \"target_date\": \"2030-12-31\"") -> String {
        """
        {"format": "puente-import/1",
         "commitments": [
          {"external_id": "arms", "owner": "joint", "pillar": "prevent", "status": "in-progress",
           "title": {"en": "Reduce illegal weapons entering Mexico", "es": "Reducir las armas que entran ilegalmente a México"},
           "indicators": [{"external_id": "arms-i1", "name": {"en": "Weapons entering Mexico illegally per year", "es": "Armas que entran ilegalmente a México al año"},
                           "kind": "outcome", "direction": "decrease", "unit": {"en": "weapons", "es": "armas"},
                           "baseline": "500000", "baseline_date": "2023-06-30", "target": "250000"\(targetDate),
                           "estimate": \(estimate), "illustrative": \(marks)}]}
         ]}
        """
    }

    @Test(arguments: [0, 1]) func anIndicatorsDatesAndEstimatesAreShownAsSuch(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        let path = "commitments[0].indicators[0]"
        try expectImportRefused(puente, store: store, contents: Self.estimates(estimate: "\"yes\""), path: path + ".estimate",
                                words: name == "en" ? "expected true or false" : "se esperaba true o false",
                                language: language, folder: folder)
        try expectImportRefused(puente, store: store, contents: Self.estimates(targetDate: ""), path: path + ".illustrative[0]",
                                language: language, folder: folder)

        let file = folder.sub("estimates.json")
        try Data(Self.estimates().utf8).write(to: URL(fileURLWithPath: file))
        #expect(try puente.run(["--store", store, "import", file]).status == 0)
        func run(_ arguments: [String]) throws -> PuenteProcess.Result {
            try puente.run(["--store", store] + flags + arguments, environment: environment)
        }
        let course = "≈500,000 (2023-06-30) → — → 250,000 (2030-12-31*) " + (name == "en" ? "weapons" : "armas")
        let commitment = try #require(try json(try run(["--json", "list"]).stdout).arrayValue?.first?["id"]?.stringValue)
        let shown = try run(["show", commitment]).stdout
        #expect(shown.contains(name == "en" ? "[outcome, estimate]" : "[resultado, estimación]") && shown.contains(course), "\(shown)")
        let markdown = try run(["report", "--format", "markdown"]).stdout
        // Markdown escapes the planning mark.
        #expect(markdown.contains(course.replacingOccurrences(of: "*", with: "\\*")), "\(markdown)")
        let review = try run(["review"]).stdout
        #expect(review.contains("≈500,000") && review.contains(name == "en" ? "≈ an estimate, not a count" : "≈ una estimación, no un conteo"),
                "\(review)")
        let indicator = try #require(try json(try run(["--json", "review"]).stdout)["indicators"]?.arrayValue?.first)
        #expect(indicator["baseline_date"]?.stringValue == "2023-06-30" && indicator["target_date"]?.stringValue == "2030-12-31")
        #expect(indicator["estimate"] == .bool(true) && indicator["illustrative"] == .array([.string("target.date")]), "\(indicator)")

        // The same from the command line, on a second indicator.
        let added = try run(["indicator", "add", commitment, "--name-en", "Weapons traced", "--kind", "output", "--baseline", "0",
                             "--baseline-date", "2023-01-31", "--target", "5000", "--target-date", "2026-12-31",
                             "--illustrative", "target.date", "--estimate"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try run(["show", commitment]).stdout.contains("≈0 (2023-01-31) → — → 5,000 (2026-12-31*)"))
        let badDate = try run(["indicator", "add", commitment, "--name-en", "Weapons traced", "--kind", "output", "--target-date", "2026-02-30"])
        #expect(badDate.status == 64, "\(badDate.stderr)")
        // A target date can be a planning value only when there is one.
        let unmarked = try run(["indicator", "add", commitment, "--name-en", "Weapons traced", "--kind", "output", "--illustrative", "target.date"])
        #expect(unmarked.status == 64, "\(unmarked.stderr)")
    }
}
