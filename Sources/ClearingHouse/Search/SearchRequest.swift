import SearchCore

/// Filters of a clearing-house search: values of one field combine with OR, different
/// fields with AND.
public struct SearchFilters: Sendable, Hashable {
    public var kinds: [RecordKind]
    /// ISO 3166-1 alpha-2 codes (any case).
    public var countries: [String]
    public var regions: [String]
    public var themes: [String]
    public var targets: [String]
    /// Published on or after (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    public var since: String?
    /// Published on or before (a year or month includes all of it).
    public var until: String?
    /// Any facet field -> accepted values (`language` -> [`fr`]).
    public var fields: [String: [String]]

    public init(
        kinds: [RecordKind] = [], countries: [String] = [], regions: [String] = [], themes: [String] = [],
        targets: [String] = [], since: String? = nil, until: String? = nil, fields: [String: [String]] = [:]
    ) {
        self.kinds = kinds
        self.countries = countries
        self.regions = regions
        self.themes = themes
        self.targets = targets
        self.since = since
        self.until = until
        self.fields = fields
    }

    public var isEmpty: Bool { engineFilter.isEmpty }

    /// Checks every value a front end may have taken from a user.
    /// - Throws: ``ClearingHouseError`` with code `invalidQuery`, naming the parameter:
    ///   `since: "2020-13" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)`.
    public func validate() throws {
        for (name, date) in [("since", since), ("until", until)] {
            guard let date, RecordDate.problemWithPublished(date) != nil else { continue }
            throw ClearingHouseError(.invalidQuery, "\(name): \"\(date)\" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", parameter: name)
        }
        for field in fields.keys.sorted() where !SearchRequest.facetFields.contains(field) {
            throw ClearingHouseError(
                .invalidQuery, "filter: unknown field \"\(field)\"; fields are: \(SearchRequest.facetFields.joined(separator: ", "))",
                parameter: field)
        }
        let named = [("country", countries), ("region", regions), ("theme", themes), ("target", targets)]
        for (field, values) in named + fields.sorted(by: { $0.key < $1.key }).map({ ($0.key, $0.value) }) where values.contains(where: { $0.unicodeScalars.allSatisfy(\.properties.isWhitespace) }) {
            throw ClearingHouseError(.invalidQuery, "\(field): an empty value matches nothing; leave the filter out", parameter: field)
        }
        // Each value is looked up in every segment: a request of a hundred thousand values would
        // hold a search thread for seconds (there are 249 countries and 23 targets).
        let counted: [(String, Int)] =
            [("kind", kinds.count), ("country", countries.count), ("region", regions.count), ("theme", themes.count), ("target", targets.count)]
            + fields.map { ($0.key, $0.value.count) }
        for (field, count) in counted.sorted(by: { $0.0 < $1.0 }) where count > Self.maximumValuesPerField {
            throw ClearingHouseError(
                .invalidQuery, "\(field): \(count) values; a filter takes at most \(Self.maximumValuesPerField) (its values are alternatives)",
                parameter: field)
        }
    }

    /// The most values one filter field takes.
    public static let maximumValuesPerField = 1_000

    /// The record kind named `text`, for front ends that take kinds as text.
    /// - Throws: ``ClearingHouseError`` naming the parameter `kind` and listing the kinds.
    public static func kind(named text: String) throws -> RecordKind {
        guard let kind = RecordKind(rawValue: text) else {
            let hint = RecordKind(looseName: text).map { " (did you mean \"\($0.rawValue)\"?)" } ?? ""
            throw ClearingHouseError(
                .invalidQuery,
                "kind: unknown kind \"\(text)\"\(hint); kinds are: \(RecordKind.allCases.map(\.rawValue).joined(separator: ", "))",
                parameter: "kind")
        }
        return kind
    }

