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

    /// A date as a sentence writes it: in Spanish "13 de abril de 2023" (ISO dates read as codes
    /// in Spanish prose); in English, and for anything that is not a date, as it is. Tables and
    /// JSON keep ISO dates, which sort.
    static func prose(_ text: String) -> String {
        guard Language.current == .es, Validation.isDate(text) || Validation.isMonth(text) else { return text }
        let months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                      "noviembre", "diciembre"]
        let parts = text.split(separator: "-")
        guard let month = Int(parts[1]), (1...12).contains(month) else { return text }
        // A date known only to the month ("enero de 2023").
        guard parts.count == 3, let day = Int(parts[2]) else { return "\(months[month - 1]) de \(parts[0])" }
        return "\(day) de \(months[month - 1]) de \(parts[0])"
    }

    /// The catalog key of a due date's label: "Due" / "Vence", or for a date before `asOf`
    /// "Was due" / "Venció".
    static func dueLabel(_ due: String?, asOf: String) -> String {
        guard let due, due < asOf else { return "field.due" }
        return "label.due-past"
    }

    /// A source kind, with what it means where that matters: "recommendation (outside analysts;
    /// neither government agreed to it)".
    static func source(_ source: String?) -> String {
        guard let source, SourceKind(rawValue: source) != nil else { return source.map(UntrustedText.singleLine) ?? "—" }
        let note = Catalog.phrases["source-note.\(source)"] != nil ? " (" + t("source-note.\(source)") + ")" : ""
        return t("source.\(source)") + note
    }

    /// A commitment's status as listings show it: a recommendation is never shown as agreed,
    /// under way or fulfilled, whatever its status says, since neither government agreed to it;
    /// it is "recommended" until it is adopted (its source is then what adopted it) or set aside
    /// (withdrawn).
    static func status(of commitment: CommitmentSummary) -> String {
        guard commitment.isRecommendation else { return status(commitment.status) }
        return commitment.status == CommitmentStatus.withdrawn.rawValue ? t("status.set-aside") : t("status.recommended")
    }

    /// A built-in area's name, or the area as written.
    static func area(_ area: String?) -> String {
        guard let area else { return "—" }
        return BuiltInArea(rawValue: area) != nil ? t("area.\(area)") : UntrustedText.singleLine(area)
    }

    /// An agency as stored: a known one by its standard name in the display language, with its
    /// acronym and country ("Fiscalía General de la República (FGR, México)"); any other as written.
    static func agency(_ value: String?) -> String {
        guard let value else { return "—" }
        guard let agency = AgencyCatalog.agency(value) else { return UntrustedText.singleLine(value) }
        return agency.name(english: Language.current == .en)
    }

    /// The two delegations' leads as a table shows them: "DOJ / FGR", "—" for a side with none.
    static func leads(us: String?, mx: String?) -> String {
        guard us != nil || mx != nil else { return "—" }
        func short(_ value: String?) -> String {
            value.map { AgencyCatalog.agency($0)?.short ?? UntrustedText.singleLine($0) } ?? "—"
        }
        return short(us) + " / " + short(mx)
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

    /// A decimal as both delegations write it (Mexico, like the United States, writes
    /// `109,000.5`): the whole part grouped by thousands with commas. Text that is not a plain
    /// decimal is shown as it is; nil is "—".
    static func number(_ text: String?) -> String {
        guard let text else { return "—" }
        var body = Substring(text)
        let sign = body.hasPrefix("-") ? "-" : ""
        if !sign.isEmpty { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              parts.count == 1 || parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return UntrustedText.singleLine(text) }
        var grouped = ""
        for (index, digit) in whole.enumerated() {
            if index > 0, (whole.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return sign + grouped + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// The mark of a planning value, which no source states: listings, the review and the
    /// reports put it after the value ("2024-04-13*") and explain it once (``planningLegend``).
    static let planningMark = "*"

    /// `text` with the planning mark when the record lists `field` among its planning values.
    static func planned(_ text: String, _ field: String, in illustrative: [String]) -> String {
        illustrative.contains(field) ? text + planningMark : text
    }

    /// Whether a line that shows `fields` of the commitment carries the mark (its legend is due).
    static func marksAny(_ c: CommitmentSummary, _ fields: Set<String>) -> Bool { !fields.isDisjoint(with: c.illustrative) }

    /// The line that explains the mark, after a listing that shows it.
    static var planningLegend: String { planningMark + " " + t("planning.legend") }

    /// An indicator's course, the one meaning of its arrows everywhere: baseline → latest
    /// reading (with its date, when `dated`) → target, then the unit; "—" for what is not known,
    /// and a planning baseline or target marked.
    static func course(_ indicator: IndicatorProgress, dated: Bool = true) -> String {
        course(baseline: indicator.baseline, latest: indicator.latest, latestDate: dated ? indicator.latestDate : nil,
               target: indicator.target, unit: text(en: indicator.unit, es: indicator.unitES), illustrative: indicator.illustrative,
               latestFrom: indicator.latestFrom, baselineDate: dated ? indicator.baselineDate : nil,
               targetDate: dated ? indicator.targetDate : nil, estimate: indicator.estimate)
    }

    /// When a reading was taken: its date, or for a total over a period the period ("2018-10-01 – 2020-09-30").
    static func when(date: String, from: String?) -> String {
        from.map { "\($0) – \(date)" } ?? date
    }

    /// The mark of an estimated value ("≈500,000"): the indicator's values are estimates, not counts.
    static let estimateMark = "≈"

    /// `baseline (its date) → latest (its date) → target (its date) unit`, planning values marked
    /// and, for an indicator of estimates, the measured values marked ≈ (the target is a goal).
    static func course(baseline: String?, latest: String?, latestDate: String?, target: String?, unit: String?,
                       illustrative: [String] = [], latestFrom: String? = nil, baselineDate: String? = nil,
                       targetDate: String? = nil, estimate: Bool = false) -> String {
        func measured(_ value: String?) -> String { (estimate && value != nil ? estimateMark : "") + number(value) }
        return planned(measured(baseline), "baseline", in: illustrative) + (baselineDate.map { " (\($0))" } ?? "")
            + " → \(measured(latest))"
            + (latestDate.map { " (\(when(date: $0, from: latestFrom)))" } ?? "")
            + " → " + planned(number(target), "target", in: illustrative)
            + (targetDate.map { " (" + planned($0, "target.date", in: illustrative) + ")" } ?? "")
            + (unit.map { " " + UntrustedText.singleLine($0) } ?? "")
    }

    /// An indicator's kind, and "estimate" when its values are estimates: `outcome, estimate`.
    static func indicatorKind(_ kind: String?, estimate: Bool) -> String {
        indicatorKind(kind) + (estimate ? ", " + t("indicator.estimate") : "")
    }

    /// Progress from baseline toward target as a percentage; a negative one says what it means.
    static func progress(_ value: Double?) -> String {
        guard let value else { return "—" }
        let percent = String(format: "%.0f%%", value * 100)
        return value < 0 ? percent + " (" + t("progress.away") + ")" : percent
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
        case "priority", "priority.us", "priority.mx": return priority(value.stringValue)
        case "source": return source(value.stringValue)
        case "area": return area(value.stringValue)
        case "kind": return value.stringValue.map { DialogueKind(rawValue: $0) != nil ? dialogueKind($0) : indicatorKind($0) } ?? "—"
        case "direction": return direction(value.stringValue)
        case "dialogue", "revisited": return value.stringValue.map(Replica.shortID) ?? "—"
        case "estimate": return value == .bool(true) ? t("flag.yes") : value == .bool(false) ? t("flag.no") : "—"
        case "baseline", "target": return value.stringValue.map(number) ?? "—"
        case "illustrative": return value.stringValue.map { self.field($0) } ?? "—"
        case _ where FieldCatalog.agencyFields.contains(field): return value.stringValue.map(agency) ?? "—"
        default: break
        }
        if field.hasPrefix("assessment.") {
            let why = value["why"]?.stringValue.map { " — \($0)" } ?? ""
            return rating(value["rating"]?.stringValue) + why
        }
        if let reading = value.objectValue, let number = reading["value"]?.stringValue, let date = reading["date"]?.stringValue {
            return "\(when(date: date, from: reading["from"]?.stringValue)): \(Names.number(number))"
                + (reading["source"]?.stringValue.map { " (\($0))" } ?? "")
        }
        switch value {
        case .null: return "—"
        case .string(let text): return text
        default: return String(decoding: CanonicalJSON.encode(value), as: UTF8.self)
        }
    }
}
