import Foundation
import PropertyBased
import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// Three desks (two U.S., one Mexican) with their operations, a courier desk every observer
/// trusts by hand to carry documents, and a pool of trust documents: genuine, superseded,
/// issued across delegations, signed by a desk instead of a root, forged, and revocations
/// that arrive before or after the certificates of the keys they judge.
struct TrustDocumentPool {
    var world: Delegations
    let usDesk: Replica
    let mxDesk: Replica
    let thief: Replica
    let courier: Replica
    /// Every desk's operations, relayed by the courier.
    let operations: [UInt8]
    /// One bundle per document (a forged one refuses its own bundle and no other).
    var documents = [(label: String, bundle: [UInt8])]()
    let thiefCut: Int64

    init(seed: UInt64) throws {
        var rng = SplitMix(state: seed)
        world = try Delegations()
        usDesk = try world.member(.us, "us-desk", certify: false)
        mxDesk = try world.member(.mx, "mx-desk", certify: false)
        thief = try world.member(.us, "us-thief", certify: false)
        courier = try world.member(.us, "courier", certify: false)
        for desk in [usDesk, mxDesk, thief] {
            let card = try desk.identityCard()
            try courier.trust(card: card, fingerprint: card.fingerprint)
        }
        _ = try usDesk.addCommitment(CommitmentDraft(owner: .us, titleEN: "Trace seized firearms", pillar: .prevent))
        _ = try mxDesk.addCommitment(CommitmentDraft(owner: .mx, titleEN: "Fortalecer aduanas", pillar: .prevent))
        let stolen = try thief.addCommitment(CommitmentDraft(owner: .us, titleEN: "Thief's commitment", pillar: .pursue))
        for step in 0..<Int.random(in: 1...4, using: &rng) { _ = try thief.addNote(to: stolen, text: "Note \(step)") }
        for desk in [usDesk, mxDesk, thief] { try world.send(desk, to: courier) }
        operations = try world.bundle(courier)
        let held = Int64(try thief.operations(of: thief.identity.replica).count)
        thiefCut = Int64.random(in: 0...held, using: &rng)

        let us = try Self.rootKey(world.usAdmin)
        let mx = try Self.rootKey(world.mxAdmin)
        let usCard = try usDesk.identityCard()
        let mxCard = try mxDesk.identityCard()
        let thiefCard = try thief.identityCard()
        func hash(_ replica: Replica, _ seq: Int64) throws -> String {
            if seq == 0 { return Op.genesisPrev }
            guard let op = try replica.operations(of: replica.identity.replica).first(where: { $0.seq == seq }) else {
                throw TrustError(.notHeld, "\(seq)")
            }
            return op.hash
        }
        let certificates: [(String, Certificate)] = [
            ("us-desk v1", try Certificate.issue(for: usCard, version: 1, issued: "2026-11-02", root: us)),
            ("us-desk v2", try Certificate.issue(for: usCard, version: 2, issued: "2026-11-09", root: us)),
            ("mx-desk v1", try Certificate.issue(for: mxCard, version: 1, issued: "2026-11-02", root: mx)),
            ("us-thief v1", try Certificate.issue(for: thiefCard, version: 1, issued: "2026-11-02", root: us)),
            // The Mexican root names the U.S. desk under the U.S. delegation (the only delegation
            // its card lets a certificate state): it is not that delegation's root.
            ("mx root certifies us-desk", try Certificate.issue(for: usCard, version: 9, issued: "2026-11-03", root: mx)),
            ("us root certifies mx-desk", try Certificate.issue(for: mxCard, version: 9, issued: "2026-11-03", root: us)),
            // A desk signing as if it were a root.
            ("us-desk certifies us-thief", try Certificate.issue(for: thiefCard, version: 7, issued: "2026-11-03",
                                                                 root: try BundleForge.key(of: usDesk))),
        ]
        let revocations: [(String, Revocation)] = [
            ("us root revokes us-thief", try Revocation.issue(replica: thief.identity.replica, delegation: .us, lastGoodSeq: thiefCut,
                                                              lastGoodHash: try hash(thief, thiefCut), issued: "2026-11-10", root: us)),
            ("us root revokes us-thief later", try Revocation.issue(replica: thief.identity.replica, delegation: .us,
                                                                    lastGoodSeq: held, lastGoodHash: try hash(thief, held),
                                                                    issued: "2026-11-11", root: us)),
            // The scenario of the issue: the Mexican root revokes a U.S. desk, as its own delegation's and as the U.S.'s.
            ("mx root revokes us-desk as mx", try Revocation.issue(replica: usDesk.identity.replica, delegation: .mx, lastGoodSeq: 0,
                                                                   lastGoodHash: Op.genesisPrev, issued: "2026-11-04", root: mx)),
            ("mx root revokes us-desk as us", try Revocation.issue(replica: usDesk.identity.replica, delegation: .us, lastGoodSeq: 0,
                                                                   lastGoodHash: Op.genesisPrev, issued: "2026-11-04", root: mx)),
            ("us root revokes mx-desk", try Revocation.issue(replica: mxDesk.identity.replica, delegation: .us, lastGoodSeq: 0,
                                                             lastGoodHash: Op.genesisPrev, issued: "2026-11-04", root: us)),
            ("us-desk revokes mx-desk", try Revocation.issue(replica: mxDesk.identity.replica, delegation: .mx, lastGoodSeq: 0,
                                                             lastGoodHash: Op.genesisPrev, issued: "2026-11-04",
                                                             root: try BundleForge.key(of: usDesk))),
        ]
        let forge = try BundleForge(exporter: courier)
        for (label, certificate) in certificates {
            documents.append((label, try forge.bundle(segments: [], certificates: [certificate.bytes])))
        }
        for (label, revocation) in revocations {
            documents.append((label, try forge.bundle(segments: [], revocations: [revocation.bytes])))
        }
        // A forged certificate: the genuine one with its signature's first byte changed.
        var forged = certificates[0].1.bytes
        forged[forged.count - 6] ^= 0x01
        documents.append(("forged", try forge.bundle(segments: [], certificates: [forged])))
    }

