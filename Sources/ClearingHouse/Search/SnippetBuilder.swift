// Snippets: the passage of a record's summary or description that best shows why it
// matched, with the matched words marked. Text is analyzed with its language's analyzer, so
// `пожары` highlights `пожаров` and `restauracion` highlights `Restauración`.
import Foundation
import SearchCore

enum SnippetBuilder {
    /// Longest passage, in characters (Unicode scalars), before "…" cuts it.
    static let maximumLength = 220

    /// The words of a query worth highlighting: terms, phrases and prefixes that are not
    /// excluded and not keyword-field filters.
    static func words(of query: Query) -> (words: [String], prefixes: [String]) {
        var words: [String] = []
        var prefixes: [String] = []
        let keywordFields = Set(SearchIndex.schema.keywordFields)
        func visit(_ query: Query) {
            switch query {
            case .term(let field, let text), .phrase(let field, let text):
                if let field, keywordFields.contains(field) { return }
                words.append(text)
            case .prefix(let field, let prefix):
                if let field, keywordFields.contains(field) { return }
                prefixes.append(prefix.lowercased())
            case .boolean(let clauses, _):
                for clause in clauses where clause.occur != .mustNot { visit(clause.query) }
            case .matchAll:
                break
            }
        }
        visit(query)
        return (words, prefixes)
    }

    /// The best passage of `texts` (tried in order) in `language`, or nil when there are no
    /// words to show or no text.
    static func snippet(texts: [String], language: String, words: [String], prefixes: [String]) -> Snippet? {
        guard !words.isEmpty || !prefixes.isEmpty else { return nil }
        let analyzer = LanguageAnalyzer.forLanguage(language)
        let wanted = Set(words.flatMap { analyzer.terms($0) })
        var best: (text: String, tokens: [Token], matched: [Bool], score: Int)?
        for text in texts where !text.isEmpty {
            let tokens = analyzer.tokens(text)
            let matched = tokens.map { token in
                wanted.contains(token.term) || prefixes.contains { token.term.hasPrefix(analyzer.terms($0).first ?? $0) }
            }
            let score = Set(zip(tokens, matched).filter(\.1).map(\.0.term)).count
            if best == nil || score > (best?.score ?? 0) { best = (text, tokens, matched, score) }
        }
        guard let best else { return nil }
        return passage(best.text, tokens: best.tokens, matched: best.matched, language: language)
    }

    /// Picks the window of at most `maximumLength` scalars with the most distinct matched
    /// terms, widens it to whole words, and maps highlights to character offsets.
    static func passage(_ text: String, tokens: [Token], matched: [Bool], language: String) -> Snippet {
        let scalars = Array(text.unicodeScalars)
        var bestRange = 0..<min(scalars.count, maximumLength)
        var bestScore = -1
        let hits = tokens.indices.filter { matched[$0] }
        for first in hits {
            let start = tokens[first].start
            var terms = Set<String>()
            var count = 0
            for index in hits where index >= first {
                guard tokens[index].end - start <= maximumLength else { break }
                terms.insert(tokens[index].term)
                count += 1
            }
            let score = terms.count * 1000 + count
            if score > bestScore {
                bestScore = score
                // Start a little before the first match, at a word boundary.
                var from = max(0, start - 40)
                while from > 0, from < start, !scalars[from - 1].properties.isWhitespace, !isCJK(scalars[from]) { from += 1 }
                bestRange = from..<min(scalars.count, from + maximumLength)
            }
        }
        var range = bestRange
        // End at a word boundary unless the text is CJK (where any character boundary is one).
        if range.upperBound < scalars.count {
            var end = range.upperBound
            while end > range.lowerBound + maximumLength / 2, !scalars[end].properties.isWhitespace, !isCJK(scalars[end - 1]) {
                end -= 1
            }
            range = range.lowerBound..<end
        }
        let prefix = range.lowerBound > 0 ? "…" : ""
        let suffix = range.upperBound < scalars.count ? "…" : ""
        let body = String(String.UnicodeScalarView(scalars[range])).trimmingCharacters(in: .whitespacesAndNewlines)
        let leading = String(String.UnicodeScalarView(scalars[range])).prefix { $0.isWhitespace }.unicodeScalars.count
        // Highlights in characters of the final text.
        var highlights: [Range<Int>] = []
        for index in tokens.indices where matched[index] {
            let token = tokens[index]
            guard token.start >= range.lowerBound + leading, token.end <= range.upperBound else { continue }
            let before = String(String.UnicodeScalarView(scalars[(range.lowerBound + leading)..<token.start])).count
            let length = String(String.UnicodeScalarView(scalars[token.start..<token.end])).count
            let lower = prefix.count + before
            let upper = min(lower + length, prefix.count + body.count)
            if let last = highlights.last, last.upperBound >= lower {
                // Overlapping CJK bigrams (or adjacent matches) make one highlight.
                highlights[highlights.count - 1] = last.lowerBound..<max(last.upperBound, upper)
                continue
            }
            highlights.append(lower..<upper)
        }
        return Snippet(text: prefix + body + suffix, highlights: highlights, language: language)
    }

    private static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0x20000...0x2FFFF:
            return true
        default:
            return false
        }
    }
}
