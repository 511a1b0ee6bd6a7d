import Foundation
@testable import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// Encrypted bundles between desks: sealed to the desks the exporter trusts, opened by each of
/// them only, and refused, with the store unchanged, when the envelope is not the one the
/// exporter signed or has been altered.
@Suite struct EncryptedBundleTests {
    /// A U.S. exporter and two Mexican desks it trusts, with one commitment to carry; and a
    /// third Mexican desk the others know nothing of.
    struct Setup {
        let group: ReplicaGroup
        let us: Replica
        let mx: Replica
        let mx2: Replica
        let stranger: Replica
        let strangerGroup: ReplicaGroup
        let folder: TemporaryFolder

        init() throws {
            group = try ReplicaGroup([.us, .mx, .mx])
            us = group.replicas[0]
            mx = group.replicas[1]
            mx2 = group.replicas[2]
            strangerGroup = try ReplicaGroup([.mx])
            stranger = strangerGroup.replicas[0]
            folder = try TemporaryFolder()
            _ = try us.addCommitment(CommitmentDraft(owner: .us, titleEN: "Operation Southbound", pillar: .prevent))
        }

        func key(_ replica: Replica) -> () throws -> PrivateKey { { try replica.agreementKey(passphrase: nil) } }

        func export(for delegation: Delegation? = .mx, name: String = "for-mx.puente") throws -> (String, ExportReport) {
            let path = folder.sub(name)
            return (path, try us.exportBundle(to: path, for: delegation, encrypted: true))
        }
    }

    static func problem(_ body: () throws -> Void) -> String? { OutsiderCostTests.problem(body) }

