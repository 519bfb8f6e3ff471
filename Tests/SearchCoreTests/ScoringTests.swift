import Foundation
import Testing

@testable import SearchCore

/// BM25 against a reference computed in the test from the definitions.
@Suite("BM25 scoring")
struct ScoringTests {
    static let vocabulary = (0..<40).map { "w\($0)" }

    /// A random corpus: documents of 1-60 words drawn with a skewed distribution.
    static func corpus(seed: UInt64, count: Int) -> [(key: String, words: [String])] {
        var random = SeededGenerator(seed: seed)
        return (0..<count).map { index in
            let length = Int.random(in: 1...60, using: &random)
            let words = (0..<length).map { _ -> String in
                let pick = Int.random(in: 0..<1000, using: &random)
                return vocabulary[min(vocabulary.count - 1, Int(Double(pick * pick) / 25_000))]
            }
            return ("doc\(index)", words)
        }
    }

    /// Lucene's BM25 written out: idf = ln(1 + (N - n + 0.5) / (n + 0.5)),
    /// score = sum over query terms of idf * tf / (tf + k1 * (1 - b + b * dl / avgdl)),
    /// with dl the document's length as stored in its one-byte norm and avgdl the exact average.
    static func reference(
        _ corpus: [(key: String, words: [String])], query: [String], k1: Double, b: Double
    ) -> [String: Double] {
        let n = Double(corpus.count)
        let average = Double(corpus.reduce(0) { $0 + $1.words.count }) / n
        var scores: [String: Double] = [:]
        for term in Set(query) {
            let containing = Double(corpus.filter { $0.words.contains(term) }.count)
            guard containing > 0 else { continue }
            let idf = log(1 + (n - containing + 0.5) / (containing + 0.5))
            for document in corpus {
                let tf = Double(document.words.filter { $0 == term }.count)
                guard tf > 0 else { continue }
                let length = Double(LengthNorm.decode(LengthNorm.encode(document.words.count)))
                scores[document.key, default: 0] += idf * tf / (tf + k1 * (1 - b + b * length / average))
            }
        }
        return scores
    }

