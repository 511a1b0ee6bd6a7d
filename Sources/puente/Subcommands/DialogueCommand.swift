import ArgumentParser
import PuenteKit

struct DialogueCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "dialogue", abstract: t("abstract.dialogue"),
                             subcommands: [AddDialogue.self, ListDialogues.self, ShowDialogue.self, Readout.self])
    }

    func run() throws { try Terminal.missingSubcommand(Self.self) }

    struct AddDialogue: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "add", abstract: t("abstract.dialogue-add"), discussion: t("example.dialogue-add"))
        }

        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("title-en"), help: ArgumentHelp(t("help.title-en"), valueName: "text")) var titleEN: String?
        @Option(name: .customLong("title-es"), help: ArgumentHelp(t("help.title-es"), valueName: "text")) var titleES: String?
        @Option(help: ArgumentHelp(t("help.dialogue-date"), valueName: "YYYY-MM-DD|YYYY-MM")) var date: String
        @Option(help: ArgumentHelp(t("help.place"), valueName: "text")) var place: String?
        @Option(help: ArgumentHelp(t("help.dialogue-kind"), valueName: "kind"), completion: Completions.dialogueKind) var kind: String = "working-group"
        @Option(name: .customLong("participant"), help: ArgumentHelp(t("help.participant"), valueName: "name")) var participants: [String] = []
        @Option(name: .customLong("statement-en"), help: ArgumentHelp(t("help.statement-en"), valueName: "text")) var statementEN: String?
        @Option(name: .customLong("statement-es"), help: ArgumentHelp(t("help.statement-es"), valueName: "text")) var statementES: String?
        @Option(name: .customLong("summary-en"), help: ArgumentHelp(t("help.dialogue-summary-en"), valueName: "text")) var summaryEN: String?
        @Option(name: .customLong("summary-es"), help: ArgumentHelp(t("help.dialogue-summary-es"), valueName: "text")) var summaryES: String?

        mutating func validate() throws {
            if titleEN == nil && titleES == nil { throw ValidationError(t("error.title-required")) }
            try Parse.check(.dayOrMonth, date, "--date")
            kind = try Parse.choice(kind, among: DialogueKind.allCases.map(\.rawValue), words: "dialogue-kind", "--kind")
        }

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                var draft = DialogueDraft(
                    titleEN: titleEN, titleES: titleES, date: date, place: place,
                    kind: DialogueKind(rawValue: kind) ?? .workingGroup, participants: participants,
                    statementEN: statementEN, statementES: statementES)
                draft.summaryEN = summaryEN
                draft.summaryES = summaryES
                let ref = try replica.addDialogue(draft)
                if global.json {
                    Terminal.json(["id": .string(ref.text)])
                } else {
                    Terminal.out(t("dialogue.done", Replica.shortID(ref.text)))
                }
            }
        }
    }

    struct ListDialogues: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "list", abstract: t("abstract.dialogue-list"), discussion: t("example.dialogue-list"))
        }

        @OptionGroup var global: GlobalOptions

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let dialogues = try replica.entities(of: .dialogue).filter { !$0.retracted }
                    .sorted { ($0.displayValue("date")?.stringValue ?? "") < ($1.displayValue("date")?.stringValue ?? "") }
                if global.json {
                    Terminal.json(.array(dialogues.map(JSONForms.state)))
                    return
                }
                if dialogues.isEmpty { Terminal.out(t("dialogue.empty")) }
                for d in dialogues {
                    Terminal.out([Terminal.cell(Replica.shortID(d.entity.text), 9),
                                  Terminal.cell(d.displayValue("date")?.stringValue ?? "—", 11),
                                  Terminal.cell(Names.dialogueKind(d.displayValue("kind")?.stringValue), 24),
                                  Names.title(en: d.displayValue("title.en")?.stringValue, es: d.displayValue("title.es")?.stringValue)]
                        .joined(separator: " "))
                }
            }
        }
    }

    struct ShowDialogue: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "show", abstract: t("abstract.dialogue-show"), discussion: t("example.dialogue-show"))
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(t("help.id"), valueName: "id")) var id: String
        @Flag(help: ArgumentHelp(t("help.history"))) var history = false

        func run() throws {
            try ShowEntity.show(id, as: .dialogue, global: global, history: history)
        }
    }

    struct Readout: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "readout", abstract: t("abstract.dialogue-readout"), discussion: t("example.dialogue-readout"))
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(t("help.id"), valueName: "id")) var id: String
        @Argument(help: ArgumentHelp(t("help.readout-text"), valueName: "text")) var text: String

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let ref = try replica.resolveID(id, as: .dialogue)
                let op = try replica.set(ref, field: "readout.\(replica.identity.delegation.rawValue)", value: .string(text))
                if global.json {
                    Terminal.json(["op": .string(op.description)])
                } else {
                    Terminal.out(t("readout.done", Names.delegation(replica.identity.delegation)))
                }
            }
        }
    }
}
