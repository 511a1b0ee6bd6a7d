import Foundation
import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// Delegation roots, certificates, revocations and rotations, through the binary.
@Suite struct TrustEndToEndTests {
    let puente = PuenteProcess()
    static let passphrase = "correct horse battery staple"
    let secret = ["PUENTE_PASSPHRASE": TrustEndToEndTests.passphrase]

    /// Folders, cards and fingerprints of one run.
    final class Bench {
        let folder: TemporaryFolder
        let puente: PuenteProcess
        let secret: [String: String]
        var roots = [String: (card: String, fingerprint: String)]()

        init(_ puente: PuenteProcess, secret: [String: String]) throws {
            folder = try TemporaryFolder()
            self.puente = puente
            self.secret = secret
        }

        /// A new store; with `root`, an administrator's store with the delegation's root.
        func store(_ name: String, _ delegation: String, root: Bool = false) throws -> String {
            let path = folder.sub(name)
            let made = try puente.run(["--store", path, "init", "--delegation", delegation, "--name", name])
            #expect(made.status == 0, "\(made.stderr)")
            if root {
                let card = folder.sub("\(delegation)-root.card")
                let created = try puente.run(["--store", path, "--json", "keys", "root", "init", "--name", "\(delegation) root",
                                              "--to", card], environment: secret)
                #expect(created.status == 0, "\(created.stderr)")
                let fingerprint = try JSONParser.parse(Array(created.stdout.utf8))["fingerprint"]?.stringValue ?? ""
                roots[delegation] = (card, fingerprint)
            }
            return path
        }

        /// `store` trusts the root of `delegation` after checking its fingerprint.
        func trustRoot(_ store: String, _ delegation: String) throws {
            guard let root = roots[delegation] else { return }
            let result = try puente.run(["--store", store, "keys", "trust", root.card, "--fingerprint", root.fingerprint])
            #expect(result.status == 0, "\(result.stderr)")
        }

        /// The card file and fingerprint of `store`.
        func card(_ store: String) throws -> (path: String, fingerprint: String) {
            try puente.run(["--store", store, "keys", "export", "--to", store + ".card"])
            let shown = try JSONParser.parse(Array(try puente.run(["--store", store, "--json", "keys", "show"]).stdout.utf8))
            return (store + ".card", shown["fingerprint"]?.stringValue ?? "")
        }

        /// The administrator `admin` certifies `member`.
        func certify(_ member: String, by admin: String) throws {
            let card = try self.card(member)
            let result = try puente.run(["--store", admin, "keys", "root", "certify", card.path, "--fingerprint", card.fingerprint],
                                        environment: secret)
            #expect(result.status == 0, "\(result.stderr)")
        }

        var exports = 0
        /// A full bundle from `store`.
        func export(_ store: String) throws -> String {
            exports += 1
            let path = folder.sub("bundle-\(exports).puente")
            // Plain: a bench store often receives before its exporter has learned of it (the trust
            // documents are what travel here).
            let result = try puente.run(["--store", store, "sync", "export", "--to", path, "--full", "--plain"])
            #expect(result.status == 0, "\(result.stderr)")
            return path
        }

        @discardableResult
        func send(_ source: String, to target: String) throws -> PuenteProcess.Result {
            try puente.run(["--store", target, "sync", "import", try export(source)])
        }

        func status(_ store: String, _ id: String) throws -> String? {
            let rows = try JSONParser.parse(Array(try puente.run(["--store", store, "--json", "list"]).stdout.utf8))
            return rows.arrayValue?.first { $0["id"]?.stringValue == id }?["status"]?.stringValue
        }

        func digest(_ store: String) throws -> String { try puente.run(["--store", store, "digest"]).stdout }
    }

    @Test func aRevokedReplicasLaterOperationsAreRejectedOnAStoreThatAcceptedThem() throws {
        let bench = try Bench(puente, secret: secret)
        let admin = try bench.store("us-admin", "us", root: true)
        let desk = try bench.store("us-desk", "us")
        let observer = try bench.store("mx-observer", "mx")
        try bench.trustRoot(desk, "us")
        try bench.trustRoot(observer, "us")
        try bench.certify(desk, by: admin)
        try bench.send(admin, to: desk)

        let added = try puente.run(["--store", desk, "--json", "add", "--title-en", "Share ballistic data", "--pillar", "pursue"])
        let id = try #require(try JSONParser.parse(Array(added.stdout.utf8))["id"]?.stringValue)
        try puente.run(["--store", desk, "set", id, "status", "in-progress"])
        try bench.send(desk, to: admin)
        // A thief with the desk's key writes on; the observer accepts it.
        try puente.run(["--store", desk, "set", id, "status", "withdrawn"])
        let first = try bench.send(admin, to: observer)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("certificate: us-desk"))
        #expect(try bench.send(desk, to: observer).status == 0)
        #expect(try bench.status(observer, id) == "withdrawn")

