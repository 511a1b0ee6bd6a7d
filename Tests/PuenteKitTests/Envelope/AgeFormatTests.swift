import Foundation
@testable import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

func hexBytes(_ text: String) -> [UInt8] {
    var out = [UInt8]()
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        out.append(UInt8(text[index..<next], radix: 16) ?? 0)
        index = next
    }
    return out
}

/// The age format's primitives and encodings, against published vectors: RFC 7748's X25519,
/// the age specification's own examples (c2sp.org/age), and BIP 173's Bech32 rules.
@Suite struct AgeFormatTests {
    /// RFC 7748, section 5.2 (one X25519 call) and section 6.1 (the Diffie-Hellman example).
    @Test func x25519MatchesRFC7748() throws {
        #expect(AgePrimitives.x25519(scalar: hexBytes("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                                     point: hexBytes("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"))
                == hexBytes("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"))
        let alice = hexBytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
        let bob = hexBytes("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
        let alicePublic = hexBytes("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        let bobPublic = hexBytes("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        #expect(AgePrimitives.x25519Base(alice) == alicePublic && AgePrimitives.x25519Base(bob) == bobPublic)
        let shared = hexBytes("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
        #expect(AgePrimitives.x25519(scalar: alice, point: bobPublic) == shared)
        #expect(AgePrimitives.x25519(scalar: bob, point: alicePublic) == shared)
        // A low-order point gives all zeros, which age refuses: nil.
        #expect(AgePrimitives.x25519(scalar: alice, point: [UInt8](repeating: 0, count: 32)) == nil)
    }

    /// RFC 5869's first HKDF-SHA-256 test case (its 42-byte output's first 32 bytes).
    @Test func hkdfMatchesRFC5869() throws {
        let okm = try AgePrimitives.hkdf(ikm: [UInt8](repeating: 0x0b, count: 22), salt: hexBytes("000102030405060708090a0b0c"),
                                         info: hexBytes("f0f1f2f3f4f5f6f7f8f9"))
        #expect(okm == hexBytes("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"))
    }

    /// The specification's X25519 identity and the recipient it gives.
    @Test func theSpecificationsIdentityGivesItsRecipient() throws {
        let identity = "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
        let scalar = try #require(Age.privateKey(identity: identity))
        let recipient = Age.recipient(try #require(AgePrimitives.x25519Base(scalar)))
        #expect(recipient == "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj")
        #expect(Age.identity(scalar) == identity)
        // Mixed case, a changed character, or another prefix is refused.
        #expect(Age.privateKey(identity: "AGE-SECRET-KEY-1gFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX") == nil)
        func publicKey(_ recipient: String) -> [UInt8]? {
            guard let decoded = Bech32.decode(recipient), decoded.hrp == "age", decoded.data.count == 32 else { return nil }
            return decoded.data
        }
        #expect(publicKey(recipient) == AgePrimitives.x25519Base(scalar))
        #expect(publicKey("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwk") == nil)
        #expect(publicKey(identity) == nil)
    }

    /// Base64 is read only in its canonical, unpadded form.
    @Test func base64IsCanonicalAndUnpadded() {
        #expect(AgeBase64.decode(Array("YQ".utf8)) == [0x61])
        #expect(AgeBase64.decode(Array("YR".utf8)) == nil)  // spare bits set
        #expect(AgeBase64.decode(Array("YQ==".utf8)) == nil)
        #expect(AgeBase64.decode(Array("Y".utf8)) == nil)
        #expect(AgeBase64.decode(Array("YW Jj".utf8)) == nil)
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(AgeBase64.decode(AgeBase64.encode(bytes)) == bytes)
        }
    }

    /// A sealed file opens for each of its recipients and for no one else; its header reads
    /// back as written, and its stanzas' digest is fixed by its header.
    @Test(arguments: [0, 1, 65_535, 65_536, 65_537, 3 * 65_536])
    func aSealedFileOpensForEachRecipientOnly(_ size: Int) throws {
        let desks = try (0..<3).map { _ in try secureRandomBytes(32) }
        let outsider = try secureRandomBytes(32)
        let sealer = try Age.Sealer(recipients: desks.compactMap(AgePrimitives.x25519Base), counts: ["mx=3"])
        let plaintext = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let file = try Self.seal(sealer, plaintext)
        let header = try AgeHeader(file)
        #expect(header.stanzas == sealer.stanzas)
        #expect(Digest.sha256hex(AgeHeader.encode(header.stanzas)) == sealer.stanzaDigest)
        #expect(Age.counts(header).map { "\($0.delegation.rawValue)=\($0.count)" } == ["mx=3"])
        for desk in desks {
            let fileKey = try #require(try Age.unwrap(header, identity: desk))
            #expect(fileKey == sealer.fileKey && Age.macMatches(header, fileKey: fileKey))
            let payload = try AgePayloadBytes(source: MemoryBundleBytes(file), start: header.length, fileKey: fileKey)
            #expect(payload.count == size)
            #expect(try payload.read(0, size) == plaintext)
            if size > 10 { #expect(try payload.read(size - 7, 7) == Array(plaintext.suffix(7))) }
        }
        #expect(try Age.unwrap(header, identity: outsider) == nil)
    }

    /// `plaintext` sealed as an exporter seals a bundle (``AgeZipSink``), in uneven pieces.
    static func seal(_ sealer: Age.Sealer, _ plaintext: [UInt8]) throws -> [UInt8] {
        let folder = try TemporaryFolder()
        let path = folder.sub("sealed.age")
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        let sink = try AgeZipSink(descriptor: descriptor, path: path, sealer: sealer)
        var offset = 0
        var step = 1
        while offset < plaintext.count {
            let end = min(plaintext.count, offset + step)
            try sink.append(Array(plaintext[offset..<end]))
            offset = end
            step = step * 3 + 7
        }
        try sink.finish()
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
