import ArgumentParser
import ClearingHouse
import SearchCore

/// `chm reindex`
struct ReindexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex", abstract: "Rebuild the search index from the catalog alone.")

    @OptionGroup var indexOptions: IndexOptions

    @Option(help: "BM25 k1 (term-frequency saturation) for the rebuilt index.")
    var k1: Double?

    @Option(help: "BM25 b (length normalization, 0-1) for the rebuilt index.")
    var b: Double?

    func validate() throws {
        if let k1, !(k1 >= 0 && k1 <= 10) { throw ValidationError("--k1 must be between 0 and 10") }
        if let b, !(b >= 0 && b <= 1) { throw ValidationError("--b must be between 0 and 1") }
    }

    func run() throws {
        let house = try indexOptions.open(create: false)
        try Console.run {
            var parameters: BM25Parameters?
            if k1 != nil || b != nil {
                let current = (try? house.bm25Parameters()) ?? BM25Parameters()
                parameters = BM25Parameters(k1: k1 ?? current.k1, b: b ?? current.b)
            }
            try house.reindex(bm25: parameters)
        }
        let summary = try Console.run { try house.indexSummary() }
        print("reindexed \(summary.documents) records into \(summary.segments) segment\(summary.segments == 1 ? "" : "s")")
    }
}

/// `chm optimize`
struct OptimizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "optimize", abstract: "Merge the search index into one segment (drops deleted records).")

    @OptionGroup var indexOptions: IndexOptions

    func run() throws {
        let house = try indexOptions.open(create: false)
        try Console.run { try house.optimize() }
        let summary = try Console.run { try house.indexSummary() }
        print("optimized: \(summary.segments) segment\(summary.segments == 1 ? "" : "s"), \(summary.documents) records")
    }
}
