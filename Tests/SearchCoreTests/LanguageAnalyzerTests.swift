import Foundation
import Testing

@testable import SearchCore

/// The Snowball vocabularies in the shared test data, when present.
enum SnowballVocabulary {
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/SearchCoreTests/file -> package root
        return url.deletingLastPathComponent().appendingPathComponent("shared/testdata/snowball")
    }()

    static var isAvailable: Bool { FileManager.default.fileExists(atPath: directory.path) }

    static func pairs(_ language: String) throws -> [(String, String)] {
        let folder = directory.appendingPathComponent(language)
        let words = try String(contentsOf: folder.appendingPathComponent("voc.txt"), encoding: .utf8).split(separator: "\n")
        let stems = try String(contentsOf: folder.appendingPathComponent("output.txt"), encoding: .utf8).split(separator: "\n")
        return zip(words, stems).map { (String($0), String($1)) }
    }
}

@Suite("Language analyzers")
struct LanguageAnalyzerTests {
    func terms(_ text: String, _ language: String) -> [String] {
        LanguageAnalyzer.forLanguage(language).tokens(text).map(\.term)
    }

    /// libstemmer 2.2.0 against the newer official vocabularies agrees on at least these
    /// shares of words (measured when the vocabularies were added).

    /// SearchCore QA: `Locale.identifier`'s `en_US` found no analyzer (and `forLanguage`
    /// fell back to the standard one).
    @Test func localeIdentifiersNameTheirLanguage() {
        #expect(LanguageAnalyzer(language: "en_US")?.language == "en")
        #expect(LanguageAnalyzer(language: "zh_Hant_TW")?.language == "zh")
        #expect(LanguageAnalyzer.forLanguage("fr_CA").name == LanguageAnalyzer.forLanguage("fr").name)
    }
    @Test(
        .enabled(if: SnowballVocabulary.isAvailable, "../shared/testdata/snowball is absent: Snowball vocabularies not checked"),
        arguments: [("english", 0.9987), ("french", 0.961), ("spanish", 0.9997), ("russian", 1.0)])
    func stemmerAgreesWithTheOfficialVocabulary(language: String, required: Double) throws {
        let stemmer = try #require(SnowballStemmer(algorithm: language))
        let pairs = try SnowballVocabulary.pairs(language)
        #expect(pairs.count > 10_000)
        let agreeing = pairs.filter { stemmer.stem($0.0) == $0.1 }.count
        let share = Double(agreeing) / Double(pairs.count)
        #expect(share >= required - 0.00005, "\(language): \(agreeing) of \(pairs.count) = \(share)")
    }

    /// Stems come from a cache after the first time; they must be what Snowball gives, also
    /// after the cache fills up and starts over, and whatever order the words come in.
    @Test(.enabled(if: SnowballVocabulary.isAvailable, "../shared/testdata/snowball is absent: stem cache not checked"))
    func cachedStemsAreSnowballsStems() throws {
        let words = try SnowballVocabulary.pairs("english").prefix(20_000).map(\.0)
        let stemmer = try #require(SnowballStemmer(algorithm: "english", cacheLimit: 3000))
        let first = stemmer.withStemmer { stem in words.map(stem) }
        let second = stemmer.withStemmer { stem in words.map(stem) }
        let other = try #require(SnowballStemmer(algorithm: "english", cacheLimit: 1 << 16))
        let reversed = other.withStemmer { stem in words.reversed().map(stem) }
        // A cache of one entry starts over at every word: Snowball's own stems.
        let uncached = try #require(SnowballStemmer(algorithm: "english", cacheLimit: 1))
        let expected = uncached.withStemmer { stem in words.map(stem) }
        #expect(first == expected)
        #expect(second == expected)
        #expect(Array(reversed.reversed()) == expected)
    }

