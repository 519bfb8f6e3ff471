// What the rest of the clearing-house asks of the catalog besides single records: a file's
// ingest transaction (with the fault seam around its commit), the change log that the index
// follows, the integrity check, and the translation of SQLite's errors. No other folder
// touches GRDB.
import Foundation
import GRDB
import GRDBSQLite
import struct Records.Record
import SearchCore

extension FaultInjector.Phase {
    /// A file's transaction on the catalog (points `catalog.before-commit`, `catalog.after-commit`),
    /// and the run's log row written after the last one (`catalog.write`).
    static let catalog = FaultInjector.Phase(rawValue: "catalog")
}

/// One entry of the catalog's change log, with the record as it is now.
struct CatalogChange: Sendable {
    /// Position in the log (increasing).
    let sequence: Int64
    let recordID: String
    /// The record's canonical JSON now; nil when it has been deleted since.
    let json: String?
}

extension Catalog {
    /// The writer connection inside one transaction, with the statements it runs for every
    /// record prepared once, when first used (see `SQLiteStatement.swift`).
    final class Writer {
        let db: Database
        private var prepared: [SQLiteStatement?] = Array(repeating: nil, count: RecordStatement.allCases.count)
        private var membershipInserts: [SQLiteStatement?] = Array(repeating: nil, count: Writer.membershipsPerStatement + 1)

        /// The most OAI-PMH set memberships one statement inserts.
        static let membershipsPerStatement = 16

        init(_ db: Database) {
            self.db = db
        }

        /// The statements run for every record stored.
        enum RecordStatement: Int, CaseIterable {
            case lookUp, extendedLookUp, insertRecord, logChange, insertOAIItem

            var sql: String {
                switch self {
                case .lookUp: Catalog.lookUpSQL
                case .extendedLookUp: Catalog.extendedLookUpSQL
                case .insertRecord: Catalog.insertRecordSQL
                case .logChange: Catalog.logChangeSQL
                case .insertOAIItem: Catalog.insertOAIItemSQL
                }
            }
        }

        /// The statement `which`, prepared on first use.
        func statement(_ which: RecordStatement) throws -> SQLiteStatement {
            if let statement = prepared[which.rawValue] { return statement }
            let statement = try SQLiteStatement(which.sql, in: db)
            prepared[which.rawValue] = statement
            return statement
        }

        /// The insert of `count` OAI-PMH set memberships (spec, id), prepared on first use.
        func insertMemberships(count: Int) throws -> SQLiteStatement {
            precondition(count > 0 && count <= Self.membershipsPerStatement)
            if let statement = membershipInserts[count] { return statement }
            let rows = repeatElement("(?, ?)", count: count).joined(separator: ", ")
            let statement = try SQLiteStatement("INSERT OR IGNORE INTO oai_set_members (spec, id) VALUES \(rows)", in: db)
            membershipInserts[count] = statement
            return statement
        }
    }

    /// Writes inside one transaction of ``storeInTransaction(describing:_:)``.
    struct Transaction {
        let catalog: Catalog
        let writer: Writer
        var db: Database { writer.db }

        /// Stores `record` (see ``Catalog/upsert(_:stored:sourceFile:runID:keepingNewer:in:)``).
        func upsert(_ record: Record, stored: StoredForm?, sourceFile: String?, runID: Int64?, keepingNewer: Bool = true) throws -> UpsertOutcome {
            try catalog.upsert(record, stored: stored, sourceFile: sourceFile, runID: runID, keepingNewer: keepingNewer, in: writer)
        }

        /// Deletes the record or alias `id` (see ``Catalog/delete(id:runID:in:)``).
        func delete(id: String, runID: Int64?) throws -> DeleteOutcome {
            try catalog.delete(id: id, runID: runID, in: writer)
        }

        /// Checks a merge of `duplicates` into `primary` (see ``Catalog/mergePlan(primary:duplicates:in:)``).
        func mergePlan(primary: String, duplicates: [String]) throws -> (merge: [String], already: [String]) {
            try catalog.mergePlan(primary: primary, duplicates: duplicates, in: db)
        }

        /// Makes `duplicates` aliases of `primary` (see ``Catalog/merge(_:into:in:)``).
        func merge(_ duplicates: [String], into primary: String) throws {
            try catalog.merge(duplicates, into: primary, in: writer)
        }

        /// The aliases of `primary`, as this transaction sees them.
        func aliases(of primary: String) throws -> [Alias] {
            try Catalog.aliases(of: primary, in: db)
        }
    }

