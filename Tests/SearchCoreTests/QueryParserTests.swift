import Testing

@testable import SearchCore

// MARK: - Builders that keep the expected queries readable

private func term(_ text: String, _ field: String? = nil) -> Query { .term(field: field, text: text) }
private func phrase(_ text: String, _ field: String? = nil) -> Query { .phrase(field: field, text: text) }
private func prefix(_ text: String, _ field: String? = nil) -> Query { .prefix(field: field, prefix: text) }
private func must(_ query: Query) -> Query.Clause { Query.Clause(.must, query) }
private func should(_ query: Query) -> Query.Clause { Query.Clause(.should, query) }
private func mustNot(_ query: Query) -> Query.Clause { Query.Clause(.mustNot, query) }
private func boolean(_ clauses: Query.Clause..., minimumShouldMatch: Int = 0) -> Query {
    .boolean(clauses, minimumShouldMatch: minimumShouldMatch)
}

/// The error `parser` throws for `text`, or nil (recorded as a test issue) when it parses.
private func parseError(
    _ text: String,
    parser: QueryParser = QueryParser(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> QueryParseError? {
    do {
        let query = try parser.parse(text)
        Issue.record("expected \(text.debugDescription) to fail, got \(query)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// A tiny seeded generator (Steele, Lea & Flood's SplitMix64) so the random queries are the
/// same on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Every boolean has clauses, and a one-clause boolean exists only to carry must/mustNot.
private func isMinimal(_ query: Query) -> Bool {
    switch query {
    case .boost(let inner, _): return isMinimal(inner)
    // (No word is empty: `title:^2` once parsed as a boosted empty word.)
    case .term(_, let text), .phrase(_, let text), .prefix(_, let text), .fuzzy(_, let text, _): return !text.isEmpty
    default: break
    }
    guard case .boolean(let clauses, let minimumShouldMatch) = query else { return true }
    if clauses.isEmpty { return false }
    if clauses.count == 1, clauses[0].occur == .should { return false }
    if minimumShouldMatch < 0 || minimumShouldMatch > clauses.count(where: { $0.occur == .should }) { return false }
    return clauses.allSatisfy { isMinimal($0.query) }
}

@Suite struct QueryParserTests {
    // MARK: Constructs with the default operator OR

    @Test(
        arguments: [
            ("", Query.matchAll),
            ("   \t\n ", .matchAll),
            ("mangrove", term("mangrove")),
            ("  mangrove  ", term("mangrove")),
            ("Mangrove", term("Mangrove")),
            ("\"mangrove nursery\"", phrase("mangrove nursery")),
            ("\"mangrove\"", phrase("mangrove")),
            ("mangrove nursery", boolean(should(term("mangrove")), should(term("nursery")))),
            ("a OR b", boolean(should(term("a")), should(term("b")))),
            ("a AND b", boolean(must(term("a")), must(term("b")))),
            ("a AND b AND c", boolean(must(term("a")), must(term("b")), must(term("c")))),
            ("a b OR c", boolean(should(term("a")), should(term("b")), should(term("c")))),
            (
                "a AND b OR c",
                boolean(should(boolean(must(term("a")), must(term("b")))), should(term("c")))
            ),
            (
                "a OR b AND c",
                boolean(should(term("a")), should(boolean(must(term("b")), must(term("c")))))
            ),
            (
                "a AND b c",
                boolean(should(boolean(must(term("a")), must(term("b")))), should(term("c")))
            ),
            (
                "a AND b OR c AND d",
                boolean(
                    should(boolean(must(term("a")), must(term("b")))),
                    should(boolean(must(term("c")), must(term("d"))))
                )
            ),
            ("+a", boolean(must(term("a")))),
            ("-a", boolean(mustNot(term("a")))),
            ("NOT a", boolean(mustNot(term("a")))),
            ("+a b -c", boolean(must(term("a")), should(term("b")), mustNot(term("c")))),
            ("a NOT b", boolean(should(term("a")), mustNot(term("b")))),
            ("NOT a b", boolean(mustNot(term("a")), should(term("b")))),
            ("a AND NOT b", boolean(must(term("a")), mustNot(term("b")))),
            ("a AND -b", boolean(must(term("a")), mustNot(term("b")))),
            ("a AND +b", boolean(must(term("a")), must(term("b")))),
            ("a OR NOT b", boolean(should(term("a")), mustNot(term("b")))),
            ("+\"salt marsh\"", boolean(must(phrase("salt marsh")))),
            ("-\"salt marsh\" a", boolean(mustNot(phrase("salt marsh")), should(term("a")))),
            ("-(a b)", boolean(mustNot(boolean(should(term("a")), should(term("b")))))),
            ("+(a)", boolean(must(term("a")))),
            ("(a)", term("a")),
            ("((a))", term("a")),
            ("(\"a b\")", phrase("a b")),
            ("(a b)", boolean(should(term("a")), should(term("b")))),
            ("(a b) c", boolean(should(boolean(should(term("a")), should(term("b")))), should(term("c")))),
            (
                "a AND (b OR c)",
                boolean(must(term("a")), must(boolean(should(term("b")), should(term("c")))))
            ),
            (
                "(a OR b) AND NOT (c d)",
                boolean(
                    must(boolean(should(term("a")), should(term("b")))),
                    mustNot(boolean(should(term("c")), should(term("d"))))
                )
            ),
            ("x(y)", boolean(should(term("x")), should(term("y")))),
            ("x\"y z\"", boolean(should(term("x")), should(phrase("y z")))),
            // Only upper-case operators are operators.
            ("and", term("and")),
            ("a and b", boolean(should(term("a")), should(term("and")), should(term("b")))),
            (
                "a or b Not c",
                boolean(
                    should(term("a")),
                    should(term("or")),
                    should(term("b")),
                    should(term("Not")),
                    should(term("c"))
                )
            ),
            ("ANDROID", term("ANDROID")),
            // Hyphens and pluses inside a word are text.
            ("e-mail c++", boolean(should(term("e-mail")), should(term("c++")))),
            // Fields.
            ("title:mangrove", term("mangrove", "title")),
            ("title.en:mangrove", term("mangrove", "title.en")),
            ("_x9.y:z", term("z", "_x9.y")),
            ("title:\"salt marsh\"", phrase("salt marsh", "title")),
            ("title:mangro*", prefix("mangro", "title")),
            (
                "title:(a \"b c\" d*)",
                boolean(should(term("a", "title")), should(phrase("b c", "title")), should(prefix("d", "title")))
            ),
            ("title:(a OR body:b)", boolean(should(term("a", "title")), should(term("b", "body")))),
            ("title:a b", boolean(should(term("a", "title")), should(term("b")))),
            ("-title:a", boolean(mustNot(term("a", "title")))),
            ("+title:(a)", boolean(must(term("a", "title")))),
            ("NOT title:\"a b\"", boolean(mustNot(phrase("a b", "title")))),
            ("title:AND", term("AND", "title")),
            ("title:-a", term("-a", "title")),
            ("a:b:c", term("b:c", "a")),
            ("AND:x", term("x", "AND")),
            // Colons not preceded by a field name are text.
            ("10:30", term("10:30")),
            // A pasted address is a term, not the field `https` (SearchCore QA).
            ("https://example.org/x", term("https://example.org/x")),
            ("title:http://a.b", term("http://a.b", "title")),
            ("9title:x", term("9title:x")),
            ("ti-tle:x", term("ti-tle:x")),
            ("标题:红树林", term("标题:红树林")),
            ("a\\:b", term("a:b")),
            ("title\\:x", term("title:x")),
            // Prefixes.
            ("mangro*", prefix("mangro")),
            ("m*", prefix("m")),
            ("-mangro* a", boolean(mustNot(prefix("mangro")), should(term("a")))),
            ("红树*", prefix("红树")),
            // Escapes.
            ("a\\*", term("a*")),
            ("\\*", term("*")),
            ("\\\"quoted\\\"", term("\"quoted\"")),
            ("\\(a\\)", term("(a)")),
            ("\\+a", term("+a")),
            ("\\-a", term("-a")),
            ("\\AND", term("AND")),
            ("a\\ b", term("a b")),
            ("a\\\\", term("a\\")),
            ("\"a \\\"b\\\" c\"", phrase("a \"b\" c")),
            ("\"AND (x) -y\"", phrase("AND (x) -y")),
            // Unicode: terms are split on white space (including the ideographic space).
            ("红树林 无人机", boolean(should(term("红树林")), should(term("无人机")))),
            ("红树林\u{3000}无人机", boolean(should(term("红树林")), should(term("无人机")))),
            ("\"红树林 无人机\"", phrase("红树林 无人机")),
            ("café", term("café")),
        ] as [(String, Query)]
    )
    func parsesWithDefaultOr(text: String, expected: Query) throws {
        #expect(try QueryParser().parse(text) == expected)
    }

    // MARK: Default operator AND

    @Test(
        arguments: [
            ("mangrove", term("mangrove")),
            ("a b", boolean(must(term("a")), must(term("b")))),
            ("a b c", boolean(must(term("a")), must(term("b")), must(term("c")))),
            ("a OR b", boolean(should(term("a")), should(term("b")))),
            (
                "a b OR c",
                boolean(should(boolean(must(term("a")), must(term("b")))), should(term("c")))
            ),
            (
                "a OR b c",
                boolean(should(term("a")), should(boolean(must(term("b")), must(term("c")))))
            ),
            ("a -b", boolean(must(term("a")), mustNot(term("b")))),
            ("a NOT b", boolean(must(term("a")), mustNot(term("b")))),
            ("-a b", boolean(mustNot(term("a")), must(term("b")))),
            ("-a", boolean(mustNot(term("a")))),
            ("a AND b c", boolean(must(term("a")), must(term("b")), must(term("c")))),
            (
                "(a b) OR (c d)",
                boolean(
                    should(boolean(must(term("a")), must(term("b")))),
                    should(boolean(must(term("c")), must(term("d"))))
                )
            ),
            ("title:(a b)", boolean(must(term("a", "title")), must(term("b", "title")))),
            ("红树林 无人机", boolean(must(term("红树林")), must(term("无人机")))),
        ] as [(String, Query)]
    )
    func parsesWithDefaultAnd(text: String, expected: Query) throws {
        #expect(try QueryParser(defaultOperator: .and).parse(text) == expected)
    }

    // MARK: Minimum should match

    @Test func carriesMinimumShouldMatchOnTopLevelBoolean() throws {
        let parser = QueryParser(minimumShouldMatch: 2)
        #expect(parser.minimumShouldMatch == 2)
        #expect(
            try parser.parse("a b c")
                == boolean(should(term("a")), should(term("b")), should(term("c")), minimumShouldMatch: 2)
        )
        #expect(
            try parser.parse("+a b c d")
                == boolean(
                    must(term("a")),
                    should(term("b")),
                    should(term("c")),
                    should(term("d")),
                    minimumShouldMatch: 2
                )
        )
    }

    @Test func appliesMinimumShouldMatchOnlyAtTopLevel() throws {
        let parser = QueryParser(minimumShouldMatch: 2)
        let inner = boolean(should(term("a")), should(term("b")), should(term("c")))
        #expect(try parser.parse("(a b c) d") == boolean(should(inner), should(term("d")), minimumShouldMatch: 2))
        #expect(try parser.parse("(a b c)") == inner)
    }

    @Test func clampsMinimumShouldMatchToShouldClauseCount() throws {
        let parser = QueryParser(minimumShouldMatch: 5)
        #expect(try parser.parse("a b") == boolean(should(term("a")), should(term("b")), minimumShouldMatch: 2))
        #expect(try parser.parse("+a b") == boolean(must(term("a")), should(term("b")), minimumShouldMatch: 1))
        #expect(try parser.parse("a AND b") == boolean(must(term("a")), must(term("b"))))
        #expect(try parser.parse("-a") == boolean(mustNot(term("a"))))
        #expect(try parser.parse("a") == term("a"))
        let negative = QueryParser(minimumShouldMatch: -3)
        #expect(try negative.parse("a b") == boolean(should(term("a")), should(term("b"))))
    }

    @Test func defaultsToOrWithoutMinimum() {
        let parser = QueryParser()
        #expect(parser.defaultOperator == .or)
        #expect(parser.minimumShouldMatch == 0)
    }

    // MARK: Errors

    @Test(
        arguments: [
            // Unclosed quote: the opening quote.
            ("\"abc", 0, "closing '\"'"),
            ("a \"b c", 2, "closing '\"'"),
            ("title:\"b c", 6, "closing '\"'"),
            ("\"abc\\", 0, "closing '\"'"),
            ("\"a\" \"b", 4, "closing '\"'"),
            // Unbalanced '(': the '('.
            ("(a b", 0, "')'"),
            ("a (b (c)", 2, "')'"),
            ("(", 0, "')'"),
            ("a (", 2, "')'"),
            ("title:(a", 6, "')'"),
            // Unexpected ')': the ')'.
            ("a)", 1, "the end of the query"),
            ("a b )", 4, "the end of the query"),
            ("(a) )", 4, "the end of the query"),
            (")", 0, "a term"),
            (") a", 0, "a term"),
            // Dangling operator: just after it.
            ("a AND", 5, "a term"),
            ("a AND   ", 5, "a term"),
            ("a OR", 4, "a term"),
            ("NOT", 3, "a term"),
            ("a NOT", 5, "a term"),
            ("(a AND)", 6, "a term"),
            ("(a OR )", 5, "a term"),
            ("(NOT)", 4, "a term"),
            ("a AND OR b", 5, "a term"),
            ("a OR AND b", 4, "a term"),
            ("NOT NOT a", 3, "a term"),
            ("+", 1, "a term"),
            ("a -", 3, "a term"),
            ("+ a", 1, "a term"),
            ("--a", 1, "a term"),
            ("(a -)", 4, "a term"),
            ("-NOT a", 1, "a term"),
            // Operator at the start: the operator.
            ("AND x", 0, "a term"),
            ("OR x", 0, "a term"),
            ("(AND x)", 1, "a term"),
            ("a OR (OR b)", 6, "a term"),
            // Empty field value: just after the colon.
            ("title:", 6, "a term"),
            ("title: x", 6, "a term"),
            ("(title:)", 7, "a term"),
            ("a title.en:", 11, "a term"),
            // Empty parentheses and phrases.
            ("()", 1, "a term"),
            ("a ( )", 4, "a term"),
            ("\"\"", 1, "a term"),
            ("a \"  \"", 3, "a term"),
            // '*'.
            ("*", 0, "a prefix before '*'"),
            ("*abc", 0, "a prefix before '*'"),
            ("a *", 2, "a prefix before '*'"),
            ("title:*", 6, "a prefix before '*'"),
            ("-*", 1, "a prefix before '*'"),
            ("\"a b\"*", 5, "a prefix before '*'"),
            ("a*b", 1, "'*' only at the end of a term"),
            ("ab**", 2, "'*' only at the end of a term"),
            // Trailing backslash: just after it.
            ("abc\\", 4, "a character after '\\'"),
            ("\\", 1, "a character after '\\'"),
            // The first problem in reading order wins.
            ("AND \"x", 0, "a term"),
            ("(a \"b", 3, "closing '\"'"),
        ] as [(String, Int, String)]
    )
    func reportsPositionOfError(text: String, position: Int, expected: String) throws {
        let error = try #require(parseError(text))
        #expect(error.position == position)
        #expect(error.expected == expected)
        #expect(error.message.hasPrefix("expected \(expected)"))
        #expect(error.description == "position \(position): \(error.message)")
    }

    @Test func describesErrorsWithPositionAndExpectation() throws {
        let error = try #require(parseError("mangrove AND"))
        #expect(error == QueryParseError(position: 12, expected: "a term", message: "expected a term after AND"))
        #expect(error.description == "position 12: expected a term after AND")

        let unclosed = try #require(parseError("a b (c d"))
        #expect(unclosed.description == "position 4: expected ')' to close '(' at 4")

        let field = try #require(parseError("title: mangrove"))
        #expect(field.description == "position 6: expected a term after 'title:'")

        let modifier = try #require(parseError("a +"))
        #expect(modifier.message == "expected a term after '+'")

        let start = try #require(parseError("OR mangrove"))
        #expect(start.message == "expected a term before OR")
    }

    /// The typographic quotation marks of the six languages' keyboards make phrases as `"`
    /// does (a QA pass found `«forêts sacrées»` and `「红树林」` searched as words, the marks
    /// echoed back).
    @Test func typographicQuotesMakePhrases() throws {
        let parser = QueryParser()
        for text in ["\"forêts sacrées\"", "«forêts sacrées»", "“forêts sacrées”", "„forêts sacrées“", "「forêts sacrées」", "『forêts sacrées』", "＂forêts sacrées＂"] {
            #expect(try parser.parse(text) == phrase("forêts sacrées"), "\(text)")
        }
        #expect(try parser.parse("title:«coral reef» mangrove") == boolean(should(phrase("coral reef", "title")), should(term("mangrove"))))
        let unclosed = try #require(parseError("«mangrove"))
        #expect(unclosed.message == "expected closing '»' for the phrase opened at 0")
    }

    @Test func reportsErrorsWithDefaultAndAsWithDefaultOr() throws {
        let parser = QueryParser(defaultOperator: .and)
        #expect(try #require(parseError("a b AND", parser: parser)).position == 7)
        #expect(try #require(parseError("a (b c", parser: parser)).position == 2)
        #expect(try #require(parseError("a b)", parser: parser)).position == 3)
    }

    @Test(
        arguments: [
            // 红树林 is 3 characters: the dangling AND ends at 7.
            ("红树林 AND", 7),
            ("红树林 无人机 \"x", 8),
            ("红树林)", 3),
            // "e" + combining acute accent is one Character.
            ("cafe\u{301} \"x", 5),
            // A family emoji is one Character of several scalars.
            ("👩‍👩‍👧 (a", 2),
            ("🇫🇷 title:", 8),
            // CRLF is one Character.
            ("a\r\nAND", 5),
        ] as [(String, Int)]
    )
    func countsPositionsInCharacters(text: String, position: Int) throws {
        let error = try #require(parseError(text))
        #expect(error.position == position)
        #expect(error.position <= text.count)
    }

    // MARK: Nesting

    @Test func acceptsNestingUpToTheLimit() throws {
        let depth = QueryParser.maximumNesting
        let text = String(repeating: "(", count: depth) + "a" + String(repeating: ")", count: depth)
        #expect(try QueryParser().parse(text) == term("a"))
    }

    @Test func rejectsNestingBeyondTheLimitWithoutExhaustingTheStack() throws {
        let tooDeep =
            String(repeating: "(", count: QueryParser.maximumNesting + 1) + "a"
            + String(repeating: ")", count: QueryParser.maximumNesting + 1)
        let error = try #require(parseError(tooDeep))
        #expect(error.position == QueryParser.maximumNesting)

        let absurd = String(repeating: "-(", count: 100_000)
        #expect(try #require(parseError(absurd)).position == 2 * QueryParser.maximumNesting + 1)
    }

    // MARK: Size

    /// A query of more words than a person types is refused where the extra words start, as
    /// are too many words that expand (`*`, `~`); words of phrases and CJK pairs count.
    @Test func rejectsQueriesOfTooManyWords() throws {
        let limit = QueryParser.maximumWords
        let most = Array(repeating: "coral", count: limit).joined(separator: " ")
        #expect(throws: Never.self) { try QueryParser().parse(most) }
        let tooMany = most + " reef"
        #expect(try #require(parseError(tooMany)).position == most.count + 1)
        // Inside quotes and in a CJK run, the position is where the limit is crossed too (it
        // was the quote's, or the run's start).
        #expect(try #require(parseError("\"" + most + " reef\"")).position == most.count + 2)
        // A run's first n characters are n - 1 pairs: the one too many ends at character
        // `limit + 1` (0-based), after a word one sooner; mixed and escaped tokens too.
        #expect(try #require(parseError(String(repeating: "红", count: limit + 2))).position == limit + 1)
        #expect(try #require(parseError("coral " + String(repeating: "红", count: limit + 2))).position == 6 + limit)
        let words255 = Array(repeating: "coral", count: limit - 1).joined(separator: " ")
        #expect(try #require(parseError(words255 + " xyz红红红")).position == words255.count + 1 + 3)
        #expect(try #require(parseError(words255 + " x\\ y z")).position == words255.count + 1 + 5)
        #expect(try #require(parseError(#""\" "# + most + "\"")).position == 0)
        let expanding = (0...QueryParser.maximumExpandingWords).map { "a\($0)*" }.joined(separator: " ")
        let error = try #require(parseError(expanding))
        #expect(error.message.contains("* or ~"), "\(error)")
        #expect(throws: Never.self) { try QueryParser().parse((1...QueryParser.maximumExpandingWords).map { "a\($0)~" }.joined(separator: " ")) }
    }

    // MARK: Random queries

    @Test(.timeLimit(.minutes(3)))
    func randomQueriesParseOrFailWithAPosition() {
        let pieces = [
            "mangrove", "nursery", "a", "and", "AND", "OR", "NOT", "\"", "(", ")", "+", "-", ":", "*",
            " ", " ", " ", "  ", "title", "title.en:", "10:30", "\\", "红树林", "无人机", "\u{3000}", "é",
            "\u{301}", "👩‍👩‍👧", "\t", "^", "^2", "^0.5", "~", "~1",
        ]
        var generator = SplitMix64(state: 0x5EED_CAFE)
        var parsed = 0
        var failed = 0
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...12, using: &generator)
            let text = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            for parser in [QueryParser(), QueryParser(defaultOperator: .and, minimumShouldMatch: 2)] {
                do {
                    let query = try parser.parse(text)
                    parsed += 1
                    #expect(isMinimal(query), "\(text.debugDescription) parsed to \(query)")
                } catch {
                    failed += 1
                    #expect((0...text.count).contains(error.position), "\(text.debugDescription): \(error)")
                    #expect(error.message.hasPrefix("expected \(error.expected)"), "\(error)")
                    #expect(!error.expected.isEmpty)
                }
            }
        }
        // The generator must exercise both outcomes to mean anything.
        #expect(parsed > 200)
        #expect(failed > 200)
    }
}
