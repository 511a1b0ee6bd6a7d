import Foundation
import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// Two delegations with roots, members and an observer, wired only through root cards and
/// bundles: no replica key is trusted by hand.
struct Delegations {
    let folder: TemporaryFolder
    let clock = ManualWallClock()
    let usAdmin: Replica
    let mxAdmin: Replica
    let usRoot: IdentityCard
    let mxRoot: IdentityCard
    var bundleCount = 0

    static func passphrase(_ text: String = "correct horse battery staple") -> SecretBuffer {
        var bytes = Array(text.utf8)
        return SecretBuffer.take(&bytes) ?? SecretBuffer()
    }

    init() throws {
        folder = try TemporaryFolder()
        usAdmin = try Replica.initialize(folder: folder.sub("us-admin"), delegation: .us, name: "State INL admin", wallClock: clock)
        mxAdmin = try Replica.initialize(folder: folder.sub("mx-admin"), delegation: .mx, name: "SRE admin", wallClock: clock)
        usRoot = try usAdmin.initializeRoot(passphrase: Self.passphrase(), name: "U.S. delegation root")
        mxRoot = try mxAdmin.initializeRoot(passphrase: Self.passphrase(), name: "Mexican delegation root")
        try usAdmin.trust(card: mxRoot, fingerprint: mxRoot.fingerprint)
        try mxAdmin.trust(card: usRoot, fingerprint: usRoot.fingerprint)
    }

    /// A new store of `delegation` that trusts both roots; certified by its root unless told not to.
    func member(_ delegation: Delegation, _ name: String, certify: Bool = true) throws -> Replica {
        let replica = try Replica.initialize(folder: folder.sub(name), delegation: delegation, name: name, wallClock: clock)
        try replica.trust(card: usRoot, fingerprint: usRoot.fingerprint)
        try replica.trust(card: mxRoot, fingerprint: mxRoot.fingerprint)
        if certify { _ = try admin(delegation).certify(card: try replica.identityCard(), passphrase: Self.passphrase()) }
        return replica
    }

    func admin(_ delegation: Delegation) -> Replica { delegation == .us ? usAdmin : mxAdmin }

    /// Exports from `source` (everything) and returns the bundle bytes.
    mutating func bundle(_ source: Replica) throws -> [UInt8] {
        bundleCount += 1
        let path = folder.sub("b\(bundleCount).puente")
        _ = try source.exportBundle(to: path, full: true)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @discardableResult
    mutating func send(_ source: Replica, to target: Replica) throws -> BundleImportReport {
        try target.importBundle(bytes: try bundle(source))
    }
}

@Suite struct TrustTests {
    @Test func certifiedMembersAreAcceptedThroughTrustedRoots() throws {
        var world = try Delegations()
        let desk = try world.member(.us, "us-desk")
        let sre = try world.member(.mx, "mx-desk")
        // The desk learns its own certificate (and the admin's) from the admin's bundle.
        try world.send(world.usAdmin, to: desk)
        let commitment = try desk.addCommitment(CommitmentDraft(owner: .us, titleEN: "Disrupt arms trafficking", pillar: .pursue))
        // A relay: the U.S. admin carries the desk's operations to the Mexican desk.
        try world.send(desk, to: world.usAdmin)
        try world.send(world.mxAdmin, to: sre)
        let report = try world.send(world.usAdmin, to: sre)
        #expect(report.refusedSegments.isEmpty)
        #expect(report.trust.changes.contains { $0.kind == .certificate && $0.subject == desk.identity.replica && $0.inEffect })
        let summary = try #require(try sre.commitments().first { $0.id == commitment.text })
        #expect(summary.titleEN == "Disrupt arms trafficking")
        #expect(try sre.digest().state == world.usAdmin.digest().state)
    }

