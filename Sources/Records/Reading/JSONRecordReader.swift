import Parallel

/// Reads a `.json` file: one record object, an array of records, or `{"records": [...]}`.
/// Elements of a top-level array are parsed and handed on one at a time.
final class JSONRecordReader: RecordReader {
    let input: RecordInput
    let displayPath: String
    let validator: RecordValidator
    let limits: RecordLimits
    private var source: ByteSource?

    init(input: RecordInput, displayPath: String, options: IngestOptions) {
        self.input = input
        self.displayPath = displayPath
        self.validator = options.validator(for: displayPath)
        self.limits = options.limits
    }

    var bytesRead: Int { source?.consumed ?? 0 }

    func read(_ handle: (RecordEntry) throws -> Void) throws {
        let source = try input.openByteSource(displayPath: displayPath)
        self.source = source
        source.skipByteOrderMark()
        var parser = JSONParser(source: source, limits: limits)
        do {
            try readTopLevel(&parser, handle)
        } catch let error as JSONSyntaxError {
            throw Diagnostic(.error, file: displayPath, line: error.line, column: error.column, message: error.message)
        }
        try source.throwReadError(displayPath: displayPath)
    }

    private func readTopLevel(_ parser: inout JSONParser, _ handle: (RecordEntry) throws -> Void) throws {
        guard let first = parser.peekSignificant() else {
            throw JSONSyntaxError(line: parser.line, column: parser.column, message: "file is empty; expected a record object or an array of records")
        }
        switch first {
        case UInt8(ascii: "["):
            try readArray(&parser, handle)
        case UInt8(ascii: "{"):
            try readObject(&parser, handle)
            if parser.peekSignificant() == UInt8(ascii: "{") {
                throw parser.error(
                    "found '{' after the record; expected the end of the file (a file of one record per line is JSON Lines: name it .jsonl or .ndjson)"
                )
            }
        default:
            if let foreign = JSONParser.foreignStart(first) { throw parser.error(foreign) }
            throw parser.error("expected a record object or an array of records, found \(JSONParser.describe(first))")
        }
        try parser.expectEnd("the end of the file")
    }

    /// Streams the elements of an array of records; the `[` is next.
    private func readArray(_ parser: inout JSONParser, _ handle: (RecordEntry) throws -> Void) throws {
        _ = parser.consume(UInt8(ascii: "["))
        if parser.consume(UInt8(ascii: "]")) { return }
        repeat {
            parser.beginRecord()
            let node = try parser.parseValue(depth: 1)
            try parser.checkRecordSize()
            try handle(validator.validate(node).entry)
        } while parser.consume(UInt8(ascii: ","))
        try parser.expect(UInt8(ascii: "]"), "',' or ']' after a record")
    }

    /// A top-level object is either `{"records": [...]}` (streamed) or a single record.
    private func readObject(_ parser: inout JSONParser, _ handle: (RecordEntry) throws -> Void) throws {
        let line = parser.line
        let column = parser.column
        parser.beginRecord()
        _ = parser.consume(UInt8(ascii: "{"))
        var members: [JSONNode.Member] = []
        var sawRecords = false
        var keys = Set<String>()
        if !parser.consume(UInt8(ascii: "}")) {
            repeat {
                guard parser.peekSignificant() == UInt8(ascii: "\"") else {
                    _ = try parser.parseMember(depth: 0)  // throws the positioned error
                    continue
                }
                let keyLine = parser.line
                let keyColumn = parser.column
                let key = try parser.parseString()
                guard keys.insert(key).inserted else {
                    throw JSONSyntaxError(line: keyLine, column: keyColumn, message: "duplicate key \"\(key)\"")
                }
                try parser.expect(UInt8(ascii: ":"), "':' after an object key")
                if key == "records", parser.peekSignificant() == UInt8(ascii: "[") {
                    sawRecords = true
                    try readArray(&parser, handle)
                    parser.beginRecord()  // the wrapper's other members count on their own
                } else {
                    let value = try parser.parseValue(depth: 1)
                    members.append(JSONNode.Member(key: key, line: keyLine, column: keyColumn, value: value))
                }
            } while parser.consume(UInt8(ascii: ","))
            try parser.expect(UInt8(ascii: "}"), "',' or '}' after an object member")
        }
        try parser.checkRecordSize()
        if sawRecords {
            // A wrapper object: its other members describe the batch, not a record.
            for member in members {
                try handle(
                    .message(
                        Diagnostic(
                            .warning, file: displayPath, line: member.line, column: member.column,
                            message: "top-level key \"\(member.key)\" beside \"records\" ignored")))
            }
        } else if let records = members.first(where: { $0.key == "records" }), !members.contains(where: { $0.key == "id" }) {
            // `{"records": 5}`: meant as a batch, not a record without an id.
            let diagnostic = Diagnostic(
                .error, file: displayPath, line: records.line, column: records.column, field: "records",
                message: "\"records\" is not an array; a batch of records is {\"records\": [{...}, {...}]}")
            try handle(.invalid(recordID: nil, line: records.line, diagnostics: [diagnostic]))
        } else if !members.contains(where: { $0.key == "id" }),
            let batch = members.first(where: { member in
                // (Not a record's own array of objects: `organizations`, `links`.)
                guard !RecordValidator.knownFields.contains(member.key), case .array(let items) = member.value.value,
                    let first = items.first, case .object = first.value
                else { return false }
                return true
            })
        {
            // `{"Records": [...]}`, `{"data": [...]}`: a batch under another name, which read as
            // one record gave three "missing required field" errors (QA).
            let diagnostic = Diagnostic(
                .error, file: displayPath, line: batch.line, column: batch.column, field: batch.key,
                message: "an object without an id whose \"\(batch.key)\" is an array of objects: a batch of records is {\"records\": [{...}, {...}]}; rename \"\(batch.key)\" to \"records\"")
            try handle(.invalid(recordID: nil, line: batch.line, diagnostics: [diagnostic]))
        } else {
            try handle(validator.validate(JSONNode(value: .object(members), line: line, column: column)).entry)
        }
    }
}

