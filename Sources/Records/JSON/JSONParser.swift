// A small pull parser for JSON (RFC 8259) that keeps the line and column of every value,
// so that a validation error can point at the exact place in the publisher's file. It reads
// from a ByteSource, so callers can stream the elements of a huge top-level array one at a
// time.

/// A parsed JSON value with the position where it starts.
package struct JSONNode {
    /// An object member: its key, where the key starts, and its value.
    package struct Member {
        /// The key.
        package var key: String
        /// Where the key starts.
        package var line: Int
        package var column: Int
        /// The value.
        package var value: JSONNode

        package init(key: String, line: Int, column: Int, value: JSONNode) {
            self.key = key
            self.line = line
            self.column = column
            self.value = value
        }
    }

    /// A JSON value, its members and items with their positions.
    package enum Value {
        case null
        case bool(Bool)
        case number(String)
        case string(String)
        /// A string longer than ``RecordLimits/maximumTextBytes``: skipped, not kept. The
        /// validator refuses the record, naming the field.
        case oversizedString
        case array([JSONNode])
        case object([Member])
    }

    /// The value.
    package var value: Value
    /// Where the value starts (1-based; columns count characters).
    package var line: Int
    package var column: Int

    package init(value: Value, line: Int, column: Int) {
        self.value = value
        self.line = line
        self.column = column
    }

    /// The plain value, positions dropped.
    package var jsonValue: JSONValue {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .number(let text): return .number(text)
        case .string(let text): return .string(text)
        case .oversizedString: return .null  // never stored: the record is invalid
        case .array(let items): return .array(items.map(\.jsonValue))
        case .object(let members): return .object(members.map { ($0.key, $0.value.jsonValue) })
        }
    }

    /// A short name of the value's type, for messages ("expected a string, found an array").
    package var typeName: String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string, .oversizedString: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON syntax error at a position.
package struct JSONSyntaxError: Error {
    /// Where the error is (1-based; columns count characters).
    package var line: Int
    package var column: Int
    /// What is wrong.
    package var message: String
}

