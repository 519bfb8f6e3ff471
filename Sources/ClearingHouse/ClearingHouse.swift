import Foundation
import SearchCore
import Synchronization

/// A clearing-house: records from many publishers, kept in a catalog in one index directory.
///
/// Open one on a directory and ingest record files into it:
///
/// ```swift
/// let house = try ClearingHouse(directory: URL(fileURLWithPath: "Indexes/default"))
/// let report = try house.ingest(["Corpus"])
/// print(report.added, "records added")
/// let record = try house.record(id: "tech-mangrove-nursery")
/// ```
///
/// A `ClearingHouse` is safe to use from several tasks at once: writes are serialized, and
/// reads see a consistent snapshot of the catalog.
public final class ClearingHouse: Sendable {
    /// The index directory (it holds `catalog.sqlite`).
    public let directory: URL
    /// The search index's directory in ``directory`` (every search checks it for a newer commit).
    let segmentsDirectory: URL
    /// Memory for documents waiting to be written to the search index; when it fills up, a
    /// segment is flushed, so indexing memory does not grow with the input.
    public let indexBufferBytes: Int
    let catalog: Catalog
    /// Serializes the writes of this process on ``directory`` (across processes, the index's
    /// file lock does), so that concurrent tasks wait for each other instead of failing,
    /// through this object or another opened on the same directory. Taken through
    /// ``exclusiveWrite(_:)``.
    private let writes: WriteGate
    /// ``writeLockWait`` in milliseconds.
    private let lockWaitMilliseconds = Atomic<Int>(0)
    /// The thesaurus as search uses it, loaded from the catalog on first use and reloaded when
    /// an import changes it.
    let loadedThesaurus = Mutex<LoadedThesaurus?>(nil)
    /// The searcher that searches share, as Lucene's SearcherManager keeps one: replaced when
    /// a newer commit exists; an old snapshot is released when its last search ends.
    let sharedSearcher = Mutex<IndexSearcher?>(nil)
    /// Help-desk requests stored with a submission key (``HelpRequest/submission``).
    let storedSubmissions = Mutex(StoredSubmissions())

