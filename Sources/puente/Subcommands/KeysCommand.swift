import ArgumentParser
import Foundation
import PuenteCrypto
import PuenteKit

struct KeysCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "keys", abstract: t("abstract.keys"),
                             subcommands: [ShowKeys.self, ExportCard.self, ListKeys.self, TrustCard.self, KeysRootCommand.self,
                                           RekeyStore.self, AgeIdentity.self])
    }

    func run() throws { try Terminal.missingSubcommand(Self.self) }

    struct ShowKeys: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "show", abstract: t("abstract.keys-show"), discussion: t("example.keys-show"))
        }

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let card = try replica.identityCard()
                if global.json {
                    Terminal.json(["replica": .string(replica.identity.replica.hex), "delegation": .string(card.delegation.rawValue),
                                   "role": .string(card.role.rawValue), "name": .string(card.name), "office": .string(card.office),
                                   "fingerprint": .string(card.fingerprint.text()), "age_recipient": .string(try replica.ageRecipient())])
                    return
                }
                Terminal.out(t("keys.replica", replica.identity.replica.hex))
                Terminal.out(t("keys.who", card.name, KeyWords.role(card.role), Names.delegation(card.delegation)))
                Terminal.out(t("keys.fingerprint"))
                for line in card.fingerprint.text(lines: true).split(separator: "\n") { Terminal.out("    " + line) }
                Terminal.out(t("keys.age-recipient"))
                Terminal.out("    " + (try replica.ageRecipient()))
            }
        }
    }

    /// Writes this desk's age identity for a third party's audit with stock `age`.
    struct AgeIdentity: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "age-identity", abstract: t("abstract.keys-age-identity"), discussion: t("example.keys-age-identity"))
        }

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp(t("help.age-identity-to"), valueName: "file"), completion: Completions.file) var to: String

        func validate() throws {
            var status = stat()
            if lstat(to, &status) == 0 {
                if (status.st_mode & S_IFMT) == S_IFCHR { throw ValidationError(t("error.age-identity-terminal", to)) }
                throw ValidationError(t("error.age-identity-exists", to))
            }
        }

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                do {
                    try replica.writeAgeIdentity(to: to, key: try global.agreementKey(replica)())
                } catch KeyFile.Failure.exists {
                    throw ValidationError(t("error.age-identity-exists", to))
                }
                Terminal.err(t("keys.age-identity-written", to))
                Terminal.err(t("keys.age-identity-warning"))
            }
        }
    }

    struct ExportCard: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "export", abstract: t("abstract.keys-export"), discussion: t("example.keys-export"))
        }

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp(t("help.card-to"), valueName: "file"), completion: Completions.file) var to: String?

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let bytes = try replica.identityCardFile()
                guard let to else {
                    Terminal.write(bytes)
                    return
                }
                try OutputFile.write(bytes, to: to)
                Terminal.err(t("keys.exported", to, replica.identity.replica.short))
                Terminal.err(t("keys.tell-fingerprint"))
                Terminal.err("    " + (try replica.identityCard().fingerprint.text()))
            }
        }
    }

    struct ListKeys: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "list", abstract: t("abstract.keys-list"), discussion: t("example.keys-list"))
        }

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Terminal.run {
                let keys = try global.openReplica().trustedKeys()
                if global.json {
                    Terminal.json(.array(keys.map { key in
                        ["replica": .string(key.replica.hex), "role": .string(key.role.rawValue),
                         "delegation": .string(key.delegation.rawValue), "name": .string(key.name), "office": .string(key.office),
                         "fingerprint": .string(key.fingerprint.text()), "local": .bool(key.isLocal),
                         "via": .string(key.via), "version": key.version.map { .int($0) } ?? .null,
                         "cut_from": key.cut.map { .int($0.from) } ?? .null]
                    }))
                    return
                }
                for key in keys {
                    let mark = key.isLocal ? " " + t("keys.this-store") : ""
                    Terminal.out("\(key.replica.short)  \(Terminal.cell(Names.delegation(key.delegation), 15)) "
                                 + "\(Terminal.cell(KeyWords.role(key.role), 10)) \(key.name)\(mark)")
                    var how = t("keys.via.\(key.via)", key.version.map(String.init) ?? "")
                    if key.role == .root, key.via == "card", let version = key.version { how += "; " + t("keys.root-version", version) }
                    if let cut = key.cut { how += "; " + t("keys.cut", cut.from, t("keys.cut.\(cut.reason.code.rawValue)")) }
                    Terminal.out("              " + how)
                    Terminal.out("              " + key.fingerprint.text())
                }
            }
        }
    }

    struct TrustCard: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "trust", abstract: t("abstract.keys-trust"), discussion: t("example.keys-trust"))
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(t("help.card"), valueName: "card"), completion: Completions.file) var card: String
        @Option(help: ArgumentHelp(t("help.fingerprint"), valueName: "digits")) var fingerprint: String

        func validate() throws {
            guard Fingerprint(typed: fingerprint) != nil else { throw ValidationError(t("error.fingerprint-form")) }
        }

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let bytes = try CardSource.read(card)
                let parsed = try IdentityCard(file: bytes)
                guard let typed = Fingerprint(typed: fingerprint) else { return }
                let key = try replica.trust(card: parsed, fingerprint: typed)
                if global.json {
                    Terminal.json(["replica": .string(key.replica.hex), "role": .string(key.role.rawValue),
                                   "delegation": .string(key.delegation.rawValue), "name": .string(key.name)])
                } else {
                    Terminal.out(t("keys.trusted", key.name, KeyWords.role(key.role), Names.delegation(key.delegation)))
                }
            }
        }
    }
}

/// Words for key roles.
enum KeyWords {
    static func role(_ role: KeyRole) -> String { t("role.\(role.rawValue)") }
}

/// Reading an identity card with a size cap.
enum CardSource {
    static func read(_ path: String) throws -> [UInt8] {
        switch BoundedFile.read(path, limit: IdentityCard.maximumSize) {
        case .contents(let bytes): return bytes
        case .unreadable: throw CardError(.unreadable)
        case .tooLarge: throw CardError(.tooLarge)
        }
    }
}
