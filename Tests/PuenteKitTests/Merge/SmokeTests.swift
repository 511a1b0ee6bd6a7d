import Testing
import PuenteKit
import PuenteTestSupport

@Suite struct SmokeTests {
    @Test func concurrentWritesBecomeAConflictAndAWriteNamingBothResolvesIt() throws {
        let group = try ReplicaGroup([.us, .us, .mx])
        let (a, b, mx) = (group.replicas[0], group.replicas[1], group.replicas[2])
        let c = try a.addCommitment(CommitmentDraft(owner: .us, titleEN: "Reduce arms trafficking", pillar: .prevent))
        try group.syncAll()
        try a.set(c, field: "status", value: "in-progress")
        group.clock.advance(by: 10)
        try b.set(c, field: "status", value: "stalled")
        try group.syncAll()
        for replica in group.replicas {
            let values = try replica.registerValues(c, field: "status")
            #expect(values.count == 2)
        }
        #expect(try a.digest() == b.digest())
        #expect(try a.digest() == mx.digest())
        #expect(throws: PuenteError.self) { try mx.set(c, field: "status", value: "fulfilled") }
        try a.resolve(c, field: "status", value: "in-progress")
        try group.syncAll()
        #expect(try b.registerValues(c, field: "status").count == 1)
        let before = try a.digest()
        try a.rebuild()
        #expect(try a.digest() == before)
        #expect(try mx.digest() == before)
    }
}
