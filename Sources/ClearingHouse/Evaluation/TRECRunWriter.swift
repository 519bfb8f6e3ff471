// Writing what `chm run` answers: TREC run lines (read back by ``TRECRun``) and the timing
// summary of `chm run --stats`.
import Foundation

extension TRECRun {
    /// The TREC run lines of `results`, in their order: `QUERY Q0 DOCUMENT RANK SCORE TAG`,
    /// ranks from 1, scores with six decimals, each line ending with `\n`.
    public static func text(of results: [ClearingHouse.BatchResult], tag: String = "chm") -> String {
        var text = ""
        for result in results {
            for (rank, hit) in result.hits.enumerated() {
                text += "\(result.queryID) Q0 \(hit.id) \(rank + 1) \(String(format: "%.6f", hit.score)) \(tag)\n"
            }
        }
        return text
    }

    /// Writes the run lines of `results` (``text(of:tag:)``) to the file at `path`,
    /// atomically (a temporary file in the same directory, synced and renamed).
    /// - Throws: ``ClearingHouseError`` with code `notFound` when the directory does not
    ///   exist, `storage` when the file cannot be written; `path` is then left as it was.
    public static func write(_ results: [ClearingHouse.BatchResult], tag: String = "chm", toFile path: String) throws {
        let text = text(of: results, tag: tag)
        try AtomicFile.write(path) { file in try file.append(text) }
    }
}

/// Query latencies of a run, in milliseconds.
///
/// Percentiles are nearest-rank: the smallest latency with at least `p` of the queries at or
/// below it. An empty run has every figure 0.
public struct LatencySummary: Sendable, Hashable, Codable {
    /// The 50th percentile.
    public var median: Double
    /// The 99th percentile.
    public var p99: Double
    /// The mean.
    public var mean: Double

    /// The summary of `milliseconds` (any order).
    public init(milliseconds: [Double]) {
        let sorted = milliseconds.sorted()
        median = Self.percentile(0.5, ofSorted: sorted)
        p99 = Self.percentile(0.99, ofSorted: sorted)
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
    }

    /// The latencies of a batch (``ClearingHouse/BatchResult/seconds``).
    public init(_ results: [ClearingHouse.BatchResult]) {
        self.init(milliseconds: results.map { $0.seconds * 1000 })
    }

    /// The nearest-rank `p` percentile (0 < p <= 1) of `sorted` (ascending); 0 when empty.
    public static func percentile(_ p: Double, ofSorted sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}

/// The timing summary of a batch run (`chm run --stats`):
/// `{"queries", "query_loop_s", "index_bytes", "latency_ms": {"median", "p99", "mean"}}`.
public struct RunStatistics: Sendable, Hashable, Codable {
    /// Queries answered.
    public var queries: Int
    /// Seconds the whole batch took.
    public var queryLoopSeconds: Double
    /// Bytes on disk of the catalog and the index (``ClearingHouse/diskUsage()``).
    public var indexBytes: Int64
    /// The queries' latencies.
    public var latency: LatencySummary

    private enum CodingKeys: String, CodingKey {
        case queries
        case queryLoopSeconds = "query_loop_s"
        case indexBytes = "index_bytes"
        case latency = "latency_ms"
    }

    /// The summary of a batch of `queries` that took `queryLoopSeconds`.
    public init(queries: Int, queryLoopSeconds: Double, indexBytes: Int64, latency: LatencySummary) {
        self.queries = queries
        self.queryLoopSeconds = queryLoopSeconds
        self.indexBytes = indexBytes
        self.latency = latency
    }

    /// The summary of `results`, answered in `queryLoopSeconds`, on an index of `indexBytes`.
    public init(_ results: [ClearingHouse.BatchResult], queryLoopSeconds: Double, indexBytes: Int64) {
        self.init(queries: results.count, queryLoopSeconds: queryLoopSeconds, indexBytes: indexBytes, latency: LatencySummary(results))
    }
}
