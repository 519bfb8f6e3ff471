import Foundation
import Testing

@testable import SearchCore

/// A token as the tests spell it: term, position, start, end.
private struct Expected: Equatable, CustomStringConvertible {
    var term: String
    var position: Int
    var start: Int
    var end: Int

    init(_ term: String, _ position: Int, _ start: Int, _ end: Int) {
        self.term = term
        self.position = position
        self.start = start
        self.end = end
    }

    init(_ token: Token) {
        self.init(token.term, token.position, token.start, token.end)
    }

    var description: String { "\(term)@\(position)[\(start)..<\(end)]" }
}

/// The text of `text` between the token's offsets, in Unicode scalars.
private func originalText(of token: Token, in text: String) -> String {
    originalText(of: token, in: Array(text.unicodeScalars))
}

private func originalText(of token: Token, in scalars: [Unicode.Scalar]) -> String {
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars[token.start..<token.end])
    return String(view)
}

private func tokens(_ text: String, _ analyzer: StandardAnalyzer = StandardAnalyzer()) -> [Expected] {
    analyzer.tokens(text).map(Expected.init)
}

/// Every token must come from the text between its offsets: normalizing that text gives the
/// token's term (or, when NFKC splits one word into several, the terms of the tokens that share
/// the offsets). Positions must increase and offsets stay inside the text.
private func expectConsistent(_ text: String, _ analyzer: StandardAnalyzer = StandardAnalyzer()) {
    let result = analyzer.tokens(text)
    let scalars = Array(text.unicodeScalars)
    let scalarCount = scalars.count
    var previous: Token?
    var index = 0
    while index < result.count {
        let token = result[index]
        #expect(0 <= token.start && token.start < token.end && token.end <= scalarCount, "\(token)")
        if let previous {
            #expect(previous.position < token.position, "\(previous) then \(token)")
            #expect(previous.start <= token.start, "\(previous) then \(token)")
        }
        var sharing = [token.term]
        while index + 1 < result.count, result[index + 1].start == token.start,
            result[index + 1].end == token.end
        {
            index += 1
            sharing.append(result[index].term)
        }
        let original = originalText(of: token, in: scalars)
        #expect(TextNormalizer.normalizedWords(original) == sharing, "\(original.debugDescription) gave \(sharing)")
        previous = result[index]
        index += 1
    }
}

@Suite struct StandardAnalyzerTests {
    @Test func isNamedStandard() {
        #expect(StandardAnalyzer().name == "standard")
    }

