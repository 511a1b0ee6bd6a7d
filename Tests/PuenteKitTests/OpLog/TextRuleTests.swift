import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// U+0000 is refused wherever text enters, so no format holds a text whole that another holds cut.
@Suite struct TextRuleTests {
    @Test func aTextWithUPlus0000IsRefusedEverywhere() throws {
        var world = try Delegations()
        let desk = try world.member(.us, "desk")
        let victim = try world.member(.us, "victim")
        for store in [desk, victim] { try world.send(world.usAdmin, to: store) }
        // On the command line and in an import file, as every control character is.
        #expect(throws: PuenteError.self) {
            try desk.addCommitment(CommitmentDraft(owner: .us, titleEN: "Cut\u{0}here", pillar: .prevent))
        }
        let file = #"{"format":"puente-import/1","commitments":[{"external_id":"x","title":{"en":"Cut\u0000here"},"owner":"us","pillar":"prevent","status":"agreed"}]}"#
        #expect(throws: ImportFileError.self) { try ImportFile(bytes: Array(file.utf8)) }
        // In a bundle, from a client that skips the local checks: rejected on every store alike,
        // so no store holds a title whole that another holds cut.
        let written = try desk.batchUnchecked { batch in
            try batch.addCommitment(CommitmentDraft(owner: .us, titleEN: "Cut\u{0}here", pillar: .prevent))
        }
        try world.send(desk, to: victim)
        for store in [desk, victim] {
            #expect(try !store.commitments().contains { $0.id == written.text })
            let rejected = try store.log(limit: 100, rejectedOnly: true)
            #expect(rejected.contains { $0.op.entity == written.text })
        }
    }
}
