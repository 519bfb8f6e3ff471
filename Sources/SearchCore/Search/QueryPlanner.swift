// Turns a parsed Query into a plan: text is analyzed once per field with that field's
// analyzer, fields are resolved (`title` also means `title.en`, `title.zh`, ...), prefixes
// are expanded against the term dictionaries (and word forms), and each word gets its idf from
// statistics over the whole index. A CJK run becomes its bigrams, a synonym set one unit of its
// translations, and an unknown word (or `word~`) a unit of its close spellings too.
import Foundation

/// A query word (or phrase) searched in one field: for each position of the analyzed text,
/// the terms found there (several when an analyzer gives alternatives, such as a stem with
/// and without accents), and the positions relative to the first.
struct FieldPart: Hashable {
    var field: Int
    var weight: Double
    var terms: [[String]]
    var offsets: [Int]
    /// What the part stands for when it is not the query's own word (a synonym's label, or
    /// a close spelling), for explanations.
    var label: String? = nil
    /// The part is a synonym (a translation), which hits report (``SearchHit/matchedSynonyms``).
    var isSynonym = false
    /// Its words must be adjacent, in order (a phrase); false: anywhere in the field.
    var isPhrase = true
}

/// A word or phrase across fields, scored as one BM25F unit.
struct QueryUnit: Hashable {
    var label: String
    var parts: [FieldPart]
    var idf: Double
    var documentFrequency: Int
    /// How `idf` relates to the document frequency when it is not Lucene's formula of it
    /// (a phrase's sum, a weight), for explanations.
    var idfFactor: IDFFactor? = nil
    /// The boosts written around it (`coral^2`), multiplied: `idf` includes them.
    var boost = 1.0

    enum IDFFactor: Hashable {
        /// The sum of the idfs of the phrase's words (or several words at one place).
        case phraseSum(words: Int)
        /// A weight times the idf of the document frequency.
        case weight(Double, String)
    }
}

/// An executable query.
indirect enum QueryPlan: Hashable {
    case unit(QueryUnit)
    case keyword(field: Int, value: String)
    case boolean(must: [QueryPlan], should: [QueryPlan], mustNot: [QueryPlan], minimumShouldMatch: Int)
    case all
}

/// The spelling corrections made while planning one query.
final class CorrectionLog {
    var entries: [SpellingCorrection] = []
    /// Words looked up so far (``QueryPlanner/maximumCorrectedWords``).
    var lookups = 0
    /// Words found only as a stem, with the fields indexing them as themselves, whose written
    /// spelling is noted when some other word is corrected.
    var stems: [(word: String, normalized: String, fields: [Int])] = []
}

struct QueryPlanner {
    let searcher: IndexSearcher
    /// Fields searched by words without a field (nil: every text field).
    var defaultFields: [String]? = nil
    /// Search unknown or rare words with their close spellings too.
    var correctSpelling = false
    /// The corrections made (``SearchResults/corrections``).
    let corrections = CorrectionLog()
    /// The searcher's language (``SearchOptions/preferredGroup``).
    var preferredGroup: String?
    /// Words of the boolean being planned that a synonym set's label matched, and
    /// ``SearchOptions/knownWords``: never searched with close spellings.
    var knownWords: Set<String> = []
    /// Prefix queries expand to at most this many terms (the most frequent are kept).
    static let maximumPrefixExpansions = 128
    /// A factor on the score of close spellings: a document with the word as typed ranks
    /// above one with a close spelling of it.
    static let closeSpellingWeight = 0.3
    /// A word found in at most this many documents is rare enough to look for close
    /// spellings (a word found in none always is).
    static let rareWordDocuments = 3
    /// A rare word is corrected to a close spelling found in at least this many times as
    /// many documents.
    static let correctionFrequencyRatio = 20
    /// An unknown word is corrected automatically only to a spelling found in at least this
    /// many documents.
    static let minimumCorrectionDocuments = 2
    /// Close spellings searched per field, at most (the most frequent).
    static let maximumCloseSpellings = 8
    /// Words of one query looked up for close spellings, at most: each lookup walks every
    /// field's dictionaries, and a query of a thousand typos should not cost a thousand walks.
    static let maximumCorrectedWords = 16

    /// The most edits allowed between a word of `length` letters and a close spelling:
    /// none below 5 letters (too many short words are a letter apart), 1 up to 8, then 2.
    static func automaticEdits(length: Int) -> Int { length < 5 ? 0 : length <= 8 ? 1 : 2 }

