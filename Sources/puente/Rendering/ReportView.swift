import Foundation
import PuenteKit

/// The briefing for a dialogue round, as Markdown, self-contained HTML, CSV or JSON, in the
/// display language (titles fall back to the other language, marked).
enum ReportView {
    static func heading(_ head: BriefingHead) -> String {
        guard let dialogue = head.dialogue else { return t("report.title-all") }
        return t("report.title-dialogue", Names.title(en: dialogue.titleEN, es: dialogue.titleES))
    }

    static func statement(_ dialogue: DialogueBrief) -> String? { Names.text(en: dialogue.statementEN, es: dialogue.statementES) }

    /// The heading and text of what a dialogue said: its joint statement, quoted; else a
    /// summary, which is never headed as the statement; else the statement's heading over "—".
    static func said(_ dialogue: DialogueBrief) -> (heading: String, text: String) {
        if let statement = statement(dialogue) { return (t("report.joint-statement"), statement) }
        if let summary = Names.text(en: dialogue.summaryEN, es: dialogue.summaryES) { return (t("report.dialogue-summary"), summary) }
        return (t("report.joint-statement"), "—")
    }

    static func summaryText(_ commitment: CommitmentBrief) -> String? { Names.text(en: commitment.summaryEN, es: commitment.summaryES) }

    static func assessment(_ brief: AssessmentBrief?) -> String {
        guard let brief else { return Names.rating(nil) }
        return Names.rating(brief.rating) + (brief.why.map { " — \($0)" } ?? "") + (brief.author.map { " (\($0))" } ?? "")
    }

    static func note(_ note: NoteBrief) -> String {
        let who = [note.author, note.delegation.map { $0.rawValue.uppercased() }].compactMap { $0 }.joined(separator: ", ")
        return "\(note.date) — \(note.text)" + (who.isEmpty ? "" : " (\(who))")
    }

    /// In a round's briefing, for a commitment made at another dialogue (or none) that the round
    /// took up again: "Taken up again at this round (made at dialogue 703ae582)".
    static func takenUpAgain(_ c: CommitmentSummary, _ head: BriefingHead) -> String? {
        guard let round = head.dialogue, c.dialogue != round.id else { return nil }
        return t("report.taken-up-again", c.dialogue.map(Replica.shortID) ?? "—")
    }

    /// `name [kind]: baseline → latest (date) → target unit · progress P%`.
    static func indicator(_ indicator: IndicatorProgress) -> String {
        "\(Names.title(en: indicator.nameEN, es: indicator.nameES)) [\(Names.indicatorKind(indicator.kind.rawValue, estimate: indicator.estimate))]: "
            + Names.course(indicator) + " · \(t("report.progress")) \(Names.progress(indicator.progress))"
    }

    /// The agenda a briefing opens with, and the words for where its "changed since" starts.
    struct Agenda {
        let items: BriefingAgenda
        /// A round's title and date; else the start as the review gives it.
        let sinceLabel: String?

        var since: String? { items.since.map { sinceLabel ?? $0 } }

        /// One line of a section: the commitment's (or entity's) title, its short id, what is at issue.
        struct Line {
            let title: String
            let id: String
            let detail: String
        }

        struct Section {
            let heading: String
            let lines: [Line]
        }

        static func line(_ c: CommitmentSummary, _ detail: String) -> Line {
            Line(title: Names.title(en: c.titleEN, es: c.titleES), id: Replica.shortID(c.id), detail: detail)
        }

