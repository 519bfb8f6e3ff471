/// Reads the Lucene-like syntax of a search box into a ``Query``.
///
/// | Syntax | Meaning |
/// | --- | --- |
/// | `mangrove nursery` | terms combined with the ``defaultOperator`` |
/// | `"mangrove nursery"` | a phrase |
/// | `a AND b`, `a OR b` | both must match; either may match (`AND` binds tighter than `OR`) |
/// | `NOT a`, `-a`, `+a` | `a` must not match; `a` must match |
/// | `(a OR b) AND c` | a group |
/// | `title:mangrove`, `title.en:"a b"`, `title:(a b)` | search only the field `title` |
/// | `mangro*` | terms starting with `mangro` |
/// | `restoraton~`, `mangrvoe~1` | the word and its close spellings (at most 2 edits) |
/// | `coral^2`, `"seed bank"^3`, `(a b)^0.5` | a boost: the score of what comes before counts that many times |
/// | `\:` `\"` `\*` `\^` `\(` `\+` `\-` | the character itself, not its syntax |
///
/// Only upper-case `AND`, `OR` and `NOT` are operators; `and` is a term. Term text is kept
/// as written (the searcher analyzes it per field and language). A field name is
/// `[A-Za-z_][A-Za-z0-9_.]*` directly followed by `:` (not `://`); any other colon is part of
/// the term, so `10:30` and a pasted address (`https://example.org/x`) are one term each.
///
/// A clause on a keyword field (`kind:caseStudy`) is a filter when the words beside it
/// search text: `kind:caseStudy coral` and `kind:caseStudy OR coral` are both coral among case
/// studies (values of one field are alternatives, different fields all apply, as
/// a ``Filter`` does); keyword clauses alone keep their operator (`kind:caseStudy OR
/// kind:technology`). The searcher decides this, so queries built in code behave alike.
///
/// The result is minimal: a single term parses to ``Query/term(field:text:)``, an empty
/// query to ``Query/matchAll``, and a ``Query/boolean(_:minimumShouldMatch:)`` with one
/// clause appears only to carry a `must` or `mustNot`. Terms written next to each other at
/// the same level are flattened into one boolean: `a b OR c` is three `should` clauses.
///
/// ```swift
/// let query = try QueryParser().parse(#"title:mangrove -"salt marsh""#)
/// // .boolean([.init(.should, .term(field: "title", text: "mangrove")),
/// //           .init(.mustNot, .phrase(field: nil, text: "salt marsh"))], minimumShouldMatch: 0)
/// ```
public struct QueryParser: Sendable {
    /// How items written next to each other without an operator combine.
    public enum DefaultOperator: Sendable {
        /// `a b` means `a OR b`: each term is a `should` clause.
        case or
        /// `a b` means `a AND b`: each term is a `must` clause.
        case and
    }

    /// The operator between items that have none written between them. Defaults to `.or`.
    public var defaultOperator: DefaultOperator

    /// How many `should` clauses of the top-level boolean a document must match.
    ///
    /// Applies to the clauses written at the top level of the query, not inside
    /// parentheses, and is clamped to `0...` the number of top-level `should` clauses, so
    /// `2` with `a b c` requires two of the three terms and with `a b` or `+a b` does not
    /// exclude everything. `0` (the default) means at least one `should` clause when there
    /// is no `must` clause, as ``Query/boolean(_:minimumShouldMatch:)`` describes.
    public var minimumShouldMatch: Int

    /// Creates a parser.
    ///
    /// - Parameters:
    ///   - defaultOperator: The operator between items that have none written between them.
    ///   - minimumShouldMatch: How many top-level `should` clauses a document must match.
    public init(defaultOperator: DefaultOperator = .or, minimumShouldMatch: Int = 0) {
        self.defaultOperator = defaultOperator
        self.minimumShouldMatch = minimumShouldMatch
    }

