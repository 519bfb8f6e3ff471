import Foundation
import SearchCore

extension ClearingHouse {
    /// Parses a query in the `chm search` syntax. A `region:` value is named as the index holds
    /// it, however it is spelt (`region:"Asia and the Pacific"` is `region:Asia-Pacific`), as
    /// the `--region` filter is.
    /// - Throws: ``ClearingHouseError`` with code `invalidQuery` naming the position.
    public static func parseQuery(_ text: String, minimumMatch: Int = 0) throws -> Query {
        let query: Query
        do {
            query = namingRegions(try QueryParser(minimumShouldMatch: minimumMatch).parse(text))
        } catch {
            throw ClearingHouseError(.invalidQuery, "invalid query: \(error.description)")
        }
        // A country is a code, in the query as in the filters (`country:Kenya` found nothing).
        if let country = countryValues(of: query).first(where: { CountryCode.normalized($0) == nil }) {
            let position = QueryParser.position(ofField: "country", in: text).map { "position \($0): " } ?? ""
            throw ClearingHouseError(
                .invalidQuery,
                "invalid query: \(position)country: \"\(country)\" is not an ISO 3166-1 alpha-2 country code (two letters, such as KE for Kenya)")
        }
        return query
    }

    /// The values of `query`'s `country:` clauses.
    private static func countryValues(of query: Query) -> [String] {
        switch query {
        case .term(let field?, let text), .phrase(let field?, let text):
            return field == "country" ? [text] : []
        case .boolean(let clauses, _): return clauses.flatMap { countryValues(of: $0.query) }
        case .boost(let inner, _): return countryValues(of: inner)
        case .term, .phrase, .prefix, .fuzzy, .matchAll, .synonyms: return []
        }
    }

    /// `query` with each `region:` value as ``CountryRegions/name(of:)`` names it.
    static func namingRegions(_ query: Query) -> Query {
        switch query {
        case .term(let field?, let text) where field == "region": return .term(field: field, text: CountryRegions.name(of: text))
        case .phrase(let field?, let text) where field == "region": return .phrase(field: field, text: CountryRegions.name(of: text))
        case .boolean(let clauses, let minimum):
            return .boolean(clauses.map { Query.Clause($0.occur, namingRegions($0.query)) }, minimumShouldMatch: minimum)
        case .fuzzy(let field?, let text, let edits) where field == "region":
            return .fuzzy(field: field, text: CountryRegions.name(of: text), maxEdits: edits)
        case .boost(let inner, let factor): return .boost(namingRegions(inner), factor: factor)
        case .term, .phrase, .prefix, .fuzzy, .matchAll, .synonyms: return query
        }
    }

    /// The words of `query` that matched a thesaurus label as written (the sources of its
    /// synonym sets, less their misspelt words).
    static func labelWords(of query: Query) -> Set<String> {
        switch query {
        case .synonyms(let synonyms):
            return Set(synonyms.source.split(whereSeparator: \.isWhitespace).map(String.init)).subtracting(synonyms.misspelt)
        case .boolean(let clauses, _):
            return clauses.reduce(into: []) { $0.formUnion(labelWords(of: $1.query)) }
        case .boost(let inner, _):
            return labelWords(of: inner)
        case .term, .phrase, .prefix, .fuzzy, .matchAll:
            return []
        }
    }

    /// The words of `query` (its terms, as typed) that a label of the thesaurus writes as
    /// they are: words of their language, which typo correction leaves alone however rare
    /// they are in the index (see ``QueryExpander/isWrittenInLabel(_:)``).
    static func writtenLabelWords(of query: Query, expander: QueryExpander) -> Set<String> {
        switch query {
        case .term(_, let text):
            return expander.isWrittenInLabel(text) ? [text] : []
        case .boolean(let clauses, _):
            return clauses.reduce(into: []) { $0.formUnion(writtenLabelWords(of: $1.query, expander: expander)) }
        case .boost(let inner, _):
            return writtenLabelWords(of: inner, expander: expander)
        case .synonyms, .phrase, .prefix, .fuzzy, .matchAll:
            return []
        }
    }

