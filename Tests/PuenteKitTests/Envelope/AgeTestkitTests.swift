import Foundation
@testable @_spi(Fuzzing) import PuenteKit
import PuenteCrypto
import PuenteTestSupport
import Testing

/// The age testkit's vectors (`Fixtures/age-testkit/`, whose README says which and whence):
/// each file's age part read by Puente's envelope reader with the file's identity, and the
/// outcome held to its `expect` — success (with the plaintext's SHA-256 and the file key),
/// header failure, HMAC failure, payload failure or no match.
@Suite struct AgeTestkitTests {
    struct Vector {
        let name: String
        var fields = [String: String]()
        var file = [UInt8]()
    }

    static func vectors() throws -> [Vector] {
        let folder = Repository.path("Fixtures/age-testkit")
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0 != "README.md" }.sorted().map { name in
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
            var vector = Vector(name: name)
            var position = 0
            while let end = bytes[position...].firstIndex(of: 0x0a), end > position {
                let line = String(decoding: bytes[position..<end], as: UTF8.self)
                if let colon = line.firstIndex(of: ":") {
                    vector.fields[String(line[..<colon])] = String(line[line.index(colon, offsetBy: 2)...])
                }
                position = end + 1
            }
            vector.file = Array(bytes[(position + 1)...])
            return vector
        }
    }

    /// What Puente's reader makes of one file, in the testkit's words.
    static func outcome(_ file: [UInt8], identity: [UInt8]) -> (expect: String, plaintext: [UInt8]?, fileKey: [UInt8]?) {
        guard let header = try? AgeHeader(file) else { return ("header failure", nil, nil) }
        let unwrapped: [UInt8]?
        do {
            unwrapped = try Age.unwrap(header, identity: identity)
        } catch {
            return ("header failure", nil, nil)
        }
        guard let fileKey = unwrapped else { return ("no match", nil, nil) }
        guard Age.macMatches(header, fileKey: fileKey) else { return ("HMAC failure", nil, fileKey) }
        do {
            let payload = try AgePayloadBytes(source: MemoryBundleBytes(file), start: header.length, fileKey: fileKey)
            return ("success", try payload.read(0, payload.count), fileKey)
        } catch let error as BundleError where error.code == .envelope {
            return ("header failure", nil, fileKey)  // no payload nonce
        } catch {
            return ("payload failure", nil, fileKey)
        }
    }

    @Test func everyVectorHasItsExpectedOutcome() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count == 41)
        var outcomes = [String: Int]()
        for vector in vectors {
            let identityText = try #require(vector.fields["identity"], "\(vector.name)")
            let identity = try #require(Age.privateKey(identity: identityText), "\(vector.name)")
            let expected = try #require(vector.fields["expect"])
            let result = Self.outcome(vector.file, identity: identity)
            #expect(result.expect == expected, "\(vector.name): \(result.expect), expected \(expected)")
            outcomes[expected, default: 0] += 1
            if expected == "success" {
                #expect(result.plaintext.map { Digest.sha256hex($0) } == vector.fields["payload"], "\(vector.name)")
                #expect(result.fileKey?.hex == vector.fields["file key"], "\(vector.name)")
            }
        }
        // Every kind of outcome these cases exercise is there.
        #expect(outcomes["success"] == 7 && outcomes["no match"] == 3 && outcomes["header failure"] == 29
                && outcomes["payload failure"] == 2, "\(outcomes)")
        // A payload failure yields nothing: the reader authenticates every chunk before any byte is used.
    }

    /// Puente's hostile envelopes (`Fixtures/envelopes/`, made by its `regenerate.py`): a flipped
    /// MAC, swapped stanzas, a truncated last chunk, reordered chunks, a stream extended past its
    /// final chunk, a stanza for a key nobody holds, no stanza at all, and the valid file they
    /// damage. Each has its expected outcome with Puente's reader, and stock `age` agrees.
    @Test func theHostileEnvelopeFixturesAreAnsweredAsExpected() throws {
        let folder = Repository.path("Fixtures/envelopes")
        let expected = try #require(try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json")))).objectValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".age") }
        #expect(Set(names) == Set(expected.keys) && names.count == 8)
        let identity = try #require(Age.privateKey(identity: "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"))
        let temporary = try TemporaryFolder()
        let identityFile = temporary.sub("identity.txt")
        try Data("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX\n".utf8).write(to: URL(fileURLWithPath: identityFile))
        for (name, outcome) in expected.sorted(by: { $0.key < $1.key }) {
            let file = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
            let result = Self.outcome(file, identity: identity)
            #expect(result.expect == outcome["expect"]?.stringValue, "\(name): \(result.expect)")
            if let payload = outcome["payload"]?.stringValue { #expect(result.plaintext.map { Digest.sha256hex($0) } == payload, "\(name)") }
            #expect(FuzzEntry.envelope(file) == (result.expect == "success"), "\(name)")
            let stock = try PuenteProcess(binary: "/usr/bin/age").run(["-d", "-i", identityFile, "-o", "/dev/null", folder + "/" + name]).status
            #expect((stock == 0) == (result.expect == "success"), "\(name): stock age exited \(stock)")
        }
    }
}
