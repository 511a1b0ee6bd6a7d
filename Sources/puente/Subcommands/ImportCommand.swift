import ArgumentParser
import Foundation
import PuenteKit

struct ImportCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "import", abstract: t("abstract.import"), discussion: t("example.import"))
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp(t("help.import-file"), valueName: "file"), completion: Completions.file) var file: String

    func run() throws {
        try Terminal.run {
            let bytes = try ImportSource.read(file)
            // A sync bundle given to `import`: say which command takes it.
            if ImportSource.isBundle(bytes) { throw Terminal.fail(code: "bundle-not-import", message: t("error.bundle-not-import", file), status: 64) }
            let replica = try global.openReplica()
            let parsed = try ImportFile(bytes: bytes)
            let report = try LongWork.run(interrupted: t("interrupted.import")) { watch in try replica.importFile(parsed, watch: watch) }
            ImportSource.print(report, json: global.json)
        }
    }
}
