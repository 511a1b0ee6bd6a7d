import ArgumentParser
import Foundation
import PuenteKit

struct ReportCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "report", abstract: t("abstract.report"), discussion: t("example.report"))
    }

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(t("help.report-format"), valueName: "markdown|html|csv|json")) var format: String?
    @Option(help: ArgumentHelp(t("help.report-dialogue"), valueName: "id")) var dialogue: String?
    @Option(name: .customLong("as-of"), help: ArgumentHelp(t("help.as-of"), valueName: "YYYY-MM-DD")) var asOf: String?
    @Option(help: ArgumentHelp(t("help.report-to"), valueName: "file")) var to: String?

    static let formats = ["markdown", "html", "csv", "json"]

    func validate() throws {
        if let format { try Parse.check(.oneOf(Self.formats), format, "--format") }
        if let asOf { try Parse.check(.date, asOf, "--as-of") }
    }

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let briefing = try replica.briefing(dialogue: try dialogue.map { try replica.resolveID($0, as: .dialogue) }, asOf: asOf)
            let text: String
            // `--json` asks for JSON, as it does of every command, unless --format says otherwise.
            switch format ?? (global.json ? "json" : "markdown") {
            case "html": text = ReportView.html(briefing)
            case "csv": text = ReportView.csv(briefing)
            case "json": text = String(decoding: CanonicalJSON.encode(ReportView.json(briefing)), as: UTF8.self) + "\n"
            default: text = ReportView.markdown(briefing)
            }
            guard let to else {
                Terminal.write(text.utf8)
                return
            }
            try OutputFile.write(Array(text.utf8), to: to)
            Terminal.err(t("report.written", to, briefing.commitments.count))
        }
    }
}
