import Foundation
import PuenteKit

/// Sentences for Puente's errors and reasons, in the display language.
enum Messages {
    static func describe(_ error: PuenteError) -> String {
        let a = error.arguments + Array(repeating: "", count: 3)
        switch error.code {
        case .refused:
            return t("error.refused", Names.field(a[1])) + " " + (error.reason.map(reason) ?? "")
        case .ambiguousID:
            return t("error.ambiguous-id", a[0], error.arguments.dropFirst().joined(separator: ", "))
        case .unknownField:
            return t("error.unknown-field", a[1], a[0], knownFields(EntityType(rawValue: a[0])))
                + Parse.didYouMean(a[2].isEmpty ? nil : a[2])
        case .invalidValue:
            return t("error.invalid-value", Names.field(a[0]), valueProblem(a[1]))
        case .notInList:
            return t("error.not-in-list", Names.field(a[0]), a[1])
        case .noRecipient:
            guard let delegation = Delegation(rawValue: a[0]) else { return t("error.no-recipient-any") }
            return t("error.no-recipient", Names.delegation(delegation))
        default:
            return t("error.\(error.code.rawValue)", a[0], a[1], a[2])
        }
    }

    static func knownFields(_ type: EntityType?) -> String {
        guard let type else { return "" }
        return FieldCatalog.fields(of: type).keys.sorted().joined(separator: ", ")
    }

    /// A whole-bundle refusal; a bad trust document says what is wrong with it.
    static func describe(_ error: BundleError) -> String {
        if error.code == .notForThisDesk { return t("bundle.not-for-this-desk", audience(error.detail)) }
        let base = t("bundle.\(error.problem)")
        if ["certificate", "revocation", "rotation"].contains(error.problem) {
            let parts = error.detail.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if let code = parts.first, Catalog.phrases["trust.\(code)"] != nil {
                return base + ": " + t("trust.\(code)", parts.count > 1 ? parts[1] : "")
            }
        }
        return base + (error.detail.isEmpty ? "" : " (\(error.detail))")
    }

    /// Who an encrypted bundle says it is for (`mx=3 us=1`, or a count of desks), in words:
    /// "3 desk(s) of Mexico and 1 desk(s) of the United States".
    static func audience(_ detail: String) -> String {
        if let count = Int(detail) { return t("audience.desks", count) }
        let parts = detail.split(separator: " ").compactMap { part -> String? in
            let pair = part.split(separator: "=")
            guard pair.count == 2, let delegation = Delegation(rawValue: String(pair[0])), let count = Int(pair[1]) else { return nil }
            return t("audience.\(delegation.rawValue)", count)
        }
        return parts.isEmpty ? t("audience.desks", 0) : parts.joined(separator: t("word.and"))
    }

    static func describe(_ error: ImportFileError) -> String {
        if error.problem == "syntax" {
            return t("import.syntax", error.path, error.detail ?? "")
        }
        return t("import.bad", error.path, valueProblem(error.problem))
    }

    /// Why a pending or rejected operation is so, and who may do it where that is the reason.
    static func reason(_ reason: OpReason) -> String {
        let a = reason.arguments + ["", ""]
        let who = reason.arguments.compactMap(Delegation.init(rawValue:)).map(Names.delegation).joined(separator: t("word.and"))
        switch reason.code {
        case .ownerOnly, .delegationOnly, .adderOnly:
            return t("reason.\(reason.code.rawValue)", who)
        case .invalidValue:
            return t("reason.invalid-value", Names.field(a[0]), valueProblem(a[1]))
        case .ownerNotOwnDelegation:
            return t("reason.owner-not-own-delegation", Names.delegation(Delegation(rawValue: a[0]) ?? .us))
        default:
            return t("reason.\(reason.code.rawValue)", a[0], a[1])
        }
    }

    /// A value-rule problem code (`date`, `one-of:a,b`, `too-long:1000`…) as a sentence.
    /// What is wrong with a date typed as `YYYY-MM-DD` whose month, day or year does not exist
    /// ("month 13 does not exist"); nil when it is not in that shape (or is a real date).
    static func dateProblem(_ text: String) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) }) else { return nil }
        guard (1...12).contains(month) else { return t("date.month", String(parts[1])) }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return t("date.day", String(parts[2]), "\(parts[0])-\(parts[1])", days) }
        guard year >= 1900 else { return t("date.year", String(parts[0])) }
        return nil
    }

    /// ``valueProblem(_:)`` for the value typed: a date that does not exist says which part.
    static func valueProblem(_ code: String, typed: String) -> String {
        if code == "date", let problem = dateProblem(typed) { return problem }
        return valueProblem(code)
    }

    static func valueProblem(_ code: String) -> String {
        let parts = code.split(separator: ":", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1].replacingOccurrences(of: ",", with: ", ") : ""
        let key = "value.\(parts.first ?? code)"
        return Catalog.phrases[key] != nil ? t(key, argument) : code
    }
}
