import Foundation
@testable import PuenteKit
import PuenteTestSupport
import Testing

/// Hostile bundles: each is refused as DESIGN.md says, with the store unchanged.
@Suite struct BundleReaderTests {
    /// A U.S. exporter, a Mexican importer, and a second U.S. replica whose chain is relayed.
    struct Setup {
        let group: ReplicaGroup
        let exporter: Replica
        let importer: Replica
        let third: Replica
        let forge: BundleForge
        let ops: [Op]
        let thirdOps: [Op]

        init() throws {
            group = try ReplicaGroup([.us, .mx, .us])
            exporter = group.replicas[0]
            importer = group.replicas[1]
            third = group.replicas[2]
            let c = try exporter.addCommitment(CommitmentDraft(owner: .us, titleEN: "Operation Southbound", pillar: .prevent))
            try exporter.set(c, field: "status", value: "in-progress")
            try exporter.set(c, field: "due", value: "2024-04-13")
            let d = try third.addDialogue(DialogueDraft(titleEN: "Implementation meeting", date: "2023-04-13", kind: .technicalMeeting))
            try third.set(d, field: "place", value: "Mexico City")
            try third.addNote(to: d, text: "Arms and fentanyl")
            forge = try BundleForge(exporter: exporter)
            ops = try exporter.operations(of: exporter.identity.replica)
            thirdOps = try third.operations(of: third.identity.replica)
        }

        var valid: [UInt8] {
            get throws { try forge.bundle(segments: [(ops, exporter), (thirdOps, third)]) }
        }
    }