    /// The same filters for the search engine.
    var engineFilter: Filter {
        var values: [String: Set<String>] = [:]
        func add(_ field: String, _ given: [String]) {
            guard !given.isEmpty else { return }
            values[field, default: []].formUnion(given)
        }
        add("kind", kinds.map(\.rawValue))
        add("country", countries.map { $0.uppercased() })
        // (A region however spelt, as the index holds it: "Asia and the Pacific" is "Asia-Pacific".)
        add("region", regions.map(CountryRegions.name(of:)))
        add("theme", themes)
        add("target", targets)
        for (field, given) in fields {
            switch field {
            case "country": add(field, given.map { $0.uppercased() })
            case "language": add(field, given.map { LanguageTag.normalized($0) ?? $0 })
            case "region": add(field, given.map(CountryRegions.name(of:)))
            default: add(field, given)
            }
        }
        var ranges: [String: KeywordRange] = [:]
        if since != nil || until != nil { ranges["published"] = KeywordRange(lower: since, upper: until) }
        return Filter(values, ranges: ranges)
    }
}

/// A search of the clearing-house.
public struct SearchRequest: Sendable, Hashable {
    /// How hits are ordered.
    public enum Sort: String, Sendable, Hashable, CaseIterable {
        case relevance
        /// Newest published first.
        case published
    }

    /// The query, in the syntax of `chm search` (terms, "phrases", AND/OR/NOT, +/-,
    /// parentheses, field:term, prefix*). An empty query matches every record.
    public var query: String
    public var filters: SearchFilters
    /// Facet fields to count (`kind`, `country`, `region`, `theme`, `target`, `language`, `year`).
    public var facets: [String]
    /// Hits to return.
    public var limit: Int
    /// Hits to skip.
    public var offset: Int
    /// The order; nil: by relevance, or newest first for an empty query.
    public var sort: Sort?
    /// At least this many of the query's optional words must match (0: any one).
    public var minimumMatch: Int
    /// Count every match exactly (slower); otherwise ``SearchResponse/total`` is nil.
    public var countTotal: Bool
    /// Attach a score explanation to each hit.
    public var explain: Bool
    /// The searcher's language: titles and snippets are shown in it, falling back to English,
    /// then any. Nil: each hit in the language that matched best.
    public var language: String?
    /// Carry the query across languages: words that match a thesaurus concept's label in any
    /// language also search its labels in the other languages, weighted below the query's
    /// own words (``ClearingHouse/translationWeight``). On by default (`--no-expand` turns it off).
    public var expand: Bool
    /// Forgive typos: a word that no record has (or far fewer than a close spelling) is also
    /// searched with its close spellings, ranked below exact matches
    /// (``SearchResponse/correctedQuery`` says what was searched). On by default
    /// (`--no-correct` turns it off); `word~` asks for close spellings of one word.
    public var correct: Bool

    public init(
        query: String, filters: SearchFilters = SearchFilters(), facets: [String] = [], limit: Int = 10,
        offset: Int = 0, sort: Sort? = nil, minimumMatch: Int = 0, countTotal: Bool = false, explain: Bool = false,
        language: String? = nil, expand: Bool = true, correct: Bool = true
    ) {
        self.query = query
        self.filters = filters
        self.facets = facets
        self.limit = limit
        self.offset = offset
        self.sort = sort
        self.minimumMatch = minimumMatch
        self.countTotal = countTotal
        self.explain = explain
        self.language = language
        self.expand = expand
        self.correct = correct
    }

    /// The deepest page a search may ask for: `offset` at most 100,000 (deeper pages cost a
    /// heap of that many hits; `chm export` and the export endpoint write every match).
    public static let maximumOffset = 100_000

    /// The facet fields a request may ask for.
    public static let facetFields = ["kind", "country", "region", "theme", "target", "language", "year"]

