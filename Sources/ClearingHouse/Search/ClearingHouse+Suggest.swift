// Search-as-you-type: completions of the last word of a query from the index's words as
// written, and the titles of records that the query, completed, would find.
import SearchCore

/// What ``ClearingHouse/suggest(_:limit:language:)`` proposes for a query being typed.
public struct Suggestions: Sendable, Hashable, Codable {
    /// The most completions one call gives (``ClearingHouse/suggest(_:limit:language:)``'s
    /// `limit`).
    public static let maximumLimit = 100

    /// A completion of the last word.
    public struct Completion: Sendable, Hashable, Codable {
        /// The query with its last word completed (`mangrove restoration`).
        public var text: String
        /// The completed word (`restoration`).
        public var word: String
        /// Records that have the word.
        public var documents: Int
        /// When the query has words before the last: the records that have the word and those
        /// words, which rank the completions (`coral re`: reef in 11 records with coral, before
        /// record, in 29 records in all but fewer with coral).
        public var documentsWithQuery: Int?

        /// A completion: the completed query `text`, the completed `word` and its record counts.
        public init(text: String, word: String, documents: Int, documentsWithQuery: Int? = nil) {
            self.text = text
            self.word = word
            self.documents = documents
            self.documentsWithQuery = documentsWithQuery
        }
    }

    /// A record whose title matches the query as typed so far.
    public struct Title: Sendable, Hashable, Codable {
        /// The record's id.
        public var id: String
        /// Its title in the asked language (or its fallback).
        public var title: String
        /// The language the title is in.
        public var language: String
    }

    /// The query as typed.
    public var query: String
    /// Completions of its last word, most frequent first.
    public var completions: [Completion]
    /// Records whose title has a word starting with the last word (and the earlier words
    /// ranking them), best first; when no title has one, records that have the best completion
    /// anywhere.
    public var titles: [Title]

    /// `{"query", "completions": [{"text", "word", "documents", "documentsWithQuery"}], "titles": [{"id", "title", "language"}]}`
    /// (`documentsWithQuery` only after earlier words):
    /// the document ``encode(to:)`` writes.
    public var jsonValue: JSONValue { (try? JSONValue(encoding: self)) ?? .null }

}

extension ClearingHouse {
    /// How many titles a suggestion shows at most.
    public static let suggestedTitles = 5

