import Foundation
@testable import PuenteKit
import PuenteTestSupport
import Testing

/// Delegations that never share a network converge by exchanging files, through the binary.
@Suite struct SyncEndToEndTests {
    let puente = PuenteProcess()

    /// Stores that have exchanged identity cards, each trusting every other.
    struct Stores {
        let folder: TemporaryFolder
        let paths: [String]
    }

    func makeStores(_ specs: [(name: String, delegation: String)]) throws -> Stores {
        let folder = try TemporaryFolder()
        var paths = [String]()
        var cards = [(card: String, fingerprint: String)]()
        for spec in specs {
            let path = folder.sub(spec.name)
            try puente.run(["--store", path, "init", "--delegation", spec.delegation, "--name", spec.name])
            try puente.run(["--store", path, "keys", "export", "--to", path + ".card"])
            let shown = try JSONParser.parse(Array(try puente.run(["--store", path, "--json", "keys", "show"]).stdout.utf8))
            cards.append((path + ".card", shown["fingerprint"]?.stringValue ?? ""))
            paths.append(path)
        }
        for (index, path) in paths.enumerated() {
            for (other, card) in cards.enumerated() where other != index {
                let trusted = try puente.run(["--store", path, "keys", "trust", card.card, "--fingerprint", card.fingerprint])
                #expect(trusted.status == 0, "\(trusted.stderr)")
            }
        }
        return Stores(folder: folder, paths: paths)
    }

    func digest(_ store: String) throws -> String {
        String(try puente.run(["--store", store, "digest"]).stdout.split(separator: "\n").first ?? "")
    }

    func export(_ store: String, _ file: String, _ extra: [String] = []) throws {
        let result = try puente.run(["--store", store, "sync", "export", "--to", file] + extra)
        #expect(result.status == 0, "\(result.stderr)")
    }

    func importing(_ store: String, _ files: [String]) throws -> PuenteProcess.Result {
        try puente.run(["--store", store, "sync", "import"] + files)
    }

    /// One bundle each way between two stores (`a` to `b`, then `b` to `a`), each exported and imported whole.
    func exchange(_ a: String, _ b: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for (from, to) in [(a, b), (b, a)] {
            let bundle = from + ".puente"
            try export(from, bundle)
            let received = try importing(to, [bundle])
            #expect(received.status == 0, "\(received.stderr)", sourceLocation: sourceLocation)
        }
    }

    @Test func twoDelegationsConvergeAndTheBundleIsAuditableWithStockTools() throws {
        let stores = try makeStores([("us", "us"), ("mx", "mx")])
        let (us, mx) = (stores.paths[0], stores.paths[1])
        let fixture = Repository.path("Fixtures/bicentennial.json")
        try puente.run(["--store", us, "import", fixture])
        let toMexico = stores.folder.sub("to-mx.puente")
        // A plain bundle, audited below as it is (an encrypted one is audited after stock age
        // opens it: ConfidentialBundlesEndToEndTests).
        try export(us, toMexico, ["--for", "mx", "--plain"])
        let imported = try importing(mx, [toMexico])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("signature verified"))
        try puente.run(["--store", mx, "import", fixture])
        let list = try JSONParser.parse(Array(try puente.run(["--store", mx, "--json", "list", "--owner", "joint"]).stdout.utf8))
        let joint = try #require(list.arrayValue?.first?["short_id"]?.stringValue)
        #expect(try puente.run(["--store", mx, "assess", joint, "at-risk"]).status == 0)
        let toUS = stores.folder.sub("to-us.puente")
        try export(mx, toUS, ["--for", "us"])
        let back = try importing(us, [toUS])
        #expect(back.status == 0)
        #expect(try digest(us) == digest(mx))
        // Importing the same bundle twice changes nothing.
        let again = try importing(us, [toUS])
        #expect(again.stdout.contains("already here"))
        #expect(try digest(us) == digest(mx))
        // Spanish report.
        #expect(try puente.run(["--store", us, "--lang", "es", "sync", "import", toUS]).stdout.contains("firma verificada"))
        let status = try JSONParser.parse(Array(try puente.run(["--store", us, "--json", "sync", "status"]).stdout.utf8))
        #expect(status.arrayValue?.first?["it_has_from_us"]?.intValue ?? 0 > 0)

