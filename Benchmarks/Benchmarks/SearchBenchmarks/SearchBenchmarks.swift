// SearchCore benchmarks: analysis, queries on a prepared 20,000-record index, indexing and
// opening an index. Run from the Benchmarks directory: `swift package benchmark`.
import Benchmark
import Foundation
import SearchCore
import SyntheticCorpus

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 100_000)

    // MARK: Analysis (one paragraph of a record's description per iteration)

    let analyzers: [(String, any Analyzer, String)] = [
        ("Analysis: standard, en paragraph", StandardAnalyzer(), Paragraphs.english),
        ("Analysis: en, en paragraph", LanguageAnalyzer(language: "en")!, Paragraphs.english),
        ("Analysis: fr, fr paragraph", LanguageAnalyzer(language: "fr")!, Paragraphs.french),
        ("Analysis: zh, zh paragraph", LanguageAnalyzer(language: "zh")!, Paragraphs.chinese),
    ]
    for (name, analyzer, paragraph) in analyzers {
        Benchmark(name) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(analyzer.tokens(paragraph))
            }
        }
    }

    // MARK: Queries on the prepared index (chm's schema: 28 text fields, 7 languages)

    // Matching documents in the prepared index (of 20,000): drought 1,846 (9%), drought OR
    // grazing 3,616, the four-term OR 5,214, +wetland +drought 679, "coral reef" 3,225,
    // drought OR grazing in the six countries 575; the "common" terms are among the
    // corpus's most frequent words: forest 12,359 (62%), mangrove OR restoration 11,007.
    let queries: [(name: String, query: String, options: SearchOptions)] = [
        ("Query: match-all count", "", SearchOptions(limit: 10, countTotal: true)),
        ("Query: 1 term top 10", "drought", SearchOptions(limit: 10)),
        ("Query: 1 term top 100", "drought", SearchOptions(limit: 100)),
        ("Query: 1 term count all", "drought", SearchOptions(limit: 10, countTotal: true)),
        ("Query: 1 common term top 10", "forest", SearchOptions(limit: 10)),
        ("Query: 2-term OR top 10", "drought grazing", SearchOptions(limit: 10)),
        ("Query: 2 common terms OR top 10", "mangrove restoration", SearchOptions(limit: 10)),
        ("Query: 4-term OR top 10", "pollinators honey bamboo grazing", SearchOptions(limit: 10)),
        ("Query: AND top 10", "+wetland +drought", SearchOptions(limit: 10)),
        ("Query: phrase top 10", "\"coral reef\"", SearchOptions(limit: 10)),
        (
            "Query: 2-term OR + country filter top 10", "drought grazing",
            SearchOptions(limit: 10, filter: Filter(["country": ["KE", "TZ", "MG", "MZ", "ET", "SN"]]))
        ),
    ]
    for (name, text, options) in queries {
        Benchmark(name) { (benchmark: Benchmark, state: QueryState) throws in
            for _ in benchmark.scaledIterations {
                blackHole(try state.searcher.search(state.query, options: options))
            }
        } setup: { () throws -> QueryState in
            let searcher = try IndexSearcher.open(directory: try Fixture.preparedIndex(), schema: Fixture.schema)
            let query = try QueryParser().parse(text)
            // A query that matches nothing would measure nothing.
            guard try !searcher.search(query, options: options).hits.isEmpty else {
                throw BenchmarkSetupError("\(name): no hits for \(text)")
            }
            return QueryState(searcher: searcher, query: query)
        }
    }

    // MARK: Opening the prepared index

    Benchmark("Open: IndexSearcher.open (\(Fixture.documentCount) documents)") { (benchmark: Benchmark, directory: URL) throws in
        for _ in benchmark.scaledIterations {
            blackHole(try IndexSearcher.open(directory: directory, schema: Fixture.schema))
        }
    } setup: {
        try Fixture.preparedIndex()
    }

    // MARK: Indexing (2,000 documents added and committed into a new index per iteration)

    Benchmark(
        "Indexing: add 2,000 documents + commit",
        configuration: .init(maxDuration: .seconds(20), maxIterations: 20)
    ) { (benchmark: Benchmark, documents: [Document]) throws in
        let directory = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        benchmark.startMeasurement()
        try Fixture.write(documents, to: directory)
        benchmark.stopMeasurement()
    } setup: {
        Fixture.documents(count: 2_000, seed: 2)
    }
}

struct QueryState {
    var searcher: IndexSearcher
    var query: Query
}

struct BenchmarkSetupError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