    /// Runs `body` in one immediate transaction, which commits when `body` returns true and
    /// rolls back when it returns false or throws: what one ingested file or one deletion
    /// request writes is stored whole or not at all. The fault seam's points
    /// `catalog.before-commit` and `catalog.after-commit` surround a commit.
    /// - Parameter what: what is being stored, for error messages ("records.json").
    /// - Returns: whether the transaction committed.
    @discardableResult
    func storeInTransaction(describing what: String, _ body: (Transaction) throws -> Bool) throws -> Bool {
        let rollbackJournal = try beginFirstLoad()
        defer { if rollbackJournal { endFirstLoad() } }
        let committed = try guarded {
            try database.writeWithoutTransaction { db in
                try ensureInPlace()
                var committed = false
                try db.inTransaction(.immediate) {
                    let rebuildingOAIIndex = try beginOAIItems(in: db)
                    committed = try body(Transaction(catalog: self, writer: Writer(db)))
                    // OAI-PMH datestamps are the time of the commit, taken last, so that a
                    // harvest never misses a change that a long transaction stamped earlier.
                    if committed { try stampOAIItems(in: db, rebuildingIndex: rebuildingOAIIndex) }
                    if committed, let code = FaultInjector.reach(.beforeCommit, path: path, phase: .catalog) {
                        throw ClearingHouseError(
                            .storage,
                            "cannot commit \(what) to the catalog \(path): \(String(cString: strerror(code))); nothing from it was stored\(code == ENOSPC ? "; free some space and run the command again" : "")"
                        )
                    }
                    return committed ? .commit : .rollback
                }
                return committed
            }
        }
        if committed, let code = FaultInjector.reach(.afterCommit, path: path, phase: .catalog) {
            throw ClearingHouseError(.storage, "catalog error in \(path) after committing \(what): \(String(cString: strerror(code)))")
        }
        return committed
    }

    // MARK: A first load

