import ArgumentParser
import Foundation
import PuenteKit

#if canImport(Glibc)
import Glibc
#endif

/// Colors, only on a terminal and never with `NO_COLOR` set (https://no-color.org) or `TERM=dumb`.
enum Style {
    static let enabled: Bool = {
        let environment = ProcessInfo.processInfo.environment
        if let value = environment["NO_COLOR"], !value.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) == 1
    }()

    /// A random token of this process: a color is written as a marker carrying it, and only
    /// `Terminal` turns markers into escape sequences, after escaping everything else. Text from
    /// others cannot forge a marker (it was written before the token existed), so colors are
    /// ours and every ESC from a value is still shown as `\u{1B}`.
    static let token: String = {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next() as UInt64, radix: 16) + String(generator.next() as UInt64, radix: 16)
    }()

    static func marker(_ code: String) -> String { "\u{E000}\(token)\(code)\u{E001}" }

    static func paint(_ text: String, _ code: String, enabled: Bool = Style.enabled) -> String {
        enabled && !text.isEmpty ? marker(code) + text + marker("0") : text
    }

    static func bold(_ text: String) -> String { paint(text, "1") }
    static func dim(_ text: String) -> String { paint(text, "2") }
    static func red(_ text: String) -> String { paint(text, "31") }
    static func green(_ text: String) -> String { paint(text, "32") }
    static func yellow(_ text: String) -> String { paint(text, "33") }
}

/// The dashboard's layout (within 100 columns) and its JSON twin.
enum ReviewView {
    /// The statuses the tallies count, and `recommended`: outside analysts' recommendations,
    /// which neither government agreed to, counted apart whatever their status says.
    static let statuses = CommitmentStatus.allCases.map(\.rawValue) + ["recommended"]

    /// The statuses a table of `counts` shows: every status, and `recommended` only where there
    /// are recommendations (a terminal grid has room for it then, the bar giving up a column).
    static func columns(_ counts: [String: [String: Int]]) -> [String] {
        let recommended = counts.values.contains { ($0["recommended"] ?? 0) > 0 }
        return statuses.filter { $0 != "recommended" || recommended }
    }
    static let barWidth = 24
    /// Commitments and indicators shown per section, conflicts, and changed commitments.
    static let shown = 25
    static let shownConflicts = 10
    static let shownChanges = 40
    /// The most items the terminal dashboard shows of any list: what it asks the review for.
    static let listed = max(shown, shownConflicts, shownChanges)

    /// Each status's mark in the stacked bars: a distinct glyph (legible without color) and a color.
    static let marks: [String: (glyph: String, color: String)] = [
        "proposed": ("░", "2"), "agreed": ("▒", "34"), "in-progress": ("▓", "36"),
        "fulfilled": ("█", "32"), "stalled": ("!", "31"), "withdrawn": ("x", "90"), "recommended": ("?", "35"),
    ]

    // MARK: JSON