    /// The plan of `query`, or nil when it can match nothing (e.g. only stop words).
    func plan(_ query: Query) throws(IndexError) -> QueryPlan? {
        switch query {
        case .matchAll:
            return .all
        case .term(let field, let text), .phrase(let field, let text):
            if let field, let keywordField = keywordField(field) {
                return keywordPlan(field: keywordField, value: text)
            }
            if case .term = query {
                // A Chinese, Japanese or Korean run typed without spaces is several words:
                // each bigram is searched on its own (OR), so a record that has the words
                // apart still matches, ranked by how many it has. Quotes make a phrase.
                let pieces = Self.bigramPieces(text)
                if pieces.count > 1 {
                    let fields = try textFields(field)
                    let units = pieces.compactMap { piece in
                        unit(text: piece, fields: fields, label: (field.map { "\($0):" } ?? "") + piece)
                    }
                    if units.count <= 1 { return units.first }
                    return .boolean(must: [], should: units, mustNot: [], minimumShouldMatch: 0)
                }
            }
            let fields = try textFields(field)
            let exact = unit(text: text, fields: fields, label: query.label)
            if case .term = query, correctSpelling,
                let corrected = try closeSpellings(
                    of: text, fields: fields, maxEdits: nil, requested: false, exact: exact, isLabelWord: knownWords.contains(text))
            {
                guard let exact else { return corrected }
                return .boolean(must: [], should: [exact, corrected], mustNot: [], minimumShouldMatch: 0)
            }
            return exact
        case .fuzzy(let field, let text, let maxEdits):
            if let field, let keywordField = keywordField(field) {
                return keywordPlan(field: keywordField, value: text)
            }
            let fields = try textFields(field)
            let exact = unit(text: text, fields: fields, label: query.label)
            guard let corrected = try closeSpellings(of: text, fields: fields, maxEdits: maxEdits, requested: true, exact: exact)
            else { return exact }
            guard let exact else { return corrected }
            return .boolean(must: [], should: [exact, corrected], mustNot: [], minimumShouldMatch: 0)
        case .prefix(let field, let prefix):
            return try prefixPlan(field: field, prefix: prefix)
        case .synonyms(let synonyms):
            return try synonymUnit(synonyms)
        case .boost(let inner, let factor):
            return try plan(inner).map { Self.boosted($0, by: factor) }
        case .boolean(let written, let writtenMinimum):
            let (clauses, minimum) = writtenMinimum <= 1 ? filtersRequired(written, minimum: writtenMinimum) : (written, writtenMinimum)
            var must: [QueryPlan] = []
            var should: [QueryPlan] = []
            var mustNot: [QueryPlan] = []
            // The words of a synonym set's label that the query matched are words of their
            // language, however rare in the index: they are not corrected (`الشعاب`, reefs,
            // is not a typo of `الشباب`, youth).
            let labelWords = Set(
                clauses.flatMap { clause -> [String] in
                    guard case .synonyms(let synonyms) = clause.query else { return [] }
                    return synonyms.source.split(whereSeparator: \.isWhitespace).map(String.init).filter { !synonyms.misspelt.contains($0) }
                })
            var inner = self
            inner.knownWords = knownWords.union(labelWords)
            for clause in clauses {
                guard let planned = try inner.plan(clause.query) else {
                    // A required clause that can match nothing makes the query match nothing,
                    // unless it is only stop words, which are simply dropped.
                    if clause.occur == .must, !isOnlyStopWords(clause.query) { return nil }
                    continue
                }
                switch clause.occur {
                case .must: must.append(planned)
                case .should:
                    // The words of a CJK run join their neighbours as words of this level
                    // (the same matches and scores, and the one-list fast path); a boosted
                    // run's too (`红树林^2`: its words' idfs carry the boost).
                    if Self.isTerm(clause.query), minimum <= 1,
                        case .boolean(let innerMust, let innerShould, let innerMustNot, 0) = planned,
                        innerMust.isEmpty, innerMustNot.isEmpty
                    {
                        should.append(contentsOf: innerShould)
                    } else {
                        should.append(planned)
                    }
                case .mustNot: mustNot.append(planned)
                }
            }
            if must.isEmpty && should.isEmpty {
                guard !mustNot.isEmpty else { return nil }
                must = [.all]
            }
            if must.count == 1, should.isEmpty, mustNot.isEmpty { return must[0] }
            if must.isEmpty, should.count == 1, mustNot.isEmpty, minimum <= 1 { return should[0] }
            return .boolean(must: must, should: should, mustNot: mustNot, minimumShouldMatch: minimum)
        }
    }

    /// Whether `query` is a word (`.term`), boosted or not.
    private static func isTerm(_ query: Query) -> Bool {
        switch query {
        case .term: true
        case .boost(let inner, _): isTerm(inner)
        default: false
        }
    }

    /// `plan` with the score of each of its units counting `factor` times (a boost scales the
    /// idf, so the block bounds of the fast paths scale with it); keyword clauses filter and
    /// have no score to scale.
    static func boosted(_ plan: QueryPlan, by written: Double) -> QueryPlan {
        // (A negative or non-finite factor, which only the library's callers can write, would
        // make bounds negative: it counts as 0.)
        let factor = written.isFinite ? max(0, written) : 0
        switch plan {
        case .unit(var unit):
            unit.idf *= factor
            unit.boost *= factor
            return .unit(unit)
        case .boolean(let must, let should, let mustNot, let minimum):
            return .boolean(
                must: must.map { boosted($0, by: factor) }, should: should.map { boosted($0, by: factor) }, mustNot: mustNot,
                minimumShouldMatch: minimum)
        case .keyword, .all:
            return plan
        }
    }

    /// The words of a term typed without spaces: each run of Han, kana or Hangul of three or
    /// more characters gives its overlapping bigrams, a shorter run itself, and the text
    /// between runs one piece each. A term with no such run (or one bigram) is one piece.
    static func bigramPieces(_ text: String) -> [String] {
        var pieces: [String] = []
        var run: [Unicode.Scalar] = []
        var other = String.UnicodeScalarView()
        func flushRun() {
            if run.count <= 2 {
                if !run.isEmpty { pieces.append(String(String.UnicodeScalarView(run))) }
            } else {
                for index in 0..<(run.count - 1) {
                    pieces.append(String(String.UnicodeScalarView(run[index...(index + 1)])))
                }
            }
            run.removeAll()
        }
        func flushOther() {
            if other.contains(where: { ScalarClass($0.value).isWordPart }) { pieces.append(String(other)) }
            other = String.UnicodeScalarView()
        }
        for scalar in text.unicodeScalars {
            if ScalarClass(scalar.value) == .ideograph {
                flushOther()
                run.append(scalar)
            } else {
                flushRun()
                other.append(scalar)
            }
        }
        flushRun()
        flushOther()
        return pieces
    }

