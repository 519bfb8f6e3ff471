// swift-tools-version: 6.1
// libFuzzer targets for chm's readers and query parser: a package of its own, so that the
// root package builds without sanitizers. Run one with `Fuzz/run.sh NAME SECONDS` (from the
// repository root); it builds with
//
//     swift build -c debug --package-path Fuzz --scratch-path Fuzz/.build \
//         -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//
// `-sanitize=fuzzer` instruments every Swift module (ours and GRDB) for coverage and links
// libFuzzer's `main`, which calls the `LLVMFuzzerTestOneInput` each target exports.
import PackageDescription

let package = Package(
    name: "chm-fuzz",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "chm", path: "..")
    ],
    targets: [
        // Writing the input to a file the readers can open (the readers take paths).
        .target(name: "FuzzSupport", path: "Sources/FuzzSupport"),
        .executableTarget(
            name: "FuzzJSON",
            dependencies: ["FuzzSupport", .product(name: "ClearingHouse", package: "chm")],
            path: "Sources/FuzzJSON"
        ),
        .executableTarget(
            name: "FuzzJSONLines",
            dependencies: ["FuzzSupport", .product(name: "ClearingHouse", package: "chm")],
            path: "Sources/FuzzJSONLines"
        ),
        // Native XML and OAI-PMH: the XML reader tells them apart by the root element.
        .executableTarget(
            name: "FuzzXML",
            dependencies: ["FuzzSupport", .product(name: "ClearingHouse", package: "chm")],
            path: "Sources/FuzzXML"
        ),
        .executableTarget(
            name: "FuzzQueryParser",
            dependencies: ["FuzzSupport", .product(name: "SearchCore", package: "chm")],
            path: "Sources/FuzzQueryParser"
        ),
    ],
    swiftLanguageModes: [.v6]
)
