import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

@Suite struct SchemaTests {
    @Test func theFixtureValidatesAgainstTheImportSchemaAndImportsStrictly() throws {
        let validator = try SchemaValidator(schemaFile: Repository.path("Schemas/import.schema.json"))
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json"))))
        let fixture = try JSONParser.parse(bytes)
        #expect(validator.violations(of: fixture) == [])
        let file = try ImportFile(bytes: bytes)
        #expect(file.commitments.count >= 40)
        #expect(file.dialogues.count >= 5)
        let withIndicators = file.commitments.filter { !$0.indicators.isEmpty }.count
        #expect(withIndicators * 3 >= file.commitments.count)
        for commitment in file.commitments {
            #expect(commitment.draft.titleEN != nil && commitment.draft.titleES != nil)
            #expect(commitment.draft.summaryEN != nil && commitment.draft.summaryES != nil)
            #expect(!commitment.draft.agencies.isEmpty && commitment.draft.area != nil)
            // A recommendation is proposed and undated: the sources give it no status or deadline.
            if commitment.draft.source == .recommendation {
                #expect(commitment.draft.status == .proposed && commitment.draft.due == nil, "\(commitment.draft.externalID ?? "")")
            }
        }
        #expect(file.commitments.filter { $0.draft.due != nil }.count >= 30)
        for pillar in Pillar.allCases { #expect(file.commitments.contains { $0.draft.pillar == pillar }) }
        for dialogue in ["hlsd-2021-10-08", "bf-implementation-2023-04-13"] {
            #expect(file.dialogues.contains { $0.draft.externalID == dialogue })
        }
    }

    /// The five public documents the fixture is drawn from (`../shared/seeds`, Fixtures/README.md).
    static let seeds = ["000_0379052a5d4a04bb.txt", "001_8370e64e482d7947.txt", "002_9eb9475f2359a046.txt",
                        "003_aaa748ad6e1e3460.txt", "004_3eb1ec100d045683.txt"]

    /// Every citation of the fixture names a seed file and quotes it: `FILE: “passage”`. Where
    /// the seeds are at hand (`PUENTE_SHARED`, else `../shared` beside the repository), the
    /// passage is found in that file word for word.
    @Test func everyCitationNamesASeedFileAndQuotesIt() throws {
        let file = try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))))
        let shared = ProcessInfo.processInfo.environment["PUENTE_SHARED"] ?? Repository.path("../shared")
        let cited = file.commitments.compactMap { c in c.draft.citation.map { (c.draft.externalID ?? "", $0) } }
            + file.dialogues.compactMap { d in d.draft.citation.map { (d.draft.externalID ?? "", $0) } }
        // Every record of the fixture says where it comes from.
        #expect(cited.count == file.commitments.count + file.dialogues.count)
        for commitment in file.commitments { #expect(commitment.draft.source != nil, "\(commitment.draft.externalID ?? "")") }
        for (record, citation) in cited {
            let parts = citation.components(separatedBy: ": “")
            let document = parts[0]
            #expect(parts.count == 2 && citation.hasSuffix("”") && Self.seeds.contains(document), "\(record): \(citation)")
            let passage = String(parts.last?.dropLast() ?? "")
            #expect(passage.count >= 20, "\(record)")
            if let text = try? String(contentsOfFile: shared + "/seeds/" + document, encoding: .utf8) {
                #expect(text.contains(passage), "\(record): the passage is not in \(document)")
            }
        }
        // Every dialogue says where its record comes from, and none passes a paraphrase off as
        // the official statement: the fixture quotes no statement, it summarizes.
        for dialogue in file.dialogues {
            #expect(dialogue.draft.citation != nil, "\(dialogue.draft.externalID ?? "")")
            #expect(dialogue.draft.statementEN == nil && dialogue.draft.statementES == nil, "\(dialogue.draft.externalID ?? "")")
        }
        // Every recommendation says where it was recommended.
        for commitment in file.commitments where commitment.draft.source == .recommendation {
            #expect(commitment.draft.citation != nil, "\(commitment.draft.externalID ?? "")")
        }
    }

    /// The baselines and targets of the fixture that a source states, each with the passage
    /// that states it; every other one is a planning value, marked as such.
    static let statedIndicatorValues: [String: (seed: String, passage: String)] = [
        "bf-protect-02-i1.baseline": (seeds[3], "Mexico’s homicide rate is historically high at 27.8 deaths per 100,000 people"),
        "bf-protect-03-i1.baseline": (seeds[3], "Between September 2020 and September 2021, 87,000 Americans died of drug overdoses"),
        "bf-protect-11-i1.baseline": (seeds[2], "The number of students receiving human rights training in that two-year period (58)"),
        "bf-prevent-05-i1.baseline": (seeds[3], "An estimated half–million weapons"),
        "bf-prevent-07-i1.baseline": (seeds[3], "announced the creation of a presidential commission that will address the trafficking of drugs and arms"),
        "bf-prevent-07-i1.target": (seeds[3], "announced the creation of a presidential commission that will address the trafficking of drugs and arms"),
        "bf-prevent-10-i1.baseline": (seeds[1], "the two countries inaugurated the first inspection facilities for freight originating in Mexico"),
        "bf-prevent-10-i1.target": (seeds[1], "will operate at three border checkpoints"),
        "bf-prevent-15-i1.target": (seeds[1], "it has provided 340 K-9 units"),
    ]

    /// The commitments whose status their citation states (announced, agreed, under way as the
    /// passage says, or done); a recommendation is `proposed` by definition. Every other status
    /// is a planning value.
    static let statedStatuses: Set<String> = ["bf-prevent-07", "bf-protect-13", "bf-prevent-10", "bf-prevent-15", "bf-pursue-02",
                                              "bf-prevent-17", "bf-pursue-04"]

    /// No planning value of the fixture reads as a fact. The sources publish no deadlines and
    /// rank nothing, so every due date and priority is marked; a status left unmarked is one its
    /// citation states (``statedStatuses``); a baseline or target left unmarked is one a source states
    /// (``statedIndicatorValues``, checked word for word where the seeds are at hand).
    @Test func everyPlanningValueOfTheFixtureIsMarked() throws {
        let file = try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))))
        let shared = ProcessInfo.processInfo.environment["PUENTE_SHARED"] ?? Repository.path("../shared")
        var stated = Set<String>()
        for commitment in file.commitments {
            let draft = commitment.draft
            let record = draft.externalID ?? ""
            if draft.due != nil { #expect(draft.illustrative.contains("due"), "\(record): an unmarked due date") }
            if draft.priority != nil { #expect(draft.illustrative.contains("priority"), "\(record): an unmarked priority") }
            if !draft.illustrative.contains("status") {
                #expect(Self.statedStatuses.contains(record) || (draft.source == .recommendation && draft.status == .proposed),
                        "\(record): an unmarked status its citation does not state")
            }
            for indicator in commitment.indicators {
                let id = indicator.draft.externalID ?? ""
                for (field, value) in [("baseline", indicator.draft.baseline), ("target", indicator.draft.target)] where value != nil {
                    guard !indicator.draft.illustrative.contains(field) else { continue }
                    #expect(Self.statedIndicatorValues["\(id).\(field)"] != nil, "\(id): an unmarked \(field) no source states")
                    stated.insert("\(id).\(field)")
                }
            }
        }
        #expect(stated == Set(Self.statedIndicatorValues.keys), "a stated value the fixture no longer has")
        // A delegation's own priority only where a source says what matters to it: arms flows to Mexico.
        let priorities = file.commitments.filter { !$0.draft.priorities.isEmpty }
            .map { "\($0.draft.externalID ?? ""): \($0.draft.priorities.map { "\($0.key.rawValue)=\($0.value.rawValue)" }.sorted())" }
        #expect(priorities == ["bf-prevent-05: [\"mx=high\"]"], "\(priorities)")
        if let text = try? String(contentsOfFile: shared + "/seeds/" + Self.seeds[3], encoding: .utf8) {
            #expect(text.contains("the trafficking of U.S. arms is a major issue for Mexico"))
        }
        #expect(file.commitments.filter { $0.draft.illustrative.contains("status") }.count >= 20)
        for (key, quote) in Self.statedIndicatorValues {
            if let text = try? String(contentsOfFile: shared + "/seeds/" + quote.seed, encoding: .utf8) {
                #expect(text.contains(quote.passage), "\(key): the passage is not in \(quote.seed)")
            }
        }
    }

    /// Every agency of the fixture is one Puente knows (so both desks show it by its standard
    /// name), and each delegation's lead is an agency of that delegation's government.
    @Test func theFixtureNamesAgenciesByTheirCodes() throws {
        let file = try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))))
        for commitment in file.commitments {
            let record = commitment.draft.externalID ?? ""
            #expect(!commitment.draft.agencies.isEmpty, "\(record)")
            for agency in commitment.draft.agencies { #expect(AgencyCatalog.agency(agency) != nil, "\(record): \(agency)") }
            for (delegation, lead) in commitment.draft.leads {
                #expect(AgencyCatalog.agency(lead)?.country == delegation, "\(record): \(lead)")
            }
        }
        #expect(file.commitments.filter { !$0.draft.leads.isEmpty }.count == 2)
    }

    /// The fixture's readings that the sources give as totals over a period carry it: deaths
    /// "between September 2020 and September 2021" and "in 2022" (003), and the 58 students of
    /// "that two-year period", FY2019 and FY2020 (002); the 340 K-9 units are a running total.
    @Test func theFixturesTotalsOverAPeriodSaySo() throws {
        let file = try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))))
        var periods = [String: String]()
        for indicator in file.commitments.flatMap(\.indicators) {
            for reading in indicator.readings { periods["\(indicator.draft.externalID ?? "")@\(reading.date)"] = reading.from ?? "" }
        }
        #expect(periods == ["bf-protect-03-i1@2021-09-30": "2020-10-01", "bf-protect-03-i1@2022-12-31": "2022-01-01",
                            "bf-protect-11-i1@2020-09-30": "2018-10-01", "bf-prevent-15-i1@2016-12-31": ""])
    }

    /// Every unit of the fixture is given in both languages, so Spanish output never shows an
    /// English unit ("deaths", "weapons").
    @Test func everyUnitOfTheFixtureIsBilingual() throws {
        let file = try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))))
        let indicators = file.commitments.flatMap(\.indicators)
        #expect(indicators.count >= 14)
        for indicator in indicators {
            #expect(indicator.draft.unit != nil && indicator.draft.unitES != nil, "\(indicator.draft.externalID ?? "")")
        }
    }

    /// Every area of the fixture is a built-in one, so each is shown by its name in both
    /// languages, never as a code.
    @Test func everyAreaOfTheFixtureIsBuiltIn() throws {
        let file = try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))))
        for commitment in file.commitments {
            #expect(commitment.draft.area.flatMap(BuiltInArea.init(rawValue:)) != nil, "\(commitment.draft.externalID ?? "")")
        }
    }

    /// A U.S. and a Mexican store that each imported the fixture, in sync (the U.S. first).
    static func bothDesksImportTheFixture() throws -> (group: ReplicaGroup, us: Replica, mx: Replica) {
        let group = try ReplicaGroup([.us, .mx])
        let (us, mx) = (group.replicas[0], group.replicas[1])
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json"))))
        _ = try us.importFile(try ImportFile(bytes: bytes))
        try group.syncAll()
        _ = try mx.importFile(try ImportFile(bytes: bytes))
        return (group, us, mx)
    }

    /// The fixture's recommendations, through the review: tallied apart, and in no list of
    /// open commitments, whatever day the review is for.
    @Test func noRecommendationOfTheFixtureCountsAsAgreedOrIsOverdue() throws {
        let (group, us, _) = try Self.bothDesksImportTheFixture()
        try group.syncAll()
        let recommendations = Set(try us.commitments(CommitmentFilter(source: .recommendation)).map(\.id))
        #expect(recommendations.count == 12)
        for asOf in ["2024-05-01", "2026-12-05"] {
            let review = try us.review(asOf: asOf)
            #expect(review.byPillar.values.reduce(0) { $0 + ($1["recommended"] ?? 0) } == 12)
            let listed = (review.overdue + review.dueSoon + review.stalled).map(\.id)
            #expect(recommendations.isDisjoint(with: listed), "\(asOf)")
        }
    }

    @Test func theDemoCarriesTheSameFixture() throws {
        let fixture = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))
        let shipped = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Sources/puente/Resources/bicentennial.json")))
        #expect(fixture == shipped, "copy Fixtures/bicentennial.json to Sources/puente/Resources/")
    }

    @Test func everyOperationAStoreWritesValidatesAgainstTheOperationSchema() throws {
        let validator = try SchemaValidator(schemaFile: Repository.path("Schemas/operation.schema.json"))
        let (group, _, mx) = try Self.bothDesksImportTheFixture()
        let c = try #require(try mx.commitments(CommitmentFilter(owner: .joint)).first?.entity)
        try mx.assess(c, rating: .atRisk, why: "Faltan datos")
        try mx.addNote(to: c, text: "Nota")
        try mx.addElement(c, field: "evidence", element: "https://example.org/a")
        try mx.removeElement(c, field: "evidence", element: "https://example.org/a")
        let ops = try group.allOperations()
        #expect(ops.count > 70)  // one create per record (fields travel in it), plus readings and edits
        for op in ops {
            let violations = validator.violations(of: try CanonicalJSON.decodeCanonical(op.canonicalBytes))
            #expect(violations == [], "\(op.id)")
        }
    }

    @Test func theValidatorCatchesViolations() throws {
        let validator = try SchemaValidator(schemaFile: Repository.path("Schemas/import.schema.json"))
        let bad: JSONValue = ["format": "puente-import/1", "commitments": [["external_id": "x", "title": ["fr": "t"], "owner": "ca",
                                                                             "pillar": "protect", "status": "agreed"]]]
        let violations = validator.violations(of: bad)
        #expect(violations.contains { $0.contains("owner") })
        #expect(violations.contains { $0.contains("unexpected member fr") })
    }
}

