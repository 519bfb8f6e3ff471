// swift-tools-version: 6.1
// chm's benchmarks, a package of their own so that the root package does not depend on
// package-benchmark. Run from this directory: `swift package benchmark`.
import PackageDescription

let package = Package(
    name: "chm-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "chm", path: ".."),
        // The MallocInterposer trait alone: the default traits also pull in
        // swift-runtime-interposer, which does not resolve here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Deterministic synthetic clearing-house text and records (shared by the generator
        // and the benchmarks).
        .target(
            name: "SyntheticCorpus",
            path: "Sources/SyntheticCorpus"
        ),
        // `swift run -c release GenerateCorpus --count N --seed S --output FILE.jsonl`.
        // It lives under Sources/, not Benchmarks/: package-benchmark runs every executable
        // target whose directory is directly under Benchmarks/ as a benchmark suite.
        .executableTarget(
            name: "GenerateCorpus",
            dependencies: [
                "SyntheticCorpus",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/GenerateCorpus"
        ),
        .executableTarget(
            name: "SearchBenchmarks",
            dependencies: [
                "SyntheticCorpus",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "SearchCore", package: "chm"),
            ],
            path: "Benchmarks/SearchBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