    /// The language of a query whose thesaurus matches all name the same one (`restauraton des
    /// mangroves` matched a French label): where a close spelling is chosen, that language's
    /// comes first. Nil when no label matched, or labels of several languages did.
    static func queryLanguage(_ expansions: [QueryExpansion]) -> String? {
        let languages = Set(expansions.map { Set($0.matchedGroups) })
        guard languages.count == 1, let only = languages.first, only.count == 1 else { return nil }
        return only.first
    }

    /// Searches the clearing-house.
    ///
    /// ```swift
    /// let response = try house.search(SearchRequest(
    ///     query: "mangrove nursery", filters: SearchFilters(countries: ["KE", "TZ"]), facets: ["kind"]))
    /// for hit in response.hits { print(hit.id, hit.title, hit.score) }
    /// ```
    public func search(_ request: SearchRequest) throws -> SearchResponse {
        try search(request, searchesCorrectedQuery: true, idsOnly: false).response
    }

    /// Whether the words of `query` as typed (without its syntax) are all stop words, each
    /// dropped by some analyzer and written by no record of `searcher` (a stop word of one
    /// language that records of another write, such as Spanish `sea`, is a word); punctuation,
    /// which no analyzer indexes either, is no stop word. With `wordsOnly`, `query` must also
    /// be words alone: no prefix, field value or exclusion, which would mean more than its words.
    static func isOnlyStopWords(_ query: Query, wordsOnly: Bool = true, searcher: IndexSearcher) -> Bool {
        func isWords(_ query: Query) -> Bool {
            switch query {
            case .term(nil, _), .phrase(nil, _): true
            case .boolean(let clauses, _): clauses.allSatisfy { $0.occur != .mustNot && isWords($0.query) }
            case .boost(let inner, _): isWords(inner)
            default: false
            }
        }
        if wordsOnly, !isWords(query) { return false }
        let typed = SnippetBuilder.words(of: query).words
        return !typed.isEmpty
            && typed.allSatisfy { word in
                word.contains { $0.isLetter } && RecordIndexing.schema.textFields.contains { $0.analyzer.tokens(word).isEmpty }
                    && !searcher.hasWord(word)
            }
    }

