import ArgumentParser
import PuenteKit

struct AssessCommitment: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "assess", abstract: t("abstract.assess"), discussion: t("example.assess"))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(t("help.id"), valueName: "id")) var id: String
    @Argument(help: ArgumentHelp(t("help.rating"), valueName: "rating"), completion: Completions.rating) var rating: String
    @Option(help: ArgumentHelp(t("help.why"), valueName: "text")) var why: String?

    mutating func validate() throws {
        rating = try Parse.choice(rating, among: Rating.allCases.map(\.rawValue), words: "rating", "RATING")
    }

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let entity = try replica.resolveID(id, as: .commitment)
            let op = try replica.assess(entity, rating: Rating(rawValue: rating) ?? .notAssessed, why: why)
            if global.json {
                Terminal.json(["op": .string(op.description)])
            } else {
                Terminal.out(t("assess.done", Names.delegation(replica.identity.delegation), Names.rating(rating)))
            }
        }
    }
}
