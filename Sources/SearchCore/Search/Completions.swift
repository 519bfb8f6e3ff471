// Completions of the last word typed (the engine side of search-as-you-type): the words as
// written in the index that start with a prefix, ranked by how many live documents a search for
// them finds. Words come from the segments' word-form dictionaries (`WordForms.swift`) and from
// the terms that are words of their own; each segment reads only the prefix's range.

/// A word of the index that completes a prefix (see ``IndexSearcher/completions(prefix:fields:limit:)``).
public struct Completion: Sendable, Hashable {
    /// The word as written (lower-cased and normalized, not stemmed): `pollinators`.
    public var word: String
    /// Live documents that contain its term.
    public var documentFrequency: Int
    /// The term it is indexed as (`pollin`): words of one term are forms of one word.
    public var term: String
    /// The (text field, term) pairs it is searched as.
    var fieldTerms: [FieldTerm] = []

    /// A completion `word`, indexed as `term`, found in `documentFrequency` live documents.
    public init(word: String, documentFrequency: Int, term: String) {
        self.word = word
        self.documentFrequency = documentFrequency
        self.term = term
    }

    /// `completions` in their order, but one word per term first: the first word of each term,
    /// then the other forms, so that the forms of one word (`record`, `recorded`, `recorders`,
    /// `recording`, ...) do not fill the list before the other words (`reef`, `region`).
    public static func oneFormFirst(_ completions: [Completion]) -> [Completion] {
        formsFirst(completions, atMost: 1)
    }

    /// `completions` in their order, but at most `count` words of each term before the other
    /// forms (see ``oneFormFirst(_:)``).
    public static func formsFirst(_ completions: [Completion], atMost count: Int) -> [Completion] {
        var seen: [String: Int] = [:]
        var first: [Completion] = []
        var rest: [Completion] = []
        for completion in completions {
            let index = seen[completion.term, default: 0]
            seen[completion.term] = index + 1
            if index < count { first.append(completion) } else { rest.append(completion) }
        }
        return first + rest
    }
}

extension IndexSearcher {
    /// Words a completion considers per field and segment, at most (see ``completions(prefix:fields:limit:)``).
    public static let maximumCompletionCandidates = 2048

    /// The words of the index that start with `prefix`, as written (lower-cased and normalized,
    /// not stemmed), with the number of live documents that contain their term: the documents
    /// a search for the word finds in the fields. Largest first, ties in alphabetical order,
    /// then one word per term first (``Completion/oneFormFirst(_:)``, among the `4 * limit`
    /// largest); at most `limit`.
    ///
    /// A prefix of two characters or more that ends in a Chinese, Japanese or Korean one is
    /// completed by its last character's pairs, the way CJK text is indexed (`湿地保` ->
    /// `湿地保护`, through the pair `保护`, whose documents it counts; `edna监` -> `edna监测`).
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
        -> [Completion]
    {
        try noticingDamage { () throws(IndexError) in try findCompletions(prefix: prefix, fields: fields, limit: limit) }
    }

