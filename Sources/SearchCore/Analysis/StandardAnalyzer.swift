// The language-neutral analyzer: Unicode word segmentation, NFKC and lower case, CJK bigrams.
// Language analyzers build on its tokens (stemming, diacritic folding, their stop words).

/// The language-neutral analyzer: splits text into words, normalizes them and turns Chinese,
/// Japanese and Korean text into overlapping bigrams.
///
/// ## Segmentation
///
/// Segmentation works on the Unicode scalars of the text, in one pass:
///
/// - A **word** is a run of letters (including letter-like numbers such as `²` or `Ⅻ`),
///   decimal digits and combining marks. Everything else separates words: spaces, punctuation,
///   symbols, emoji, hyphens (`agro-forestry` gives `agro`, `forestry`) and underscores.
/// - `.` and `,` stay inside a word between two digits, so `3.5`, `1,249` and `192.168.0.1` are
///   one token each.
/// - The English possessive `'s` (or `’s`) at the end of a word is dropped: `community's` gives
///   `community`. Any other apostrophe separates: `l'eau` gives `l`, `eau`.
/// - Format characters (soft hyphen, zero-width joiner and non-joiner, word joiner) inside a
///   word keep it whole and are left out of the term; the zero-width space separates.
/// - A combining mark extends the word or the CJK character before it; elsewhere it is
///   ignored. Enclosing marks (the keycap of `1️⃣`) separate.
/// - **Chinese, Japanese and Korean**: a run of Han ideographs, hiragana, katakana (half-width
///   forms and the prolonged sound mark `ー` included) and Hangul gives overlapping bigrams,
///   one position apart (`红树林` gives `红树`, `树林`); a run of one character gives that
///   character alone (`江 豚` gives `江`, `豚`). Any other character ends the run, so
///   `2023年红树林` gives `2023`, `年红`, `红树`, `树林`.
/// - **Indexed CJK characters**: for indexing (``indexedTokens(_:)``), each character of a run
///   of two or more is also a token of its own, at the position of the bigram it starts (the
///   last character at the last bigram's), as Lucene's `CJKBigramFilter` does with unigrams.
///   A query of one character (`鱼`, `林`) then finds every record that has it, and the
///   positions of the tokens after the run do not change. Queries are analyzed without them
///   (``tokens(_:)``): a query's run is searched as its bigrams.
///
/// ## Normalization
///
/// Each token is put in NFKC (full-width `ＡＢＣ` becomes `abc`, the ligature `ﬁ` becomes `fi`,
/// half-width `ｶ` becomes `カ`), then in lower case (`ÉCOLE` becomes `école`, `ЛЕС` becomes
/// `лес`); the Greek final sigma `ς` becomes `σ`, as Unicode case folding does. Diacritics are
/// kept: folding them is for the language analyzers. NFKC is computed per token, so the token
/// offsets always refer to the original text. In the rare case where NFKC turns a word into
/// several (`½` is `1⁄2`, `ﷺ` is four Arabic words), each becomes a token of its own, at
/// consecutive positions and with the offsets of the whole word.
///
/// ## Positions and offsets
///
/// Tokens get consecutive positions in text order. A stop word or a token longer than
/// ``maximumTokenLength`` is left out but keeps its position, so a phrase query never matches
/// across a removed word. ``Token/start`` and ``Token/end`` are offsets in Unicode scalars of
/// the original text; `Array(text.unicodeScalars)[token.start..<token.end]` is the text that
/// gave the token (a bigram covers both of its characters).
public struct StandardAnalyzer: Analyzer {
    /// `standard`.
    public var name: String { "standard" }

    /// The words that are left out of the token stream, in normalized form (the set given to
    /// ``init(stopWords:maximumTokenLength:)`` after NFKC and lower case).
    public let stopWords: Set<String>

    /// The greatest length, in Unicode scalars of the normalized term, of a token that is kept.
    /// Longer tokens (long runs of digits, base64 blobs) are left out but keep their position.
    public let maximumTokenLength: Int

    /// An analyzer that leaves out `stopWords` and tokens longer than `maximumTokenLength`.
    ///
    /// - Parameters:
    ///   - stopWords: Words to leave out. They are normalized like the text (`"The"` removes
    ///     `the`), so they may be given in any case or width.
    ///   - maximumTokenLength: The greatest length of a kept term, in Unicode scalars.
    public init(stopWords: Set<String> = [], maximumTokenLength: Int = 255) {
        self.stopWords = Set(stopWords.map(TextNormalizer.normalize))
        self.maximumTokenLength = maximumTokenLength
        var lengths: UInt64 = 0
        for word in self.stopWords {
            lengths |= word.utf8.count < 64 ? 1 << word.utf8.count : 1 << 63
        }
        stopWordLengths = lengths
    }

