import ArgumentParser
import PuenteKit

/// Checks of command-line values, failing as usage errors (exit 64) in the user's language.
enum Parse {
    static func check(_ rule: ValueRule, _ value: String, _ option: String) throws {
        if let problem = rule.problem(with: .string(value)) {
            throw ValidationError(t("error.option", option, value, Messages.valueProblem(problem)))
        }
    }

    /// The JSON value a command-line text stands for in `field` (text, or a resolved link).
    static func value(_ text: String, for spec: FieldSpec, replica: Replica) throws -> JSONValue {
        if case .link(let type) = spec.rule {
            return .string(try replica.resolveID(text, as: type).text)
        }
        let value = JSONValue.string(text)
        if let problem = spec.rule.problem(with: value) {
            throw ValidationError(t("error.option", spec.name, text, Messages.valueProblem(problem)))
        }
        return value
    }
}
