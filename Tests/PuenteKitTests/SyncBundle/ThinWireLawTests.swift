import Foundation
import PropertyBased
@testable import PuenteKit
import Testing

/// The byte paths of the wire form (``ThinWireBytes``) against its definition on JSON trees
/// (``ThinWire/line(_:first:omitting:)``, ``ThinWire/definition(_:author:seq:previous:resolve:)``),
/// on generated operations, omissions and damaged lines.
@Suite(.timeLimit(.minutes(20))) struct ThinWireLawTests {
    @Test func theBytePathsAgreeWithTheDefinition() async {
        await propertyCheck(count: 1500, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = SplitMix(state: UInt64(seed))
            let generated = OpFastDecodeTests.operation(&rng)
            // Some references to the operation's own author, as a chain's later writes make.
            let refs = generated.refs.map { ref in
                Bool.random(using: &rng) ? OpRef(target: OpID(replica: generated.replica, seq: ref.target.seq), hashPrefix: ref.hashPrefix) : ref
            }
            let op = Op(replica: generated.replica, seq: generated.seq, hlc: generated.hlc, prev: generated.prev, entity: generated.entity,
                        kind: generated.kind, field: generated.field, value: generated.value, refs: refs)
            let first = Bool.random(using: &rng)
            var omissions = ThinWire.Omissions(refHashes: refs.map { _ in Bool.random(using: &rng) })
            if !refs.isEmpty {
                omissions.entity = Bool.random(using: &rng)
                omissions.field = Bool.random(using: &rng)
            }
            // What the importer holds of each target: its hash, and for the first the entity and
            // field the line may leave out.
            var held = [OpID: ThinWire.Target]()
            for (index, ref) in refs.enumerated().reversed() {
                let hash = ref.hashPrefix + OpFastDecodeTests.hex(48, &rng)
                held[ref.target] = index == 0 ? ThinWire.Target(hash: hash, entity: op.entity, field: op.field)
                                              : ThinWire.Target(hash: hash, entity: "note/x", field: "x")
            }
            let previous: Op? = first ? nil : Op(replica: op.replica, seq: max(1, op.seq - 1), hlc: op.hlc, prev: op.prev,
                                                 entity: op.entity, kind: .set, field: "", value: .null, refs: [])
            let restoredPrev = previous?.hash ?? op.prev
            let expected = Op(replica: op.replica, seq: op.seq, hlc: op.hlc, prev: restoredPrev, entity: op.entity, kind: op.kind,
                              field: op.field, value: op.value, refs: refs)

            let line = ThinWire.line(expected, first: first, omitting: omissions)
            let parts = ThinWireBytes.canonical(expected.canonicalBytes)
            #expect(parts.map { ThinWireBytes.line(expected.canonicalBytes, $0, first: first, omitting: omissions) } == line, "seed \(seed)")
            func read(_ bytes: [UInt8], _ decode: ([UInt8]) throws -> Op) -> Op? { try? decode(bytes) }
            let fast = read(line) { try ThinWire.op($0, author: op.replica, seq: op.seq, previous: previous) { held[$0] } }
            let slow = read(line) { try ThinWire.definition($0, author: op.replica, seq: op.seq, previous: previous) { held[$0] } }
            #expect(fast?.canonicalBytes == expected.canonicalBytes && slow?.canonicalBytes == expected.canonicalBytes, "seed \(seed)")
            // Damaged lines: the fast path and the definition read them alike, or both refuse.
            for _ in 0..<4 {
                let bytes = CanonicalParserLawTests.mutated(line, &rng)
                let fast = read(bytes) { try ThinWire.op($0, author: op.replica, seq: op.seq, previous: previous) { held[$0] } }
                let slow = read(bytes) { try ThinWire.definition($0, author: op.replica, seq: op.seq, previous: previous) { held[$0] } }
                #expect(fast?.canonicalBytes == slow?.canonicalBytes, "seed \(seed): \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }
}
