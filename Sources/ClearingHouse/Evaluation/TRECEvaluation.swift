// Evaluation of a ranked run against relevance judgements, with trec_eval's definitions, so
// that our figures can be set beside the ones other engines report through trec_eval or
// pytrec_eval on the same test collections.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Reading the files

/// Relevance judgements in TREC qrels format: one `QUERY ITERATION DOCUMENT GAIN` line per
/// judged document, fields separated by white space.
///
/// The iteration field is ignored. `GAIN` is an integer; a document is *relevant* when its
/// gain is greater than 0, and nDCG uses the gain itself. A gain of 0 or less means judged
/// and not relevant (trec_eval treats negative gains as "in the pool, not judged"; for every
/// measure chm computes that is the same thing). Blank lines are skipped.
public struct Qrels: Sendable {
    /// The gain of every judged document: query id → document id → gain.
    public let judgements: [String: [String: Int]]

    /// Reads the qrels file at `path`; diagnostics name the file as `path`.
    ///
    /// - Throws: ``ClearingHouseError`` when the file cannot be read, or the ``Diagnostic``
    ///   for the first malformed line (wrong number of fields, a gain that is not an integer,
    ///   a document judged twice for one query).
    public init(contentsOf path: String) throws {
        var first: Diagnostic?
        try self.init(contentsOf: path) { if first == nil { first = $0 } }
        if let first { throw first }
    }

    /// Reads the qrels file at `path`, reporting each malformed line to `diagnostics` and
    /// skipping it.
    ///
    /// - Throws: ``ClearingHouseError`` when the file cannot be read.
    public init(contentsOf path: String, diagnostics: (Diagnostic) -> Void) throws(ClearingHouseError) {
        let source = try TRECFileLines.open(path)
        self.init(source: source, file: path, diagnostics: diagnostics)
        try TRECFileLines.checkReadError(source, path: path)
    }

    /// Judgements as given (query -> document -> gain).
    package init(judgements: [String: [String: Int]]) {
        self.judgements = judgements
    }

    /// Parses qrels text; diagnostics name the text as `file`.
    ///
    /// - Throws: the ``Diagnostic`` for the first malformed line.
    public init(parsing text: String, file: String = "qrels") throws {
        var first: Diagnostic?
        self.init(parsing: text, file: file) { if first == nil { first = $0 } }
        if let first { throw first }
    }

    /// Parses qrels text, reporting each malformed line to `diagnostics` and skipping it.
    public init(parsing text: String, file: String = "qrels", diagnostics: (Diagnostic) -> Void) {
        self.init(source: ByteSource(bytes: Array(text.utf8)), file: file, diagnostics: diagnostics)
    }

    private init(source: ByteSource, file: String, diagnostics: (Diagnostic) -> Void) {
        var judgements: [String: [String: Int]] = [:]
        var firstLine: [String: [String: Int]] = [:]
        TRECFileLines.forEachLine(of: source) { number, fields in
            func problem(_ message: String) {
                diagnostics(Diagnostic(.error, file: file, line: number, message: message))
            }
            guard fields.count == 4 else {
                problem("expected 4 fields \"QUERY ITERATION DOCUMENT GAIN\", found \(fields.count)")
                return
            }
            let query = fields[0]
            let document = fields[2]
            guard let gain = Int(fields[3]) else {
                problem("gain \"\(fields[3])\" is not an integer")
                return
            }
            if let earlier = firstLine[query]?[document] {
                problem("document \(document) is judged twice for query \(query) (first on line \(earlier))")
                return
            }
            judgements[query, default: [:]][document] = gain
            firstLine[query, default: [:]][document] = number
        }
        self.judgements = judgements
    }

    /// The number of relevant documents (gain > 0) judged for `query`.
    public func relevantCount(for query: String) -> Int {
        judgements[query]?.values.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } ?? 0
    }

    /// The queries that have at least one relevant document: those an evaluation averages over.
    public var judgedQueries: [String] {
        judgements.compactMap { query, gains in gains.values.contains { $0 > 0 } ? query : nil }
            .sorted(by: queryOrder)
    }
}

/// A ranked run in TREC format: one `QUERY Q0 DOCUMENT RANK SCORE TAG` line per retrieved
/// document, fields separated by white space.
///
/// Only the query, document and score are used: like trec_eval, evaluation orders each
/// query's documents by score and ignores the ranks written in the file. `SCORE` must be a
/// finite number. Blank lines are skipped.
public struct TRECRun: Sendable {
    /// One retrieved document.
    public struct Entry: Sendable, Hashable {
        /// The document id.
        public var document: String
        /// The score the system gave it.
        public var score: Double

        /// Creates an entry.
        public init(document: String, score: Double) {
            self.document = document
            self.score = score
        }
    }

