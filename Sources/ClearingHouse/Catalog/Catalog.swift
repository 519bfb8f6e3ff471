// The catalog: the SQLite database (through GRDB, WAL mode) that is the source of truth
// for records. Besides the records it keeps a change log, which the search index consumes
// in order, a row per ingest run, and the aliases (Catalog+Aliases.swift).
import Foundation
import GRDB
import struct Records.Record
import enum Records.SHA256
import SearchCore
import Synchronization

/// What storing one record did.
enum UpsertOutcome: Equatable {
    case added
    case updated
    /// Same content as the stored copy.
    case unchanged
    /// The stored copy has a newer `updated`; the incoming record was not stored.
    case skippedOlder(stored: String)
    /// Stored as an alias of a live record (new, or an alias whose copy changed);
    /// `withdrawn`: the id was a live record until now, and leaves the index.
    case aliased(Alias, withdrawn: Bool)
    /// An alias whose copy no longer matches its primary: stored as a record of its own.
    case released(from: Alias)
}

/// The SQLite catalog of records.
final class Catalog: Sendable {
    /// File name of the catalog inside an index directory.
    static let fileName = "catalog.sqlite"

    /// The database; only the catalog's own files use it (through ``read(_:)``, ``write(_:)``
    /// and ``storeInTransaction(describing:_:)``, which name the catalog in their errors).
    let database: DatabasePool
    let path: String

    /// The size, in bytes, the WAL is cut back to when it starts over after a checkpoint.
    static let walSizeLimit = 16 << 20

    /// The device and inode of the file at ``path`` when it was opened (see `ensureInPlace`).
    let fileIdentity: (device: UInt64, inode: UInt64)

    /// How long a write waits for another connection's lock before it fails (SQLITE_BUSY).
    static let busyTimeoutMilliseconds = 10_000

    /// Whether a transaction into an empty catalog may run under a rollback journal (see
    /// `beginFirstLoad()`; ``ClearingHouse/firstLoadWritesOnce``).
    let firstLoadWritesOnce = Atomic<Bool>(false)

    /// The last damage a read met (SQLite found the file malformed), until SQLite's
    /// `quick_check` finds the file sound: a readiness probe, which reads only the first
    /// pages, reports it (crash-safety QA: a truncated catalog failed every search while
    /// `/readyz` said ready).
    let damageSeen = Mutex<String?>(nil)

