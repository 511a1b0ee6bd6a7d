import ArgumentParser
import Foundation
import PuenteKit

/// How `show` and `dialogue show` lay out one entity.
enum EntityView {
    static func json(_ detail: EntityDetail) -> JSONValue {
        guard case .object(var object) = JSONForms.state(detail.state) else { return .null }
        object["history"] = .array(detail.history.map(JSONForms.history))
        object["children"] = .array(detail.children.map(JSONForms.state))
        // Who wrote each live value: every replica named in the state, with its delegation.
        var named = Set<ReplicaID>()
        for values in detail.state.registers.values { values.forEach { named.insert($0.op.replica) } }
        for elements in detail.state.sets.values { elements.forEach { $0.adds.forEach { named.insert($0.replica) } } }
        for entries in detail.state.series.values { entries.forEach { named.insert($0.op.replica) } }
        for child in detail.children { if let create = child.create { named.insert(create.op.replica) } }
        object["authors"] = .object(Dictionary(uniqueKeysWithValues: named.compactMap { id in
            detail.authors[id].map { (id.hex, JSONValue.object(["name": .string($0.name), "delegation": .string($0.delegation.rawValue)])) }
        }))
        if let creator = detail.creator {
            object["creator"] = ["replica": .string(creator.id.hex), "delegation": .string(creator.delegation.rawValue),
                                 "name": .string(creator.name)]
        }
        return .object(object)
    }

    static func text(_ state: EntityState, _ field: String) -> String? { state.displayValue(field)?.stringValue }

    /// How wide the labels of `show` are: the longest field name of the entity's type, in the
    /// display language, so none is cut ("Summary (English)", "Declaración conjunta (español)").
    static func labelWidth(_ type: EntityType) -> Int {
        let names = FieldCatalog.fields(of: type).keys.map { Names.field($0).count }
            + [t("col.owner").count, t("show.created").count] + Delegation.allCases.map { t("show.readout", Names.delegation($0)).count }
        return min(max(16, names.max() ?? 16), 40)
    }

    /// A field and its value; a value's later lines are indented under it, so none reads as a field.
    static func line(_ label: String, _ value: String, width: Int = 16) {
        Terminal.out(Terminal.cell(label, width) + " " + UntrustedText.block(value, indent: String(repeating: " ", count: width + 1)))
    }

    /// "— name (US)": who wrote a value, by the name its certificate or card gives.
    static func by(_ replicas: [ReplicaID], _ detail: EntityDetail) -> String {
        let names = Array(Set(replicas)).sorted().map { id in
            detail.authors[id].map { "\($0.name) (\($0.delegation.rawValue.uppercased()))" } ?? id.short
        }
        return names.isEmpty ? "" : "  — " + names.joined(separator: ", ")
    }

