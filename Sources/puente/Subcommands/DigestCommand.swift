import ArgumentParser
import Foundation
import PuenteKit

struct DigestCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "digest", abstract: t("abstract.digest"), discussion: t("example.digest"))
    }

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Terminal.run {
            let digest = try global.openReplica().digest()
            if global.json {
                Terminal.json(["state": .string(digest.state), "trust": .string(digest.trust)])
            } else {
                Terminal.out(digest.state)
                Terminal.out(digest.trust)
            }
        }
    }
}