    /// ``search(_:)``; with `searchesCorrectedQuery` false, a query whose words were corrected
    /// is answered as it is (the search of a corrected query, which is not corrected again).
    /// With `idsOnly`, the ids of every record it finds (whatever the request's limit and
    /// offset, in no particular order) instead of a page: what an export of the search writes.
    private func search(_ request: SearchRequest, searchesCorrectedQuery: Bool, idsOnly: Bool) throws -> (
        response: SearchResponse, ids: [String]
    ) {
        try request.validate()
        let parsed = try Self.parseQuery(request.query, minimumMatch: request.minimumMatch)
        var query = parsed
        // (Its scripts from the words as typed, without the query's syntax: `OR`, `title:`.)
        let typedScripts = Script.scripts(of: SnippetBuilder.words(of: query).words.joined(separator: " "))
        // Read before the searcher opens: an index commit made in between is newer than this
        // position, so a search is never called stale for a change it already sees.
        let positions = try catalog.searchPositions()
        let searcher = try openSearcher()
        var expansions: [QueryExpansion] = []
        var knownWords: Set<String> = []
        if request.correct, query != .matchAll {
            // A word some label writes is a word of its language, not a typo, even where the
            // query does not match the whole label.
            knownWords = Self.writtenLabelWords(of: query, expander: try thesaurus(version: positions.thesaurusVersion).expander)
        }
        if request.expand, query != .matchAll {
            // A word no record has may be a misspelt word of a label (`tortugas marinass`),
            // unless typo correction is off.
            let isKnownWord: ((String) -> Bool)? = request.correct ? { searcher.hasWord($0) } : nil
            (query, expansions) = try thesaurus(version: positions.thesaurusVersion).expander.expand(
                query, weight: Self.translationWeight, isKnownWord: isKnownWord)
            // (A word typed twice, `mangrove mangrove`, is said once.)
            var said = Set<QueryExpansion>()
            expansions = expansions.filter { said.insert($0).inserted }
        } else if request.correct, query != .matchAll {
            // Without translations, a label's words are still words of their language, not
            // typos: `bisonte europeo` is not corrected to `bisonte europe`.
            let labelled = try thesaurus(version: positions.thesaurusVersion).expander.expand(
                query, weight: Self.translationWeight, isKnownWord: nil
            ).query
            knownWords.formUnion(Self.labelWords(of: labelled))
        }
        for facet in request.facets where !SearchRequest.facetFields.contains(facet) {
            throw ClearingHouseError(
                .invalidQuery, "unknown facet \"\(facet)\"; facets are: \(SearchRequest.facetFields.joined(separator: ", "))")
        }
        let sort = request.sort ?? (query == .matchAll ? .published : .relevance)
        let engineSort: HitOrder = sort == .published ? .keyword(field: "published", descending: true) : .relevance
        let filter = request.filters.engineFilter
        let typedLanguage = Self.queryLanguage(expansions)
        // An index behind the catalog (after a crash between their commits) still holds
        // records deleted since: its pages are counted over the hits whose records are still
        // there (from the first hit, so that every page numbers them alike), and filled from
        // the hits after them instead of coming back short; one search reads that much.
        var stale = isIndexBehind(searcher, catalogSequence: positions.lastChangeSequence)
        let indexed = RecordIndexing.changeSequence(in: searcher.userData)
        if indexed > positions.lastChangeSequence {
            // Newer than the position read before it opened: a write committed in between, or
            // an index ahead of its catalog (a catalog restored from a backup, or one that lost
            // its last transactions), whose hits may name records the catalog does not hold.
            stale = indexed > (try catalogChangeSequence())
        }
        // (The changes between the two: at most as many records missing, or deleted.)
        let pending = Int(clamping: (positions.lastChangeSequence - indexed).magnitude)
        // (Saturating: a limit near Int.max asks for every hit.)
        let (sum, overflow) = request.limit.addingReportingOverflow(request.offset + min(pending, Self.staleFillMargin))
        var (limit, offset) = stale ? (overflow ? Int.max : sum, 0) : (request.limit, request.offset)
        if idsOnly { (limit, offset) = (max(1, try recordCount() + pending), 0) }
        let results = try indexing(query: request.query) {
            try searcher.search(
                query,
                options: SearchOptions(
                    limit: limit, offset: offset, countTotal: request.countTotal, explain: request.explain,
                    filter: filter.isEmpty ? nil : filter, facets: request.facets, sort: engineSort,
                    correctSpelling: request.correct, knownWords: knownWords,
                    preferredGroup: request.language.map(RecordIndexing.fieldLanguage) ?? typedLanguage))
        }
        // Words that are all stop words find nothing; with filters, the filters alone answer:
        // as `the kind:technology` lists the technologies, so does `the` with the filter
        // `kind`. (Only words that no record has: `sea`, a Spanish stop word, is an English
        // word, and a search for it among technologies that finds none says so.)
        if results.totalHits == 0, !request.filters.isEmpty, Self.isOnlyStopWords(parsed, searcher: searcher) {
            var filtersAlone = request
            filtersAlone.query = ""
            var (response, ids) = try search(filtersAlone, searchesCorrectedQuery: false, idsOnly: idsOnly)
            response.query = request.query
            // (When the filters find nothing either, it is they that found nothing.)
            response.onlyStopWords = response.totalLowerBound > 0
            return (response, ids)
        }
        // "Showing results for" when a word the index does not have was replaced by its close
        // spelling; words it has only as stems are then shown as written. A rare word searched
        // with a frequent neighbour beside it (`bears`, `years`) keeps its place.
        var correctedQuery: String?
        if results.corrections.contains(where: { $0.replacesWord && !$0.isWrittenForm }) {
            let replaced = results.corrections.filter(\.replacesWord)
            // (Arabic spellings as records write them: the index folds `ة` into `ه`.)
            var pairs: [(String, String)] = []
            for correction in replaced {
                pairs.append((correction.word, Self.cased(try writtenForm(of: correction.spelling, searcher: searcher), like: correction.word)))
            }
            correctedQuery = Self.replacing(pairs, in: request.query)
        }
        // The results shown are those of the query shown: it is searched instead (before any
        // record is read). Its corrected words then count as fully as words typed right (a
        // close spelling searched beside a word counts less), and are carried across languages
        // where the typed ones were not (`востановление`: restoration is a thesaurus label,
        // its typo is not).
        if searchesCorrectedQuery, let corrected = correctedQuery, corrected != request.query,
            (try? Self.parseQuery(corrected, minimumMatch: request.minimumMatch)) != nil
        {
            var again = request
            again.query = corrected
            // (Still with close spellings beside its rare words, which it reports itself.)
            var (response, ids) = try search(again, searchesCorrectedQuery: false, idsOnly: idsOnly)
            response.query = request.query
            response.corrections = results.corrections.filter(\.replacesWord) + response.corrections.filter(\.isBesideTheWord)
            response.correctedQuery = corrected
            return (response, ids)
        }
        if idsOnly {
            // (A record deleted since the index's commit is left out.)
            let keys = results.hits.map(\.key)
            let ids = stale ? keys.filter(try catalog.liveIDs(among: keys).contains) : keys
            return (SearchResponse(query: request.query, total: results.totalHits, totalLowerBound: results.totalHits, hits: [], facets: [:]), ids)
        }
        var (words, prefixes) = SnippetBuilder.words(of: query)
        words += results.corrections.map(\.spelling)
        let shownLanguage = ShownLanguage(typedLanguage: typedLanguage, typedScripts: typedScripts)
        var hits: [SearchResultHit] = []
        var pageHits = results.hits
        if stale {
            let live = try catalog.liveIDs(among: pageHits.map(\.key))
            pageHits = Array(pageHits.filter { live.contains($0.key) }.dropFirst(request.offset).prefix(request.limit))
        }
        // (A record deleted since the index's commit is left out.)
        let records = Dictionary(try self.records(ids: pageHits.map(\.key)).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for hit in pageHits {
            guard let record = records[hit.key] else { continue }
            var shown = presentation(
                of: record, score: hit.score, matchedGroup: shownLanguage.group(for: record, matched: hit.group),
                language: request.language, words: words,
                prefixes: prefixes, explanation: hit.explanation?.description)
            shown.translations = hit.matchedSynonyms
            hits.append(shown)
        }
        let counted = request.countTotal || !request.facets.isEmpty || engineSort != .relevance
        var response = SearchResponse(
            query: request.query, total: counted ? results.totalHits : nil, totalLowerBound: results.totalHits, hits: hits,
            facets: results.facets)
        response.stale = stale
        if results.totalHits == 0, query != .matchAll {
            response.onlyStopWords = Self.isOnlyStopWords(query, wordsOnly: false, searcher: searcher)
        }
        response.expansions = expansions
        response.corrections = results.corrections
        response.correctedQuery = correctedQuery
        if let themes = results.facets["theme"] {
            let labels = try conceptLabels(for: Array(themes.keys), language: request.language ?? "en")
            if !labels.isEmpty { response.facetLabels["theme"] = labels }
        }
        return (response, [])
    }

    /// `spelling` (as the index has it, in lower case) with a capital first letter when `word`,
    /// as typed, has one (`Madagaskar` -> `Madagascar`).
    static func cased(_ spelling: String, like word: String) -> String {
        guard let first = word.first, first.isUppercase, let head = spelling.first, head.isLowercase else { return spelling }
        if word.allSatisfy({ !$0.isLetter || $0.isUppercase }) { return spelling.uppercased() }  // typed in capitals
        return head.uppercased() + spelling.dropFirst()
    }

    /// `query` with each word of `replacements` (as a whole word) replaced by its spelling.
    static func replacing(_ replacements: [(word: String, spelling: String)], in query: String) -> String {
        var result = query
        for (word, spelling) in replacements where !word.isEmpty {
            var output = ""
            var rest = result[...]
            while let range = rest.range(of: word) {
                let before = range.lowerBound == rest.startIndex ? output.last : rest[rest.index(before: range.lowerBound)]
                let after = range.upperBound < rest.endIndex ? rest[range.upperBound] : nil
                let isWhole = !(before?.isLetter ?? false) && !(before?.isNumber ?? false) && !(after?.isLetter ?? false)
                    && !(after?.isNumber ?? false)
                output += rest[..<range.lowerBound] + (isWhole ? spelling : word)
                rest = rest[range.upperBound...]
            }
            result = output + rest
        }
        return result
    }

    /// A hit as shown: title and snippet in the asked language, else the best-matching one,
    /// else English, else any.
    func presentation(
        of record: Record, score: Double, matchedGroup: String?, language: String?, words: [String], prefixes: [String],
        explanation: String?
    ) -> SearchResultHit {
        let preferred = language ?? matchedGroup.flatMap { $0 == RecordIndexing.otherLanguage ? nil : $0 }
            ?? record.textLanguages.first { RecordIndexing.fieldLanguage($0) == RecordIndexing.otherLanguage && matchedGroup == RecordIndexing.otherLanguage }
        let title = record.title.resolved(preferring: preferred)
        // An untitled document (a test collection's) is shown in the language of its text,
        // not in the one asked for or matched (an empty query matches every group).
        let text = title == nil ? record.summary.resolved(preferring: preferred) ?? record.description.resolved(preferring: preferred) : nil
        let shown = title?.language ?? text?.language ?? preferred ?? LanguageTag.undetermined
        // The passage comes from the texts of one language, analyzed with its analyzer: the
        // shown language's summary and description when it has either, else those of the
        // language the summary (or description) falls back to.
        let resolved = [record.summary.resolved(preferring: shown), record.description.resolved(preferring: shown)].compactMap { $0 }
        func primary(_ tag: String) -> String { LanguageTag.primaryLanguage(of: tag) }
        let snippetLanguage = (resolved.first { primary($0.language) == primary(shown) } ?? resolved.first)?.language ?? shown
        let texts = resolved.filter { primary($0.language) == primary(snippetLanguage) }
        let snippet = SnippetBuilder.snippet(
            texts: texts.map(\.text), language: snippetLanguage, words: words, prefixes: prefixes)
        return SearchResultHit(
            id: record.id, kind: record.kind, title: title?.text ?? record.id, language: shown, score: score,
            snippet: snippet, explanation: explanation)
    }

    // MARK: Matchmaking

    /// The kinds of record that can answer a request for assistance.
    public static let answeringKinds: [RecordKind] = [
        .technology, .bestPractice, .caseStudy, .organization, .training, .funding, .resource,
    ]

    /// The best matches of record `id`: for a request for assistance, the technologies, best
    /// practices, case studies, organizations, training, funding and resources most likely to
    /// answer it; for any other record (an offer), the requests it could answer. Never the
    /// record itself, and never a request for a request. An alias's id finds the matches of
    /// the record it resolves to.
    ///
    /// Candidates are ranked by the evidence of ``MatchWeights`` (``MatchWeights/standard``):
    /// the content of the need (title and keywords weigh more than the summary and
    /// description; numbers, units and time words never count; words weigh by their idf over
    /// the whole catalog; the thesaurus carries them across languages), what the offer gives
    /// against what is asked, and shared theme, target, country, region and language. Each
    /// hit says why (``SearchResultHit/reasons``): `offers training`, `about coral bleaching,
    /// temperature loggers`, `same country (Kenya)`, `works in the same region (Small Island
    /// Developing States)`.
    /// - Throws: ``ClearingHouseError`` with code `notFound` for an unknown id.
    public func match(id: String, filters: SearchFilters = SearchFilters(), limit: Int = 10, language: String? = nil) throws -> SearchResponse {
        // (The parameters are checked as a MatchRequest's: a limit below 0, a language that
        // is no tag, a bad filter.)
        try MatchRequest(id: id, filters: filters, limit: limit, language: language).validate()
        return try sayingIfStale(try match(try resolvedRecord(id: id), filters: filters, limit: limit, language: language))
    }

    /// `response` with ``SearchResponse/stale`` set when the index lags the catalog (after a
    /// write interrupted between the two): matches and similar records are found in the
    /// index's last commit, as a search's hits are, and say so as a search does.
    private func sayingIfStale(_ response: SearchResponse) throws -> SearchResponse {
        var response = response
        response.stale = try isIndexBehind(openSearcher())
        return response
    }

    /// Records most likely to answer a request described by `text` (in any language), in
    /// `countries` if given, asking for the kinds of help `assistanceTypes` (as a stored
    /// request's). The response's `query` is the text.
    /// - Parameter textLanguage: the language `text` is written in, when known
    ///   (``MatchRequest/textLanguage``); nil or `und`: any.
    public func match(
        text: String, countries: [String] = [], assistanceTypes: [String] = [], filters: SearchFilters = SearchFilters(), limit: Int = 10,
        language: String? = nil, textLanguage: String? = nil
    ) throws -> SearchResponse {
        var matchRequest = MatchRequest(
            text: text, requestingCountries: countries, assistanceTypes: assistanceTypes, filters: filters, limit: limit, language: language)
        matchRequest.textLanguage = textLanguage
        try matchRequest.validate()
        try checkListed(assistanceTypes)
        let written = textLanguage.flatMap(LanguageTag.normalized) ?? LanguageTag.undetermined
        let request = Record(
            id: "request", kind: .assistanceRequest, language: written, title: LocalizedText([written: text]),
            countries: countries.compactMap(CountryCode.normalized), assistanceTypes: assistanceTypes)
        var response = try match(
            request, filters: filters, limit: limit, language: language, anyLanguage: written == LanguageTag.undetermined)
        response.query = text
        return try sayingIfStale(response)
    }

    /// Refuses a kind of help that is neither one matchmaking knows
    /// (``MatchRequest/knownAssistanceTypes``, in any spelling) nor one that some record
    /// lists: a kind typed wrong would count for nothing, without a word.
    private func checkListed(_ assistanceTypes: [String]) throws {
        let known = Set(MatchRequest.knownAssistanceTypes.map(ClearingHouse.notationKey))
        let unknown = assistanceTypes.filter { !known.contains(ClearingHouse.notationKey($0)) }
        guard !unknown.isEmpty else { return }
        let searcher = try openSearcher()
        for type in unknown {
            let filter = Filter(["assistanceType": Set(ClearingHouse.notationSpellings(type))])
            let listed = try indexing { try searcher.search(.matchAll, options: SearchOptions(limit: 1, filter: filter)) }
            guard listed.hits.isEmpty else { continue }
            throw ClearingHouseError.parameter(
                "assistanceTypes",
                "\"\(type)\" is not a kind of help that matchmaking knows or that a record lists; kinds are: \(MatchRequest.knownAssistanceTypes.joined(separator: ", "))"
            )
        }
    }

    /// The records most like record `id` (any kind), with what they share. An alias's id
    /// finds those of the record it resolves to.
    public func similar(id: String, filters: SearchFilters = SearchFilters(), limit: Int = 10, language: String? = nil) throws -> SearchResponse {
        // (Its parameters are a match's.)
        try MatchRequest(id: id, filters: filters, limit: limit, language: language).validate()
        return try sayingIfStale(
            try related(to: try resolvedRecord(id: id), kinds: nil, filters: filters, limit: limit, language: language, anyLanguage: false))
    }

    private func match(_ request: Record, filters: SearchFilters, limit: Int, language: String?, anyLanguage: Bool = false) throws -> SearchResponse {
        let candidates = try matchCandidates(for: request, filters: filters, anyLanguage: anyLanguage)
        return try matchResponse(candidates, weights: .standard, limit: limit, language: language)
    }

    /// Content similarity plus shared attributes, for matchmaking and similar records.
    func related(
        to source: Record, kinds: [RecordKind]?, filters: SearchFilters, limit: Int, language: String?, anyLanguage: Bool
    ) throws -> SearchResponse {
        let searcher = try openSearcher()
        var texts = RecordIndexing.document(for: source).text
        if anyLanguage {
            // Text of unknown language: let every language's analyzer find its words.
            let all = texts.values.flatMap { $0 }
            texts = [:]
            for language in RecordIndexing.languages + [RecordIndexing.otherLanguage] {
                texts["description.\(language)"] = all
            }
        }
        var filter = filters
        if let kinds { filter.kinds = filters.kinds.isEmpty ? kinds : filters.kinds.filter(kinds.contains) }
        let engineFilter = filter.engineFilter
        // The labels of the source's themes, read once (none when there is no thesaurus).
        let themeLabels = source.themes.isEmpty ? [:] : ((try? conceptLabels(for: source.themes, language: language ?? "en")) ?? [:])
        // Candidates: the best content matches, and records sharing a theme or assistance type.
        var candidates: [String: Double] = [:]
        var matchedWords: [String] = []
        // Numbers, units and time words say nothing of what a record is about ("about: 78"),
        // as in matchmaking.
        if let (query, words) = searcher.moreLikeThis(texts, maximumTerms: 25, accept: Matchmaking.isTelling) {
            matchedWords = words
            let results = try indexing {
                try searcher.search(query, options: SearchOptions(limit: 200, filter: engineFilter.isEmpty ? nil : engineFilter))
            }
            for hit in results.hits where hit.key != source.id { candidates[hit.key] = hit.score }
        }
        for (field, values) in [("theme", source.themes), ("assistanceType", source.assistanceTypes)] where !values.isEmpty {
            var shared = engineFilter
            shared.values[field, default: []].formUnion(values)
            let results = try indexing { try searcher.search(.matchAll, options: SearchOptions(limit: 200, filter: shared)) }
            for hit in results.hits where hit.key != source.id && candidates[hit.key] == nil { candidates[hit.key] = 0 }
        }
        let best = candidates.values.max() ?? 0
        var scored: [(record: Record, score: Double, reasons: [MatchReason])] = []
        for (id, content) in candidates {
            guard let candidate = try record(id: id), candidate.id != source.id else { continue }
            var score = best > 0 ? content / best : 0
            var reasons: [MatchReason] = []
            let candidateText = Set(RecordIndexing.document(for: candidate).text.values.flatMap { $0 }.joined(separator: " ").lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init))
            let sharedWords = matchedWords.filter { word in candidateText.contains(word) }.prefix(4)
            if content > 0, !sharedWords.isEmpty {
                reasons.append(MatchReason(kind: .about, values: Array(sharedWords), text: "about: " + sharedWords.joined(separator: ", ")))
            }
            let themes = Matchmaking.shared(source.themes, candidate.themes).values
            if !themes.isEmpty {
                score += 0.3 * Double(min(themes.count, 2))
                // (Said by the thesaurus's labels, as a match's reasons are: `monitoring` is
                // "biodiversity monitoring".)
                reasons.append(
                    MatchReason(
                        kind: .sameTheme, values: themes, text: "shares theme: " + themes.map { themeLabels[$0] ?? $0 }.joined(separator: ", ")))
            }
            let assistance = Matchmaking.shared(source.assistanceTypes, candidate.assistanceTypes).values
            if !assistance.isEmpty {
                score += 0.3
                reasons.append(
                    MatchReason(
                        kind: kinds == nil ? .sameAssistanceType : .offers, values: assistance,
                        text: (kinds == nil ? "shares assistance type: " : "offers: ")
                            + assistance.map(Matchmaking.name(ofAssistance:)).joined(separator: ", ")))
            }
            let countries = Matchmaking.shared(source.countries, candidate.countries).values
            if !countries.isEmpty {
                score += 0.2
                reasons.append(
                    MatchReason(kind: .sameCountry, values: countries.map { $0.uppercased() }, text: "same country: " + countries.map(Matchmaking.countryName).joined(separator: ", ")))
            }
            let regions = Matchmaking.shared(source.regions, candidate.regions, key: Matchmaking.regionKey).values
            if !regions.isEmpty {
                score += 0.1
                reasons.append(MatchReason(kind: .sameRegion, values: regions, text: "same region: " + regions.joined(separator: ", ")))
            }
            guard score > 0 else { continue }
            scored.append((candidate, score, reasons))
        }
        scored.sort { ($0.score, $1.record.id) > ($1.score, $0.record.id) }
        let hits = scored.prefix(max(0, limit)).map { item in
            var hit = presentation(
                of: item.record, score: item.score, matchedGroup: nil, language: language, words: matchedWords, prefixes: [],
                explanation: nil)
            hit.reasonDetails = item.reasons
            hit.reasons = item.reasons.map(\.text)
            return hit
        }
        return SearchResponse(query: source.id, total: scored.count, totalLowerBound: scored.count, hits: Array(hits), facets: [:])
    }

