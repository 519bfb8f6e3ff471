// The documents of `chm delete --json` and `chm analyze --json`.
import SearchCore

extension ClearingHouse.DeleteReport: Codable {
    private enum CodingKeys: String, CodingKey {
        case deleted, missing, promoted
    }

    /// `{"deleted": [ids], "missing": [ids]}`, then `"promoted": {deleted id: alias id}` when
    /// a deleted record had aliases (the alias that became the record in its place; keys in
    /// order).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(deleted, forKey: .deleted)
        try container.encode(missing, forKey: .missing)
        guard !promoted.isEmpty else { return }
        var promotions = container.nestedContainer(keyedBy: DynamicKey.self, forKey: .promoted)
        for id in promoted.keys.sorted() { try promotions.encode(promoted[id], forKey: DynamicKey(id)) }
    }

    /// Reads the document ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            deleted: try container.decode([String].self, forKey: .deleted), missing: try container.decode([String].self, forKey: .missing),
            promoted: try container.decodeIfPresent([String: String].self, forKey: .promoted) ?? [:])
    }
}

/// The tokens an analyzer makes of a text (what ``ClearingHouse/analyze(_:language:)``
/// returns, like Elasticsearch's `_analyze`).
///
/// `{"analyzer", "tokens": [{"term", "position", "start", "end"}]}`.
public struct AnalysisReport: Sendable, Hashable, Codable {
    /// One token: the term as indexed and where its text is.
    public struct Token: Sendable, Hashable, Codable {
        /// The normalized term as indexed and searched (`mangrov`).
        public var term: String
        /// Its position in the token stream (0-based).
        public var position: Int
        /// Where its text starts and ends in the analyzed text, in Unicode scalars (half-open).
        public var start: Int
        /// Where its text ends in the analyzed text, in Unicode scalars (exclusive).
        public var end: Int

        /// A token.
        public init(term: String, position: Int, start: Int, end: Int) {
            self.term = term
            self.position = position
            self.start = start
            self.end = end
        }
    }

    /// The analyzer's name (`english`, `standard`, ...).
    public var analyzer: String
    /// The tokens, in order.
    public var tokens: [Token]

    /// A report of `tokens` from `analyzer`.
    public init(analyzer: String, tokens: [Token]) {
        self.analyzer = analyzer
        self.tokens = tokens
    }
}

extension ClearingHouse {
    /// The tokens the index makes of `text` in `language` (`ar`, `en`, `es`, `fr`, `ru`,
    /// `zh`; any other tag gets the standard analyzer): what `chm analyze` shows.
    public static func analyze(_ text: String, language: String) -> AnalysisReport {
        let analyzer = LanguageAnalyzer.forLanguage(language)
        return AnalysisReport(
            analyzer: analyzer.name,
            tokens: analyzer.tokens(text).map { AnalysisReport.Token(term: $0.term, position: $0.position, start: $0.start, end: $0.end) })
    }
}
