import Foundation
import GRDB
import SearchCore

extension ClearingHouse {
    /// Where the segments live.
    var segmentsDirectory: URL { directory.appendingPathComponent(SearchIndex.directoryName) }

    /// Runs an index operation, turning engine errors into ``ClearingHouseError``.
    @discardableResult
    func indexing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as IndexError {
            switch error.code {
            case .invalidArgument: throw ClearingHouseError(.invalidQuery, error.message)
            default: throw ClearingHouseError(.storage, error.message)
            }
        } catch let error as DatabaseError {
            throw ClearingHouseError(.storage, "catalog error in \(catalog.path): \(error.message ?? error.description)")
        }
    }

    /// Opens the index for writing (one writer at a time, across processes).
    func openIndexWriter() throws -> IndexWriter {
        let writer: IndexWriter
        do {
            writer = try IndexWriter(directory: segmentsDirectory, schema: SearchIndex.schema)
        } catch let error where error.code == .schemaMismatch {
            // An index built by an older chm with other fields: start afresh; the
            // synchronization that follows replays the whole change log into it.
            try? FileManager.default.removeItem(at: segmentsDirectory)
            writer = try indexing { try IndexWriter(directory: segmentsDirectory, schema: SearchIndex.schema) }
        } catch {
            throw ClearingHouseError(.storage, error.message)
        }
        writer.maximumBufferedBytes = indexBufferBytes
        return writer
    }

    /// Brings the index up to date with the catalog: applies every change that a crash (or
    /// another tool writing the catalog) left unindexed. Every write path does this; call it
    /// yourself after writing to the catalog by other means.
    /// - Returns: the number of changes applied.
    @discardableResult
    public func synchronizeIndex() throws -> Int {
        let writer = try openIndexWriter()
        defer { writer.close() }
        return try indexing { try SearchIndex.synchronize(writer, catalog: catalog) }
    }

    /// Rebuilds the index from the catalog alone (what `chm reindex` does).
    public func reindex() throws {
        let writer = try openIndexWriter()
        defer { writer.close() }
        try indexing { try SearchIndex.rebuild(writer, catalog: catalog) }
    }

    /// Merges the index into one segment, dropping deleted documents (`chm optimize`).
    public func optimize() throws {
        let writer = try openIndexWriter()
        defer { writer.close() }
        try indexing {
            try SearchIndex.synchronize(writer, catalog: catalog)
            try writer.forceMerge()
        }
    }

    /// The change-log position of the catalog.
    func catalogChangeSequence() throws -> Int64 {
        try storage { try catalog.database.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM changes") ?? 0 } }
    }

    /// Opens a searcher on the newest commit; if the index lags behind the catalog and no
    /// other process is writing, catches up first.
    func openSearcher() throws -> IndexSearcher {
        var searcher = try indexing { try IndexSearcher.open(directory: segmentsDirectory, schema: SearchIndex.schema) }
        let indexed = Int64(searcher.userData[SearchIndex.changeSequenceKey] ?? "0") ?? 0
        if indexed < (try catalogChangeSequence()), (try? synchronizeIndex()) != nil {
            searcher = try indexing { try IndexSearcher.open(directory: segmentsDirectory, schema: SearchIndex.schema) }
        }
        return searcher
    }

    /// Parses a query in the `chm search` syntax.
    /// - Throws: ``ClearingHouseError`` with code `invalidQuery` naming the position.
    public static func parseQuery(_ text: String) throws -> Query {
        do {
            return try QueryParser().parse(text)
        } catch {
            throw ClearingHouseError(.invalidQuery, "invalid query: \(error.description)")
        }
    }

    /// Searches the clearing-house.
    ///
    /// ```swift
    /// let response = try house.search(SearchRequest(query: "mangrove nursery", limit: 5))
    /// for hit in response.hits { print(hit.id, hit.title, hit.score) }
    /// ```
    public func search(_ request: SearchRequest) throws -> SearchResponse {
        let query = try Self.parseQuery(request.query)
        let searcher = try openSearcher()
        let results = try indexing {
            try searcher.search(
                query,
                options: SearchOptions(
                    limit: request.limit, offset: request.offset, countTotal: request.countTotal, explain: request.explain))
        }
        var hits: [SearchResultHit] = []
        for hit in results.hits {
            guard let record = try self.record(id: hit.key) else { continue }  // deleted since the commit
            let title = record.title.resolved(preferring: request.language)
            hits.append(
                SearchResultHit(
                    id: record.id, kind: record.kind, title: title?.text ?? record.id,
                    titleLanguage: title?.language ?? LanguageTag.undetermined, score: hit.score,
                    explanation: hit.explanation?.description))
        }
        return SearchResponse(
            query: request.query, total: request.countTotal ? results.totalHits : nil,
            totalLowerBound: results.totalHits, hits: hits)
    }

    /// Figures about the search index.
    public func indexSummary() throws -> IndexSummary {
        let searcher = try indexing { try IndexSearcher.open(directory: segmentsDirectory, schema: SearchIndex.schema) }
        let statistics = searcher.statistics()
        var bytes: Int64 = 0
        let names = (try? FileManager.default.contentsOfDirectory(atPath: segmentsDirectory.path)) ?? []
        for name in names {
            let path = segmentsDirectory.appendingPathComponent(name).path
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber {
                bytes += size.int64Value
            }
        }
        return IndexSummary(
            segments: statistics.segments, documents: statistics.documents, deletedDocuments: statistics.deletedDocuments,
            terms: statistics.terms, postings: statistics.postings, bytes: bytes,
            changeSequence: Int64(searcher.userData[SearchIndex.changeSequenceKey] ?? "0") ?? 0)
    }
}