    /// Bit `n` is set if a stop word has `n` UTF-8 bytes (bit 63: 63 or more), so that most
    /// terms skip the hash lookup.
    private let stopWordLengths: UInt64

    /// The tokens of `text`, in order, with consecutive positions.
    public func tokens(_ text: String) -> [Token] {
        segment(text, markingHyphens: false).tokens.map { Token(term: $0.term, position: $0.position, start: $0.start, end: $0.end) }
    }

    /// The tokens of `text` as they are indexed: ``tokens(_:)`` and each character of a CJK
    /// run of two or more, at the position of its bigram.
    public func indexedTokens(_ text: String) -> [Token] {
        segment(text, markingHyphens: false, unigrams: true).tokens.map {
            Token(term: $0.term, position: $0.position, start: $0.start, end: $0.end)
        }
    }

    /// Appends the tokens of `text` for indexing (``indexedTokens(_:)``), without making
    /// ``Token``s: (term, position + `positionBase`) to `tokens`.
    /// - Returns: the largest position in `text` (not offset), or -1 when it has no token.
    func appendTokens(_ text: String, positionBase: Int, to tokens: inout [(term: String, position: Int)]) -> Int {
        let segmented = segment(text, markingHyphens: false, unigrams: true).tokens
        tokens.reserveCapacity(tokens.count + segmented.count)
        for token in segmented { tokens.append((token.term, positionBase + token.position)) }
        return segmented.last?.position ?? -1
    }

    /// The tokens of `text`, and for each whether the scalar just before it is a hyphen
    /// (`-`, U+2010 or U+2011): the language analyzers join hyphenated compounds. With
    /// `unigrams`, as indexed (``indexedTokens(_:)``).
    func tokensMarkingHyphens(_ text: String, unigrams: Bool) -> (tokens: [SegmentedToken], followsHyphen: [Bool]) {
        segment(text, markingHyphens: true, unigrams: unigrams)
    }

    private func segment(_ text: String, markingHyphens: Bool, unigrams: Bool = false)
        -> (tokens: [SegmentedToken], followsHyphen: [Bool])
    {
        var text = text
        return text.withUTF8 { bytes in
            var segmenter = Segmenter(
                bytes: bytes, stopWords: stopWords, stopWordLengths: stopWordLengths,
                maximumTokenLength: maximumTokenLength, marksHyphens: markingHyphens, unigrams: unigrams)
            segmenter.run()
            return (segmenter.tokens, segmenter.followsHyphen)
        }
    }
}

/// A token as segmentation gives it: a ``Token`` without a form (the language analyzers and
/// indexing work on these, which are smaller than ``Token``s, and only the public API makes
/// ``Token``s).
struct SegmentedToken {
    var term: String
    var position: Int
    var start: Int
    var end: Int
}

/// What segmentation needs to know about a Unicode scalar.
enum ScalarClass: Equatable {
    /// A letter, a letter number (`Ⅻ`) or another number (`²`, `①`): part of a word.
    case letter
    /// A decimal digit (`Nd`): part of a word; `.` and `,` join two of them.
    case digit
    /// A Han ideograph, a kana or a Hangul letter: part of a CJK run.
    case ideograph
    /// A non-spacing or spacing combining mark, and the half-width (semi-)voiced sound marks.
    case mark
    /// A format character other than the zero-width space: ignored inside a word.
    case format
    /// `'` or `’`.
    case apostrophe
    /// `.`, `,`, their full-width forms and the Arabic decimal and thousands separators.
    case numberSeparator
    /// Anything else: spaces, punctuation, symbols, unassigned code points.
    case separator

    /// The class of the scalar with value `value`.
    @inline(__always)
    init(_ value: UInt32) {
        if value < 0x80 {
            switch value {
            case 0x30...0x39: self = .digit
            case 0x41...0x5A, 0x61...0x7A: self = .letter
            case 0x27: self = .apostrophe
            case 0x2C, 0x2E: self = .numberSeparator
            default: self = .separator
            }
        } else {
            self = ScalarClass(nonASCII: value)
        }
    }

