import Foundation
@_spi(Fuzzing) import PuenteKit
import PuenteTestSupport
import Testing

/// The readers the fuzz targets drive, over the fixtures and every input kept in
/// `Fuzz/regressions/`: good input reads, hostile input is refused, nothing crashes or hangs.
@Suite struct FuzzRegressionTests {
    func files(_ folder: String) -> [String] {
        let path = Repository.path(folder)
        return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
    }

    func bytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test func theFixturesReadAsTheyShould() throws {
        let bundles = files("Fixtures/bundles").filter { $0.hasSuffix(".puente") && !$0.contains("zip-bomb") }
        #expect(bundles.count >= 20)
        for path in bundles {
            let valid = path.hasSuffix("/valid.puente") || path.hasSuffix("/broken-chain.puente") || path.hasSuffix("/fork-after-valid.puente")
                || path.hasSuffix("/far-future-clock.puente") || path.hasSuffix("/untrusted-signer.puente")
            #expect(FuzzEntry.bundle(try bytes(path)) == valid, "\(path)")
        }
        #expect(FuzzEntry.importFile(try bytes(Repository.path("Fixtures/bicentennial.json"))))
        for card in files("Fixtures/bundles").filter({ $0.hasSuffix(".card") }) {
            #expect(FuzzEntry.trustDocument(try bytes(card)))
        }
        #expect(!FuzzEntry.operation(Array("{\"a\":1}".utf8)))
        #expect(!FuzzEntry.importFile(Array("{".utf8)))
    }

    @Test func everyKeptFindingIsReadWithoutACrash() throws {
        let targets: [String: ([UInt8]) -> Bool] = ["bundle": FuzzEntry.bundle, "manifest": FuzzEntry.manifest,
                                                     "trustDocument": FuzzEntry.trustDocument, "operation": FuzzEntry.operation,
                                                     "importFile": FuzzEntry.importFile, "envelope": FuzzEntry.envelope]
        var replayed = 0
        for (target, read) in targets {
            for path in files("Fuzz/regressions/\(target)") {
                _ = read(try bytes(path))
                replayed += 1
            }
        }
        // The folder of kept findings exists, with its README, even before the first finding.
        #expect(FileManager.default.fileExists(atPath: Repository.path("Fuzz/regressions/README.md")))
        #expect(replayed == targets.keys.map { files("Fuzz/regressions/\($0)").count }.reduce(0, +))
    }
}
