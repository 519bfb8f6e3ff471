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
        .target(
            name: "SearchCore",
            dependencies: ["CStemmer"]
        ),
        .target(
            name: "ClearingHouse",
            dependencies: [
                "SearchCore",
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
            dependencies: ["ClearingHouse"]
        ),
        .testTarget(
            name: "chmTests",
            dependencies: ["chm", "ClearingHouse", "CLibXML2"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
