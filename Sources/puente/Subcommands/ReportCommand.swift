import ArgumentParser
import Foundation
import PuenteKit

struct ReportCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "report", abstract: t("abstract.report"), discussion: t("example.report"))
    }

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(t("help.report-format"), valueName: "markdown|html|csv|json"), completion: Completions.format) var format: String?
    @Option(help: ArgumentHelp(t("help.report-dialogue"), valueName: "id")) var dialogue: String?
    @Option(name: .customLong("as-of"), help: ArgumentHelp(t("help.as-of"), valueName: "YYYY-MM-DD")) var asOf: String?
    @Option(help: ArgumentHelp(t("help.report-since"), valueName: "YYYY-MM-DD|last-import|dialogue:ID")) var since: String?
    @Option(help: ArgumentHelp(t("help.report-to"), valueName: "file"), completion: Completions.file) var to: String?

    static let formats = ["markdown", "html", "csv", "json"]

    mutating func validate() throws {
        if let typed = format { format = try Parse.choice(typed, among: Self.formats, words: nil, "--format") }
        if let asOf { try Parse.check(.date, asOf, "--as-of") }
        if let since { try SincePoint.validate(since) }
    }

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            // `--json` asks for JSON, as it does of every command, unless --format says otherwise.
            let format = format ?? (global.json ? "json" : "markdown")
            let round = try dialogue.map { try replica.resolveID($0, as: .dialogue) }
            // What changed: since what --since says, else, for a round, since the round before it.
            var start = try since.map { try SincePoint.resolve($0, in: replica) }
            if start == nil, let round, let previous = try replica.previousRound(before: round) {
                start = SincePoint.round(try replica.state(previous.dialogue), date: previous.date)
            }
            let agenda = ReportView.Agenda(items: try replica.agenda(dialogue: round, asOf: asOf, since: start?.point),
                                           sinceLabel: start?.label)
            // Written as it is read, to standard output or to a file that appears whole.
            let count = try replica.briefing(dialogue: round, asOf: asOf) { head, reader in
                if let to {
                    try OutputFile.write(to: to) { emit in try ReportView.write(format, head, agenda, reader, to: emit) }
                } else {
                    try ReportView.write(format, head, agenda, reader) { Terminal.write($0) }
                }
                return head.count
            }
            guard let to else { return }
            Terminal.err(t("report.written", to, count))
        }
    }
}