    private func findCompletions(prefix: String, fields: [String]?, limit: Int) throws(IndexError) -> [Completion] {
        guard limit > 0 else { return [] }
        let pool = limit * 4
        // A prefix of one or two letters opens most of a dictionary: each field and segment
        // offers at most this many words, in dictionary order (the ranking is then among them).
        let perSegment = Self.maximumCompletionCandidates
        // Each candidate word with the (field, term) pairs it is searched as.
        var candidates: [String: Set<FieldTerm>] = [:]
        for field in try completionFields(fields) where fieldIsPopulated[field] {
            var written = schema.textFields[field].analyzer.normalizedWord(prefix)
            guard !written.isEmpty else { continue }
            // A word that ends in a CJK character (`湿地保`, `edna监`): that character's pairs,
            // after the characters before it.
            var lead = ""
            let endsInCJK = written.unicodeScalars.last.map { ScalarClass($0.value) == .ideograph } ?? false
            if written.unicodeScalars.count >= 2, let last = written.unicodeScalars.last, endsInCJK {
                lead = String(String.UnicodeScalarView(written.unicodeScalars.dropLast()))
                written = String(last)
            }
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
                        candidates[lead + form, default: []].insert(FieldTerm(field: field, term: String(decoding: term, as: UTF8.self)))
                    }
                    seen += 1
                    return seen < perSegment
                }
                // (A CJK character is indexed on its own too: as a completion of itself it
                // would only repeat what was typed.)
                for (term, _) in reader.terms(field: field, prefix: written, limit: perSegment)
                where !stemsOnly.contains(term) && !(endsInCJK && term == written) {
                    candidates[lead + term, default: []].insert(FieldTerm(field: field, term: term))
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
        var results: [Completion] = []
        for candidate in ranked {
            if results.count >= pool, let last = results.last, last.documentFrequency > candidate.bound { break }
            var best: (frequency: Int, term: String) = (0, "")
            for pair in candidate.pairs {
                let frequency = documentFrequency(field: pair.field, term: pair.term)
                if frequency > best.frequency || frequency == best.frequency && pair.term < best.term { best = (frequency, pair.term) }
            }
            guard best.frequency > 0 else { continue }
            var completion = Completion(word: candidate.word, documentFrequency: best.frequency, term: best.term)
            completion.fieldTerms = candidate.pairs.sorted { ($0.field, $0.term) < ($1.field, $1.term) }
            results.append(completion)
            results.sort { ($0.documentFrequency, $1.word) > ($1.documentFrequency, $0.word) }
            if results.count > pool { results.removeLast() }
        }
        return Array(Completion.oneFormFirst(results).prefix(limit))
    }

    /// For each of `completions` (from ``completions(prefix:fields:limit:)`` of this searcher),
    /// the live documents that match `context` and contain the word: what ranks the
    /// completions of a query's last word by the words typed before it (`coral re` -> `reef`
    /// before `record`). `context` is matched, not scored: one pass over its matches marks
    /// them, then each word's postings are counted against the marks.
    ///
    /// - Throws: ``IndexError`` when `context` is not a valid query for this index.
    public func documentCounts(of completions: [Completion], matching context: Query) throws(IndexError) -> [Int] {
        try Self.checkDepth(context)
        return try noticingDamage { () throws(IndexError) in try countDocuments(of: completions, matching: context) }
    }

    private func countDocuments(of completions: [Completion], matching context: Query) throws(IndexError) -> [Int] {
        let planner = QueryPlanner(searcher: self, defaultFields: nil)
        guard let plan = try planner.plan(context) else { return completions.map { _ in 0 } }
        var counts = Array(repeating: 0, count: completions.count)
        for segment in segments {
            guard let scorer = makeScorer(plan, segment: segment) else { continue }
            var matching = DocumentSet(documentCount: segment.reader.documentCount)
            let deletions = segment.deletions
            while case let doc = scorer.nextDoc(), doc != noMoreDocs {
                if deletions.count == 0 || !deletions.contains(doc) { matching.insert(doc) }
            }
            guard matching.count > 0 else { continue }
            for (index, completion) in completions.enumerated() {
                // A document with the word in several fields counts once.
                var counted = DocumentSet(documentCount: segment.reader.documentCount)
                for pair in completion.fieldTerms {
                    guard let info = segment.reader.termInfo(field: pair.field, term: pair.term) else { continue }
                    let postings = segment.reader.postingsIterator(info)
                    while case let doc = postings.nextDoc(), doc != noMoreDocs {
                        if matching.contains(doc) { counted.insert(doc) }
                    }
                }
                counts[index] += counted.count
            }
        }
        return counts
    }

    /// The text fields named `names` (nil: all); a name also means its `name.*` variants.
    private func completionFields(_ names: [String]?) throws(IndexError) -> [Int] {
        // The planner's resolution of field names (`title` is also `title.en`, ...).
        try QueryPlanner(searcher: self, defaultFields: names).defaultTextFields()
    }
}

/// A term of one text field.
struct FieldTerm: Hashable, Sendable {
    let field: Int
    let term: String
}
