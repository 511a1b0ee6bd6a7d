import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// What the audit trail says a write replaced is what it really superseded.
@Suite struct HistoryTests {
    /// A U.S. write of `assessment.us` that names the Mexican assessment in its references (a
    /// dormant reference: another field) does not show the Mexican value as the one it replaced.
    @Test func aDormantReferenceShowsNoFromValue() throws {
        var world = try Delegations()
        let us = try world.member(.us, "us-desk")
        let mx = try world.member(.mx, "mx-desk")
        for store in [us, mx] {
            try world.send(world.usAdmin, to: store)
            try world.send(world.mxAdmin, to: store)
        }
        let commitment = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "Trace seized firearms", pillar: .prevent))
        try world.send(us, to: mx)
        let theirs = try mx.assess(commitment, rating: .offTrack, why: "Mexican view")
        try world.send(mx, to: us)
        let target = try #require(try mx.operations(of: mx.identity.replica).first { $0.id == theirs })
        let forged = try us.appendUnchecked(entity: commitment.text, kind: .set, field: "assessment.us",
                                            value: ["rating": "on-track"],
                                            refs: [OpRef(target: theirs, hashPrefix: String(target.hash.prefix(16)))])
        let entry = try #require(try us.detail(commitment).history.first { $0.op.id == forged.id })
        #expect(entry.previous.isEmpty)
        // A genuine write of the same field shows what it replaced.
        let honest = try us.assess(commitment, rating: .atRisk, why: nil)
        let replaced = try #require(try us.detail(commitment).history.first { $0.op.id == honest })
        #expect(replaced.previous.map { $0["rating"]?.stringValue } == ["on-track"])
    }
}
