import ArgumentParser
import PuenteKit

struct ListCommitments: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "list", abstract: t("abstract.list"), discussion: t("example.list"))
    }

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(t("help.filter-owner"), valueName: "us|mx|joint"), completion: Completions.owner) var owner: String?
    @Option(help: ArgumentHelp(t("help.filter-pillar"), valueName: "pillar"), completion: Completions.pillar) var pillar: String?
    @Option(help: ArgumentHelp(t("help.filter-area"), valueName: "area"), completion: Completions.area) var area: String?
    @Option(help: ArgumentHelp(t("help.filter-status"), valueName: "status"), completion: Completions.status) var status: String?
    @Flag(help: ArgumentHelp(t("help.filter-overdue"))) var overdue = false
    @Option(name: .customLong("due-before"), help: ArgumentHelp(t("help.filter-due-before"), valueName: "YYYY-MM-DD")) var dueBefore: String?
    @Option(help: ArgumentHelp(t("help.filter-dialogue"), valueName: "id")) var dialogue: String?
    @Option(help: ArgumentHelp(t("help.filter-text"), valueName: "words")) var text: String?
    @Option(help: ArgumentHelp(t("help.filter-source"), valueName: "kind"), completion: Completions.source) var source: String?
    @Option(help: ArgumentHelp(t("help.sort"), valueName: "due|title|status|owner|pillar|created|relevance"), completion: Completions.sort) var sort: String?
    @Option(help: ArgumentHelp(t("help.list-limit"), valueName: "n")) var limit: Int?
    @Flag(help: ArgumentHelp(t("help.list-all"))) var all = false

    /// How many commitments the terminal shows without --limit or --all: a screenful or two,
    /// read through the list-order index however large the record.
    static let page = 100

    mutating func validate() throws {
        if let typed = owner { owner = try Parse.choice(typed, among: Owner.allCases.map(\.rawValue), words: "owner", "--owner") }
        if let typed = pillar { pillar = try Parse.choice(typed, among: Pillar.allCases.map(\.rawValue), words: "pillar", "--pillar") }
        if let typed = status { status = try Parse.choice(typed, among: CommitmentStatus.allCases.map(\.rawValue), words: "status", "--status") }
        if let dueBefore { try Parse.check(.date, dueBefore, "--due-before") }
        if let typed = source { source = try Parse.choice(typed, among: SourceKind.allCases.map(\.rawValue), words: "source", "--source") }
        if let typed = sort { sort = try Parse.choice(typed, among: CommitmentSort.allCases.map(\.rawValue), words: nil, "--sort") }
        if let limit, limit < 1 { throw ValidationError(t("error.limit")) }
        if limit != nil, all { throw ValidationError(t("error.limit-all")) }
    }

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let filter = CommitmentFilter(
                owner: owner.flatMap(Owner.init(rawValue:)), pillar: pillar.flatMap(Pillar.init(rawValue:)), area: area,
                status: status.flatMap(CommitmentStatus.init(rawValue:)), overdueAsOf: overdue ? replica.today : nil,
                dueBefore: dueBefore, dialogue: try dialogue.map { try replica.resolveID($0, as: .dialogue) }, text: text,
                sort: sort.flatMap(CommitmentSort.init(rawValue:)) ?? (text == nil ? .due : .relevance), limit: limit,
                source: source.flatMap(SourceKind.init(rawValue:)))
            if global.json {
                try Terminal.jsonArray { item in try replica.commitments(filter) { try item(JSONForms.summary($0)) } }
                return
            }
            // On a terminal, through the pager (nothing changes when piped).
            Pager.start()
            defer { Pager.finish() }
            // The terminal shows one page unless --limit or --all says otherwise; one row more than
            // the page tells whether there are more.
            let paging = limit == nil && !all
            var paged = filter
            if paging { paged.limit = Self.page + 1 }
            // Rows are printed as they are read (`--all` of 100,000 is not held); the row past the
            // page is only counted.
            var shown = 0
            var more = false
            var marked = false
            // The leads' column is there once any commitment records a lead. The title takes what
            // the other columns (56 with their spaces, 70 with the leads', and a conflict mark)
            // leave of the terminal's width; 46 at the least (36 with the leads), as on a
            // 100-column one.
            let leads = try replica.anyLead()
            let titleWidth = leads ? max(36, Terminal.width - 72) : max(46, Terminal.width - 58)
            try replica.commitments(paged) { row in
                guard !paging || shown < Self.page else {
                    more = true
                    return
                }
                if shown == 0 {
                    let header = [Terminal.cell(t("col.id"), 9), Terminal.cell(t("col.owner"), 8), Terminal.cell(t("col.pillar"), 10),
                                  Terminal.cell(t("col.status"), 12), Terminal.cell(t("col.due"), 11)]
                        + (leads ? [Terminal.cell(t("col.leads"), 13)] : []) + [t("col.title")]
                    Terminal.out(header.joined(separator: " "))
                }
                shown += 1
                let conflict = row.conflicts > 0 ? " ⚠" : ""
                // A planning value (which no source states) carries the mark, explained below the list.
                let status = Names.planned(Names.status(of: row), "status", in: row.illustrative)
                let due = row.due.map { Names.planned($0, "due", in: row.illustrative) } ?? "—"
                if Names.marksAny(row, ["status", "due"]) { marked = true }
                let cells = [Terminal.cell(Replica.shortID(row.id), 9), Terminal.cell(Names.owner(row.owner.rawValue), 8),
                             Terminal.cell(Names.pillar(row.pillar), 10), Terminal.cell(status, 12), Terminal.cell(due, 11)]
                    + (leads ? [Terminal.cell(Names.leads(us: row.leadUS, mx: row.leadMX), 13)] : [])
                    + [Terminal.cell(Names.title(en: row.titleEN, es: row.titleES), titleWidth) + conflict]
                Terminal.out(cells.joined(separator: " "))
            }
            guard shown > 0 else {
                Terminal.out(t("list.empty"))
                return
            }
            if marked { Terminal.out(Names.planningLegend) }
            if more {
                Terminal.out(t("list.more", shown, try replica.commitmentCount(filter)))
            } else {
                Terminal.out(t("list.count", shown))
            }
        }
    }
}
