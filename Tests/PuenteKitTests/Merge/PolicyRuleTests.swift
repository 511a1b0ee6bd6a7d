import Foundation
import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// Rules every store applies alike. Convergence laws cannot see them (stores that all apply a
/// wrong rule still agree), so each has an example here that a broken rule fails.
@Suite(.timeLimit(.minutes(20))) struct PolicyRuleTests {
    /// Two certified desks, one per delegation, that hear each other.
    struct Pair {
        var world: Delegations
        let us: Replica
        let mx: Replica

        init() throws {
            world = try Delegations()
            us = try world.member(.us, "us-desk")
            mx = try world.member(.mx, "mx-desk")
            for store in [us, mx] {
                try world.send(world.usAdmin, to: store)
                try world.send(world.mxAdmin, to: store)
            }
        }

        /// Both ways, so both stores judge everything.
        mutating func exchange() throws {
            try world.send(us, to: mx)
            try world.send(mx, to: us)
        }

        func status(of id: OpID, in store: Replica) throws -> OpStatus? {
            try store.log(limit: 1_000).first { $0.op.id == id }?.status
        }
    }

    @Test func aDelegationsReadoutIsWrittenByThatDelegationOnly() throws {
        var pair = try Pair()
        let dialogue = try pair.us.addDialogue(DialogueDraft(titleEN: "Security dialogue", date: "2021-10-08", kind: .highLevelDialogue))
        try pair.exchange()
        let own = try pair.mx.set(dialogue, field: "readout.mx", value: "Mexico's readout")
        let theirs = try pair.us.appendUnchecked(entity: dialogue.text, kind: .set, field: "readout.mx", value: "Written by the U.S.")
        try pair.exchange()
        for store in [pair.us, pair.mx] {
            #expect(try pair.status(of: own, in: store) == .accepted)
            #expect(try pair.status(of: theirs.id, in: store) == .rejected(OpReason(.delegationOnly, ["mx"])))
        }
    }

    @Test func onlyTheDelegationThatAddedEvidenceOrANoteRemovesOrRetractsIt() throws {
        var pair = try Pair()
        let commitment = try pair.us.addCommitment(CommitmentDraft(owner: .joint, titleEN: "Joint arms-trafficking task force",
                                                                   pillar: .prevent))
        let evidence = try pair.us.addElement(commitment, field: "evidence", element: "https://www.state.gov/bicentennial")
        let note = try pair.us.addNote(to: commitment, text: "Task force met in El Paso")
        try pair.exchange()
        let evidenceAdd = try #require(try pair.us.operations(of: pair.us.identity.replica).first { $0.id == evidence })
        let noteCreate = try #require(try pair.us.operations(of: pair.us.identity.replica).first { $0.entity == note.text })
        let removal = try pair.mx.appendUnchecked(entity: commitment.text, kind: .remove, field: "evidence",
                                                  value: "https://www.state.gov/bicentennial",
                                                  refs: [OpRef(target: evidenceAdd.id, hashPrefix: String(evidenceAdd.hash.prefix(16)))])
        let retraction = try pair.mx.appendUnchecked(entity: note.text, kind: .retract, field: "", value: .null,
                                                     refs: [OpRef(target: noteCreate.id, hashPrefix: String(noteCreate.hash.prefix(16)))])
        try pair.exchange()
        for store in [pair.us, pair.mx] {
            #expect(try pair.status(of: removal.id, in: store) == .rejected(OpReason(.adderOnly, ["us"])))
            #expect(try pair.status(of: retraction.id, in: store) == .rejected(OpReason(.adderOnly, ["us"])))
            let detail = try store.detail(commitment)
            #expect(detail.state.sets["evidence"]?.map(\.value) == ["https://www.state.gov/bicentennial"])
            #expect(detail.children.contains { $0.entity == note && !$0.retracted })
        }
    }

    /// A reference counts only when the operation it names is present with that hash: a write
    /// that names the live value with a wrong hash supersedes nothing, and both stay live.
    @Test func aReferenceWithTheWrongHashSupersedesNothing() throws {
        var pair = try Pair()
        let commitment = try pair.us.addCommitment(CommitmentDraft(owner: .us, titleEN: "Fund forensic labs", pillar: .pursue))
        let first = try pair.us.set(commitment, field: "status", value: "in-progress")
        let target = try #require(try pair.us.operations(of: pair.us.identity.replica).first { $0.id == first })
        let wrong = String(target.hash.prefix(15)) + (target.hash.dropFirst(15).first == "0" ? "1" : "0")
        let second = try pair.us.appendUnchecked(entity: commitment.text, kind: .set, field: "status", value: "stalled",
                                                 refs: [OpRef(target: first, hashPrefix: wrong)])
        try pair.exchange()
        for store in [pair.us, pair.mx] {
            let live = try store.detail(commitment).state.registers["status"]?.map(\.op) ?? []
            #expect(Set(live) == [first, second.id])
        }
    }

    /// A revocation that arrives before the operations it judges keeps the last good one: the
    /// cut is after `lastGoodSeq`, not at it.
    @Test func aRevocationThatArrivesFirstKeepsTheLastGoodOperation() throws {
        var world = try Delegations()
        let desk = try world.member(.us, "us-desk")
        let observer = try world.member(.mx, "mx-observer")
        try world.send(world.usAdmin, to: desk)
        try world.send(world.usAdmin, to: observer)
        try world.send(world.mxAdmin, to: observer)
        let commitment = try desk.addCommitment(CommitmentDraft(owner: .us, titleEN: "Share ballistic data", pillar: .pursue))
        let good = try desk.set(commitment, field: "status", value: "in-progress")
        try world.send(desk, to: world.usAdmin)
        let revocation = try world.usAdmin.revoke(desk.identity.replica, lastGoodSeq: good.seq, passphrase: Delegations.passphrase())
        _ = try desk.set(commitment, field: "status", value: "withdrawn")
        // Only the revocation reaches the observer first; then the desk's whole chain.
        let forge = try BundleForge(exporter: world.usAdmin)
        _ = try observer.importBundle(bytes: try forge.bundle(segments: [], revocations: [revocation.revocation.bytes]))
        let report = try world.send(desk, to: observer)
        #expect(report.receive.applied[desk.identity.replica] == Int(good.seq))
        #expect(report.receive.pastRevocation == 1)
        #expect(try observer.commitments().first { $0.id == commitment.text }?.status == "in-progress")
        #expect(try observer.digest().state == world.usAdmin.digest().state)
    }

    /// `keys trust` compares every group of the fingerprint, the last as much as the first.
    @Test func trustingACardNeedsEveryDigitOfItsFingerprint() throws {
        let world = try Delegations()
        let desk = try world.member(.us, "us-desk", certify: false)
        let other = try world.member(.mx, "mx-desk", certify: false)
        let card = try desk.identityCard()
        var groups = card.fingerprint.groups
        for index in [0, 5, 11] {
            var altered = groups
            let digits = Array(altered[index])
            altered[index] = String(digits.dropLast()) + (digits.last == "9" ? "0" : "9")
            let typed = try #require(Fingerprint(typed: altered.joined(separator: " ")))
            #expect(throws: CardError(.fingerprint)) { try other.trust(card: card, fingerprint: typed) }
        }
        groups = card.fingerprint.groups
        let exact = try #require(Fingerprint(typed: groups.joined(separator: " ")))
        #expect(try other.trust(card: card, fingerprint: exact).replica == desk.identity.replica)
    }
}
