// Analyzers for the six UN languages, built on the standard analyzer's tokens: language
// normalization, stop words, Snowball stemming, and diacritic folding where the language
// allows it.
import Foundation

/// An analyzer for one language.
///
/// | language | steps after the standard analyzer's tokens |
/// |---|---|
/// | English (`en`) | stop words, Snowball `english` (Porter 2), hyphenated compounds also joined |
/// | French (`fr`) | elision (`l'`, `d'`, ...) and stop words, Snowball `french`, accents folded after stemming |
/// | Spanish (`es`) | stop words, Snowball `spanish`, accents folded after stemming |
/// | Russian (`ru`) | `ё` as `е`, stop words, Snowball `russian` |
/// | Arabic (`ar`) | orthographic normalization (diacritics and tatweel removed; alef variants, alef maqsura and teh marbuta unified), stop words, Snowball `arabic` |
/// | Chinese (`zh`) | character bigrams (as the standard analyzer), single-character function words removed |
///
/// French and Spanish fold accents *after* stemming, because the stemmers rely on them. A
/// word that carries an accent also gives the stem of its unaccented spelling, at the same
/// position, so that a query typed without accents (`restauracion`) finds the accented text
/// (`restauración`) even where the stemmer treats the two spellings differently.
public struct LanguageAnalyzer: Analyzer {
    /// The language's primary subtag (`en`, `fr`, ...).
    public let language: String
    public let name: String
    private let base = StandardAnalyzer()
    private let stopWords: TermTable
    /// The language's special cases, decided once (not by comparing strings per token).
    private let isChinese: Bool
    private let isArabic: Bool
    /// Whether diacritics are folded after stemming.
    private let foldsDiacritics: Bool
    private let stemmer: SnowballStemmer?

    /// The languages with a dedicated analyzer.
    public static let languages = ["ar", "en", "es", "fr", "ru", "zh"]

    /// An analyzer for `language` (a BCP 47 tag; its primary subtag decides), or nil when
    /// chm has no dedicated analyzer for it.
    public init?(language tag: String) {
        let language = String(tag.lowercased().split(separator: "-").first ?? "")
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
        name = algorithm ?? "chinese"
        stemmer = algorithm.flatMap { SnowballStemmer(algorithm: $0) }
        let normalize = Self.normalizer(language)
        var stopWords = TermTable()
        for word in StopWords.forLanguage(language) { _ = stopWords.intern(normalize(TextNormalizer.normalize(word))) }
        self.stopWords = stopWords
    }

    /// The analyzer for `tag`: the dedicated one, or the standard analyzer.
    public static func forLanguage(_ tag: String) -> any Analyzer {
        LanguageAnalyzer(language: tag) ?? StandardAnalyzer()
    }

    /// Language-specific normalization applied before stop words and stemming.
    static func normalizer(_ language: String) -> (String) -> String {
        switch language {
        case "ar": return ArabicNormalizer.normalize
        case "ru": return { $0.unicodeScalars.contains("ё") ? $0.replacingOccurrences(of: "ё", with: "е") : $0 }
        default: return { $0 }
        }
    }

    public func tokens(_ text: String) -> [Token] {
        guard let stemmer else { return tokens(text, stem: { $0 }) }
        return stemmer.withStemmer { tokens(text, stem: $0) }
    }

    /// The tokens of `text`, stemming with `stem`.
    private func tokens(_ text: String, stem: (String) -> String) -> [Token] {
        let normalize = Self.normalizer(language)
        let (tokens, followsHyphen) = base.tokensMarkingHyphens(text)
        var result: [Token] = []
        result.reserveCapacity(tokens.count)
        // A run of hyphen-joined words: their range in `tokens`.
        var compoundStart = 0
        var compoundEnd = 0

        func flushCompound() {
            guard compoundEnd - compoundStart > 1, !isChinese, !isArabic else { return }
            let parts = tokens[compoundStart..<compoundEnd]
            let first = tokens[compoundStart]
            let term = finish(normalize(parts.map(\.term).joined()), stem)
            guard !term.isEmpty, !result.contains(where: { $0.position == first.position && $0.term == term })
            else { return }
            result.append(Token(term: term, position: first.position, start: first.start, end: tokens[compoundEnd - 1].end))
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
            let normalized = normalize(token.term)
            if stopWords.contains(normalized) { continue }
            if isChinese {
                result.append(token)
                continue
            }
            let word = isArabic ? ArabicNormalizer.removeConjunction(normalized) : normalized
            let term = finish(word, stem)
            guard !term.isEmpty else { continue }
            result.append(Token(term: term, position: token.position, start: token.start, end: token.end))
            if isArabic, let withArticle = ArabicNormalizer.withDefiniteArticle(word) {
                // Snowball's Arabic stemmer treats a word with and without the article
                // differently (غابات -> غابا, الغابات -> غاب); give both stems.
                let alternative = finish(withArticle, stem)
                if alternative != term {
                    result.append(Token(term: alternative, position: token.position, start: token.start, end: token.end))
                }
            }
            if foldsDiacritics, TextFolding.hasDiacritics(normalized) {
                let unaccented = finish(TextFolding.foldDiacritics(normalized), stem)
                if unaccented != term {
                    result.append(Token(term: unaccented, position: token.position, start: token.start, end: token.end))
                }
            }
        }
        flushCompound()
        return result
    }

    /// Stems a normalized word and folds diacritics where the language allows.
    private func finish(_ word: String, _ stem: (String) -> String) -> String {
        var term = stem(word)
        if foldsDiacritics { term = TextFolding.foldDiacritics(term) }
        if isArabic { term = ArabicNormalizer.removeFeminineEnding(term) }
        return term
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
    /// Whether `text` has a letter with a diacritic (any non-ASCII Latin letter, roughly).
    static func hasDiacritics(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value >= 0xC0 && $0.value < 0x250 }
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
