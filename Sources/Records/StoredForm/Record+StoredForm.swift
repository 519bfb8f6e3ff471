// Reading records back from the catalog. The catalog holds only canonical JSON that chm wrote
// itself (`Record.canonicalJSON`) from records that were validated on the way in, so reading
// it back is a plain decode: no positions, no diagnostics, no validation. (A record from a
// file goes through `JSONParser` and `RecordValidator` instead.) Damage is still caught: text
// that is not JSON, or not shaped like a record, is an error, never a crash.

extension Record {
    /// Decodes a record from its stored form, the canonical JSON that the catalog holds.
    ///
    /// This is the trusted path: the text was written by ``canonicalJSONText`` from a record
    /// that was validated when it was ingested, so it is decoded without being validated
    /// again. Text that is not a record's canonical JSON (damaged storage) throws.
    public init(storedJSON json: String) throws(StoredFormError) {
        var json = json
        let decoded = json.withUTF8 { bytes -> Result<Record, StoredFormError> in
            var reader = CompactJSONReader(bytes: bytes)
            do throws(StoredFormError) {
                return .success(try Record(canonical: try reader.readDocument()))
            } catch {
                return .failure(error)
            }
        }
        self = try decoded.get()
    }

    /// The record of a canonical JSON object.
    init(canonical value: JSONValue) throws(StoredFormError) {
        guard case .object(let members) = value else { throw StoredFormError(message: "not an object") }
        var fields: [String: JSONValue] = [:]
        fields.reserveCapacity(members.count)
        for (key, value) in members { fields[key] = value }
        func string(_ value: JSONValue?) throws(StoredFormError) -> String? {
            switch value {
            case nil, .null?: return nil
            case .string(let text)?: return text
            default: throw StoredFormError(message: "a string was expected")
            }
        }
        func strings(_ name: String) throws(StoredFormError) -> [String] {
            guard let value = fields[name] else { return [] }
            guard case .array(let values) = value else { throw StoredFormError(message: "\(name) is not an array") }
            var result: [String] = []
            result.reserveCapacity(values.count)
            for value in values {
                guard case .string(let text) = value else { throw StoredFormError(message: "\(name) holds a non-string") }
                result.append(text)
            }
            return result
        }
        func localized(_ name: String) throws(StoredFormError) -> LocalizedText {
            guard let value = fields[name] else { return LocalizedText() }
            guard case .object(let members) = value else { throw StoredFormError(message: "\(name) is not an object") }
            var texts: [String: String] = [:]
            for (tag, text) in members {
                guard case .string(let text) = text else { throw StoredFormError(message: "\(name).\(tag) is not a string") }
                texts[tag] = text
            }
            return LocalizedText(texts)
        }
        func objects(_ name: String) throws(StoredFormError) -> [[String: JSONValue]] {
            guard let value = fields[name] else { return [] }
            guard case .array(let values) = value else { throw StoredFormError(message: "\(name) is not an array") }
            var result: [[String: JSONValue]] = []
            for value in values {
                guard case .object(let members) = value else { throw StoredFormError(message: "\(name) holds a non-object") }
                result.append(Dictionary(members, uniquingKeysWith: { _, last in last }))
            }
            return result
        }
        guard let id = try string(fields["id"]) else { throw StoredFormError(message: "no id") }
        guard let kindName = try string(fields["kind"]), let kind = RecordKind(rawValue: kindName) else {
            throw StoredFormError(message: "\(id): no known kind")
        }
        var organizations: [Organization] = []
        for object in try objects("organizations") {
            guard let name = try string(object["name"]) else { throw StoredFormError(message: "\(id): an organization has no name") }
            organizations.append(
                Organization(name: name, role: try string(object["role"]), country: try string(object["country"]), url: try string(object["url"])))
        }
        var links: [Link] = []
        for object in try objects("links") {
            guard let url = try string(object["url"]) else { throw StoredFormError(message: "\(id): a link has no url") }
            links.append(Link(url: url, title: try string(object["title"]), language: try string(object["language"])))
        }
        var source: Source?
        if let value = fields["source"] {
            guard case .object(let members) = value else { throw StoredFormError(message: "\(id): source is not an object") }
            let object = Dictionary(members, uniquingKeysWith: { _, last in last })
            source = Source(system: try string(object["system"]), url: try string(object["url"]), originalId: try string(object["originalId"]))
        }
        var extensions: [String: JSONValue] = [:]
        if let value = fields["extensions"] {
            guard case .object(let members) = value else { throw StoredFormError(message: "\(id): extensions is not an object") }
            extensions = Dictionary(members, uniquingKeysWith: { _, last in last })
        }
        self.init(
            id: id, kind: kind, language: try string(fields["language"]) ?? LanguageTag.undetermined,
            title: try localized("title"), summary: try localized("summary"), description: try localized("description"),
            keywords: try strings("keywords"), themes: try strings("themes"), targets: try strings("targets"),
            countries: try strings("countries"), regions: try strings("regions"),
            assistanceTypes: try strings("assistanceTypes"), organizations: organizations, links: links,
            published: try string(fields["published"]), updated: try string(fields["updated"]),
            license: try string(fields["license"]), source: source, related: try strings("related"),
            extensions: extensions)
    }
}