    /// The scalar-by-scalar fold with its table gives what decomposing the whole text gives:
    /// every scalar of Latin-1 to Latin Extended-B, and random words mixing them with
    /// combining marks and other scripts.
    @Test func diacriticFoldingMatchesCanonicalDecomposition() {
        for value in UInt32(0)..<0x250 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "a" + String(scalar)
            let expected = TextFolding.hasDiacritics(text) ? TextFolding.foldByDecomposition(text) : text
            // Bytes, not String equality (which holds for canonically equivalent spellings):
            // index terms are compared as bytes.
            #expect(Array(TextFolding.foldDiacritics(text).utf8) == Array(expected.utf8))
        }
        let pieces = ["é", "e\u{301}", "ñ", "ø", "Æ", "ß", "œ", "ǅ", "ȁ", "ḯ", "щ", "红", "ü", "c", "\u{308}", "Å"]
        var random = SeededGenerator(seed: 9)
        for _ in 0..<500 {
            let word = (0..<Int.random(in: 1...8, using: &random)).map { _ in pieces[Int.random(in: 0..<pieces.count, using: &random)] }.joined()
            let expected = TextFolding.hasDiacritics(word) ? TextFolding.foldByDecomposition(word) : word
            #expect(Array(TextFolding.foldDiacritics(word).utf8) == Array(expected.utf8), "\(word)")
        }
        #expect(TextFolding.foldDiacritics("Écoles forêts niño") == "Ecoles forets nino")
    }

    /// A language without an analyzer of its own keeps its words as written, without the
    /// other languages' stop words (a Spanish query's `de` does not match Portuguese text).
    @Test func otherLanguagesDropTheFiveListsStopWords() {
        let portuguese = terms("Agrofloresta de cacau com a floresta", "pt")
        #expect(portuguese.contains("agrofloresta") && portuguese.contains("cacau") && portuguese.contains("floresta"))
        #expect(!portuguese.contains("de") && !portuguese.contains("a"), "\(portuguese)")
        #expect(terms("le la les de", "pt").isEmpty)
        #expect(LanguageAnalyzer.forLanguage("pt").name == "standard")
    }

    @Test func englishStemsStopsAndJoinsCompounds() {
        #expect(terms("The communities' nurseries", "en") == ["communiti", "nurseri"])
        #expect(terms("agro-forestry", "en") == ["agro", "forestri", "agroforestri"])
        #expect(terms("agroforestry", "en") == ["agroforestri"])
        #expect(terms("the community's mangroves", "en") == ["communiti", "mangrov"])
    }

    /// A combining mark that NFKC leaves alone is a diacritic too: `İstanbul` lower-cases to
    /// `i` and a combining dot above, and its unaccented term is `istanbul` (a search for
    /// Istanbul did not find İstanbul: thesaurus QA).
    @Test func aCombiningMarkIsFoldedLikeAnAccent() {
        #expect(terms("İstanbul", "en").contains("istanbul"), "\(terms("İstanbul", "en"))")
        for language in ["fr", "es"] {
            #expect(Set(terms("DİYARBAKIR", language)).isSuperset(of: terms("Diyarbakir", language)), "\(language)")
        }
        #expect(TextFolding.foldDiacritics("i\u{307}zmir") == "izmir")
    }

    /// English keeps a word's accents (names: `São Tomé`, `Bogotá`) and gives its unaccented
    /// spelling too, at the same position, so that a query typed without them finds it.
    @Test func englishNamesWithAccentsAreFoundWithout() {
        let tokens = LanguageAnalyzer.forLanguage("en").tokens("São Tomé and Curaçao")
        #expect(Set(tokens.map(\.term)).isSuperset(of: ["são", "sao", "tomé", "tome", "curaçao", "curacao"]), "\(tokens)")
        #expect(tokens.first { $0.term == "sao" }?.position == tokens.first { $0.term == "são" }?.position)
        #expect(terms("Sao Tome", "en") == ["sao", "tome"])
        #expect(terms("mangroves", "en") == ["mangrov"])
    }

    @Test func frenchRemovesElisionAndFoldsAccentsAfterStemming() {
        #expect(terms("L'eau des forêts", "fr") == ["eau", "foret"])
        #expect(terms("forets", "fr") == ["foret"])
        #expect(terms("d'écosystèmes", "fr").first == terms("écosystème", "fr").first)
    }

    @Test func spanishUnaccentedQueryMeetsAccentedText() {
        let indexed = Set(terms("restauración", "es"))
        let query = Set(terms("restauracion", "es"))
        #expect(!indexed.isDisjoint(with: query))
        #expect(terms("restauraciones", "es").first == terms("restauración", "es").first)
    }

    @Test func russianInflectionsShareStems() {
        #expect(terms("лесные пожары", "ru") == terms("лесных пожаров", "ru"))
        #expect(terms("ёлка", "ru") == terms("елка", "ru"))
    }

    @Test func arabicNormalizesAndFindsWordsWithAndWithoutTheArticle() {
        #expect(ArabicNormalizer.normalize("أَحْمَدُ") == "احمد")
        #expect(ArabicNormalizer.normalize("إلى مستشفى") == "الي مستشفي")
        #expect(ArabicNormalizer.normalize("غابة") == "غابه")
        #expect(ArabicNormalizer.normalize("عـــلم") == "علم")
        let withArticle = Set(terms("الغابات", "ar"))
        let without = Set(terms("غابات", "ar"))
        #expect(!withArticle.isDisjoint(with: without))
        #expect(!Set(terms("والغابة", "ar")).isDisjoint(with: Set(terms("غابة", "ar"))))
        #expect(terms("في من على", "ar").isEmpty)
    }

    @Test func chineseKeepsBigramsAndDropsIsolatedFunctionCharacters() {
        #expect(terms("红树林 无人机", "zh") == ["红树", "树林", "无人", "人机"])
        #expect(terms("江豚 的 保护", "zh") == ["江豚", "保护"])
    }

    /// Traditional characters give the simplified terms (Taiwan's and Hong Kong's `紅樹林`
    /// finds the mainland's `红树林`); a character with several simplified forms takes one,
    /// the same on both sides.
    @Test func chineseFoldsTraditionalCharactersIntoSimplified() {
        #expect(terms("紅樹林 無人機", "zh") == terms("红树林 无人机", "zh"))
        #expect(terms("濕地保護 恢復", "zh") == ["湿地", "地保", "保护", "恢复"])
        #expect(terms("乾燥", "zh") == terms("干燥", "zh"))
        #expect(ChineseVariants.simplified("mangrove 红树") == "mangrove 红树")
        #expect(ChineseVariants.table.count > 6_000)
        // One step: no simplified form is itself folded again.
        #expect(ChineseVariants.table.values.allSatisfy { ChineseVariants.table[$0.value] == nil })
    }

    @Test func otherLanguagesUseTheStandardAnalyzer() {
        #expect(LanguageAnalyzer.forLanguage("pt").name == "standard")
        #expect(LanguageAnalyzer.forLanguage("en-GB").name == "english-unaccented.2")
        #expect(LanguageAnalyzer.forLanguage("fr").name == "french.2" && LanguageAnalyzer.forLanguage("es").name == "spanish.2")
        #expect(terms("Florestas tropicais", "pt") == ["florestas", "tropicais"])
    }

    @Test func everyUNLanguageHasStopWords() {
        for language in LanguageAnalyzer.languages {
            #expect(StopWords.forLanguage(language).count >= 30, "\(language)")
        }
    }

    @Test func stemmerIsSafeFromManyTasksAtOnce() async {
        let analyzer = LanguageAnalyzer.forLanguage("en")
        let expected = analyzer.terms("restoring mangroves along the coasts")
        await withTaskGroup(of: [String].self) { group in
            for _ in 0..<64 { group.addTask { analyzer.terms("restoring mangroves along the coasts") } }
            for await result in group { #expect(result == expected) }
        }
    }
}
