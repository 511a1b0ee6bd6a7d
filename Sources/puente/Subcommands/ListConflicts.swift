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
            // Printed as they are read, and counted on the way.
            var count = 0
            try replica.conflicts { item in
                count += 1
                Terminal.out("\(Replica.shortID(item.entity.text))  \(item.title ?? "—")  — \(Names.field(item.field))")
                for value in item.values {
                    let author = item.authors[value.op.replica]
                    Terminal.out("    • \(Names.value(value.value, field: item.field))  — "
                                 + (author.map { "\($0.name) (\(Names.delegation($0.delegation)))" } ?? value.op.replica.short))
                }
            }
            guard count > 0 else {
                Terminal.out(t("conflicts.none"))
                return
            }
            Terminal.out(t("conflicts.count", count))
            Terminal.out(t("conflicts.hint"))
        }
    }
}
