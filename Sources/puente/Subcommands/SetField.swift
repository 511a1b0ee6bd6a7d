import ArgumentParser
import PuenteKit

struct SetField: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "set", abstract: t("abstract.set"), discussion: t("example.set"))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(t("help.id"), valueName: "id")) var id: String
    @Argument(help: ArgumentHelp(t("help.field"), valueName: "field"), completion: Completions.field) var field: String
    @Argument(help: ArgumentHelp(t("help.value"), valueName: "value")) var value: String?
    @Flag(help: ArgumentHelp(t("help.clear"))) var clear = false

    func validate() throws {
        if clear, let value, value != "-" { throw ValidationError(t("error.clear-value", field, value)) }
        if !clear, value == nil { throw ValidationError(t("error.set-value", field)) }
    }

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let entity = try replica.resolveID(id)
            let field = try FieldWrite.field(self.field, of: entity.type)
            switch try FieldWrite.write(replica, entity: entity, field: field, value: value ?? "", clear: clear, resolve: false) {
            case .written(let op):
                if global.json {
                    Terminal.json(["op": .string(op.description)])
                } else {
                    Terminal.out(t("set.done", Names.field(field), Replica.shortID(entity.text)))
                }
            case .unchanged(let held):
                if global.json {
                    Terminal.json(["op": .null, "unchanged": .bool(true)])
                } else if held != .null {
                    Terminal.out(t("set.unchanged", Names.field(field), Replica.shortID(entity.text), Names.value(held, field: field)))
                } else {
                    Terminal.out(t("set.unchanged-empty", Names.field(field), Replica.shortID(entity.text)))
                }
            }
        }
    }
}