    /// Writes the whole review as JSON, each list an item at a time as it is read: a record of
    /// 100,000 commitments is written without holding its lists (as one value they are most of a GiB).
    static func writeJSON(_ lists: ReviewLists) throws {
        func table(_ counts: [String: [String: Int]]) -> JSONValue {
            .object(counts.mapValues { row in .object(row.mapValues { .int(Int64($0)) }) })
        }
        func list(_ read: @escaping (Int?, (CommitmentSummary) throws -> Void) throws -> Int) -> CanonicalJSON.Member {
            .items { item in _ = try read(nil) { try item(JSONForms.summary($0)) } }
        }
        let tallies = try lists.tallies()
        try Terminal.jsonObject([
            "as_of": .value(.string(lists.asOf)), "total": .value(.int(Int64(tallies.total))),
            "by_pillar": .value(table(tallies.byPillar)), "by_owner": .value(table(tallies.byOwner)),
            "overdue": list(lists.overdue), "due_soon": list(lists.dueSoon),
            "due_soon_days": .value(.int(Int64(ProgressReview.dueSoonDays))), "stalled": list(lists.stalled),
            "disagreements": .items { item in
                try lists.disagreements(limit: nil) { commitment, assessors in
                    guard case .object(var object) = JSONForms.summary(commitment) else { return }
                    object["assessed_by"] = .object(Dictionary(uniqueKeysWithValues: assessors.map {
                        ($0.key.rawValue, JSONValue.string($0.value))
                    }))
                    try item(.object(object))
                }
            },
            "conflicts": .value(.int(Int64(try lists.conflictCount()))),
            "conflict_list": .items { item in
                try lists.conflicts(limit: nil) { conflict in
                    try item(["entity": .string(conflict.entity.text), "field": .string(conflict.field),
                              "values": .int(Int64(conflict.values.count))])
                }
            },
            "indicators": .items { item in try lists.indicators(limit: nil) { try item(indicatorJSON($0)) } },
            "since": .value(lists.since.map(JSONValue.string) ?? .null),
            "changes": .items { item in
                try lists.changes(limit: nil) { change in
                    try item(["id": .string(change.commitment.id), "created": .bool(change.created),
                              "fields": .array(change.fields.map(JSONValue.string)),
                              "authors": .array(change.authors.map(JSONValue.string))])
                }
            },
        ])
    }

