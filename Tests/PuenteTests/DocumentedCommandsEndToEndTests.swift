import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// The commands as help and README write them, typed as a desk officer types them, in both
/// languages: a list element removed with `-x`, a field cleared with `--clear` alone, negative
/// numbers, and usage mistakes that exit 64 instead of printing help and exiting 0.
@Suite struct DocumentedCommandsEndToEndTests {
    let puente = PuenteProcess()

    /// English through `--lang en`, Spanish through `LANG` (as a Mexican desk's laptop has it).
    static let languages: [(name: String, flags: [String], environment: [String: String])] = [
        ("en", ["--lang", "en"], [:]),
        ("es", [], ["LANG": "es_MX.UTF-8"]),
    ]

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    /// A store with one commitment tagged `southbound` and `firearms`; returns the store and the id.
    func storeWithCommitment(_ folder: TemporaryFolder) throws -> (store: String, id: String) {
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        let added = try puente.run(["--store", store, "--json", "add", "--title-en", "Expand firearms tracing",
                                    "--pillar", "prevent", "--due", "2026-12-31", "--tag", "southbound", "--tag", "firearms"])
        #expect(added.status == 0, "\(added.stderr)")
        let id = try #require(try json(added.stdout)["id"]?.stringValue)
        return (store, id)
    }

    func tags(_ store: String, _ id: String) throws -> [String] {
        let shown = try json(try puente.run(["--store", store, "--json", "show", id]).stdout)
        return (shown["sets"]?["tags"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }
    }

    @Test(arguments: [0, 1]) func aListElementIsRemovedWithADash(_ language: Int) throws {
        let (_, flags, environment) = Self.languages[language]
        let folder = try TemporaryFolder()
        let (store, id) = try storeWithCommitment(folder)
        let short = String(id.dropFirst("commitment/".count).prefix(8))

        // `-southbound` holds an `h`: it was read as the short flags -s -o -u -t -h …, printed
        // help and changed nothing, with exit code 0.
        let removed = try puente.run(["--store", store] + flags + ["set", short, "tags", "-southbound"], environment: environment)
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(!removed.stdout.contains("USAGE") && !removed.stdout.contains("USO:"))
        #expect(try tags(store, id) == ["firearms"])
        // One without an `h` failed with "Missing expected argument".
        let second = try puente.run(["--store", store] + flags + ["set", short, "tags", "-firearms", "--json"], environment: environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try tags(store, id) == [])
        // The form with `--` still works, and so does adding.
        #expect(try puente.run(["--store", store] + flags + ["set", short, "tags", "+southbound"], environment: environment).status == 0)
        #expect(try puente.run(["--store", store] + flags + ["set", short, "tags", "--", "-southbound"], environment: environment).status == 0)
        #expect(try tags(store, id) == [])

        // Removing what the list does not hold says so, in the user's language, and names it.
        let absent = try puente.run(["--store", store] + flags + ["set", short, "tags", "-fentanyl"], environment: environment)
        #expect(absent.status == 64)
        #expect(absent.stderr.contains("'fentanyl'"))
        #expect(absent.stderr.contains(language == 0 ? "has no element" : "no tiene el elemento"), "\(absent.stderr)")
    }

    @Test(arguments: [0, 1]) func aFieldIsClearedWithoutADummyValue(_ language: Int) throws {
        let (_, flags, environment) = Self.languages[language]
        let folder = try TemporaryFolder()
        let (store, id) = try storeWithCommitment(folder)
        let short = String(id.dropFirst("commitment/".count).prefix(8))

        let cleared = try puente.run(["--store", store] + flags + ["set", short, "due", "--clear"], environment: environment)
        #expect(cleared.status == 0, "\(cleared.stderr)")
        let shown = try json(try puente.run(["--store", store, "--json", "show", id]).stdout)
        #expect(shown["fields"]?["due"]?["value"] == .null, "\(shown)")

        // A value beside --clear is a mistake, and so is no value without it: both exit 64 and change nothing.
        let digest = try puente.run(["--store", store, "digest"]).stdout
        let both = try puente.run(["--store", store] + flags + ["set", short, "due", "--clear", "2027-01-01"], environment: environment)
        #expect(both.status == 64)
        #expect(both.stderr.contains("--clear"))
        let neither = try puente.run(["--store", store] + flags + ["set", short, "due"], environment: environment)
        #expect(neither.status == 64)
        #expect(neither.stderr.contains("--clear"))
        #expect(try puente.run(["--store", store, "digest"]).stdout == digest)
    }

    @Test(arguments: [0, 1]) func negativeNumbersAreNumbers(_ language: Int) throws {
        let (_, flags, environment) = Self.languages[language]
        let folder = try TemporaryFolder()
        let (store, id) = try storeWithCommitment(folder)
        let short = String(id.dropFirst("commitment/".count).prefix(8))

        let added = try puente.run(["--store", store] + flags + ["--json", "indicator", "add", short, "--name-en", "Net change in seizures",
                                                                 "--kind", "outcome", "--baseline", "-5", "--target", "-1"],
                                   environment: environment)
        #expect(added.status == 0, "\(added.stderr)")
        let indicator = try #require(try json(added.stdout)["id"]?.stringValue)
        let prefix = String(indicator.dropFirst("indicator/".count).prefix(8))
        let shown = try json(try puente.run(["--store", store, "--json", "show", indicator]).stdout)
        #expect(shown["fields"]?["baseline"]?["value"] == "-5", "\(shown)")
        #expect(shown["fields"]?["target"]?["value"] == "-1", "\(shown)")

        let first = try puente.run(["--store", store] + flags + ["indicator", "record", prefix, "-5", "--date", "2026-01-02"],
                                   environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try puente.run(["--store", store] + flags + ["indicator", "record", prefix, "--date", "2026-02-02", "-2.5"],
                                    environment: environment)
        #expect(second.status == 0, "\(second.stderr)")
        let readings = try json(try puente.run(["--store", store, "--json", "show", indicator]).stdout)["series"]?["readings"]?.arrayValue ?? []
        #expect(readings.compactMap { $0["value"]?["value"]?.stringValue }.sorted() == ["-2.5", "-5"], "\(readings)")
    }

    @Test(arguments: [0, 1]) func helpShownForAMistakeExits64(_ language: Int) throws {
        let (_, flags, environment) = Self.languages[language]
        let folder = try TemporaryFolder()
        let store = folder.sub("none")
        // A command that only groups others, run without one: help on standard error, exit 64.
        for group in [[], ["indicator"], ["dialogue"], ["keys"], ["keys", "root"], ["sync"]] {
            let result = try puente.run(["--store", store] + flags + group, environment: environment)
            #expect(result.status == 64, "\(group)")
            #expect(result.stdout.isEmpty, "\(group)")
            #expect(result.stderr.contains(language == 0 ? "USAGE:" : "USO:"), "\(group)")
        }
        // Help asked for is not a mistake.
        for asked in [["--help"], ["indicator", "--help"], ["set", "-h"], ["help", "sync"]] {
            let result = try puente.run(flags + asked, environment: environment)
            #expect(result.status == 0, "\(asked)")
            #expect(result.stdout.contains(language == 0 ? "USAGE:" : "USO:"), "\(asked)")
        }
    }
}

/// The small mistakes of a week, each answered with what is wrong and what to do, in the user's
/// language, and the store left as it was.
@Suite struct SmallMistakesEndToEndTests {
    let puente = PuenteProcess()
    let helper = DocumentedCommandsEndToEndTests()

    func said(_ language: Int, _ english: String, _ spanish: String) -> String { language == 0 ? english : spanish }

    @Test(arguments: [0, 1]) func aShortIDSaysHowManyDigitsItNeeds(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, _) = try helper.storeWithCommitment(folder)
        let shown = try puente.run(["--store", store] + flags + ["show", "997"], environment: environment)
        #expect(shown.status == 64)
        #expect(shown.stderr.contains(said(language, "at least 4 digits ('997' has 3)", "al menos 4 dígitos ('997' tiene 3)")),
                "\(shown.stderr)")
    }