    /// The terms of `tokens` grouped by position (alternatives such as a stem with and
    /// without accents share one), and each position's offset from the first; nil when there
    /// are no tokens.
    static func termsByPosition(_ tokens: [Token]) -> (terms: [[String]], offsets: [Int])? {
        guard let first = tokens.first else { return nil }
        var positions: [Int] = []
        var alternatives: [Int: [String]] = [:]
        for token in tokens {
            if alternatives[token.position] == nil { positions.append(token.position) }
            if alternatives[token.position]?.contains(token.term) != true {
                alternatives[token.position, default: []].append(token.term)
            }
        }
        return (positions.map { alternatives[$0] ?? [] }, positions.map { $0 - first.position })
    }

    private func isOnlyStopWords(_ query: Query) -> Bool {
        switch query {
        case .boost(let inner, _):
            return isOnlyStopWords(inner)
        case .term(_, let text), .phrase(_, let text), .fuzzy(_, let text, _):
            return searcher.schema.textFields.allSatisfy { $0.analyzer.tokens(text).isEmpty }
        default:
            return false
        }
    }

    /// `clauses` with their optional keyword clauses made filters when the clauses also search
    /// text: `kind:caseStudy coral` is coral among case studies, not case studies or coral.
    /// Values of one field are alternatives, different fields all apply (as `SearchFilters`
    /// do): `kind:caseStudy kind:technology country:KE coral`. Keyword clauses alone keep
    /// their operator (`kind:caseStudy OR kind:technology`).
    private func filtersRequired(_ clauses: [Query.Clause], minimum: Int) -> ([Query.Clause], Int) {
        var values: [String: [Query]] = [:]
        var fieldOrder: [String] = []
        var groups: [Query.Clause] = []
        var others: [Query.Clause] = []
        for written in clauses {
            let clause = isKeywordClause(written.query) ? Query.Clause(written.occur, Self.unboosted(written.query)) : written
            switch (clause.occur, clause.query) {
            case (.should, .term(let field?, _)) where keywordField(field) != nil, (.should, .phrase(let field?, _)) where keywordField(field) != nil:
                if values[field] == nil { fieldOrder.append(field) }
                values[field, default: []].append(clause.query)
            case (.should, .boolean) where isKeywordClause(clause.query):
                // `(kind:caseStudy OR kind:technology)`, `theme:a AND theme:b`: one filter.
                groups.append(Query.Clause(.must, clause.query))
            default:
                others.append(clause)
            }
        }
        let hasWords = others.contains { $0.occur != .mustNot && !isKeywordClause($0.query) }
        let hasFilters = !values.isEmpty || !groups.isEmpty || others.contains { $0.occur == .must && isKeywordClause($0.query) }
        guard hasWords, hasFilters else { return (clauses, minimum) }
        let filters = fieldOrder.map { field in
            let alternatives = values[field] ?? []
            return Query.Clause(
                .must, alternatives.count == 1 ? alternatives[0] : .boolean(alternatives.map { Query.Clause(.should, $0) }, minimumShouldMatch: 0))
        }
        // Words that were all optional stay the reason to match: one of them is now required
        // (beside required words they only ever added to the score, and still do). A required
        // keyword clause (`+kind:caseStudy`) is a filter, not a word.
        let wordsOnly = !others.contains { $0.occur == .must && !isKeywordClause($0.query) }
        return (others + filters + groups, wordsOnly ? max(minimum, 1) : minimum)
    }

    /// `name:value` on a keyword field: the values it stands for
    /// (``IndexSearcher/keywordValues(field:matching:)``: `theme:Marine` finds `marine`).
    private func keywordPlan(field: Int, value: String) -> QueryPlan {
        let values = searcher.keywordValues(field: field, matching: value)
        if values.count == 1 { return .keyword(field: field, value: values[0]) }
        return .boolean(must: [], should: values.map { .keyword(field: field, value: $0) }, mustNot: [], minimumShouldMatch: 0)
    }

    /// Whether `query` is a keyword clause (`kind:caseStudy`) or a group of only such clauses
    /// (`(kind:caseStudy OR kind:technology)`, `theme:a AND theme:b`).
    private func isKeywordClause(_ query: Query) -> Bool {
        switch query {
        case .term(let field?, _), .phrase(let field?, _): return keywordField(field) != nil
        case .boolean(let clauses, _): return !clauses.isEmpty && clauses.allSatisfy { isKeywordClause($0.query) }
        case .boost(let inner, _): return isKeywordClause(inner)
        default: return false
        }
    }

    /// `query` without its boosts (a filter's boost changes nothing: filters have no score).
    private static func unboosted(_ query: Query) -> Query {
        switch query {
        case .boost(let inner, _): return unboosted(inner)
        case .boolean(let clauses, let minimum): return .boolean(clauses.map { Query.Clause($0.occur, unboosted($0.query)) }, minimumShouldMatch: minimum)
        default: return query
        }
    }

    private func keywordField(_ name: String) -> Int? {
        guard let index = searcher.fields.index(of: name), searcher.fields.kinds[index] == .keyword else { return nil }
        return index
    }

    /// Text fields for `name` (nil: all), with `name` also matching `name.*` variants.
    /// The text fields that words without a field search (``defaultFields``, resolved).
    func defaultTextFields() throws(IndexError) -> [Int] { try textFields(nil) }

