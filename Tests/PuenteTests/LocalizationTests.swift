import Foundation
import PuenteKit
import PuenteTestSupport
import Testing
@testable import puente

/// Every user-facing string exists in English and Spanish.
@Suite struct LocalizationTests {
    /// Every literal key passed to `t(…)` in the terminal client's sources.
    func keysUsedInSources() throws -> Set<String> {
        let folder = Repository.path("Sources/puente")
        var keys = Set<String>()
        let regex = try NSRegularExpression(pattern: #"\bt\("([a-z0-9.\-]+)""#)
        let files = FileManager.default.enumerator(atPath: folder)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 10)
        for file in files {
            let text = try String(contentsOfFile: folder + "/" + file, encoding: .utf8)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { keys.insert(String(text[range])) }
            }
        }
        return keys
    }

    /// Keys the sources build at run time from the domain's vocabularies and error codes.
    var dynamicKeys: Set<String> {
        var keys = Set<String>()
        Delegation.allCases.forEach { keys.insert("delegation.\($0.rawValue)") }
        Owner.allCases.forEach { keys.insert("owner.\($0.rawValue)") }
        // Why a segment was refused (the store's own refusals are its error codes, below).
        for refusal in [SegmentRefusal.unknownAuthor, .brokenChain, .attestation, .fork, .needsFull] { keys.insert("segment.\(refusal.code)") }
        Pillar.allCases.forEach { keys.insert("pillar.\($0.rawValue)") }
        CommitmentStatus.allCases.forEach { keys.insert("status.\($0.rawValue)") }
        Rating.allCases.forEach { keys.insert("rating.\($0.rawValue)") }
        Priority.allCases.forEach { keys.insert("priority.\($0.rawValue)") }
        DialogueKind.allCases.forEach { keys.insert("dialogue-kind.\($0.rawValue)") }
        IndicatorKind.allCases.forEach { keys.insert("indicator-kind.\($0.rawValue)") }
        Direction.allCases.forEach { keys.insert("direction.\($0.rawValue)") }
        EntityType.allCases.forEach { keys.insert("type.\($0.rawValue)") }
        BuiltInArea.allCases.forEach { keys.insert("area.\($0.rawValue)") }
        for type in EntityType.allCases { FieldCatalog.fields(of: type).keys.forEach { keys.insert("field.\($0)") } }
        OpReason.Code.allCases.forEach { keys.insert("reason.\($0.rawValue)") }
        PuenteError.Code.allCases.filter { $0 != .refused && $0 != .ambiguousID && $0 != .unknownField }
            .forEach { keys.insert("error.\($0.rawValue)") }
        ["refused", "ambiguous-id", "unknown-field"].forEach { keys.insert("error.\($0)") }
        for problem in ["text", "too-long", "slug", "one-of", "date", "decimal", "link", "assessment", "reading", "required",
                        "list", "missing", "unknown-member", "type", "format", "too-large", "too-many",
                        "duplicate-external-id", "unknown-dialogue", "unreadable"] {
            keys.insert("value.\(problem)")
        }
        KeyRole.allCases.forEach { keys.insert("role.\($0.rawValue)") }
        for problem in ["unreadable", "fingerprint"] { keys.insert("card.\(problem)") }
        ["certificate", "revocation", "rotation", "fork-proof"].forEach { keys.insert("trust.kind.\($0)") }
        ["card", "certificate", "rotation"].forEach { keys.insert("keys.via.\($0)") }
        ["revoked", "forked", "off-chain"].forEach { keys.insert("keys.cut.\($0)") }
        CommitmentStatus.allCases.forEach { keys.insert("status-short.\($0.rawValue)") }
        // A recommendation is tallied and listed as `recommended`; every source kind has its
        // word, and those whose meaning matters their note; a past due date its own label.
        ["status.recommended", "status.set-aside", "status-short.recommended", "label.due-past", "source-note.announcement",
         "source-note.recommendation"].forEach { keys.insert($0) }
        SourceKind.allCases.forEach { keys.insert("source.\($0.rawValue)") }
        IndicatorKind.allCases.forEach { keys.insert("review.indicators.\($0.rawValue)") }
        return keys
    }

    /// Every problem code the library throws as a bundle, card or trust error: each becomes a
    /// sentence (`bundle.…`, `card.…`, `trust.…`).
    func errorKeysInLibrary() -> Set<String> {
        Set(BundleError.Code.allCases.map { "bundle.\($0.rawValue)" })
            .union(CardError.Code.allCases.map { "card.\($0.rawValue)" })
            .union(TrustError.Code.allCases.map { "trust.\($0.rawValue)" })
    }

    @Test func everyKeyHasBothLanguages() throws {
        let errors = errorKeysInLibrary()
        #expect(errors.contains("trust.one-signature") && errors.contains("bundle.untrusted-exporter"))
        let used = try keysUsedInSources().union(dynamicKeys).union(errors)
        #expect(used.count > 200)
        for key in used.sorted() {
            guard let phrase = Catalog.phrases[key] else {
                Issue.record("missing phrase: \(key)")
                continue
            }
            #expect(!phrase.en.isEmpty && !phrase.es.isEmpty, "\(key)")
        }
    }

    @Test func spanishIsATranslationNotACopy() {
        // Identical texts are allowed only where both languages write the same (codes, commands, examples of ids).
        let sameInBoth: Set<String> = ["col.id", "review.total", "error.prefix", "demo.store", "reason.invalid-value",
                                       "error.option", "example.show", "example.conflicts", "example.resolve",
                                       "example.rebuild", "example.import", "example.digest", "example.indicator-record",
                                       "flag.no"]
        for (key, phrase) in Catalog.phrases where !sameInBoth.contains(key) {
            #expect(phrase.en != phrase.es, "\(key) is the same in English and Spanish")
        }
    }

    @Test func placeholdersMatchAcrossLanguages() throws {
        let regex = try NSRegularExpression(pattern: #"\{[0-9]\}"#)
        func placeholders(_ text: String) -> Set<String> {
            Set(regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
                Range($0.range, in: text).map { String(text[$0]) }
            })
        }
        for (key, phrase) in Catalog.phrases {
            #expect(placeholders(phrase.en) == placeholders(phrase.es), "\(key)")
        }
    }

    @Test func languageComesFromTheFlagThenTheEnvironment() {
        #expect(Language.detect(arguments: ["puente", "--lang", "es", "list"], environment: ["LANG": "en_US.UTF-8"]) == .es)
        #expect(Language.detect(arguments: ["puente", "--lang=en"], environment: ["LANG": "es_MX.UTF-8"]) == .en)
        #expect(Language.detect(arguments: ["puente"], environment: ["LANG": "es_MX.UTF-8"]) == .es)
        #expect(Language.detect(arguments: ["puente"], environment: ["LC_ALL": "es_ES.UTF-8", "LANG": "en_US"]) == .es)
        #expect(Language.detect(arguments: ["puente"], environment: [:]) == .en)
        #expect(Language.detect(arguments: ["puente", "note", "x", "--", "--lang", "es"], environment: [:]) == .en)
    }
}
