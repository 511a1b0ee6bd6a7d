import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GRDB
import PuenteKit
import PuenteTestSupport
import Testing

/// The review dashboard and the briefing reports on the fixture, through the binary: golden
/// outputs in both languages, the HTML parsed, the CSV read back, the JSON checked against the
/// store itself. `PUENTE_UPDATE_GOLDEN=1` rewrites the golden files.
@Suite(.serialized) struct ReviewReportTests {
    let puente = PuenteProcess()
    static let asOf = "2024-05-01"

    /// A U.S. and a Mexican store that imported their parts of the fixture and synced both ways.
    struct Record {
        let folder: TemporaryFolder
        let us: String
        let mx: String
        /// Every entity id (full), to mask in golden outputs.
        let ids: [String]
    }

    func record() throws -> Record {
        let folder = try TemporaryFolder()
        let us = folder.sub("us")
        let mx = folder.sub("mx")
        var cards = [(String, String)]()
        for (store, delegation) in [(us, "us"), (mx, "mx")] {
            try puente.run(["--store", store, "init", "--delegation", delegation, "--name", "\(delegation) desk"])
            try puente.run(["--store", store, "keys", "export", "--to", store + ".card"])
            let shown = try JSONParser.parse(Array(try puente.run(["--store", store, "--json", "keys", "show"]).stdout.utf8))
            cards.append((store + ".card", shown["fingerprint"]?.stringValue ?? ""))
        }
        try puente.run(["--store", us, "keys", "trust", cards[1].0, "--fingerprint", cards[1].1])
        try puente.run(["--store", mx, "keys", "trust", cards[0].0, "--fingerprint", cards[0].1])
        let fixture = Repository.path("Fixtures/bicentennial.json")
        #expect(try puente.run(["--store", us, "import", fixture]).status == 0)
        try puente.run(["--store", us, "sync", "export", "--to", folder.sub("1.puente")])
        try puente.run(["--store", mx, "sync", "import", folder.sub("1.puente")])
        #expect(try puente.run(["--store", mx, "import", fixture]).status == 0)
        try puente.run(["--store", mx, "sync", "export", "--to", folder.sub("2.puente")])
        try puente.run(["--store", us, "sync", "import", folder.sub("2.puente")])
        var ids = [String]()
        for command in [["list"], ["dialogue", "list"]] {
            let rows = try JSONParser.parse(Array(try puente.run(["--store", us, "--json"] + command).stdout.utf8))
            ids += (rows.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        }
        let review = try JSONParser.parse(Array(try puente.run(["--store", us, "--json", "review", "--as-of", Self.asOf]).stdout.utf8))
        ids += (review["indicators"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        return Record(folder: folder, us: us, mx: mx, ids: ids)
    }

    /// Masks every entity id (full and short), which differ from run to run.
    func normalize(_ text: String, ids: [String]) -> String {
        var out = text
        for id in ids {
            out = out.replacingOccurrences(of: id, with: "<id>")
            out = out.replacingOccurrences(of: Replica.shortID(id), with: "<id>")
        }
        return out
    }

    func golden(_ name: String, _ actual: String) throws {
        let path = Repository.path("Tests/PuenteTests/Golden/" + name)
        if ProcessInfo.processInfo.environment["PUENTE_UPDATE_GOLDEN"] == "1" {
            try Data(actual.utf8).write(to: URL(fileURLWithPath: path))
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        if expected != actual {
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let index = (0..<min(expectedLines.count, actualLines.count)).first { expectedLines[$0] != actualLines[$0] } ?? min(expectedLines.count, actualLines.count)
            let want = index < expectedLines.count ? String(expectedLines[index]) : "(end)"
            let got = index < actualLines.count ? String(actualLines[index]) : "(end)"
            Issue.record(Comment(rawValue: "\(name) differs from its golden file at line \(index + 1): expected «\(want)», got «\(got)»"))
        }
    }

    @Test func reviewAndReportMatchTheirGoldenOutputsInBothLanguages() throws {
        let record = try record()
        for lang in ["en", "es"] {
            let review = try puente.run(["--store", record.us, "--lang", lang, "review", "--as-of", Self.asOf])
            #expect(review.status == 0, "\(review.stderr)")
            #expect(!review.stdout.contains("\u{1B}["), "no colors when stdout is not a terminal")
            for line in review.stdout.split(separator: "\n") {
                #expect(line.count <= 100, "review line wider than 100 columns: \(line)")
            }
            try golden("review.\(lang).txt", normalize(review.stdout, ids: record.ids))
            let report = try puente.run(["--store", record.us, "--lang", lang, "report", "--format", "markdown", "--as-of", Self.asOf])
            #expect(report.status == 0, "\(report.stderr)")
            try golden("report.\(lang).md", normalize(report.stdout, ids: record.ids))
        }
        // The Spanish review names every status and goal in Spanish.
        let spanish = try puente.run(["--store", record.us, "--lang", "es", "review", "--as-of", Self.asOf]).stdout
        #expect(spanish.contains("Proteger") && spanish.contains("Vencidos") && spanish.contains("Indicadores de resultado"))
    }

    @Test func theReviewJSONMatchesTheStore() throws {
        let record = try record()
        let review = try JSONParser.parse(Array(try puente.run(["--store", record.us, "--json", "review", "--as-of", Self.asOf]).stdout.utf8))
        let queue = try DatabaseQueue(path: record.us + "/" + Replica.databaseFile)
        try queue.read { db in
            #expect(review["total"]?.intValue == (try Int.fetchOne(db, sql: "SELECT count(*) FROM commitment_summary")).map(Int64.init))
            // An outside analysts' recommendation counts as `recommended`, whatever its status.
            let status = "CASE WHEN source = 'recommendation' THEN 'recommended' ELSE status END AS status"
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM commitment_summary WHERE source = 'recommendation'") == 12)
            for row in try Row.fetchAll(db, sql: "SELECT pillar, \(status), count(*) AS n FROM commitment_summary GROUP BY 1, 2") {
                let pillar: String = row["pillar"]
                let status: String = row["status"]
                let count: Int64 = row["n"]
                #expect(review["by_pillar"]?[pillar]?[status]?.intValue == count, "\(pillar) \(status)")
            }
            for row in try Row.fetchAll(db, sql: "SELECT owner, \(status), count(*) AS n FROM commitment_summary GROUP BY 1, 2") {
                let owner: String = row["owner"]
                let status: String = row["status"]
                let count: Int64 = row["n"]
                #expect(review["by_owner"]?[owner]?[status]?.intValue == count, "\(owner) \(status)")
            }
            let overdue = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM commitment_summary WHERE due < ? AND status NOT IN ('fulfilled', 'withdrawn')
                    AND source IS NOT 'recommendation'
                """, arguments: [Self.asOf]) ?? -1
            #expect(review["overdue"]?.arrayValue?.count == overdue)
            let soon = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM commitment_summary WHERE due >= ? AND due <= date(?, '+30 days') AND status NOT IN ('fulfilled', 'withdrawn')
                    AND source IS NOT 'recommendation'
                """, arguments: [Self.asOf, Self.asOf]) ?? -1
            #expect(review["due_soon"]?.arrayValue?.count == soon)
            let stalled = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM commitment_summary WHERE status = 'stalled' AND source IS NOT 'recommendation'
                """) ?? -1
            #expect(review["stalled"]?.arrayValue?.count == stalled)
            let indicators = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM entity WHERE type = 'indicator' AND state = 'accepted' AND retracted = 0
                """) ?? -1
            #expect(review["indicators"]?.arrayValue?.count == indicators)
            let conflicts = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT 1 FROM register_value GROUP BY entity, field HAVING count(*) > 1)
                """) ?? -1
            #expect(review["conflicts"]?.intValue == Int64(conflicts))
        }
        // Progress honors direction: overdose deaths went up from 87,000 to 109,000 against a target of 60,000.
        let deaths = review["indicators"]?.arrayValue?.first { $0["name_en"]?.stringValue == "Drug overdose deaths per year" }
        #expect(deaths?["progress"]?.stringValue == "-0.8148")
        #expect(deaths?["direction"]?.stringValue == "decrease")
    }

    @Test func theHTMLIsOneSelfContainedFileWithTablesAndCharts() throws {
        let record = try record()
        let dialogues = try JSONParser.parse(Array(try puente.run(["--store", record.us, "--json", "dialogue", "list"]).stdout.utf8))
        let dialogue = try #require(dialogues.arrayValue?.first { $0["external_id"]?.stringValue == "hlsd-2021-10-08" }?["id"]?.stringValue)
        let file = record.folder.sub("round.html")
        let written = try puente.run(["--store", record.us, "--lang", "es", "report", "--format", "html", "--dialogue", dialogue,
                                      "--as-of", Self.asOf, "--to", file])
        #expect(written.status == 0, "\(written.stderr)")
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href=") && !html.contains("@import"))
        #expect(html.contains("@page") && html.contains("<html lang=\"es\">"))
        // Parsed as XML (the file is well formed): its tables and charts.
        let document = try XMLDocument(data: Data(html.replacingOccurrences(of: "<!DOCTYPE html>", with: "").utf8))
        let tables = try document.nodes(forXPath: "//table")
        #expect(tables.count >= 3)
        let summaryRows = try document.nodes(forXPath: "//table[@class='summary']/tbody/tr")
        #expect(summaryRows.count == 3)
        let counted = try summaryRows.compactMap { row in try (row.nodes(forXPath: "td[last()]").first?.stringValue).flatMap(Int.init) }
        let commitments = try JSONParser.parse(Array(try puente.run(["--store", record.us, "--json", "list", "--dialogue", dialogue]).stdout.utf8))
        #expect(counted.reduce(0, +) == commitments.arrayValue?.count)
        #expect(try document.nodes(forXPath: "//*[local-name()='svg']").count == 3)
        #expect(try document.nodes(forXPath: "//table[@class='readouts']/thead/tr/th").map { $0.stringValue } == ["Estados Unidos", "México"])
        let assessments = try document.nodes(forXPath: "//table[@class='assessments']")
        #expect(assessments.count == commitments.arrayValue?.count)
        // The fixture summarizes the dialogue: the summary is headed as such, never as the statement.
        #expect(html.contains("Resumen (no es el texto oficial)") && !html.contains("Declaración conjunta"))
    }

    @Test func theCSVReadsBack() throws {
        let record = try record()
        let csv = try puente.run(["--store", record.us, "report", "--format", "csv", "--as-of", Self.asOf]).stdout
        let rows = Self.parseCSV(csv)
        let listed = try JSONParser.parse(Array(try puente.run(["--store", record.us, "--json", "list"]).stdout.utf8)).arrayValue ?? []
        #expect(rows.count == listed.count + 1)
        #expect(rows.allSatisfy { $0.count == rows[0].count })
        #expect(Set(rows.dropFirst().map { $0[0] }) == Set(listed.compactMap { $0["id"]?.stringValue }))
        let titles = Set(listed.compactMap { $0["title"]?["en"]?.stringValue })
        let title = try #require(rows.first?.firstIndex(of: "Title"))
        #expect(rows.dropFirst().allSatisfy { titles.contains($0[title]) || $0[title].hasSuffix(" [es]") })
        // The planning values' column names the fields the JSON lists, as `show` names them.
        let planning = try #require(rows.first?.firstIndex(of: "Planning values"))
        var marks = [String: [String]]()
        for row in listed { if let id = row["id"]?.stringValue { marks[id] = row["illustrative"]?.arrayValue?.compactMap(\.stringValue) ?? [] } }
        let names = ["due": "Due", "priority": "Priority", "status": "Status"]
        for row in rows.dropFirst() {
            #expect(row[planning] == (marks[row[0]] ?? []).map { names[$0] ?? $0 }.joined(separator: "; "), "\(row)")
        }
        #expect(rows.dropFirst().contains { $0[planning].contains("Status") } && rows.dropFirst().contains { !$0[planning].contains("Status") })
        let spanish = Self.parseCSV(try puente.run(["--store", record.us, "--lang", "es", "report", "--format", "csv"]).stdout)
        #expect(spanish.first?.contains("Objetivo") == true)
        // --json asks for JSON here as everywhere; --format still decides when given.
        let json = try puente.run(["--store", record.us, "report", "--format", "json", "--as-of", Self.asOf]).stdout
        #expect(try JSONParser.parse(Array(json.utf8))["commitments"]?.arrayValue?.count == listed.count)
        #expect(try puente.run(["--store", record.us, "--json", "report", "--as-of", Self.asOf]).stdout == json)
        #expect(try puente.run(["--store", record.us, "--json", "report", "--format", "csv", "--as-of", Self.asOf]).stdout == csv)
    }

    @Test func searchSortLimitSinceAndTitleFallback() throws {
        let record = try record()
        func ids(_ arguments: [String]) throws -> [String] {
            let rows = try JSONParser.parse(Array(try puente.run(["--store", record.us, "--json", "list"] + arguments).stdout.utf8))
            return (rows.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        }
        // Either language, any case, no accents needed, words as prefixes.
        let spanish = try ids(["--text", "operacion SOUTHBOUND"])
        let english = try ids(["--text", "southbound weap"])
        #expect(spanish.count == 1 && spanish == english)
        #expect(try ids(["--text", "tráfico armas"]).count >= 2)
        #expect(try ids(["--text", "nothing-like-this"]).isEmpty)
        // Sorting and limits.
        let byTitle = try JSONParser.parse(Array(try puente.run(["--store", record.us, "--json", "list", "--sort", "title"]).stdout.utf8))
        let titles = (byTitle.arrayValue ?? []).compactMap { $0["title"]?["en"]?.stringValue ?? $0["title"]?["es"]?.stringValue }
        #expect(titles == titles.sorted { $0.lowercased() < $1.lowercased() })
        #expect(try ids(["--limit", "5"]).count == 5)
        #expect(try puente.run(["--store", record.us, "list", "--sort", "sideways"]).status == 64)

        // What changed: since the last import (the Mexican bundle), and since a date.
        let since = try JSONParser.parse(Array(try puente.run(["--store", record.us, "--json", "review", "--since", "last-import"]).stdout.utf8))
        let changed = since["changes"]?.arrayValue ?? []
        #expect(!changed.isEmpty)
        #expect(changed.allSatisfy { $0["authors"]?.arrayValue == ["mx desk"] })
        let all = try JSONParser.parse(Array(try puente.run(["--store", record.us, "--json", "review", "--since", "2000-01-01"]).stdout.utf8))
        #expect(all["changes"]?.arrayValue?.count == all["total"]?.intValue.map(Int.init))
        let text = try puente.run(["--store", record.us, "--lang", "es", "review", "--since", "last-import"]).stdout
        #expect(text.contains("Cambios desde"))
        #expect(try puente.run(["--store", record.us, "review", "--since", "yesterday"]).status == 64)

        // A title in one language only shows, in the other, marked with its language.
        let added = try puente.run(["--store", record.us, "--json", "add", "--title-es", "Reunión técnica de rastreo", "--pillar", "pursue"])
        let id = try #require(try JSONParser.parse(Array(added.stdout.utf8))["id"]?.stringValue)
        let listed = try puente.run(["--store", record.us, "list", "--text", "rastreo"]).stdout
        #expect(listed.contains("Reunión técnica de rastreo [es]"))
        #expect(try puente.run(["--store", record.us, "--lang", "es", "show", id]).stdout.contains("Reunión técnica de rastreo  ["))
    }

    /// RFC 4180: quoted fields with doubled quotes, CRLF between records.
    static func parseCSV(_ text: String) -> [[String]] {
        var rows = [[String]]()
        var row = [String]()
        var field = ""
        var quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field)
                field = ""
            } else if character == "\r\n" || character == "\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty { rows.append(row + [field]) }
        return rows
    }
}
