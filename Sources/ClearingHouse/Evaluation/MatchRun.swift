// Matchmaking as a TREC run (`chm match --requests FILE --output run.trec`), its baselines,
// and the tuning of ``MatchWeights`` on judged requests with held-out checks.
import Foundation
import SearchCore

extension ClearingHouse {
    /// One entry of a matchmaking run: the run's query id and the record to match.
    public struct MatchRunEntry: Sendable, Hashable {
        /// The query id written in the run (the qrels' id).
        public var queryID: String
        /// The id of the record matched (a request, or an offer).
        public var recordID: String
        /// Where the entry was read (`FILE:LINE`), for messages.
        public var location: String?

        /// An entry; the query id is the record id unless given.
        public init(queryID: String? = nil, recordID: String) {
            self.queryID = queryID ?? recordID
            self.recordID = recordID
        }

        /// Reads a file of records to match: one record id per line, or `qid<TAB>record id`
        /// (blank lines and lines starting with `#` skipped).
        /// - Throws: ``ClearingHouseError`` with code `notFound` when the file cannot be read,
        ///   a ``Diagnostic`` naming the line of a line with more than two columns.
        public static func read(_ path: String) throws -> [MatchRunEntry] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ClearingHouseError(.notFound, "cannot read \(path)")
            }
            var entries: [MatchRunEntry] = []
            for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                let parts = trimmed.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
                switch parts.count {
                case 1:
                    var entry = MatchRunEntry(recordID: parts[0])
                    entry.location = "\(path):\(index + 1)"
                    entries.append(entry)
                case 2 where !parts[0].isEmpty && !parts[1].isEmpty:
                    var entry = MatchRunEntry(queryID: parts[0], recordID: parts[1])
                    entry.location = "\(path):\(index + 1)"
                    entries.append(entry)
                default: throw Diagnostic(.error, file: path, line: index + 1, message: "expected a record id or qid<TAB>record id")
                }
            }
            return entries
        }
    }

    /// Every request for assistance in the index, by id (what `chm match --requests all` matches).
    public func allRequests() throws -> [MatchRunEntry] {
        let searcher = try openSearcher()
        let filter = SearchFilters(kinds: [.assistanceRequest]).engineFilter
        let count = max(1, try recordCount())
        let results = try indexing { try searcher.search(.matchAll, options: SearchOptions(limit: count, filter: filter)) }
        return results.hits.map(\.key).sorted().map { MatchRunEntry(recordID: $0) }
    }

    /// Matches every entry (``match(id:filters:limit:language:)``, the same ranking) and
    /// returns the ranked ids as a batch that ``TRECRun/write(_:tag:toFile:)`` writes.
    /// - Throws: ``ClearingHouseError`` with code `notFound` for an unknown record id.
    public func matchRun(_ entries: [MatchRunEntry], limit: Int = 100, filters: SearchFilters = SearchFilters()) throws -> [BatchResult] {
        try entries.map { entry in
            let started = DispatchTime.now().uptimeNanoseconds
            let response: SearchResponse
            do {
                response = try match(id: entry.recordID, filters: filters, limit: limit)
            } catch var error as ClearingHouseError where error.code == .notFound {
                // (Which line of the file names it.)
                if let location = entry.location { error.message = "\(location): \(error.message)" }
                throw error
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            return BatchResult(queryID: entry.queryID, hits: response.hits.map { ($0.id, $0.score) }, seconds: seconds)
        }
    }
}

