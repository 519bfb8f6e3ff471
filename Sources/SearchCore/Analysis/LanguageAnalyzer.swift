// Analyzers for the six UN languages, built on the standard analyzer's tokens: language
// normalization, stop words, Snowball stemming, and diacritic folding where the language
// allows it.
import Foundation
import Synchronization

/// An analyzer for one language.
///
/// | language | steps after the standard analyzer's tokens |
/// |---|---|
/// | English (`en`) | stop words, Snowball `english` (Porter 2), hyphenated compounds also joined, a word with accents also as written without them |
/// | French (`fr`) | elision (`l'`, `d'`, ...) and stop words, Snowball `french`, accents folded after stemming |
/// | Spanish (`es`) | stop words, Snowball `spanish`, accents folded after stemming |
/// | Russian (`ru`) | `ё` as `е`, stop words, Snowball `russian` |
/// | Arabic (`ar`) | orthographic normalization (diacritics and tatweel removed; alef variants, alef maqsura and teh marbuta unified), stop words, Snowball `arabic` |
/// | Chinese (`zh`) | character bigrams (as the standard analyzer), single-character function words removed |
/// | any other | the standard analyzer, without the stop words of English, French, Spanish, Russian and Arabic |
///
/// French and Spanish fold accents *after* stemming, because the stemmers rely on them. A
/// word that carries an accent also gives the stem of its unaccented spelling, at the same
/// position, so that a query typed without accents (`restauracion`) finds the accented text
/// (`restauración`) even where the stemmer treats the two spellings differently.
public struct LanguageAnalyzer: Analyzer {
    /// The language's primary subtag (`en`, `fr`, ...).
    public let language: String
    /// The name recorded in the index schema (`english-unaccented.2`, `russian`, `chinese-simplified`).
    public let name: String
    private let base = StandardAnalyzer()
    private let stopWords: TermTable
    /// The language's special cases, decided once (not by comparing strings per token).
    private let isChinese: Bool
    private let isArabic: Bool
    /// Whether diacritics are folded after stemming.
    private let foldsDiacritics: Bool
    /// Whether a word with diacritics also gives the term of its unaccented spelling (the
    /// languages that fold, and English, whose words with accents are mostly names that
    /// readers type without them: `Sao Tome` finds `São Tomé`).
    private let addsUnaccentedSpelling: Bool
    /// True for French, Spanish and English, whose words with diacritics are also indexed without.
    public var indexesUnaccentedSpellings: Bool { addsUnaccentedSpelling }
    private let stemmer: SnowballStemmer?
    private let caches = WordCache.Pool()

    /// The languages with a dedicated analyzer.
    public static let languages = ["ar", "en", "es", "fr", "ru", "zh"]

    /// An analyzer for `language` (a BCP 47 tag, or a locale identifier such as `en_US`; its
    /// primary subtag decides), or nil when chm has no dedicated analyzer for it.
    public init?(language tag: String) {
        let language = String(tag.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first ?? "")
        let algorithm: String?
        switch language {
        case "en": algorithm = "english"
        case "fr": algorithm = "french"
        case "es": algorithm = "spanish"
        case "ru": algorithm = "russian"
        case "ar": algorithm = "arabic"
        case "zh": algorithm = nil
        default: return nil
        }
        self.language = language
        isChinese = language == "zh"
        isArabic = language == "ar"
        foldsDiacritics = language == "fr" || language == "es"
        addsUnaccentedSpelling = foldsDiacritics || language == "en"
        // (Chinese's name changed when it began to fold traditional characters: an index or a
        // stored thesaurus analyzed before is rebuilt from the catalog, once.)
        // (English's name changed when a word with accents began to give its unaccented
        // spelling too, for the same reason.)
        // (English's, French's and Spanish's names gained ".2" when a combining mark that
        // NFKC leaves alone began to count as an accent: `İstanbul` also gives `istanbul`.)
        name = language == "en" ? "english-unaccented.2" : foldsDiacritics ? "\(algorithm ?? language).2" : algorithm ?? "chinese-simplified"
        stemmer = algorithm.flatMap { SnowballStemmer(algorithm: $0) }
        let normalize = Self.normalizer(language)
        var stopWords = TermTable()
        for word in StopWords.forLanguage(language) { _ = stopWords.intern(normalize(TextNormalizer.normalize(word))) }
        self.stopWords = stopWords
    }

