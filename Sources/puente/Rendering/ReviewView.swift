import ArgumentParser
import PuenteKit

/// The dashboard's layout (within 100 columns) and its JSON twin.
enum ReviewView {
    static let statuses = CommitmentStatus.allCases.map(\.rawValue)

    static func json(_ review: ProgressReview) -> JSONValue {
        func table(_ counts: [String: [String: Int]]) -> JSONValue {
            .object(counts.mapValues { row in .object(row.mapValues { .int(Int64($0)) }) })
        }
        func list(_ items: [CommitmentSummary]) -> JSONValue { .array(items.map(JSONForms.summary)) }
        return ["as_of": .string(review.asOf), "total": .int(Int64(review.total)), "by_pillar": table(review.byPillar),
                "by_owner": table(review.byOwner), "overdue": list(review.overdue), "stalled": list(review.stalled),
                "disagreements": .array(review.disagreements.map { c in
                    guard case .object(var object) = JSONForms.summary(c) else { return .null }
                    object["assessed_by"] = .object(Dictionary(uniqueKeysWithValues: (review.assessors[c.id] ?? [:]).map {
                        ($0.key.rawValue, JSONValue.string($0.value))
                    }))
                    return .object(object)
                }),
                "conflicts": .int(Int64(review.conflicts))]
    }

    static func print(_ review: ProgressReview) {
        Terminal.out(t("review.title", review.asOf, review.total))
        Terminal.out()
        grid(t("review.by-pillar"), rows: Pillar.allCases.map(\.rawValue), counts: review.byPillar, name: Names.pillar)
        Terminal.out()
        grid(t("review.by-owner"), rows: Owner.allCases.map(\.rawValue), counts: review.byOwner, name: Names.owner)
        section(t("review.overdue", review.overdue.count), review.overdue) { c in
            "\(c.due ?? "")  \(Names.status(c.status))"
        }
        section(t("review.stalled", review.stalled.count), review.stalled) { c in Names.owner(c.owner.rawValue) }
        section(t("review.disagreements", review.disagreements.count), review.disagreements) { c in
            let who = review.assessors[c.id] ?? [:]
            return "\(Names.delegation(.us)): \(Names.rating(c.assessmentUS))" + (who[.us].map { " (\($0))" } ?? "")
                + " / \(Names.delegation(.mx)): \(Names.rating(c.assessmentMX))" + (who[.mx].map { " (\($0))" } ?? "")
        }
        Terminal.out()
        Terminal.out(review.conflicts == 0 ? t("review.no-conflicts") : t("review.conflicts", review.conflicts))
    }

    static func grid(_ title: String, rows: [String], counts: [String: [String: Int]], name: (String?) -> String) {
        let width = 11
        Terminal.out(Terminal.cell(title, 13) + " " + statuses.map { Terminal.cell(Names.status($0), width - 1) + " " }.joined()
                     + t("review.total"))
        for row in rows {
            let line = counts[row] ?? [:]
            let total = line.values.reduce(0, +)
            Terminal.out(Terminal.cell(name(row), 13) + " "
                         + statuses.map { Terminal.cell(line[$0].map(String.init) ?? "·", width - 1) + " " }.joined() + String(total))
        }
    }

    static func section(_ title: String, _ items: [CommitmentSummary], detail: (CommitmentSummary) -> String) {
        Terminal.out()
        Terminal.out(title)
        for c in items.prefix(25) {
            Terminal.out("  " + Terminal.cell(Replica.shortID(c.id), 9) + Terminal.cell(Names.title(en: c.titleEN, es: c.titleES), 52)
                         + " " + detail(c))
        }
        if items.count > 25 { Terminal.out("  " + t("review.more", items.count - 25)) }
    }
}