    func refuses(_ bytes: [UInt8], _ problem: String, into importer: Replica,
                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try importer.digest()
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try importer.importBundle(bytes: bytes)
            Issue.record("accepted a hostile bundle (expected \(problem))", sourceLocation: sourceLocation)
        } catch let error as BundleError {
            #expect(error.problem == problem, "\(error)", sourceLocation: sourceLocation)
        }
        // A hang guard, not a speed target: hostile input must never make the reader loop.
        #expect(clock.now - start < .seconds(5), sourceLocation: sourceLocation)
        #expect(try importer.digest() == before, sourceLocation: sourceLocation)
    }

    @Test func aWellFormedForgedBundleImports() throws {
        let setup = try Setup()
        let report = try setup.importer.importBundle(bytes: try setup.valid)
        #expect(report.refusedSegments.isEmpty)
        #expect(report.receive.appliedTotal == setup.ops.count + setup.thirdOps.count)
        _ = try setup.exporter.receive(setup.thirdOps)  // the exporter now holds the same two chains
        #expect(try setup.importer.digest().state == setup.exporter.digest().state)
        let again = try setup.importer.importBundle(bytes: try setup.valid)
        #expect(again.receive.appliedTotal == 0 && again.receive.duplicates == setup.ops.count + setup.thirdOps.count)
    }

    @Test func containerMalformationsAreRefusedBeforeInflating() throws {
        let setup = try Setup()
        let valid = try setup.valid
        let importer = setup.importer
        try refuses(Array(valid.dropLast(50)), "container", into: importer)
        // Cut inside the deflated ops: the central directory is swallowed (the ZIPFoundation hang).
        try refuses(Array(valid.prefix(valid.count / 2)), "container", into: importer)
        try refuses(valid + [0], "container", into: importer)
        try refuses([], "container", into: importer)

        let manifest = try setup.forge.manifest(segments: [(setup.ops, setup.exporter)],
                                                opsBytes: opsJSONL(setup.ops), count: setup.ops.count)
        let manifestBytes = CanonicalJSON.encode(manifest)
        let signature = try BundleForge.key(of: setup.exporter).sign(manifestBytes)
        let opsBytes = opsJSONL(setup.ops)
        func entries() -> [ZipBuilder.Entry] {
            [ZipBuilder.Entry("manifest.json", manifestBytes), ZipBuilder.Entry("manifest.sig", signature),
             ZipBuilder.Entry("ops.jsonl", opsBytes, deflate: true)]
        }
        #expect(try importer.importBundle(bytes: ZipBuilder.build(entries())).refusedSegments.isEmpty)

        // A stored entry whose declared size is not its stored length, either way.
        for delta in [-1, 1] {
            var lying = entries()
            lying[0].declaredSize = UInt32(manifestBytes.count + delta)
            try refuses(ZipBuilder.build(lying), "entry", into: importer)
        }

        var duplicate = entries()
        duplicate[1] = ZipBuilder.Entry("manifest.json", manifestBytes)
        try refuses(ZipBuilder.build(duplicate), "entries", into: importer)
        try refuses(ZipBuilder.build(entries() + [ZipBuilder.Entry("extra.txt", [1])]), "entries", into: importer)
        var traversal = entries()
        traversal[2].name = "../ops.jsonl"
        try refuses(ZipBuilder.build(traversal), "entries", into: importer)
        var encrypted = entries()
        encrypted[2].flags = 0x801
        try refuses(ZipBuilder.build(encrypted), "entry", into: importer)
        var descriptor = entries()
        descriptor[2].flags = 0x808
        try refuses(ZipBuilder.build(descriptor), "entry", into: importer)
        var zip64 = entries()
        zip64[2].declaredSize = 0xFFFF_FFFF
        try refuses(ZipBuilder.build(zip64), "container", into: importer)
        var extra = entries()
        extra[0].extra = [0x55, 0x54, 0x01, 0x00, 0x00]
        try refuses(ZipBuilder.build(extra), "entry", into: importer)
        var symlink = entries()
        symlink[2].external = 0o120777 << 16
        try refuses(ZipBuilder.build(symlink), "entry", into: importer)
        // Declared size smaller than the data (refused against the manifest's size before inflating),
        // and a truncated deflate stream inside a sound container.
        var smaller = entries()
        smaller[2].declaredSize = UInt32(opsBytes.count - 10)
        try refuses(ZipBuilder.build(smaller), "ops-size", into: importer)
        var truncated = entries()
        let deflated = ZipBuilder.deflate(opsBytes)
        truncated[2].compressedOverride = Array(deflated.prefix(deflated.count / 2))
        try refuses(ZipBuilder.build(truncated), "inflate", into: importer)
        // A zip bomb that honestly declares 3 GiB is refused before a byte is inflated.
        var bomb = entries()
        bomb[2].declaredSize = 3 * 1024 * 1024 * 1024
        try refuses(ZipBuilder.build(bomb), "too-large", into: importer)
        var wrongCRC = entries()
        wrongCRC[0].declaredCRC = 0x1234_5678
        try refuses(ZipBuilder.build(wrongCRC), "inflate", into: importer)
    }

    @Test func oneFlippedByteInEachEntryIsRefused() throws {
        let setup = try Setup()
        let valid = try setup.valid
        // Entry data starts right after each 30-byte local header and its name.
        let manifestAt = 30 + "manifest.json".utf8.count + 20
        var flipped = valid
        flipped[manifestAt] ^= 0x01
        try refuses(flipped, "inflate", into: setup.importer)  // the CRC catches it first
        let manifestLength = Int(valid[18]) | Int(valid[19]) << 8
        let sigAt = 30 + "manifest.json".utf8.count + manifestLength + 30 + "manifest.sig".utf8.count + 5
        flipped = valid
        flipped[sigAt] ^= 0x01
        try refuses(flipped, "inflate", into: setup.importer)
        // With CRCs recomputed, the signature is what refuses an altered manifest or signature.
        let bytes = CanonicalJSON.encode(try setup.forge.manifest(segments: [(setup.ops, setup.exporter)],
                                                                   opsBytes: opsJSONL(setup.ops),
                                                                   count: setup.ops.count))
        var altered = bytes
        if let index = altered.firstIndex(of: UInt8(ascii: "2")) { altered[index] = UInt8(ascii: "3") }
        let signature = try BundleForge.key(of: setup.exporter).sign(bytes)
        let opsBytes = opsJSONL(setup.ops)
        try refuses(ZipBuilder.build([ZipBuilder.Entry("manifest.json", altered), ZipBuilder.Entry("manifest.sig", signature),
                                      ZipBuilder.Entry("ops.jsonl", opsBytes, deflate: true)]), "signature", into: setup.importer)
        var badSignature = signature
        badSignature[10] ^= 0x80
        try refuses(ZipBuilder.build([ZipBuilder.Entry("manifest.json", bytes), ZipBuilder.Entry("manifest.sig", badSignature),
                                      ZipBuilder.Entry("ops.jsonl", opsBytes, deflate: true)]), "signature", into: setup.importer)
        var alteredOps = opsBytes
        alteredOps[5] ^= 0x01
        try refuses(ZipBuilder.build([ZipBuilder.Entry("manifest.json", bytes), ZipBuilder.Entry("manifest.sig", signature),
                                      ZipBuilder.Entry("ops.jsonl", alteredOps, deflate: true)]), "ops-hash", into: setup.importer)
    }

    @Test func manifestAndLineProblemsRefuseTheWholeBundle() throws {
        let setup = try Setup()
        let importer = setup.importer
        // A duplicate key, signed: the manifest is not canonical.
        try refuses(try setup.forge.bundle(segments: [(setup.ops, setup.exporter)]) { manifest in
            manifest = Array("{\"format\":\"x\",".utf8) + manifest.dropFirst()
        }, "manifest", into: importer)
        // A non-canonical op line (an added space), with the manifest hash made to match.
        var lines = BundleForge.wireLines(setup.ops)
        lines[1] = Array(String(decoding: lines[1], as: UTF8.self).replacingOccurrences(of: ",\"field\"", with: ", \"field\"").utf8)
        try refuses(try setup.forge.bundle(segments: [(setup.ops, setup.exporter)], lines: lines), "line", into: importer)
        // The wire form is strict: a later line that still carries prev, or a first line without it.
        var withPrev = BundleForge.wireLines(setup.ops)
        withPrev[1] = setup.ops[1].canonicalBytes
        try refuses(try setup.forge.bundle(segments: [(setup.ops, setup.exporter)], lines: withPrev), "line", into: importer)
        var withoutPrev = BundleForge.wireLines(setup.ops)
        withoutPrev[0] = WireForm.line(setup.ops[0], first: false)
        try refuses(try setup.forge.bundle(segments: [(setup.ops, setup.exporter)], lines: withoutPrev), "line", into: importer)
        // A line outside its segment: one op missing from the middle.
        var missing = BundleForge.wireLines(setup.ops)
        missing.remove(at: 1)
        try refuses(try setup.forge.bundle(segments: [(setup.ops, setup.exporter)], lines: missing), "ops-count", into: importer)
        // The manifest of one bundle with the ops of another.
        let one = try setup.forge.bundle(segments: [(setup.ops, setup.exporter)])
        let other = try setup.forge.bundle(segments: [(setup.thirdOps, setup.third)])
        let oneZip = try StrictZip(bytes: one)
        let otherZip = try StrictZip(bytes: other)
        try refuses(ZipBuilder.build([
            ZipBuilder.Entry("manifest.json", try oneZip.content("manifest.json", limit: 1 << 20)),
            ZipBuilder.Entry("manifest.sig", try oneZip.content("manifest.sig", limit: 64)),
            ZipBuilder.Entry("ops.jsonl", try otherZip.content("ops.jsonl", limit: 1 << 20), deflate: true),
        ]), "ops-size", into: importer)
        // An exporter this store does not trust.
        let stranger = try Replica.initialize(folder: setup.group.folder.sub("stranger"), delegation: .us, name: "stranger",
                                              wallClock: setup.group.clock)
        let strangerBundle = try BundleForge(exporter: stranger).bundle(segments: [(setup.ops, setup.exporter)])
        try refuses(strangerBundle, "untrusted-exporter", into: importer)
    }

    @Test func badSegmentsAreRefusedWhileTheOthersApply() throws {
        let setup = try Setup()
        let importer = setup.importer
        // A broken chain in the relayed segment: its middle op altered, attestation re-signed.
        var tampered = setup.thirdOps
        let middle = tampered[1]
        tampered[1] = Op(replica: middle.replica, seq: middle.seq, hlc: middle.hlc, prev: middle.prev, entity: middle.entity,
                         kind: middle.kind, field: middle.field, value: "Washington", refs: middle.refs)
        // With prev restored on the wire, a changed middle op no longer matches the attested head.
        let altered = try importer.importBundle(bytes: try setup.forge.bundle(segments: [(setup.ops, setup.exporter), (tampered, setup.third)]))
        #expect(altered.refusedSegments[setup.third.identity.replica] == .attestation)
        #expect(altered.receive.applied[setup.exporter.identity.replica] == setup.ops.count)
        // A run that does not continue the author's chain (its first prev is wrong) is a broken chain.
        let unlinked = BundleForge.relinked(setup.thirdOps, firstPrev: String(repeating: "1", count: 64))
        let report = try importer.importBundle(bytes: try setup.forge.bundle(segments: [(unlinked, setup.third)]))
        #expect(report.refusedSegments[setup.third.identity.replica] == .brokenChain)

        // An attestation by the wrong key.
        let other = try Setup()
        let wrongKey = try other.forge.bundle(segments: [(other.ops, other.exporter), (other.thirdOps, other.exporter)])
        let wrong = try other.importer.importBundle(bytes: wrongKey)
        #expect(wrong.refusedSegments[other.third.identity.replica] == .attestation)
        #expect(wrong.receive.applied[other.exporter.identity.replica] == other.ops.count)

        // An author this store does not know at all.
        let unknown = try Replica.initialize(folder: other.group.folder.sub("unknown"), delegation: .us, name: "unknown",
                                             wallClock: other.group.clock)
        try unknown.addDialogue(DialogueDraft(titleEN: "Unknown", date: "2023-01-10", kind: .summit))
        let unknownOps = try unknown.operations(of: unknown.identity.replica)
        let strangerSegment = try other.importer.importBundle(bytes: try other.forge.bundle(segments: [(unknownOps, unknown)]))
        #expect(strangerSegment.refusedSegments[unknown.identity.replica] == .unknownAuthor)
    }

    @Test func aForkIsRefusedAndAFarFutureClockIsKeptButNotFollowed() throws {
        let setup = try Setup()
        let importer = setup.importer
        _ = try importer.importBundle(bytes: try setup.valid)
        // The third replica's store is copied; the copy writes a different seq 4: a fork.
        var forked = setup.thirdOps
        let last = forked[2]
        forked[2] = Op(replica: last.replica, seq: last.seq, hlc: last.hlc, prev: last.prev, entity: last.entity, kind: last.kind,
                       field: last.field, value: ["parent": last.value["parent"] ?? .null, "text": "Forked"], refs: last.refs)
        let fork = try importer.importBundle(bytes: try setup.forge.bundle(segments: [(forked, setup.third)]))
        #expect(fork.refusedSegments[setup.third.identity.replica] == .fork)

        // The exporter's clock runs two days ahead: its op is kept, the importer's clock does not follow.
        setup.group.clock.advance(by: 2 * 24 * 60 * 60 * 1000)
        let c = try setup.exporter.addCommitment(CommitmentDraft(owner: .us, titleEN: "Later", pillar: .pursue))
        setup.group.clock.advance(by: 0)
        let laterOps = try setup.exporter.operations(of: setup.exporter.identity.replica)
        let wall = setup.group.clock.nowMillis() - 2 * 24 * 60 * 60 * 1000
        setup.group.clock.set(wall)
        let future = try importer.importBundle(bytes: try setup.forge.bundle(segments: [(laterOps, setup.exporter)]))
        #expect(future.receive.farFutureStamps == 1)
        #expect(try importer.detail(c).state.isAccepted)
        try importer.addNote(to: c, text: "after")
        let mine = try importer.operations(of: importer.identity.replica).last
        #expect((mine?.hlc.millis ?? .max) <= wall + HybridLogicalClock.maximumForwardSkewMillis)
    }

    /// A stamp far ahead is marked in `log` and `show`, and listed at the 24-hour limit it broke
    /// on arrival, not at its stamp: it does not head the log for the month it claims.
    @Test func aStampFarAheadIsMarkedAndListedAtTheLimitItBroke() throws {
        let setup = try Setup()
        let importer = setup.importer
        _ = try importer.importBundle(bytes: try setup.valid)
        let day: UInt64 = 24 * 60 * 60 * 1000
        let wall = setup.group.clock.nowMillis()
        setup.group.clock.set(wall + 30 * day)
        let ahead = try setup.exporter.addCommitment(CommitmentDraft(owner: .us, titleEN: "Dated next month", pillar: .pursue))
        setup.group.clock.set(wall)
        let ops = try setup.exporter.operations(of: setup.exporter.identity.replica)
        #expect(try importer.importBundle(bytes: try setup.forge.bundle(segments: [(ops, setup.exporter)])).receive.farFutureStamps == 1)
        let marked = try importer.log(limit: 100).filter(\.clockAhead)
        #expect(marked.map(\.op.entity) == [ahead.text])
        #expect(try importer.detail(ahead).history.filter(\.clockAhead).count == 1)
        // Two days on, an assessment written here comes first, though its stamp is earlier.
        setup.group.clock.set(wall + 2 * day)
        _ = try importer.assess(ahead, rating: .atRisk, why: "Two days on")
        let log = try importer.log(limit: 3)
        #expect(log.first?.op.replica == importer.identity.replica)
        #expect(log.dropFirst().first?.op.entity == ahead.text)
        #expect(try importer.detail(ahead).history.last?.op.replica == importer.identity.replica)
    }
}

