// The positioned JSON parser: values, positions, and every way input can be malformed.
import Testing

@testable import ClearingHouse
@testable import Records

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
                ])
        )
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

    @Test func aLoneCarriageReturnEndsALineLikeLineFeedAndCRLF() throws {
        // Old Mac OS line endings (\r), Windows (\r\n) and Unix (\n), mixed: each is one line.
        let root = try parseJSON("{\r\"a\":\r\r  5,\r\n\"b\": \n[\r\n\r  true]}")
        guard case .object(let members) = root.value, members.count == 2 else {
            Issue.record("expected an object with two members")
            return
        }
        #expect(members[0].line == 2 && members[0].column == 1)
        #expect(members[0].value.line == 4 && members[0].value.column == 3)
        #expect(members[1].line == 5 && members[1].column == 1)
        guard case .array(let items) = members[1].value.value, let item = items.first else {
            Issue.record("expected an array")
            return
        }
        #expect(members[1].value.line == 6 && members[1].value.column == 1)
        #expect(item.line == 8 && item.column == 3)
        // An error after lone carriage returns names the right line and column.
        let error = try #require(syntaxError("[1,\r2,\r\r  x]"))
        #expect(error.line == 4 && error.column == 3)
    }

    @Test func aRawCarriageReturnInAStringIsAnUnterminatedString() throws {
        let error = try #require(syntaxError("[\"first\rsecond\"]"))
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

    @Test(arguments: [
        "1.50", "-0", "0", "1e10", "2.5E-3", "100", "-12.000", "6.02e+23", "123456789012345678901234567890",
    ])
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

    @Test(arguments: 0..<8)
    func writtenValuesParseBackUnchanged(seed: Int) throws {
        // A property over random values: compact and indented output both parse back to the
        // value that was written (strings with escapes and any Unicode, verbatim numbers).
        var generator = SeededGenerator(seed: UInt64(seed))
        for _ in 0..<50 {
            let value = JSONValue.random(depth: 4, using: &generator)
            #expect(try parseJSON(value.description).jsonValue == value)
            #expect(try parseJSON(value.prettyDescription).jsonValue == value)
        }
    }
}

/// SplitMix64: a small deterministic generator, so a failing case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension JSONValue {
    static let sampleNumbers = ["0", "-0", "1.50", "-12.000", "6.02e+23", "1E-7", "123456789012345678901234567890"]
    static let sampleScalars: [Unicode.Scalar] = [
        "a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "中", "ع", "🌿", "\u{FFFF}",
        "\u{10FFFF}",
    ]

    static func random(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let choice = Int.random(in: 0..<(depth > 0 ? 7 : 5), using: &generator)
        switch choice {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2: return .number(sampleNumbers.randomElement(using: &generator) ?? "0")
        case 3, 4: return .string(randomString(using: &generator))
        case 5:
            return .array(
                (0..<Int.random(in: 0...4, using: &generator)).map { _ in random(depth: depth - 1, using: &generator) }
            )
        default:
            var keys = Set<String>()
            var members: [(String, JSONValue)] = []
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                let key = randomString(using: &generator)
                if keys.insert(key).inserted { members.append((key, random(depth: depth - 1, using: &generator))) }
            }
            return .object(members)
        }
    }

    static func randomString(using generator: inout SeededGenerator) -> String {
        var text = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...8, using: &generator) {
            text.append(sampleScalars.randomElement(using: &generator) ?? "a")
        }
        return String(text)
    }
}
