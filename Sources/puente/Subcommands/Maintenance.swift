import ArgumentParser
import Foundation
import PuenteKit

struct LogCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "log", abstract: t("abstract.log"), discussion: t("example.log"))
    }

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(t("help.limit"), valueName: "n")) var limit: Int = 50
    @Flag(help: ArgumentHelp(t("help.rejected"))) var rejected = false

    func validate() throws {
        guard (1...1_000_000).contains(limit) else { throw ValidationError(t("error.limit")) }
    }

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let entries = try replica.log(limit: limit, rejectedOnly: rejected)
            if global.json {
                Terminal.json(.array(entries.map(JSONForms.history)))
                return
            }
            if entries.isEmpty { Terminal.out(t("log.empty")) }
            for entry in entries {
                Terminal.out(Replica.shortID(entry.op.entity) + "  " + HistoryLine.render(entry))
            }
        }
    }
}

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

struct RebuildState: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "rebuild", abstract: t("abstract.rebuild"), discussion: t("example.rebuild"))
    }

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let before = try replica.digest()
            try replica.rebuild()
            let after = try replica.digest()
            if global.json {
                Terminal.json(["before": .string(before.state), "after": .string(after.state)])
            } else {
                Terminal.out(before == after ? t("rebuild.same", after.state) : t("rebuild.changed", before.state, after.state))
            }
        }
    }
}

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

/// Reading an import file with a size cap, and reporting what the import did.
enum ImportSource {
    static func read(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ImportFileError(problem: "unreadable", path: path)
        }
        defer { try? handle.close() }
        let data = try handle.read(upToCount: ImportFile.maximumSize + 1) ?? Data()
        guard data.count <= ImportFile.maximumSize else { throw ImportFileError(problem: "too-large", path: path) }
        return Array(data)
    }

    static func print(_ report: ImportReport, json: Bool) {
        if json {
            Terminal.json(["dialogues": .int(Int64(report.dialoguesCreated)), "commitments": .int(Int64(report.commitmentsCreated)),
                           "indicators": .int(Int64(report.indicatorsCreated)), "readings": .int(Int64(report.readingsRecorded)),
                           "already_present": .int(Int64(report.alreadyPresent)),
                           "left_for_others": .object(Dictionary(uniqueKeysWithValues: report.leftForOthers.map {
                               ($0.key.rawValue, JSONValue.int(Int64($0.value)))
                           }))])
            return
        }
        Terminal.out(t("import.done", report.dialoguesCreated, report.commitmentsCreated, report.indicatorsCreated,
                       report.readingsRecorded))
        if report.alreadyPresent > 0 { Terminal.out(t("import.already", report.alreadyPresent)) }
        for (owner, count) in report.leftForOthers.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            Terminal.out(t("import.left", count, Names.owner(owner.rawValue)))
        }
    }
}
