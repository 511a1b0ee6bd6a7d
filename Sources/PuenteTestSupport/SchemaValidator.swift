import Foundation
import PuenteKit

/// A JSON Schema (2020-12) validator for the keywords Puente's schemas use.
///
/// It refuses a schema that uses any other validation keyword, so a check can never be
/// skipped silently.
public struct SchemaValidator {
    public let root: JSONValue

    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "$defs"]
    static let keywords: Set<String> = ["type", "const", "enum", "required", "properties", "additionalProperties",
                                        "pattern", "minLength", "maxLength", "minimum", "maximum", "minItems",
                                        "maxItems", "minProperties", "items", "$ref", "if", "then", "else", "not"]

    public init(schemaFile path: String) throws {
        root = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// Every violation of the schema by `value`, as `path: problem` lines; empty when valid.
    public func violations(of value: JSONValue) -> [String] {
        var out = [String]()
        check(value, against: root, at: "$", into: &out)
        return out
    }

    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: JSONValue? = root
        for part in reference.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node
    }

    private func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    private func check(_ value: JSONValue, against schema: JSONValue, at path: String, into out: inout [String]) {
        guard let rules = schema.objectValue else {
            out.append("\(path): schema is not an object")
            return
        }
        for key in rules.keys where !Self.keywords.contains(key) && !Self.annotations.contains(key) {
            out.append("\(path): unsupported schema keyword \(key)")
        }
        if let reference = rules["$ref"]?.stringValue {
            guard let target = resolve(reference) else {
                out.append("\(path): unresolvable $ref \(reference)")
                return
            }
            check(value, against: target, at: path, into: &out)
        }
        if let type = rules["type"] {
            let allowed = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
            let actual = typeName(value)
            if !allowed.contains(actual) && !(actual == "integer" && allowed.contains("number")) {
                out.append("\(path): expected \(allowed.joined(separator: "|")), found \(actual)")
                return
            }
        }
        if let condition = rules["if"] {
            var probe = [String]()
            check(value, against: condition, at: path, into: &probe)
            if let branch = probe.isEmpty ? rules["then"] : rules["else"] { check(value, against: branch, at: path, into: &out) }
        }
        if let negated = rules["not"] {
            var probe = [String]()
            check(value, against: negated, at: path, into: &probe)
            if probe.isEmpty { out.append("\(path): matches a schema it must not") }
        }
        if let constant = rules["const"], constant != value { out.append("\(path): expected the constant value") }
        if let options = rules["enum"]?.arrayValue, !options.contains(value) { out.append("\(path): not one of the allowed values") }
        if case .string(let text) = value {
            let length = text.unicodeScalars.count
            if let min = rules["minLength"]?.intValue, length < min { out.append("\(path): shorter than \(min)") }
            if let max = rules["maxLength"]?.intValue, length > max { out.append("\(path): longer than \(max)") }
            if let pattern = rules["pattern"]?.stringValue {
                let matches = (try? NSRegularExpression(pattern: pattern))
                    .map { $0.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil } ?? false
                if !matches { out.append("\(path): does not match \(pattern)") }
            }
        }
        if case .int(let number) = value {
            if let min = rules["minimum"]?.intValue, number < min { out.append("\(path): below \(min)") }
            if let max = rules["maximum"]?.intValue, number > max { out.append("\(path): above \(max)") }
        }
        if case .array(let items) = value {
            if let min = rules["minItems"]?.intValue, items.count < min { out.append("\(path): fewer than \(min) items") }
            if let max = rules["maxItems"]?.intValue, items.count > max { out.append("\(path): more than \(max) items") }
            if let itemSchema = rules["items"] {
                for (index, item) in items.enumerated() { check(item, against: itemSchema, at: "\(path)[\(index)]", into: &out) }
            }
        }
        if case .object(let members) = value {
            for key in rules["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil {
                out.append("\(path): missing \(key)")
            }
            if let min = rules["minProperties"]?.intValue, members.count < min { out.append("\(path): fewer than \(min) members") }
            let properties = rules["properties"]?.objectValue ?? [:]
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                if let propertySchema = properties[key] {
                    check(member, against: propertySchema, at: "\(path).\(key)", into: &out)
                } else if rules["additionalProperties"] == .bool(false) {
                    out.append("\(path): unexpected member \(key)")
                }
            }
        }
    }
}

/// Where the repository's folders are, found from this source file.
public enum Repository {
    public static var root: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }

    public static func path(_ relative: String) -> String { root + "/" + relative }
}
