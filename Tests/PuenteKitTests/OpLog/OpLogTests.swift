import Foundation
import GRDB
import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

@Suite struct OpLogTests {
    @Test func chainLinksEachOpToTheHashOfThePrevious() throws {
        let group = try ReplicaGroup([.us])
        let replica = group.replicas[0]
        let c = try replica.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .prevent))
        try replica.set(c, field: "status", value: "in-progress")
        try replica.set(c, field: "status", value: "stalled")
        let ops = try replica.operations(of: replica.identity.replica)
        #expect(ops.map(\.seq) == [1, 2, 3])
        #expect(ops[0].prev == Op.genesisPrev)
        for index in 1..<ops.count {
            #expect(ops[index].prev == ops[index - 1].hash)
            #expect(ops[index - 1].hlc < ops[index].hlc)
        }
        // Every stored op is exactly its canonical encoding.
        for op in ops { #expect(try Op(canonicalBytes: op.canonicalBytes) == op) }
        #expect(replica.identity.replica.hex == Digest.sha256hex(try replica.publicKeys().signing))
    }

    @Test func entityIDsAreDerivedFromTheCreate() throws {
        let group = try ReplicaGroup([.us])
        let replica = group.replicas[0]
        let c = try replica.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .prevent))
        let create = try #require(try replica.operations(of: replica.identity.replica).first)
        #expect(create.hasDerivedEntity)
        #expect(c.text == create.entity)
        let uuid = Array(c.id)
        #expect(uuid[14] == "8")  // version 8
        #expect("89ab".contains(uuid[19]))  // RFC 4122 variant
        let expected = Op.derivedEntity(type: .commitment, canonicalBytesWithoutEntity: create.with(entity: "").canonicalBytes)
        #expect(expected == c)
    }

    @Test func aCreateWhoseIDIsNotDerivedIsRejected() throws {
        let group = try ReplicaGroup([.us, .mx])
        let (us, mx) = (group.replicas[0], group.replicas[1])
        let c = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "Original", pillar: .prevent))
        try group.syncAll()
        let before = try us.digest()
        // A forged create that claims the existing id, to take it over.
        try mx.appendUnchecked(entity: c.text, kind: .create, field: "", value: ["owner": "mx", "pillar": "pursue", "status": "agreed"])
        try group.syncAll()
        #expect(try us.digest() == before)
        let rejected = try us.log(limit: 100, rejectedOnly: true)
        #expect(rejected.count == 1)
        #expect(rejected.first?.status == .rejected(OpReason(.entityIDMismatch)))
        #expect(try us.detail(c).state.owner == .us)
    }

    @Test func aReferenceToAMissingOpSupersedesNothingUntilThatOpArrives() throws {
        let group = try ReplicaGroup([.us, .us])
        let (a, b) = (group.replicas[0], group.replicas[1])
        let c = try a.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .prevent))
        try b.receive(try a.operations(of: a.identity.replica))
        try a.set(c, field: "status", value: "in-progress")  // a's op 2
        let aOps = try a.operations(of: a.identity.replica)
        try b.receive(aOps)
        try b.set(c, field: "status", value: "stalled")  // supersedes a's op 2
        let bOps = try b.operations(of: b.identity.replica)

        let observer = try ReplicaGroup.observer(trusting: group, in: group.folder, name: "obs")
        // b's write arrives with the create but before the op it names: the reference is dormant,
        // so the create's own status and b's value are both live.
        try observer.receive([aOps[0]] + bOps)
        let dormant = Set(try observer.registerValues(c, field: "status").map(\.value))
        #expect(dormant == Set<JSONValue>(["agreed", "stalled"]))
        // A reference with a wrong hash counts for nothing, even when the op is present.
        let forged = OpRef(target: aOps[1].id, hashPrefix: "0000000000000000")
        #expect(!forged.matches(hash: aOps[1].hash))
        try observer.receive([aOps[1]])
        let live = try observer.registerValues(c, field: "status")
        #expect(live.map(\.value) == ["stalled"])
    }

    @Test func aReferenceOnAnotherFieldSupersedesNothing() throws {
        let group = try ReplicaGroup([.us])
        let replica = group.replicas[0]
        let c = try replica.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .prevent))
        let status = try replica.set(c, field: "status", value: "in-progress")
        let ops = try replica.operations(of: replica.identity.replica)
        let statusRef = try #require(ops.first { $0.id == status }).ref
        // A write to `lead` that names the status write must not remove the status value.
        try replica.appendUnchecked(entity: c.text, kind: .set, field: "lead", value: "ATF", refs: [statusRef])
        #expect(try replica.registerValues(c, field: "status").map(\.value) == ["in-progress"])
        #expect(try replica.registerValues(c, field: "lead").map(\.value) == ["ATF"])
    }

    @Test func aConflictAppearsAndAWriteNamingAllLiveValuesResolvesIt() throws {
        let group = try ReplicaGroup([.us, .us])
        let (a, b) = (group.replicas[0], group.replicas[1])
        let c = try a.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .prevent))
        try group.syncAll()
        try a.set(c, field: "due", value: "2024-12-31")
        try b.set(c, field: "due", value: "2025-06-30")
        let received = try b.receive(try a.operations(of: a.identity.replica))
        #expect(received.conflictsCreated == 1)
        #expect(try b.review(asOf: "2024-01-01").conflicts == 1)
        try group.syncAll()
        let conflicts = try a.conflicts()
        #expect(conflicts.count == 1 && conflicts.first?.field == "due")
        #expect(conflicts.first?.values.count == 2)
        #expect(throws: PuenteError.self) { try a.resolve(c, field: "status", value: "agreed") }  // no conflict there
        try b.resolve(c, field: "due", value: "2025-03-31")
        try group.syncAll()
        #expect(try a.conflicts().isEmpty)
        #expect(try a.registerValues(c, field: "due").map(\.value) == ["2025-03-31"])
        // The history keeps both superseded values.
        let history = try a.detail(c).history.last
        #expect(history?.previous.count == 2)
    }

    @Test func policyRefusesBeforeWritingAndRejectsWhatABypassedClientWrote() throws {
        let group = try ReplicaGroup([.us, .mx])
        let (us, mx) = (group.replicas[0], group.replicas[1])
        let c = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "Southbound", pillar: .prevent))
        try group.syncAll()
        let headBefore = try mx.operations(of: mx.identity.replica).count
        do {
            try mx.set(c, field: "status", value: "fulfilled")
            Issue.record("a Mexican store changed a U.S. status")
        } catch let error as PuenteError {
            #expect(error.code == .refused)
            #expect(error.reason == OpReason(.ownerOnly, ["us"]))
        }
        #expect(try mx.operations(of: mx.identity.replica).count == headBefore)
        #expect(throws: PuenteError.self) { try us.assess(c, rating: .onTrack, why: nil); try us.set(c, field: "assessment.mx", value: ["rating": "on-track"]) }
        // A bypassed client's write stays in the log but is rejected everywhere.
        try mx.appendUnchecked(entity: c.text, kind: .set, field: "status", value: "fulfilled")
        try group.syncAll()
        for replica in group.replicas {
            #expect(try replica.registerValues(c, field: "status").map(\.value) == ["agreed"])
            #expect(try replica.log(limit: 10, rejectedOnly: true).count == 1)
        }
        // Each delegation writes its own assessment only; both are kept side by side.
        try mx.assess(c, rating: .atRisk, why: "datos incompletos")
        try group.syncAll()
        let state = try us.detail(c).state
        #expect(state.displayValue("assessment.us")?["rating"] == "on-track")
        #expect(state.displayValue("assessment.mx")?["rating"] == "at-risk")
    }

    /// The log as its definition states it: every operation sorted by listed clock (its stamp,
    /// or the limit it broke when it arrived too far ahead), author, seq.
    static func logDefinition(_ folder: String, limit: Int, rejectedOnly: Bool = false) throws -> [String] {
        let queue = try DatabaseQueue(path: folder + "/" + Replica.databaseFile)
        let limitAhead = "printf('%012x-0000', arrived + \(HybridLogicalClock.maximumForwardSkewMillis))"
        return try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT replica, seq FROM operation_text \(rejectedOnly ? "WHERE status = 'rejected'" : "")
                ORDER BY CASE WHEN hlc > \(limitAhead) THEN \(limitAhead) ELSE hlc END DESC, replica, seq DESC LIMIT ?
                """, arguments: [limit]).map { row in "\(row["replica"] as String):\(row["seq"] as Int64)" }
        }
    }

    @Test func theLogIsEveryOperationNewestFirst() throws {
        // Three authors writing in turn, some at the same clock reading (ties between authors),
        // with syncs between rounds and a rejected write among them.
        let group = try ReplicaGroup([.us, .mx, .us])
        let c = try group.replicas[0].addCommitment(CommitmentDraft(owner: .joint, titleEN: "Southbound", pillar: .prevent))
        try group.syncAll()
        for round in 0..<6 {
            for (index, replica) in group.replicas.enumerated() {
                if (round + index) % 3 != 0 { group.clock.advance(by: 1) }
                try replica.set(c, field: index == 1 ? "title.es" : "title.en", value: .string("Round \(round) by \(index)"))
            }
            if round == 2 { try group.replicas[1].appendUnchecked(entity: c.text, kind: .set, field: "owner", value: "mx") }
            if round % 2 == 1 { try group.syncAll() }
        }
        try group.syncAll()
        for (index, replica) in group.replicas.enumerated() {
            let folder = group.folder.sub("r\(index)")
            let total = try Self.logDefinition(folder, limit: 1_000).count
            #expect(total == 20)  // a create, 18 writes, one rejected
            for limit in [1, 2, 3, 7, total - 1, total, total + 5] {
                #expect(try replica.log(limit: limit).map { $0.op.id.description } == (try Self.logDefinition(folder, limit: limit)),
                        "replica \(index), limit \(limit)")
            }
            #expect(try replica.log(limit: 5, rejectedOnly: true).map { $0.op.id.description }
                    == (try Self.logDefinition(folder, limit: 5, rejectedOnly: true)))
        }
        // A chain whose listed clock goes backwards (an operation listed at the limit it broke
        // on arrival, earlier than the one before it) is not merged: the log sorts instead, and
        // still follows its definition.
        let folder = group.folder.sub("r0")
        try DatabaseQueue(path: folder + "/" + Replica.databaseFile).write { db in
            try db.execute(sql: "UPDATE operation SET arrived = 1 WHERE author = (SELECT key FROM replica WHERE id = ?) AND seq = 4",
                           arguments: [group.replicas[1].identity.replica.hex])
            #expect(db.changesCount == 1)
        }
        for limit in [1, 10, 100] {
            #expect(try group.replicas[0].log(limit: limit).map { $0.op.id.description } == (try Self.logDefinition(folder, limit: limit)))
        }
    }

    /// After an import the store's clock is past the latest accepted stamp of each author it
    /// received, and not past a stamp it rejected.
    @Test func theClockFollowsTheLatestAcceptedStampItReceived() throws {
        let group = try ReplicaGroup([.us, .mx])
        let (us, mx) = (group.replicas[0], group.replicas[1])
        let c = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "Southbound", pillar: .prevent))
        try group.syncAll()
        // The Mexican desk's clock runs an hour ahead for a note (accepted), then two hours
        // ahead for a status change on a U.S. commitment (rejected: owner only).
        let now = group.clock.nowMillis()
        _ = try mx.addNote(to: c, text: "A tiempo")
        group.clock.set(now + 3_600_000)
        _ = try mx.addNote(to: c, text: "Una hora adelante")
        group.clock.set(now + 7_200_000)
        _ = try mx.appendUnchecked(entity: c.text, kind: .set, field: "status", value: "fulfilled")
        group.clock.set(now)
        let ops = try mx.operations(of: mx.identity.replica)
        _ = try us.receive(ops)
        #expect(try us.log(limit: 10, rejectedOnly: true).map(\.op.id) == [ops[ops.count - 1].id])
        try us.set(c, field: "status", value: "in-progress")
        let mine = try #require(try us.operations(of: us.identity.replica).last?.hlc)
        #expect(mine > ops[ops.count - 2].hlc)
        #expect(mine < ops[ops.count - 1].hlc)
    }

    @Test func unknownFieldsAreKeptPendingAndRelayedNotRejected() throws {
        let group = try ReplicaGroup([.us])
        let replica = group.replicas[0]
        let c = try replica.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .prevent))
        let before = try replica.digest()
        try replica.appendUnchecked(entity: c.text, kind: .set, field: "budget.usd", value: "1000000")
        let entry = try #require(try replica.log(limit: 1).first)
        #expect(entry.status == .pending(OpReason(.unknownField, ["budget.usd"])))
        #expect(try replica.digest() == before)
        #expect(try replica.operations(of: replica.identity.replica).count == 2)
    }

    @Test func opsOnAnEntityWhoseCreateComesLaterArePendingThenApply() throws {
        let group = try ReplicaGroup([.us, .us])
        let (a, b) = (group.replicas[0], group.replicas[1])
        let c = try a.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .prevent))
        try group.syncAll()
        let note = try b.addNote(to: c, text: "Working group met")
        let indicator = try b.addIndicator(to: c, IndicatorDraft(nameEN: "Traced", kind: .output, direction: .increase))
        try b.recordReading(indicator, date: "2024-01-31", value: "12", source: nil)
        let observer = try ReplicaGroup.observer(trusting: group, in: group.folder, name: "late")
        try observer.receive(try b.operations(of: b.identity.replica))
        let pending = try observer.log(limit: 100).filter { if case .pending = $0.status { return true } else { return false } }
        #expect(pending.count == 3)
        try observer.receive(try a.operations(of: a.identity.replica))
        #expect(try observer.log(limit: 100).allSatisfy { $0.status == .accepted })
        let children = Set(try observer.detail(c).children.map(\.entity))
        #expect(children == Set([indicator, note]))
        #expect(try observer.digest().state == b.digest().state)
    }

    @Test func aBrokenChainIsRefusedAndADuplicateIsANoOp() throws {
        let group = try ReplicaGroup([.us, .mx])
        let (us, mx) = (group.replicas[0], group.replicas[1])
        let c = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .prevent))
        try us.set(c, field: "status", value: "in-progress")
        let ops = try us.operations(of: us.identity.replica)
        let tampered = Op(replica: ops[1].replica, seq: ops[1].seq, hlc: ops[1].hlc, prev: String(repeating: "1", count: 64),
                          entity: ops[1].entity, kind: ops[1].kind, field: ops[1].field, value: ops[1].value, refs: ops[1].refs)
        let report = try mx.receive([ops[0], tampered])
        #expect(report.refused[us.identity.replica]?.code == .brokenChain)
        #expect(report.appliedTotal == 0)  // the author's batch is refused as a whole
        let good = try mx.receive(ops)
        #expect(good.appliedTotal == 2)
        let again = try mx.receive(ops)
        #expect(again.appliedTotal == 0 && again.duplicates == 2)
        // A different op at a stored seq is a fork.
        let fork = try mx.receive([tampered.with(entity: tampered.entity)].map {
            Op(replica: $0.replica, seq: $0.seq, hlc: $0.hlc, prev: ops[0].hash, entity: $0.entity, kind: $0.kind,
               field: $0.field, value: "stalled", refs: $0.refs)
        })
        #expect(fork.refused[us.identity.replica]?.code == .fork)
    }
}
