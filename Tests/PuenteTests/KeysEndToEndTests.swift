import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

@Suite struct KeysEndToEndTests {
    let puente = PuenteProcess()

    @Test func cardsAreExchangedAndTrustedOnlyWithTheFullFingerprint() throws {
        let folder = try TemporaryFolder()
        let us = folder.sub("us")
        let mx = folder.sub("mx")
        try puente.run(["--store", us, "init", "--delegation", "us", "--name", "State INL desk"])
        try puente.run(["--store", mx, "init", "--delegation", "mx", "--name", "Enlace SSPC", "--office", "SSPC"])
        let card = folder.sub("sspc.card")
        let exported = try puente.run(["--store", mx, "keys", "export", "--to", card])
        #expect(exported.status == 0)
        let shown = try JSONParser.parse(Array(try puente.run(["--store", mx, "--json", "keys", "show"]).stdout.utf8))
        let fingerprint = try #require(shown["fingerprint"]?.stringValue)
        #expect(fingerprint.split(separator: " ").count == 12)
        #expect(exported.stderr.contains(fingerprint))

        // The card validates against its schema.
        let validator = try SchemaValidator(schemaFile: Repository.path("Schemas/identity-card.schema.json"))
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: card)))
        #expect(validator.violations(of: try JSONParser.parse(bytes)) == [])

        let before = try puente.run(["--store", us, "digest"]).stdout
        // A wrong fingerprint (one digit changed) is refused and nothing is trusted.
        var digits = Array(fingerprint)
        digits[0] = digits[0] == "1" ? "2" : "1"
        let wrong = try puente.run(["--store", us, "keys", "trust", card, "--fingerprint", String(digits)])
        #expect(wrong.status == 65)
        #expect(wrong.stderr.contains("does not match"))
        // A short fingerprint is a usage error.
        #expect(try puente.run(["--store", us, "keys", "trust", card, "--fingerprint", "12345"]).status == 64)
        // A tampered card (the delegation changed) fails its self-signature.
        let tampered = folder.sub("tampered.card")
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"delegation\":\"mx\"", with: "\"delegation\":\"us\"")
        try Data(text.utf8).write(to: URL(fileURLWithPath: tampered))
        let forged = try puente.run(["--store", us, "keys", "trust", tampered, "--fingerprint", fingerprint])
        #expect(forged.status == 65)
        #expect(forged.stderr.contains("self-signature is not valid"))
        // A reformatted card is not canonical.
        let pretty = folder.sub("pretty.card")
        try Data(text.replacingOccurrences(of: ",", with: ", ").utf8).write(to: URL(fileURLWithPath: pretty))
        #expect(try puente.run(["--store", us, "keys", "trust", pretty, "--fingerprint", fingerprint]).status == 65)
        #expect(try puente.run(["--store", us, "digest"]).stdout == before)

        let trusted = try puente.run(["--store", us, "keys", "trust", card, "--fingerprint", fingerprint])
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(trusted.stdout.contains("replica key of Mexico"))
        let spanish = try puente.run(["--store", us, "--lang", "es", "keys", "list"])
        #expect(spanish.stdout.contains("México") && spanish.stdout.contains("Enlace SSPC"))
        let keys = try JSONParser.parse(Array(try puente.run(["--store", us, "--json", "keys", "list"]).stdout.utf8))
        #expect(keys.arrayValue?.count == 2)
        // The trust fingerprint (second digest line) changed; the state did not.
        let after = try puente.run(["--store", us, "digest"]).stdout.split(separator: "\n")
        let beforeLines = before.split(separator: "\n")
        #expect(after.first == beforeLines.first)
        #expect(after.last != beforeLines.last)
    }
}

/// A card that went through email (its line ending turned into CRLF) is the same card; one whose
/// content changed on the way is not.
@Suite struct EmailedCardEndToEndTests {
    let puente = PuenteProcess()

    @Test(arguments: [0, 1]) func aCardWithACRLFEndIsTrusted(_ language: Int) throws {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let (us, mx) = (folder.sub("us"), folder.sub("mx"))
        try puente.run(["--store", us, "init", "--delegation", "us", "--name", "State INL desk"])
        try puente.run(["--store", mx, "init", "--delegation", "mx", "--name", "Enlace SSPC"])
        let card = folder.sub("sspc.card")
        #expect(try puente.run(["--store", mx, "keys", "export", "--to", card]).status == 0)
        let fingerprint = try #require(try JSONParser.parse(Array(try puente.run(["--store", mx, "--json", "keys", "show"]).stdout.utf8))["fingerprint"]?.stringValue)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: card)))
        #expect(bytes.last == 0x0a)
        let before = try puente.run(["--store", us, "digest"]).stdout
        // A CR inside the card (a line broken on the way) is refused, and nothing is trusted.
        var broken = bytes
        broken.insert(contentsOf: [0x0d, 0x0a], at: broken.count / 2)
        let brokenCard = folder.sub("broken.card")
        try Data(broken).write(to: URL(fileURLWithPath: brokenCard))
        let refused = try puente.run(["--store", us] + flags + ["keys", "trust", brokenCard, "--fingerprint", fingerprint], environment: environment)
        #expect(refused.status == 65)
        #expect(try puente.run(["--store", us, "digest"]).stdout == before)
        // Its one line ending in CRLF, as email leaves it: the same card.
        bytes.insert(0x0d, at: bytes.count - 1)
        let emailed = folder.sub("emailed.card")
        try Data(bytes).write(to: URL(fileURLWithPath: emailed))
        let trusted = try puente.run(["--store", us] + flags + ["keys", "trust", emailed, "--fingerprint", fingerprint], environment: environment)
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(try puente.run(["--store", us, "digest"]).stdout != before)
    }
}