/// The import schema and `puente import` accept the same numbers: Python's `jsonschema`
/// (independent of Puente) judges each file, and the reader must agree.
@Suite struct ImportSchemaAgreementTests {
    @Test func theSchemaAndTheReaderAgreeOnNumbers() throws {
        let cases = ["9007199254740991", "9007199254740992", "-9007199254740992", "-0", "1e21", "0.1", "1.0", "2.5e1", "12",
                     "\"0.1\"", "\"-0\"", "\"1e21\"", "\"12.50\"", "\"\(String(repeating: "1", count: 41))\""]
        var files = [String]()
        for literal in cases {
            files.append(#"{"format":"puente-import/1","commitments":[{"external_id":"c","title":{"en":"T"},"owner":"us","pillar":"prevent","status":"agreed","indicators":[{"external_id":"i","name":{"en":"N"},"kind":"output","direction":"increase","baseline":"# + literal + "}]}]}")
        }
        let verdicts = try Self.schemaVerdicts(files)
        #expect(verdicts.count == cases.count)
        for (index, verdict) in verdicts.enumerated() {
            let read = (try? ImportFile(bytes: Array(files[index].utf8))) != nil
            #expect(read == (verdict == "valid"), "\(cases[index]): schema says \(verdict), import \(read ? "reads" : "refuses") it")
        }
        // What the issue named: above 2^53−1, -0, 1e21 and 0.1.
        #expect(verdicts == ["valid", "invalid", "invalid", "valid", "invalid", "invalid", "valid", "valid", "valid",
                             "valid", "valid", "invalid", "valid", "invalid"])
    }

    /// Lengths are counted in characters by both: 1,000 "é" (2,000 bytes) is a title, 1,001 is not.
    @Test func theSchemaAndTheReaderCountTheSameCharacters() throws {
        let titles = [String(repeating: "é", count: 1_000), String(repeating: "é", count: 1_001), String(repeating: "a", count: 1_001)]
        let files = titles.map {
            #"{"format":"puente-import/1","commitments":[{"external_id":"c","title":{"en":""# + $0 + #""},"owner":"us","pillar":"prevent","status":"agreed"}]}"#
        }
        let verdicts = try Self.schemaVerdicts(files)
        #expect(verdicts == ["valid", "invalid", "invalid"])
        for (file, verdict) in zip(files, verdicts) {
            #expect(((try? ImportFile(bytes: Array(file.utf8))) != nil) == (verdict == "valid"))
        }
    }

    /// Python's `jsonschema` on each file (one per line): "valid" or "invalid".
    static func schemaVerdicts(_ files: [String]) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            validator = jsonschema.Draft202012Validator(schema)
            for line in sys.stdin.read().splitlines():
                print('valid' if validator.is_valid(json.loads(line)) else 'invalid')
            """, Repository.path("Schemas/import.schema.json")]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(files.joined(separator: "\n").utf8))
        try input.fileHandleForWriting.close()
        let verdicts = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return verdicts.map(String.init)
    }
}
