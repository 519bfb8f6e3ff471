// "More like this": a query made of the most telling words of a text, for finding documents
// similar to a given one and for matching requests with offers.

/// A word of a text and how well it characterizes the text against the index.
public struct TellingWord: Sendable, Hashable {
    /// The word as written, lower-cased.
    public var word: String
    /// Its frequency in the texts times its idf in the index (the best over the fields it
    /// occurs in).
    public var weight: Double

    /// A telling `word` and its `weight`.
    public init(word: String, weight: Double) {
        self.word = word
        self.weight = weight
    }
}

extension IndexSearcher {
    /// The words of `texts` (field name -> texts, analyzed with each field's analyzer) that
    /// best characterize them, best first: each term is weighed by its frequency in the texts
    /// times its idf over all the live documents of the index. Words that occur in no indexed
    /// document (unless `keep` says otherwise), one-letter words (but a CJK character) and the
    /// words `accept` refuses (given the word as written, lower-cased) are left out.
    /// - Parameters:
    ///   - texts: field name -> texts; names that are not text fields are ignored.
    ///   - accept: whether a word (as written, lower-cased) may characterize a text.
    ///   - keep: whether a word that no document has still characterizes the text (e.g. a
    ///     word of a thesaurus label, found through its translations); it weighs as a word
    ///     of one document.
    public func tellingWords(
        _ texts: [String: [String]], accept: (String) -> Bool = { _ in true }, keep: (String) -> Bool = { _ in false }
    ) -> [TellingWord] {
        var weights: [String: Double] = [:]  // surface word -> best weight
        var keptWeights: [String: Double] = [:]  // words no field has, that `keep` keeps
        for (name, values) in texts {
            guard let field = fields.index(of: name), field < fields.textFieldCount else { continue }
            let analyzer = schema.textFields[field].analyzer
            var frequencies: [String: Int] = [:]
            var surfaces: [String: String] = [:]
            for text in values {
                let scalars = Array(text.unicodeScalars)
                for token in analyzer.tokens(text) {
                    frequencies[token.term, default: 0] += 1
                    if surfaces[token.term] == nil, token.start < token.end, token.end <= scalars.count {
                        surfaces[token.term] = String(String.UnicodeScalarView(scalars[token.start..<token.end]))
                    }
                }
            }
            for (term, frequency) in frequencies {
                guard let surface = surfaces[term], term.unicodeScalars.count > 1 || term.unicodeScalars.first.map({ $0.value >= 0x2E80 }) == true
                else { continue }
                let key = surface.lowercased()
                guard accept(key) else { continue }
                // The word may occur in another field of the same group (a summary word in titles).
                let group = groupOfField[field]
                let documentFrequency = groupOfField.indices.filter { groupOfField[$0] == group }
                    .map { self.documentFrequency(field: $0, term: term) }.max() ?? 0
                guard documentFrequency > 0 else {
                    if keep(key) { keptWeights[key] = max(keptWeights[key] ?? 0, Double(frequency) * idf(1)) }
                    continue
                }
                weights[key] = max(weights[key] ?? 0, Double(frequency) * idf(documentFrequency))
            }
        }
        // A kept word weighs as a word of one document only where no field has it (a word
        // common in its own language is not made rare by a field of another language).
        for (key, weight) in keptWeights where weights[key] == nil { weights[key] = weight }
        return weights.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { TellingWord(word: $0.key, weight: $0.value) }
    }

    /// A query of the words of `texts` (field name -> texts, analyzed with each field's
    /// analyzer) that best characterize them: each term is weighed by its frequency in the
    /// texts times its idf in the index, and the best `maximumTerms` become optional clauses.
    /// Words that occur in no indexed document, and those `accept` refuses (given as written,
    /// lower-cased), are left out.
    /// - Returns: the query and the words chosen, best first (nil when no word qualifies).
    public func moreLikeThis(
        _ texts: [String: [String]], maximumTerms: Int = 25, accept: (String) -> Bool = { _ in true }
    ) -> (query: Query, words: [String])? {
        let chosen = tellingWords(texts, accept: accept).prefix(maximumTerms).map(\.word)
        guard !chosen.isEmpty else { return nil }
        let query = Query.boolean(chosen.map { .init(.should, .term(field: nil, text: $0)) }, minimumShouldMatch: 0)
        return (query, chosen)
    }
}
