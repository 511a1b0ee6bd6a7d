import ArgumentParser
import Foundation
import PuenteKit

struct SyncCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "sync", abstract: t("abstract.sync"),
                             subcommands: [ExchangeBundles.self, ExportBundle.self, ImportBundles.self, SyncStatus.self])
    }

    func run() throws { try Terminal.missingSubcommand(Self.self) }

    struct ExchangeBundles: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "exchange", abstract: t("abstract.sync-exchange"), discussion: t("example.sync-exchange"))
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(t("help.exchange-folder"), valueName: "folder"), completion: Completions.folder) var folder: String
        @Flag(help: ArgumentHelp(t("help.bundle-full"))) var full = false
        @Flag(help: ArgumentHelp(t("help.bundle-plain"))) var plain = false

        func validate() throws {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError(t("error.exchange-folder", folder))
            }
        }

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let report = try LongWork.run(interrupted: t("interrupted.exchange")) { watch in
                    try replica.exchange(folder: folder, full: full, encrypted: !plain, agreementKey: global.agreementKey(replica),
                                         watch: watch)
                }
                if global.json {
                    Terminal.json(Self.json(report))
                } else {
                    print(report, replica: replica)
                }
                if report.refusedAny { throw ExitCode(Terminal.badInput) }
            }
        }

        func print(_ report: ExchangeReport, replica: Replica) {
            for read in report.read {
                switch read.outcome {
                case .imported(let imported): SyncView.print(imported, file: read.file, replica: replica)
                case .held: Terminal.out(t("exchange.held", read.file))
                case .notForThisDesk(let audience): Terminal.out(t("exchange.not-for-us", read.file, Messages.audience(audience)))
                case .refused(let error): Terminal.err(t("error.prefix") + " " + t("sync.refused-whole", read.file, Messages.describe(error)))
                }
            }
            if report.peers.isEmpty { Terminal.out(t("exchange.none-read", folder)) }
            if report.written.isEmpty { Terminal.out(t("exchange.no-recipient")) }
            for written in report.written {
                Terminal.out(t("exchange.wrote", written.report.path, Names.delegation(written.delegation), written.report.operations,
                               written.report.segments.count, written.report.bytes))
                ExportBundle.printRecipients(written.report)
            }
            for peer in report.peers {
                let delegation = Names.delegation(peer.delegation)
                if peer.weLack > 0 {
                    Terminal.out(t("exchange.we-lack", peer.name, peer.replica.short, delegation, peer.weLack))
                } else if peer.theyLack > 0 {
                    Terminal.out(t("exchange.they-lack", peer.name, peer.replica.short, delegation, peer.theyLack))
                } else {
                    Terminal.out(t("exchange.converged", peer.name, peer.replica.short, delegation))
                }
            }
        }

        static func json(_ report: ExchangeReport) -> JSONValue {
            ["read": .array(report.read.map { read in
                switch read.outcome {
                case .imported(let imported): return ["file": .string(read.file), "outcome": "imported", "import": SyncView.json(imported, file: read.file)]
                case .held: return ["file": .string(read.file), "outcome": "held"]
                case .notForThisDesk(let audience):
                    return ["file": .string(read.file), "outcome": "not-for-this-desk", "detail": .string(audience)]
                case .refused(let error):
                    return ["file": .string(read.file), "outcome": "refused", "refused": .string(error.problem), "detail": .string(error.detail)]
                }
             }),
             "written": .array(report.written.map { written in
                 ["delegation": .string(written.delegation.rawValue), "path": .string(written.report.path),
                  "operations": .int(Int64(written.report.operations)), "bytes": .int(Int64(written.report.bytes)),
                  "encrypted": .bool(!written.report.recipients.isEmpty), "recipients": ExportBundle.recipientsJSON(written.report)]
             }),
             "peers": .array(report.peers.map { peer in
                 ["replica": .string(peer.replica.hex), "name": .string(peer.name), "delegation": .string(peer.delegation.rawValue),
                  "they_lack": .int(peer.theyLack), "we_lack": .int(peer.weLack), "converged": .bool(peer.converged)]
             })]
        }
    }

    struct ExportBundle: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "export", abstract: t("abstract.sync-export"), discussion: t("example.sync-export"))
        }

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp(t("help.bundle-to"), valueName: "file"), completion: Completions.file) var to: String
        @Option(name: .customLong("for"), help: ArgumentHelp(t("help.bundle-for"), valueName: "us|mx"), completion: Completions.delegation) var recipient: String?
        @Flag(help: ArgumentHelp(t("help.bundle-full"))) var full = false
        @Flag(help: ArgumentHelp(t("help.bundle-plain"))) var plain = false

        func validate() throws {
            if let recipient, Parse.delegation(recipient) == nil { throw ValidationError(t("error.delegation", "--for", recipient)) }
        }

        /// Who an encrypted bundle is for, one desk a line (its name, short id and delegation), or that it is plain.
        static func printRecipients(_ report: ExportReport) {
            Terminal.out(recipientsLine(report))
        }

        static func recipientsLine(_ report: ExportReport) -> String {
            guard !report.recipients.isEmpty else { return t("sync.plain") }
            let names = report.recipients.map { "\(UntrustedText.singleLine($0.name)) (\($0.replica.short), \(Names.delegation($0.delegation)))" }
            return t("sync.encrypted-for", report.recipients.count, names.joined(separator: "; "))
        }

        static func recipientsJSON(_ report: ExportReport) -> JSONValue {
            .array(report.recipients.map { ["replica": .string($0.replica.hex), "name": .string($0.name), "delegation": .string($0.delegation.rawValue)] })
        }

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let report = try LongWork.run(interrupted: t("interrupted.export")) { watch in
                    try replica.exportBundle(to: to, for: recipient.flatMap(Parse.delegation), full: full, encrypted: !plain, watch: watch)
                }
                if global.json {
                    Terminal.json(["path": .string(report.path), "operations": .int(Int64(report.operations)),
                                   "bytes": .int(Int64(report.bytes)), "authors": .int(Int64(report.segments.count)),
                                   "encrypted": .bool(!report.recipients.isEmpty), "recipients": Self.recipientsJSON(report)])
                } else {
                    Terminal.out(t("sync.exported", report.operations, report.segments.count, report.path, report.bytes))
                    Self.printRecipients(report)
                }
            }
        }
    }

    struct ImportBundles: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "import", abstract: t("abstract.sync-import"), discussion: t("example.sync-import"))
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(t("help.bundle-files"), valueName: "file"), completion: Completions.file) var files: [String]

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                var refusedAny = false
                var results = [JSONValue]()
                for (index, file) in files.enumerated() {
                    do {
                        // Interrupted: this bundle is left out whole; those before it stay imported.
                        let message = index == 0 ? t("interrupted.import") : t("interrupted.bundle", file)
                        let report = try LongWork.run(interrupted: message) { watch in
                            try replica.importBundle(path: file, agreementKey: global.agreementKey(replica), watch: watch)
                        }
                        refusedAny = refusedAny || report.partlyRefused
                        if global.json {
                            results.append(SyncView.json(report, file: file))
                        } else {
                            SyncView.print(report, file: file, replica: replica)
                        }
                    } catch let error as BundleError {
                        refusedAny = true
                        if global.json {
                            results.append(["file": .string(file), "refused": .string(error.problem), "detail": .string(error.detail)])
                        } else {
                            Terminal.err(t("error.prefix") + " " + t("sync.refused-whole", file, Messages.describe(error)))
                        }
                    }
                }
                if global.json { Terminal.json(.array(results)) }
                if refusedAny { throw ExitCode(Terminal.badInput) }
            }
        }
    }

    struct SyncStatus: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "status", abstract: t("abstract.sync-status"), discussion: t("example.sync-status"))
        }

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Terminal.run {
                let peers = try global.openReplica().syncStatus()
                if global.json {
                    Terminal.json(.array(peers.map { peer in
                        ["replica": .string(peer.replica.hex), "name": .string(peer.name), "delegation": .string(peer.delegation.rawValue),
                         "have_from_it": .int(peer.haveFromIt), "it_has_from_us": peer.itHasFromUs.map { .int($0) } ?? .null,
                         "held": .int(Int64(peer.held))]
                    }))
                    return
                }
                if peers.isEmpty { Terminal.out(t("sync.no-peers")) }
                for peer in peers {
                    Terminal.out(t("sync.peer", peer.replica.short, peer.name, Names.delegation(peer.delegation), peer.haveFromIt,
                                   peer.itHasFromUs.map(String.init) ?? "?", peer.held))
                }
            }
        }
    }
}

