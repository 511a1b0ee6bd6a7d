import ArgumentParser
import PuenteKit

/// `update ID --status … --tag … --assess … --note …`: one working group's outcome for one
/// commitment, in one command and one transaction. The policy refuses all of it or none,
/// naming the part it refuses; a field given the value it already holds is left alone.
struct UpdateCommitment: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "update", abstract: t("abstract.update"), discussion: t("example.update"))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(t("help.id"), valueName: "id")) var id: String
    @Option(help: ArgumentHelp(t("help.status"), valueName: "status"), completion: Completions.status) var status: String?
    @Option(help: ArgumentHelp(t("help.due"), valueName: "YYYY-MM-DD")) var due: String?
    @Option(help: ArgumentHelp(t("help.priority"), valueName: "high|medium|low"), completion: Completions.priority) var priority: String?
    @Option(name: .customLong("our-priority"), help: ArgumentHelp(t("help.our-priority"), valueName: "high|medium|low"),
            completion: Completions.priority) var ourPriority: String?
    @Option(help: ArgumentHelp(t("help.lead"), valueName: "text")) var lead: String?
    @Option(name: .customLong("tag"), help: ArgumentHelp(t("help.update-tag"), valueName: "+tag|-tag")) var tags: [String] = []
    @Option(name: .customLong("agency"), help: ArgumentHelp(t("help.update-agency"), valueName: "+name|-name")) var agencies: [String] = []
    @Option(help: ArgumentHelp(t("help.update-assess"), valueName: "rating"), completion: Completions.rating) var assess: String?
    @Option(help: ArgumentHelp(t("help.why"), valueName: "text")) var why: String?
    @Option(help: ArgumentHelp(t("help.update-note"), valueName: "text")) var note: String?
    @Option(help: ArgumentHelp(t("help.update-source"), valueName: "kind"), completion: Completions.source) var source: String?
    @Option(help: ArgumentHelp(t("help.citation"), valueName: "text")) var citation: String?
    @Option(help: ArgumentHelp(t("help.update-illustrative"), valueName: "+field|-field")) var illustrative: [String] = []
    @Option(help: ArgumentHelp(t("help.update-revisited"), valueName: "+dialogue|-dialogue")) var revisited: [String] = []

    mutating func validate() throws {
        if let typed = status { status = try Parse.choice(typed, among: CommitmentStatus.allCases.map(\.rawValue), words: "status", "--status") }
        if let typed = priority { priority = try Parse.choice(typed, among: Priority.allCases.map(\.rawValue), words: "priority", "--priority") }
        if let typed = ourPriority {
            ourPriority = try Parse.choice(typed, among: Priority.allCases.map(\.rawValue), words: "priority", "--our-priority")
        }
        if let typed = assess { assess = try Parse.choice(typed, among: Rating.allCases.map(\.rawValue), words: "rating", "--assess") }
        if let typed = source { source = try Parse.choice(typed, among: SourceKind.allCases.map(\.rawValue), words: "source", "--source") }
        if let due { try Parse.check(.date, due, "--due") }
        if why != nil, assess == nil { throw ValidationError(t("error.why-without-assess")) }
        if status == nil, due == nil, priority == nil, ourPriority == nil, lead == nil, tags.isEmpty, agencies.isEmpty, assess == nil, note == nil,
           source == nil, citation == nil, illustrative.isEmpty, revisited.isEmpty {
            throw ValidationError(t("error.update-nothing"))
        }
    }

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let entity = try replica.resolveID(id, as: .commitment)
            let fields = FieldCatalog.fields(of: .commitment)
            // Registers first, each only when it changes; then list elements, the assessment, the note.
            var registers = [(field: String, value: JSONValue)]()
            // `--lead` is this delegation's lead (`lead.us` or `lead.mx`): the other delegation records its own.
            let leadField = "lead.\(replica.identity.delegation.rawValue)"
            // `--our-priority` likewise is this delegation's own (`priority.us` or `priority.mx`).
            let priorityField = "priority.\(replica.identity.delegation.rawValue)"
            for (field, typed) in [("status", status), ("due", due), ("priority", priority), (priorityField, ourPriority), (leadField, lead),
                                   ("source", source),
                                   ("citation", citation)] {
                guard let typed, let spec = fields[field] else { continue }
                let value = try Parse.value(typed, for: spec, of: .commitment, replica: replica)
                if try FieldWrite.holds(replica, entity, field, value) { continue }
                registers.append((field, value))
            }
            var elements = [(field: String, add: Bool, element: JSONValue)]()
            for (field, typed) in tags.map({ ("tags", $0) }) + agencies.map({ ("agencies", $0) })
                + illustrative.map({ ("illustrative", $0) }) + revisited.map({ ("revisited", $0) }) {
                guard let spec = fields[field] else { continue }
                let change = try FieldWrite.element(typed, field: field, spec: spec, of: .commitment, replica: replica, signRequired: false)
                // A value this command writes loses its planning mark anyway (``WriteBatch/set``).
                if field == "illustrative", !change.add, let marked = change.element.stringValue,
                   registers.contains(where: { $0.field == marked }) { continue }
                elements.append((field, change.add, change.element))
            }
            let delegation = replica.identity.delegation
            var changed = [String]()
            let written = try replica.batch { batch -> [OpID] in
                var ops = [OpID]()
                for register in registers {
                    ops.append(try batch.set(entity, field: register.field, value: register.value))
                    changed.append(Names.field(register.field))
                }
                for element in elements {
                    ops.append(element.add ? try batch.addElement(entity, field: element.field, element: element.element)
                                           : try batch.removeElement(entity, field: element.field, element: element.element))
                    if !changed.contains(Names.field(element.field)) { changed.append(Names.field(element.field)) }
                }
                if let assess, let rating = Rating(rawValue: assess) {
                    ops.append(try batch.assess(entity, rating: rating, why: why))
                    changed.append(Names.field("assessment.\(delegation.rawValue)"))
                }
                if let note {
                    _ = try batch.addNote(to: entity, text: note, lang: Language.current.rawValue)
                    changed.append(t("update.a-note"))
                }
                return ops
            }
            if global.json {
                Terminal.json(["ops": .array(written.map { .string($0.description) }), "changed": .int(Int64(changed.count))])
            } else if changed.isEmpty {
                Terminal.out(t("update.nothing", Replica.shortID(entity.text)))
            } else {
                Terminal.out(t("update.done", Replica.shortID(entity.text), changed.joined(separator: ", ")))
            }
        }
    }
}