        /// Assessments that differ, overdue, stalled, open conflicts, and (when a start was given) what changed.
        var sections: [Section] {
            var out = [
                Section(heading: t("review.disagreements", items.disagreements.count), lines: items.disagreements.map { c in
                    let who = items.assessors[c.id] ?? [:]
                    return Self.line(c, [(Delegation.us, c.assessmentUS), (.mx, c.assessmentMX)].map { delegation, rating in
                        Names.delegation(delegation) + ": " + Names.rating(rating) + (who[delegation].map { " (\($0))" } ?? "")
                    }.joined(separator: " · "))
                }),
                Section(heading: t("review.overdue", items.overdue.count), lines: items.overdue.map { c in
                    Self.line(c, t("label.due-past") + " " + Names.planned(c.due.map(Names.prose) ?? "—", "due", in: c.illustrative) + " · "
                              + Names.planned(Names.status(of: c), "status", in: c.illustrative))
                }),
                Section(heading: t("review.stalled", items.stalled.count), lines: items.stalled.map { c in
                    Self.line(c, Names.owner(c.owner.rawValue) + (c.illustrative.contains("status") ? " · " + Names.planned(Names.status(of: c), "status", in: c.illustrative) : "")
                              + (c.due.map { " · " + t("field.due") + " " + Names.planned(Names.prose($0), "due", in: c.illustrative) } ?? ""))
                }),
                Section(heading: t("report.agenda-conflicts", items.conflicts.count), lines: items.conflicts.map { item in
                    let values = item.values.map { Names.value($0.value, field: item.field) }
                    return Line(title: Names.title(en: item.titleEN, es: item.titleES), id: Replica.shortID(item.entity.text),
                                detail: Names.field(item.field) + ": " + values.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                                    .joined(separator: " / "))
                }),
            ]
            if let since {
                out.append(Section(heading: t("review.changes", items.changes.count, Names.prose(since)), lines: items.changes.map { change in
                    let what = change.created ? t("review.new") : change.fields.map(Names.field).joined(separator: ", ")
                    return Self.line(change.commitment, what + (change.authors.isEmpty ? "" : " (" + change.authors.joined(separator: ", ") + ")"))
                }))
            }
            return out
        }

        /// Whether a line of the agenda carries the planning mark.
        var marked: Bool {
            (items.overdue + items.stalled).contains { Names.marksAny($0, ["due", "status"]) }
        }

        /// The agenda lists a commitment is on, for the CSV's column: one lookup per list, not a
        /// search of each list per row.
        func flags(_ id: String) -> [String] {
            lists.compactMap { $0.ids.contains(id) ? $0.flag : nil }
        }

        /// Each list's commitment ids with its flag, in the column's order.
        private let lists: [(flag: String, ids: Set<String>)]

        init(items: BriefingAgenda, sinceLabel: String?) {
            self.items = items
            self.sinceLabel = sinceLabel
            lists = [
                (t("report.flag-disagreement"), Set(items.disagreements.map(\.id))),
                (t("report.flag-overdue"), Set(items.overdue.map(\.id))),
                (t("report.flag-stalled"), Set(items.stalled.map(\.id))),
                (t("report.flag-conflict"), items.conflictCommitments),
                (t("report.flag-changed"), items.since == nil ? [] : Set(items.changes.map(\.commitment.id))),
            ]
        }
    }

    /// A report's text, written a piece at a time to `emit` in chunks of about 64 KiB, so a
    /// briefing of any size is written without being held (held whole, 100,000 commitments take hundreds of MiB).
    final class Output {
        private let emit: ([UInt8]) throws -> Void
        private var buffer = [UInt8]()

        init(_ emit: @escaping ([UInt8]) throws -> Void) { self.emit = emit }

        /// `text` and then `end` (a line's end).
        func line(_ text: String, end: String = "\n") throws {
            buffer.append(contentsOf: text.utf8)
            buffer.append(contentsOf: end.utf8)
            if buffer.count >= 1 << 16 { try flush() }
        }

        func bytes(_ more: [UInt8]) throws {
            buffer.append(contentsOf: more)
            if buffer.count >= 1 << 16 { try flush() }
        }

