import Foundation

/// The formats chm reads.
public enum RecordFormat: String, Sendable, CaseIterable {
    /// One record, an array of records, or `{"records": [...]}`.
    case json
    /// JSON Lines: one record per line (`.jsonl`, `.ndjson`).
    case jsonLines
    /// Native XML or an OAI-PMH response (the root element tells which).
    case xml

    /// The format a file name's extension announces, if any.
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "json": self = .json
        case "jsonl", "ndjson": self = .jsonLines
        case "xml", "oai": self = .xml
        default: return nil
        }
    }
}

/// Where the bytes of a record file are: a file to open, or a body already in memory (such
/// as the body of an HTTP request).
package enum RecordInput: Sendable, Hashable {
    /// The file at this path.
    case path(String)
    /// These bytes.
    case bytes([UInt8])

    /// A stream over the input, or the diagnostic that says why it cannot be read.
    func openByteSource(displayPath: String) throws(Diagnostic) -> ByteSource {
        switch self {
        case .path(let path): return try ByteSource.openRecordFile(path, displayPath: displayPath)
        case .bytes(let bytes): return ByteSource(bytes: bytes)
        }
    }
}

/// A file to read, with the format it was found to be in.
package struct RecordFile: Sendable, Hashable {
    /// Where the bytes are.
    package var input: RecordInput
    /// The path as the user named it (or as found under a named directory), or the name
    /// given to bytes in memory: what diagnostics name.
    package var displayPath: String
    /// The format the file is read in.
    package var format: RecordFormat

    /// The file at `path`, read as `format`; diagnostics name it `displayPath`.
    package init(path: String, displayPath: String, format: RecordFormat) {
        self.input = .path(path)
        self.displayPath = displayPath
        self.format = format
    }

    /// A body already in memory (such as an HTTP request's), read as `format`; diagnostics
    /// name it `displayName`.
    package init(bytes: [UInt8], format: RecordFormat, displayName: String) {
        self.input = .bytes(bytes)
        self.displayPath = displayName
        self.format = format
    }

    /// The path to open, when the file is on disk.
    package var path: String? {
        if case .path(let path) = input { return path }
        return nil
    }

    /// A reader for the file, in its format, with `options`.
    package func makeReader(options: IngestOptions) -> any RecordReader {
        switch format {
        case .json: return JSONRecordReader(input: input, displayPath: displayPath, options: options)
        case .jsonLines: return JSONLinesRecordReader(input: input, displayPath: displayPath, options: options)
        case .xml: return XMLRecordReader(input: input, displayPath: displayPath, options: options)
        }
    }

    /// The files that `paths` name: files as given, directories searched recursively for
    /// `.json`, `.jsonl`, `.ndjson` and `.xml` files (sorted, hidden entries skipped, symbolic
    /// links followed once). Paths that cannot be read come back as diagnostics. A named file
    /// whose extension is in `otherExtensions` (a thesaurus, say) is left out silently.
    package static func discover(
        _ paths: [String], ignoring otherExtensions: Set<String> = []
    ) -> (files: [RecordFile], problems: [Diagnostic]) {
        var files: [RecordFile] = []
        var problems: [Diagnostic] = []
        // Files under the paths that are not read as records here: a thesaurus, or a file
        // already found through another path (a directory that has them is not empty).
        var passedOver = 0
        var namedDirectories = Set<String>()
        var seenFiles = Set<String>()
        var seenDirectories = Set<String>()
        let fileManager = FileManager.default

        func visit(_ path: String, display: String, named: Bool) {
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                if named {
                    problems.append(Diagnostic(.error, file: display, message: "no such file or directory"))
                } else {
                    problems.append(Diagnostic(.warning, file: display, message: "broken symbolic link skipped"))
                }
                return
            }
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            if isDirectory.boolValue {
                guard seenDirectories.insert(real).inserted else {
                    passedOver += 1
                    // (A directory the user named as well is no loop: `chm ingest Corpus/new Corpus`.)
                    if !named, !namedDirectories.contains(real) {
                        problems.append(Diagnostic(.warning, file: display, message: "directory already visited (symbolic link loop?) skipped"))
                    }
                    return
                }
                let entries: [String]
                do {
                    entries = try fileManager.contentsOfDirectory(atPath: path).sorted()
                } catch {
                    problems.append(Diagnostic(.error, file: display, message: "cannot read directory: permission denied or unreadable"))
                    return
                }
                let (before, passedBefore) = (files.count, passedOver)
                for entry in entries where !entry.hasPrefix(".") {
                    let child = (path as NSString).appendingPathComponent(entry)
                    let childDisplay = (display as NSString).appendingPathComponent(entry)
                    var childIsDirectory: ObjCBool = false
                    if fileManager.fileExists(atPath: child, isDirectory: &childIsDirectory), !childIsDirectory.boolValue,
                        RecordFormat(pathExtension: (entry as NSString).pathExtension) == nil
                            || entry.hasSuffix(".schema.json")
                    {
                        // Not a record file (JSON Schema files describe records, they hold none).
                        if otherExtensions.contains((entry as NSString).pathExtension.lowercased()) { passedOver += 1 }
                        continue
                    }
                    visit(child, display: childDisplay, named: false)
                }
                // A directory named with nothing to read is most likely the wrong one.
                if named, files.count == before, passedOver == passedBefore {
                    problems.append(
                        Diagnostic(.warning, file: display, message: "no record files (.json, .jsonl, .ndjson, .xml) in this directory"))
                }
                return
            }
            guard seenFiles.insert(real).inserted else {
                passedOver += 1
                return
            }
            // A thesaurus named beside record files is imported by ingest, not read as records.
            if otherExtensions.contains((path as NSString).pathExtension.lowercased()) {
                passedOver += 1
                return
            }
            // Only regular files: opening a named pipe would wait for a writer forever, and a
            // device or socket is no record file.
            var status = stat()
            guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
                problems.append(
                    Diagnostic(
                        named ? .error : .warning, file: display,
                        message: "not a regular file (a pipe, socket or device)" + (named ? "" : "; skipped")))
                return
            }
            if let format = RecordFormat(pathExtension: (path as NSString).pathExtension) {
                files.append(RecordFile(path: path, displayPath: display, format: format))
            } else if let sniffed = sniffFormat(path) {
                files.append(RecordFile(path: path, displayPath: display, format: sniffed))
            } else {
                let compressed = ["gz", "zip", "bz2", "xz", "zst", "tgz", "7z"].contains((path as NSString).pathExtension.lowercased())
                problems.append(
                    Diagnostic(
                        .error, file: display,
                        message: compressed
                            ? "a compressed file is not read; decompress it first (gunzip, unzip, ...), then ingest the .json, .jsonl, .ndjson or .xml inside"
                            : "unknown file type; name it .json, .jsonl, .ndjson or .xml"))
            }
        }
        namedDirectories = Set(paths.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path })
        for path in paths {
            visit(path, display: path, named: true)
        }
        return (files, problems)
    }

    /// Guesses the format of a file without a known extension from its first bytes.
    static func sniffFormat(_ path: String) -> RecordFormat? {
        guard let source = try? ByteSource(path: path) else { return nil }
        source.skipByteOrderMark()
        while let byte = source.next() {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "<"): return .xml
            case UInt8(ascii: "["): return .json
            case UInt8(ascii: "{"): return .json
            default: return nil
            }
        }
        return nil
    }

    /// Whether the records are a body in memory, not a file.
    private var isBody: Bool {
        if case .bytes = input { return true }
        return false
    }

    /// Checks that the content agrees with the extension; returns the problem if not.
    package func contentMismatch() -> Diagnostic? {
        guard let source = try? input.openByteSource(displayPath: displayPath) else { return nil }
        source.skipByteOrderMark()
        while let byte = source.next() {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            // (A body in memory was declared a format, by its caller or its Content-Type; a
            // file was named one.)
            case UInt8(ascii: "<") where format != .xml:
                let message =
                    isBody ? "the body is declared JSON but holds XML; declare it XML" : "the file is named as JSON but holds XML; rename it .xml"
                return Diagnostic(.error, file: displayPath, line: 1, message: message)
            case UInt8(ascii: "{") where format == .xml, UInt8(ascii: "[") where format == .xml:
                let message =
                    isBody
                    ? "the body is declared XML but holds JSON; declare it JSON or JSON Lines"
                    : "the file is named as XML but holds JSON; rename it .json or .jsonl"
                return Diagnostic(.error, file: displayPath, line: 1, message: message)
            case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "<"): return nil
            default:
                guard format != .xml else { return nil }
                // (A gzip file or UTF-16 text: the parser's own advice, which says what to do.)
                if JSONParser.foreignStart(byte) != nil { return nil }
                // Not JSON's first byte: binary data (an image or an archive named .jsonl) gave
                // one error for each of its "lines" (QA: 1,535 for 200 KB of random bytes).
                var start = [byte]
                while start.count < 4096, let next = source.next() { start.append(next) }
                guard Self.looksBinary(start) else { return nil }
                let what = isBody ? "the body" : "the file"
                return Diagnostic(
                    .error, file: displayPath, line: 1,
                    message: "\(what) holds binary data, not JSON text (its first bytes are not UTF-8 text); is it the right \(isBody ? "body" : "file")?")
            }
        }
        return nil
    }

    /// Whether `bytes`, the start of a file, are binary rather than text: a NUL byte, or bytes
    /// that are not UTF-8 (short of a character cut off at the end).
    package static func looksBinary(_ bytes: [UInt8]) -> Bool {
        if bytes.contains(0) { return true }
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var decoded = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): decoded += scalar.utf8.count
            case .emptyInput: return false
            case .error: return decoded < bytes.count - 3
            }
        }
    }
}
