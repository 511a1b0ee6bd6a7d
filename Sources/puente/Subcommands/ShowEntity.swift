import ArgumentParser
import Foundation
import PuenteKit

struct ShowEntity: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "show", abstract: t("abstract.show"), discussion: t("example.show"))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(t("help.id"), valueName: "id")) var id: String
    @Flag(help: ArgumentHelp(t("help.history"))) var history = false

    func run() throws {
        try Self.show(id, as: nil, global: global, history: history)
    }

    /// `show` and `dialogue show` share this: resolve the id, then print it or its JSON.
    static func show(_ id: String, as type: EntityType?, global: GlobalOptions, history: Bool) throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let detail = try replica.detail(try replica.resolveID(id, as: type))
            // A dialogue lists the commitments that came from it.
            let commitments = detail.state.entity.type == .dialogue
                ? try replica.commitments(CommitmentFilter(dialogue: detail.state.entity)) : []
            if global.json {
                guard case .object(var object) = EntityView.json(detail) else { return }
                if detail.state.entity.type == .dialogue { object["commitments"] = .array(commitments.map(JSONForms.summary)) }
                Terminal.json(.object(object))
            } else {
                EntityView.print(detail, fullHistory: history, commitments: commitments)
            }
        }
    }
}
