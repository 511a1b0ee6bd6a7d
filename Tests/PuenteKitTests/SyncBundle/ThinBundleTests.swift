import Foundation
@testable import PuenteKit
import PuenteTestSupport
import Testing

/// Bundles of format 2 leave out what the importer restores (``ThinWire``): an incremental
/// bundle what its recipients are known to hold. Every restored operation must be the one its
/// author signed; a store that lacks what a line leaves out refuses that segment and asks for a
/// full bundle, and changes nothing.
@Suite struct ThinBundleTests {
    /// The lines of `ops.jsonl` in the bundle at `path`, and its manifest.
    static func contents(_ path: String) throws -> (lines: [[UInt8]], manifest: BundleManifest) {
        let zip = try StrictZip(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let ops = try zip.content("ops.jsonl", limit: 1 << 26)
        let lines = ops.split(separator: 0x0a).map(Array.init)
        return (lines, try BundleManifest(bytes: try zip.content("manifest.json", limit: BundleManifest.maximumSize)))
    }

    /// Two desks that have synced once: us wrote a record and mx holds it, and us knows mx does.
    /// A third desk (of the United States, so bundles for Mexico do not wait for it) holds nothing.
    static func syncedPair() throws -> (group: ReplicaGroup, us: Replica, mx: Replica, third: Replica, entities: [EntityRef]) {
        let group = try ReplicaGroup([.us, .mx, .us])
        let (us, mx, third) = (group.replicas[0], group.replicas[1], group.replicas[2])
        var entities = [EntityRef]()
        for title in ["Operation Southbound", "Firearms tracing", "Fentanyl precursors"] {
            entities.append(try us.addCommitment(CommitmentDraft(owner: .us, titleEN: title, pillar: .prevent)))
        }
        let folder = try TemporaryFolder()
        _ = try us.exportBundle(to: folder.sub("first.puente"), for: .mx)
        _ = try mx.importBundle(path: folder.sub("first.puente"))
        // mx's bundle tells us what mx holds.
        _ = try mx.exportBundle(to: folder.sub("ack.puente"), for: .us)
        _ = try us.importBundle(path: folder.sub("ack.puente"))
        return (group, us, mx, third, entities)
    }

    @Test func anIncrementalBundleLeavesOutWhatTheRecipientHoldsAndItIsRestored() throws {
        let (_, us, mx, _, entities) = try Self.syncedPair()
        for entity in entities {
            for status in ["agreed", "in-progress", "stalled"] { try us.set(entity, field: "status", value: .string(status)) }
        }
        let folder = try TemporaryFolder()
        let path = folder.sub("week.puente")
        let report = try us.exportBundle(to: path, for: .mx)
        #expect(report.operations == 9)
        let (lines, manifest) = try Self.contents(path)
        #expect(manifest.wire == 2 && manifest.thin)
        let objects = try lines.map { try #require(try JSONParser.parse($0).objectValue) }
        // No line names its author or seq; only the first carries prev.
        #expect(objects.allSatisfy { $0["replica"] == nil && $0["seq"] == nil })
        #expect(objects.enumerated().allSatisfy { ($0.element["prev"] != nil) == ($0.offset == 0) })
        // Each status names the write before it: the first the create mx holds, the others a line
        // of the bundle. Their references travel without hash digits, and their entity with them;
        // the field too where the write before is a status (a create's field is empty).
        for object in objects {
            let refs = try #require(object["refs"]?.arrayValue).compactMap(\.stringValue)
            #expect(refs.count == 1 && refs.allSatisfy { $0.split(separator: ":", omittingEmptySubsequences: false).count == 2 }, "\(refs)")
            #expect(object["entity"] == nil)
        }
        #expect(objects.filter { $0["field"] == nil }.count == 6)

        let imported = try mx.importBundle(path: path)
        #expect(imported.refusedSegments.isEmpty && imported.receive.appliedTotal == 9)
        #expect(try mx.operations(of: us.identity.replica).map(\.canonicalBytes) == us.operations(of: us.identity.replica).map(\.canonicalBytes))
        #expect(try mx.digest() == us.digest())
    }

    @Test func aStoreThatLacksWhatAThinBundleLeavesOutRefusesTheSegmentAndAsksForAFullBundle() throws {
        let (_, us, _, third, entities) = try Self.syncedPair()
        try us.set(entities[0], field: "status", value: .string("agreed"))
        let folder = try TemporaryFolder()
        let thin = folder.sub("thin.puente")
        _ = try us.exportBundle(to: thin, for: .mx)
        #expect(try Self.contents(thin).manifest.thin)

        // The third desk never received the record the bundle's line refers to.
        let before = try third.digest()
        let rows = try third.materializedRows()
        let refused = try third.importBundle(path: thin)
        #expect(refused.refusedSegments[us.identity.replica] == .needsFull)
        #expect(refused.receive.appliedTotal == 0 && refused.partlyRefused)
        #expect(try third.digest() == before && third.materializedRows() == rows)
        #expect(try third.operations(of: us.identity.replica).isEmpty)

        // A full bundle carries everything it leaves out in its own lines.
        let full = folder.sub("full.puente")
        _ = try us.exportBundle(to: full, full: true)
        #expect(try Self.contents(full).manifest.thin == false)
        let imported = try third.importBundle(path: full)
        #expect(imported.refusedSegments.isEmpty)
        #expect(try third.operations(of: us.identity.replica).map(\.hash) == us.operations(of: us.identity.replica).map(\.hash))
    }

    /// A line restores one operation, and is exactly that operation's wire form for what it
    /// leaves out; a restoration from a different target is a different operation, whose hash
    /// no longer continues the chain its author signed.
    @Test func aLineHasOneFormAndRestoresOneOperation() throws {
        let group = try ReplicaGroup([.us])
        let us = group.replicas[0]
        let entity = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "Operation Southbound", pillar: .prevent))
        _ = try us.set(entity, field: "status", value: .string("agreed"))
        _ = try us.set(entity, field: "status", value: .string("in-progress"))
        let ops = try us.operations(of: us.identity.replica)
        let (create, first, second) = (ops[0], ops[1], ops[2])
        let targets = Dictionary(uniqueKeysWithValues: ops.map {
            ($0.id, ThinWire.Target(hash: $0.hash, entity: $0.entity, field: $0.field))
        })
        func restore(_ line: [UInt8], previous: Op?, seq: Int64, from held: [OpID: ThinWire.Target] = targets) throws -> Op {
            try ThinWire.op(line, author: us.identity.replica, seq: seq, previous: previous) { held[$0] }
        }

        // Round trip, with and without what can be left out.
        let thin = ThinWire.Omissions(entity: true, field: true, refHashes: [true])
        let line = ThinWire.line(second, first: false, omitting: thin)
        #expect(try restore(line, previous: first, seq: 3).canonicalBytes == second.canonicalBytes)
        let whole = ThinWire.line(second, first: false, omitting: ThinWire.Omissions(refHashes: [false]))
        #expect(try restore(whole, previous: first, seq: 3).canonicalBytes == second.canonicalBytes)
        #expect(try restore(ThinWire.line(create, first: true, omitting: .init()), previous: nil, seq: 1).canonicalBytes
            == create.canonicalBytes)
        #expect(String(decoding: line, as: UTF8.self).contains("\":2\""), "the own author is left out of a reference")