    /// Parses `text` into a query.
    ///
    /// - Parameter text: The query as the user typed it. Empty or all-whitespace text is
    ///   ``Query/matchAll``.
    /// - Returns: The query, with term text exactly as written (escapes removed).
    /// - Throws: ``QueryParseError`` with the `Character` position of the first problem.
    public func parse(_ text: String) throws(QueryParseError) -> Query {
        var parser = Parser(text: text, defaultOperator: defaultOperator)
        return try parser.parseQuery(minimumShouldMatch: minimumShouldMatch)
    }

    /// Where the field `name` is first written as a field (`name:`) in `text`, in characters
    /// from 0, or nil: the position of an error about the field (``IndexError/field``), which
    /// the searcher finds only after parsing.
    public static func position(ofField name: String, in text: String) -> Int? {
        var lexer = Lexer(text: text)
        while let token = try? lexer.next(), token.kind != .end {
            if token.kind == .field(name) { return token.start }
        }
        return nil
    }
}

extension QueryParser {
    /// The deepest nesting of parentheses accepted: deeper input is surely not typed by a
    /// person, and refusing it keeps the recursive parser's stack small.
    static let maximumNesting = 64
    /// The most words a query may hold (each word of a phrase, each character pair of a CJK
    /// run counted): a search box's question has a few dozen at most, and each word costs a
    /// walk of the index; Lucene refuses more than 1,024 clauses for the same reason.
    public static let maximumWords = 256
    /// The most words with `*` or `~` a query may hold: each reads up to 128 terms.
    static let maximumExpandingWords = 16
    /// The largest boost (`^N`) accepted: larger factors only lose the other words' part of
    /// the score to rounding. (A boost is above 0: a word that must match without scoring
    /// is a filter, `+word^0` in Lucene, which this syntax does not have.)
    public static let maximumBoost = 10_000.0

    // The lexer and parser are nested so their names cannot collide with the analyzer's
    // `Token` or other module-level types.

    // MARK: - Tokens

    fileprivate struct Token {
        enum Kind: Equatable {
            case term(String)
            case prefix(String)
            /// `word~` or `word~N`: the word and its close spellings.
            case fuzzy(String, Int?)
            case phrase(String)
            /// `^N` directly after a term, phrase or group: a boost.
            case boost(Double)
            /// `name:`; the lexer guarantees a term, prefix, phrase or `(` follows directly.
            case field(String)
            case openParenthesis
            case closeParenthesis
            case plus
            case minus
            case and
            case or
            case not
            case end
        }

        var kind: Kind
        /// Character offset of the first character.
        var start: Int
        /// Character offset just after the last character.
        var end: Int

        var startsItem: Bool {
            switch kind {
            case .term, .prefix, .fuzzy, .phrase, .field, .openParenthesis, .plus, .minus, .not: true
            case .closeParenthesis, .and, .or, .end, .boost: false
            }
        }

        /// How an operator is named in error messages.
        var operatorName: String {
            switch kind {
            case .and: "AND"
            case .or: "OR"
            case .not: "NOT"
            case .plus: "'+'"
            case .minus: "'-'"
            case .field(let name): "'\(name):'"
            case .openParenthesis: "'('"
            case .closeParenthesis: "')'"
            case .boost: "'^'"
            case .term, .prefix, .fuzzy, .phrase, .end: "the term"
            }
        }
    }

    // MARK: - Lexer

