import ArgumentParser
import Foundation
import PuenteKit

/// `puente`: the root command holds only configuration; each subcommand is its own type.
@main
struct Puente: ParsableCommand {
    static let version = "0.1.0"

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "puente",
            abstract: t("abstract.root"),
            discussion: t("discussion.root"),
            version: "puente \(version) (\(t("version.bundle")) \(BundleFormats.written); \(t("version.reads")) "
                + BundleFormats.read.joined(separator: ", ") + ")",
            subcommands: [
                InitStore.self, DialogueCommand.self, AddCommitment.self, ListCommitments.self, ShowEntity.self,
                SetField.self, UpdateCommitment.self, AssessCommitment.self, NoteCommand.self, IndicatorCommand.self, ListConflicts.self,
                ResolveConflict.self, ReviewCommand.self, ReportCommand.self, LogCommand.self, DigestCommand.self, RebuildState.self,
                ImportCommand.self, KeysCommand.self, SyncCommand.self, ConfigCommand.self, DemoCommand.self,
            ]
        )
    }

    @OptionGroup var global: GlobalOptions

    /// Words that begin with a dash and can only be values are given to the parser as values
    /// (``DashValues``) before it reads them.
    /// A mistyped command is named, with the closest one, in the user's language. That is looked
    /// for only when the parser refuses the words: a command that parses names no unknown
    /// command, and reading every command's configuration to find one took a twentieth of `show`.
    static func main() {
        let arguments = DashValues.rewrite(Array(CommandLine.arguments.dropFirst()))
        var parsed = false
        do {
            var command = try parseAsRoot(arguments)
            parsed = true
            try command.run()
        } catch {
            if !parsed, let unknown = InputWords.unknownCommand(arguments) {
                let failure = Terminal.fail(code: "usage", message: t("error.unknown-command", unknown.word, unknown.path)
                                            + Parse.didYouMean(unknown.suggestion) + " " + t("error.unknown-command-help", unknown.path),
                                            status: 64)
                Foundation.exit(failure.rawValue)
            }
            // With --json, a mistake the parser found is one JSON line too; what Puente already
            // said (an ExitCode), help and the version go out as the parser writes them.
            let status = exitCode(for: error)
            if Terminal.jsonErrors, !(error is ExitCode), status != .success {
                Foundation.exit(Terminal.fail(code: "usage", message: HelpText.localized(message(for: error)),
                                              status: status.rawValue).rawValue)
            }
            // As the parser would (help and the version on standard output, the rest on standard
            // error), with its own words in the user's language; a completion script as written.
            var text = fullMessage(for: error)
            if !arguments.contains("--generate-completion-script") { text = HelpText.localized(text) }
            if !text.isEmpty {
                if status == .success {
                    Terminal.output.flush()
                    FileHandle.standardOutput.write(Data((text + "\n").utf8))
                } else {
                    Terminal.output.flush()
                    FileHandle.standardError.write(Data((text + "\n").utf8))
                }
            }
            Foundation.exit(status.rawValue)
        }
    }

    func run() throws { try Terminal.missingSubcommand(Self.self) }
}
