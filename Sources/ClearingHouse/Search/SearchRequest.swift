import SearchCore

/// Filters of a clearing-house search: values of one field combine with OR, different
/// fields with AND.
public struct SearchFilters: Sendable, Hashable {
    /// Record kinds to keep; empty keeps every kind.
    public var kinds: [RecordKind]
    /// ISO 3166-1 alpha-2 codes (any case).
    public var countries: [String]
    /// Regions, however spelt (`Asia and the Pacific` is `Asia-Pacific`); empty: any region.
    public var regions: [String]
    /// Themes (any case: `Marine` finds `marine`); empty: any theme.
    public var themes: [String]
    /// Policy targets such as `GBF-T2` (any case); empty: any target.
    public var targets: [String]
    /// Published on or after (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    public var since: String?
    /// Published on or before (a year or month includes all of it).
    public var until: String?
    /// Any facet field -> accepted values (`language` -> [`fr`]).
    public var fields: [String: [String]]

    /// Filters with the values given; with none, they keep every record.
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

    /// True when no filter is set, so that every record is kept.
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
        // A country is a code (QA: `--country Kenya` found nothing, without a word).
        for country in countries + (fields["country"] ?? []) where CountryCode.normalized(country) == nil {
            throw ClearingHouseError(
                .invalidQuery, "country: \"\(country)\" is not an ISO 3166-1 alpha-2 country code (two letters, such as KE for Kenya)",
                parameter: "country")
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
    /// The filters that hits must pass (none by default).
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

    /// A search for `query`, with the defaults of `chm search`: ten hits, expanded and corrected.
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

    /// The longest query taken, in code points: a paragraph pasted into the box is some
    /// thousands; a megabyte of text held a search thread for seconds (QA). A long text that
    /// describes a need is what ``MatchRequest/text`` takes.
    public static let maximumQueryLength = 10_000

    /// The error for a query longer than ``maximumQueryLength``, if `query` is.
    static func queryLengthProblem(_ query: String) -> ClearingHouseError? {
        // (Counted only as far as the limit: a long query is refused without a walk over all of it.)
        var count = 0
        for _ in query.unicodeScalars {
            count += 1
            if count > maximumQueryLength { break }
        }
        guard count > maximumQueryLength else { return nil }
        return ClearingHouseError(
            .invalidQuery,
            "q: the query is longer than \(maximumQueryLength) characters; search with fewer words (to find records that answer a long text, use match with a text)",
            parameter: "q")
    }

    /// The facet fields a request may ask for.
    public static let facetFields = ["kind", "country", "region", "theme", "target", "language", "year"]

    /// Checks every parameter, as ``ClearingHouse/search(_:)`` does first.
    /// - Throws: ``ClearingHouseError`` with code `invalidQuery`, naming the parameter:
    ///   `q: the query is longer than 10000 characters; ...`, `limit: -1 is below 0`, `offset: 200000 is above 100000; ...`,
    ///   `facets: unknown facet "colour"; facets are: ...`.
    public func validate() throws {
        if let problem = Self.queryLengthProblem(query) { throw problem }
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
