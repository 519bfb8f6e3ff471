import Foundation
import Testing

@testable import SearchCore

/// Close spellings: `word~` and automatic correction of unknown or rare words.
@Suite("Close spellings and typo correction")
struct SpellingTests {
    let schema = Schema(textFields: [Schema.TextField("title", weight: 2), Schema.TextField("body")])

    func searcher(_ documents: [(String, String)], analyzer: (any Analyzer)? = nil) throws -> IndexSearcher {
        let schema = analyzer.map { Schema(textFields: [Schema.TextField("title", analyzer: $0, weight: 2), Schema.TextField("body")]) } ?? schema
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        for (key, text) in documents { try writer.add(Document(key: key, text: ["title": [text]])) }
        try writer.commit()
        return try IndexSearcher.open(directory: directory.url, schema: schema)
    }

    @Test func unknownWordIsSearchedWithItsCloseSpellings() throws {
        let searcher = try searcher([
            ("a", "mangrove restoration"), ("b", "wetland restoration"), ("c", "mangrove nursery"), ("d", "coral gardening"),
        ])
        let options = SearchOptions(correctSpelling: true)
        let results = try searcher.search(try QueryParser().parse("mangrove restoraton"), options: options)
        #expect(results.hits.first?.key == "a")
        #expect(Set(results.hits.map(\.key)) == ["a", "b", "c"])
        #expect(results.corrections == [
            SpellingCorrection(word: "restoraton", spelling: "restoration", distance: 1, documentFrequency: 2, requested: false)
        ])
        // Off: only the words as typed.
        let plain = try searcher.search(try QueryParser().parse("mangrove restoraton"))
        #expect(Set(plain.hits.map(\.key)) == ["a", "c"] && plain.corrections.isEmpty)
        // A transposition is one edit; a longer word may be two edits away.
        #expect(try searcher.search(.term(field: nil, text: "mangorve"), options: options).hits.map(\.key).sorted() == ["a", "c"])
        #expect(try searcher.search(.term(field: nil, text: "restorratoin"), options: options).corrections.first?.distance == 2)
        // Words of fewer than 5 letters are not corrected automatically (too many neighbours).
        #expect(try searcher.search(.term(field: nil, text: "corl"), options: options).hits.isEmpty)
        // Known words are left alone.
        #expect(try searcher.search(.term(field: nil, text: "nursery"), options: options).corrections.isEmpty)
        // An unknown word is not corrected to a spelling one record has (`gardening`), nor is
        // an acronym (a short word in capitals); a long one is caps lock; `word~` asks for any.
        #expect(try searcher.search(.term(field: nil, text: "gardenng"), options: options).corrections.isEmpty)
        #expect(QueryPlanner.isAcronym("SMART") && QueryPlanner.isAcronym("AGROVOC") && !QueryPlanner.isAcronym("Smart"))
        #expect(try searcher.search(.term(field: nil, text: "RESTORATON"), options: options).corrections.first?.spelling == "restoration")
        // A stop word of the field's language is not a typo of a word (`there`, `three`).
        let stops = try self.searcher(
            [("s", "three wetland sites"), ("t", "three wetland surveys")], analyzer: LanguageAnalyzer.forLanguage("en"))
        #expect(try stops.search(.term(field: nil, text: "there"), options: options).corrections.isEmpty)
        #expect(try stops.search(.term(field: nil, text: "threee"), options: options).corrections.first?.spelling == "three")
        #expect(try searcher.search(try QueryParser().parse("gardenng~"), options: options).corrections.first?.spelling == "gardening")
    }

    /// QA: `whale` was "corrected" to `wale` (one record's Wales) because another close
    /// spelling made the unit common enough. The spelling shown must itself be in two
    /// records, counted across fields: the likeliest one that is, or none.
    @Test func theSpellingShownIsOneAtLeastTwoRecordsHave() throws {
        let schema = Schema(textFields: [Schema.TextField("title", weight: 2), Schema.TextField("body")])
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(Document(key: "wales", text: ["title": ["saltmarsh mapping in wale"]]))
        try writer.add(Document(key: "w1", text: ["title": ["benefit sharing"], "body": ["the whole industry"]]))
        try writer.add(Document(key: "w2", text: ["title": ["whole plants pulled"]]))
        try writer.add(Document(key: "x", text: ["title": ["kelp forests"], "body": ["kelp kelp"]]))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        let options = SearchOptions(correctSpelling: true)
        // `whole` is in one record's title and another's text: two records, and shown.
        let whale = try searcher.search(.term(field: nil, text: "whale"), options: options)
        #expect(whale.corrections.map(\.spelling) == ["whole"])
        #expect(Set(whale.hits.map(\.key)) == ["w1", "w2", "wales"])
        // `kelps` is one record's word only (twice, in two fields): not corrected.
        #expect(try searcher.search(.term(field: nil, text: "kelpz"), options: options).corrections.isEmpty)
        // Asked for (`word~`), any close spelling is searched and shown.
        #expect(try searcher.search(try QueryParser().parse("kelpz~"), options: options).corrections.first?.spelling == "kelp")
    }

    @Test func rareWordIsCorrectedOnlyWhenAClosSpellingIsFarMoreFrequentAndExactMatchesRankFirst() throws {
        var documents = (0..<25).map { ("r\($0)", "restoration project \($0)") }
        documents.append(("typo", "restoraton project"))
        documents.append(("rare", "pollinator survey"))
        documents.append(("rare2", "pollinators count"))
        let searcher = try searcher(documents)
        let options = SearchOptions(limit: 30, correctSpelling: true)
        let results = try searcher.search(.term(field: nil, text: "restoraton"), options: options)
        // The record with the word as typed ranks first; the close spelling's records follow.
        #expect(results.hits.first?.key == "typo")
        #expect(results.hits.count == 26)
        #expect(results.corrections.first?.spelling == "restoration")
        // Both spellings about as rare: no correction.
        #expect(try searcher.search(.term(field: nil, text: "pollinator"), options: options).corrections.isEmpty)
    }

    /// A word that a synonym set's label matched (the query expander put the set beside it)
    /// is a word of its language, however rare: it is not corrected to a frequent neighbour,
    /// the way `الشعاب` (reefs) was to `الشباب` (youth). `word~` still asks for neighbours.
    @Test func wordsOfAMatchedLabelAreNotCorrected() throws {
        var documents = (0..<25).map { ("r\($0)", "restoration project \($0)") }
        documents.append(("typo", "restoraton project"))
        let searcher = try searcher(documents)
        let options = SearchOptions(limit: 30, correctSpelling: true)
        let synonyms = Synonyms(
            source: "restoraton", words: [.init(text: "project", group: "", label: "project [xx]")], weight: 0.5)
        let query = Query.boolean([.init(.should, .term(field: nil, text: "restoraton")), .init(.should, .synonyms(synonyms))], minimumShouldMatch: 0)
        let results = try searcher.search(query, options: options)
        #expect(results.corrections.isEmpty)
        #expect(results.hits.first?.key == "typo")
        // Without the label, the same word is corrected.
        #expect(try searcher.search(.term(field: nil, text: "restoraton"), options: options).corrections.first?.spelling == "restoration")
        let asked = Query.boolean([.init(.should, .fuzzy(field: nil, text: "restoraton", maxEdits: nil)), .init(.should, .synonyms(synonyms))], minimumShouldMatch: 0)
        #expect(try searcher.search(asked, options: options).corrections.first?.spelling == "restoration")
    }

    /// A spelling in two records counts as two, in whichever fields they have it.
    @Test func theTwoRecordsACorrectionNeedsAreCountedOverFields() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(Document(key: "a", text: ["title": ["Kalimantan peatlands"]]))
        try writer.add(Document(key: "b", text: ["title": ["Peat fires"], "body": ["Fires in Kalimantan"]]))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        let results = try searcher.search(.term(field: nil, text: "kalimatan"), options: SearchOptions(correctSpelling: true))
        #expect(Set(results.hits.map(\.key)) == ["a", "b"])
        #expect(results.corrections.first?.spelling == "kalimantan")
    }

    @Test func fuzzySyntaxAsksForCloseSpellingsOfAnyWord() throws {
        let searcher = try searcher([("a", "camera traps"), ("b", "cameras on trees"), ("c", "canopy traps")])
        let results = try searcher.search(try QueryParser().parse("camera~"))
        #expect(Set(results.hits.map(\.key)) == ["a", "b"])
        #expect(results.hits.first?.key == "a")
        #expect(results.corrections.first?.requested == true)
        #expect(results.corrections.first?.spelling == "cameras")
        // ~0 is the word alone; short words may be asked for explicitly.
        #expect(try searcher.search(try QueryParser().parse("camera~0")).hits.map(\.key) == ["a"])
        #expect(Set(try searcher.search(try QueryParser().parse("trap~1")).hits.map(\.key)) == ["a", "c"])
    }

    @Test func fuzzySyntaxParses() throws {
        let parser = QueryParser()
        #expect(try parser.parse("restoraton~") == .fuzzy(field: nil, text: "restoraton", maxEdits: nil))
        #expect(try parser.parse("title:restoraton~2") == .fuzzy(field: "title", text: "restoraton", maxEdits: 2))
        #expect(try parser.parse("a~b") == .term(field: nil, text: "a~b"))
        #expect(try parser.parse("restor\\~") == .term(field: nil, text: "restor~"))
        #expect(throws: QueryParseError.self) { try parser.parse("restoraton~3") }
        #expect(throws: QueryParseError.self) { try parser.parse("restoraton~12") }
        #expect(throws: QueryParseError.self) { try parser.parse("restoraton~1.5") }
        #expect(throws: QueryParseError.self) { try parser.parse("restoraton~2x") }
        // A signed number is meant as the edits too (it was searched as the word "coral~-1").
        #expect(throws: QueryParseError.self) { try parser.parse("coral~-1") }
        #expect(throws: QueryParseError.self) { try parser.parse("coral~+1") }
        #expect(try parser.parse("a~-b") == .term(field: nil, text: "a~-b"))
    }

    @Test func closeSpellingsAreFoundByTheAutomatonAndAgreeWithBruteForce() throws {
        // Random words: whatever the automaton walk finds for an unknown word is exactly the
        // set of index words within the allowed edits (checked by brute force). Each word is
        // in two documents (an unknown word is corrected to a spelling at least two have).
        var random = SeededGenerator(seed: 11)
        let alphabet = Array("abcdeé")
        let words = (0..<400).map { _ in String((0..<Int.random(in: 5...9, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" }) }
        let searcher = try searcher(words.enumerated().flatMap { [("d\($0.offset)", $0.element), ("e\($0.offset)", $0.element)] })
        for _ in 0..<30 {
            let query = String((0..<Int.random(in: 5...9, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" })
            guard !words.contains(query) else { continue }
            let edits = QueryPlanner.automaticEdits(length: query.count)
            let expected = Set(
                words.enumerated().filter { LevenshteinAutomaton(query, maxDistance: edits).distance(of: $0.element) != nil }
                    .flatMap { ["d\($0.offset)", "e\($0.offset)"] })
            let found = try searcher.search(.term(field: nil, text: query), options: SearchOptions(limit: 1000, correctSpelling: true))
            #expect(Set(found.hits.map(\.key)) == expected, "\(query)")
        }
    }

    @Test func stemmedWordsAreCorrectedAndShownAsWritten() throws {
        let schema = Schema(textFields: [Schema.TextField("title.en", analyzer: LanguageAnalyzer.forLanguage("en"), group: "en")])
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(Document(key: "a", text: ["title.en": ["Pollinators in orchards"]]))
        try writer.add(Document(key: "b", text: ["title.en": ["Restoring mangroves and a mangrove nursery"]]))
        try writer.add(Document(key: "c", text: ["title.en": ["Mangrove restoration"]]))
        try writer.add(Document(key: "d", text: ["title.en": ["Wild pollinators and restoration"]]))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        let options = SearchOptions(correctSpelling: true)
        // A typo of a stemmed word is found through the words as written (`pollinators` is
        // indexed as `pollin`, far from `pollinatrs`), and shown as written.
        let typo = try searcher.search(.term(field: nil, text: "pollinatrs"), options: options)
        #expect(Set(typo.hits.map(\.key)) == ["a", "d"])
        #expect(typo.corrections.map(\.spelling) == ["pollinators"])
        #expect(typo.corrections.first?.wordDocumentFrequency == 0)
        // A stem typed as it is (`mangrov`) matches as it always did, and is shown as the
        // closest word records write once another word is corrected.
        let stem = try searcher.search(try QueryParser().parse("mangrov restoraton"), options: options)
        #expect(Set(stem.hits.map(\.key)) == ["b", "c", "d"])
        #expect(stem.corrections.map(\.spelling) == ["restoration", "mangrove"])
        #expect(stem.corrections.map(\.isWrittenForm) == [false, true])
        #expect(stem.corrections.first?.distance == 1)
        // Alone, it is a word, not a typo: nothing to show.
        #expect(try searcher.search(.term(field: nil, text: "mangrov"), options: options).corrections.isEmpty)
        // A word some record writes as typed is never shown as another spelling.
        #expect(try searcher.search(try QueryParser().parse("orchards restoraton"), options: options).corrections.map(\.word) == ["restoraton"])
    }
}