/// How `sync import` reports, in both languages and as JSON.
enum SyncView {
    static func json(_ report: BundleImportReport, file: String) -> JSONValue {
        ["file": .string(file), "exporter": .string(report.exporter.hex),
         "applied": .object(Dictionary(uniqueKeysWithValues: report.receive.applied.map { ($0.key.hex, JSONValue.int(Int64($0.value))) })),
         "duplicates": .int(Int64(report.receive.duplicates)), "held": .int(Int64(report.receive.held)),
         "evicted": .int(Int64(report.receive.evicted)), "fork_proofs_added": .int(Int64(report.forkProofsAdded)),
         "refused": .object(Dictionary(uniqueKeysWithValues: report.refusedSegments.map { ($0.key.hex, JSONValue.string($0.value.code)) })),
         "conflicts_created": .int(Int64(report.receive.conflictsCreated)),
         "entities_changed": .int(Int64(report.receive.entitiesChanged)),
         "far_future_stamps": .int(Int64(report.receive.farFutureStamps)),
         "rejected": .int(Int64(report.receive.rejected)),
         "past_revocation": .int(Int64(report.receive.pastRevocation + report.trust.dropped)),
         "turned_rejected": .int(Int64(report.trust.turnedRejected + report.receive.turnedRejected)),
         "turned_accepted": .int(Int64(report.trust.turnedAccepted)),
         "trust_changes": .array(report.trust.changes.map { change in
             ["kind": .string(change.kind.rawValue), "replica": .string(change.subject.hex), "name": .string(change.name),
              "delegation": change.delegation.map { .string($0.rawValue) } ?? .null, "number": .int(change.number),
              "in_effect": .bool(change.inEffect)]
         }),
         "trust_refused": .array(report.trust.refusals.map { refusal in
             ["kind": .string(refusal.kind.rawValue), "replica": .string(refusal.subject.hex),
              "issuer": refusal.issuer.map { .string($0.hex) } ?? .null,
              "problem": .string(refusal.error.problem), "detail": .string(refusal.error.detail)]
         })]
    }