        // What the store lacks cannot be restored.
        #expect(throws: ThinWire.Unresolved.self) { try restore(line, previous: first, seq: 3, from: [:]) }

        // A target that differs restores a different operation: its hash breaks the chain.
        var wrong = targets
        wrong[first.id] = ThinWire.Target(hash: String(repeating: "ab", count: 32), entity: first.entity, field: "title.en")
        let other = try? restore(line, previous: first, seq: 3, from: wrong)
        #expect(other == nil || other?.hash != second.hash)

        // One form: the author written out, a member left where it could be omitted but marked
        // omitted elsewhere, or replica and seq carried, are refused.
        var object = try #require(try JSONParser.parse(whole).objectValue)
        object["refs"] = .array(second.refs.map { .string($0.text) })
        #expect(throws: OpDecodingError.self) { try restore(CanonicalJSON.encode(.object(object)), previous: first, seq: 3) }
        object = try #require(try JSONParser.parse(line).objectValue)
        object["seq"] = .int(3)
        #expect(throws: OpDecodingError.self) { try restore(CanonicalJSON.encode(.object(object)), previous: first, seq: 3) }
        object = try #require(try JSONParser.parse(line).objectValue)
        object["prev"] = .string(first.hash)
        #expect(throws: OpDecodingError.self) { try restore(CanonicalJSON.encode(.object(object)), previous: first, seq: 3) }
        // A line that leaves out entity and field with no reference to restore them from.
        object = try #require(try JSONParser.parse(ThinWire.line(create, first: true, omitting: .init())).objectValue)
        object["entity"] = nil
        #expect(throws: OpDecodingError.self) { try restore(CanonicalJSON.encode(.object(object)), previous: nil, seq: 1) }
    }
}
