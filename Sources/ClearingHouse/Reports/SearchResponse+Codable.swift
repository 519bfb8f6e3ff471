// The JSON documents of search, match and similar (`chm search --json`, ...): the keys, their
// order and the members left out are the ones README documents.
import SearchCore

extension SearchResultHit: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, kind, title, language, score, snippet, snippetText, highlights, reasons, translations, explanation
    }

    /// `{"id", "kind", "title", "language", "score"}`, then when there is a snippet `"snippet"`
    /// (highlights marked with `<mark>`), `"snippetText"` and `"highlights"` (`[[start, end]]`,
    /// in characters of `snippetText`), then `"reasons"` and `"translations"` when not empty,
    /// and `"explanation"` when there is one.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind.rawValue, forKey: .kind)
        try container.encode(title, forKey: .title)
        try container.encode(language, forKey: .language)
        try container.encode(score, forKey: .score)
        if let snippet {
            try container.encode(snippet.marked(), forKey: .snippet)
            try container.encode(snippet.text, forKey: .snippetText)
            try container.encode(snippet.highlights.map { [$0.lowerBound, $0.upperBound] }, forKey: .highlights)
        }
        if !reasons.isEmpty { try container.encode(reasons, forKey: .reasons) }
        if !translations.isEmpty { try container.encode(translations, forKey: .translations) }
        try container.encodeIfPresent(explanation, forKey: .explanation)
    }

    /// Reads a hit as ``encode(to:)`` writes it. The snippet's language is not in the
    /// document: it is taken to be the hit's.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kindName = try container.decode(String.self, forKey: .kind)
        guard let kind = RecordKind(rawValue: kindName) else {
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown kind \"\(kindName)\"")
        }
        self.init(
            id: try container.decode(String.self, forKey: .id), kind: kind, title: try container.decode(String.self, forKey: .title),
            language: try container.decode(String.self, forKey: .language), score: try container.decode(Double.self, forKey: .score),
            explanation: try container.decodeIfPresent(String.self, forKey: .explanation),
            reasons: try container.decodeIfPresent([String].self, forKey: .reasons) ?? [],
            translations: try container.decodeIfPresent([String].self, forKey: .translations) ?? [])
        if let text = try container.decodeIfPresent(String.self, forKey: .snippetText) {
            let pairs = try container.decodeIfPresent([[Int]].self, forKey: .highlights) ?? []
            var highlights: [Range<Int>] = []
            for pair in pairs {
                guard pair.count == 2, pair[0] <= pair[1] else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .highlights, in: container, debugDescription: "a highlight is [start, end] with start <= end")
                }
                highlights.append(pair[0]..<pair[1])
            }
            snippet = Snippet(text: text, highlights: highlights, language: language)
        }
    }
}

extension SearchResponse: Codable {
    private enum CodingKeys: String, CodingKey {
        case query, total, hits, stale, onlyStopWords, correctedQuery, corrections, expansions, facets, facetLabels
    }

    private enum CorrectionKeys: String, CodingKey {
        case word, spelling, distance, documents, requested, wordDocuments, writtenForm
    }

    private enum ExpansionKeys: String, CodingKey {
        case from, matched, concept, translations
    }

    private enum TranslationKeys: String, CodingKey {
        case language, label
    }

    /// `{"query", "total" (null unless counted), "hits": [...]}`, then only when they apply
    /// `"stale": true`, `"onlyStopWords": true`, `"correctedQuery"`, `"corrections": [{"word", "spelling", "distance",
    /// "documents", "requested", "wordDocuments"}]` (`"writtenForm": true` for a word the index has only as a stem), `"expansions": [{"from", "matched", "concept",
    /// "translations": [{"language", "label"}]}]`, `"facets"` (per facet name, in name order:
    /// value -> count, most frequent first) and `"facetLabels"` (facet -> value -> label).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(query, forKey: .query)
        try container.encode(total, forKey: .total)
        try container.encode(hits, forKey: .hits)
        if stale { try container.encode(true, forKey: .stale) }
        if onlyStopWords { try container.encode(true, forKey: .onlyStopWords) }
        try container.encodeIfPresent(correctedQuery, forKey: .correctedQuery)
        if !corrections.isEmpty {
            var list = container.nestedUnkeyedContainer(forKey: .corrections)
            for correction in corrections {
                var item = list.nestedContainer(keyedBy: CorrectionKeys.self)
                try item.encode(correction.word, forKey: .word)
                try item.encode(correction.spelling, forKey: .spelling)
                try item.encode(correction.distance, forKey: .distance)
                try item.encode(correction.documentFrequency, forKey: .documents)
                try item.encode(correction.requested, forKey: .requested)
                try item.encode(correction.wordDocumentFrequency, forKey: .wordDocuments)
                if correction.isWrittenForm { try item.encode(true, forKey: .writtenForm) }
            }
        }
        if !expansions.isEmpty {
            var list = container.nestedUnkeyedContainer(forKey: .expansions)
            for expansion in expansions { try Self.encode(expansion, into: list.nestedContainer(keyedBy: ExpansionKeys.self)) }
        }
        if !facets.isEmpty {
            var byName = container.nestedContainer(keyedBy: DynamicKey.self, forKey: .facets)
            for name in facets.keys.sorted() {
                var counts = byName.nestedContainer(keyedBy: DynamicKey.self, forKey: DynamicKey(name))
                let ordered = (facets[name] ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                for (value, count) in ordered { try counts.encode(count, forKey: DynamicKey(value)) }
            }
        }
        if !facetLabels.isEmpty {
            var byName = container.nestedContainer(keyedBy: DynamicKey.self, forKey: .facetLabels)
            for name in facetLabels.keys.sorted() {
                var labels = byName.nestedContainer(keyedBy: DynamicKey.self, forKey: DynamicKey(name))
                let named = facetLabels[name] ?? [:]
                for value in named.keys.sorted() { try labels.encode(named[value] ?? "", forKey: DynamicKey(value)) }
            }
        }
    }