    /// Checks every parameter, as ``ClearingHouse/search(_:)`` does first.
    /// - Throws: ``ClearingHouseError`` with code `invalidQuery`, naming the parameter:
    ///   `limit: -1 is below 0`, `offset: 200000 is above 100000; ...`,
    ///   `facets: unknown facet "colour"; facets are: ...`.
    public func validate() throws {
        for (name, value) in [("limit", limit), ("offset", offset), ("minMatch", minimumMatch)] where value < 0 {
            throw ClearingHouseError(.invalidQuery, "\(name): \(value) is below 0", parameter: name)
        }
        if offset > Self.maximumOffset {
            throw ClearingHouseError(
                .invalidQuery, "offset: \(offset) is above \(Self.maximumOffset); export the records to read every match",
                parameter: "offset")
        }
        for facet in facets where !Self.facetFields.contains(facet) {
            throw ClearingHouseError(
                .invalidQuery, "facets: unknown facet \"\(facet)\"; facets are: \(Self.facetFields.joined(separator: ", "))",
                parameter: "facets")
        }
        if let language, LanguageTag.normalized(language) == nil {
            throw ClearingHouseError(.invalidQuery, "lang: \"\(language)\" is not a BCP 47 language tag", parameter: "lang")
        }
        try filters.validate()
    }
}

/// A passage of a record's text with the matched words marked.
public struct Snippet: Sendable, Hashable {
    /// The passage ("…" where it was cut).
    public var text: String
    /// The matched words, as character ranges of ``text``.
    public var highlights: [Range<Int>]
    /// The language of the passage.
    public var language: String

    /// The passage with `open` and `close` around each highlight (e.g. `<mark>`, `</mark>`).
    public func marked(open: String = "<mark>", close: String = "</mark>") -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + highlights.count * (open.utf8.count + close.utf8.count))
        // One walk over the characters: `index` is at character offset `position`.
        var index = text.startIndex
        var position = 0
        for range in highlights.sorted(by: { $0.lowerBound < $1.lowerBound }) where range.lowerBound >= position {
            let start = text.index(index, offsetBy: range.lowerBound - position, limitedBy: text.endIndex) ?? text.endIndex
            let end = text.index(start, offsetBy: range.count, limitedBy: text.endIndex) ?? text.endIndex
            output += text[index..<start]
            output += open
            output += text[start..<end]
            output += close
            index = end
            position = range.upperBound
        }
        output += text[index...]
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

    public var kind: Kind
    public var values: [String]
    /// The reason in English, as ``SearchResultHit/reasons`` words it.
    public var text: String

    public init(kind: Kind, values: [String], text: String) {
        self.kind = kind
        self.values = values
        self.text = text
    }
}

/// One hit of a clearing-house search.
public struct SearchResultHit: Sendable, Hashable {
    public var id: String
    public var kind: RecordKind
    /// The title in the shown language (or its fallback).
    public var title: String
    /// The language the hit is shown in.
    public var language: String
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
    public var query: String
    /// Exact number of matches when counted (asked for, or needed for facets or sorting), else nil.
    public var total: Int?
    /// Matches seen while collecting the hits: a lower bound of the total.
    public var totalLowerBound: Int
    public var hits: [SearchResultHit]
    /// Value counts per asked facet, each counted over the matches with the other filters applied.
    public var facets: [String: [String: Int]]
    /// What the query's words matched in the thesaurus and the translations searched with them.
    public var expansions: [QueryExpansion] = []
    /// Words searched with their close spellings, and the likeliest spelling of each.
    public var corrections: [SpellingCorrection] = []
    /// The index lags the catalog (a write is between the two, or was interrupted there): the results come
    /// from the last index commit, and miss the latest changes until a writer catches up
    /// (the next ingest or delete, or `chm check --repair`).
    public var stale = false
    /// The query with each word that was corrected automatically replaced by its likeliest
    /// spelling ("showing results for"); nil when no word was (``query`` stays as typed).
    public var correctedQuery: String?
    /// Names of facet values in the asked language (theme values that are thesaurus notations):
    /// facet -> value -> label.
    public var facetLabels: [String: [String: String]] = [:]

    /// `{"query": ..., "total": N or null, "hits": [{"id", "kind", "title", "language", "score", "snippet", ...}], "facets": {...}}`:
    /// the document ``encode(to:)`` writes.
    public var jsonValue: JSONValue { (try? JSONValue(encoding: self)) ?? .null }
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
    public var segments: Int
    public var documents: Int
    public var deletedDocuments: Int
    public var terms: Int
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
