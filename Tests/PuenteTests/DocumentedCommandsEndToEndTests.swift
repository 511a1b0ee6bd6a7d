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
        #expect(!removed.stdout.contains("USAGE"))
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
            #expect(result.stderr.contains("USAGE") || result.stderr.contains("SUBCOMMANDS"), "\(group)")
        }
        // Help asked for is not a mistake.
        for asked in [["--help"], ["indicator", "--help"], ["set", "-h"], ["help", "sync"]] {
            let result = try puente.run(flags + asked, environment: environment)
            #expect(result.status == 0, "\(asked)")
            #expect(result.stdout.contains("USAGE"), "\(asked)")
        }
    }
}