    /// Classifies the scalars of the common scripts by range, the rest by their properties.
    private init(nonASCII value: UInt32) {
        switch value {
        case 0x3005...0x3007, 0x3041...0x3096, 0x30A1...0x30FA, 0x30FC...0x30FE, 0x3400...0x4DBF,
            0x4E00...0x9FFF, 0xAC00...0xD7A3:
            self = .ideograph
        case 0x00C0...0x00D6, 0x00D8...0x00F6, 0x00F8...0x02AF, 0x0386, 0x0388...0x038A, 0x038C,
            0x038E...0x03A1, 0x03A3...0x03F5, 0x03F7...0x0481, 0x048A...0x052F, 0x05D0...0x05EA,
            0x0620...0x064A, 0x066E...0x066F, 0x0671...0x06D3, 0x06D5, 0x1E00...0x1EFF, 0xFF21...0xFF3A,
            0xFF41...0xFF5A:
            self = .letter
        case 0x0660...0x0669, 0x06F0...0x06F9, 0xFF10...0xFF19:
            self = .digit
        case 0x0300...0x036F, 0x0483...0x0487, 0x064B...0x065F:
            self = .mark
        case 0x2000...0x200B, 0x2010...0x2018, 0x201A...0x2029, 0x3000...0x3004, 0x3008...0x3011:
            self = .separator
        case 0x2019:
            self = .apostrophe
        case 0x200C...0x200F:
            self = .format
        case 0x066B, 0x066C, 0xFF0C, 0xFF0E:
            self = .numberSeparator
        default:
            self = ScalarClass(properties: value)
        }
    }

    /// Classifies the scalar `value` by its Unicode properties (the reference for the ranges of
    /// ``init(nonASCII:)``, which are only a shortcut).
    init(properties value: UInt32) {
        guard let scalar = Unicode.Scalar(value) else {
            self = .separator
            return
        }
        switch scalar.properties.generalCategory {
        case .decimalNumber:
            self = .digit
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .letterNumber:
            if ScalarClass.isIdeographic(value) {
                // Half-width ﾞ and ﾟ are letters by category but combine like marks (ｶﾞ is ガ).
                self = value == 0xFF9E || value == 0xFF9F ? .mark : .ideograph
            } else {
                self = .letter
            }
        case .otherNumber:
            self = .letter
        case .otherSymbol where (0x3371...0x33DF).contains(value):
            // Squared Latin abbreviations of CJK text (`㎞`, `㎏`, `㎡`): symbols, which NFKC
            // spells out as letters (`km`), so they are words.
            self = .letter
        case .nonspacingMark, .spacingMark:
            self = .mark
        case .format:
            self = value == 0x200B ? .separator : .format
        case .finalPunctuation:
            self = value == 0x2019 ? .apostrophe : .separator
        case .otherPunctuation:
            switch value {
            case 0x066B, 0x066C, 0xFF0C, 0xFF0E: self = .numberSeparator
            default: self = .separator
            }
        default:
            self = .separator
        }
    }

    /// Whether a scalar of this class can be part of a word or a CJK run.
    var isWordPart: Bool {
        switch self {
        case .letter, .digit, .ideograph, .mark: true
        case .format, .apostrophe, .numberSeparator, .separator: false
        }
    }

    /// Whether a scalar of this class continues the word before it.
    var continuesWord: Bool {
        switch self {
        case .letter, .digit, .mark: true
        case .ideograph, .format, .apostrophe, .numberSeparator, .separator: false
        }
    }

    /// Whether a letter with value `value` belongs to the scripts that are indexed as bigrams:
    /// Han (unified and compatibility ideographs and their extensions, iteration marks), hiragana,
    /// katakana (including the half-width forms) and Hangul (syllables and jamo).
    private static func isIdeographic(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x11FF, 0x3005...0x3007, 0x3021...0x3029, 0x3031...0x3035, 0x3038...0x303C,
            0x3041...0x309F, 0x30A1...0x30FF, 0x3131...0x318E, 0x31F0...0x31FF, 0x3400...0x4DBF,
            0x4E00...0x9FFF, 0xA960...0xA97F, 0xAC00...0xD7FF, 0xF900...0xFAFF, 0xFF66...0xFFDC,
            0x1AFF0...0x1B16F, 0x20000...0x323AF:
            true
        default:
            false
        }
    }
}

/// A stretch of the text, in scalars and in UTF-8 bytes (both half-open).
private struct TextSpan {
    var start: Int
    var end: Int
    var startByte: Int
    var endByte: Int
}

