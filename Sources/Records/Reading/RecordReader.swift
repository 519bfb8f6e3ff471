/// What a reader finds in a file, in file order.
package enum RecordEntry: Sendable {
    /// A valid record, with any warnings about it, and its stored form when the reader
    /// prepared it (see ``IngestOptions/preparesStorage``).
    case record(Record, line: Int, warnings: [Diagnostic], stored: StoredForm? = nil)
    /// A deletion of `id` (an OAI-PMH header with `status="deleted"`).
    case deletion(id: String, line: Int)
    /// A record that cannot be stored, and why.
    case invalid(recordID: String?, line: Int, diagnostics: [Diagnostic])
    /// A warning or notice about the file rather than one record.
    case message(Diagnostic)
}

/// Reads the records of one file, streaming.
///
/// `read` calls `handle` for each entry in file order. A problem that stops the file (a
/// syntax error, an unreadable file) is thrown as a ``Diagnostic``; problems with single
/// records come as `.invalid` entries and reading goes on. Errors thrown by `handle` pass
/// through unchanged.
package protocol RecordReader: AnyObject {
    /// The file as the user named it (used in diagnostics).
    var displayPath: String { get }
    /// Bytes read so far, for progress reports.
    var bytesRead: Int { get }
    /// Reads the file, calling `handle` with each entry in file order.
    func read(_ handle: (RecordEntry) throws -> Void) throws
}

extension RecordValidator.Outcome {
    /// The entry for this outcome: the record and its warnings, or why it is invalid.
    var entry: RecordEntry {
        if let record {
            return .record(record, line: line, warnings: diagnostics)
        }
        return .invalid(recordID: recordID, line: line, diagnostics: diagnostics)
    }
}
