// Snippets of very large fields: built from bounded windows of the text, cut on character
// (UTF-8 scalar) and word boundaries, CJK included, at a cost that does not grow with the field.
import Foundation
import Testing

@testable import ClearingHouse

@Suite struct SnippetBuilderTests {
    /// About `bytes` bytes of filler text made of `phrase`, with `word` inserted after about
    /// `at` bytes (when given).
    private static func text(_ phrase: String, bytes: Int, word: String? = nil, at: Int = 0) -> String {
        let count = bytes / phrase.utf8.count
        guard let word else { return String(repeating: phrase, count: count) }
        let before = at / phrase.utf8.count
        return String(repeating: phrase, count: before) + word + " " + String(repeating: phrase, count: count - before)
    }

    private static let english = "Seed banks and nurseries restore coastal forests with local communities. "

    /// Whether `needle` occurs in `haystack`, compared as UTF-8 bytes (the text is periodic,
    /// so a plain search finds it within the first period).
    private static func occurs(_ needle: String, in haystack: String) -> Bool {
        let needle = Array(needle.utf8)
        let haystack = Array(haystack.utf8)
        guard !needle.isEmpty, needle.count <= haystack.count else { return needle.isEmpty }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<start + needle.count].elementsEqual(needle) { return true }
        }
        return false
    }

    /// The snippet's text without the "…" that mark cuts.
    private static func body(_ snippet: Snippet) -> String {
        snippet.text.trimmingCharacters(in: CharacterSet(charactersIn: "…"))
    }

    @Test func aWordInAVeryLargeFieldIsFoundAndHighlighted() throws {
        let description = Self.text(Self.english, bytes: 10_000_000, word: "okavango", at: 400_000)
        let snippet = try #require(
            SnippetBuilder.snippet(texts: [description], language: "en", words: ["okavango"], prefixes: []))
        #expect(snippet.marked().contains("<mark>okavango</mark>"), "\(snippet.text)")
        #expect(snippet.text.hasPrefix("…") && snippet.text.hasSuffix("…"))
        #expect(snippet.text.unicodeScalars.count <= SnippetBuilder.maximumLength + 2)
        // The passage is the text around the word (the word is at byte `at`).
        let at = 400_000 / Self.english.utf8.count * Self.english.utf8.count
        let around = String(decoding: Array(description.utf8)[(at - 2000)..<(at + 2000)], as: UTF8.self)
        #expect(around.contains(Self.body(snippet)))
    }

    /// Highlights count characters: in ASCII one per byte, except CR LF, which is one; in
    /// other text, a letter with a combining mark is one.
    @Test func highlightsCountCharacters() throws {
        func marked(_ text: String, _ words: [String], _ language: String = "en") throws -> String {
            try #require(SnippetBuilder.snippet(texts: [text], language: language, words: words, prefixes: [])).marked()
        }
        #expect(try marked("Mangrove nurseries raise seedlings.", ["seedlings"]) == "Mangrove nurseries raise <mark>seedlings</mark>.")
        #expect(try marked("Coastal forests.\r\nMangrove nurseries.", ["nurseries"]) == "Coastal forests.\r\nMangrove <mark>nurseries</mark>.")
        #expect(try marked("Cafe\u{301} de sombra y aves migratorias.", ["aves"], "es") == "Cafe\u{301} de sombra y <mark>aves</mark> migratorias.")
        // Where the summary has every word asked for, it is the passage (the description after
        // it is not read); otherwise the text with more of them.
        let both = try #require(SnippetBuilder.snippet(
            texts: ["Mangrove nurseries on the coast.", "Nurseries of mangrove seedlings for the delta."], language: "en",
            words: ["mangrove", "nurseries"], prefixes: []))
        #expect(both.text == "Mangrove nurseries on the coast.")
        let second = try #require(SnippetBuilder.snippet(
            texts: ["Mangrove planting on the coast.", "Nurseries of mangrove seedlings for the delta."], language: "en",
            words: ["mangrove", "nurseries"], prefixes: []))
        #expect(second.text == "Nurseries of mangrove seedlings for the delta.")
    }

    @Test func aCapitalizedOrStemmedWordIsFoundByTheByteSearch() throws {
        // The query says "rehabilitations"; the text has "Rehabilitation" (another form, capitalized).
        let description = Self.text(Self.english, bytes: 2_000_000, word: "Rehabilitation", at: 300_000)
        let snippet = try #require(
            SnippetBuilder.snippet(texts: [description], language: "en", words: ["rehabilitations"], prefixes: []))
        #expect(snippet.marked().contains("<mark>Rehabilitation</mark>"), "\(snippet.text)")
    }

    @Test func aWordBeyondTheSearchedPartShowsTheStartOfTheField() throws {
        let description = Self.text(Self.english, bytes: 3_000_000, word: "okavango", at: 2_500_000)
        let snippet = try #require(
            SnippetBuilder.snippet(texts: [description], language: "en", words: ["okavango"], prefixes: []))
        #expect(snippet.highlights.isEmpty)
        #expect(snippet.text.hasPrefix("Seed banks"))
        #expect(snippet.text.hasSuffix("…"))
    }

    @Test func aSnippetOfATenMegabyteFieldReadsNoMoreThanItsFirstMegabyte() throws {
        // Analyzing ten megabytes takes seconds; a snippet must not. Rather than time it (tests
        // assert no wall-clock figures), check that what lies past the searched part and one
        // window cannot change the snippet: the field cut there gives the same one.
        // "okavango" within the searched part, "zambezi" far past it (a builder that read the
        // whole field would find it and differ from the cut field, which lacks it).
        let tail = Self.text(Self.english, bytes: 5_000_000, word: "zambezi", at: 1_000_000)
        let large = Self.text(Self.english, bytes: 5_000_000, word: "okavango", at: 600_000) + tail
        let read = SnippetBuilder.searchedBytes + 2 * SnippetBuilder.windowBytes
        let cut = String(decoding: large.utf8.prefix(read), as: UTF8.self)
        #expect(large.utf8.count > 9 * read)
        #expect(!cut.contains("zambezi"))
        for (words, prefixes) in [(["okavango"], []), (["zambezi"], []), (["zanzibar", "mangrove"], ["okav"]), (["absent"], [])] as [([String], [String])] {
            let whole = SnippetBuilder.snippet(texts: [large, large], language: "en", words: words, prefixes: prefixes)
            let part = SnippetBuilder.snippet(texts: [cut, cut], language: "en", words: words, prefixes: prefixes)
            #expect(whole?.text == part?.text, "\(words)")
            #expect(whole?.highlights == part?.highlights, "\(words)")
        }
    }

    @Test func windowsOfChineseTextStartAndEndOnCharacters() throws {
        let chinese = String(repeating: "长江中下游的湿地保护工作需要社区参与。", count: 2_000)  // 3 bytes a character
        #expect(chinese.utf8.count > SnippetBuilder.windowBytes * 4)
        for start in [1, 2, 3, 1000, 20_001, 50_000] {
            let window = SnippetBuilder.window(of: chinese, from: start)
            #expect(window.text.utf8.count <= SnippetBuilder.windowBytes)
            #expect(window.text.utf8.count > SnippetBuilder.windowBytes - 4)
            #expect(window.cutBefore && window.cutAfter)
            #expect(Self.occurs(window.text, in: chinese))
            #expect(!window.text.unicodeScalars.contains("\u{FFFD}"))  // no broken UTF-8 sequence
        }
        // A hit deep in a large Chinese field.
        let field = String(repeating: "长江中下游的湿地保护工作需要社区参与。", count: 10_000) + "江豚是长江的旗舰物种。"
            + String(repeating: "监测工作持续进行。", count: 100)
        let snippet = try #require(SnippetBuilder.snippet(texts: [field], language: "zh", words: ["江豚"], prefixes: []))
        #expect(snippet.marked().contains("<mark>江豚</mark>"), "\(snippet.text)")
        #expect(Self.occurs(Self.body(snippet), in: String(field.suffix(2000))))
    }

    @Test func windowsOfSpacedTextStartAndEndBetweenWords() throws {
        let mixed = String(repeating: "mangrove restoration 红树林 восстановление الغابات forêts ", count: 2_000)
        for start in [1, 7, 5000, 33_333] {
            let window = SnippetBuilder.window(of: mixed, from: start)
            #expect(window.text.utf8.count <= SnippetBuilder.windowBytes)
            #expect(Self.occurs(window.text, in: mixed))
            #expect(!window.text.unicodeScalars.contains("\u{FFFD}"))
            // Whole words: the window starts after a space and ends before one.
            #expect(window.text.first?.isWhitespace == false)
            #expect(Self.occurs(" " + window.text + " ", in: mixed))
        }
        // A short text is its own window, uncut.
        let short = SnippetBuilder.window(of: "mangrove nurseries", from: 0)
        #expect(short.text == "mangrove nurseries" && !short.cutBefore && !short.cutAfter)
    }
}
