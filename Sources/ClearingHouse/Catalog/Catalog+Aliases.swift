// One copy of each record, in the catalog: the content hash and origin of every record
// (`records.content_hash`, `records.origin`), and the aliases (`aliases`): ids whose records
// are the same as a live record's. An alias keeps its own copy (JSON, hashes, file) so that
// nothing is lost, but only the live record (its primary) is in `records`, hence in the change
// log, the index and the OAI-PMH items. Everything that reads `records` (search, reindex,
// export, statistics, OAI-PMH) therefore sees one copy of each record by construction.
//
// The rules (README, "One copy of each record"): a record being stored is an alias of a live
// record with another id when, in this order,
//   1. content: they come from different sources (Record.publishingSource) and their content
//      hashes are equal (StoredForm.contentHash);
//   2. source: they are of the same kind and one's `source.originalId` is the other's id, or
//      both name the same original (equal `source.originalId`, and equal `source.system`, or
//      with no system on either, equal `source.url`);
//   3. related: they come from different sources, are of the same kind, each lists the other
//      in `related`, and they share a title in one language.
// Within one source a publisher's ids are its own: two of its records are two records, even
// when identical (`chm duplicates` lists them, `chm merge` links them).
// The live record stays the primary (the first stored), so ids in search results and OAI-PMH
// stay stable. Aliases always point at a live record: when a record becomes an alias, its own
// aliases move to its primary; when a primary is deleted, its oldest alias takes its place.
import Foundation
import GRDB
import Parallel
import struct Records.Record

/// What a stored id is: a live record, or an alias.
private struct StoredState {
    let hash: String
    let updatedAt: Double?
    let createdAt: String
    /// Set when the id is an alias.
    let alias: Alias?
}

/// What deleting an id did.
enum DeleteOutcome: Equatable {
    /// A live record was deleted; its oldest alias, if it had one, took its place.
    case deleted(promoted: Record?)
    /// The id was an alias: its copy is gone, its primary is untouched.
    case aliasDeleted(Alias)
    /// No record or alias has this id.
    case missing
}