    private func textFields(_ name: String?) throws(IndexError) -> [Int] {
        let textFields = Array(0..<searcher.fields.textFieldCount)
        guard let name else {
            guard let defaultFields else { return textFields }
            var fields: [Int] = []
            for field in defaultFields { fields += try self.textFields(field) }
            return Array(Set(fields)).sorted()
        }
        let matching = textFields.filter {
            searcher.fields.names[$0] == name || searcher.fields.names[$0].hasPrefix(name + ".")
        }
        guard !matching.isEmpty else {
            if keywordField(name) != nil {
                // (`kind:technology` is a whole value of a keyword field; `*`, `~` and phrases
                // are for text.)
                throw IndexError(
                    .invalidArgument,
                    "\"\(name)\" takes whole values (\(name):VALUE); wildcards, close spellings and phrases are for text fields",
                    field: name)
            }
            throw IndexError(.invalidArgument, "unknown field \"\(name)\"; fields are: \(Self.fieldNames(searcher.schema))", field: name)
        }
        return matching
    }

    /// The field names a query may use, as a person writes them: each text field's name
    /// without its variants (`title`, not `title.en` ... `title.zh`), the variants' suffixes
    /// once, then the keyword fields.
    static func fieldNames(_ schema: Schema) -> String {
        var bases: [String] = []
        var variants: [String] = []
        for name in schema.textFields.map(\.name) {
            let (base, variant) = name.lastIndex(of: ".").map { (String(name[..<$0]), String(name[name.index(after: $0)...])) } ?? (name, "")
            if !bases.contains(base) { bases.append(base) }
            if !variant.isEmpty, !variants.contains(variant) { variants.append(variant) }
        }
        let text = bases.joined(separator: ", ") + (variants.isEmpty ? "" : " (each also as NAME.\(variants.joined(separator: "|")))")
        return ([text] + schema.keywordFields).joined(separator: ", ")
    }

    private func unit(text: String, fields: [Int], label: String) -> QueryPlan? {
        var parts: [FieldPart] = []
        var joinedParts: [FieldPart] = []
        // Fields no document has text in cannot match (e.g. languages absent from the index).
        for field in fields where searcher.fieldIsPopulated[field] {
            let definition = searcher.schema.textFields[field]
            let (split, joined) = Self.compoundPaths(definition.analyzer.tokens(text))
            guard let (terms, offsets) = Self.termsByPosition(split) else { continue }
            parts.append(FieldPart(field: field, weight: searcher.fieldWeights[field], terms: terms, offsets: offsets))
            if let joined, let (terms, offsets) = Self.termsByPosition(joined) {
                joinedParts.append(FieldPart(field: field, weight: searcher.fieldWeights[field], terms: terms, offsets: offsets))
            }
        }
        guard let split = unit(parts: parts, label: label) else { return nil }
        // A hyphenated compound (`agro-forestry`) is indexed as its parts and joined: it is
        // searched both ways, so that a record that writes it as one word (`agroforestry`)
        // matches too.
        guard let joined = unit(parts: joinedParts, label: label) else { return split }
        return .boolean(must: [], should: [split, joined], mustNot: [], minimumShouldMatch: 1)
    }

    /// The tokens of a text without its joined compounds (a token whose text spans shorter
    /// tokens at two or more positions, as `agroforestri` spans `agro` and `forestri`), and, when it
    /// has some, the tokens with each compound in place of its parts, positions closed up.
    static func compoundPaths(_ tokens: [Token]) -> (split: [Token], joined: [Token]?) {
        func isCompound(_ token: Token) -> Bool {
            var positions: Set<Int> = []
            // (Parts are shorter and inside: an analyzer without offsets makes no compound.)
            for other in tokens
            where other.start >= token.start && other.end <= token.end && other.start < other.end
                && other.end - other.start < token.end - token.start
            {
                positions.insert(other.position)
            }
            return positions.count >= 2
        }
        let compounds = tokens.filter(isCompound)
        guard !compounds.isEmpty else { return (tokens, nil) }
        let split = tokens.filter { !compounds.contains($0) }
        let covered = split.filter { part in compounds.contains { $0.start <= part.start && part.end <= $0.end } }
        var joined = tokens.filter { !covered.contains($0) }
        // Each compound takes its parts' places: what follows it moves up by the places its
        // later parts held, and other gaps (a stop word's) stay, as the index keeps them.
        let spans = compounds.map { compound in
            (position: compound.position,
             saved: (covered.filter { compound.start <= $0.start && $0.end <= compound.end }.map(\.position).max() ?? compound.position)
                - compound.position)
        }
        for index in joined.indices {
            let position = joined[index].position
            joined[index].position = position - spans.filter { $0.position < position }.reduce(0) { $0 + $1.saved }
        }
        joined.sort { $0.position < $1.position }
        return (split, joined)
    }

    /// One BM25 unit of `parts` (a word or a phrase in each of its fields).
    private func unit(parts: [FieldPart], label: String) -> QueryPlan? {
        guard !parts.isEmpty else { return nil }
        // idf: a single term's document frequency is the largest over its fields (as in
        // Lucene's CombinedFieldQuery); a phrase's idf is the sum of its terms' idfs (the
        // largest such sum over the fields).
        var best = 0.0
        var frequency = 0
        for part in parts {
            let frequencies = part.terms.map { alternatives in
                alternatives.map { searcher.documentFrequency(field: part.field, term: $0) }.max() ?? 0
            }
            frequency = max(frequency, frequencies.max() ?? 0)
            if part.terms.count > 1 { best = max(best, frequencies.reduce(0.0) { $0 + searcher.idf($1) }) }
        }
        if parts.allSatisfy({ $0.terms.count == 1 }) { best = searcher.idf(frequency) }
        let words = parts.map(\.terms.count).max() ?? 1
        return .unit(
            QueryUnit(
                label: label, parts: parts, idf: best, documentFrequency: frequency,
                idfFactor: words > 1 ? .phraseSum(words: words) : nil))
    }

