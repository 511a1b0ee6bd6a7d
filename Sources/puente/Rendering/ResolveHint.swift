import PuenteKit

/// The exact command that settles a conflicted field on one of its values, ready to paste into
/// a shell: `conflicts` and `show` print one under each value.
enum ResolveHint {
    static func command(entity: EntityRef, field: String, value: JSONValue) -> String {
        let id = Replica.shortID(entity.text)
        // Assessments and readouts have commands of their own; a cleared value is a `--clear`.
        if field.hasPrefix("assessment.") {
            return "puente assess \(id) " + quoted(value["rating"]?.stringValue ?? "")
                + (value["why"]?.stringValue.map { " --why " + quoted($0) } ?? "")
        }
        if field.hasPrefix("readout.") { return "puente dialogue readout \(id) " + quoted(value.stringValue ?? "") }
        if value == .null { return "puente set \(id) \(quoted(field)) --clear" }
        var text = value.stringValue ?? String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        if let link = EntityRef(text: text) { text = Replica.shortID(link.text) }
        return "puente resolve \(id) \(quoted(field)) \(quoted(text))"
    }

    /// `text` as one shell word: as it is when every character is plain, else in single quotes
    /// (a value from another desk is never run by the shell that reads it).
    static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil)) || "._:/+-@=,".unicodeScalars.contains($0)
        }
        return plain ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
