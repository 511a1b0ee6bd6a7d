import ArgumentParser
import PuenteKit

/// `note ID TEXT` adds a note; `note retract NOTE` retracts one (its history stays).
struct NoteCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "note", abstract: t("abstract.note-group"), discussion: t("example.note-group"),
                             subcommands: [AddNote.self, RetractNote.self], defaultSubcommand: AddNote.self)
    }

    struct AddNote: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "add", abstract: t("abstract.note"), discussion: t("example.note"))
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
                    Terminal.out(t("note.done", Replica.shortID(parent.text), Replica.shortID(note.text)))
                }
            }
        }
    }

    struct RetractNote: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "retract", abstract: t("abstract.note-retract"), discussion: t("example.note-retract"))
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(t("help.note-id"), valueName: "note")) var note: String

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let ref = try replica.resolveID(note, as: .note)
                let op = try replica.retract(ref)
                if global.json {
                    Terminal.json(["op": .string(op.description)])
                } else {
                    Terminal.out(t("note.retracted", Replica.shortID(ref.text)))
                }
            }
        }
    }
}
