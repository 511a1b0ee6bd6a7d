import Foundation
import PropertyBased
@testable import PuenteKit
import Testing

/// Identifiers are checked and written byte by byte; these compare them with the plain definitions.
@Suite struct IdentifierTests {
    @Test func derivedUUIDsAreFoundationsVersion8TextOfTheDigest() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = SplitMix(state: UInt64(seed))
            let digest = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var bytes = Array(digest.prefix(16))
            bytes[6] = (bytes[6] & 0x0f) | 0x80
            bytes[8] = (bytes[8] & 0x3f) | 0x80
            let expected = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                                       bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])).uuidString.lowercased()
            let text = EntityRef.uuid(fromDigest: digest)
            #expect(text == expected, "seed \(seed)")
            #expect(EntityRef.isUUID(text))
            #expect(EntityRef(text: "commitment/" + text) == EntityRef(type: .commitment, id: text))
        }
    }

    @Test func hexAndUUIDChecksAcceptExactlyTheirAlphabet() async {
        let alphabet = Array("0123456789abcdefABCDEFgz-/:é".unicodeScalars).map(String.init)
        await propertyCheck(count: 2000, input: Gen.int(in: 0...Int.max)) { seed in
            var rng = SplitMix(state: UInt64(seed))
            let length = [16, 36, 64, Int.random(in: 0...70, using: &rng)][Int.random(in: 0...3, using: &rng)]
            // Mostly valid text, with a few bytes changed.
            var characters = (0..<length).map { _ in alphabet[Int.random(in: 0..<16, using: &rng)] }
            if length == 36 { for index in [8, 13, 18, 23] { characters[index] = "-" } }
            for _ in 0..<Int.random(in: 0...2, using: &rng) where !characters.isEmpty {
                characters[Int.random(in: 0..<characters.count, using: &rng)] = alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
            }
            let text = characters.joined()
            let isHex = text.utf8.count == length && text.allSatisfy { "0123456789abcdef".contains($0) }
            #expect(ReplicaID.isHex(text, count: length) == isHex, "\(text)")
            let groups = text.split(separator: "-", omittingEmptySubsequences: false)
            let isUUID = groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy { "0123456789abcdef".contains($0) } }
            #expect(EntityRef.isUUID(text) == isUUID, "\(text)")
            #expect((EntityRef(text: "note/" + text) != nil) == isUUID, "\(text)")
        }
    }
}
