import Foundation
import GRDB
import PuenteCrypto

/// One trust fact that changed the store: a certificate, revocation, rotation or fork proof.
public struct TrustChange: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case certificate
        case revocation
        case rotation
        case forkProof = "fork-proof"
    }

    public let kind: Kind
    /// The member certified, the replica revoked or forked, or the new root.
    public let subject: ReplicaID
    public let delegation: Delegation?
    /// The subject's display name, when known.
    public let name: String
    /// The certificate or root version, or the seq of the cut or fork.
    public let number: Int64
    /// Whether it counts under this store's trust configuration (a certificate from a root
    /// this store does not trust is kept and relayed, but changes nothing here).
    public let inEffect: Bool
}

/// A trust document not kept (refused, or unable to count here) while the rest of its bundle
/// applied: it is neither stored nor relayed.
public struct TrustRefusal: Sendable, Equatable {
    public let kind: TrustChange.Kind
    public let subject: ReplicaID
    public let error: TrustError
    /// The key that signed it (the old root, for a rotation).
    public var issuer: ReplicaID?

    /// Whether the bundle counts as partly refused for it: a document of a root this store does
    /// not trust is simply not kept, since nothing is wrong with it.
    public var isRefusal: Bool { error.code != .untrustedIssuer }
}

/// What a batch of trust documents did to the store.
public struct TrustEffect: Sendable, Equatable {
    public var changes: [TrustChange] = []
    public var refusals: [TrustRefusal] = []
    /// Operations accepted before and rejected (or, past a revocation cut, dropped) now.
    public var turnedRejected = 0
    /// Operations not accepted before and accepted now (a certificate arrived, say).
    public var turnedAccepted = 0
    /// Operations past a revocation cut, removed from the store (they are neither kept nor relayed).
    public var dropped = 0

    public init() {}
}

extension Store {
    /// Stores verified trust documents that can count and recomputes what they change.
    ///
    /// Rotations go first, by version, so certificates from a new root are judged against it.
    /// Only documents that can count are stored (and so relayed): a rotation from a root of the
    /// chain this store trusts, at that root's version + 1 (at most two per root and version,
    /// since two already stop the chain there); a certificate or revocation signed by a root of
    /// the chain of the delegation it names, and per issuer and member the highest certificate,
    /// per issuer and replica the smallest revocation. Everything else — signed by a desk, by
    /// the other delegation's root about this one, by a root this store does not trust, or
    /// superseded — is reported and dropped. Whether a stored document takes effect is decided
    /// by ``TrustResolver`` from the whole set, never here, so arrival order cannot change it.
    /// Then every author whose acceptance or cut changed has its entities recomputed by
    /// ``rematerialize(_:entities:trust:)``, the function a rebuild uses.
    static func applyTrust(_ db: Database, certificates: [Certificate] = [], revocations: [Revocation] = [],
                           rotations: [Rotation] = [], proofs: [ForkProof] = [],
                           extra: (Database) throws -> Void = { _ in }) throws -> TrustEffect {
        let before = try TrustMap.load(db)
        var effect = TrustEffect()
        for rotation in rotations.sorted(by: { ($0.delegation.rawValue, $0.version) < ($1.delegation.rawValue, $1.version) }) {
            if let refusal = try admit(rotation, db, &effect) { effect.refusals.append(refusal) }
        }
        let roots = try TrustMap.load(db).resolved.roots
        for certificate in certificates.sorted(by: { $0.version < $1.version }) {
            if let refusal = try admit(certificate, db, roots: roots, &effect) { effect.refusals.append(refusal) }
        }
        for revocation in revocations {
            if let refusal = try admit(revocation, db, roots: roots, &effect) { effect.refusals.append(refusal) }
        }
        for proof in proofs {
            let bytes = proof.bytes
            try db.execute(sql: "INSERT OR IGNORE INTO fork_proof (replica, seq, digest, bytes) VALUES (?, ?, ?, ?)",
                           arguments: [proof.replica.hex, proof.seq, Digest.sha256hex(bytes), Data(bytes)])
            if db.changesCount > 0 {
                effect.changes.append(TrustChange(kind: .forkProof, subject: proof.replica, delegation: nil,
                                                  name: try displayName(db, proof.replica), number: proof.seq, inEffect: true))
            }
        }
        try extra(db)
        let after = try TrustMap.load(db)
        try recompute(db, before: before, after: after, &effect)
        // Whether each change counts, now that everything is in.
        effect.changes = effect.changes.map { change in
            let counts: Bool
            switch change.kind {
            case .certificate: counts = after.resolved.certified[change.subject]?.version == change.number
            case .revocation: counts = after.resolved.revocations[change.subject] != nil
            case .rotation: counts = after.resolved.roots.values.contains { $0.chain.contains(change.subject) }
            case .forkProof: counts = true
            }
            return TrustChange(kind: change.kind, subject: change.subject, delegation: change.delegation, name: change.name,
                               number: change.number, inEffect: counts)
        }
        return effect
    }

