import Foundation
import GRDB

/// What `review` shows of one indicator, kept in `indicator_summary` as the indicator is
/// materialized: its winning registers and its latest reading.
struct IndicatorSummaryRow: Equatable {
    let kind: IndicatorKind
    let direction: Direction
    let nameEN: String?
    let nameES: String?
    let unit: String?
    let baseline: String?
    let target: String?
    /// The value of the latest reading (a string, or an integer as text).
    let latest: String?
    let latestDate: String?
    /// Which of `baseline` and `target` are planning values, as ``Store/illustrativeColumn(_:)`` writes them.
    let illustrative: String?
    /// When the period of the latest reading starts, when it is a total over a period.
    let latestFrom: String?
    let unitES: String?
    /// When the baseline was measured; by when the target is to be met.
    let baselineDate: String?
    let targetDate: String?
    /// Whether the indicator's values are estimates.
    let estimate: Bool

    /// One reading as the row needs it; the latest has the greatest (date, hlc, replica, seq).
    struct Reading {
        let date: String
        let hlc: String
        let replica: String
        let seq: Int64
        let value: JSONValue

        init(hlc: String, replica: String, seq: Int64, value: JSONValue) {
            self.date = value["date"]?.stringValue ?? ""
            self.hlc = hlc
            self.replica = replica
            self.seq = seq
            self.value = value
        }

        func isBefore(_ other: Reading) -> Bool {
            (date, hlc, replica, seq) < (other.date, other.hlc, other.replica, other.seq)
        }
    }

    /// The row from an indicator's winning register values and its readings that stand
    /// (not retracted). The same function serves the write path and the migration that fills
    /// the table, so both give the same row.
    init(register: (String) -> JSONValue?, readings: [Reading], illustrative: [String]) {
        func text(_ field: String) -> String? { register(field)?.stringValue }
        let latest = readings.dropFirst().reduce(readings.first) { best, reading in
            guard let best else { return reading }
            return best.isBefore(reading) ? reading : best
        }
        kind = text("kind").flatMap(IndicatorKind.init(rawValue:)) ?? .output
        direction = text("direction").flatMap(Direction.init(rawValue:)) ?? .increase
        nameEN = text("name.en")
        nameES = text("name.es")
        unit = text("unit")
        baseline = text("baseline")
        target = text("target")
        self.latest = latest?.value["value"]?.stringValue ?? latest?.value["value"]?.intValue.map(String.init)
        latestDate = latest?.value["date"]?.stringValue
        self.illustrative = Store.illustrativeColumn(illustrative)
        latestFrom = latest?.value["from"]?.stringValue
        unitES = text("unit.es")
        baselineDate = text("baseline.date")
        targetDate = text("target.date")
        estimate = register("estimate") == .bool(true)
    }

    init(state: EntityState) {
        let readings = (state.series["readings"] ?? []).filter { !$0.retracted }.map { entry in
            Reading(hlc: entry.hlc.text, replica: entry.op.replica.hex, seq: entry.op.seq, value: entry.value)
        }
        self.init(register: { state.displayValue($0) }, readings: readings, illustrative: state.illustrative)
    }

    /// The columns after `id`, `parent`, `parent_due` and `parent_title`, in this order.
    static let columns = ["kind", "direction", "name_en", "name_es", "unit", "baseline", "target", "latest", "latest_date",
                          "illustrative", "latest_from", "unit_es", "baseline_date", "target_date", "estimate"]

    var values: [DatabaseValue] {
        [kind.rawValue.databaseValue, direction.rawValue.databaseValue, nameEN.databaseValue, nameES.databaseValue,
         unit.databaseValue, baseline.databaseValue, target.databaseValue, latest.databaseValue, latestDate.databaseValue,
         illustrative.databaseValue, latestFrom.databaseValue, unitES.databaseValue, baselineDate.databaseValue,
         targetDate.databaseValue, (estimate ? 1 : 0).databaseValue]
    }
}

extension Store {
    /// Brings the indicator's `indicator_summary` row to `state`: present while the indicator is
    /// accepted, not retracted, and its commitment is listed (has a summary, whose due date and
    /// title order the review), written only when it changed.
    static func writeIndicatorSummary(_ db: Database, state: EntityState) throws {
        try writeIndicatorSummary(db, id: state.entity.text, parent: state.isAccepted && !state.retracted ? state.parent : nil,
                                  row: { IndicatorSummaryRow(state: state) })
    }

    /// The same, from the parts: `parent` is nil when the indicator does not stand (not
    /// accepted, or retracted); `row` is computed only when the row is written.
    static func writeIndicatorSummary(_ db: Database, id: String, parent: String?, row: () -> IndicatorSummaryRow) throws {
        let old = try Row.fetchOne(try db.cachedStatement(sql: """
            SELECT parent, parent_due, parent_title, \(IndicatorSummaryRow.columns.joined(separator: ", "))
            FROM indicator_summary WHERE id = ?
            """), arguments: [id])
        func drop() throws {
            if old != nil {
                try db.cachedStatement(sql: "DELETE FROM indicator_summary WHERE id = ?").execute(arguments: [id])
            }
        }
        guard let parent else { return try drop() }
        let parentOrder: [DatabaseValue]
        if let old, (old[0] as String) == parent {
            parentOrder = [old[1], old[2]]
        } else if let row = try Row.fetchOne(try db.cachedStatement(sql: """
            SELECT due, coalesce(title_en, title_es) FROM commitment_summary WHERE id = ?
            """), arguments: [parent]) {
            parentOrder = [row[0], row[1]]
        } else {
            return try drop()
        }
        let values = [parent.databaseValue] + parentOrder + row().values
        if let old {
            // Only the columns that changed, as for a commitment's summary (its indexes).
            let columns = ["parent", "parent_due", "parent_title"] + IndicatorSummaryRow.columns
            let changed = values.indices.filter { old[$0] as DatabaseValue != values[$0] }
            guard !changed.isEmpty else { return }
            try db.cachedStatement(sql: """
                UPDATE indicator_summary SET \(changed.map { "\(columns[$0]) = ?" }.joined(separator: ", ")) WHERE id = ?
                """).execute(arguments: StatementArguments(changed.map { values[$0] } + [id.databaseValue]))
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO indicator_summary (parent, parent_due, parent_title, \(IndicatorSummaryRow.columns.joined(separator: ", ")), id)
                VALUES (?, ?, ?, \(IndicatorSummaryRow.columns.map { _ in "?" }.joined(separator: ", ")), ?)
                """).execute(arguments: StatementArguments(values + [id.databaseValue]))
        }
    }
}
