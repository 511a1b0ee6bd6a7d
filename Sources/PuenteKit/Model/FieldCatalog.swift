/// How a field merges.
public enum FieldShape: Sendable {
    /// Multi-value register: every concurrent value is kept until one write names them all.
    case register
    /// Observed-remove set, add wins.
    case set
    /// Append-only series with retraction.
    case series
}

/// Who may write a field, per the policy table of the design.
public enum FieldWriters: Sendable, Equatable {
    /// The commitment's owner delegation(s) (for indicators, the parent commitment's owner).
    case owner
    /// One delegation only (`assessment.us`, `readout.mx`…).
    case delegation(Delegation)
    /// Any trusted replica.
    case anyone
    /// Only the delegation that added the element or entry (removing evidence).
    case adder
}

/// What a field's values must look like.
public enum ValueRule: Sendable {
    /// Non-empty text of at most `maxLength` characters (Unicode scalars, as JSON Schema's
    /// `maxLength` counts them), without U+0000.
    case text(maxLength: Int)
    case slug
    case oneOf([String])
    case date
    /// A day (`YYYY-MM-DD`) or, when the sources give only the month, a month (`YYYY-MM`).
    case dayOrMonth
    case decimal
    /// `true` or `false`.
    case flag
    case link(EntityType)
    case assessment
    case reading
}

/// One field of one entity type.
public struct FieldSpec: Sendable {
    public let name: String
    public let shape: FieldShape
    public let writers: FieldWriters
    /// For sets: who may remove an element.
    public let removers: FieldWriters
    public let rule: ValueRule
    /// Whether a `create` may give the field its first value.
    public let inCreate: Bool
    /// Whether a register may be cleared with `null`.
    public let nullable: Bool

    init(_ name: String, _ shape: FieldShape, _ writers: FieldWriters, _ rule: ValueRule,
         removers: FieldWriters? = nil, inCreate: Bool = true, nullable: Bool = true) {
        self.name = name
        self.shape = shape
        self.writers = writers
        self.removers = removers ?? writers
        self.rule = rule
        self.inCreate = inCreate
        self.nullable = nullable
    }
}

/// Every field Puente knows, per entity type: the contract the merge engine and the policy read.
public enum FieldCatalog {
    static let shortText = ValueRule.text(maxLength: 1_000)
    static let longText = ValueRule.text(maxLength: 20_000)

    public static let commitment: [String: FieldSpec] = index([
        FieldSpec("title.en", .register, .owner, shortText),
        FieldSpec("title.es", .register, .owner, shortText),
        FieldSpec("summary.en", .register, .owner, longText),
        FieldSpec("summary.es", .register, .owner, longText),
        FieldSpec("pillar", .register, .owner, .oneOf(Pillar.allCases.map(\.rawValue)), nullable: false),
        FieldSpec("area", .register, .owner, .slug),
        FieldSpec("lead", .register, .owner, shortText),
        // Each delegation's own lead agency (an ``AgencyCatalog`` code or text), written by that
        // delegation alone, as its assessment is: who leads on each side.
        FieldSpec("lead.us", .register, .delegation(.us), shortText, inCreate: false),
        FieldSpec("lead.mx", .register, .delegation(.mx), shortText, inCreate: false),
        FieldSpec("priority", .register, .owner, .oneOf(Priority.allCases.map(\.rawValue))),
        // How much it matters to each delegation (arms flows to Mexico, say), each written by
        // that delegation alone; `priority` is the owner's planning rank.
        FieldSpec("priority.us", .register, .delegation(.us), .oneOf(Priority.allCases.map(\.rawValue)), inCreate: false),
        FieldSpec("priority.mx", .register, .delegation(.mx), .oneOf(Priority.allCases.map(\.rawValue)), inCreate: false),
        FieldSpec("due", .register, .owner, .date),
        FieldSpec("status", .register, .owner, .oneOf(CommitmentStatus.allCases.map(\.rawValue)), nullable: false),
        FieldSpec("dialogue", .register, .owner, .link(.dialogue)),
        // The later dialogues that took the commitment up again (reaffirmed or reviewed it):
        // `dialogue` is where it was made.
        FieldSpec("revisited", .set, .owner, .link(.dialogue)),
        FieldSpec("source", .register, .owner, .oneOf(SourceKind.allCases.map(\.rawValue))),
        FieldSpec("citation", .register, .owner, shortText),
        FieldSpec("assessment.us", .register, .delegation(.us), .assessment, inCreate: false),
        FieldSpec("assessment.mx", .register, .delegation(.mx), .assessment, inCreate: false),
        FieldSpec("agencies", .set, .owner, shortText),
        FieldSpec("tags", .set, .owner, .slug),
        FieldSpec("evidence", .set, .anyone, shortText, removers: .adder, inCreate: false),
        FieldSpec("illustrative", .set, .owner, .oneOf(planningFields[.commitment] ?? [])),
    ])