    /// Records a run of `replica`'s operations dropped (or refused on arrival) past a revocation
    /// cut, for `log --rejected`: they are neither kept nor relayed, but not forgotten.
    static func recordDropped(_ db: Database, _ replica: ReplicaID, _ range: ClosedRange<Int64>, count: Int,
                              reason: OpReason) throws {
        try db.execute(sql: """
            INSERT OR IGNORE INTO dropped_operations (replica, from_seq, to_seq, count, dropped_at, reason)
            VALUES (?, ?, ?, ?, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), ?)
            """, arguments: [replica.hex, range.lowerBound, range.upperBound, count, reason.text])
    }

    /// Every recorded run of dropped operations, newest first, with its author where known.
    static func droppedOperations(_ db: Database, replicas: [ReplicaID: ReplicaInfo]) throws -> [DroppedOperations] {
        try Row.fetchAll(db, sql: """
            SELECT replica, from_seq, to_seq, count, dropped_at, reason FROM dropped_operations
            ORDER BY dropped_at DESC, replica, from_seq
            """).compactMap { row in
            guard let author = ReplicaID(hex: row["replica"]), let reason = OpReason(text: row["reason"]) else { return nil }
            let from: Int64 = row["from_seq"]
            let to: Int64 = row["to_seq"]
            return DroppedOperations(author: author, authorInfo: replicas[author], seqs: from...to, count: row["count"],
                                     at: row["dropped_at"], reason: reason)
        }
    }

