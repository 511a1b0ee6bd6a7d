import ArgumentParser
import Foundation
import PuenteKit

struct LogCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "log", abstract: t("abstract.log"), discussion: t("example.log"))
    }

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(t("help.limit"), valueName: "n")) var limit: Int = 50
    @Flag(help: ArgumentHelp(t("help.rejected"))) var rejected = false

    func validate() throws {
        guard (1...1_000_000).contains(limit) else { throw ValidationError(t("error.limit")) }
    }

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let entries = try replica.log(limit: limit, rejectedOnly: rejected)
            // Operations dropped past a revocation cut are gone from the log, not from the audit.
            let dropped = rejected ? try replica.droppedOperations() : []
            if global.json {
                Terminal.json(.array(entries.map(JSONForms.history) + dropped.map(JSONForms.dropped)))
                return
            }
            if entries.isEmpty && dropped.isEmpty { Terminal.out(t(rejected ? "log.none-rejected" : "log.empty")) }
            for entry in entries {
                Terminal.out(Replica.shortID(entry.op.entity) + "  " + HistoryLine.render(entry))
            }
            for run in dropped { Terminal.out(HistoryLine.render(run)) }
        }
    }
}
