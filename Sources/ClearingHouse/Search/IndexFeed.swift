// An ingest's changes, applied to the index as the catalog makes them: one pass over the
// input instead of two (store everything, then read it all back from the change log). The
// records come from the readers already validated; they are analyzed a batch at a time on all
// cores while the ingest goes on storing the next ones, and the (sequential) writer adds the
// previous batch. The change log stays the source of truth: when a file's transaction rolls
// back, the index drops what it was fed since its last commit and replays the log instead.
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

    private let writer: IndexWriter
    private let catalog: Catalog
    private let pipeline: BackgroundBatches<Change, AnalyzedDocument?>
    private var pending: [Change] = []
    /// Changes fed since the index's last commit.
    private var changesSinceCommit = 0
    /// The batch being analyzed, submitted before `pending`.
    private var inFlight: [Change]?
    /// Whether the index was empty when the feed started (then it ends merged into one
    /// segment, as a rebuild does).
    private let startedEmpty: Bool
    private static let batchSize = 2048

    /// Starts a feed on `writer`, whose index must reflect the whole change log of `catalog`
    /// (``SearchIndex/synchronize(_:catalog:)`` first).
    init(writer: IndexWriter, catalog: Catalog) {
        self.writer = writer
        self.catalog = catalog
        startedEmpty = writer.documentCount == 0
        let analyzer = writer.documentAnalyzer
        pipeline = BackgroundBatches { change in
            switch change {
            case .add(let record), .update(let record): return analyzer.analyze(SearchIndex.document(for: record))
            case .delete: return nil
            }
        }
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

    /// Sends the pending batch to analysis and applies the one analyzed before it.
    private func submit() throws {
        let previous = inFlight
        let analyzed = pipeline.take()
        pipeline.submit(pending)
        inFlight = pending
        pending = []
        if let previous { try apply(previous, analyzed) }
    }

    private func apply(_ changes: [Change], _ analyzed: [AnalyzedDocument?]) throws {
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

    /// A file's transaction rolled back after some of its records were fed: drop everything
    /// since the index's last commit and catch up from the change log, which holds exactly
    /// what the catalog committed.
    func catalogRolledBack() throws {
        guard changesSinceCommit > 0 else { return }
        changesSinceCommit = 0
        _ = pipeline.take()
        inFlight = nil
        pending = []
        try writer.rollback()
        try SearchIndex.synchronize(writer, catalog: catalog)
    }

    /// Applies what is left and commits at the catalog's position (when anything changed);
    /// an index that started empty is merged into one segment.
    func finish() throws {
        if !pending.isEmpty || inFlight != nil { try submit() }
        if let last = inFlight { try apply(last, pipeline.take()) }
        inFlight = nil
        let position = try catalog.lastChangeSequence()
        // Nothing changed (every record unchanged, or every file rolled back): no new commit,
        // so searchers keep theirs.
        guard changesSinceCommit > 0 || SearchIndex.changeSequence(in: writer.committedUserData) != position else { return }
        try writer.commit(userData: [SearchIndex.changeSequenceKey: String(position)])
        changesSinceCommit = 0
        if startedEmpty { try writer.forceMerge() }
    }
}
