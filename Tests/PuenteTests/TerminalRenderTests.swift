import Foundation
import PuenteKit
@testable import puente
import Testing

/// The terminal's one rendering rule keeps Puente's own colors and shows every escape that came
/// from a value, a forged color marker included.
@Suite struct TerminalRenderTests {
    @Test func ourColorsSurviveAndTheirsAreShownAsEscapes() {
        #expect(Terminal.render(Style.paint("Title", "1", enabled: true)) == "\u{1B}[1mTitle\u{1B}[0m")
        // An escape inside painted text (a title from another desk) is shown, not obeyed.
        let painted = Terminal.render(Style.paint("Trace\u{1B}[8m firearms", "31", enabled: true))
        #expect(painted == "\u{1B}[31mTrace\\u{1B}[8m firearms\u{1B}[0m")
        // A marker without this process's token is only text.
        let forged = Terminal.render("\u{E000}0123456789abcdef8\u{E001}hidden")
        #expect(!forged.contains("\u{1B}"))
        // A marker with the token but no code, or a code that is not digits, is not a color either.
        #expect(!Terminal.render("\u{E000}\(Style.token)\u{E001}x").contains("\u{1B}"))
        #expect(!Terminal.render("\u{E000}\(Style.token)8m\u{1B}\u{E001}x").contains("\u{1B}["))
        // Without colors, painting changes nothing.
        #expect(Style.paint("Title", "1", enabled: false) == "Title")
    }
}

