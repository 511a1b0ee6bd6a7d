import ArgumentParser
import PuenteKit

/// `set` and `resolve` share this: registers take a value; sets take `+element` or `-element`.
enum FieldWrite {
    /// What a write did: the operation written, or nothing because `set` was given the value the
    /// field already holds (one live value, equal).
    enum Outcome {
        case written(OpID)
        case unchanged(JSONValue)
    }

    /// The field `typed` names on an entity of `type`: its code, or its name as displayed in
    /// either language, or as `add` names it (``InputWords/field(_:of:)``).
    static func field(_ typed: String, of type: EntityType) throws -> String {
        guard let field = InputWords.field(typed, of: type) else {
            throw PuenteError(.unknownField, [type.rawValue, typed, InputWords.fieldSuggestion(typed, of: type) ?? ""])
        }
        return field
    }

    /// Whether the register already holds `value` and only it (an unset field holds null): a
    /// `set` or an `update` of it would write nothing new.
    static func holds(_ replica: Replica, _ entity: EntityRef, _ field: String, _ value: JSONValue) throws -> Bool {
        let live = try replica.registerValues(entity, field: field)
        return live.count == 1 ? live[0].value == value : live.isEmpty && value == .null
    }

    /// A list change as typed: `+x` adds x, `-x` removes it; without a sign, an add where the
    /// command allows it (`update --tag x`), else a usage mistake (`set ID tags x`).
    static func element(_ typed: String, field: String, spec: FieldSpec, of type: EntityType, replica: Replica,
                        signRequired: Bool) throws -> (add: Bool, element: JSONValue) {
        let signed = typed.hasPrefix("+") || typed.hasPrefix("-")
        let text = signed ? String(typed.dropFirst()) : typed
        guard !text.isEmpty, signed || !signRequired else { throw ValidationError(t("error.set-sign", field)) }
        return (!typed.hasPrefix("-"), try Parse.value(text, for: spec, of: type, replica: replica))
    }

    static func write(_ replica: Replica, entity: EntityRef, field: String, value: String, clear: Bool, resolve: Bool) throws -> Outcome {
        guard let spec = FieldCatalog.fields(of: entity.type)[field] else {
            throw PuenteError(.unknownField, [entity.type.rawValue, field, ""])
        }
        if field.hasPrefix("assessment.") || field.hasPrefix("readout.") {
            throw ValidationError(t("error.use-assess"))
        }
        switch spec.shape {
        case .register:
            let json = clear ? JSONValue.null : try Parse.value(value, for: spec, of: entity.type, replica: replica)
            if resolve { return .written(try replica.resolve(entity, field: field, value: json)) }
            // A resolve always writes (it settles a conflict); a set of the value held writes nothing.
            if try holds(replica, entity, field, json) { return .unchanged(json) }
            return .written(try replica.set(entity, field: field, value: json))
        case .set:
            let change = try element(value, field: field, spec: spec, of: entity.type, replica: replica, signRequired: true)
            return .written(change.add ? try replica.addElement(entity, field: field, element: change.element)
                : try replica.removeElement(entity, field: field, element: change.element))
        case .series:
            throw ValidationError(t("error.use-record"))
        }
    }
}
