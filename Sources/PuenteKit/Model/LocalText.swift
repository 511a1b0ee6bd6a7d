/// What text typed or imported here may hold.
///
/// Text from others is shown through one rendering rule wherever it goes; text written here is
/// refused at the door when it holds what only misleads: C0 and C1 controls, DEL, and bidi
/// embeddings, overrides, isolates and marks. Tab and newline are allowed in multi-line text
/// (summaries, statements, readouts, notes, an assessment's reason) and nowhere else.
public enum LocalText {
    /// The fields (and members of values) whose text may span lines.
    static let multiLine: Set<String> = ["summary.en", "summary.es", "statement.en", "statement.es", "readout.us", "readout.mx",
                                         "text", "why"]

    /// Whether `scalar` is a C0 control other than tab and newline, DEL, a C1 control, or a
    /// bidi mark, embedding, override or isolate: what text typed here may never hold, and
    /// what the terminal shows as an escape (with zero-width characters besides).
    public static func isControlOrBidi(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x08, 0x0B...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// The first character `text` may not hold, if any.
    public static func forbidden(in text: String, multiLine: Bool) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            scalar == "\t" || scalar == "\n" ? !multiLine : isControlOrBidi(scalar)
        }
    }

    /// The most characters (Unicode scalars, as JSON Schema's `maxLength` counts) in a name or
    /// office of a card, certificate or rotation.
    public static let maximumNameLength = 200

    /// Whether `text` is a name or office as cards carry them: at most ``maximumNameLength``
    /// characters, non-empty unless `allowEmpty`, and on one line with nothing forbidden.
    public static func isName(_ text: String, allowEmpty: Bool = false) -> Bool {
        (allowEmpty || !text.isEmpty) && text.unicodeScalars.count <= maximumNameLength && forbidden(in: text, multiLine: false) == nil
    }

    /// `U+001B`, as messages name a character.
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// The field and first forbidden character of an operation's text, if any: every string in
    /// its value, judged by the field (or, in a `create`, the member) it belongs to.
    static func forbidden(in op: Op) -> (field: String, scalar: Unicode.Scalar)? {
        func walk(_ value: JSONValue, field: String) -> (String, Unicode.Scalar)? {
            switch value {
            case .string(let text):
                return forbidden(in: text, multiLine: multiLine.contains(field)).map { (field, $0) }
            case .array(let items):
                for item in items { if let found = walk(item, field: field) { return found } }
                return nil
            case .object(let members):
                for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                    // A create's members are fields; an assessment's or reading's are parts of one.
                    let name = op.kind == .create || multiLine.contains(key) ? key : field
                    if let found = walk(member, field: name) { return found }
                }
                return nil
            default:
                return nil
            }
        }
        return walk(op.value, field: op.field)
    }
}
