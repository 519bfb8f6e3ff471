/// Where an ingest stands, reported periodically while it runs.
public struct IngestProgress: Sendable, Hashable {
    /// Records (valid or not) read so far, over all files.
    public var records: Int
    /// Bytes read so far, over all files.
    public var bytes: Int
    /// Seconds since the ingest started.
    public var elapsed: Double
    /// The file being read.
    public var file: String
}

/// What happened to one file.
public struct FileReport: Sendable, Hashable {
    /// Whether the file's records were stored.
    public enum Status: String, Sendable, Hashable {
        /// All of the file's records were stored (or, with `skipInvalid`, all valid ones).
        case committed
        /// The file had errors, so nothing from it was stored.
        case rolledBack
        /// Nothing was stored, as the command does not write (`chm validate`).
        case checked
    }

    /// The file's path as the user named it (or as found under a named directory), as diagnostics name it.
    public var file: String
    /// The format the file was read in.
    public var format: RecordFormat
    /// Whether the file's records were stored.
    public var status: Status
    /// Valid records (and deletions) read from the file.
    public var valid: Int
    /// Invalid records (and broken lines) in the file.
    public var invalid: Int
}

/// The outcome of an ingest (or a validation) over one or more paths.
public struct IngestReport: Sendable, Hashable {
    /// What happened to each file read, in the order read.
    public var files: [FileReport] = []
    /// New records stored.
    public var added = 0
    /// Stored records replaced by different content.
    public var updated = 0
    /// Records identical to the stored copy.
    public var unchanged = 0
    /// Records not stored because the stored copy has a newer `updated`.
    public var skipped = 0
    /// Records deleted (OAI-PMH deletions).
    public var deleted = 0
    /// Records stored as aliases of a record the catalog holds under another id (the same
    /// content, source or mutual declaration): kept, but not indexed as records of their own.
    public var aliased = 0
    /// Records not stored: invalid ones, and valid ones of files that were rolled back.
    public var rejected = 0
    /// Paths that could not be read at all.
    public var unreadable = 0
    /// Number of error diagnostics.
    public var errors = 0
    /// Number of warning diagnostics.
    public var warnings = 0
    /// The diagnostics, in order (at most ``maximumKeptDiagnostics``; the counts are exact).
    public var diagnostics: [Diagnostic] = []
    /// What importing the thesaurus files among the paths did (`.jsonld`, `.rdf`, `.skos`),
    /// when there were any.
    public var thesaurus: ThesaurusImportReport?
    /// The peak resident memory of the process that ran the ingest, in bytes, when its
    /// front end measures it (`chm ingest --json` does); the document omits it when nil.
    public var peakMemoryBytes: Int?

    /// How many diagnostics a report keeps; the counters go on counting past it.
    public static let maximumKeptDiagnostics = 10_000

    /// An empty report: no files, every count zero.
    public init() {}

    /// True when every record was stored (or checked) and no path failed.
    public var succeeded: Bool { errors == 0 && rejected == 0 && unreadable == 0 }

    /// Records and deletions the catalog now reflects: added, updated, unchanged, skipped
    /// (the stored copy was newer), deleted and stored as aliases.
    public var stored: Int { added + updated + unchanged + skipped + deleted + aliased }

    /// Whether input was refused: a file rolled back, or records were rejected (or errors
    /// found) and nothing was stored. A front end that ingests one body answers it as a failure
    /// (HTTP 422); with ``IngestOptions/skipInvalid`` a body with some valid records is not.
    public var refusedInput: Bool {
        files.contains { $0.status == .rolledBack } || (stored == 0 && (errors > 0 || rejected > 0))
    }

    /// Adds a stored file's counts (added, updated, unchanged, skipped, deleted, aliased).
    mutating func add(counts: IngestReport) {
        added += counts.added
        updated += counts.updated
        unchanged += counts.unchanged
        skipped += counts.skipped
        deleted += counts.deleted
        aliased += counts.aliased
    }

    /// Records read, valid or not.
    public var records: Int { files.reduce(0) { $0 + $1.valid + $1.invalid } }

    mutating func note(_ diagnostic: Diagnostic) {
        switch diagnostic.severity {
        case .error: errors += 1
        case .warning: warnings += 1
        case .notice: break
        }
        if diagnostics.count < IngestReport.maximumKeptDiagnostics { diagnostics.append(diagnostic) }
    }

    /// The report as JSON, for `--json`: the document ``encode(to:)`` writes.
    public var jsonValue: JSONValue { (try? JSONValue(encoding: self)) ?? .null }
}

extension IngestReport {
    /// The counts the catalog keeps for the run (its `ingest_runs` row).
    var runCounts: Catalog.RunCounts {
        Catalog.RunCounts(
            files: files.count, added: added, updated: updated, unchanged: unchanged, skipped: skipped,
            deleted: deleted, rejected: rejected, aliased: aliased, succeeded: succeeded)
    }
}

