import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

@Suite struct SchemaTests {
    @Test func theFixtureValidatesAgainstTheImportSchemaAndImportsStrictly() throws {
        let validator = try SchemaValidator(schemaFile: Repository.path("Schemas/import.schema.json"))
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json"))))
        let fixture = try JSONParser.parse(bytes, decimalsAsText: false)
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