    /// The documents retrieved for each query, in file order.
    public let queries: [String: [Entry]]

    /// Creates a run from entries per query.
    public init(queries: [String: [Entry]]) {
        self.queries = queries
    }

    /// Reads the run file at `path`; diagnostics name the file as `path`.
    ///
    /// - Throws: ``ClearingHouseError`` when the file cannot be read, or the ``Diagnostic``
    ///   for the first malformed line (wrong number of fields, a score that is not a finite
    ///   number, a document retrieved twice for one query).
    public init(contentsOf path: String) throws {
        var first: Diagnostic?
        try self.init(contentsOf: path) { if first == nil { first = $0 } }
        if let first { throw first }
    }

    /// Reads the run file at `path`, reporting each malformed line to `diagnostics` and
    /// skipping it.
    ///
    /// - Throws: ``ClearingHouseError`` when the file cannot be read.
    public init(contentsOf path: String, diagnostics: (Diagnostic) -> Void) throws(ClearingHouseError) {
        let source = try TRECFileLines.open(path)
        self.init(source: source, file: path, diagnostics: diagnostics)
        try TRECFileLines.checkReadError(source, path: path)
    }

    /// Parses run text; diagnostics name the text as `file`.
    ///
    /// - Throws: the ``Diagnostic`` for the first malformed line.
    public init(parsing text: String, file: String = "run") throws {
        var first: Diagnostic?
        self.init(parsing: text, file: file) { if first == nil { first = $0 } }
        if let first { throw first }
    }

    /// Parses run text, reporting each malformed line to `diagnostics` and skipping it.
    public init(parsing text: String, file: String = "run", diagnostics: (Diagnostic) -> Void) {
        self.init(source: ByteSource(bytes: Array(text.utf8)), file: file, diagnostics: diagnostics)
    }

    private init(source: ByteSource, file: String, diagnostics: (Diagnostic) -> Void) {
        var queries: [String: [Entry]] = [:]
        var firstLine: [String: [String: Int]] = [:]
        TRECFileLines.forEachLine(of: source) { number, fields in
            func problem(_ message: String) {
                diagnostics(Diagnostic(.error, file: file, line: number, message: message))
            }
            guard fields.count == 6 else {
                problem("expected 6 fields \"QUERY Q0 DOCUMENT RANK SCORE TAG\", found \(fields.count)")
                return
            }
            let query = fields[0]
            let document = fields[2]
            guard let score = Double(fields[4]), score.isFinite else {
                problem("score \"\(fields[4])\" is not a finite number")
                return
            }
            // trec_eval refuses a run that retrieves a document twice for one query.
            if let earlier = firstLine[query]?[document] {
                problem("document \(document) is retrieved twice for query \(query) (first on line \(earlier))")
                return
            }
            queries[query, default: []].append(Entry(document: document, score: score))
            firstLine[query, default: [:]][document] = number
        }
        self.queries = queries
    }

    /// The documents of `query` in trec_eval's order: score descending, ties broken by
    /// document id in descending byte order (trec_eval's `strcmp(b, a)`).
    public func ranking(for query: String) -> [Entry] {
        (queries[query] ?? []).sorted { a, b in
            if a.score != b.score { return a.score > b.score }
            return b.document.utf8.lexicographicallyPrecedes(a.document.utf8)
        }
    }
}

/// Line splitting shared by the qrels and run readers.
private enum TRECFileLines {
    static func open(_ path: String) throws(ClearingHouseError) -> ByteSource {
        do {
            return try ByteSource(path: path)
        } catch {
            throw ClearingHouseError(error.errno == ENOENT ? .notFound : .storage, "cannot read \(path): \(error)")
        }
    }

    static func checkReadError(_ source: ByteSource, path: String) throws(ClearingHouseError) {
        if let readError = source.readError {
            throw ClearingHouseError(.storage, "cannot read \(path): \(readError)")
        }
    }

    /// Calls `body` with the 1-based number and the white-space separated fields of each
    /// line that is not blank.
    static func forEachLine(of source: ByteSource, _ body: (Int, [String]) -> Void) {
        source.skipByteOrderMark()
        var number = 0
        while let line = source.readLine() {
            number += 1
            let fields = line.split(whereSeparator: { $0 == 0x20 || (0x09...0x0D).contains($0) })
            guard !fields.isEmpty else { continue }
            body(number, fields.map { String(decoding: $0, as: UTF8.self) })
        }
    }
}

// MARK: - Metrics

