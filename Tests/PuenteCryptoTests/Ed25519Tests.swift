import Foundation
@testable import PuenteCrypto
import Testing

func bytes(_ hex: String) -> [UInt8] {
    var out = [UInt8]()
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
        index = next
    }
    return out
}

@Suite struct Ed25519Tests {
    /// RFC 8032, section 7.1, tests 1 and 2.
    @Test(arguments: [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ])
    func signsAndVerifiesRFC8032Vectors(_ secret: String, _ publicKey: String, _ message: String, _ signature: String) throws {
        let key = try PrivateKey(raw: bytes(secret), kind: .ed25519)
        #expect(try key.rawPublicKey() == bytes(publicKey))
        #expect(try key.sign(bytes(message)) == bytes(signature))
        let pub = try PublicKey(raw: bytes(publicKey), kind: .ed25519)
        #expect(pub.verify(signature: bytes(signature), message: bytes(message)))
        var tampered = bytes(signature)
        tampered[0] ^= 1
        #expect(!pub.verify(signature: tampered, message: bytes(message)))
        #expect(!pub.verify(signature: bytes(signature), message: bytes(message) + [0]))
    }

    @Test func sha2MatchesPublishedVectors() throws {
        #expect(Digest.sha256(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Digest.sha512(Array("abc".utf8)).hex.hasPrefix("ddaf35a193617abacc417349ae204131"))
        let hasher = try SHA256Hasher()
        hasher.update(Array("a".utf8))
        hasher.update(Array("bc".utf8))
        #expect(hasher.finish().hex == Digest.sha256(Array("abc".utf8)).hex)
    }

    /// The PEM text OpenSSL writes for an unencrypted key is read without OpenSSL's decoder and
    /// gives the same key; any other spelling goes to the decoder, which reads or refuses it.
    @Test func plainPEMKeysReadTheSameWithoutTheDecoder() throws {
        for (kind, other) in [(KeyKind.ed25519, KeyKind.x25519), (.x25519, .ed25519)] {
            let key = try PrivateKey.generate(kind)
            let pem = try key.pem()
            #expect(PrivateKey.rawKey(fromPlainPEM: pem, kind: kind)?.count == 32)
            #expect(PrivateKey.rawKey(fromPlainPEM: pem, kind: other) == nil)
            #expect(try PrivateKey(pem: pem, expecting: kind).rawPublicKey() == key.rawPublicKey())
            // CRLF line ends: not the text OpenSSL writes, so the decoder reads it, to the same key.
            let crlf = pem.flatMap { $0 == 0x0a ? [0x0d, 0x0a] : [$0] }
            #expect(PrivateKey.rawKey(fromPlainPEM: crlf, kind: kind) == nil)
            #expect(try PrivateKey(pem: crlf, expecting: kind).rawPublicKey() == key.rawPublicKey())
            // A key of the other kind is refused on either path.
            #expect(throws: CryptoError.self) { try PrivateKey(pem: pem, expecting: other) }
            #expect(throws: CryptoError.self) { try PrivateKey(pem: crlf, expecting: other) }
            // One changed base64 digit in the DER prefix: not a key the fast path knows; the decoder refuses it.
            var broken = pem
            broken[30] = broken[30] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(PrivateKey.rawKey(fromPlainPEM: broken, kind: kind) == nil)
            #expect(throws: CryptoError.self) { try PrivateKey(pem: broken, expecting: kind) }
        }
        // The signing key read on the fast path signs what its public half verifies.
        let key = try PrivateKey.generate(.ed25519)
        let read = try PrivateKey(pem: try key.pem(), expecting: .ed25519)
        let message = Array("puente-head/1\n".utf8)
        #expect(try key.publicKey().verify(signature: try read.sign(message), message: message))
    }

    @Test func hexIsLowercaseTwoDigitsPerByte() {
        #expect([UInt8]().hex == "")
        #expect(([0x00, 0x09, 0x0a, 0x0f, 0x10, 0x9f, 0xa0, 0xff] as [UInt8]).hex == "00090a0f109fa0ff")
        #expect(Array(0...255 as ClosedRange<UInt8>)[250...].hex == "fafbfcfdfeff")
    }

    @Test func pemRoundTripsAndRefusesTheWrongKind() throws {
        let key = try PrivateKey.generate(.ed25519)
        let again = try PrivateKey(pem: try key.pem(), expecting: .ed25519)
        #expect(try again.rawPublicKey() == key.rawPublicKey())
        #expect(throws: CryptoError.self) { try PrivateKey(pem: try key.pem(), expecting: .x25519) }
        #expect(throws: CryptoError.self) { try PrivateKey(pem: Array("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8), expecting: .ed25519) }
        let pub = try key.publicKey()
        #expect(try PublicKey(pem: try pub.pem(), expecting: .ed25519) == pub)
        let agreement = try PrivateKey.generate(.x25519)
        #expect(try agreement.rawPublicKey().count == 32)
        #expect(throws: CryptoError.self) { try agreement.sign([1, 2, 3]) }
    }

    /// Signatures made here verify with the stock `openssl pkeyutl -verify -rawin`.
    @Test func signaturesVerifyWithTheOpenSSLCommand() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("puente-crypto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try PrivateKey.generate(.ed25519)
        let message = Array("puente-head/1\nabc\n1\n00\n".utf8)
        try Data(try key.publicKey().pem()).write(to: folder.appendingPathComponent("pub.pem"))
        try Data(message).write(to: folder.appendingPathComponent("msg"))
        try Data(try key.sign(message)).write(to: folder.appendingPathComponent("sig"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["pkeyutl", "-verify", "-pubin", "-inkey", folder.appendingPathComponent("pub.pem").path,
                             "-rawin", "-in", folder.appendingPathComponent("msg").path,
                             "-sigfile", folder.appendingPathComponent("sig").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
