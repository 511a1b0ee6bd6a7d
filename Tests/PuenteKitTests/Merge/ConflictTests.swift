import Foundation
@testable import PuenteKit
import PuenteTestSupport
import Testing

/// A conflict is live values that differ: two desks that settle on the same value leave one
/// value with two authors (both operations kept), not a conflict, in every count and list and
/// whether the store steps the operations or materializes the entity whole.
@Suite struct ConflictTests {
    @Test func equalLiveValuesAreOneValueNotAConflict() {
        let a = RegisterValue(op: OpID(replica: ReplicaID(hex: String(repeating: "a", count: 64))!, seq: 2),
                              hlc: HLCTimestamp(text: "000000000001-0000")!, value: "in-progress")
        let b = RegisterValue(op: OpID(replica: ReplicaID(hex: String(repeating: "b", count: 64))!, seq: 2),
                              hlc: HLCTimestamp(text: "000000000002-0000")!, value: "in-progress")
        let c = RegisterValue(op: OpID(replica: ReplicaID(hex: String(repeating: "c", count: 64))!, seq: 2),
                              hlc: HLCTimestamp(text: "000000000003-0000")!, value: "stalled")
        #expect(!EntityState.isConflict([]))
        #expect(!EntityState.isConflict([a]))
        #expect(!EntityState.isConflict([a, b]))
        #expect(EntityState.isConflict([a, c]))
        #expect(EntityState.isConflict([a, b, c]))
        // Object values are compared as values, not as texts in some member order.
        let first = RegisterValue(op: a.op, hlc: a.hlc, value: ["rating": "at-risk", "why": "Staffing"])
        let second = RegisterValue(op: b.op, hlc: b.hlc, value: ["why": "Staffing", "rating": "at-risk"])
        #expect(!EntityState.isConflict([first, second]))
    }

    @Test(arguments: [0, Int.max]) func twoDesksSettlingOnTheSameValueLeaveNoConflict(_ stepFrom: Int) throws {
        let group = try ReplicaGroup([.us, .us])
        let (first, second) = (group.replicas[0], group.replicas[1])
        let commitment = try first.addCommitment(CommitmentDraft(owner: .us, titleEN: "Operation Southbound", pillar: .prevent))
        _ = try second.receive(try first.operations(of: first.identity.replica), stepFrom: stepFrom)
        // Concurrently, both desks write the same status; each then takes the other's.
        try first.set(commitment, field: "status", value: "in-progress")
        try second.set(commitment, field: "status", value: "in-progress")
        func exchange() throws {
            _ = try first.receive(try second.operations(of: second.identity.replica), stepFrom: stepFrom)
            _ = try second.receive(try first.operations(of: first.identity.replica), stepFrom: stepFrom)
        }
        try exchange()
        for desk in [first, second] {
            #expect(try desk.registerValues(commitment, field: "status").count == 2, "both operations are kept")
            #expect(try desk.conflicts().isEmpty)
            #expect(try desk.review().conflicts == 0)
            #expect(try desk.commitments().first?.conflicts == 0)
            #expect(try desk.state(commitment).conflictedFields.isEmpty)
            #expect(throws: PuenteError.self) { try desk.resolve(commitment, field: "status", value: "in-progress") }
        }
        // Values that differ are a conflict, counted once per field.
        try first.set(commitment, field: "status", value: "stalled")
        try second.set(commitment, field: "status", value: "fulfilled")
        try exchange()
        for desk in [first, second] {
            #expect(try desk.conflicts().count == 1)
            #expect(try desk.review().conflicts == 1)
            #expect(try desk.commitments().first?.conflicts == 1)
            let rows = try desk.materializedRows()
            try desk.rebuild()
            #expect(try desk.materializedRows() == rows, "incremental = rebuild")
        }
        // Settling it on one value from each desk, the same one, ends the conflict everywhere.
        try first.resolve(commitment, field: "status", value: "stalled")
        try second.resolve(commitment, field: "status", value: "stalled")
        try exchange()
        for desk in [first, second] {
            #expect(try desk.conflicts().isEmpty)
            #expect(try desk.review().conflicts == 0)
            #expect(try desk.commitments().first?.conflicts == 0)
            let rows = try desk.materializedRows()
            try desk.rebuild()
            #expect(try desk.materializedRows() == rows, "incremental = rebuild")
        }
        #expect(try first.materializedRows() == second.materializedRows())
    }
}