    /// Switches the catalog to a rollback journal for a transaction that fills an empty
    /// catalog, when ``firstLoadWritesOnce`` allows it and no other connection has the
    /// catalog open; returns whether it did.
    ///
    /// In WAL mode every page a transaction writes is written twice: to the WAL, and again to
    /// the database file by the checkpoint after the commit (a first ingest of 100,000 records
    /// writes 170 MB, and the checkpoint took a tenth of its time). A rollback journal keeps
    /// only the pages that existed when the transaction began (here the schema's few), since
    /// the pages the transaction adds past the file's end are simply cut off by a rollback:
    /// each new page is written once. The commit is as atomic and as durable (`synchronous =
    /// FULL`): a crash before it leaves a hot journal, which the next connection rolls back.
    ///
    /// Leaving WAL mode needs the only connection to the file, so this process's idle readers
    /// are closed first, and the switch is tried without waiting: when another process has the
    /// catalog open (a server), the transaction stays in WAL mode as every other one does.
    /// ``endFirstLoad()`` returns to WAL mode after the transaction.
    ///
    /// The price (``ClearingHouse/firstLoadWritesOnce`` says it to callers): until the commit no
    /// other process can open the catalog, and once the transaction's pages spill into the
    /// file every reader waits, which is why a process that reads while it writes (a server)
    /// leaves this off.
    private func beginFirstLoad() throws -> Bool {
        guard firstLoadWritesOnce.load(ordering: .relaxed) else { return false }
        let empty = try read { db in
            try !(Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM records) OR EXISTS (SELECT 1 FROM changes)") ?? true)
        }
        guard empty else { return false }
        database.releaseMemory()
        return try guarded {
            try database.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA busy_timeout = 0")
                defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Catalog.busyTimeoutMilliseconds)") }
                return (try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")) == "delete"
            }
        }
    }

    /// Returns the catalog to WAL mode after ``beginFirstLoad()``. It waits for other
    /// connections' reads as any write does; should it fail, the catalog stays in rollback
    /// mode, still correct, until the next process opens it (opening sets WAL mode).
    private func endFirstLoad() {
        _ = try? database.writeWithoutTransaction { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        }
    }

    // MARK: The change log

    /// The position of the newest change-log entry (0 when the log is empty).
    func lastChangeSequence() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM changes") ?? 0 }
    }

    /// The number of change-log entries.
    func changeCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM changes") ?? 0 }
    }

    /// Up to `limit` change-log entries after position `sequence`, oldest first, each with
    /// the record's current JSON (nil once deleted).
    func changes(after sequence: Int64, limit: Int) throws -> [CatalogChange] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.seq AS seq, c.record_id AS id, r.json AS json
                    FROM changes c LEFT JOIN records r ON r.id = c.record_id
                    WHERE c.seq > ? ORDER BY c.seq LIMIT ?
                    """, arguments: [sequence, limit]
            ).map { CatalogChange(sequence: $0["seq"], recordID: $0["id"], json: $0["json"]) }
        }
    }

    // MARK: Health

    /// Checks the file's header and reads the first entries of the tables every search reads
    /// (the change log, the records), so that a catalog that cannot be read says so: a cheap
    /// probe, not a check of every page (``integrityProblems()``). (The header is read from the
    /// file itself: the connections' page caches keep pages read before it was damaged.)
    func checkReadable() throws {
        // (Damage a read met stays until a check of every page finds none: only while it is
        // noted does the probe pay for that check.)
        if let damage = damageSeen.withLock({ $0 }) {
            let sound = (try? read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }) == ["ok"]
            guard sound else { throw ClearingHouseError(.damaged, damage) }
            damageSeen.withLock { $0 = nil }
        }
        try read { db in
            guard Catalog.fileHeader(db) == Array("SQLite format 3\u{0}".utf8) else {
                throw ClearingHouseError(
                    .damaged, "catalog error in \(path): the file's header is not a SQLite database's; restore the index directory from a backup")
            }
            _ = try Row.fetchOne(db, sql: "SELECT (SELECT MAX(seq) FROM changes), (SELECT id FROM records LIMIT 1)")
        }
    }

    /// Throws when the file this catalog opened is no longer the one at ``path``: deleted, or
    /// replaced by a rename or by a symbolic link pointed elsewhere (an index directory moved
    /// into place, or deleted, under a running server). Its connections would go on reading
    /// the old file and writing into it, while the index follows the directory: writes
    /// acknowledged and lost, and a new index rebuilt from the old catalog (operations QA).
    /// Every read and write checks: one `stat` of ``path`` as given, symbolic links followed,
    /// compared with the file's identity when it was opened. (SQLite's own check,
    /// `SQLITE_FCNTL_HAS_MOVED`, looks at the path with its links resolved when it opened it,
    /// so a link pointed at another directory went unseen: review.)
    func ensureInPlace() throws {
        var status = stat()
        let inPlace = stat(path, &status) == 0 && status.st_dev == fileIdentity.device && status.st_ino == fileIdentity.inode
        guard inPlace else {
            throw ClearingHouseError(
                .damaged,
                "catalog error in \(path): the file was deleted or replaced while open (the index directory moved or deleted?); nothing was read or written: restart to open the index there now, or restore the directory from a backup"
            )
        }
    }

    /// The first 16 bytes of the database file, read through the connection's own file (its
    /// VFS handle), never through a descriptor of our own: closing any descriptor of a file
    /// drops every POSIX lock the process holds on it, so a readiness probe that opened and
    /// closed `catalog.sqlite` released the server's locks, and a `chm ingest` that ended
    /// meanwhile took itself for the last connection and deleted the WAL and shared memory
    /// under the server ("disk I/O error" on every later read: hostile-client QA). Empty when
    /// it cannot be read.
    static func fileHeader(_ db: Database) -> [UInt8] {
        var file: UnsafeMutablePointer<sqlite3_file>?
        guard sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_FILE_POINTER, &file) == SQLITE_OK, let file,
            let read = file.pointee.pMethods?.pointee.xRead
        else { return [] }
        var header = [UInt8](repeating: 0, count: 16)
        let code = header.withUnsafeMutableBytes { read(file, $0.baseAddress, 16, 0) }
        return code == SQLITE_OK ? header : []
    }

    /// What SQLite's `integrity_check` finds wrong (empty when the database is sound).
    func integrityProblems() throws -> [String] {
        let result = try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        return result == ["ok"] ? [] : result
    }

    /// Runs a catalog operation, turning SQLite's errors into ``ClearingHouseError`` (code
    /// `storage`) that name the catalog file.
    func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ClearingHouseError {
            throw error
        } catch let error as DatabaseError {
            // (A full disk rolls the transaction back: say what to do, as the index does.)
            let full = error.resultCode == .SQLITE_FULL ? "; free some space and run the command again (the last commit is intact)" : ""
            let failure = ClearingHouseError(.storage, "catalog error in \(path): \(error.message ?? error.description)\(full)")
            if error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB { damageSeen.withLock { $0 = failure.message } }
            throw failure
        } catch let error as RowDecodingError {
            // A value the schema never leaves out is missing: a page of the file was lost
            // (crash-safety QA: a truncated catalog gave GRDB's own message and no advice).
            let failure = ClearingHouseError(
                .damaged,
                "catalog error in \(path): the database is damaged (a stored value is missing: \(String(describing: error).prefix(200))); restore the index directory from a backup")
            damageSeen.withLock { $0 = failure.message }
            throw failure
        }
    }
}
