import Foundation
import PropertyBased
import PuenteKit
import PuenteTestSupport
import Testing

/// A small deterministic generator, so each property case is reproducible from its seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A random history written by 2–5 replicas of both delegations that sync now and then:
/// concurrent sets of the same fields, set adds and removes, notes, retractions,
/// assessments, readings, and policy-breaking operations from a bypassed client.
struct History {
    let group: ReplicaGroup
    let operations: [Op]

    init(seed: UInt64, steps: Int = 24) throws {
        var rng = SplitMix(state: seed)
        let count = Int.random(in: 2...5, using: &rng)
        var delegations = (0..<count).map { _ in Bool.random(using: &rng) ? Delegation.us : Delegation.mx }
        delegations[0] = .us
        delegations[count - 1] = .mx
        let group = try ReplicaGroup(delegations)
        var commitments = [EntityRef]()
        var indicators = [EntityRef]()
        var notes = [EntityRef]()
        var dialogues = [EntityRef]()
        let statuses = CommitmentStatus.allCases.map(\.rawValue)
        for _ in 0..<steps {
            let replica = group.replicas.randomElement(using: &rng) ?? group.replicas[0]
            group.clock.advance(by: UInt64.random(in: 0...3, using: &rng))
            if Int.random(in: 0..<20, using: &rng) == 0 { group.clock.set(group.clock.nowMillis() - 50) }  // wall clock set back
            do {
                switch Int.random(in: 0..<14, using: &rng) {
                case 0 where commitments.count < 4, 1 where commitments.isEmpty:
                    let owner: Owner = Bool.random(using: &rng) ? .joint : (replica.identity.delegation == .us ? .us : .mx)
                    // Sometimes an imported record: desks that create it make one entity, their
                    // creates merged, with equal or different values.
                    let external = Bool.random(using: &rng) ? ["r1", "r2"].randomElement(using: &rng) : nil
                    var draft = CommitmentDraft(
                        owner: owner, titleEN: external.map { _ in Bool.random(using: &rng) ? "R" : "R2" } ?? "C\(commitments.count)",
                        pillar: Pillar.allCases.randomElement(using: &rng) ?? .protect,
                        tags: Bool.random(using: &rng) ? ["a"] : [], externalID: external)
                    // Sometimes a planning status, whose mark a later write of the status takes off
                    // (the summaries carry the marks, so incremental and rebuilt rows compare them).
                    if Bool.random(using: &rng) { draft.illustrative = ["status"] }
                    commitments.append(try replica.addCommitment(draft))
                case 2 where dialogues.count < 2:
                    dialogues.append(try replica.addDialogue(DialogueDraft(titleEN: "D", date: "2023-04-13", kind: .technicalMeeting,
                                                                           externalID: Bool.random(using: &rng) ? "d1" : nil)))
                case 3, 4:
                    guard let c = commitments.randomElement(using: &rng) else { break }
                    try replica.set(c, field: Bool.random(using: &rng) ? "status" : "title.en",
                                    value: .string(statuses.randomElement(using: &rng) ?? "agreed"))
                case 5:
                    guard let c = commitments.randomElement(using: &rng) else { break }
                    try replica.assess(c, rating: Rating.allCases.randomElement(using: &rng) ?? .atRisk, why: nil)
                case 6:
                    guard let c = commitments.randomElement(using: &rng) else { break }
                    // Its tags, or the dialogues that took it up again (links the briefings query).
                    let field = dialogues.isEmpty || Bool.random(using: &rng) ? "tags" : "revisited"
                    let seen = try replica.detail(c).state.sets[field] ?? []
                    if let element = seen.randomElement(using: &rng), Bool.random(using: &rng) {
                        try replica.removeElement(c, field: field, element: element.value)
                    } else {
                        let element = field == "tags" ? ["a", "b"].randomElement(using: &rng) ?? "a"
                            : dialogues.randomElement(using: &rng)?.text ?? ""
                        try replica.addElement(c, field: field, element: .string(element))
                    }
                case 7:
                    guard let c = commitments.randomElement(using: &rng) else { break }
                    if try replica.detail(c).state.sets["evidence"] != nil, Bool.random(using: &rng) {
                        try replica.removeElement(c, field: "evidence", element: "https://example.org/report")
                    } else {
                        try replica.addElement(c, field: "evidence", element: "https://example.org/report")
                    }
                case 8:
                    guard let parent = (commitments + dialogues).randomElement(using: &rng) else { break }
                    notes.append(try replica.addNote(to: parent, text: "n"))
                case 9:
                    guard let target = (notes + dialogues + indicators).randomElement(using: &rng) else { break }
                    try replica.retract(target)
                case 10:
                    guard let c = commitments.randomElement(using: &rng) else { break }
                    var draft = IndicatorDraft(nameEN: "I", kind: .outcome, target: "5", direction: .decrease,
                                               externalID: Bool.random(using: &rng) ? "i1" : nil)
                    if Bool.random(using: &rng) { draft.illustrative = ["target"] }
                    // Sometimes dated and an estimate, which the indicator summaries carry.
                    if Bool.random(using: &rng) {
                        draft.targetDate = "2026-12-31"
                        draft.estimate = true
                    }
                    indicators.append(try replica.addIndicator(to: c, draft))
                case 11:
                    guard let i = indicators.randomElement(using: &rng) else { break }
                    let readings = try replica.detail(i).state.series["readings"]?.filter { !$0.retracted } ?? []
                    if let reading = readings.randomElement(using: &rng), Int.random(in: 0..<3, using: &rng) == 0 {
                        try replica.retractReading(i, reading: reading.op)
                    } else {
                        try replica.recordReading(i, date: "2024-01-31", value: String(Int.random(in: 0...9, using: &rng)), source: nil)
                    }
                case 12:
                    // A client with the policy check bypassed: any field, any entity.
                    guard let c = commitments.randomElement(using: &rng) else { break }
                    let field = ["status", "assessment.us", "assessment.mx", "owner"].randomElement(using: &rng) ?? "status"
                    let value: JSONValue = field.hasPrefix("assessment") ? ["rating": "off-track"] : "fulfilled"
                    try replica.appendUnchecked(entity: c.text, kind: .set, field: field, value: value)
                default:
                    // Partial sync: one replica receives another's operations.
                    let from = group.replicas.randomElement(using: &rng) ?? replica
                    let ops = try from.operations(of: from.identity.replica)
                    _ = try replica.receive(ops.filter { $0.replica != replica.identity.replica })
                }
            } catch let error as PuenteError {
                if ProcessInfo.processInfo.environment["PUENTE_DEBUG_HISTORY"] != nil { print("refused:", error) }
                // The local policy refused an intention (say, a Mexican desk setting a U.S. status): nothing was written.
            }
        }
        self.group = group
        self.operations = try group.allOperations()
    }
}

