import ArgumentParser
import PuenteKit

struct ReviewCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "review", abstract: t("abstract.review"), discussion: t("example.review"))
    }

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("as-of"), help: ArgumentHelp(t("help.as-of"), valueName: "YYYY-MM-DD")) var asOf: String?
    @Option(help: ArgumentHelp(t("help.since"), valueName: "YYYY-MM-DD|last-import|dialogue:ID")) var since: String?

    func validate() throws {
        if let asOf { try Parse.check(.date, asOf, "--as-of") }
        if let since { try SincePoint.validate(since) }
    }

    func run() throws {
        try Terminal.run {
            // The terminal shows the first rows of each list; JSON carries every one, written as it is read.
            let replica = try global.openReplica()
            let sincePoint = try since.map { try SincePoint.resolve($0, in: replica).point }
            if global.json {
                try replica.review(asOf: asOf, since: sincePoint) { try ReviewView.writeJSON($0) }
            } else {
                ReviewView.print(try replica.review(asOf: asOf, since: sincePoint, limit: ReviewView.listed))
            }
        }
    }
}
