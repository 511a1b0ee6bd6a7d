import ArgumentParser
import PuenteKit

/// `--since` of `review` and `report`: a date, `last-import`, or `dialogue:ID` (from that
/// round's date), with the words the output shows for it.
struct SincePoint {
    let point: ReviewSince
    /// For a round: its title and date, as the briefing names it.
    let label: String?

    static let dialoguePrefix = "dialogue:"

    /// Checks the form before the store is opened.
    static func validate(_ text: String) throws {
        if text == "last-import" || Validation.isDate(text) { return }
        if text.hasPrefix(dialoguePrefix), text.count > dialoguePrefix.count { return }
        throw ValidationError(t("error.since", text))
    }

    /// What `text` names in this store: a round is looked up by its id.
    static func resolve(_ text: String, in replica: Replica) throws -> SincePoint {
        if text == "last-import" { return SincePoint(point: .lastImport, label: nil) }
        guard text.hasPrefix(dialoguePrefix) else { return SincePoint(point: .date(text), label: nil) }
        let dialogue = try replica.resolveID(String(text.dropFirst(dialoguePrefix.count)), as: .dialogue)
        let state = try replica.state(dialogue)
        guard let date = state.displayValue("date")?.stringValue else {
            throw ValidationError(t("error.since-dialogue", Replica.shortID(dialogue.text)))
        }
        return round(state, date: date)
    }

    /// The point a round starts, named by its title and date.
    static func round(_ state: EntityState, date: String) -> SincePoint {
        let title = Names.title(en: state.displayValue("title.en")?.stringValue, es: state.displayValue("title.es")?.stringValue)
        return SincePoint(point: .date(date), label: t("report.agenda-round", title, date))
    }
}
