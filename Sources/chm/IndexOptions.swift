import ArgumentParser
import ClearingHouse
import Foundation

/// `--index DIR`, shared by every command that uses an index.
struct IndexOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Index directory (default: $CHM_INDEX, else Indexes/default).", valueName: "DIR"))
    var index: String?

    /// The directory in effect: `--index`, else `$CHM_INDEX`, else `Indexes/default`.
    var directory: URL {
        if let index, !index.isEmpty { return URL(fileURLWithPath: index) }
        if let environment = ProcessInfo.processInfo.environment["CHM_INDEX"], !environment.isEmpty {
            return URL(fileURLWithPath: environment)
        }
        return URL(fileURLWithPath: "Indexes/default")
    }

    /// Opens the clearing-house; `create` makes a new, empty one when missing.
    func open(create: Bool) throws -> ClearingHouse {
        let buffer = ProcessInfo.processInfo.environment["CHM_INDEX_BUFFER_MB"].flatMap { Int($0) } ?? 64
        let cache = ProcessInfo.processInfo.environment["CHM_CATALOG_CACHE_MB"].flatMap { Int($0) } ?? 32
        return try Console.run {
            try ClearingHouse(directory: directory, create: create, indexBufferMegabytes: buffer, catalogCacheMegabytes: cache)
        }
    }
}
