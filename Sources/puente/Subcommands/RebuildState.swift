import ArgumentParser
import Foundation
import PuenteKit

struct RebuildState: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "rebuild", abstract: t("abstract.rebuild"), discussion: t("example.rebuild"))
    }

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let before = try replica.digest()
            try LongWork.run(interrupted: t("interrupted.rebuild")) { watch in try replica.rebuild(watch: watch) }
            let after = try replica.digest()
            if global.json {
                Terminal.json(["before": .string(before.state), "after": .string(after.state)])
            } else {
                Terminal.out(before == after ? t("rebuild.same", after.state) : t("rebuild.changed", before.state, after.state))
            }
        }
    }
}
