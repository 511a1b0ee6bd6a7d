import ArgumentParser
import PuenteKit

struct AddCommitment: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "add", abstract: t("abstract.add"), discussion: t("example.add"))
    }

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp(t("help.owner"), valueName: "us|mx|joint"), completion: Completions.owner) var owner: String?
    @Option(name: .customLong("title-en"), help: ArgumentHelp(t("help.title-en"), valueName: "text")) var titleEN: String?
    @Option(name: .customLong("title-es"), help: ArgumentHelp(t("help.title-es"), valueName: "text")) var titleES: String?
    @Option(name: .customLong("summary-en"), help: ArgumentHelp(t("help.summary-en"), valueName: "text")) var summaryEN: String?
    @Option(name: .customLong("summary-es"), help: ArgumentHelp(t("help.summary-es"), valueName: "text")) var summaryES: String?
    @Option(help: ArgumentHelp(t("help.pillar"), valueName: "protect|prevent|pursue"), completion: Completions.pillar) var pillar: String
    @Option(help: ArgumentHelp(t("help.area"), valueName: "area"), completion: Completions.area) var area: String?
    @Option(help: ArgumentHelp(t("help.lead"), valueName: "text")) var lead: String?
    @Option(help: ArgumentHelp(t("help.priority"), valueName: "high|medium|low"), completion: Completions.priority) var priority: String?
    @Option(name: .customLong("our-priority"), help: ArgumentHelp(t("help.our-priority"), valueName: "high|medium|low"),
            completion: Completions.priority) var ourPriority: String?
    @Option(help: ArgumentHelp(t("help.due"), valueName: "YYYY-MM-DD")) var due: String?
    @Option(help: ArgumentHelp(t("help.status"), valueName: "status"), completion: Completions.status) var status: String = "agreed"
    @Option(help: ArgumentHelp(t("help.dialogue"), valueName: "id")) var dialogue: String?
    @Option(name: .customLong("agency"), help: ArgumentHelp(t("help.agency"), valueName: "name")) var agencies: [String] = []
    @Option(name: .customLong("tag"), help: ArgumentHelp(t("help.tag"), valueName: "tag")) var tags: [String] = []
    @Option(help: ArgumentHelp(t("help.commitment-source"), valueName: "kind"), completion: Completions.source) var source: String?
    @Option(help: ArgumentHelp(t("help.citation"), valueName: "text")) var citation: String?
    @Option(help: ArgumentHelp(t("help.illustrative"), valueName: "due|priority|status")) var illustrative: [String] = []

    mutating func validate() throws {
        if titleEN == nil && titleES == nil { throw ValidationError(t("error.title-required")) }
        pillar = try Parse.choice(pillar, among: Pillar.allCases.map(\.rawValue), words: "pillar", "--pillar")
        status = try Parse.choice(status, among: CommitmentStatus.allCases.map(\.rawValue), words: "status", "--status")
        if let typed = owner { owner = try Parse.choice(typed, among: Owner.allCases.map(\.rawValue), words: "owner", "--owner") }
        if let typed = priority { priority = try Parse.choice(typed, among: Priority.allCases.map(\.rawValue), words: "priority", "--priority") }
        if let typed = ourPriority {
            ourPriority = try Parse.choice(typed, among: Priority.allCases.map(\.rawValue), words: "priority", "--our-priority")
        }
        if let typed = source { source = try Parse.choice(typed, among: SourceKind.allCases.map(\.rawValue), words: "source", "--source") }
        if let due { try Parse.check(.date, due, "--due") }
        if let area { try Parse.check(.slug, area, "--area") }
        for tag in tags { try Parse.check(.slug, tag, "--tag") }
        // The status always has a value (`agreed` unless given).
        illustrative = try Parse.planningMarks(illustrative, of: .commitment,
                                               given: Set(["status"] + (due == nil ? [] : ["due"]) + (priority == nil ? [] : ["priority"])))
    }

    func run() throws {
        try Terminal.run {
            let replica = try global.openReplica()
            let ownerValue = owner.flatMap(Owner.init(rawValue:)) ?? Owner(rawValue: replica.identity.delegation.rawValue) ?? .joint
            let dialogueRef = try dialogue.map { try replica.resolveID($0, as: .dialogue) }
            var draft = CommitmentDraft(
                owner: ownerValue, titleEN: titleEN, titleES: titleES, summaryEN: summaryEN, summaryES: summaryES,
                pillar: Pillar(rawValue: pillar) ?? .protect, area: area,
                priority: priority.flatMap(Priority.init(rawValue:)), due: due,
                status: CommitmentStatus(rawValue: status) ?? .agreed, dialogue: dialogueRef,
                // A known agency is stored by its code, however it is typed.
                agencies: agencies.map { InputWords.agency($0) ?? $0 }, tags: tags, source: source.flatMap(SourceKind.init(rawValue:)), citation: citation)
            draft.illustrative = illustrative
            // `--lead` is this delegation's lead: the other delegation records its own.
            draft.leads[replica.identity.delegation] = lead.map { InputWords.agency($0) ?? $0 }
            draft.priorities[replica.identity.delegation] = ourPriority.flatMap(Priority.init(rawValue:))
            let ref = try replica.addCommitment(draft)
            if global.json {
                Terminal.json(["id": .string(ref.text)])
            } else {
                Terminal.out(t("add.done", Replica.shortID(ref.text)))
            }
        }
    }
}