    /// Splits query text into tokens on demand, so errors surface in reading order.
    fileprivate struct Lexer {
        private let characters: [Character]
        private var index = 0
        /// Set after a field token: the next token is its value, read without operators,
        /// modifiers or further fields (`title:AND` searches for "AND").
        private var pendingField: String?

        init(text: String) {
            characters = Array(text)
        }

        mutating func next() throws(QueryParseError) -> Token {
            if let field = pendingField {
                pendingField = nil
                return try nextFieldValue(field)
            }
            while index < characters.count, characters[index].isWhitespace {
                index += 1
            }
            guard index < characters.count else {
                return Token(kind: .end, start: index, end: index)
            }
            let start = index
            switch characters[index] {
            case "(":
                index += 1
                return Token(kind: .openParenthesis, start: start, end: index)
            case ")":
                index += 1
                return Token(kind: .closeParenthesis, start: start, end: index)
            case let quote where Self.closingQuotes[quote] != nil:
                return try nextPhrase()
            case "+":
                index += 1
                return Token(kind: .plus, start: start, end: index)
            case "-":
                index += 1
                return Token(kind: .minus, start: start, end: index)
            case "^":
                return try nextBoost()
            default:
                return try nextWord(isFieldValue: false)
            }
        }

        private mutating func nextFieldValue(_ field: String) throws(QueryParseError) -> Token {
            // (`title:^2` has no term to boost: a word ends at `^`, and would be empty.)
            guard index < characters.count, !characters[index].isWhitespace, characters[index] != ")", characters[index] != "^" else {
                throw QueryParseError(
                    position: index,
                    expected: "a term",
                    message: "expected a term after '\(field):'"
                )
            }
            switch characters[index] {
            case "(":
                index += 1
                return Token(kind: .openParenthesis, start: index - 1, end: index)
            case let quote where Self.closingQuotes[quote] != nil:
                return try nextPhrase()
            default:
                return try nextWord(isFieldValue: true)
            }
        }

        /// `^N`: a number (digits, with a fraction after `.` or not) of at most
        /// ``QueryParser/maximumBoost``.
        private mutating func nextBoost() throws(QueryParseError) -> Token {
            let start = index
            index += 1
            var digits = ""
            while index < characters.count, characters[index].isASCII,
                characters[index].isNumber || (characters[index] == "." && !digits.isEmpty && !digits.contains("."))
            {
                digits.append(characters[index])
                index += 1
            }
            let followedByWord =
                index < characters.count && !characters[index].isWhitespace && characters[index] != ")"
                && Self.closingQuotes[characters[index]] == nil
            guard let factor = Double(digits), !digits.hasSuffix(".") else {
                throw QueryParseError(
                    position: start + 1,
                    expected: "a number after '^'",
                    message: "expected a number after '^' (a boost, as in 'coral^2'; '\\^' is the character itself)"
                )
            }
            guard !followedByWord else {
                // (`coral^2x`, `coral^2^3`: the number is there; what follows it is wrong.)
                throw QueryParseError(
                    position: index,
                    expected: "a space after the boost",
                    message: "expected a space after the boost '^\(digits)' (a boost ends the word, phrase or group it follows)"
                )
            }
            guard factor > 0, factor <= QueryParser.maximumBoost else {
                throw QueryParseError(
                    position: start + 1,
                    expected: "a boost above 0 and at most \(Int(QueryParser.maximumBoost))",
                    message: "expected a boost above 0 and at most \(Int(QueryParser.maximumBoost)) after '^'"
                )
            }
            return Token(kind: .boost(factor), start: start, end: index)
        }

        /// The quotation marks that open a phrase, and those that close it: ASCII's, and the
        /// typographic ones of the six languages' keyboards (`“…”`, `„…“`, `«…»`, `「…」`,
        /// `『…』`, full-width `＂…＂`).
        static let closingQuotes: [Character: [Character]] = [
            "\"": ["\""], "\u{201C}": ["\u{201D}", "\u{201C}", "\""], "\u{201E}": ["\u{201C}", "\u{201D}", "\""],
            "\u{00AB}": ["\u{00BB}"], "\u{300C}": ["\u{300D}"], "\u{300E}": ["\u{300F}"], "\u{FF02}": ["\u{FF02}"],
        ]

        private mutating func nextPhrase() throws(QueryParseError) -> Token {
            let start = index
            let opening = characters[index]
            let closing = Self.closingQuotes[opening] ?? ["\""]
            index += 1
            var text = ""
            while index < characters.count {
                let character = characters[index]
                if character == "\\", index + 1 < characters.count {
                    text.append(characters[index + 1])
                    index += 2
                    continue
                }
                if closing.contains(character) {
                    index += 1
                    guard !text.allSatisfy(\.isWhitespace) else {
                        throw QueryParseError(
                            position: start + 1,
                            expected: "a term",
                            message: "expected a term inside the quotes at \(start)"
                        )
                    }
                    return Token(kind: .phrase(text), start: start, end: index)
                }
                text.append(character)
                index += 1
            }
            // A trailing backslash inside quotes lands here too: the missing quote is the
            // more useful thing to point at.
            let close = String(closing.first ?? "\"")
            throw QueryParseError(
                position: start,
                expected: "closing '\(close)'",
                message: "expected closing '\(close)' for the phrase opened at \(start)"
            )
        }

        private mutating func nextWord(isFieldValue: Bool) throws(QueryParseError) -> Token {
            let start = index
            var text = ""
            var hasEscape = false
            // The first unescaped '*': its position and whether any text came before it.
            var firstStar: (position: Int, hasTextBefore: Bool)?
            // The last unescaped '~': where it is in `text` and in the query (in characters).
            var lastTilde: (inText: Int, inQuery: Int)?
            var textCount = 0
            while index < characters.count {
                let character = characters[index]
                // (`^` ends the word: a boost follows, `coral^2`.)
                if character.isWhitespace || character == "(" || character == ")" || character == "^"
                    || Self.closingQuotes[character] != nil
                {
                    break
                }
                if character == "\\" {
                    guard index + 1 < characters.count else {
                        throw QueryParseError(
                            position: index + 1,
                            expected: "a character after '\\'",
                            message: "expected a character after '\\' at \(index)"
                        )
                    }
                    text.append(characters[index + 1])
                    textCount += 1
                    hasEscape = true
                    index += 2
                    continue
                }
                // (`https://example.org`, a pasted address, is a word: a field's colon is
                // never followed by `//`.)
                if character == ":", !isFieldValue, !hasEscape, Schema.isFieldName(text),
                    !(index + 2 < characters.count && characters[index + 1] == "/" && characters[index + 2] == "/")
                {
                    index += 1
                    pendingField = text
                    return Token(kind: .field(text), start: start, end: index)
                }
                if character == "*", firstStar == nil {
                    firstStar = (index, !text.isEmpty)
                }
                if character == "~" { lastTilde = (textCount, index) }
                text.append(character)
                textCount += 1
                index += 1
            }

            if !isFieldValue, !hasEscape {
                switch text {
                case "AND": return Token(kind: .and, start: start, end: index)
                case "OR": return Token(kind: .or, start: start, end: index)
                case "NOT": return Token(kind: .not, start: start, end: index)
                default: break
                }
            }
            // `word~` and `word~N` (N of 0, 1 or 2): a fuzzy word.
            if let tilde = lastTilde, tilde.inText > 0, firstStar == nil {
                let suffix = text.dropFirst(tilde.inText + 1)
                let word = String(text.prefix(tilde.inText))
                if suffix.isEmpty {
                    return Token(kind: .fuzzy(word, nil), start: start, end: index)
                }
                if suffix.count == 1, let edits = Int(suffix), (0...2).contains(edits) {
                    return Token(kind: .fuzzy(word, edits), start: start, end: index)
                }
                // A number other than 0, 1 or 2 (`coral~5`, `coral~1.5`, `coral~-1`) was meant as
                // the edits: said, not searched as a word no record has. (`a~b` is a word.)
                let number = suffix.first == "-" || suffix.first == "+" ? suffix.dropFirst() : suffix
                if number.first?.isNumber == true {
                    throw QueryParseError(
                        position: tilde.inQuery + 1,
                        expected: "0, 1 or 2 edits after '~'",
                        message: "expected 0, 1 or 2 edits after '~' (the most a close spelling may differ by), as in 'restoraton~1'"
                    )
                }
            }
            guard let star = firstStar else {
                return Token(kind: .term(text), start: start, end: index)
            }
            guard star.hasTextBefore else {
                throw QueryParseError(
                    position: star.position,
                    expected: "a prefix before '*'",
                    message: "expected a prefix before '*', as in 'mangro*'"
                )
            }
            guard star.position == index - 1 else {
                throw QueryParseError(
                    position: star.position,
                    expected: "'*' only at the end of a term",
                    message: "expected '*' only at the end of a term; wildcards inside a term are not supported"
                )
            }
            return Token(kind: .prefix(String(text.dropLast())), start: start, end: index)
        }

        /// `[A-Za-z_][A-Za-z0-9_.]*`
    }