    @Test func uncertifiedAuthorsArePendingUntilACertificateArrives() throws {
        var world = try Delegations()
        let desk = try world.member(.us, "us-desk")
        let newcomer = try world.member(.us, "us-newcomer", certify: false)
        // The desk trusts the newcomer by hand and relays its operations, with its card.
        try world.send(world.usAdmin, to: desk)
        try world.send(world.usAdmin, to: newcomer)
        let card = try newcomer.identityCard()
        try desk.trust(card: card, fingerprint: card.fingerprint)
        let commitment = try newcomer.addCommitment(CommitmentDraft(owner: .us, titleEN: "Expand cargo inspection", pillar: .prevent))
        try world.send(newcomer, to: desk)
        let sre = try world.member(.mx, "mx-desk")
        try world.send(world.mxAdmin, to: sre)
        try world.send(world.usAdmin, to: sre)
        try world.send(desk, to: sre)
        #expect(try sre.commitments().contains { $0.id == commitment.text } == false)
        #expect(try sre.log(rejectedOnly: false).contains { $0.status == .pending(OpReason(.untrustedAuthor)) })

        // The certificate arrives later, from the admin: the operations take effect.
        _ = try world.usAdmin.certify(card: card, passphrase: Delegations.passphrase())
        let report = try world.send(world.usAdmin, to: sre)
        #expect(report.trust.turnedAccepted >= 1)
        #expect(try sre.commitments().contains { $0.id == commitment.text })
    }

    @Test func aRevocationRejectsLaterOperationsEvenWhereTheyWereAccepted() throws {
        var world = try Delegations()
        let desk = try world.member(.us, "us-desk")
        let observer = try world.member(.mx, "mx-observer")
        try world.send(world.usAdmin, to: desk)
        try world.send(world.mxAdmin, to: observer)
        let commitment = try desk.addCommitment(CommitmentDraft(owner: .us, titleEN: "Share ballistic data", pillar: .pursue))
        try world.send(desk, to: world.usAdmin)
        let good = try desk.set(commitment, field: "status", value: "in-progress")
        try world.send(desk, to: world.usAdmin)
        // A second desk writes the same field concurrently, before the stolen edit below: its
        // value is kept beside the stolen one and loses to it until the revocation.
        let second = try world.member(.us, "us-desk-2")
        try world.send(world.usAdmin, to: second)
        try world.send(desk, to: second)
        _ = try second.set(commitment, field: "status", value: "agreed")
        // The key is stolen: a later edit by it reaches the observer, which accepts it. (Later
        // by the clock too: on a stopped clock both stamps would tie, and the tie goes by key.)
        world.clock.advance(by: 1_000)
        _ = try desk.set(commitment, field: "status", value: "withdrawn")
        try world.send(world.usAdmin, to: observer)
        try world.send(desk, to: observer)
        try world.send(second, to: observer)
        #expect(try observer.commitments().first { $0.id == commitment.text }?.status == "withdrawn")

        // The admin revokes the desk after its last good operation.
        let revoked = try world.usAdmin.revoke(desk.identity.replica, lastGoodSeq: good.seq, passphrase: Delegations.passphrase())
        #expect(revoked.revocation.lastGoodSeq == good.seq)
        let report = try world.send(world.usAdmin, to: observer)
        #expect(report.trust.changes.contains { $0.kind == .revocation && $0.inEffect })
        #expect(report.trust.turnedRejected >= 1)
        #expect(report.trust.dropped >= 1)
        // The kept value wins now, and the stored rows say so as a rebuild would.
        #expect(try observer.commitments().first { $0.id == commitment.text }?.status == "agreed")
        let rows = try observer.materializedRows()
        try observer.rebuild()
        #expect(try observer.materializedRows() == rows)
        // Past the cut, operations are not kept: the desk's later bundle changes nothing.
        _ = try desk.set(commitment, field: "status", value: "stalled")
        let later = try world.send(desk, to: observer)
        #expect(later.receive.appliedTotal == 0)
        #expect(try observer.commitments().first { $0.id == commitment.text }?.status == "agreed")
        // What was dropped is not forgotten: the audit keeps who, which seqs, how many and why,
        // for the run dropped from the store and for the one refused on arrival.
        let dropped = try observer.droppedOperations().sorted { $0.seqs.upperBound < $1.seqs.upperBound }
        #expect(dropped.map(\.seqs) == [(good.seq + 1)...(good.seq + 1), (good.seq + 1)...(good.seq + 2)])
        #expect(dropped.map(\.count) == [1, 2])
        #expect(dropped.allSatisfy { $0.author == desk.identity.replica && $0.reason == OpReason(.revoked, [String(good.seq)]) })
        try world.send(second, to: world.usAdmin)
        #expect(try observer.digest().state == world.usAdmin.digest().state)
    }