    /// The close spellings of `word` in `fields` as one unit (nil when there are none to
    /// search): the index's words within the allowed edits, found by walking each field's
    /// dictionary with a Levenshtein automaton (never by reading every term). With
    /// `requested` false the search is automatic: only a word of 5 letters or more that no
    /// document has (or at most ``rareWordDocuments``, when a close spelling is in
    /// ``correctionFrequencyRatio`` times as many) is corrected; `word~` (requested) looks
    /// for close spellings of any word longer than the edits allowed (1 edit for up to 8
    /// letters, 2 beyond, or `maxEdits` when given). The spellings count as one
    /// BM25 unit with the word (the largest document frequency), scaled by
    /// ``closeSpellingWeight``.
    private func closeSpellings(
        of word: String, fields: [Int], maxEdits: Int?, requested: Bool, exact: QueryPlan?, isLabelWord: Bool = false
    ) throws(IndexError) -> QueryPlan? {
        var wordFrequency = 0
        if case .unit(let unit)? = exact { wordFrequency = unit.documentFrequency }
        // The common case, a word the index knows well, costs a comparison or two.
        if !requested, wordFrequency > Self.rareWordDocuments {
            // Found as a stem only (`mangrov`)? Searched as it is, and looked at (to be shown
            // as written) only if another word of the query is corrected. Only a word that
            // some field indexes as itself can be such a stem.
            guard word.unicodeScalars.count >= 5, case .unit(let unit)? = exact else { return nil }
            let lower = word.lowercased()
            let stemFields = unit.parts.filter { $0.terms.count == 1 && $0.terms[0] == [lower] }.map(\.field)
            if !stemFields.isEmpty { corrections.stems.append((word, lower, stemFields)) }
            return nil
        }
        let normalized = word.precomposedStringWithCompatibilityMapping.lowercased()
        let length = normalized.unicodeScalars.count
        guard normalized.unicodeScalars.allSatisfy({ ScalarClass($0.value) != .ideograph }) else { return nil }
        guard corrections.lookups < Self.maximumCorrectedWords else { return nil }
        corrections.lookups += 1
        if !requested, wordFrequency > 0, case .unit(let unit)? = exact {
            // Found, but only as a stem (`bison`, which records write `bisons`): a word, not a
            // typo. Shown as written only if another word is corrected.
            let stemFields = unit.parts.filter { $0.terms == [[normalized]] }.map(\.field)
            if !stemFields.isEmpty, try writtenSpelling(of: normalized, fields: stemFields) != nil {
                corrections.stems.append((word, normalized, stemFields))
                return nil
            }
        }
        // A word of a matched label is a word of its language, however rare in the index; an
        // acronym (`SMART`, `NBSAP`) is not a misspelling of a word (`start`); a stop word of
        // some language (`there`, `entre`, `donde`), which no field indexes, is not a typo.
        if !requested, isLabelWord || Self.isAcronym(word) { return nil }
        if !requested, wordFrequency == 0,
            fields.contains(where: { searcher.schema.textFields[$0].analyzer.tokens(word).isEmpty })
        {
            return nil
        }
        let edits: Int
        if requested {
            // `word~`: the length rule, but short words too (they asked).
            edits = maxEdits ?? max(Self.automaticEdits(length: length), length >= 3 ? 1 : 0)
        } else {
            edits = Self.automaticEdits(length: length)
            guard edits > 0, wordFrequency <= Self.rareWordDocuments else { return nil }
        }
        guard edits > 0, length > edits else { return nil }
        // An unknown word is not corrected to a spelling only one record has (in a small
        // catalog the neighbours one edit away are mostly other languages' words: gorillas ->
        // orillas, whales -> wales).
        let minimumFrequency = requested ? 1 : max(1, wordFrequency * Self.correctionFrequencyRatio)
        // The word as each field's analyzer spells words (Arabic folds `ة` and `أ`; French,
        // Spanish and English also index words without their accents,
        // ``Analyzer/indexesUnaccentedSpellings``): an automaton for each spelling, so that
        // `البئية` finds `البيئية` and `écosystmes` finds `ecosystems`.
        var automatonOf: [String: LevenshteinAutomaton] = [:]
        func automata(for field: Int) -> [LevenshteinAutomaton] {
            let analyzer = searcher.schema.textFields[field].analyzer
            let written = analyzer.normalizedWord(word)
            var spellings = [normalized]
            for spelling in [written] + (analyzer.indexesUnaccentedSpellings ? [TextFolding.foldDiacritics(written)] : [])
            where !spellings.contains(spelling) {
                spellings.append(spelling)
            }
            return spellings.map { spelling in
                if let made = automatonOf[spelling] { return made }
                let made = LevenshteinAutomaton(spelling, maxDistance: edits)
                automatonOf[spelling] = made
                return made
            }
        }
        var parts: [FieldPart] = []
        var unitFrequency = wordFrequency
        // Each term found (a close spelling, as the fields index it): how it is best shown
        // (the fewest edits, a written form before a bare term) and in which field, whether
        // the searcher's language has it, its most documents in one field, and its fields.
        var candidates: [String: (spelling: String, distance: Int, isForm: Bool, shownIn: Int, preferred: Bool, frequency: Int, fields: [Int])] = [:]
        // The word's own terms per field: already analyzed for its exact unit.
        var ownTerms: [Int: Set<String>] = [:]
        if case .unit(let unit)? = exact {
            for part in unit.parts { ownTerms[part.field, default: []].formUnion(part.terms.joined()) }
        }
        // A word that some records have (rarely) is corrected in their languages only:
        // `inventories` in English text is not a misspelling of French `inventaires`. (`word~`
        // asks for close spellings in every language.)
        var fields = fields
        if !requested, wordFrequency > 0, case .unit(let unit)? = exact {
            let groups = Set(
                unit.parts.filter { part in part.terms.joined().contains { searcher.documentFrequency(field: part.field, term: $0) > 0 } }
                    .map { searcher.schema.textFields[$0.field].scoringGroup })
            if !groups.isEmpty { fields = fields.filter { groups.contains(searcher.schema.textFields[$0].scoringGroup) } }
        }
        for field in fields where searcher.fieldIsPopulated[field] {
            let own = ownTerms[field] ?? []
            // Term -> its closest spelling as written (a word form before a bare term, which
            // may be a stem no document writes), and the distance.
            var found: [String: (spelling: String, distance: Int, isForm: Bool)] = [:]
            func note(term: String, spelling: String, distance: Int, isForm: Bool) {
                guard !own.contains(term) else { return }
                if let known = found[term], (known.distance, known.isForm ? 0 : 1) <= (distance, isForm ? 0 : 1) { return }
                found[term] = (spelling, distance, isForm)
            }
            for automaton in automata(for: field) {
                for segment in searcher.segments {
                    for entry in segment.reader.terms(field: field, within: automaton, limit: 256) {
                        note(term: entry.term, spelling: entry.term, distance: entry.distance, isForm: false)
                    }
                    for entry in try segment.reader.wordForms(field: field, within: automaton, limit: 256) {
                        note(term: entry.term, spelling: entry.form, distance: entry.distance, isForm: true)
                    }
                }
            }
            var kept: [(term: String, frequency: Int)] = []
            for term in found.keys {
                let frequency = searcher.documentFrequency(field: field, term: term)
                if frequency >= minimumFrequency { kept.append((term, frequency)) }
            }
            kept.sort { ($0.frequency, $1.term) > ($1.frequency, $0.term) }
            kept = Array(kept.prefix(Self.maximumCloseSpellings))
            guard !kept.isEmpty else { continue }
            let preferred = preferredGroup == searcher.schema.textFields[field].scoringGroup
            for (term, frequency) in kept {
                unitFrequency = max(unitFrequency, frequency)
                guard let spelling = found[term] else { continue }
                var seen = candidates[term] ?? (spelling.spelling, spelling.distance, spelling.isForm, field, preferred, 0, [])
                // (Shown as the searcher's language writes it: `restaur` is French restauration
                // and Spanish restauraron.)
                if (spelling.distance, preferred ? 0 : 1, spelling.isForm ? 0 : 1) < (seen.distance, seen.preferred ? 0 : 1, seen.isForm ? 0 : 1) {
                    (seen.spelling, seen.distance, seen.isForm, seen.shownIn) = (spelling.spelling, spelling.distance, spelling.isForm, field)
                }
                seen.preferred = seen.preferred || preferred
                seen.frequency = max(seen.frequency, frequency)
                seen.fields.append(field)
                candidates[term] = seen
            }
            parts.append(
                FieldPart(
                    field: field, weight: searcher.fieldWeights[field], terms: [kept.map(\.term)], offsets: [0],
                    label: "\(kept[0].term) (close to \(word))"))
        }
        // The fewest edits first (the likeliest intended word), then the searcher's language,
        // then the most records (then the term, so that ties fall the same way each time).
        let ranked = candidates.sorted { a, b in
            (-a.value.distance, a.value.preferred ? 1 : 0, a.value.frequency, b.key)
                > (-b.value.distance, b.value.preferred ? 1 : 0, b.value.frequency, a.key)
        }
        // An automatic correction names a spelling that at least two records have, counted
        // over the catalog (`Kalimantan` in one record's title and another's description is in
        // two records; a record counts once, and a deleted one not at all): a word one record
        // has is as likely another language's, or a name (`whale` is not `Wales`).
        let chosen = ranked.first { term, found in
            guard !requested else { return true }
            let places = found.fields.map { FieldPart(field: $0, weight: 1, terms: [[term]], offsets: [0], label: term) }
            return distinctDocuments(of: places, atLeast: Self.minimumCorrectionDocuments) >= Self.minimumCorrectionDocuments
        }
        guard let chosen, !parts.isEmpty else { return nil }
        var best = (spelling: chosen.value.spelling, distance: chosen.value.distance, frequency: chosen.value.frequency)
        // A stem that no record writes (`restor`, one edit from `resto`) is shown as the closest
        // word written under it (`restore`), as a typed stem is (`mangrov` -> `mangrove`).
        if !chosen.value.isForm, let written = try writtenSpelling(of: best.spelling, fields: [chosen.value.shownIn]) {
            best.spelling = written.form
        }
        corrections.entries.append(
            SpellingCorrection(
                word: word, spelling: best.spelling, distance: best.distance, documentFrequency: best.frequency,
                requested: requested, wordDocumentFrequency: wordFrequency))
        return .unit(
            QueryUnit(
                label: "close spellings of \(word)", parts: parts,
                idf: Self.closeSpellingWeight * searcher.idf(unitFrequency), documentFrequency: unitFrequency,
                idfFactor: .weight(Self.closeSpellingWeight, "close spellings")))
    }

