// The size limits on input, in one place. Readers enforce them while streaming, so that a
// file with a multi-gigabyte line, string or record costs bounded memory and gets a clear,
// positioned error instead of exhausting memory.

/// The size limits that every reader enforces on input, so that memory stays bounded
/// whatever a file holds.
///
/// | limit | default | applies to |
/// |---|---|---|
/// | ``maximumRecordBytes`` | 64 MiB (67,108,864 bytes) | one JSON Lines line (without its line ending); one record of a JSON file; one element expanded from XML (a `<record>`) |
/// | ``maximumTextBytes`` | 10,000,000 bytes | one text value: a JSON string (decoded), the text of an XML element or an attribute value |
/// | ``maximumValuesPerRecord`` | 1,000,000 | the values (strings, numbers, objects, arrays, ...) of one JSON record; the elements of one XML record |
///
/// The text limit is libxml2's own limit for one text node (`XML_MAX_TEXT_LENGTH`), which chm
/// keeps on to refuse hostile XML; JSON applies the same limit, so a record is accepted or
/// refused alike in both formats, with the same message. A value of exactly the limit is
/// accepted; one byte more is refused.
///
/// What happens past a limit:
/// - a JSON Lines line that is too long is refused as soon as the limit is crossed (the rest
///   of the line is skipped, never held in memory) and reading goes on at the next line;
/// - a text value that is too long makes its record invalid (the value is skipped, not
///   kept), naming the record and the field; in XML, libxml2 stops the file there;
/// - a record of a JSON file that is too long, or has too many values, stops the file (JSON
///   has no line to resynchronise on); so does an XML record that is too long, as soon as
///   libxml2 has read that much of it (it reads 4 KB at a time).
public struct RecordLimits: Sendable, Hashable {
    /// The default for ``maximumRecordBytes``: 64 MiB.
    public static let defaultMaximumRecordBytes = 64 << 20
    /// The default for ``maximumTextBytes``: 10,000,000 bytes, libxml2's `XML_MAX_TEXT_LENGTH`.
    public static let defaultMaximumTextBytes = 10_000_000
    /// The default for ``maximumValuesPerRecord``: 1,000,000.
    public static let defaultMaximumValuesPerRecord = 1_000_000

    /// The limits chm uses.
    public static let `default` = RecordLimits()

    /// The longest record, in bytes as written in the file: a JSON Lines line (without its
    /// line ending), one record of a JSON file (from its `{` to its `}`), or an XML record
    /// (what libxml2 reads while building it, to within its 4 KB reads).
    public let maximumRecordBytes: Int
    /// The longest text value, in bytes of UTF-8: a JSON string after its escapes are
    /// decoded, or the text of an XML element (or an attribute value) as libxml2 reads it.
    public let maximumTextBytes: Int
    /// The most values one JSON record may hold, counting every string, number, boolean,
    /// null, object and array in it; for XML, the elements of one record (counted as start
    /// tags read while libxml2 builds it, to within its 4 KB reads). A parsed value takes
    /// more memory than its text, so this bounds what a record of many tiny values costs.
    public let maximumValuesPerRecord: Int

    /// Limits for tests, which lower them to prove the readers stop early without writing
    /// huge files. Raising ``maximumTextBytes`` above the default would make JSON accept what
    /// XML refuses, so it is clamped to the default.
    init(
        maximumRecordBytes: Int = defaultMaximumRecordBytes, maximumTextBytes: Int = defaultMaximumTextBytes,
        maximumValuesPerRecord: Int = defaultMaximumValuesPerRecord
    ) {
        self.maximumRecordBytes = max(1, maximumRecordBytes)
        self.maximumTextBytes = max(1, min(maximumTextBytes, Self.defaultMaximumTextBytes))
        self.maximumValuesPerRecord = max(1, maximumValuesPerRecord)
    }

    // MARK: Messages (shared by every format, so that each limit reads the same everywhere)

    /// A text value is longer than ``maximumTextBytes``.
    package var textTooLongMessage: String {
        "text is longer than \(Self.describe(maximumTextBytes)), the limit for one value in JSON and XML alike; "
            + "shorten it, or link to the full text (links) and keep a summary in the record"
    }

    /// A number is longer than ``maximumTextBytes``.
    var numberTooLongMessage: String {
        "number is longer than \(Self.describe(maximumTextBytes)), the limit for one value"
    }

    /// A JSON Lines line is longer than ``maximumRecordBytes``.
    var lineTooLongMessage: String {
        "line is longer than \(Self.describe(maximumRecordBytes)), the limit for one record; "
            + "the rest of the line is skipped and reading goes on at the next line. "
            + "Split the record, or shorten its text (at most \(Self.describe(maximumTextBytes)) per value)"
    }

    /// A record of a JSON or XML file is longer than ``maximumRecordBytes``.
    var recordTooLongMessage: String {
        "the record that starts here is longer than \(Self.describe(maximumRecordBytes)), the limit for one record; "
            + "the rest of the file is not read. "
            + "Split the record, or shorten its text (at most \(Self.describe(maximumTextBytes)) per value)"
    }

    /// A record holds more than ``maximumValuesPerRecord`` values (JSON) or elements (XML).
    var tooManyValuesMessage: String {
        "the record that starts here holds more than \(Self.grouped(maximumValuesPerRecord)) values "
            + "(JSON strings, numbers, objects, arrays; XML elements), the limit for one record; split it into several records"
    }

    /// `10,000,000 bytes`, `67,108,864 bytes (64 MiB)`.
    package static func describe(_ bytes: Int) -> String {
        let mebibytes = bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? " (\(bytes >> 20) MiB)" : ""
        return "\(grouped(bytes)) \(bytes == 1 ? "byte" : "bytes")\(mebibytes)"
    }

    /// `10000000` as `10,000,000`.
    static func grouped(_ number: Int) -> String {
        var digits = Array(String(number.magnitude))
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: index)
            index -= 3
        }
        return (number < 0 ? "-" : "") + String(digits)
    }
}
