// What the OAI-PMH provider asks of the catalog: an item per record ever stored (live or a
// tombstone), with its datestamp (the time of the commit that last changed it), its sets and
// the change-log position of that change; set memberships; the secret that signs
// resumption tokens. The ingest transaction keeps them (Catalog.upsert, Catalog.delete,
// storeInTransaction); a reindex or an optimize never touches them.
import Foundation
import GRDB
import struct Records.Record

/// One OAI-PMH item: a record or the tombstone of a deleted one.
struct OAIItem: Sendable {
    let id: String
    /// The record's kind (nil for a tombstone older than the provider, whose kind was not kept).
    let kind: String?
    /// Seconds since 1970 (UTC) of the commit that last changed the item.
    let datestamp: Int
    /// The change-log position of that change.
    let sequence: Int64
    let deleted: Bool
    /// The leaf sets (`kind:technology`, `country:KE`, ...).
    let sets: [String]
    /// The record's canonical JSON, when asked for and the record is live.
    let json: String?
}

/// A selection of items for ListIdentifiers and ListRecords.
struct OAIItemQuery: Sendable {
    /// Inclusive datestamp bounds, seconds since 1970.
    var from: Int
    var until: Int
    /// A set spec, or nil for every item.
    var set: String?
    /// Only items whose last change is at or before this change-log position: what existed,
    /// unchanged, when the harvest started.
    var maxSequence: Int64
    /// Resume after this (datestamp, id).
    var after: (datestamp: Int, id: String)?
    /// How many items the set had when the list started (its `completeListSize`), which
    /// chooses how a page is found (``OAISetPlan``); nil: unknown (scan).
    var setSize: Int? = nil
}

/// How a page of a set-restricted list is found. `scan` walks every item in (datestamp, id)
/// order and keeps the set's: a page costs about `page size x items / set size` lookups,
/// cheap for a large set. `membersFirst` starts from the set's members and sorts them: about
/// `set size` lookups a page, cheap for a small set of a large catalog (a country's few
/// records among a million), where a scan would read most of the catalog for each page.
enum OAISetPlan: Sendable {
    case automatic, scan, membersFirst

    /// The cheaper plan for a set of `setSize` items among `items`, pages of `pageSize`.
    static func cheaper(setSize: Int, items: Int, pageSize: Int) -> OAISetPlan {
        let (square, overflow) = setSize.multipliedReportingOverflow(by: setSize)
        return !overflow && square < pageSize * max(items, 1) ? .membersFirst : .scan
    }
}

extension Catalog {
    /// The v8 migration: an item's set memberships are found from the sets it was stored
    /// with (`oai_items.sets`), by the table's key, so the index by id (four more b-tree
    /// writes for every record stored) goes.
    static func migrateOAISetMembers(_ db: Database) throws {
        try db.execute(sql: "DROP INDEX IF EXISTS oai_set_members_id")
    }