/// What is wrong with text that should be a record's stored form (canonical JSON).
public struct StoredFormError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was found, and where (a byte offset).
    public let message: String

    /// The error's ``message``.
    public var description: String { message }
}

/// A reader of JSON text held in memory, for text that chm wrote itself: it keeps no
/// positions and builds `JSONValue`s directly. Any JSON is accepted (white space included);
/// anything else throws.
struct CompactJSONReader: ~Copyable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// Nesting is bounded, so that damaged text cannot overflow the stack.
    private var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Reads one value that fills the whole text.
    mutating func readDocument() throws(StoredFormError) -> JSONValue {
        let value = try readValue()
        skipSpace()
        guard index == bytes.count else { throw error("text after the value") }
        return value
    }

    private func error(_ message: String) -> StoredFormError {
        StoredFormError(message: "\(message) at byte \(index)")
    }

    private mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private mutating func readValue() throws(StoredFormError) -> JSONValue {
        skipSpace()
        guard index < bytes.count else { throw error("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "{"):
            depth += 1
            guard depth <= 512 else { throw error("nesting too deep") }
            defer { depth -= 1 }
            index += 1
            var members: [(String, JSONValue)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("a key was expected") }
                let key = try readString()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("':' was expected") }
                index += 1
                members.append((key, try readValue()))
                skipSpace()
                guard index < bytes.count else { throw error("unexpected end") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                } else {
                    throw error("',' or '}' was expected")
                }
            }
        case UInt8(ascii: "["):
            depth += 1
            guard depth <= 512 else { throw error("nesting too deep") }
            defer { depth -= 1 }
            index += 1
            var values: [JSONValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(values)
            }
            while true {
                values.append(try readValue())
                skipSpace()
                guard index < bytes.count else { throw error("unexpected end") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(values)
                } else {
                    throw error("',' or ']' was expected")
                }
            }
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                    UInt8(ascii: "e"), UInt8(ascii: "E"):
                    index += 1
                    continue
                default: break
                }
                break
            }
            return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
        default:
            throw error("a value was expected")
        }
    }

    private mutating func expect(_ word: StaticString) throws(StoredFormError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw error("a value was expected") }
        index += count
    }

    /// Reads a string literal; the text between escapes is copied as it is.
    private mutating func readString() throws(StoredFormError) -> String {
        index += 1  // the opening quote
        let start = index
        // The common case: no escapes.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
        guard index < bytes.count else { throw error("unterminated string") }
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index - 1]), as: UTF8.self)
        }
        var output = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: output, as: UTF8.self)
            }
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { throw error("unterminated string") }
            let escaped = bytes[index + 1]
            index += 2
            if let unescaped = JSONEscapes.character(escapedBy: escaped) {
                output.append(unescaped)
                continue
            }
            switch escaped {
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    index += 2
                    let low = try readHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("invalid surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                output.append(contentsOf: String(Character(unicode)).utf8)
            default:
                throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    private mutating func readHex4() throws(StoredFormError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("unexpected end") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = JSONEscapes.hexDigit(bytes[index]) else { throw error("invalid \\u escape") }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