    /// Suggestions for a query being typed: the last word completed from the words of the
    /// index as records write them (`pollinat` -> `pollinators`, `pollination`), most frequent
    /// first, and the titles of the records that the query would find with its last word as a
    /// prefix of a title word (when no title has one, of the records that have its best
    /// completion anywhere: `DNA监` finds a course whose text says `DNA监测`). A query that ends
    /// with a space completes nothing (its last word is finished) but still suggests titles.
    ///
    /// - Parameters:
    ///   - query: What the user has typed so far.
    ///   - limit: The most completions.
    ///   - language: The user's language: completions from its texts come first, and titles
    ///     are shown in it.
    /// - Throws: ``ClearingHouseError`` `invalidQuery` naming `q` for a query of more words
    ///   than a search takes (``QueryParser/maximumWords``), `lang` for a language that is
    ///   not a BCP 47 tag, or `limit` below 0 or above ``Suggestions/maximumLimit``; `q`
    ///   for a query longer than ``SearchRequest/maximumQueryLength``.
    public func suggest(_ query: String, limit: Int = 10, language: String? = nil) throws -> Suggestions {
        if limit < 0 { throw ClearingHouseError.parameter("limit", "\(limit) is below 0") }
        // (The API's limit too: the command line gave 224 completions where the API refused.)
        if limit > Suggestions.maximumLimit {
            throw ClearingHouseError.parameter("limit", "\(limit) is above \(Suggestions.maximumLimit), the most completions one suggestion gives")
        }
        if let problem = SearchRequest.queryLengthProblem(query) { throw problem }
        if let language, LanguageTag.normalized(language) == nil {
            throw ClearingHouseError(.invalidQuery, "lang: \"\(language)\" is not a BCP 47 language tag", parameter: "lang")
        }
        var words = query.split(whereSeparator: \.isWhitespace).map(String.init)
        // (As many as a search takes: each earlier word is looked up to rank the completions.)
        guard words.count <= QueryParser.maximumWords else {
            throw ClearingHouseError.parameter("q", "\(words.count) words is more than \(QueryParser.maximumWords); a suggestion completes the last word of a short query")
        }
        let last = query.last.map { $0.isWhitespace } == false ? words.popLast() ?? "" : ""
        let leading = query[..<(query.lastIndex(where: \.isWhitespace).map { query.index(after: $0) } ?? query.startIndex)]
        let searcher = try openSearcher()
        let context = Self.contextClauses(words, searcher: searcher)
        // A filter being typed (`country:K`) has no word to complete, and an excluded word
        // (`coral -re`) is completed but finds no titles: the titles are those of the words
        // before it (QA: both listed records that the query would not find).
        let completesFilter = Self.filterField(of: last) != nil
        let excludesLast = last.hasPrefix("-")
        var completions: [Suggestions.Completion] = []
        if !last.isEmpty, limit > 0, !completesFilter {
            // A word of one field (`title.en:re`) is completed from that field.
            let (field, typed) = Self.fieldAndWord(last)
            // A pool larger than asked, ranked below by what the rest of the query says.
            let pool = max(min(limit, 10_000) * 3, 24)
            var found = try indexing { try searcher.completions(prefix: typed, fields: field.map { [$0] }, limit: pool) }
            // The words of the user's language first (`forêts sacr` -> `sacrées` before English
            // `sacred`), then the others.
            if field == nil, let language, case let own = RecordIndexing.fieldLanguage(language), own != RecordIndexing.otherLanguage {
                let fields = RecordIndexing.textFields.map { "\($0.name).\(own)" }
                let first = try indexing { try searcher.completions(prefix: typed, fields: fields, limit: pool) }
                let words = Set(first.map(\.word))
                found = first + found.filter { !words.contains($0.word) }
            }
            let (ranked, withContext) = try rankedByContext(found, after: context, searcher: searcher)
            // An operator, quote or field typed before the word stays (`coral -re` -> `coral -reef`).
            let marker = String(last.prefix(last.count - typed.count)) + String(typed.prefix { !$0.isLetter && !$0.isNumber })
            // Before a CJK character, what was typed is kept as typed (`DNA监` -> `DNA监测`, not
            // the index's `dna监测`).
            let typedWord = typed.drop { !$0.isLetter && !$0.isNumber }
            let typedLead =
                typedWord.unicodeScalars.last.map { QueryExpander.isCJKRun(String($0)) } == true ? String(typedWord.dropLast()) : ""
            completions = try ranked.prefix(limit).map { completion in
                var word = try writtenForm(of: completion.word, searcher: searcher)
                if !typedLead.isEmpty, word.count > typedLead.count, word.prefix(typedLead.count).lowercased() == typedLead.lowercased() {
                    word = typedLead + word.dropFirst(typedLead.count)
                }
                return Suggestions.Completion(
                    text: leading + marker + word, word: word, documents: completion.documentFrequency,
                    documentsWithQuery: context.isEmpty ? nil : withContext[completion.term] ?? 0)
            }
        }
        // Titles: the records that have the earlier words (those in a title first) and a title
        // word that starts with the last; else those that have the earlier words and the best
        // completion anywhere (`DNA监`: a course whose text, not its title, says `DNA监测`);
        // else, as a fallback, any earlier word and a title word that starts with the last.
        var prefix: [Query.Clause] = []
        var anywhere: [Query.Clause] = []
        if !last.isEmpty, !completesFilter, !excludesLast {
            // A CJK run longer than a pair is in a title as a phrase of its pairs (`长江江豚`).
            let isLongRun = QueryExpander.isCJKRun(last) && last.unicodeScalars.count > 2
            prefix.append(Query.Clause(.must, isLongRun ? .phrase(field: "title", text: last) : .prefix(field: "title", prefix: last)))
            // (The best completion as a phrase: `DNA监测` is two tokens, `dna` and `监测`.)
            let completed = completions.first.map { Query.phrase(field: nil, text: $0.word) }
            anywhere.append(Query.Clause(.must, completed ?? (isLongRun ? .phrase(field: nil, text: last) : .prefix(field: nil, prefix: last))))
        }
        var inTitles: [Query.Clause] = []
        for clause in context where clause.occur == .must {
            // (A word's, not a filter's: `title:technology` would skew the titles.)
            if case .term(nil, let text) = clause.query { inTitles.append(Query.Clause(.should, .term(field: "title", text: text))) }
        }
        // A filter typed whole as the last word (`coral country:KE`) chooses the titles too.
        let filters = Self.filterClauses(words) + Self.filterClauses(completesFilter ? [last] : [])
        let chosen = context + Self.filterClauses(completesFilter ? [last] : [])
        var attempts: [[Query.Clause]] = []
        if chosen.contains(where: { $0.occur == .must }) || !prefix.isEmpty { attempts.append(chosen + inTitles + prefix) }
        // (Before the fallback: `Nagoya Prot` shows the record about the Nagoya Protocol, not
        // titles that start with `Prot` and say nothing of Nagoya.)
        if !anywhere.isEmpty { attempts.append(chosen + inTitles + anywhere) }
        // The fallback: any earlier word (not a filter, nor one excluded), within the filters.
        if !completesFilter, !excludesLast {
            let loose = words.filter { Self.filterField(of: $0) == nil && !$0.hasPrefix("-") && !Self.operators.contains($0) }
            attempts.append(loose.map { Query.Clause(.should, .term(field: nil, text: String($0.drop { $0 == "+" }))) } + filters + prefix)
        }
        var titles: [Suggestions.Title] = []
        for clauses in attempts where titles.isEmpty && !clauses.isEmpty {
            let results = try indexing {
                try searcher.search(.boolean(clauses, minimumShouldMatch: 0), options: SearchOptions(limit: Self.suggestedTitles))
            }
            for hit in results.hits {
                guard let record = try record(id: hit.key) else { continue }
                let title = record.title.resolved(preferring: language ?? hit.group)
                titles.append(Suggestions.Title(id: record.id, title: title?.text ?? record.id, language: title?.language ?? record.language))
            }
        }
        return Suggestions(query: query, completions: completions, titles: titles)
    }

