import Foundation
import Testing

@testable import SearchCore

/// Translations searched as one BM25 unit (Lucene's SynonymQuery), and query expansion
/// through synonym sets.
@Suite("Synonyms and query expansion")
struct SynonymTests {
    /// Two languages, each with its own scoring group: `title.xx` (weight 2) and `body.xx`.
    static let schema: Schema = {
        var fields: [Schema.TextField] = []
        for language in ["en", "fr", "ru"] {
            fields.append(Schema.TextField("title." + language, analyzer: WhitespaceAnalyzer(), weight: 2, group: language))
            fields.append(Schema.TextField("body." + language, analyzer: WhitespaceAnalyzer(), group: language))
        }
        return Schema(textFields: fields)
    }()

    static let vocabulary = ["reef", "coral", "corail", "récif", "риф", "fish", "poisson", "рыба", "sea", "mer"]

    /// Random documents: each writes a title and a body in one language, or in two.
    /// A schema of one title field per language, each its own scoring group.
    static func titles(_ languages: [String]) -> Schema {
        Schema(textFields: languages.map { Schema.TextField("title.\($0)", analyzer: LanguageAnalyzer.forLanguage($0), group: $0) })
    }

    static func corpus(seed: UInt64, count: Int) -> [(key: String, fields: [String: [String]])] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { index in
            var fields: [String: [String]] = [:]
            let languages = [["en"], ["fr"], ["ru"], ["en", "fr"]].randomElement(using: &random) ?? ["en"]
            for language in languages {
                for field in ["title", "body"] {
                    let length = Int.random(in: field == "title" ? 1...4 : 3...30, using: &random)
                    fields["\(field).\(language)"] = (0..<length).map { _ in vocabulary.randomElement(using: &random) ?? "sea" }
                }
            }
            return ("doc\(index)", fields)
        }
    }

    /// The SynonymQuery definition written out, per group: tf = sum over the group's fields
    /// and the words searched there of weight * freq / (1 - b + b * dl / avgdl); df = the
    /// largest document frequency of the words and of the source word they translate (each
    /// counted in whichever field has most); score = weight * idf(df) * tf / (k1 + tf), the
    /// best group counting.
    static func reference(
        _ corpus: [(key: String, fields: [String: [String]])], source: String, words: [(text: String, group: String)],
        weight: Double, k1: Double, b: Double
    ) -> [String: Double] {
        let n = Double(corpus.count)
        let fieldNames = schema.textFields.map(\.name)
        var averages: [String: Double] = [:]
        for name in fieldNames {
            let lengths = corpus.compactMap { $0.fields[name]?.count }
            averages[name] = lengths.isEmpty ? 1 : Double(lengths.reduce(0, +)) / Double(lengths.count)
        }
        var df = 0
        for word in words {
            for name in fieldNames where name.hasSuffix("." + word.group) {
                df = max(df, corpus.filter { $0.fields[name]?.contains(word.text) == true }.count)
            }
        }
        guard df > 0 else { return [:] }
        for name in fieldNames { df = max(df, corpus.filter { $0.fields[name]?.contains(source) == true }.count) }
        let idf = weight * log(1 + (n - Double(df) + 0.5) / (Double(df) + 0.5))
        var scores: [String: Double] = [:]
        for document in corpus {
            var best = 0.0
            for group in ["en", "fr", "ru"] {
                var tf = 0.0
                for field in schema.textFields where field.group == group {
                    guard let tokens = document.fields[field.name] else { continue }
                    let length = Double(LengthNorm.decode(LengthNorm.encode(tokens.count)))
                    let factor = 1 - b + b * length / (averages[field.name] ?? 1)
                    for word in words where word.group == group {
                        tf += field.weight * Double(tokens.filter { $0 == word.text }.count) / factor
                    }
                }
                if tf > 0 { best = max(best, idf * tf / (k1 + tf)) }
            }
            if best > 0 { scores[document.key] = best }
        }
        return scores
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func translationsScoreAsOneWeightedUnitLikeTheReference(seed: UInt64) throws {
        let corpus = Self.corpus(seed: seed, count: 300)
        let directory = ScratchDirectory()
        let bm25 = BM25Parameters(k1: 1.2, b: 0.75)
        let writer = try IndexWriter(directory: directory.url, schema: Self.schema, bm25: bm25)
        for document in corpus {
            try writer.add(Document(key: document.key, text: document.fields.mapValues { [$0.joined(separator: " ")] }))
        }
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
        let cases: [(source: String, words: [(text: String, group: String)])] = [
            ("x", [("reef", "en"), ("récif", "fr")]),
            ("риф", [("coral", "en"), ("corail", "fr")]),
            ("рыба", [("fish", "en"), ("poisson", "fr"), ("sea", "en")]),
        ]
        for (source, words) in cases {
            let synonyms = Synonyms(
                source: source, words: words.map { Synonyms.Word(text: $0.text, group: $0.group, label: "\($0.text) [\($0.group)]") },
                weight: 0.4)
            let expected = Self.reference(corpus, source: source, words: words, weight: 0.4, k1: bm25.k1, b: bm25.b)
            let results = try searcher.search(.synonyms(synonyms), options: SearchOptions(limit: 1000, countTotal: true))
            #expect(results.totalHits == expected.count, "\(words)")
            for hit in results.hits {
                let want = try #require(expected[hit.key])
                #expect(abs(hit.score - want) < 1e-4, "\(words) \(hit.key): \(hit.score) vs \(want)")
                #expect(!hit.matchedSynonyms.isEmpty)
            }
            // Top 10 (pruned) agrees with the reference's best 10.
            let top = try searcher.search(.synonyms(synonyms), options: SearchOptions(limit: 10))
            let best = expected.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(10)
            #expect(top.hits.map(\.key) == best.map(\.key))
        }
    }

    @Test func aRecordInTheQuerysOwnLanguageRanksAboveItsTranslations() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: Self.schema)
        try writer.add(Document(key: "ru", text: ["title.ru": ["риф"], "body.ru": ["риф рыба"]]))
        try writer.add(Document(key: "en", text: ["title.en": ["reef"], "body.en": ["reef fish"]]))
        try writer.add(Document(key: "en2", text: ["title.en": ["fish"], "body.en": ["sea"]]))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
        let expander = QueryExpander(
            sets: [SynonymSet(id: "reefs", labels: [.init(text: "reef", group: "en"), .init(text: "риф", group: "ru")])],
            schema: Self.schema)
        let (query, expansions) = expander.expand(.term(field: nil, text: "риф"), weight: 0.5)
        #expect(expansions.map(\.setID) == ["reefs"])
        #expect(expansions.first?.matchedGroups == ["ru"])
        #expect(expansions.first?.added == [SynonymSet.Label(text: "reef", group: "en")])
        let results = try searcher.search(query, options: SearchOptions(explain: true))
        #expect(results.hits.map(\.key) == ["ru", "en"])
        #expect(results.hits[1].matchedSynonyms == ["reef [en] from риф"])
        #expect(results.hits[0].matchedSynonyms.isEmpty)
        #expect(results.hits[1].explanation?.description.contains("title.en (reef [en] from риф)") == true)
        // Without expansion the English record is not found.
        #expect(try searcher.search(.term(field: nil, text: "риф")).hits.map(\.key) == ["ru"])
    }

    @Test func expansionMatchesAnalyzedMultiWordLabelsLongestFirst() throws {
        let schema = Schema(textFields: [
            Schema.TextField("title.en", analyzer: LanguageAnalyzer.forLanguage("en"), group: "en"),
            Schema.TextField("title.ru", analyzer: LanguageAnalyzer.forLanguage("ru"), group: "ru"),
            Schema.TextField("title.zh", analyzer: LanguageAnalyzer.forLanguage("zh"), group: "zh"),
        ])
        let sets = [
            SynonymSet(id: "coral-reefs", labels: [
                .init(text: "coral reefs", group: "en"), .init(text: "коралловые рифы", group: "ru"), .init(text: "珊瑚礁", group: "zh"),
            ]),
            SynonymSet(id: "corals", labels: [.init(text: "corals", group: "en"), .init(text: "кораллы", group: "ru")]),
            SynonymSet(id: "monitoring", labels: [.init(text: "monitoring", group: "en"), .init(text: "мониторинг", group: "ru")]),
        ]
        let expander = QueryExpander(sets: sets, schema: schema)
        func expansions(_ text: String) throws -> [String] {
            expander.expand(try QueryParser().parse(text), weight: 0.5).expansions.map { "\($0.setID):\($0.source)" }
        }
        // Inflected forms match through the analyzer; the two-word label wins over "corals".
        #expect(try expansions("мониторинг коралловых рифов") == ["monitoring:мониторинг", "coral-reefs:коралловых рифов"])
        #expect(try expansions("coral reef monitoring") == ["coral-reefs:coral reef", "monitoring:monitoring"])
        #expect(try expansions("corals") == ["corals:corals"])
        // The translations stand for every query term the label covers: two words, twice the
        // weight of one (a CJK label of three characters covers its two pairs).
        func weights(_ text: String) throws -> [Double] {
            guard case .boolean(let clauses, _) = expander.expand(try QueryParser().parse(text), weight: 0.5).query else { return [] }
            return clauses.compactMap { if case .synonyms(let synonyms) = $0.query { synonyms.weight } else { nil } }
        }
        #expect(try weights("коралловые рифы") == [1.0])
        #expect(try weights("corals fish") == [0.5])
        #expect(try weights("珊瑚礁") == [1.0])
        // Stems collide across languages (`forest`, and the Spanish stem of `forestación`): the
        // concept whose label is written like the words wins; two labels of one CJK run both count.
        let colliding = QueryExpander(
            sets: [
                SynonymSet(id: "forests", labels: [.init(text: "forests", group: "en"), .init(text: "лес", group: "ru")]),
                SynonymSet(id: "afforestation", labels: [.init(text: "forestación", group: "es"), .init(text: "облесение", group: "ru")]),
                SynonymSet(id: "drones", labels: [.init(text: "无人机", group: "zh"), .init(text: "drones", group: "en")]),
                SynonymSet(id: "forest-monitoring", labels: [.init(text: "森林监测", group: "zh"), .init(text: "forest monitoring", group: "en")]),
            ],
            schema: Self.titles(["en", "es", "ru", "zh"]))
        #expect(colliding.expand(try QueryParser().parse("forest"), weight: 0.5).expansions.map(\.setID) == ["forests"])
        #expect(Set(colliding.expand(try QueryParser().parse("无人机森林监测"), weight: 0.5).expansions.map(\.setID)) == ["drones", "forest-monitoring"])
        // Within one concept too: French `financement` is also the English stem of `financing`,
        // but the words are French, so the English labels are translations to add (QA: only
        // Spanish records were found), and the other way round.
        let finance = QueryExpander(
            sets: [SynonymSet(id: "finance", labels: [
                .init(text: "financing", group: "en"), .init(text: "funding", group: "en"), .init(text: "financement", group: "fr"),
                .init(text: "financiación", group: "es"),
            ])],
            schema: Self.titles(["en", "es", "fr"]))
        let french = try #require(finance.expand(try QueryParser().parse("financement"), weight: 0.5).expansions.first)
        #expect(french.matchedGroups == ["fr"])
        #expect(Set(french.added.map(\.text)) == ["financing", "funding", "financiación"])
        let english = try #require(finance.expand(try QueryParser().parse("financing"), weight: 0.5).expansions.first)
        #expect(english.matchedGroups == ["en"])
        #expect(Set(english.added.map(\.text)) == ["financement", "financiación"])
        // The labels tell the query's language; its function words are not searched in the
        // others (Spanish `hay`, there is, is the English `hay`).
        let spanish = QueryExpander(
            sets: [SynonymSet(id: "mangroves", labels: [.init(text: "manglares", group: "es"), .init(text: "mangroves", group: "en")])],
            schema: Self.titles(["en", "es"]))
        guard case .boolean(let clauses, _) = spanish.expand(try QueryParser().parse("hay manglares"), weight: 0.8).query else {
            Issue.record("expected a boolean")
            return
        }
        #expect(!clauses.contains { $0.query == .term(field: nil, text: "hay") })
        #expect(clauses.contains { $0.query == .term(field: nil, text: "manglares") })
        // A label inside a CJK run names its own characters.
        #expect(try expansions("珊瑚礁保护") == ["coral-reefs:珊瑚礁"])
        // A quoted phrase asks for its words as written: only a label that is all of it adds
        // translations.
        #expect(try expansions("\"coral reef monitoring\"") == [])
        #expect(try expansions("\"coral reefs\" fish") == ["coral-reefs:coral reefs"])
        // Excluded words are not expanded; a group requiring two of its words is left alone.
        #expect(try expansions("fish -corals") == [])
        #expect(expander.expand(try QueryParser(minimumShouldMatch: 2).parse("corals fish sea"), weight: 0.5).expansions.isEmpty)
        // A required word may match its translations instead.
        let required = expander.expand(try QueryParser().parse("+monitoring fish"), weight: 0.5).query
        guard case .boolean(let clauses, _) = required, case .boolean(let inner, _) = clauses[0].query else {
            Issue.record("expected the required word to become (word OR translations): \(required)")
            return
        }
        #expect(clauses[0].occur == .must && inner.count == 2)
    }

    /// Labels segment a CJK run typed without spaces: the pairs that straddle two labels are
    /// not words, and are not searched (`鱼类监测`, fish monitoring, matched `类监` of `森林鸟类监测`).
    @Test func labelsSegmentACJKRunAndNoPairCrossesALabelsEdge() throws {
        let expander = QueryExpander(
            sets: [
                SynonymSet(id: "forests", labels: [.init(text: "森林", group: "zh"), .init(text: "forests", group: "en")]),
                SynonymSet(id: "birds", labels: [.init(text: "鸟类", group: "zh"), .init(text: "birds", group: "en")]),
                SynonymSet(id: "monitoring", labels: [.init(text: "监测", group: "zh"), .init(text: "monitoring", group: "en")]),
                SynonymSet(id: "biodiversity", labels: [.init(text: "生物多样性", group: "zh"), .init(text: "biodiversity", group: "en")]),
            ],
            schema: Self.titles(["en", "zh"]))
        func searched(_ text: String) throws -> (own: [String], sources: [String]) {
            let expanded = expander.expand(try QueryParser().parse(text), weight: 0.8)
            guard case .boolean(let clauses, _) = expanded.query else { return ([], []) }
            let own = clauses.compactMap { clause -> String? in if case .term(nil, let text) = clause.query { text } else { nil } }
            return (own, expanded.expansions.map(\.source))
        }
        #expect(try searched("森林鸟类监测").own == ["森林", "鸟类", "监测"])
        #expect(try searched("森林鸟类监测").sources == ["森林", "鸟类", "监测"])
        // Text between labels is searched on its own; text beside one run keeps its pairs.
        #expect(try searched("森林的鸟类").own == ["森林", "的", "鸟类"])
        #expect(try searched("生物多样性保护").own == ["生物多样性", "保护"])
        #expect(try searched("湿地 森林鸟类").own == ["湿地", "森林", "鸟类"])
        // A run that is one label, a quoted run, and a run without labels stay whole.
        #expect(try searched("生物多样性").own == ["生物多样性"])
        // A quoted phrase is expanded only by a label that is the whole phrase.
        #expect(expander.expand(try QueryParser().parse("\"森林鸟类\""), weight: 0.8).query == .phrase(field: nil, text: "森林鸟类"))
        let quoted = expander.expand(try QueryParser().parse("\"生物多样性\" 湿地"), weight: 0.8)
        #expect(quoted.expansions.map(\.source) == ["生物多样性"])
        #expect(expander.expand(try QueryParser().parse("湿地保护"), weight: 0.8).query == .term(field: nil, text: "湿地保护"))
        #expect(QueryExpander.pieces(of: "森林鸟类", labelled: [0..<2, 1..<3]) == ["森林鸟", "类"])
        #expect(QueryExpander.pieces(of: "forest", labelled: [0..<2]) == nil)
    }

    /// A word no document has, of five letters or more, matches a label's word within the
    /// edits typo correction allows; a word some document has, a short one, or a phrase's, does not.
    @Test func aMisspeltWordThatNoDocumentHasMatchesTheLabelItIsCloseTo() throws {
        let expander = QueryExpander(
            sets: [
                SynonymSet(id: "sea-turtles", labels: [.init(text: "tortugas marinas", group: "es"), .init(text: "sea turtles", group: "en")]),
                SynonymSet(id: "coral-reefs", labels: [.init(text: "коралловые рифы", group: "ru"), .init(text: "coral reefs", group: "en")]),
                SynonymSet(id: "restoration", labels: [
                    .init(text: "restoration", group: "en"), .init(text: "restauración", group: "es"), .init(text: "восстановление", group: "ru"),
                ]),
            ],
            schema: Self.titles(["en", "es", "ru"]))
        func concepts(_ text: String, known: Set<String>? = []) throws -> [String] {
            let isKnownWord: ((String) -> Bool)? = known.map { known in { known.contains($0) } }
            return expander.expand(try QueryParser().parse(text), weight: 0.8, isKnownWord: isKnownWord).expansions.map(\.setID)
        }
        #expect(try concepts("tortugas marinass") == ["sea-turtles"])
        #expect(try concepts("coral reefz") == ["coral-reefs"])
        // A close spelling alone is no evidence: a word of a label of one word, or every word
        // of a label misspelt, does not match (`Islam` is not `islands`).
        #expect(try concepts("restauation") == [])
        #expect(try concepts("restoraton de manglares") == [])
        #expect(try concepts("tortugaz marinass") == [])
        // Without the index's word (typo correction off), as written only.
        #expect(try concepts("tortugas marinass", known: nil) == [])
        // A word some document has is a word, not a misspelling of a label's.
        #expect(try concepts("tortugas marinass", known: ["marinass"]) == [])
        // Too short (рыфы has four letters), too far (two edits in a word of eight), or quoted.
        #expect(try concepts("коралловые рыфы") == [])
        #expect(try concepts("tortugas marinazz") == [])
        #expect(try concepts("\"tortugas marinass\"") == [])
    }

    @Test func storedExpanderReadsBackAndRefusesOtherAnalyzersOrDamage() throws {
        let schema = Schema(textFields: [
            Schema.TextField("title.en", analyzer: LanguageAnalyzer.forLanguage("en"), group: "en"),
            Schema.TextField("title.ru", analyzer: LanguageAnalyzer.forLanguage("ru"), group: "ru"),
        ])
        let sets = [
            SynonymSet(id: "coral\treefs", labels: [.init(text: "coral reefs", group: "en"), .init(text: "коралловые\\рифы", group: "ru")]),
            SynonymSet(id: "fish", labels: [.init(text: "fish\nstocks", group: "en"), .init(text: "рыбные запасы", group: "ru")]),
        ]
        let built = QueryExpander(sets: sets, schema: schema)
        let text = built.serialized
        let read = try #require(QueryExpander(serialized: text, schema: schema))
        #expect(read.serialized == text)
        for query in ["coral reef", "коралловые рифы", "fish stocks", "рыбных запасов"] {
            let parsed = try QueryParser().parse(query)
            #expect(read.expand(parsed, weight: 0.5).expansions == built.expand(parsed, weight: 0.5).expansions, "\(query)")
        }
        #expect(!built.expand(try QueryParser().parse("рыбных запасов"), weight: 0.5).expansions.isEmpty)
        // Other analyzers (a stemmer changed): not used.
        let other = Schema(textFields: [
            Schema.TextField("title.en", analyzer: StandardAnalyzer(), group: "en"),
            Schema.TextField("title.ru", analyzer: LanguageAnalyzer.forLanguage("ru"), group: "ru"),
        ])
        #expect(QueryExpander(serialized: text, schema: other) == nil)
        // Damaged text: nil, never a crash.
        #expect(QueryExpander(serialized: text + "\nK\ten\tx\t99", schema: schema) == nil)
        #expect(QueryExpander(serialized: text + "\nZ", schema: schema) == nil)
        // Fields without a group are the group "" (review: its keys were dropped on reading).
        let ungrouped = Schema(textFields: [Schema.TextField("body", analyzer: LanguageAnalyzer.forLanguage("en"))])
        let plain = QueryExpander(
            sets: [SynonymSet(id: "reef", labels: [.init(text: "coral reefs", group: ""), .init(text: "reef", group: "")])], schema: ungrouped)
        #expect(!plain.isEmpty)
        let plainRead = try #require(QueryExpander(serialized: plain.serialized, schema: ungrouped))
        #expect(plainRead.serialized == plain.serialized)
        #expect(!plainRead.isEmpty)
        for indices in ["", "1,,0", "-1", "0,", "99999999999999999999", "1x"] {
            #expect(QueryExpander(serialized: text + "\nK\ten\tx\t" + indices, schema: schema) == nil, "\(indices)")
        }
        #expect(QueryExpander(serialized: "", schema: schema) == nil)
    }

    @Test(arguments: [UInt64(5), 6])
    func prunedTopTenEqualsTheExhaustiveOneWithTranslationsAndCloseSpellings(seed: UInt64) throws {
        // Plain words, a translation unit with a label of several words (its words anywhere)
        // and a word with close spellings (several terms at one position), in one
        // disjunction: the pruned top 10 must be the exhaustive top 10, or a bound is wrong.
        let corpus = Self.corpus(seed: seed, count: 600)
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: Self.schema)
        for document in corpus {
            try writer.add(Document(key: document.key, text: document.fields.mapValues { [$0.joined(separator: " ")] }))
        }
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
        let synonyms = Synonyms(
            source: "риф", words: [.init(text: "coral reef", group: "en", label: "coral reef [en]"), .init(text: "récif", group: "fr", label: "récif [fr]")],
            weight: 0.8)
        let queries: [Query] = [
            .boolean([.init(.should, .term(field: nil, text: "fish")), .init(.should, .synonyms(synonyms))], minimumShouldMatch: 0),
            .boolean(
                [.init(.should, .term(field: nil, text: "mer")), .init(.should, .fuzzy(field: nil, text: "poison", maxEdits: 1)),
                 .init(.should, .synonyms(synonyms)), .init(.should, .term(field: nil, text: "sea"))], minimumShouldMatch: 0),
            .fuzzy(field: nil, text: "coral", maxEdits: 2),
            // A phrase among words takes the MaxScore path over scorers: the same sums, in
            // clause order, as exhaustive scoring.
            .boolean(
                [.init(.should, .phrase(field: nil, text: "sea fish")), .init(.should, .term(field: nil, text: "reef")),
                 .init(.should, .term(field: nil, text: "mer")), .init(.should, .synonyms(synonyms))], minimumShouldMatch: 0),
        ]
        for query in queries {
            let exhaustive = try searcher.search(query, options: SearchOptions(limit: 10, countTotal: true))
            let pruned = try searcher.search(query, options: SearchOptions(limit: 10))
            #expect(pruned.hits.map(\.key) == exhaustive.hits.map(\.key), "\(query)")
            for (a, b) in zip(pruned.hits, exhaustive.hits) { #expect(a.score == b.score, "\(query)") }
        }
    }

    @Test func aNegativeOrNonFiniteWeightCountsAsZero() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: Self.schema)
        try writer.add(Document(key: "a", text: ["title.en": ["reef"]]))
        try writer.add(Document(key: "b", text: ["title.fr": ["récif"]]))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
        for weight in [-1.0, .nan, -.infinity] {
            let synonyms = Synonyms(source: "x", words: [.init(text: "récif", group: "fr", label: "récif")], weight: weight)
            let query = Query.boolean([.init(.should, .term(field: nil, text: "reef")), .init(.should, .synonyms(synonyms))], minimumShouldMatch: 0)
            let hits = try searcher.search(query, options: SearchOptions(limit: 1)).hits
            #expect(hits.map(\.key) == ["a"] && hits.allSatisfy { $0.score >= 0 })
        }
    }
}
