import ArgumentParser
import PuenteKit

struct ResolveConflict: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "resolve", abstract: t("abstract.resolve"), discussion: t("example.resolve"))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(t("help.id"), valueName: "id")) var id: String
    @Argument(help: ArgumentHelp(t("help.field"), valueName: "field"), completion: Completions.field) var field: String
    @Argument(help: ArgumentHelp(t("help.value"), valueName: "value")) var value: String

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let entity = try replica.resolveID(id)
            let field = try FieldWrite.field(self.field, of: entity.type)
            guard case let .written(op) = try FieldWrite.write(replica, entity: entity, field: field, value: value, clear: false,
                                                                resolve: true) else { return }
            if global.json {
                Terminal.json(["op": .string(op.description)])
            } else {
                Terminal.out(t("resolve.done", Names.field(field), Replica.shortID(entity.text)))
            }
        }
    }
}
