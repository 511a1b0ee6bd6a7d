import ArgumentParser
import Foundation
import PuenteKit

/// Values, field names and commands as a desk officer types them, in either language: the
/// words Puente itself displays (`en curso`, `at risk`, `Estado`, `Vence`) are taken as input
/// beside the codes (`in-progress`, `at-risk`, `status`, `due`), case, accents and punctuation
/// folded; and a word that matches nothing gets the closest one suggested.
enum InputWords {
    /// Case and accents folded, and every run of other characters than letters and digits one
    /// dash: "En curso" → `en-curso`, "Título (español)" → `titulo-espanol`, `title.es` → `title-es`.
    static func fold(_ text: String) -> String {
        let lowered = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        var folded = String.UnicodeScalarView()
        var gap = false
        for scalar in lowered.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                if gap, !folded.isEmpty { folded.append("-") }
                gap = false
                folded.append(scalar)
            } else {
                gap = true
            }
        }
        return String(folded)
    }

    /// Every way a code may be typed: itself, and the words the catalog displays for it
    /// (`words.code`) in English and Spanish, folded.
    static func spellings(_ code: String, words: String?) -> [String] {
        var spellings = [fold(code)]
        if let words, let phrase = Catalog.phrases["\(words).\(code)"] { spellings += [fold(phrase.en), fold(phrase.es)] }
        return spellings
    }

    /// The code among `codes` that `text` names, or nil.
    static func code(_ text: String, among codes: [String], words: String?) -> String? {
        if codes.contains(text) { return text }
        let folded = fold(text)
        return codes.first { spellings($0, words: words).contains(folded) }
    }

    /// The candidate one of whose spellings is nearest to `text`, when it is near enough to be
    /// what was meant: at most a third of the word's edits (1 to 3). The one rule every
    /// suggestion follows — of a value, a field or a command.
    static func closest(to text: String, among candidates: [String], spelled: (String) -> [String]) -> String? {
        let folded = fold(text)
        guard !folded.isEmpty else { return nil }
        let scored = candidates.map { candidate in (candidate, spelled(candidate).map { distance(folded, $0) }.min() ?? Int.max) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(1, min(3, folded.count / 3)) else { return nil }
        return best.0
    }

    /// The code whose spelling is closest to `text` (``closest(to:among:spelled:)``).
    static func suggestion(_ text: String, among codes: [String], words: String?) -> String? {
        closest(to: text, among: codes) { spellings($0, words: words) }
    }

    /// The field of an entity of `type` that `text` names: its code (`title.es`), the option's
    /// form (`title-es`), its displayed name in either language (`Estado`, `Vence`), or for a
    /// field in one language the name's first words and the language (`titulo.es`).
    static func field(_ text: String, of type: EntityType) -> String? {
        let fields = FieldCatalog.fields(of: type).keys.sorted()
        if fields.contains(text) { return text }
        let folded = fold(text)
        return fields.first { fieldSpellings($0).contains(folded) }
    }

    /// The field whose spelling is closest to `text` (``closest(to:among:spelled:)``).
    static func fieldSuggestion(_ text: String, of type: EntityType) -> String? {
        closest(to: text, among: FieldCatalog.fields(of: type).keys.sorted()) { Array(fieldSpellings($0)) }
    }

    static func fieldSpellings(_ field: String) -> Set<String> {
        var spellings: Set<String> = [fold(field)]
        guard let phrase = Catalog.phrases["field.\(field)"] else { return spellings }
        for name in [phrase.en, phrase.es] {
            spellings.insert(fold(name))
            for language in ["en", "es"] where field.hasSuffix("." + language) {
                spellings.insert(fold((name.components(separatedBy: " (").first ?? name) + "." + language))
            }
        }
        return spellings
    }

    /// Which catalog words a field's values are displayed with (`status` → `status.in-progress`).
    static func valueWords(field: String, type: EntityType) -> String? {
        switch field {
        case "status", "pillar", "priority", "direction", "area", "source": return field
        case "priority.us", "priority.mx": return "priority"
        case "kind": return type == .dialogue ? "dialogue-kind" : "indicator-kind"
        // The planning marks name fields: "due", or "Vence" as `show` labels it.
        case "illustrative": return "field"
        default: return nil
        }
    }

    /// The code of the known agency `text` names (its code, acronym, or standard name in either
    /// language, case and accents folded), or nil: an agency Puente does not know is kept as typed.
    static func agency(_ text: String) -> String? {
        // Text with a control or bidi character is never taken for an agency: it is refused
        // where every text is (the fold would drop the character).
        guard LocalText.forbidden(in: text, multiLine: false) == nil else { return nil }
        let folded = fold(text)
        return AgencyCatalog.all.first { agency in
            [agency.code, agency.acronym, agency.en, agency.es].compactMap { $0 }.contains { fold($0) == folded }
        }?.code
    }

    /// Edits from one word to the other, by Unicode scalars: an insertion, a deletion, a
    /// substitution or two neighbours swapped (`lsit` → `list`) counts one.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var rows = [Array(0...b.count)]
        for i in 1...a.count {
            var row = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { row[j] = min(row[j], rows[i - 2][j - 2] + 1) }
            }
            rows.append(row)
        }
        return rows[a.count][b.count]
    }

    /// The word of `arguments` that should name a subcommand and names none, with the closest
    /// name to suggest: `puente lsit` → ("lsit", "list"). Nil when every command word is known
    /// (or help is asked for, or the group has a default subcommand that takes the word).
    static func unknownCommand(_ arguments: [String]) -> (word: String, path: String, suggestion: String?)? {
        var command: any ParsableCommand.Type = Puente.self
        var path = "puente"
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" { return nil }
            if word.hasPrefix("-") {
                // An option's value is not a command word (nor the shell the parser's own
                // `--generate-completion-script` names).
                if word.hasPrefix("--"), !word.contains("="),
                   DashValues.valueOptions.contains(String(word.dropFirst(2))) || word == "--generate-completion-script" { index += 1 }
                index += 1
                continue
            }
            let configuration = command.configuration
            guard !configuration.subcommands.isEmpty else { return nil }
            if path == "puente", word == "help" { return nil }
            let names = configuration.subcommands.compactMap { $0.configuration.commandName }
            if let next = configuration.subcommands.first(where: { $0.configuration.commandName == word }) {
                command = next
                path += " " + word
                index += 1
                continue
            }
            if configuration.defaultSubcommand != nil { return nil }
            return (word, path, closest(to: word, among: names) { [$0] })
        }
        return nil
    }
}