    /// `{"from", "matched", "concept", "translations": [{"language", "label"}]}`.
    private static func encode(_ expansion: QueryExpansion, into container: KeyedEncodingContainer<ExpansionKeys>) throws {
        var container = container
        try container.encode(expansion.source, forKey: .from)
        try container.encode(expansion.matchedGroups, forKey: .matched)
        try container.encode(expansion.setID, forKey: .concept)
        var translations = container.nestedUnkeyedContainer(forKey: .translations)
        for label in expansion.added {
            var item = translations.nestedContainer(keyedBy: TranslationKeys.self)
            try item.encode(label.group, forKey: .language)
            try item.encode(label.text, forKey: .label)
        }
    }

    /// Reads a response as ``encode(to:)`` writes it. ``totalLowerBound`` is not in the
    /// document: it is taken to be ``total``, or the number of hits when that is null.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let total = try container.decodeIfPresent(Int.self, forKey: .total)
        let hits = try container.decode([SearchResultHit].self, forKey: .hits)
        self.init(
            query: try container.decode(String.self, forKey: .query), total: total, totalLowerBound: total ?? hits.count,
            hits: hits, facets: try container.decodeIfPresent([String: [String: Int]].self, forKey: .facets) ?? [:])
        stale = try container.decodeIfPresent(Bool.self, forKey: .stale) ?? false
        correctedQuery = try container.decodeIfPresent(String.self, forKey: .correctedQuery)
        facetLabels = try container.decodeIfPresent([String: [String: String]].self, forKey: .facetLabels) ?? [:]
        if container.contains(.corrections) {
            var list = try container.nestedUnkeyedContainer(forKey: .corrections)
            while !list.isAtEnd {
                let item = try list.nestedContainer(keyedBy: CorrectionKeys.self)
                corrections.append(
                    SpellingCorrection(
                        word: try item.decode(String.self, forKey: .word), spelling: try item.decode(String.self, forKey: .spelling),
                        distance: try item.decode(Int.self, forKey: .distance),
                        documentFrequency: try item.decode(Int.self, forKey: .documents),
                        requested: try item.decode(Bool.self, forKey: .requested),
                        wordDocumentFrequency: try item.decodeIfPresent(Int.self, forKey: .wordDocuments) ?? 0,
                        isWrittenForm: try item.decodeIfPresent(Bool.self, forKey: .writtenForm) ?? false))
            }
        }
        if container.contains(.expansions) {
            var list = try container.nestedUnkeyedContainer(forKey: .expansions)
            while !list.isAtEnd { expansions.append(try Self.decodeExpansion(try list.nestedContainer(keyedBy: ExpansionKeys.self))) }
        }
    }

    private static func decodeExpansion(_ item: KeyedDecodingContainer<ExpansionKeys>) throws -> QueryExpansion {
        var added: [SynonymSet.Label] = []
        var translations = try item.nestedUnkeyedContainer(forKey: .translations)
        while !translations.isAtEnd {
            let label = try translations.nestedContainer(keyedBy: TranslationKeys.self)
            added.append(
                SynonymSet.Label(text: try label.decode(String.self, forKey: .label), group: try label.decode(String.self, forKey: .language)))
        }
        return QueryExpansion(
            source: try item.decode(String.self, forKey: .from), matchedGroups: try item.decode([String].self, forKey: .matched),
            setID: try item.decode(String.self, forKey: .concept), added: added)
    }
}
