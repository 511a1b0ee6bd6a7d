import ArgumentParser
import PuenteKit

struct InitStore: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "init", abstract: t("abstract.init"), discussion: t("example.init"))
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp(t("help.delegation"), valueName: "us|mx"), completion: Completions.delegation)
    var delegation: String

    @Option(help: ArgumentHelp(t("help.name"), valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp(t("help.office"), valueName: "text"))
    var office: String = ""

    @Flag(help: ArgumentHelp(t("help.init-passphrase")))
    var passphrase = false

    func validate() throws {
        guard Parse.delegation(delegation) != nil else { throw ValidationError(t("error.delegation", "--delegation", delegation)) }
    }

    func run() throws {
        try Terminal.run {
            guard let delegation = Parse.delegation(delegation) else { return }
            let replica = try Replica.initialize(folder: global.storeFolder, delegation: delegation, name: name, office: office,
                                                 passphrase: passphrase ? try Passphrase.new() : nil)
            // `init --lang es` makes Spanish this store's language (`config lang`).
            if let lang = global.lang, let language = Language(rawValue: lang) {
                try StoreSettings.save(language: language, inFolder: replica.folder)
            }
            if global.json {
                Terminal.json(["store": .string(replica.folder), "replica": .string(replica.identity.replica.hex),
                               "delegation": .string(delegation.rawValue), "name": .string(replica.identity.name)])
            } else {
                Terminal.out(t("init.done", replica.folder))
                Terminal.out(t("init.replica", replica.identity.replica.hex, Names.delegation(delegation)))
            }
        }
    }
}