/// The word being read, with what the choice of normalization needs to know.
private struct WordState {
    var span = TextSpan(start: 0, end: 0, startByte: 0, endByte: 0)
    /// All scalars are ASCII: lower-casing bytes is enough.
    var isASCII = true
    /// All scalars are unchanged by NFKC (see `TextNormalizer.isStableUnderNFKC`).
    var isStable = true
    /// Some scalar may have a lower-case mapping (see `TextNormalizer.mayChangeWhenLowercased`).
    var mayChangeWhenLowercased = false
    /// The word holds the final sigma `ς`.
    var containsFinalSigma = false
    /// The last scalar of the word is a decimal digit.
    var endsWithDigit = false

    init() {}

    init(start: Int, startByte: Int) {
        span = TextSpan(start: start, end: start, startByte: startByte, endByte: startByte)
    }

    /// Takes the scalar `value`, which ends at `end` and `endByte`, into the word.
    @inline(__always)
    mutating func append(_ value: UInt32, end: Int, endByte: Int, isDigit: Bool) {
        span.end = end
        span.endByte = endByte
        endsWithDigit = isDigit
        if value >= 0x80 {
            isASCII = false
            if isStable, !TextNormalizer.isStableUnderNFKC(value) { isStable = false }
            if TextNormalizer.mayChangeWhenLowercased(value) { mayChangeWhenLowercased = true }
            if value == 0x03C2 { containsFinalSigma = true }
        } else if value &- 0x41 < 26 {
            mayChangeWhenLowercased = true
        }
    }
}

/// One character of a CJK run: a base scalar and the marks that follow it.
private struct IdeographUnit {
    var span: TextSpan
    /// NFKC leaves the character unchanged (no marks, not a compatibility or half-width form).
    var isStable: Bool
}

/// One pass of segmentation over the UTF-8 bytes of a text.
private struct Segmenter {
    let bytes: UnsafeBufferPointer<UInt8>
    let stopWords: Set<String>
    let stopWordLengths: UInt64
    let maximumTokenLength: Int
    /// Whether `followsHyphen` is kept.
    let marksHyphens: Bool
    /// Whether each character of a CJK run of two or more is a token too (for indexing).
    let unigrams: Bool

    private(set) var tokens: [SegmentedToken] = []
    /// Per token, when `marksHyphens`: whether the scalar just before it is a hyphen.
    private(set) var followsHyphen: [Bool] = []
    private var position = 0

    private var inWord = false
    private var word = WordState()
    /// The scalar offset just after the last hyphen read, and whether the current word starts
    /// there.
    private var afterHyphen = -1
    private var wordFollowsHyphen = false

    private var inRun = false
    private var previousUnit: IdeographUnit?
    private var currentUnit = IdeographUnit(
        span: TextSpan(start: 0, end: 0, startByte: 0, endByte: 0), isStable: true)

    init(
        bytes: UnsafeBufferPointer<UInt8>, stopWords: Set<String>, stopWordLengths: UInt64,
        maximumTokenLength: Int, marksHyphens: Bool, unigrams: Bool
    ) {
        self.bytes = bytes
        self.stopWords = stopWords
        self.stopWordLengths = stopWordLengths
        self.maximumTokenLength = maximumTokenLength
        self.marksHyphens = marksHyphens
        self.unigrams = unigrams
    }

