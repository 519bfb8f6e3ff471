// The clearing-house's use of SearchCore: how a record becomes a document, and how the
// index follows the catalog's change log. The index lives in `<index>/segments/` and
// records in its commit data the last change-log sequence it reflects.
import Foundation
import Parallel
import SearchCore

/// The record <-> document mapping and the catalog -> index synchronization.
enum RecordIndexing {
    /// Commit-data key of the last change-log sequence the index reflects.
    static let changeSequenceKey = "changeSequence"
    /// The change-log position recorded in a commit's user data (0: none yet).
    static func changeSequence(in userData: [String: String]) -> Int64 {
        userData[changeSequenceKey].flatMap { Int64($0) } ?? 0
    }

    /// Sub-directory of the index directory that holds the segments.
    static let directoryName = "segments"

    /// BM25 parameters of new indexes (chosen across eight judged collections in six languages:
    /// see docs/relevance.md).
    static let defaultBM25 = BM25Parameters(k1: 1.5, b: 0.5)

    /// Languages with fields of their own; text in any other language goes to `<field>.other`.
    static let languages = LanguageAnalyzer.languages
    static let otherLanguage = "other"

    /// Text fields and their BM25F weights (title highest).
    static let textFields: [(name: String, weight: Double)] = [
        ("title", 2), ("keywords", 2), ("summary", 1.5), ("description", 1),
    ]

    /// The schema: each text field once per language (`title.en`, `title.zh`, ...,
    /// `title.other`) with that language's analyzer, grouped by language so that a record is
    /// scored on its best-matching language; and keyword fields for filters and facets.
    static let schema: Schema = {
        var fields: [Schema.TextField] = []
        for language in languages + [otherLanguage] {
            let analyzer = LanguageAnalyzer.forLanguage(language)
            for (name, weight) in textFields {
                fields.append(Schema.TextField("\(name).\(language)", analyzer: analyzer, weight: weight, group: language))
            }
        }
        return Schema(
            textFields: fields,
            keywordFields: ["kind", "country", "region", "theme", "target", "language", "year", "published", "assistanceType"],
            version: documentVersion)
    }()

    /// The version of ``document(for:)``: an index made by another is rebuilt from the
    /// catalog, once. 2: a record that names no region is in its countries' regions, and a
    /// region's spellings are one (``CountryRegions/regions(of:)-(Record)``). 3: a hyphenated
    /// compound's written form keeps its hyphens (completions offered `communitybased`).
    static let documentVersion = "3"

    /// The field suffix for text in language `tag`.
    static func fieldLanguage(_ tag: String) -> String {
        let primary = LanguageTag.primaryLanguage(of: tag)
        return languages.contains(primary) ? primary : otherLanguage
    }

    /// The text fields' names by field language (``fieldLanguage(_:)``) and then field
    /// (`fieldNames["en"]?["title"]` is `title.en`): made once, not for every record indexed.
    private static let fieldNames: [String: [String: String]] = Dictionary(
        uniqueKeysWithValues: (languages + [otherLanguage]).map { language in
            (language, Dictionary(uniqueKeysWithValues: textFields.map { field, _ in (field, "\(field).\(language)") }))
        })

    /// The name of text field `field` (`title`, `summary`, `description`, `keywords`) for
    /// text in language `tag`.
    private static func fieldName(_ field: String, tag: String) -> String {
        let language = fieldLanguage(tag)
        return fieldNames[language]?[field] ?? "\(field).\(language)"
    }

    /// The document of a record: each localized text in its language's field.
    static func document(for record: Record) -> Document {
        var text: [String: [String]] = [:]
        func add(_ field: String, _ localized: LocalizedText) {
            // (One language, the common case, needs no sorting.)
            if localized.values.count == 1, let (tag, value) = localized.values.first {
                text[fieldName(field, tag: tag), default: []].append(value)
                return
            }
            for tag in localized.languages {
                guard let value = localized.values[tag] else { continue }
                text[fieldName(field, tag: tag), default: []].append(value)
            }
        }
        add("title", record.title)
        add("summary", record.summary)
        add("description", record.description)
        // (A keyword in another script than the record's language is analyzed in its own.)
        for keyword in record.keywords {
            text[fieldName("keywords", tag: ClearingHouse.language(ofKeyword: keyword, in: record)), default: []].append(keyword)
        }
        var keywords: [String: [String]] = [
            "kind": [record.kind.rawValue],
            "country": record.countries,
            "region": CountryRegions.regions(of: record),
            "theme": record.themes,
            "target": record.targets,
            "language": record.textLanguages,
        ]
        if let published = record.published {
            keywords["published"] = [published]
            if let year = RecordDate.year(ofPublished: published) { keywords["year"] = [String(year)] }
        }
        keywords["assistanceType"] = record.assistanceTypes
        return Document(key: record.id, text: text, keywords: keywords)
    }

