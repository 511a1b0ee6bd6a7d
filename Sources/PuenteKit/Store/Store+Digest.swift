import GRDB
import PuenteCrypto

/// The state digest and the trust fingerprint of the design.
public struct StateDigest: Sendable, Equatable {
    /// SHA-256 of the canonical listing of the accepted state.
    public let state: String
    /// SHA-256 of the trust configuration.
    public let trust: String
}

extension Store {
    /// Hashes a canonical listing of the materialized state: entities with their fixed members,
    /// then per (entity, field) the live op ids and values, set elements with their live adds,
    /// and series entries with retraction marks. Pending, held and rejected operations, local
    /// keys and clock, dates of today and the display language play no part.
    func digest() throws -> StateDigest {
        try read { db in
            let hasher = try SHA256Hasher()
            func line(_ value: JSONValue) {
                hasher.update(CanonicalJSON.encode(value))
                hasher.update([0x0a])
            }
            let entities = try Row.fetchCursor(db, sql: """
                SELECT id, owner, parent, external_id, retracted FROM entity WHERE state = 'accepted' ORDER BY id
                """)
            while let row = try entities.next() {
                line(["e", .string(row["id"]), optional(row["owner"]), optional(row["parent"]),
                      optional(row["external_id"]), .bool(row["retracted"] as Int == 1)])
            }
            let registers = try Row.fetchCursor(db, sql: """
                SELECT entity, field, replica, seq, value FROM register_value ORDER BY entity, field, replica, seq
                """)
            while let row = try registers.next() {
                line(["r", .string(row["entity"]), .string(row["field"]), .string(row["replica"]), .int(row["seq"]),
                      .string(row["value"])])
            }
            let elements = try Row.fetchCursor(db, sql: """
                SELECT entity, field, element, replica, seq FROM set_element ORDER BY entity, field, element, replica, seq
                """)
            while let row = try elements.next() {
                line(["s", .string(row["entity"]), .string(row["field"]), .string(row["element"]), .string(row["replica"]),
                      .int(row["seq"])])
            }
            let entries = try Row.fetchCursor(db, sql: """
                SELECT entity, field, replica, seq, value, retracted FROM series_entry ORDER BY entity, field, replica, seq
                """)
            while let row = try entries.next() {
                line(["t", .string(row["entity"]), .string(row["field"]), .string(row["replica"]), .int(row["seq"]),
                      .string(row["value"]), .bool(row["retracted"] as Int == 1)])
            }
            let state = hasher.finish().hex

            let trustHasher = try SHA256Hasher()
            for row in try Row.fetchAll(db, sql: "SELECT id, delegation, role FROM replica WHERE trusted = 1 ORDER BY id") {
                trustHasher.update(CanonicalJSON.encode(["key", .string(row["id"]), .string(row["delegation"]), .string(row["role"])]))
                trustHasher.update([0x0a])
            }
            return StateDigest(state: state, trust: trustHasher.finish().hex)
        }
    }

    private func optional(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }
}
