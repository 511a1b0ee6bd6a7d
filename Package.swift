// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Puente",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "puente", targets: ["puente"]),
        .library(name: "PuenteKit", targets: ["PuenteKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibcrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Named apart from the `CZlib` module other packages ship (ZIPFoundation's did clash).
        .systemLibrary(
            name: "CPuenteZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "PuenteCrypto",
            dependencies: ["CLibcrypto"]
        ),
        .target(
            name: "PuenteKit",
            dependencies: [
                "PuenteCrypto", "CPuenteZlib",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C interface, for the few statements an import runs per operation (Store/SQLiteCall.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            // A file sees the members of the modules it imports, no others: a file that does not
            // import GRDB cannot run SQL, and only Store/ imports it (docs/design.md, note 63).
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        ),
        .executableTarget(
            name: "puente",
            dependencies: [
                "PuenteKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.copy("Resources/bicentennial.json")]
        ),
        .executableTarget(
            name: "PuenteFixtures",
            dependencies: ["PuenteKit", "PuenteCrypto", "PuenteTestSupport"],
            path: "Sources/PuenteFixtures"
        ),
        // The shared peer workload replayed through the library, for a test; Benchmarks/ builds
        // the same sources as a target of its own (a link), so it is no product of this package.
        .target(
            name: "PuenteWorkload",
            dependencies: ["PuenteKit"]
        ),
        .target(
            name: "PuenteTestSupport",
            dependencies: ["PuenteKit", "PuenteCrypto", "CPuenteZlib"]
        ),
        .testTarget(
            name: "PuenteCryptoTests",
            dependencies: ["PuenteCrypto"]
        ),
        .testTarget(
            name: "PuenteKitTests",
            dependencies: [
                "PuenteKit", "PuenteTestSupport", "PuenteWorkload",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "PuenteTests",
            dependencies: ["puente", "PuenteKit", "PuenteCrypto", "PuenteTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
