import Foundation
import PuenteKit
import PuenteTestSupport
import Testing

/// A store's files are its owner's alone, and a store that cannot be reached says so.
@Suite(.timeLimit(.minutes(20))) struct StoreModesEndToEndTests {
    let puente = PuenteProcess()

    func mode(_ path: String) -> mode_t {
        var status = stat()
        return stat(path, &status) == 0 ? status.st_mode & 0o777 : 0
    }

    @Test func looseModesAreRepairedOrRefused() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("store")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "Desk"]).status == 0)
        #expect(mode(store) == 0o700)
        #expect(mode(store + "/store.sqlite") == 0o600)
        #expect(mode(store + "/agreement-key.pem") == 0o600)
        // Opened up by hand or by a copy: the folder and the database are its owner's again.
        chmod(store, 0o755)
        chmod(store + "/store.sqlite", 0o644)
        #expect(try puente.run(["--store", store, "list"]).status == 0)
        #expect(mode(store) == 0o700)
        #expect(mode(store + "/store.sqlite") == 0o600)
        // An agreement key others can read is refused, as the signing key is.
        chmod(store + "/agreement-key.pem", 0o644)
        let refused = try puente.run(["--store", store, "list"])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("chmod 600 \(store)/agreement-key.pem"), "\(refused.stderr)")
        let spanish = try puente.run(["--store", store, "--lang", "es", "list"])
        #expect(spanish.stderr.contains("chmod 600"), "\(spanish.stderr)")
    }

    @Test func aStoreThatCannotBeReadSaysWhyNotThatThereIsNone() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("store")
        #expect(try puente.run(["--store", store, "init", "--delegation", "us", "--name", "Desk"]).status == 0)
        let result: (status: Int32, stderr: String)
        if getuid() == 0 {
            // Root reads everything: ask as another user, who may not enter the 0700 folder.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", puente.binary, "--store", store, "list"]
            process.environment = ["LANG": "C", "PATH": "/usr/bin:/bin"]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            result = (process.terminationStatus, text)
        } else {
            chmod(store, 0o000)
            defer { chmod(store, 0o700) }
            let run = try puente.run(["--store", store, "list"])
            result = (run.status, run.stderr)
        }
        #expect(result.status != 0)
        #expect(!result.stderr.contains("there is no store"), "\(result.stderr)")
        #expect(result.stderr.contains("cannot be read") && result.stderr.contains("Permission denied"), "\(result.stderr)")
    }
}
