import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// Each side's lead: every delegation records its own lead agency (`lead.us`, `lead.mx`), as it
/// records its own assessment, and a known agency is stored by its code and shown by its
/// standard name in the reader's language, with its acronym and country — in `show`, `list`,
/// the reports and `--json`, in both languages.
///
/// The record is the QI brief's account of the April 2023 meeting
/// (`../shared/seeds/003_aaa748ad6e1e3460.txt`): the DoJ agreed to target southbound weapons,
/// and the Mexican delegation was led by the SSPC's Secretary.
@Suite struct LeadsEndToEndTests {
    let puente = PuenteProcess()

    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    static func file(lead: String = #"{"us": "us-doj", "mx": "mx-sspc"}"#) -> String {
        """
        {"format": "puente-import/1",
         "commitments": [
          {"external_id": "april-2023-southbound", "owner": "joint", "pillar": "prevent", "status": "agreed",
           "title": {"en": "Target southbound weapons trafficking", "es": "Atacar el tráfico de armas hacia el sur"},
           "agencies": ["us-doj", "us-atf", "mx-sspc"], "lead": \(lead),
           "source": {"kind": "announcement", "citation": "003_aaa748ad6e1e3460.txt: “the DoJ and ATF agreed to target southbound weapons more intensively”"}}
         ]}
        """
    }

