// An ingest's changes, applied to the index as the catalog makes them: one pass over the
// input instead of two (store everything, then read it all back from the change log). The
// records come from the readers already validated; a batch at a time is analyzed on all cores
// and then added to the (sequential) index writer, on a background thread, while the ingest
// goes on storing the next batch in the catalog. The change log stays the source of truth:
// when a file's transaction rolls back, the index drops what it was fed since its last commit
// and replays the log instead.
import Parallel
import SearchCore

/// Feeds an ingest's catalog changes to the index writer, in the catalog's order.
final class IndexFeed {
    /// A change the catalog logged: a record added (the index, which mirrors the catalog,
    /// cannot hold it: no lookup of an older copy), a record updated, or an id deleted.
    private enum Change: Sendable {
        case add(Record)
        case update(Record)
        case delete(String)
    }

    /// The index writer, used by the background job only between `start` and the next
    /// `wait` (and by this object's methods after a `wait`).
    private struct Writer: @unchecked Sendable {
        let writer: IndexWriter
    }

    private let writer: Writer
    private let analyzer: DocumentAnalyzer
    private let catalog: Catalog
    private let background = BackgroundJob()
    private var pending: [Change] = []
    /// Changes fed since the index's last commit.
    private var changesSinceCommit = 0
    /// Whether the index was empty when the feed started (then it ends merged into one
    /// segment, as a rebuild does).
    private let startedEmpty: Bool
    private static let batchSize = 2048

    /// Starts a feed on `writer`, whose index must reflect the whole change log of `catalog`
    /// (``RecordIndexing/synchronize(_:catalog:)`` first).
    init(writer: IndexWriter, catalog: Catalog) {
        self.writer = Writer(writer: writer)
        self.catalog = catalog
        startedEmpty = writer.documentCount == 0
        analyzer = writer.documentAnalyzer
    }

    /// The catalog stored `record`: added it (`isNew`) or changed it.
    func stored(_ record: Record, isNew: Bool) throws {
        pending.append(isNew ? .add(record) : .update(record))
        changesSinceCommit += 1
        if pending.count == Self.batchSize { try submit() }
    }

    /// The catalog deleted the record `id`.
    func deleted(_ id: String) throws {
        pending.append(.delete(id))
        changesSinceCommit += 1
        if pending.count == Self.batchSize { try submit() }
    }

    /// Hands the pending batch to the background: analysis on all cores, then the writer,
    /// once the batch before it is in (an error of that batch is thrown here); with
    /// `thenFlush`, the writer then writes its buffer as a segment (not committed).
    private func submit(thenFlush: Bool = false) throws {
        let batch = pending
        pending = []
        let (writer, analyzer) = (self.writer, self.analyzer)
        try background.start {
            let analyzed = parallelMap(batch, chunkSize: 16) { change -> AnalyzedDocument? in
                switch change {
                case .add(let record), .update(let record): return analyzer.analyze(RecordIndexing.document(for: record))
                case .delete: return nil
                }
            }
            try Self.apply(batch, analyzed, to: writer.writer)
            if thenFlush { try writer.writer.flush() }
        }
    }

    /// The catalog is about to commit the ingest's last file: what is pending is analyzed and
    /// added, and the writer's buffer written as a segment, in the background while the
    /// catalog commits (the index commit, in ``finish()``, then only publishes it). The
    /// segment is not committed: if the catalog's commit fails, it is never referenced.
    func catalogWillCommit() throws {
        guard changesSinceCommit > 0 else { return }
        try submit(thenFlush: true)
    }

    private static func apply(_ changes: [Change], _ analyzed: [AnalyzedDocument?], to writer: IndexWriter) throws {
        for (change, document) in zip(changes, analyzed) {
            switch change {
            case .add:
                if let document { try writer.add(document) }
            case .update:
                if let document { try writer.update(document) }
            case .delete(let id):
                writer.delete(key: id)
            }
        }
    }

    /// Waits for the job in flight, if any, ignoring its error: call it before the writer is
    /// closed on a path that throws (the job may be writing a segment with it, and the write
    /// lock must not be released under it).
    func abandon() {
        try? background.wait()
    }

    /// A file's transaction rolled back after some of its records were fed: drop everything
    /// since the index's last commit and catch up from the change log, which holds exactly
    /// what the catalog committed.
    func catalogRolledBack() throws {
        guard changesSinceCommit > 0 else { return }
        changesSinceCommit = 0
        // What the background was adding is dropped with the rest; so is its error, if it
        // had one (a writer that cannot write fails again below).
        try? background.wait()
        pending = []
        try writer.writer.rollback()
        try RecordIndexing.synchronize(writer.writer, catalog: catalog)
    }

    /// Applies what is left and commits at the catalog's position (when anything changed);
    /// an index that started empty is merged into one segment.
    func finish() throws {
        if !pending.isEmpty { try submit() }
        try background.wait()
        let writer = self.writer.writer
        let position = try catalog.lastChangeSequence()
        // Nothing changed (every record unchanged, or every file rolled back): no new commit,
        // so searchers keep theirs.
        guard changesSinceCommit > 0 || RecordIndexing.changeSequence(in: writer.committedUserData) != position else { return }
        try writer.commit(userData: [RecordIndexing.changeSequenceKey: String(position)])
        changesSinceCommit = 0
        if startedEmpty { try writer.forceMerge() }
    }
}
