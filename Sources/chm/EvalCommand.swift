import ArgumentParser
import ClearingHouse
import Foundation

/// `chm eval --qrels QRELS RUN`
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a TREC run against relevance judgements, as trec_eval does.",
        discussion: """
            RUN has lines "QUERY Q0 DOCUMENT RANK SCORE TAG"; QRELS has lines \
            "QUERY 0 DOCUMENT GAIN" (relevant when GAIN > 0; nDCG uses the gain itself). \
            Documents are ranked by score (ties: document id, descending), as trec_eval does. \
            Means are over the queries with a relevant document in QRELS; one the run misses \
            scores 0 (like trec_eval -c). Metrics: ndcg@K, map, mrr@K, p@K, recall@K \
            (trec_eval names such as ndcg_cut_10, P_10 and recall_100 are accepted too).
            """)

    @Option(help: ArgumentHelp("The relevance judgements (TREC qrels).", valueName: "QRELS"))
    var qrels: String

    @Option(
        help: ArgumentHelp(
            "Comma-separated metrics (default: \(Self.defaultMetricList)).", valueName: "LIST"))
    var metrics: String?

    @Argument(help: ArgumentHelp("The run to evaluate (TREC run format).", valueName: "RUN"))
    var runFile: String

    @Flag(help: "Also print each query's values (metric, query, value).")
    var perQuery = false

    @Flag(help: "Print JSON: {\"queries\": N, \"metrics\": {...}, \"perQuery\": {...} (with --per-query)}.")
    var json = false

    private static let defaultMetricList = EvaluationMetric.defaults.map(\.description).joined(separator: ",")

    /// Malformed lines shown per file; the rest are counted.
    private static let diagnosticsShownPerFile = 20

    func run() throws {
        let chosen = try parsedMetrics()
        var malformed = false
        let judgements = try Self.read(qrels, malformed: &malformed) { path, report in
            try Qrels(contentsOf: path, diagnostics: report)
        }
        let ranking = try Self.read(runFile, malformed: &malformed) { path, report in
            try TRECRun(contentsOf: path, diagnostics: report)
        }
        if malformed { throw Console.invalidInput }
        guard !judgements.judgedQueries.isEmpty else {
            Console.error("\(qrels): error: no query has a relevant document (gain > 0)")
            throw Console.invalidInput
        }

        let report = evaluate(run: ranking, qrels: judgements, metrics: chosen)
        if !ranking.queries.isEmpty, report.ignoredQueries.count == ranking.queries.count {
            Console.error("chm: warning: no query of the run has judgements in \(qrels), so every value is 0")
        }
        if json {
            Console.printJSON(report.jsonValue(includingPerQuery: perQuery))
            return
        }
        if perQuery {
            for query in report.queryIDs {
                for metric in report.metrics {
                    print("\(metric)\t\(query)\t\(Self.format(report.perQuery[query]?[metric] ?? 0))")
                }
            }
        }
        for metric in report.metrics {
            print("\(metric)\t\(Self.format(report.mean[metric] ?? 0))")
        }
    }

    /// The metrics named by `--metrics`, or the defaults; an unknown name exits 64.
    private func parsedMetrics() throws -> [EvaluationMetric] {
        guard let metrics else { return EvaluationMetric.defaults }
        var parsed: [EvaluationMetric] = []
        for name in metrics.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let metric = EvaluationMetric(name) else {
                Console.error(
                    "chm: error: unknown metric \"\(name)\""
                        + " (expected ndcg@K, map, mrr@K, p@K or recall@K, K a positive integer)")
                throw ExitCode.validationFailure
            }
            parsed.append(metric)
        }
        guard !parsed.isEmpty else {
            Console.error("chm: error: --metrics names no metric")
            throw ExitCode.validationFailure
        }
        return parsed
    }

    /// Reads one file with `body`, printing its malformed lines (the first few, then a count)
    /// and setting `malformed` if there were any; an unreadable file exits 1.
    private static func read<T>(
        _ path: String, malformed: inout Bool,
        _ body: (String, (Diagnostic) -> Void) throws -> T
    ) throws -> T {
        var problems = 0
        let value = try Console.run {
            try body(path) { diagnostic in
                problems += 1
                if problems <= diagnosticsShownPerFile { Console.report(diagnostic) }
            }
        }
        if problems > diagnosticsShownPerFile {
            Console.error("\(path): error: \(problems - diagnosticsShownPerFile) more malformed lines")
        }
        if problems > 0 { malformed = true }
        return value
    }

    /// A value with four decimals, as trec_eval prints it.
    private static func format(_ value: Double) -> String {
        String(format: "%.4f", value)
    }
}
