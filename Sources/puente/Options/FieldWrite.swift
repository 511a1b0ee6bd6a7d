import ArgumentParser
import PuenteKit

/// `set` and `resolve` share this: registers take a value; sets take `+element` or `-element`.
enum FieldWrite {
    static func write(_ replica: Replica, entity: EntityRef, field: String, value: String, clear: Bool, resolve: Bool) throws -> OpID {
        guard let spec = FieldCatalog.fields(of: entity.type)[field] else {
            throw PuenteError(.unknownField, [entity.type.rawValue, field])
        }
        if field.hasPrefix("assessment.") || field.hasPrefix("readout.") {
            throw ValidationError(t("error.use-assess"))
        }
        switch spec.shape {
        case .register:
            let json = clear ? JSONValue.null : try Parse.value(value, for: spec, replica: replica)
            return resolve ? try replica.resolve(entity, field: field, value: json)
                : try replica.set(entity, field: field, value: json)
        case .set:
            guard let sign = value.first, sign == "+" || sign == "-", value.count > 1 else {
                throw ValidationError(t("error.set-sign", field))
            }
            let element = try Parse.value(String(value.dropFirst()), for: spec, replica: replica)
            return sign == "+" ? try replica.addElement(entity, field: field, element: element)
                : try replica.removeElement(entity, field: field, element: element)
        case .series:
            throw ValidationError(t("error.use-record"))
        }
    }
}
