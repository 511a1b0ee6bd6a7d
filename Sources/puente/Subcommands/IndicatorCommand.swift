import ArgumentParser
import PuenteKit

struct IndicatorCommand: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "indicator", abstract: t("abstract.indicator"),
                             subcommands: [AddIndicator.self, RecordReading.self, RetractReading.self, ListIndicators.self])
    }

    func run() throws { try Terminal.missingSubcommand(Self.self) }

    struct AddIndicator: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "add", abstract: t("abstract.indicator-add"), discussion: t("example.indicator-add"))
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(t("help.commitment-id"), valueName: "commitment")) var commitment: String
        @Option(name: .customLong("name-en"), help: ArgumentHelp(t("help.name-en"), valueName: "text")) var nameEN: String?
        @Option(name: .customLong("name-es"), help: ArgumentHelp(t("help.name-es"), valueName: "text")) var nameES: String?
        @Option(help: ArgumentHelp(t("help.indicator-kind"), valueName: "output|outcome"), completion: Completions.indicatorKind) var kind: String
        @Option(help: ArgumentHelp(t("help.unit"), valueName: "text")) var unit: String?
        @Option(name: .customLong("unit-es"), help: ArgumentHelp(t("help.unit-es"), valueName: "text")) var unitES: String?
        @Option(help: ArgumentHelp(t("help.baseline"), valueName: "number")) var baseline: String?
        @Option(help: ArgumentHelp(t("help.target"), valueName: "number")) var target: String?
        @Option(help: ArgumentHelp(t("help.direction"), valueName: "increase|decrease"), completion: Completions.direction) var direction: String = "increase"
        @Option(name: .customLong("baseline-date"), help: ArgumentHelp(t("help.baseline-date"), valueName: "YYYY-MM-DD")) var baselineDate: String?
        @Option(name: .customLong("target-date"), help: ArgumentHelp(t("help.target-date"), valueName: "YYYY-MM-DD")) var targetDate: String?
        @Flag(help: ArgumentHelp(t("help.estimate"))) var estimate = false
        @Option(help: ArgumentHelp(t("help.indicator-illustrative"), valueName: "baseline|target|target.date")) var illustrative: [String] = []

        mutating func validate() throws {
            if nameEN == nil && nameES == nil { throw ValidationError(t("error.name-required")) }
            kind = try Parse.choice(kind, among: IndicatorKind.allCases.map(\.rawValue), words: "indicator-kind", "--kind")
            direction = try Parse.choice(direction, among: Direction.allCases.map(\.rawValue), words: "direction", "--direction")
            if let baseline { try Parse.check(.decimal, baseline, "--baseline") }
            if let target { try Parse.check(.decimal, target, "--target") }
            if let baselineDate { try Parse.check(.date, baselineDate, "--baseline-date") }
            if let targetDate { try Parse.check(.date, targetDate, "--target-date") }
            illustrative = try Parse.planningMarks(illustrative, of: .indicator,
                                                   given: Set((baseline == nil ? [] : ["baseline"]) + (target == nil ? [] : ["target"])
                                                              + (targetDate == nil ? [] : ["target.date"])))
        }

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let parent = try replica.resolveID(commitment, as: .commitment)
                var draft = IndicatorDraft(
                    nameEN: nameEN, nameES: nameES, kind: IndicatorKind(rawValue: kind) ?? .output, unit: unit,
                    baseline: baseline, target: target, direction: Direction(rawValue: direction) ?? .increase)
                draft.illustrative = illustrative
                draft.unitES = unitES
                draft.baselineDate = baselineDate
                draft.targetDate = targetDate
                draft.estimate = estimate
                let ref = try replica.addIndicator(to: parent, draft)
                if global.json {
                    Terminal.json(["id": .string(ref.text)])
                } else {
                    Terminal.out(t("indicator.done", Replica.shortID(ref.text), Replica.shortID(parent.text)))
                }
            }
        }
    }

    struct RecordReading: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "record", abstract: t("abstract.indicator-record"), discussion: t("example.indicator-record"))
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(t("help.indicator-id"), valueName: "indicator")) var indicator: String
        @Argument(help: ArgumentHelp(t("help.reading-value"), valueName: "value")) var value: String
        @Option(help: ArgumentHelp(t("help.reading-date"), valueName: "YYYY-MM-DD")) var date: String?
        @Option(help: ArgumentHelp(t("help.source"), valueName: "text")) var source: String?
        @Option(help: ArgumentHelp(t("help.reading-from"), valueName: "YYYY-MM-DD")) var from: String?
        @Flag(help: ArgumentHelp(t("help.yes"))) var yes = false

        mutating func validate() throws {
            try Parse.check(.decimal, value, "VALUE")
            if let date { try Parse.check(.date, date, "--date") }
            if let from { try Parse.check(.date, from, "--from") }
        }

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let ref = try replica.resolveID(indicator, as: .indicator)
                let day = date ?? replica.today
                if let from, from > day {
                    throw ValidationError(t("error.option", "--from", from, Messages.valueProblem("reading-period")))
                }
                if !yes {
                    let warnings = ReadingCheck.warnings(value: value, date: day, state: try replica.state(ref),
                                                         authors: try replica.replicas())
                    guard ReadingCheck.confirm(warnings) else {
                        Terminal.err(t("reading.not-recorded"))
                        throw ExitCode(1)
                    }
                }
                let op = try replica.recordReading(ref, date: day, value: value, source: source, from: from)
                if global.json {
                    Terminal.json(["op": .string(op.description)])
                } else {
                    Terminal.out(t("record.done", value, Replica.shortID(ref.text)))
                }
            }
        }
    }

    struct RetractReading: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "retract", abstract: t("abstract.indicator-retract"), discussion: t("example.indicator-retract"))
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(t("help.reading-handle"), valueName: "reading")) var reading: String

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let found = try replica.reading(reading)
                let op = try replica.retractReading(found.indicator, reading: found.reading)
                if global.json {
                    Terminal.json(["op": .string(op.description)])
                } else {
                    Terminal.out(t("reading.retracted", Replica.entryHandle(found.reading), Replica.shortID(found.indicator.text)))
                }
            }
        }
    }

    struct ListIndicators: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(commandName: "list", abstract: t("abstract.indicator-list"), discussion: t("example.indicator-list"))
        }

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(t("help.indicator-list-commitment"), valueName: "commitment")) var commitment: String?

        func run() throws {
            try Terminal.run {
                let replica = try global.openReplica()
                let parent = try commitment.map { try replica.resolveID($0, as: .commitment) }
                let indicators = try replica.indicators().filter { parent == nil || $0.commitment == parent?.text }
                if global.json {
                    Terminal.json(.array(indicators.map(ReviewView.indicatorJSON)))
                    return
                }
                guard !indicators.isEmpty else {
                    Terminal.out(t("indicator.none"))
                    return
                }
                // Outcomes, then outputs, each in the review's order; the commitment above its indicators.
                for kind in [IndicatorKind.outcome, .output] {
                    let items = indicators.filter { $0.kind == kind }
                    guard !items.isEmpty else { continue }
                    Terminal.out(t("review.indicators.\(kind.rawValue)", items.count))
                    var shownCommitment: String?
                    for indicator in items {
                        if indicator.commitment != shownCommitment {
                            shownCommitment = indicator.commitment
                            Terminal.out("  " + Replica.shortID(indicator.commitment) + "  "
                                         + Names.title(en: indicator.commitmentTitleEN, es: indicator.commitmentTitleES))
                        }
                        Terminal.out("    " + ReviewView.indicatorLine(indicator))
                    }
                }
            }
        }
    }
}