        func flush() throws {
            guard !buffer.isEmpty else { return }
            try emit(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Writes the briefing in `format` (markdown, html, csv or json) to `emit`.
    static func write(_ format: String, _ head: BriefingHead, _ agenda: Agenda, _ reader: BriefingReader,
                      to emit: @escaping ([UInt8]) throws -> Void) throws {
        let out = Output(emit)
        switch format {
        case "html": try html(head, agenda, reader, out)
        case "csv": try csv(head, agenda, reader, out)
        case "json": try json(head, agenda, reader, out)
        default: try markdown(head, agenda, reader, out)
        }
        try out.flush()
    }

    /// Hands the commitments to `each` grouped by pillar, calling `group` first for each pillar
    /// that has any (with how many it has), and `end` after each group.
    static func byPillar(_ head: BriefingHead, _ reader: BriefingReader, group: (String, Int) throws -> Void,
                         end: () throws -> Void = {}, _ each: (CommitmentBrief) throws -> Void) throws {
        var current: String?
        try reader.commitments(byPillar: true) { commitment in
            let pillar = commitment.summary.pillar ?? "-"
            if pillar != current {
                if current != nil { try end() }
                current = pillar
                try group(pillar, total(head.byPillar[pillar]))
            }
            try each(commitment)
        }
        if current != nil { try end() }
    }

    static func total(_ row: [String: Int]?) -> Int { (row ?? [:]).values.reduce(0, +) }

    // MARK: Markdown

    static func markdown(_ head: BriefingHead, _ agenda: Agenda, _ reader: BriefingReader, _ output: Output) throws {
        let cell = UntrustedText.markdown
        let columns = ReviewView.columns(head.byPillar)
        var out = ["# " + heading(head), "",
                   "_" + t("report.as-of", Names.prose(head.asOf), head.count) + "_", "",
                   "## " + t("report.summary"), "",
                   "| " + t("report.goal") + " | " + columns.map { Names.status($0) }.joined(separator: " | ")
                       + " | " + t("review.total") + " |",
                   "|---|" + columns.map { _ in "---:|" }.joined() + "---:|"]
        for pillar in Pillar.allCases.map(\.rawValue) {
            let row = head.byPillar[pillar] ?? [:]
            out.append("| \(Names.pillar(pillar)) | " + columns.map { String(row[$0] ?? 0) }.joined(separator: " | ") + " | \(total(row)) |")
        }
        if let dialogue = head.dialogue {
            out += ["", "## " + t("report.dialogue"), "",
                    "**\(t("field.date")):** \(cell(dialogue.date ?? "—")) · **\(t("field.place")):** \(cell(dialogue.place ?? "—")) · "
                        + "**\(t("field.kind")):** \(Names.dialogueKind(dialogue.kind))"]
            if !dialogue.participants.isEmpty {
                out += ["", "**\(t("field.participants")):** " + dialogue.participants.map(cell).joined(separator: "; ")]
            }
            let said = said(dialogue)
            out += ["", "### " + said.heading, "", "> " + cell(said.text), "",
                    "### " + t("report.readouts"), "",
                    "| " + Names.delegation(.us) + " | " + Names.delegation(.mx) + " |", "|---|---|",
                    "| " + Delegation.allCases.map { d in
                        cell(dialogue.readouts[d].map { $0.text + ($0.author.map { a in " (\(a))" } ?? "") } ?? "—")
                    }.joined(separator: " | ") + " |"]
        }
        out += ["", "## " + t("report.agenda")]
        for section in agenda.sections {
            out += ["", "### " + cell(section.heading), ""]
            out += section.lines.isEmpty ? [t("report.agenda-none")]
                : section.lines.map { "- \(cell($0.title)) `\($0.id)` — \(cell($0.detail))" }
        }
        for line in out { try output.line(line) }
        var marked = agenda.marked
        try byPillar(head, reader, group: { pillar, count in
            try output.line("")
            try output.line("## \(Names.pillar(pillar)) (\(count))")
        }) { commitment in
            let c = commitment.summary
            if Self.marked(commitment) { marked = true }
            var out = ["", "### \(cell(Names.title(en: c.titleEN, es: c.titleES))) `\(Replica.shortID(c.id))`", "",
                       "\(t("col.owner")): \(Names.owner(c.owner.rawValue)) · \(t("field.status")): \(cell(Names.planned(Names.status(of: c), "status", in: c.illustrative))) · "
                           + "\(t(Names.dueLabel(c.due, asOf: head.asOf))): \(cell(Names.planned(c.due.map(Names.prose) ?? "—", "due", in: c.illustrative))) · "
                           + "\(t("field.priority")): \(cell(Names.planned(Names.priority(c.priority), "priority", in: c.illustrative))) · "
                           + "\(t("field.area")): \(cell(Names.area(c.area)))"
                           + (c.source.map { " · \(t("field.source")): \(cell(Names.source($0)))" } ?? "")
                           + (Self.takenUpAgain(c, head).map { " · " + cell($0) } ?? "")]
            if c.leadUS != nil || c.leadMX != nil {
                out += ["", "\(t("field.lead.us")): \(cell(Names.agency(c.leadUS))) · \(t("field.lead.mx")): \(cell(Names.agency(c.leadMX)))"]
            }
            if c.priorityUS != nil || c.priorityMX != nil {
                out += ["", "\(t("field.priority.us")): \(Names.priority(c.priorityUS)) · \(t("field.priority.mx")): \(Names.priority(c.priorityMX))"]
            }
            if let summary = summaryText(commitment) { out += ["", cell(summary)] }
            out += ["", "| | " + Names.delegation(.us) + " | " + Names.delegation(.mx) + " |", "|---|---|---|",
                    "| \(t("report.assessment")) | " + Delegation.allCases.map { cell(assessment(commitment.assessments[$0])) }
                        .joined(separator: " | ") + " |"]
            if !commitment.indicators.isEmpty {
                out += ["", "**\(t("show.indicators"))**", ""] + commitment.indicators.map { "- " + cell(indicator($0)) }
            }
            if !commitment.notes.isEmpty {
                out += ["", "**\(t("report.latest-notes"))**", ""] + commitment.notes.map { "- " + cell(note($0)) }
            }
            for line in out { try output.line(line) }
        }
        // The mark's meaning, once, after a briefing that shows it.
        if marked {
            try output.line("")
            try output.line("---")
            try output.line("")
            try output.line(cell(Names.planningLegend))
        }
    }

    /// Whether a commitment's lines carry the planning mark (its due date, status or priority,
    /// or an indicator's baseline or target).
    static func marked(_ commitment: CommitmentBrief) -> Bool {
        !commitment.summary.illustrative.isEmpty || commitment.indicators.contains { !$0.illustrative.isEmpty }
    }

    // MARK: CSV

    static func csv(_ head: BriefingHead, _ agenda: Agenda, _ reader: BriefingReader, _ output: Output) throws {
        let field = UntrustedText.csv
        let header = ["id", t("col.owner"), t("report.goal"), t("field.area"), t("field.status"), t("field.due"), t("field.priority"),
                      t("field.illustrative"), t("field.lead.us"), t("field.lead.mx"), t("field.priority.us"), t("field.priority.mx"),
                      t("report.title"), t("report.assessment-of", Names.delegation(.us)), t("report.why"),
                      t("report.assessment-of", Names.delegation(.mx)), t("report.why"), t("show.indicators"), t("report.latest-note"),
                      t("report.agenda-column")]
        try output.line(header.map(field).joined(separator: ","), end: "\r\n")
        try reader.commitments(byPillar: false) { commitment in
            let c = commitment.summary
            let us = commitment.assessments[.us]
            let mx = commitment.assessments[.mx]
            let row = [c.id, Names.owner(c.owner.rawValue), Names.pillar(c.pillar), Names.area(c.area), Names.status(of: c),
                       c.due ?? "", Names.priority(c.priority),
                       // Planning values in a column of their own, so the date and status cells stay values a spreadsheet reads.
                       c.illustrative.map(Names.field).joined(separator: "; "),
                       c.leadUS.map(Names.agency) ?? "", c.leadMX.map(Names.agency) ?? "",
                       c.priorityUS.map(Names.priority) ?? "", c.priorityMX.map(Names.priority) ?? "", Names.title(en: c.titleEN, es: c.titleES),
                       Names.rating(us?.rating), us?.why ?? "", Names.rating(mx?.rating), mx?.why ?? "",
                       commitment.indicators.map(indicator).joined(separator: "; "), commitment.notes.first.map(note) ?? "",
                       agenda.flags(c.id).joined(separator: "; ")]
            try output.line(row.map(field).joined(separator: ","), end: "\r\n")
        }
    }

    // MARK: JSON

    static func json(_ head: BriefingHead, _ agenda: Agenda, _ reader: BriefingReader, _ output: Output) throws {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        var dialogue = JSONValue.null
        if let d = head.dialogue {
            dialogue = ["id": .string(d.id), "title_en": optional(d.titleEN), "title_es": optional(d.titleES), "date": optional(d.date),
                        "place": optional(d.place), "kind": optional(d.kind), "participants": .array(d.participants.map(JSONValue.string)),
                        "statement_en": optional(d.statementEN), "statement_es": optional(d.statementES),
                        "summary_en": optional(d.summaryEN), "summary_es": optional(d.summaryES),
                        "readouts": .object(Dictionary(uniqueKeysWithValues: d.readouts.map { key, value in
                            (key.rawValue, JSONValue.object(["text": .string(value.text), "author": optional(value.author)]))
                        }))]
        }
        let items = agenda.items
        func ids(_ list: [CommitmentSummary]) -> JSONValue { .array(list.map { .string($0.id) }) }
        let agendaJSON: JSONValue = [
            "disagreements": ids(items.disagreements), "overdue": ids(items.overdue), "stalled": ids(items.stalled),
            "conflicts": .array(items.conflicts.map { ["entity": .string($0.entity.text), "field": .string($0.field)] }),
            "since": optional(items.since),
            "changes": items.since == nil ? .null : .array(items.changes.map { change in
                ["id": .string(change.commitment.id), "created": .bool(change.created),
                 "fields": .array(change.fields.map(JSONValue.string)), "authors": .array(change.authors.map(JSONValue.string))]
            }),
        ]
        try CanonicalJSON.writeObject([
            "as_of": .value(.string(head.asOf)), "dialogue": .value(dialogue), "agenda": .value(agendaJSON),
            "by_pillar": .value(.object(head.byPillar.mapValues { row in .object(row.mapValues { .int(Int64($0)) }) })),
            "commitments": .items { item in
                try reader.commitments(byPillar: false) { commitment in
                    guard case .object(var object) = JSONForms.summary(commitment.summary) else { return }
                    object["summary_en"] = optional(commitment.summaryEN)
                    object["summary_es"] = optional(commitment.summaryES)
                    object["assessments"] = .object(Dictionary(uniqueKeysWithValues: commitment.assessments.map { key, value in
                        (key.rawValue, JSONValue.object(["rating": .string(value.rating), "why": optional(value.why),
                                                         "author": optional(value.author)]))
                    }))
                    object["notes"] = .array(commitment.notes.map { note in
                        ["date": .string(note.date), "text": .string(note.text), "lang": optional(note.lang),
                         "author": optional(note.author), "delegation": optional(note.delegation?.rawValue)]
                    })
                    object["indicators"] = .array(commitment.indicators.map(ReviewView.indicatorJSON))
                    // Only in a round's briefing, for a commitment made elsewhere that the round took up again.
                    if Self.takenUpAgain(commitment.summary, head) != nil { object["taken_up_again"] = .bool(true) }
                    try item(.object(object))
                }
            },
        ], to: output.bytes)
        try output.line("")
    }

    // MARK: HTML

    static func escape(_ text: String) -> String { UntrustedText.html(text) }

    static let statusColors = ["proposed": "#b0b7c3", "agreed": "#5b8def", "in-progress": "#2bb3c0", "fulfilled": "#3aa356",
                               "stalled": "#d64545", "withdrawn": "#7d7d7d", "recommended": "#a05fb5"]

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    /// A small stacked bar of one pillar's statuses, with its legend, as inline SVG.
    static func chart(_ row: [String: Int], label: String) -> String {
        let width = 480.0
        let sum = max(1, total(row))
        var x = 0.0
        var parts = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"46\" viewBox=\"0 0 480 46\" role=\"img\" aria-label=\"\(escape(label))\">"]
        for status in ReviewView.statuses {
            let count = row[status] ?? 0
            guard count > 0 else { continue }
            let w = width * Double(count) / Double(sum)
            parts.append("<rect x=\"\(number(x))\" y=\"0\" width=\"\(number(w))\" height=\"18\" fill=\"\(statusColors[status] ?? "#999")\">"
                         + "<title>\(escape(Names.status(status))): \(count)</title></rect>")
            if w >= 18 {
                parts.append("<text x=\"\(number(x + 4))\" y=\"13\" font-size=\"11\" fill=\"#fff\">\(count)</text>")
            }
            x += w
        }
        var legendX = 0.0
        for status in ReviewView.statuses where (row[status] ?? 0) > 0 {
            let name = escape(Names.status(status))
            parts.append("<rect x=\"\(number(legendX))\" y=\"28\" width=\"10\" height=\"10\" fill=\"\(statusColors[status] ?? "#999")\"/>")
            parts.append("<text x=\"\(number(legendX + 13))\" y=\"37\" font-size=\"10\" fill=\"#333\">\(name)</text>")
            legendX += 20 + Double(Names.status(status).count) * 6
        }
        parts.append("</svg>")
        return parts.joined()
    }

    static let css = """
        body{font-family:"Helvetica Neue",Arial,sans-serif;font-size:10.5pt;color:#1d2430;max-width:180mm;margin:0 auto;line-height:1.35}
        h1{font-size:18pt;margin:0 0 2mm}h2{font-size:14pt;border-bottom:1px solid #c8ced8;margin:7mm 0 2mm;padding-bottom:1mm}
        h3{font-size:11.5pt;margin:5mm 0 1mm}.meta{color:#555;font-size:9.5pt}.id{font-family:monospace;color:#777;font-size:9pt}
        table{border-collapse:collapse;width:100%;margin:2mm 0}th,td{border:1px solid #d5dae2;padding:1.2mm 2mm;vertical-align:top;text-align:left}
        th{background:#eef1f5}td.n{text-align:right}blockquote{margin:2mm 0;padding:1mm 4mm;border-left:3px solid #5b8def;color:#333}
        ul{margin:1mm 0 2mm 5mm;padding:0}.commitment{break-inside:avoid;page-break-inside:avoid}
        svg{display:block;margin:2mm 0}
        @page{size:auto;margin:15mm}
        @media print{body{max-width:none}h2{break-after:avoid;page-break-after:avoid}a{color:inherit}}
        """

    static func html(_ head: BriefingHead, _ agenda: Agenda, _ reader: BriefingReader, _ output: Output) throws {
        let lang = Language.current == .es ? "es" : "en"
        let columns = ReviewView.columns(head.byPillar)
        var out = ["<!DOCTYPE html>", "<html lang=\"\(lang)\">", "<head>", "<meta charset=\"utf-8\"/>",
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>",
                   "<title>\(escape(heading(head)))</title>", "<style>\(css)</style>", "</head>", "<body>",
                   "<h1>\(escape(heading(head)))</h1>",
                   "<p class=\"meta\">\(escape(t("report.as-of", Names.prose(head.asOf), head.count)))</p>",
                   "<h2>\(escape(t("report.summary")))</h2>",
                   "<table class=\"summary\"><thead><tr><th>\(escape(t("report.goal")))</th>"
                       + columns.map { "<th>\(escape(Names.status($0)))</th>" }.joined()
                       + "<th>\(escape(t("review.total")))</th></tr></thead><tbody>"]
        for pillar in Pillar.allCases.map(\.rawValue) {
            let row = head.byPillar[pillar] ?? [:]
            out.append("<tr><th>\(escape(Names.pillar(pillar)))</th>" + columns.map { "<td class=\"n\">\(row[$0] ?? 0)</td>" }.joined()
                       + "<td class=\"n\">\(total(row))</td></tr>")
        }
        out.append("</tbody></table>")
        if let dialogue = head.dialogue {
            out.append("<h2>\(escape(t("report.dialogue")))</h2>")
            out.append("<p>" + [("field.date", dialogue.date ?? "—"), ("field.place", dialogue.place ?? "—"),
                                ("field.kind", Names.dialogueKind(dialogue.kind))].map { "<strong>\(escape(t($0.0))):</strong> \(escape($0.1))" }
                .joined(separator: " · ") + "</p>")
            if !dialogue.participants.isEmpty {
                out.append("<p><strong>\(escape(t("field.participants"))):</strong> \(escape(dialogue.participants.joined(separator: "; ")))</p>")
            }
            let said = said(dialogue)
            out.append("<h3>\(escape(said.heading))</h3><blockquote>\(escape(said.text))</blockquote>")
            out.append("<h3>\(escape(t("report.readouts")))</h3><table class=\"readouts\"><thead><tr>"
                       + Delegation.allCases.map { "<th>\(escape(Names.delegation($0)))</th>" }.joined() + "</tr></thead><tbody><tr>"
                       + Delegation.allCases.map { d in
                           "<td>" + escape(dialogue.readouts[d].map { $0.text + ($0.author.map { a in " (\(a))" } ?? "") } ?? "—") + "</td>"
                       }.joined() + "</tr></tbody></table>")
        }
        out.append("<section class=\"agenda\"><h2>\(escape(t("report.agenda")))</h2>")
        for section in agenda.sections {
            out.append("<h3>\(escape(section.heading))</h3>")
            out.append(section.lines.isEmpty ? "<p>\(escape(t("report.agenda-none")))</p>"
                : "<ul>" + section.lines.map { "<li>\(escape($0.title)) <span class=\"id\">\($0.id)</span> — \(escape($0.detail))</li>" }
                    .joined() + "</ul>")
        }
        out.append("</section>")
        for line in out { try output.line(line) }
        var marked = agenda.marked
        try byPillar(head, reader, group: { pillar, count in
            try output.line("<section class=\"pillar\"><h2>\(escape(Names.pillar(pillar))) (\(count))</h2>")
            try output.line(chart(head.byPillar[pillar] ?? [:], label: t("report.chart", Names.pillar(pillar))))
        }, end: { try output.line("</section>") }) { commitment in
            let c = commitment.summary
            if Self.marked(commitment) { marked = true }
            var out = ["<div class=\"commitment\"><h3>\(escape(Names.title(en: c.titleEN, es: c.titleES))) "
                       + "<span class=\"id\">\(Replica.shortID(c.id))</span></h3>"]
            var meta: [(String, String)] = [("col.owner", Names.owner(c.owner.rawValue)),
                                             ("field.status", Names.planned(Names.status(of: c), "status", in: c.illustrative)),
                                             (Names.dueLabel(c.due, asOf: head.asOf), Names.planned(c.due.map(Names.prose) ?? "—", "due", in: c.illustrative)),
                                             ("field.priority", Names.planned(Names.priority(c.priority), "priority", in: c.illustrative)),
                                             ("field.area", Names.area(c.area))]
            if let source = c.source { meta.append(("field.source", Names.source(source))) }
            if let again = Self.takenUpAgain(c, head) { meta.append(("report.round", again)) }
            if c.leadUS != nil || c.leadMX != nil {
                meta += [("field.lead.us", Names.agency(c.leadUS)), ("field.lead.mx", Names.agency(c.leadMX))]
            }
            if c.priorityUS != nil || c.priorityMX != nil {
                meta += [("field.priority.us", Names.priority(c.priorityUS)), ("field.priority.mx", Names.priority(c.priorityMX))]
            }
            out.append("<p class=\"meta\">" + meta.map { "\(escape(t($0.0))): \(escape($0.1))" }.joined(separator: " · ") + "</p>")
            if let summary = summaryText(commitment) { out.append("<p>\(escape(summary))</p>") }
            out.append("<table class=\"assessments\"><thead><tr><th></th>"
                       + Delegation.allCases.map { "<th>\(escape(Names.delegation($0)))</th>" }.joined()
                       + "</tr></thead><tbody><tr><th>\(escape(t("report.assessment")))</th>"
                       + Delegation.allCases.map { "<td>\(escape(assessment(commitment.assessments[$0])))</td>" }.joined()
                       + "</tr></tbody></table>")
            if !commitment.indicators.isEmpty {
                out.append("<p><strong>\(escape(t("show.indicators")))</strong></p><ul>"
                           + commitment.indicators.map { "<li>\(escape(indicator($0)))</li>" }.joined() + "</ul>")
            }
            if !commitment.notes.isEmpty {
                out.append("<p><strong>\(escape(t("report.latest-notes")))</strong></p><ul>"
                           + commitment.notes.map { "<li>\(escape(note($0)))</li>" }.joined() + "</ul>")
            }
            out.append("</div>")
            for line in out { try output.line(line) }
        }
        if marked { try output.line("<p class=\"meta\">\(escape(Names.planningLegend))</p>") }
        try output.line("</body>")
        try output.line("</html>")
    }
}
