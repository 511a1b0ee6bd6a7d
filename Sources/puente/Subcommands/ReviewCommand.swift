import ArgumentParser
import PuenteKit

struct ReviewCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "review", abstract: t("abstract.review"), discussion: t("example.review"))
    }

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("as-of"), help: ArgumentHelp(t("help.as-of"), valueName: "YYYY-MM-DD")) var asOf: String?
    @Option(help: ArgumentHelp(t("help.since"), valueName: "YYYY-MM-DD|last-import")) var since: String?

    func validate() throws {
        if let asOf { try Parse.check(.date, asOf, "--as-of") }
        if let since, since != "last-import", !Validation.isDate(since) { throw ValidationError(t("error.since", since)) }
    }

    var sincePoint: ReviewSince? {
        guard let since else { return nil }
        return since == "last-import" ? .lastImport : .date(since)
    }

    func run() throws {
        try Terminal.run {
            // The terminal shows the first rows of each list; JSON carries every one, written as it is read.
            let replica = try global.openReplica()
            if global.json {
                try replica.review(asOf: asOf, since: sincePoint) { try ReviewView.writeJSON($0) }
            } else {
                ReviewView.print(try replica.review(asOf: asOf, since: sincePoint, limit: ReviewView.listed))
            }
        }
    }
}