    @Test(arguments: [0, 1]) func aDateSaysWhichPartDoesNotExist(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, id) = try helper.storeWithCommitment(folder)
        let digest = try puente.run(["--store", store, "digest"]).stdout
        let month = try puente.run(["--store", store] + flags + ["set", id, "due", "2026-13-01"], environment: environment)
        #expect(month.status == 64)
        #expect(month.stderr.contains(said(language, "month 13 does not exist", "el mes 13 no existe")), "\(month.stderr)")
        let day = try puente.run(["--store", store] + flags + ["add", "--title-en", "Tracing", "--pillar", "prevent",
                                                              "--due", "2026-02-29"], environment: environment)
        #expect(day.status == 64)
        #expect(day.stderr.contains(said(language, "2026-02 has no day 29 (it has 28 days)", "2026-02 no tiene día 29 (tiene 28 días)")),
                "\(day.stderr)")
        // A leap year's February 29 exists.
        #expect(try puente.run(["--store", store] + flags + ["set", id, "due", "2028-02-29"], environment: environment).status == 0)
        #expect(try puente.run(["--store", store] + flags + ["set", id, "due", "2026-12-31"], environment: environment).status == 0)
        #expect(try puente.run(["--store", store, "digest"]).stdout != digest)
    }

    @Test(arguments: [0, 1]) func aBundleGivenToImportNamesSyncImport(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, _) = try helper.storeWithCommitment(folder)
        let bundle = folder.sub("week.puente")
        // A first bundle, to a desk this store does not know yet: plain.
        #expect(try puente.run(["--store", store, "sync", "export", "--to", bundle, "--plain"]).status == 0)
        let other = folder.sub("mx")
        #expect(try puente.run(["--store", other, "init", "--delegation", "mx", "--name", "SSPC"]).status == 0)
        let digest = try puente.run(["--store", other, "digest"]).stdout
        let imported = try puente.run(["--store", other] + flags + ["import", bundle], environment: environment)
        #expect(imported.status == 64)
        #expect(imported.stderr.contains("puente sync import \(bundle)"), "\(imported.stderr)")
        #expect(imported.stderr.contains(said(language, "is a sync bundle", "es un paquete de sincronización")))
        #expect(try puente.run(["--store", other, "digest"]).stdout == digest)
    }

    @Test(arguments: [0, 1]) func delegationsAreNamedInEitherLanguage(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        let created = try puente.run(["--store", store] + flags + ["--json", "init", "--delegation", "Estados Unidos", "--name", "INL desk"],
                                     environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains("\"delegation\":\"us\""))
        for name in ["mx", "Mexico", "méxico", "MÉXICO"] {
            // Plain: this store knows no Mexican desk yet, to encrypt to.
            let exported = try puente.run(["--store", store] + flags + ["sync", "export", "--for", name, "--to", folder.sub("b-\(name)"), "--plain"],
                                          environment: environment)
            #expect(exported.status == 0, "\(name): \(exported.stderr)")
        }
        // The message names the option that was typed, not another one.
        let wrong = try puente.run(["--store", store] + flags + ["sync", "export", "--for", "mars", "--to", folder.sub("b")],
                                   environment: environment)
        #expect(wrong.status == 64)
        #expect(wrong.stderr.contains("--for"))
        #expect(!wrong.stderr.contains("--delegation"))
    }

    @Test(arguments: [0, 1]) func anEmptyPassphraseVariableIsCalledEmpty(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, _) = try helper.storeWithCommitment(folder)
        let key = folder.sub("root.pem")
        let result = try puente.run(["--store", store] + flags + ["keys", "root", "init", "--name", "U.S. root", "--root-key", key],
                                    environment: environment.merging(["PUENTE_PASSPHRASE": ""]) { $1 })
        #expect(result.status == 64)
        #expect(result.stderr.contains("PUENTE_PASSPHRASE"))
        #expect(result.stderr.contains(said(language, "set but empty", "definida pero vacía")), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: key))
    }

    @Test(arguments: [0, 1]) func settingTheValueHeldWritesNothing(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, id) = try helper.storeWithCommitment(folder)
        let digest = try puente.run(["--store", store, "digest"]).stdout
        let same = try puente.run(["--store", store] + flags + ["set", id, "status", "agreed"], environment: environment)
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stdout.contains(said(language, "is already agreed; nothing was written", "ya es acordado; no se escribió nada")),
                "\(same.stdout)")
        let json = try puente.run(["--store", store, "--json", "set", id, "status", "agreed"])
        #expect(json.stdout.contains("\"unchanged\":true"))
        let empty = try puente.run(["--store", store] + flags + ["set", id, "area", "--clear"], environment: environment)
        #expect(empty.stdout.contains(said(language, "is already empty", "ya está vacío")), "\(empty.stdout)")
        #expect(try puente.run(["--store", store, "digest"]).stdout == digest)
        // Another value is written.
        #expect(try puente.run(["--store", store] + flags + ["set", id, "status", "stalled"], environment: environment).status == 0)
        #expect(try puente.run(["--store", store, "digest"]).stdout != digest)
    }
}

