// What a search, a match or a similar-records call answers: the hits with their snippets and
// reasons, the facets, the translations and corrections; and the index figures of `chm stats`.
// (Their JSON documents are in Reports/SearchResponse+Codable.swift.)
import SearchCore

/// A passage of a record's text with the matched words marked.
public struct Snippet: Sendable, Hashable {
    /// The passage ("…" where it was cut).
    public var text: String
    /// The matched words, as character ranges of ``text``.
    public var highlights: [Range<Int>]
    /// The language of the passage.
    public var language: String

    /// The passage with `open` and `close` around each highlight (e.g. `<mark>`, `</mark>`).
    /// The passage's own text is as the record has it, not escaped: a page that shows the
    /// result as HTML escapes it with ``marked(open:close:escaping:)``.
    public func marked(open: String = "<mark>", close: String = "</mark>") -> String {
        marked(open: open, close: close, escaping: { String($0) })
    }

    /// The passage with `open` and `close` around each highlight, and each piece of its own
    /// text passed through `escape` (HTML-escaped for a page; its control characters made
    /// visible for a terminal), so that the marks are the only markup.
    ///
    /// ```swift
    /// let html = snippet.marked(open: "<mark>", close: "</mark>") { text in
    ///     text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    /// }
    /// ```
    public func marked(open: String, close: String, escaping escape: (Substring) -> String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + highlights.count * (open.utf8.count + close.utf8.count))
        // One walk over the characters: `index` is at character offset `position`.
        var index = text.startIndex
        var position = 0
        for range in highlights.sorted(by: { $0.lowerBound < $1.lowerBound }) where range.lowerBound >= position {
            let start = text.index(index, offsetBy: range.lowerBound - position, limitedBy: text.endIndex) ?? text.endIndex
            let end = text.index(start, offsetBy: range.count, limitedBy: text.endIndex) ?? text.endIndex
            output += escape(text[index..<start])
            output += open
            output += escape(text[start..<end])
            output += close
            index = end
            position = range.upperBound
        }
        output += escape(text[index...])
        return output
    }
}

/// Why matchmaking proposed a record: the kind of evidence and its values as codes (assistance
/// types, theme notations, ISO country codes, region names, targets, words), with the English
/// sentence that ``SearchResultHit/reasons`` holds.
public struct MatchReason: Sendable, Hashable, Codable {
    /// The kinds of evidence.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// The offer gives what the request asks (`values`: assistance types).
        case offers
        /// The offer gives part of what the request asks (`values`: assistance types).
        case couldHelpWith
        /// The request asks for what the offer gives (`values`: assistance types).
        case asksFor
        /// The record shares the source's keywords or telling words (`values`: the words).
        case about
        /// Shared themes (`values`: theme notations).
        case sameTheme
        /// Shared countries (`values`: ISO 3166-1 alpha-2 codes).
        case sameCountry
        /// Shared regions (`values`: region names).
        case sameRegion
        /// The offer is open to every country (no `values`).
        case openToEveryCountry
        /// Shared policy targets (`values`: target codes such as `GBF-T2`).
        case sameTargets
        /// One of the two records names the other in `related` (no `values`).
        case namedAsRelated
        /// Both records list these assistance types (similar records; `values`: the types).
        case sameAssistanceType
    }

    /// The kind of evidence.
    public var kind: Kind
    /// The evidence as codes (assistance types, theme notations, country codes...); empty for some kinds.
    public var values: [String]
    /// The reason in English, as ``SearchResultHit/reasons`` words it.
    public var text: String

    /// A reason of `kind` with its `values`, worded in English as `text`.
    public init(kind: Kind, values: [String], text: String) {
        self.kind = kind
        self.values = values
        self.text = text
    }
}

/// One hit of a clearing-house search.
public struct SearchResultHit: Sendable, Hashable {
    /// The record's id, as stored in the catalog.
    public var id: String
    /// The record's kind.
    public var kind: RecordKind
    /// The title in the shown language (or its fallback).
    public var title: String
    /// The language the hit is shown in.
    public var language: String
    /// The hit's score: higher ranks first (comparable only within one response).
    public var score: Double
    /// The best passage of summary or description, when the query has words.
    public var snippet: Snippet?
    /// Why the record scored as it did, when asked for.
    public var explanation: String?
    /// Why the record was proposed (matchmaking and similar records), in English.
    public var reasons: [String] = []
    /// The same reasons with their evidence as data (codes, not words), for a front end that
    /// words them in its reader's language; empty where the reasons are only text (decoded
    /// from JSON).
    public var reasonDetails: [MatchReason] = []
    /// The thesaurus translations of the query that the record matched
    /// (`coral reefs [en] from коралловые рифы`).
    public var translations: [String] = []
}

