import Foundation
import PuenteKit

/// A store folder's preferences that are not part of its record (they never travel in a
/// bundle and change no digest): today its display language, in `settings.json` beside the
/// database, so a Mexican desk on an English-locale laptop need not type `--lang es`.
enum StoreSettings {
    static let fileName = "settings.json"
    /// The file is Puente's own, but it is read before every command: a cap keeps a damaged
    /// one from costing anything.
    static let maximumSize = 4096

    /// The store folder the arguments and environment name: `--store`, else `PUENTE_STORE`,
    /// else `$XDG_DATA_HOME/puente`, else `~/.local/share/puente` (``GlobalOptions/storeFolder``).
    static func folder(store: String?, environment: [String: String]) -> String {
        if let store, !store.isEmpty { return store }
        if let path = environment["PUENTE_STORE"], !path.isEmpty { return path }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/puente" }
        return (environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path) + "/.local/share/puente"
    }

    /// `--store`'s value among `arguments` (before a `--`), if given.
    static func store(in arguments: [String]) -> String? {
        var index = 0
        while index < arguments.count, arguments[index] != "--" {
            let argument = arguments[index]
            if argument.hasPrefix("--store=") { return String(argument.dropFirst(8)) }
            if argument == "--store", index + 1 < arguments.count { return arguments[index + 1] }
            index += 1
        }
        return nil
    }

    /// The language saved for the store in `folder`; nil when none is (or the file is not one
    /// Puente wrote: it is then ignored, and `config lang` writes it anew).
    static func language(inFolder folder: String) -> Language? {
        guard case .contents(let bytes) = BoundedFile.read(folder + "/" + fileName, limit: maximumSize),
              let settings = try? JSONParser.parse(bytes), let code = settings["lang"]?.stringValue else { return nil }
        return Language(rawValue: code)
    }

    /// Saves `language` for the store in `folder` (nil removes it), written whole or not at all.
    static func save(language: Language?, inFolder folder: String) throws {
        let path = folder + "/" + fileName
        guard let language else {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            return
        }
        try OutputFile.write(CanonicalJSON.encode(["lang": .string(language.rawValue)]) + [0x0a], to: path)
        chmod(path, 0o600)  // the store's files are its owner's alone, as the database and keys are
    }
}