@Suite struct ForkProofTests {
    /// A fork becomes a proof that travels in every bundle; every store that holds it rejects
    /// the forked replica's operations from the fork on, whatever arrived first.
    @Test func aForkProofTravelsAndRejectsTheSameOperationsInAnyArrivalOrder() throws {
        let setup = try BundleReaderTests.Setup()
        let (b, group) = (setup.importer, setup.group)
        let valid = try setup.valid
        var forked = setup.thirdOps
        let last = forked[2]
        forked[2] = Op(replica: last.replica, seq: last.seq, hlc: last.hlc, prev: last.prev, entity: last.entity, kind: last.kind,
                       field: last.field, value: ["parent": last.value["parent"] ?? .null, "text": "Another note"], refs: last.refs)
        let fork = try setup.forge.bundle(segments: [(setup.ops, setup.exporter), (forked, setup.third)])

        // c accepted the first branch before anyone saw the fork.
        let c = try ReplicaGroup.observer(trusting: group, in: group.folder, name: "c")
        _ = try c.importBundle(bytes: valid)
        let noteBefore = try c.log(limit: 100).filter { $0.op.replica == setup.third.identity.replica && $0.op.seq == 3 }
        #expect(noteBefore.first?.status == .accepted)

        _ = try b.importBundle(bytes: valid)
        let report = try b.importBundle(bytes: fork)
        #expect(report.refusedSegments[setup.third.identity.replica] == .fork)
        #expect(report.forkProofsAdded == 1)
        let rejected = try b.log(limit: 100, rejectedOnly: true)
        #expect(rejected.map(\.op.id) == [OpID(replica: setup.third.identity.replica, seq: 3)])
        #expect(rejected.first?.status == .rejected(OpReason(.forked, ["3"])))

        // The proof reaches c in b's next bundle: c now rejects what it had accepted.
        let fromB = group.folder.sub("from-b.puente")
        _ = try b.exportBundle(to: fromB, full: true)
        let bundleFromB = Array(try Data(contentsOf: URL(fileURLWithPath: fromB)))
        #expect(try c.importBundle(bytes: bundleFromB).forkProofsAdded == 1)
        #expect(try c.digest().state == b.digest().state)
        // The proof, and each operation in it, as their schemas describe them.
        let proofs = try c.forkProofDocuments()
        #expect(proofs.count == 1)
        let proofSchema = try SchemaValidator(schemaFile: Repository.path("Schemas/fork-proof.schema.json"))
        let opSchema = try SchemaValidator(schemaFile: Repository.path("Schemas/operation.schema.json"))
        for proof in proofs {
            let value = try JSONParser.parse(proof)
            #expect(proofSchema.violations(of: value) == [])
            for branch in value["branches"]?.arrayValue ?? [] {
                for op in branch["ops"]?.arrayValue ?? [] { #expect(opSchema.violations(of: op) == []) }
            }
        }

        // d sees only b's bundle; e sees the second branch first, then the first.
        let d = try ReplicaGroup.observer(trusting: group, in: group.folder, name: "d")
        _ = try d.importBundle(bytes: bundleFromB)
        #expect(try d.digest().state == b.digest().state)
        let e = try ReplicaGroup.observer(trusting: group, in: group.folder, name: "e")
        _ = try e.importBundle(bytes: fork)
        #expect(try e.importBundle(bytes: valid).forkProofsAdded == 1)
        #expect(try e.digest().state == b.digest().state)
        // A proof that proves nothing (both branches the same) refuses the bundle.
        let nothing = ForkProof(replica: setup.third.identity.replica, seq: 1, branches: [
            ForkProof.Branch(ops: setup.thirdOps, headSignature: try BundleForge.attest(setup.thirdOps[2], by: setup.third)),
            ForkProof.Branch(ops: setup.thirdOps, headSignature: try BundleForge.attest(setup.thirdOps[2], by: setup.third)),
        ])
        let fake = try setup.forge.bundle(segments: [(setup.ops, setup.exporter)], forkProofs: [nothing.bytes])
        let fresh = try ReplicaGroup.observer(trusting: group, in: group.folder, name: "f")
        do {
            _ = try fresh.importBundle(bytes: fake)
            Issue.record("a proof of nothing was accepted")
        } catch let error as BundleError {
            #expect(error.problem == "manifest")
        }
        // A fork whose second branch ends at a head the author never signed: a trusted exporter
        // cannot fabricate one to cut an honest desk off.
        let unsigned = ForkProof(replica: setup.third.identity.replica, seq: 3, branches: [
            ForkProof.Branch(ops: [setup.thirdOps[2]], headSignature: try BundleForge.attest(setup.thirdOps[2], by: setup.third)),
            ForkProof.Branch(ops: [forked[2]], headSignature: [UInt8](repeating: 7, count: 64)),
        ])
        let fabricated = try setup.forge.bundle(segments: [(setup.ops, setup.exporter)], forkProofs: [unsigned.bytes])
        let honest = try ReplicaGroup.observer(trusting: group, in: group.folder, name: "g")
        do {
            _ = try honest.importBundle(bytes: fabricated)
            Issue.record("a fabricated fork proof was accepted")
        } catch let error as BundleError {
            #expect(error.problem == "manifest" && error.detail.contains("does not prove a fork"))
        }
    }
}

@Suite struct ClockOrderTests {
    /// A segment whose clocks run backwards is refused as a broken chain as it is read, even
    /// when it starts after a gap and would otherwise be held until the gap fills.
    @Test func aSegmentWhoseClockRunsBackwardsIsRefusedNotHeld() throws {
        let setup = try BundleReaderTests.Setup()
        let ops = setup.ops
        #expect(ops.count == 3)
        var backwards = ops
        backwards[2] = Op(replica: ops[2].replica, seq: ops[2].seq, hlc: HLCTimestamp(millis: ops[1].hlc.millis - 1, counter: 0),
                          prev: ops[2].prev, entity: ops[2].entity, kind: ops[2].kind, field: ops[2].field, value: ops[2].value,
                          refs: ops[2].refs)
        // Seqs 2 and 3 only: the importer lacks seq 1, so a sound run would be held.
        let run = BundleForge.relinked(Array(backwards[1...2]), firstPrev: ops[0].hash)
        let report = try setup.importer.importBundle(bytes: try setup.forge.bundle(segments: [(run, setup.exporter)]))
        #expect(report.refusedSegments[setup.exporter.identity.replica] == .brokenChain)
        #expect(report.receive.held == 0)
        // The same run in clock order is held.
        let sound = try setup.importer.importBundle(bytes: try setup.forge.bundle(segments: [(Array(ops[1...2]), setup.exporter)]))
        #expect(sound.refusedSegments.isEmpty && sound.receive.held == 2)
    }
}

@Suite struct HeldOperationTests {
    @Test func aSegmentAfterAGapIsHeldListedAndAppliedWhenTheGapFills() throws {
        let group = try ReplicaGroup([.us, .mx])
        let (us, mx) = (group.replicas[0], group.replicas[1])
        let c = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .prevent))
        try us.set(c, field: "status", value: "in-progress")
        try us.set(c, field: "status", value: "stalled")
        let ops = try us.operations(of: us.identity.replica)
        let forge = try BundleForge(exporter: us)
        let late = try mx.importBundle(bytes: try forge.bundle(segments: [(Array(ops[1...]), us)]))
        #expect(late.receive.held == 2 && late.receive.appliedTotal == 0)
        let held = try #require(try mx.syncStatus().first { $0.replica == us.identity.replica })
        #expect(held.held == 2 && held.haveFromIt == 0)
        #expect(try mx.commitments().isEmpty)
        let early = try mx.importBundle(bytes: try forge.bundle(segments: [([ops[0]], us)]))
        #expect(early.receive.appliedTotal == 3)
        #expect(try mx.syncStatus().first { $0.replica == us.identity.replica }?.held == 0)
        #expect(try mx.registerValues(c, field: "status").map(\.value) == ["stalled"])
    }

    @Test func heldOperationsAreCappedPerAuthorAndEvictedOnesComeAgainLater() throws {
        let group = try ReplicaGroup([.us, .mx])
        let (us, mx) = (group.replicas[0], group.replicas[1])
        let c = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .prevent))
        for day in 10...17 { try us.set(c, field: "due", value: .string("2024-05-\(day)")) }
        let ops = try us.operations(of: us.identity.replica)
        let report = try mx.receive(Array(ops[1...]), heldCap: 3)
        #expect(report.held == 3 && report.evicted == ops.count - 4)
        #expect(try mx.syncStatus().first { $0.replica == us.identity.replica }?.held == 3)
        // The gap fills with the first op; what was evicted arrives again in a later delivery.
        let filled = try mx.receive([ops[0]], heldCap: 3)
        #expect(filled.appliedTotal == 4)
        let rest = try mx.receive(ops, heldCap: 3)
        #expect(rest.appliedTotal == ops.count - 4)
        #expect(try mx.digest().state == us.digest().state)
    }
}

