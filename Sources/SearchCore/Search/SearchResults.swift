/// Options of a search.
public struct SearchOptions: Sendable, Hashable {
    /// Hits to return.
    public var limit: Int
    /// Hits to skip (for paging).
    public var offset: Int
    /// Count every match exactly. Counting defeats pruning, so it is off by default and the
    /// total is then a lower bound.
    public var countTotal: Bool
    /// Attach a score explanation to each hit.
    public var explain: Bool
    /// Keyword filters: a document must match at least one value of every field given.
    public var filter: Filter?
    /// Keyword fields to count values of over the filtered matches (each field counted with
    /// its own filter removed, so the counts show the alternatives).
    public var facets: [String]
    /// The order of hits.
    public var sort: HitOrder
    /// The text fields that words without a field search (a name also means its `name.*`
    /// variants); nil: every text field.
    public var fields: [String]?
    /// Also search the close spellings of a word that the index does not have (or has far
    /// less often than a close spelling): a word of 5 to 8 letters within 1 edit, a longer
    /// one within 2, in the same field and language, ranked below exact matches. A close
    /// spelling must itself be in at least two documents (one document's word is as likely a
    /// typo as the query's); `word~` asks for every close spelling. The corrections are in
    /// ``SearchResults/corrections``.
    public var correctSpelling: Bool = false
    /// Words that are never searched with close spellings, however rare in the index: words
    /// known to be of some language (e.g. the words of a thesaurus label the query matched,
    /// when its translations are not searched).
    public var knownWords: Set<String> = []
    /// The searcher's language (a scoring group): of close spellings equally near a word,
    /// one in this language's fields is the one shown ("showing results for").
    public var preferredGroup: String?

    /// Options with the defaults: the first ten hits by relevance, no filter, facets or correction.
    public init(
        limit: Int = 10, offset: Int = 0, countTotal: Bool = false, explain: Bool = false, filter: Filter? = nil,
        facets: [String] = [], sort: HitOrder = .relevance, fields: [String]? = nil, correctSpelling: Bool = false,
        knownWords: Set<String> = [], preferredGroup: String? = nil
    ) {
        self.correctSpelling = correctSpelling
        self.knownWords = knownWords
        self.preferredGroup = preferredGroup
        self.fields = fields
        self.limit = limit
        self.offset = offset
        self.countTotal = countTotal
        self.explain = explain
        self.filter = filter
        self.facets = facets
        self.sort = sort
    }
}

/// How hits are ordered.
public enum HitOrder: Sendable, Hashable {
    /// By score, best first (ties by key).
    case relevance
    /// By the first value of a keyword field (documents without one last), ties by key.
    case keyword(field: String, descending: Bool)
}

/// A range of keyword values, compared as strings (so ISO dates and zero-padded numbers
/// order correctly). A value matches when it is >= `lower` and <= `upper`, or starts with
/// `upper` (so an upper bound of `2020` includes `2020-06-01`).
public struct KeywordRange: Sendable, Hashable {
    /// The lowest value that matches (inclusive); nil: no lower bound.
    public var lower: String?
    /// The highest value that matches (inclusive, and any value it is a prefix of); nil: no upper bound.
    public var upper: String?

    /// A range from `lower` to `upper`; a bound left out is open.
    public init(lower: String? = nil, upper: String? = nil) {
        self.lower = lower
        self.upper = upper
    }

    /// Whether `value` is in the range: at least `lower`, and at most `upper` or starting with it.
    public func contains(_ value: String) -> Bool {
        if let lower, value < lower { return false }
        if let upper, value > upper, !value.hasPrefix(upper) { return false }
        return true
    }
}

/// Keyword filters: values of one field combine with OR, different fields with AND.
public struct Filter: Sendable, Hashable {
    /// Accepted values per field (a value no document has as written also accepts the values
    /// that differ from it only in case).
    public var values: [String: Set<String>]
    /// Accepted ranges per field.
    public var ranges: [String: KeywordRange]

    /// A filter accepting `values` and `ranges` per field; with neither, it accepts every document.
    public init(_ values: [String: Set<String>] = [:], ranges: [String: KeywordRange] = [:]) {
        self.values = values
        self.ranges = ranges
    }

    /// True when the filter constrains no field, so that every document passes.
    public var isEmpty: Bool { values.isEmpty && ranges.isEmpty }

    /// The fields this filter constrains.
    public var fields: [String] { Array(Set(values.keys).union(ranges.keys)).sorted() }
}

/// One result.
public struct SearchHit: Sendable, Hashable {
    /// The document's key.
    public var key: String
    /// The document's BM25F score (higher is better).
    public var score: Double
    /// Why the document scored as it did (when asked for).
    public var explanation: Explanation?
    /// The field group (language) in which the document matched best, if the index has groups.
    public var group: String?
    /// The labels of the query's synonyms (``Synonyms/Word/label``) that the document matches,
    /// sorted (empty when the query has none).
    public var matchedSynonyms: [String] = []