extension Catalog {
    /// The v6 migration: content hashes and origins of the stored records, the aliases table,
    /// and the ingest runs' count of aliases.
    static func migrateAliases(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE records ADD COLUMN content_hash TEXT;
                ALTER TABLE records ADD COLUMN origin TEXT;
                CREATE TABLE aliases (
                    id TEXT PRIMARY KEY NOT NULL,
                    primary_id TEXT NOT NULL,
                    reason TEXT NOT NULL CHECK (reason IN ('content', 'related', 'source', 'merge')),
                    since TEXT NOT NULL,
                    json TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    content_hash TEXT NOT NULL,
                    updated_at REAL,
                    source_file TEXT,
                    created_at TEXT NOT NULL,
                    modified_at TEXT NOT NULL
                );
                CREATE INDEX aliases_primary ON aliases(primary_id);
                ALTER TABLE ingest_runs ADD COLUMN aliased INTEGER NOT NULL DEFAULT 0;
                """)
        // The stored records' hashes, a batch at a time, computed on all cores. Records that
        // were stored twice under two ids stay as they are: `chm duplicates` lists them and
        // `chm merge` links them (a migration withdraws no record).
        let update = try db.makeStatement(sql: "UPDATE records SET content_hash = ?, origin = ? WHERE id = ?")
        var after = ""
        while true {
            let rows = try Row.fetchAll(
                db, sql: "SELECT id, json FROM records WHERE id > ? ORDER BY id LIMIT 2048", arguments: [after])
            guard let last = rows.last else { break }
            after = last["id"]
            let stored: [String] = rows.map { $0["json"] }
            let computed = parallelMap(stored, chunkSize: 64) { json in
                Result { () throws(ClearingHouseError) in
                    let record = try Record(fromCatalog: json)
                    return (StoredForm(record).contentHash, record.source?.originalId)
                }
            }
            for (row, result) in zip(rows, computed) {
                let (contentHash, origin) = try result.get()
                try update.execute(arguments: [contentHash, origin, row["id"] as String])
            }
        }
        // The indexes last: one sort each rather than a b-tree insert per row.
        try db.execute(
            sql: """
                CREATE INDEX records_content_hash ON records(content_hash);
                CREATE INDEX records_origin ON records(origin) WHERE origin IS NOT NULL;
                """)
    }

    // MARK: Storing (inside a transaction the caller holds)

    /// Stores `record` (see ``Catalog/upsert(_:stored:sourceFile:runID:in:)``): as a live
    /// record or as an alias, by the rules at the top of this file.
    func store(_ record: Record, form: StoredForm, sourceFile: String?, runID: Int64?, in db: Database) throws -> UpsertOutcome {
        let (json, hash) = form.form
        let updatedAt = record.updated.flatMap { RecordDate.secondsSinceEpoch(rfc3339: $0) }
        let existing = try storedState(of: record.id, in: db)
        if let existing {
            if existing.hash == hash { return .unchanged }
            if let incoming = updatedAt, let stored = existing.updatedAt, incoming < stored {
                return .skippedOlder(stored: RecordDate.rfc3339(secondsSinceEpoch: stored))
            }
        }
        // A maintainer's merge holds whatever the copies say; the other links are the copies'.
        let link: (primary: String, reason: AliasReason)?
        if let alias = existing?.alias, alias.reason == .merge {
            link = (alias.primary, .merge)
        } else {
            link = try linkTarget(for: record, contentHash: form.contentHash, in: db)
        }
        let now = Catalog.now()
        let copy = StoredCopy(
            json: json, hash: hash, contentHash: form.contentHash, updatedAt: updatedAt, sourceFile: sourceFile,
            createdAt: existing?.createdAt ?? now, modifiedAt: now)
        switch (existing, link) {
        case (nil, nil):
            try insertLive(record, copy, in: db)
            try logUpsert(record, runID: runID, in: db)
            return .added
        case (nil, let link?):
            let alias = Alias(id: record.id, primary: link.primary, reason: link.reason, since: now)
            try writeAlias(alias, copy, in: db)
            return .aliased(alias, withdrawn: false)
        case (let existing?, nil):
            if let alias = existing.alias {
                // The copies no longer agree: the alias is a record of its own again.
                try db.cachedStatement(sql: "DELETE FROM aliases WHERE id = ?").execute(arguments: [record.id])
                try insertLive(record, copy, in: db)
                try logUpsert(record, runID: runID, in: db)
                return .released(from: alias)
            }
            try db.cachedStatement(
                sql: """
                    UPDATE records SET kind = ?, json = ?, hash = ?, content_hash = ?, origin = ?, languages = ?, updated_at = ?,
                        source_file = ?, modified_at = ? WHERE id = ?
                    """
            ).execute(
                arguments: [
                    record.kind.rawValue, json, hash, form.contentHash, record.source?.originalId,
                    record.textLanguages.joined(separator: " "), updatedAt, sourceFile, now, record.id,
                ])
            try logUpsert(record, runID: runID, in: db)
            return .updated
        case (let existing?, let link?):
            let keepsSince = existing.alias.map { $0.primary == link.primary && $0.reason == link.reason } ?? false
            let alias = Alias(
                id: record.id, primary: link.primary, reason: link.reason, since: keepsSince ? existing.alias?.since ?? now : now)
            try writeAlias(alias, copy, in: db)
            guard existing.alias == nil else { return .aliased(alias, withdrawn: false) }
            // A live record changed into a copy of another: it leaves the index and OAI-PMH,
            // and its own aliases move to the new primary.
            try withdraw(record.id, runID: runID, in: db)
            try repoint(from: record.id, to: link.primary, in: db)
            return .aliased(alias, withdrawn: true)
        }
    }

    /// Deletes the record or alias `id`. A deleted record's oldest alias (by `since`, then id)
    /// becomes the record in its place, and its other aliases resolve to that one.
    func delete(id: String, runID: Int64?, in db: Database) throws -> DeleteOutcome {
        try db.cachedStatement(sql: "DELETE FROM records WHERE id = ?").execute(arguments: [id])
        guard db.changesCount > 0 else {
            guard let alias = try storedState(of: id, in: db)?.alias else { return .missing }
            try db.cachedStatement(sql: "DELETE FROM aliases WHERE id = ?").execute(arguments: [id])
            return .aliasDeleted(alias)
        }
        let sequence = try logChange(id, operation: "delete", runID: runID, in: db)
        try noteOAIDeletion(id, sequence: sequence, in: db)
        return .deleted(promoted: try promoteOldestAlias(of: id, runID: runID, in: db))
    }

    /// Makes each of `duplicates` (live records) an alias of the live record `primary`
    /// (reason `merge`): each leaves the index and OAI-PMH (a deletion in the change log), its
    /// aliases move to `primary`. The caller has checked the ids (``mergePlan(primary:duplicates:)``).
    func merge(_ duplicates: [String], into primary: String, in db: Database) throws {
        let now = Catalog.now()
        for id in duplicates {
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT json, hash, content_hash, updated_at, source_file, created_at FROM records WHERE id = ?"),
                    arguments: [id])
            else { throw ClearingHouseError(.notFound, "no record with id \(id)") }
            let copy = StoredCopy(
                json: row["json"], hash: row["hash"], contentHash: (row["content_hash"] as String?) ?? "", updatedAt: row["updated_at"],
                sourceFile: row["source_file"], createdAt: row["created_at"], modifiedAt: now)
            try writeAlias(Alias(id: id, primary: primary, reason: .merge, since: now), copy, in: db)
            try withdraw(id, runID: nil, in: db)
            try repoint(from: id, to: primary, in: db)
        }
    }

    /// What a merge of `duplicates` into `primary` would do, read in the caller's transaction:
    /// the live records to merge, and those that are aliases of `primary` already.
    /// - Throws: ``ClearingHouseError`` naming the id: `notFound` for an unknown id;
    ///   `invalidQuery` (parameter `primary` or `duplicates`) for a primary that is an alias,
    ///   a record merged into itself, or a duplicate that is an alias of another record.
    func mergePlan(primary: String, duplicates: [String], in db: Database) throws -> (merge: [String], already: [String]) {
        guard let target = try storedState(of: primary, in: db) else {
            throw ClearingHouseError(.notFound, "no record with id \(primary)")
        }
        if let alias = target.alias {
            throw ClearingHouseError.parameter("primary", "\(alias); merge into \(alias.primary)")
        }
        var plan: (merge: [String], already: [String]) = ([], [])
        var seen: Set<String> = []
        for id in duplicates where seen.insert(id).inserted {
            if id == primary { throw ClearingHouseError.parameter("duplicates", "\(id) cannot be merged into itself") }
            guard let state = try storedState(of: id, in: db) else { throw ClearingHouseError(.notFound, "no record with id \(id)") }
            switch state.alias {
            case nil: plan.merge.append(id)
            case let alias? where alias.primary == primary: plan.already.append(id)
            case let alias?:
                throw ClearingHouseError.parameter("duplicates", "\(alias); merge \(alias.primary) instead")
            }
        }
        return plan
    }

    // MARK: The link rules

    /// The live record that `record` is a copy of, and why, or nil: one query, which looks up
    /// the content hash and the stored copies that name `record.id` as their original, and
    /// also, when `record` names an original or related records, those.
    private func linkTarget(for record: Record, contentHash: String, in db: Database) throws -> (primary: String, reason: AliasReason)? {
        let origin = record.source?.originalId
        let rows: [Row]
        // Same content: up to a few stored records, with what tells their source.
        let sameContent = """
            SELECT * FROM (SELECT id, 'content' AS rule, NULL AS json, json_extract(json, '$.source.system') AS system,
                    json_extract(json, '$.source.url') AS url
                FROM records WHERE content_hash = :content AND id <> :id ORDER BY id LIMIT 8)
            UNION ALL
            SELECT * FROM (SELECT id, 'copy' AS rule, NULL AS json, NULL AS system, NULL AS url FROM records
                WHERE origin = :id AND id <> :id AND kind = :kind ORDER BY id LIMIT 1)
            """
        if origin == nil, record.related.isEmpty {
            rows = try Row.fetchAll(
                db.cachedStatement(sql: sameContent),
                arguments: ["content": contentHash, "id": record.id, "kind": record.kind.rawValue])
        } else {
            rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: sameContent + """

                        UNION ALL
                        SELECT id, 'original' AS rule, NULL AS json, NULL AS system, NULL AS url FROM records
                            WHERE id = :origin AND id <> :id AND kind = :kind
                        UNION ALL
                        SELECT * FROM (SELECT id, 'sameOrigin' AS rule, json, NULL AS system, NULL AS url FROM records
                            WHERE origin = :origin AND id <> :id AND kind = :kind ORDER BY id LIMIT 16)
                        UNION ALL
                        SELECT * FROM (SELECT r.id AS id, 'related' AS rule, r.json AS json, NULL AS system, NULL AS url
                            FROM json_each(:related) j JOIN records r ON r.id = j.value
                            WHERE r.id <> :id AND r.kind = :kind
                                AND EXISTS (SELECT 1 FROM json_each(r.json, '$.related') k WHERE k.value = :id)
                            ORDER BY r.id)
                        """),
                arguments: [
                    "content": contentHash, "id": record.id, "kind": record.kind.rawValue, "origin": origin,
                    "related": record.related.isEmpty ? nil : JSONValue.array(record.related.map(JSONValue.string)).description,
                ])
        }
        let mySource = record.publishingSource
        for row in rows {
            let id: String = row["id"]
            switch row["rule"] as String {
            case "content":
                let theirs = Record.Source(system: row["system"], url: row["url"])
                if Record.publishingSource(of: theirs) != mySource { return (id, .content) }
            case "original", "copy": return (id, .source)
            case "sameOrigin":
                if let other = try? Record(fromCatalog: row["json"]), record.namesSameOriginal(as: other) { return (id, .source) }
            default:
                if let other = try? Record(fromCatalog: row["json"]), other.publishingSource != mySource, record.sharesTitle(with: other) {
                    return (id, .related)
                }
            }
        }
        return nil
    }

    // MARK: Helpers

    /// A copy's stored columns.
    private struct StoredCopy {
        let json: String
        let hash: String
        let contentHash: String
        let updatedAt: Double?
        let sourceFile: String?
        let createdAt: String
        let modifiedAt: String
    }

    /// The stored state of `id` (a live record or an alias), in one query.
    private func storedState(of id: String, in db: Database) throws -> StoredState? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT hash, updated_at, created_at, NULL AS primary_id, NULL AS reason, NULL AS since
                        FROM records WHERE id = :id
                    UNION ALL
                    SELECT hash, updated_at, created_at, primary_id, reason, since FROM aliases WHERE id = :id
                    """),
            arguments: ["id": id]
        ).map { row in
            let primary: String? = row["primary_id"]
            return StoredState(
                hash: row["hash"], updatedAt: row["updated_at"], createdAt: row["created_at"],
                alias: primary.map { Alias(id: id, primary: $0, reason: AliasReason(rawValue: row["reason"]) ?? .merge, since: row["since"]) })
        }
    }

    private func insertLive(_ record: Record, _ copy: StoredCopy, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO records (id, kind, json, hash, content_hash, origin, languages, updated_at, source_file, created_at, modified_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                record.id, record.kind.rawValue, copy.json, copy.hash, copy.contentHash, record.source?.originalId,
                record.textLanguages.joined(separator: " "), copy.updatedAt, copy.sourceFile, copy.createdAt, copy.modifiedAt,
            ])
    }

    private func writeAlias(_ alias: Alias, _ copy: StoredCopy, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO aliases (id, primary_id, reason, since, json, hash, content_hash, updated_at, source_file,
                    created_at, modified_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                alias.id, alias.primary, alias.reason.rawValue, alias.since, copy.json, copy.hash, copy.contentHash,
                copy.updatedAt, copy.sourceFile, copy.createdAt, copy.modifiedAt,
            ])
    }

    /// Logs that `record` was stored, and notes it for OAI-PMH.
    private func logUpsert(_ record: Record, runID: Int64?, in db: Database) throws {
        let sequence = try logChange(record.id, operation: "upsert", runID: runID, in: db)
        try noteOAIUpsert(record, sequence: sequence, in: db)
    }

    /// Removes the live record `id` (whose copy is kept as an alias): a deletion for the
    /// change log (so the index drops it) and for OAI-PMH (so harvesters drop it).
    private func withdraw(_ id: String, runID: Int64?, in db: Database) throws {
        try db.cachedStatement(sql: "DELETE FROM records WHERE id = ?").execute(arguments: [id])
        let sequence = try logChange(id, operation: "delete", runID: runID, in: db)
        try noteOAIDeletion(id, sequence: sequence, in: db)
    }

    /// Points the aliases of `old` at `new`.
    private func repoint(from old: String, to new: String, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE aliases SET primary_id = ? WHERE primary_id = ?").execute(arguments: [new, old])
    }

    /// Makes the oldest alias of the deleted record `id` a live record; its other aliases
    /// resolve to it. Returns the promoted record.
    private func promoteOldestAlias(of id: String, runID: Int64?, in db: Database) throws -> Record? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT id, json, hash, content_hash, updated_at, source_file, created_at FROM aliases
                        WHERE primary_id = ? ORDER BY since, id LIMIT 1
                        """),
                arguments: [id])
        else { return nil }
        let heir = try Record(fromCatalog: row["json"])
        try db.cachedStatement(sql: "DELETE FROM aliases WHERE id = ?").execute(arguments: [heir.id])
        let copy = StoredCopy(
            json: row["json"], hash: row["hash"], contentHash: row["content_hash"], updatedAt: row["updated_at"],
            sourceFile: row["source_file"], createdAt: row["created_at"], modifiedAt: Catalog.now())
        try insertLive(heir, copy, in: db)
        try logUpsert(heir, runID: runID, in: db)
        try repoint(from: id, to: heir.id, in: db)
        return heir
    }

    // MARK: Reading

    /// The record `id` names, in one snapshot: its own, or its primary's when `id` is an alias.
    func resolve(id: String) throws -> ResolvedRecord? {
        try read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT id, json, NULL AS primary_id, NULL AS reason, NULL AS since FROM records WHERE id = :id
                        UNION ALL
                        SELECT r.id, r.json, a.primary_id, a.reason, a.since
                            FROM aliases a JOIN records r ON r.id = a.primary_id WHERE a.id = :id
                        """),
                arguments: ["id": id]
            ).map { row in
                let primary: String? = row["primary_id"]
                return ResolvedRecord(
                    id: row["id"], canonicalJSON: row["json"],
                    alias: primary.map {
                        Alias(id: id, primary: $0, reason: AliasReason(rawValue: row["reason"]) ?? .merge, since: row["since"])
                    })
            }
        }
    }

    /// The aliases of the record `primary`, by id.
    func aliases(of primary: String) throws -> [Alias] {
        try read { db in try Catalog.aliases(of: primary, in: db) }
    }

    static func aliases(of primary: String, in db: Database) throws -> [Alias] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, primary_id, reason, since FROM aliases WHERE primary_id = ? ORDER BY id"),
            arguments: [primary]
        ).map { row in
            Alias(id: row["id"], primary: row["primary_id"], reason: AliasReason(rawValue: row["reason"]) ?? .merge, since: row["since"])
        }
    }

    /// The number of aliases.
    func aliasCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM aliases") ?? 0 }
    }

    /// What is inconsistent about the aliases (`chm check`): aliases whose primary is not a
    /// live record, ids that are both, and records without a content hash; and, as a note,
    /// how many sets of live records share a content hash (from one source, or stored before
    /// aliases existed).
    func aliasHealth() throws -> (problems: [String], identicalGroups: Int) {
        try read { db in
            var problems: [String] = []
            let dangling = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM aliases a WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = a.primary_id)") ?? 0
            if dangling > 0 { problems.append("catalog: \(dangling) aliases resolve to no record") }
            let both = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM aliases a JOIN records r ON r.id = a.id") ?? 0
            if both > 0 { problems.append("catalog: \(both) ids are both a record and an alias") }
            let unhashed = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM records WHERE content_hash IS NULL") ?? 0
            if unhashed > 0 { problems.append("catalog: \(unhashed) records have no content hash") }
            let identical = try Int.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) FROM (SELECT content_hash FROM records WHERE content_hash IS NOT NULL
                        GROUP BY content_hash HAVING COUNT(*) > 1)
                    """) ?? 0
            return (problems, identical)
        }
    }

    /// Calls `body` with each live record's id, canonical JSON, content hash and position in
    /// the order records were stored (their creation time, then their row), in id order,
    /// streaming (what `chm duplicates` scans).
    func forEachRecordForDuplicates(_ body: (_ id: String, _ json: String, _ contentHash: String, _ storedOrder: String) throws -> Void) throws {
        try read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT id, json, content_hash, created_at || '#' || printf('%020d', rowid) AS stored FROM records ORDER BY id")
            while let row = try rows.next() {
                try body(row["id"], row["json"], (row["content_hash"] as String?) ?? "", row["stored"])
            }
        }
    }
}