    /// How long a write waits while another process writes the same index (an ingest, a
    /// harvest, a server's write) before it fails with a `locked` error naming that process.
    /// Zero, the default, fails at once. Writes of this process to the same directory wait
    /// for each other whatever this says, through one `ClearingHouse` or several. At most a
    /// year.
    public var writeLockWait: Duration {
        get { .milliseconds(lockWaitMilliseconds.load(ordering: .relaxed)) }
        set {
            let (seconds, attoseconds) = min(max(newValue, .zero), .seconds(366 * 86_400)).components
            lockWaitMilliseconds.store(Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000), ordering: .relaxed)
        }
    }

    /// Whether a write into an empty catalog (a first ingest) writes each of its pages once.
    ///
    /// When true, and no other connection has the catalog open, the first transaction that
    /// fills an empty catalog runs under SQLite's rollback journal instead of its WAL, and the
    /// catalog returns to WAL mode after it. The WAL writes every page twice (to the log, then
    /// to the file); the first ingest of 100,000 records spends about a tenth of its time on
    /// the second copy. The write is as atomic and as durable either way. The price: until its
    /// commit, no other `ClearingHouse` can open the catalog (it throws a `locked` error), and
    /// from the moment its pages spill into the file, readers of this one wait. So leave it
    /// false (the default) in a process that searches while it writes, as a server does;
    /// `chm ingest` sets it.
    public var firstLoadWritesOnce: Bool {
        get { catalog.firstLoadWritesOnce.load(ordering: .relaxed) }
        set { catalog.firstLoadWritesOnce.store(newValue, ordering: .relaxed) }
    }

    /// The path of the catalog of a clearing-house in `directory` (which a front end names
    /// when there is none, or checks for).
    package static func catalogPath(in directory: URL) -> String {
        directory.appendingPathComponent(Catalog.fileName).path
    }

    /// Opens the clearing-house in `directory`.
    /// - Parameters:
    ///   - directory: the index directory (it holds `catalog.sqlite` and `segments/`).
    ///   - create: create the directory and an empty catalog when missing; when false, a
    ///     missing catalog is an error with code ``ClearingHouseError/Code/notFound``.
    ///   - indexBufferMegabytes: memory for documents waiting to be indexed (default 64 MB).
    ///   - catalogCacheMegabytes: the catalog writer's page cache (default 32 MB). Every stored
    ///     record is looked up by id, content and origin; a cache that holds those indexes
    ///     keeps a large ingest from re-reading their pages (about 8% faster on 100,000
    ///     records). Readers keep SQLite's default.
    public init(directory: URL, create: Bool = true, indexBufferMegabytes: Int = 64, catalogCacheMegabytes: Int = 32) throws {
        self.directory = directory
        segmentsDirectory = directory.appendingPathComponent(RecordIndexing.directoryName)
        // (Clamped: a size from an environment variable must not overflow; a terabyte is
        // more than any machine gives.)
        indexBufferBytes = min(max(1, indexBufferMegabytes), 1 << 20) << 20
        if create {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw ClearingHouseError(
                    .storage, "cannot create index directory \(directory.path): \(reasonDirectoryCannotBeCreated(directory.path, error))")
            }
        }
        // An empty catalog file (0 bytes, no WAL) beside an index that committed records is a
        // catalog that lost them, not a new one: opening it would make a new, empty catalog
        // in its place, and `check --repair` would rebuild the index down to nothing
        // (crash-safety QA). Without a commit, it is a catalog whose creation was cut short.
        let catalogPath = Self.catalogPath(in: directory)
        if Catalog.isEmptyFile(catalogPath) {
            if IndexSearcher.newestGeneration(directory: segmentsDirectory) > 0 {
                throw ClearingHouseError(
                    .damaged,
                    "catalog error in \(catalogPath): the file is empty (0 bytes) while the index holds committed records; nothing was read or written: restore the index directory from a backup")
            }
            if !create {
                throw ClearingHouseError(
                    .notFound, "no catalog at \(catalogPath) (an empty file); ingest records into it first, or open it with create: true")
            }
        }
        do {
            catalog = try Catalog(
                path: catalogPath, create: create,
                writerCacheMegabytes: min(max(1, catalogCacheMegabytes), 1 << 20))
        } catch let error as ClearingHouseError {
            throw error
        } catch {
            // (Crash-safety QA: a snapshot on read-only media said "SQLite error 14: unable to
            // open database file", as if it were damaged.)
            var volume = statvfs()
            if statvfs(directory.path, &volume) == 0, volume.f_flag & UInt(ST_RDONLY) != 0 {
                throw ClearingHouseError(
                    .storage,
                    "cannot open catalog in \(directory.path): the directory is on a read-only file system, and the catalog writes a shared-memory file beside it even to be read; copy the index directory to a writable place")
            }
            throw ClearingHouseError(.storage, "cannot open catalog in \(directory.path): \(error)")
        }
        writes = WriteGate.gate(for: directory)
    }

    // MARK: Records

    /// The record with `id`, or nil when there is none. An alias's id finds nothing here:
    /// ``resolve(id:)`` follows aliases.
    public func record(id: String) throws -> Record? {
        guard let json = try catalog.json(id: id) else { return nil }
        return try Record(fromCatalog: json)
    }

    /// The records with `ids` that the catalog holds, in the order of `ids` (read in one
    /// snapshot: cheaper than one ``record(id:)`` each, and consistent).
    public func records(ids: [String]) throws -> [Record] {
        let found = try catalog.jsons(ids: ids)
        return try ids.compactMap { id in try found[id].map { json throws(ClearingHouseError) in try Record(fromCatalog: json) } }
    }

    /// The canonical JSON text of the record with `id`, or nil when there is none.
    public func canonicalJSON(id: String) throws -> String? {
        try catalog.json(id: id)
    }

    /// The outcome of ``delete(ids:)``.
    public struct DeleteReport: Sendable, Hashable {
        /// Ids that were deleted (records and aliases).
        public var deleted: [String] = []
        /// Ids that were not in the catalog.
        public var missing: [String] = []
        /// For each deleted record that had aliases, the alias that became the record in its
        /// place (its oldest), by the deleted id.
        public var promoted: [String: String] = [:]
    }

    /// Deletes records by id, in one transaction; ids not in the catalog are reported.
    ///
    /// An id may be a record's or an alias's. Deleting an alias removes that copy only.
    /// Deleting a record that has aliases makes its oldest alias the record in its place (the
    /// other copies still exist, at their sources); to remove every copy, delete the aliases
    /// too (``aliases(of:)`` lists them).
    @discardableResult
    public func delete(ids: [String]) throws -> DeleteReport {
        try exclusiveWrite { try deleteLocked(ids: ids) }
    }

    private func deleteLocked(ids: [String]) throws -> DeleteReport {
        var report = DeleteReport()
        let indexWriter = try openIndexWriter()
        defer { indexWriter.close() }
        try catalog.storeInTransaction(describing: "the deletion of \(ids.count) record\(ids.count == 1 ? "" : "s")") { transaction in
            for id in ids {
                switch try transaction.delete(id: id, runID: nil) {
                case .deleted(let promoted):
                    report.deleted.append(id)
                    if let promoted { report.promoted[id] = promoted.id }
                case .aliasDeleted:
                    report.deleted.append(id)
                case .missing:
                    report.missing.append(id)
                }
            }
            return true
        }
        try indexing { try RecordIndexing.synchronize(indexWriter, catalog: catalog) }
        return report
    }

    /// How many records the catalog holds (``statistics()``'s `records`, without its counts by
    /// kind and language, which read every record).
    package func recordCount() throws -> Int {
        try catalog.recordCount()
    }

    /// Counts of records by kind and language, and catalog facts.
    public func statistics() throws -> CatalogStatistics {
        var statistics = try catalog.statistics()
        for suffix in ["", "-wal", "-shm"] {
            let path = catalog.path + suffix
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber {
                statistics.catalogBytes += size.int64Value
            }
        }
        return statistics
    }

    // MARK: Export

    /// Formats for ``export(format:to:)``.
    public enum ExportFormat: String, Sendable, CaseIterable {
        /// Canonical JSON, one record per line, sorted by id.
        case jsonl
        /// A header row and one row per record (RFC 4180 quoting).
        case csv
        /// One OAI-PMH 2.0 document shaped as the provider's answer to
        /// `verb=ListRecords&metadataPrefix=oai_dc`: a `<record>` per record, sorted by id, with
        /// the header the provider gives (identifier, datestamp, sets) and its Dublin Core.
        /// chm ingests it back (as far as Dublin Core carries a record) and harvesting
        /// libraries read it. An export of no records is a `noRecordsMatch` error response.
        case oaiDC = "oai_dc"
    }

    /// Writes every record, sorted by id, passing the output to `write` one line at a time
    /// (each line ends with `\n`). JSON Lines output ingests back to the same catalog and
    /// exports again byte for byte. Aliases are not written: one copy of each record is.
    public func export(format: ExportFormat, to write: (String) throws -> Void) throws {
        var writer = ExportWriter(format: format)
        for line in writer.start() { try write(line) }
        if format == .oaiDC {
            try catalog.forEachOAIRecord { json, datestamp, sets in
                for line in try writer.lines(json: json, datestamp: datestamp, sets: sets) { try write(line) }
            }
        } else {
            try catalog.forEachJSON { _, json in
                for line in try writer.lines(json: json, datestamp: 0, sets: []) { try write(line) }
            }
        }
        for line in writer.end() { try write(line) }
    }
}

