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
    @Option(help: ArgumentHelp(t("help.log-commitment"), valueName: "id")) var commitment: String?
    @Option(help: ArgumentHelp(t("help.log-author"), valueName: "name|id")) var author: String?

    func validate() throws {
        guard (1...1_000_000).contains(limit) else { throw ValidationError(t("error.limit")) }
    }

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let about = try commitment.map { try replica.resolveID($0, as: .commitment) }
            let authors = try author.map { try Self.desks(matching: $0, in: try replica.replicas()) }
            let entries = try replica.log(limit: limit, rejectedOnly: rejected, about: about, authors: authors)
            // Operations dropped past a revocation cut are gone from the log, not from the audit.
            let dropped = rejected ? try replica.droppedOperations().filter { run in
                about == nil && (authors?.contains(run.author) ?? true)
            } : []
            if global.json {
                Terminal.json(.array(entries.map(JSONForms.history) + dropped.map(JSONForms.dropped)))
                return
            }
            // On a terminal, through the pager (nothing changes when piped).
            Pager.start()
            defer { Pager.finish() }
            if entries.isEmpty && dropped.isEmpty { Terminal.out(t(rejected ? "log.none-rejected" : "log.empty")) }
            for entry in entries {
                Terminal.out(Replica.shortID(entry.op.entity) + "  " + HistoryLine.render(entry))
            }
            for run in dropped { Terminal.out(HistoryLine.render(run)) }
        }
    }

    /// The desks `query` names: the first digits of their id (at least 4), or a part of their
    /// name, case and accents folded (`sspc` finds "Enlace SSPC").
    static func desks(matching query: String, in replicas: [ReplicaInfo]) throws -> [ReplicaID] {
        let folded = InputWords.fold(query)
        let byID = query.count >= 4 && query.allSatisfy(\.isHexDigit)
            ? replicas.filter { $0.id.hex.hasPrefix(query.lowercased()) } : []
        let matches = byID.isEmpty ? replicas.filter { !folded.isEmpty && InputWords.fold($0.name).contains(folded) } : byID
        guard !matches.isEmpty else { throw ValidationError(t("error.no-desk", query)) }
        return matches.map(\.id)
    }
}