/// A mistaken note or reading is retracted, by the delegation the policy allows, and its
/// history stays; an unlikely reading is questioned before it is recorded.
@Suite struct RetractionsEndToEndTests {
    let puente = PuenteProcess()
    let helper = DocumentedCommandsEndToEndTests()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    /// A commitment with a note and an indicator (baseline 0, target 100) with one reading.
    func recordWithNoteAndReading(_ folder: TemporaryFolder) throws -> (store: String, commitment: String, note: String, indicator: String) {
        let (store, commitment) = try helper.storeWithCommitment(folder)
        let note = try json(try puente.run(["--store", store, "--json", "note", commitment, "Reviewed at the April round"]).stdout)
        let indicator = try json(try puente.run(["--store", store, "--json", "indicator", "add", commitment, "--name-en", "Firearms traced",
                                                 "--kind", "output", "--baseline", "0", "--target", "100"]).stdout)
        #expect(try puente.run(["--store", store, "indicator", "record", try #require(indicator["id"]?.stringValue), "40",
                                "--date", "2026-03-31"]).status == 0)
        return (store, commitment, try #require(note["id"]?.stringValue), try #require(indicator["id"]?.stringValue))
    }

    @Test(arguments: [0, 1]) func aNoteIsRetractedByItsIDAsShowListsIt(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, commitment, note, _) = try recordWithNoteAndReading(folder)
        let short = Replica.shortID(note)
        // `show` lists the note with the id `note retract` takes.
        let shown = try puente.run(["--store", store] + flags + ["show", commitment], environment: environment)
        #expect(shown.stdout.contains("\(short)  "), "\(shown.stdout)")
        let retracted = try puente.run(["--store", store] + flags + ["note", "retract", short], environment: environment)
        #expect(retracted.status == 0, "\(retracted.stderr)")
        #expect(retracted.stdout.contains(language == 0 ? "retracted" : "anulada"))
        let after = try json(try puente.run(["--store", store, "--json", "show", commitment]).stdout)
        #expect(!(after["children"]?.arrayValue ?? []).contains { $0["id"]?.stringValue == note && $0["retracted"] != true })
        #expect(!(try puente.run(["--store", store] + flags + ["show", commitment], environment: environment).stdout.contains(short)))
        // The note's own history keeps it and its retraction.
        let history = try json(try puente.run(["--store", store, "--json", "show", note]).stdout)["history"]?.arrayValue ?? []
        #expect(history.count == 2)
        // A commitment is not a note.
        #expect(try puente.run(["--store", store] + flags + ["note", "retract", Replica.shortID(commitment)], environment: environment).status == 64)
    }

    @Test(arguments: [0, 1]) func aReadingIsRetractedByItsHandleAsShowListsIt(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, _, _, indicator) = try recordWithNoteAndReading(folder)
        let readings = try json(try puente.run(["--store", store, "--json", "show", indicator]).stdout)["series"]?["readings"]?.arrayValue ?? []
        let op = try #require(readings.first?["op"]?.stringValue)  // replica:seq
        let parts = op.split(separator: ":")
        let handle = "\(parts[0].prefix(8)):\(parts[1])"
        let shown = try puente.run(["--store", store] + flags + ["show", indicator], environment: environment)
        #expect(shown.stdout.contains("• \(handle)  "), "\(shown.stdout)")

        let retracted = try puente.run(["--store", store] + flags + ["indicator", "retract", handle], environment: environment)
        #expect(retracted.status == 0, "\(retracted.stderr)")
        let after = try json(try puente.run(["--store", store, "--json", "show", indicator]).stdout)["series"]?["readings"]?.arrayValue ?? []
        #expect(after.count == 1)
        #expect(after.first?["retracted"] == true)
        // Once retracted it is no longer a standing reading; a handle of 3 digits is too short.
        #expect(try puente.run(["--store", store] + flags + ["indicator", "retract", handle], environment: environment).status == 64)
        let short = try puente.run(["--store", store] + flags + ["indicator", "retract", "\(parts[0].prefix(3)):\(parts[1])"],
                                   environment: environment)
        #expect(short.status == 64)
        #expect(short.stderr.contains("4"))
    }

    @Test func anotherDelegationCannotRetractANote() throws {
        let stores = try SyncEndToEndTests().makeStores([("us", "us"), ("mx", "mx")])
        let (us, mx) = (stores.paths[0], stores.paths[1])
        let added = try puente.run(["--store", us, "--json", "add", "--title-en", "Joint tracing", "--pillar", "prevent", "--owner", "joint"])
        let commitment = try #require(try json(added.stdout)["id"]?.stringValue)
        let note = try #require(try json(try puente.run(["--store", us, "--json", "note", commitment, "U.S. view"]).stdout)["id"]?.stringValue)
        let bundle = stores.folder.sub("to-mx.puente")
        #expect(try puente.run(["--store", us, "sync", "export", "--to", bundle]).status == 0)
        #expect(try puente.run(["--store", mx, "sync", "import", bundle]).status == 0)
        let digest = try puente.run(["--store", mx, "digest"]).stdout
        let refused = try puente.run(["--store", mx, "note", "retract", Replica.shortID(note)])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("only the delegation that added it"), "\(refused.stderr)")
        #expect(try puente.run(["--store", mx, "digest"]).stdout == digest)
        // The delegation that added it may.
        let retracted = try puente.run(["--store", us, "note", "retract", Replica.shortID(note)])
        #expect(retracted.status == 0, "\(retracted.stderr)")
    }

    @Test(arguments: [0, 1]) func anUnlikelyReadingIsQuestionedNotRefused(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, _, _, indicator) = try recordWithNoteAndReading(folder)
        let prefix = Replica.shortID(indicator)
        // 40 was typed as 4000: 39 times the range (0 → 100) beyond the target. Without a terminal
        // (a script) the warning is printed and the reading recorded.
        let far = try puente.run(["--store", store] + flags + ["indicator", "record", prefix, "4000", "--date", "2026-04-30"],
                                 environment: environment)
        #expect(far.status == 0, "\(far.stderr)")
        #expect(far.stderr.contains(language == 0 ? "far outside" : "muy fuera"), "\(far.stderr)")
        // The same date again.
        let again = try puente.run(["--store", store] + flags + ["indicator", "record", prefix, "45", "--date", "2026-03-31"],
                                   environment: environment)
        #expect(again.status == 0)
        #expect(again.stderr.contains("2026-03-31"))
        #expect(again.stderr.contains(language == 0 ? "already recorded" : "ya hay una medición"), "\(again.stderr)")
        // Within ten times the range, and with --yes, nothing is said.
        let near = try puente.run(["--store", store] + flags + ["indicator", "record", prefix, "-900", "--date", "2026-05-31"],
                                  environment: environment)
        #expect(near.stderr.isEmpty, "\(near.stderr)")
        let quiet = try puente.run(["--store", store] + flags + ["indicator", "record", prefix, "40000", "--date", "2026-03-31", "--yes"],
                                   environment: environment)
        #expect(quiet.status == 0)
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        let readings = try json(try puente.run(["--store", store, "--json", "show", indicator]).stdout)["series"]?["readings"]?.arrayValue ?? []
        #expect(readings.count == 5)
    }
}

