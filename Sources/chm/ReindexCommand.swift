import ArgumentParser
import ClearingHouse

/// `chm reindex`
struct ReindexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex", abstract: "Rebuild the search index from the catalog alone.")

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var writeOptions: WriteOptions

    @Option(parsing: .unconditional, help: "BM25 k1 (term-frequency saturation) for the rebuilt index.")
    var k1: Double?

    @Option(parsing: .unconditional, help: "BM25 b (length normalization, 0-1) for the rebuilt index.")
    var b: Double?

    func validate() throws {
        do {
            try ReindexRequest(k1: k1, b: b).validate()
        } catch let error as ClearingHouseError {
            throw ValidationError(Console.message(of: error))
        }
    }

    func run() throws {
        let house = try indexOptions.open(create: false, lockWait: writeOptions.lockWait())
        let summary = try Console.run { try house.reindex(ReindexRequest(k1: k1, b: b)) }
        print("reindexed \(summary.documents) records into \(Console.counted(summary.segments, "segment"))")
    }
}

/// `chm optimize`
struct OptimizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize", abstract: "Merge the search index into one segment (drops deleted records).")

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var writeOptions: WriteOptions

    func run() throws {
        let house = try indexOptions.open(create: false, lockWait: writeOptions.lockWait())
        try Console.run { try house.optimize() }
        let summary = try Console.run { try house.indexSummary() }
        print("optimized: \(Console.counted(summary.segments, "segment")), \(summary.documents) records")
    }
}
