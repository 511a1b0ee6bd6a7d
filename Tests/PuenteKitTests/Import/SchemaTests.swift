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
            #expect(!commitment.draft.agencies.isEmpty && commitment.draft.due != nil && commitment.draft.area != nil)
        }
        for pillar in Pillar.allCases { #expect(file.commitments.contains { $0.draft.pillar == pillar }) }
        for dialogue in ["hlsd-2021-10-08", "bf-implementation-2023-04-13"] {
            #expect(file.dialogues.contains { $0.draft.externalID == dialogue })
        }
    }

    @Test func theDemoCarriesTheSameFixture() throws {
        let fixture = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))
        let shipped = try Data(contentsOf: URL(fileURLWithPath: Repository.path("Sources/puente/Resources/bicentennial.json")))
        #expect(fixture == shipped, "copy Fixtures/bicentennial.json to Sources/puente/Resources/")
    }

    @Test func everyOperationAStoreWritesValidatesAgainstTheOperationSchema() throws {
        let validator = try SchemaValidator(schemaFile: Repository.path("Schemas/operation.schema.json"))
        let group = try ReplicaGroup([.us, .mx])
        let (us, mx) = (group.replicas[0], group.replicas[1])
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json"))))
        _ = try us.importFile(try ImportFile(bytes: bytes))
        try group.syncAll()
        _ = try mx.importFile(try ImportFile(bytes: bytes))
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
