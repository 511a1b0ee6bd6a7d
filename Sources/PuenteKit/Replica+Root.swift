import Foundation
import PuenteCrypto

/// A delegation's root key, as an administrator's store holds it: always passphrase-protected,
/// in its own file, apart from the replica key.
extension Replica {
    public static let rootKeyFile = "root-key.pem"

    /// Where the root key lives unless the administrator names another file.
    public var defaultRootKeyPath: String { Self.path(folder, Self.rootKeyFile) }

    /// Creates the delegation's root key at `keyPath`, encrypted with `passphrase`; trusts it
    /// here as the delegation's root; and certifies this store's own replica key (version 1).
    /// Returns the root's identity card, for the other stores to trust after a fingerprint check.
    ///
    /// `publish` (writing the card to a file, say) runs before anything is recorded; if it or
    /// anything after the key file was created fails, the key file is removed and the store is
    /// as it was, so the command can simply be run again.
    public func initializeRoot(passphrase: SecretBuffer, name: String, keyPath: String? = nil,
                               publish: (IdentityCard) throws -> Void = { _ in }) throws -> IdentityCard {
        let path = keyPath ?? defaultRootKeyPath
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard LocalText.isName(name) else { throw PuenteError(.invalidValue, ["name", Self.nameRule]) }
        if try store.read({ tx in try tx.trust.resolved.roots[identity.delegation] }) != nil {
            throw TrustError(.rootExists, identity.delegation.rawValue)
        }
        let root = try PrivateKey.generate(.ed25519)
        // A root never receives bundles; its card still names an agreement key, whose private half is not kept.
        let agreement = try PrivateKey.generate(.x25519).publicKey()
        do {
            try KeyFile.create(path: path, bytes: try root.encryptedPEM(passphrase: passphrase))
        } catch KeyFile.Failure.exists {
            throw TrustError(.rootExists, path)
        }
        do {
            return try recordRoot(root, agreement: agreement, name: name, publish: publish)
        } catch {
            unlink(path)
            throw error
        }
    }

    private func recordRoot(_ root: PrivateKey, agreement: PublicKey, name: String,
                            publish: (IdentityCard) throws -> Void) throws -> IdentityCard {
        let card = IdentityCard(role: .root, delegation: identity.delegation, name: name, office: identity.office,
                                created: today, signingKey: try root.publicKey(), agreementKey: agreement)
        let cardFile = try card.file(signedWith: root)
        let own = try IdentityCard(file: try identityCardFile())
        let certificate = try Certificate.issue(for: own, delegation: identity.delegation, version: 1, issued: today, root: root)
        guard let rootID = card.replica else { throw TrustError(.key) }
        try store.write { tx in
            // The root first, so its certificate of this store's key is judged against it.
            _ = try tx.applyTrust { tx in
                try tx.untrustRoots(of: identity.delegation)
                try tx.recordKey(StoredKey(id: rootID, delegation: identity.delegation, role: .root, name: name, office: identity.office,
                                           signingKey: card.signingKey.raw, agreementKey: agreement.raw, card: cardFile),
                                 trusted: true, onConflict: .fail)
            }
            let effect = try tx.applyTrust(certificates: [certificate])
            if let refusal = effect.refusals.first { throw refusal.error }
            try publish(try IdentityCard(file: cardFile))
        }
        return try IdentityCard(file: cardFile)
    }

    /// Opens the root key at `keyPath` and checks it is the current root of this store's delegation.
    func currentRoot(passphrase: SecretBuffer, keyPath: String?) throws -> (key: PrivateKey, state: RootState) {
        let path = keyPath ?? defaultRootKeyPath
        guard let state = try store.read({ tx in try tx.trust.resolved.roots[identity.delegation] }) else {
            throw TrustError(.noRoot, identity.delegation.rawValue)
        }
        guard !state.disputed else { throw TrustError(.disputedRoot, identity.delegation.rawValue) }
        let bytes: [UInt8]
        do {
            bytes = try KeyFile.read(path: path)
        } catch let failure as KeyFile.Failure {
            if case .tooOpen = failure { throw PuenteError(.keyFileTooOpen, [path]) }
            throw TrustError(.rootKey, path)
        }
        let key: PrivateKey
        do {
            key = try PrivateKey(encryptedPEM: bytes, passphrase: passphrase, expecting: .ed25519)
        } catch {
            throw TrustError(.passphrase, path)
        }
        guard ReplicaID(signingKey: try key.rawPublicKey()) == state.current else { throw TrustError(.notCurrentRoot, path) }
        return (key, state)
    }

    /// Issues a member certificate for the holder of `card` and stores it (it travels in every
    /// bundle). The version is one more than the highest this root issued for that key, unless given.
    public func certify(card: IdentityCard, passphrase: SecretBuffer, keyPath: String? = nil,
                        version: Int64? = nil) throws -> Certificate {
        let root = try currentRoot(passphrase: passphrase, keyPath: keyPath)
        guard card.role == .replica else { throw TrustError(.shape, "a root card cannot be certified") }
        guard card.delegation == identity.delegation else {
            throw TrustError(.otherDelegation, "\(identity.delegation.rawValue) → \(card.delegation.rawValue)")
        }
        guard let member = card.replica else { throw TrustError(.key) }
        let held = try store.read { tx in try tx.highestCertificateVersion(issuer: root.state.current, member: member) }
        let next = version ?? held + 1
        guard next > held else { throw TrustError(.olderVersion, "v\(next) ≤ v\(held)") }
        let certificate = try Certificate.issue(for: card, delegation: identity.delegation, version: next, issued: today, root: root.key)
        let effect = try store.write { tx in try tx.applyTrust(certificates: [certificate]) }
        if let refusal = effect.refusals.first { throw refusal.error }
        return certificate
    }

