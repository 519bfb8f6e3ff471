// Typo-tolerant lookup: the Levenshtein automaton against a brute-force optimal-string-alignment
// distance, and its walk of a real segment's term dictionary against a filter of every term.

import Foundation
import Testing

@testable import SearchCore

@Suite("Levenshtein automaton and fuzzy dictionary walk")
struct LevenshteinTests {
    /// A small alphabet with two- and three-byte scalars, so that random words are often close.
    static let alphabet: [Unicode.Scalar] = ["a", "b", "c", "d", "e", "é", "ж", "红"]

    /// The optimal-string-alignment distance table of `text` against `word`: row i, column j is
    /// the distance between the first i scalars of `text` and the first j of `word`.
    static func distanceTable(_ text: [Unicode.Scalar], _ word: [Unicode.Scalar], transpositions: Bool) -> [[Int]] {
        var table = [[Int]](repeating: [Int](repeating: 0, count: word.count + 1), count: text.count + 1)
        for i in 0...text.count { table[i][0] = i }
        for j in 0...word.count { table[0][j] = j }
        for i in stride(from: 1, through: text.count, by: 1) {
            for j in stride(from: 1, through: word.count, by: 1) {
                var value = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (text[i - 1] == word[j - 1] ? 0 : 1))
                if transpositions, i >= 2, j >= 2, text[i - 1] == word[j - 2], text[i - 2] == word[j - 1] {
                    value = min(value, table[i - 2][j - 2] + 1)
                }
                table[i][j] = value
            }
        }
        return table
    }

    /// What the automaton should say of `text`, by brute force: the distance if accepted, and
    /// for each prefix of `text` (0...count scalars) whether some continuation is accepted.
    static func bruteForce(
        _ text: [Unicode.Scalar], word: [Unicode.Scalar], maxDistance: Int, transpositions: Bool, prefixLength: Int
    ) -> (distance: Int?, alive: [Bool]) {
        let prefix = min(prefixLength, word.count)
        var alive: [Bool] = []
        for length in 0...min(text.count, prefix) {
            alive.append(Array(text[0..<length]) == Array(word[0..<length]))
        }
        guard text.count >= prefix, alive[prefix] else {
            alive += [Bool](repeating: false, count: text.count + 1 - alive.count)
            return (nil, alive)
        }
        let table = distanceTable(Array(text[prefix...]), Array(word[prefix...]), transpositions: transpositions)
        // A prefix can be continued to an accepted string exactly when its row has a value
        // within the distance (append the rest of the word after that column).
        for row in table.dropFirst() { alive.append(row.contains { $0 <= maxDistance }) }
        let distance = table[table.count - 1][word.count - prefix]
        return (distance <= maxDistance ? distance : nil, alive)
    }

    static func randomWord(_ lengths: ClosedRange<Int>, using random: inout SeededGenerator) -> [Unicode.Scalar] {
        (0..<Int.random(in: lengths, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" }
    }

    /// `word` after up to `edits` random insertions, deletions, substitutions and swaps.
    static func mutated(_ word: [Unicode.Scalar], edits: Int, using random: inout SeededGenerator) -> [Unicode.Scalar] {
        var result = word
        for _ in 0..<edits {
            let scalar = alphabet.randomElement(using: &random) ?? "a"
            switch Int.random(in: 0..<4, using: &random) {
            case 0: result.insert(scalar, at: Int.random(in: 0...result.count, using: &random))
            case 1 where !result.isEmpty: result.remove(at: Int.random(in: 0..<result.count, using: &random))
            case 2 where !result.isEmpty: result[Int.random(in: 0..<result.count, using: &random)] = scalar
            case 3 where result.count >= 2:
                let at = Int.random(in: 0..<result.count - 1, using: &random)
                result.swapAt(at, at + 1)
            default: break
            }
        }
        return result
    }

    static func string(_ scalars: [Unicode.Scalar]) -> String { String(String.UnicodeScalarView(scalars)) }

    // MARK: The automaton

    /// Random words of 0-12 scalars and random strings and near misses of them: accepted
    /// exactly when the brute-force distance is within the maximum, with that distance, and a
    /// state is dead exactly when no continuation of its input is accepted.
    @Test(arguments: [0, 1, 2], [true, false])
    func automatonAgreesWithBruteForce(maxDistance: Int, transpositions: Bool) {
        var random = SeededGenerator(seed: UInt64(maxDistance * 2 + (transpositions ? 1 : 0)) + 100)
        for prefixLength in [0, 1, 3] {
            for _ in 0..<150 {
                let word = Self.randomWord(0...12, using: &random)
                let automaton = LevenshteinAutomaton(
                    Self.string(word), maxDistance: maxDistance, transpositions: transpositions, prefixLength: prefixLength)
                for candidate in 0..<12 {
                    let text =
                        candidate < 4
                        ? Self.randomWord(0...12, using: &random) : Self.mutated(word, edits: candidate % 4, using: &random)
                    let expected = Self.bruteForce(
                        text, word: word, maxDistance: maxDistance, transpositions: transpositions, prefixLength: prefixLength)
                    let context =
                        "word \(Self.string(word)) text \(Self.string(text)) k \(maxDistance) t \(transpositions) p \(prefixLength)"
                    #expect(automaton.distance(of: Self.string(text)) == expected.distance, "\(context)")
                    // Step by step: dead exactly when brute force finds no accepted continuation.
                    var state = automaton.start
                    #expect(automaton.isDead(state) == !expected.alive[0], "\(context) at 0")
                    for (index, scalar) in text.enumerated() {
                        state = automaton.step(state, scalar)
                        #expect(automaton.isDead(state) == !expected.alive[index + 1], "\(context) at \(index + 1)")
                        if automaton.isDead(state) { break }
                    }
                    if !automaton.isDead(state) {
                        #expect(automaton.distance(state) == expected.distance, "\(context)")
                        #expect(automaton.isAccepting(state) == (expected.distance != nil), "\(context)")
                    }
                }
            }
        }
    }

    /// Swaps count once with transpositions (the restricted, optimal-string-alignment way: a
    /// swapped pair is not edited again), twice without; the prefix must match exactly.
    @Test func transpositionsAndPrefixes() {
        let swapped = LevenshteinAutomaton("mangrove", maxDistance: 1)
        #expect(swapped.distance(of: "mangorve") == 1)
        #expect(swapped.distance(of: "mangrov") == 1)
        #expect(swapped.distance(of: "mangrove") == 0)
        #expect(swapped.distance(of: "mnagrvoe") == nil)
        #expect(LevenshteinAutomaton("mangrove", maxDistance: 1, transpositions: false).distance(of: "mangorve") == nil)
        #expect(LevenshteinAutomaton("mangrove", maxDistance: 2, transpositions: false).distance(of: "mangorve") == 2)
        #expect(LevenshteinAutomaton("restoration", maxDistance: 1).distance(of: "restoraton") == 1)
        // "ca" to "abc" is 2 with unrestricted Damerau-Levenshtein, 3 with optimal string alignment.
        #expect(LevenshteinAutomaton("abc", maxDistance: 2).distance(of: "ca") == nil)
        #expect(LevenshteinAutomaton("abc", maxDistance: 2).distance(of: "ac") == 1)
        // Prefix: the first scalars must match; a word shorter than the prefix is all prefix.
        let prefixed = LevenshteinAutomaton("école", maxDistance: 1, prefixLength: 1)
        #expect(prefixed.distance(of: "ecole") == nil)
        #expect(prefixed.distance(of: "écolé") == 1)
        #expect(LevenshteinAutomaton("école", maxDistance: 1).distance(of: "ecole") == 1)
        let short = LevenshteinAutomaton("红树", maxDistance: 1, prefixLength: 5)
        #expect(short.prefixLength == 2)
        #expect(short.distance(of: "红树") == 0)
        #expect(short.distance(of: "红树林") == 1)
        #expect(short.distance(of: "红") == nil)
        #expect(short.distance(of: "树林") == nil)
        // Distances outside 0...2 are clamped.
        #expect(LevenshteinAutomaton("abc", maxDistance: 7).maxDistance == 2)
        #expect(LevenshteinAutomaton("abc", maxDistance: -1).maxDistance == 0)
    }

    /// The empty word accepts the strings of at most `maxDistance` scalars.
    @Test func emptyWord() {
        #expect(LevenshteinAutomaton("", maxDistance: 0).distance(of: "") == 0)
        #expect(LevenshteinAutomaton("", maxDistance: 0).distance(of: "a") == nil)
        let two = LevenshteinAutomaton("", maxDistance: 2)
        #expect(two.distance(of: "红ж") == 2)
        #expect(two.distance(of: "é") == 1)
        #expect(two.distance(of: "abc") == nil)
        #expect(two.smallestLiveScalar(from: two.start, after: nil) == 0)
    }

    /// The next live scalar skips the surrogates and ends after U+10FFFF; from a state that
    /// only a word scalar keeps alive, it is the smallest such scalar past the bound.
    @Test func smallestLiveScalar() {
        #expect(LevenshteinAutomaton.scalarValue(after: 0xD7FF) == 0xE000)
        #expect(LevenshteinAutomaton.scalarValue(after: 0x10_FFFF) == nil)
        let automaton = LevenshteinAutomaton("bd", maxDistance: 0)
        #expect(automaton.smallestLiveScalar(from: automaton.start, after: nil) == 0x62)
        #expect(automaton.smallestLiveScalar(from: automaton.start, after: 0x62) == nil)
        let prefixed = LevenshteinAutomaton("db", maxDistance: 2, prefixLength: 1)
        #expect(prefixed.smallestLiveScalar(from: prefixed.start, after: nil) == 0x64)
        #expect(prefixed.smallestLiveScalar(from: prefixed.step(prefixed.start, "d"), after: 0x64) == 0x65)
    }

    // MARK: The dictionary walk

    static let schema = Schema(
        textFields: [
            Schema.TextField("title", analyzer: WhitespaceAnalyzer()), Schema.TextField("body"),
            Schema.TextField("unused", analyzer: WhitespaceAnalyzer()),
        ],
        keywordFields: ["tag"])

    /// Builds an index of `documents` in `directory` and opens its only segment.
    static func segment(_ documents: [Document], schema: Schema, in directory: ScratchDirectory) throws -> SegmentReader {
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(contentsOf: documents)
        try writer.forceMerge()
        writer.close()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        try #require(searcher.segments.count == 1)
        return searcher.segments[0].reader
    }

    /// The terms of each field of `reader`, in dictionary order.
    static func termsByField(_ reader: SegmentReader) -> [Int: [(term: String, info: TermInfo)]] {
        var terms: [Int: [(term: String, info: TermInfo)]] = [:]
        reader.forEachTerm { field, term, info in terms[field, default: []].append((term, info)) }
        return terms
    }

    /// The walk's answer and the brute-force filter of every term of the field agree.
    static func expectWalkMatchesFilter(
        _ reader: SegmentReader, field: Int, terms: [(term: String, info: TermInfo)], automaton: LevenshteinAutomaton,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let word = Array(automaton.word.unicodeScalars)
        let expected = terms.compactMap { entry -> (term: String, distance: Int, info: TermInfo)? in
            let distance = bruteForce(
                Array(entry.term.unicodeScalars), word: word, maxDistance: automaton.maxDistance, transpositions: automaton.transpositions,
                prefixLength: automaton.prefixLength
            ).distance
            return distance.map { (entry.term, $0, entry.info) }
        }
        let found = reader.terms(field: field, within: automaton)
        let context =
            "field \(field) word \(automaton.word) k \(automaton.maxDistance) t \(automaton.transpositions) p \(automaton.prefixLength)"
        #expect(found.map(\.term) == expected.map(\.term), "\(context)", sourceLocation: sourceLocation)
        #expect(found.map(\.distance) == expected.map(\.distance), "\(context)", sourceLocation: sourceLocation)
        #expect(found.map(\.info) == expected.map(\.info), "\(context)", sourceLocation: sourceLocation)
        if expected.count > 1 {
            let limited = reader.terms(field: field, within: automaton, limit: expected.count - 1)
            #expect(limited.map(\.term) == expected.dropLast().map(\.term), "\(context) limited", sourceLocation: sourceLocation)
        }
    }

    /// A segment with two text fields (one split on spaces, one by the standard analyzer), an
    /// empty one, a keyword field and the key field: for words near its terms, random words,
    /// the empty word and a word longer than every term, every distance, with and without
    /// transpositions and a prefix, the walk finds exactly the terms a filter of the whole
    /// field finds, in order, with their distances and entries.
    @Test func dictionaryWalkMatchesAFilterOfEveryTerm() throws {
        var random = SeededGenerator(seed: 7)
        var documents: [Document] = []
        for doc in 0..<400 {
            let title = (0..<6).map { _ in Self.string(Self.randomWord(1...7, using: &random)) }.joined(separator: " ")
            let body = (0..<6).map { _ in Self.string(Self.randomWord(1...9, using: &random)) }.joined(separator: " ")
            let tags = (0..<2).map { _ in Self.string(Self.randomWord(2...5, using: &random)) }
            documents.append(
                Document(key: "k\(doc)", text: ["title": [title], "body": [body + " mangrove restoration"]], keywords: ["tag": tags]))
        }
        let directory = ScratchDirectory()
        let reader = try Self.segment(documents, schema: Self.schema, in: directory)
        let terms = Self.termsByField(reader)
        let fieldCount = reader.fields.names.count
        #expect(terms[2] == nil)  // "unused"
        #expect(reader.termBlockCount > 50)
        for field in 0..<fieldCount {
            let fieldTerms = terms[field] ?? []
            var words: [String] = ["", "a", "红", "abcdeabcdeabcdeabcde", "k12", "mangrov", "restoraton"]
            for _ in 0..<6 {
                if let term = fieldTerms.randomElement(using: &random) {
                    let edits = Int.random(in: 0...2, using: &random)
                    words.append(Self.string(Self.mutated(Array(term.term.unicodeScalars), edits: edits, using: &random)))
                }
                words.append(Self.string(Self.randomWord(0...8, using: &random)))
            }
            for word in words {
                for maxDistance in 0...2 {
                    for transpositions in [true, false] {
                        for prefixLength in [0, 2] {
                            let automaton = LevenshteinAutomaton(
                                word, maxDistance: maxDistance, transpositions: transpositions, prefixLength: prefixLength)
                            Self.expectWalkMatchesFilter(reader, field: field, terms: fieldTerms, automaton: automaton)
                        }
                    }
                }
            }
        }
        // Fields that exist in no dictionary: nothing.
        #expect(reader.terms(field: 2, within: LevenshteinAutomaton("", maxDistance: 2)).isEmpty)
        #expect(reader.terms(field: 99, within: LevenshteinAutomaton("a", maxDistance: 2)).isEmpty)
        #expect(reader.terms(field: -1, within: LevenshteinAutomaton("a", maxDistance: 2)).isEmpty)
        // A word longer than every term: nothing. (The automaton does not know how long the
        // terms are: over this small alphabet most short prefixes stay within two edits of
        // the word's, so the walk reads most of the field.)
        #expect(reader.terms(field: 0, within: LevenshteinAutomaton("abcdeabcdeabcdeabcde", maxDistance: 2)).isEmpty)
    }

    /// Multi-byte terms (two-, three- and four-byte scalars) are decoded scalar by scalar and
    /// their neighbours found in order.
    @Test func multiByteTerms() throws {
        let words = ["école", "ecole", "écoles", "école\u{1F333}", "红树林", "红树", "紅樹林", "树林", "лес", "лиса", "леса", "z"]
        let schema = Schema(textFields: [Schema.TextField("title", analyzer: WhitespaceAnalyzer())])
        let directory = ScratchDirectory()
        let reader = try Self.segment(
            words.enumerated().map { Document(key: "k\($0.offset)", text: ["title": [$0.element]]) }, schema: schema, in: directory)
        let terms = Self.termsByField(reader)[0] ?? []
        #expect(terms.count == words.count)
        func near(_ word: String) -> [String] {
            reader.terms(field: 0, within: LevenshteinAutomaton(word, maxDistance: 1)).map { "\($0.term) \($0.distance)" }
        }
        // In byte order: "s" (0x73) sorts before the four-byte U+1F333, 树 (U+6811) before 红 (U+7EA2).
        #expect(near("école") == ["ecole 1", "école 0", "écoles 1", "école\u{1F333} 1"])
        #expect(near("红树林") == ["树林 1", "红树 1", "红树林 0"])
        #expect(near("лес") == ["лес 0", "леса 1"])
        for word in ["ecole\u{1F333}", "红林", "лсиа", "", "y"] {
            for maxDistance in 0...2 {
                let automaton = LevenshteinAutomaton(word, maxDistance: maxDistance)
                Self.expectWalkMatchesFilter(reader, field: 0, terms: terms, automaton: automaton)
            }
        }
    }

    /// A dictionary of 20,000 random terms: a distance-1 query of a six-letter word finds what
    /// a filter finds while decoding a small part of the dictionary.
    @Test func aDistanceOneWalkDecodesFewTermsOfALargeDictionary() throws {
        var random = SeededGenerator(seed: 20_000)
        let letters = Array("abcdefghijklmnopqrstuvwxyz".unicodeScalars)
        var vocabulary = Set(["garden", "gardens", "graden", "warden", "garde", "gardn", "gaarden", "grdn"])
        while vocabulary.count < 20_000 {
            let length = Int.random(in: 3...10, using: &random)
            vocabulary.insert(Self.string((0..<length).map { _ in letters.randomElement(using: &random) ?? "a" }))
        }
        let shuffled = vocabulary.sorted().shuffled(using: &random)
        var documents: [Document] = []
        for start in stride(from: 0, to: shuffled.count, by: 100) {
            let words = shuffled[start..<min(start + 100, shuffled.count)]
            documents.append(Document(key: "d\(start)", text: ["body": [words.joined(separator: " ")]]))
        }
        let schema = Schema(textFields: [Schema.TextField("body", analyzer: WhitespaceAnalyzer())])
        let directory = ScratchDirectory()
        let reader = try Self.segment(documents, schema: schema, in: directory)
        let terms = Self.termsByField(reader)[0] ?? []
        #expect(terms.count == 20_000)
        let automaton = LevenshteinAutomaton("garden", maxDistance: 1)
        var statistics = DictionaryWalkStatistics()
        let found = reader.terms(field: 0, within: automaton, statistics: &statistics)
        #expect(found.map(\.term) == ["gaarden", "garde", "garden", "gardens", "gardn", "graden", "warden"])
        Self.expectWalkMatchesFilter(reader, field: 0, terms: terms, automaton: automaton)
        // Measured: 1,921 of the 20,000 entries decoded (215 of them run through the automaton,
        // the others passed over within a block on the way to a seek target), 94 of the 632
        // blocks read, 216 seeks. Every first letter stays alive at distance 1 and, after it,
        // two second letters: some 50 regions of ~30 terms, about a block each.
        #expect(statistics.termsDecoded < terms.count / 8)
        #expect(statistics.termsExamined < terms.count / 50)
        #expect(statistics.blocksRead < reader.termBlockCount / 5)
    }
}
