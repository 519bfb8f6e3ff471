// The clearing-house's use of SearchCore: how a record becomes a document, and how the
// index follows the catalog's change log. The index lives in `<index>/segments/` and
// records in its commit data the last change-log sequence it reflects.
import Foundation
import GRDB
import SearchCore

/// The record <-> document mapping and the catalog -> index synchronization.
enum SearchIndex {
    /// Commit-data key of the last change-log sequence the index reflects.
    static let changeSequenceKey = "changeSequence"
    /// Sub-directory of the index directory that holds the segments.
    static let directoryName = "segments"

    /// BM25 parameters of new indexes (chosen on Cranfield and CISI: see docs/relevance.md).
    static let defaultBM25 = BM25Parameters(k1: 2.0, b: 0.75)

    /// Languages with fields of their own; text in any other language goes to `<field>.other`.
    static let languages = LanguageAnalyzer.languages
    static let otherLanguage = "other"

    /// Text fields and their BM25F weights (title highest).
    static let textFields: [(name: String, weight: Double)] = [
        ("title", 3), ("keywords", 2), ("summary", 1.5), ("description", 1),
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
            keywordFields: ["kind", "country", "region", "theme", "target", "language", "year", "published", "assistanceType"])
    }()

    /// The field suffix for text in language `tag`.
    static func fieldLanguage(_ tag: String) -> String {
        let primary = LanguageTag.primaryLanguage(of: tag)
        return languages.contains(primary) ? primary : otherLanguage
    }

    /// The document of a record: each localized text in its language's field.
    static func document(for record: Record) -> Document {
        var text: [String: [String]] = [:]
        func add(_ field: String, _ localized: LocalizedText) {
            for tag in localized.languages {
                guard let value = localized.values[tag] else { continue }
                text["\(field).\(fieldLanguage(tag))", default: []].append(value)
            }
        }
        add("title", record.title)
        add("summary", record.summary)
        add("description", record.description)
        if !record.keywords.isEmpty { text["keywords.\(fieldLanguage(record.language))"] = record.keywords }
        var keywords: [String: [String]] = [
            "kind": [record.kind.rawValue],
            "country": record.countries,
            "region": record.regions,
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

    /// The stored records `json` (nil: a deletion) parsed, mapped and analyzed on all cores.
    static func analyze(_ json: [String?], for writer: IndexWriter) throws -> [AnalyzedDocument?] {
        let analyzer = writer.documentAnalyzer
        let results = parallelMap(json) { json -> Result<AnalyzedDocument?, ClearingHouseError> in
            guard let json else { return .success(nil) }
            do {
                return .success(analyzer.analyze(document(for: try Record(storedJSON: json))))
            } catch let error as ClearingHouseError {
                return .failure(error)
            } catch {
                return .failure(ClearingHouseError(.damaged, "a stored record cannot be read: \(error)"))
            }
        }
        return try results.map { try $0.get() }
    }

    /// Applies every change-log entry after the index's position, then commits with the new
    /// position. Safe to repeat: applying an entry twice gives the same index.
    /// - Returns: the number of records applied.
    @discardableResult
    static func synchronize(_ writer: IndexWriter, catalog: Catalog) throws -> Int {
        var position = Int64(writer.committedUserData[changeSequenceKey] ?? "0") ?? 0
        var applied = 0
        while true {
            let batch = try catalog.database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.seq AS seq, c.record_id AS id, r.json AS json
                        FROM changes c LEFT JOIN records r ON r.id = c.record_id
                        WHERE c.seq > ? ORDER BY c.seq LIMIT 5000
                        """, arguments: [position])
            }
            guard let last = batch.last else { break }
            let entries: [(id: String, json: String?)] = batch.map { ($0["id"], $0["json"]) }
            // Parsing and analysis on all cores; changes applied in log order.
            for (id, analyzed) in zip(entries.map(\.id), try analyze(entries.map(\.json), for: writer)) {
                if let analyzed {
                    try writer.update(analyzed)
                } else {
                    writer.delete(key: id)
                }
                applied += 1
            }
            position = last["seq"]
            if applied % 50_000 < 5000 || batch.count < 5000 {
                try writer.commit(userData: [changeSequenceKey: String(position)])
            }
        }
        if writer.committedUserData[changeSequenceKey] != String(position) {
            try writer.commit(userData: [changeSequenceKey: String(position)])
        }
        return applied
    }

    /// Rebuilds the index from the catalog alone.
    static func rebuild(_ writer: IndexWriter, catalog: Catalog) throws {
        writer.deleteAll()
        let position = try catalog.database.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM changes") ?? 0
        }
        var pending: [String] = []
        func addPending() throws {
            for analyzed in try analyze(pending, for: writer) {
                if let analyzed { try writer.add(analyzed) }
            }
            pending.removeAll(keepingCapacity: true)
        }
        try catalog.forEachJSON { _, json in
            pending.append(json)
            if pending.count == 2048 { try addPending() }
        }
        try addPending()
        try writer.commit(userData: [changeSequenceKey: String(position)])
        try writer.forceMerge()
    }
}
