import Foundation
import PuenteKit
import Testing

/// The pure resolver: roots, certificates, revocations, cuts.
@Suite struct TrustResolverTests {
    func id(_ n: Int) -> ReplicaID { ReplicaID(hex: String(repeating: String(n % 10), count: 64)) ?? ReplicaID(hex: String(repeating: "0", count: 64))! }

    func certificate(_ member: ReplicaID, by issuer: ReplicaID, _ delegation: Delegation, version: Int64 = 1,
                     name: String = "desk") -> TrustFacts.CertificateFact {
        TrustFacts.CertificateFact(digest: "\(member.hex)\(issuer.hex)\(version)", issuer: issuer, member: member,
                                   delegation: delegation, version: version, name: name)
    }

    @Test func certificatesCountOnlyFromTheCurrentRootAndTheHighestVersionWins() {
        var facts = TrustFacts()
        let (root1, root2, desk) = (id(1), id(2), id(3))
        facts.manual = [TrustFacts.ManualKey(id: root1, role: .root, delegation: .us)]
        facts.certificates = [certificate(desk, by: root1, .us, version: 1, name: "old"),
                              certificate(desk, by: root1, .us, version: 3, name: "new")]
        var resolved = TrustResolver.resolve(facts)
        #expect(resolved.delegations[desk] == .us)
        #expect(resolved.certified[desk]?.name == "new")
        // After a rotation, the old root's certificates no longer count until the new root issues one.
        facts.rotations = [TrustFacts.RotationFact(delegation: .us, version: 2, old: root1, new: root2)]
        resolved = TrustResolver.resolve(facts)
        #expect(resolved.roots[.us]?.current == root2)
        #expect(resolved.roots[.us]?.version == 2)
        #expect(resolved.delegations[desk] == nil)
        facts.certificates.append(certificate(desk, by: root2, .us))
        #expect(TrustResolver.resolve(facts).delegations[desk] == .us)
    }

    @Test func aKeyNeverMovesBetweenDelegations() {
        var facts = TrustFacts()
        let (usRoot, mxRoot, desk, other) = (id(1), id(2), id(3), id(4))
        facts.manual = [TrustFacts.ManualKey(id: usRoot, role: .root, delegation: .us),
                        TrustFacts.ManualKey(id: mxRoot, role: .root, delegation: .mx),
                        TrustFacts.ManualKey(id: other, role: .replica, delegation: .us)]
        // Certified by both roots: trusted by neither.
        facts.certificates = [certificate(desk, by: usRoot, .us), certificate(desk, by: mxRoot, .mx),
                              certificate(other, by: mxRoot, .mx)]
        let resolved = TrustResolver.resolve(facts)
        #expect(resolved.delegations[desk] == nil)
        // Trusted by hand for the United States: a Mexican certificate changes nothing.
        #expect(resolved.delegations[other] == .us)
        // A root does not certify for the other delegation.
        facts.certificates = [certificate(desk, by: usRoot, .mx)]
        #expect(TrustResolver.resolve(facts).delegations[desk] == nil)
    }

    @Test func revocationsCombineByTheSmallestCutAndAreFinal() {
        var facts = TrustFacts()
        let (root, desk) = (id(1), id(3))
        let hash = String(repeating: "a", count: 64)
        facts.manual = [TrustFacts.ManualKey(id: root, role: .root, delegation: .us)]
        facts.certificates = [certificate(desk, by: root, .us)]
        facts.revocations = [TrustFacts.RevocationFact(issuer: root, delegation: .us, replica: desk, seq: 9, hash: hash),
                             TrustFacts.RevocationFact(issuer: root, delegation: .us, replica: desk, seq: 4, hash: hash)]
        let resolved = TrustResolver.resolve(facts)
        #expect(resolved.revocations[desk]?.seq == 4)
        let cuts = TrustResolver.cuts(resolved, forks: [:]) { _, _ in hash }
        #expect(cuts[desk] == ChainCut(from: 5, reason: OpReason(.revoked, ["4"])))
        // A revocation from a root of the other delegation, or from no trusted root, counts for nothing.
        facts.revocations = [TrustFacts.RevocationFact(issuer: id(7), delegation: .us, replica: desk, seq: 1, hash: hash)]
        #expect(TrustResolver.resolve(facts).revocations.isEmpty)
        // Off the chain the revocation keeps: before the earliest fork, or nothing at all.
        facts.revocations = [TrustFacts.RevocationFact(issuer: root, delegation: .us, replica: desk, seq: 6, hash: hash)]
        let offChain = TrustResolver.cuts(TrustResolver.resolve(facts), forks: [desk: 3]) { _, _ in String(repeating: "b", count: 64) }
        #expect(offChain[desk] == ChainCut(from: 3, reason: OpReason(.offChain, ["6"])))
        let noFork = TrustResolver.cuts(TrustResolver.resolve(facts), forks: [:]) { _, _ in String(repeating: "b", count: 64) }
        #expect(noFork[desk]?.from == 1)
        // Not reached yet: a fork proof still cuts.
        let unreached = TrustResolver.cuts(TrustResolver.resolve(facts), forks: [desk: 2]) { _, _ in nil }
        #expect(unreached[desk] == ChainCut(from: 2, reason: OpReason(.forked, ["2"])))
    }

    @Test func twoSuccessorsOfOneRootAreFollowedByNeither() {
        var facts = TrustFacts()
        let (root, a, b) = (id(1), id(2), id(3))
        facts.manual = [TrustFacts.ManualKey(id: root, role: .root, delegation: .mx)]
        facts.rotations = [TrustFacts.RotationFact(delegation: .mx, version: 2, old: root, new: a),
                           TrustFacts.RotationFact(delegation: .mx, version: 2, old: root, new: b)]
        #expect(TrustResolver.resolve(facts).roots[.mx]?.current == root)
        // And the root where they part certifies nothing: its key may be the one misused.
        #expect(TrustResolver.resolve(facts).roots[.mx]?.disputed == true)
        let member = id(4)
        facts.certificates = [certificate(member, by: root, .mx)]
        #expect(TrustResolver.resolve(facts).delegations[member] == nil)
        facts.rotations.removeLast()
        #expect(TrustResolver.resolve(facts).roots[.mx]?.disputed == false)
        // A rotation that skips a version is not followed either.
        facts.rotations = [TrustFacts.RotationFact(delegation: .mx, version: 3, old: root, new: a)]
        #expect(TrustResolver.resolve(facts).roots[.mx]?.version == 1)
    }
}
