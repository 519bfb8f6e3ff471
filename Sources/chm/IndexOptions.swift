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

    /// Opens the clearing-house; `create` makes a new, empty one when missing. Its writes
    /// wait up to `lockWait` for another process's write.
    func open(create: Bool, lockWait: Duration = .zero) throws -> ClearingHouse {
        try Console.run { try opened(create: create, lockWait: lockWait) }
    }

    /// ``open(create:lockWait:)`` that throws the library's error instead of reporting it.
    func opened(create: Bool, lockWait: Duration = .zero) throws -> ClearingHouse {
        let buffer = ProcessInfo.processInfo.environment["CHM_INDEX_BUFFER_MB"].flatMap { Int($0) } ?? 64
        let cache = ProcessInfo.processInfo.environment["CHM_CATALOG_CACHE_MB"].flatMap { Int($0) } ?? 32
        let house: ClearingHouse
        do {
            house = try ClearingHouse(directory: directory, create: create, indexBufferMegabytes: buffer, catalogCacheMegabytes: cache)
        } catch let error as ClearingHouseError where error.code == .notFound {
            // (The library's advice names its own API; the command line's, its commands.)
            let path = ClearingHouse.catalogPath(in: directory)
            throw ClearingHouseError(.notFound, "no catalog at \(path); run `chm ingest PATH` first or pass --index DIR")
        }
        house.writeLockWait = lockWait
        return house
    }
}

/// `--wait SECONDS`, shared by every command that writes the index.
struct WriteOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .unconditional,  // (`--wait -1` is a value to refuse, not a missing one)
        help: ArgumentHelp(
            "While another process writes the index (an ingest, a harvest, a reindex, chm serve), wait up to SECONDS for it to finish instead of failing at once (default 0; chm serve: 5).",
            valueName: "SECONDS"))
    var wait: Double?

    func validate() throws {
        if let wait, !(wait.isFinite && wait >= 0 && wait <= 366 * 86_400) {
            throw ValidationError("--wait: \"\(wait)\" is not a number of seconds from 0 to 31622400")
        }
    }

    /// The wait in effect: `--wait`, else `default`. (Asking for it marks the command as one
    /// that takes `--wait`, which a lock error then names: ``Console/takesWait``.)
    func lockWait(default seconds: Double = 0) -> Duration {
        Console.takesWait = true
        return .milliseconds(Int(((wait ?? seconds) * 1000).rounded()))
    }
}