    static func rootKey(_ admin: Replica) throws -> PrivateKey {
        try PrivateKey(encryptedPEM: try KeyFile.read(path: admin.defaultRootKeyPath), passphrase: Delegations.passphrase(),
                       expecting: .ed25519)
    }

    /// A store of `delegation` that trusts both roots and the courier, as every observer does.
    mutating func observer(_ delegation: Delegation, _ name: String) throws -> Replica {
        let store = try world.member(delegation, name, certify: false)
        let card = try courier.identityCard()
        try store.trust(card: card, fingerprint: card.fingerprint)
        return store
    }

    /// Has every store of `stores` trust every other by hand, so they can exchange bundles
    /// whatever documents they hold (each then trusts the same keys: the others and itself).
    func introduce(_ stores: [Replica]) throws {
        for store in stores {
            for other in stores where other !== store {
                let card = try other.identityCard()
                try store.trust(card: card, fingerprint: card.fingerprint)
            }
        }
    }

    /// Syncs `stores` fully, every one to every other, until no import changes anything.
    mutating func syncFully(_ stores: [Replica]) throws {
        try introduce(stores)
        for _ in 0..<3 {
            for source in stores {
                let bundle = try world.bundle(source)
                for target in stores where target !== source { _ = try? target.importBundle(bytes: bundle) }
            }
        }
    }
}

