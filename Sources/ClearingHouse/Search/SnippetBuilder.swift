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
        let keywordFields = Set(RecordIndexing.schema.keywordFields)
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
            case .boost(let inner, _):
                visit(inner)
            case .fuzzy(let field, let text, _):
                if let field, keywordFields.contains(field) { return }
                words.append(text)
            case .synonyms(let synonyms):
                // Translations are highlighted where they matched (each is analyzed with the
                // snippet's language; the others find nothing there).
                words += synonyms.words.map(\.text)
            case .matchAll:
                break
            }
        }
        visit(query)
        return (words, prefixes)
    }

    /// The most of one text that is analyzed for a snippet, in UTF-8 bytes. A longer text
    /// (a description may hold up to 10,000,000 bytes) is analyzed in windows of this size
    /// only, so that a snippet costs the same whatever the size of the field.
    static let windowBytes = 16 * 1024
    /// How far into a long text a match is looked for (by a plain byte search), in UTF-8 bytes.
    static let searchedBytes = 1 << 20
    /// How many places found by the byte search are analyzed, at most, before giving up and
    /// showing the text's beginning.
    static let maximumProbes = 4

    /// A stretch of a text: the text itself when it is short, else a window of it cut at
    /// character (and where possible word) boundaries.
    struct Window {
        var text: String
        /// Text was cut off before / after the window.
        var cutBefore = false
        var cutAfter = false
    }

    /// The best passage of `texts` (tried in order) in `language`, or nil when there are no
    /// words to show or no text. Each text is analyzed within a bounded window (see
    /// ``windowBytes``), so the cost does not grow with the size of the fields.
    static func snippet(texts: [String], language: String, words: [String], prefixes: [String]) -> Snippet? {
        guard !words.isEmpty || !prefixes.isEmpty else { return nil }
        let analyzer = LanguageAnalyzer.forLanguage(language)
        let wanted = Set(words.flatMap { analyzer.terms($0) })
        let prefixTerms = prefixes.map { analyzer.terms($0).first ?? $0 }
        func matches(_ tokens: [Token]) -> [Bool] {
            tokens.map { token in wanted.contains(token.term) || prefixTerms.contains { token.term.hasPrefix($0) } }
        }
        var best: (window: Window, tokens: [Token], matched: [Bool], score: Int)?
        // A passage with every word asked for cannot be beaten (ties go to the earlier text),
        // so the texts after it are not analyzed: the summary usually has them.
        let unbeatable = prefixTerms.isEmpty ? wanted.count : Int.max
        for text in texts where !text.isEmpty {
            if let best, best.score >= unbeatable { break }
            var candidates = [window(of: text, from: 0)]
            var index = 0
            var chosen: (window: Window, tokens: [Token], matched: [Bool], score: Int)?
            while index < candidates.count {
                let window = candidates[index]
                // (As indexed: a query of one CJK character matches the character in a run.)
                let tokens = analyzer.indexedTokens(window.text)
                let matched = matches(tokens)
                let score = Set(zip(tokens, matched).filter(\.1).map(\.0.term)).count
                if chosen == nil || score > (chosen?.score ?? 0) { chosen = (window, tokens, matched, score) }
                if score > 0 { break }
                if index == 0, window.cutAfter {
                    // No match at the start of a long text: look further in, cheaply, and
                    // analyze only windows around the places found.
                    let needles = words + prefixes + Array(wanted) + prefixTerms
                    candidates += places(of: needles, in: text).prefix(maximumProbes).map {
                        Self.window(of: text, from: max(0, $0 - windowBytes / 4))
                    }
                }
                index += 1
            }
            guard let chosen else { continue }
            if best == nil || chosen.score > (best?.score ?? 0) { best = chosen }
        }
        guard let best else { return nil }
        return passage(best.window, tokens: best.tokens, matched: best.matched, language: language)
    }

    /// The window of at most ``windowBytes`` of `text` from about byte `start`: the whole
    /// text when it fits; else cut at scalar boundaries (never inside a UTF-8 sequence) and,
    /// when white space is near, at word boundaries. CJK text, which has no spaces, is cut
    /// between characters.
    static func window(of text: String, from start: Int) -> Window {
        let count = text.utf8.count
        if start == 0, count <= windowBytes { return Window(text: text) }
        var text = text
        return text.withUTF8 { bytes -> Window in
            func isContinuation(_ offset: Int) -> Bool { offset < count && bytes[offset] & 0xC0 == 0x80 }
            func isSpace(_ offset: Int) -> Bool {
                let byte = bytes[offset]
                return byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
            }
            var lower = min(start, count)
            while isContinuation(lower) { lower += 1 }
            if lower > 0, lower < count, !isSpace(lower - 1) {
                // Start after the next space if one is near (a word boundary).
                var probe = lower
                while probe < min(count, lower + 64), !isSpace(probe) { probe += 1 }
                if probe < min(count, lower + 64) { lower = probe + 1 }
            }
            var upper = min(count, lower + windowBytes)
            while isContinuation(upper) { upper -= 1 }
            if upper < count, !isSpace(upper) {
                var probe = upper - 1
                while probe > max(lower, upper - 64), !isSpace(probe) { probe -= 1 }
                if probe > max(lower, upper - 64) { upper = probe }
            }
            return Window(
                text: String(decoding: UnsafeBufferPointer(rebasing: bytes[lower..<upper]), as: UTF8.self),
                cutBefore: lower > 0, cutAfter: upper < count)
        }
    }

    /// Byte offsets (in order, each at least a window apart) where one of `needles` (as
    /// given, capitalized or upper case) occurs in the first ``searchedBytes`` of `text`: a
    /// plain byte search, cheap next to analysis, that finds where to analyze.
    static func places(of needles: [String], in text: String) -> [Int] {
        var patterns = Set<[UInt8]>()
        for needle in needles where !needle.isEmpty {
            let lower = needle.lowercased()
            for variant in [needle, lower, lower.prefix(1).uppercased() + lower.dropFirst(), lower.uppercased()] {
                patterns.insert(Array(variant.utf8))
            }
        }
        var text = text
        let found = text.withUTF8 { bytes -> [Int] in
            guard let base = bytes.baseAddress else { return [] }
            let length = min(bytes.count, searchedBytes)
            return patterns.compactMap { pattern -> Int? in
                pattern.withUnsafeBufferPointer { needle -> Int? in
                    guard let first = needle.first, let needleBase = needle.baseAddress else { return nil }
                    var offset = 0
                    while offset + needle.count <= length {
                        guard let hit = memchr(base + offset, Int32(first), length - needle.count + 1 - offset) else { return nil }
                        let position = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                        if memcmp(base + position, needleBase, needle.count) == 0 { return position }
                        offset = position + 1
                    }
                    return nil
                }
            }
        }
        var places: [Int] = []
        for offset in found.sorted() where places.last.map({ offset - $0 >= windowBytes / 2 }) ?? true {
            places.append(offset)
        }
        return places
    }

    /// Picks the passage of at most `maximumLength` scalars with the most distinct matched
    /// terms, widens it to whole words, and maps highlights to character offsets.
    static func passage(_ window: Window, tokens: [Token], matched: [Bool], language: String) -> Snippet {
        let text = window.text
        let scalars = Array(text.unicodeScalars)
        var bestRange = 0..<min(scalars.count, maximumLength)
        var bestScore = -1
        let hits = tokens.indices.filter { matched[$0] }
        // A window slides over the matches (two pointers): the matches from `hits[left]` that
        // fit in `maximumLength`, with a count per term, so each match enters and leaves once.
        var termCounts: [String: Int] = [:]
        var right = 0
        for (left, first) in hits.enumerated() {
            let start = tokens[first].start
            while right < hits.count, tokens[hits[right]].end - start <= maximumLength {
                termCounts[tokens[hits[right]].term, default: 0] += 1
                right += 1
            }
            let score = termCounts.count * 1000 + (right - left)
            defer {
                // `first` leaves the window before the next one starts.
                if left < right, let remaining = termCounts[tokens[first].term] {
                    termCounts[tokens[first].term] = remaining > 1 ? remaining - 1 : nil
                }
                if right == left { right += 1 }
            }
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
        let prefix = range.lowerBound > 0 || window.cutBefore ? "…" : ""
        let suffix = range.upperBound < scalars.count || window.cutAfter ? "…" : ""
        // The passage without the white space at either end.
        var bodyStart = range.lowerBound
        var bodyEnd = range.upperBound
        while bodyStart < bodyEnd, scalars[bodyStart].properties.isWhitespace { bodyStart += 1 }
        while bodyEnd > bodyStart, scalars[bodyEnd - 1].properties.isWhitespace { bodyEnd -= 1 }
        let body = String(String.UnicodeScalarView(scalars[bodyStart..<bodyEnd]))
        // The character (grapheme cluster) offset in `body` of each scalar offset from
        // `bodyStart`, computed once: a scalar inside a cluster counts that cluster as begun.
        var characterOffsets: [Int] = []
        var bodyCharacters = 0
        if body.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) {
            // ASCII without CR (which makes one character with a following LF): one scalar,
            // one character, without walking grapheme clusters.
            bodyCharacters = body.utf8.count
            characterOffsets = Array(0...bodyCharacters)
        } else {
            characterOffsets.reserveCapacity(body.unicodeScalars.count + 1)
            for character in body {
                characterOffsets.append(bodyCharacters)
                for _ in character.unicodeScalars.dropFirst() { characterOffsets.append(bodyCharacters + 1) }
                bodyCharacters += 1
            }
            characterOffsets.append(bodyCharacters)
        }
        func characterOffset(_ scalar: Int) -> Int { characterOffsets[min(max(0, scalar - bodyStart), characterOffsets.count - 1)] }
        // Highlights in characters of the final text.
        var highlights: [Range<Int>] = []
        for index in tokens.indices where matched[index] {
            let token = tokens[index]
            guard token.start >= bodyStart, token.end <= range.upperBound else { continue }
            let before = characterOffset(token.start)
            let length = characterOffset(token.end) - before
            let lower = prefix.count + before
            let upper = min(lower + length, prefix.count + bodyCharacters)
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
