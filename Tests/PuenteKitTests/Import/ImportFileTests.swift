import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// An import file's records are matched on `external_id` against what the store holds.
@Suite struct ImportFileTests {
    static func fixture() throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Repository.path("Fixtures/bicentennial.json")))))
    }

    /// A second file, a week later: a commitment already recorded with one indicator already
    /// there and one new, and a new commitment of a dialogue the store holds but the file does
    /// not list.
    static func weekLater(_ fixture: JSONValue) throws -> [UInt8] {
        let commitments = try #require(fixture["commitments"]?.arrayValue)
        guard case .object(var known) = try #require(commitments.first { $0["external_id"] == "bf-protect-01" }),
              case .array(var indicators) = try #require(known["indicators"]) else {
            throw ImportFileError(problem: "fixture", path: "bf-protect-01")
        }
        guard case .object(var second) = try #require(indicators.first) else { throw ImportFileError(problem: "fixture", path: "i1") }
        second["external_id"] = "bf-protect-01-i2"
        second["name"] = ["en": "Panel reports published", "es": "Informes del panel publicados"]
        indicators.append(.object(second))
        known["indicators"] = .array(indicators)
        var followUp = known
        followUp["external_id"] = "bf-protect-01-follow-up"
        followUp["title"] = ["en": "Follow-up of the binational panel", "es": "Seguimiento del panel binacional"]
        followUp["indicators"] = nil
        let file: JSONValue = ["format": "puente-import/1", "source": "A week later", "dialogues": [],
                               "commitments": [.object(known), .object(followUp)]]
        return CanonicalJSON.encode(file)
    }

    @Test func aLaterFileMatchesWhatTheStoreHolds() throws {
        let group = try ReplicaGroup([.us])
        let us = group.replicas[0]
        let fixture = try Self.fixture()
        let first = try us.importFile(try ImportFile(bytes: CanonicalJSON.encode(fixture)))
        #expect(first.dialoguesCreated == 5 && first.commitmentsCreated == 36)

        let week = try us.importFile(try ImportFile(bytes: try Self.weekLater(fixture)))
        #expect(week.dialoguesCreated == 0)
        #expect(week.commitmentsCreated == 1)
        #expect(week.indicatorsCreated == 1)
        #expect(week.alreadyPresent == 2)  // the commitment and its first indicator
        let dialogue = try #require(try us.entities(of: .dialogue).first { $0.externalID == "bf-implementation-2023-04-13" })
        let ofDialogue = try us.commitments(CommitmentFilter(dialogue: dialogue.entity))
        #expect(ofDialogue.contains { $0.titleEN == "Follow-up of the binational panel" })
        let known = try #require(try us.commitments().first { $0.titleEN == "Binational panel of public-health experts on youth drug addiction" })
        #expect(try us.indicators().filter { $0.commitment == known.id }.compactMap(\.nameEN).sorted()
                == ["Panel reports published", "Panel sessions held"])

        // Both files again: nothing changes.
        let digest = try us.digest()
        let again = try us.importFile(try ImportFile(bytes: CanonicalJSON.encode(fixture)))
        let weekAgain = try us.importFile(try ImportFile(bytes: try Self.weekLater(fixture)))
        #expect(again.commitmentsCreated + again.dialoguesCreated + again.indicatorsCreated == 0)
        #expect(weekAgain.commitmentsCreated + weekAgain.indicatorsCreated == 0 && weekAgain.alreadyPresent == 4)  // 2 + 2
        #expect(try us.digest() == digest)
    }
}