/// Parses JSON from a ``ByteSource``, tracking line and column.
///
/// Memory stays bounded by ``RecordLimits``: a string longer than the text limit is skipped
/// rather than kept (it comes back as ``JSONNode/Value/oversizedString``), and a record
/// (started with ``beginRecord()``) that grows past the record limit or holds too many
/// values stops the parse as soon as the limit is crossed.
package struct JSONParser {
    /// Nesting deeper than this is refused (no record needs it, and it guards the stack).
    static let maximumDepth = 256

    let source: ByteSource
    let limits: RecordLimits
    package private(set) var line: Int
    package private(set) var column: Int
    /// The current record: where it starts (`source.consumed`, line, column) and how many
    /// values it holds so far.
    private var recordStart: Int
    private var recordLine: Int
    private var recordColumn: Int
    private var values = 0

    /// A parser of `source`, whose first byte is at `line` and `column`.
    package init(source: ByteSource, line: Int = 1, column: Int = 1, limits: RecordLimits = .default) {
        self.source = source
        self.limits = limits
        self.line = line
        self.column = column
        recordStart = source.consumed
        recordLine = line
        recordColumn = column
    }

    // MARK: Bytes

    /// Consumes one byte and moves the position. A line ends at `\n`, `\r\n` or a lone
    /// `\r`; columns count characters, not bytes.
    @inline(__always)
    private mutating func advance() -> UInt8? {
        guard let byte = source.next() else { return nil }
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte == UInt8(ascii: "\r") {
            // A lone \r ends a line; in \r\n, the \n does.
            if source.peek() != UInt8(ascii: "\n") {
                line += 1
                column = 1
            }
        } else if byte & 0xC0 != 0x80 {
            // Continuation bytes do not move the column.
            column += 1
        }
        return byte
    }

    // MARK: Record limits

    /// Starts a record at the next significant byte: its size and values are counted from
    /// there.
    package mutating func beginRecord() {
        _ = peekSignificant()
        recordStart = source.consumed
        recordLine = line
        recordColumn = column
        values = 0
    }

    /// Throws if the current record has grown past ``RecordLimits/maximumRecordBytes``.
    @inline(__always)
    mutating func checkRecordSize() throws(JSONSyntaxError) {
        if source.consumed - recordStart > limits.maximumRecordBytes {
            throw error(limits.recordTooLongMessage, line: recordLine, column: recordColumn)
        }
    }

    /// Skips white space and returns the next significant byte without consuming it.
    package mutating func peekSignificant() -> UInt8? {
        while let byte = source.peek() {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: _ = advance()
            default: return byte
            }
        }
        return nil
    }

    package func error(_ message: String, line: Int? = nil, column: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(line: line ?? self.line, column: column ?? self.column, message: message)
    }

    /// Consumes `byte` (after white space) or throws "expected ...".
    package mutating func expect(_ byte: UInt8, _ what: String) throws(JSONSyntaxError) {
        guard let found = peekSignificant() else { throw error("unexpected end of input; expected \(what)") }
        guard found == byte else { throw error("expected \(what), found \(Self.describe(found))") }
        _ = advance()
    }

    /// Consumes the next significant byte if it is `byte`.
    package mutating func consume(_ byte: UInt8) -> Bool {
        guard peekSignificant() == byte else { return false }
        _ = advance()
        return true
    }

    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        if byte == 0 { return "a NUL byte (is the file UTF-16? records are read as UTF-8)" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    /// What a file that starts with `byte` is, when that byte says it is no UTF-8 text
    /// (gzip's magic number, a UTF-16 byte order mark), and what to do; nil otherwise.
    package static func foreignStart(_ byte: UInt8) -> String? {
        switch byte {
        case 0x1F: "the file is compressed (gzip); decompress it first (gunzip FILE)"
        case 0xFE, 0xFF: "the file is UTF-16 (it starts with a UTF-16 byte order mark); re-encode it as UTF-8 (iconv -f UTF-16 -t UTF-8)"
        default: nil
        }
    }

    // MARK: Values

    /// Parses one complete value.
    package mutating func parseValue(depth: Int = 0) throws(JSONSyntaxError) -> JSONNode {
        guard let byte = peekSignificant() else { throw error("unexpected end of input; expected a value") }
        let startLine = line
        let startColumn = column
        guard depth < Self.maximumDepth else {
            throw error("values are nested more than \(Self.maximumDepth) deep")
        }
        try checkRecordSize()
        values += 1
        if values > limits.maximumValuesPerRecord {
            throw error(limits.tooManyValuesMessage, line: recordLine, column: recordColumn)
        }
        let value: JSONNode.Value
        switch byte {
        case UInt8(ascii: "{"):
            _ = advance()
            var members: [JSONNode.Member] = []
            var keys = Set<String>()
            if !consume(UInt8(ascii: "}")) {
                repeat {
                    let member = try parseMember(depth: depth)
                    guard keys.insert(member.key).inserted else {
                        throw error("duplicate key \"\(member.key)\"", line: member.line, column: member.column)
                    }
                    members.append(member)
                } while consume(UInt8(ascii: ","))
                try expect(UInt8(ascii: "}"), "',' or '}' after an object member")
            }
            value = .object(members)
        case UInt8(ascii: "["):
            _ = advance()
            var items: [JSONNode] = []
            if !consume(UInt8(ascii: "]")) {
                repeat {
                    items.append(try parseValue(depth: depth + 1))
                } while consume(UInt8(ascii: ","))
                try expect(UInt8(ascii: "]"), "',' or ']' after an array element")
            }
            value = .array(items)
        case UInt8(ascii: "\""):
            value = try parseStringValue().map(JSONNode.Value.string) ?? .oversizedString
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            value = .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            value = .bool(false)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            value = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            value = .number(try parseNumber())
        default:
            throw error("expected a value, found \(Self.describe(byte))")
        }
        return JSONNode(value: value, line: startLine, column: startColumn)
    }

    /// Parses `"key": value`.
    mutating func parseMember(depth: Int) throws(JSONSyntaxError) -> JSONNode.Member {
        guard let byte = peekSignificant() else { throw error("unexpected end of input; expected an object key") }
        guard byte == UInt8(ascii: "\"") else {
            throw error("expected an object key in double quotes, found \(Self.describe(byte))")
        }
        let keyLine = line
        let keyColumn = column
        let key = try parseString()
        try expect(UInt8(ascii: ":"), "':' after an object key")
        let value = try parseValue(depth: depth + 1)
        return JSONNode.Member(key: key, line: keyLine, column: keyColumn, value: value)
    }

    private mutating func parseLiteral(_ word: StaticString) throws(JSONSyntaxError) {
        let startColumn = column
        let bytes = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for expected in bytes {
            guard advance() == expected else {
                throw error("invalid literal; expected '\(word)'", column: startColumn)
            }
        }
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let startColumn = column
        var text: [UInt8] = []
        func isDigit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
        /// Consumes a run of digits, refusing a number longer than the text limit.
        func digits(_ parser: inout JSONParser) throws(JSONSyntaxError) {
            while isDigit(parser.source.peek()) {
                text.append(parser.advance() ?? 0)
                if text.count > parser.limits.maximumTextBytes {
                    throw parser.error(parser.limits.numberTooLongMessage, column: startColumn)
                }
            }
        }
        if source.peek() == UInt8(ascii: "-") { text.append(advance() ?? 0) }
        guard isDigit(source.peek()) else { throw error("invalid number: expected a digit", column: startColumn) }
        if source.peek() == UInt8(ascii: "0") {
            text.append(advance() ?? 0)
            if isDigit(source.peek()) { throw error("invalid number: leading zero", column: startColumn) }
        } else {
            try digits(&self)
        }
        if source.peek() == UInt8(ascii: ".") {
            text.append(advance() ?? 0)
            guard isDigit(source.peek()) else {
                throw error("invalid number: expected a digit after '.'", column: startColumn)
            }
            try digits(&self)
        }
        if source.peek() == UInt8(ascii: "e") || source.peek() == UInt8(ascii: "E") {
            text.append(advance() ?? 0)
            if source.peek() == UInt8(ascii: "+") || source.peek() == UInt8(ascii: "-") {
                text.append(advance() ?? 0)
            }
            guard isDigit(source.peek()) else {
                throw error("invalid number: expected a digit in the exponent", column: startColumn)
            }
            try digits(&self)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Parses a string literal that must be kept whole (an object key); the opening quote is
    /// next. A key longer than the text limit is an error.
    package mutating func parseString() throws(JSONSyntaxError) -> String {
        let startLine = line
        let startColumn = column
        guard let text = try parseStringValue() else {
            throw error(limits.textTooLongMessage, line: startLine, column: startColumn)
        }
        return text
    }

    /// Parses a string literal; the opening quote is next. A string longer than
    /// ``RecordLimits/maximumTextBytes`` (decoded) is read to its end but not kept, and comes
    /// back as nil.
    mutating func parseStringValue() throws(JSONSyntaxError) -> String? {
        let startLine = line
        let startColumn = column
        _ = advance()  // opening quote
        var bytes: [UInt8] = []
        var isASCII = true
        var oversized = false
        let maximumBytes = limits.maximumTextBytes
        // What the record may still grow by, counted here rather than read from the source
        // at every byte.
        var budget = limits.maximumRecordBytes - (source.consumed - recordStart)
        while true {
            // The plain run up to the next quote, escape or control byte, in bulk (at most
            // one byte past the record limit, where the parse stops).
            let run = source.takeStringRun(into: &bytes, maximum: max(budget, 0) + 1)
            if run.count > 0 {
                column += run.characters
                budget -= run.count
                if !run.isASCII { isASCII = false }
                if bytes.count > maximumBytes {
                    oversized = true
                    bytes.removeAll(keepingCapacity: true)
                }
                if budget < 0 { try checkRecordSize() }
            }
            budget -= 1
            guard let byte = advance() else {
                throw error("unterminated string (it starts here)", line: startLine, column: startColumn)
            }
            switch byte {
            case UInt8(ascii: "\""):
                if oversized { return nil }
                guard isASCII || UTF8Validation.isValid(bytes) else {
                    throw error(
                        "string is not valid UTF-8; re-encode the file as UTF-8",
                        line: startLine, column: startColumn)
                }
                return String(decoding: bytes, as: UTF8.self)
            case UInt8(ascii: "\\"):
                let before = source.consumed
                try parseEscape(into: &bytes)
                budget -= source.consumed - before
            case 0x00..<0x20:
                if byte == 0x0A || byte == 0x0D {
                    // A raw line break: the string runs past the end of its line.
                    throw error("unterminated string (it starts here)", line: startLine, column: startColumn)
                }
                // The column of the character itself (advance() has moved past it).
                let code = String(byte, radix: 16, uppercase: true)
                let named = byte == 0 ? "a NUL byte" : "a control character (byte 0x\(code.count == 1 ? "0" : "")\(code))"
                throw error(
                    "\(named) in a string must be escaped (\\u\(String(repeating: "0", count: 4 - code.count))\(code))", column: column - 1)
            default:
                if byte >= 0x80 { isASCII = false }
                bytes.append(byte)
            }
            if bytes.count > maximumBytes {
                // Too long to keep: read on to the closing quote, keeping nothing.
                oversized = true
                bytes.removeAll(keepingCapacity: true)
            }
            if budget < 0 { try checkRecordSize() }
        }
    }

    private mutating func parseEscape(into bytes: inout [UInt8]) throws(JSONSyntaxError) {
        let escapeColumn = column - 1
        guard let byte = advance() else { throw error("unexpected end of input in an escape") }
        if let unescaped = JSONEscapes.character(escapedBy: byte) {
            bytes.append(unescaped)
            return
        }
        switch byte {
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard advance() == UInt8(ascii: "\\"), advance() == UInt8(ascii: "u") else {
                    throw error("unpaired UTF-16 surrogate in \\u escape", column: escapeColumn)
                }
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else {
                    throw error("unpaired UTF-16 surrogate in \\u escape", column: escapeColumn)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw error("unpaired UTF-16 surrogate in \\u escape", column: escapeColumn)
            }
            guard let unicode = Unicode.Scalar(scalar) else {
                throw error("invalid \\u escape", column: escapeColumn)
            }
            bytes.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            throw error("invalid escape '\\\(Character(Unicode.Scalar(byte)))'", column: escapeColumn)
        }
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = advance() else { throw error("unexpected end of input in a \\u escape") }
            guard let digit = JSONEscapes.hexDigit(byte) else {
                throw error("invalid hex digit in a \\u escape", column: column - 1)
            }
            value = value << 4 | digit
        }
        return value
    }

    /// The `id` of the record whose text begins with `bytes` (the part of an over-long line
    /// that was read), when its `id` member comes before the cut; nil otherwise. Lets the
    /// error about a line that is too long name its record.
    static func leadingRecordID(in bytes: [UInt8], limits: RecordLimits) -> String? {
        var parser = JSONParser(source: ByteSource(bytes: bytes), limits: limits)
        guard parser.consume(UInt8(ascii: "{")) else { return nil }
        do {
            repeat {
                guard parser.peekSignificant() == UInt8(ascii: "\"") else { return nil }
                let key = try parser.parseString()
                try parser.expect(UInt8(ascii: ":"), "':'")
                let value = try parser.parseValue(depth: 1)
                if key == "id" {
                    guard case .string(let id) = value.value, RecordValidator.isValidID(id) else { return nil }
                    return id
                }
            } while parser.consume(UInt8(ascii: ","))
        } catch {
            return nil
        }
        return nil
    }

    /// Throws unless only white space remains; `expected` names what should come instead
    /// ("the end of the file", "the end of the line").
    package mutating func expectEnd(_ expected: String) throws(JSONSyntaxError) {
        if let byte = peekSignificant() {
            throw error("found \(Self.describe(byte)) after the record; expected \(expected)")
        }
    }
}

/// Strict UTF-8 validation (no overlong forms, no surrogates, nothing above U+10FFFF).
enum UTF8Validation {
    static func isValid(_ bytes: [UInt8]) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var minimum: UInt32
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(lead & 0x07)
            default: return false
            }
            guard index + length <= count else { return false }
            for offset in 1..<length {
                let next = bytes[index + offset]
                guard next & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return false }
            index += length
        }
        return true
    }
}

/// The escapes of JSON strings, shared by the parsers (of files, and of stored records).
package enum JSONEscapes {
    /// The byte that `\x` stands for, for every escape but `\u`; nil for anything else.
    package static func character(escapedBy byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return byte
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        default: return nil
        }
    }

    /// The value of a hexadecimal digit (either case); nil for any other byte.
    package static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - 0x30)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - 0x61 + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - 0x41 + 10)
        default: return nil
        }
    }
}