    /// How records write `word`, a completion or a close spelling in the analyzer's normalized spelling, when that
    /// spelling is not one a reader would type: Arabic's teh marbuta, alef and alef maqsura are
    /// folded in the index (`حمايه`, written `حماية`; `اداره`, written `إدارة`). The first word of
    /// a record that has it whose normalized form it is, letter for letter (not one with a
    /// conjunction before the article); `word` itself for other scripts or when none is found.
    func writtenForm(of word: String, searcher: IndexSearcher) throws -> String {
        guard word.unicodeScalars.contains(where: { (0x600...0x6FF).contains($0.value) }) else { return word }
        let analyzer = LanguageAnalyzer.forLanguage("ar")
        let hits = try indexing { try searcher.search(.term(field: nil, text: word), options: SearchOptions(limit: 3)) }
        for hit in hits.hits {
            guard let record = try record(id: hit.key) else { continue }
            for text in RecordIndexing.document(for: record).text.values.joined() {
                for piece in text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) where piece.count == word.count {
                    if analyzer.normalizedWord(String(piece)) == word { return String(piece) }
                }
            }
        }
        return word
    }

    /// The words typed before the last one as clauses that the completions are counted with:
    /// `-word` must not match, `+word` and `word` must; the operators `AND`, `OR`, `NOT` and
    /// words that no record has (stop words such as `the`, typos) are left out.
    private static func contextClauses(_ words: [String], searcher: IndexSearcher) -> [Query.Clause] {
        var clauses: [Query.Clause] = []
        for word in words where !operators.contains(word) {
            var text = Substring(word)
            var occur = Query.Occur.must
            if text.hasPrefix("-") {
                occur = .mustNot
                text = text.dropFirst()
            } else if text.hasPrefix("+") {
                text = text.dropFirst()
            }
            // A filter (`kind:technology`, `country:KE`) restricts the counts and titles as the
            // search would (QA: every completion counted 0 records with it); one that does not
            // parse yet is left out.
            if filterField(of: String(text)) != nil {
                if let filter = try? parseQuery(String(text)), filter != .matchAll { clauses.append(Query.Clause(occur, filter)) }
                continue
            }
            let (field, written) = fieldAndWord(String(text))
            // (`coral^2`, `corl~1`: the word, without its boost or its edits.)
            let typed = withoutBoostOrEdits(written)
            guard !typed.isEmpty, searcher.hasWord(typed) else { continue }
            clauses.append(Query.Clause(occur, .term(field: field, text: typed)))
        }
        return clauses
    }

    /// `word` without a boost (`coral^2`, `coral^0.5`) or the edits of a close spelling
    /// (`corl~`, `corl~1`) at its end, as the query syntax reads them.
    static func withoutBoostOrEdits(_ word: String) -> String {
        var text = Substring(word)
        if let caret = text.lastIndex(of: "^"), caret > text.startIndex,
            case let number = text[text.index(after: caret)...], !number.isEmpty,
            number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") })
        {
            text = text[..<caret]
        }
        if let tilde = text.lastIndex(of: "~"), tilde > text.startIndex,
            case let edits = text[text.index(after: tilde)...], edits.isEmpty || ["0", "1", "2"].contains(edits)
        {
            text = text[..<tilde]
        }
        return String(text)
    }

    /// The query syntax's operators, which are no words to count with.
    private static let operators: Set<String> = ["AND", "OR", "NOT", "&&", "||"]

    /// The filters among `words` (`kind:technology`, `-country:KE`) as the clauses a search
    /// would make of them; those that do not parse yet are left out.
    private static func filterClauses(_ words: [String]) -> [Query.Clause] {
        words.compactMap { word in
            guard filterField(of: word) != nil else { return nil }
            let occur: Query.Occur = word.hasPrefix("-") ? .mustNot : .must
            guard let filter = try? parseQuery(String(word.drop { $0 == "-" || $0 == "+" })), filter != .matchAll else { return nil }
            return Query.Clause(occur, filter)
        }
    }

    /// The filter field a word names before its colon (`country:KE`, `-kind:training`), if it
    /// names one: a keyword field of the index, which the query syntax filters on.
    private static func filterField(of word: String) -> String? {
        let text = word.drop { $0 == "-" || $0 == "+" }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let name = String(text[..<colon])
        return RecordIndexing.schema.keywordFields.contains(name) ? name : nil
    }

    /// `title.en:coral` as its text field (`title.en`) and word (`coral`); a word without a
    /// text field of the index before a colon as itself.
    private static func fieldAndWord(_ word: String) -> (field: String?, word: String) {
        guard let colon = word.firstIndex(of: ":") else { return (nil, word) }
        let name = String(word[..<colon])
        let names = RecordIndexing.schema.textFields.map(\.name)
        guard names.contains(where: { $0 == name || $0.hasPrefix(name + ".") }) else { return (nil, word) }
        return (name, String(word[word.index(after: colon)...]))
    }

    /// `completions` ranked by the records that have each with the words typed before it
    /// (`coral re` -> `reef` before `record`, which more records have but fewer with `coral`),
    /// at most two forms of a word before the other words among those some record has with
    /// them (``Completion/formsFirst(_:atMost:)``), then the others, one form of a word first;
    /// equal counts keep their order. A
    /// completed CJK run is counted as a phrase (`湿地保` -> `湿地保护`, the records that have
    /// those four characters in a row), and that count is its `documentFrequency` (the engine
    /// counted its last pair's); a run that no record has is left out.
    /// - Returns: the completions in order, and for each term, the records that have it with
    ///   the context (empty without one).
    private func rankedByContext(_ completions: [Completion], after context: [Query.Clause], searcher: IndexSearcher) throws
        -> (completions: [Completion], withContext: [String: Int])
    {
        // Completed runs: a word that ends in a CJK pair after other characters (`湿地保护`, `edna监测`).
        let runs = completions.map { completion in
            let scalars = Array(completion.word.unicodeScalars)
            return scalars.count > 2 && QueryExpander.isCJKRun(String(String.UnicodeScalarView(scalars.suffix(2))))
        }
        guard !context.isEmpty || runs.contains(true) else { return (Completion.oneFormFirst(completions), [:]) }
        // A context of exclusions alone counts among every record.
        let positive = context.contains { $0.occur != .mustNot } ? context : context + [Query.Clause(.must, .matchAll)]
        // Words: one pass over the context's matches (the engine's counts).
        var counts = Array(repeating: 0, count: completions.count)
        if !context.isEmpty {
            let query: Query = positive.count == 1 ? positive[0].query : .boolean(positive, minimumShouldMatch: 0)
            counts = try indexing { try searcher.documentCounts(of: completions, matching: query) }
        }
        // Completed CJK runs: a phrase search each (few, and their pairs are rare).
        var kept: [(completion: Completion, count: Int, order: Int)] = []
        for (order, completion) in completions.enumerated() {
            guard runs[order] else {
                kept.append((completion, counts[order], order))
                continue
            }
            let phrase = Query.phrase(field: nil, text: completion.word)
            let query = context.isEmpty ? phrase : .boolean(positive + [Query.Clause(.must, phrase)], minimumShouldMatch: 0)
            let count = try indexing { try searcher.search(query, options: SearchOptions(limit: 0, countTotal: true)).totalHits }
            // A run no record has is no word of the index (`湿地保` -> `湿地保险` from the pair `保险`).
            guard count > 0 else { continue }
            var ranked = completion
            if context.isEmpty { ranked.documentFrequency = count }
            kept.append((ranked, count, order))
        }
        // Most together with the context first, at most two forms of a word before the others
        // (`mangrove rest` -> restoration, restored, then restauration... before restoring);
        // then the words no record has with the context.
        let sorted = kept.sorted { ($1.count, $0.order) < ($0.count, $1.order) }
        let withContext = context.isEmpty ? [:] : Dictionary(kept.map { ($0.completion.term, $0.count) }, uniquingKeysWith: max)
        return (
            Completion.formsFirst(sorted.filter { $0.count > 0 }.map(\.completion), atMost: 2)
                + Completion.oneFormFirst(sorted.filter { $0.count == 0 }.map(\.completion)),
            withContext
        )
    }
}