    /// The v5 migration: the OAI-PMH tables, filled from the records and the change log.
    static func migrateOAI(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE oai_items (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT,
                    datestamp INTEGER,
                    seq INTEGER NOT NULL,
                    deleted INTEGER NOT NULL DEFAULT 0,
                    sets TEXT NOT NULL DEFAULT ''
                );
                \(Catalog.oaiDatestampIndexSQL);
                CREATE TABLE oai_set_members (
                    spec TEXT NOT NULL,
                    id TEXT NOT NULL,
                    PRIMARY KEY (spec, id)
                ) WITHOUT ROWID;
                CREATE INDEX oai_set_members_id ON oai_set_members(id);
                CREATE TABLE oai_state (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    secret TEXT NOT NULL
                );
                INSERT INTO oai_state (id, secret) VALUES (1, lower(hex(randomblob(32))));
                """)
        // Live records: datestamp from modified_at, sets from the record.
        let writer = Writer(db)
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT r.id AS id, r.json AS json, r.modified_at AS modified,
                    (SELECT MAX(seq) FROM changes c WHERE c.record_id = r.id) AS seq
                FROM records r
                """)
        while let row = try rows.next() {
            let record = try Record(fromCatalog: row["json"])
            let datestamp = RecordDate.secondsSinceEpoch(rfc3339: row["modified"]).map { Int($0) } ?? 0
            try writeOAIItem(record, sequence: row["seq"] ?? 0, datestamp: datestamp, in: writer)
        }
        // Deletions before the provider existed: tombstones without kind or sets.
        try db.execute(
            sql: """
                INSERT INTO oai_items (id, kind, datestamp, seq, deleted, sets)
                SELECT c.record_id, NULL, CAST(strftime('%s', c.at) AS INTEGER), c.seq, 1, ''
                FROM changes c
                WHERE c.operation = 'delete'
                    AND c.seq = (SELECT MAX(seq) FROM changes d WHERE d.record_id = c.record_id)
                    AND NOT EXISTS (SELECT 1 FROM records r WHERE r.id = c.record_id)
                """)
    }

    /// Records that `record` was stored by change `sequence` (its datestamp is set at commit).
    func noteOAIUpsert(_ record: Record, sequence: Int64, in writer: Writer) throws {
        try Catalog.writeOAIItem(record, sequence: sequence, datestamp: nil, in: writer)
    }

    /// The insert of a new OAI-PMH item (``writeOAIItem(_:sequence:datestamp:in:)`` binds its
    /// values in this order).
    static let insertOAIItemSQL = "INSERT OR IGNORE INTO oai_items (id, kind, datestamp, seq, deleted, sets) VALUES (?, ?, ?, ?, 0, ?)"

    private static func writeOAIItem(_ record: Record, sequence: Int64, datestamp: Int?, in writer: Writer) throws {
        let sets = OAISets.specs(of: record)
        let setList = sets.joined(separator: " ")
        let memberships = OAISets.memberships(ofLeaves: sets)
        // A new item (most of an ingest) is one insert; only an item stored before (live or a
        // tombstone) is read back, for the memberships its new sets replace.
        try writer.statement(.insertOAIItem).execute { arguments in
            arguments.add(record.id)
            arguments.add(record.kind.rawValue)
            arguments.add(datestamp)
            arguments.add(sequence)
            arguments.add(setList)
        }
        let db = writer.db
        if db.changesCount == 0 {
            let previous = try String.fetchOne(db.cachedStatement(sql: "SELECT sets FROM oai_items WHERE id = ?"), arguments: [record.id])
            try db.cachedStatement(sql: "UPDATE oai_items SET kind = ?, datestamp = ?, seq = ?, deleted = 0, sets = ? WHERE id = ?")
                .execute(arguments: [record.kind.rawValue, datestamp, sequence, setList, record.id])
            if let previous, !previous.isEmpty {
                let delete = try db.cachedStatement(sql: "DELETE FROM oai_set_members WHERE spec = ? AND id = ?")
                for spec in OAISets.memberships(ofLeaves: previous.split(separator: " ").map(String.init)) where !memberships.contains(spec) {
                    try delete.execute(arguments: [spec, record.id])
                }
            }
        }
        // One statement for up to 16 memberships (a record is in a few sets, each with its
        // parents): a statement's execution costs more than its rows.
        var start = memberships.startIndex
        while start < memberships.endIndex {
            let chunk = memberships[start..<min(start + Writer.membershipsPerStatement, memberships.endIndex)]
            try writer.insertMemberships(count: chunk.count).execute { arguments in
                for spec in chunk {
                    arguments.add(spec)
                    arguments.add(record.id)
                }
            }
            start = chunk.endIndex
        }
    }

    /// Turns the item `id` into a tombstone (keeping its kind and sets) for change `sequence`.
    func noteOAIDeletion(_ id: String, sequence: Int64, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO oai_items (id, kind, datestamp, seq, deleted, sets) VALUES (?, NULL, NULL, ?, 1, '')
                ON CONFLICT(id) DO UPDATE SET datestamp = NULL, seq = excluded.seq, deleted = 1
                """
        ).execute(arguments: [id, sequence])
    }

    /// The index of items by datestamp, as the v5 migration made it.
    static let oaiDatestampIndexSQL = "CREATE INDEX oai_items_datestamp ON oai_items(datestamp, id)"

    /// Prepares the open transaction's OAI-PMH bookkeeping. When no item exists yet (the first
    /// ingest into an index), the index by datestamp is dropped, to be built once, sorted,
    /// by ``stampOAIItems(in:rebuildingIndex:)``: kept row by row, every new item would go into
    /// it twice (once without a datestamp, then stamped), in id order, which is random. (The
    /// drop is part of the transaction: a rollback brings the index back, and readers keep
    /// theirs until the commit.)
    /// - Returns: whether the index was dropped, to pass to `stampOAIItems`.
    func beginOAIItems(in db: Database) throws -> Bool {
        guard try !(Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM oai_items)") ?? true) else { return false }
        try db.execute(sql: "DROP INDEX IF EXISTS oai_items_datestamp")
        return true
    }

    /// Gives the items changed in the open transaction the time of its commit, and builds the
    /// index by datestamp again when ``beginOAIItems(in:)`` dropped it.
    func stampOAIItems(in db: Database, rebuildingIndex: Bool) throws {
        let now = Int(Date().timeIntervalSince1970)
        try db.cachedStatement(sql: "UPDATE oai_items SET datestamp = ? WHERE datestamp IS NULL").execute(arguments: [now])
        if rebuildingIndex { try db.execute(sql: Catalog.oaiDatestampIndexSQL) }
    }

    // MARK: Reading

    /// The secret that signs resumption tokens (made when the catalog was created or migrated).
    func oaiSecret() throws -> String {
        try read { db in try String.fetchOne(db, sql: "SELECT secret FROM oai_state WHERE id = 1") ?? "" }
    }

    /// The oldest datestamp of any item, nil when there is none.
    func oaiEarliestDatestamp() throws -> Int? {
        try read { db in try Int.fetchOne(db, sql: "SELECT MIN(datestamp) FROM oai_items") }
    }

    /// Whether any item is in a set (a repository with no records has no sets).
    func oaiHasSets() throws -> Bool {
        try read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM oai_set_members)") ?? false }
    }

    /// Every set spec that some item (live or deleted) belongs to, sorted.
    func oaiSetSpecs() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT DISTINCT spec FROM oai_set_members ORDER BY spec") }
    }

    /// The item `id` with its JSON, or nil.
    func oaiItem(id: String) throws -> OAIItem? {
        guard !Catalog.cannotHold(id) else { return nil }
        return try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT i.id, i.kind, i.datestamp, i.seq, i.deleted, i.sets, r.json
                    FROM oai_items i LEFT JOIN records r ON r.id = i.id AND i.deleted = 0
                    WHERE i.id = ? AND i.datestamp IS NOT NULL
                    """, arguments: [id]
            ).map(Catalog.oaiItem)
        }
    }

    /// Up to `limit` records with ids after `after` (all from the first when nil), sorted by
    /// id, each with its canonical JSON and, for `withItems`, its datestamp and leaf sets as
    /// ``forEachOAIRecord(_:)`` gives them: one page of a paged export, read in one snapshot.
    func recordPage(after: String?, limit: Int, withItems: Bool) throws -> [(id: String, json: String, datestamp: Int, sets: [String])] {
        try read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: withItems
                        ? """
                        SELECT r.id AS id, r.json AS json, i.sets AS sets,
                            COALESCE(i.datestamp, CAST(strftime('%s', r.modified_at) AS INTEGER)) AS datestamp
                        FROM records r LEFT JOIN oai_items i ON i.id = r.id
                        WHERE r.id > ? ORDER BY r.id LIMIT ?
                        """
                        : "SELECT id, json, NULL AS sets, 0 AS datestamp FROM records WHERE id > ? ORDER BY id LIMIT ?"),
                arguments: [after ?? "", limit])
            return try rows.map { row in
                let json: String = row["json"]
                return (row["id"], json, row["datestamp"] ?? 0, withItems ? try Self.leafSets(row, json: json) : [])
            }
        }
    }

    /// Every record's canonical JSON with its datestamp and leaf sets (as its item holds
    /// them), sorted by id and read in one snapshot: what `chm export --format oai_dc` writes.
    func forEachOAIRecord(_ body: (_ json: String, _ datestamp: Int, _ sets: [String]) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT r.json AS json, i.sets AS sets,
                        COALESCE(i.datestamp, CAST(strftime('%s', r.modified_at) AS INTEGER)) AS datestamp
                    FROM records r LEFT JOIN oai_items i ON i.id = r.id
                    ORDER BY r.id
                    """)
            while let row = try rows.next() {
                let json: String = row["json"]
                try body(json, row["datestamp"] ?? 0, try Self.leafSets(row, json: json))
            }
        }
    }

    /// A record's leaf sets: its item's `sets`, or (a record the provider never listed) the
    /// record's own.
    private static func leafSets(_ row: Row, json: String) throws -> [String] {
        if let list: String = row["sets"] { return list.split(separator: " ").map(String.init) }
        return OAISets.specs(of: try Record(fromCatalog: json))
    }

    /// The newest change-log position, and the number of items `query` selects (its `after` is
    /// ignored), read in one snapshot; `query.maxSequence` is replaced by that position.
    func oaiStartList(_ query: OAIItemQuery) throws -> (maxSequence: Int64, count: Int) {
        try read { db in
            // Items' `seq` are change-log positions, so the log's last (its rowid: read from
            // the end of the table, where oai_items would be scanned whole) bounds them all.
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM changes") ?? 0
            var counted = query
            counted.maxSequence = last
            counted.after = nil
            // Counted from the set's members when there is a set: a count never needs order.
            let (from, clause, arguments) = Catalog.oaiSelection(counted, membersFirst: counted.set != nil)
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(from) WHERE \(clause)", arguments: arguments) ?? 0
            return (last, count)
        }
    }

    /// Up to `limit` items of `query` in (datestamp, id) order, with their JSON when `withJSON`.
    /// A set-restricted list is read by the cheaper ``OAISetPlan`` unless `plan` says which.
    func oaiItems(_ query: OAIItemQuery, limit: Int, withJSON: Bool, plan: OAISetPlan = .automatic) throws -> [OAIItem] {
        try read { db in
            var membersFirst = plan == .membersFirst
            if query.set != nil, plan == .automatic, let setSize = query.setSize {
                // Items ever listed (tombstones stay): the rowid only grows, so its maximum is
                // read from the end of the table.
                let items = try Int.fetchOne(db, sql: "SELECT MAX(rowid) FROM oai_items") ?? 0
                membersFirst = OAISetPlan.cheaper(setSize: setSize, items: items, pageSize: limit) == .membersFirst
            }
            let (from, clause, arguments) = Catalog.oaiSelection(query, membersFirst: membersFirst && query.set != nil)
            let json = withJSON ? "r.json" : "NULL AS json"
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT i.id, i.kind, i.datestamp, i.seq, i.deleted, i.sets, \(json)
                    FROM \(from) LEFT JOIN records r ON r.id = i.id AND i.deleted = 0
                    WHERE \(clause) ORDER BY i.datestamp, i.id LIMIT ?
                    """, arguments: arguments + [limit]
            ).map(Catalog.oaiItem)
        }
    }

    /// The FROM and WHERE of `query`'s items (`i`): every item with the set's as a condition,
    /// or, `membersFirst`, the set's members (`m`, the outer loop: `CROSS JOIN`) and their items.
    private static func oaiSelection(_ query: OAIItemQuery, membersFirst: Bool) -> (from: String, clause: String, StatementArguments) {
        var from = "oai_items i"
        var clause = "i.datestamp >= ? AND i.datestamp <= ? AND i.seq <= ?"
        var arguments: StatementArguments = [query.from, query.until, query.maxSequence]
        if let after = query.after {
            clause += " AND (i.datestamp, i.id) > (?, ?)"
            arguments += [after.datestamp, after.id]
        }
        if let set = query.set {
            if membersFirst {
                from = "oai_set_members m CROSS JOIN oai_items i ON i.id = m.id"
                clause = "m.spec = ? AND " + clause
                arguments = [set] + arguments
            } else {
                clause += " AND EXISTS (SELECT 1 FROM oai_set_members m WHERE m.spec = ? AND m.id = i.id)"
                arguments += [set]
            }
        }
        return (from, clause, arguments)
    }

    private static func oaiItem(_ row: Row) -> OAIItem {
        let sets: String = row["sets"]
        return OAIItem(
            id: row["id"], kind: row["kind"], datestamp: row["datestamp"], sequence: row["seq"], deleted: row["deleted"] as Bool,
            sets: sets.split(separator: " ").map(String.init), json: row["json"])
    }
}