    /// Recomputes every author whose delegation or cut differs between `before` and `after`;
    /// operations past a new revocation cut are removed first.
    static func recompute(_ db: Database, before: TrustMap, after: TrustMap, _ effect: inout TrustEffect) throws {
        var authors = Set<ReplicaID>()
        for id in Set(before.delegations.keys).union(after.delegations.keys) where before.delegations[id] != after.delegations[id] {
            authors.insert(id)
        }
        for id in Set(before.cuts.keys).union(after.cuts.keys) where before.cuts[id] != after.cuts[id] { authors.insert(id) }
        guard !authors.isEmpty else { return }
        let placeholders = authors.map { _ in "?" }.joined(separator: ",")
        let arguments = StatementArguments(authors.map(\.hex))
        let entities = try String.fetchSet(db, sql: "SELECT DISTINCT entity FROM operation_text WHERE replica IN (\(placeholders))",
                                           arguments: arguments)
        let statusesBefore = try statuses(db, entities: entities)

        // Past a revocation cut, operations are neither kept nor relayed.
        let local = try String.fetchOne(db, sql: "SELECT replica FROM local_replica")
        for (replica, revocation) in after.resolved.revocations where authors.contains(replica) {
            let seq = revocation.seq
            // This store's own key revoked: it stops writing (its seqs past the cut must never be reused).
            if replica.hex == local { try db.execute(sql: "UPDATE local_replica SET halted = 'revoked'") }
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM operation_text WHERE replica = ? AND seq > ?",
                                         arguments: [replica.hex, seq]) ?? 0
            if count > 0 {
                let last = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM operation_text WHERE replica = ?", arguments: [replica.hex]) ?? seq + 1
                try recordDropped(db, replica, (seq + 1)...max(seq + 1, last), count: count,
                                  reason: OpReason(.revoked, [String(seq)]))
                // The materialized rows that name them go first; the entities are recomputed below.
                for table in ["register_value", "set_element", "series_entry"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE author = (SELECT key FROM replica WHERE id = ?) AND seq > ?",
                                   arguments: [replica.hex, seq])
                }
                try db.execute(sql: "DELETE FROM operation WHERE author = (SELECT key FROM replica WHERE id = ?) AND seq > ?", arguments: [replica.hex, seq])
                effect.dropped += count
            }
            try db.execute(sql: "DELETE FROM held_operation WHERE replica = ? AND seq > ?", arguments: [replica.hex, seq])
            try db.execute(sql: "DELETE FROM attestation WHERE replica = ? AND seq > ?", arguments: [replica.hex, seq])
            let head = try Row.fetchOne(db, sql: "SELECT seq, hash, hlc FROM operation_text WHERE replica = ? ORDER BY seq DESC LIMIT 1",
                                        arguments: [replica.hex])
            try db.execute(sql: "UPDATE replica SET head_seq = ?, head_hash = ?, head_hlc = ? WHERE id = ? AND head_seq > ?",
                           arguments: [head?["seq"] ?? 0, head?["hash"] ?? Op.genesisPrev, head?["hlc"] ?? HLCTimestamp.zero.text,
                                       replica.hex, seq])
        }
        try rematerialize(db, entities: entities, trust: after)
        let statusesAfter = try statuses(db, entities: entities)
        for (id, status) in statusesBefore where status == "accepted" && statusesAfter[id] != "accepted" {
            effect.turnedRejected += 1
        }
        for (id, status) in statusesAfter where status == "accepted" && statusesBefore[id] != "accepted" {
            effect.turnedAccepted += 1
        }
    }

    private static func statuses(_ db: Database, entities: Set<String>) throws -> [String: String] {
        var result = [String: String]()
        let statement = try db.cachedStatement(sql: "SELECT replica, seq, status FROM operation_text WHERE entity = ?")
        for entity in entities {
            for row in try Row.fetchAll(statement, arguments: [entity]) {
                result["\(row["replica"] as String):\(row["seq"] as Int64)"] = row["status"]
            }
        }
        return result
    }

    static func displayName(_ db: Database, _ replica: ReplicaID) throws -> String {
        if let name = try String.fetchOne(db, sql: """
            SELECT name FROM certificate WHERE member = ? ORDER BY version DESC, digest DESC LIMIT 1
            """, arguments: [replica.hex]) {
            return name
        }
        return try String.fetchOne(db, sql: "SELECT name FROM replica WHERE id = ?", arguments: [replica.hex]) ?? replica.short
    }

    /// Whether `replica` would be trusted for `delegation` once these documents are in: the
    /// store's facts and the documents' together, resolved as ever (documents that cannot count
    /// change nothing there). Nothing is written.
    static func wouldTrust(_ db: Database, _ replica: ReplicaID, as delegation: Delegation, certificates: [Certificate],
                           revocations: [Revocation], rotations: [Rotation]) throws -> Bool {
        var facts = try TrustMap.facts(db)
        for certificate in certificates {
            facts.certificates.append(TrustFacts.CertificateFact(
                digest: Digest.sha256hex(certificate.bytes), issuer: certificate.issuer, member: certificate.member,
                delegation: certificate.delegation, version: certificate.version, name: certificate.name))
        }
        for rotation in rotations {
            facts.rotations.append(TrustFacts.RotationFact(delegation: rotation.delegation, version: rotation.version,
                                                           old: rotation.oldRoot, new: rotation.newRoot))
        }
        for revocation in revocations {
            facts.revocations.append(TrustFacts.RevocationFact(issuer: revocation.issuer, delegation: revocation.delegation,
                                                               replica: revocation.replica, seq: revocation.lastGoodSeq,
                                                               hash: revocation.lastGoodHash))
        }
        return TrustResolver.resolve(facts).delegations[replica] == delegation
    }

    /// Why a document signed by `issuer` cannot count for `delegation`: its issuer is not a root
    /// of that delegation's chain here — `other-delegation` when it is a root of the other one,
    /// `not-a-root` when it is a member's key, `untrusted-issuer` when it is a key this store
    /// does not trust as a root (nothing wrong with the document; it is just not kept here).
    private static func issuerProblem(_ db: Database, _ issuer: ReplicaID, _ delegation: Delegation,
                                      roots: [Delegation: RootState]) throws -> TrustError? {
        if roots[delegation]?.chain.contains(issuer) == true { return nil }
        if let other = roots.first(where: { $0.value.chain.contains(issuer) })?.key {
            return TrustError(.otherDelegation, "\(other.rawValue) → \(delegation.rawValue)")
        }
        if try String.fetchOne(db, sql: "SELECT role FROM replica WHERE id = ?", arguments: [issuer.hex]) == KeyRole.replica.rawValue {
            return TrustError(.notARoot, issuer.short)
        }
        return TrustError(.untrustedIssuer, delegation.rawValue)
    }

    private static func admit(_ rotation: Rotation, _ db: Database, _ effect: inout TrustEffect) throws -> TrustRefusal? {
        let bytes = rotation.bytes
        let digest = Digest.sha256hex(bytes)
        guard try !exists(db, table: "rotation", digest: digest) else { return nil }
        let refuse = { (error: TrustError) -> TrustRefusal? in
            TrustRefusal(kind: .rotation, subject: rotation.newRoot, error: error, issuer: rotation.oldRoot)
        }
        let roots = try TrustMap.load(db).resolved.roots
        if let problem = try issuerProblem(db, rotation.oldRoot, rotation.delegation, roots: roots) { return refuse(problem) }
        guard let root = roots[rotation.delegation], let position = root.chain.firstIndex(of: rotation.oldRoot) else { return nil }
        // The root's version in the chain: the current one's, less the steps after it.
        let version = root.version - Int64(root.chain.count - 1 - position)
        guard rotation.version == version + 1 else {
            return refuse(TrustError(rotation.version <= version ? .rollback : .version,
                                     "\(rotation.delegation.rawValue) v\(rotation.version), v\(version + 1)"))
        }
        // Two successors of one root at one version already stop the chain there for good.
        let successors = try Int.fetchOne(db, sql: "SELECT count(*) FROM rotation WHERE delegation = ? AND old_root = ? AND version = ?",
                                          arguments: [rotation.delegation.rawValue, rotation.oldRoot.hex, rotation.version]) ?? 0
        guard successors < 2 else { return refuse(TrustError(.rollback, "\(rotation.delegation.rawValue) v\(rotation.version)")) }
        try recordKey(db, StoredKey(id: rotation.newRoot, delegation: rotation.delegation, role: .root, name: rotation.name, office: "",
                                    signingKey: rotation.newKey.raw, agreementKey: rotation.newAgreementKey.raw),
                      trusted: false, onConflict: .ignore)
        try db.execute(sql: """
            INSERT INTO rotation (digest, delegation, version, old_root, new_root, bytes) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [digest, rotation.delegation.rawValue, rotation.version, rotation.oldRoot.hex, rotation.newRoot.hex,
                             Data(bytes)])
        effect.changes.append(TrustChange(kind: .rotation, subject: rotation.newRoot, delegation: rotation.delegation,
                                          name: rotation.name, number: rotation.version, inEffect: false))
        return nil
    }

    private static func admit(_ certificate: Certificate, _ db: Database, roots: [Delegation: RootState],
                              _ effect: inout TrustEffect) throws -> TrustRefusal? {
        let bytes = certificate.bytes
        let digest = Digest.sha256hex(bytes)
        guard try !exists(db, table: "certificate", digest: digest) else { return nil }
        let member = certificate.member
        let refuse = { (error: TrustError) -> TrustRefusal? in
            TrustRefusal(kind: .certificate, subject: member, error: error, issuer: certificate.issuer)
        }
        if let problem = try issuerProblem(db, certificate.issuer, certificate.delegation, roots: roots) { return refuse(problem) }
        // One certificate per issuer and member: the highest version (then digest), as the resolver picks.
        if let held = try Row.fetchOne(db, sql: """
            SELECT version, digest FROM certificate WHERE issuer = ? AND member = ? ORDER BY version DESC, digest DESC LIMIT 1
            """, arguments: [certificate.issuer.hex, member.hex]) {
            let version: Int64 = held["version"]
            let heldDigest: String = held["digest"]
            if (version, heldDigest) > (certificate.version, digest) {
                return refuse(TrustError(.olderVersion, "v\(certificate.version) < v\(version)"))
            }
        }
        let card = certificate.memberCard
        try recordKey(db, StoredKey(id: member, delegation: card.delegation, role: .replica, name: card.name, office: card.office,
                                    signingKey: card.signingKey.raw, agreementKey: card.agreementKey.raw),
                      trusted: false, onConflict: .ignore)
        try db.execute(sql: "DELETE FROM certificate WHERE issuer = ? AND member = ?", arguments: [certificate.issuer.hex, member.hex])
        try db.execute(sql: """
            INSERT INTO certificate (digest, issuer, member, delegation, version, name, office, issued, bytes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [digest, certificate.issuer.hex, member.hex, certificate.delegation.rawValue, certificate.version,
                             certificate.name, certificate.office, certificate.issued, Data(bytes)])
        effect.changes.append(TrustChange(kind: .certificate, subject: member, delegation: certificate.delegation,
                                          name: certificate.name, number: certificate.version, inEffect: false))
        return nil
    }

    private static func admit(_ revocation: Revocation, _ db: Database, roots: [Delegation: RootState],
                              _ effect: inout TrustEffect) throws -> TrustRefusal? {
        let bytes = revocation.bytes
        let digest = Digest.sha256hex(bytes)
        guard try !exists(db, table: "revocation", digest: digest) else { return nil }
        let refuse = { (error: TrustError) -> TrustRefusal? in
            TrustRefusal(kind: .revocation, subject: revocation.replica, error: error, issuer: revocation.issuer)
        }
        if let problem = try issuerProblem(db, revocation.issuer, revocation.delegation, roots: roots) { return refuse(problem) }
        // Revocations combine by the smallest cut, so one per issuer and replica says it all.
        if let held = try Row.fetchOne(db, sql: """
            SELECT last_good_seq, last_good_hash FROM revocation WHERE issuer = ? AND replica = ?
            ORDER BY last_good_seq, last_good_hash LIMIT 1
            """, arguments: [revocation.issuer.hex, revocation.replica.hex]) {
            let seq: Int64 = held["last_good_seq"]
            let hash: String = held["last_good_hash"]
            if (seq, hash) <= (revocation.lastGoodSeq, revocation.lastGoodHash) {
                return refuse(TrustError(.superseded, "\(revocation.lastGoodSeq) ≥ \(seq)"))
            }
        }
        try db.execute(sql: "DELETE FROM revocation WHERE issuer = ? AND replica = ?",
                       arguments: [revocation.issuer.hex, revocation.replica.hex])
        try db.execute(sql: """
            INSERT INTO revocation (digest, issuer, delegation, replica, last_good_seq, last_good_hash, issued, bytes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [digest, revocation.issuer.hex, revocation.delegation.rawValue, revocation.replica.hex,
                             revocation.lastGoodSeq, revocation.lastGoodHash, revocation.issued, Data(bytes)])
        effect.changes.append(TrustChange(kind: .revocation, subject: revocation.replica, delegation: revocation.delegation,
                                          name: try displayName(db, revocation.replica), number: revocation.lastGoodSeq,
                                          inEffect: false))
        return nil
    }

    private static func exists(_ db: Database, table: String, digest: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table) WHERE digest = ?)", arguments: [digest]) ?? false
    }

    /// Every certificate, revocation and rotation held, as exact signed bytes, in a stable order.
    static func trustDocuments(_ db: Database) throws -> (certificates: [[UInt8]], revocations: [[UInt8]], rotations: [[UInt8]]) {
        func all(_ table: String) throws -> [[UInt8]] {
            try Data.fetchAll(db, sql: "SELECT bytes FROM \(table) ORDER BY digest").map { Array($0) }
        }
        return (try all("certificate"), try all("revocation"), try all("rotation"))
    }
}
