import ArgumentParser
import ClearingHouse
import Foundation

/// `chm run --queries FILE.tsv`
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Answer a file of queries in one process and write a TREC run.",
        discussion: """
            Queries are `qid<TAB>text` lines; every word of a query is optional (OR). Output lines are \
            `qid Q0 docid rank score chm`. Evaluate them with `chm eval --qrels QRELS RUN`.
            """)

    @OptionGroup var indexOptions: IndexOptions

    @Option(help: ArgumentHelp("Queries, one `qid<TAB>text` per line.", valueName: "FILE.tsv"))
    var queries: String

    @Option(parsing: .unconditional, help: "Hits per query.")
    var limit = 1000

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the run to FILE (default: standard output).", valueName: "FILE"))
    var output: String?

    @Option(help: ArgumentHelp("Text fields to search, comma-separated (title,keywords,summary,description).", valueName: "FIELDS"))
    var fields: String?

    @Option(help: "The run's tag (last column).")
    var tag = "chm"

    @Flag(name: .customLong("no-expand"), help: "Do not add the thesaurus's translations of the queries' words.")
    var noExpand = false

    @Flag(
        inversion: .prefixedNo,
        help: "Also search the close spellings of unknown words, as chm search does (off by default: runs compare rankings of the words as given).")
    var correct = false

    @Option(
        name: .customLong("translation-weight"),
        help: ArgumentHelp("Weight of the thesaurus's translations against the query's own words (default 0.8).", valueName: "W"))
    var translationWeight = ClearingHouse.translationWeight

    @Flag(help: "Answer each query as chm search --json does (records, snippets, the JSON document), to time the work a server does.")
    var documents = false

    @Flag(help: "Print one JSON line on stderr: {\"queries\", \"query_loop_s\", \"index_bytes\", \"latency_ms\": {\"median\", \"p99\", \"mean\"}}.")
    var stats = false

    func run() throws {
        let house = try indexOptions.open(create: false)
        let batch = try Console.run { try ClearingHouse.BatchQuery.read(tsv: queries) }
        let fieldList = fields.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let started = Date()
        let results = try Console.run { try house.run(batch, limit: limit, fields: fieldList, expand: !noExpand, translationWeight: translationWeight, correct: correct, documents: documents) }
        let elapsed = Date().timeIntervalSince(started)
        if let output {
            try Console.run { try TRECRun.write(results, tag: tag, toFile: output) }
        } else {
            print(TRECRun.text(of: results, tag: tag), terminator: "")
        }
        if stats {
            let statistics = RunStatistics(results, queryLoopSeconds: elapsed, indexBytes: house.diskUsage())
            Console.error(try JSONValue(encoding: statistics).description)
        }
    }
}
