import Foundation
import GRDB
import PropertyBased
@testable import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// The log keeps an operation as the members it cannot derive (`OperationRow`), and gives
/// back exactly the canonical bytes that were signed, or nothing.
@Suite struct OperationRowTests {
    static func randomHex(_ count: Int, _ rng: inout SplitMix) -> String {
        let digits = Array("0123456789abcdef")
        return String((0..<count).map { _ in digits[Int.random(in: 0..<16, using: &rng)] })
    }

    static func randomText(_ rng: inout SplitMix) -> String {
        let pieces = ["a", "Ñ", "é", "\"", "\\", "\n", "\u{0}", "\u{1f}", "\u{202e}", "😀", " ", "/", "<b>", "=1+1", "\u{7f}", "漢"]
        return (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng) ?? "" }.joined()
    }

    static func randomValue(_ rng: inout SplitMix, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0...(depth < 3 ? 6 : 3), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        // Integers an operation may carry: exactly representable as IEEE doubles (DESIGN).
        case 2: return .int(Int64.random(in: -(1 << 53)...(1 << 53), using: &rng) >> Int64.random(in: 0...53, using: &rng))
        case 3: return .string(randomText(&rng))
        case 4: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        default:
            var object = [String: JSONValue]()
            for _ in 0..<Int.random(in: 0...4, using: &rng) { object[randomText(&rng)] = randomValue(&rng, depth: depth + 1) }
            return .object(object)
        }
    }

    /// Over random chains — values with escapes, controls, bidi marks and non-ASCII text,
    /// references to replicas this store has a key for and to ones it has never seen, any
    /// clock — each operation read back (alone, its `prev` from the row before it, or in a
    /// run of its chain) is byte for byte the operation stored, with its hash.
    @Test func everyOperationReadsBackAsItsCanonicalBytes() async throws {
        let folder = try TemporaryFolder()
        let count = Counter()
        await propertyCheck(count: 60, input: Gen.int(in: 0...Int.max)) { seed in
            do {
                // A store of its own for each case (a case may run again, with the same seed).
                let queue = try DatabaseQueue(path: folder.sub("store-\(UUID().uuidString).sqlite"))
                try await queue.write { db in try Schema.create(db) }
                try await queue.write { db in
                    var rng = SplitMix(state: UInt64(seed) ^ 0x0b5e)
                    let keys = try OperationKeys(db)
                    var registered = [ReplicaID]()
                    for _ in 0..<2 {
                        let id = try #require(ReplicaID(hex: Self.randomHex(64, &rng)))
                        try db.execute(sql: """
                            INSERT INTO replica (id, delegation, name, signing_key, trusted, head_hash) VALUES (?, 'mx', 'x', zeroblob(32), 0, ?)
                            """, arguments: [id.hex, Op.genesisPrev])
                        registered.append(id)
                    }
                    let strangers = try (0..<2).map { _ in try #require(ReplicaID(hex: Self.randomHex(64, &rng))) }
                    var written = [Op]()
                    for author in registered {
                        var prev = Op.genesisPrev
                        var millis = UInt64.random(in: 0...HLCTimestamp.maxMillis / 2, using: &rng)
                        for seq in Int64(1)...Int64.random(in: 1...6, using: &rng) {
                            millis += UInt64.random(in: 0...1_000, using: &rng)
                            let refs = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                                let target = Bool.random(using: &rng) ? registered.randomElement(using: &rng) : strangers.randomElement(using: &rng)
                                return OpRef(target: OpID(replica: target ?? author, seq: Int64.random(in: 1...Int64.max, using: &rng)),
                                             hashPrefix: Self.randomHex(16, &rng))
                            }
                            let entity = EntityRef(type: EntityType.allCases.randomElement(using: &rng) ?? .note,
                                                   id: EntityRef.uuid(fromDigest: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }))
                            let op = Op(replica: author, seq: seq,
                                        hlc: HLCTimestamp(millis: millis, counter: UInt16.random(in: 0...UInt16.max, using: &rng)),
                                        prev: prev, entity: entity.text, kind: OpKind.allCases.randomElement(using: &rng) ?? .set,
                                        field: ["", "title.en", "status", "a-b_c.9"].randomElement(using: &rng) ?? "",
                                        value: Self.randomValue(&rng), refs: refs)
                            try OperationRow.insert(db, op, hash: op.hash, arrived: Int64(millis), keys: keys)
                            written.append(op)
                            prev = op.hash
                        }
                    }
                    let one = try db.makeStatement(sql: """
                        SELECT \(OperationRow.columns) FROM \(OperationRow.from)
                        WHERE o.author = (SELECT key FROM replica WHERE id = ?) AND o.seq = ?
                        """)
                    for op in written {
                        let row = try #require(try Row.fetchOne(one, arguments: [op.replica.hex, op.seq]))
                        let read = try OperationRow.op(row, keys: try OperationKeys(db))
                        #expect(read.canonicalBytes == op.canonicalBytes)
                        #expect(read.hash == op.hash)
                        #expect(read.refs == op.refs && read.value == op.value && read.entity == op.entity)
                        count.add(1)
                    }
                    for author in registered {
                        let run = try StoreTransaction(db).operations(of: author, after: 0)
                        #expect(run == written.filter { $0.replica == author })
                    }
                }
            } catch {
                Issue.record(error)
            }
        }
        #expect(count.value >= 120)
    }

    /// A row changed behind the store's back (its value, a reference, its clock) no longer
    /// rebuilds to the bytes its hash names, and is refused rather than taken for the
    /// operation that was signed.
    @Test func aChangedRowIsRefused() throws {
        let group = try ReplicaGroup([.us])
        let us = group.replicas[0]
        let entity = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "Operation Southbound", pillar: .prevent))
        try us.set(entity, field: "status", value: .string("agreed"))
        try us.set(entity, field: "status", value: .string("in-progress"))
        for change in ["value = CAST('\"stalled\"' AS BLOB)", "refs = NULL", "millis = millis + 1", "counter = counter + 1",
                       "field = 'priority'", "kind = 1 - kind"] {
            let copy = try TemporaryFolder()
            try FileManager.default.copyItem(atPath: us.folder, toPath: copy.sub("store"))
            try DatabaseQueue(path: copy.sub("store") + "/" + Replica.databaseFile).write { db in
                try db.execute(sql: "UPDATE operation SET \(change) WHERE seq = 3")
                #expect(db.changesCount == 1)
            }
            let damaged = try Replica.open(folder: copy.sub("store"))
            let error = #expect(throws: PuenteError.self, "\(change)") { try damaged.operations(of: us.identity.replica) }
            #expect(error?.code == .storeUnreadable, "\(change)")
        }
        #expect(try Replica.open(folder: us.folder).operations(of: us.identity.replica).count == 3)
    }
}
