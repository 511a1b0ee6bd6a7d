/// Where an author's chain stops counting: its operations from `from` on are rejected.
public struct ChainCut: Hashable, Sendable {
    public let from: Int64
    public let reason: OpReason

    public init(from: Int64, reason: OpReason) {
        self.from = from
        self.reason = reason
    }
}

/// The trust facts a store holds, already verified: what ``TrustResolver`` reads.
public struct TrustFacts: Sendable {
    public struct ManualKey: Sendable, Equatable {
        public let id: ReplicaID
        public let role: KeyRole
        public let delegation: Delegation

        public init(id: ReplicaID, role: KeyRole, delegation: Delegation) {
            self.id = id
            self.role = role
            self.delegation = delegation
        }
    }

    public struct CertificateFact: Sendable, Equatable {
        public let digest: String
        public let issuer: ReplicaID
        public let member: ReplicaID
        public let delegation: Delegation
        public let version: Int64
        public let name: String

        public init(digest: String, issuer: ReplicaID, member: ReplicaID, delegation: Delegation, version: Int64, name: String) {
            self.digest = digest
            self.issuer = issuer
            self.member = member
            self.delegation = delegation
            self.version = version
            self.name = name
        }
    }

    public struct RotationFact: Sendable, Equatable {
        public let delegation: Delegation
        public let version: Int64
        public let old: ReplicaID
        public let new: ReplicaID

        public init(delegation: Delegation, version: Int64, old: ReplicaID, new: ReplicaID) {
            self.delegation = delegation
            self.version = version
            self.old = old
            self.new = new
        }
    }

    public struct RevocationFact: Sendable, Equatable {
        public let issuer: ReplicaID
        public let delegation: Delegation
        public let replica: ReplicaID
        public let seq: Int64
        public let hash: String

        public init(issuer: ReplicaID, delegation: Delegation, replica: ReplicaID, seq: Int64, hash: String) {
            self.issuer = issuer
            self.delegation = delegation
            self.replica = replica
            self.seq = seq
            self.hash = hash
        }
    }

    public var manual: [ManualKey] = []
    public var certificates: [CertificateFact] = []
    public var rotations: [RotationFact] = []
    public var revocations: [RevocationFact] = []
    /// Per replica, the smallest seq a stored fork proof starts at.
    public var forks: [ReplicaID: Int64] = [:]

    public init() {}
}

/// A delegation's root as the trust configuration resolves it.
public struct RootState: Sendable, Equatable {
    /// The root trusted by hand (after a fingerprint check).
    public let anchor: ReplicaID
    /// Where the rotations signed by old and new roots lead from the anchor.
    public let current: ReplicaID
    public let version: Int64
    /// Every root from the anchor to the current one, in order.
    public let chain: [ReplicaID]
    /// Two successors were signed from `current` at the next version: someone holds a root key
    /// they should not (a thief of a superseded root can always sign a second branch). No root
    /// certifies for the delegation until a person trusts a root by hand again; revocations
    /// from the chain still count, since they only ever cut.
    public var disputed = false
}

/// Who is trusted, for which delegation, and where chains are cut — a pure function of the
/// trust facts, so every store with the same facts decides the same.
public struct ResolvedTrust: Sendable, Equatable {
    public var roots: [Delegation: RootState] = [:]
    /// Every trusted author and the delegation it speaks for.
    public var delegations: [ReplicaID: Delegation] = [:]
    /// The certificate that counts, per certified member.
    public var certified: [ReplicaID: TrustFacts.CertificateFact] = [:]
    /// The smallest revocation that counts, per replica.
    public var revocations: [ReplicaID: (seq: Int64, hash: String)] = [:]

    public static func == (lhs: ResolvedTrust, rhs: ResolvedTrust) -> Bool {
        lhs.roots == rhs.roots && lhs.delegations == rhs.delegations && lhs.certified == rhs.certified
            && lhs.revocations.mapValues { "\($0.seq):\($0.hash)" } == rhs.revocations.mapValues { "\($0.seq):\($0.hash)" }
    }
}