    /// A hit, as a search makes it (public so that a program's tests can make one).
    public init(key: String, score: Double, explanation: Explanation? = nil, group: String? = nil, matchedSynonyms: [String] = []) {
        self.key = key
        self.score = score
        self.explanation = explanation
        self.group = group
        self.matchedSynonyms = matchedSynonyms
    }
}

/// The results of a search.
public struct SearchResults: Sendable, Hashable {
    /// The hits of the page asked for, best first (or in the order asked for).
    public var hits: [SearchHit]
    /// Matching documents: exact when ``totalIsExact``, else a lower bound.
    public var totalHits: Int
    /// Whether ``totalHits`` counts every match, or is a lower bound (see
    /// ``SearchOptions/countTotal``).
    public var totalIsExact: Bool
    /// Value counts per facet field (only asked-for fields).
    public var facets: [String: [String: Int]] = [:]
    /// The words searched with their close spellings, each with the likeliest spelling
    /// (``SearchOptions/correctSpelling`` and `word~`).
    public var corrections: [SpellingCorrection] = []

    /// Results, as a search makes them (public so that a program's tests can make some).
    public init(
        hits: [SearchHit], totalHits: Int, totalIsExact: Bool, facets: [String: [String: Int]] = [:],
        corrections: [SpellingCorrection] = []
    ) {
        self.hits = hits
        self.totalHits = totalHits
        self.totalIsExact = totalIsExact
        self.facets = facets
        self.corrections = corrections
    }
}

/// A word of a query and the close spelling it was searched with.
public struct SpellingCorrection: Sendable, Hashable {
    /// The word as typed.
    public var word: String
    /// The close spelling found in most documents, as written in them where the index
    /// keeps the written form, else as indexed.
    public var spelling: String
    /// Its edit distance from the word.
    public var distance: Int
    /// Documents with that spelling (in the field where it is most frequent).
    public var documentFrequency: Int
    /// Whether the query asked for it (`word~`); false: added because the word is unknown
    /// or rare.
    public var requested: Bool
    /// Documents with the word as typed (in the field where it is most frequent): 0 when the
    /// index does not have it, and only then does the spelling stand for the word ("showing
    /// results for"); a rare word is searched with its spelling beside it.
    public var wordDocumentFrequency: Int
    /// Whether `spelling` is only how records write the word, which the index has as a stem
    /// (`mangrov`, written `mangrove`): the search is unchanged, and a corrected query shows
    /// the word as written.
    public var isWrittenForm: Bool

    /// Whether the spelling stands for the word in a corrected query ("showing results for"):
    /// the word is in no document, or is shown as written.
    public var replacesWord: Bool { !requested && (wordDocumentFrequency == 0 || isWrittenForm) }
    /// Whether the spelling is searched beside the word, which documents have: asked for
    /// (`word~`), or a rare word's far more frequent neighbour (`bears`, `years`).
    public var isBesideTheWord: Bool { requested || (wordDocumentFrequency > 0 && !isWrittenForm) }

    /// A correction of `word` to `spelling`, as a search makes it (public so that tests can make one).
    public init(
        word: String, spelling: String, distance: Int, documentFrequency: Int, requested: Bool, wordDocumentFrequency: Int = 0,
        isWrittenForm: Bool = false
    ) {
        self.word = word
        self.spelling = spelling
        self.distance = distance
        self.documentFrequency = documentFrequency
        self.requested = requested
        self.wordDocumentFrequency = wordDocumentFrequency
        self.isWrittenForm = isWrittenForm
    }
}

/// A tree of score contributions, like Lucene's explain.
public struct Explanation: Sendable, Hashable, CustomStringConvertible {
    /// This contribution to the score.
    public var value: Double
    /// What the contribution is, as a formula or a few words (`tf / (k1 + tf) with k1 = 1.2`).
    public var summary: String
    /// The contributions this one is made of; empty for a leaf.
    public var details: [Explanation]

    /// A contribution of `value`, described by `summary`, made of `details`.
    public init(_ value: Double, _ summary: String, _ details: [Explanation] = []) {
        self.value = value
        self.summary = summary
        self.details = details
    }

    /// Indented text, one contribution per line.
    public var description: String {
        var lines: [String] = []
        func visit(_ node: Explanation, _ depth: Int) {
            lines.append(String(repeating: "  ", count: depth) + formatted(node.value) + " = " + node.summary)
            for child in node.details { visit(child, depth + 1) }
        }
        visit(self, 0)
        return lines.joined(separator: "\n")
    }

    private func formatted(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded() / 10_000
        return String(scaled)
    }
}
