// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "chm",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ClearingHouse", targets: ["ClearingHouse"]),
        .library(name: "SearchCore", targets: ["SearchCore"]),
        .library(name: "ClearingHouseHarvester", targets: ["ClearingHouseHarvester"]),
        .library(name: "ClearingHouseServer", targets: ["ClearingHouseServer"]),
        .executable(name: "chm", targets: ["chm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // (Already under async-http-client and hummingbird: named for the decompression errors
        // and the HTTP parts of the server's pipeline.)
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.26.0"),
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
        // SHA-256 in C, on the CPU's SHA extensions where it has them: every ingested record
        // is hashed.
        .target(name: "CSHA256"),
        .target(
            name: "SearchCore",
            dependencies: ["CStemmer", "Parallel"]
        ),
        // The record model, its canonical JSON, validation and the readers: file (or bytes)
        // -> reader -> validator -> Record. Knows nothing of the catalog or the index.
        .target(
            name: "Records",
            dependencies: ["Parallel", "CLibXML2", "CSHA256"]
        ),
        .target(
            name: "ClearingHouse",
            dependencies: [
                "Records",
                "SearchCore",
                "Parallel",
                "CLibXML2",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the statements an ingest runs for every record
                // (Catalog/SQLiteStatement.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The clearing-house over HTTP: a JSON API on Hummingbird, one long-lived
        // ClearingHouse per process, blocking library calls on a thread pool.
        .target(
            name: "ClearingHouseServer",
            dependencies: [
                "ClearingHouse",
                "Records",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/web"), .copy("Resources/schema")]
        ),
        // Harvesting OAI-PMH providers over HTTP: the library's harvest with an
        // AsyncHTTPClient transport. The library itself has no HTTP in it.
        .target(
            name: "ClearingHouseHarvester",
            dependencies: [
                "ClearingHouse",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "chm",
            dependencies: [
                "ClearingHouse",
                "ClearingHouseServer",
                "ClearingHouseHarvester",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
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
            // GRDB: to write catalogs of older schema versions, which the migrations upgrade.
            dependencies: ["ClearingHouse", "Records", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "ClearingHouseServerTests",
            dependencies: [
                "ClearingHouseServer",
                "ClearingHouseHarvester",
                "ClearingHouse",
                "Records",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "chmTests",
            dependencies: [
                "chm", "ClearingHouse", "CLibXML2",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