@Suite(.timeLimit(.minutes(20))) struct MergeLawTests {
    /// Every delivery order, duplication and partition of the same operations gives the same digest,
    /// on every store, and equals what the authors reach after a full sync.
    @Test func deliveryOrderDuplicationAndPartitionDoNotChangeTheDigest() async throws {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int.max)) { seed in
            do {
                let history = try History(seed: UInt64(seed))
                try history.group.syncAll()
                let expected = try history.group.replicas[0].digest()
                for replica in history.group.replicas { #expect(try replica.digest() == expected) }

                var rng = SplitMix(state: UInt64(seed) ^ 0x5eed)
                let observer = try ReplicaGroup.observer(trusting: history.group, in: history.group.folder, name: "o")
                var shuffled = history.operations.shuffled(using: &rng)
                shuffled += shuffled.prefix(Int.random(in: 0...shuffled.count, using: &rng))  // duplicates
                var index = 0
                while index < shuffled.count {
                    let size = Int.random(in: 1...max(1, shuffled.count / 3), using: &rng)
                    _ = try observer.receive(Array(shuffled[index..<min(shuffled.count, index + size)]))
                    index += size
                }
                #expect(try observer.digest().state == expected.state, "seed \(seed)")
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
    }

    /// Incremental application and a full rebuild always agree, row for row.
    @Test func incrementalApplyEqualsFullRebuild() async throws {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int.max)) { seed in
            do {
                let history = try History(seed: UInt64(seed), steps: 20)
                for replica in history.group.replicas {
                    let incremental = try replica.digest()
                    // Every row, winner flags, summaries, full-text entries and statuses too.
                    let rows = try replica.materializedRows()
                    try replica.rebuild()
                    #expect(try replica.digest() == incremental, "seed \(seed)")
                    let rebuilt = try replica.materializedRows()
                    #expect(rebuilt == rows, "seed \(seed): \(Set(rows).symmetricDifference(rebuilt).sorted().prefix(6))")
                }
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
    }
}

@Suite struct HistoryGeneratorTests {
    /// The property tests are only as strong as their histories: check that these contain
    /// conflicts, policy rejections, retractions and removals, and that out-of-order delivery
    /// leaves operations pending before their `create` arrives.
    @Test func generatedHistoriesExerciseEveryMergeCase() throws {
        var conflicts = 0, rejected = 0, retractions = 0, removes = 0, pendingSeen = 0, mergedCreates = 0
        for seed in 1...30 {
            let history = try History(seed: UInt64(seed) &* 7919)
            try history.group.syncAll()
            let replica = history.group.replicas[0]
            conflicts += try replica.conflicts().count
            rejected += try replica.log(limit: 10_000, rejectedOnly: true).count
            let ops = history.operations
            retractions += ops.filter { $0.kind == .retract }.count
            removes += ops.filter { $0.kind == .remove }.count
            // Imported records created by several desks: one entity, several creates.
            mergedCreates += Dictionary(grouping: ops.filter { $0.kind == .create }, by: \.entity).values.filter { $0.count > 1 }.count
            let observer = try ReplicaGroup.observer(trusting: history.group, in: history.group.folder, name: "p")
            let late = ops.filter { $0.kind != .create }
            _ = try observer.receive(late)
            pendingSeen += try observer.log(limit: 10_000).filter { if case .pending = $0.status { return true } else { return false } }.count
        }
        #expect(conflicts > 0)
        #expect(rejected > 0)
        #expect(retractions > 0)
        #expect(removes > 0)
        #expect(pendingSeen > 0)
        #expect(mergedCreates > 0)
    }
}
