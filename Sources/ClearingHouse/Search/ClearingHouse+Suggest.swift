// Search-as-you-type: completions of the last word of a query from the index's words as
// written, and the titles of records that the query, completed, would find.
import SearchCore

/// What ``ClearingHouse/suggest(_:limit:language:)`` proposes for a query being typed.
public struct Suggestions: Sendable, Hashable, Codable {
    /// A completion of the last word.
    public struct Completion: Sendable, Hashable, Codable {
        /// The query with its last word completed (`mangrove restoration`).
        public var text: String
        /// The completed word (`restoration`).
        public var word: String
        /// Records that have the word.
        public var documents: Int
    }

    /// A record whose title matches the query as typed so far.
    public struct Title: Sendable, Hashable, Codable {
        /// The record's id.
        public var id: String
        /// Its title in the asked language (or its fallback).
        public var title: String
        /// The language the title is in.
        public var language: String
    }

    /// The query as typed.
    public var query: String
    /// Completions of its last word, most frequent first.
    public var completions: [Completion]
    /// Records whose title has a word starting with the last word (and the earlier words
    /// ranking them), best first.
    public var titles: [Title]

    /// `{"query", "completions": [{"text", "word", "documents"}], "titles": [{"id", "title", "language"}]}`:
    /// the document ``encode(to:)`` writes.
    public var jsonValue: JSONValue { (try? JSONValue(encoding: self)) ?? .null }

}

extension ClearingHouse {
    /// How many titles a suggestion shows at most.
    public static let suggestedTitles = 5

    /// Suggestions for a query being typed: the last word completed from the words of the
    /// index as records write them (`pollinat` -> `pollinators`, `pollination`), most frequent
    /// first, and the titles of the records that the query would find with its last word as a
    /// prefix of a title word. A query that ends with a space completes nothing (its last
    /// word is finished) but still suggests titles.
    ///
    /// - Parameters:
    ///   - query: What the user has typed so far.
    ///   - limit: The most completions.
    ///   - language: The user's language: completions from its texts come first, and titles
    ///     are shown in it.
    public func suggest(_ query: String, limit: Int = 10, language: String? = nil) throws -> Suggestions {
        var words = query.split(whereSeparator: \.isWhitespace).map(String.init)
        let last = query.last.map { $0.isWhitespace } == false ? words.popLast() ?? "" : ""
        let leading = query[..<(query.lastIndex(where: \.isWhitespace).map { query.index(after: $0) } ?? query.startIndex)]
        let searcher = try openSearcher()
        var completions: [Suggestions.Completion] = []
        if !last.isEmpty, limit > 0 {
            var found = try indexing { try searcher.completions(prefix: last, limit: limit) }
            // The words of the user's language first (`forêts sacr` -> `sacrées` before English
            // `sacred`), then the others.
            if let language, case let own = SearchIndex.fieldLanguage(language), own != SearchIndex.otherLanguage {
                let fields = SearchIndex.textFields.map { "\($0.name).\(own)" }
                let first = try indexing { try searcher.completions(prefix: last, fields: fields, limit: limit) }
                let words = Set(first.map(\.word))
                found = Array((first + found.filter { !words.contains($0.word) }).prefix(limit))
            }
            completions = found.map { Suggestions.Completion(text: leading + $0.word, word: $0.word, documents: $0.documentFrequency) }
        }
        var clauses = words.map { Query.Clause(.should, .term(field: nil, text: $0)) }
        if !last.isEmpty { clauses.append(Query.Clause(.must, .prefix(field: "title", prefix: last))) }
        var titles: [Suggestions.Title] = []
        if !clauses.isEmpty {
            let results = try indexing {
                try searcher.search(.boolean(clauses, minimumShouldMatch: 0), options: SearchOptions(limit: Self.suggestedTitles))
            }
            for hit in results.hits {
                guard let record = try record(id: hit.key) else { continue }
                let title = record.title.resolved(preferring: language ?? hit.group)
                titles.append(Suggestions.Title(id: record.id, title: title?.text ?? record.id, language: title?.language ?? record.language))
            }
        }
        return Suggestions(query: query, completions: completions, titles: titles)
    }
}
