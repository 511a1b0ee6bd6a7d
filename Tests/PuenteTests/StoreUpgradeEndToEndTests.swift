import Foundation
import GRDB
import PuenteKit
import PuenteTestSupport
import Testing

/// A store written in the earlier format (the migrations' store, frozen under
/// `Fixtures/stores/v1-mx-sspc`: the Mexican desk after the demo, one operation held after a
/// gap and a fork proof) opens with this binary, upgraded in one step by replaying what it
/// holds, and shows exactly the record the binary that wrote it showed.
@Suite(.timeLimit(.minutes(20))) struct StoreUpgradeEndToEndTests {
    let puente = PuenteProcess()
    /// A commitment of the fixture with a conflict, a revoked author and a forked chain in its history.
    static let commitment = "commitment/4c73ff75-63b3-8951-867a-b717152b3d7c"

    static func unpack() throws -> (folder: TemporaryFolder, store: String) {
        let folder = try TemporaryFolder()
        return (folder, try StoreFixture.unpack(into: folder.path))
    }

    static func expected(_ name: String) throws -> String { try StoreFixture.expected(name) }

    /// The format this binary writes.
    static let current = 13

    static func format(_ path: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? -1 }
    }

    @Test func anEarlierStoreOpensUpgradedAndShowsTheSameRecord() throws {
        let (folder, store) = try Self.unpack()
        _ = folder
        let database = store + "/store.sqlite"
        let original = try Data(contentsOf: URL(fileURLWithPath: database))
        #expect(try Self.format(database) == 0)

        let first = try puente.run(["--store", store, "digest"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == (try Self.expected("digest.txt")))
        #expect(first.stderr.contains("upgraded: 79 operations replayed"), "\(first.stderr)")
        #expect(first.stderr.contains(database + ".v1"), "\(first.stderr)")
        // The store as it was is kept byte for byte; the new one is in the current format.
        #expect(try Data(contentsOf: URL(fileURLWithPath: database + ".v1")) == original)
        #expect(try Self.format(database) == Self.current)
        #expect(!FileManager.default.fileExists(atPath: database + ".upgrading"))

        for (arguments, file) in [(["list"], "list.json"), (["log", "--limit", "1000"], "log.json"),
                                  (["log", "--rejected", "--limit", "1000"], "log-rejected.json"), (["keys", "list"], "keys.json"),
                                  (["sync", "status"], "sync-status.json"), (["conflicts"], "conflicts.json"),
                                  (["review", "--as-of", "2024-05-01", "--since", "last-import"], "review.json"),
                                  (["show", "--history", Self.commitment], "show.json")] {
            let result = try puente.run(["--store", store, "--json"] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stdout == (try Self.expected(file)), "\(arguments)")
            // Upgraded once: no later command says so again.
            #expect(result.stderr.isEmpty, "\(arguments): \(result.stderr)")
        }
        // The held operation and the fork proof came across: the state derived again is the same.
        let rebuilt = try puente.run(["--store", store, "rebuild"])
        #expect(rebuilt.stdout.contains("unchanged"), "\(rebuilt.stdout)")
        // And the upgraded store writes on.
        let note = try puente.run(["--store", store, "note", Self.commitment, "Nota después de la actualización"])
        #expect(note.status == 0, "\(note.stderr)")
    }

    /// A store of format 2 or 4 (`Fixtures/stores/v2-mx-sspc`, `v4-mx-sspc`: the Mexican desk
    /// after the demo, written by the binary of that format; 4 is the last that kept each
    /// operation as its canonical text) opens upgraded by the same replay, shows the same
    /// record, digest and trust, and counts its open conflict from the entities' own counts.
    @Test(arguments: [(StoreFixture.v2, 2, 79), (StoreFixture.v4, 4, 78)])
    func aStoreOfFormatTwoOrFourOpensUpgradedAndShowsTheSameRecord(fixture: String, format: Int, operations: Int) throws {
        let folder = try TemporaryFolder()
        let store = try StoreFixture.unpack(into: folder.path, fixture: fixture)
        let database = store + "/store.sqlite"
        let original = try Data(contentsOf: URL(fileURLWithPath: database))
        #expect(try Self.format(database) == format)
        func expected(_ name: String) throws -> String { try StoreFixture.expected(name, fixture: fixture) }

        for language in DocumentedCommandsEndToEndTests.languages {
            let copy = folder.sub("copy-\(language.name)")
            try FileManager.default.copyItem(atPath: store, toPath: copy)
            let first = try puente.run(["--store", copy] + language.flags + ["digest"], environment: language.environment)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout == (try expected("digest.txt")))
            #expect(first.stderr.contains(language.name == "es" ? "se actualizó: \(operations) operaciones reproducidas"
                                                                  : "upgraded: \(operations) operations replayed"), "\(first.stderr)")
            // Said first, before the replay, since a large store takes minutes.
            let notice = language.name == "es" ? "Se actualiza este almacén del formato \(format) al formato \(Self.current)"
                                               : "Upgrading this store from format \(format) to format \(Self.current)"
            #expect(first.stderr.hasPrefix(notice), "\(first.stderr)")
            #expect(first.stderr.contains(copy + "/store.sqlite.v\(format)"), "\(first.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: copy + "/store.sqlite.v\(format)")) == original)
            #expect(try Self.format(copy + "/store.sqlite") == Self.current)
        }

        let copy = folder.sub("copy-en")
        for (arguments, file) in [(["list"], "list.json"), (["log", "--limit", "1000"], "log.json"),
                                  (["log", "--rejected", "--limit", "1000"], "log-rejected.json"), (["keys", "list"], "keys.json"),
                                  (["sync", "status"], "sync-status.json"), (["conflicts"], "conflicts.json"),
                                  (["review", "--as-of", "2024-05-01", "--since", "last-import"], "review.json"),
                                  (["show", "--history", "commitment/5205d41f-69fd-853a-b2c5-65a5ef2ca879"], "show.json")] {
            let result = try puente.run(["--store", copy, "--json"] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stdout == (try expected(file)), "\(arguments)")
            #expect(result.stderr.isEmpty, "\(arguments): \(result.stderr)")
        }
        // The review's count of open conflicts is the entities' own counts: one, as listed.
        let counted = try DatabaseQueue(path: copy + "/store.sqlite").read { db in
            try Int.fetchOne(db, sql: "SELECT sum(conflicts) FROM entity")
        }
        #expect(counted == 1)
        let rebuilt = try puente.run(["--store", copy, "rebuild"])
        #expect(rebuilt.stdout.contains("unchanged"), "\(rebuilt.stdout)")
    }

    @Test func theUpgradeIsAnnouncedInSpanish() throws {
        let (folder, store) = try Self.unpack()
        _ = folder
        let result = try puente.run(["--store", store, "--lang", "es", "list"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("se actualizó: 79 operaciones reproducidas"), "\(result.stderr)")
        #expect(result.stderr.contains(store + "/store.sqlite.v1"), "\(result.stderr)")
    }

    /// An operation whose bytes no longer hash to what the store recorded stops the upgrade:
    /// the store is left byte for byte as it was, with nothing beside it.
    @Test func aDamagedEarlierStoreIsLeftExactlyAsItWas() throws {
        let (folder, store) = try Self.unpack()
        _ = folder
        let database = store + "/store.sqlite"
        try DatabaseQueue(path: database).write { db in
            try db.execute(sql: """
                UPDATE operation SET bytes = CAST(replace(CAST(bytes AS TEXT), 'stalled', 'stopped') AS BLOB)
                WHERE CAST(bytes AS TEXT) LIKE '%stalled%'
                """)
            #expect(db.changesCount > 0)
        }
        let original = try Data(contentsOf: URL(fileURLWithPath: database))
        for language in ["en", "es"] {
            let result = try puente.run(["--store", store, "--lang", language, "list"])
            #expect(result.status != 0)
            #expect(result.stderr.contains(language == "en" ? "could not be upgraded" : "no se pudo actualizar"), "\(result.stderr)")
            #expect(result.stderr.contains("does not match its stored hash or chain"), "\(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: database)) == original)
        let left = try FileManager.default.contentsOfDirectory(atPath: store).filter { $0.hasPrefix("store.sqlite") }
        #expect(Set(left).isSubset(of: ["store.sqlite", "store.sqlite-wal", "store.sqlite-shm"]), "\(left)")
        #expect(try Self.format(database) == 0)
    }

    /// A store written by a later version is refused, not read as something it is not.
    @Test func aStoreOfALaterFormatIsRefusedInBothLanguages() throws {
        let folder = try TemporaryFolder()
        let store = folder.sub("store")
        #expect(try puente.run(["--store", store, "init", "--delegation", "mx", "--name", "SSPC"]).status == 0)
        let database = store + "/store.sqlite"
        #expect(try Self.format(database) == Self.current)
        try DatabaseQueue(path: database).write { db in try db.execute(sql: "PRAGMA user_version = 14") }
        let english = try puente.run(["--store", store, "list"])
        #expect(english.status != 0)
        #expect(english.stderr.contains("later version of Puente (store format 14; this version reads format \(Self.current))"),
                "\(english.stderr)")
        let spanish = try puente.run(["--store", store, "--lang", "es", "list"])
        #expect(spanish.stderr.contains("versión posterior de Puente (formato 14"), "\(spanish.stderr)")
        #expect(try Self.format(database) == 14)
    }
}