/// Conflicts only where values differ, and each printed with the commands that settle it.
@Suite struct ConflictsEndToEndTests {
    let puente = PuenteProcess()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test(arguments: [0, 1]) func equalValuesAreOneValueAndAConflictPrintsItsCommands(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let sync = SyncEndToEndTests()
        let stores = try sync.makeStores([("us", "us"), ("mx", "mx")])
        let (us, mx) = (stores.paths[0], stores.paths[1])
        let added = try puente.run(["--store", us, "--json", "add", "--title-en", "Joint tracing", "--pillar", "prevent", "--owner", "joint"])
        let id = try #require(try json(added.stdout)["id"]?.stringValue)
        let short = Replica.shortID(id)
        var round = 0
        func exchange() throws {
            round += 1
            for (from, to) in [(us, mx), (mx, us)] {
                let bundle = stores.folder.sub("round-\(round)-\(from.hasSuffix("us") ? "us" : "mx").puente")
                try sync.export(from, bundle)
                #expect(try sync.importing(to, [bundle]).status == 0)
            }
        }
        try exchange()
        // Both desks, concurrently, record the same status.
        for store in [us, mx] { #expect(try puente.run(["--store", store, "set", short, "status", "in-progress"]).status == 0) }
        try exchange()
        for store in [us, mx] {
            #expect(try json(try puente.run(["--store", store, "--json", "conflicts"]).stdout).arrayValue?.isEmpty == true)
            #expect(try json(try puente.run(["--store", store, "--json", "review"]).stdout)["conflicts"] == 0)
            #expect(try json(try puente.run(["--store", store, "--json", "list"]).stdout).arrayValue?.first?["conflicts"] == 0)
            let shown = try json(try puente.run(["--store", store, "--json", "show", short]).stdout)
            #expect(shown["conflicts"]?.arrayValue?.isEmpty == true)
            #expect(shown["fields"]?["status"]?["live"]?.arrayValue?.count == 2, "both operations are kept")
            // Shown as one value, with both authors and no conflict mark.
            let text = try puente.run(["--store", store] + flags + ["show", short], environment: environment).stdout
            let line = try #require(text.split(separator: "\n").first { $0.contains("us (US)") && $0.contains("mx (MX)") }, "\(text)")
            #expect(!line.contains("⚠"))
            let none = try puente.run(["--store", store] + flags + ["conflicts"], environment: environment).stdout
            #expect(none.contains(language == 0 ? "No open conflicts" : "No hay conflictos abiertos"), "\(none)")
        }
        #expect(try sync.digest(us) == sync.digest(mx))

        // Values that differ: a conflict, listed with the exact command that keeps each value.
        #expect(try puente.run(["--store", us, "set", short, "status", "stalled"]).status == 0)
        #expect(try puente.run(["--store", mx, "set", short, "status", "fulfilled"]).status == 0)
        try exchange()
        let listed = try puente.run(["--store", mx] + flags + ["conflicts"], environment: environment).stdout
        let commands = listed.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("puente resolve") }
        #expect(Set(commands) == ["puente resolve \(short) status stalled", "puente resolve \(short) status fulfilled"], "\(listed)")
        let shown = try puente.run(["--store", mx] + flags + ["show", short], environment: environment).stdout
        #expect(shown.contains("puente resolve \(short) status fulfilled"), "\(shown)")
        // Running the printed command as it is settles it.
        let words = try #require(commands.first { $0.hasSuffix("stalled") }).split(separator: " ").dropFirst().map(String.init)
        #expect(try puente.run(["--store", mx] + flags + words, environment: environment).status == 0)
        #expect(try json(try puente.run(["--store", mx, "--json", "conflicts"]).stdout).arrayValue?.isEmpty == true)
    }
}