    @Test func aBundleForMexicoOpensForEachMexicanDeskAndTheExporterOnly() throws {
        let setup = try Setup()
        let (path, report) = try setup.export()
        // Both Mexican desks and the exporter itself; the file starts as an age file does.
        #expect(Set(report.recipients.map(\.replica)) == Set([setup.us, setup.mx, setup.mx2].map(\.identity.replica)))
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.starts(with: Array("age-encryption.org/v1\n-> X25519 ".utf8)))
        #expect(!bytes.contains(subsequence: Array("Southbound".utf8)) && !bytes.contains(subsequence: Array("manifest.json".utf8)))
        for desk in [setup.mx, setup.mx2] {
            let imported = try desk.importBundle(path: path, agreementKey: setup.key(desk))
            #expect(!imported.receive.applied.isEmpty)
            #expect(try desk.digest() == (try setup.us.digest()))
        }
        // A desk it is not for is told so, with what the envelope says of its recipients.
        let digest = try setup.stranger.digest()
        do {
            _ = try setup.stranger.importBundle(path: path, agreementKey: setup.key(setup.stranger))
            Issue.record("a desk the bundle is not for opened it")
        } catch let error as BundleError {
            #expect(error.code == .notForThisDesk && error.detail == "mx=2 us=1", "\(error)")
        }
        #expect(try setup.stranger.digest() == digest)
    }

    @Test func withoutADelegationABundleIsForEveryTrustedDesk() throws {
        let setup = try Setup()
        let (_, report) = try setup.export(for: nil, name: "all.puente")
        #expect(report.recipients.count == 3)
        let (_, plain) = try (setup.folder.sub("plain.puente"), try setup.us.exportBundle(to: setup.folder.sub("plain.puente"), for: .mx))
        #expect(plain.recipients.isEmpty)
    }

    /// The envelope's stanzas are those the exporter signed: re-wrapping the same payload for
    /// other recipients (here, dropping a desk and adding an outsider) is refused, as is the
    /// signed ZIP taken out of its envelope and sent plain.
    @Test func anEnvelopeOtherThanTheSignedOneIsRefused() throws {
        let setup = try Setup()
        let (path, _) = try setup.export()
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let header = try AgeHeader(bytes)
        let mxKey = try setup.mx.agreementKey(passphrase: nil).rawPrivateKey()
        let fileKey = try #require(try Age.unwrap(header, identity: mxKey))
        // The ZIP inside, as a recipient (or stock age) sees it.
        let zip = try AgePayloadBytes(source: MemoryBundleBytes(bytes), start: header.length, fileKey: fileKey)
        let plainZip = try zip.read(0, zip.count)
        #expect(plainZip.starts(with: [0x50, 0x4b, 0x03, 0x04]))

        // A recipient re-wraps the file key for itself and an outsider, with a valid MAC.
        let outsider = try secureRandomBytes(32)
        let mxPublic = try #require(AgePrimitives.x25519Base(mxKey))
        let forged = try Age.Sealer(recipients: [mxPublic, try #require(AgePrimitives.x25519Base(outsider))], fileKey: fileKey)
        let rewrapped = try forged.header() + bytes[header.length...]
        let rewrappedPath = setup.folder.sub("rewrapped.puente")
        try Data(rewrapped).write(to: URL(fileURLWithPath: rewrappedPath))
        let digest = try setup.mx.digest()
        #expect(Self.problem { _ = try setup.mx.importBundle(path: rewrappedPath, agreementKey: setup.key(setup.mx)) } == "envelope-recipients")
        // The signed ZIP alone.
        let plainPath = setup.folder.sub("plain.puente")
        try Data(plainZip).write(to: URL(fileURLWithPath: plainPath))
        #expect(Self.problem { _ = try setup.mx.importBundle(path: plainPath, agreementKey: setup.key(setup.mx)) } == "envelope-recipients")
        #expect(try setup.mx.digest() == digest)
    }

    /// The agreement key has the signing key's care: encrypted with the store's passphrase when
    /// it has one, 0600, refused when others can read it; `rekey` makes a new one, which the new
    /// card carries and bundles are then sealed to; the age identity is written only to a new
    /// private file.
    @Test func theAgreementKeyIsKeptAsTheSigningKeyIsAndRekeyReplacesIt() throws {
        let folder = try TemporaryFolder()
        var typed = Array("a long enough passphrase".utf8)
        let secret = try #require(SecretBuffer.take(&typed))
        let store = folder.sub("desk")
        let desk = try Replica.initialize(folder: store, delegation: .mx, name: "SRE desk", passphrase: secret)
        let keyFile = store + "/" + Replica.agreementKeyFile
        let text = String(decoding: try Array(Data(contentsOf: URL(fileURLWithPath: keyFile))), as: UTF8.self)
        #expect(text.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        var status = stat()
        #expect(stat(keyFile, &status) == 0 && status.st_mode & 0o777 == 0o600)
        #expect(throws: PuenteError.self) { _ = try desk.agreementKey(passphrase: nil) }
        let key = try desk.agreementKey(passphrase: { secret })
        let before = try desk.ageRecipient()
        #expect(Age.recipient(try key.rawPublicKey()) == before)
        // The identity: a new 0600 file with it and no more; never over an existing file.
        let identity = folder.sub("identity.txt")
        try desk.writeAgeIdentity(to: identity, key: key)
        #expect(stat(identity, &status) == 0 && status.st_mode & 0o777 == 0o600)
        let written = try String(contentsOfFile: identity, encoding: .utf8)
        #expect(written.contains(Age.identity(try key.rawPrivateKey())) && written.contains("# public key: " + before))
        #expect(throws: KeyFile.Failure.self) { try desk.writeAgeIdentity(to: identity, key: key) }
        // Readable by others: refused, like the signing key.
        chmod(keyFile, 0o644)
        #expect(throws: PuenteError.self) { _ = try Replica.open(folder: store, passphrase: { secret }) }
        chmod(keyFile, 0o600)
        // rekey: a new agreement key, on the new card.
        let rekeyed = try Replica.rekey(folder: store, passphrase: { secret })
        let after = try rekeyed.ageRecipient()
        #expect(after != before)
        #expect(Age.recipient(try rekeyed.identityCard().agreementKey.raw) == after)
        #expect(try rekeyed.agreementKey(passphrase: { secret }).rawPublicKey() == (try rekeyed.publicKeys()).agreement)
    }

    /// Anyone can seal a file to a desk's recipient. A sealed bundle from an exporter the desk
    /// does not trust costs the desk the chunks that hold its manifest and signature, not the
    /// whole payload: it is refused before the rest is decrypted.
    @Test func anUntrustedExportersSealedBundleIsRefusedBeforeItsPayloadIsDecrypted() throws {
        let setup = try Setup()
        let outsiders = try ReplicaGroup([.us])
        let outsider = outsiders.replicas[0]
        let keys = try setup.mx.publicKeys()
        try outsider.trustReplica(signingKey: keys.signing, agreementKey: keys.agreement, delegation: .mx, name: "mx")
        for _ in 0..<40 {
            // Summaries of random digits, which deflate cannot shrink much.
            _ = try outsider.addCommitment(CommitmentDraft(owner: .us, titleEN: "Padding", summaryEN: try secureRandomBytes(8_000).hex,
                                                           pillar: .pursue))
        }
        let path = setup.folder.sub("outsider.puente")
        _ = try outsider.exportBundle(to: path, for: .mx, encrypted: true)
        let size = Int(try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber ?? 0)
        let chunks = (size - (try AgeHeader(Array(try Data(contentsOf: URL(fileURLWithPath: path))))).length - 16 + Age.sealedChunkSize - 1)
            / Age.sealedChunkSize
        #expect(chunks >= 4, "the payload must span several chunks for this case")
        let digest = try setup.mx.digest()
        let opened = try setup.mx.openForReading(path: path, agreementKey: setup.key(setup.mx))
        let payload = try #require(opened.zip as? AgePayloadBytes)
        #expect(Self.problem { _ = try setup.mx.importBundle(opened, watch: .none) } == "untrusted-exporter")
        #expect(payload.chunksOpened < chunks, "\(payload.chunksOpened) of \(chunks) chunks decrypted")
        #expect(try setup.mx.digest() == digest)
    }

    /// Hostile envelopes: each refused before any operation is read, the store unchanged.
    @Test func hostileEnvelopesAreRefused() throws {
        let setup = try Setup()
        let (path, _) = try setup.export()
        let good = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        let header = try AgeHeader(good)
        let payloadStart = header.length + 16
        var cases = [(String, [UInt8], String)]()
        // A flipped bit in the MAC.
        var flipped = good
        let macAt = header.authenticated.count + 1
        flipped[macAt] = flipped[macAt] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        cases.append(("flipped MAC", flipped, "envelope-mac"))
        // Two stanzas swapped: the MAC covers their order.
        let stanzas = header.stanzas
        let swapped = AgeHeader.encode([stanzas[1], stanzas[0]] + stanzas.dropFirst(2)) + Array("--- ".utf8)
            + AgeBase64.encode(header.mac) + [0x0a] + good[header.length...]
        cases.append(("swapped stanzas", swapped, "envelope-mac"))
        // The last chunk cut short, and the stream extended past its final chunk.
        cases.append(("truncated last chunk", Array(good.dropLast(5)), "envelope-payload"))
        cases.append(("extended stream", good + [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], "envelope-payload"))
        // A recipient stanza for a key nobody holds, alone.
        let unknown = try Age.Sealer(recipients: [try #require(AgePrimitives.x25519Base(try secureRandomBytes(32)))])
        cases.append(("a stanza for an unknown key", try unknown.header() + good[header.length...], "not-for-this-desk"))
        // No recipient stanza at all.
        cases.append(("no recipient", Age.magic + Array("v1\n--- ".utf8) + AgeBase64.encode(header.mac) + [0x0a]
                      + good[header.length...], "envelope"))
        // Not age v1, and a header that never ends.
        cases.append(("another version", Array("age-encryption.org/v2\n".utf8) + good[22...], "envelope"))
        cases.append(("endless header", Age.magic + Array("v1\n-> X25519 ".utf8) + [UInt8](repeating: 0x41, count: 70_000),
                      "envelope"))
        // Chunks reordered: a bundle of two chunks at least, its chunks swapped.
        for _ in 0..<10 {
            // Summaries of random digits, which deflate cannot shrink much.
            _ = try setup.us.addCommitment(CommitmentDraft(owner: .us, titleEN: "Padding", summaryEN: try secureRandomBytes(8_000).hex,
                                                           pillar: .pursue))
        }
        let (bigPath, _) = try setup.export(name: "big.puente")
        let big = try Array(Data(contentsOf: URL(fileURLWithPath: bigPath)))
        let bigHeader = try AgeHeader(big)
        let chunks = Array(big[(bigHeader.length + 16)...])
        #expect(chunks.count > Age.sealedChunkSize, "the bundle must span two chunks for this case")
        let reordered = Array(big[..<(bigHeader.length + 16)]) + chunks[Age.sealedChunkSize...] + chunks[..<Age.sealedChunkSize]
        cases.append(("reordered chunks", reordered, "envelope-payload"))
        _ = payloadStart

        let digest = try setup.mx.digest()
        for (name, bytes, expected) in cases {
            let file = setup.folder.sub("hostile.puente")
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            #expect(Self.problem { _ = try setup.mx.importBundle(path: file, agreementKey: setup.key(setup.mx)) } == expected, "\(name)")
            #expect(try setup.mx.digest() == digest, "\(name)")
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { self[$0..<($0 + subsequence.count)].elementsEqual(subsequence) }
    }
}
