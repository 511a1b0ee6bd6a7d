import PuenteKit
import PuenteTestSupport
import Testing

@Suite struct SetTests {
    @Test func observedRemoveAddWins() throws {
        let group = try ReplicaGroup([.us, .us])
        let (a, b) = (group.replicas[0], group.replicas[1])
        let c = try a.addCommitment(CommitmentDraft(owner: .us, titleEN: "T", pillar: .pursue, tags: ["fentanyl"]))
        try group.syncAll()
        // a removes the tag it saw; b concurrently adds it again: the add wins.
        try a.removeElement(c, field: "tags", element: "fentanyl")
        #expect(try a.detail(c).state.sets["tags"] == nil)
        try b.addElement(c, field: "tags", element: "fentanyl")
        try group.syncAll()
        for replica in group.replicas {
            let elements = try replica.detail(c).state.sets["tags"] ?? []
            #expect(elements.map(\.value) == ["fentanyl"])
            #expect(elements.first?.adds.count == 1)
        }
        #expect(try a.digest() == b.digest())
    }
}