/// A measure of a ranking, with trec_eval's definition.
///
/// In every definition a document is relevant when its gain in the qrels is greater than 0,
/// ranks are 1-based positions in ``TRECRun/ranking(for:)`` order, and `R` is the number of
/// relevant documents judged for the query.
public enum EvaluationMetric: Hashable, Sendable, CustomStringConvertible {
    /// nDCG@k (trec_eval `ndcg_cut_k`): DCG@k / ideal DCG@k, where DCG@k sums
    /// `gain / log2(rank + 1)` over the relevant documents in the top k, with the gain itself
    /// (linear gains), and the ideal DCG@k is the same sum over the query's positive gains
    /// sorted descending. 0 when the query has no relevant document.
    case ndcg(Int)
    /// Mean average precision over the whole ranking (trec_eval `map`): the sum of the
    /// precision at the rank of each relevant document retrieved, divided by R.
    case map
    /// Reciprocal rank cut at k (trec_eval `recip_rank` over the top k): 1 / the rank of the
    /// first relevant document if it is within the top k, else 0.
    case mrr(Int)
    /// Precision at k (trec_eval `P_k`): relevant documents in the top k, divided by k even
    /// when fewer than k documents were retrieved.
    case precision(Int)
    /// Recall at k (trec_eval `recall_k`): relevant documents in the top k, divided by R.
    case recall(Int)

    /// The metrics `chm eval` reports by default: ndcg@10, ndcg@100, map, mrr@10, p@10,
    /// recall@100, recall@1000.
    public static let defaults: [EvaluationMetric] = [
        .ndcg(10), .ndcg(100), .map, .mrr(10), .precision(10), .recall(100), .recall(1000),
    ]

    /// Parses a metric name, in chm's style (`ndcg@10`, `map`, `mrr@10`, `p@10`,
    /// `recall@100`) or trec_eval's (`ndcg_cut_10`, `ndcg_cut.10`, `recip_rank_cut_10`,
    /// `P_10`, `P.10`, `recall_1000`), ignoring case. The cut-off must be a positive integer.
    /// Returns nil for anything else.
    public init?(_ name: String) {
        let name = name.lowercased()
        if name == "map" {
            self = .map
            return
        }
        let families: [(prefix: String, make: (Int) -> EvaluationMetric)] = [
            ("ndcg", EvaluationMetric.ndcg), ("ndcg_cut", EvaluationMetric.ndcg),
            ("mrr", EvaluationMetric.mrr), ("mrr_cut", EvaluationMetric.mrr), ("rr", EvaluationMetric.mrr),
            ("recip_rank", EvaluationMetric.mrr), ("recip_rank_cut", EvaluationMetric.mrr),
            ("p", EvaluationMetric.precision), ("precision", EvaluationMetric.precision),
            ("r", EvaluationMetric.recall), ("recall", EvaluationMetric.recall),
        ]
        for separator: Character in ["@", "_", "."] {
            guard let split = name.lastIndex(of: separator) else { continue }
            let family = name[..<split]
            let digits = name[name.index(after: split)...]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                let cutoff = Int(digits), cutoff > 0,
                let make = families.first(where: { $0.prefix == family })?.make
            else { continue }
            self = make(cutoff)
            return
        }
        return nil
    }

    /// The canonical name: `ndcg@10`, `map`, `mrr@10`, `p@10`, `recall@100`.
    public var description: String {
        switch self {
        case .ndcg(let k): return "ndcg@\(k)"
        case .map: return "map"
        case .mrr(let k): return "mrr@\(k)"
        case .precision(let k): return "p@\(k)"
        case .recall(let k): return "recall@\(k)"
        }
    }

    /// The value of this metric for one query, given the gains of its ranked documents
    /// (nil for a document not in the qrels) and its judged gains.
    func value(rankedGains: [Int?], judgedGains: some Collection<Int>, relevant: Int) -> Double {
        switch self {
        case .ndcg(let k):
            // Summed in rank order, as trec_eval does, so the figures agree to the last bit.
            var dcg = 0.0
            for (index, gain) in rankedGains.prefix(k).enumerated() {
                if let gain, gain > 0 { dcg += Double(gain) / discount(rank: index + 1) }
            }
            var ideal = 0.0
            for (index, gain) in judgedGains.filter({ $0 > 0 }).sorted(by: >).prefix(k).enumerated() {
                ideal += Double(gain) / discount(rank: index + 1)
            }
            return ideal > 0 ? dcg / ideal : 0
        case .map:
            guard relevant > 0 else { return 0 }
            var found = 0
            var sum = 0.0
            for (index, gain) in rankedGains.enumerated() {
                if let gain, gain > 0 {
                    found += 1
                    sum += Double(found) / Double(index + 1)
                }
            }
            return sum / Double(relevant)
        case .mrr(let k):
            guard let index = rankedGains.prefix(k).firstIndex(where: { ($0 ?? 0) > 0 }) else { return 0 }
            return 1 / Double(index + 1)
        case .precision(let k):
            return Double(relevantCount(rankedGains.prefix(k))) / Double(k)
        case .recall(let k):
            guard relevant > 0 else { return 0 }
            return Double(relevantCount(rankedGains.prefix(k))) / Double(relevant)
        }
    }

