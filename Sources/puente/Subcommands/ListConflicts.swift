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
                                       "author": JSONForms.optional(item.authors[value.op.replica]?.name),
                                       "command": .string(ResolveHint.command(entity: item.entity, field: item.field, value: value.value))]
                                  })])
                    }
                }
                return
            }
            // Printed as they are read, and counted on the way.
            var count = 0
            try replica.conflicts { item in
                count += 1
                Terminal.out("\(Replica.shortID(item.entity.text))  \(Names.title(en: item.titleEN, es: item.titleES))  — \(Names.field(item.field))")
                // Each value once, with its authors, and under it the command that keeps it.
                var seen = [JSONValue]()
                for value in item.values where !seen.contains(value.value) {
                    seen.append(value.value)
                    let authors = item.values.filter { $0.value == value.value }.map { other in
                        item.authors[other.op.replica].map { "\($0.name) (\(Names.delegation($0.delegation)))" } ?? other.op.replica.short
                    }
                    Terminal.out("    • \(Names.value(value.value, field: item.field))  — " + Array(Set(authors)).sorted().joined(separator: ", "))
                    Terminal.out("      " + ResolveHint.command(entity: item.entity, field: item.field, value: value.value))
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