/// Spanish in, not only out: the words Puente displays are taken as values and field names, in
/// either language, and a mistyped word, field or command gets the closest one suggested.
@Suite struct WordsInEndToEndTests {
    let puente = PuenteProcess()
    let helper = DocumentedCommandsEndToEndTests()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test(arguments: [0, 1]) func displayedWordsAreValues(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, id) = try helper.storeWithCommitment(folder)
        func field(_ name: String) throws -> JSONValue? {
            try json(try puente.run(["--store", store, "--json", "show", id]).stdout)["fields"]?[name]?["value"]
        }
        for (typed, code) in [("en curso", "in-progress"), ("CUMPLIDO", "fulfilled"), ("In Progress", "in-progress"), ("estancado", "stalled")] {
            let result = try puente.run(["--store", store] + flags + ["set", id, "status", typed], environment: environment)
            #expect(result.status == 0, "\(typed): \(result.stderr)")
            #expect(try field("status")?.stringValue == code, "\(typed)")
        }
        #expect(try puente.run(["--store", store] + flags + ["set", id, "priority", "Alta"], environment: environment).status == 0)
        #expect(try field("priority")?.stringValue == "high")
        #expect(try puente.run(["--store", store] + flags + ["assess", id, "en riesgo", "--why", "Faltan datos"], environment: environment).status == 0)
        #expect(try json(try puente.run(["--store", store, "--json", "show", id]).stdout)["fields"]?["assessment.us"]?["value"]?["rating"] == "at-risk")
        let added = try puente.run(["--store", store] + flags + ["--json", "add", "--title-es", "Capacitación aduanera", "--pillar", "Prevenir",
                                                                 "--status", "propuesto", "--priority", "media"], environment: environment)
        #expect(added.status == 0, "\(added.stderr)")
        let listed = try json(try puente.run(["--store", store] + flags + ["--json", "list", "--status", "Propuesto"], environment: environment).stdout)
        #expect(listed.arrayValue?.count == 1)
        #expect(listed.arrayValue?.first?["pillar"] == "prevent")
    }

    @Test(arguments: [0, 1]) func fieldsAreNamedAsTheyAreDisplayed(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, id) = try helper.storeWithCommitment(folder)
        for (typed, field, value) in [("titulo.es", "title.es", "Ampliar el rastreo de armas"), ("title-es", "title.es", "Rastreo de armas"),
                                      ("Vence", "due", "2027-03-31"), ("estado", "status", "stalled"), ("Resumen.en", "summary.en", "Tracing")] {
            let result = try puente.run(["--store", store] + flags + ["set", id, typed, value], environment: environment)
            #expect(result.status == 0, "\(typed): \(result.stderr)")
            let shown = try json(try puente.run(["--store", store, "--json", "show", id]).stdout)
            #expect(shown["fields"]?[field]?["value"]?.stringValue == value, "\(typed)")
        }
    }

    @Test(arguments: [0, 1]) func aMistypedWordGetsTheClosestSuggested(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, id) = try helper.storeWithCommitment(folder)
        let digest = try puente.run(["--store", store, "digest"]).stdout
        let suggested = language == 0 ? "Did you mean" : "¿Quiso decir"
        let value = try puente.run(["--store", store] + flags + ["set", id, "status", "in-progres"], environment: environment)
        #expect(value.status == 64)
        #expect(value.stderr.contains("\(suggested) 'in-progress'?"), "\(value.stderr)")
        let field = try puente.run(["--store", store] + flags + ["set", id, "stauts", "stalled"], environment: environment)
        #expect(field.status == 64)
        #expect(field.stderr.contains("\(suggested) 'status'?"), "\(field.stderr)")
        let option = try puente.run(["--store", store] + flags + ["list", "--status", "stalld"], environment: environment)
        #expect(option.status == 64)
        #expect(option.stderr.contains("\(suggested) 'stalled'?"), "\(option.stderr)")
        let command = try puente.run(["--store", store] + flags + ["lsit"], environment: environment)
        #expect(command.status == 64)
        #expect(command.stderr.contains(language == 0 ? "'lsit' is not a command of `puente`" : "'lsit' no es un comando de `puente`"),
                "\(command.stderr)")
        #expect(command.stderr.contains("\(suggested) 'list'?"))
        let sub = try puente.run(["--store", store] + flags + ["keys", "lsit"], environment: environment)
        #expect(sub.status == 64)
        #expect(sub.stderr.contains("`puente keys`") && sub.stderr.contains("\(suggested) 'list'?"), "\(sub.stderr)")
        // Nothing close: no suggestion, still the list of what is accepted.
        let far = try puente.run(["--store", store] + flags + ["set", id, "status", "xyzzy"], environment: environment)
        #expect(far.status == 64)
        #expect(!far.stderr.contains(suggested))
        #expect(try puente.run(["--store", store, "digest"]).stdout == digest)
    }
}

/// One working group's outcome in one command and one transaction.
@Suite struct UpdateEndToEndTests {
    let puente = PuenteProcess()
    let helper = DocumentedCommandsEndToEndTests()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test(arguments: [0, 1]) func anOutcomeIsOneCommand(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, id) = try helper.storeWithCommitment(folder)
        let before = try json(try puente.run(["--store", store, "--json", "show", id]).stdout)["history"]?.arrayValue?.count ?? 0
        let updated = try puente.run(["--store", store] + flags + ["update", Replica.shortID(id), "--status", "en curso", "--due", "2027-01-31",
                                                                   "--tag", "+fentanyl", "--tag", "-firearms", "--assess", "at risk",
                                                                   "--why", "Staffing gaps", "--note", "Working group met"],
                                     environment: environment)
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(updated.stdout.contains(language == 0 ? "updated:" : "actualizado:"), "\(updated.stdout)")
        let shown = try json(try puente.run(["--store", store, "--json", "show", id]).stdout)
        #expect(shown["fields"]?["status"]?["value"] == "in-progress")
        #expect(shown["fields"]?["due"]?["value"] == "2027-01-31")
        #expect(shown["fields"]?["assessment.us"]?["value"]?["rating"] == "at-risk")
        #expect(Set((shown["sets"]?["tags"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }) == ["southbound", "fentanyl"])
        #expect((shown["children"]?.arrayValue ?? []).contains { $0["type"] == "note" })
        // Five writes on the commitment (status, due, two tags, the assessment) and the note's create.
        #expect((shown["history"]?.arrayValue?.count ?? 0) == before + 5)