    @Test func storesWithTheSameRootsAndBundlesAgreeOnStateAndTrust() throws {
        var world = try Delegations()
        let first = try world.member(.mx, "mx-first")
        let second = try world.member(.mx, "mx-second")
        let desk = try world.member(.us, "us-desk")
        try world.send(world.usAdmin, to: desk)
        _ = try desk.addCommitment(CommitmentDraft(owner: .us, titleEN: "Train customs officers", pillar: .prevent))
        try world.send(desk, to: world.usAdmin)
        let fromUS = try world.bundle(world.usAdmin)
        let fromMX = try world.bundle(world.mxAdmin)
        for store in [first, second] {
            _ = try store.importBundle(bytes: fromMX)
            _ = try store.importBundle(bytes: fromUS)
        }
        #expect(try first.digest() == second.digest())
    }

    @Test func refusalsOfForeignCertificatesReplaysAndHalfSignedRotations() throws {
        var world = try Delegations()
        let sre = try world.member(.mx, "mx-desk")
        try world.send(world.mxAdmin, to: sre)
        // The U.S. root cannot certify a Mexican key, neither by command nor by a crafted document.
        let mxCard = try sre.identityCard()
        #expect(throws: TrustError.self) { try world.usAdmin.certify(card: mxCard, passphrase: Delegations.passphrase()) }
        let usRootKey = try PrivateKey(encryptedPEM: try KeyFile.read(path: world.usAdmin.defaultRootKeyPath),
                                       passphrase: Delegations.passphrase(), expecting: .ed25519)
        let crafted = try Certificate.issue(for: mxCard, delegation: .mx, version: 5, issued: "2026-11-22", root: usRootKey)
        #expect(try Certificate(bytes: crafted.bytes).issuer.hex == Digest.sha256hex(try usRootKey.rawPublicKey()))

        // An older version replayed after a newer one is refused.
        let second = try world.mxAdmin.certify(card: mxCard, passphrase: Delegations.passphrase())
        #expect(second.version == 2)
        #expect(throws: TrustError.self) {
            try world.mxAdmin.certify(card: mxCard, passphrase: Delegations.passphrase(), version: 1)
        }

        // A rotation signed by one root only does not parse.
        let mxRootKey = try PrivateKey(encryptedPEM: try KeyFile.read(path: world.mxAdmin.defaultRootKeyPath),
                                       passphrase: Delegations.passphrase(), expecting: .ed25519)
        let intruder = try PrivateKey.generate(.ed25519)
        let honest = try Rotation.sign(delegation: .mx, version: 2, old: mxRootKey, new: intruder,
                                       newAgreementKey: try PrivateKey.generate(.x25519).publicKey(), name: "x", created: "2026-11-22")
        var document = try #require(try CanonicalJSON.decodeCanonical(honest.bytes).objectValue)
        var signatures = try #require(document["signatures"]?.objectValue)
        signatures["new"] = .string(Data(repeating: 7, count: 64).base64EncodedString())
        document["signatures"] = .object(signatures)
        #expect(throws: TrustError(.oneSignature, "new")) { try Rotation(bytes: CanonicalJSON.encode(.object(document))) }
        #expect(try Rotation(bytes: honest.bytes).newRoot.hex == Digest.sha256hex(try intruder.rawPublicKey()))
    }

