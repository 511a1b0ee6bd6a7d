import Foundation
import PuenteCrypto
import Testing

@Suite struct EncryptedKeyTests {
    func secret(_ text: String) -> SecretBuffer? {
        var bytes = Array(text.utf8)
        return SecretBuffer.take(&bytes)
    }

    func openssl(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func encryptsWithScryptAndAES256AndOpensOnlyWithThePassphrase() throws {
        let key = try PrivateKey.generate(.ed25519)
        let passphrase = try #require(secret("correct horse battery staple"))
        let pem = try key.encryptedPEM(passphrase: passphrase)
        let text = String(decoding: pem, as: UTF8.self)
        #expect(text.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        let again = try PrivateKey(encryptedPEM: pem, passphrase: passphrase, expecting: .ed25519)
        #expect(try again.rawPublicKey() == key.rawPublicKey())
        let wrong = try #require(secret("correct horse battery stapler"))
        #expect(throws: CryptoError.self) { try PrivateKey(encryptedPEM: pem, passphrase: wrong, expecting: .ed25519) }
        #expect(throws: CryptoError.self) { try PrivateKey(encryptedPEM: pem, passphrase: passphrase, expecting: .x25519) }

        // Stock OpenSSL opens it with the passphrase and shows scrypt and AES-256-CBC.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("puente-enc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("key.pem").path
        try Data(pem).write(to: URL(fileURLWithPath: path))
        let opened = try openssl(["pkey", "-in", path, "-passin", "pass:correct horse battery staple", "-pubout"])
        #expect(opened.0 == 0)
        #expect(opened.1 == String(decoding: try key.publicKey().pem(), as: UTF8.self))
        #expect(try openssl(["pkey", "-in", path, "-passin", "pass:wrong", "-noout"]).0 != 0)
        let structure = try openssl(["asn1parse", "-in", path])
        #expect(structure.1.contains(":PBES2"))
        #expect(structure.1.contains(":scrypt"))
        #expect(structure.1.contains(":aes-256-cbc"))
        // scrypt parameters after the salt: N = 2^14 (hex 4000), r = 8, p = 5.
        let parameters = structure.1.split(separator: "\n").filter { $0.contains("prim: INTEGER") }.map { $0.split(separator: ":").last ?? "" }
        #expect(parameters == ["4000", "08", "05"])
    }

    @Test func secretsComeFromTheEnvironmentWithoutAStringAndTheSourceIsWiped() throws {
        setenv("PUENTE_TEST_SECRET", "s3cret", 1)
        defer { unsetenv("PUENTE_TEST_SECRET") }
        let fromEnvironment = try #require(SecretBuffer.fromEnvironment("PUENTE_TEST_SECRET"))
        #expect(fromEnvironment.count == 6)
        #expect(SecretBuffer.fromEnvironment("PUENTE_TEST_UNSET_SECRET") == nil)
        var bytes = Array("s3cret".utf8)
        let taken = try #require(SecretBuffer.take(&bytes))
        #expect(bytes == [0, 0, 0, 0, 0, 0])
        let key = try PrivateKey.generate(.x25519)
        let pem = try key.encryptedPEM(passphrase: fromEnvironment)
        #expect(try PrivateKey(encryptedPEM: pem, passphrase: taken, expecting: .x25519).rawPublicKey() == key.rawPublicKey())
    }
}
