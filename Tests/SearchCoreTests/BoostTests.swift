import Foundation
import Testing

@testable import SearchCore

/// Boosts: `word^N`, `"phrase"^N`, `(group)^N`, as Lucene's query syntax writes them.
@Suite("Boosts")
struct BoostTests {
    let schema = Schema(textFields: [Schema.TextField("title", weight: 2), Schema.TextField("body")])

    func searcher(_ documents: [(String, String)]) throws -> IndexSearcher {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        for (key, text) in documents { try writer.add(Document(key: key, text: ["title": [text]])) }
        try writer.commit()
        return try IndexSearcher.open(directory: directory.url, schema: schema)
    }

    @Test func boostsParseAfterWordsPhrasesAndGroups() throws {
        let parser = QueryParser()
        #expect(try parser.parse("coral^2") == .boost(.term(field: nil, text: "coral"), factor: 2))
        #expect(try parser.parse("\"seed bank\"^3") == .boost(.phrase(field: nil, text: "seed bank"), factor: 3))
        #expect(try parser.parse("title:coral^2.5") == .boost(.term(field: "title", text: "coral"), factor: 2.5))
        #expect(try parser.parse("mangro*^2") == .boost(.prefix(field: nil, prefix: "mangro"), factor: 2))
        #expect(try parser.parse("coral~1^2") == .boost(.fuzzy(field: nil, text: "coral", maxEdits: 1), factor: 2))
        #expect(
            try parser.parse("(coral reef)^0.5")
                == .boost(
                    .boolean([.init(.should, .term(field: nil, text: "coral")), .init(.should, .term(field: nil, text: "reef"))], minimumShouldMatch: 0),
                    factor: 0.5))
        #expect(
            try parser.parse("+coral^2 reef")
                == .boolean([.init(.must, .boost(.term(field: nil, text: "coral"), factor: 2)), .init(.should, .term(field: nil, text: "reef"))], minimumShouldMatch: 0))
        // An escaped caret is the character.
        #expect(try parser.parse("coral\\^2") == .term(field: nil, text: "coral^2"))
    }

    @Test(arguments: [
        ("coral^", 6, "a number after '^'"),
        ("coral^abc", 6, "a number after '^'"),
        ("coral^2x", 7, "a space after the boost"),
        ("coral^2^3", 7, "a space after the boost"),
        ("title:^2", 6, "a term"),
        ("coral kind:^2", 11, "a term"),
        ("coral^.5", 6, "a number after '^'"),
        ("coral^2.", 6, "a number after '^'"),
        ("coral^1.5.5", 9, "a space after the boost"),
        ("coral ^2", 6, "a term directly before '^'"),
        ("^2", 0, "a term"),
        ("a OR ^2", 4, "a term"),
        ("coral^0", 6, "a boost above 0 and at most 10000"),
        ("coral^99999", 6, "a boost above 0 and at most 10000"),
    ] as [(String, Int, String)])
    func malformedBoostsAreErrorsWithAPosition(text: String, position: Int, expected: String) {
        do {
            let query = try QueryParser().parse(text)
            Issue.record("\(text) parsed to \(query)")
        } catch {
            #expect(error.position == position, "\(text): \(error)")
            #expect(error.expected == expected, "\(text): \(error)")
            #expect(error.message.hasPrefix("expected \(error.expected)"), "\(error)")
        }
    }

    @Test func aBoostMultipliesTheScoreAndMatchesTheSameDocuments() throws {
        let searcher = try searcher([
            ("a", "coral reef restoration"), ("b", "coral gardening"), ("c", "reef fish survey"), ("d", "reef reef monitoring"),
        ])
        let plain = try searcher.search(try QueryParser().parse("coral"))
        let boosted = try searcher.search(try QueryParser().parse("coral^2"))
        #expect(boosted.hits.map(\.key) == plain.hits.map(\.key))
        for (one, two) in zip(plain.hits, boosted.hits) { #expect(abs(two.score - 2 * one.score) < 1e-9) }
        // In an OR, the boost moves the boosted word's records up: without it, d (reef twice)
        // ranks above b (coral once, a rarer word, but in a longer title).
        func rank(_ query: String) throws -> [String] { try searcher.search(try QueryParser().parse(query)).hits.map(\.key) }
        let order = try rank("coral reef")
        let coralFirst = try rank("coral^4 reef")
        #expect(Set(order) == Set(coralFirst))
        #expect(coralFirst.prefix(2).sorted() == ["a", "b"])
        let reefFirst = try rank("coral reef^4")
        #expect(reefFirst.prefix(3).sorted() == ["a", "c", "d"])
        // A group's boost reaches each of its words: (coral reef)^3 scores 3 times coral reef.
        let group = try searcher.search(try QueryParser().parse("(coral reef)^3"))
        let ungrouped = try searcher.search(try QueryParser().parse("coral reef"))
        for (one, three) in zip(ungrouped.hits, group.hits) {
            #expect(one.key == three.key)
            #expect(abs(three.score - 3 * one.score) < 1e-9)
        }
        // Every scoring path agrees: the explanation sums to the score and names the boost.
        let explained = try searcher.search(try QueryParser().parse("coral^2 reef"), options: SearchOptions(explain: true))
        let fast = try searcher.search(try QueryParser().parse("coral^2 reef"))
        #expect(explained.hits.map(\.key) == fast.hits.map(\.key))
        for (one, two) in zip(explained.hits, fast.hits) { #expect(abs(one.score - two.score) < 1e-9) }
        let text = explained.hits.compactMap(\.explanation).map { "\($0)" }.joined()
        #expect(text.contains("(boost)"), "\(text)")
    }

    @Test func aBoostFromTheLibraryThatIsNotAPositiveNumberScoresNothing() throws {
        let searcher = try searcher([("a", "coral reef"), ("b", "reef fish")])
        for factor in [-1.0, .nan, .infinity] {
            let results = try searcher.search(.boolean([.init(.should, .boost(.term(field: nil, text: "coral"), factor: factor)), .init(.should, .term(field: nil, text: "reef"))], minimumShouldMatch: 0))
            #expect(results.hits.allSatisfy { $0.score.isFinite && $0.score >= 0 }, "\(factor)")
        }
    }

    @Test func theParserFindsWhereAFieldIsWritten() {
        #expect(QueryParser.position(ofField: "foo", in: "coral foo:bar") == 6)
        #expect(QueryParser.position(ofField: "foo", in: "\"foo:bar\" (a OR foo:x)") == 16)
        #expect(QueryParser.position(ofField: "foo", in: "foo\\:bar") == nil)
        #expect(QueryParser.position(ofField: "foo", in: "coral \"unclosed foo:bar") == nil)
    }

    /// A boosted run of Chinese characters is searched as its boosted pairs, beside the other
    /// words (the one-list fast path), and scores as the same pairs written one by one.
    @Test func aBoostedCJKRunScoresAsItsBoostedPairs() throws {
        let schema = Schema(textFields: [Schema.TextField("title", analyzer: LanguageAnalyzer.forLanguage("zh"))])
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        for (key, text) in [("a", "红树林保护"), ("b", "湿地保护"), ("c", "红树林 恢复"), ("d", "湿地 调查")] {
            try writer.add(Document(key: key, text: ["title": [text]]))
        }
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        let run = try searcher.search(try QueryParser().parse("红树林^2 湿地"))
        let pairs = try searcher.search(try QueryParser().parse("红树^2 树林^2 湿地"))
        #expect(run.hits.map(\.key) == pairs.hits.map(\.key))
        for (one, two) in zip(run.hits, pairs.hits) { #expect(abs(one.score - two.score) < 1e-9) }
        #expect(run.hits.first?.key == "a" || run.hits.first?.key == "c")
    }
}
