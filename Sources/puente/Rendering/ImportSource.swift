import ArgumentParser
import Foundation
import PuenteKit

/// Reading an import file with a size cap, and reporting what the import did.
enum ImportSource {
    static func read(_ path: String) throws -> [UInt8] {
        switch BoundedFile.read(path, limit: ImportFile.maximumSize) {
        case .contents(let bytes): return bytes
        case .unreadable: throw ImportFileError(problem: "unreadable", path: path)
        case .tooLarge: throw ImportFileError(problem: "too-large", path: path)
        }
    }

    /// Whether the bytes begin as a ZIP (a sync bundle) does: `PK` 3 4. An import file is JSON.
    static func isBundle(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x50, 0x4b, 0x03, 0x04]) || bytes.starts(with: Array("age-encryption.org/".utf8))
    }

    static func print(_ report: ImportReport, json: Bool) {
        if json {
            Terminal.json(["dialogues": .int(Int64(report.dialoguesCreated)), "commitments": .int(Int64(report.commitmentsCreated)),
                           "indicators": .int(Int64(report.indicatorsCreated)), "readings": .int(Int64(report.readingsRecorded)),
                           "already_present": .int(Int64(report.alreadyPresent)), "leads": .int(Int64(report.leadsRecorded)),
                           "priorities": .int(Int64(report.prioritiesRecorded)),
                           "left_for_others": .object(Dictionary(uniqueKeysWithValues: report.leftForOthers.map {
                               ($0.key.rawValue, JSONValue.int(Int64($0.value)))
                           }))])
            return
        }
        Terminal.out(t("import.done", report.dialoguesCreated, report.commitmentsCreated, report.indicatorsCreated,
                       report.readingsRecorded))
        if report.alreadyPresent > 0 { Terminal.out(t("import.already", report.alreadyPresent)) }
        if report.leadsRecorded > 0 { Terminal.out(t("import.leads", report.leadsRecorded)) }
        if report.prioritiesRecorded > 0 { Terminal.out(t("import.priorities", report.prioritiesRecorded)) }
        for (owner, count) in report.leftForOthers.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            Terminal.out(t("import.left", count, Names.owner(owner.rawValue)))
        }
    }
}