    /// One line per trust change, in the display language.
    static func describe(_ change: TrustChange) -> String {
        let who = change.name.isEmpty ? change.subject.short : "\(change.name) (\(change.subject.short))"
        let delegation = change.delegation.map(Names.delegation) ?? ""
        let base: String
        switch change.kind {
        case .certificate: base = t("trust.certificate", who, delegation, change.number)
        case .revocation: base = t("trust.revocation", who, change.number)
        case .rotation: base = t("trust.rotation", delegation, change.number, who)
        case .forkProof: base = t("trust.fork-proof", who, change.number)
        }
        return base + (change.inEffect ? "" : " " + t("trust.not-in-effect"))
    }

    static func describe(_ refusal: TrustRefusal) -> String {
        t("trust.refused", t("trust.kind.\(refusal.kind.rawValue)"), refusal.subject.short,
          t("trust.\(refusal.error.problem)", refusal.error.detail))
    }

    /// The refusals, one line each, or one line per issuer, kind and reason when several share
    /// them (a flood of documents is one line, not thousands); documents of roots this store
    /// does not trust are only counted.
    static func describe(_ refusals: [TrustRefusal], names: [ReplicaID: String]) -> [String] {
        var lines = [String]()
        let refused = refusals.filter(\.isRefusal)
        var groups = [String: [TrustRefusal]]()
        var order = [String]()
        for refusal in refused {
            let key = "\(refusal.issuer?.hex ?? "")|\(refusal.kind.rawValue)|\(refusal.error.problem)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(refusal)
        }
        for key in order {
            guard let group = groups[key], let first = group.first else { continue }
            if group.count == 1 {
                lines.append(describe(first))
            } else {
                let issuer = first.issuer.map { id in names[id].map { "\($0) (\(id.short))" } ?? id.short } ?? "?"
                lines.append(t("trust.refused-many", group.count, t("trust.kind.\(first.kind.rawValue)"), issuer,
                               t("trust.\(first.error.problem)", first.error.detail)))
            }
        }
        let notKept = refusals.count - refused.count
        if notKept > 0 { lines.append(t("trust.not-kept", notKept)) }
        return lines
    }

    static func print(_ report: BundleImportReport, file: String, replica: Replica) {
        let names = Dictionary((try? replica.replicas())?.map { ($0.id, $0.name) } ?? [], uniquingKeysWith: { first, _ in first })
        Terminal.out(t("sync.imported", file, report.exporterName))
        for (author, count) in report.receive.applied.sorted(by: { $0.key < $1.key }) where count > 0 {
            Terminal.out("  " + t("sync.applied", count, names[author] ?? author.short))
        }
        if report.receive.duplicates > 0 { Terminal.out("  " + t("sync.duplicates", report.receive.duplicates)) }
        if report.receive.held > 0 { Terminal.out("  " + t("sync.held", report.receive.held)) }
        if report.forkProofsAdded > 0 { Terminal.out("  " + t("sync.fork-proofs", report.forkProofsAdded)) }
        if report.receive.evicted > 0 { Terminal.out("  " + t("sync.evicted", report.receive.evicted)) }
        for (author, reason) in report.refusedSegments.sorted(by: { $0.key < $1.key }) {
            Terminal.out("  " + t("sync.segment-refused", names[author] ?? author.short, t("segment.\(reason.code)")))
        }
        for change in report.trust.changes { Terminal.out("  " + describe(change)) }
        for line in describe(report.trust.refusals, names: names) { Terminal.out("  " + line) }
        let turned = report.trust.turnedRejected + report.receive.turnedRejected
        if turned > 0 { Terminal.out("  " + t("sync.turned-rejected", turned)) }
        if report.trust.turnedAccepted > 0 { Terminal.out("  " + t("sync.turned-accepted", report.trust.turnedAccepted)) }
        let dropped = report.trust.dropped + report.receive.pastRevocation
        if dropped > 0 { Terminal.out("  " + t("sync.past-revocation", dropped)) }
        if report.receive.rejected > 0 { Terminal.out("  " + t("sync.rejected", report.receive.rejected)) }
        Terminal.out("  " + t("sync.changed", report.receive.entitiesChanged, report.receive.conflictsCreated))
        if report.receive.farFutureStamps > 0 { Terminal.out("  " + t("sync.far-future", report.receive.farFutureStamps)) }
    }
}