    private func discount(rank: Int) -> Double {
        log2(Double(rank + 1))
    }

    private func relevantCount(_ gains: ArraySlice<Int?>) -> Int {
        gains.reduce(0) { $0 + (($1 ?? 0) > 0 ? 1 : 0) }
    }
}

// MARK: - Evaluation

/// The result of ``evaluate(run:qrels:metrics:)``: each metric per judged query and averaged.
public struct EvaluationReport: Sendable {
    /// The metrics computed, in the order asked (without repeats).
    public let metrics: [EvaluationMetric]
    /// Each judged query's value of each metric (0 for a query the run does not answer).
    public let perQuery: [String: [EvaluationMetric: Double]]
    /// Each metric's arithmetic mean over the judged queries (0 when there are none).
    public let mean: [EvaluationMetric: Double]
    /// The number of judged queries the means are over.
    public let queryCount: Int
    /// The run's queries that have no relevant document in the qrels, and so were ignored.
    public let ignoredQueries: [String]

    /// The judged query ids, numbers in numeric order and before other ids, which are in
    /// byte order.
    public var queryIDs: [String] { perQuery.keys.sorted(by: queryOrder) }

    /// `{"queries": N, "metrics": {"ndcg@10": x, ...}, "perQuery": {"QID": {"ndcg@10": x, ...}}}`.
    public var jsonValue: JSONValue { jsonValue(includingPerQuery: true) }

    /// ``jsonValue``, without the `perQuery` member unless `includingPerQuery`.
    public func jsonValue(includingPerQuery: Bool) -> JSONValue {
        func values(_ table: [EvaluationMetric: Double]) -> JSONValue {
            .object(metrics.map { ($0.description, JSONValue.double(table[$0] ?? 0)) })
        }
        var members: [(String, JSONValue)] = [
            ("queries", .integer(queryCount)),
            ("metrics", values(mean)),
        ]
        if includingPerQuery {
            members.append(("perQuery", .object(queryIDs.map { ($0, values(perQuery[$0] ?? [:])) })))
        }
        return .object(members)
    }
}

/// Evaluates `run` against `qrels` with trec_eval's definitions (see ``EvaluationMetric``).
///
/// Each query's documents are ranked by score, descending, ties broken by document id in
/// descending byte order, as trec_eval does; the ranks written in the run are ignored.
///
/// Averages are over the *judged queries*: every query with at least one relevant document
/// (gain > 0) in the qrels. A judged query the run does not answer scores 0 on every metric
/// (as with `trec_eval -c`); a run query that is not judged is ignored (and listed in
/// ``EvaluationReport/ignoredQueries``). One difference from `trec_eval -c`: a qrels query
/// whose judgements are all non-relevant is left out of the average rather than counted as 0.
///
/// - Parameters:
///   - run: the ranked documents per query.
///   - qrels: the relevance judgements.
///   - metrics: the metrics to compute; repeats are dropped.
/// - Returns: each metric per judged query and its mean.
public func evaluate(
    run: TRECRun, qrels: Qrels, metrics: [EvaluationMetric] = EvaluationMetric.defaults
) -> EvaluationReport {
    var unique: [EvaluationMetric] = []
    for metric in metrics where !unique.contains(metric) { unique.append(metric) }

    let judged = qrels.judgedQueries
    var perQuery: [String: [EvaluationMetric: Double]] = [:]
    var sums: [EvaluationMetric: Double] = [:]
    for query in judged {
        let gains = qrels.judgements[query] ?? [:]
        let ranked = run.ranking(for: query).map { gains[$0.document] }
        let relevant = qrels.relevantCount(for: query)
        var values: [EvaluationMetric: Double] = [:]
        for metric in unique {
            let value = metric.value(rankedGains: ranked, judgedGains: gains.values, relevant: relevant)
            values[metric] = value
            sums[metric, default: 0] += value
        }
        perQuery[query] = values
    }
    var mean: [EvaluationMetric: Double] = [:]
    for metric in unique {
        mean[metric] = judged.isEmpty ? 0 : (sums[metric] ?? 0) / Double(judged.count)
    }
    let judgedSet = Set(judged)
    return EvaluationReport(
        metrics: unique, perQuery: perQuery, mean: mean, queryCount: judged.count,
        ignoredQueries: run.queries.keys.filter { !judgedSet.contains($0) }.sorted(by: queryOrder))
}

/// Query ids that are integers in numeric order, before any other ids, which are in byte order.
func queryOrder(_ a: String, _ b: String) -> Bool {
    switch (Int(a), Int(b)) {
    case let (x?, y?) where x != y: return x < y
    case (.some, nil): return true
    case (nil, .some): return false
    default: return a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
