// The index under the catalog: opening it for writing, catching it up with the catalog's
// change log, rebuilding and merging it, the searcher every search shares, and how engine
// errors read to the library's users.
import Foundation
import SearchCore

extension ClearingHouse {
    /// What to do about a damaged index (the engine reports the damage; the clearing-house,
    /// which keeps the records, says how to rebuild).
    static let repairAdvice = "; run `chm check --repair` to rebuild the index from the catalog"

    /// Runs an index operation, turning engine errors into ``ClearingHouseError``.
    @discardableResult
    func indexing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as IndexError {
            throw Self.clearingHouseError(from: error)
        }
    }

    /// An engine error as the library reports it: damage with the advice to rebuild.
    static func clearingHouseError(from error: IndexError) -> ClearingHouseError {
        switch error.code {
        case .invalidArgument: ClearingHouseError(.invalidQuery, error.message)
        case .corrupt: ClearingHouseError(.damaged, error.message + repairAdvice)
        case .locked: ClearingHouseError(.locked, error.message)
        case .io, .schemaMismatch: ClearingHouseError(.storage, error.message)
        }
    }

    /// ``indexing(_:)`` for a search of the query `text`: an error about one of its fields
    /// (``IndexError/field``) names where the field is written, as a parse error does.
    func indexing<T>(query text: String, _ body: () throws -> T) throws -> T {
        try indexing {
            do {
                return try body()
            } catch let error as IndexError where error.code == .invalidArgument && error.field != nil {
                let position = error.field.flatMap { QueryParser.position(ofField: $0, in: text) }
                throw ClearingHouseError(.invalidQuery, "invalid query: " + (position.map { "position \($0): " } ?? "") + error.message)
            }
        }
    }

    /// Opens the index for writing (one writer at a time, across processes), waiting up to
    /// ``writeLockWait`` for another process's write to end when `waiting`.
    func openIndexWriter(bm25: BM25Parameters = RecordIndexing.defaultBM25, waiting: Bool = true, lockWait wait: Duration? = nil) throws -> IndexWriter {
        let writer: IndexWriter
        let lockWait = waiting ? wait ?? writeLockWait : .zero
        do {
            writer = try IndexWriter(directory: segmentsDirectory, schema: RecordIndexing.schema, bm25: bm25, lockWait: lockWait)
        } catch let error where error.code == .schemaMismatch {
            // An index built by an older chm with other fields: start afresh; the
            // synchronization that follows replays the whole change log into it. The stored
            // thesaurus was analyzed by that chm too: stored again (a failure leaves the old
            // form, which searches then analyze anew, as before).
            try? FileManager.default.removeItem(at: segmentsDirectory)
            writer = try indexing { try IndexWriter(directory: segmentsDirectory, schema: RecordIndexing.schema, bm25: bm25, lockWait: lockWait) }
            try? refreshStoredThesaurus()
        } catch {
            throw Self.clearingHouseError(from: error)
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
        try exclusiveWrite { try synchronizeIndexLocked(waiting: true) }
    }

    /// ``synchronizeIndex()`` without waiting for another process's write (a server at its
    /// start serves at once, and catches up at its first write).
    package func synchronizeIndexUnlessLocked() throws -> Int {
        try exclusiveWrite(waiting: false) { try synchronizeIndexLocked(waiting: false) }
    }

    private func synchronizeIndexLocked(waiting: Bool) throws -> Int {
        let writer = try openIndexWriter(waiting: waiting)
        defer { writer.close() }
        return try indexing { try RecordIndexing.synchronize(writer, catalog: catalog) }
    }

    /// Rebuilds the index from the catalog alone, with `bm25` as they are (nil keeps the
    /// index's): ``reindex(_:)`` checks a request's parameters and merges them first.
    package func reindex(bm25: BM25Parameters? = nil) throws {
        try exclusiveWrite {
            var writer: IndexWriter
            do {
                writer = try openIndexWriter(bm25: bm25 ?? RecordIndexing.defaultBM25)
            } catch let error as ClearingHouseError where error.code == .damaged {
                // A damaged index cannot be opened, and need not be: it is rebuilt from the catalog.
                try? FileManager.default.removeItem(at: segmentsDirectory)
                writer = try openIndexWriter(bm25: bm25 ?? RecordIndexing.defaultBM25)
            }
            defer { writer.close() }
            // (Other parameters replace the index's with its documents; the last commit stays
            // readable until the rebuild's.)
            try indexing { try RecordIndexing.rebuild(writer, catalog: catalog, bm25: bm25) }
        }
    }

    /// The BM25 parameters of the index.
    public func bm25Parameters() throws -> BM25Parameters {
        try indexing {
            let searcher = try IndexSearcher.open(directory: segmentsDirectory, schema: RecordIndexing.schema)
            // (An index with no commit yet: the parameters its first commit will get, not the
            // engine's own defaults.)
            return searcher.generation == 0 ? RecordIndexing.defaultBM25 : searcher.bm25
        }
    }

    /// Merges the index into one segment, dropping deleted documents (`chm optimize`).
    public func optimize() throws {
        try exclusiveWrite {
            let writer = try openIndexWriter()
            defer { writer.close() }
            try indexing {
                try RecordIndexing.synchronize(writer, catalog: catalog)
                try writer.forceMerge()
            }
        }
    }

    /// The change-log position of the catalog.
    func catalogChangeSequence() throws -> Int64 {
        try catalog.lastChangeSequence()
    }

    /// The searcher on the newest commit, shared by every search of this `ClearingHouse`: a
    /// search checks the commit generation (a directory listing) and reopens only when it
    /// changed. A search never writes: when the index lags the catalog (a write interrupted
    /// between the two), it answers from the last commit and ``isIndexBehind(_:)`` says so;
    /// the next writer catches up. (An index built by another version of chm is rebuilt from
    /// the catalog first, once.)
    func openSearcher() throws -> IndexSearcher {
        let newest = IndexSearcher.newestGeneration(directory: segmentsDirectory)
        if let current = sharedSearcher.withLock({ $0 }), current.generation == newest {
            try indexing { try current.checkFilesInPlace() }
            return current
        }
        let searcher: IndexSearcher
        do {
            searcher = try IndexSearcher.open(directory: segmentsDirectory, schema: RecordIndexing.schema)
        } catch let error where error.code == .schemaMismatch {
            // (A search never waits for another process's write.)
            _ = try synchronizeIndexUnlessLocked()
            searcher = try indexing { try IndexSearcher.open(directory: segmentsDirectory, schema: RecordIndexing.schema) }
        } catch {
            throw Self.clearingHouseError(from: error)
        }
        sharedSearcher.withLock { shared in
            // Keep the newer of two searchers opened at once by concurrent searches.
            if (shared?.generation ?? -1) < searcher.generation { shared = searcher }
        }
        return searcher
    }

    /// Checks that the index can be searched (what a server's readiness probe asks): opens the
    /// shared searcher on the newest commit, or reuses it, and reads the first entries of the
    /// catalog's change log and records (every search reads both); scans nothing.
    /// - Throws: ``ClearingHouseError`` saying why the index or the catalog cannot be read.
    public func checkSearchable() throws {
        // (Damage a search met in a section read lazily, such as the word forms, counts too.)
        if let damage = try openSearcher().damage { throw ClearingHouseError(.damaged, damage.message + Self.repairAdvice) }
        try catalog.checkReadable()
    }

    /// How many hits past a page a search of an index behind the catalog reads at most, to
    /// fill the page when records on it were deleted since the index's commit.
    static let staleFillMargin = 1000

    /// Whether `searcher`'s commit reflects less of the catalog's change log than the catalog
    /// holds (its results miss the latest changes until a writer catches up).
    func isIndexBehind(_ searcher: IndexSearcher) throws -> Bool {
        isIndexBehind(searcher, catalogSequence: try catalogChangeSequence())
    }

    /// Whether `searcher`'s commit reflects less of the change log than its position
    /// `catalogSequence`, read earlier.
    func isIndexBehind(_ searcher: IndexSearcher, catalogSequence: Int64) -> Bool {
        RecordIndexing.changeSequence(in: searcher.userData) < catalogSequence
    }

    /// Figures about the search index.
    public func indexSummary() throws -> IndexSummary {
        // (Through the shared searcher: an index of another version of chm is rebuilt first,
        // as for a search.)
        let searcher = try openSearcher()
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
            terms: statistics.terms, postings: statistics.postings, bytes: bytes, segmentBytes: statistics.bytes,
            postingsBytes: statistics.postingsBytes,
            changeSequence: RecordIndexing.changeSequence(in: searcher.userData))
    }
}