    /// Notes the written spelling of the words found only as stems, when the query has other
    /// corrections (then "showing results for" shows every word as written). Call after
    /// ``plan(_:)``.
    func completeCorrections() throws(IndexError) {
        guard !corrections.entries.isEmpty else { return }
        let pending = corrections.stems
        corrections.stems = []
        for stem in pending { try noteWrittenSpelling(of: stem.word, normalized: stem.normalized, fields: stem.fields) }
    }

    /// When `word` is found only because it is a stem (`mangrov`, which no record writes), the
    /// closest word as written under that stem (`mangrove`) is noted as its spelling, so that
    /// "showing results for" reads as words; the search itself is unchanged. `fields` are the
    /// fields that index the word as itself.
    /// - Returns: whether it was such a stem.
    @discardableResult
    private func noteWrittenSpelling(of word: String, normalized: String, fields: [Int]) throws(IndexError) -> Bool {
        guard let best = try writtenSpelling(of: normalized, fields: fields) else { return false }
        corrections.entries.append(
            SpellingCorrection(
                word: word, spelling: best.form, distance: best.distance, documentFrequency: best.frequency, requested: false,
                wordDocumentFrequency: best.frequency, isWrittenForm: true))
        return true
    }

    /// How records write the term `normalized` when no field of `fields` that has it writes it
    /// as itself (it is a stem only: `mangrov`): the closest such word (`mangrove`), its edits
    /// and the term's documents; nil when some record writes the word as it is (`Mekong`, kept
    /// in English, is not a misspelling of the French field's `mékong`).
    private func writtenSpelling(of normalized: String, fields: [Int]) throws(IndexError) -> (form: String, distance: Int, frequency: Int)? {
        let length = normalized.unicodeScalars.count
        let edits = Self.automaticEdits(length: length)
        guard edits > 0 else { return nil }
        let key = Array(normalized.utf8)
        var best: (form: String, distance: Int, frequency: Int)?
        for field in fields {
            for segment in searcher.segments where segment.reader.termInfo(field: field, term: normalized) != nil {
                var isStemOnly = false
                try segment.reader.forEachWordForm(field: field, prefix: key) { entryKey, entry, _ in
                    if entryKey.count == key.count + 2 { isStemOnly = entry.isStemOnly }
                    return false
                }
                guard isStemOnly else { return nil }
                let frequency = searcher.documentFrequency(field: field, term: normalized)
                let automaton = LevenshteinAutomaton(normalized, maxDistance: edits)
                for entry in try segment.reader.wordForms(field: field, within: automaton, limit: 64) where entry.term == normalized {
                    if let current = best,
                        (current.distance, current.form.count, current.form) <= (entry.distance, entry.form.count, entry.form)
                    {
                        continue
                    }
                    best = (entry.form, entry.distance, frequency)
                }
                // No written word within the edits (`restor`: restored, restoring, restoration):
                // the shortest one that starts with the stem.
                if best == nil {
                    var shortest: String?
                    var read = 0
                    try segment.reader.forEachWordForm(field: field, prefix: key) { entryKey, entry, dictionary in
                        read += 1
                        let form = String(decoding: entryKey[2...], as: UTF8.self)
                        if !entry.isStemOnly, shortest.map({ (form.count, form) < ($0.count, $0) }) ?? true,
                            segment.reader.wordFormTerms(entry, key: entryKey, dictionary: dictionary).contains(where: { $0.elementsEqual(key) })
                        {
                            shortest = form
                        }
                        return read < 256
                    }
                    if let shortest {
                        best = (shortest, shortest.unicodeScalars.count - length, frequency)
                    }
                }
            }
        }
        return best
    }