    /// A U.S. and a Mexican store, trusting each other, that have each imported `contents` (in
    /// `language`), with what each import printed. The stores live as long as `stores` does.
    func desks(importing contents: String, language: Int) throws
        -> (sync: SyncEndToEndTests, stores: SyncEndToEndTests.Stores, imports: [PuenteProcess.Result]) {
        let (_, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let sync = SyncEndToEndTests()
        let stores = try sync.makeStores([("us", "us"), ("mx", "mx")])
        let path = stores.folder.sub("record.json")
        try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
        let imports = try stores.paths.map { try puente.run(["--store", $0] + flags + ["import", path], environment: environment) }
        return (sync, stores, imports)
    }

    @Test(arguments: [0, 1]) func eachDelegationRecordsItsOwnLeadAndBothAreShown(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let english = name == "en"
        let (sync, stores, imports) = try desks(importing: Self.file(), language: language)
        let (us, mx) = (stores.paths[0], stores.paths[1])
        for imported in imports {
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.stdout.contains(english ? "1 lead agency(ies) of your delegation recorded"
                                                     : "1 dependencia(s) líder(es) de su delegación registrada(s)"), "\(imported.stdout)")
        }
        try sync.exchange(us, mx)
        func run(_ store: String, _ arguments: [String]) throws -> PuenteProcess.Result {
            try puente.run(["--store", store] + flags + arguments, environment: environment)
        }
        let id = try #require(try json(try puente.run(["--store", us, "--json", "list"]).stdout).arrayValue?.first?["short_id"]?.stringValue)
        let doj = english ? "Department of Justice (DOJ, U.S.)" : "Departamento de Justicia (DOJ, EE. UU.)"
        let sspc = english ? "Secretariat of Security and Citizen Protection (SSPC, Mexico)"
                           : "Secretaría de Seguridad y Protección Ciudadana (SSPC, México)"

        // Both stores show both leads, each by the desk of its delegation, and the agencies by name.
        for store in [us, mx] {
            let shown = try run(store, ["show", id]).stdout
            let usLead = try #require(shown.split(separator: "\n").first { $0.hasPrefix(english ? "Lead (U.S.)" : "Dependencia líder (EE. UU.)") })
            #expect(usLead.contains(doj) && usLead.contains("(US)"), "\(usLead)")
            let mxLead = try #require(shown.split(separator: "\n").first { $0.hasPrefix(english ? "Lead (Mexico)" : "Dependencia líder (México)") })
            #expect(mxLead.contains(sspc) && mxLead.contains("(MX)"), "\(mxLead)")
            #expect(shown.contains(english ? "Bureau of Alcohol, Tobacco, Firearms and Explosives (ATF, U.S.)"
                                           : "Oficina de Alcohol, Tabaco, Armas de Fuego y Explosivos (ATF, EE. UU.)"), "\(shown)")
            let row = try #require(try run(store, ["list"]).stdout.split(separator: "\n").first { $0.contains(id) })
            #expect(row.contains("DOJ / SSPC"), "\(row)")
            let rows = try #require(try json(try puente.run(["--store", store, "--json", "list"]).stdout).arrayValue)
            #expect(rows.first?["leads"] == ["us": "us-doj", "mx": "mx-sspc"])
        }
        let markdown = try run(us, ["report", "--format", "markdown"]).stdout
        #expect(markdown.contains(doj) && markdown.contains(sspc), "\(markdown)")
        let csv = try run(us, ["report", "--format", "csv"]).stdout
        #expect(csv.contains(english ? ",Lead (U.S.),Lead (Mexico)," : ",Dependencia líder (EE. UU.),Dependencia líder (México),"), "\(csv)")
        #expect(csv.contains("\(doj),\(sspc)") || csv.contains("\"\(doj)\",\"\(sspc)\""), "\(csv)")

        // A delegation's lead is its own: the Mexican desk cannot write the U.S. one.
        let refused = try run(mx, ["set", id, "lead.us", "ATF"])
        #expect(refused.status != 0, "\(refused.stdout)")
        #expect(refused.stderr.contains(english ? "United States" : "Estados Unidos"), "\(refused.stderr)")
        // `--lead` writes one's own, and a known agency is recognized however it is typed.
        let updated = try run(mx, ["update", id, "--lead", "fiscalia general de la republica"])
        #expect(updated.status == 0, "\(updated.stderr)")
        try sync.exchange(us, mx)
        let row = try #require(try run(us, ["list"]).stdout.split(separator: "\n").first { $0.contains(id) })
        #expect(row.contains("DOJ / FGR"), "\(row)")
        // The search finds a lead by its acronym or either of its names.
        for words in ["FGR", "Fiscalía", "Attorney General"] {
            let found = try json(try puente.run(["--store", us, "--json", "list", "--text", words]).stdout)
            #expect(found.arrayValue?.count == 1, "\(words)")
        }
    }

    /// How much a commitment matters is each delegation's own word too (`priority.us`,
    /// `priority.mx`): arms flows matter most to Mexico, the QI brief says. Each desk records its
    /// own from the file or with `--our-priority`; both are shown; one cannot write the other's.
    @Test(arguments: [0, 1]) func eachDelegationRecordsItsOwnPriority(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let english = name == "en"
        let file = Self.file().replacingOccurrences(of: #""status": "agreed","#, with: #""status": "agreed", "priority": {"mx": "high"},"#)
        let (sync, stores, imports) = try desks(importing: file, language: language)
        let (us, mx) = (stores.paths[0], stores.paths[1])
        for imported in imports { #expect(imported.status == 0, "\(imported.stderr)") }
        let id = try #require(try json(try puente.run(["--store", us, "--json", "list"]).stdout).arrayValue?.first?["short_id"]?.stringValue)
        let ours = try puente.run(["--store", us] + flags + ["update", id, "--our-priority", english ? "medium" : "media"], environment: environment)
        #expect(ours.status == 0, "\(ours.stderr)")
        try sync.exchange(us, mx)
        for store in [us, mx] {
            let shown = try puente.run(["--store", store] + flags + ["show", id], environment: environment).stdout
            let usLine = try #require(shown.split(separator: "\n").first { $0.hasPrefix(english ? "Priority (U.S.)" : "Prioridad (EE. UU.)") })
            #expect(usLine.contains(english ? "medium" : "media") && usLine.contains("(US)"), "\(usLine)")
            let mxLine = try #require(shown.split(separator: "\n").first { $0.hasPrefix(english ? "Priority (Mexico)" : "Prioridad (México)") })
            #expect(mxLine.contains(english ? "high" : "alta") && mxLine.contains("(MX)"), "\(mxLine)")
            let rows = try #require(try json(try puente.run(["--store", store, "--json", "list"]).stdout).arrayValue)
            #expect(rows.first?["priorities"] == ["us": "medium", "mx": "high"])
        }
        let markdown = try puente.run(["--store", us] + flags + ["report", "--format", "markdown"], environment: environment).stdout
        #expect(markdown.contains(english ? "Priority (U.S.): medium · Priority (Mexico): high" : "Prioridad (EE. UU.): media · Prioridad (México): alta"),
                "\(markdown)")
        let refused = try puente.run(["--store", mx] + flags + ["set", id, "priority.us", "low"], environment: environment)
        #expect(refused.status != 0 && refused.stderr.contains(english ? "United States" : "Estados Unidos"), "\(refused.stderr)")
    }

    /// An import file's `lead` is an object of one lead per delegation; a single text, which
    /// would say nothing of whose lead it is, is refused with its path and nothing is written.
    @Test(arguments: [0, 1]) func anImportFileGivesEachDelegationsLead(_ language: Int) throws {
        let (name, flags, environment) = DocumentedCommandsEndToEndTests.languages[language]
        let folder = try TemporaryFolder()
        let store = folder.sub("us")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "INL desk"]).status == 0)
        for (lead, path) in [(#""us-doj""#, "commitments[0].lead"), (#"{}"#, "commitments[0].lead.us"),
                             (#"{"ca": "RCMP"}"#, "commitments[0].lead.ca")] {
            try expectImportRefused(puente, store: store, contents: Self.file(lead: lead), path: path, language: language, folder: folder)
        }
        // `list` gives the leads a column once a commitment records one; until then the title keeps the room.
        let added = try puente.run(["--store", store, "--json", "add", "--title-en", "Target southbound weapons trafficking",
                                    "--pillar", "prevent"])
        let id = try #require(try json(added.stdout)["id"]?.stringValue)
        let column = name == "en" ? "Leads" : "Líderes"
        let before = try puente.run(["--store", store] + flags + ["list"], environment: environment).stdout
        #expect(!before.contains(column), "\(before)")
        #expect(try puente.run(["--store", store, "update", id, "--lead", "DOJ"]).status == 0)
        let after = try puente.run(["--store", store] + flags + ["list"], environment: environment).stdout
        #expect(after.contains(column) && after.contains("DOJ / —"), "\(after)")
    }
}
