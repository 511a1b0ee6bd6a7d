import Foundation

/// A store written in the earlier store format (format 1, the migrations' store), frozen under
/// `Fixtures/stores/v1-mx-sspc` with what its binary showed (`expected/`).
public enum StoreFixture {
    public static let folder = Repository.path("Fixtures/stores/v1-mx-sspc")

    /// The fixture's store and keys, unpacked into `parent`/mx-sspc; returns that folder.
    public static func unpack(into parent: String) throws -> String {
        let store = parent + "/mx-sspc"
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        for key in ["signing-key.pem", "agreement-key.pem", "root-key.pem"] {
            try FileManager.default.copyItem(atPath: folder + "/" + key, toPath: store + "/" + key)
            chmod(store + "/" + key, 0o600)
        }
        let database = store + "/store.sqlite"
        FileManager.default.createFile(atPath: database, contents: nil, attributes: [.posixPermissions: 0o600])
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: database))
        defer { try? out.close() }
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", folder + "/store.sqlite.gz"]
        gunzip.standardOutput = out
        try gunzip.run()
        gunzip.waitUntilExit()
        guard gunzip.terminationStatus == 0 else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: folder + "/store.sqlite.gz"])
        }
        return store
    }

    /// What the binary that wrote the fixture printed (`expected/NAME`).
    public static func expected(_ name: String) throws -> String {
        try String(contentsOfFile: folder + "/expected/" + name, encoding: .utf8)
    }
}