    /// The analyzer for `tag`: the dedicated one, or the standard analyzer.
    public static func forLanguage(_ tag: String) -> any Analyzer {
        // Built once per language: an analyzer's stop-word table and stemmer cost far more to
        // set up than a snippet's text costs to analyze.
        let primary = String(tag.lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first ?? "")
        return shared[primary] ?? standard
    }

    private static let shared: [String: LanguageAnalyzer] = Dictionary(
        uniqueKeysWithValues: languages.compactMap { language in LanguageAnalyzer(language: language).map { (language, $0) } })
    /// Text in a language without an analyzer of its own (Portuguese, German, ...) is indexed
    /// without the stop words of the five languages that have lists: a French or Spanish query's
    /// `de` or `la` should not match a Portuguese record through them. The analyzer's name stays
    /// `standard`, so indexes built before keep working (their stop words are never searched).
    private static let standard = StandardAnalyzer(
        stopWords: ["en", "fr", "es", "ru", "ar"].reduce(into: Set<String>()) { $0.formUnion(StopWords.forLanguage($1)) })

    /// Language-specific normalization applied before stop words and stemming.
    static func normalizer(_ language: String) -> (String) -> String {
        switch language {
        case "ar": return ArabicNormalizer.normalize
        case "ru": return { $0.unicodeScalars.contains("ё") ? $0.replacingOccurrences(of: "ё", with: "е") : $0 }
        case "zh": return ChineseVariants.simplified
        default: return { $0 }
        }
    }

    /// The tokens of `text` as a query is analyzed: normalized, stop words removed, stemmed.
    public func tokens(_ text: String) -> [Token] {
        var sink = TokenSink()
        withStem { stem, cache in analyze(text, indexing: false, stem: stem, cache: &cache, into: &sink) }
        return sink.tokens
    }

    /// The tokens of `text` as they are indexed: ``tokens(_:)`` and each character of a CJK
    /// run of two or more, at the position of its bigram (see ``StandardAnalyzer``).
    public func indexedTokens(_ text: String) -> [Token] {
        var sink = TokenSink()
        withStem { stem, cache in analyze(text, indexing: true, stem: stem, cache: &cache, into: &sink) }
        return sink.tokens
    }

    /// NFKC and lower case, then the language's normalization (`ё` as `е`; Arabic
    /// orthographic normalization and a leading conjunction before the article removed): the
    /// text a word's stem is computed from, which ``Token/form`` keeps.
    public func normalizedWord(_ text: String) -> String {
        let normalized = Self.normalizer(language)(TextNormalizer.normalize(text))
        return isArabic ? ArabicNormalizer.removeConjunction(normalized) : normalized
    }

    /// Appends the tokens of `text` for indexing, without making ``Token``s: (term, position
    /// + `positionBase`) to `tokens`, and for each token whose term is not the word as written,
    /// (the word, the token's index in `tokens`) to `forms`.
    /// - Returns: the largest position in `text` (not offset), or -1 when it has no token.
    func appendTokens(
        _ text: String, positionBase: Int, to tokens: inout [(term: String, position: Int)], forms: inout WordFormList
    ) -> Int {
        var sink = IndexingSink(positionBase: positionBase, formCapacity: text.utf8.count / 2 + 16)
        swap(&sink.tokens, &tokens)
        swap(&sink.forms, &forms)
        withStem { stem, cache in analyze(text, indexing: true, stem: stem, cache: &cache, into: &sink) }
        swap(&sink.tokens, &tokens)
        swap(&sink.forms, &forms)
        return sink.last
    }

    /// Runs `body` with the language's stem function (the identity without a stemmer) and a
    /// cache of the words analyzed before, both held by this call alone.
    @inline(__always)
    private func withStem(_ body: ((String) -> String, inout WordCache) -> Void) {
        // (The cache is a value this call owns while it runs: its tables are read and grown
        // without the retains and exclusivity checks a shared object's properties cost.)
        var cache = caches.take()
        defer { caches.give(cache) }
        guard let stemmer else { return body({ $0 }, &cache) }
        stemmer.withStemmer { stem in withoutActuallyEscaping(body) { body in body(stem, &cache) } }
    }

