// Helpers shared by the ClearingHouse tests: a temporary directory per test, and shortcuts
// that parse JSON, validate one record, read one file and export a catalog.
import Foundation
import Testing

@testable import ClearingHouse

/// A fresh directory under the system's temporary directory, unique to one test.
struct TemporaryDirectory {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("chm-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes `text` as UTF-8 to `name` (which may contain folders); returns the file's path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    /// Writes `bytes` to `name` (which may contain folders); returns the file's path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(),
            withIntermediateDirectories: true
        )
        try Data(bytes).write(to: file)
        return file.path
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// A clearing-house whose index lives in `name` inside this directory.
    func house(_ name: String = "index") throws -> ClearingHouse {
        try ClearingHouse(directory: url.appendingPathComponent(name, isDirectory: true))
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Runs `body` with a new temporary directory and removes the directory afterwards.
func withTemporaryDirectory<T>(_ body: (TemporaryDirectory) throws -> T) throws -> T {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    return try body(directory)
}

// MARK: JSON

/// Parses `bytes` as one JSON value followed by nothing but white space.
func parseJSON(bytes: [UInt8]) throws(JSONSyntaxError) -> JSONNode {
    var parser = JSONParser(source: ByteSource(bytes: bytes))
    let node = try parser.parseValue()
    try parser.expectEnd("the end of the input")
    return node
}

/// Parses `text` as one JSON value followed by nothing but white space.
func parseJSON(_ text: String) throws(JSONSyntaxError) -> JSONNode {
    try parseJSON(bytes: Array(text.utf8))
}

/// The syntax error that parsing `bytes` throws, or nil when it parses.
func syntaxError(bytes: [UInt8]) -> JSONSyntaxError? {
    do {
        _ = try parseJSON(bytes: bytes)
        return nil
    } catch {
        return error
    }
}

/// The syntax error that parsing `text` throws, or nil when it parses.
func syntaxError(_ text: String) -> JSONSyntaxError? {
    syntaxError(bytes: Array(text.utf8))
}

// MARK: Validation

/// Validates the record object in `json` as if it came from the file `r.json`.
func validateRecord(_ json: String, strict: Bool = false) throws -> RecordValidator.Outcome {
    RecordValidator(file: "r.json", strict: strict).validate(try parseJSON(json))
}

/// A one-line record object with the given fields added after id, kind and title.
func recordJSON(_ id: String, kind: String = "technology", title: String = "Title", _ extra: String = "") -> String {
    "{\"id\":\"\(id)\",\"kind\":\"\(kind)\",\"title\":{\"en\":\"\(title)\"}\(extra.isEmpty ? "" : "," + extra)}"
}

extension RecordValidator.Outcome {
    /// The error diagnostics.
    var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    /// The warning diagnostics.
    var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    /// The fields that errors name.
    var errorFields: [String] { errors.compactMap(\.field) }
}

// MARK: Reading files

/// Everything a reader reported for one file.
struct ReadOutcome {
    var entries: [RecordEntry] = []
    /// The diagnostic the reader threw, when the file stopped early.
    var failure: Diagnostic?

    var records: [Record] {
        entries.compactMap { entry in
            if case .record(let record, _, _, _) = entry { return record }
            return nil
        }
    }

    /// The line of each valid record, in file order.
    var recordLines: [Int] {
        entries.compactMap { entry in
            if case .record(_, let line, _, _) = entry { return line }
            return nil
        }
    }

    /// Warnings attached to records, and file-level messages.
    var messages: [Diagnostic] {
        entries.flatMap { entry -> [Diagnostic] in
            switch entry {
            case .record(_, _, let warnings, _): return warnings
            case .message(let diagnostic): return [diagnostic]
            default: return []
            }
        }
    }

    /// Invalid records: their line and diagnostics.
    var invalid: [(line: Int, diagnostics: [Diagnostic])] {
        entries.compactMap { entry in
            if case .invalid(_, let line, let diagnostics) = entry { return (line, diagnostics) }
            return nil
        }
    }

    var deletions: [String] {
        entries.compactMap { entry in
            if case .deletion(let id, _) = entry { return id }
            return nil
        }
    }
}

/// Reads the file at `path` with the reader for `format`; diagnostics name `displayPath`.
func readRecords(
    _ path: String,
    as format: RecordFormat,
    displayPath: String? = nil,
    strict: Bool = false,
    limits: RecordLimits = .default
) -> ReadOutcome {
    var options = IngestOptions(strict: strict)
    options.limits = limits
    let reader = RecordFile(path: path, displayPath: displayPath ?? path, format: format).makeReader(options: options)
    var outcome = ReadOutcome()
    do {
        try reader.read { outcome.entries.append($0) }
    } catch let diagnostic as Diagnostic {
        outcome.failure = diagnostic
    } catch {
        outcome.failure = Diagnostic(.error, file: displayPath ?? path, message: "unexpected error: \(error)")
    }
    return outcome
}

/// Writes `text` to `name` in `directory` and reads it back with the reader for `format`.
func readRecords(
    _ text: String,
    named name: String,
    as format: RecordFormat,
    in directory: TemporaryDirectory,
    strict: Bool = false,
    limits: RecordLimits = .default
) throws -> ReadOutcome {
    let path = try directory.write(name, text)
    return readRecords(path, as: format, displayPath: name, strict: strict, limits: limits)
}

// MARK: Catalog

/// Everything `house` exports in `format`, as one string.
func exported(_ house: ClearingHouse, _ format: ClearingHouse.ExportFormat = .jsonl) throws -> String {
    var text = ""
    try house.export(format: format) { text += $0 }
    return text
}