/// Counts that describe a catalog.
public struct CatalogStatistics: Sendable, Hashable {
    /// Number of records.
    public var records = 0
    /// Records per kind (every kind present, zero when none).
    public var kinds: [String: Int] = [:]
    /// Aliases: ids that resolve to one of the records (copies of the same record kept under
    /// another id; not counted in ``records``).
    public var aliases = 0
    /// Records with text (title, summary or description) in each language.
    public var languages: [String: Int] = [:]
    /// Sequence number of the newest change-log entry (0 when empty).
    public var lastChange: Int64 = 0
    /// Number of ingest runs recorded.
    public var ingestRuns = 0
    /// When the last ingest finished (RFC 3339), if any.
    public var lastIngest: String?
    /// Size of the catalog files on disk, in bytes.
    public var catalogBytes: Int64 = 0

    /// Empty statistics: every count zero.
    public init() {}

    /// The statistics as JSON: `{"records", "kinds", "languages", ...}`, the document
    /// ``encode(to:)`` writes.
    public var jsonValue: JSONValue { (try? JSONValue(encoding: self)) ?? .null }
}

extension FileReport.Status: Codable {}

extension FileReport: Codable {
    private enum CodingKeys: String, CodingKey {
        case file, format, status, valid, invalid
    }

    /// `{"file", "format", "status", "valid", "invalid"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(format.rawValue, forKey: .format)
        try container.encode(status, forKey: .status)
        try container.encode(valid, forKey: .valid)
        try container.encode(invalid, forKey: .invalid)
    }

    /// Reads the document ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let formatName = try container.decode(String.self, forKey: .format)
        guard let format = RecordFormat(rawValue: formatName) else {
            throw DecodingError.dataCorruptedError(forKey: .format, in: container, debugDescription: "unknown format \"\(formatName)\"")
        }
        self.init(
            file: try container.decode(String.self, forKey: .file), format: format,
            status: try container.decode(Status.self, forKey: .status), valid: try container.decode(Int.self, forKey: .valid),
            invalid: try container.decode(Int.self, forKey: .invalid))
    }
}

extension IngestReport: Codable {
    private enum CodingKeys: String, CodingKey {
        case files, records, added, updated, unchanged, skipped, deleted, aliased, rejected, errors, warnings, ok, fileReports,
            diagnostics, thesaurus, peakMemoryBytes
    }

    /// `{"files" (a count), "records", "added", "updated", "unchanged", "skipped", "deleted",
    /// "aliased", "rejected", "errors", "warnings", "ok", "fileReports": [...], "diagnostics": [...],
    /// "thesaurus" (null when no thesaurus file was read)}`, then `"peakMemoryBytes"` when known.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(files.count, forKey: .files)
        try container.encode(records, forKey: .records)
        try container.encode(added, forKey: .added)
        try container.encode(updated, forKey: .updated)
        try container.encode(unchanged, forKey: .unchanged)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(deleted, forKey: .deleted)
        try container.encode(aliased, forKey: .aliased)
        try container.encode(rejected, forKey: .rejected)
        try container.encode(errors, forKey: .errors)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(succeeded, forKey: .ok)
        try container.encode(files, forKey: .fileReports)
        try container.encode(diagnostics, forKey: .diagnostics)
        try container.encode(thesaurus, forKey: .thesaurus)
        try container.encodeIfPresent(peakMemoryBytes, forKey: .peakMemoryBytes)
    }

    /// Reads the document ``encode(to:)`` writes. ``unreadable`` is not in it (each unreadable
    /// path is also an error): it is taken to be 0.
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        files = try container.decode([FileReport].self, forKey: .fileReports)
        added = try container.decode(Int.self, forKey: .added)
        updated = try container.decode(Int.self, forKey: .updated)
        unchanged = try container.decode(Int.self, forKey: .unchanged)
        skipped = try container.decode(Int.self, forKey: .skipped)
        deleted = try container.decode(Int.self, forKey: .deleted)
        aliased = try container.decodeIfPresent(Int.self, forKey: .aliased) ?? 0
        rejected = try container.decode(Int.self, forKey: .rejected)
        errors = try container.decode(Int.self, forKey: .errors)
        warnings = try container.decode(Int.self, forKey: .warnings)
        diagnostics = try container.decode([Diagnostic].self, forKey: .diagnostics)
        thesaurus = try container.decodeIfPresent(ThesaurusImportReport.self, forKey: .thesaurus)
        peakMemoryBytes = try container.decodeIfPresent(Int.self, forKey: .peakMemoryBytes)
    }
}
