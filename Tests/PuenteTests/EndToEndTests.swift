import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// The built binary, run as a user would, on temporary stores.
@Suite struct EndToEndTests {
    let puente = PuenteProcess()
    let fixture = Repository.path("Fixtures/bicentennial.json")

    func json(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    func digest(_ store: String) throws -> String {
        try puente.run(["--store", store, "digest"]).stdout
    }

    @Test func aDelegationsWeekInBothLanguages() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        let initResult = try puente.run(["--store", store, "init", "--delegation", "us", "--name", "State INL desk"])
        #expect(initResult.status == 0)
        #expect(initResult.stdout.contains("Store created"))

        let first = try puente.run(["--store", store, "--json", "import", fixture])
        #expect(first.status == 0, "\(first.stderr)")
        let report = try json(first.stdout)
        #expect(report["commitments"] == 36)  // U.S.-owned and joint; Mexico records its own
        #expect(report["dialogues"] == 5)
        #expect(report["left_for_others"]?["mx"] == 8)
        let afterFirst = try digest(store)
        let second = try puente.run(["--store", store, "--json", "import", fixture])
        #expect(second.status == 0)
        #expect(try json(second.stdout)["commitments"] == 0)
        #expect(try digest(store) == afterFirst, "importing twice changes nothing")

        // list with filters, as JSON parsed back
        let listed = try json(try puente.run(["--store", store, "--json", "list", "--pillar", "prevent", "--owner", "us"]).stdout)
        let rows = try #require(listed.arrayValue)
        #expect(!rows.isEmpty)
        #expect(rows.allSatisfy { $0["pillar"] == "prevent" && $0["owner"] == "us" })
        let southbound = try #require(rows.first { $0["title"]?["en"]?.stringValue?.contains("Southbound") == true })
        let id = try #require(southbound["short_id"]?.stringValue)
        let text = try json(try puente.run(["--store", store, "--json", "list", "--text", "FENTANILO"]).stdout)
        #expect((text.arrayValue ?? []).contains { $0["title"]?["es"]?.stringValue?.contains("fentanilo") == true })
        // Case and accents do not matter: "OPERACION" finds "Operación".
        let folded = try json(try puente.run(["--store", store, "--json", "list", "--text", "OPERACION southbound"]).stdout)
        #expect(folded.arrayValue?.count == 1)
        #expect(folded.arrayValue?.first?["title"]?["es"]?.stringValue?.hasPrefix("Operación") == true)
        let overdue = try json(try puente.run(["--store", store, "--json", "list", "--due-before", "2023-07-01"]).stdout)
        #expect((overdue.arrayValue ?? []).allSatisfy { ($0["due"]?.stringValue ?? "9") < "2023-07-01" })

        // edits
        #expect(try puente.run(["--store", store, "set", id, "status", "stalled"]).status == 0)
        #expect(try puente.run(["--store", store, "set", id, "tags", "+southbound"]).status == 0)
        #expect(try puente.run(["--store", store, "assess", id, "at-risk", "--why", "Staffing gaps"]).status == 0)
        #expect(try puente.run(["--store", store, "note", id, "Reviewed at the April round"]).status == 0)

        let shown = try json(try puente.run(["--store", store, "--json", "show", id]).stdout)
        #expect(shown["fields"]?["status"]?["value"] == "stalled")
        #expect(shown["fields"]?["assessment.us"]?["value"]?["rating"] == "at-risk")
        #expect(shown["sets"]?["tags"]?.arrayValue?.contains { $0["value"] == "southbound" } == true)
        #expect((shown["history"]?.arrayValue?.count ?? 0) >= 4)
        #expect(shown["children"]?.arrayValue?.contains { $0["type"] == "note" } == true)

        let english = try puente.run(["--store", store, "show", id])
        #expect(english.stdout.contains("Operation Southbound"))
        #expect(english.stdout.contains("Assessments"))
        #expect(english.stdout.contains("at risk — Staffing gaps"))
        let spanish = try puente.run(["--store", store, "--lang", "es", "show", id])
        #expect(spanish.stdout.contains("Operación Southbound"))
        #expect(spanish.stdout.contains("Evaluaciones"))
        #expect(spanish.stdout.contains("estancado"))
        let viaLang = try puente.run(["--store", store, "show", id], environment: ["LANG": "es_MX.UTF-8"])
        #expect(viaLang.stdout == spanish.stdout)

        // review in both languages, and its JSON
        let review = try puente.run(["--store", store, "review", "--as-of", "2024-05-01"])
        #expect(review.stdout.contains("Progress review as of 2024-05-01"))
        #expect(review.stdout.contains("Stalled"))
        let revisión = try puente.run(["--store", store, "--lang", "es", "review", "--as-of", "2024-05-01"])
        #expect(revisión.stdout.contains("Revisión de avance al 1 de mayo de 2024"))
        #expect(revisión.stdout.contains("Estancados"))
        let numbers = try json(try puente.run(["--store", store, "--json", "review", "--as-of", "2024-05-01"]).stdout)
        #expect(numbers["total"] == 36)
        #expect((numbers["stalled"]?.arrayValue ?? []).contains { $0["short_id"]?.stringValue == id })
        let maxWidth = review.stdout.split(separator: "\n").map(\.count).max() ?? 0
        #expect(maxWidth <= 100)

        // log, dialogue, rebuild keep the digest
        #expect(try puente.run(["--store", store, "log", "--limit", "5"]).stdout.contains("State INL desk"))
        #expect(try puente.run(["--store", store, "log", "--rejected"]).stdout == "No operation was rejected.\n")
        #expect(try puente.run(["--store", store, "--lang", "es", "log", "--rejected"]).stdout == "No se rechazó ninguna operación.\n")
        let dialogues = try json(try puente.run(["--store", store, "--json", "dialogue", "list"]).stdout)
        #expect(dialogues.arrayValue?.count == 5)
        let before = try digest(store)
        #expect(try puente.run(["--store", store, "rebuild"]).stdout.contains("unchanged"))
        #expect(try digest(store) == before)
    }

