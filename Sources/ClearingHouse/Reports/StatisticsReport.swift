// The document of `chm stats --json`: the catalog's counts and the index's figures.

/// What ``ClearingHouse/statisticsReport()`` returns: the catalog's statistics and the
/// index's figures, as one document.
///
/// `{"records", "kinds": {...}, "languages": {...}, "catalog": {"bytes", "lastChange",
/// "ingestRuns", "lastIngest", "aliases"}, "index": {"segments", "documents", ...}}`: the members of
/// ``CatalogStatistics``, then `"index"`.
public struct StatisticsReport: Sendable, Hashable, Codable {
    /// Counts of records and catalog facts.
    public var catalog: CatalogStatistics
    /// Figures about the search index.
    public var index: IndexSummary

    /// A report of `catalog` and `index`.
    public init(catalog: CatalogStatistics, index: IndexSummary) {
        self.catalog = catalog
        self.index = index
    }

    private enum CodingKeys: String, CodingKey {
        case index
    }

    /// The catalog's members, then `"index"`.
    public func encode(to encoder: any Encoder) throws {
        try catalog.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
    }

    /// Reads the document ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        catalog = try CatalogStatistics(from: decoder)
        index = try decoder.container(keyedBy: CodingKeys.self).decode(IndexSummary.self, forKey: .index)
    }
}

extension ClearingHouse {
    /// The catalog's statistics and the index's figures (what `chm stats` shows).
    public func statisticsReport() throws -> StatisticsReport {
        StatisticsReport(catalog: try statistics(), index: try indexSummary())
    }
}

extension CatalogStatistics: Codable {
    private enum CodingKeys: String, CodingKey {
        case records, kinds, languages, catalog
    }

    private enum CatalogKeys: String, CodingKey {
        case bytes, lastChange, ingestRuns, lastIngest, aliases
    }

    /// `{"records", "kinds" (by name), "languages" (by tag), "catalog": {"bytes",
    /// "lastChange", "ingestRuns", "lastIngest" (null when none), "aliases"}}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(records, forKey: .records)
        var kindCounts = container.nestedContainer(keyedBy: DynamicKey.self, forKey: .kinds)
        for kind in kinds.keys.sorted() { try kindCounts.encode(kinds[kind] ?? 0, forKey: DynamicKey(kind)) }
        var languageCounts = container.nestedContainer(keyedBy: DynamicKey.self, forKey: .languages)
        for language in languages.keys.sorted() { try languageCounts.encode(languages[language] ?? 0, forKey: DynamicKey(language)) }
        var catalog = container.nestedContainer(keyedBy: CatalogKeys.self, forKey: .catalog)
        try catalog.encode(catalogBytes, forKey: .bytes)
        try catalog.encode(lastChange, forKey: .lastChange)
        try catalog.encode(ingestRuns, forKey: .ingestRuns)
        try catalog.encode(lastIngest, forKey: .lastIngest)
        try catalog.encode(aliases, forKey: .aliases)
    }

    /// Reads the document ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        records = try container.decode(Int.self, forKey: .records)
        kinds = try container.decode([String: Int].self, forKey: .kinds)
        languages = try container.decode([String: Int].self, forKey: .languages)
        let catalog = try container.nestedContainer(keyedBy: CatalogKeys.self, forKey: .catalog)
        catalogBytes = try catalog.decode(Int64.self, forKey: .bytes)
        lastChange = try catalog.decode(Int64.self, forKey: .lastChange)
        ingestRuns = try catalog.decode(Int.self, forKey: .ingestRuns)
        lastIngest = try catalog.decodeIfPresent(String.self, forKey: .lastIngest)
        aliases = try catalog.decodeIfPresent(Int.self, forKey: .aliases) ?? 0
    }
}

extension IndexSummary: Codable {
    private enum CodingKeys: String, CodingKey {
        case segments, documents, deletedDocuments, terms, postings, bytes, segmentBytes, postingsBytes, bytesPerPosting,
            changeSequence
    }

    /// Bytes of postings per posting, to three decimals (0 for an empty index).
    public var bytesPerPosting: Double {
        postings > 0 ? (Double(postingsBytes) / Double(postings) * 1000).rounded() / 1000 : 0
    }

    /// `{"segments", "documents", "deletedDocuments", "terms", "postings", "bytes",
    /// "segmentBytes", "postingsBytes", "bytesPerPosting", "changeSequence"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(segments, forKey: .segments)
        try container.encode(documents, forKey: .documents)
        try container.encode(deletedDocuments, forKey: .deletedDocuments)
        try container.encode(terms, forKey: .terms)
        try container.encode(postings, forKey: .postings)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(segmentBytes, forKey: .segmentBytes)
        try container.encode(postingsBytes, forKey: .postingsBytes)
        try container.encode(bytesPerPosting, forKey: .bytesPerPosting)
        try container.encode(changeSequence, forKey: .changeSequence)
    }

    /// Reads the document ``encode(to:)`` writes (``bytesPerPosting`` follows from the others).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            segments: try container.decode(Int.self, forKey: .segments), documents: try container.decode(Int.self, forKey: .documents),
            deletedDocuments: try container.decode(Int.self, forKey: .deletedDocuments),
            terms: try container.decode(Int.self, forKey: .terms), postings: try container.decode(Int.self, forKey: .postings),
            bytes: try container.decode(Int64.self, forKey: .bytes), segmentBytes: try container.decode(Int64.self, forKey: .segmentBytes),
            postingsBytes: try container.decode(Int64.self, forKey: .postingsBytes),
            changeSequence: try container.decode(Int64.self, forKey: .changeSequence))
    }
}
