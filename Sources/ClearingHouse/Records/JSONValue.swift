/// A JSON value as chm stores and prints it.
///
/// Objects keep their members in order, so output is deterministic: the canonical form of a
/// record is written member by member in a fixed order, and ``canonicalized`` sorts the keys
/// of free-form values such as `extensions`. Numbers keep their text exactly as written, so
/// `1.50` in a publisher's extension is stored as `1.50`.
public enum JSONValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    /// A number, as its JSON text (already validated as a JSON number).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// An object, members in order.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .number(let text): hasher.combine(text)
        case .string(let text): hasher.combine(text)
        case .array(let values): hasher.combine(values)
        case .object(let members):
            hasher.combine(members.count)
            for (key, value) in members {
                hasher.combine(key)
                hasher.combine(value)
            }
        }
    }

    /// The same value with every object's keys sorted (recursively), the form chm stores.
    public var canonicalized: JSONValue {
        switch self {
        case .array(let values): return .array(values.map(\.canonicalized))
        case .object(let members):
            return .object(members.map { ($0.0, $0.1.canonicalized) }.sorted { $0.0 < $1.0 })
        default: return self
        }
    }

    /// The member named `key`, if this is an object that has one.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// Compact JSON text: no insignificant white space, non-ASCII characters as UTF-8.
    public var description: String {
        var output = ""
        write(to: &output)
        return output
    }

    /// Appends the compact JSON text of this value to `output`.
    public func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let text): output += text
        case .string(let text): JSONValue.writeString(text, to: &output)
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output += "," }
                JSONValue.writeString(key, to: &output)
                output += ":"
                value.write(to: &output)
            }
            output += "}"
        }
    }

    /// Indented JSON text (two spaces), for people.
    public var prettyDescription: String {
        var output = ""
        writePretty(to: &output, indent: 0)
        return output
    }

    private func writePretty(to output: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let closingPad = String(repeating: "  ", count: indent)
        switch self {
        case .array(let values) where !values.isEmpty:
            output += "[\n"
            for (index, value) in values.enumerated() {
                output += pad
                value.writePretty(to: &output, indent: indent + 1)
                output += index + 1 < values.count ? ",\n" : "\n"
            }
            output += closingPad + "]"
        case .object(let members) where !members.isEmpty:
            output += "{\n"
            for (index, (key, value)) in members.enumerated() {
                output += pad
                JSONValue.writeString(key, to: &output)
                output += ": "
                value.writePretty(to: &output, indent: indent + 1)
                output += index + 1 < members.count ? ",\n" : "\n"
            }
            output += closingPad + "}"
        default:
            write(to: &output)
        }
    }

    /// Writes `text` as a JSON string literal: quotes, backslashes and control characters
    /// escaped, everything else as UTF-8.
    static func writeString(_ text: String, to output: inout String) {
        output += "\""
        var pending = Substring.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let escape: String?
            switch scalar {
            case "\"": escape = "\\\""
            case "\\": escape = "\\\\"
            case "\n": escape = "\\n"
            case "\r": escape = "\\r"
            case "\t": escape = "\\t"
            case "\u{08}": escape = "\\b"
            case "\u{0C}": escape = "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    escape = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    escape = nil
                }
            }
            if let escape {
                output += String(pending)
                pending = Substring.UnicodeScalarView()
                output += escape
            } else {
                pending.append(scalar)
            }
        }
        output += String(pending)
        output += "\""
    }
}

extension JSONValue {
    /// A JSON string, or `null` when `text` is nil.
    static func optionalString(_ text: String?) -> JSONValue {
        text.map(JSONValue.string) ?? .null
    }

    /// A JSON number from an integer.
    static func integer(_ value: Int) -> JSONValue { .number(String(value)) }

    /// A JSON number from a floating-point value, written without needless digits.
    static func double(_ value: Double) -> JSONValue {
        guard value.isFinite else { return .null }
        if value == value.rounded(), abs(value) < 1e15 { return .number(String(Int(value))) }
        return .number(String(value))
    }
}
