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

    public var file: String
    public var format: RecordFormat
    public var status: Status
    /// Valid records (and deletions) read from the file.
    public var valid: Int
    /// Invalid records (and broken lines) in the file.
    public var invalid: Int
}

/// The outcome of an ingest (or a validation) over one or more paths.
public struct IngestReport: Sendable, Hashable {
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
    /// Records not stored: invalid ones, and valid ones of files that were rolled back.
    public var rejected = 0
    /// Paths that could not be read at all.
    public var unreadable = 0
    /// Number of error and warning diagnostics.
    public var errors = 0
    public var warnings = 0
    /// The diagnostics, in order (at most ``maximumKeptDiagnostics``; the counts are exact).
    public var diagnostics: [Diagnostic] = []
    /// What importing the thesaurus files among the paths did (`.jsonld`, `.rdf`, `.skos`),
    /// when there were any.
    public var thesaurus: ThesaurusImportReport?

    /// How many diagnostics a report keeps; the counters go on counting past it.
    public static let maximumKeptDiagnostics = 10_000

    public init() {}

    /// True when every record was stored (or checked) and no path failed.
    public var succeeded: Bool { errors == 0 && rejected == 0 && unreadable == 0 }

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

    /// The report as JSON, for `--json`.
    public var jsonValue: JSONValue {
        .object([
            ("files", .integer(files.count)),
            ("records", .integer(records)),
            ("added", .integer(added)),
            ("updated", .integer(updated)),
            ("unchanged", .integer(unchanged)),
            ("skipped", .integer(skipped)),
            ("deleted", .integer(deleted)),
            ("rejected", .integer(rejected)),
            ("errors", .integer(errors)),
            ("warnings", .integer(warnings)),
            ("ok", .bool(succeeded)),
            (
                "fileReports",
                .array(
                    files.map {
                        .object([
                            ("file", .string($0.file)), ("format", .string($0.format.rawValue)),
                            ("status", .string($0.status.rawValue)), ("valid", .integer($0.valid)),
                            ("invalid", .integer($0.invalid)),
                        ])
                    })
            ),
            ("diagnostics", .array(diagnostics.map(\.jsonValue))),
            ("thesaurus", thesaurus?.jsonValue ?? .null),
        ])
    }
}

extension IngestReport {
    /// The counts the catalog keeps for the run (its `ingest_runs` row).
    var runCounts: Catalog.RunCounts {
        Catalog.RunCounts(
            files: files.count, added: added, updated: updated, unchanged: unchanged, skipped: skipped,
            deleted: deleted, rejected: rejected, succeeded: succeeded)
    }
}

/// Counts that describe a catalog.
public struct CatalogStatistics: Sendable, Hashable {
    /// Number of records.
    public var records = 0
    /// Records per kind (every kind present, zero when none).
    public var kinds: [String: Int] = [:]
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

    public init() {}

    /// The statistics as JSON: `{"records", "kinds", "languages", ...}`.
    public var jsonValue: JSONValue {
        .object([
            ("records", .integer(records)),
            ("kinds", .object(kinds.keys.sorted().map { ($0, .integer(kinds[$0] ?? 0)) })),
            ("languages", .object(languages.keys.sorted().map { ($0, .integer(languages[$0] ?? 0)) })),
            (
                "catalog",
                .object([
                    ("bytes", .number(String(catalogBytes))), ("lastChange", .number(String(lastChange))),
                    ("ingestRuns", .integer(ingestRuns)), ("lastIngest", .optionalString(lastIngest)),
                ])
            ),
        ])
    }
}
