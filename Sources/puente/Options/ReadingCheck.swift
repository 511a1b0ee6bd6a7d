import Foundation
import PuenteKit

/// Second thoughts before a reading is recorded: a value far outside the indicator's range (a
/// slipped digit, a missing decimal point) or a date that already has a reading. They warn and
/// never refuse: on a terminal the officer is asked whether to go on; a script (no terminal)
/// goes on after the warning, and `--yes` skips the check.
enum ReadingCheck {
    /// How many times the baseline-to-target range a reading may lie outside it unremarked.
    static let rangeFactor: Decimal = 10

    static func warnings(value: String, date: String, state: EntityState, authors: [ReplicaInfo]) -> [String] {
        let posix = Locale(identifier: "en_US_POSIX")
        func number(_ text: String?) -> Decimal? { text.flatMap { Decimal(string: $0, locale: posix) } }
        func register(_ field: String) -> String? { EntityState.winner(state.registers[field] ?? [])?.value.stringValue }
        var warnings = [String]()
        if let reading = number(value), let baselineText = register("baseline"), let targetText = register("target"),
           let baseline = number(baselineText), let target = number(targetText) {
            let (low, high) = (min(baseline, target), max(baseline, target))
            let range = high - low
            let distance = reading < low ? low - reading : reading > high ? reading - high : 0
            if range > 0, distance > rangeFactor * range {
                warnings.append(t("reading.far", value, baselineText, targetText))
            }
        }
        if let earlier = (state.series["readings"] ?? []).first(where: { !$0.retracted && $0.value["date"]?.stringValue == date }) {
            let author = authors.first { $0.id == earlier.op.replica }
            warnings.append(t("reading.same-date", date, earlier.value["value"]?.stringValue ?? "—",
                              author.map { "\($0.name) (\(Names.delegation($0.delegation)))" } ?? earlier.op.replica.short))
        }
        return warnings
    }

    /// Prints the warnings on standard error; on a terminal, asks whether to go on.
    static func confirm(_ warnings: [String]) -> Bool {
        guard !warnings.isEmpty else { return true }
        for warning in warnings { Terminal.err(t("reading.warning") + " " + warning) }
        guard isatty(STDIN_FILENO) == 1, isatty(STDERR_FILENO) == 1 else { return true }
        FileHandle.standardError.write(Data(t("reading.confirm").utf8))
        guard let line = readLine() else { return false }
        let answer = line.trimmingCharacters(in: .whitespaces)
            .folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        return ["y", "yes", "s", "si"].contains(answer)
    }
}
