import Foundation

/// The argument parser's own words — help's section headers, its `--help` and `--version`
/// lines, usage lines and its error messages — in the user's language. The parser writes them
/// in English only; each is a phrase of the catalog whose English is the parser's exact text,
/// and the Spanish replaces it wherever it occurs (headers only at the start of a line).
enum HelpText {
    /// Catalog keys, the longer patterns before the shorter ones they contain.
    static let keys = [
        "parser.overview", "parser.usage-header", "parser.arguments", "parser.options", "parser.subcommands",
        "parser.usage", "parser.help-line",
        "parser.show-help", "parser.show-version", "parser.detailed-help", "parser.more-information",
        "parser.missing-argument", "parser.missing-one-of", "parser.unknown-option-suggestion", "parser.unknown-option",
        "parser.missing-value", "parser.unexpected-arguments", "parser.unexpected-argument", "parser.invalid-value",
        "parser.no-value-taken",
    ]

    /// Those that are a line's first words.
    static let atLineStart: Set<String> = [
        "parser.overview", "parser.usage-header", "parser.arguments", "parser.options", "parser.subcommands", "parser.usage",
        "parser.help-line",
    ]

    private struct Rule: @unchecked Sendable {
        let pattern: NSRegularExpression
        let template: String
    }

    /// Each English text as a pattern (`{n}` matching any text on one line), with the Spanish as its template.
    private static let rules: [Rule] = keys.compactMap { key in
        guard let phrase = Catalog.phrases[key] else { return nil }
        var pattern = NSRegularExpression.escapedPattern(for: phrase.en)
        var template = NSRegularExpression.escapedTemplate(for: phrase.es)
        for index in 0..<4 {
            pattern = pattern.replacingOccurrences(of: NSRegularExpression.escapedPattern(for: "{\(index)}"), with: "([^\\n]*?)")
            template = template.replacingOccurrences(of: NSRegularExpression.escapedTemplate(for: "{\(index)}"), with: "$\(index + 1)")
        }
        if atLineStart.contains(key) { pattern = "(?m)^" + pattern }
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return nil }
        return Rule(pattern: expression, template: template)
    }

    /// `text` as the parser wrote it, with its own words in `language`.
    static func localized(_ text: String, language: Language = .current) -> String {
        guard language == .es else { return text }
        var out = text
        for rule in rules {
            out = rule.pattern.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: rule.template)
        }
        return out
    }
}
