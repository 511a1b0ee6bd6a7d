import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import PuenteKit
import PuenteTestSupport
import Testing

/// The briefing opens with an agenda, in every format and both languages: assessments that
/// differ, overdue, stalled, open conflicts and, for a round, what changed since the round
/// before it; `--since dialogue:ID` counts from a round's date, in `review` too.
@Suite struct BriefingAgendaEndToEndTests {
    let puente = PuenteProcess()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test(arguments: [0, 1]) func theBriefingOpensWithTheAgenda(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let spanish = name == "es"
        let record = try ReviewReportTests().record()
        let sync = SyncEndToEndTests()
        let (us, mx) = (record.us, record.mx)
        // A joint commitment of a round: the delegations assess it differently, and set its
        // status to different values before they exchange.
        let joint = try json(try puente.run(["--store", us, "--json", "list", "--owner", "joint"]).stdout).arrayValue ?? []
        let item = try #require(joint.first { $0["dialogue"]?.stringValue != nil })
        let id = try #require(item["id"]?.stringValue)
        let round = try #require(item["dialogue"]?.stringValue)
        let title = try #require(item["title"]?[spanish ? "es" : "en"]?.stringValue)
        #expect(try puente.run(["--store", us, "assess", id, "on-track"]).status == 0)
        #expect(try puente.run(["--store", mx, "assess", id, "at-risk", "--why", "Faltan recursos"]).status == 0)
        #expect(try puente.run(["--store", us, "set", id, "status", "stalled"]).status == 0)
        #expect(try puente.run(["--store", mx, "set", id, "status", "fulfilled"]).status == 0)
        try sync.export(mx, record.folder.sub("3.puente"))
        #expect(try sync.importing(us, [record.folder.sub("3.puente")]).status == 0)

        func report(_ extra: [String]) throws -> String {
            let result = try puente.run(["--store", us] + flags + ["report", "--as-of", ReviewReportTests.asOf] + extra,
                                        environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }
        // Markdown: the agenda comes before the first pillar's section and names the commitment
        // under assessments that differ and open conflicts.
        let markdown = try report(["--format", "markdown"])
        let agenda = try #require(markdown.range(of: "## " + (spanish ? "Orden del día" : "Agenda")))
        let firstPillar = try #require(markdown.range(of: "## " + (spanish ? "Proteger" : "Protect") + " ("))
        #expect(agenda.upperBound < firstPillar.lowerBound)
        let opening = String(markdown[agenda.upperBound..<firstPillar.lowerBound])
        for heading in spanish ? ["Evaluaciones que difieren (1)", "Vencidos (", "Estancados (", "Conflictos abiertos (1)"]
                               : ["Assessments that differ (1)", "Overdue (", "Stalled (", "Open conflicts (1)"] {
            #expect(opening.contains("### " + heading), "\(heading)")
        }
        #expect(opening.components(separatedBy: title).count - 1 >= 2, "\(title): \(opening)")
        #expect(opening.contains(spanish ? "En riesgo" : "At risk") || opening.contains(spanish ? "en riesgo" : "at risk"), "\(opening)")
        // The overdue list is the review's, whole.
        let review = try json(try puente.run(["--store", us, "--json", "review", "--as-of", ReviewReportTests.asOf]).stdout)
        let overdue = review["overdue"]?.arrayValue?.count ?? -1
        #expect(opening.contains("### " + (spanish ? "Vencidos (\(overdue))" : "Overdue (\(overdue))")))

        // HTML: one section of four lists, well formed.
        let html = try report(["--format", "html"])
        let document = try XMLDocument(data: Data(html.replacingOccurrences(of: "<!DOCTYPE html>", with: "").utf8))
        #expect(try document.nodes(forXPath: "//section[@class='agenda']/h3").count == 4)
        #expect(try document.nodes(forXPath: "//section[@class='agenda']//li").contains { ($0.stringValue ?? "").contains(title) })

        // CSV: a column saying which lists each commitment is on.
        let rows = ReviewReportTests.parseCSV(try report(["--format", "csv"]))
        let row = try #require(rows.first { $0.first == id })
        #expect(rows.first?.last == (spanish ? "Orden del día" : "Agenda"))
        #expect(row.last?.contains(spanish ? "evaluaciones que difieren" : "assessments differ") == true, "\(row)")
        #expect(row.last?.contains(spanish ? "conflicto abierto" : "open conflict") == true, "\(row)")

        // JSON: the same lists by id.
        let object = try json(try report(["--format", "json"]))
        #expect(object["agenda"]?["disagreements"]?.arrayValue?.compactMap(\.stringValue) == [id])
        #expect(object["agenda"]?["conflicts"]?.arrayValue?.first?["entity"]?.stringValue == id)
        #expect(object["agenda"]?["changes"] == .null, "no start given for the whole record")

        // A round's briefing lists what changed since the round before it, named by its date.
        let rounds = try json(try puente.run(["--store", us, "--json", "dialogue", "list"]).stdout).arrayValue ?? []
        let date = try #require(rounds.first { $0["id"]?.stringValue == round }?["fields"]?["date"]?["live"]?.arrayValue?.first?["value"]?.stringValue)
        let earlier = rounds.compactMap { r -> (String, String)? in
            guard let d = r["fields"]?["date"]?["live"]?.arrayValue?.first?["value"]?.stringValue, d < date,
                  let rid = r["id"]?.stringValue else { return nil }
            return (d, rid)
        }.max { $0.0 < $1.0 }
        let forRound = try report(["--format", "markdown", "--dialogue", round])
        if let earlier {
            #expect(forRound.contains(spanish ? "Cambios desde la ronda del \(earlier.0):" : "Changed since the round of \(earlier.0):"),
                    "\(forRound.prefix(3000))")
        }
        // review --since dialogue:ID counts from that round's date, as --since DATE does.
        let fromRound = try json(try puente.run(["--store", us, "--json", "review", "--since", "dialogue:" + Replica.shortID(round)]).stdout)
        let fromDate = try json(try puente.run(["--store", us, "--json", "review", "--since", date]).stdout)
        #expect(fromRound["since"] == fromDate["since"] && fromRound["changes"] == fromDate["changes"])
        #expect((fromRound["changes"]?.arrayValue?.count ?? 0) > 0)
        let wrong = try puente.run(["--store", us] + flags + ["review", "--since", "dialog:1234"], environment: environment)
        #expect(wrong.status == 64)
        #expect(wrong.stderr.contains("dialogue:ID"), "\(wrong.stderr)")
    }
}
