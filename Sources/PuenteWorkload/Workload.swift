import Foundation

/// The shared peer workload (`../shared/bench/dump_workload.py`): N records, the edits replica A
/// makes, and the edits replica B makes concurrently, exactly as the peer engines replay them.
public struct Workload: Sendable {
    /// One record as the workload creates it.
    public struct Record: Sendable {
        public let id: String
        public let titleEN: String
        public let titleES: String
        public let description: String
        public let owner: String
        public let pillar: String
        public let status: String
        public let due: String
        public let priority: Int
        public let tags: [String]
        public let notes: [String]
        /// Indicator name → value, in the file's order.
        public let indicators: [(name: String, value: Int)]
    }

    /// One edit: `set` of a scalar field, `tag_add`, `tag_del`, `note` or `ind` (an indicator value).
    public struct Edit: Sendable {
        public enum Kind: String, Sendable {
            case set
            case tagAdd = "tag_add"
            case tagDel = "tag_del"
            case note
            case ind
        }

        public let record: String
        public let kind: Kind
        public let field: String
        /// The value: text, or an integer (priority, indicator value).
        public let text: String?
        public let number: Int?
    }

    public let records: [Record]
    public let editsA: [Edit]
    public let editsB: [Edit]

    /// Every edit, both replicas.
    public var editCount: Int { editsA.count + editsB.count }

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// Reads `records.jsonl`, `ops_a.jsonl` and `ops_b.jsonl` from `folder`.
    public static func load(folder: String) throws -> Workload {
        let records = try lines(folder + "/records.jsonl").map(record)
        return Workload(records: records, editsA: try lines(folder + "/ops_a.jsonl").map(edit),
                        editsB: try lines(folder + "/ops_b.jsonl").map(edit))
    }

    private static func lines(_ path: String) throws -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: path) else { throw LoadError(description: "cannot read \(path)") }
        return try data.split(separator: 0x0a).map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw LoadError(description: "\(path): a line is not an object")
            }
            return object
        }
    }

    private static func record(_ object: [String: Any]) throws -> Record {
        func text(_ key: String) throws -> String {
            guard let value = object[key] as? String else { throw LoadError(description: "record: \(key)") }
            return value
        }
        guard let priority = object["priority"] as? Int, let tags = object["tags"] as? [String],
              let notes = object["notes"] as? [String], let indicators = object["indicators"] as? [String: Int] else {
            throw LoadError(description: "record: priority, tags, notes or indicators")
        }
        return Record(id: try text("id"), titleEN: try text("title_en"), titleES: try text("title_es"),
                      description: try text("description"), owner: try text("owner"), pillar: try text("pillar"),
                      status: try text("status"), due: try text("due"), priority: priority, tags: tags, notes: notes,
                      indicators: indicators.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    private static func edit(_ object: [String: Any]) throws -> Edit {
        guard let record = object["record"] as? String, let kindText = object["kind"] as? String,
              let kind = Edit.Kind(rawValue: kindText), let field = object["field"] as? String else {
            throw LoadError(description: "edit: record, kind or field")
        }
        let value = object["value"]
        return Edit(record: record, kind: kind, field: field, text: value as? String, number: value as? Int)
    }
}
