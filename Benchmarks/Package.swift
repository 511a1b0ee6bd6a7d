// swift-tools-version: 6.1
// Puente's benchmarks, in their own package so `make test` never builds the benchmark
// framework. It depends on the main package by path. Run everything with `make bench`
// (Benchmarks/run.sh); this package alone with `swift package -c release benchmark`.
import PackageDescription

let package = Package(
    name: "PuenteBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Puente", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Sources/PuenteWorkload of the main package, through a link: the workload is not a
        // product of the library, only of the code that measures it.
        .target(
            name: "PuenteWorkload",
            dependencies: [.product(name: "PuenteKit", package: "Puente")],
            path: "Benchmarks/PuenteWorkload"
        ),
        .executableTarget(
            name: "PuenteSync",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PuenteKit", package: "Puente"),
                "PuenteWorkload",
            ],
            path: "Benchmarks/PuenteSync",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