/// Choosing ``MatchWeights`` on judged requests: evidence gathered once per request, then
/// coordinate ascent on nDCG, with held-out checks (two folds, leave one out).
package enum MatchTuning {
    /// The gathered evidence of each request (query id -> candidates).
    package typealias Evidence = [String: [MatchEvidence]]

    /// The evidence of each entry's candidates.
    package static func evidence(
        _ house: ClearingHouse, _ entries: [ClearingHouse.MatchRunEntry], options: MatchQueryOptions = MatchQueryOptions()
    ) throws -> Evidence {
        var evidence: Evidence = [:]
        for entry in entries {
            guard let source = try house.record(id: entry.recordID) else {
                throw ClearingHouseError(.notFound, "no record with id \(entry.recordID)")
            }
            evidence[entry.queryID] = try house.matchCandidates(for: source, options: options).evidence
        }
        return evidence
    }

    /// The run `weights` make of `evidence` for `queries` (top `limit` per query).
    package static func run(_ evidence: Evidence, weights: MatchWeights, queries: [String], limit: Int = 100) -> TRECRun {
        var ranked: [String: [TRECRun.Entry]] = [:]
        for query in queries {
            let scored = (evidence[query] ?? []).map { ($0.id, $0.score(weights)) }.filter { $0.1 > 0 }
                .sorted { ($0.1, $1.0) > ($1.1, $0.0) }.prefix(limit)
            ranked[query] = scored.map { TRECRun.Entry(document: $0.0, score: $0.1) }
        }
        return TRECRun(queries: ranked)
    }

    /// The mean nDCG@k over `queries` for `weights`, with the definitions of ``evaluate(run:qrels:metrics:)``
    /// (ties in score broken by id, descending; unjudged queries left out), computed
    /// directly on the evidence (tuning evaluates thousands of weightings).
    package static func mean(
        _ evidence: Evidence, weights: MatchWeights, qrels: Qrels, queries: [String], k: Int = 5
    ) -> Double {
        var sum = 0.0
        var count = 0
        for query in queries {
            guard let gains = qrels.judgements[query], gains.values.contains(where: { $0 > 0 }) else { continue }
            count += 1
            let ranked = (evidence[query] ?? []).map { ($0.id, $0.score(weights)) }.filter { $0.1 > 0 }
                .sorted { ($0.1, $0.0) > ($1.1, $1.0) }.prefix(k)
            var dcg = 0.0
            for (index, item) in ranked.enumerated() {
                if let gain = gains[item.0], gain > 0 { dcg += Double(gain) / log2(Double(index + 2)) }
            }
            var ideal = 0.0
            for (index, gain) in gains.values.filter({ $0 > 0 }).sorted(by: >).prefix(k).enumerated() {
                ideal += Double(gain) / log2(Double(index + 2))
            }
            sum += ideal > 0 ? dcg / ideal : 0
        }
        return count == 0 ? 0 : sum / Double(count)
    }

    /// The values each weight may take in the search.
    package static let grid: [Double] = [-0.2, -0.1, -0.05, 0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5]

    /// Coordinate ascent from `start`: each weight in turn takes the grid value that most
    /// raises the mean nDCG@k over `queries` (ties keep the current value), until a round
    /// changes nothing. `need` stays 1 (scores are relative). `fixed` names weights left as
    /// they are (a variant without that evidence).
    package static func tune(
        _ evidence: Evidence, qrels: Qrels, queries: [String], start: MatchWeights = .standard, fixed: Set<String> = [],
        k: Int = 5, rounds: Int = 4
    ) -> MatchWeights {
        var weights = start
        var best = mean(evidence, weights: weights, qrels: qrels, queries: queries, k: k)
        for _ in 0..<rounds {
            var changed = false
            for (name, keyPath) in MatchWeights.parameters where name != "need" && !fixed.contains(name) {
                for value in grid where value != weights[keyPath: keyPath] {
                    var trial = weights
                    trial[keyPath: keyPath] = value
                    let score = mean(evidence, weights: trial, qrels: qrels, queries: queries, k: k)
                    if score > best + 1e-9 {
                        best = score
                        weights = trial
                        changed = true
                    }
                }
            }
            if !changed { break }
        }
        return weights
    }

    /// Held-out scores: the mean nDCG@k of each query under weights tuned without it, for
    /// two folds (odd- and even-numbered queries in `queries`' order) and for leave-one-out.
    package static func heldOut(
        _ evidence: Evidence, qrels: Qrels, queries: [String], start: MatchWeights = .standard, fixed: Set<String> = [],
        k: Int = 5, leaveOneOut: Bool = true
    ) -> (twoFold: Double, leaveOneOut: Double?, folds: [MatchWeights]) {
        let odd = queries.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let even = queries.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        let onOdd = tune(evidence, qrels: qrels, queries: odd, start: start, fixed: fixed, k: k)
        let onEven = tune(evidence, qrels: qrels, queries: even, start: start, fixed: fixed, k: k)
        let twoFold = (mean(evidence, weights: onOdd, qrels: qrels, queries: even, k: k) * Double(even.count)
            + mean(evidence, weights: onEven, qrels: qrels, queries: odd, k: k) * Double(odd.count)) / Double(max(1, queries.count))
        var loo: Double?
        if leaveOneOut {
            var sum = 0.0
            for query in queries {
                let weights = tune(evidence, qrels: qrels, queries: queries.filter { $0 != query }, start: start, fixed: fixed, k: k)
                sum += mean(evidence, weights: weights, qrels: qrels, queries: [query], k: k)
            }
            loo = sum / Double(max(1, queries.count))
        }
        return (twoFold, loo, [onOdd, onEven])
    }
}
