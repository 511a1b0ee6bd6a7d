import ArgumentParser
import Foundation
import PuenteCrypto
import PuenteKit

struct DemoCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "demo", abstract: t("abstract.demo"), discussion: t("example.demo"))
    }

    @Option(name: .long, help: ArgumentHelp(t("help.lang"), valueName: "en|es"), completion: Completions.language) var lang: String?
    @Option(name: .customLong("in"), help: ArgumentHelp(t("help.demo-folder"), valueName: "dir"), completion: Completions.folder) var folder: String?

    func run() throws {
        try Terminal.run {
            let base = try folder ?? Self.makeTemporaryFolder()
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            let fixture = try Self.fixture()

            step(t("demo.step.init"))
            let us = try Replica.initialize(folder: base + "/us-state", delegation: .us, name: "State INL desk", office: "Embassy Mexico City")
            let us2 = try Replica.initialize(folder: base + "/us-atf", delegation: .us, name: "ATF liaison", office: "ATF Mexico Country Office")
            let mx = try Replica.initialize(folder: base + "/mx-sspc", delegation: .mx, name: "SSPC enlace", office: "SSPC, Ciudad de México")
            let all = [us, us2, mx]
            for replica in all {
                say(t("demo.store", replica.identity.name, Names.delegation(replica.identity.delegation), replica.folder))
            }
            // Each delegation's administrator makes a root key (the demo's passphrase is random and
            // forgotten at the end); every store trusts both roots after checking their fingerprints,
            // and the U.S. root certifies the ATF desk. No desk trusts another by hand.
            let passphrase = try Self.randomPassphrase()
            var roots = [IdentityCard]()
            for admin in [us, mx] {
                let root = try admin.initializeRoot(passphrase: passphrase, name: t("demo.root-name", Names.delegation(admin.identity.delegation)))
                let cardPath = base + "/\(admin.identity.delegation.rawValue)-root.card"
                try OutputFile.write(root.signedFile ?? [], to: cardPath)
                roots.append(try IdentityCard(file: try CardSource.read(cardPath)))
                say(t("demo.root", admin.identity.name, Names.delegation(admin.identity.delegation),
                      root.fingerprint.groups.prefix(3).joined(separator: " ")))
            }
            for replica in all {
                for root in roots where try !replica.trustedKeys().contains(where: { $0.replica == root.replica }) {
                    try replica.trust(card: root, fingerprint: root.fingerprint)
                }
            }
            let atfCardPath = base + "/us-atf.card"
            try OutputFile.write(try us2.identityCardFile(), to: atfCardPath)
            let atfCard = try IdentityCard(file: try CardSource.read(atfCardPath))
            let certificate = try us.certify(card: atfCard, passphrase: passphrase)
            say(t("demo.certified", us.identity.name, certificate.name, certificate.version))
            // The ATF desk learns the certificates from the State desk's first bundle.
            try send(from: us, to: us2, file: base + "/0-state-to-atf.puente", for: .us)

            step(t("demo.step.import"))
            let usReport = try us.importFile(fixture)
            say(t("demo.imported", us.identity.name, usReport.commitmentsCreated, usReport.dialoguesCreated))
            // First contact: the State desk knows no Mexican desk yet (certificates travel in
            // bundles), so this one bundle is written plain; every later one is encrypted.
            say(t("demo.first-contact"))
            try send(from: us, to: mx, file: base + "/1-state-to-sspc.puente", for: .mx, plain: true)
            let mxReport = try mx.importFile(fixture)
            say(t("demo.imported", mx.identity.name, mxReport.commitmentsCreated, mxReport.dialoguesCreated))
            try send(from: mx, to: us, file: base + "/2-sspc-to-state.puente", for: .us)
            // The ATF desk never exchanges files with the State desk: the Mexican store relays.
            try send(from: mx, to: us2, file: base + "/3-sspc-to-atf-relay.puente", for: .us)

            step(t("demo.step.offline"))
            guard let arms = try us.entity(externalID: "bf-prevent-01", type: .commitment),
                  let joint = try us.entity(externalID: "bf-prevent-05", type: .commitment) else {
                throw ImportFileError(problem: "missing", path: "bf-prevent-01")
            }
            try us.set(arms, field: "status", value: "in-progress")
            say(t("demo.edit", us.identity.name, Names.field("status"), Names.status("in-progress"), Replica.shortID(arms.text)))
            try us2.set(arms, field: "status", value: "stalled")
            say(t("demo.edit", us2.identity.name, Names.field("status"), Names.status("stalled"), Replica.shortID(arms.text)))
            try us.assess(joint, rating: .onTrack, why: "Operation Southbound investigations are ahead of plan.")
            say(t("demo.assess", us.identity.name, Names.rating("on-track"), Replica.shortID(joint.text)))
            try mx.assess(joint, rating: .atRisk, why: "Faltan datos de rastreo de armas de dos estados fronterizos.")
            say(t("demo.assess", mx.identity.name, Names.rating("at-risk"), Replica.shortID(joint.text)))
            try mx.addNote(to: joint, text: "SSPC presentará cifras actualizadas en la próxima ronda.", lang: "es")
            say(t("demo.note", mx.identity.name, Replica.shortID(joint.text)))
            do {
                try mx.set(arms, field: "status", value: "fulfilled")
            } catch let error as PuenteError {
                say(t("demo.refused", mx.identity.name) + " " + Messages.describe(error))
            }

            step(t("demo.step.sync"))
            try send(from: us, to: mx, file: base + "/4-state-to-sspc.puente", for: .mx)
            try send(from: us2, to: mx, file: base + "/5-atf-to-sspc.puente", for: .mx)
            try send(from: mx, to: us, file: base + "/6-sspc-to-state.puente", for: .us)
            try send(from: mx, to: us2, file: base + "/7-sspc-to-atf.puente", for: .us)
            for replica in all {
                let digest = try replica.digest()
                say(Terminal.cell(replica.identity.name, 16) + " " + digest.state.prefix(16) + "…  " + digest.trust.prefix(12) + "…")
            }
            let digests = try Swift.Set(all.map { try $0.digest().state })
            say(digests.count == 1 ? t("demo.converged") : t("demo.diverged"))

            step(t("demo.step.conflict"))
            for item in try us.conflicts() {
                say("\(Replica.shortID(item.entity.text))  \(Names.field(item.field)): "
                    + item.values.map { Names.value($0.value, field: item.field) + " (" + (item.authors[$0.op.replica]?.name ?? "?") + ")" }
                        .joined(separator: " | "))
            }
            say(t("demo.resolve-hint", base + "/us-state", Replica.shortID(arms.text)))

            step(t("demo.step.revoke"))
            // The ATF laptop is stolen; the thief withdraws a commitment and the bundle reaches Mexico.
            let lastGood = try us.operations(of: us2.identity.replica).last?.seq ?? 0
            try us2.set(arms, field: "status", value: "withdrawn")
            say(t("demo.thief", Names.status("withdrawn"), Replica.shortID(arms.text)))
            try send(from: us2, to: mx, file: base + "/8-stolen-atf-to-sspc.puente", for: .mx)
            let revocation = try us.revoke(us2.identity.replica, lastGoodSeq: lastGood, passphrase: passphrase)
            say(t("demo.revoked", us.identity.name, us2.identity.name, revocation.revocation.lastGoodSeq))
            let file = base + "/9-state-to-sspc.puente"
            let export = try us.exportBundle(to: file, for: .mx, encrypted: true)
            let report = try mx.importBundle(path: file, agreementKey: { try mx.agreementKey(passphrase: nil) })
            say(t("demo.bundle", us.identity.name, mx.identity.name, export.operations, export.bytes, "9-state-to-sspc.puente",
                  report.receive.appliedTotal))
            for change in report.trust.changes { say("  " + SyncView.describe(change)) }
            say(t("demo.turned", report.trust.turnedRejected, report.trust.dropped,
                  Names.status(try mx.commitments().first { $0.id == arms.text }?.status)))

            step(t("demo.step.audit"))
            say(SyncCommand.ExportBundle.recipientsLine(export))
            try auditWithStockAge(file, desk: mx, base: base)

            step(t("demo.step.review"))
            say(t("demo.as-of", Self.reviewDate))
            ReviewView.print(try us.review(asOf: Self.reviewDate, limit: ReviewView.listed))
            Terminal.out()
            Terminal.out(t("demo.explore", base + "/us-state", base + "/mx-sspc"))
        }
    }

    /// A date inside the fixture's time frame, so the overdue list reads as it did then.
    static let reviewDate = "2024-05-01"

    private func step(_ title: String) {
        Terminal.out()
        Terminal.out("== " + title)
    }

    private func say(_ text: String) {
        Terminal.out("   " + text)
    }

    /// Opens an encrypted bundle with stock `age` and the identity of a desk it is for, as a
    /// third party auditing it would: what comes out is the signed ZIP.
    private func auditWithStockAge(_ file: String, desk: Replica, base: String) throws {
        let age = "/usr/bin/age"
        guard FileManager.default.isExecutableFile(atPath: age) else { return say(t("demo.age-missing")) }
        let identity = base + "/sspc-age-identity.txt"
        try desk.writeAgeIdentity(to: identity, key: try desk.agreementKey(passphrase: nil))
        let zip = file.replacingOccurrences(of: ".puente", with: ".zip")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: age)
        process.arguments = ["-d", "-i", identity, "-o", zip, file]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let opened = (try? Data(contentsOf: URL(fileURLWithPath: zip))) ?? Data()
        guard process.terminationStatus == 0, opened.starts(with: [0x50, 0x4b, 0x03, 0x04]) else { return say(t("demo.age-failed")) }
        let name = { (path: String) in path.split(separator: "/").last.map(String.init) ?? path }
        say(t("demo.age-opened", name(identity), name(file), name(zip), opened.count))
    }

    /// Writes a signed bundle, encrypted to the target's delegation, and imports it on the other
    /// side, as a USB stick would carry it.
    private func send(from source: Replica, to target: Replica, file: String, for delegation: Delegation, plain: Bool = false) throws {
        let export = try source.exportBundle(to: file, for: delegation, encrypted: !plain)
        let report = try target.importBundle(path: file, agreementKey: { try target.agreementKey(passphrase: nil) })
        say(t("demo.bundle", source.identity.name, target.identity.name, export.operations, export.bytes,
              file.split(separator: "/").last.map(String.init) ?? file, report.receive.appliedTotal))
    }

    /// A random passphrase for the demo's root keys, never shown or kept.
    static func randomPassphrase() throws -> SecretBuffer {
        let digits = Array("0123456789abcdef".utf8)
        var bytes = try secureRandomBytes(24).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }
        guard let secret = SecretBuffer.take(&bytes) else { throw PuenteError(.storeUnreadable, ["passphrase"]) }
        return secret
    }

    static func makeTemporaryFolder() throws -> String {
        var template = Array((FileManager.default.temporaryDirectory.path + "/puente-demo-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw PuenteError(.storeUnreadable, ["temporary folder"]) }
        return String(cString: made)
    }

    /// The built-in fixture, shipped as a resource beside the binary.
    static func fixture() throws -> ImportFile {
        let folder = Bundle.main.bundleURL
        let candidates: [String] = [
            folder.appendingPathComponent("Puente_puente.resources/bicentennial.json").path,
            folder.appendingPathComponent("puente_puente.resources/bicentennial.json").path,
        ]
        guard let path = candidates.first(where: { (path: String) in FileManager.default.fileExists(atPath: path) }) else {
            throw ImportFileError(problem: "unreadable", path: "bicentennial.json")
        }
        return try ImportFile(bytes: try ImportSource.read(path))
    }
}
