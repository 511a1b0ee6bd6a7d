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
        try read { tx in
            let db = tx.db
            let hasher = try SHA256Hasher()
            // Rows are read by column position, in the order each query selects them.
            func line(_ value: JSONValue) {
                hasher.update(CanonicalJSON.encode(value))
                hasher.update([0x0a])
            }
            let entities = try Row.fetchCursor(db, sql: """
                SELECT id, owner, parent, external_id, retracted FROM entity WHERE state = 'accepted' ORDER BY id
                """)
            while let row = try entities.next() {
                line(["e", .string(row[0]), optional(row[1]), optional(row[2]), optional(row[3]), .bool(row[4] as Int == 1)])
            }
            let registers = try Row.fetchCursor(db, sql: """
                SELECT n.id, v.field, r.id, v.seq, v.value FROM register_value v
                JOIN entity_name n ON n.key = v.entity JOIN replica r ON r.key = v.author ORDER BY n.id, v.field, r.id, v.seq
                """)
            while let row = try registers.next() {
                line(["r", .string(row[0]), .string(row[1]), .string(row[2]), .int(row[3]), .string(row[4])])
            }
            let elements = try Row.fetchCursor(db, sql: """
                SELECT n.id, s.field, s.element, r.id, s.seq FROM set_element s
                JOIN entity_name n ON n.key = s.entity JOIN replica r ON r.key = s.author ORDER BY n.id, s.field, s.element, r.id, s.seq
                """)
            while let row = try elements.next() {
                line(["s", .string(row[0]), .string(row[1]), .string(row[2]), .string(row[3]), .int(row[4])])
            }
            let entries = try Row.fetchCursor(db, sql: """
                SELECT n.id, e.field, r.id, e.seq, e.value, e.retracted FROM series_entry e
                JOIN entity_name n ON n.key = e.entity JOIN replica r ON r.key = e.author ORDER BY n.id, e.field, r.id, e.seq
                """)
            while let row = try entries.next() {
                line(["t", .string(row[0]), .string(row[1]), .string(row[2]), .int(row[3]), .string(row[4]),
                      .bool(row[5] as Int == 1)])
            }
            let state = hasher.finish().hex

            // The trust fingerprint: the resolved configuration, not how it was reached — each
            // delegation's current root and version, every trusted author and its delegation,
            // every cut. A store's own key counts like any other author.
            let trust = try TrustMap.load(db)
            let trustHasher = try SHA256Hasher()
            func trustLine(_ value: JSONValue) {
                trustHasher.update(CanonicalJSON.encode(value))
                trustHasher.update([0x0a])
            }
            for (delegation, root) in trust.resolved.roots.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let line: [JSONValue] = [.string("root"), .string(delegation.rawValue), .string(root.current.hex), .int(root.version)]
                trustLine(.array(line + (root.disputed ? [.string("disputed")] : [])))
            }
            for (author, delegation) in trust.resolved.delegations.sorted(by: { $0.key < $1.key }) {
                trustLine(["author", .string(author.hex), .string(delegation.rawValue)])
            }
            for (replica, cut) in trust.cuts.sorted(by: { $0.key < $1.key }) {
                trustLine(["cut", .string(replica.hex), .int(cut.from), .string(cut.reason.text)])
            }
            return StateDigest(state: state, trust: trustHasher.finish().hex)
        }
    }

    private func optional(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }
}