    @Test func rotationMovesTheRootAndKeepsMembersCertified() throws {
        var world = try Delegations()
        let desk = try world.member(.us, "us-desk")
        try world.send(world.usAdmin, to: desk)
        let commitment = try desk.addCommitment(CommitmentDraft(owner: .us, titleEN: "Fund forensic labs", pillar: .pursue))
        try world.send(desk, to: world.usAdmin)
        let rotated = try world.usAdmin.rotateRoot(passphrase: Delegations.passphrase(),
                                                   newPassphrase: Delegations.passphrase("new passphrase"))
        #expect(rotated.rotation.version == 2)
        #expect(rotated.reissued >= 2)
        let sre = try world.member(.mx, "mx-desk")
        try world.send(world.mxAdmin, to: sre)
        let report = try world.send(world.usAdmin, to: sre)
        #expect(report.trust.changes.contains { $0.kind == .rotation && $0.number == 2 && $0.inEffect })
        #expect(try sre.commitments().contains { $0.id == commitment.text })
        // A rotation to an older version is a rollback, refused and reported.
        let oldRoot = try PrivateKey(encryptedPEM: try KeyFile.read(path: world.usAdmin.defaultRootKeyPath + ".v1"),
                                     passphrase: Delegations.passphrase(), expecting: .ed25519)
        let newRoot = try PrivateKey(encryptedPEM: try KeyFile.read(path: world.usAdmin.defaultRootKeyPath),
                                     passphrase: Delegations.passphrase("new passphrase"), expecting: .ed25519)
        let backwards = try Rotation.sign(delegation: .us, version: 2, old: newRoot, new: oldRoot,
                                          newAgreementKey: try PrivateKey.generate(.x25519).publicKey(), name: "backwards",
                                          created: "2026-11-22")
        let mxForge = try BundleForge(exporter: sre)
        let refused = try sre.importBundle(bytes: try mxForge.bundle(segments: [], rotations: [backwards.bytes]))
        #expect(refused.trust.refusals.map(\.error.problem) == ["rollback"])
        #expect(try sre.trustedKeys().contains { $0.role == .root && $0.delegation == .us && $0.version == 2 })

        // Whoever holds the superseded root key can sign a second successor. Which branch came
        // first must not decide (that would depend on arrival order), and the old key must not
        // win: the delegation's root is disputed and certifies nothing until a person trusts a
        // root card again, wherever the rotation arrives — here relayed by a Mexican desk.
        let intruder = try Rotation.sign(delegation: .us, version: 2, old: oldRoot, new: try PrivateKey.generate(.ed25519),
                                         newAgreementKey: try PrivateKey.generate(.x25519).publicKey(), name: "intruder",
                                         created: "2026-11-22")
        let disputed = try sre.importBundle(bytes: try mxForge.bundle(segments: [], rotations: [intruder.bytes]))
        #expect(disputed.trust.refusals.isEmpty)
        #expect(try !sre.commitments().contains { $0.id == commitment.text })
        #expect(try !sre.trustedKeys().contains { $0.via == "certificate" && $0.delegation == .us })
        // The administrator's new root card, checked by phone, ends the dispute.
        try sre.trust(card: rotated.card, fingerprint: rotated.card.fingerprint)
        #expect(try sre.commitments().contains { $0.id == commitment.text })
        // The old root no longer certifies: its key cannot be used as the current root.
        #expect(throws: TrustError.self) {
            try world.usAdmin.certify(card: try desk.identityCard(), passphrase: Delegations.passphrase(),
                                      keyPath: world.usAdmin.defaultRootKeyPath + ".v1")
        }
    }

    @Test func trustDocumentsMatchTheirSchemas() throws {
        let world = try Delegations()
        let desk = try world.member(.us, "us-desk")
        let certificate = try world.usAdmin.certify(card: try desk.identityCard(), passphrase: Delegations.passphrase())
        let revocation = try world.usAdmin.revoke(desk.identity.replica, lastGoodSeq: 0, passphrase: Delegations.passphrase())
        let rotation = try world.usAdmin.rotateRoot(passphrase: Delegations.passphrase(), newPassphrase: Delegations.passphrase())
        for (schema, bytes) in [("certificate", certificate.bytes), ("revocation", revocation.revocation.bytes),
                                ("rotation", rotation.rotation.bytes), ("identity-card", try #require(rotation.card.signedFile))] {
            let validator = try SchemaValidator(schemaFile: Repository.path("Schemas/\(schema).schema.json"))
            #expect(validator.violations(of: try JSONParser.parse(bytes)) == [], "\(schema)")
        }
        // The root key file is encrypted PKCS#8 with mode 0600.
        let key = try KeyFile.read(path: world.usAdmin.defaultRootKeyPath)
        #expect(String(decoding: key, as: UTF8.self).hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
    }

    @Test func aForgedOrMalformedTrustDocumentRefusesTheWholeBundle() throws {
        var world = try Delegations()
        let desk = try world.member(.us, "us-desk")
        try world.send(world.usAdmin, to: desk)
        let certificate = try world.usAdmin.certify(card: try desk.identityCard(), passphrase: Delegations.passphrase())
        var flipped = certificate.bytes
        let index = try #require(flipped.lastIndex(of: UInt8(ascii: "A")) ?? flipped.lastIndex(of: UInt8(ascii: "B")))
        flipped[index] = flipped[index] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let loose = Array(String(decoding: certificate.bytes, as: UTF8.self).replacingOccurrences(of: "\",\"", with: "\", \"").utf8)
        let forge = try BundleForge(exporter: world.usAdmin)
        let before = try desk.digest()
        for (member, document, problem) in [("certificates", flipped, "certificate"), ("certificates", loose, "certificate"),
                                            ("revocations", certificate.bytes, "revocation"), ("cards", flipped, "card")] {
            let bundle = try forge.bundle(segments: []) { manifest in
                let text = String(decoding: manifest, as: UTF8.self).replacingOccurrences(
                    of: "\"\(member)\":[]", with: "\"\(member)\":[\"\(Data(document).base64EncodedString())\"]")
                manifest = Array(text.utf8)
            }
            #expect(throws: BundleError.self, "\(member)") {
                do { _ = try desk.importBundle(bytes: bundle) } catch let error as BundleError {
                    #expect(error.problem == problem)
                    throw error
                }
            }
        }
        #expect(try desk.digest() == before)
    }

    @Test func aRevocationPicksABranchOfAFork() throws {
        var world = try Delegations()
        let desk = try world.member(.us, "us-desk")
        try world.send(world.usAdmin, to: desk)
        let commitment = try desk.addCommitment(CommitmentDraft(owner: .us, titleEN: "Trace seized firearms", pillar: .pursue))
        // The store is copied; both copies write seq 2, differently.
        let copyPath = world.folder.sub("us-desk-copy")
        try FileManager.default.copyItem(atPath: desk.folder, toPath: copyPath)
        let copy = try Replica.open(folder: copyPath, wallClock: world.clock)
        let good = try desk.set(commitment, field: "status", value: "in-progress")
        _ = try copy.set(commitment, field: "status", value: "withdrawn")
        let original = try world.bundle(desk)
        let copied = try world.bundle(copy)
        let holdsGood = try world.member(.mx, "mx-good")
        let holdsCopy = try world.member(.mx, "mx-copy")
        let fromMX = try world.bundle(world.mxAdmin)
        for store in [holdsGood, holdsCopy] { _ = try store.importBundle(bytes: fromMX) }
        _ = try holdsGood.importBundle(bytes: original)
        _ = try holdsGood.importBundle(bytes: copied)
        _ = try holdsCopy.importBundle(bytes: copied)
        _ = try holdsCopy.importBundle(bytes: original)
        // The fork rejects seq 2 on both, whichever branch each holds.
        for store in [holdsGood, holdsCopy] {
            #expect(try store.commitments().first { $0.id == commitment.text }?.status == "agreed")
            #expect(try store.trustedKeys().first { $0.replica == desk.identity.replica }?.cut?.reason.code == .forked)
        }
        // The administrator, holding the good branch, revokes after it: that branch counts again.
        _ = try world.usAdmin.importBundle(bytes: original)
        _ = try world.usAdmin.revoke(desk.identity.replica, lastGoodSeq: good.seq, passphrase: Delegations.passphrase())
        let revocation = try world.bundle(world.usAdmin)
        for store in [holdsGood, holdsCopy] { _ = try store.importBundle(bytes: revocation) }
        #expect(try holdsGood.commitments().first { $0.id == commitment.text }?.status == "in-progress")
        // The store holding the other branch rejects it as off the chain the revocation keeps.
        #expect(try holdsCopy.trustedKeys().first { $0.replica == desk.identity.replica }?.cut?.reason.code == .offChain)
        #expect(try holdsCopy.commitments().first { $0.id == commitment.text }?.status == "agreed")
    }
}
