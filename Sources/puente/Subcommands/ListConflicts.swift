import ArgumentParser
import PuenteKit

struct ListConflicts: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "conflicts", abstract: t("abstract.conflicts"), discussion: t("example.conflicts"))
    }

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            if global.json {
                try Terminal.jsonArray { emit in
                    try replica.conflicts { item in
                        try emit(["id": .string(item.entity.text), "field": .string(item.field), "title": JSONForms.optional(item.title),
                                  "values": .array(item.values.map { value in
                                      ["op": .string(value.op.description), "hlc": .string(value.hlc.text), "value": value.value,
                                       "author": JSONForms.optional(item.authors[value.op.replica]?.name)]
                                  })])
                    }
                }
                return
            }
            let items = try replica.conflicts()
            guard !items.isEmpty else {
                Terminal.out(t("conflicts.none"))
                return
            }
            for item in items {
                Terminal.out("\(Replica.shortID(item.entity.text))  \(item.title ?? "—")  — \(Names.field(item.field))")
                for value in item.values {
                    let author = item.authors[value.op.replica]
                    Terminal.out("    • \(Names.value(value.value, field: item.field))  — "
                                 + (author.map { "\($0.name) (\(Names.delegation($0.delegation)))" } ?? value.op.replica.short))
                }
            }
            Terminal.out(t("conflicts.count", items.count))
            Terminal.out(t("conflicts.hint"))
        }
    }
}
