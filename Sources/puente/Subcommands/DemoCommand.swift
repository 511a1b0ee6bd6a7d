import ArgumentParser
import Foundation
import PuenteKit

struct DemoCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "demo", abstract: t("abstract.demo"), discussion: t("example.demo"))
    }

    @Option(name: .long, help: ArgumentHelp(t("help.lang"), valueName: "en|es")) var lang: String?
    @Option(name: .customLong("in"), help: ArgumentHelp(t("help.demo-folder"), valueName: "dir")) var folder: String?

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
                for other in all where other.identity.replica != replica.identity.replica {
                    let keys = try other.publicKeys()
                    try replica.trustReplica(signingKey: keys.signing, agreementKey: keys.agreement,
                                             delegation: other.identity.delegation, name: other.identity.name)
                }
                say(t("demo.store", replica.identity.name, Names.delegation(replica.identity.delegation), replica.folder))
            }

            step(t("demo.step.import"))
            let usReport = try us.importFile(fixture)
            say(t("demo.imported", us.identity.name, usReport.commitmentsCreated, usReport.dialoguesCreated))
            try handOver(from: [us], to: [us2, mx])
            let mxReport = try mx.importFile(fixture)
            say(t("demo.imported", mx.identity.name, mxReport.commitmentsCreated, mxReport.dialoguesCreated))
            try handOver(from: [mx], to: [us, us2])

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
            try handOver(from: all, to: all)
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

            step(t("demo.step.review"))
            say(t("demo.as-of", Self.reviewDate))
            ReviewView.print(try us.review(asOf: Self.reviewDate))
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

    /// Until signed bundles exist, the demo hands operations from store to store in-process.
    private func handOver(from sources: [Replica], to targets: [Replica]) throws {
        let ops = try sources.flatMap { try $0.operations(of: $0.identity.replica) }
        for target in targets {
            let mine = ops.filter { $0.replica != target.identity.replica }
            let report = try target.receive(mine)
            if report.appliedTotal > 0 { say(t("demo.received", target.identity.name, report.appliedTotal)) }
        }
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