    // MARK: Export of a search

    /// Writes the records a search finds (all of them, sorted by id) in `format`.
    public func export(format: ExportFormat, matching request: SearchRequest, to write: (String) throws -> Void) throws {
        var writer = ExportWriter(format: format)
        for line in writer.start() { try write(line) }
        // (A page of records at a time, as ``exportPages(format:selection:pageSize:)`` reads them.)
        let ids = try exportedIDs(matching: request)
        for start in stride(from: 0, to: ids.count, by: 200) {
            for line in try exportLines(ids: Array(ids[start..<min(ids.count, start + 200)]), writer: &writer) { try write(line) }
        }
        for line in writer.end() { try write(line) }
    }

    /// The export lines of the records `ids` (in that order) that the catalog holds: the
    /// provider's header for `oai_dc` (one read each), the canonical JSON otherwise (one read).
    func exportLines(ids: [String], writer: inout ExportWriter) throws -> [String] {
        var lines: [String] = []
        if writer.format == .oaiDC {
            for id in ids {
                guard let item = try catalog.oaiItem(id: id), let json = item.json else { continue }
                lines += try writer.lines(json: json, datestamp: item.datestamp, sets: item.sets)
            }
        } else {
            let found = try catalog.jsons(ids: ids)
            for id in ids {
                guard let json = found[id] else { continue }
                lines += try writer.lines(json: json, datestamp: 0, sets: [])
            }
        }
        return lines
    }

    /// The ids of every record a search finds (whatever its limit and offset), sorted: the
    /// records ``search(_:)`` lists, page after page (across languages through the thesaurus,
    /// and for a corrected query's corrected words, as the search shows them).
    func exportedIDs(matching request: SearchRequest) throws -> [String] {
        var request = request
        request.facets = []
        return try search(request, searchesCorrectedQuery: true, idsOnly: true).ids.sorted()
    }
}
