/// A term produced by analysis, with where it came from.
public struct Token: Sendable, Hashable {
    /// The normalized term as indexed and searched (e.g. `mangrov`, `红树`).
    public var term: String
    /// The token's position in the token stream (0-based). Phrase queries need adjacent
    /// positions; overlapping CJK bigrams advance the position by one each.
    public var position: Int
    /// Where the token's text starts and ends in the original string, as offsets in Unicode
    /// scalars from the start of the text (half-open). Snippets use them to highlight the
    /// original text.
    public var start: Int
    /// Where the token's text ends in the original string, in Unicode scalars (exclusive).
    public var end: Int
    /// The word as written, when the term is not it: lower-cased and normalized as the
    /// analyzer normalizes words (NFKC, elision, `ё` as `е`, Arabic normalization), the text
    /// that was stemmed, but neither stemmed nor folded (`pollinators` for the term `pollin`,
    /// `forêt` for `foret`). Nil when the term is the word itself, and for analyzers that do
    /// not stem (CJK bigrams, ``StandardAnalyzer``). The index keeps these forms so that
    /// prefix queries and completions work on words as written.
    public var form: String?

    /// A token of `term` at `position`, from the text at `start..<end`, written as `form` when that differs.
    public init(term: String, position: Int, start: Int, end: Int, form: String? = nil) {
        self.term = term
        self.position = position
        self.start = start
        self.end = end
        self.form = form
    }
}

/// Turns text into the tokens that are indexed and searched.
///
/// An analyzer must be deterministic: the same text gives the same tokens at index time
/// and at query time. Analyzers are values shared across tasks, hence `Sendable`.
public protocol Analyzer: Sendable {
    /// A stable name recorded in the index schema (e.g. `standard`, `english`).
    var name: String { get }
    /// The tokens of `text`, in order, as a query is analyzed.
    func tokens(_ text: String) -> [Token]
    /// The tokens of `text` as they are indexed: ``tokens(_:)`` and any that only documents
    /// need. The analyzers of this module add each character of a Chinese, Japanese or Korean
    /// run at its bigram's position, so that a one-character query finds it. The default is
    /// ``tokens(_:)``.
    func indexedTokens(_ text: String) -> [Token]
    /// `text` normalized as this analyzer normalizes a word before stemming it (case, width,
    /// the language's spelling rules), not stemmed: how a prefix typed by a user is compared
    /// with the words as written that the index keeps (``Token/form``). The default is NFKC
    /// and lower case.
    func normalizedWord(_ text: String) -> String
    /// Whether a word with diacritics is also indexed as spelled without them (as French,
    /// Spanish and English are): close spellings of a typed word are then also looked for
    /// without its accents. The default is false.
    var indexesUnaccentedSpellings: Bool { get }
}

extension Analyzer {
    /// Just the terms of `text`, in order.
    public func terms(_ text: String) -> [String] { tokens(text).map(\.term) }

    /// The tokens of `text`: documents are indexed as queries are analyzed.
    public func indexedTokens(_ text: String) -> [Token] { tokens(text) }

    /// NFKC and lower case (the standard analyzer's normalization).
    public func normalizedWord(_ text: String) -> String { TextNormalizer.normalize(text) }

    /// False: words are indexed as written.
    public var indexesUnaccentedSpellings: Bool { false }
}