    /// Revokes `replica` after `lastGoodSeq`, on the chain this store holds up to that seq
    /// (0 revokes all of it), and stores the revocation (it travels in every bundle).
    public func revoke(_ replica: ReplicaID, lastGoodSeq: Int64, passphrase: SecretBuffer,
                       keyPath: String? = nil) throws -> (revocation: Revocation, effect: TrustEffect) {
        let root = try currentRoot(passphrase: passphrase, keyPath: keyPath)
        let (delegation, hash) = try store.read { tx -> (Delegation?, String?) in
            let known = try tx.key(replica)
            let delegation = try tx.trust.delegations[replica] ?? (known?.role == .replica ? known?.delegation : nil)
            let hash = lastGoodSeq == 0 ? Op.genesisPrev : try tx.operationHash(replica, seq: lastGoodSeq)
            return (delegation, hash)
        }
        guard let delegation else { throw TrustError(.unknownReplica, replica.short) }
        guard delegation == identity.delegation else {
            throw TrustError(.otherDelegation, "\(identity.delegation.rawValue) → \(delegation.rawValue)")
        }
        guard lastGoodSeq >= 0, let hash else { throw TrustError(.notHeld, "\(replica.short):\(lastGoodSeq)") }
        let revocation = try Revocation.issue(replica: replica, delegation: identity.delegation, lastGoodSeq: lastGoodSeq,
                                              lastGoodHash: hash, issued: today, root: root.key)
        let effect = try store.write { tx in try tx.applyTrust(revocations: [revocation]) }
        if let refusal = effect.refusals.first { throw refusal.error }
        return (revocation, effect)
    }

    /// Replaces the delegation's root: a new key, encrypted with `newPassphrase`, at version
    /// old + 1, the rotation signed by both. The old key file is kept beside it as
    /// `<file>.v<old version>`. Every certificate the old root issued is issued again by the
    /// new one, at the same version, so members stay certified.
    public func rotateRoot(passphrase: SecretBuffer, newPassphrase: SecretBuffer,
                           keyPath: String? = nil) throws -> (rotation: Rotation, card: IdentityCard, reissued: Int) {
        let path = keyPath ?? defaultRootKeyPath
        let old = try currentRoot(passphrase: passphrase, keyPath: path)
        let new = try PrivateKey.generate(.ed25519)
        let agreement = try PrivateKey.generate(.x25519).publicKey()
        let name = try store.read { tx in try tx.key(old.state.current)?.name } ?? "\(identity.delegation.rawValue) root"
        let rotation = try Rotation.sign(delegation: identity.delegation, version: old.state.version + 1, old: old.key, new: new,
                                         newAgreementKey: agreement, name: name, created: today)
        let card = IdentityCard(role: .root, delegation: identity.delegation, name: name, office: identity.office, created: today,
                                signingKey: rotation.newKey, agreementKey: agreement)
        let cardFile = try card.file(signedWith: new)
        let previous = try store.read { tx in try tx.certificates(issuedBy: old.state.current) }.compactMap { try? Certificate(bytes: $0) }
        var reissued = [Certificate]()
        for certificate in previous {
            reissued.append(try Certificate.issue(for: certificate.memberCard, version: certificate.version, issued: today, root: new))
        }
        // Keep only the highest version per member.
        var best = [ReplicaID: Certificate]()
        for certificate in reissued where (best[certificate.member]?.version ?? 0) < certificate.version {
            best[certificate.member] = certificate
        }
        let retired = path + ".v\(old.state.version)"
        guard rename(path, retired) == 0 else { throw TrustError(.rootKey, path) }
        do {
            try KeyFile.create(path: path, bytes: try new.encryptedPEM(passphrase: newPassphrase))
        } catch {
            _ = rename(retired, path)
            throw error
        }
        do {
            try store.write { tx in
                let effect = try tx.applyTrust(certificates: best.values.sorted { $0.member < $1.member }, rotations: [rotation]) { tx in
                    try tx.setCard(cardFile, of: rotation.newRoot)
                }
                if let refusal = effect.refusals.first { throw refusal.error }
            }
        } catch {
            // Nothing was recorded: put the old key back.
            _ = unlink(path)
            _ = rename(retired, path)
            throw error
        }
        return (rotation, try IdentityCard(file: cardFile), best.count)
    }
}

extension Replica {
    /// Stores a certificate with none of the checks ``certify(card:passphrase:keyPath:version:)``
    /// and bundle import make — as a hostile or broken client would — so tests can show that
    /// other stores refuse it when it arrives.
    package func storeUnchecked(_ certificate: Certificate) throws {
        try store.write { tx in try tx.storeUnchecked(certificate) }
    }
}