    /// The one pass of analysis: the tokens of `text` (with `indexing`, as indexed), stemming
    /// with `stem`, handed to `sink` in order (a generic sink, so that each use is compiled
    /// with its own appends inlined).
    @inline(__always)
    private func analyze<Sink: AnalysisSink>(
        _ text: String, indexing: Bool, stem: (String) -> String, cache: inout WordCache, into sink: inout Sink
    ) {
        @inline(__always)
        func emit(_ term: String, _ position: Int, _ start: Int, _ end: Int, _ form: String?) {
            sink.emit(term: term, position: position, start: start, end: end, form: form)
        }
        let normalize = Self.normalizer(language)
        let (tokens, followsHyphen) = base.tokensMarkingHyphens(text, unigrams: indexing)
        // A run of hyphen-joined words: their range in `tokens`.
        var compoundStart = 0
        var compoundEnd = 0

        func flushCompound() {
            guard compoundEnd - compoundStart > 1, !isChinese, !isArabic else { return }
            let parts = tokens[compoundStart..<compoundEnd]
            let first = tokens[compoundStart]
            let word = normalize(parts.map(\.term).joined())
            let term = finish(word, stem)
            // Not again when the first word gave that term already (at this position).
            guard !term.isEmpty,
                !cache.withTerms(of: first.term, { wordTerms($0, normalize, stem) }, { $0.contains(where: { $0.term == term }) })
            else { return }
            // (Its form is the compound as written, hyphens and all: completions offer what
            // records write, `community-based`, never `communitybased`; QA.)
            emit(term, first.position, first.start, tokens[compoundEnd - 1].end, parts.map { normalize($0.term) }.joined(separator: "-"))
        }

        for (index, token) in tokens.enumerated() {
            // Hyphenated compounds: `agro-forestry` is indexed as `agro`, `forestry` and also
            // `agroforestry` (at the first part's position).
            if index > 0, followsHyphen[index], token.start == tokens[index - 1].end + 1 {
                compoundEnd = index + 1
            } else {
                flushCompound()
                compoundStart = index
                compoundEnd = index + 1
            }
            if isChinese {
                // (Traditional characters as simplified: `紅樹` is `红树`.)
                let term = normalize(token.term)
                if !stopWords.contains(term) { emit(term, token.position, token.start, token.end, nil) }
                continue
            }
            // A word seen before costs one lookup (text follows Zipf's law).
            cache.withTerms(of: token.term, { wordTerms($0, normalize, stem) }) { terms in
                for (term, form) in terms { emit(term, token.position, token.start, token.end, form) }
            }
        }
        flushCompound()
    }

    /// The terms a standard token's text `text` gives (none for a stop word), each with the
    /// word as written when the term is not it (see ``Token/form``): its stem, then the stem
    /// with the Arabic article or of the word without accents where those differ.
    private func wordTerms(_ text: String, _ normalize: (String) -> String, _ stem: (String) -> String) -> [(term: String, form: String?)] {
        let normalized = normalize(text)
        if stopWords.contains(normalized) { return [] }
        let word = isArabic ? ArabicNormalizer.removeConjunction(normalized) : normalized
        let term = finish(word, stem)
        guard !term.isEmpty else { return [] }
        var terms = [(term: term, form: Self.differs(term, word) ? word : nil)]
        if isArabic, let withArticle = ArabicNormalizer.withDefiniteArticle(word) {
            // Snowball's Arabic stemmer treats a word with and without the article
            // differently (غابات -> غابا, الغابات -> غاب); give both stems.
            let alternative = finish(withArticle, stem)
            if alternative != term { terms.append((alternative, Self.differs(alternative, word) ? word : nil)) }
        }
        if addsUnaccentedSpelling, TextFolding.hasDiacritics(normalized) {
            let unaccented = finish(TextFolding.foldDiacritics(normalized), stem)
            if unaccented != term { terms.append((unaccented, Self.differs(unaccented, word) ? word : nil)) }
        }
        return terms
    }

    /// Whether `term` is not `word`: most stems are shorter than their word, which the byte
    /// counts tell at once (and a word its own stem is usually the same small string).
    @inline(__always)
    private static func differs(_ term: String, _ word: String) -> Bool {
        term.utf8.count != word.utf8.count || term != word
    }

