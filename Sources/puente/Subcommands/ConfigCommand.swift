import ArgumentParser
import PuenteKit

/// `config lang [en|es]`: the store's own display language, which `--lang` still overrides and
/// which comes before the laptop's locale (``StoreSettings``).
struct ConfigCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "config", abstract: t("abstract.config"), discussion: t("example.config"))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(t("help.config-setting"), valueName: "setting")) var setting: String
    @Argument(help: ArgumentHelp(t("help.config-value"), valueName: "en|es"), completion: Completions.language) var value: String?
    @Flag(help: ArgumentHelp(t("help.config-clear"))) var clear = false

    mutating func validate() throws {
        setting = try Parse.choice(setting, among: ["lang"], words: nil, "SETTING")
        if let typed = value { value = try Parse.choice(typed, among: Language.allCases.map(\.rawValue), words: "language", "lang") }
        if clear, let value { throw ValidationError(t("error.clear-value", setting, value)) }
    }

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            if clear {
                try StoreSettings.save(language: nil, inFolder: replica.folder)
            } else if let code = value, let language = Language(rawValue: code) {
                try StoreSettings.save(language: language, inFolder: replica.folder)
            }
            let saved = StoreSettings.language(inFolder: replica.folder)
            if global.json {
                Terminal.json(["lang": saved.map { .string($0.rawValue) } ?? .null])
            } else if let saved {
                // Said in the language just chosen.
                Terminal.out(t("config.lang", t("language.\(saved.rawValue)", language: saved), language: saved))
            } else {
                Terminal.out(t("config.lang-none"))
            }
        }
    }
}
