import ArgumentParser
import Foundation
import PuenteKit

struct ImportCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "import", abstract: t("abstract.import"), discussion: t("example.import"))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(t("help.import-file"), valueName: "file")) var file: String

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let bytes = try ImportSource.read(file)
            let report = try replica.importFile(try ImportFile(bytes: bytes))
            ImportSource.print(report, json: global.json)
        }
    }
}