/// The result of ``ClearingHouse/search(_:)``.
public struct SearchResponse: Sendable, Hashable {
    /// The query as given (for matchmaking and similar records, the text or the source record's id).
    public var query: String
    /// Exact number of matches when counted (asked for, or needed for facets or sorting), else nil.
    public var total: Int?
    /// Matches seen while collecting the hits: a lower bound of the total.
    public var totalLowerBound: Int
    /// The hits of the page asked for, best first (or in the order asked for).
    public var hits: [SearchResultHit]
    /// Value counts per asked facet, each counted over the matches with the other filters applied.
    public var facets: [String: [String: Int]]
    /// What the query's words matched in the thesaurus and the translations searched with them.
    public var expansions: [QueryExpansion] = []
    /// Words searched with their close spellings, and the likeliest spelling of each.
    public var corrections: [SpellingCorrection] = []
    /// The index lags the catalog (a write is between the two, or was interrupted there), or
    /// is ahead of it (a catalog restored from a backup): the results come from the last index
    /// commit, show only records the catalog holds, and miss the latest changes until a writer
    /// catches up or rebuilds (the next ingest or delete, or `chm check --repair`).
    public var stale = false
    /// Every word of the query is a stop word (`the of and`, `el de la y`): a word so common
    /// that the fields of its language do not index it. Without filters nothing matched (the
    /// words can match nothing); with filters the words were left out, and the hits are the
    /// filters' records, as an empty query lists them. Front ends say so rather than only "no
    /// records match".
    public var onlyStopWords = false
    /// The query with each word that was corrected automatically replaced by its likeliest
    /// spelling ("showing results for"); nil when no word was (``query`` stays as typed).
    public var correctedQuery: String?
    /// Names of facet values in the asked language (theme values that are thesaurus notations):
    /// facet -> value -> label.
    public var facetLabels: [String: [String: String]] = [:]

    /// `{"query": ..., "total": N or null, "hits": [{"id", "kind", "title", "language", "score", "snippet", ...}], "facets": {...}}`:
    /// the document ``encode(to:)`` writes.
    public var jsonValue: JSONValue { (try? JSONValue(encoding: self)) ?? .null }

    /// The ``expansions`` as far as `hit` matched them: each with only the translations
    /// found in the record (``SearchResultHit/translations``), in the query's order; empty
    /// when the hit was found by the query's own words alone. A front end words "found
    /// through" with it, in its reader's language.
    public func expansions(matchedBy hit: SearchResultHit) -> [QueryExpansion] {
        guard !hit.translations.isEmpty else { return [] }
        let matched = Set(hit.translations)
        return expansions.compactMap { expansion in
            var found = expansion
            found.added = expansion.added.filter { matched.contains(expansion.name(of: $0)) }
            return found.added.isEmpty ? nil : found
        }
    }
}

extension SearchResponse {
    /// The number of matches when it is known: ``total`` when the search counted them, or the
    /// hits up to this page's last when the page, asked from `offset` for at most `limit`
    /// hits, came back short having reached every match the search saw (not when the index
    /// is ``stale``, or a record deleted since the index's commit left the page short).
    /// Nil: only ``totalLowerBound`` is known.
    public func knownTotal(limit: Int, offset: Int) -> Int? {
        if let total { return total }
        guard !stale, !hits.isEmpty, hits.count < limit, offset + hits.count >= totalLowerBound else { return nil }
        return offset + hits.count
    }
}

/// Index figures for `chm stats`.
public struct IndexSummary: Sendable, Hashable {
    /// Segments in the index's current commit.
    public var segments: Int
    /// Live documents in the index: one per record (aliases are not indexed).
    public var documents: Int
    /// Deleted documents not yet merged away.
    public var deletedDocuments: Int
    /// Distinct (field, term) entries, summed over segments.
    public var terms: Int
    /// Postings (document, term) entries, summed over segments.
    public var postings: Int
    /// Bytes of every file in the index directory: the current commit's, and until the next
    /// commit also the previous one's (kept for searchers that opened it).
    public var bytes: Int64
    /// Bytes of the current commit's segment files: the index itself.
    public var segmentBytes: Int64
    /// Bytes of doc ids and frequencies (with skip data).
    public var postingsBytes: Int64
    /// The change-log position the index reflects.
    public var changeSequence: Int64

    /// The document ``encode(to:)`` writes.
    public var jsonValue: JSONValue { (try? JSONValue(encoding: self)) ?? .null }
}

extension QueryExpansion {
    /// `{"from": "коралловые рифы", "matched": ["ru"], "concept": "coral-reefs", "translations": [{"language": "en", "label": "coral reefs"}, ...]}`.
    public var jsonValue: JSONValue {
        .object([
            ("from", .string(source)), ("matched", .array(matchedGroups.map(JSONValue.string))), ("concept", .string(setID)),
            (
                "translations",
                .array(added.map { .object([("language", .string($0.group)), ("label", .string($0.text))]) })
            ),
        ])
    }

    /// `коралловые рифы [ru] → coral reefs [en], récifs coralliens [fr], …`.
    public var summary: String {
        "\(source) [\(matchedGroups.joined(separator: ", "))] → "
            + added.map { "\($0.text) [\($0.group)]" }.joined(separator: ", ")
    }
}