    /// Reads in a snapshot of the database.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try guarded {
            try ensureInPlace()
            return try database.read(body)
        }
    }

    /// Writes in one transaction.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try guarded {
            try ensureInPlace()
            return try database.write(body)
        }
    }

    /// Whether the database file at `path` exists and is empty (0 bytes) with no WAL holding
    /// its pages: SQLite would take it for a new database.
    static func isEmptyFile(_ path: String) -> Bool {
        func size(_ path: String) -> Int64? {
            var status = stat()
            return stat(path, &status) == 0 ? Int64(status.st_size) : nil
        }
        return size(path) == 0 && (size(path + "-wal") ?? 0) == 0
    }

    /// Opens the catalog at `path`, creating it (and migrating its schema) when `create` is
    /// true, with a page cache of `writerCacheMegabytes` for the one writer connection.
    init(path: String, create: Bool, writerCacheMegabytes: Int) throws {
        if !create, !FileManager.default.fileExists(atPath: path) {
            throw ClearingHouseError(.notFound, "no catalog at \(path); ingest records into it first, or open it with create: true")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(Double(Catalog.busyTimeoutMilliseconds) / 1000)
        configuration.label = "chm.catalog"
        configuration.prepareDatabase { db in
            // A record's row is about 1.5 KB: a 4 KB page holds two and wastes a third of
            // itself. 16 KB pages hold ten (a new catalog only: SQLite keeps an existing file's).
            try db.execute(sql: "PRAGMA page_size = 16384")
        }
        do {
            database = try DatabasePool(path: path, configuration: configuration)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            // (Opening sets WAL mode, which a first load under a rollback journal, in another
            // process, keeps anyone from doing until it commits.)
            throw ClearingHouseError(
                .locked,
                "the catalog \(path) is being written by another process that holds it alone until it commits (a first ingest into an empty catalog does); try again when it ends")
        }
        // The one writer looks up every stored record by id, content and origin: a page cache
        // larger than SQLite's 2 MB keeps those indexes' pages in memory instead of re-reading
        // them from the WAL. Readers keep the default. (The cache grows only as it is used.)
        try database.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA cache_size = -\(writerCacheMegabytes * 1024)")
            // Every commit synced (GRDB's WAL set-up, after `prepareDatabase`, sets NORMAL,
            // which syncs only at checkpoints: review). A first load's rollback journal needs it
            // too, or a power cut could lose a commit that was reported.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // SQLite keeps the WAL at the largest size a transaction made it (220 MB after an
            // ingest of 150,000 records, beside a 420 MB catalog: operations QA) and writes it
            // over from the start; past this size it is cut back when it starts over.
            try db.execute(sql: "PRAGMA journal_size_limit = \(Catalog.walSizeLimit)")
        }
        self.path = path
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw ClearingHouseError(.storage, "cannot open catalog \(path): \(String(cString: strerror(errno)))")
        }
        fileIdentity = (UInt64(status.st_dev), UInt64(status.st_ino))
        try Catalog.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: records, changes, ingest runs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE records (
                        id TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL,
                        json TEXT NOT NULL,
                        hash TEXT NOT NULL,
                        languages TEXT NOT NULL,
                        updated_at REAL,
                        source_file TEXT,
                        created_at TEXT NOT NULL,
                        modified_at TEXT NOT NULL
                    );
                    CREATE INDEX records_kind ON records(kind);
                    CREATE TABLE changes (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        record_id TEXT NOT NULL,
                        operation TEXT NOT NULL CHECK (operation IN ('upsert', 'delete')),
                        run_id INTEGER,
                        at TEXT NOT NULL
                    );
                    CREATE INDEX changes_record ON changes(record_id);
                    CREATE TABLE ingest_runs (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        command TEXT NOT NULL,
                        paths TEXT NOT NULL,
                        started_at TEXT NOT NULL,
                        finished_at TEXT,
                        files INTEGER NOT NULL DEFAULT 0,
                        added INTEGER NOT NULL DEFAULT 0,
                        updated INTEGER NOT NULL DEFAULT 0,
                        unchanged INTEGER NOT NULL DEFAULT 0,
                        skipped INTEGER NOT NULL DEFAULT 0,
                        deleted INTEGER NOT NULL DEFAULT 0,
                        rejected INTEGER NOT NULL DEFAULT 0,
                        status TEXT NOT NULL DEFAULT 'running'
                    );
                    """)
        }
        migrator.registerMigration("v2: thesaurus concepts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE thesaurus_concepts (
                        iri TEXT PRIMARY KEY NOT NULL,
                        notation TEXT,
                        json TEXT NOT NULL,
                        source_file TEXT,
                        imported_at TEXT NOT NULL
                    );
                    CREATE INDEX thesaurus_concepts_notation ON thesaurus_concepts(notation);
                    """)
        }
        migrator.registerMigration("v3: thesaurus search index") { db in
            try db.execute(
                sql: """
                    CREATE TABLE thesaurus_index (
                        id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                        version TEXT NOT NULL,
                        data TEXT NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v4: thesaurus generation") { db in
            // Bumped by every import, in its transaction: what a loaded thesaurus is keyed on.
            try db.execute(
                sql: """
                    CREATE TABLE thesaurus_state (
                        id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                        generation INTEGER NOT NULL
                    );
                    INSERT INTO thesaurus_state (id, generation) VALUES (1, 0);
                    DELETE FROM thesaurus_index;
                    """)
        }
        migrator.registerMigration("v5: OAI-PMH items, sets and tombstones") { db in try Catalog.migrateOAI(db) }
        migrator.registerMigration("v6: content hashes and aliases") { db in try Catalog.migrateAliases(db) }
        migrator.registerMigration("v7: harvest sources") { db in try Catalog.migrateHarvest(db) }
        migrator.registerMigration("v8: OAI set members by their key only") { db in try Catalog.migrateOAISetMembers(db) }
        migrator.registerMigration("v9: no change log index by record") { db in
            // Only the v5 migration read the change log by record id: the index goes, and with
            // it a b-tree insert per stored record.
            try db.execute(sql: "DROP INDEX IF EXISTS changes_record")
        }
        migrator.registerMigration("v10: harvested records' sources by provider") { db in
            // Records harvested over OAI-PMH were all one source (`system:oai-pmh`), so two
            // providers' copies of one record under two ids never became aliases; each is now
            // its provider's (Record.publishingSource).
            let update = try db.makeStatement(sql: "UPDATE records SET source_key = ? WHERE id = ?")
            let rows = try Row.fetchAll(db, sql: "SELECT id, json FROM records WHERE source_key = 'system:oai-pmh'")
            for row in rows {
                let record = try Record(fromCatalog: row["json"])
                try update.execute(arguments: [record.sourceKey, row["id"] as String])
            }
        }
        return migrator
    }

    /// The current time in RFC 3339 (whole seconds), formatted once a second: an ingest stamps
    /// every record and change with it.
    static func now() -> String {
        let seconds = Date().timeIntervalSince1970
        let second = Int(seconds.rounded(.down))
        return lastStamp.withLock { stamp in
            if stamp.second != second { stamp = (second, RecordDate.rfc3339(secondsSinceEpoch: seconds)) }
            return stamp.text
        }
    }

    private static let lastStamp = Mutex<(second: Int, text: String)>((Int.min, ""))

    // MARK: Writing (inside a transaction the caller holds)

    /// Stores `record`, replacing a stored copy with the same id (a live record or an alias),
    /// and logs the change. A record that is a copy of another live record is stored as its
    /// alias (see `Catalog+Aliases.swift` for the rules).
    /// - Parameters:
    ///   - stored: the record's stored form, when it was prepared beforehand.
    ///   - keepingNewer: whether a stored copy with a later `updated` is kept (a file's older
    ///     copy is skipped); a harvest passes false, as its provider's datestamp says which
    ///     copy is current (a record restored from a backup there is older, and current).
    func upsert(
        _ record: Record, stored: StoredForm? = nil, sourceFile: String?, runID: Int64?, keepingNewer: Bool = true, in writer: Writer
    ) throws -> UpsertOutcome {
        try store(record, form: stored ?? StoredForm(record), sourceFile: sourceFile, runID: runID, keepingNewer: keepingNewer, in: writer)
    }

    /// The append to the change log (``logChange(_:operation:runID:in:)`` binds its values in
    /// this order).
    static let logChangeSQL = "INSERT INTO changes (record_id, operation, run_id, at) VALUES (?, ?, ?, ?)"

    /// Appends to the change log; returns the entry's position.
    func logChange(_ id: String, operation: String, runID: Int64?, in writer: Writer) throws -> Int64 {
        try writer.statement(.logChange).execute { arguments in
            arguments.add(id)
            arguments.add(operation)
            arguments.add(runID)
            arguments.add(Catalog.now())
        }
        return writer.db.lastInsertedRowID
    }

    /// Starts a row in `ingest_runs`; returns its id.
    func beginRun(command: String, paths: [String]) throws -> Int64 {
        try write { db in
            try db.execute(
                sql: "INSERT INTO ingest_runs (command, paths, started_at) VALUES (?, ?, ?)",
                arguments: [command, JSONValue.array(paths.map(JSONValue.string)).description, Catalog.now()])
            return db.lastInsertedRowID
        }
    }

    /// What an ingest run did, as its `ingest_runs` row records it.
    struct RunCounts {
        var files = 0
        var added = 0
        var updated = 0
        var unchanged = 0
        var skipped = 0
        var deleted = 0
        var rejected = 0
        var aliased = 0
        /// Whether every record was stored and no path failed.
        var succeeded = true
    }

    /// Marks run `id` as failed (a write that stopped with an error), if the catalog can still
    /// be written.
    func abandonRun(_ id: Int64) {
        _ = try? write { db in
            try db.execute(
                sql: "UPDATE ingest_runs SET finished_at = ?, status = 'failed' WHERE id = ? AND status = 'running'", arguments: [Catalog.now(), id])
        }
    }

    /// Completes an `ingest_runs` row with the run's counts.
    func finishRun(_ id: Int64, counts: RunCounts) throws {
        if let code = FaultInjector.reach(.write, path: path, phase: .catalog) {
            throw ClearingHouseError(.storage, "cannot log the run in \(path): \(String(cString: strerror(code)))")
        }
        try write { db in
            try db.execute(
                sql: """
                    UPDATE ingest_runs SET finished_at = ?, files = ?, added = ?, updated = ?, unchanged = ?,
                        skipped = ?, deleted = ?, rejected = ?, aliased = ?, status = ? WHERE id = ?
                    """,
                arguments: [
                    Catalog.now(), counts.files, counts.added, counts.updated, counts.unchanged, counts.skipped,
                    counts.deleted, counts.rejected, counts.aliased, counts.succeeded ? "ok" : "errors", id,
                ])
        }
    }

    // MARK: Reading

    /// Whether `id` is one that no record can have: it holds U+0000, where SQLite's C strings
    /// end (bound as one, `a%00b` read, deleted and merged `a`: hostile-client QA). Every
    /// look-up by an id from outside checks it first.
    static func cannotHold(_ id: String) -> Bool {
        id.utf8.contains(0)
    }

    /// The stored canonical JSON of `id`.
    func json(id: String) throws -> String? {
        guard !Catalog.cannotHold(id) else { return nil }
        return try read { db in
            try String.fetchOne(db, sql: "SELECT json FROM records WHERE id = ?", arguments: [id])
        }
    }

    /// The stored canonical JSON of each of `ids` that the catalog holds, read in one snapshot.
    func jsons(ids: [String]) throws -> [String: String] {
        guard !ids.isEmpty else { return [:] }
        return try read { db in
            var found: [String: String] = [:]
            let statement = try db.cachedStatement(sql: "SELECT json FROM records WHERE id = ?")
            for id in ids where found[id] == nil && !Catalog.cannotHold(id) {
                if let json = try String.fetchOne(statement, arguments: [id]) { found[id] = json }
            }
            return found
        }
    }

    /// Those of `ids` that the catalog holds as records (their JSON is not read).
    func liveIDs(among ids: [String]) throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        return try read { db in
            var found = Set<String>()
            let statement = try db.cachedStatement(sql: "SELECT 1 FROM records WHERE id = ?")
            for id in ids where !found.contains(id) && !Catalog.cannotHold(id) {
                if try Bool.fetchOne(statement, arguments: [id]) != nil { found.insert(id) }
            }
            return found
        }
    }

    /// Calls `body` with each record's id and canonical JSON, in id order, streaming.
    func forEachJSON(_ body: (String, String) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT id, json FROM records ORDER BY id")
            while let row = try rows.next() {
                try body(row["id"], row["json"])
            }
        }
    }

    /// Reads every record once and checks its stored JSON against the SHA-256 stored beside
    /// it (a byte changed on disk, which SQLite's own checks do not see).
    /// - Returns: every record id (what a check compares with the index, so that the records
    ///   are read once), how many records fail their hash, and the first `limit` of those.
    func verifyRecordHashes(limit: Int = 5) throws -> (ids: [String], failing: Int, firstFailing: [String]) {
        try read { db in
            var ids: [String] = []
            var failing = 0
            var firstFailing: [String] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT id, json, hash FROM records")
            while let row = try rows.next() {
                let id: String = row["id"] ?? ""
                ids.append(id)
                // (Read as bytes: damage that made the text invalid UTF-8 is not repaired away.)
                let json: Data = row["json"] ?? Data()
                let hash: String = row["hash"] ?? ""
                guard SHA256.hex(json) != hash else { continue }
                failing += 1
                if firstFailing.count < limit { firstFailing.append(id) }
            }
            return (ids, failing, firstFailing)
        }
    }

    /// Counts of records by kind and by language, and the change log position.
    /// How many records the catalog holds: a count over an index, where ``statistics()`` also
    /// reads every record's languages (seconds at a million records).
    func recordCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records") ?? 0 }
    }

    func statistics() throws -> CatalogStatistics {
        try read { db in
            var statistics = CatalogStatistics()
            statistics.records = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records") ?? 0
            statistics.aliases = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM aliases") ?? 0
            for kind in RecordKind.allCases { statistics.kinds[kind.rawValue] = 0 }
            let kinds = try Row.fetchAll(db, sql: "SELECT kind, COUNT(*) AS n FROM records GROUP BY kind")
            for row in kinds { statistics.kinds[row["kind"]] = row["n"] }
            let languages = try String.fetchCursor(db, sql: "SELECT languages FROM records")
            while let list = try languages.next() {
                for tag in list.split(separator: " ") { statistics.languages[String(tag), default: 0] += 1 }
            }
            statistics.lastChange = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM changes") ?? 0
            statistics.ingestRuns = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ingest_runs") ?? 0
            statistics.lastIngest = try String.fetchOne(db, sql: "SELECT MAX(finished_at) FROM ingest_runs")
            return statistics
        }
    }
}

extension Record {
    /// Decodes a record that the catalog holds (``Record/init(storedJSON:)``, the trusted
    /// path), reporting damage as a ``ClearingHouseError`` with code `damaged`.
    init(fromCatalog json: String) throws(ClearingHouseError) {
        do {
            try self.init(storedJSON: json)
        } catch {
            throw ClearingHouseError(.damaged, "the catalog holds a record that cannot be read (\(error.message)); run `chm check`")
        }
    }
}