public enum TrustResolver {
    /// Resolves roots (anchor, then rotations version by version), certificates (the highest
    /// version from the current root of their delegation), authors (keys trusted by hand, then
    /// certified members), and revocations (from any root of the revoked key's own delegation's
    /// chain, the smallest cut). Nothing here depends on the order facts arrived in.
    public static func resolve(_ facts: TrustFacts) -> ResolvedTrust {
        var resolved = ResolvedTrust()
        for delegation in Delegation.allCases {
            let anchors = facts.manual.filter { $0.role == .root && $0.delegation == delegation }.map(\.id).sorted()
            guard let anchor = anchors.first else { continue }
            var version = facts.rotations.filter { $0.delegation == delegation && $0.new == anchor }.map(\.version).max() ?? 1
            var chain = [anchor]
            var current = anchor
            var disputed = false
            while true {
                let next = Set(facts.rotations.filter {
                    $0.delegation == delegation && $0.old == current && $0.version == version + 1
                }.map(\.new))
                // Two different successors signed by one root: follow neither, and let the root
                // where they part certify nothing either (its key may be the one misused); a
                // person must decide. Waiting for whichever came first would let arrival order decide.
                if next.count > 1 { disputed = true }
                guard next.count == 1, let successor = next.first, !chain.contains(successor) else { break }
                chain.append(successor)
                current = successor
                version += 1
            }
            var root = RootState(anchor: anchor, current: current, version: version, chain: chain)
            root.disputed = disputed
            resolved.roots[delegation] = root
        }

        var manualDelegation = [ReplicaID: Delegation]()
        for key in facts.manual where key.role == .replica { manualDelegation[key.id] = key.delegation }
        // A root key is never a member, whatever certificate names it.
        var rootKeys = Set(facts.manual.filter { $0.role == .root }.map(\.id))
        for root in resolved.roots.values { rootKeys.formUnion(root.chain) }

        // The certificate that counts per member: from the current root of its delegation, the
        // highest version (ties broken by digest, so every store picks the same one). A
        // certificate's delegation is the one the member's own signed card states, so a root of
        // the other delegation cannot claim the key: its certificate names a delegation it is
        // not the root of, and counts nowhere.
        var best = [ReplicaID: TrustFacts.CertificateFact]()
        var ambiguous = Set<ReplicaID>()
        for certificate in facts.certificates {
            guard let root = resolved.roots[certificate.delegation], !root.disputed, root.current == certificate.issuer,
                  !rootKeys.contains(certificate.member) else { continue }
            if let other = best[certificate.member] {
                if other.delegation != certificate.delegation {
                    ambiguous.insert(certificate.member)
                    continue
                }
                if (other.version, other.digest) > (certificate.version, certificate.digest) { continue }
            }
            best[certificate.member] = certificate
        }
        for member in ambiguous { best[member] = nil }

        resolved.delegations = manualDelegation
        for (member, certificate) in best {
            // A certificate never moves a key to another delegation.
            if let manual = manualDelegation[member], manual != certificate.delegation { continue }
            resolved.certified[member] = certificate
            resolved.delegations[member] = certificate.delegation
        }

        // A revocation counts when a root of the revoked key's own delegation signed it: a key
        // whose delegation is not known (not trusted here, so nothing of it is accepted) is cut
        // by nothing until it is, and then by its own delegation's roots only.
        for revocation in facts.revocations {
            guard let root = resolved.roots[revocation.delegation], root.chain.contains(revocation.issuer),
                  resolved.delegations[revocation.replica] == revocation.delegation else { continue }
            if let held = resolved.revocations[revocation.replica],
               (held.seq, held.hash) <= (revocation.seq, revocation.hash) { continue }
            resolved.revocations[revocation.replica] = (revocation.seq, revocation.hash)
        }
        return resolved
    }

    /// Where each author's chain stops counting, from its revocation and its fork proofs.
    ///
    /// With a revocation `(s, h)`: when the stored op at `s` has hash `h`, the chain counts up
    /// to `s` (the revocation picks that branch, lifting fork proofs at or before `s`); when it
    /// has another hash the stored chain is off the good one and counts only before the
    /// earliest fork proof (or not at all); when the chain does not reach `s`, fork proofs still
    /// apply. Without a revocation, a fork proof cuts from its seq.
    public static func cuts(_ resolved: ResolvedTrust, forks: [ReplicaID: Int64],
                            storedHash: (ReplicaID, Int64) -> String?) -> [ReplicaID: ChainCut] {
        var cuts = [ReplicaID: ChainCut]()
        for (replica, seq) in forks { cuts[replica] = ChainCut(from: seq, reason: OpReason(.forked, [String(seq)])) }
        for (replica, revocation) in resolved.revocations {
            let revoked = ChainCut(from: revocation.seq + 1, reason: OpReason(.revoked, [String(revocation.seq)]))
            let fork = forks[replica]
            if revocation.seq == 0 {
                cuts[replica] = ChainCut(from: 1, reason: OpReason(.revoked, ["0"]))
            } else if let stored = storedHash(replica, revocation.seq) {
                if stored == revocation.hash {
                    cuts[replica] = revoked
                } else {
                    let from = fork.map { $0 <= revocation.seq ? $0 : 1 } ?? 1
                    cuts[replica] = ChainCut(from: from, reason: OpReason(.offChain, [String(revocation.seq)]))
                }
            } else if let fork, fork <= revocation.seq {
                cuts[replica] = ChainCut(from: fork, reason: OpReason(.forked, [String(fork)]))
            } else {
                cuts[replica] = revoked
            }
        }
        return cuts
    }
}