    /// Stems a normalized word and folds diacritics where the language allows.
    private func finish(_ word: String, _ stem: (String) -> String) -> String {
        var term = stem(word)
        if foldsDiacritics { term = TextFolding.foldDiacritics(term) }
        if isArabic { term = ArabicNormalizer.removeFeminineEnding(term) }
        return term
    }
}

/// The terms that words analyzed before gave (``LanguageAnalyzer``'s stop words, stemming,
/// folding and alternatives, by the token's text), so that a word seen before costs one
/// lookup in a byte-hash table. A value: in its pool, or owned by the one call that analyzes.
struct WordCache: Sendable {
    private var words = TermTable()
    /// The terms of every word, back to back; word `id`'s end at `ends[id]` (one array, so
    /// that a lookup retains and releases nothing).
    private var terms: [(term: String, form: String?)] = []
    private var ends: [Int] = []
    /// Words before the cache starts over.
    static let limit = 1 << 16
    /// Longer words are analyzed every time (they are rare and would crowd the cache).
    static let longestCachedWord = 32

    /// Calls `body` with the terms of the token text `text`: from the cache, or computed by
    /// `compute` and kept.
    @inline(__always)
    mutating func withTerms<Result>(
        of text: String, _ compute: (String) -> [(term: String, form: String?)],
        _ body: (UnsafeBufferPointer<(term: String, form: String?)>) -> Result
    ) -> Result {
        var bytes = text
        let known: Int? = bytes.withUTF8 { bytes in
            guard bytes.count <= Self.longestCachedWord else { return nil }
            if ends.count >= Self.limit {
                words = TermTable()
                terms = []
                ends = []
            }
            let (id, isNew) = words.intern(bytes)
            return isNew ? -1 : id
        }
        guard let known else { return compute(text).withUnsafeBufferPointer(body) }
        if known < 0 {
            terms.append(contentsOf: compute(text))
            ends.append(terms.count)
        }
        let id = known < 0 ? ends.count - 1 : known
        let start = id == 0 ? 0 : ends[id - 1]
        return terms.withUnsafeBufferPointer { terms in body(UnsafeBufferPointer(rebasing: terms[start..<ends[id]])) }
    }

    /// The caches of one analyzer, one per thread that analyzes at a time.
    final class Pool: Sendable {
        private let caches = Mutex<[WordCache]>([])

        func take() -> WordCache { caches.withLock { $0.popLast() } ?? WordCache() }

        /// Returns `cache` to the pool, which keeps at most a cache per core (a cache holds
        /// up to ``WordCache/limit`` words: a burst of threads leaves no more than that behind).
        func give(_ cache: WordCache) {
            caches.withLock { caches in
                if caches.count < Self.kept { caches.append(cache) }
            }
        }

        private static let kept = max(2, ProcessInfo.processInfo.activeProcessorCount)
    }
}

/// Where the one pass of ``LanguageAnalyzer`` puts its tokens: (term, position, start, end,
/// form) as in ``Token``.
protocol AnalysisSink {
    mutating func emit(term: String, position: Int, start: Int, end: Int, form: String?)
}

/// Collects ``Token``s (``LanguageAnalyzer/tokens(_:)``).
private struct TokenSink: AnalysisSink {
    var tokens: [Token] = []

    @inline(__always)
    mutating func emit(term: String, position: Int, start: Int, end: Int, form: String?) {
        tokens.append(Token(term: term, position: position, start: start, end: end, form: form))
    }
}

/// Collects what indexing needs (``LanguageAnalyzer/appendTokens(_:positionBase:to:forms:)``).
private struct IndexingSink: AnalysisSink {
    var tokens: [(term: String, position: Int)] = []
    var forms = WordFormList()
    let positionBase: Int
    /// Bytes to reserve for the forms when the first comes.
    let formCapacity: Int
    /// The largest position (not offset) so far.
    var last = -1

    init(positionBase: Int, formCapacity: Int) {
        self.positionBase = positionBase
        self.formCapacity = formCapacity
    }

    @inline(__always)
    mutating func emit(term: String, position: Int, start: Int, end: Int, form: String?) {
        if let form { forms.append(form, token: tokens.count, capacity: formCapacity) }
        tokens.append((term, positionBase + position))
        if position > last { last = position }
    }
}

/// Arabic orthographic normalization.
public enum ArabicNormalizer {
    private static let article = "\u{0627}\u{0644}"  // ال

