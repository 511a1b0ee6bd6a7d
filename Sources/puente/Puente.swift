import ArgumentParser
import PuenteKit

/// `puente`: the root command holds only configuration; each subcommand is its own type.
@main
struct Puente: ParsableCommand {
    static let version = "0.1.0"
    static let bundleFormat = "puente-bundle/1"

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "puente",
            abstract: t("abstract.root"),
            discussion: t("discussion.root"),
            version: "puente \(version) (\(t("version.bundle")) \(bundleFormat))",
            subcommands: [
                InitStore.self, DialogueCommand.self, AddCommitment.self, ListCommitments.self, ShowEntity.self,
                SetField.self, AssessCommitment.self, NoteCommand.self, IndicatorCommand.self, ListConflicts.self,
                ResolveConflict.self, ReviewCommand.self, ReportCommand.self, LogCommand.self, DigestCommand.self, RebuildState.self,
                ImportCommand.self, KeysCommand.self, SyncCommand.self, DemoCommand.self,
            ]
        )
    }

    @OptionGroup var global: GlobalOptions
}
