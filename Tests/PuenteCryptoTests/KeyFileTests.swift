import Foundation
import PuenteCrypto
import Testing

@Suite struct KeyFileTests {
    @Test func createsExclusivelyWithMode0600AndRefusesOpenOrLinkedFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("puente-keys-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/key.pem"
        try KeyFile.create(path: path, bytes: Array("secret".utf8))
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(throws: KeyFile.Failure.exists(path: path)) { try KeyFile.create(path: path, bytes: [1]) }
        #expect(try KeyFile.read(path: path) == Array("secret".utf8))
        chmod(path, 0o640)
        #expect(throws: KeyFile.Failure.tooOpen(path: path, mode: 0o640)) { try KeyFile.read(path: path) }
        chmod(path, 0o600)
        let link = folder + "/link.pem"
        symlink(path, link)
        #expect(throws: KeyFile.Failure.self) { try KeyFile.read(path: link) }
        #expect(throws: KeyFile.Failure.self) { try KeyFile.create(path: link, bytes: [1]) }
    }
}
