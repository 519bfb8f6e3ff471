// The positioned JSON parser: values, positions, and every way input can be malformed.
import Testing

@testable import ClearingHouse

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let node = try parseJSON(#"{"a": [1, true, false, null, "x"], "b": {"c": -0.5e+3}, "d": {}, "e": []}"#)
        #expect(
            node.jsonValue
                == .object([
                    ("a", .array([.number("1"), .bool(true), .bool(false), .null, .string("x")])),
                    ("b", .object([("c", .number("-0.5e+3"))])),
                    ("d", .object([])),
                    ("e", .array([])),
                ]))
    }

    @Test func keepsObjectMembersInFileOrder() throws {
        let node = try parseJSON(#"{"zebra": 1, "apple": 2, "mango": 3}"#)
        guard case .object(let members) = node.value else {
            Issue.record("expected an object")
            return
        }
        #expect(members.map(\.key) == ["zebra", "apple", "mango"])
    }

    @Test func recordsLineAndColumnOfNestedValues() throws {
        let text = """
            {
              "outer": {
                "list": [10,
                  "é", {"deep": true}]
              }
            }
            """
        let root = try parseJSON(text)
        #expect(root.line == 1 && root.column == 1)
        guard case .object(let rootMembers) = root.value, let outer = rootMembers.first else {
            Issue.record("expected an object with a member")
            return
        }
        #expect(outer.key == "outer" && outer.line == 2 && outer.column == 3)
        #expect(outer.value.line == 2 && outer.value.column == 12)
        guard case .object(let outerMembers) = outer.value.value, let list = outerMembers.first else {
            Issue.record("expected \"outer\" to be an object")
            return
        }
        #expect(list.line == 3 && list.column == 5)
        #expect(list.value.line == 3 && list.value.column == 13)
        guard case .array(let items) = list.value.value, items.count == 3 else {
            Issue.record("expected a three-element array")
            return
        }
        #expect(items[0].line == 3 && items[0].column == 14)
        #expect(items[1].line == 4 && items[1].column == 7)
        // "é" is one character: the column after it counts characters, not bytes.
        #expect(items[2].line == 4 && items[2].column == 12)
        guard case .object(let deepMembers) = items[2].value, let deep = deepMembers.first else {
            Issue.record("expected an object")
            return
        }
        #expect(deep.line == 4 && deep.column == 13)
        #expect(deep.value.line == 4 && deep.value.column == 21)
    }

    @Test func rejectsDuplicateKeysAtTheSecondKey() throws {
        let error = try #require(syntaxError("{\"a\": 1,\n \"b\": 2,\n  \"a\": 3}"))
        #expect(error.message == "duplicate key \"a\"")
        #expect(error.line == 3 && error.column == 3)
    }

    @Test func rejectsDuplicateKeysInNestedObjects() throws {
        let error = try #require(syntaxError(#"[{"x": {"k": 1, "k": 1}}]"#))
        #expect(error.message.contains("duplicate key \"k\""))
        #expect(error.column == 17)
    }

    @Test(arguments: [
        [0xC3, 0x28] as [UInt8],  // lead byte followed by ASCII
        [0x80],  // lone continuation byte
        [0xC0, 0xAF],  // overlong "/"
        [0xED, 0xA0, 0x80],  // UTF-16 surrogate encoded in UTF-8
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0xFF],
        [0xE4, 0xB8],  // truncated three-byte sequence
    ])
    func rejectsInvalidUTF8InsideAStringNamingItsLine(sequence: [UInt8]) throws {
        let bytes = Array("[\n  \"fine\",\n  \"bad ".utf8) + sequence + Array(" text\"\n]".utf8)
        let error = try #require(syntaxError(bytes: bytes))
        #expect(error.line == 3)
        #expect(error.column == 3)
        #expect(error.message.contains("UTF-8"))
    }

    @Test func acceptsValidMultibyteUTF8() throws {
        let node = try parseJSON(#"["红树林", "Pépinière", "🌿", "مانغروف"]"#)
        #expect(node.jsonValue == .array([.string("红树林"), .string("Pépinière"), .string("🌿"), .string("مانغروف")]))
    }

    @Test(arguments: [
        ("{\"a\": [1, 2", 1, "unexpected end of input"),
        ("{\n\"a\": [1,\n", 3, "unexpected end of input"),
        ("{\"a\"", 1, "unexpected end of input"),
        ("{\"a\":", 1, "unexpected end of input"),
        ("[1 2]", 1, "expected ',' or ']'"),
        ("", 1, "unexpected end of input"),
        ("[tru]", 1, "invalid literal"),
        ("{a: 1}", 1, "expected an object key in double quotes"),
        ("[1,]", 1, "expected a value"),
    ])
    func reportsMalformedInputWithItsLine(text: String, line: Int, message: String) throws {
        let error = try #require(syntaxError(text))
        #expect(error.line == line)
        #expect(error.message.contains(message), "message was: \(error.message)")
    }

    @Test func unterminatedStringPointsAtItsStart() throws {
        let error = try #require(syntaxError("[\"ok\",\n   \"never closed"))
        #expect(error.message.contains("unterminated string"))
        #expect(error.line == 2 && error.column == 4)
    }

    @Test func stringsCannotSpanLines() throws {
        let error = try #require(syntaxError("[\"first\nsecond\"]"))
        #expect(error.message.contains("unterminated string"))
        #expect(error.line == 1 && error.column == 2)
    }

    @Test func rejectsUnescapedControlCharacters() throws {
        let error = try #require(syntaxError(bytes: Array("[\"a".utf8) + [0x01] + Array("b\"]".utf8)))
        #expect(error.message.contains("control character"))
    }

    @Test func refusesNestingDeeperThanTheLimitWithoutCrashing() throws {
        let error = try #require(syntaxError(String(repeating: "[", count: 100_000)))
        #expect(error.message.contains("nested more than \(JSONParser.maximumDepth) deep"))
        #expect(error.line == 1)

        let objects = String(repeating: "{\"a\":", count: 100_000)
        let objectError = try #require(syntaxError(objects))
        #expect(objectError.message.contains("nested more than"))
    }

    @Test func acceptsNestingUpToTheLimit() throws {
        let depth = JSONParser.maximumDepth
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(syntaxError(deepest) == nil)
        let tooDeep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        #expect(syntaxError(tooDeep) != nil)
    }

    @Test(arguments: [
        (#""\ud83c\udf3f""#, "🌿"),
        (#""\uD83D\uDE00 ok""#, "😀 ok"),
        (#""\u00e9\u4E2D""#, "é中"),
        (#""\u0041\u0000B""#, "A\u{0}B"),
    ])
    func decodesUnicodeEscapesAndSurrogatePairs(json: String, expected: String) throws {
        #expect(try parseJSON(json).jsonValue == .string(expected))
    }

    @Test(arguments: [#""\ud83c""#, #""\udf3f""#, #""\ud83c\u0041""#, #""\ud83cx""#, #""\u12G4""#])
    func rejectsBadUnicodeEscapes(json: String) throws {
        let error = try #require(syntaxError(json))
        #expect(error.message.contains("surrogate") || error.message.contains("hex digit"))
    }

    @Test func decodesSimpleEscapes() throws {
        let node = try parseJSON(#""q\" b\\ s\/ n\n t\t r\r b\b f\f""#)
        #expect(node.jsonValue == .string("q\" b\\ s/ n\n t\t r\r b\u{8} f\u{C}"))
        let error = try #require(syntaxError(#"["\x"]"#))
        #expect(error.message.contains("invalid escape"))
    }

    @Test(arguments: ["1.50", "-0", "0", "1e10", "2.5E-3", "100", "-12.000", "6.02e+23", "123456789012345678901234567890"])
    func keepsNumbersVerbatim(text: String) throws {
        #expect(try parseJSON("[\(text)]").jsonValue == .array([.number(text)]))
    }

    @Test(arguments: ["01", "1.", "-", ".5", "1e", "+1", "1.e3", "0x10", "NaN"])
    func rejectsMalformedNumbers(text: String) {
        #expect(syntaxError("[\(text)]") != nil)
    }

    @Test func rejectsTrailingContent() throws {
        let error = try #require(syntaxError("{} {}"))
        #expect(error.message.contains("after the record"))
        #expect(error.column == 4)
    }
}