/// Reads a JSON Lines file (`.jsonl`, `.ndjson`): one record object per line. A broken line
/// is reported with its line number and reading goes on with the next line.
final class JSONLinesRecordReader: RecordReader {
    let input: RecordInput
    let displayPath: String
    let validator: RecordValidator
    let limits: RecordLimits
    let preparesStorage: Bool
    private var source: ByteSource?

    /// Lines parsed together on all cores: at most this many, or this many bytes (one
    /// longer line goes alone), so that memory stays bounded.
    private static let batchLines = 256
    private static let batchBytes = 8 << 20

    init(input: RecordInput, displayPath: String, options: IngestOptions) {
        self.input = input
        self.displayPath = displayPath
        self.validator = options.validator(for: displayPath)
        self.limits = options.limits
        self.preparesStorage = options.preparesStorage
    }

    var bytesRead: Int { source?.consumed ?? 0 }

    func read(_ handle: (RecordEntry) throws -> Void) throws {
        let source = try input.openByteSource(displayPath: displayPath)
        self.source = source
        source.skipByteOrderMark()
        if let first = source.peek(), let foreign = JSONParser.foreignStart(first) {
            throw Diagnostic(.error, file: displayPath, line: 1, column: 1, message: foreign)
        }
        var lineNumber = 0
        var sawRecord = false
        // Lines are independent: a batch of them is parsed, validated (and put in stored
        // form) on all cores while the caller handles the previous batch's entries, which
        // come in file order.
        var batch: [(line: Int, bytes: [UInt8])] = []
        var batchBytes = 0
        let parser = LineParser(validator: validator, limits: limits, displayPath: displayPath, preparesStorage: preparesStorage)
        let parsing = BackgroundBatches(chunkSize: 8) { (line: (line: Int, bytes: [UInt8])) in
            parser.entry(line: line.line, bytes: line.bytes)
        }
        /// Starts parsing the batch read so far and handles the one before it.
        func submitBatch() throws {
            let previous = parsing.take()
            if !batch.isEmpty { parsing.submit(batch) }
            batch.removeAll(keepingCapacity: true)
            batchBytes = 0
            for entry in previous { try handle(entry) }
        }
        /// Handles every line read so far.
        func handleBatches() throws {
            try submitBatch()
            for entry in parsing.take() { try handle(entry) }
        }
        while let read = source.readLine(maximumLength: limits.maximumRecordBytes) {
            lineNumber += 1
            let line: [UInt8]
            switch read {
            case .complete(let complete):
                line = complete
            case .tooLong(let prefix):
                // Refused as soon as the limit is crossed; the rest of the line is skipped
                // unread, and the next line is the next record.
                sawRecord = true
                try handleBatches()
                let recordID = JSONParser.leadingRecordID(in: prefix, limits: limits)
                let column = (prefix.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? 0) + 1
                let diagnostic = Diagnostic(
                    .error, file: displayPath, line: lineNumber, column: column, recordID: recordID,
                    message: limits.lineTooLongMessage)
                try handle(.invalid(recordID: recordID, line: lineNumber, diagnostics: [diagnostic]))
                source.skipRestOfLine()
                continue
            }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            sawRecord = true
            batch.append((lineNumber, line))
            batchBytes += line.count
            if batch.count == Self.batchLines || batchBytes >= Self.batchBytes { try submitBatch() }
        }
        try handleBatches()
        try source.throwReadError(displayPath: displayPath)
        if !sawRecord {
            // A warning, not an error: an empty export is a valid (empty) JSON Lines file.
            try handle(.message(Diagnostic(.warning, file: displayPath, message: "file is empty: no records in it")))
        }
    }

