import Foundation
import PuenteCrypto
import PuenteKit
import PuenteTestSupport
import Testing

/// Passphrase-protected keys, and proof that no private key or passphrase ever reaches a
/// bundle, a report, a log line, an error or `--json` output.
@Suite struct SecretsEndToEndTests {
    let puente = PuenteProcess()
    static let passphrase = "tres tristes tigres 2026"

    static func secret() -> SecretBuffer? {
        var bytes = Array(passphrase.utf8)
        return SecretBuffer.take(&bytes)
    }

    /// The forms a private key could leak in: its PKCS#8 body in base64, and its 32-byte seed
    /// in hex and base64.
    static func leakForms(of key: PrivateKey) throws -> [String] {
        let pem = String(decoding: try key.pem(), as: UTF8.self)
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let der = Data(base64Encoded: body) else { return [body] }
        let seed = Array(der.suffix(32))
        return [body, seed.map { String(format: "%02x", $0) }.joined(), Data(seed).base64EncodedString(),
                String(Data(seed).base64EncodedString().prefix(40))]
    }

    @Test func encryptedKeysOpenOnlyWithTheirPassphraseAndNoSecretIsEverShown() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        let env = ["PUENTE_PASSPHRASE": Self.passphrase]
        var outputs = [String]()
        func run(_ arguments: [String], _ environment: [String: String] = env) throws -> PuenteProcess.Result {
            let result = try puente.run(["--store", store] + arguments, environment: environment)
            outputs += [result.stdout, result.stderr]
            return result
        }
        #expect(try run(["init", "--delegation", "us", "--name", "State INL desk", "--passphrase"]).status == 0)
        // The key files are encrypted PKCS#8 that stock openssl opens with the passphrase.
        for file in [Replica.signingKeyFile, Replica.agreementKeyFile] {
            let text = try String(contentsOfFile: store + "/" + file, encoding: .utf8)
            #expect(text.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = ["pkey", "-in", store + "/" + file, "-passin", "env:PUENTE_TEST_PASS", "-noout"]
            openssl.environment = ["PUENTE_TEST_PASS": Self.passphrase]
            try openssl.run()
            openssl.waitUntilExit()
            #expect(openssl.terminationStatus == 0)
        }
        // Without the passphrase, or with a wrong one, nothing runs.
        let none = try run(["list"], [:])
        #expect(none.status == 64 && none.stderr.contains("PUENTE_PASSPHRASE"))
        let wrong = try run(["list"], ["PUENTE_PASSPHRASE": "not the passphrase at all"])
        #expect(wrong.status == 65 && wrong.stderr.contains("does not open the key file"))

        // A session that touches every kind of output.
        #expect(try run(["keys", "root", "init", "--name", "U.S. delegation root", "--to", folder.sub("root.card")]).status == 0)
        let added = try run(["--json", "add", "--title-en", "Disrupt arms trafficking", "--pillar", "pursue"])
        let id = try #require(try JSONParser.parse(Array(added.stdout.utf8))["id"]?.stringValue)
        _ = try run(["set", id, "status", "in-progress"])
        _ = try run(["note", id, "Tracing data from two states is missing"])
        _ = try run(["assess", id, "at-risk", "--why", "Staffing gaps"])
        let bundle = folder.sub("b.puente")
        _ = try run(["sync", "export", "--to", bundle, "--full", "--plain"])  // a lone store: no desk to encrypt to
        for format in ["markdown", "html", "csv", "json"] {
            _ = try run(["report", "--format", format, "--to", folder.sub("report.\(format)")])
            _ = try run(["report", "--format", format])
        }
        for command in [["log"], ["--json", "log"], ["list"], ["--json", "list"], ["review"], ["--json", "review"], ["show", id],
                        ["--json", "show", id], ["keys", "show"], ["--json", "keys", "show"], ["keys", "list"], ["--json", "keys", "list"],
                        ["keys", "export"], ["digest"], ["sync", "status"], ["--json", "sync", "status"], ["conflicts"]] {
            #expect(try run(command).status == 0, "\(command)")
        }
        // Errors too: a refused bundle, a bad import file, a bad card, an unknown id.
        try Data("not a bundle".utf8).write(to: URL(fileURLWithPath: folder.sub("bad.puente")))
        try Data("{".utf8).write(to: URL(fileURLWithPath: folder.sub("bad.json")))
        _ = try run(["sync", "import", folder.sub("bad.puente")])
        _ = try run(["import", folder.sub("bad.json")])
        _ = try run(["keys", "trust", folder.sub("bad.json"), "--fingerprint", String(repeating: "1", count: 60)])
        _ = try run(["show", "ffffffff"])

        var files = [String]()
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name != "us" {
            files.append(String(decoding: try Data(contentsOf: URL(fileURLWithPath: folder.sub(name))), as: UTF8.self))
        }
        let bundleBytes = try Data(contentsOf: URL(fileURLWithPath: bundle))
        #expect(!bundleBytes.isEmpty)

        let signing = try PrivateKey(encryptedPEM: try KeyFile.read(path: store + "/" + Replica.signingKeyFile),
                                     passphrase: try #require(Self.secret()), expecting: .ed25519)
        let agreement = try PrivateKey(encryptedPEM: try KeyFile.read(path: store + "/" + Replica.agreementKeyFile),
                                       passphrase: try #require(Self.secret()), expecting: .x25519)
        let root = try PrivateKey(encryptedPEM: try KeyFile.read(path: store + "/" + Replica.rootKeyFile),
                                  passphrase: try #require(Self.secret()), expecting: .ed25519)
        let secrets = [Self.passphrase] + (try Self.leakForms(of: signing)) + (try Self.leakForms(of: agreement)) + (try Self.leakForms(of: root))
        let everything = outputs + files
        #expect(everything.count > 60)
        for secret in secrets {
            for (index, text) in everything.enumerated() {
                #expect(!text.contains(secret), "a secret appears in output \(index)")
            }
        }
    }
}
