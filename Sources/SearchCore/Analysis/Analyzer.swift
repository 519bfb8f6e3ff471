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
    public var end: Int

    public init(term: String, position: Int, start: Int, end: Int) {
        self.term = term
        self.position = position
        self.start = start
        self.end = end
    }
}

/// Turns text into the tokens that are indexed and searched.
///
/// An analyzer must be deterministic: the same text gives the same tokens at index time
/// and at query time. Analyzers are values shared across tasks, hence `Sendable`.
public protocol Analyzer: Sendable {
    /// A stable name recorded in the index schema (e.g. `standard`, `english`).
    var name: String { get }
    /// The tokens of `text`, in order.
    func tokens(_ text: String) -> [Token]
}

extension Analyzer {
    /// Just the terms of `text`, in order.
    public func terms(_ text: String) -> [String] { tokens(text).map(\.term) }
}
