/// A problem found in input, reported in compiler style:
/// `FILE:LINE[:COLUMN]: error: [record ID:] [field NAME:] message`.
///
/// Diagnostics are values: readers collect them, `ClearingHouse` reports them, and the
/// CLI prints one per line on standard error. A diagnostic with ``Severity-swift.enum/error``
/// severity is also an `Error`, so a reader can throw the one that stops it.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Hashable, Codable {
        /// The record (or the whole file, for a syntax error) cannot be stored.
        case error
        /// The record is stored, but something in it deserves attention.
        case warning
        /// Information, such as a record skipped because the stored copy is newer.
        case notice
    }

    /// How serious this diagnostic is.
    public var severity: Severity
    /// The file the problem is in, as the user named it.
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The 1-based column (in characters), when known.
    public var column: Int?
    /// The id of the record concerned, when known.
    public var recordID: String?
    /// The field concerned (e.g. `title`, `countries[2]`), when known.
    public var field: String?
    /// What is wrong, and where possible what to do about it.
    public var message: String

    /// Creates a diagnostic.
    public init(
        _ severity: Severity, file: String, line: Int? = nil, column: Int? = nil,
        recordID: String? = nil, field: String? = nil, message: String
    ) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.recordID = recordID
        self.field = field
        self.message = message
    }

    /// The compiler-style line: `FILE:LINE[:COLUMN]: error: [record ID:] [field NAME:] message`.
    ///
    /// Always one line: control characters that input put in a value (a line break, an escape
    /// sequence that would drive a terminal) are written as escapes (`\n`, `\u{1B}`), so that a
    /// file cannot forge a diagnostic or a terminal's state.
    public var description: String {
        var text = Self.escapingControls(file)
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": \(severity.rawValue): "
        if let recordID { text += "record \(Self.escapingControls(recordID)): " }
        if let field { text += "field \(Self.escapingControls(field)): " }
        text += Self.escapingControls(message)
        return text
    }

    /// `text` with C0 and C1 control characters, DEL, the Unicode line and paragraph
    /// separators and the bidirectional controls (which reorder what follows them on the
    /// line: an id `\u{202E}evil` showed the rest of the line reversed) written as escapes.
    static func escapingControls(_ text: String) -> String {
        func isControl(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029: true
            default: isBidirectionalControl(scalar)
            }
        }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                escaped.append(scalar)
                continue
            }
            switch scalar {
            case "\n": escaped.append(contentsOf: "\\n".unicodeScalars)
            case "\r": escaped.append(contentsOf: "\\r".unicodeScalars)
            case "\t": escaped.append(contentsOf: "\\t".unicodeScalars)
            default: escaped.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            }
        }
        return String(escaped)
    }

    /// Whether `scalar` is a bidirectional control (marks, embeddings, overrides, isolates),
    /// which reorders what follows it on a line.
    package static func isBidirectionalControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// The diagnostic as a JSON object, for `--json` output: the document ``encode(to:)`` writes.
    public var jsonValue: JSONValue { (try? JSONValue(encoding: self)) ?? .null }
}

extension Diagnostic: Codable {
    private enum CodingKeys: String, CodingKey {
        case severity, file, line, column, record, field, message
    }

    /// `{"severity", "file", "line", "column", "record", "field", "message"}`, the members
    /// that are not known left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(severity, forKey: .severity)
        try container.encode(file, forKey: .file)
        try container.encodeIfPresent(line, forKey: .line)
        try container.encodeIfPresent(column, forKey: .column)
        try container.encodeIfPresent(recordID, forKey: .record)
        try container.encodeIfPresent(field, forKey: .field)
        try container.encode(message, forKey: .message)
    }

    /// Reads the document ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            try container.decode(Severity.self, forKey: .severity), file: try container.decode(String.self, forKey: .file),
            line: try container.decodeIfPresent(Int.self, forKey: .line), column: try container.decodeIfPresent(Int.self, forKey: .column),
            recordID: try container.decodeIfPresent(String.self, forKey: .record),
            field: try container.decodeIfPresent(String.self, forKey: .field), message: try container.decode(String.self, forKey: .message))
    }
}