    @Test(arguments: [(UInt64(1), 1.2, 0.75), (2, 0.9, 0.4), (3, 1.5, 1.0)])
    func scoresEqualTheReferenceComputation(seed: UInt64, k1: Double, b: Double) throws {
        let corpus = Self.corpus(seed: seed, count: 400)
        let directory = ScratchDirectory()
        let schema = Schema(textFields: [Schema.TextField("body", analyzer: WhitespaceAnalyzer())])
        let writer = try IndexWriter(directory: directory.url, schema: schema, bm25: BM25Parameters(k1: k1, b: b))
        for document in corpus {
            try writer.add(Document(key: document.key, text: ["body": [document.words.joined(separator: " ")]]))
        }
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        var random = SeededGenerator(seed: seed &* 7)
        for _ in 0..<20 {
            var query: [String] = []
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let word = Self.vocabulary.randomElement(using: &random) ?? "w0"
                if !query.contains(word) { query.append(word) }
            }
            let expected = Self.reference(corpus, query: query, k1: k1, b: b)
            let parsed = Query.boolean(query.map { .init(.should, .term(field: nil, text: $0)) }, minimumShouldMatch: 0)
            let results = try searcher.search(parsed, options: SearchOptions(limit: 1000, countTotal: true))
            #expect(results.totalHits == expected.count)
            for hit in results.hits {
                let want = try #require(expected[hit.key])
                #expect(abs(hit.score - want) < 1e-4, "\(query) \(hit.key)")
            }
            // Top 10 with pruning gives the same scores as the reference's best 10.
            let top = try searcher.search(parsed, options: SearchOptions(limit: 10))
            let best = expected.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(10)
            #expect(top.hits.count == best.count)
            for (hit, want) in zip(top.hits, best) {
                #expect(abs(hit.score - want.value) < 1e-4)
            }
        }
    }

    /// BM25F over a title (weight 3) and a body, against the definition written out: a word's
    /// weighted, length-normalized frequencies summed over the fields, idf from the larger
    /// document frequency, and the title's weight above 1 scaled by the fourth power of the
    /// share of documents that have a title (3 when all have one, 1.125 when half do). When
    /// fewer than 90% have a title (an uneven group), both fields are normalized by the
    /// document's combined length over the average combined length. Two commits and some
    /// deleted documents: every statistic counts live documents only.
    @Test(arguments: [(UInt64(31), 100), (32, 95), (33, 50), (34, 25)])
    func titleWeightShrinksWithTheShareOfTitledDocuments(seed: UInt64, titledPercent: Int) throws {
        let corpus = Self.corpus(seed: seed, count: 400)
        let (k1, b) = (1.5, 0.5)
        let titled = corpus.indices.filter { $0 % 20 < titledPercent / 5 }
        let titles = Dictionary(uniqueKeysWithValues: titled.map { (corpus[$0].key, Array(corpus[$0].words.prefix(3))) })
        let directory = ScratchDirectory()
        let schema = Schema(textFields: [
            Schema.TextField("title", analyzer: WhitespaceAnalyzer(), weight: 3),
            Schema.TextField("body", analyzer: WhitespaceAnalyzer()),
        ])
        let writer = try IndexWriter(directory: directory.url, schema: schema, bm25: BM25Parameters(k1: k1, b: b))
        for (index, document) in corpus.enumerated() {
            var text = ["body": [document.words.joined(separator: " ")]]
            if let title = titles[document.key] { text["title"] = [title.joined(separator: " ")] }
            try writer.add(Document(key: document.key, text: text))
            if index == corpus.count / 2 { try writer.commit() }
        }
        try writer.commit()
        let deleted = Set(corpus.indices.filter { $0 % 7 == 3 }.map { corpus[$0].key })
        for key in deleted { writer.delete(key: key) }
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        #expect(searcher.segmentCount == 2)

        let live = corpus.filter { !deleted.contains($0.key) }
        let liveTitles = live.compactMap { titles[$0.key] }
        let share = Double(liveTitles.count) / Double(live.count)
        let titleWeight = 1 + 2 * pow(share, 4)
        let uneven = share < 0.9
        #expect(searcher.foldedFields.contains(true) == uneven)
        func stored(_ length: Int) -> Double { Double(LengthNorm.decode(LengthNorm.encode(length))) }
        let averageBody = Double(live.reduce(0) { $0 + $1.words.count }) / Double(live.count)
        let averageTitle = Double(liveTitles.reduce(0) { $0 + $1.count }) / Double(liveTitles.count)
        func combinedLength(_ document: (key: String, words: [String])) -> Int {
            document.words.count + (titles[document.key]?.count ?? 0)
        }
        let averageCombined = Double(live.reduce(0) { $0 + combinedLength($1) }) / Double(live.count)
        for term in Self.vocabulary.prefix(12) {
            let n = Double(live.count)
            let containing = Double(live.filter { $0.words.contains(term) }.count)  // titles are prefixes of bodies
            guard containing > 0 else { continue }
            let idf = log(1 + (n - containing + 0.5) / (containing + 0.5))
            var expected: [String: Double] = [:]
            for document in live {
                let bodyFrequency = Double(document.words.filter { $0 == term }.count)
                let titleFrequency = Double(titles[document.key]?.filter { $0 == term }.count ?? 0)
                var tf: Double
                if uneven {
                    let factor = 1 - b + b * stored(combinedLength(document)) / averageCombined
                    tf = (bodyFrequency + titleWeight * titleFrequency) / factor
                } else {
                    tf = bodyFrequency / (1 - b + b * stored(document.words.count) / averageBody)
                    if let title = titles[document.key] {
                        tf += titleWeight * titleFrequency / (1 - b + b * stored(title.count) / averageTitle)
                    }
                }
                if tf > 0 { expected[document.key] = idf * tf / (k1 + tf) }
            }
            let results = try searcher.search(.term(field: nil, text: term), options: SearchOptions(limit: 1000, countTotal: true))
            #expect(results.totalHits == expected.count)
            for hit in results.hits {
                let want = try #require(expected[hit.key])
                #expect(abs(hit.score - want) < 1e-9 * max(1, want), "\(term) \(hit.key)")
            }
        }
        #expect(IndexSearcher.effectiveWeight(3, coverage: 1) == 3)
        #expect(IndexSearcher.effectiveWeight(3, coverage: 0.5) == 1.125)
        #expect(IndexSearcher.effectiveWeight(0.8, coverage: 0.5) == 0.8)
    }

    /// Top-k with block-max pruning returns exactly the hits (keys, order, scores) of scoring
    /// every match, on an index of many postings blocks with weighted fields in one scoring
    /// group or two (both scored term at a time within windows), with or without alternative
    /// terms for a word in the body fields (a document counts the alternative it has most
    /// often), repeated documents (ties broken by key), deletions, filters and prohibited words,
    /// and with half the documents untitled (an uneven group, normalized by combined lengths).
    @Test(arguments: [
        (UInt64(5), true, false, false), (6, true, false, false), (7, false, false, false), (8, false, false, false),
        (9, true, true, false), (10, false, true, false), (11, false, false, true), (12, true, true, true),
    ])
    func prunedTopKEqualsExhaustiveScoring(seed: UInt64, twoGroups: Bool, alternatives: Bool, untitled: Bool) throws {
        let base = Self.corpus(seed: seed, count: 700)
        let directory = ScratchDirectory()
        let body: any Analyzer = alternatives ? VariantAnalyzer() : WhitespaceAnalyzer()
        let schema = Schema(
            textFields: [
                Schema.TextField("title.a", analyzer: WhitespaceAnalyzer(), weight: 3, group: "a"),
                Schema.TextField("body.a", analyzer: body, group: "a"),
                Schema.TextField("body.b", analyzer: body, group: twoGroups ? "b" : "a"),
            ], keywordFields: ["parity"])
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        for copy in 0..<6 {
            for (index, document) in base.enumerated() {
                let words = document.words
                let field = (index + copy) % 3 == 0 ? "body.b" : "body.a"
                var text = [field: [words.joined(separator: " ")]]
                if !untitled || index % 2 == 0 { text["title.a"] = [words.prefix(3).joined(separator: " ")] }
                try writer.add(
                    Document(
                        key: "\(document.key)-\(copy)",
                        text: text,
                        keywords: ["parity": [index % 2 == 0 ? "even" : "odd"]]))
            }
            if copy == 2 { try writer.commit() }
        }
        for index in stride(from: 0, to: base.count, by: 9) { writer.delete(key: "doc\(index)-1") }
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        #expect(searcher.foldedFields.contains(true) == untitled)
        var random = SeededGenerator(seed: seed &* 13)
        for round in 0..<30 {
            var clauses: [Query.Clause] = []
            for _ in 0..<Int.random(in: 1...5, using: &random) {
                clauses.append(.init(.should, .term(field: nil, text: Self.vocabulary.randomElement(using: &random) ?? "w0")))
            }
            if round % 5 == 4 { clauses.append(.init(.mustNot, .term(field: nil, text: "w7"))) }
            let query = clauses.count == 1 ? clauses[0].query : Query.boolean(clauses, minimumShouldMatch: 0)
            let filter = round % 3 == 0 ? Filter(["parity": ["even"]]) : nil
            for limit in [1, 10, 50] {
                let pruned = try searcher.search(query, options: SearchOptions(limit: limit, filter: filter))
                let exhaustive = try searcher.search(query, options: SearchOptions(limit: limit, countTotal: true, filter: filter))
                #expect(pruned.hits.map(\.key) == exhaustive.hits.map(\.key), "\(query) top \(limit)")
                for (x, y) in zip(pruned.hits, exhaustive.hits) { #expect(abs(x.score - y.score) < 1e-9) }
                #expect(pruned.totalHits <= exhaustive.totalHits)
            }
        }
    }

    /// A phrase whose word has alternatives (a term and its variant at one position) matches
    /// exactly the documents where some alternative is followed by the next word: the
    /// alternatives' positions are merged, sorted and made unique for each candidate.
    @Test func phrasesWithAlternativeTermsMatchWhereSomeAlternativeDoes() throws {
        let base = Self.corpus(seed: 21, count: 900)
        let directory = ScratchDirectory()
        let schema = Schema(textFields: [Schema.TextField("body", analyzer: VariantAnalyzer())])
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        for document in base { try writer.add(Document(key: document.key, text: ["body": [document.words.joined(separator: " ")]])) }
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        let analyzer = VariantAnalyzer()
        var throughVariants = 0
        for (first, second) in [("w3", "w4"), ("w1", "w0"), ("w13", "w2"), ("w5", "w5")] {
            // The query's first word is at position 0: an odd w gets its variant there.
            let wanted = Set(analyzer.tokens(first).map(\.term))
            let expected = Set(
                base.filter { document in
                    let tokens = analyzer.tokens(document.words.joined(separator: " "))
                    return tokens.contains { token in
                        wanted.contains(token.term) && tokens.contains { $0.position == token.position + 1 && $0.term == second }
                    }
                }.map(\.key))
            let results = try searcher.search(
                Query.phrase(field: nil, text: "\(first) \(second)"), options: SearchOptions(limit: 1000, countTotal: true))
            #expect(Set(results.hits.map(\.key)) == expected, "\(first) \(second)")
            #expect(results.totalHits == expected.count, "\(first) \(second)")
            #expect(!expected.isEmpty, "\(first) \(second)")
            let exact = base.filter { document in
                zip(document.words, document.words.dropFirst()).contains { $0 == first && $1 == second }
            }.count
            throughVariants += expected.count - exact
        }
        // Some documents match only through a variant (vN where the query says wN), so the
        // merged positions were walked.
        #expect(throughVariants > 0)
    }

    /// An index built in many small commits, with merges, deletes and updates, answers like
    /// one built at once from the final documents.
    @Test func manySmallCommitsEqualOneBuild() throws {
        let corpus = Self.corpus(seed: 11, count: 600)
        let schema = Schema(textFields: [Schema.TextField("body", analyzer: WhitespaceAnalyzer())], keywordFields: ["parity"])
        func document(_ key: String, _ words: [String]) -> Document {
            Document(key: key, text: ["body": [words.joined(separator: " ")]], keywords: ["parity": [words.count % 2 == 0 ? "even" : "odd"]])
        }
        var random = SeededGenerator(seed: 99)
        var final: [String: [String]] = [:]
        let incremental = ScratchDirectory()
        let writer = try IndexWriter(directory: incremental.url, schema: schema)
        writer.mergeFactor = 4
        for (index, item) in corpus.enumerated() {
            try writer.update(document(item.key, item.words))
            final[item.key] = item.words
            if index % 7 == 3 {
                let victim = "doc\(Int.random(in: 0...index, using: &random))"
                writer.delete(key: victim)
                final[victim] = nil
            }
            if index % 11 == 5 {
                let changed = "doc\(Int.random(in: 0...index, using: &random))"
                let words = Self.corpus(seed: UInt64(index), count: 1)[0].words
                try writer.update(document(changed, words))
                final[changed] = words
            }
            if index % 13 == 0 { try writer.commit() }
        }
        try writer.commit()
        #expect(writer.segmentCount < 12)

        let single = ScratchDirectory()
        let once = try IndexWriter(directory: single.url, schema: schema)
        for key in final.keys.sorted() { try once.add(document(key, final[key] ?? [])) }
        try once.commit()

        let a = try IndexSearcher.open(directory: incremental.url, schema: schema)
        let b = try IndexSearcher.open(directory: single.url, schema: schema)
        #expect(a.documentCount == final.count)
        #expect(b.documentCount == final.count)
        for _ in 0..<25 {
            let terms = (0..<Int.random(in: 1...3, using: &random)).map { _ in Self.vocabulary.randomElement(using: &random) ?? "w0" }
            let query = Query.boolean(terms.map { .init(.should, .term(field: nil, text: $0)) }, minimumShouldMatch: 0)
            let options = SearchOptions(limit: 10, filter: Filter(["parity": ["even"]]))
            let left = try a.search(query, options: options)
            let right = try b.search(query, options: options)
            #expect(left.hits.map(\.key) == right.hits.map(\.key), "\(terms)")
            for (x, y) in zip(left.hits, right.hits) { #expect(abs(x.score - y.score) < 1e-9) }
        }
        // Phrases (positions, which merges copy as stored) agree too.
        for _ in 0..<25 {
            let words = (0..<Int.random(in: 2...3, using: &random)).map { _ in Self.vocabulary[Int.random(in: 0..<8, using: &random)] }
            let phrase = Query.phrase(field: nil, text: words.joined(separator: " "))
            let left = try a.search(phrase, options: SearchOptions(limit: 50, countTotal: true))
            let right = try b.search(phrase, options: SearchOptions(limit: 50, countTotal: true))
            #expect(left.totalHits == right.totalHits, "\(words)")
            #expect(left.hits.map(\.key) == right.hits.map(\.key), "\(words)")
        }
        // Merging everything into one segment changes nothing either.
        try writer.forceMerge()
        #expect(writer.segmentCount == 1)
        let merged = try IndexSearcher.open(directory: incremental.url, schema: schema)
        let query = Query.term(field: nil, text: "w3")
        #expect(try merged.search(query).hits.map(\.key) == (try b.search(query)).hits.map(\.key))
        for words in [["w0", "w1"], ["w2", "w0"], ["w1", "w1", "w0"]] {
            let phrase = Query.phrase(field: nil, text: words.joined(separator: " "))
            let left = try merged.search(phrase, options: SearchOptions(limit: 50, countTotal: true))
            let right = try b.search(phrase, options: SearchOptions(limit: 50, countTotal: true))
            #expect(left.totalHits == right.totalHits && left.totalHits > 0, "\(words)")
            #expect(left.hits.map(\.key) == right.hits.map(\.key), "\(words)")
        }
    }
}

/// Whitespace tokens, each odd word `wN` at an even position also giving the alternative
/// `vM` (M = N mod 5) at the same position: a query word `w3` then searches `w3` and `v3`,
/// and a document may have either more often (`v3` also stands for w13, w23, ... but not at
/// odd positions), as with a stem and its variant with an article.
private struct VariantAnalyzer: Analyzer {
    var name: String { "variant" }

    func tokens(_ text: String) -> [Token] {
        var result: [Token] = []
        for (position, word) in text.split(separator: " ").enumerated() {
            result.append(Token(term: String(word), position: position, start: 0, end: 0))
            if position % 2 == 0, let number = Int(word.dropFirst()), number % 2 == 1 {
                result.append(Token(term: "v\(number % 5)", position: position, start: 0, end: 0))
            }
        }
        return result
    }
}
