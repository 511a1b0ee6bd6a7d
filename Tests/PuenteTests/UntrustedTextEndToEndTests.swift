import Foundation
import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// Text from another desk reaches a terminal only through the rendering rule; text typed or
/// imported here is refused when it holds controls or bidi overrides.
@Suite(.timeLimit(.minutes(20))) struct UntrustedTextEndToEndTests {
    let puente = PuenteProcess()

    /// Terminal control sequences and look-alike lines, as a hostile desk would write them.
    static let osc = "\u{1B}]0;owned\u{07}"
    static let conceal = "\u{1B}[8m"
    static let forgedLine = "2026-01-01 00:00  Fake Desk (US)  Status: fulfilled"

    /// The bytes no terminal output may carry raw: ESC, BEL, CR, the C1 controls (as UTF-8),
    /// bidi embeddings, overrides and isolates, and zero-width characters.
    static func rawControls(in text: String) -> [String] {
        var found = [String]()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x07, 0x0D, 0x1B, 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0x200B...0x200F:
                found.append(String(scalar.value, radix: 16))
            default: break
            }
        }
        return found
    }

    @Test func everyReadCommandShowsAnotherDesksControlsAsEscapes() throws {
        let folder = try TemporaryFolder()
        let hostile = folder.sub("hostile")
        let victim = folder.sub("victim")
        for (store, name) in [(hostile, "Hostile desk"), (victim, "Victim desk")] {
            #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", name]).status == 0)
        }
        // The hostile desk's card, with a name no honest `init` would take, signed with its real key.
        let desk = try Replica.open(folder: hostile)
        let card = try IdentityCard(role: .replica, delegation: .us, name: "Desk\(Self.osc)\u{202E}evil", office: "Office\r\n  X",
                                    created: "2026-11-01", signingKey: try desk.identityCard().signingKey,
                                    agreementKey: try desk.identityCard().agreementKey).signed(with: try BundleForge.key(of: desk))
        let cardPath = folder.sub("hostile.card")
        try Data(card.signedFile ?? []).write(to: URL(fileURLWithPath: cardPath))
        let trusted = try puente.run(["--store", victim, "keys", "trust", cardPath, "--fingerprint", card.fingerprint.text()])
        #expect(trusted.status == 0, "\(trusted.stderr)")

        let (commitment, dialogue) = try desk.batchUnchecked { batch -> (EntityRef, EntityRef) in
            let dialogue = try batch.addDialogue(DialogueDraft(titleEN: "Round\(Self.osc)\u{202E}1", date: "2026-10-01",
                                                               place: "Mexico\u{9B}31m City", kind: .workingGroup,
                                                               participants: ["SRE\u{200B}"]))
            let commitment = try batch.addCommitment(CommitmentDraft(
                owner: .us, titleEN: "Trace firearms\(Self.osc)\(Self.conceal)", summaryEN: "Line one\r\(Self.forgedLine)",
                pillar: .prevent, lead: "ATF\u{1B}[2J", dialogue: dialogue, agencies: ["ATF\u{7}"]))
            _ = try batch.addNote(to: commitment, text: "Progress\n\(Self.forgedLine)\u{1B}[31m")
            let indicator = try batch.addIndicator(to: commitment, IndicatorDraft(nameEN: "Traces\u{1B}[1m", kind: .output,
                                                                                  unit: "cases\u{200B}", baseline: "0", target: "10",
                                                                                  direction: .increase))
            _ = try batch.recordReading(indicator, date: "2026-10-02", value: "3", source: "ATF\u{1B}]8;;http://x\u{7}")
            _ = try batch.set(commitment, field: "assessment.us", value: ["rating": "at-risk", "why": .string("Because\r\(Self.conceal)")])
            return (commitment, dialogue)
        }
        // The victim writes a field of the received commitment too.
        let bundle = folder.sub("hostile.puente")
        #expect(try puente.run(["--store", hostile, "sync", "export", "--to", bundle, "--full", "--plain"]).status == 0)
        let imported = try puente.run(["--store", victim, "sync", "import", bundle])
        #expect(imported.status == 0, "\(imported.stderr)")
        let id = Replica.shortID(commitment.text)
        let set = try puente.run(["--store", victim, "set", id, "lead", "DOJ"])
        #expect(set.status == 0, "\(set.stderr) \(imported.stdout)")

        let commands: [[String]] = [
            ["list"], ["list", "--all"], ["show", id], ["show", id, "--history"], ["log"], ["review"], ["conflicts"],
            ["sync", "status"], ["keys", "list"], ["dialogue", "list"], ["dialogue", "show", Replica.shortID(dialogue.text)],
            ["--lang", "es", "show", id, "--history"], ["--lang", "es", "review"],
        ]
        var outputs = [imported.stdout + imported.stderr, trusted.stdout + trusted.stderr]
        for command in commands {
            let result = try puente.run(["--store", victim] + command)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            outputs.append(result.stdout + result.stderr)
        }
        for (index, output) in outputs.enumerated() {
            #expect(Self.rawControls(in: output).isEmpty, "output \(index): \(Self.rawControls(in: output))")
            // A newline inside a value never starts a line that reads as a record.
            #expect(!output.split(separator: "\n").contains { $0.hasPrefix(Self.forgedLine) || $0.hasPrefix("  " + Self.forgedLine) },
                    "output \(index)")
        }
        let shown = try puente.run(["--store", victim, "show", id])
        #expect(shown.stdout.contains("\\u{1B}]0;owned\\u{7}"))
        // --json keeps the exact text, escaped as JSON escapes it.
        let json = try puente.run(["--store", victim, "--json", "show", id])
        #expect(json.stdout.contains("Trace firearms\\u001b]0;owned\\u0007\\u001b[8m"))
    }

    @Test func textTypedOrImportedHereRefusesControlsAndBidiOverrides() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("store")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "Desk\u{1B}[8m"]).status == 64)
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "Desk",
                                "--office", String(repeating: "é", count: 201)]).status == 64)
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "Desk",
                                "--office", String(repeating: "é", count: 200)]).status == 0)
        let refused = try puente.run(["--store", store, "add", "--pillar", "prevent", "--title-en", "Trace\u{202E}firearms"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("U+202E"))
        let spanish = try puente.run(["--store", store, "--lang", "es", "add", "--pillar", "prevent", "--title-en", "A\tB"])
        #expect(spanish.status == 64)
        #expect(spanish.stderr.contains("carácter de control"))
        let added = try puente.run(["--store", store, "--json", "add", "--pillar", "prevent", "--title-en", "Trace firearms"])
        #expect(added.status == 0, "\(added.stderr)")
        let id = try #require(try JSONParser.parse(Array(added.stdout.utf8))["id"]?.stringValue)
        // A note may span lines; a carriage return or an escape it may not hold.
        #expect(try puente.run(["--store", store, "note", id, "First line\nSecond line"]).status == 0)
        #expect(try puente.run(["--store", store, "note", id, "Overwrite\rthis"]).status == 64)
        #expect(try puente.run(["--store", store, "assess", id, "at-risk", "--why", "Bell\u{7}"]).status == 64)
        #expect(try puente.run(["--store", store, "set", id, "lead", "ATF\u{9B}"]).status == 64)
        let digest = try puente.run(["--store", store, "digest"]).stdout

        // An import file: exit 65, where and why, and the store unchanged.
        let file = folder.sub("import.json")
        let text = #"{"format":"puente-import/1","commitments":[{"external_id":"x-1","title":{"en":"Bad\u001b[2Jtitle"},"owner":"us","pillar":"prevent","status":"agreed"}]}"#
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        let imported = try puente.run(["--store", store, "import", file])
        #expect(imported.status == 65)
        #expect(imported.stderr.contains("commitments[0].title.en"))
        #expect(imported.stderr.contains("U+001B"))
        #expect(try puente.run(["--store", store, "digest"]).stdout == digest)
    }
}
