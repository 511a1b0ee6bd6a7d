import ArgumentParser
import Foundation
import PuenteCrypto
import PuenteKit

/// Options every command takes: where the store is, the language, and JSON output.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(t("help.store"), valueName: "dir"), completion: Completions.folder)
    var store: String?

    @Option(name: .long, help: ArgumentHelp(t("help.lang"), valueName: "en|es"), completion: Completions.language)
    var lang: String?

    @Flag(name: .long, help: ArgumentHelp(t("help.json")))
    var json = false

    func validate() throws {
        if let lang, Language(rawValue: lang) == nil {
            throw ValidationError(t("error.lang", lang))
        }
    }

    /// `--store`, else `PUENTE_STORE`, else `$XDG_DATA_HOME/puente`, else `~/.local/share/puente`.
    var storeFolder: String {
        StoreSettings.folder(store: store, environment: ProcessInfo.processInfo.environment)
    }

    /// Opens the store, or explains how to make one.
    /// Says so, once, when opening it upgraded an earlier store format.
    func openReplica() throws -> Replica {
        let replica = try Passphrase.retrying(prompt: t("passphrase.replica-prompt")) { passphrase in
            // An upgrade replays every operation: on a large store it takes minutes, so say so first.
            try Replica.open(folder: storeFolder, passphrase: passphrase) { from, to in Terminal.err(t("store.upgrading", from, to)) }
        }
        if let upgrade = replica.storeUpgrade {
            Terminal.err(t("store.upgraded", upgrade.fromFormat, upgrade.operations, upgrade.keptAt))
            if upgrade.documentsLeft > 0 { Terminal.err(t("store.upgraded-left", upgrade.documentsLeft)) }
        }
        return replica
    }

    /// Loads this desk's agreement key when an encrypted bundle is to be opened (only then), asking
    /// for its passphrase as opening the store does.
    func agreementKey(_ replica: Replica) -> () throws -> PrivateKey {
        {
            try Passphrase.retrying(prompt: t("passphrase.replica-prompt")) { passphrase in
                try replica.agreementKey(passphrase: passphrase)
            }
        }
    }
}
