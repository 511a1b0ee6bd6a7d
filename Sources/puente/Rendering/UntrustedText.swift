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
import PuenteKit

enum UntrustedText {
    /// Whether `scalar` is shown as an escape: C0 controls but newline and tab, DEL, C1
    /// controls, bidi controls (LRM, RLM, ALM, embeddings, overrides, isolates), and
    /// zero-width or invisible formatting characters.
    static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        if LocalText.isControlOrBidi(scalar) { return true }
        switch scalar.value {
        case 0x180E, 0x200B...0x200D, 0x2060...0x2064, 0xFEFF, 0xFFF9...0xFFFB: return true
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

    // MARK: Reports

    /// A CSV field: a cell a spreadsheet would run as a formula (it starts with `=`, `+`, `-`,
    /// `@`, tab or CR) gets a leading `'`, as OWASP advises, unless it is a plain number; a cell
    /// with a comma, quote or line break is quoted.
    static func csv(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first), !Validation.isDecimal(text) {
            text = "'" + text
        }
        return text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// Text for an HTML page (and XML): the five special characters as entities, and every
    /// character XML 1.0 forbids (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+FFFE, U+FFFF)
    /// as U+FFFD, so the page stays well-formed whatever a value holds.
    static func html(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default:
                switch scalar.value {
                case 0x00...0x08, 0x0B, 0x0C, 0x0E...0x1F, 0xFFFE, 0xFFFF: out.append("\u{FFFD}")
                default: out.append(scalar)
                }
            }
        }
        return String(out)
    }

    /// A value inside a Markdown line or table cell: HTML's special characters as entities (no
    /// tag, handler or autolink can form), Markdown's inline punctuation backslash-escaped (no
    /// emphasis, code, link or image can form), a block marker at its start escaped, table pipes
    /// escaped, line breaks as spaces, and hidden characters as for the terminal.
    static func markdown(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n", "\r\n", "\r": out += " "
            case "\\", "`", "*", "_", "[", "]", "|", "!", "#", "~", "{", "}": out += "\\" + String(character)
            default: out.append(character)
            }
        }
        // A value at the start of a line must not open a list, a quote, a heading or a rule.
        if let first = out.first, "-+=".contains(first) { out = "\\" + out }
        if let dot = out.firstIndex(where: { !$0.isASCII || !$0.isNumber }), dot != out.startIndex, out[dot] == "." || out[dot] == ")" {
            out.replaceSubrange(dot...dot, with: "\\" + String(out[dot]))
        }
        return escaped(out)
    }

    /// A multi-line value (a note, a summary) shown under a heading: each of its lines after the
    /// first starts with `indent`, so none can pass for a record of the listing.
    static func block(_ text: String, indent: String) -> String {
        escaped(text).split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n" + indent)
    }
}
