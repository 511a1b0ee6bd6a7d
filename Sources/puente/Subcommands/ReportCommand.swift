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
    @Option(help: ArgumentHelp(t("help.report-to"), valueName: "file"), completion: Completions.file) var to: String?

    static let formats = ["markdown", "html", "csv", "json"]

    mutating func validate() throws {
        if let typed = format { format = try Parse.choice(typed, among: Self.formats, words: nil, "--format") }
        if let asOf { try Parse.check(.date, asOf, "--as-of") }
    }

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            // `--json` asks for JSON, as it does of every command, unless --format says otherwise.
            let format = format ?? (global.json ? "json" : "markdown")
            // Written as it is read, to standard output or to a file that appears whole.
            let count = try replica.briefing(dialogue: try dialogue.map { try replica.resolveID($0, as: .dialogue) }, asOf: asOf) {
                head, reader in
                if let to {
                    try OutputFile.write(to: to) { emit in try ReportView.write(format, head, reader, to: emit) }
                } else {
                    try ReportView.write(format, head, reader) { Terminal.write($0) }
                }
                return head.count
            }
            guard let to else { return }
            Terminal.err(t("report.written", to, count))
        }
    }
}