    /// The live documents that have any term of `parts` in its field, counted up to `atLeast`.
    private func distinctDocuments(of parts: [FieldPart], atLeast limit: Int) -> Int {
        var documents = Set<Int>()
        for (index, segment) in searcher.segments.enumerated() {
            for part in parts {
                for term in part.terms.joined() {
                    guard let info = segment.reader.termInfo(field: part.field, term: term) else { continue }
                    let iterator = segment.reader.postingsIterator(info)
                    while iterator.nextDoc() != noMoreDocs {
                        guard !segment.deletions.contains(iterator.doc) else { continue }
                        documents.insert(index << 32 | iterator.doc)
                        if documents.count >= limit { return documents.count }
                    }
                }
            }
        }
        return documents.count
    }

    /// A word of 2 to 7 letters typed in capitals only (`SMART`, `NBSAP`, `AGROVOC`); a longer
    /// one in capitals (`RESTORATON`) is a word typed with caps lock, and may be a typo.
    static func isAcronym(_ word: String) -> Bool {
        var letters = 0
        for character in word where character.isLetter {
            guard character.isUppercase else { return false }
            letters += 1
        }
        return (2...7).contains(letters)
    }

    /// The words of `synonyms` as one unit: each analyzed and searched in the fields of its
    /// group (among the default fields), one part per word and field; the words of a label of
    /// several words may stand apart in a record (measured on the cross-language set: better
    /// than requiring the phrase, docs/relevance.md). As in Lucene's
    /// SynonymQuery, the unit's document frequency is the largest of its words' and of the
    /// query words they translate (a label of several words counts its rarest word's), and
    /// its idf is scaled by the weight.
    private func synonymUnit(_ synonyms: Synonyms) throws(IndexError) -> QueryPlan? {
        let allowed: Set<Int>? = defaultFields == nil ? nil : Set(try textFields(nil))
        var parts: [FieldPart] = []
        var frequency = 0
        for word in synonyms.words {
            for field in 0..<searcher.fields.textFieldCount
            where searcher.fieldIsPopulated[field] && searcher.schema.textFields[field].scoringGroup == word.group
                && allowed?.contains(field) != false
            {
                let definition = searcher.schema.textFields[field]
                guard let (terms, offsets) = Self.termsByPosition(definition.analyzer.tokens(word.text)) else { continue }
                // Two labels that analyze alike (`coral reef`, `coral reefs`) are one part.
                if parts.contains(where: { $0.field == field && $0.terms == terms }) { continue }
                parts.append(
                    FieldPart(
                        field: field, weight: searcher.fieldWeights[field], terms: terms, offsets: offsets, label: word.label,
                        isSynonym: true, isPhrase: false))
                let positionFrequencies = terms.map { alternatives in
                    alternatives.map { searcher.documentFrequency(field: field, term: $0) }.max() ?? 0
                }
                frequency = max(frequency, positionFrequencies.min() ?? 0)
            }
        }
        guard !parts.isEmpty, frequency > 0 else { return nil }
        // The query's own words are part of the set too (a SynonymQuery holds the word and its
        // synonyms): their document frequency counts, so a translation never weighs more
        // than the word it translates would (idf(max df) <= the word's own idf).
        for field in 0..<searcher.fields.textFieldCount where searcher.fieldIsPopulated[field] && allowed?.contains(field) != false {
            var positions: [Int: Int] = [:]
            for token in searcher.schema.textFields[field].analyzer.tokens(synonyms.source) {
                positions[token.position] = max(positions[token.position] ?? 0, searcher.documentFrequency(field: field, term: token.term))
            }
            frequency = max(frequency, positions.values.min() ?? 0)
        }
        let label = "translations of \(synonyms.source)"
        // A weight below 0 (or not a number) would make the unit's bound negative, and the
        // pruning of disjunctions relies on bounds of at least 0.
        let weight = synonyms.weight.isFinite ? max(0, synonyms.weight) : 0
        return .unit(
            QueryUnit(
                label: label, parts: parts, idf: weight * searcher.idf(frequency), documentFrequency: frequency,
                idfFactor: .weight(weight, "translations")))
    }

