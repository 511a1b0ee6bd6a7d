import Foundation

/// Stores written in earlier store formats, frozen under `Fixtures/stores/` with what the
/// binary that wrote each one showed (`expected/`): `v1-mx-sspc` (format 1, the migrations'
/// store), `v2-mx-sspc` (format 2) and `v4-mx-sspc` (format 4, the last that kept each
/// operation as its canonical text).
public enum StoreFixture {
    public static let v1 = "v1-mx-sspc"
    public static let v2 = "v2-mx-sspc"
    public static let v4 = "v4-mx-sspc"

    public static func folder(_ fixture: String) -> String { Repository.path("Fixtures/stores/" + fixture) }

    /// The fixture's store and keys, unpacked into `parent`/mx-sspc; returns that folder.
    public static func unpack(into parent: String, fixture: String = v1) throws -> String {
        let folder = folder(fixture)
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
    public static func expected(_ name: String, fixture: String = v1) throws -> String {
        try String(contentsOfFile: folder(fixture) + "/expected/" + name, encoding: .utf8)
    }
}
