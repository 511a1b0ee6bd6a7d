import ArgumentParser
import PuenteKit

struct ReviewCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "review", abstract: t("abstract.review"), discussion: t("example.review"))
    }

    @OptionGroup var global: GlobalOptions
    @Option(name: .customLong("as-of"), help: ArgumentHelp(t("help.as-of"), valueName: "YYYY-MM-DD")) var asOf: String?

    func validate() throws {
        if let asOf { try Parse.check(.date, asOf, "--as-of") }
    }

    func run() throws {
        try Terminal.run {
            let review = try global.openReplica().review(asOf: asOf)
            if global.json {
                Terminal.json(ReviewView.json(review))
            } else {
                ReviewView.print(review)
            }
        }
    }
}
