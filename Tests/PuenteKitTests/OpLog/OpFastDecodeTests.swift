import Foundation
import PropertyBased
import PuenteCrypto
@testable import PuenteKit
import Testing

/// The member-by-member reader of operations (`Op.decodedFast`) against the full path by its
/// definition: parse the whole JSON text, check each member, and encode it again to the same bytes.
@Suite(.timeLimit(.minutes(20))) struct OpFastDecodeTests {
    /// What decoding must give, by definition, or nil.
    static func byDefinition(_ bytes: [UInt8]) -> Op? {
        guard let json = try? CanonicalJSON.decodeCanonical(bytes), let op = try? Op(json: json), op.canonicalBytes == bytes
        else { return nil }
        return op
    }

    static func hex(_ count: Int, _ rng: inout SplitMix) -> String {
        String((0..<count).map { _ in "0123456789abcdef".randomElement(using: &rng) ?? "0" })
    }

    /// A valid operation with random members (its value from the canonical JSON tests' generator).
    static func operation(_ rng: inout SplitMix) -> Op {
        let replica = ReplicaID(signingKey: Array(hex(8, &rng).utf8))
        let types = ["commitment", "dialogue", "indicator", "note"]
        let uuid = hex(8, &rng) + "-" + hex(4, &rng) + "-8" + hex(3, &rng) + "-" + "89ab".randomElement(using: &rng).map(String.init)!
            + hex(3, &rng) + "-" + hex(12, &rng)
        let fields = ["", "status", "title.en", "assessment.mx", "due_date", "tags", "x-1"]
        let refs = (0..<Int.random(in: 0...3, using: &rng)).compactMap { _ in
            OpRef(text: hex(64, &rng) + ":" + String(Int64.random(in: 1...9_007_199_254_740_991, using: &rng)) + ":" + hex(16, &rng))
        }
        let millis = UInt64.random(in: 0...0xffff_ffff_ffff, using: &rng)
        let hlc = HLCTimestamp(text: String(String(millis, radix: 16).reversed()).padding(toLength: 12, withPad: "0", startingAt: 0)
            .reversed() + "-" + hex(4, &rng)) ?? .zero
        return Op(replica: replica, seq: Int64.random(in: 1...9_007_199_254_740_991, using: &rng), hlc: hlc, prev: hex(64, &rng),
                  entity: (types.randomElement(using: &rng) ?? "note") + "/" + uuid,
                  kind: OpKind.allCases.randomElement(using: &rng) ?? .set, field: fields.randomElement(using: &rng) ?? "",
                  value: CanonicalParserLawTests.value(&rng), refs: refs)
    }

    /// Every valid operation is read on the fast path, to the same operation; every text a few
    /// edits away is either refused by the fast path (the full path then decides) or read by
    /// both, alike.
    @Test func theFastReaderAgreesWithTheDefinition() async {
        await propertyCheck(count: 2000, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = SplitMix(state: UInt64(seed))
            let op = Self.operation(&rng)
            #expect(Self.byDefinition(op.canonicalBytes) == op, "seed \(seed)")
            let fast = Op.decodedFast(op.canonicalBytes, hash: nil)
            #expect(fast == op && fast?.hash == op.hash && fast?.refs == op.refs && fast?.value == op.value, "seed \(seed)")
            #expect((try? Op(canonicalBytes: op.canonicalBytes))?.hash == op.hash)
            for _ in 0..<4 {
                let bytes = CanonicalParserLawTests.mutated(op.canonicalBytes, &rng)
                if let read = Op.decodedFast(bytes, hash: nil) {
                    #expect(Self.byDefinition(bytes) == read, "seed \(seed): \(String(decoding: bytes, as: UTF8.self))")
                }
                #expect((try? Op(canonicalBytes: bytes)) == Self.byDefinition(bytes), "seed \(seed)")
            }
        }
    }

    /// Texts that are not operations, each a small step from one: both paths refuse them.
    @Test func nearMissesAreRefusedOnBothPaths() throws {
        let op = Op(replica: ReplicaID(signingKey: [1, 2, 3]), seq: 42, hlc: HLCTimestamp(text: "019a8c3f2b10-0003") ?? .zero,
                    prev: Op.genesisPrev, entity: "commitment/3b7a2bf5-6a8f-820a-abef-4b61e09f34fe", kind: .set, field: "status",
                    value: "stalled", refs: [])
        let text = String(decoding: op.canonicalBytes, as: UTF8.self)
        #expect(Op.decodedFast(op.canonicalBytes, hash: nil) == op)
        let misses = [
            text.replacingOccurrences(of: "\"seq\":42", with: "\"seq\":042"),
            text.replacingOccurrences(of: "\"seq\":42", with: "\"seq\":0"),
            text.replacingOccurrences(of: "\"seq\":42", with: "\"seq\":-42"),
            text.replacingOccurrences(of: "\"seq\":42", with: "\"seq\":9007199254740992"),
            text.replacingOccurrences(of: "\"seq\":42", with: "\"seq\":42.0"),
            text.replacingOccurrences(of: "\"seq\":42", with: "\"seq\": 42"),
            text.replacingOccurrences(of: "\"kind\":\"set\"", with: "\"kind\":\"s\\u0065t\""),
            text.replacingOccurrences(of: "\"kind\":\"set\"", with: "\"kind\":\"Set\""),
            text.replacingOccurrences(of: "\"field\":\"status\"", with: "\"field\":\"Status\""),
            text.replacingOccurrences(of: "\"prev\":\"0", with: "\"prev\":\"A"),
            text.replacingOccurrences(of: "\"refs\":[]", with: "\"refs\":[\"x\"]"),
            text.replacingOccurrences(of: "\"value\":\"stalled\"}", with: "\"value\":\"stalled\"} "),
            text.replacingOccurrences(of: "\"value\":\"stalled\"}", with: "\"value\":\"stalled\",\"x\":1}"),
            text.replacingOccurrences(of: ",\"value\":\"stalled\"", with: ""),
            text.replacingOccurrences(of: "\"value\":\"stalled\"", with: "\"value\":\"st\\/alled\""),
            text.replacingOccurrences(of: "{\"entity\"", with: "{ \"entity\""),
        ]
        for miss in misses {
            #expect(miss != text)
            let bytes = Array(miss.utf8)
            #expect(Op.decodedFast(bytes, hash: nil) == nil, "\(miss)")
            #expect(Self.byDefinition(bytes) == nil, "\(miss)")
            #expect((try? Op(canonicalBytes: bytes)) == nil, "\(miss)")
        }
    }

    /// The value's depth: the whole operation may nest 64 levels, so its value 63.
    @Test func theValuesDepthLimitIsTheFullParsers() throws {
        let base = Op(replica: ReplicaID(signingKey: [1, 2, 3]), seq: 1,
                      hlc: HLCTimestamp(text: "019a8c3f2b10-0003") ?? .zero, prev: Op.genesisPrev,
                      entity: "note/3b7a2bf5-6a8f-820a-abef-4b61e09f34fe", kind: .set, field: "text", value: .null, refs: [])
        for levels in 60...64 {
            var value = JSONValue.int(1)
            for _ in 0..<levels { value = .array([value]) }
            let bytes = Op(replica: base.replica, seq: 1, hlc: base.hlc, prev: base.prev, entity: base.entity, kind: .set,
                           field: "text", value: value, refs: []).canonicalBytes
            #expect(Op.decodedFast(bytes, hash: nil) == Self.byDefinition(bytes), "\(levels) levels")
            #expect((Self.byDefinition(bytes) != nil) == (levels <= 62), "\(levels) levels")
        }
    }
}