    /// Turns one line into its entry; safe to use from any thread.
    private struct LineParser: Sendable {
        let validator: RecordValidator
        let limits: RecordLimits
        let displayPath: String
        let preparesStorage: Bool

        func entry(line lineNumber: Int, bytes: [UInt8]) -> RecordEntry {
            let source = ByteSource(bytes: bytes)
            // (A byte order mark where files were joined with `cat` starts a line.)
            source.skipByteOrderMark()
            var parser = JSONParser(source: source, line: lineNumber, limits: limits)
            do {
                let node = try parser.parseValue()
                try parser.expectEnd("the end of the line (JSON Lines holds one record per line)")
                let entry = validator.validate(node).entry
                if preparesStorage, case .record(let record, let line, let warnings, nil) = entry {
                    return .record(record, line: line, warnings: warnings, stored: StoredForm(record))
                }
                return entry
            } catch {
                // The record's id, when the line names one before the error (a duplicate key, a
                // value nested too deep): the error then says which record it is in.
                let id = UnparsedRecord.id(in: bytes)
                let diagnostic = Diagnostic(
                    .error, file: displayPath, line: error.line, column: error.column, recordID: id, message: error.message)
                return .invalid(recordID: id, line: lineNumber, diagnostics: [diagnostic])
            }
        }
    }
}

extension ByteSource {
    /// Opens a record file, or throws the diagnostic that says why it cannot be read.
    static func openRecordFile(_ path: String, displayPath: String) throws(Diagnostic) -> ByteSource {
        do {
            return try ByteSource(path: path)
        } catch {
            throw Diagnostic(.error, file: displayPath, message: "cannot read file: \(error)")
        }
    }

    /// Throws the read error met while reading, if any.
    func throwReadError(displayPath: String) throws(Diagnostic) {
        if let readError {
            throw Diagnostic(.error, file: displayPath, message: "read error: \(readError)")
        }
    }
}

/// What can be read of a record whose JSON does not parse.
package enum UnparsedRecord {
    /// The `id` member of the object on a line that did not parse, if it is a plain string
    /// (no escapes) at the top level and comes before anything that breaks the scan.
    package static func id(in bytes: [UInt8]) -> String? {
        var depth = 0
        var index = 0
        var expectingKey = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = byte == UInt8(ascii: "{") && depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth <= 0 { return nil }
            case UInt8(ascii: ","):
                if depth == 1 { expectingKey = true }
            case UInt8(ascii: "\""):
                // A string: its end (escapes skipped).
                let start = index + 1
                var end = start
                var escaped = false
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    if bytes[end] == UInt8(ascii: "\\") {
                        escaped = true
                        end += 1
                    }
                    end += 1
                }
                guard end < bytes.count else { return nil }
                if expectingKey, depth == 1, !escaped, bytes[start..<end].elementsEqual("id".utf8) {
                    // `"id"`, a colon, then a string without escapes.
                    var value = end + 1
                    while value < bytes.count, bytes[value] == 0x20 || bytes[value] == 0x09 || bytes[value] == UInt8(ascii: ":") {
                        value += 1
                    }
                    guard value < bytes.count, bytes[value] == UInt8(ascii: "\"") else { return nil }
                    guard let close = bytes[(value + 1)...].firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }),
                        bytes[close] == UInt8(ascii: "\""), close - value - 1 <= 200
                    else { return nil }
                    return String(decoding: bytes[(value + 1)..<close], as: UTF8.self)
                }
                expectingKey = false
                index = end
            default:
                break
            }
            index += 1
        }
        return nil
    }
}