/// Words that begin with a dash and can only be values reach the parser as values.
@Suite struct DashValuesTests {
    @Test func dashValuesBecomeValues() {
        #expect(DashValues.rewrite(["set", "3f2a", "tags", "-southbound"]) == ["set", "3f2a", "tags", "--", "-southbound"])
        #expect(DashValues.rewrite(["indicator", "record", "3f2a", "-5", "--date", "2026-01-02"])
                == ["indicator", "record", "3f2a", "--date", "2026-01-02", "--", "-5"])
        // After an option that takes a value, joined to it; after a flag, a value of its own.
        #expect(DashValues.rewrite(["indicator", "add", "3f2a", "--baseline", "-5", "--target", "-.5"])
                == ["indicator", "add", "3f2a", "--baseline=-5", "--target=-.5"])
        #expect(DashValues.rewrite(["set", "3f2a", "tags", "--json", "-x"]) == ["set", "3f2a", "tags", "--json", "--", "-x"])
        // A `--` the user typed keeps what follows it, after what was moved.
        #expect(DashValues.rewrite(["set", "-a", "--", "-b"]) == ["set", "--", "-a", "-b"])
        // Left alone: help, a lone dash, long options, `--name=value`, and anything after `--`.
        for unchanged in [["set", "-h"], ["set", "3f2a", "due", "--clear", "-"], ["list", "--status", "stalled"],
                          ["list", "--text=-x"], ["set", "3f2a", "tags", "--", "-x"], []] {
            #expect(DashValues.rewrite(unchanged) == unchanged)
        }
    }

    /// The list of options that take a value is the parser's own: an option missing from it would
    /// have its dash value moved away from it, a flag in it would swallow the next value.
    @Test func theValueOptionsAreTheParsersOwn() throws {
        guard case let .object(dump) = try JSONParser.parse(Array(Puente._dumpHelp().utf8)) else {
            Issue.record("the parser's dump is not an object")
            return
        }
        var options = Set<String>()
        var flags = Set<String>()
        func walk(_ command: JSONValue) {
            for argument in command["arguments"]?.arrayValue ?? [] {
                for name in argument["names"]?.arrayValue ?? [] where name["kind"] == "long" {
                    guard let text = name["name"]?.stringValue else { continue }
                    if argument["kind"] == "option" { options.insert(text) }
                    if argument["kind"] == "flag" { flags.insert(text) }
                }
            }
            for sub in command["subcommands"]?.arrayValue ?? [] { walk(sub) }
        }
        walk(dump["command"] ?? .null)
        #expect(!options.isEmpty)
        #expect(options.subtracting(flags) == DashValues.valueOptions)
        #expect(DashValues.valueOptions.isDisjoint(with: flags))
    }

    @Test func aValueIsQuotedForTheShellWhenItMustBe() {
        #expect(ResolveHint.quoted("in-progress") == "in-progress")
        #expect(ResolveHint.quoted("2026-12-31") == "2026-12-31")
        #expect(ResolveHint.quoted("Customs & Border") == "'Customs & Border'")
        #expect(ResolveHint.quoted("it's $(rm -rf ~)") == "'it'\\''s $(rm -rf ~)'")
        #expect(ResolveHint.quoted("") == "''")
    }

    @Test func wordsAreFoldedAndMatchedInEitherLanguage() {
        #expect(InputWords.fold("En curso") == "en-curso")
        #expect(InputWords.fold("Título (español)") == "titulo-espanol")
        #expect(InputWords.fold("title.es") == "title-es")
        #expect(InputWords.distance("lsit", "list") == 1)
        #expect(InputWords.distance("stauts", "status") == 1)
        #expect(InputWords.distance("", "abc") == 3)
        #expect(InputWords.code("EN RIESGO", among: ["on-track", "at-risk"], words: "rating") == "at-risk")
        #expect(InputWords.code("at risk", among: ["on-track", "at-risk"], words: "rating") == "at-risk")
        #expect(InputWords.code("riesgo", among: ["on-track", "at-risk"], words: "rating") == nil)
        for (typed, field) in [("titulo.es", "title.es"), ("Title (Spanish)", "title.es"), ("vence", "due"), ("ESTADO", "status"),
                               ("summary-en", "summary.en"), ("Evaluación de México", "assessment.mx")] {
            #expect(InputWords.field(typed, of: .commitment) == field, "\(typed)")
        }
        #expect(InputWords.field("estado", of: .note) == nil)
        // No spelling names two fields of one type, and no displayed value word names two codes.
        for type in EntityType.allCases {
            for field in FieldCatalog.fields(of: type).keys {
                for spelling in InputWords.fieldSpellings(field) {
                    #expect(InputWords.field(spelling, of: type) == field, "\(type) \(field) \(spelling)")
                }
                if let spec = FieldCatalog.fields(of: type)[field], case .oneOf(let codes) = spec.rule {
                    let words = InputWords.valueWords(field: field, type: type)
                    for code in codes {
                        for spelling in InputWords.spellings(code, words: words) {
                            #expect(InputWords.code(spelling, among: codes, words: words) == code, "\(field) \(code) \(spelling)")
                        }
                    }
                }
            }
        }
    }

    @Test func theStoresLanguageComesAfterLangAndBeforeTheLocale() {
        #expect(Language.detect(arguments: ["puente", "list"], environment: ["LANG": "en_US.UTF-8"], saved: .es) == .es)
        #expect(Language.detect(arguments: ["puente", "--lang", "en", "list"], environment: [:], saved: .es) == .en)
        #expect(Language.detect(arguments: ["puente", "list"], environment: ["LANG": "es_MX.UTF-8"], saved: nil) == .es)
        #expect(StoreSettings.store(in: ["--store", "/x", "list"]) == "/x")
        #expect(StoreSettings.store(in: ["--store=/y", "list"]) == "/y")
        #expect(StoreSettings.store(in: ["note", "3f2a", "--", "--store", "/z"]) == nil)
    }
}

/// Numbers are written as both delegations write them, and an indicator's arrows mean one
/// thing everywhere: baseline → latest (date) → target.
@Suite struct IndicatorWordsTests {
    @Test func numbersAreGroupedByThousands() {
        #expect(Names.number("109000.5") == "109,000.5")
        #expect(Names.number("1234567") == "1,234,567")
        #expect(Names.number("-5000") == "-5,000")
        #expect(Names.number("999") == "999")
        #expect(Names.number("0.25") == "0.25")
        #expect(Names.number(nil) == "—")
        #expect(Names.number("n/a") == "n/a", "what is not a plain decimal is shown as it is")
    }

    @Test func theCourseIsBaselineLatestTarget() {
        #expect(Names.course(baseline: "87000", latest: "109000", latestDate: "2022-12-31", target: "60000", unit: "deaths")
                == "87,000 → 109,000 (2022-12-31) → 60,000 deaths")
        #expect(Names.course(baseline: nil, latest: nil, latestDate: nil, target: "4", unit: nil) == "— → — → 4")
        #expect(Names.progress(0.5) == "50%")
        #expect(Names.progress(nil) == "—")
        #expect(Names.progress(-0.8148).hasPrefix("-81% ("), "a negative progress says what it means")
    }
}