    public static let dialogue: [String: FieldSpec] = index([
        FieldSpec("title.en", .register, .anyone, shortText),
        FieldSpec("title.es", .register, .anyone, shortText),
        FieldSpec("date", .register, .anyone, .dayOrMonth, nullable: false),
        FieldSpec("place", .register, .anyone, shortText),
        FieldSpec("kind", .register, .anyone, .oneOf(DialogueKind.allCases.map(\.rawValue)), nullable: false),
        FieldSpec("statement.en", .register, .anyone, longText),
        FieldSpec("statement.es", .register, .anyone, longText),
        // What was said or decided, in the recorder's words: not the official text, which
        // `statement` quotes.
        FieldSpec("summary.en", .register, .anyone, longText),
        FieldSpec("summary.es", .register, .anyone, longText),
        FieldSpec("participants", .set, .anyone, shortText),
        FieldSpec("source", .register, .anyone, .oneOf(SourceKind.allCases.map(\.rawValue))),
        FieldSpec("citation", .register, .anyone, shortText),
        FieldSpec("readout.us", .register, .delegation(.us), longText, inCreate: false),
        FieldSpec("readout.mx", .register, .delegation(.mx), longText, inCreate: false),
    ])

    public static let indicator: [String: FieldSpec] = index([
        FieldSpec("name.en", .register, .owner, shortText),
        FieldSpec("name.es", .register, .owner, shortText),
        FieldSpec("kind", .register, .owner, .oneOf(IndicatorKind.allCases.map(\.rawValue)), nullable: false),
        // `unit` is the unit in English (its name is kept for the stores and bundles that carry
        // it); `unit.es` in Spanish.
        FieldSpec("unit", .register, .owner, shortText),
        FieldSpec("unit.es", .register, .owner, shortText),
        FieldSpec("baseline", .register, .owner, .decimal),
        FieldSpec("target", .register, .owner, .decimal),
        // When the baseline was measured, and by when the target is to be met.
        FieldSpec("baseline.date", .register, .owner, .date),
        FieldSpec("target.date", .register, .owner, .date),
        // The indicator's values are estimates (half a million weapons a year), not counts.
        FieldSpec("estimate", .register, .owner, .flag),
        FieldSpec("direction", .register, .owner, .oneOf(Direction.allCases.map(\.rawValue)), nullable: false),
        FieldSpec("readings", .series, .owner, .reading, inCreate: false),
        FieldSpec("illustrative", .set, .owner, .oneOf(planningFields[.indicator] ?? [])),
    ])

    public static let note: [String: FieldSpec] = [:]

    /// The fields whose value may be a planning value, which no source states (an invented
    /// deadline, a status or a target set for planning): the owner lists them in the record's
    /// `illustrative` set, and every view marks them. A reading is a measurement, never a
    /// planning value: one no source gives is left out, not marked.
    public static let planningFields: [EntityType: [String]] = [
        .commitment: ["due", "priority", "status"],
        .indicator: ["baseline", "target", "target.date"],
    ]

    /// The fields whose values name an agency: an ``AgencyCatalog`` code, or text as written.
    public static let agencyFields: Set<String> = ["agencies", "lead", "lead.us", "lead.mx"]

    /// The fields of `type`.
    public static func fields(of type: EntityType) -> [String: FieldSpec] {
        switch type {
        case .commitment: return commitment
        case .dialogue: return dialogue
        case .indicator: return indicator
        case .note: return note
        }
    }

    /// Members of a `create` value that are not fields: fixed at creation.
    static let fixedCreateMembers: [EntityType: Set<String>] = [
        .commitment: ["owner", "external_id"],
        .dialogue: ["external_id"],
        .indicator: ["commitment", "external_id"],
        .note: ["parent", "text", "lang"],
    ]

    /// Fields a `create` must give a value.
    static let requiredInCreate: [EntityType: [String]] = [
        .commitment: ["pillar", "status"],
        .dialogue: ["date", "kind"],
        .indicator: ["kind", "direction"],
        .note: [],
    ]