    @Test(arguments: [
        ("{\"format\": \"puente-import/1\", \"commitments\": [", "1:"),
        ("{\"format\": \"puente-import/1\", \"commitments\": [{\"external_id\": \"x\", \"title\": {\"en\": \"T\"}, \"owner\": \"us\", \"pillar\": \"protekt\", \"status\": \"agreed\"}]}",
         "commitments[0].pillar"),
        ("{\"format\": \"puente-import/1\", \"dialogues\": [{\"external_id\": \"d\", \"title\": {\"en\": \"T\"}, \"date\": \"2023-02-30\", \"kind\": \"summit\"}]}",
         "dialogues[0].date"),
        ("{\"format\": \"puente-import/1\", \"bogus\": 1}", "bogus"),
        ("{\"format\": \"puente-import/1\", \"format\": \"puente-import/1\"}", "1:"),
        ("{\"format\": \"puente-import/2\"}", "format"),
    ])
    func aMalformedImportFileIsRefusedWholeWithExit65(_ content: String, _ place: String) throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("s")
        try puente.run(["--store", store, "init", "--delegation", "us", "--name", "desk"])
        try puente.run(["--store", store, "import", fixture])
        let before = try digest(store)
        let bad = folder.sub("bad.json")
        try Data(content.utf8).write(to: URL(fileURLWithPath: bad))
        let result = try puente.run(["--store", store, "import", bad])
        #expect(result.status == 65)
        #expect(result.stderr.contains(place), "\(result.stderr)")
        #expect(result.stderr.contains("nothing was changed"))
        #expect(try digest(store) == before)
        let spanish = try puente.run(["--store", store, "--lang", "es", "import", bad])
        #expect(spanish.status == 65)
        #expect(spanish.stderr.contains("no se cambió nada"))
    }

    /// Standard output is buffered (64 KiB at a time, the rest at exit): an output many
    /// buffers long arrives whole and in order, as text and as JSON.
    @Test func aLongOutputArrivesWholeAndInOrder() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "State INL desk"]).status == 0)
        #expect(try puente.run(["--store", store, "import", fixture]).status == 0)
        let written = try {
            let replica = try Replica.open(folder: store)
            let ids = try replica.commitments().map { try replica.resolveID($0.id, as: .commitment) }
            return try replica.batch { batch in
                var count = 0
                for id in ids {
                    for status in ["agreed", "in-progress", "stalled", "in-progress", "agreed", "in-progress"] {
                        _ = try batch.set(id, field: "status", value: .string(status))
                        count += 1
                    }
                }
                return count
            }
        }()
        #expect(written > 200)

        let asJSON = try puente.run(["--store", store, "--json", "log", "--limit", "100000"])
        #expect(asJSON.status == 0)
        #expect(asJSON.stdout.utf8.count > 2 * 65_536)
        guard case .array(let entries) = try json(asJSON.stdout) else {
            Issue.record("log --json is not an array")
            return
        }
        let asText = try puente.run(["--store", store, "log", "--limit", "100000"])
        #expect(asText.status == 0)
        let lines = asText.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        #expect(entries.count > written && lines.count - 1 == entries.count)
        // Line for entry, in the same order: each line starts with its entity's short id.
        let shortIDs = entries.map { entry in String((entry["entity"]?.stringValue ?? "").split(separator: "/").last?.prefix(8) ?? "") }
        #expect(zip(lines, shortIDs).allSatisfy { line, id in !id.isEmpty && line.hasPrefix(id) })
    }

    /// An identity card or a report written to a folder that is not there: "cannot write", in
    /// the user's language, exit 1, nothing left behind (it said "the store cannot be read").
    @Test func aCardOrReportThatCannotBeWrittenSaysSoInBothLanguages() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "State INL desk"]).status == 0)
        for (command, target) in [(["keys", "export", "--to"], folder.sub("missing/us.card")),
                                  (["report", "--format", "markdown", "--to"], folder.sub("missing/week.md"))] {
            let english = try puente.run(["--store", store] + command + [target])
            #expect(english.status == 1, "\(command)")
            #expect(english.stderr.contains("cannot write \(target)") && english.stderr.contains("Check that the folder exists"),
                    "\(english.stderr)")
            let spanish = try puente.run(["--store", store, "--lang", "es"] + command + [target])
            #expect(spanish.status == 1)
            #expect(spanish.stderr.contains("no se puede escribir \(target)"), "\(spanish.stderr)")
        }
        // Written where the folder is there, over an older file, with nothing else left beside it.
        let card = folder.sub("us.card")
        try Data("an older card".utf8).write(to: URL(fileURLWithPath: card))
        #expect(try puente.run(["--store", store, "keys", "export", "--to", card]).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: card)) == Data(try puente.run(["--store", store, "keys", "export"]).stdout.utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["us", "us.card"])
    }

    /// The terminal shows the first 100 commitments and says how many match and how to see
    /// them all; --all and --limit choose otherwise; --json lists everything.
    @Test func aLongListShowsItsFirstPageAndSaysSo() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "State INL desk"]).status == 0)
        // The fixture's commitments four times over, under four sets of ids: 4 × 35 the U.S. store keeps.
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixture))) as? [String: Any])
        let commitments = try #require(document["commitments"] as? [[String: Any]])
        document["commitments"] = (1...4).flatMap { copy in
            commitments.map { commitment in
                var copied = commitment
                copied["external_id"] = "\(commitment["external_id"] ?? "")-\(copy)"
                copied["indicators"] = (commitment["indicators"] as? [[String: Any]])?.map { indicator in
                    var copiedIndicator = indicator
                    if let id = indicator["external_id"] { copiedIndicator["external_id"] = "\(id)-\(copy)" }
                    return copiedIndicator
                }
                return copied
            }
        }
        let file = folder.sub("four-times.json")
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: file))
        let imported = try puente.run(["--store", store, "import", file])
        #expect(imported.status == 0, "\(imported.stderr)")

        let everything = try json(try puente.run(["--store", store, "--json", "list"]).stdout).arrayValue ?? []
        #expect(everything.count == 144)
        let order = everything.compactMap { $0["id"]?.stringValue.map { String($0.split(separator: "/").last?.prefix(8) ?? "") } }
        func rows(_ output: String) -> [String] {
            output.split(separator: "\n").map(String.init).filter { line in order.contains { line.hasPrefix($0) } }
        }
        let page = try puente.run(["--store", store, "list"])
        #expect(page.status == 0)
        #expect(rows(page.stdout).map { String($0.prefix(8)) } == Array(order.prefix(100)))
        #expect(page.stdout.contains("The first 100 of 144 commitments. --all lists them all"), "\(page.stdout.suffix(300))")
        let spanish = try puente.run(["--store", store, "--lang", "es", "list"])
        #expect(spanish.stdout.contains("Los primeros 100 de 144 compromisos. --all los lista todos"))
        let all = try puente.run(["--store", store, "list", "--all"])
        #expect(rows(all.stdout).map { String($0.prefix(8)) } == order && all.stdout.contains("144 commitment(s)."))
        let five = try puente.run(["--store", store, "list", "--limit", "5"])
        #expect(rows(five.stdout).map { String($0.prefix(8)) } == Array(order.prefix(5)) && five.stdout.contains("5 commitment(s)."))
        // A filtered list that fits on the page is whole, as before.
        let prevent = try json(try puente.run(["--store", store, "--json", "list", "--pillar", "prevent"]).stdout).arrayValue ?? []
        let preventText = try puente.run(["--store", store, "list", "--pillar", "prevent"])
        #expect(prevent.count < 100 && rows(preventText.stdout).count == prevent.count)
        #expect(preventText.stdout.contains("\(prevent.count) commitment(s)."))
        let both = try puente.run(["--store", store, "list", "--all", "--limit", "5"])
        #expect(both.status == 64 && both.stderr.contains("--limit and --all cannot be used together"))

        // The review shows the first 25 of each list and counts them all; its JSON is whole.
        let review = try json(try puente.run(["--store", store, "--json", "review", "--as-of", "2026-01-01"]).stdout)
        let overdue = (review["overdue"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        let indicators = review["indicators"]?.arrayValue ?? []
        let outputs = indicators.filter { $0["kind"]?.stringValue == "output" }.compactMap { $0["id"]?.stringValue }
        #expect(overdue.count > 25 && outputs.count > 25)
        let dashboard = try puente.run(["--store", store, "review", "--as-of", "2026-01-01"])
        #expect(dashboard.status == 0)
        let lines = dashboard.stdout.split(separator: "\n").map(String.init)
        func section(_ title: String) -> [String] {
            guard let start = lines.firstIndex(where: { $0.hasPrefix(title) }) else { return [] }
            return Array(lines[(start + 1)...].prefix { $0.hasPrefix("  ") })
        }
        func short(_ ids: [String]) -> [String] { ids.map { String($0.split(separator: "/").last?.prefix(8) ?? "") } }
        let shownOverdue = section("Overdue (\(overdue.count))")
        #expect(shownOverdue.dropLast().map { String($0.dropFirst(2).prefix(8)) } == short(Array(overdue.prefix(25))))
        #expect(shownOverdue.last == "  … and \(overdue.count - 25) more", "\(shownOverdue.suffix(2))")
        let shownOutputs = section("Output indicators (\(outputs.count))")
        #expect(shownOutputs.dropLast().map { String($0.dropFirst(2).prefix(8)) } == short(Array(outputs.prefix(25))))
        #expect(shownOutputs.last == "  … and \(outputs.count - 25) more")
        let resumen = try puente.run(["--store", store, "--lang", "es", "review", "--as-of", "2026-01-01"])
        #expect(resumen.stdout.contains("Vencidos (\(overdue.count))") && resumen.stdout.contains("… y \(overdue.count - 25) más"))
    }

    @Test func anExportToAFolderThatIsNotThereSaysSoInBothLanguages() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "State INL desk"]).status == 0)
        let target = folder.sub("missing/week.puente")
        // Plain: this lone store knows no desk to encrypt to (which it would say first).
        let english = try puente.run(["--store", store, "sync", "export", "--to", target, "--plain"])
        #expect(english.status == 1)
        #expect(english.stderr.contains("cannot write \(target)") && english.stderr.contains("Check that the folder exists"))
        let spanish = try puente.run(["--store", store, "--lang", "es", "sync", "export", "--to", target, "--plain"])
        #expect(spanish.stderr.contains("no se puede escribir \(target)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["us"])
        // A folder where the bundle should go is refused, and kept with what it holds.
        let occupied = folder.sub("occupied")
        try FileManager.default.createDirectory(atPath: occupied, withIntermediateDirectories: false)
        try Data("minutes".utf8).write(to: URL(fileURLWithPath: occupied + "/minutes.txt"))
        let refused = try puente.run(["--store", store, "sync", "export", "--to", occupied, "--plain"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(occupied) exists and is not a regular file"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: occupied) == ["minutes.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["occupied", "us"])
    }

    @Test func usageErrorsExit64AndSayWhatIsWrong() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("s")
        try puente.run(["--store", store, "init", "--delegation", "mx", "--name", "Enlace SSPC"])
        // (`proteger`, the goal's Spanish name, is a pillar: `defender` is not.)
        #expect(try puente.run(["--store", store, "add", "--title-es", "X", "--pillar", "proteger"]).status == 0)
        let badPillar = try puente.run(["--store", store, "add", "--title-es", "X", "--pillar", "defender"])
        #expect(badPillar.status == 64)
        #expect(badPillar.stderr.contains("protect, prevent, pursue"))
        let unknown = try puente.run(["--store", store, "show", "ffffffff"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("nothing matches"))
        let noStore = try puente.run(["--store", folder.sub("none"), "list"])
        #expect(noStore.status == 1)
        #expect(noStore.stderr.contains("puente init"))
        let twice = try puente.run(["--store", store, "init", "--delegation", "mx", "--name", "Otra"])
        #expect(twice.status == 1)
        #expect(twice.stderr.contains("already exists"))
    }

    @Test func aKeyFileOthersCanReadIsRefusedWithTheFix() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("s")
        try puente.run(["--store", store, "init", "--delegation", "us", "--name", "desk"])
        var info = stat()
        #expect(stat(store, &info) == 0 && info.st_mode & 0o777 == 0o700)
        let key = store + "/" + Replica.signingKeyFile
        #expect(stat(key, &info) == 0 && info.st_mode & 0o777 == 0o600)
        chmod(key, 0o644)
        let result = try puente.run(["--store", store, "list"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("chmod 600 \(key)"))
        let listing = try puente.run(["--store", store, "list", "--lang", "es"])
        #expect(listing.stderr.contains("Corríjalo con: chmod 600"))
    }

    @Test func everyCommandHasHelpWithAnExampleInBothLanguages() throws {
        let commands: [[String]] = [["init"], ["add"], ["list"], ["show"], ["set"], ["assess"], ["note"], ["indicator", "add"],
                                    ["indicator", "record"], ["conflicts"], ["resolve"], ["review"], ["log"], ["digest"],
                                    ["rebuild"], ["import"], ["demo"], ["dialogue", "add"], ["dialogue", "list"],
                                    ["dialogue", "show"], ["dialogue", "readout"], ["update"], ["note", "retract"],
                                    ["indicator", "retract"], ["indicator", "list"], ["config"]]
        for command in commands {
            let english = try puente.run(command + ["--help"])
            #expect(english.status == 0)
            #expect(english.stdout.contains("Example"), "\(command)")
            let spanish = try puente.run(command + ["--help", "--lang", "es"])
            #expect(spanish.stdout.contains("Ejemplo"), "\(command)")
            #expect(spanish.stdout != english.stdout)
        }
        let version = try puente.run(["--version"])
        // The format bundles are written in, and those read.
        #expect(version.stdout.contains("bundle format puente-bundle/2; reads puente-bundle/1, puente-bundle/2"), "\(version.stdout)")
    }

    @Test func theDemoConvergesAndShowsTheConflictAndTheReview() throws {
        let folder = try TemporaryFolder()
        let result = try puente.run(["demo", "--in", folder.sub("demo")])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("All three stores converged"))
        #expect(result.stdout.contains("stalled (ATF liaison)") || result.stdout.contains("in progress (State INL desk)"))
        #expect(result.stdout.contains("only the owner delegation may change it"))
        #expect(result.stdout.contains("Assessments that differ (1)"))
        #expect(result.stdout.contains("certifies ATF liaison (version 1)"))
        #expect(result.stdout.contains("revocation: ATF liaison"))
        #expect(result.stdout.contains("1 accepted operation(s) now rejected, 1 dropped"))
        let store = folder.sub("demo") + "/us-state"
        let conflicts = try json(try puente.run(["--store", store, "--json", "conflicts"]).stdout)
        #expect(conflicts.arrayValue?.count == 1)
        // The terminal: each conflict with its values and authors, then the count and the way out.
        let listed = try puente.run(["--store", store, "conflicts"]).stdout.split(separator: "\n").map(String.init)
        let id = try #require(conflicts.arrayValue?.first?["id"]?.stringValue)
        #expect(listed.first?.hasPrefix(Replica.shortID(id)) == true, "\(listed)")
        // Each value, then the exact command that keeps it.
        #expect(listed.count == 7 && [1, 3].allSatisfy { listed[$0].hasPrefix("    • ") }, "\(listed)")
        #expect([2, 4].allSatisfy { listed[$0].hasPrefix("      puente resolve \(Replica.shortID(id)) status ") }, "\(listed)")
        #expect(listed.suffix(2) == ["1 open conflict(s).", "To settle one, run the command under the value to keep."])
        try puente.run(["--store", folder.sub("empty"), "init", "--delegation", "mx", "--name", "SSPC desk"])
        #expect(try puente.run(["--store", folder.sub("empty"), "--lang", "es", "conflicts"]).stdout == "No hay conflictos abiertos.\n")
        try jsonListingsAreWholeCanonicalDocuments(store)
    }

    /// `--json` listings are written an item at a time as they are read: each is still one
    /// canonical document (sorted keys, no spacing, one line) and holds every item of the
    /// library's whole lists, in their order.
    func jsonListingsAreWholeCanonicalDocuments(_ store: String) throws {
        func document(_ arguments: [String]) throws -> JSONValue {
            let text = try puente.run(["--store", store, "--json"] + arguments).stdout
            let value = try json(text)
            #expect(String(decoding: CanonicalJSON.encode(value), as: UTF8.self) + "\n" == text, "\(arguments)")
            return value
        }
        let replica = try Replica.open(folder: store)
        let whole = try replica.review(asOf: "2024-05-01", since: .date("2000-01-01"))
        let review = try document(["review", "--as-of", "2024-05-01", "--since", "2000-01-01"])
        func ids(_ key: String) -> [String] { (review[key]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue } }
        #expect(ids("overdue") == whole.overdue.map(\.id))
        #expect(ids("due_soon") == whole.dueSoon.map(\.id))
        #expect(ids("stalled") == whole.stalled.map(\.id))
        #expect(ids("disagreements") == whole.disagreements.map(\.id) && !whole.disagreements.isEmpty)
        for item in review["disagreements"]?.arrayValue ?? [] {
            let id = item["id"]?.stringValue ?? ""
            #expect(item["assessed_by"]?["us"]?.stringValue == whole.assessors[id]?[.us], "\(id)")
            #expect(item["assessed_by"]?["mx"]?.stringValue == whole.assessors[id]?[.mx], "\(id)")
        }
        #expect(ids("indicators") == whole.indicators.map(\.id) && !whole.indicators.isEmpty)
        #expect(ids("changes") == whole.changes.map(\.commitment.id) && whole.changes.count == whole.total)
        #expect((review["conflict_list"]?.arrayValue ?? []).compactMap { $0["entity"]?.stringValue }
                == whole.conflictList.map(\.entity.text) && whole.conflicts == 1)
        #expect(review["conflicts"]?.intValue == Int64(whole.conflicts) && review["total"]?.intValue == Int64(whole.total))
        let listed = try document(["list"])
        #expect((listed.arrayValue ?? []).compactMap { $0["id"]?.stringValue } == (try replica.commitments()).map(\.id))
        let conflicts = try document(["conflicts"])
        #expect((conflicts.arrayValue ?? []).compactMap { $0["id"]?.stringValue } == (try replica.conflicts()).map(\.entity.text))
        #expect(conflicts.arrayValue?.first?["values"]?.arrayValue?.count == 2)
    }
}
