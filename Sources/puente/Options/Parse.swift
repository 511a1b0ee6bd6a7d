import Foundation
import ArgumentParser
import PuenteKit

/// Checks of command-line values, failing as usage errors (exit 64) in the user's language.
enum Parse {
    static func check(_ rule: ValueRule, _ value: String, _ option: String) throws {
        if let problem = rule.problem(with: .string(value)) {
            throw ValidationError(t("error.option", option, value, Messages.valueProblem(problem, typed: value)))
        }
    }

    /// The code among `codes` that `text` names: the code, or the word Puente displays for it
    /// in either language (``InputWords``; `words` names the catalog's words, e.g. `status`).
    /// Otherwise a usage error that lists the codes and suggests the closest.
    static func choice(_ text: String, among codes: [String], words: String?, _ option: String) throws -> String {
        if let code = InputWords.code(text, among: codes, words: words) { return code }
        throw ValidationError(t("error.option", option, text, Messages.valueProblem("one-of:" + codes.joined(separator: ",")))
                              + didYouMean(InputWords.suggestion(text, among: codes, words: words)))
    }

    /// The planning-value marks typed after `--illustrative`, as codes (a field's code or its
    /// name as displayed, in either language): each must be a planning field of `type` and one
    /// the command gives a value (`given`), since a mark on nothing would mark nothing.
    static func planningMarks(_ typed: [String], of type: EntityType, given: Set<String>) throws -> [String] {
        try typed.map { text in
            let field = try choice(text, among: FieldCatalog.planningFields[type] ?? [], words: "field", "--illustrative")
            guard given.contains(field) else {
                throw ValidationError(t("error.option", "--illustrative", text, Messages.valueProblem("illustrative-unset")))
            }
            return field
        }
    }

    /// " Did you mean 'x'?" in the user's language, or nothing.
    static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { " " + t("error.did-you-mean", $0) } ?? ""
    }

    /// A delegation as a desk officer may type it, in either language, case and accents folded:
    /// `us`, `usa`, `United States`, `EE. UU.`, `Estados Unidos`; `mx`, `Mexico`, `México`.
    static func delegation(_ text: String) -> Delegation? {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .filter { $0.isLetter }
        switch folded {
        case "us", "usa", "unitedstates", "eeuu", "eua", "estadosunidos": return .us
        case "mx", "mex", "mexico": return .mx
        default: return nil
        }
    }

    /// The JSON value a command-line text stands for in `field` of an entity of `type` (text, a
    /// resolved link, or the code a displayed word names).
    static func value(_ text: String, for spec: FieldSpec, of type: EntityType, replica: Replica) throws -> JSONValue {
        if case .link(let type) = spec.rule {
            return .string(try replica.resolveID(text, as: type).text)
        }
        let words = InputWords.valueWords(field: spec.name, type: type)
        if case .oneOf(let codes) = spec.rule {
            return .string(try choice(text, among: codes, words: words, spec.name))
        }
        // A built-in area may be typed as it is displayed; any other area is kept as typed.
        if spec.name == "area", let area = InputWords.code(text, among: BuiltInArea.allCases.map(\.rawValue), words: words) {
            return .string(area)
        }
        // A known agency is stored by its code, however it is typed (`FGR`, "Fiscalía General…").
        if FieldCatalog.agencyFields.contains(spec.name), let agency = InputWords.agency(text) { return .string(agency) }
        let value = JSONValue.string(text)
        if let problem = spec.rule.problem(with: value) {
            throw ValidationError(t("error.option", spec.name, text, Messages.valueProblem(problem, typed: text)))
        }
        return value
    }
}
