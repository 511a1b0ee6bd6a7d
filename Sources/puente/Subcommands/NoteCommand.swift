import ArgumentParser
import PuenteKit

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
