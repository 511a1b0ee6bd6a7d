import PuenteKit

/// The `--json` shapes of Puente's listings: full ids, raw values, sorted keys.
enum JSONForms {
    static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    /// `source` is there only when the commitment records one, `illustrative` (the fields whose
    /// values are planning values) only when it marks any, and `leads` (each delegation's lead
    /// agency, as stored: a known agency's code) only when either delegation recorded one, so
    /// listings of records made before these existed read as they did.
    static func summary(_ c: CommitmentSummary) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(c.id), "short_id": .string(Replica.shortID(c.id)), "owner": .string(c.owner.rawValue),
            "title": ["en": optional(c.titleEN), "es": optional(c.titleES)], "pillar": optional(c.pillar),
            "area": optional(c.area), "status": optional(c.status), "priority": optional(c.priority), "due": optional(c.due),
            "dialogue": optional(c.dialogue), "lead": optional(c.lead),
            "assessment": ["us": optional(c.assessmentUS), "mx": optional(c.assessmentMX)], "conflicts": .int(Int64(c.conflicts))]
        object["source"] = c.source.map(JSONValue.string)
        if !c.illustrative.isEmpty { object["illustrative"] = .array(c.illustrative.map(JSONValue.string)) }
        if c.leadUS != nil || c.leadMX != nil { object["leads"] = ["us": optional(c.leadUS), "mx": optional(c.leadMX)] }
        if c.priorityUS != nil || c.priorityMX != nil {
            object["priorities"] = ["us": optional(c.priorityUS), "mx": optional(c.priorityMX)]
        }
        return .object(object)
    }

    static func opID(_ id: OpID) -> JSONValue { .string(id.description) }

    static func state(_ state: EntityState) -> JSONValue {
        var fields = [String: JSONValue]()
        for (field, values) in state.registers {
            fields[field] = ["value": state.displayValue(field) ?? .null,
                             "live": .array(values.map { ["op": opID($0.op), "hlc": .string($0.hlc.text), "value": $0.value] })]
        }
        var sets = [String: JSONValue]()
        for (field, elements) in state.sets {
            sets[field] = .array(elements.map { ["value": $0.value, "adds": .array($0.adds.map(opID))] })
        }
        var series = [String: JSONValue]()
        for (field, entries) in state.series {
            series[field] = .array(entries.map { ["op": opID($0.op), "value": $0.value, "retracted": .bool($0.retracted)] })
        }
        var object: [String: JSONValue] = [
            "id": .string(state.entity.text), "type": .string(state.entity.type.rawValue),
            "fields": .object(fields), "sets": .object(sets), "series": .object(series),
            "retracted": .bool(state.retracted), "conflicts": .array(state.conflictedFields.map(JSONValue.string)),
        ]
        object["owner"] = state.owner.map { .string($0.rawValue) }
        object["parent"] = state.parent.map(JSONValue.string)
        object["external_id"] = state.externalID.map(JSONValue.string)
        if let create = state.create { object["created"] = ["op": opID(create.op.id), "hlc": .string(create.op.hlc.text)] }
        if state.entity.type == .note, let value = state.create?.op.value {
            object["text"] = value["text"] ?? .null
        }
        return .object(object)
    }

    static func history(_ entry: HistoryEntry) -> JSONValue {
        var object: [String: JSONValue] = [
            "op": opID(entry.op.id), "hlc": .string(entry.op.hlc.text), "entity": .string(entry.op.entity),
            "kind": .string(entry.op.kind.rawValue), "field": .string(entry.op.field), "value": entry.op.value,
            "status": .string(entry.status.name), "previous": .array(entry.previous),
        ]
        object["reason"] = entry.status.reason.map { .string($0.text) }
        if entry.clockAhead { object["clock_ahead"] = .bool(true) }
        if let author = entry.author {
            object["author"] = ["replica": .string(author.id.hex), "delegation": .string(author.delegation.rawValue),
                                "name": .string(author.name)]
        }
        return .object(object)
    }

    /// A run of operations dropped past a revocation cut (`"status": "dropped"`).
    static func dropped(_ run: DroppedOperations) -> JSONValue {
        var object: [String: JSONValue] = [
            "status": "dropped", "replica": .string(run.author.hex), "from_seq": .int(run.seqs.lowerBound),
            "to_seq": .int(run.seqs.upperBound), "count": .int(Int64(run.count)), "dropped_at": .int(Int64(run.at)),
            "reason": .string(run.reason.text),
        ]
        if let author = run.authorInfo {
            object["author"] = ["replica": .string(author.id.hex), "delegation": .string(author.delegation.rawValue),
                                "name": .string(author.name)]
        }
        return .object(object)
    }
}
