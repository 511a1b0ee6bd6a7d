/// The one rule by which text from anyone else — an operation, a card, a certificate, a file,
/// an entry name of a ZIP — reaches a terminal.
///
/// Terminals act on bytes: ESC and the C1 controls start sequences that retitle the window,
/// colour or conceal what follows, or move the cursor; CR and BS overwrite what was printed;
/// bidi embeddings, overrides and isolates reorder what is shown; zero-width characters hide
/// text. Each such character is shown as a visible escape (`\u{1B}`), never passed through.
/// `Terminal.out` and `Terminal.err` apply ``escaped(_:keepNewlines:)`` to every line, so no
/// command can forget it; the views also apply ``singleLine(_:)`` to a value shown on one line,
/// so a newline inside it cannot start a line that reads as another record.
/// `--json` output keeps the exact text (JSON escapes what it must).
enum UntrustedText {
    /// Whether `scalar` is shown as an escape: C0 controls but newline and tab, DEL, C1
    /// controls, bidi controls (LRM, RLM, ALM, embeddings, overrides, isolates), and
    /// zero-width or invisible formatting characters.
    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x08, 0x0B...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x180E, 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFEFF, 0xFFF9...0xFFFB:
            return true
        default: return false
        }
    }

    /// `text` with every hidden character (and, unless kept, every newline) as `\u{…}`.
    static func escaped(_ text: String, keepNewlines: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { isHidden($0) || (!keepNewlines && $0 == "\n") }) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isHidden(scalar) || (!keepNewlines && scalar == "\n") {
                result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// A value shown on one line: newlines (and tabs) as escapes, like every hidden character.
    static func singleLine(_ text: String) -> String {
        escaped(text.replacingOccurrences(of: "\t", with: "\\u{9}"), keepNewlines: false)
    }

    /// A multi-line value (a note, a summary) shown under a heading: each of its lines after the
    /// first starts with `indent`, so none can pass for a record of the listing.
    static func block(_ text: String, indent: String) -> String {
        escaped(text).split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + indent)
    }
}