@Suite(.timeLimit(.minutes(20))) struct CrossDelegationTrustTests {
    /// The issue's scenario by name: a U.S. store that hears from Mexico first — a Mexican-root
    /// certificate naming a U.S. desk and revocations of it — still accepts the genuine U.S.
    /// certificate and the desk's edits, and ends where the stores that heard the U.S. first end.
    @Test func theOtherDelegationsRootNeitherTakesNorCutsADesk() throws {
        var pool = try TrustDocumentPool(seed: 1)
        let mexicoFirst = try pool.observer(.us, "us-hears-mexico-first")
        let usFirst = try pool.observer(.us, "us-hears-us-first")
        let mexican = try pool.observer(.mx, "mx-observer")
        let fromMexico = pool.documents.filter { $0.label.hasPrefix("mx root") }.map(\.bundle)
        let genuine = pool.documents.filter { ["us-desk v1", "mx-desk v1"].contains($0.label) }.map(\.bundle)
        // A Mexican root cannot put a U.S. key in its own delegation: the key's own card says U.S.
        let mxRoot = try TrustDocumentPool.rootKey(pool.world.mxAdmin)
        let claimed = try Certificate.issue(for: try pool.usDesk.identityCard(), delegation: .mx, version: 1, issued: "2026-11-03",
                                            root: mxRoot)
        #expect(throws: TrustError(.signature, "the member's card")) { try Certificate(bytes: claimed.bytes) }

        for bundle in fromMexico + genuine + [pool.operations] { _ = try mexicoFirst.importBundle(bytes: bundle) }
        for bundle in genuine + fromMexico + [pool.operations] { _ = try usFirst.importBundle(bytes: bundle) }
        for bundle in [pool.operations] + fromMexico + genuine { _ = try mexican.importBundle(bytes: bundle) }
        try pool.syncFully([mexicoFirst, usFirst, mexican])

        let desk = pool.usDesk.identity.replica
        for store in [mexicoFirst, usFirst, mexican] {
            let key = try #require(try store.trustedKeys().first { $0.replica == desk })
            #expect(key.delegation == .us && key.via == "certificate" && key.cut == nil)
            #expect(try store.commitments().contains { $0.titleEN == "Trace seized firearms" })
        }
        let digests = try [mexicoFirst, usFirst, mexican].map { try $0.digest() }
        #expect(Set(digests.map(\.state)).count == 1)
        #expect(Set(digests.map(\.trust)).count == 1)
    }

    /// Random sets of the pool's documents, in random orders, to three stores; then full syncs:
    /// every store prints the same digest and trust fingerprint, and the judgments are the ones
    /// the documents call for, whatever arrived first.
    @Test func trustIsTheSameWhateverArrivesAndInWhateverOrder() async throws {
        await propertyCheck(count: 6, input: Gen.int(in: 0...Int.max)) { seed in
            do {
                var pool = try TrustDocumentPool(seed: UInt64(seed))
                var rng = SplitMix(state: UInt64(seed) ^ 0x6f72_6465)
                let stores = [try pool.observer(.us, "us-a"), try pool.observer(.us, "us-b"), try pool.observer(.mx, "mx-a")]
                for store in stores {
                    var chosen = pool.documents.map(\.bundle).filter { _ in Bool.random(using: &rng) } + [pool.operations]
                    chosen.shuffle(using: &rng)
                    for bundle in chosen { _ = try? store.importBundle(bytes: bundle) }
                }
                // Whatever a store missed, another holds: one of each document reaches some store.
                for (index, document) in pool.documents.enumerated() {
                    _ = try? stores[index % stores.count].importBundle(bytes: document.bundle)
                }
                try pool.syncFully(stores)
                let digests = try stores.map { try $0.digest() }
                #expect(Set(digests.map(\.state)).count == 1, "seed \(seed)")
                #expect(Set(digests.map(\.trust)).count == 1, "seed \(seed)")
                for store in stores {
                    let keys = try store.trustedKeys()
                    let desk = keys.first { $0.replica == pool.usDesk.identity.replica }
                    #expect(desk?.delegation == .us && desk?.version == 2 && desk?.cut == nil, "seed \(seed)")
                    let mxDesk = keys.first { $0.replica == pool.mxDesk.identity.replica }
                    #expect(mxDesk?.delegation == .mx && mxDesk?.cut == nil, "seed \(seed)")
                    let thief = keys.first { $0.replica == pool.thief.identity.replica }
                    #expect(thief?.cut?.from == pool.thiefCut + 1, "seed \(seed)")
                }
            } catch {
                Issue.record("seed \(seed): \(error)")
            }
        }
    }

    /// A certified desk floods a store with 10,000 junk revocations and certificates signed with
    /// its own key, over several bundles: none is kept, the import says how many and from whom,
    /// and the victim's next bundle is accepted everywhere with a manifest no larger than before.
    @Test func aFloodOfDocumentsFromADeskIsNeitherKeptNorRelayed() throws {
        var world = try Delegations()
        let attacker = try world.member(.us, "attacker")
        let victim = try world.member(.us, "victim")
        let other = try world.member(.mx, "other")
        for store in [attacker, victim, other] {
            try world.send(world.usAdmin, to: store)
            try world.send(world.mxAdmin, to: store)
        }
        let before = try ManifestReader.manifestSize(of: try world.bundle(victim))
        let key = try BundleForge.key(of: attacker)
        let forge = try BundleForge(exporter: attacker)
        var dropped = 0
        for batch in 0..<10 {
            let junk = try (0..<1_000).map { index in
                try Revocation.issue(replica: try #require(ReplicaID(hex: Digest.sha256hex(Array("\(batch)-\(index)".utf8)))),
                                     delegation: .us, lastGoodSeq: 0, lastGoodHash: Op.genesisPrev, issued: "2026-11-04",
                                     root: key).bytes
            }
            let report = try victim.importBundle(bytes: try forge.bundle(segments: [], revocations: junk))
            #expect(report.partlyRefused)
            #expect(report.trust.refusals.allSatisfy { $0.issuer == attacker.identity.replica && $0.error.problem == "not-a-root" })
            dropped += report.trust.refusals.count
        }
        #expect(dropped == 10_000)
        let next = try world.bundle(victim)
        // The bound: a manifest carries, per root, one certificate per member and one revocation
        // per replica, and the cards of the authors it carries; here nothing was added.
        #expect(try ManifestReader.manifestSize(of: next) <= before)
        #expect(try other.importBundle(bytes: next).partlyRefused == false)
        #expect(try world.usAdmin.importBundle(bytes: next).partlyRefused == false)
    }
}

