// What the OAI-PMH harvester keeps in the catalog: one row per source (base URL, set and
// metadata format) with the date of its last complete harvest, the counts, and the
// resumption token of a harvest under way, and the OAI sets each harvested record belongs
// to. A page's records and the harvest's position are committed in one transaction, so a
// harvest that dies resumes at the first page it did not commit.
import Foundation
import GRDB

/// Where a harvest under way stands: written with each page it commits.
struct PendingHarvest: Sendable, Hashable {
    /// The token that asks for the next page.
    var token: String
    /// The selection the harvest started with.
    var from: String?
    var until: String?
    /// The first page's `responseDate`: the next incremental harvest starts from it.
    var responseDate: String
    /// Pages committed so far.
    var pages: Int
    var startedAt: String
}

/// What one harvested page adds to a source's row.
struct HarvestPageCounts: Sendable, Hashable {
    /// 1 for a page of records; 0 for a harvest that ends with noRecordsMatch, which is no
    /// page in its report either.
    var pages = 1
    var stored = 0
    var deleted = 0
    var rejected = 0
}

extension Catalog {
    /// The v7 migration: harvested sources and the sets of harvested records.
    static func migrateHarvest(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE harvest_sources (
                    base_url TEXT NOT NULL,
                    set_spec TEXT NOT NULL,
                    metadata_prefix TEXT NOT NULL,
                    last_response_date TEXT,
                    last_from TEXT,
                    last_until TEXT,
                    last_started_at TEXT,
                    last_finished_at TEXT,
                    harvests INTEGER NOT NULL DEFAULT 0,
                    pages INTEGER NOT NULL DEFAULT 0,
                    stored INTEGER NOT NULL DEFAULT 0,
                    deleted INTEGER NOT NULL DEFAULT 0,
                    rejected INTEGER NOT NULL DEFAULT 0,
                    pending_token TEXT,
                    pending_from TEXT,
                    pending_until TEXT,
                    pending_response_date TEXT,
                    pending_pages INTEGER,
                    pending_started_at TEXT,
                    last_error TEXT,
                    PRIMARY KEY (base_url, set_spec, metadata_prefix)
                );
                CREATE TABLE harvest_memberships (
                    id TEXT NOT NULL,
                    base_url TEXT NOT NULL,
                    set_spec TEXT NOT NULL,
                    PRIMARY KEY (id, base_url, set_spec)
                ) WITHOUT ROWID;
                """)
    }

    /// The row of one source, nil when it was never harvested.
    func harvestSource(_ key: HarvestSource.Key) throws -> HarvestSource? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM harvest_sources WHERE base_url = ? AND set_spec = ? AND metadata_prefix = ?",
                arguments: [key.baseURL, key.set ?? "", key.metadataPrefix]
            ).map(HarvestSource.init(row:))
        }
    }

    /// Every source ever harvested, by base URL, set and format.
    func harvestSources() throws -> [HarvestSource] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM harvest_sources ORDER BY base_url, set_spec, metadata_prefix")
                .map(HarvestSource.init(row:))
        }
    }

    /// The OAI sets of the record `id` (resolved when it is an alias) and of its aliases.
    func harvestMemberships(id: String) throws -> [HarvestedSet] {
        guard !Catalog.cannotHold(id) else { return [] }
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    WITH record(id) AS (SELECT coalesce((SELECT primary_id FROM aliases WHERE id = ?1), ?1)),
                        copies(id) AS (SELECT id FROM record UNION SELECT a.id FROM aliases a, record r WHERE a.primary_id = r.id)
                    SELECT m.base_url, m.set_spec, m.id FROM harvest_memberships m JOIN copies c ON c.id = m.id
                        ORDER BY m.base_url, m.set_spec, m.id
                    """,
                arguments: [id]
            ).map { HarvestedSet(baseURL: $0["base_url"], set: $0["set_spec"], id: $0["id"]) }
        }
    }

    /// Notes a harvest's failure on its source's row (the pending position stays).
    func noteHarvestError(_ key: HarvestSource.Key, message: String) throws {
        try write { db in
            try ensureHarvestRow(key, in: db)
            try db.execute(
                sql: "UPDATE harvest_sources SET last_error = ? WHERE base_url = ? AND set_spec = ? AND metadata_prefix = ?",
                arguments: [message, key.baseURL, key.set ?? "", key.metadataPrefix])
        }
    }

    /// Forgets the position of a harvest under way (its token has expired).
    func dropPendingHarvest(_ key: HarvestSource.Key) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE harvest_sources SET pending_token = NULL, pending_from = NULL, pending_until = NULL,
                        pending_response_date = NULL, pending_pages = NULL, pending_started_at = NULL
                    WHERE base_url = ? AND set_spec = ? AND metadata_prefix = ?
                    """,
                arguments: [key.baseURL, key.set ?? "", key.metadataPrefix])
        }
    }

    fileprivate func ensureHarvestRow(_ key: HarvestSource.Key, in db: Database) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO harvest_sources (base_url, set_spec, metadata_prefix) VALUES (?, ?, ?)",
            arguments: [key.baseURL, key.set ?? "", key.metadataPrefix])
    }

    /// Records one committed page, inside the page's transaction: its counts, the sets of its
    /// records, and either the position to resume from (`pending`) or, on the last page, the
    /// harvest's completion (`completed`: the pending state it finishes).
    func saveHarvestPage(
        _ key: HarvestSource.Key, counts: HarvestPageCounts, memberships: [(id: String, sets: [String])],
        deletedIDs: [String], next: PendingHarvest?, completed: PendingHarvest?, in db: Database
    ) throws {
        try ensureHarvestRow(key, in: db)
        let arguments: StatementArguments = [key.baseURL, key.set ?? "", key.metadataPrefix]
        try db.execute(
            sql: """
                UPDATE harvest_sources SET pages = pages + ?, stored = stored + ?, deleted = deleted + ?, rejected = rejected + ?,
                    last_error = NULL
                WHERE base_url = ? AND set_spec = ? AND metadata_prefix = ?
                """,
            arguments: [counts.pages, counts.stored, counts.deleted, counts.rejected] + arguments)
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO harvest_memberships (id, base_url, set_spec) VALUES (?, ?, ?)")
        for (id, sets) in memberships {
            for set in sets { try insert.execute(arguments: [id, key.baseURL, set]) }
        }
        let forget = try db.cachedStatement(sql: "DELETE FROM harvest_memberships WHERE id = ? AND base_url = ?")
        for id in deletedIDs { try forget.execute(arguments: [id, key.baseURL]) }
        if let next {
            try db.execute(
                sql: """
                    UPDATE harvest_sources SET pending_token = ?, pending_from = ?, pending_until = ?, pending_response_date = ?,
                        pending_pages = ?, pending_started_at = ?, last_started_at = ?
                    WHERE base_url = ? AND set_spec = ? AND metadata_prefix = ?
                    """,
                arguments: [next.token, next.from, next.until, next.responseDate, next.pages, next.startedAt, next.startedAt] + arguments)
        } else if let completed {
            try db.execute(
                sql: """
                    UPDATE harvest_sources SET pending_token = NULL, pending_from = NULL, pending_until = NULL,
                        pending_response_date = NULL, pending_pages = NULL, pending_started_at = NULL,
                        harvests = harvests + 1, last_response_date = ?, last_from = ?, last_until = ?,
                        last_started_at = ?, last_finished_at = ?
                    WHERE base_url = ? AND set_spec = ? AND metadata_prefix = ?
                    """,
                arguments: [completed.responseDate, completed.from, completed.until, completed.startedAt, Catalog.now()] + arguments)
        }
    }
}

extension Catalog.Transaction {
    /// Where the stored copy of `id` (a live record's or an alias's) came from, when that is
    /// not the provider at `baseURL`: nil when no record or alias has the id, or when its copy
    /// was harvested from `baseURL` (its `source.url` is `baseURL`, or it was stored from one
    /// of that provider's pages: a `chm` record that names a source of its own keeps it).
    /// A harvest replaces and deletes only the provider's own records (README, "Records").
    func copyFromElsewhere(id: String, harvestedFrom baseURL: String) throws -> String? {
        guard !Catalog.cannotHold(id) else { return nil }
        let statement = try db.cachedStatement(
            sql: """
                SELECT json_extract(json, '$.source.url'), json_extract(json, '$.source.system'), source_file FROM records WHERE id = ?1
                UNION ALL
                SELECT json_extract(json, '$.source.url'), json_extract(json, '$.source.system'), source_file FROM aliases WHERE id = ?1
                """)
        guard let row = try Row.fetchOne(statement, arguments: [id]) else { return nil }
        let url = String.fromDatabaseValue(row[0] as DatabaseValue)
        let system = String.fromDatabaseValue(row[1] as DatabaseValue)
        let file = String.fromDatabaseValue(row[2] as DatabaseValue)
        if let url, HarvestRequest.normalized(url) == baseURL { return nil }
        if let file, let provider = HarvestPageName.baseURL(of: file) {
            return provider == baseURL ? nil : "harvested from \(provider)"
        }
        // (A record ingested from a file is said to be, whatever source it names.)
        if let file { return url.map { "ingested from \(file), naming its source \($0)" } ?? "ingested from \(file)" }
        if let url { return system == "oai-pmh" ? "harvested from \(url)" : "its source.url is \(url)" }
        return "stored locally"
    }

    /// Records one committed page of a harvest (see ``Catalog/saveHarvestPage``).
    func saveHarvestPage(
        _ key: HarvestSource.Key, counts: HarvestPageCounts, memberships: [(id: String, sets: [String])],
        deletedIDs: [String], next: PendingHarvest?, completed: PendingHarvest?
    ) throws {
        try catalog.saveHarvestPage(
            key, counts: counts, memberships: memberships, deletedIDs: deletedIDs, next: next, completed: completed, in: db)
    }
}

extension HarvestSource {
    fileprivate init(row: Row) {
        let set: String = row["set_spec"]
        self.init(
            baseURL: row["base_url"], set: set.isEmpty ? nil : set, metadataPrefix: row["metadata_prefix"],
            lastResponseDate: row["last_response_date"], lastFrom: row["last_from"], lastUntil: row["last_until"],
            lastStartedAt: row["last_started_at"], lastFinishedAt: row["last_finished_at"], harvests: row["harvests"],
            pages: row["pages"], stored: row["stored"], deleted: row["deleted"], rejected: row["rejected"],
            pending: (row["pending_token"] as String?).map { token in
                PendingHarvest(
                    token: token, from: row["pending_from"], until: row["pending_until"],
                    responseDate: row["pending_response_date"] ?? "", pages: row["pending_pages"] ?? 0,
                    startedAt: row["pending_started_at"] ?? "")
            }, lastError: row["last_error"])
    }
}
