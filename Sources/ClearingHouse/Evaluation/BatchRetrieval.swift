import Dispatch
import Foundation
import SearchCore

extension ClearingHouse {
    /// One query of a batch: an id and its text.
    public struct BatchQuery: Sendable, Hashable {
        /// The query's id (`qid`), as the test collection's relevance judgements name it.
        public var id: String
        /// The query's text, searched as words without query syntax.
        public var text: String

        /// Creates a query with its id and text.
        public init(id: String, text: String) {
            self.id = id
            self.text = text
        }

        /// Reads `qid<TAB>text` lines (blank lines and lines starting with `#` skipped).
        /// - Throws: a ``Diagnostic`` naming the line of a malformed entry.
        public static func read(tsv path: String) throws -> [BatchQuery] {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ClearingHouseError(.notFound, "cannot read \(path)")
            }
            var queries: [BatchQuery] = []
            for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw Diagnostic(.error, file: path, line: index + 1, message: "expected qid<TAB>text")
                }
                queries.append(BatchQuery(id: parts[0], text: parts[1].trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            return queries
        }
    }

    /// The ranked record ids of one batch query.
    public struct BatchResult: Sendable, Hashable {
        /// The id of the ``BatchQuery`` these hits answer.
        public var queryID: String
        /// The hits' record ids and scores, best first.
        public var hits: [(id: String, score: Double)]
        /// Seconds spent answering the query.
        public var seconds: Double

        /// Two results are equal when their query ids and their hits' ids and scores are (not their time).
        public static func == (lhs: BatchResult, rhs: BatchResult) -> Bool {
            lhs.queryID == rhs.queryID && lhs.hits.map(\.id) == rhs.hits.map(\.id) && lhs.hits.map(\.score) == rhs.hits.map(\.score)
        }

        /// Hashes the query id and the hits' ids.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(queryID)
            hasher.combine(hits.map(\.id))
        }
    }

    /// The query for a test-collection topic: every word of the text, each optional (OR),
    /// with no query syntax (the text's punctuation is not operators).
    public static func bagOfWordsQuery(_ text: String) -> Query {
        let words = text.split { !$0.isLetter && !$0.isNumber }.map(String.init)
        return .boolean(words.map { .init(.should, .term(field: nil, text: $0)) }, minimumShouldMatch: 0)
    }

    /// The words of `text` as a query of the query syntax without operators: what a test
    /// collection's query means as a search (`AND`, `OR`, `NOT` are taken as words).
    public static func plainQueryText(_ text: String) -> String {
        text.split { !$0.isLetter && !$0.isNumber }
            .map { word in ["AND", "OR", "NOT"].contains(word) ? word.lowercased() : String(word) }
            .joined(separator: " ")
    }

    /// Answers many queries with one searcher (what `chm run` does).
    /// - Parameters:
    ///   - limit: hits per query.
    ///   - fields: text fields to search (`title`, `description`, ...); nil: all.
    ///   - expand: carry each query across languages through the thesaurus, as
    ///     ``SearchRequest/expand`` does.
    ///   - translationWeight: the weight of the translations (default ``translationWeight``),
    ///     for choosing it on evidence.
    ///   - correct: search unknown or rare words with their close spellings too, as
    ///     ``SearchRequest/correct`` does (off by default: a run measures the ranking of the
    ///     words as given, as the peers it is compared with do).
    ///   - documents: answer each query as `chm search --json` and the server do: with
    ///     ``search(_:)`` (the hits' records, snippets, the JSON document), so that the
    ///     latency measured is that of the same work a server does for the query. `fields`
    ///     and `translationWeight` do not apply then.
    public func run(
        _ queries: [BatchQuery], limit: Int = 1000, fields: [String]? = nil, expand: Bool = true,
        translationWeight: Double = ClearingHouse.translationWeight, correct: Bool = false, documents: Bool = false
    ) throws -> [BatchResult] {
        guard limit > 0 else { throw ClearingHouseError.parameter("limit", "\(limit) is below 1") }
        guard translationWeight > 0, translationWeight.isFinite else {
            throw ClearingHouseError.parameter("translationWeight", "\(translationWeight) is not a number above 0")
        }
        if documents {
            return try queries.map { query in
                let started = DispatchTime.now().uptimeNanoseconds
                let request = SearchRequest(query: Self.plainQueryText(query.text), limit: limit, expand: expand, correct: correct)
                let response = try search(request)
                _ = try JSONValue.utf8(encoding: response)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                return BatchResult(queryID: query.id, hits: response.hits.map { ($0.id, $0.score) }, seconds: seconds)
            }
        }
        let searcher = try openSearcher()
        let expander = expand || correct ? try thesaurus().expander : nil
        return try queries.map { query in
            let started = DispatchTime.now().uptimeNanoseconds
            var engineQuery = Self.bagOfWordsQuery(query.text)
            var knownWords: Set<String> = []
            if let expander {
                // (A word a label writes, and without translations a label's words, are not
                // typos, as in search(_:).)
                if correct { knownWords = Self.writtenLabelWords(of: engineQuery, expander: expander) }
                let expanded = expander.expand(engineQuery, weight: translationWeight).query
                if expand { engineQuery = expanded } else { knownWords.formUnion(Self.labelWords(of: expanded)) }
            }
            let results = try indexing {
                try searcher.search(
                    engineQuery, options: SearchOptions(limit: limit, fields: fields, correctSpelling: correct, knownWords: knownWords))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            return BatchResult(queryID: query.id, hits: results.hits.map { ($0.key, $0.score) }, seconds: seconds)
        }
    }

    /// Bytes on disk of the catalog and the index.
    public func diskUsage() -> Int64 {
        var total: Int64 = 0
        let fileManager = FileManager.default
        guard let enumerator = fileManager.enumerator(atPath: directory.path) else { return 0 }
        for case let name as String in enumerator {
            let path = directory.appendingPathComponent(name).path
            if let size = (try? fileManager.attributesOfItem(atPath: path))?[.size] as? NSNumber,
                (try? fileManager.attributesOfItem(atPath: path))?[.type] as? FileAttributeType == .typeRegular
            {
                total += size.int64Value
            }
        }
        return total
    }
}