        // The administrator revokes the desk after its second operation.
        let replica = try JSONParser.parse(Array(try puente.run(["--store", desk, "--json", "keys", "show"]).stdout.utf8))
        let prefix = String((replica["replica"]?.stringValue ?? "").prefix(10))
        let revoked = try puente.run(["--store", admin, "keys", "root", "revoke", prefix, "--last-good", "2"], environment: secret)
        #expect(revoked.status == 0, "\(revoked.stderr)")
        let report = try bench.send(admin, to: observer)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("revocation: us-desk"))
        #expect(report.stdout.contains("accepted before are rejected now"))
        #expect(report.stdout.contains("past a revocation cut were dropped"))
        #expect(try bench.status(observer, id) == "in-progress")
        // Later bundles from the revoked desk change nothing anywhere.
        try puente.run(["--store", desk, "set", id, "status", "stalled"])
        #expect(try bench.send(desk, to: observer).status == 0)
        #expect(try bench.status(observer, id) == "in-progress")
        let spanish = try puente.run(["--store", observer, "--lang", "es", "keys", "list"])
        #expect(spanish.stdout.contains("sus operaciones desde la seq 3 se rechazan (revocada)"), "\(spanish.stdout)")
        let adminState = try bench.digest(admin).split(separator: "\n").first
        #expect(try bench.digest(observer).split(separator: "\n").first == adminState)
    }

    @Test func aPolicyBreakingBundleIsReportedAndChangesNoStore() throws {
        let bench = try Bench(puente, secret: secret)
        let usAdmin = try bench.store("us-admin", "us", root: true)
        let mxAdmin = try bench.store("mx-admin", "mx", root: true)
        for (store, other) in [(usAdmin, "mx"), (mxAdmin, "us")] { try bench.trustRoot(store, other) }
        try bench.send(mxAdmin, to: usAdmin)
        let added = try puente.run(["--store", usAdmin, "--json", "add", "--title-en", "Expand cargo inspection", "--pillar", "prevent"])
        let id = try #require(try JSONParser.parse(Array(added.stdout.utf8))["id"]?.stringValue)
        try bench.send(usAdmin, to: mxAdmin)
        // A Mexican client with its policy check bypassed sets the status of the U.S. commitment.
        do {
            let bypassed = try Replica.open(folder: mxAdmin)
            _ = try bypassed.appendUnchecked(entity: id, kind: .set, field: "status", value: "withdrawn")
        }
        #expect(try bench.status(mxAdmin, id) == "agreed")
        let report = try bench.send(mxAdmin, to: usAdmin)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("1 new operation(s) rejected"))
        #expect(try bench.status(usAdmin, id) == "agreed")
        let rejected = try puente.run(["--store", usAdmin, "--json", "log", "--rejected"])
        let entries = try JSONParser.parse(Array(rejected.stdout.utf8)).arrayValue ?? []
        #expect(entries.contains { $0["status"]?.stringValue == "rejected" && $0["reason"]?.stringValue?.hasPrefix("owner-only") == true })
        let spanish = try puente.run(["--store", usAdmin, "--lang", "es", "log", "--rejected"])
        #expect(spanish.stdout.contains("solo la delegación responsable"))
        #expect(try bench.digest(usAdmin).split(separator: "\n").first == bench.digest(mxAdmin).split(separator: "\n").first)
    }

    @Test func foreignCertificatesReplayedVersionsAndHalfSignedRotationsAreRefused() throws {
        let bench = try Bench(puente, secret: secret)
        let usAdmin = try bench.store("us-admin", "us", root: true)
        let mxAdmin = try bench.store("mx-admin", "mx", root: true)
        let sre = try bench.store("mx-desk", "mx")
        for store in [usAdmin, mxAdmin, sre] {
            try bench.trustRoot(store, "us")
            try bench.trustRoot(store, "mx")
        }
        // By command: the U.S. root does not certify a Mexican key.
        let sreCard = try bench.card(sre)
        let foreign = try puente.run(["--store", usAdmin, "keys", "root", "certify", sreCard.path, "--fingerprint", sreCard.fingerprint],
                                     environment: secret)
        #expect(foreign.status == 65)
        #expect(foreign.stderr.contains("a root certifies and revokes only its own delegation"))
        let spanish = try puente.run(["--store", usAdmin, "--lang", "es", "keys", "root", "certify", sreCard.path,
                                      "--fingerprint", sreCard.fingerprint], environment: secret)
        #expect(spanish.stderr.contains("solo certifica y revoca a su propia delegación"))

        // In a bundle: a crafted certificate, signed by the U.S. root for the Mexican desk.
        let rootKey = try PrivateKey(encryptedPEM: try KeyFile.read(path: usAdmin + "/" + Replica.rootKeyFile),
                                     passphrase: try #require(Self.secretBuffer()), expecting: .ed25519)
        let crafted = try Certificate.issue(for: try IdentityCard(file: Array(try Data(contentsOf: URL(fileURLWithPath: sreCard.path)))),
                                            delegation: .mx, version: 1, issued: "2026-11-22", root: rootKey)
        try Replica.open(folder: usAdmin).storeUnchecked(crafted)
        let before = try bench.digest(sre)
        let refused = try bench.send(usAdmin, to: sre)
        #expect(refused.status == 65)
        #expect(refused.stdout.contains("refused a certificate for"))
        #expect(refused.stdout.contains("only its own delegation"))

        // An older certificate version, replayed after a newer one.
        try bench.certify(sre, by: mxAdmin)
        let version1 = try bench.export(mxAdmin)
        try bench.certify(sre, by: mxAdmin)
        let version2 = try bench.export(mxAdmin)
        #expect(try puente.run(["--store", usAdmin, "sync", "import", version2]).status == 0)
        let replay = try puente.run(["--store", usAdmin, "sync", "import", version1])
        #expect(replay.status == 65)
        #expect(replay.stdout.contains("an older certificate version than the one held"))

        // A root rotation that only the old root signed refuses the whole bundle.
        let mxRootKey = try PrivateKey(encryptedPEM: try KeyFile.read(path: mxAdmin + "/" + Replica.rootKeyFile),
                                       passphrase: try #require(Self.secretBuffer()), expecting: .ed25519)
        let successor = try PrivateKey.generate(.ed25519)
        let rotation = try Rotation.sign(delegation: .mx, version: 2, old: mxRootKey, new: successor,
                                         newAgreementKey: try PrivateKey.generate(.x25519).publicKey(), name: "mx root",
                                         created: "2026-11-22")
        var document = try #require(try CanonicalJSON.decodeCanonical(rotation.bytes).objectValue)
        var signatures = try #require(document["signatures"]?.objectValue)
        signatures["new"] = signatures["old"]
        document["signatures"] = .object(signatures)
        let forgedRotation = CanonicalJSON.encode(.object(document))
        let forge = try BundleForge(exporter: try Replica.open(folder: mxAdmin))
        let halfSigned = try forge.bundle(segments: []) { manifest in
            let text = String(decoding: manifest, as: UTF8.self)
                .replacingOccurrences(of: "\"rotations\":[]", with: "\"rotations\":[\"\(Data(forgedRotation).base64EncodedString())\"]")
            manifest = Array(text.utf8)
        }
        let file = bench.folder.sub("half-signed.puente")
        try Data(halfSigned).write(to: URL(fileURLWithPath: file))
        let beforeRotation = try bench.digest(usAdmin)
        let half = try puente.run(["--store", usAdmin, "sync", "import", file])
        #expect(half.status == 65)
        #expect(half.stderr.contains("must be signed by both the old and the new root"))
        #expect(half.stderr.contains("store is unchanged"))
        #expect(try bench.digest(usAdmin) == beforeRotation)
        _ = before
    }

    @Test func storesWithTheSameRootsAndBundlesPrintTheSameDigests() throws {
        let bench = try Bench(puente, secret: secret)
        let usAdmin = try bench.store("us-admin", "us", root: true)
        let mxAdmin = try bench.store("mx-admin", "mx", root: true)
        let first = try bench.store("mx-first", "mx")
        let second = try bench.store("mx-second", "mx")
        for store in [usAdmin, mxAdmin, first, second] {
            try bench.trustRoot(store, "us")
            try bench.trustRoot(store, "mx")
        }
        try bench.certify(first, by: mxAdmin)
        try bench.certify(second, by: mxAdmin)
        try puente.run(["--store", usAdmin, "add", "--title-en", "Train customs officers", "--pillar", "prevent"])
        let fromUS = try bench.export(usAdmin)
        let fromMX = try bench.export(mxAdmin)
        for store in [first, second] {
            #expect(try puente.run(["--store", store, "sync", "import", fromMX, fromUS]).status == 0)
        }
        let digest = try bench.digest(first)
        #expect(digest.split(separator: "\n").count == 2)
        #expect(try bench.digest(second) == digest)
        // Rotating the U.S. root changes the trust fingerprint, the same way on both.
        let rotated = try puente.run(["--store", usAdmin, "keys", "root", "rotate", "--to", bench.folder.sub("us-root-v2.card")],
                                     environment: secret)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let afterRotation = try bench.export(usAdmin)
        for store in [first, second] {
            let result = try puente.run(["--store", store, "sync", "import", afterRotation])
            #expect(result.stdout.contains("root rotation: the root of United States is now version 2"), "\(result.stdout)")
        }
        #expect(try bench.digest(first) == bench.digest(second))
        #expect(try bench.digest(first) != digest)
    }

    @Test func aCopiedStoreStopsWritingAndTakesANewKey() throws {
        let bench = try Bench(puente, secret: secret)
        let admin = try bench.store("us-admin", "us", root: true)
        let desk = try bench.store("us-desk", "us")
        try bench.trustRoot(desk, "us")
        try bench.certify(desk, by: admin)
        try bench.send(admin, to: desk)
        let added = try puente.run(["--store", desk, "--json", "add", "--title-en", "Fund forensic labs", "--pillar", "pursue"])
        let id = try #require(try JSONParser.parse(Array(added.stdout.utf8))["id"]?.stringValue)
        // The store is restored from a backup elsewhere; the copy writes with the same key.
        let copy = bench.folder.sub("us-desk-restored")
        try FileManager.default.copyItem(atPath: desk, toPath: copy)
        try puente.run(["--store", copy, "set", id, "status", "in-progress"])
        try bench.send(copy, to: desk)
        let halted = try puente.run(["--store", desk, "set", id, "status", "stalled"])
        #expect(halted.status != 0)
        #expect(halted.stderr.contains("copied or restored"))
        let oldID = try JSONParser.parse(Array(try puente.run(["--store", desk, "--json", "keys", "show"]).stdout.utf8))["replica"]
        // A new key: the store writes again, under a new replica id, keeping its record.
        let rekeyed = try puente.run(["--store", desk, "keys", "rekey"])
        #expect(rekeyed.status == 0, "\(rekeyed.stderr)")
        let newID = try JSONParser.parse(Array(try puente.run(["--store", desk, "--json", "keys", "show"]).stdout.utf8))["replica"]
        #expect(newID != oldID)
        #expect(try puente.run(["--store", desk, "note", id, "Written with the new key"]).status == 0)
        #expect(try bench.status(desk, id) == "agreed")
        // Until the administrator certifies the new key, its operations wait there; then they count.
        let pending = try bench.send(desk, to: admin)
        #expect(pending.status == 65)
        try bench.certify(desk, by: admin)
        #expect(try bench.send(desk, to: admin).status == 0)
        let shown = try puente.run(["--store", admin, "show", id])
        #expect(shown.stdout.contains("Written with the new key"))
        let files = try FileManager.default.contentsOfDirectory(atPath: desk)
        #expect(files.contains { $0.hasPrefix(Replica.signingKeyFile + ".retired-") })
    }

    @Test func rootKeysNeedAPassphraseAndRefuseAWrongOne() throws {
        let bench = try Bench(puente, secret: secret)
        let admin = try bench.store("us-admin", "us")
        // No PUENTE_PASSPHRASE and no terminal: a usage error that says how to give one.
        let none = try puente.run(["--store", admin, "keys", "root", "init", "--name", "us root"])
        #expect(none.status == 64)
        #expect(none.stderr.contains("PUENTE_PASSPHRASE"))
        let short = try puente.run(["--store", admin, "keys", "root", "init", "--name", "us root"], environment: ["PUENTE_PASSPHRASE": "short"])
        #expect(short.status == 64)
        #expect(short.stderr.contains("at least 12"))
        let made = try puente.run(["--store", admin, "keys", "root", "init", "--name", "us root", "--to", bench.folder.sub("root.card")],
                                  environment: secret)
        #expect(made.status == 0, "\(made.stderr)")
        #expect(!made.stdout.contains(Self.passphrase) && !made.stderr.contains(Self.passphrase))
        let again = try puente.run(["--store", admin, "keys", "root", "init", "--name", "us root"], environment: secret)
        #expect(again.status == 1)
        #expect(again.stderr.contains("keys root rotate"))
        let desk = try bench.store("us-desk", "us")
        let card = try bench.card(desk)
        let wrong = try puente.run(["--store", admin, "keys", "root", "certify", card.path, "--fingerprint", card.fingerprint],
                                   environment: ["PUENTE_PASSPHRASE": "not the right passphrase"])
        #expect(wrong.status == 65)
        #expect(wrong.stderr.contains("wrong passphrase"))
        let attributes = try FileManager.default.attributesOfItem(atPath: admin + "/" + Replica.rootKeyFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let listed = try puente.run(["--store", admin, "keys", "list"])
        #expect(listed.stdout.contains("us root") && listed.stdout.contains("certified by the delegation's root (version 1)") == false)
        #expect(listed.stdout.contains("trusted by hand after a fingerprint check"))
    }

    static func secretBuffer() -> SecretBuffer? {
        var bytes = Array(passphrase.utf8)
        return SecretBuffer.take(&bytes)
    }
}
