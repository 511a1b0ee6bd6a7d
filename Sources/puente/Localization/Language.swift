import Foundation

/// The display language: `--lang`, else the one saved for the store (`config lang`), else
/// `LC_ALL`, `LC_MESSAGES` or `LANG`, else English.
enum Language: String, CaseIterable, Sendable {
    case en
    case es

    /// Decided once per process, before parsing, so help text is in the same language.
    static let current: Language = {
        let environment = ProcessInfo.processInfo.environment
        return detect(arguments: CommandLine.arguments, environment: environment, saved: StoreSettings.language(
            inFolder: StoreSettings.folder(store: StoreSettings.store(in: Array(CommandLine.arguments.dropFirst())), environment: environment)))
    }()

    /// `saved`, the store's own choice, comes after `--lang` and before the locale: the locale
    /// is the laptop's, which a desk may not choose, and it is always set. It is read only when
    /// `--lang` is not given.
    static func detect(arguments: [String], environment: [String: String], saved: @autoclosure () -> Language? = nil) -> Language {
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument.hasPrefix("--lang=") { return Language(rawValue: String(argument.dropFirst(7))) ?? .en }
            if argument == "--lang", index + 1 < arguments.count { return Language(rawValue: arguments[index + 1]) ?? .en }
        }
        if let saved = saved() { return saved }
        for name in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let value = environment[name], !value.isEmpty {
                return value.lowercased().hasPrefix("es") ? .es : .en
            }
        }
        return .en
    }
}

/// A text in both languages.
struct Phrase: Sendable {
    let en: String
    let es: String

    func text(_ language: Language = .current) -> String {
        language == .es ? es : en
    }
}

/// The localized text for `key`, with `{0}`, `{1}`… replaced by `arguments`.
func t(_ key: String, _ arguments: CustomStringConvertible..., language: Language = .current) -> String {
    var text = Catalog.phrases[key]?.text(language) ?? key
    for (index, argument) in arguments.enumerated() {
        text = text.replacingOccurrences(of: "{\(index)}", with: argument.description)
    }
    return text
}
