// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "chm",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ClearingHouse", targets: ["ClearingHouse"]),
        .library(name: "SearchCore", targets: ["SearchCore"]),
        .executable(name: "chm", targets: ["chm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CStemmer",
            providers: [.apt(["libstemmer-dev"])]
        ),
        // Mapping on all cores, and overlapping a sequential consumer with it: shared by
        // indexing (SearchCore) and reading (Records).
        .target(name: "Parallel"),
        .target(
            name: "SearchCore",
            dependencies: ["CStemmer", "Parallel"]
        ),
        // The record model, its canonical JSON, validation and the readers: file (or bytes)
        // -> reader -> validator -> Record. Knows nothing of the catalog or the index.
        .target(
            name: "Records",
            dependencies: ["Parallel", "CLibXML2"]
        ),
        .target(
            name: "ClearingHouse",
            dependencies: [
                "Records",
                "SearchCore",
                "Parallel",
                "CLibXML2",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .executableTarget(
            name: "chm",
            dependencies: [
                "ClearingHouse",
                "SearchCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "SearchExample",
            dependencies: ["ClearingHouse"],
            path: "Examples/SearchExample"
        ),
        .testTarget(
            name: "SearchCoreTests",
            dependencies: ["SearchCore"]
        ),
        .testTarget(
            name: "ClearingHouseTests",
            dependencies: ["ClearingHouse", "Records"]
        ),
        .testTarget(
            name: "chmTests",
            dependencies: ["chm", "ClearingHouse", "CLibXML2"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