extension ClearingHouse {
    /// Runs `body` as this process's one writer: concurrent writes wait for each other.
    /// - Throws: ``ClearingHouseError`` (`conflict`) for a write started from inside another
    ///   write's callback (its diagnostics or progress closure): it would wait for itself.
    /// Without `waiting`, a write of this process on the directory (through another object)
    /// makes it throw a `locked` error at once.
    func exclusiveWrite<T>(waiting: Bool = true, _ body: () throws -> T) throws -> T {
        try writes.pass(waiting: waiting) {
            // (Before the index writer opens: it would create `segments/` in a directory
            // deleted or replaced under this process.)
            try catalog.ensureInPlace()
            return try body()
        }
    }
}

/// The writes of one process to one index directory, one at a time: every ``ClearingHouse``
/// opened on the directory shares its gate, so two objects on one index wait for each other
/// as two tasks on one object do (the index's file lock would refuse the second at once).
final class WriteGate: Sendable {
    private let lock = Mutex(())
    /// The thread inside ``lock``, 0 when none: a write started from inside another's
    /// callback, on that thread, would wait for itself.
    private let writingThread = Atomic<UInt>(0)
    /// The gates by real path (symbolic links resolved), never removed: one small object
    /// per directory a process opens.
    private static let gates = Mutex<[String: WriteGate]>([:])

    private init() {}

    /// The gate of `directory`, which exists.
    static func gate(for directory: URL) -> WriteGate {
        // (realpath: symbolic links and `..` resolved in the order the file system does.)
        let key = realpath(directory.path, nil).map { resolved in
            defer { free(resolved) }
            return String(cString: resolved)
        } ?? directory.standardizedFileURL.path
        return gates.withLock { gates in
            if let gate = gates[key] { return gate }
            let gate = WriteGate()
            gates[key] = gate
            return gate
        }
    }

    /// Runs `body` once no other write of this process holds the gate.
    /// - Throws: a `conflict` error when called from inside a write on the same thread (a
    ///   write's diagnostics or progress callback), or what `body` throws.
    func pass<T>(waiting: Bool = true, _ body: () throws -> T) throws -> T {
        let me = Self.currentThread()
        guard writingThread.load(ordering: .relaxed) != me else {
            throw ClearingHouseError(
                .conflict, "a write cannot start inside another write's diagnostics or progress callback; start it after that write returns")
        }
        // (The two bodies are written out: `Mutex` takes only a result the closure makes itself,
        // `sending`, which a helper's could not be shown to be.)
        if waiting {
            return try lock.withLock { _ in
                writingThread.store(me, ordering: .relaxed)
                defer { writingThread.store(0, ordering: .relaxed) }
                return try body()
            }
        }
        let result: T? = try lock.withLockIfAvailable { _ in
            writingThread.store(me, ordering: .relaxed)
            defer { writingThread.store(0, ordering: .relaxed) }
            return try body()
        }
        guard let result else { throw ClearingHouseError(.locked, "another write of this process is writing the index") }
        return result
    }

    /// The calling thread, as a number.
    private static func currentThread() -> UInt {
        #if canImport(Glibc)
        UInt(pthread_self())
        #else
        UInt(bitPattern: pthread_self())
        #endif
    }
}
