import Foundation
import PuenteKit
import PuenteTestSupport
import Synchronization
import Testing

/// `--to` never replaces what is not a regular file, and inputs that are not regular files
/// (a pipe with no writer, an endless device) are refused with a message instead of hanging
/// the command or being held in memory.
@Suite(.timeLimit(.minutes(20))) struct SpecialFilesEndToEndTests {
    let puente = PuenteProcess()

    func fileType(_ path: String) -> FileAttributeType? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
    }

    @Test func toNeverReplacesWhatIsNotARegularFile() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("store")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "Desk"]).status == 0)
        let fifo = folder.sub("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let directory = folder.sub("folder")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        let target = folder.sub("target")
        try Data("keep".utf8).write(to: URL(fileURLWithPath: target))
        let link = folder.sub("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        for path in [fifo, directory, link] {
            // `sync export --plain`: this lone store knows no desk to encrypt to.
            for command in [["sync", "export", "--to", path, "--plain"], ["keys", "export", "--to", path], ["report", "--format", "csv", "--to", path]] {
                let result = try puente.run(["--store", store] + command)
                #expect(result.status == 1, "\(command) \(path): \(result.stderr)")
                #expect(result.stderr.contains("is not a regular file"), "\(result.stderr)")
            }
            let spanish = try puente.run(["--store", store, "--lang", "es", "sync", "export", "--to", path, "--plain"])
            #expect(spanish.stderr.contains("no es un archivo normal"), "\(spanish.stderr)")
        }
        var status = stat()
        #expect(lstat(fifo, &status) == 0 && (status.st_mode & S_IFMT) == S_IFIFO)
        #expect(fileType(directory) == .typeDirectory)
        #expect(fileType(link) == .typeSymbolicLink)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep")
        // Nothing half-written is left beside them.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }.isEmpty)
        // An ordinary file is still replaced whole.
        #expect(try puente.run(["--store", store, "sync", "export", "--to", target, "--plain"]).status == 0)
    }

    @Test func inputsThatAreNotRegularFilesAreReadWithCapsOrRefused() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("store")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "Desk"]).status == 0)
        let digest = try puente.run(["--store", store, "digest"]).stdout
        // A pipe no one writes to: refused after a bounded wait, not waited on forever (the
        // three commands wait side by side).
        let fifo = folder.sub("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let commands = [["sync", "import", fifo], ["import", fifo], ["keys", "trust", fifo, "--fingerprint", String(repeating: "00000 ", count: 12)]]
        let results = Mutex([Int: PuenteProcess.Result]())
        let puente = self.puente
        DispatchQueue.concurrentPerform(iterations: commands.count) { index in
            let result = try? puente.run(["--store", store] + commands[index])
            results.withLock { $0[index] = result }
        }
        for (index, command) in commands.enumerated() {
            let result = results.withLock { $0[index] }
            #expect(result?.status == 65, "\(command): \(result?.stderr ?? "")")
        }
        #expect(results.withLock { $0[0] }?.stderr.contains("no one wrote to the pipe") == true)
        // An endless device: a bundle is refused at its first bytes, an import file and a card at their caps.
        let zero = try puente.run(["--store", store, "sync", "import", "/dev/zero"])
        #expect(zero.status == 65)
        #expect(zero.stderr.contains("not a ZIP file"), "\(zero.stderr)")
        let importZero = try puente.run(["--store", store, "import", "/dev/zero"])
        #expect(importZero.status == 65, "\(importZero.stderr)")
        let cardZero = try puente.run(["--store", store, "keys", "trust", "/dev/zero", "--fingerprint", String(repeating: "00000 ", count: 12)])
        #expect(cardZero.status == 65, "\(cardZero.stderr)")
        #expect(try puente.run(["--store", store, "digest"]).stdout == digest)
    }
}