        // Given the values it holds, nothing is written.
        let digest = try puente.run(["--store", store, "digest"]).stdout
        let same = try puente.run(["--store", store] + flags + ["update", id, "--status", "in-progress", "--due", "2027-01-31"],
                                  environment: environment)
        #expect(same.status == 0)
        #expect(same.stdout.contains(language == 0 ? "nothing was written" : "no se escribió nada"), "\(same.stdout)")
        #expect(try puente.run(["--store", store, "digest"]).stdout == digest)
        // Nothing to change, or --why alone, is a usage mistake.
        #expect(try puente.run(["--store", store] + flags + ["update", id], environment: environment).status == 64)
        #expect(try puente.run(["--store", store] + flags + ["update", id, "--why", "x"], environment: environment).status == 64)
        #expect(try puente.run(["--store", store, "digest"]).stdout == digest)
    }

    @Test func thePolicyRefusesAllOfItOrNone() throws {
        let stores = try SyncEndToEndTests().makeStores([("us", "us"), ("mx", "mx")])
        let (us, mx) = (stores.paths[0], stores.paths[1])
        let added = try puente.run(["--store", mx, "--json", "add", "--title-es", "Capacitación aduanera", "--pillar", "prevent"])
        let id = try #require(try json(added.stdout)["id"]?.stringValue)
        let bundle = stores.folder.sub("to-us.puente")
        #expect(try puente.run(["--store", mx, "sync", "export", "--to", bundle]).status == 0)
        #expect(try puente.run(["--store", us, "sync", "import", bundle]).status == 0)
        let digest = try puente.run(["--store", us, "digest"]).stdout
        // The U.S. desk may assess and add a note, but not change Mexico's status: none of it is written.
        let refused = try puente.run(["--store", us, "update", id, "--assess", "on-track", "--note", "Seen", "--status", "stalled"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("Status"), "\(refused.stderr)")
        #expect(try puente.run(["--store", us, "digest"]).stdout == digest)
        #expect(try puente.run(["--store", us, "update", id, "--assess", "on-track", "--note", "Seen"]).status == 0)
    }
}

/// The smaller frictions: errors as JSON under `--json`, a usage mistake without another
/// command's usage line, a dialogue that lists its commitments, and `indicator list`.
@Suite struct FrictionsEndToEndTests {
    let puente = PuenteProcess()
    let helper = DocumentedCommandsEndToEndTests()
    let fixture = Repository.path("Fixtures/bicentennial.json")

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test(arguments: [0, 1]) func errorsAreJSONUnderJSON(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (store, id) = try helper.storeWithCommitment(folder)
        for (arguments, code) in [(["show", "997"], "short-id"), (["lsit"], "usage"), (["list", "--status", "bogus"], "usage"),
                                  (["set", id, "due", "2026-13-01"], "usage"), (["indicator"], "usage"),
                                  (["show", "ffffffff"], "not-found")] {
            let result = try puente.run(["--store", store, "--json"] + flags + arguments, environment: environment)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stdout.isEmpty, "\(arguments)")
            // One canonical JSON line on standard error, with the code and the sentence in the user's language.
            let error = try json(result.stderr)
            #expect(String(decoding: CanonicalJSON.encode(error), as: UTF8.self) + "\n" == result.stderr, "\(arguments)")
            #expect(error["error"]?["code"]?.stringValue == code, "\(arguments): \(result.stderr)")
            let message = error["error"]?["message"]?.stringValue ?? ""
            #expect(message.count > 10, "\(arguments)")
        }
        let spanish = try puente.run(["--store", store, "--json"] + flags + ["show", "997"], environment: environment)
        #expect(spanish.stderr.contains(language == 0 ? "at least 4 digits" : "al menos 4 dígitos"))
        // Without --json, a mistake found while running names no other command's usage.
        let text = try puente.run(["--store", store] + flags + ["set", id, "due", "2026-13-01"], environment: environment)
        #expect(text.status == 64)
        #expect(!text.stderr.contains("Usage: puente [--store") && !text.stderr.contains("Uso:   puente [--store"), "\(text.stderr)")
        #expect(!text.stderr.contains("USAGE") && !text.stderr.contains("USO:"), "\(text.stderr)")
    }

    @Test(arguments: [0, 1]) func aDialogueListsItsCommitmentsAndIndicatorsAreListed(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        #expect(try puente.run(["--store", store, "import", fixture]).status == 0)
        let dialogues = try json(try puente.run(["--store", store, "--json", "dialogue", "list"]).stdout).arrayValue ?? []
        var checked = 0
        for dialogue in dialogues {
            let id = try #require(dialogue["id"]?.stringValue)
            let listed = try json(try puente.run(["--store", store, "--json", "list", "--dialogue", id]).stdout).arrayValue ?? []
            let shown = try json(try puente.run(["--store", store, "--json", "dialogue", "show", id]).stdout)
            #expect(shown["commitments"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == listed.compactMap { $0["id"]?.stringValue })
            guard !listed.isEmpty else { continue }
            checked += 1
            let text = try puente.run(["--store", store] + flags + ["dialogue", "show", id], environment: environment).stdout
            // Those made there, and those it took up again, each under its own heading.
            let made = listed.filter { $0["dialogue"]?.stringValue == id }.count
            if made > 0 {
                #expect(text.contains(language == 0 ? "Commitments from this dialogue (\(made))" : "Compromisos de este diálogo (\(made))"),
                        "\(text)")
            }
            if made < listed.count {
                #expect(text.contains(language == 0 ? "Commitments this dialogue took up again (\(listed.count - made))"
                                                    : "Compromisos que este diálogo retomó (\(listed.count - made))"), "\(text)")
            }
            for commitment in listed { #expect(text.contains(commitment["short_id"]?.stringValue ?? "-"), "\(text)") }
        }
        #expect(checked > 0)

        // Every standing indicator, as the review counts them; one commitment's alone.
        let all = try json(try puente.run(["--store", store, "--json", "indicator", "list"]).stdout).arrayValue ?? []
        let review = try json(try puente.run(["--store", store, "--json", "review"]).stdout)
        #expect(all.count == review["indicators"]?.arrayValue?.count)
        #expect(!all.isEmpty)
        let parent = try #require(all.first?["commitment"]?.stringValue)
        let one = try json(try puente.run(["--store", store, "--json", "indicator", "list", parent]).stdout).arrayValue ?? []
        #expect(!one.isEmpty && one.allSatisfy { $0["commitment"]?.stringValue == parent })
        #expect(one.count == all.filter { $0["commitment"]?.stringValue == parent }.count)
        let text = try puente.run(["--store", store] + flags + ["indicator", "list"], environment: environment).stdout
        #expect(text.contains(language == 0 ? "Outcome indicators" : "Indicadores de resultado"), "\(text)")
    }
}

