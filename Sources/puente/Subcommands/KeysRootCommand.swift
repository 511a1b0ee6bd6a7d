import ArgumentParser
import Foundation
import PuenteKit

/// `keys root …`: what a delegation's administrator does with the root key.
struct KeysRootCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "root", abstract: t("abstract.keys-root"),
                             subcommands: [InitRoot.self, Certify.self, Revoke.self, Rotate.self])
    }

    func run() throws { try Terminal.missingSubcommand(Self.self) }

    struct InitRoot: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "init", abstract: t("abstract.keys-root-init"), discussion: t("example.keys-root-init"))
        }

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp(t("help.root-name"), valueName: "name")) var name: String
        @Option(name: .customLong("root-key"), help: ArgumentHelp(t("help.root-key"), valueName: "file"), completion: Completions.file) var rootKey: String?
        @Option(help: ArgumentHelp(t("help.root-card-to"), valueName: "file"), completion: Completions.file) var to: String?

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                // The card file is written before the root is recorded: if it cannot be, nothing is.
                let card = try replica.initializeRoot(passphrase: try Passphrase.new(), name: name, keyPath: rootKey) { card in
                    if let to, let bytes = card.signedFile { try OutputFile.write(bytes, to: to) }
                }
                try RootOutput.card(card, to: to, global: global, written: true)
                if !global.json {
                    Terminal.err(t("root.created", Names.delegation(card.delegation), rootKey ?? replica.defaultRootKeyPath))
                }
            }
        }
    }

    struct Certify: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "certify", abstract: t("abstract.keys-root-certify"),
                                 discussion: t("example.keys-root-certify"))
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(t("help.member-card"), valueName: "card"), completion: Completions.file) var card: String
        @Option(help: ArgumentHelp(t("help.fingerprint"), valueName: "digits")) var fingerprint: String
        @Option(help: ArgumentHelp(t("help.cert-version"), valueName: "n")) var version: Int64?
        @Option(name: .customLong("root-key"), help: ArgumentHelp(t("help.root-key"), valueName: "file"), completion: Completions.file) var rootKey: String?

        func validate() throws {
            guard Fingerprint(typed: fingerprint) != nil else { throw ValidationError(t("error.fingerprint-form")) }
        }

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let parsed = try IdentityCard(file: try CardSource.read(card))
                guard Fingerprint(typed: fingerprint) == parsed.fingerprint else { throw CardError(.fingerprint) }
                let certificate = try Passphrase.retrying { passphrase in
                    try replica.certify(card: parsed, passphrase: try passphrase(), keyPath: rootKey, version: version)
                }
                if global.json {
                    Terminal.json(["member": .string(certificate.member.hex), "name": .string(certificate.name),
                                   "delegation": .string(certificate.delegation.rawValue), "version": .int(certificate.version)])
                } else {
                    Terminal.out(t("root.certified", certificate.name, certificate.member.short,
                                   Names.delegation(certificate.delegation), certificate.version))
                }
            }
        }
    }

    struct Revoke: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "revoke", abstract: t("abstract.keys-root-revoke"),
                                 discussion: t("example.keys-root-revoke"))
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(t("help.revoke-replica"), valueName: "replica")) var replicaID: String
        @Option(name: .customLong("last-good"), help: ArgumentHelp(t("help.last-good"), valueName: "seq")) var lastGood: Int64
        @Option(name: .customLong("root-key"), help: ArgumentHelp(t("help.root-key"), valueName: "file"), completion: Completions.file) var rootKey: String?

        func validate() throws {
            guard lastGood >= 0 else { throw ValidationError(t("help.last-good")) }
        }

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let target = try replica.resolveReplica(replicaID)
                let result = try Passphrase.retrying { passphrase in
                    try replica.revoke(target, lastGoodSeq: lastGood, passphrase: try passphrase(), keyPath: rootKey)
                }
                if global.json {
                    Terminal.json(["replica": .string(target.hex), "last_good_seq": .int(lastGood),
                                   "last_good_hash": .string(result.revocation.lastGoodHash),
                                   "turned_rejected": .int(Int64(result.effect.turnedRejected)),
                                   "dropped": .int(Int64(result.effect.dropped))])
                } else {
                    Terminal.out(t("root.revoked", target.short, lastGood, result.effect.turnedRejected, result.effect.dropped))
                }
            }
        }
    }

    struct Rotate: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "rotate", abstract: t("abstract.keys-root-rotate"),
                                 discussion: t("example.keys-root-rotate"))
        }

        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("root-key"), help: ArgumentHelp(t("help.root-key"), valueName: "file"), completion: Completions.file) var rootKey: String?
        @Option(help: ArgumentHelp(t("help.root-card-to"), valueName: "file"), completion: Completions.file) var to: String?

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                // Not retried: the old passphrase is known wrong only once the new one was asked for.
                let old = try Passphrase.existing()
                let new = try Passphrase.new(variable: "PUENTE_NEW_PASSPHRASE")
                let result = try replica.rotateRoot(passphrase: old, newPassphrase: new, keyPath: rootKey)
                try RootOutput.card(result.card, to: to, global: global)
                if !global.json {
                    let path = (rootKey ?? replica.defaultRootKeyPath) + ".v\(result.rotation.version - 1)"
                    Terminal.err(t("root.rotated", Names.delegation(result.rotation.delegation), result.rotation.version,
                                   result.reissued, path))
                }
            }
        }
    }
}

/// Writing a root card and telling its fingerprint.
enum RootOutput {
    static func card(_ card: IdentityCard, to path: String?, global: GlobalOptions, written: Bool = false) throws {
        guard let bytes = card.signedFile else { return }
        if let path {
            if !written { try OutputFile.write(bytes, to: path) }
        } else if !global.json {
            Terminal.write(bytes)
        }
        if global.json {
            Terminal.json(["root": .string(card.replica?.hex ?? ""), "delegation": .string(card.delegation.rawValue),
                           "name": .string(card.name), "fingerprint": .string(card.fingerprint.text()),
                           "card": path.map(JSONValue.string) ?? .string(String(decoding: bytes, as: UTF8.self))])
            return
        }
        Terminal.err(t("root.card-written", path ?? "-"))
        for line in card.fingerprint.text(lines: true).split(separator: "\n") { Terminal.err("    " + line) }
    }
}

/// `keys rekey`: a new replica key for a copied or restored store.
struct RekeyStore: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "rekey", abstract: t("abstract.keys-rekey"), discussion: t("example.keys-rekey"))
    }

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Terminal.run {
            let replica = try Passphrase.retrying(prompt: t("passphrase.replica-prompt")) { passphrase in
                try Replica.rekey(folder: global.storeFolder, passphrase: passphrase)
            }
            if global.json {
                Terminal.json(["replica": .string(replica.identity.replica.hex)])
            } else {
                Terminal.out(t("root.rekeyed", replica.identity.replica.short))
            }
        }
    }
}
