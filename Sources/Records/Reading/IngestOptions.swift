// How records are read: what the readers and the validator need to know (strictness, defaults,
// size limits), and whether a file with invalid records is stored at all.

/// Options for reading records: for `ClearingHouse.ingest` and `ClearingHouse.validate`, and
/// for the readers themselves.
public struct IngestOptions: Sendable, Hashable {
    /// Store the valid records of a file even when others in it are invalid.
    public var skipInvalid: Bool
    /// Treat unknown fields as errors instead of warnings.
    public var strict: Bool
    /// The kind of records that give none (e.g. `.resource` for a test collection).
    public var defaultKind: RecordKind?
    /// The language (BCP 47) of plain-string text in records that give none.
    public var defaultLanguage: String?
    /// How a rolled-back file's diagnostic tells its reader to store the valid records anyway:
    /// each front end names its own switch (the CLI's `--skip-invalid`, the HTTP API's
    /// `?skipInvalid=true`).
    public var skipInvalidAdvice = "use --skip-invalid"
    /// The size limits the readers enforce (``RecordLimits/default``; tests lower them).
    public package(set) var limits: RecordLimits = .default
    /// Whether readers also put valid records in their stored form (canonical JSON and its
    /// hash) while they read, on all cores: set by ingest, not by validation.
    package var preparesStorage = false
    /// The base URL that records read from an OAI-PMH response name in `source.url`: a
    /// harvest sets the URL it harvested. Nil: the response's own `<request>` element.
    package var oaiBaseURL: String?
    /// The metadata format a harvest asked for (`oai_dc` or `chm`): a record of the page in
    /// another format is refused alone (naming its id), the rest of the page read. Nil (a
    /// file): a response holding records in another format gets one error for the file.
    package var oaiMetadataPrefix: String?
    /// Whether a deletion of a record that is not in the catalog gets a notice (a harvest,
    /// which meets every tombstone of a repository on its first run, turns it off).
    package var reportsUnknownDeletions = true
    /// Whether a file that cannot be read to its end (a syntax error, a record over the size
    /// limit) is stored not at all, even with ``skipInvalid``: a harvested page must be whole,
    /// or its unread records would be lost with the harvest marked complete.
    package var requiresWholeFiles = false

    /// Creates options; `defaultLanguage` is normalized as a BCP 47 tag when it is one.
    public init(skipInvalid: Bool = false, strict: Bool = false, defaultKind: RecordKind? = nil, defaultLanguage: String? = nil) {
        self.skipInvalid = skipInvalid
        self.strict = strict
        self.defaultKind = defaultKind
        self.defaultLanguage = defaultLanguage.map { LanguageTag.normalized($0) ?? $0 }
    }

    /// Whether the input is a test collection: both ``defaultKind`` and ``defaultLanguage``
    /// are given. Its documents may lack a title (as in BEIR and MS MARCO-style data), as
    /// long as they have some text, and BEIR's `_id` is read as the id; clearing-house
    /// records still need an `id` and a title.
    public var readsTestCollection: Bool { defaultKind != nil && defaultLanguage != nil }

    /// The validator for a file, with these options.
    func validator(for file: String) -> RecordValidator {
        RecordValidator(
            file: file, strict: strict, defaultKind: defaultKind, defaultLanguage: defaultLanguage,
            titleIsOptional: readsTestCollection, readsTestCollection: readsTestCollection, limits: limits)
    }
}