    /// A stored record (nil: a deletion) parsed, mapped and analyzed.
    static func analyze(_ json: String?, with analyzer: DocumentAnalyzer) -> Result<AnalyzedDocument?, ClearingHouseError> {
        guard let json else { return .success(nil) }
        return Result { () throws(ClearingHouseError) in analyzer.analyze(document(for: try Record(fromCatalog: json))) }
    }

    /// Parses and analyzes batches of stored records on all cores while the caller adds the
    /// previous batch to the (sequential) writer.
    private static func analysisPipeline(_ writer: IndexWriter) -> BackgroundBatches<String?, Result<AnalyzedDocument?, ClearingHouseError>> {
        let analyzer = writer.documentAnalyzer
        return BackgroundBatches { analyze($0, with: analyzer) }
    }

    /// Applies every change-log entry after the index's position, then commits with the new
    /// position. Safe to repeat: applying an entry twice gives the same index.
    /// - Returns: the number of records applied.
    @discardableResult
    static func synchronize(_ writer: IndexWriter, catalog: Catalog) throws -> Int {
        var position = changeSequence(in: writer.committedUserData)
        if position > 0, position > (try catalog.lastChangeSequence()) {
            // The index reflects changes the catalog does not hold (a catalog restored from a
            // backup, or one that lost its last transactions): the catalog is the truth.
            try rebuild(writer, catalog: catalog)
            return try catalog.changeCount()
        }
        if position == 0, writer.documentCount == 0 {
            // An empty index (a first ingest) catches up fastest by a rebuild: every stored
            // record read once and added, with no older copy to look for, in one segment.
            let changes = try catalog.changeCount()
            guard changes > 0 else { return 0 }
            try rebuild(writer, catalog: catalog)
            return changes
        }
        var readPosition = position
        var applied = 0
        // While one batch of changes is applied, the next is parsed and analyzed.
        let pipeline = analysisPipeline(writer)
        var inFlight: (ids: [String], last: Int64)?
        func apply(ids: [String], last: Int64, analyzed: [AnalyzedDocument?]) throws {
            for (id, analyzed) in zip(ids, analyzed) {
                if let analyzed {
                    try writer.update(analyzed)
                } else {
                    writer.delete(key: id)
                }
                applied += 1
            }
            position = last
            if applied % 50_000 < 5000 || ids.count < 5000 {
                try writer.commit(userData: [changeSequenceKey: String(position)])
            }
        }
        while true {
            let batch = try catalog.changes(after: readPosition, limit: 5000)
            guard let last = batch.last else { break }
            readPosition = last.sequence
            let previous = inFlight
            let previousAnalyzed = previous == nil ? nil : try pipeline.take().map { try $0.get() }
            pipeline.submit(batch.map(\.json))
            inFlight = (batch.map(\.recordID), readPosition)
            if let previous, let previousAnalyzed { try apply(ids: previous.ids, last: previous.last, analyzed: previousAnalyzed) }
        }
        if let inFlight { try apply(ids: inFlight.ids, last: inFlight.last, analyzed: try pipeline.take().map { try $0.get() }) }
        if writer.committedUserData[changeSequenceKey] != String(position) {
            try writer.commit(userData: [changeSequenceKey: String(position)])
        }
        return applied
    }

    /// Rebuilds the index from the catalog alone.
    static func rebuild(_ writer: IndexWriter, catalog: Catalog, bm25: BM25Parameters? = nil) throws {
        if let bm25 { writer.deleteAll(bm25: bm25) } else { writer.deleteAll() }
        let position = try catalog.lastChangeSequence()
        // While one batch is added, the next is parsed and analyzed.
        let pipeline = analysisPipeline(writer)
        var batch: [String?] = []
        func submit() throws {
            let previous = pipeline.take()
            pipeline.submit(batch)
            batch.removeAll(keepingCapacity: true)
            for analyzed in previous { if let analyzed = try analyzed.get() { try writer.add(analyzed) } }
        }
        try catalog.forEachJSON { _, json in
            batch.append(json)
            if batch.count == 2048 { try submit() }
        }
        try submit()
        for analyzed in pipeline.take() { if let analyzed = try analyzed.get() { try writer.add(analyzed) } }
        try writer.commit(userData: [changeSequenceKey: String(position)])
        try writer.forceMerge()
    }
}