/// Reads the size of a bundle's manifest.json from its raw ZIP bytes (local header of the first
/// stored entry named manifest.json), independently of Puente's reader.
enum ManifestReader {
    static func manifestSize(of zip: [UInt8]) throws -> Int {
        var offset = 0
        while offset + 30 <= zip.count, zip[offset..<offset + 4] == [0x50, 0x4b, 0x03, 0x04] {
            func le(_ at: Int, _ width: Int) -> Int { (0..<width).reduce(0) { $0 | Int(zip[offset + at + $1]) << (8 * $1) } }
            let compressed = le(18, 4)
            let size = le(22, 4)
            let nameLength = le(26, 2)
            let extra = le(28, 2)
            let name = String(decoding: zip[offset + 30..<offset + 30 + nameLength], as: UTF8.self)
            if name == "manifest.json" { return size }
            offset += 30 + nameLength + extra + compressed
        }
        throw BundleError(.entries, "no manifest.json")
    }
}

@Suite struct ExportLimitTests {
    /// A store that holds more trust documents that can count than one manifest carries (here
    /// 1,000 certified members, about 1.4 MB of certificates) writes no bundle and says which
    /// limit: it never writes one its own reader would refuse.
    @Test func anExportThatWouldCrossAReadersLimitWritesNothingAndSaysWhy() throws {
        var world = try Delegations()
        let desk = try world.member(.us, "desk")
        try world.send(world.usAdmin, to: desk)
        let root = try TrustDocumentPool.rootKey(world.usAdmin)
        let forge = try BundleForge(exporter: world.usAdmin)
        for batch in 0..<4 {
            let certificates = try (0..<250).map { index in
                let signing = try PrivateKey.generate(.ed25519)
                let card = try IdentityCard(role: .replica, delegation: .us, name: "Member \(batch)-\(index)", office: "",
                                            created: "2026-11-01", signingKey: try signing.publicKey(),
                                            agreementKey: try PrivateKey.generate(.x25519).publicKey()).signed(with: signing)
                return try Certificate.issue(for: card, version: 1, issued: "2026-11-02", root: root).bytes
            }
            #expect(try desk.importBundle(bytes: try forge.bundle(segments: [], certificates: certificates)).partlyRefused == false)
        }
        let path = world.folder.sub("too-many.puente")
        do {
            _ = try desk.exportBundle(to: path, full: true)
            Issue.record("the export wrote a bundle its reader refuses")
        } catch let error as PuenteError {
            #expect(error.code == .exportLimit)
            #expect(error.arguments.last == "\(1024 * 1024) bytes")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: world.folder.path).allSatisfy { !$0.hasPrefix(".too-many") })
    }
}