/// `log` narrowed to one commitment (with its indicators and notes) and to some desks.
@Suite struct LogFiltersEndToEndTests {
    let puente = PuenteProcess()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test(arguments: [0, 1]) func theLogIsFilteredByCommitmentAndByAuthor(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let sync = SyncEndToEndTests()
        let stores = try sync.makeStores([("State INL desk", "us"), ("Enlace SSPC", "mx")])
        let (us, mx) = (stores.paths[0], stores.paths[1])
        let added = try puente.run(["--store", us, "--json", "add", "--title-en", "Joint tracing", "--pillar", "prevent", "--owner", "joint"])
        let id = try #require(try json(added.stdout)["id"]?.stringValue)
        #expect(try puente.run(["--store", us, "--json", "add", "--title-en", "Other", "--pillar", "protect"]).status == 0)
        let indicator = try #require(try json(try puente.run(["--store", us, "--json", "indicator", "add", id, "--name-en", "Traced",
                                                              "--kind", "output"]).stdout)["id"]?.stringValue)
        let bundle = stores.folder.sub("to-mx.puente")
        try sync.export(us, bundle)
        #expect(try sync.importing(mx, [bundle]).status == 0)
        #expect(try puente.run(["--store", mx, "note", id, "Nota de la SSPC"]).status == 0)
        #expect(try puente.run(["--store", mx, "set", id, "status", "in-progress"]).status == 0)

        func log(_ arguments: [String]) throws -> [JSONValue] {
            let result = try puente.run(["--store", mx, "--json"] + flags + ["log", "--limit", "1000"] + arguments, environment: environment)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            return try json(result.stdout).arrayValue ?? []
        }
        let all = try log([])
        let ours = try log(["--commitment", Replica.shortID(id)])
        // The commitment's own operations, its indicator's and its note's; nothing of the other one.
        let entities = Set(ours.compactMap { $0["entity"]?.stringValue })
        #expect(entities.contains(id) && entities.contains(indicator) && entities.count == 3, "\(entities)")
        #expect(ours.count == all.filter { entity in entities.contains(entity["entity"]?.stringValue ?? "") }.count)
        #expect(ours.count < all.count)
        // By part of a desk's name, case and accents folded, and by the first digits of its id.
        let sspc = try log(["--author", "sspc"])
        #expect(sspc.count == 2 && sspc.allSatisfy { $0["author"]?["delegation"] == "mx" }, "\(sspc)")
        let usID = try #require(all.first { $0["author"]?["delegation"] == "us" }?["author"]?["replica"]?.stringValue)
        let byID = try log(["--author", String(usID.prefix(6))])
        #expect(byID.count == all.count - 2 && byID.allSatisfy { $0["author"]?["delegation"] == "us" })
        let both = try log(["--commitment", id, "--author", "Enlace"])
        #expect(both.count == 2)
        // The log keeps its order: newest first, the same as the whole log's.
        let order = all.compactMap { $0["op"]?.stringValue }.filter { op in ours.contains { $0["op"]?.stringValue == op } }
        #expect(ours.compactMap { $0["op"]?.stringValue } == order)
        // A desk no name or id matches.
        let none = try puente.run(["--store", mx] + flags + ["log", "--author", "nobody"], environment: environment)
        #expect(none.status == 64)
        #expect(none.stderr.contains("keys list"))
    }
}

/// A store keeps its own display language: `init --lang es` or `config lang es`, before the
/// laptop's locale and after `--lang`; it is no part of the record.
@Suite struct StoreLanguageEndToEndTests {
    let puente = PuenteProcess()

    @Test func aStoreKeepsItsLanguage() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("mx")
        #expect(try puente.run(["--store", store, "--lang", "es", "init", "--delegation", "mx", "--name", "Enlace SSPC"]).status == 0)
        let english = ["LANG": "en_US.UTF-8"]
        // Spanish without --lang, on an English-locale laptop too; --lang still decides.
        #expect(try puente.run(["--store", store, "list"]).stdout.contains("Ningún compromiso coincide"))
        #expect(try puente.run(["--store", store, "list"], environment: english).stdout.contains("Ningún compromiso coincide"))
        #expect(try puente.run(["--store", store, "--lang", "en", "list"], environment: english).stdout.contains("No commitments match"))
        #expect(try puente.run(["--store", store, "--json", "config", "lang"]).stdout == "{\"lang\":\"es\"}\n")
        var info = stat()
        #expect(stat(store + "/settings.json", &info) == 0 && info.st_mode & 0o777 == 0o600)
        let digest = try puente.run(["--store", store, "digest"]).stdout

        // Changed by name in either language, said in the language chosen.
        let changed = try puente.run(["--store", store, "config", "lang", "inglés"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stdout == "This store's language: English.\n")
        #expect(try puente.run(["--store", store, "list"], environment: ["LANG": "es_MX.UTF-8"]).stdout.contains("No commitments match"))
        // Cleared, the locale decides again.
        #expect(try puente.run(["--store", store, "config", "lang", "--clear"]).status == 0)
        #expect(try puente.run(["--store", store, "list"], environment: ["LANG": "es_MX.UTF-8"]).stdout.contains("Ningún compromiso coincide"))
        #expect(try puente.run(["--store", store, "list"]).stdout.contains("No commitments match"))
        // A language Puente does not speak is refused; none of this touched the record.
        #expect(try puente.run(["--store", store, "config", "lang", "fr"]).status == 64)
        #expect(try puente.run(["--store", store, "config", "colour", "es"]).status == 64)
        #expect(try puente.run(["--store", store, "digest"]).stdout == digest)
        // A damaged settings file is ignored, not fatal.
        try Data("{\"lang\":".utf8).write(to: URL(fileURLWithPath: store + "/settings.json"))
        #expect(try puente.run(["--store", store, "list"]).stdout.contains("No commitments match"))
    }
}