    @Test func splitsEnglishTextIntoLowerCaseWordsWithPositionsAndOffsets() {
        let text = "Mangrove restoration, in 2023: a SUCCESS!"
        #expect(
            tokens(text) == [
                Expected("mangrove", 0, 0, 8),
                Expected("restoration", 1, 9, 20),
                Expected("in", 2, 22, 24),
                Expected("2023", 3, 25, 29),
                Expected("a", 4, 31, 32),
                Expected("success", 5, 33, 40),
            ])
        expectConsistent(text)
    }

    @Test(arguments: [
        // Punctuation and symbols separate.
        ("Hello, world! (Really?) \"Yes\"; ok…", ["hello", "world", "really", "yes", "ok"]),
        ("e-mail: info@example.org #tag", ["e", "mail", "info", "example", "org", "tag"]),
        // Digits keep `.` and `,` between digits only.
        ("3.5 hectares", ["3.5", "hectares"]),
        ("1,249 trees", ["1,249", "trees"]),
        ("1,249.50 USD", ["1,249.50", "usd"]),
        ("version 2.0.1.", ["version", "2.0.1"]),
        ("3. 5, 6", ["3", "5", "6"]),
        ("1.a a.1 .5 5.", ["1", "a", "a", "1", "5", "5"]),
        ("end.Start U.S.A.", ["end", "start", "u", "s", "a"]),
        ("10km 3.5kg", ["10km", "3.5kg"]),
        // Squared abbreviations are words, spelled out by NFKC (they were dropped).
        ("10 ㎞ 5㎏ 3㎡", ["10", "km", "5kg", "3m2"]),
        // English possessive.
        ("the community's forest", ["the", "community", "forest"]),
        ("the community’s forest", ["the", "community", "forest"]),
        ("JAMES'S farm", ["james", "farm"]),
        ("farmers' fields", ["farmers", "fields"]),
        ("it's don't", ["it", "don", "t"]),
        ("'s 's", ["s", "s"]),
        ("o'sullivan", ["o", "sullivan"]),
        // Hyphens, underscores and other apostrophes split.
        ("agro-forestry", ["agro", "forestry"]),
        ("snake_case_name", ["snake", "case", "name"]),
        ("l'eau", ["l", "eau"]),
        ("aujourd’hui l’homme", ["aujourd", "hui", "l", "homme"]),
    ])
    func segmentsWords(text: String, terms: [String]) {
        #expect(StandardAnalyzer().terms(text) == terms)
        expectConsistent(text)
    }

    @Test func possessiveIsDroppedFromTheOffsetsToo() {
        #expect(tokens("Earth's lungs") == [Expected("earth", 0, 0, 5), Expected("lungs", 1, 8, 13)])
    }

    @Test(arguments: [
        ("ÉCOLE Forêt", ["école", "forêt"]),
        ("ЛЕС Лесной", ["лес", "лесной"]),
        ("ΑΘΗΝΑ Δάσος ΔΆΣΟΣ", ["αθηνα", "δάσοσ", "δάσοσ"]),
        ("ΟΔΟΣ οδος", ["οδοσ", "οδοσ"]),
        ("Straße ĲSSEL", ["straße", "ijssel"]),
        ("VIỆT NAM", ["việt", "nam"]),
    ])
    func lowerCasesEveryScript(text: String, terms: [String]) {
        #expect(StandardAnalyzer().terms(text) == terms)
        expectConsistent(text)
    }

    @Test(arguments: [
        ("ＡＢＣ ｆｏｒｅｓｔ", ["abc", "forest"]),
        ("ﬁnance ﬂoods", ["finance", "floods"]),
        ("３．５ １，２４９", ["3.5", "1,249"]),
        ("CO₂ m²", ["co2", "m2"]),
        ("e\u{301}cole", ["école"]),
        ("infor\u{AD}mation", ["information"]),
        ("½", ["1", "2"]),
        ("⑴ ①②", ["1", "12"]),
    ])
    func appliesNFKC(text: String, terms: [String]) {
        #expect(StandardAnalyzer().terms(text) == terms)
        expectConsistent(text)
    }

    @Test func nfkcKeepsOffsetsInTheOriginalText() {
        // "ﬁ" is one scalar, "e\u{301}" two: offsets count the original scalars.
        #expect(
            tokens("ﬁ e\u{301}t ＡＢ") == [
                Expected("fi", 0, 0, 1),
                Expected("ét", 1, 2, 5),
                Expected("ab", 2, 6, 8),
            ])
    }

    @Test func isolatedCJKCharacterIsAUnigram() {
        #expect(tokens("江") == [Expected("江", 0, 0, 1)])
        #expect(tokens("江 豚") == [Expected("江", 0, 0, 1), Expected("豚", 1, 2, 3)])
    }

    @Test func twoCJKCharactersAreOneBigram() {
        #expect(tokens("江豚") == [Expected("江豚", 0, 0, 2)])
    }

    @Test func cjkRunsGiveOverlappingBigramsAtConsecutivePositions() {
        let text = "红树林 无人机"
        #expect(
            tokens(text) == [
                Expected("红树", 0, 0, 2),
                Expected("树林", 1, 1, 3),
                Expected("无人", 2, 4, 6),
                Expected("人机", 3, 5, 7),
            ])
        expectConsistent(text)
    }

    /// Indexed, each character of a run is a token too, at the position of the bigram it
    /// starts (the last at the last bigram's): what comes after the run keeps its position.
    /// Queries are analyzed without them.
    @Test func indexedCJKRunsAlsoGiveEachCharacterAtItsBigramsPosition() {
        let indexed = StandardAnalyzer().indexedTokens("红树林 无人机 江 ok").map(Expected.init)
        #expect(
            indexed == [
                Expected("红", 0, 0, 1), Expected("红树", 0, 0, 2),
                Expected("树", 1, 1, 2), Expected("树林", 1, 1, 3), Expected("林", 1, 2, 3),
                Expected("无", 2, 4, 5), Expected("无人", 2, 4, 6),
                Expected("人", 3, 5, 6), Expected("人机", 3, 5, 7), Expected("机", 3, 6, 7),
                Expected("江", 4, 8, 9),
                Expected("ok", 5, 10, 12),
            ])
        #expect(tokens("红树林 无人机 江 ok").map(\.term) == ["红树", "树林", "无人", "人机", "江", "ok"])
        // Stop words apply to the characters too; compatibility forms are normalized.
        #expect(StandardAnalyzer(stopWords: ["的"]).indexedTokens("湿地的保护").map(\.term) == ["湿", "湿地", "地", "地的", "的保", "保", "保护", "护"])
        #expect(StandardAnalyzer().indexedTokens("\u{F900}林").map(\.term) == ["豈", "豈林", "林"])
    }

    @Test func latinAndDigitsInsideCJKAreSeparateWords() {
        let text = "2023年红树林"
        #expect(
            tokens(text) == [
                Expected("2023", 0, 0, 4),
                Expected("年红", 1, 4, 6),
                Expected("红树", 2, 5, 7),
                Expected("树林", 3, 6, 8),
            ])
        #expect(StandardAnalyzer().terms("使用GIS技术，保护红树林。") == ["使用", "gis", "技术", "保护", "护红", "红树", "树林"])
        expectConsistent(text)
    }

    @Test(arguments: [
        // Japanese: kanji, hiragana and katakana form one run.
        ("森林の保全", ["森林", "林の", "の保", "保全"]),
        ("マングローブ", ["マン", "ング", "グロ", "ロー", "ーブ"]),
        ("ひらがな・カタカナ", ["ひら", "らが", "がな", "カタ", "タカ", "カナ"]),
        // Half-width katakana: NFKC gives full width; ﾞ joins the kana before it.
        ("ｶﾀｶﾅ", ["カタ", "タカ", "カナ"]),
        ("ｶﾞｽ", ["ガス"]),
        // Korean: syllables, and conjoining jamo that NFKC composes.
        ("산림 복원", ["산림", "복원"]),
        ("한국어", ["한국", "국어"]),
        ("\u{1112}\u{1161}\u{11AB}\u{1100}\u{116E}\u{11A8}", ["한국"]),
        // Compatibility ideographs become unified ideographs.
        ("\u{F900}", ["\u{8C48}"]),
        // CJK extension B.
        ("𠀀𠀁", ["𠀀𠀁"]),
    ])
    func bigramsJapaneseAndKorean(text: String, terms: [String]) {
        #expect(StandardAnalyzer().terms(text) == terms)
        expectConsistent(text)
    }

    @Test func conjoiningJamoOffsetsCoverWholeSyllables() {
        #expect(tokens("\u{1112}\u{1161}\u{11AB}\u{1100}\u{116E}\u{11A8}") == [Expected("한국", 0, 0, 6)])
    }

    @Test(arguments: [
        ("الغابات", ["الغابات"]),
        ("حماية الغابات، والمياه.", ["حماية", "الغابات", "والمياه"]),
        ("الْغَابَات", ["الْغَابَات"]),
        ("٣٫٥ ١٬٢٤٩", ["٣٫٥", "١٬٢٤٩"]),
    ])
    func keepsArabicWordsWhole(text: String, terms: [String]) {
        #expect(StandardAnalyzer().terms(text) == terms)
        expectConsistent(text)
    }

    @Test func stopWordsAreDroppedButKeepTheirPositions() {
        let analyzer = StandardAnalyzer(stopWords: ["the", "of"])
        #expect(
            tokens("The restoration of the mangroves", analyzer) == [
                Expected("restoration", 1, 4, 15),
                Expected("mangroves", 4, 23, 32),
            ])
    }

    @Test func stopWordsAreNormalizedLikeTheText() {
        let analyzer = StandardAnalyzer(stopWords: ["THE", "Ｄｅ", "ΚΑΙ"])
        #expect(analyzer.stopWords == ["the", "de", "και"])
        #expect(analyzer.terms("the Forest de Fontainebleau και") == ["forest", "fontainebleau"])
    }

    @Test func stopWordsApplyToCJKTokens() {
        let analyzer = StandardAnalyzer(stopWords: ["的"])
        #expect(tokens("红 的 林", analyzer) == [Expected("红", 0, 0, 1), Expected("林", 2, 4, 5)])
    }

    @Test func tokensLongerThanTheMaximumAreDroppedButKeepTheirPositions() {
        let analyzer = StandardAnalyzer(maximumTokenLength: 5)
        #expect(
            tokens("short toolong ÉCOLES écoles end", analyzer) == [
                Expected("short", 0, 0, 5),
                Expected("end", 4, 28, 31),
            ])
        #expect(StandardAnalyzer().terms(String(repeating: "a", count: 256) + " b") == ["b"])
        #expect(StandardAnalyzer().terms(String(repeating: "a", count: 255)).count == 1)
    }

    @Test func offsetsPointBackIntoTheOriginalText() {
        let text = "Ｔhe community’s café — 红树林 (2023) ﬁeld ΟΔΟΣ ｶﾞｽ 3.5\u{FE0F} l'eau"
        let result = StandardAnalyzer().tokens(text)
        #expect(
            result.map { originalText(of: $0, in: text) } == [
                "Ｔhe", "community", "café", "红树", "树林", "2023", "ﬁeld", "ΟΔΟΣ", "ｶﾞｽ", "3.5\u{FE0F}", "l", "eau",
            ])
        #expect(
            result.map(\.term) == [
                "the", "community", "café", "红树", "树林", "2023", "field", "οδοσ", "ガス", "3.5", "l", "eau",
            ])
        expectConsistent(text)
    }

    @Test(arguments: ["", " ", "   \n\t  \r\n", "...,;!? -- '' ’", "\u{200B}\u{FE0F}\u{301}", "🌳🌊 ★ ©®™ ←→ ∑ € $ %"])
    func textWithoutWordsGivesNoTokens(text: String) {
        #expect(StandardAnalyzer().tokens(text).isEmpty)
    }

    @Test(arguments: [
        ("hello👋world", ["hello", "world"]),
        ("❤️love 🇫🇷 France", ["love", "france"]),
        ("👩‍💻coder", ["coder"]),
        ("1️⃣ first", ["1", "first"]),
        ("€100 & $5 + 3×4 = 12", ["100", "5", "3", "4", "12"]),
        ("a©b ✓ c★d", ["a", "b", "c", "d"]),
        ("word\u{200B}word zero\u{200D}width", ["word", "word", "zerowidth"]),
    ])
    func emojiAndSymbolsSeparate(text: String, terms: [String]) {
        #expect(StandardAnalyzer().terms(text) == terms)
        expectConsistent(text)
    }

    @Test func aMegabyteOfRandomTextIsTokenizedConsistently() {
        var generator = SplitMix64(seed: 0x5EED)
        // Weighted toward the scalars with special handling, plus anything from the whole range.
        let pools: [ClosedRange<UInt32>] = [
            0x20...0x7E, 0x20...0x7E, 0x20...0x7E, 0xC0...0x24F, 0x300...0x36F, 0x370...0x3FF,
            0x400...0x4FF, 0x600...0x6FF, 0x1100...0x11FF, 0x2000...0x206F, 0x2460...0x24FF,
            0x3000...0x30FF, 0x4E00...0x4E3F, 0xAC00...0xAC3F, 0xF900...0xFB4F, 0xFE00...0xFE0F,
            0xFF00...0xFFEF, 0x1F300...0x1F6FF, 0x0...0x10FFFF,
        ]
        var text = String.UnicodeScalarView()
        var byteCount = 0
        while byteCount < 1 << 20 {
            let pool = pools[Int(generator.next() % UInt64(pools.count))]
            let value = pool.lowerBound + UInt32(generator.next() % UInt64(pool.count))
            guard let scalar = Unicode.Scalar(value) else { continue }
            text.append(scalar)
            byteCount += UTF8.width(scalar)
        }
        let string = String(text)
        let result = StandardAnalyzer().tokens(string)
        #expect(result.count > 10_000)
        expectConsistent(string)
    }

    @Test func analysisIsDeterministic() {
        let text = "Forêt 红树林 ΟΔΟΣ ＡＢＣ community's 3.5"
        #expect(StandardAnalyzer().tokens(text) == StandardAnalyzer().tokens(text))
    }

    /// Words made of these scalars skip lower-casing when none of their scalars may change.
    @Test func scalarsThatSkipLowerCasingAreLowerCase() {
        var changed: [String] = []
        for value in UInt32(0x80)...0x323AF
        where TextNormalizer.isStableUnderNFKC(value) && !TextNormalizer.mayChangeWhenLowercased(value) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if String(scalar).lowercased() != String(scalar) {
                changed.append(String(value, radix: 16))
            }
        }
        #expect(changed.isEmpty)
    }

    /// Common scripts are classified by range without looking up properties; the ranges must
    /// agree with the properties.
    @Test func scalarClassesByRangeAgreeWithUnicodeProperties() {
        var disagreeing: [String] = []
        for value in UInt32(0x80)...0x10FFFF where ScalarClass(value) != ScalarClass(properties: value) {
            disagreeing.append(String(value, radix: 16))
        }
        #expect(disagreeing.isEmpty)
    }

    /// The fast path skips NFKC for the scalars in `TextNormalizer.isStableUnderNFKC`; each of
    /// them must indeed be unchanged by NFKC.
    @Test func scalarsThatSkipNFKCAreUnchangedByIt() {
        var changed: [String] = []
        for value in UInt32(0x80)...0x323AF where TextNormalizer.isStableUnderNFKC(value) {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(scalar)
            if text.precomposedStringWithCompatibilityMapping != text {
                changed.append(String(value, radix: 16))
            }
        }
        #expect(changed.isEmpty)
    }
}

/// A small seeded generator, so that the random test is the same on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
