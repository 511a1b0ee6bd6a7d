import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// Imports `contents` into `store` in `language` (``DocumentedCommandsEndToEndTests/languages``)
/// and holds the import to what a refused file gets: exit 65, a message that names `path`, says
/// `words` and says nothing was changed, and the store's digest as it was.
func expectImportRefused(_ puente: PuenteProcess, store: String, contents: String, path: String, words: String? = nil,
                         language: Int, folder: TemporaryFolder, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
    let digest = try puente.run(["--store", store, "digest"]).stdout
    let file = folder.sub("refused.json")
    try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
    let refused = try puente.run(["--store", store] + flags + ["import", file], environment: environment)
    #expect(refused.status == 65, "\(path): \(refused.stderr)", sourceLocation: sourceLocation)
    #expect(refused.stderr.contains(path), "\(path): \(refused.stderr)", sourceLocation: sourceLocation)
    if let words { #expect(refused.stderr.contains(words), "\(words): \(refused.stderr)", sourceLocation: sourceLocation) }
    #expect(refused.stderr.contains(name == "en" ? "nothing was changed" : "no se cambió nada"), "\(refused.stderr)",
            sourceLocation: sourceLocation)
    #expect(try puente.run(["--store", store, "digest"]).stdout == digest, "\(path)", sourceLocation: sourceLocation)
}