    static func indicatorJSON(_ indicator: IndicatorProgress) -> JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        var object: [String: JSONValue] = ["id": .string(indicator.id), "commitment": .string(indicator.commitment), "name_en": optional(indicator.nameEN),
                "name_es": optional(indicator.nameES), "kind": .string(indicator.kind.rawValue),
                "direction": .string(indicator.direction.rawValue), "unit": optional(indicator.unit),
                "baseline": optional(indicator.baseline), "target": optional(indicator.target), "latest": optional(indicator.latest),
                "latest_date": optional(indicator.latestDate),
                // Progress travels as a decimal string, like every decimal in Puente's JSON.
                "progress": indicator.progress.map { .string(String(format: "%.4f", $0)) } ?? .null]
        // Only when the baseline or the target is a planning value, as a listing's `illustrative`.
        if !indicator.illustrative.isEmpty { object["illustrative"] = .array(indicator.illustrative.map(JSONValue.string)) }
        // Only when the latest reading is a total over a period, which starts then.
        if let from = indicator.latestFrom { object["latest_from"] = .string(from) }
        // `unit` is the English unit, as it always was; the Spanish one only when recorded.
        if let unit = indicator.unitES { object["unit_es"] = .string(unit) }
        // The dates and the estimate flag, each only when recorded.
        if let date = indicator.baselineDate { object["baseline_date"] = .string(date) }
        if let date = indicator.targetDate { object["target_date"] = .string(date) }
        if indicator.estimate { object["estimate"] = .bool(true) }
        return .object(object)
    }

    /// A commitment's due date and status as the review's lists show them, planning values marked.
    static func dueAndStatus(_ c: CommitmentSummary) -> String {
        Terminal.cell(Names.planned(c.due ?? "", "due", in: c.illustrative), 11) + " "
            + Names.planned(Names.status(of: c), "status", in: c.illustrative)
    }

    // MARK: Terminal

    static func print(_ review: ProgressReview) {
        Terminal.out(Style.bold(t("review.title", Names.prose(review.asOf), review.total)))
        Terminal.out()
        grid(t("review.by-pillar"), rows: Pillar.allCases.map(\.rawValue), counts: review.byPillar, name: Names.pillar)
        Terminal.out()
        grid(t("review.by-owner"), rows: Owner.allCases.map(\.rawValue), counts: review.byOwner, name: Names.owner)
        Terminal.out("  " + columns(review.byPillar).map { mark($0) + " " + Names.status($0) }.joined(separator: "  "))
        section(t("review.overdue", review.overdueCount), review.overdue, count: review.overdueCount, paint: Style.red, detail: dueAndStatus)
        section(t("review.due-soon", review.dueSoonCount, ProgressReview.dueSoonDays), review.dueSoon, count: review.dueSoonCount,
                paint: Style.yellow, detail: dueAndStatus)
        section(t("review.stalled", review.stalledCount), review.stalled, count: review.stalledCount, paint: Style.red) { c in
            // A stalled status that no source states says so.
            Names.owner(c.owner.rawValue) + (c.illustrative.contains("status") ? "  " + Names.planned(Names.status(of: c), "status", in: c.illustrative) : "")
        }
        section(t("review.disagreements", review.disagreementCount), review.disagreements, count: review.disagreementCount,
                paint: Style.yellow) { c in
            let who = review.assessors[c.id] ?? [:]
            return "US \(Names.rating(c.assessmentUS))" + (who[.us].map { " (\($0))" } ?? "")
                + " / MX \(Names.rating(c.assessmentMX))" + (who[.mx].map { " (\($0))" } ?? "")
        }
        Terminal.out()
        if review.conflicts == 0 {
            Terminal.out(t("review.no-conflicts"))
        } else {
            Terminal.out(Style.bold(t("review.conflicts", review.conflicts)))
            for item in review.conflictList.prefix(shownConflicts) {
                Terminal.out("  " + Terminal.cell(Replica.shortID(item.entity.text), 9)
                             + Terminal.cell(Names.title(en: item.titleEN, es: item.titleES), 52) + " " + Names.field(item.field) + " ×\(item.values.count)")
            }
            if review.conflicts > shownConflicts { Terminal.out("  " + t("review.more", review.conflicts - shownConflicts)) }
        }
        for kind in [IndicatorKind.outcome, .output] {
            let items = review.indicators.filter { $0.kind == kind }
            let count = review.indicatorCounts[kind] ?? 0
            Terminal.out()
            Terminal.out(Style.bold(t("review.indicators.\(kind.rawValue)", count)))
            for indicator in items.prefix(shown) { Terminal.out("  " + indicatorLine(indicator)) }
            if count > shown { Terminal.out("  " + t("review.more", count - shown)) }
            if items.prefix(shown).contains(where: { ($0.progress ?? 0) < 0 }) { Terminal.out("  " + t("review.negative-progress")) }
            // The line has no room for the kind "estimate": the mark says it.
            if items.prefix(shown).contains(where: \.estimate) { Terminal.out("  " + Names.estimateMark + " " + t("review.estimate-legend")) }
        }
        // The mark's meaning, once, when any line above carries it.
        let dated = (review.overdue.prefix(shown) + review.dueSoon.prefix(shown)).contains { Names.marksAny($0, ["status", "due"]) }
        if dated || review.stalled.prefix(shown).contains(where: { Names.marksAny($0, ["status"]) })
            || [IndicatorKind.outcome, .output].contains(where: { kind in
                review.indicators.filter { $0.kind == kind }.prefix(shown).contains { !$0.illustrative.isEmpty }
            }) {
            Terminal.out()
            Terminal.out(Names.planningLegend)
        }
        if let since = review.since {
            Terminal.out()
            Terminal.out(Style.bold(t("review.changes", review.changeCount, Names.prose(since))))
            for change in review.changes.prefix(shownChanges) {
                let what = change.created ? t("review.new") : change.fields.map(Names.field).joined(separator: ", ")
                Terminal.out("  " + Terminal.cell(Replica.shortID(change.commitment.id), 9)
                             + Terminal.cell(Names.title(en: change.commitment.titleEN, es: change.commitment.titleES), 40) + " "
                             + Terminal.cell(what, 28) + " " + Terminal.cell(change.authors.joined(separator: ", "), 19))
            }
            if review.changeCount > shownChanges { Terminal.out("  " + t("review.more", review.changeCount - shownChanges)) }
        }
    }

    static func mark(_ status: String) -> String {
        guard let mark = marks[status] else { return "?" }
        return Style.paint(mark.glyph, mark.color)
    }

    /// Counts per status, a total, and a bar whose length follows the row's total and whose
    /// segments follow its statuses.
    static func grid(_ title: String, rows: [String], counts: [String: [String: Int]], name: (String?) -> String) {
        let column = 9
        let shown = columns(counts)
        Terminal.out(Style.bold(Terminal.cell(title, 15)) + shown.map { " " + Terminal.cell(t("status-short.\($0)"), column - 1) }.joined()
                     + " " + t("review.total"))
        let largest = max(1, rows.map { (counts[$0] ?? [:]).values.reduce(0, +) }.max() ?? 1)
        // A total wider than 5 digits, or a column of recommendations, takes its room from the
        // bar, so the line stays in 100 columns.
        let totalWidth = max(5, String(largest).count)
        let width = barWidth - (totalWidth - 5) - (shown.count - statuses.count + 1) * column
        for row in rows {
            let line = counts[row] ?? [:]
            let total = line.values.reduce(0, +)
            Terminal.out(Terminal.cell(name(row), 15)
                         + shown.map { " " + Terminal.cell(line[$0].map(String.init) ?? "·", column - 1) }.joined()
                         + " " + Terminal.cell(String(total), totalWidth) + " " + bar(line, total: total, largest: largest, width: width))
        }
    }

    /// A stacked bar: `full` cells for the largest row, segments by largest remainder.
    static func bar(_ counts: [String: Int], total: Int, largest: Int, width full: Int) -> String {
        guard total > 0 else { return "" }
        let width = max(1, Int((Double(full) * Double(total) / Double(largest)).rounded()))
        let exact = statuses.map { Double(counts[$0] ?? 0) * Double(width) / Double(total) }
        var cells = exact.map { Int($0) }
        var remaining = width - cells.reduce(0, +)
        for index in exact.indices.sorted(by: { exact[$0] - Double(cells[$0]) > exact[$1] - Double(cells[$1]) }) where remaining > 0 {
            if (counts[statuses[index]] ?? 0) > 0 {
                cells[index] += 1
                remaining -= 1
            }
        }
        return zip(statuses, cells).map { status, count in
            guard count > 0, let mark = marks[status] else { return "" }
            return Style.paint(String(repeating: mark.glyph, count: count), mark.color)
        }.joined()
    }

    /// `id  name  [██████······]  45%  latest → target unit`.
    static func indicatorLine(_ indicator: IndicatorProgress) -> String {
        let width = 16
        let name = Names.title(en: indicator.nameEN, es: indicator.nameES)
        var gauge = String(repeating: "·", count: width)
        var percent = "  —"
        if let progress = indicator.progress {
            let filled = Int((min(1, max(0, progress)) * Double(width)).rounded())
            let fill = Style.paint(String(repeating: "█", count: filled), progress < 0 ? "31" : progress >= 1 ? "32" : "36")
            gauge = fill + String(repeating: "·", count: width - filled)
            percent = String(format: "%4.0f%%", progress * 100)
            if progress < 0 { percent = Style.red(percent) }
        }
        // baseline → latest (date) → target: the date goes when the line has no room for it.
        let room = 32
        let dated = Names.course(indicator)
        let values = dated.count <= room ? dated : Names.course(indicator, dated: false)
        return Terminal.cell(Replica.shortID(indicator.id), 9) + Terminal.cell(name, 30) + " [" + gauge + "] " + percent + "  "
            + Terminal.cell(values, room)
    }

    /// The first `shown` of `count` commitments, one per line. The titles give way to the
    /// widest detail, so every line fits in 100 columns and the details line up.
    static func section(_ title: String, _ items: [CommitmentSummary], count: Int, paint: (String) -> String,
                        detail: (CommitmentSummary) -> String) {
        Terminal.out()
        Terminal.out(count == 0 ? title : paint(title))
        let lines = items.prefix(shown).map { ($0, detail($0)) }
        let titleWidth = max(24, 88 - (lines.map(\.1.count).max() ?? 0))
        for (c, text) in lines {
            Terminal.out("  " + Terminal.cell(Replica.shortID(c.id), 9) + Terminal.cell(Names.title(en: c.titleEN, es: c.titleES), titleWidth)
                         + " " + Terminal.cell(text, 88 - titleWidth))
        }
        if count > shown { Terminal.out("  " + t("review.more", count - shown)) }
    }
}