    static func print(_ detail: EntityDetail, fullHistory: Bool, commitments: [CommitmentSummary] = []) {
        let state = detail.state
        let type = state.entity.type
        let width = labelWidth(type)
        func line(_ label: String, _ value: String) { EntityView.line(label, value, width: width) }
        let titleField = type == .indicator ? "name" : "title"
        let title = type == .note ? (state.create?.op.value["text"]?.stringValue ?? "")
            : Names.title(en: text(state, "\(titleField).en"), es: text(state, "\(titleField).es"))
        Terminal.out("\(title)  [\(t("type.\(type.rawValue)")) \(Replica.shortID(state.entity.text))]")
        if state.retracted { Terminal.out(t("show.retracted")) }
        if let owner = state.owner { line(t("col.owner"), Names.owner(owner.rawValue)) }
        let shown: Set<String> = ["title.en", "title.es", "name.en", "name.es", "assessment.us", "assessment.mx",
                                  "readout.us", "readout.mx"]
        let planned = state.illustrative
        for field in FieldCatalog.fields(of: type).keys.sorted() where !shown.contains(field) {
            if let values = state.registers[field] {
                // Equal values written concurrently are one value, with each of its authors.
                let conflict = EntityState.isConflict(values)
                let authors = conflict ? (EntityState.winner(values).map { [$0.op.replica] } ?? []) : values.map(\.op.replica)
                line(Names.field(field), Names.value(state.displayValue(field), field: field)
                     + (planned.contains(field) ? " " + t("show.planning") : "") + (conflict ? "  ⚠" : "") + by(authors, detail))
            }
            if let elements = state.sets[field] {
                line(Names.field(field), elements.map { Names.value($0.value, field: field) }.joined(separator: "; ")
                     + by(elements.flatMap { $0.adds.map(\.replica) }, detail))
            }
        }
        if let creator = detail.creator, let create = state.create {
            line(t("show.created"), "\(create.op.hlc.utcMinute) — \(creator.name) (\(Names.delegation(creator.delegation)))")
        }
        if type == .commitment {
            Terminal.out()
            Terminal.out(t("show.assessments"))
            let us = state.displayValue("assessment.us")
            let mx = state.displayValue("assessment.mx")
            for (delegation, value) in [(Delegation.us, us), (.mx, mx)] {
                let field = "assessment.\(delegation.rawValue)"
                let author = EntityState.winner(state.registers[field] ?? [])?.op.replica
                line("  " + Names.delegation(delegation), Names.value(value, field: field) + by(author.map { [$0] } ?? [], detail))
            }
            if let a = us?["rating"]?.stringValue, let b = mx?["rating"]?.stringValue, a != b {
                Terminal.out("  " + t("show.disagreement"))
            }
        }
        if type == .dialogue {
            for delegation in Delegation.allCases {
                if let readout = text(state, "readout.\(delegation.rawValue)") {
                    let author = EntityState.winner(state.registers["readout.\(delegation.rawValue)"] ?? [])?.op.replica
                    line(t("show.readout", Names.delegation(delegation)), readout + by(author.map { [$0] } ?? [], detail))
                }
            }
        }
        if !state.conflictedFields.isEmpty {
            Terminal.out()
            Terminal.out(t("show.conflicts"))
            for field in state.conflictedFields {
                Terminal.out("  " + Names.field(field) + ":")
                var shown = [JSONValue]()
                for value in state.registers[field] ?? [] {
                    let author = detail.history.first { $0.op.id == value.op }?.author
                    Terminal.out("    • " + Names.value(value.value, field: field) + "  — "
                                 + (author.map { "\($0.name) (\(Names.delegation($0.delegation)))" } ?? value.op.replica.short)
                                 + ", " + value.hlc.utcMinute)
                    // The command that keeps this value, under the first of its authors.
                    if !shown.contains(value.value) {
                        shown.append(value.value)
                        Terminal.out("      " + ResolveHint.command(entity: state.entity, field: field, value: value.value))
                    }
                }
            }
            Terminal.out("  " + t("show.resolve-hint"))
        }
        for (field, entries) in state.series.sorted(by: { $0.key < $1.key }) {
            Terminal.out()
            Terminal.out(Names.field(field))
            // Each entry with its handle, which `indicator retract` takes. Standing entries that
            // are equal (two desks recorded the same reading, or both imported it) are one line
            // with every handle and author, as equal register values are one value.
            var lines = [(value: JSONValue, retracted: Bool, entries: [SeriesEntry])]()
            for entry in entries {
                if !entry.retracted, let index = lines.firstIndex(where: { !$0.retracted && $0.value == entry.value }) {
                    lines[index].entries.append(entry)
                } else {
                    lines.append((entry.value, entry.retracted, [entry]))
                }
            }
            for line in lines {
                Terminal.out("  • " + line.entries.map { Replica.entryHandle($0.op) }.joined(separator: ", ") + "  "
                             + Names.value(line.value, field: field) + (line.retracted ? "  " + t("show.retracted-mark") : "")
                             + by(line.entries.map(\.op.replica), detail))
            }
        }
        let indicators = detail.children.filter { $0.entity.type == .indicator && !$0.retracted }
        if !indicators.isEmpty {
            Terminal.out()
            Terminal.out(t("show.indicators"))
            for indicator in indicators {
                let latest = indicator.series["readings"]?.last { !$0.retracted }?.value
                let estimate = indicator.displayValue("estimate") == .bool(true)
                Terminal.out("  \(Replica.shortID(indicator.entity.text))  "
                             + Names.title(en: text(indicator, "name.en"), es: text(indicator, "name.es"))
                             + " [\(Names.indicatorKind(text(indicator, "kind"), estimate: estimate))] "
                             + t("show.indicator-line", Names.course(baseline: text(indicator, "baseline"), latest: latest?["value"]?.stringValue,
                                                                     latestDate: latest?["date"]?.stringValue, target: text(indicator, "target"),
                                                                     unit: Names.text(en: text(indicator, "unit"), es: text(indicator, "unit.es")),
                                                                     illustrative: indicator.illustrative,
                                                                     latestFrom: latest?["from"]?.stringValue,
                                                                     baselineDate: text(indicator, "baseline.date"),
                                                                     targetDate: text(indicator, "target.date"), estimate: estimate))
                             + by(indicator.create.map { [$0.op.replica] } ?? [], detail))
            }
        }
        let notes = detail.children.filter { $0.entity.type == .note && !$0.retracted }
        if !notes.isEmpty {
            Terminal.out()
            Terminal.out(t("show.notes"))
            for note in notes {
                let when = note.create.map { $0.op.hlc.utcMinute } ?? ""
                // The note's id, which `note retract` takes.
                Terminal.out("  \(Replica.shortID(note.entity.text))  \(when)  " + UntrustedText.block(note.create?.op.value["text"]?.stringValue ?? "", indent: "      ")
                             + by(note.create.map { [$0.op.replica] } ?? [], detail))
            }
        }
        // Those made at the dialogue, then those it took up again.
        let made = commitments.filter { $0.dialogue == detail.state.entity.text }
        let revisited = commitments.filter { $0.dialogue != detail.state.entity.text }
        for (heading, group) in [("show.dialogue-commitments", made), ("show.dialogue-revisited", revisited)] where !group.isEmpty {
            Terminal.out()
            Terminal.out(t(heading, group.count))
            for commitment in group {
                Terminal.out("  " + Replica.shortID(commitment.id) + "  "
                             + Terminal.cell(Names.planned(Names.status(of: commitment), "status", in: commitment.illustrative), 12) + " "
                             + Terminal.cell(Names.planned(commitment.due ?? "—", "due", in: commitment.illustrative), 11) + "  "
                             + Names.title(en: commitment.titleEN, es: commitment.titleES))
            }
        }
        if commitments.contains(where: { !$0.illustrative.isEmpty }) { Terminal.out("  " + Names.planningLegend) }
        Terminal.out()
        let entries = fullHistory ? detail.history : Array(detail.history.suffix(8))
        Terminal.out(fullHistory ? t("show.history") : t("show.history-recent", entries.count, detail.history.count))
        for entry in entries { Terminal.out("  " + HistoryLine.render(entry)) }
    }
}