@Suite struct CopiedStoreTests {
    /// A store that sees its own replica beyond its head was copied or restored: it stops writing.
    @Test func aStoreThatSeesItsOwnReplicaAheadStopsWriting() throws {
        let group = try ReplicaGroup([.us])
        let original = group.replicas[0]
        let c = try original.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .prevent))
        let copyFolder = group.folder.sub("copy")
        try FileManager.default.copyItem(atPath: original.folder, toPath: copyFolder)
        let copy = try Replica.open(folder: copyFolder, wallClock: group.clock)
        try copy.set(c, field: "status", value: "stalled")  // the copy writes seq 2 with the same key
        let bundle = group.folder.sub("copy.puente")
        _ = try copy.exportBundle(to: bundle, full: true)
        let report = try original.importBundle(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: bundle))))
        #expect(report.refusedSegments[original.identity.replica] == .refused(.ownReplicaAhead))
        do {
            try original.set(c, field: "status", value: "in-progress")
            Issue.record("a halted store wrote")
        } catch let error as PuenteError {
            #expect(error.code == .ownReplicaAhead)
        }
        // It stays halted after a restart.
        let reopened = try Replica.open(folder: original.folder, wallClock: group.clock)
        #expect(throws: PuenteError.self) { try reopened.addNote(to: c, text: "x") }
        #expect(try reopened.registerValues(c, field: "status").map(\.value) == ["agreed"])
    }
}
