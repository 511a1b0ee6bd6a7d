import Foundation
import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// The files Puente writes agree with their schemas and with what Puente reads, and a failed
/// command leaves nothing behind.
@Suite(.timeLimit(.minutes(20))) struct FormatsAgreeEndToEndTests {
    let puente = PuenteProcess()
    let secret = ["PUENTE_PASSPHRASE": "correct horse battery staple"]

    @Test func aFailedRootInitLeavesNothingAndRootCardsAreWholeFiles() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("admin")
        #expect(try puente.run(["--store", store, "init", "--delegation", "mx", "--name", "SRE admin"]).status == 0)
        // The card cannot be written (a folder is there): no key, no root, and the command can be run again.
        let blocked = folder.sub("blocked.card")
        try FileManager.default.createDirectory(atPath: blocked, withIntermediateDirectories: false)
        let failed = try puente.run(["--store", store, "keys", "root", "init", "--name", "Raíz de México", "--to", blocked],
                                    environment: secret)
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: store + "/" + Replica.rootKeyFile))
        #expect(try !puente.run(["--store", store, "keys", "list"]).stdout.contains("Raíz de México"))
        let card = folder.sub("root.card")
        let made = try puente.run(["--store", store, "keys", "root", "init", "--name", "Raíz de México", "--to", card],
                                  environment: secret)
        #expect(made.status == 0, "\(made.stderr)")
        // A root card ends with one newline, as replica cards and the schema do.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: card)))
        #expect(bytes.last == 0x0a && bytes.dropLast().last != 0x0a)
        let validator = try SchemaValidator(schemaFile: Repository.path("Schemas/identity-card.schema.json"))
        #expect(validator.violations(of: try JSONParser.parse(bytes)) == [])
        let exported = folder.sub("replica.card")
        #expect(try puente.run(["--store", store, "keys", "export", "--to", exported]).status == 0)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: exported))).last == 0x0a)
    }

    @Test func namesAreCountedInCharactersAsTheSchemasCountThem() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("store")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "Desk"]).status == 0)
        // A card whose name is 150 "é" (150 characters, 300 bytes): the schema allows it, and so does keys trust.
        let key = try PrivateKey.generate(.ed25519)
        let card = try IdentityCard(role: .replica, delegation: .mx, name: String(repeating: "é", count: 150),
                                    office: String(repeating: "ñ", count: 200), created: "2026-11-01",
                                    signingKey: try key.publicKey(), agreementKey: try PrivateKey.generate(.x25519).publicKey())
            .signed(with: key)
        let validator = try SchemaValidator(schemaFile: Repository.path("Schemas/identity-card.schema.json"))
        #expect(validator.violations(of: try JSONParser.parse(card.signedFile ?? [])) == [])
        let path = folder.sub("wide.card")
        try Data(card.signedFile ?? []).write(to: URL(fileURLWithPath: path))
        let trusted = try puente.run(["--store", store, "keys", "trust", path, "--fingerprint", card.fingerprint.text()])
        #expect(trusted.status == 0, "\(trusted.stderr)")
        // One character more is refused by both.
        let over = try IdentityCard(role: .replica, delegation: .mx, name: String(repeating: "é", count: 201), office: "",
                                    created: "2026-11-01", signingKey: try key.publicKey(),
                                    agreementKey: try PrivateKey.generate(.x25519).publicKey()).signed(with: key)
        #expect(validator.violations(of: try JSONParser.parse(over.signedFile ?? [])) != [])
        #expect(throws: CardError.self) { try IdentityCard(file: over.signedFile ?? []) }
    }
}