    // MARK: - Parser

    /// Recursive descent over
    ///
    ///     query       := disjunction? end
    ///     disjunction := conjunction (("OR" | implicit-if-default-OR) conjunction)*
    ///     conjunction := item (("AND" | implicit-if-default-AND) item)*
    ///     item        := ("+" | "-" | "NOT")? primary
    ///     primary     := term | prefix | phrase | field primary | "(" disjunction ")"
    fileprivate struct Parser {
        /// An item with the modifier written before it (`nil`: none).
        struct Item {
            var occur: Query.Occur?
            var query: Query
        }

        /// One operand of `OR`: a lone item, or the clauses of items joined by `AND`.
        enum Operand {
            case item(Item)
            case conjunction([Query.Clause])
        }

        private var lexer: Lexer
        private var lookahead: Token?
        /// Where the last token taken ends.
        private var lastEnd = 0
        private let defaultOperator: QueryParser.DefaultOperator
        private var depth = 0
        /// Words read so far, and those with `*` or `~` (``QueryParser/maximumWords``).
        private var words = 0
        private var expandingWords = 0

        init(text: String, defaultOperator: QueryParser.DefaultOperator) {
            lexer = Lexer(text: text)
            self.defaultOperator = defaultOperator
        }

        mutating func parseQuery(minimumShouldMatch: Int) throws(QueryParseError) -> Query {
            if try peek().kind == .end {
                return .matchAll
            }
            let operands = try parseDisjunction(field: nil)
            let next = try peek()
            if next.kind == .closeParenthesis {
                throw QueryParseError(
                    position: next.start,
                    expected: "the end of the query",
                    message: "expected the end of the query, found ')' with no matching '('"
                )
            }
            return Self.combine(operands, minimumShouldMatch: minimumShouldMatch)
        }

        private mutating func peek() throws(QueryParseError) -> Token {
            if let token = lookahead {
                return token
            }
            let token = try lexer.next()
            lookahead = token
            return token
        }

        private mutating func advance() throws(QueryParseError) -> Token {
            let token = try peek()
            lookahead = nil
            lastEnd = token.end
            return token
        }

        /// Stops before `)` or the end.
        private mutating func parseDisjunction(field: String?) throws(QueryParseError) -> [Operand] {
            var operands = [try parseConjunction(after: nil, field: field)]
            while true {
                let next = try peek()
                switch next.kind {
                case .end, .closeParenthesis:
                    return operands
                case .or:
                    _ = try advance()
                    operands.append(try parseConjunction(after: next, field: field))
                default:
                    // An implicit OR (an implicit AND was taken by parseConjunction). A stray
                    // AND also lands here and is reported as an operator without a left side.
                    operands.append(try parseConjunction(after: nil, field: field))
                }
            }
        }

        private mutating func parseConjunction(after operatorToken: Token?, field: String?) throws(QueryParseError)
            -> Operand
        {
            var items = [try parseItem(after: operatorToken, field: field)]
            while true {
                let next = try peek()
                if next.kind == .and {
                    _ = try advance()
                    items.append(try parseItem(after: next, field: field))
                } else if defaultOperator == .and, next.startsItem {
                    items.append(try parseItem(after: nil, field: field))
                } else {
                    break
                }
            }
            if items.count == 1 {
                return .item(items[0])
            }
            return .conjunction(items.map { Query.Clause($0.occur ?? .must, $0.query) })
        }

        private mutating func parseItem(after operatorToken: Token?, field: String?) throws(QueryParseError) -> Item {
            let next = try peek()
            switch next.kind {
            case .plus, .minus:
                // `+` and `-` attach to what follows them: `a - b` is a mistake, not `a -b`.
                _ = try advance()
                guard try peek().start == next.end else {
                    throw QueryParseError(
                        position: next.end,
                        expected: "a term",
                        message: "expected a term after \(next.operatorName)"
                    )
                }
                let query = try parsePrimary(after: next, field: field)
                return Item(occur: next.kind == .plus ? .must : .mustNot, query: query)
            case .not:
                _ = try advance()
                return Item(occur: .mustNot, query: try parsePrimary(after: next, field: field))
            default:
                return Item(occur: nil, query: try parsePrimary(after: operatorToken, field: field))
            }
        }

        /// - Parameter operatorToken: The operator or modifier just before, named in errors.
        private mutating func parsePrimary(after operatorToken: Token?, field: String?) throws(QueryParseError)
            -> Query
        {
            let query = try parseUnboosted(after: operatorToken, field: field)
            // `^N` written directly after it (the lexer ends a word at `^`).
            let end = lastEnd
            guard case .boost(let factor) = try peek().kind else { return query }
            let boost = try advance()
            guard boost.start == end else {
                throw QueryParseError(
                    position: boost.start,
                    expected: "a term directly before '^'",
                    message: "expected a term directly before '^' (a word, phrase or group, with no space: 'coral^2')"
                )
            }
            return .boost(query, factor: factor)
        }

        private mutating func parseUnboosted(after operatorToken: Token?, field: String?) throws(QueryParseError) -> Query {
            let token = try advance()
            switch token.kind {
            case .term(let text):
                try countWords(of: text, at: token, from: token.start, isPhrase: false)
                return .term(field: field, text: text)
            case .prefix(let prefix):
                try count(1, at: token, expanding: true)
                return .prefix(field: field, prefix: prefix)
            case .fuzzy(let word, let edits):
                try count(1, at: token, expanding: true)
                return .fuzzy(field: field, text: word, maxEdits: edits)
            case .phrase(let text):
                // (The words start after the opening quote.)
                try countWords(of: text, at: token, from: token.start + 1, isPhrase: true)
                return .phrase(field: field, text: text)
            case .field(let name):
                return try parsePrimary(after: token, field: name)
            case .openParenthesis:
                return try parseGroup(openedBy: token, field: field)
            case .closeParenthesis, .end, .and, .or, .not, .plus, .minus, .boost:
                if let operatorToken {
                    throw QueryParseError(
                        position: operatorToken.end,
                        expected: "a term",
                        message: "expected a term after \(operatorToken.operatorName)"
                    )
                }
                if token.kind == .closeParenthesis {
                    throw QueryParseError(
                        position: token.start,
                        expected: "a term",
                        message: "expected a term, found ')' with no matching '('"
                    )
                }
                if token.kind == .end {
                    throw QueryParseError(position: token.start, expected: "a term", message: "expected a term")
                }
                throw QueryParseError(
                    position: token.start,
                    expected: "a term",
                    message: "expected a term before \(token.operatorName)"
                )
            }
        }

        /// Counts the words of a term or phrase `text` (a CJK run's bigrams each count) against
        /// the limit; past it, the error names where the limit is crossed: the first character
        /// whose word (or bigram) is one too many, counted from `start`, where `text` begins in
        /// the query. (A token with escapes is not character for character the query's text:
        /// its start is named.) A term is one chunk; a phrase's words are split at spaces.
        private mutating func countWords(of text: String, at token: Token, from start: Int, isPhrase: Bool) throws(QueryParseError) {
            let literal = token.end - token.start == text.count + (isPhrase ? 2 : 0)
            var offset = 0
            var word: [Character] = []
            var wordStart = 0
            func take() throws(QueryParseError) {
                defer { word.removeAll(keepingCapacity: true) }
                guard !word.isEmpty else { return }
                let pieces = max(1, QueryPlanner.bigramPieces(String(word)).count)
                let room = QueryParser.maximumWords - words
                guard pieces > room else {
                    words += pieces
                    return
                }
                var position = token.start
                if literal {
                    // The shortest prefix of the chunk with more pieces than there is room for
                    // ends at the crossing (prefixes of up to 512 characters are tried: this is
                    // only the error's path).
                    var crossing = 0
                    if room > 0 {
                        crossing = word.count - 1
                        for length in 1...min(word.count, 512) where QueryPlanner.bigramPieces(String(word[..<length])).count > room {
                            crossing = length - 1
                            break
                        }
                    }
                    position = start + wordStart + crossing
                }
                let limit = QueryParser.maximumWords
                throw QueryParseError(
                    position: position, expected: "at most \(limit) words",
                    message: "expected at most \(limit) words; the query has more from \(position) on")
            }
            for character in text {
                if isPhrase, character.isWhitespace {
                    try take()
                } else {
                    if word.isEmpty { wordStart = offset }
                    word.append(character)
                }
                offset += 1
            }
            try take()
        }

        /// Counts `count` words of `token` against the limits.
        private mutating func count(_ count: Int, at token: Token, expanding: Bool = false) throws(QueryParseError) {
            words += count
            guard words <= QueryParser.maximumWords else {
                let limit = QueryParser.maximumWords
                throw QueryParseError(
                    position: token.start, expected: "at most \(limit) words",
                    message: "expected at most \(limit) words; the query has more from \(token.start) on")
            }
            guard expanding else { return }
            expandingWords += 1
            guard expandingWords <= QueryParser.maximumExpandingWords else {
                let limit = QueryParser.maximumExpandingWords
                throw QueryParseError(
                    position: token.start, expected: "at most \(limit) words with * or ~",
                    message: "expected at most \(limit) words with * or ~; the one at \(token.start) is one more")
            }
        }

        private mutating func parseGroup(openedBy open: Token, field: String?) throws(QueryParseError) -> Query {
            let limit = QueryParser.maximumNesting
            guard depth < limit else {
                throw QueryParseError(
                    position: open.start,
                    expected: "at most \(limit) nested groups",
                    message: "expected at most \(limit) nested groups; the '(' at \(open.start) opens one more"
                )
            }
            depth += 1
            defer { depth -= 1 }

            let unclosed = QueryParseError(
                position: open.start,
                expected: "')'",
                message: "expected ')' to close '(' at \(open.start)"
            )
            let first = try peek()
            switch first.kind {
            case .closeParenthesis:
                throw QueryParseError(
                    position: first.start,
                    expected: "a term",
                    message: "expected a term between '(' at \(open.start) and ')'"
                )
            case .end:
                throw unclosed
            default:
                break
            }
            let operands = try parseDisjunction(field: field)
            guard try advance().kind == .closeParenthesis else {
                throw unclosed
            }
            return Self.combine(operands, minimumShouldMatch: 0)
        }

        /// Builds the minimal query for the operands of one level of `OR`.
        private static func combine(_ operands: [Operand], minimumShouldMatch: Int) -> Query {
            if operands.count == 1 {
                switch operands[0] {
                case .item(let item):
                    guard let occur = item.occur else { return item.query }
                    return .boolean([Query.Clause(occur, item.query)], minimumShouldMatch: 0)
                case .conjunction(let clauses):
                    return boolean(clauses, minimumShouldMatch: minimumShouldMatch)
                }
            }
            let clauses = operands.map { operand in
                switch operand {
                case .item(let item):
                    Query.Clause(item.occur ?? .should, item.query)
                case .conjunction(let clauses):
                    Query.Clause(.should, .boolean(clauses, minimumShouldMatch: 0))
                }
            }
            return boolean(clauses, minimumShouldMatch: minimumShouldMatch)
        }

        private static func boolean(_ clauses: [Query.Clause], minimumShouldMatch: Int) -> Query {
            let shouldCount = clauses.count { $0.occur == .should }
            return .boolean(clauses, minimumShouldMatch: min(max(minimumShouldMatch, 0), shouldCount))
        }
    }
}
