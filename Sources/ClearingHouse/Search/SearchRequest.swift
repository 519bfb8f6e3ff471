import SearchCore

/// A search of the clearing-house.
public struct SearchRequest: Sendable, Hashable {
    /// The query, in the syntax of `chm search` (terms, "phrases", AND/OR/NOT, +/-,
    /// parentheses, field:term, prefix*). An empty query matches every record.
    public var query: String
    /// Hits to return.
    public var limit: Int
    /// Hits to skip.
    public var offset: Int
    /// Count every match exactly (slower); otherwise ``SearchResponse/total`` is nil.
    public var countTotal: Bool
    /// Attach a score explanation to each hit.
    public var explain: Bool
    /// The language to show titles in (falls back to English, then any).
    public var language: String?

    public init(
        query: String, limit: Int = 10, offset: Int = 0, countTotal: Bool = false, explain: Bool = false,
        language: String? = nil
    ) {
        self.query = query
        self.limit = limit
        self.offset = offset
        self.countTotal = countTotal
        self.explain = explain
        self.language = language
    }
}

/// One hit of a clearing-house search.
public struct SearchResultHit: Sendable, Hashable {
    public var id: String
    public var kind: RecordKind
    /// The title in the asked language (or its fallback).
    public var title: String
    /// The language the title is shown in.
    public var titleLanguage: String
    public var score: Double
    /// Why the record scored as it did, when asked for.
    public var explanation: String?
}

/// The result of ``ClearingHouse/search(_:)``.
public struct SearchResponse: Sendable, Hashable {
    public var query: String
    /// Exact number of matches when the request asked to count them, else nil.
    public var total: Int?
    /// Matches seen while collecting the hits: a lower bound of the total.
    public var totalLowerBound: Int
    public var hits: [SearchResultHit]

    /// `{"query": ..., "total": N or null, "hits": [{"id", "kind", "title", "score"}, ...]}`.
    public var jsonValue: JSONValue {
        .object([
            ("query", .string(query)),
            ("total", total.map { .integer($0) } ?? .null),
            (
                "hits",
                .array(
                    hits.map { hit in
                        var members: [(String, JSONValue)] = [
                            ("id", .string(hit.id)), ("kind", .string(hit.kind.rawValue)), ("title", .string(hit.title)),
                            ("language", .string(hit.titleLanguage)), ("score", .double(hit.score)),
                        ]
                        if let explanation = hit.explanation { members.append(("explanation", .string(explanation))) }
                        return .object(members)
                    })
            ),
        ])
    }
}

/// Index figures for `chm stats`.
public struct IndexSummary: Sendable, Hashable {
    public var segments: Int
    public var documents: Int
    public var deletedDocuments: Int
    public var terms: Int
    public var postings: Int
    public var bytes: Int64
    /// The change-log position the index reflects.
    public var changeSequence: Int64

    public var jsonValue: JSONValue {
        .object([
            ("segments", .integer(segments)), ("documents", .integer(documents)),
            ("deletedDocuments", .integer(deletedDocuments)), ("terms", .integer(terms)),
            ("postings", .integer(postings)), ("bytes", .number(String(bytes))),
            ("changeSequence", .number(String(changeSequence))),
        ])
    }
}