/// Listings use the terminal's width, and `show` cuts no label.
@Suite struct WidthEndToEndTests {
    let puente = PuenteProcess()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test(arguments: [0, 1]) func titlesTakeTheWidthAndLabelsAreWhole(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        let title = "Binational panel of public-health experts on youth drug addiction"  // 65 characters
        let added = try puente.run(["--store", store, "--json", "add", "--title-en", title, "--title-es", title, "--pillar", "protect",
                                    "--summary-en", "Convene a binational panel.", "--summary-es", "Convocar un panel binacional."])
        let id = try #require(try json(added.stdout)["id"]?.stringValue)
        // A 200-column terminal shows the whole title; a pipe keeps the 100-column layout.
        let wide = try puente.run(["--store", store] + flags + ["list"], environment: environment.merging(["COLUMNS": "200"]) { $1 })
        #expect(wide.stdout.contains(title), "\(wide.stdout)")
        let narrow = try puente.run(["--store", store] + flags + ["list"], environment: environment)
        #expect(!narrow.stdout.contains(title))
        #expect(narrow.stdout.contains(String(title.prefix(45)) + "…"), "\(narrow.stdout)")
        // No label of `show` is cut.
        let shown = try puente.run(["--store", store] + flags + ["show", id], environment: environment).stdout
        for label in language == 0 ? ["Summary (English)", "Summary (Spanish)"] : ["Resumen (inglés)", "Resumen (español)"] {
            #expect(shown.contains(label + " "), "\(shown)")
        }
        #expect(!shown.split(separator: "\n").contains { $0.hasPrefix("Summary (") && $0.contains("…") })
    }
}

/// Shell completion offers files where a path is asked for and the codes where a value is one
/// of a list.
@Suite struct CompletionEndToEndTests {
    let puente = PuenteProcess()

    @Test func completionOffersFilesAndTheEnumeratedValues() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try puente.run(["--generate-completion-script", shell])
            #expect(script.status == 0, "\(shell)")
            for word in ["in-progress", "stalled", "protect", "pursue", "at-risk", "arms-trafficking", "title.es", "assessment.us",
                         "markdown", "relevance"] {
                #expect(script.stdout.contains(word), "\(shell): \(word)")
            }
        }
        // Files: bash's `compgen -f`, zsh's `_files`, fish's file completion for the import file.
        #expect(try puente.run(["--generate-completion-script", "bash"]).stdout.contains("-f"))
        #expect(try puente.run(["--generate-completion-script", "zsh"]).stdout.contains("_files"))
    }
}

/// Help, usage and the parser's own error messages in the user's language: section headers,
/// `--help` and `--version` lines, "See … for more information", and the parser's mistakes.
@Suite struct LocalizedHelpEndToEndTests {
    let puente = PuenteProcess()

    @Test(arguments: [0, 1]) func helpAndUsageSpeakTheUsersLanguage(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let spanish = name == "es"
        let help = try puente.run(flags + ["set", "--help"], environment: environment)
        #expect(help.status == 0)
        let headers = spanish ? ["USO:", "ARGUMENTOS:", "OPCIONES:", "Mostrar esta ayuda."] : ["USAGE:", "ARGUMENTS:", "OPTIONS:", "Show help information."]
        let foreign = spanish ? ["USAGE:", "ARGUMENTS:", "OPTIONS:", "Show help information."] : ["USO:", "OPCIONES:"]
        for word in headers { #expect(help.stdout.contains(word), "\(word): \(help.stdout)") }
        for word in foreign { #expect(!help.stdout.contains(word), "\(word): \(help.stdout)") }

        let root = try puente.run(flags + ["--help"], environment: environment)
        #expect(root.stdout.contains(spanish ? "SUBCOMANDOS:" : "SUBCOMMANDS:"))
        #expect(root.stdout.contains(spanish ? "Vea 'puente help <subcomando>' para la ayuda detallada." : "See 'puente help <subcommand>' for detailed help."))
        #expect(root.stdout.contains(spanish ? "Mostrar la versión." : "Show the version."))
        let group = try puente.run(flags + ["sync"], environment: environment)
        #expect(group.status == 64)
        #expect(group.stderr.contains(spanish ? "SUBCOMANDOS:" : "SUBCOMMANDS:"), "\(group.stderr)")

        // The parser's own mistakes: a missing argument, an unknown option, a value it refuses.
        let missing = try puente.run(flags + ["show"], environment: environment)
        #expect(missing.status == 64)
        #expect(missing.stderr.contains(spanish ? "Falta el argumento '<id>'" : "Missing expected argument '<id>'"), "\(missing.stderr)")
        #expect(missing.stderr.contains(spanish ? "Uso:" : "Usage:"), "\(missing.stderr)")
        #expect(missing.stderr.contains(spanish ? "Vea 'puente show --help' para más información." : "See 'puente show --help' for more information."),
                "\(missing.stderr)")
        let unknown = try puente.run(flags + ["list", "--pilar", "protect"], environment: environment)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains(spanish ? "Opción desconocida '--pilar'. ¿Quiso decir '--pillar'?" : "Unknown option '--pilar'. Did you mean '--pillar'?"),
                "\(unknown.stderr)")
        let json = try puente.run(flags + ["--json", "show"], environment: environment)
        #expect(json.stderr.contains(spanish ? "Falta el argumento" : "Missing expected argument"), "\(json.stderr)")

        // A completion script is written as the parser writes it, whatever the language.
        let script = try puente.run(flags + ["--generate-completion-script", "bash"], environment: environment)
        let english = try puente.run(["--lang", "en", "--generate-completion-script", "bash"])
        #expect(script.status == 0 && script.stdout == english.stdout)
    }
}
