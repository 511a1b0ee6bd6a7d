import Foundation
@testable import PuenteKit
import PuenteTestSupport
import Testing

@Suite struct ReviewTests {
    /// Indicators come outcome first, then in the order commitments are listed (due date, title,
    /// id), then by name and id — the same on every store.
    @Test func indicatorsAreOrderedByKindThenCommitmentThenName() throws {
        let group = try ReplicaGroup([.us])
        let us = group.replicas[0]
        _ = try us.importFile(try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath:
            Repository.path("Fixtures/bicentennial.json"))))))
        let review = try us.review(asOf: "2025-06-01")
        let commitments = Dictionary(uniqueKeysWithValues: try us.commitments().map { ($0.id, $0) })
        #expect(Set(review.indicators.map(\.commitment)).count > 2)
        #expect(Set(review.indicators.map(\.kind)).count == 2)
        let expected = review.indicators.sorted { a, b in
            func key(_ item: IndicatorProgress) -> (Int, String, String, String, String, String) {
                let parent = commitments[item.commitment]
                return (item.kind == .outcome ? 0 : 1, parent?.due ?? "~", parent?.titleEN ?? parent?.titleES ?? "", item.commitment,
                        item.nameEN ?? item.nameES ?? "", item.id)
            }
            return key(a) < key(b)
        }
        #expect(review.indicators.map(\.id) == expected.map(\.id))
    }
}