    private static func index(_ specs: [FieldSpec]) -> [String: FieldSpec] {
        Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0) })
    }
}

extension ValueRule {
    /// A short code for why `value` breaks this rule (`date`, `one-of:a,b`, `too-long:1000`…), or nil.
    public func problem(with value: JSONValue) -> String? {
        switch self {
        case .text(let maxLength):
            guard let text = value.stringValue else { return "text" }
            if text.isEmpty { return "text" }
            // U+0000 is refused everywhere text enters (here for every store alike, and by the
            // local checks): SQLite's text functions and C strings end at it, so a title with
            // one would be whole in one place and cut in another.
            if text.utf8.contains(0) { return "nul" }
            return text.unicodeScalars.count > maxLength ? "too-long:\(maxLength)" : nil
        case .slug:
            guard let text = value.stringValue else { return "slug" }
            return Validation.isSlug(text) ? nil : "slug"
        case .oneOf(let allowed):
            guard let text = value.stringValue, allowed.contains(text) else {
                return "one-of:\(allowed.joined(separator: ","))"
            }
            return nil
        case .date:
            guard let text = value.stringValue, Validation.isDate(text) else { return "date" }
            return nil
        case .dayOrMonth:
            guard let text = value.stringValue, Validation.isDate(text) || Validation.isMonth(text) else { return "day-or-month" }
            return nil
        case .flag:
            guard case .bool = value else { return "flag" }
            return nil
        case .decimal:
            guard let text = value.stringValue, Validation.isDecimal(text) else { return "decimal" }
            return nil
        case .link(let type):
            guard let text = value.stringValue, let ref = EntityRef(text: text), ref.type == type else {
                return "link:\(type.rawValue)"
            }
            return nil
        case .assessment:
            guard let object = value.objectValue, let rating = object["rating"]?.stringValue,
                  Rating(rawValue: rating) != nil else { return "assessment" }
            guard Set(object.keys).isSubset(of: ["rating", "why"]) else { return "assessment" }
            if let why = object["why"], ValueRule.text(maxLength: 4_000).problem(with: why) != nil { return "assessment" }
            return nil
        case .reading:
            guard let object = value.objectValue, let date = object["date"]?.stringValue, Validation.isDate(date),
                  let number = object["value"]?.stringValue, Validation.isDecimal(number) else {
                return "reading"
            }
            guard Set(object.keys).isSubset(of: ["date", "value", "source", "from"]) else { return "reading" }
            if let source = object["source"], ValueRule.text(maxLength: 1_000).problem(with: source) != nil { return "reading" }
            // A reading over a period (a year's total, a two-year count) starts at `from`, on or
            // before its date; without `from` it is a value at its date.
            if let from = object["from"] {
                guard let start = from.stringValue, Validation.isDate(start), start <= date else { return "reading-period" }
            }
            return nil
        }
    }
}

/// Small syntactic checks shared by the merge engine and the import reader.
public enum Validation {
    /// `YYYY-MM-DD` with a real month and day.
    public static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 0x2d, bytes[7] == 0x2d else { return false }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9]
        guard digits.allSatisfy({ (0x30...0x39).contains(bytes[$0]) }) else { return false }
        guard let year = Int(String(decoding: bytes[0..<4], as: UTF8.self)),
              let month = Int(String(decoding: bytes[5..<7], as: UTF8.self)),
              let day = Int(String(decoding: bytes[8..<10], as: UTF8.self)) else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return year >= 1900 && (1...12).contains(month) && (1...lengths[month - 1]).contains(day)
    }

    /// `YYYY-MM` with a real month: a date known only to the month.
    public static func isMonth(_ text: String) -> Bool {
        text.utf8.count == 7 && isDate(text + "-01")
    }

    /// An optional minus, digits, and an optional fraction: `-12.5`, `0`, `3000`.
    public static func isDecimal(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 40 else { return false }
        var index = bytes[0] == 0x2d ? 1 : 0
        let start = index
        while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
        guard index > start else { return false }
        if index < bytes.count {
            guard bytes[index] == 0x2e else { return false }
            index += 1
            let fraction = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
            guard index > fraction else { return false }
        }
        return index == bytes.count
    }

    /// Lowercase ASCII letters, digits and single hyphens, 1–64 bytes.
    public static func isSlug(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 64, bytes.first != 0x2d, bytes.last != 0x2d else { return false }
        return bytes.allSatisfy { (0x61...0x7a).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2d }
    }
}