    mutating func run() {
        let count = bytes.count
        // (About a token per eight bytes of text: a list that grew from nothing was copied
        // some eight times.)
        tokens.reserveCapacity(count / 8 + 4)
        if marksHyphens { followsHyphen.reserveCapacity(count / 8 + 4) }
        var byte = 0
        var scalar = 0
        while byte < count {
            let (value, length) = decode(at: byte)
            let kind = ScalarClass(value)
            switch kind {
            case .letter, .digit:
                if inRun { finishRun() }
                if !inWord {
                    inWord = true
                    word = WordState(start: scalar, startByte: byte)
                    wordFollowsHyphen = afterHyphen == scalar
                }
                word.append(value, end: scalar + 1, endByte: byte + length, isDigit: kind == .digit)
                // The common case, a run of ASCII letters and digits, in a tight loop (one byte
                // is one scalar; what `append` notes for them is whether one is upper case and
                // whether the last is a digit).
                var next = byte + length
                if next < count, Segmenter.isASCIILetterOrDigit(bytes[next]) {
                    var upper = false
                    repeat {
                        upper = upper || bytes[next] &- 0x41 < 26
                        next += 1
                    } while next < count && Segmenter.isASCIILetterOrDigit(bytes[next])
                    let taken = next - byte - length
                    word.span.end = scalar + 1 + taken
                    word.span.endByte = next
                    word.endsWithDigit = bytes[next - 1] &- 0x30 < 10
                    if upper { word.mayChangeWhenLowercased = true }
                    byte = next
                    scalar += 1 + taken
                    continue
                }

            case .mark:
                if inWord {
                    word.append(value, end: scalar + 1, endByte: byte + length, isDigit: false)
                    word.isStable = false
                } else if inRun {
                    currentUnit.span.end = scalar + 1
                    currentUnit.span.endByte = byte + length
                    currentUnit.isStable = false
                }

            case .format:
                // Kept out of the span unless a word scalar follows; then the term drops it.
                if inWord {
                    word.isASCII = false
                    word.isStable = false
                }

            case .ideograph:
                if inRun, Segmenter.isConjoiningVowelOrFinal(value) {
                    // NFKC composes ᄒ ᅡ ᆫ into 한: a vowel or final jamo belongs to the character before.
                    currentUnit.span.end = scalar + 1
                    currentUnit.span.endByte = byte + length
                    currentUnit.isStable = false
                    break
                }
                if inWord { finishWord() }
                let unit = IdeographUnit(
                    span: TextSpan(start: scalar, end: scalar + 1, startByte: byte, endByte: byte + length),
                    isStable: TextNormalizer.isStableUnderNFKC(value))
                if inRun {
                    if let previousUnit { emitBigram(previousUnit, currentUnit) }
                    previousUnit = currentUnit
                } else {
                    inRun = true
                    previousUnit = nil
                }
                currentUnit = unit

            case .numberSeparator:
                if inWord, word.endsWithDigit, word.span.endByte == byte, byte + length < count {
                    let (next, nextLength) = decode(at: byte + length)
                    if ScalarClass(next) == .digit {
                        word.append(value, end: scalar + 1, endByte: byte + length, isDigit: false)
                        word.append(next, end: scalar + 2, endByte: byte + length + nextLength, isDigit: true)
                        byte += length + nextLength
                        scalar += 2
                        continue
                    }
                }
                finishSegment()

            case .apostrophe:
                if inWord, word.span.endByte == byte, byte + length < count {
                    let (next, nextLength) = decode(at: byte + length)
                    let after = byte + length + nextLength
                    if next == 0x73 || next == 0x53,  // s, S
                        after == count || !ScalarClass(decode(at: after).value).continuesWord
                    {
                        finishWord()
                        byte = after
                        scalar += 2
                        continue
                    }
                }
                finishSegment()

            case .separator:
                finishSegment()
                if value == 0x2D || value == 0x2010 || value == 0x2011 { afterHyphen = scalar + 1 }
            }
            byte += length
            scalar += 1
        }
        finishSegment()
    }

    /// Whether `byte` is an ASCII letter or decimal digit (``ScalarClass`` `.letter` or `.digit`).
    @inline(__always)
    private static func isASCIILetterOrDigit(_ byte: UInt8) -> Bool {
        byte &- 0x30 < 10 || (byte | 0x20) &- 0x61 < 26
    }

    /// Whether `value` is a Hangul vowel or final consonant jamo, which composes with the jamo
    /// or syllable before it.
    private static func isConjoiningVowelOrFinal(_ value: UInt32) -> Bool {
        0x1160...0x11FF ~= value || 0xD7B0...0xD7FB ~= value
    }

