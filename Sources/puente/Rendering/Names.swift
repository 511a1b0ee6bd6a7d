import PuenteKit

/// Names of the domain's words in the display language.
enum Names {
    static func delegation(_ delegation: Delegation) -> String { t("delegation.\(delegation.rawValue)") }
    static func owner(_ owner: String?) -> String { owner.map { t("owner.\($0)") } ?? "—" }
    static func pillar(_ pillar: String?) -> String { pillar.map { t("pillar.\($0)") } ?? "—" }
    static func status(_ status: String?) -> String { status.map { t("status.\($0)") } ?? "—" }
    static func rating(_ rating: String?) -> String { rating.map { t("rating.\($0)") } ?? t("rating.not-assessed") }
    static func priority(_ priority: String?) -> String { priority.map { t("priority.\($0)") } ?? "—" }
    static func dialogueKind(_ kind: String?) -> String { kind.map { t("dialogue-kind.\($0)") } ?? "—" }
    static func indicatorKind(_ kind: String?) -> String { kind.map { t("indicator-kind.\($0)") } ?? "—" }
    static func direction(_ direction: String?) -> String { direction.map { t("direction.\($0)") } ?? "—" }

    /// A built-in area's name, or the area as written.
    static func area(_ area: String?) -> String {
        guard let area else { return "—" }
        return BuiltInArea(rawValue: area) != nil ? t("area.\(area)") : UntrustedText.singleLine(area)
    }

    /// A field's name (`title.en` → "Title (English)").
    static func field(_ field: String) -> String {
        Catalog.phrases["field.\(field)"] != nil ? t("field.\(field)") : UntrustedText.singleLine(field)
    }

    /// A title in the display language, else the other one marked with its language, on one line.
    static func title(en: String?, es: String?) -> String { text(en: en, es: es).map(UntrustedText.singleLine) ?? "—" }

    /// A text in the display language, else the other one marked with its language; nil when neither exists.
    static func text(en: String?, es: String?) -> String? {
        let text: String?
        switch Language.current {
        case .en: text = en ?? es.map { "\($0) [es]" }
        case .es: text = es ?? en.map { "\($0) [en]" }
        }
        return text
    }

    /// A register value as text for the terminal, on one line (``UntrustedText``).
    static func value(_ value: JSONValue?, field: String) -> String {
        UntrustedText.singleLine(rawValue(value, field: field))
    }

    private static func rawValue(_ value: JSONValue?, field: String) -> String {
        guard let value else { return "—" }
        switch field {
        case "status": return status(value.stringValue)
        case "pillar": return pillar(value.stringValue)
        case "priority": return priority(value.stringValue)
        case "area": return area(value.stringValue)
        case "kind": return value.stringValue.map { DialogueKind(rawValue: $0) != nil ? dialogueKind($0) : indicatorKind($0) } ?? "—"
        case "direction": return direction(value.stringValue)
        case "dialogue": return value.stringValue.map(Replica.shortID) ?? "—"
        default: break
        }
        if field.hasPrefix("assessment.") {
            let why = value["why"]?.stringValue.map { " — \($0)" } ?? ""
            return rating(value["rating"]?.stringValue) + why
        }
        if let reading = value.objectValue, let number = reading["value"]?.stringValue, let date = reading["date"]?.stringValue {
            return "\(date): \(number)" + (reading["source"]?.stringValue.map { " (\($0))" } ?? "")
        }
        switch value {
        case .null: return "—"
        case .string(let text): return text
        default: return String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        }
    }
}
