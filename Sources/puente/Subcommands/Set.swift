import ArgumentParser
import PuenteKit

struct SetField: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "set", abstract: t("abstract.set"), discussion: t("example.set"))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(t("help.id"), valueName: "id")) var id: String
    @Argument(help: ArgumentHelp(t("help.field"), valueName: "field")) var field: String
    @Argument(help: ArgumentHelp(t("help.value"), valueName: "value")) var value: String
    @Flag(help: ArgumentHelp(t("help.clear"))) var clear = false

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let entity = try replica.resolveID(id)
            let op = try FieldWrite.write(replica, entity: entity, field: field, value: value, clear: clear, resolve: false)
            if global.json {
                Terminal.json(["op": .string(op.description)])
            } else {
                Terminal.out(t("set.done", Names.field(field), Replica.shortID(entity.text)))
            }
        }
    }
}

struct ResolveConflict: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "resolve", abstract: t("abstract.resolve"), discussion: t("example.resolve"))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(t("help.id"), valueName: "id")) var id: String
    @Argument(help: ArgumentHelp(t("help.field"), valueName: "field")) var field: String
    @Argument(help: ArgumentHelp(t("help.value"), valueName: "value")) var value: String

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let entity = try replica.resolveID(id)
            let op = try FieldWrite.write(replica, entity: entity, field: field, value: value, clear: false, resolve: true)
            if global.json {
                Terminal.json(["op": .string(op.description)])
            } else {
                Terminal.out(t("resolve.done", Names.field(field), Replica.shortID(entity.text)))
            }
        }
    }
}

/// `set` and `resolve` share this: registers take a value; sets take `+element` or `-element`.
enum FieldWrite {
    static func write(_ replica: Replica, entity: EntityRef, field: String, value: String, clear: Bool, resolve: Bool) throws -> OpID {
        guard let spec = FieldCatalog.fields(of: entity.type)[field] else {
            throw PuenteError(.unknownField, [entity.type.rawValue, field])
        }
        if field.hasPrefix("assessment.") || field.hasPrefix("readout.") {
            throw ValidationError(t("error.use-assess"))
        }
        switch spec.shape {
        case .register:
            let json = clear ? JSONValue.null : try Parse.value(value, for: spec, replica: replica)
            return resolve ? try replica.resolve(entity, field: field, value: json)
                : try replica.set(entity, field: field, value: json)
        case .set:
            guard let sign = value.first, sign == "+" || sign == "-", value.count > 1 else {
                throw ValidationError(t("error.set-sign", field))
            }
            let element = try Parse.value(String(value.dropFirst()), for: spec, replica: replica)
            return sign == "+" ? try replica.addElement(entity, field: field, element: element)
                : try replica.removeElement(entity, field: field, element: element)
        case .series:
            throw ValidationError(t("error.use-record"))
        }
    }
}

struct AssessCommitment: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "assess", abstract: t("abstract.assess"), discussion: t("example.assess"))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(t("help.id"), valueName: "id")) var id: String
    @Argument(help: ArgumentHelp(t("help.rating"), valueName: "rating")) var rating: String
    @Option(help: ArgumentHelp(t("help.why"), valueName: "text")) var why: String?

    func validate() throws {
        try Parse.check(.oneOf(Rating.allCases.map(\.rawValue)), rating, "RATING")
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

struct NoteCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "note", abstract: t("abstract.note"), discussion: t("example.note"))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(t("help.id"), valueName: "id")) var id: String
    @Argument(help: ArgumentHelp(t("help.note-text"), valueName: "text")) var text: String

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let parent = try replica.resolveID(id)
            guard parent.type == .commitment || parent.type == .dialogue else { throw PuenteError(.wrongType, [id]) }
            let note = try replica.addNote(to: parent, text: text, lang: Language.current.rawValue)
            if global.json {
                Terminal.json(["id": .string(note.text)])
            } else {
                Terminal.out(t("note.done", Replica.shortID(parent.text)))
            }
        }
    }
}

struct ListConflicts: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "conflicts", abstract: t("abstract.conflicts"), discussion: t("example.conflicts"))
    }

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let items = try replica.conflicts()
            if global.json {
                Terminal.json(.array(items.map { item in
                    ["id": .string(item.entity.text), "field": .string(item.field), "title": JSONForms.optional(item.title),
                     "values": .array(item.values.map { value in
                         ["op": .string(value.op.description), "hlc": .string(value.hlc.text), "value": value.value,
                          "author": JSONForms.optional(item.authors[value.op.replica]?.name)]
                     })]
                }))
                return
            }
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
