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
        case .invalidValue:
            return t("error.invalid-value", Names.field(a[0]), valueProblem(a[1]))
        case .notInList:
            return t("error.not-in-list", Names.field(a[0]), a[1])
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
        let base = t("bundle.\(error.problem)")
        if ["certificate", "revocation", "rotation"].contains(error.problem) {
            let parts = error.detail.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if let code = parts.first, Catalog.phrases["trust.\(code)"] != nil {
                return base + ": " + t("trust.\(code)", parts.count > 1 ? parts[1] : "")
            }
        }
        return base + (error.detail.isEmpty ? "" : " (\(error.detail))")
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
    static func valueProblem(_ code: String) -> String {
        let parts = code.split(separator: ":", maxSplits: 1).map(String.init)
        let argument = parts.count > 1 ? parts[1].replacingOccurrences(of: ",", with: ", ") : ""
        let key = "value.\(parts.first ?? code)"
        return Catalog.phrases[key] != nil ? t(key, argument) : code
    }
}