    /// Removes a leading conjunction و or ف before the article (`والغابة` -> `الغابة`).
    static func removeConjunction(_ word: String) -> String {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count > 4, scalars[0] == "\u{0648}" || scalars[0] == "\u{0641}",
            scalars[1] == "\u{0627}", scalars[2] == "\u{0644}"
        else { return word }
        return String(String.UnicodeScalarView(scalars.dropFirst()))
    }

    /// Removes a final heh that stands for teh marbuta (normalized before stemming, which
    /// Snowball then leaves on the stem: غابة -> غابه -> غاب).
    static func removeFeminineEnding(_ stem: String) -> String {
        guard stem.unicodeScalars.count >= 4, stem.unicodeScalars.last == "\u{0647}" else { return stem }
        return String(String.UnicodeScalarView(stem.unicodeScalars.dropLast()))
    }

    /// The word with the definite article, when it has none and is long enough to be a noun.
    static func withDefiniteArticle(_ word: String) -> String? {
        guard word.unicodeScalars.count >= 3, !word.hasPrefix(article),
            word.unicodeScalars.allSatisfy({ (0x0621...0x064A).contains($0.value) })
        else { return nil }
        return article + word
    }

    /// Removes diacritics (tashkeel, superscript alef) and tatweel, writes alef with hamza or
    /// madda (`أ إ آ ٱ`) as bare alef, alef maqsura `ى` as yeh `ي`, and teh marbuta `ة` as heh `ه`.
    public static func normalize(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var changed = false
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x064B...0x0652, 0x0670, 0x0640:
                changed = true
            case 0x0623, 0x0625, 0x0622, 0x0671:
                scalars.append("\u{0627}")
                changed = true
            case 0x0649:
                scalars.append("\u{064A}")
                changed = true
            case 0x0629:
                scalars.append("\u{0647}")
                changed = true
            default:
                scalars.append(scalar)
            }
        }
        return changed ? String(scalars) : text
    }
}

/// Diacritic folding (`é` → `e`, `ñ` → `n`, `ç` → `c`).
public enum TextFolding {
    /// Whether `text` has a letter with a diacritic (any non-ASCII Latin letter, roughly) or
    /// a combining diacritical mark that NFKC left alone (`i̇` of `İstanbul` lower-cased, a
    /// stress mark over a vowel).
    static func hasDiacritics(_ text: String) -> Bool {
        text.unicodeScalars.contains { ($0.value >= 0xC0 && $0.value < 0x250) || ($0.value >= 0x300 && $0.value < 0x370) }
    }

    /// `text` without combining marks after canonical decomposition (Latin letters only).
    ///
    /// Folding works scalar by scalar (canonical decomposition does, and the marks it would
    /// reorder are all dropped), with the folds of U+0000-U+024F computed once: French and
    /// Spanish text folds every accented word, and decomposing through Foundation each time
    /// was a large share of analyzing it.
    public static func foldDiacritics(_ text: String) -> String {
        guard hasDiacritics(text) else { return text }
        var folded = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value < 0xC0 {
                folded.append(scalar)
            } else if scalar.value < UInt32(latinFolds.count) {
                folded.append(contentsOf: latinFolds[Int(scalar.value)])
            } else {
                folded.append(contentsOf: foldByDecomposition(String(scalar)).unicodeScalars)
            }
        }
        return String(folded)
    }

    /// The folds of U+0000-U+024F (Basic Latin to Latin Extended-B).
    private static let latinFolds: [[Unicode.Scalar]] = (0..<0x250).map { (value: UInt32) in
        guard let scalar = Unicode.Scalar(value) else { return [] }
        return Array(foldByDecomposition(String(scalar)).unicodeScalars)
    }

    /// The reference definition: canonical decomposition, nonspacing marks dropped, and the
    /// letters that do not decompose (`ø`, `æ`, `œ`, `ß`) spelled out.
    static func foldByDecomposition(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            if scalar.properties.generalCategory == .nonspacingMark { continue }
            switch scalar {
            case "ø": scalars.append("o")
            case "æ": scalars.append(contentsOf: "ae".unicodeScalars)
            case "œ": scalars.append(contentsOf: "oe".unicodeScalars)
            case "ß": scalars.append(contentsOf: "ss".unicodeScalars)
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }
}