    /// The scalar value that starts at `offset` and its length in bytes. The bytes are valid
    /// UTF-8, as all Swift strings are.
    @inline(__always)
    private func decode(at offset: Int) -> (value: UInt32, length: Int) {
        let lead = UInt32(bytes[offset])
        if lead < 0x80 { return (lead, 1) }
        let second = UInt32(bytes[offset + 1]) & 0x3F
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | second, 2) }
        let third = UInt32(bytes[offset + 2]) & 0x3F
        if lead < 0xF0 { return ((lead & 0x0F) << 12 | second << 6 | third, 3) }
        let fourth = UInt32(bytes[offset + 3]) & 0x3F
        return ((lead & 0x07) << 18 | second << 12 | third << 6 | fourth, 4)
    }

    private func slice(_ startByte: Int, _ endByte: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[startByte..<endByte])
    }

    private func string(_ startByte: Int, _ endByte: Int) -> String {
        String(decoding: slice(startByte, endByte), as: UTF8.self)
    }

    /// Ends the word or the CJK run being read, if any.
    private mutating func finishSegment() {
        if inWord { finishWord() }
        if inRun { finishRun() }
    }

    private mutating func finishWord() {
        inWord = false
        defer { wordFollowsHyphen = false }  // (CJK bigrams never follow one)
        let span = word.span
        if word.isASCII {
            let length = span.endByte - span.startByte
            guard length <= maximumTokenLength else {
                position += 1
                return
            }
            emit(TextNormalizer.lowercasedASCII(slice(span.startByte, span.endByte)), lengthBound: length, span: span)
        } else if word.isStable {
            let text = string(span.startByte, span.endByte)
            // Lower case at most doubles the length (İ is i and a combining dot).
            let bound = 2 * (span.end - span.start)
            emit(
                TextNormalizer.lowercasedStable(
                    text, mayChange: word.mayChangeWhenLowercased, containsFinalSigma: word.containsFinalSigma),
                lengthBound: bound <= maximumTokenLength ? bound : nil, span: span)
        } else {
            emit(words: TextNormalizer.normalizedWords(string(span.startByte, span.endByte)), span: span)
        }
    }

    private mutating func finishRun() {
        inRun = false
        if let previousUnit {
            emitBigram(previousUnit, currentUnit)
            // The last character, at the last bigram's position.
            if unigrams { emitCharacter(currentUnit, at: position - 1) }
        } else {
            let span = currentUnit.span
            let text = string(span.startByte, span.endByte)
            if currentUnit.isStable {
                emit(text, lengthBound: 1, span: span)
            } else {
                emit(words: TextNormalizer.normalizedWords(text), span: span)
            }
        }
        previousUnit = nil
    }

    private mutating func emitBigram(_ first: IdeographUnit, _ second: IdeographUnit) {
        if unigrams { emitCharacter(first, at: position) }
        let span = TextSpan(
            start: first.span.start, end: second.span.end,
            startByte: first.span.startByte, endByte: second.span.endByte)
        // A format character between the two is not part of either unit.
        let text =
            first.span.endByte == second.span.startByte
            ? string(span.startByte, span.endByte)
            : string(first.span.startByte, first.span.endByte) + string(second.span.startByte, second.span.endByte)
        if first.isStable && second.isStable {
            emit(text, lengthBound: 2, span: span)
        } else {
            emit(words: TextNormalizer.normalizedWords(text), span: span)
        }
    }

    /// Appends a token for the character `unit` of a run at `position`, which a bigram has
    /// (or is about to have): a stacked token, which takes no position of its own.
    private mutating func emitCharacter(_ unit: IdeographUnit, at position: Int) {
        let span = unit.span
        let text = string(span.startByte, span.endByte)
        for term in unit.isStable ? [text] : TextNormalizer.normalizedWords(text) {
            guard !term.isEmpty, term.unicodeScalars.count <= maximumTokenLength, !isStopWord(term) else { continue }
            tokens.append(SegmentedToken(term: term, position: position, start: span.start, end: span.end))
            if marksHyphens { followsHyphen.append(false) }
        }
    }

    /// Whether `term` is a stop word (most terms are ruled out by their length, without a
    /// hash lookup).
    @inline(__always)
    private func isStopWord(_ term: String) -> Bool {
        guard stopWordLengths != 0 else { return false }
        let length = term.utf8.count
        return stopWordLengths & (length < 64 ? 1 << length : 1 << 63) != 0 && stopWords.contains(term)
    }

    /// Emits each of `words`, which NFKC made of the text of `span`, at its own position, all
    /// with the offsets of `span`. If there is none, the position is used all the same.
    private mutating func emit(words: [String], span: TextSpan) {
        guard !words.isEmpty else {
            position += 1
            return
        }
        for word in words { emit(word, span: span) }
    }

    /// Appends a token for `term` at the next position, unless it is empty, too long or a stop
    /// word; the position is used either way.
    ///
    /// - Parameter lengthBound: At least the length of `term` in Unicode scalars, when known
    ///   cheaply; if nil, the scalars are counted.
    private mutating func emit(_ term: String, lengthBound: Int? = nil, span: TextSpan) {
        defer { position += 1 }
        guard !term.isEmpty else { return }
        if let lengthBound, lengthBound <= maximumTokenLength {
            // Short enough.
        } else if term.unicodeScalars.count > maximumTokenLength {
            return
        }
        if isStopWord(term) { return }
        tokens.append(SegmentedToken(term: term, position: position, start: span.start, end: span.end))
        if marksHyphens { followsHyphen.append(wordFollowsHyphen) }
    }
}
