import ArgumentParser
import Foundation
import PuenteKit

/// One line of the audit trail: when, who, what changed from what to what, and its status.
enum HistoryLine {
    static let maximumWhat = 240

    static func render(_ entry: HistoryEntry) -> String {
        let op = entry.op
        let who = entry.author.map { "\(UntrustedText.singleLine($0.name)) (\($0.delegation.rawValue.uppercased()))" } ?? op.replica.short
        var what: String
        switch op.kind {
        case .create: what = t("history.create", t("type.\(EntityRef(text: op.entity)?.type.rawValue ?? "commitment")"))
        case .set:
            let old = entry.previous.map { Names.value($0, field: op.field) }.joined(separator: " | ")
            what = Names.field(op.field) + ": " + (old.isEmpty ? "" : old + " → ") + Names.value(op.value, field: op.field)
        case .add: what = Names.field(op.field) + " + " + Names.value(op.value, field: op.field)
        case .remove: what = Names.field(op.field) + " − " + Names.value(op.value, field: op.field)
        case .append: what = Names.field(op.field) + " ⊕ " + Names.value(op.value, field: op.field)
        case .retract: what = t("history.retract") + (op.field.isEmpty ? "" : " " + Names.field(op.field))
        }
        // A long value is cut: one line of the trail stays one record (`show` has the whole value).
        if what.count > maximumWhat { what = String(what.prefix(maximumWhat - 1)) + "…" }
        var status = ""
        switch entry.status {
        case .accepted: break
        case .pending(let reason): status = "  [" + t("status-op.pending") + ": " + Messages.reason(reason) + "]"
        case .rejected(let reason): status = "  [" + t("status-op.rejected") + ": " + Messages.reason(reason) + "]"
        }
        let ahead = entry.clockAhead ? "  [" + t("history.clock-ahead") + "]" : ""
        return "\(op.hlc.utcMinute)  \(who)  \(what)\(status)\(ahead)"
    }

    /// One line for a run of operations dropped past a revocation cut.
    static func render(_ run: DroppedOperations) -> String {
        let who = run.authorInfo.map { "\(UntrustedText.singleLine($0.name)) (\($0.delegation.rawValue.uppercased()))" } ?? run.author.short
        return t("log.dropped", HLCTimestamp(millis: run.at, counter: 0).utcMinute, who, run.seqs.lowerBound, run.seqs.upperBound,
                 run.count, Messages.reason(run.reason))
    }
}