        // The audit of README.md, with stock tools only: unzip, openssl, sha256sum.
        let audit = stores.folder.sub("audit")
        try FileManager.default.createDirectory(atPath: audit, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(audit)'
            unzip -q -o '\(toMexico)'
            openssl pkeyutl -verify -pubin -inkey '\(audit)/exporter.pem' -rawin -in manifest.json -sigfile manifest.sig
            test "$(sha256sum ops.jsonl | cut -d' ' -f1)" = "$(grep -o '"sha256":"[0-9a-f]*"' manifest.json | cut -d'"' -f4)"
            """
        // The exporter's public key, as its identity card carries it.
        let card = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: us + ".card"))))
        try Data((card["card"]?["signing_key"]?.stringValue ?? "").utf8).write(to: URL(fileURLWithPath: audit + "/exporter.pem"))
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", script]
        shell.standardOutput = FileHandle.nullDevice
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        // The manifest validates against its schema; so do the bundle's operations.
        let manifest = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: audit + "/manifest.json"))))
        #expect(try SchemaValidator(schemaFile: Repository.path("Schemas/bundle-manifest.schema.json")).violations(of: manifest) == [])
        let opsSchema = try SchemaValidator(schemaFile: Repository.path("Schemas/operation.schema.json"))
        let lines = try String(contentsOfFile: audit + "/ops.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count > 50)
        // Each line is its operation less what the importer restores (Schemas/bundle-manifest.schema.json:
        // replica and seq from the segment, prev from the line before, the references' authors
        // and hash digits from their targets); restored, each is a valid operation.
        let parsed = try BundleManifest(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: audit + "/manifest.json"))))
        #expect(parsed.wire == 2 && !parsed.thin)
        var restored = [OpID: ThinWire.Target]()
        var remaining = lines[...]
        for segment in parsed.segments {
            var previous: Op?
            for offset in 0..<min(segment.count, 100) {
                let next = remaining.popFirst()
                let line = Array(try #require(next).utf8)
                let op = try ThinWire.op(line, author: segment.replica, seq: segment.from + Int64(offset), previous: previous) {
                    restored[$0]
                }
                #expect(opsSchema.violations(of: op.json) == [])
                #expect(op.canonicalBytes == CanonicalJSON.encode(op.json))
                restored[op.id] = ThinWire.Target(hash: op.hash, entity: op.entity, field: op.field)
                previous = op
            }
            remaining = remaining.dropFirst(max(0, segment.count - 100))
        }
        // A flipped byte makes the stock check fail too.
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: audit + "/manifest.json")))
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: audit + "/manifest.json"))
        let tampered = Process()
        tampered.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        tampered.arguments = ["pkeyutl", "-verify", "-pubin", "-inkey", audit + "/exporter.pem", "-rawin", "-in", audit + "/manifest.json",
                              "-sigfile", audit + "/manifest.sig"]
        tampered.standardOutput = FileHandle.nullDevice
        tampered.standardError = FileHandle.nullDevice
        try tampered.run()
        tampered.waitUntilExit()
        #expect(tampered.terminationStatus != 0)
    }

    @Test func aRelayForwardsAThirdPartysChainAndEveryImportOrderConverges() throws {
        // A (U.S.) and C (U.S., a second desk) never exchange files; B (Mexico) relays.
        let stores = try makeStores([("a", "us"), ("b", "mx"), ("c", "us")])
        let (a, b, c) = (stores.paths[0], stores.paths[1], stores.paths[2])
        try puente.run(["--store", a, "add", "--title-en", "Expand firearms tracing", "--pillar", "prevent", "--owner", "joint"])
        try puente.run(["--store", b, "dialogue", "add", "--title-es", "Reunión técnica", "--date", "2023-04-13", "--kind", "technical-meeting"])
        let ab = stores.folder.sub("a-b.puente")
        try export(a, ab)
        #expect(try importing(b, [ab]).status == 0)
        let bc = stores.folder.sub("b-c.puente")
        try export(b, bc, ["--for", "us"])
        let relayed = try importing(c, [bc])
        #expect(relayed.status == 0, "\(relayed.stderr)")
        #expect(relayed.stdout.contains("from a"))  // a's chain, forwarded by b
        #expect(try digest(c) == digest(b))

        // Concurrent edits on all three, then bundles imported in every order on fresh copies.
        let commitment = try JSONParser.parse(Array(try puente.run(["--store", c, "--json", "list"]).stdout.utf8))
        let id = try #require(commitment.arrayValue?.first?["short_id"]?.stringValue)
        try puente.run(["--store", a, "set", id, "status", "in-progress"])
        try puente.run(["--store", c, "set", id, "status", "stalled"])
        try puente.run(["--store", b, "assess", id, "off-track"])
        let files = try ["a", "b", "c"].map { name -> String in
            let file = stores.folder.sub("\(name)-all.puente")
            // Plain: the observers below are desks no exporter knows.
            try export(stores.folder.sub(name), file, ["--full", "--plain"])
            return file
        }
        var digests = Set<String>()
        for order in [[0, 1, 2], [2, 1, 0], [1, 0, 2], [1, 2, 0], [0, 2, 1], [2, 0, 1]] {
            let observer = stores.folder.sub("observer-\(order.map(String.init).joined())")
            try puente.run(["--store", observer, "init", "--delegation", "mx", "--name", "observer"])
            for path in stores.paths {
                let fingerprint = try JSONParser.parse(Array(try puente.run(["--store", path, "--json", "keys", "show"]).stdout.utf8))["fingerprint"]?.stringValue ?? ""
                try puente.run(["--store", observer, "keys", "trust", path + ".card", "--fingerprint", fingerprint])
            }
            for index in order { #expect(try importing(observer, [files[index]]).status == 0) }
            #expect(try importing(observer, [files[order[0]]]).status == 0)  // a bundle imported twice
            digests.insert(try digest(observer))
        }
        #expect(digests.count == 1)
        // Each store imports every file, its own included (all duplicates there).
        for path in stores.paths { #expect(try importing(path, files).status == 0) }
        #expect(Set(try stores.paths.map(digest)) == digests)
        let conflicts = try JSONParser.parse(Array(try puente.run(["--store", a, "--json", "conflicts"]).stdout.utf8))
        #expect(conflicts.arrayValue?.count == 1)
    }

    @Test func aSecondReplicaOfTheRecipientDelegationStillReceivesEverything() throws {
        // The U.S. store has heard from one Mexican desk; a second Mexican desk never synced.
        let stores = try makeStores([("us", "us"), ("mx1", "mx"), ("mx2", "mx")])
        let (us, mx1, mx2) = (stores.paths[0], stores.paths[1], stores.paths[2])
        try puente.run(["--store", us, "import", Repository.path("Fixtures/bicentennial.json")])
        let first = stores.folder.sub("first.puente")
        try export(us, first, ["--for", "mx"])
        #expect(try importing(mx1, [first]).status == 0)
        let back = stores.folder.sub("back.puente")
        try export(mx1, back, ["--for", "us"])
        #expect(try importing(us, [back]).status == 0)
        // Incremental for "mx" now: mx1 has everything, but mx2 was never heard from — so the
        // minimum over the Mexican replicas heard from is mx1's, and mx2 must get a full copy.
        try puente.run(["--store", us, "note", try JSONParser.parse(Array(try puente.run(["--store", us, "--json", "list"]).stdout.utf8)).arrayValue?.first?["short_id"]?.stringValue ?? "", "After the round"])
        let incremental = stores.folder.sub("incremental.puente")
        try export(us, incremental, ["--for", "mx"])
        #expect(try importing(mx1, [incremental]).status == 0)
        #expect(try digest(mx1) == digest(us))
        let forNewDesk = stores.folder.sub("new-desk.puente")
        try export(mx1, forNewDesk, ["--for", "mx"])
        #expect(try importing(mx2, [forNewDesk]).status == 0)
        #expect(try digest(mx2) == digest(us))
    }

    @Test func aHostileBundleExits65AndLeavesTheStoreUnchanged() throws {
        let stores = try makeStores([("us", "us"), ("mx", "mx")])
        let (us, mx) = (stores.paths[0], stores.paths[1])
        try puente.run(["--store", us, "add", "--title-en", "T", "--pillar", "pursue"])
        let file = stores.folder.sub("b.puente")
        try export(us, file)
        let before = try puente.run(["--store", mx, "digest"]).stdout
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        bytes = Array(bytes.prefix(bytes.count - 30))
        let truncated = stores.folder.sub("truncated.puente")
        try Data(bytes).write(to: URL(fileURLWithPath: truncated))
        let result = try importing(mx, [truncated])
        #expect(result.status == 65)
        #expect(result.stderr.contains("refused as a whole"))
        #expect(result.stderr.contains("store is unchanged"))
        #expect(try puente.run(["--store", mx, "digest"]).stdout == before)
        let spanish = try puente.run(["--store", mx, "--lang", "es", "sync", "import", truncated])
        #expect(spanish.stderr.contains("se rechazó completo"))
        // An exporter the store does not trust.
        let stranger = stores.folder.sub("stranger")
        try puente.run(["--store", stranger, "init", "--delegation", "us", "--name", "stranger"])
        try puente.run(["--store", stranger, "add", "--title-en", "X", "--pillar", "protect"])
        let strangerFile = stores.folder.sub("stranger.puente")
        try export(stranger, strangerFile, ["--plain"])  // the stranger knows no desk to encrypt to
        let untrusted = try importing(mx, [strangerFile])
        #expect(untrusted.status == 65)
        #expect(untrusted.stderr.contains("not a key this store trusts"))
        #expect(try puente.run(["--store", mx, "digest"]).stdout == before)
    }
}

@Suite struct SyncFixtureEndToEndTests {
    let puente = PuenteProcess()

    @Test func aPartlyRefusedBundleAppliesTheGoodSegmentsReportsTheRestAndExits65() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("mx")
        try puente.run(["--store", store, "init", "--delegation", "mx", "--name", "SSPC"])
        for card in ["exporter.card", "author.card"] {
            let path = Repository.path("Fixtures/bundles/" + card)
            let parsed = try IdentityCard(file: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            #expect(try puente.run(["--store", store, "keys", "trust", path, "--fingerprint", parsed.fingerprint.text()]).status == 0)
        }
        let result = try puente.run(["--store", store, "sync", "import", Repository.path("Fixtures/bundles/broken-chain.puente")])
        #expect(result.status == 65)
        #expect(result.stdout.contains("new operation(s) from"))
        #expect(result.stdout.contains("do not form an unbroken chain"))
        let json = try puente.run(["--store", store, "--json", "sync", "import", Repository.path("Fixtures/bundles/broken-chain.puente")])
        #expect(json.status == 65)
        let report = try JSONParser.parse(Array(json.stdout.utf8))
        #expect(report.arrayValue?.first?["refused"]?.objectValue?.values.contains("broken-chain") == true)
        #expect(report.arrayValue?.first?["duplicates"]?.intValue ?? 0 > 0)
    }
}