    private func prefixPlan(field: String?, prefix: String) throws(IndexError) -> QueryPlan? {
        let normalized = prefix.lowercased()
        guard !normalized.isEmpty else { return nil }
        var expansions: [String: Set<Int>] = [:]
        var frequency: [String: Int] = [:]
        for fieldIndex in try textFields(field) {
            // Words as written match too: the field's word forms that start with the prefix
            // (normalized as its analyzer normalizes words) give their terms, so `pollinat*`
            // finds `pollinators`, indexed as `pollin`.
            let written = searcher.schema.textFields[fieldIndex].analyzer.normalizedWord(prefix)
            let termPrefixes = written.isEmpty || written == normalized ? [normalized] : [normalized, written]
            for segment in searcher.segments {
                var found: [String: Int] = [:]  // this segment's terms and their frequencies
                for termPrefix in termPrefixes {
                    for (term, info) in segment.reader.terms(field: fieldIndex, prefix: termPrefix, limit: 4096) {
                        found[term] = info.documentFrequency
                    }
                }
                if !written.isEmpty {
                    for (_, term) in try segment.reader.wordForms(field: fieldIndex, prefix: written, limit: 4096) where found[term] == nil {
                        found[term] = segment.reader.termInfo(field: fieldIndex, term: term)?.documentFrequency ?? 0
                    }
                }
                for (term, documentFrequency) in found where documentFrequency > 0 {
                    expansions[term, default: []].insert(fieldIndex)
                    frequency[term, default: 0] += documentFrequency
                }
            }
        }
        // A prefix that no word starts with as written, but that is a whole word whose stem is
        // shorter (`récifs*`, indexed `recif`; `espece*` typed without accents, for `espèces`,
        // whose unaccented stem `espec` the accented words share): read as that word, its
        // terms (QA: `récifs*` found nothing where `récif*` and `récifs` found records).
        if expansions.isEmpty {
            for fieldIndex in try textFields(field) {
                let analyzer = searcher.schema.textFields[fieldIndex].analyzer
                // (One word only, whose terms are at one position: `红树林*` is two pairs and
                // `agro-zzz*` two words, which would match records with either piece. Review.)
                let tokens = analyzer.tokens(prefix)
                guard let first = tokens.first, tokens.allSatisfy({ $0.position == first.position }) else { continue }
                for term in Set(tokens.map(\.term)) {
                    let documentFrequency = searcher.documentFrequency(field: fieldIndex, term: term)
                    guard documentFrequency > 0 else { continue }
                    expansions[term, default: []].insert(fieldIndex)
                    frequency[term, default: 0] += documentFrequency
                }
            }
        }
        let kept = expansions.keys.sorted { (frequency[$0] ?? 0, $1) > (frequency[$1] ?? 0, $0) }
            .prefix(Self.maximumPrefixExpansions)
        var should: [QueryPlan] = []
        for term in kept.sorted() {
            let fields = (expansions[term] ?? []).sorted()
            let parts = fields.map { FieldPart(field: $0, weight: searcher.fieldWeights[$0], terms: [[term]], offsets: [0]) }
            let documentFrequency = fields.map { searcher.documentFrequency(field: $0, term: term) }.max() ?? 0
            should.append(
                .unit(QueryUnit(label: "\(term) (from \(prefix)*)", parts: parts, idf: searcher.idf(documentFrequency), documentFrequency: documentFrequency)))
        }
        if should.isEmpty { return nil }
        if should.count == 1 { return should[0] }
        return .boolean(must: [], should: should, mustNot: [], minimumShouldMatch: 0)
    }
}

extension Query {
    /// A short label for explanations.
    var label: String {
        switch self {
        case .term(let field, let text): return (field.map { "\($0):" } ?? "") + text
        case .phrase(let field, let text): return (field.map { "\($0):" } ?? "") + "\"\(text)\""
        case .prefix(let field, let prefix): return (field.map { "\($0):" } ?? "") + prefix + "*"
        case .boolean: return "boolean"
        case .matchAll: return "*"
        case .synonyms(let synonyms): return "translations of \(synonyms.source)"
        case .fuzzy(let field, let text, let edits): return (field.map { "\($0):" } ?? "") + text + "~" + (edits.map(String.init) ?? "")
        case .boost(let inner, let factor): return inner.label + "^" + Self.decimal(factor)
        }
    }

    /// `factor` as written in a query: `2`, not `2.0`.
    static func decimal(_ factor: Double) -> String {
        factor == factor.rounded() && abs(factor) < 1e15 ? String(Int(factor)) : String(factor)
    }
}
