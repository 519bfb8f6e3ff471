// Completions of the last word typed (the engine side of search-as-you-type): the words as
// written in the index that start with a prefix, ranked by how many live documents a search for
// them finds. Words come from the segments' word-form dictionaries (`WordForms.swift`) and from
// the terms that are words of their own; each segment reads only the prefix's range.

extension IndexSearcher {
    /// Words a completion considers per field and segment, at most (see ``completions(prefix:fields:limit:)``).
    public static let maximumCompletionCandidates = 2048

    /// The words of the index that start with `prefix`, as written (lower-cased and normalized,
    /// not stemmed), with the number of live documents that contain their term: the documents
    /// a search for the word finds in the fields. Largest first, ties in alphabetical order;
    /// at most `limit`.
    ///
    /// A word is a word form (`pollinators`, which is indexed as `pollin`; see ``Token/form``)
    /// or a term that some document has as a word of its own: a word the stemmer leaves alone
    /// (`forest`), a CJK bigram, any word of a field without stemming. Stems that no document
    /// has as a word (`pollin`) are not offered. The prefix is normalized by each field's
    /// analyzer (``Analyzer/normalizedWord(_:)``), so `Ёлк` completes to `елки` in Russian
    /// text. A word in several fields counts its largest frequency among them; one written in
    /// several segments, the sum over them. A word indexed under two terms (an analyzer's
    /// alternatives) counts the larger frequency.
    ///
    /// Each segment reads only the prefix's range of its term and word-form dictionaries (one
    /// block found through the sparse index, then the range, at most
    /// ``maximumCompletionCandidates`` words of it), and the frequency of a word is
    /// computed over live documents only for words that can still enter the top `limit`.
    ///
    /// - Parameters:
    ///   - prefix: What the user typed of the word.
    ///   - fields: Text fields to complete from (`title` also means `title.en`, `title.fr`,
    ///     ...); nil for every text field.
    ///   - limit: The greatest number of completions.
    /// - Throws: ``IndexError`` with code `invalidArgument` for an unknown field, `corrupt`
    ///   when a word-form dictionary is damaged.
    public func completions(prefix: String, fields: [String]? = nil, limit: Int = 10) throws(IndexError)
        -> [(word: String, documentFrequency: Int)]
    {
        guard limit > 0 else { return [] }
        // A prefix of one or two letters opens most of a dictionary: each field and segment
        // offers at most this many words, in dictionary order (the ranking is then among them).
        let perSegment = Self.maximumCompletionCandidates
        // Each candidate word with the (field, term) pairs it is searched as.
        var candidates: [String: Set<FieldTerm>] = [:]
        for field in try completionFields(fields) where fieldIsPopulated[field] {
            let written = schema.textFields[field].analyzer.normalizedWord(prefix)
            guard !written.isEmpty else { continue }
            let prefixBytes = Array(written.utf8)
            for segment in segments {
                let reader = segment.reader
                // Word forms, and the terms of the range that are only stems here.
                var stemsOnly = Set<String>()
                var seen = 0
                try reader.forEachWordForm(field: field, prefix: prefixBytes) { key, entry, dictionary in
                    let form = String(decoding: key[2...], as: UTF8.self)
                    if entry.isStemOnly { stemsOnly.insert(form) }
                    for term in reader.wordFormTerms(entry, key: key, dictionary: dictionary) {
                        candidates[form, default: []].insert(FieldTerm(field: field, term: String(decoding: term, as: UTF8.self)))
                    }
                    seen += 1
                    return seen < perSegment
                }
                for (term, _) in reader.terms(field: field, prefix: written, limit: perSegment) where !stemsOnly.contains(term) {
                    candidates[term, default: []].insert(FieldTerm(field: field, term: term))
                }
            }
        }
        // Document frequencies counting deleted documents bound the live ones from above:
        // exact counts are needed only until the k-th best exceeds every remaining bound.
        var bounds: [FieldTerm: Int] = [:]
        func bound(_ pair: FieldTerm) -> Int {
            if let known = bounds[pair] { return known }
            let total = segments.reduce(0) { $0 + ($1.reader.termInfo(field: pair.field, term: pair.term)?.documentFrequency ?? 0) }
            bounds[pair] = total
            return total
        }
        let ranked = candidates.map { word, pairs in (word: word, pairs: pairs, bound: pairs.map(bound).max() ?? 0) }
            .sorted { ($0.bound, $1.word) > ($1.bound, $0.word) }
        var results: [(word: String, documentFrequency: Int)] = []
        for candidate in ranked {
            if results.count >= limit, let last = results.last, last.documentFrequency > candidate.bound { break }
            let frequency = candidate.pairs.map { documentFrequency(field: $0.field, term: $0.term) }.max() ?? 0
            guard frequency > 0 else { continue }
            results.append((candidate.word, frequency))
            results.sort { ($0.documentFrequency, $1.word) > ($1.documentFrequency, $0.word) }
            if results.count > limit { results.removeLast() }
        }
        return results
    }

    /// The text fields named `names` (nil: all); a name also means its `name.*` variants.
    private func completionFields(_ names: [String]?) throws(IndexError) -> [Int] {
        // The planner's resolution of field names (`title` is also `title.en`, ...).
        try QueryPlanner(searcher: self, defaultFields: names).defaultTextFields()
    }
}

/// A term of one text field.
private struct FieldTerm: Hashable {
    let field: Int
    let term: String
}
