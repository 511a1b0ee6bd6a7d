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
            // Agencies only where a source names them (``namedAgencies``); every record has an area.
            #expect(commitment.draft.area != nil)
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
            for agency in commitment.draft.agencies { #expect(AgencyCatalog.agency(agency) != nil, "\(record): \(agency)") }
            for (delegation, lead) in commitment.draft.leads {
                #expect(AgencyCatalog.agency(lead)?.country == delegation, "\(record): \(lead)")
            }
        }
        #expect(file.commitments.filter { !$0.draft.leads.isEmpty }.count == 2)
        #expect(file.commitments.filter { !$0.draft.agencies.isEmpty }.count == 15)
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

    /// Every agency the fixture lists for a commitment, with the passage of a seed that names it
    /// there. An agency no source names for the commitment is not listed.
    static let namedAgencies: [String: (seed: String, passage: String)] = {
        let april = "the U.S. Department of Homeland Security (DHS) welcomed a Mexican delegation led by SSPC Secretary"
        let southbound = "the DoJ and ATF agreed to target southbound weapons more intensively"
        let commission = "The Mexican delegation announced the creation of a presidential commission"
        return [
            "bf-protect-09 us-usaid": (seeds[1], "to collaborate with organizations like USAID"),
            "bf-protect-10 us-dod": (seeds[0], "U.S. defense planners, from Secretary Austin on down"),
            "bf-protect-14 mx-segob-prevention": (seeds[1], "the Under-Secretary for Prevention and Civic Participation of the Mexican Interior Ministry"),
            "bf-prevent-01 us-atf": (seeds[3], southbound),
            "bf-prevent-01 us-doj": (seeds[3], southbound),
            "bf-prevent-01 us-dhs": (seeds[3], "with assistance from DHS law enforcement entities"),
            "bf-prevent-02 us-atf": (seeds[3], "Additional ATF agents should be stationed"),
            // The Border Patrol is part of Customs and Border Protection.
            "bf-prevent-03 us-cbp": (seeds[3], "the responsibilities of the Border Patrol"),
            "bf-prevent-06 us-dhs": (seeds[3], april),
            "bf-prevent-06 mx-sspc": (seeds[3], april),
            "bf-prevent-07 mx-presidencia": (seeds[3], commission),
            "bf-prevent-07 mx-sspc": (seeds[3], april),
            "bf-prevent-08 mx-presidencia": (seeds[3], commission),
            "bf-prevent-08 mx-sspc": (seeds[3], april),
            "bf-prevent-10 us-cbp": (seeds[1], "allowing U.S. migration and customs authorities to carry weapons in Mexico"),
            "bf-prevent-17 us-dhs": (seeds[1], "The Homeland Security Department of the U.S. helped create a training academy"),
            // 001's "PRG" is the PGR, the Attorney General's Office, since 2019 the FGR.
            "bf-pursue-02 mx-fgr": (seeds[1], "the PRG intelligence unit responsible for analyzing suspected money-laundering activities"),
            "bf-pursue-06 us-state": (seeds[1], "The U.S. State Department has also trained local and federal police officers"),
            "bf-pursue-06 mx-fgr": (seeds[1], "the State Department has worked directly with the PGR, the Mexican Attorney General"),
            "bf-pursue-12 us-dod": (seeds[3], "U.S. Northern Command (USNORTHCOM)"),
            "bf-pursue-14 us-inl": (seeds[0], "The State Department’s International Narcotics Control and Law Enforcement program"),
        ]
    }()

    /// Every link of a fixture commitment to a dialogue (where it was made, or one that took it
    /// up again), with the passage of a seed that connects them.
    static let dialogueLinks: [String: (seed: String, passage: String)] = {
        let launch = (seeds[4], "officials from both governments held the High Level Security Dialogue and kick-off the Bicentennial Framework")
        let summit = (seeds[3], "Biden and López Obrador reviewed the framework during the Tres Amigos Summit")
        let april = (seeds[3], "representatives from both countries discussed collaborative efforts to counter the trafficking of fentanyl and arms")
        var links: [String: (seed: String, passage: String)] = [
            "bf-protect-01 bf-implementation-2023-04-13": (seeds[3], "The most recent meeting of U.S. and Mexican officials demonstrates"),
            "bf-prevent-01 bf-implementation-2023-04-13": (seeds[3], "For its part, the DoJ and ATF agreed to target southbound weapons"),
            "bf-prevent-06 bf-implementation-2023-04-13": april,
            "bf-prevent-05 bf-implementation-2023-04-13": april,
            "bf-prevent-07 bf-implementation-2023-04-13": (seeds[3], "The Mexican delegation announced the creation of a presidential commission"),
            "bf-prevent-08 bf-implementation-2023-04-13": (seeds[3], "dismantle the operations of the Sinaloa Cartel and the Jalisco New Generation Cartel"),
        ]
        // The Framework's goals, launched at the 2021 dialogue and reviewed at the summit.
        for goal in ["bf-protect-02", "bf-protect-03", "bf-protect-13", "bf-prevent-05", "bf-prevent-09", "bf-prevent-13",
                     "bf-pursue-01", "bf-pursue-03", "bf-pursue-05"] {
            links[goal + " hlsd-2021-10-08"] = launch
            links[goal + " nals-2023-01-10"] = summit
        }
        return links
    }()

    /// The fixture names only the agencies and dialogue links a source gives (the tables above,
    /// checked word for word where the seeds are at hand); its one estimate and its baseline dates
    /// are the sources' too.
    @Test func everyAgencyAndDialogueLinkOfTheFixtureIsSourced() throws {
        let file = try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))))
        let shared = ProcessInfo.processInfo.environment["PUENTE_SHARED"] ?? Repository.path("../shared")
        var agencies = Set<String>()
        var links = Set<String>()
        for commitment in file.commitments {
            let record = commitment.draft.externalID ?? ""
            for agency in commitment.draft.agencies { agencies.insert("\(record) \(agency)") }
            for dialogue in [commitment.dialogue].compactMap({ $0 }) + commitment.revisited { links.insert("\(record) \(dialogue)") }
        }
        #expect(agencies.subtracting(Self.namedAgencies.keys).sorted() == [], "agencies no source names there")
        #expect(Set(Self.namedAgencies.keys).subtracting(agencies).sorted() == [], "named agencies the fixture lacks")
        #expect(links.subtracting(Self.dialogueLinks.keys).sorted() == [], "dialogue links no source makes")
        #expect(Set(Self.dialogueLinks.keys).subtracting(links).sorted() == [], "sourced links the fixture lacks")
        // A commitment taken up again at later rounds: arms flows, at the summit and in April 2023.
        let weapons = try #require(file.commitments.first { $0.draft.externalID == "bf-prevent-05" })
        #expect(weapons.revisited == ["nals-2023-01-10", "bf-implementation-2023-04-13"])
        // The summit's day is not in the sources; its month is.
        let summit = try #require(file.dialogues.first { $0.draft.externalID == "nals-2023-01-10" })
        #expect(summit.draft.date == "2023-01")
        let indicators = file.commitments.flatMap(\.indicators)
        #expect(indicators.filter(\.draft.estimate).map { $0.draft.externalID ?? "" } == ["bf-prevent-05-i1"])
        let dated = indicators.compactMap { i in i.draft.baselineDate.map { "\(i.draft.externalID ?? "") \($0)" } }
        #expect(dated == ["bf-protect-03-i1 2021-09-30", "bf-protect-11-i1 2020-09-30"], "\(dated)")
        // No target date is stated by a source; any the fixture gives must be marked.
        for indicator in indicators where indicator.draft.targetDate != nil {
            #expect(indicator.draft.illustrative.contains("target.date"), "\(indicator.draft.externalID ?? "")")
        }
        let quotes: [(seed: String, passage: String)] = Array(Self.namedAgencies.values) + Array(Self.dialogueLinks.values) + [
            (Self.seeds[3], "An estimated half–million weapons enter Mexico from the United States illegally each year"),
            (Self.seeds[3], "Between September 2020 and September 2021, 87,000 Americans died of drug overdoses"),
            (Self.seeds[2], "In FY2019 and FY2020, spending on human rights training"),
            (Self.seeds[3], "In January 2023, four days after authorities"),
        ]
        for quote in quotes {
            if let text = try? String(contentsOfFile: shared + "/seeds/" + quote.seed, encoding: .utf8) {
                #expect(text.contains(quote.passage), "not in \(quote.seed): \(quote.passage)")
            }
        }
    }

    /// Every reading of the fixture names where its value comes from as the seeds cite it: the
    /// 87,000 deaths the QI brief gives with Reuters' article, the 109,000 with the CDC's counts,
    /// the 58 students from WOLA's Foreign Military Training dashboard, the 340 K-9 units from
    /// Finklea and Seelke (2016).
    @Test func everyReadingNamesTheSourceTheSeedsCite() throws {
        let file = try ImportFile(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))))
        let shared = ProcessInfo.processInfo.environment["PUENTE_SHARED"] ?? Repository.path("../shared")
        let cited: [String: (seed: String, passage: String)] = [
            "87000 Reuters (Botts, 2023), cited by the QI brief": (Self.seeds[3], "Jackie Botts, “Fast, Cheap and Deadly"),
            "109000 CDC, Provisional Drug Overdose Death Counts": (Self.seeds[3], "CDC, “Provisional Drug Overdose Death Counts.”"),
            "58 Foreign Military Training dashboard, FY2020 data": (Self.seeds[2], "Newly released data for fiscal year 2020 has been added to our Foreign Military Training dashboard"),
            "340 Finklea and Seelke 2016": (Self.seeds[1], "it has provided 340 K-9 units to impound, track, and confiscate illegal drugs, weapons and dirty money, and another 20 million dollars to finance the activities of the PRG intelligence unit responsible for analyzing suspected money-laundering activities (Finklea and Seelke 2016)"),
        ]
        let readings = file.commitments.flatMap(\.indicators).flatMap(\.readings).map { "\($0.value) \($0.source ?? "")" }
        #expect(Set(readings) == Set(cited.keys) && readings.count == cited.count, "\(readings)")
        for quote in cited.values {
            if let text = try? String(contentsOfFile: shared + "/seeds/" + quote.seed, encoding: .utf8) {
                #expect(text.contains(quote.passage), "not in \(quote.seed): \(quote.passage)")
            }
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
