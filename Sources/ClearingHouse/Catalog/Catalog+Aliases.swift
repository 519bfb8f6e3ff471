// One copy of each record, in the catalog: the content hash of every record
// (`records.content_hash`, with its first 64 bits in the indexed `records.content_key`), the
// source that published it (`records.source_key`: Record.publishingSource, '' when unknown)
// and the original it names (`records.origin`: `source.originalId`); and the aliases
// (`aliases`): ids whose records
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
//      both name the same original: the same `source.originalId` from the same (known)
//      source;
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

    init(hash: String, updatedAt: Double?, createdAt: String, alias: Alias?) {
        self.hash = hash
        self.updatedAt = updatedAt
        self.createdAt = createdAt
        self.alias = alias
    }

    /// The state in a row of the look-up (``Catalog/lookUpSQL``'s columns 2-7: `hash`,
    /// `updated_at`, `created_at` and, for an alias, `primary_id`, `reason` and `since`).
    init(_ columns: SQLiteStatement.Columns, id: String) {
        self.init(
            hash: columns.text(2) ?? "", updatedAt: columns.double(3), createdAt: columns.text(4) ?? "",
            alias: columns.text(5).map {
                Alias(id: id, primary: $0, reason: AliasReason(rawValue: columns.text(6) ?? "") ?? .merge, since: columns.text(7) ?? "")
            })
    }

    /// The state in a row with `hash`, `updated_at`, `created_at` and, for an alias,
    /// `primary_id`, `reason` and `since`.
    init(_ row: Row, id: String) {
        let primary: String? = row["primary_id"]
        self.init(
            hash: row["hash"], updatedAt: row["updated_at"], createdAt: row["created_at"],
            alias: primary.map { Alias(id: id, primary: $0, reason: AliasReason(rawValue: row["reason"]) ?? .merge, since: row["since"]) })
    }
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
                ALTER TABLE records ADD COLUMN content_key INTEGER;
                ALTER TABLE records ADD COLUMN source_key TEXT NOT NULL DEFAULT '';
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
        let update = try db.makeStatement(
            sql: "UPDATE records SET content_hash = ?, content_key = ?, source_key = ?, origin = ? WHERE id = ?")
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
                    return (StoredForm(record).contentHash, record.sourceKey, record.source?.originalId)
                }
            }
            for (row, result) in zip(rows, computed) {
                let (contentHash, sourceKey, origin) = try result.get()
                try update.execute(arguments: [contentHash, Catalog.contentKey(contentHash), sourceKey, origin, row["id"] as String])
            }
        }
        // The indexes last: one sort each rather than a b-tree insert per row. The content is
        // looked up by the first 64 bits of its hash (an index of integers is a fraction of one
        // of 64-character texts), then compared whole; with the source in the index, "the same
        // content from another source" is two seeks however many copies one source holds.
        try db.execute(
            sql: """
                CREATE INDEX records_content ON records(content_key, source_key);
                CREATE INDEX records_origin ON records(origin, source_key) WHERE origin IS NOT NULL;
                """)
    }

    // MARK: Storing (inside a transaction the caller holds)

    /// Stores `record` (see ``Catalog/upsert(_:stored:sourceFile:runID:keepingNewer:in:)``): as a live
    /// record or as an alias, by the rules at the top of this file.
    func store(_ record: Record, form: StoredForm, sourceFile: String?, runID: Int64?, keepingNewer: Bool = true, in writer: Writer) throws -> UpsertOutcome {
        let db = writer.db
        let (json, hash) = form.form
        let updatedAt = record.updated.flatMap { RecordDate.secondsSinceEpoch(rfc3339: $0) }
        let lookup = try lookUp(record, contentHash: form.contentHash, in: writer)
        let existing = lookup.existing
        if let existing {
            if existing.hash == hash { return .unchanged }
            // A stored date more than a day in the future (a typo, a clock far off) is no
            // evidence: a copy of any date replaces it, or the record could never change
            // again. (Within a day it is a clock a little fast, or local time written as UTC:
            // an older copy is still kept out.)
            if keepingNewer, let incoming = updatedAt, let stored = existing.updatedAt, incoming < stored,
                stored <= RecordDate.now() + RecordDate.futureTolerance
            {
                return .skippedOlder(stored: RecordDate.rfc3339(secondsSinceEpoch: stored))
            }
        }
        // A maintainer's merge holds whatever the copies say; the other links are the copies'.
        let link: (primary: String, reason: AliasReason)?
        if let alias = existing?.alias, alias.reason == .merge {
            link = (alias.primary, .merge)
        } else {
            link = linkTarget(for: record, among: lookup.candidates)
        }
        let now = Catalog.now()
        let copy = StoredCopy(
            json: json, hash: hash, contentHash: form.contentHash, updatedAt: updatedAt, sourceFile: sourceFile,
            createdAt: existing?.createdAt ?? now, modifiedAt: now)
        switch (existing, link) {
        case (nil, nil):
            try insertLive(record, copy, in: writer)
            try logUpsert(record, runID: runID, in: writer)
            return .added
        case (nil, let link?):
            let alias = Alias(id: record.id, primary: link.primary, reason: link.reason, since: now)
            try writeAlias(alias, copy, in: db)
            return .aliased(alias, withdrawn: false)
        case (let existing?, nil):
            if let alias = existing.alias {
                // The copies no longer agree: the alias is a record of its own again.
                try db.cachedStatement(sql: "DELETE FROM aliases WHERE id = ?").execute(arguments: [record.id])
                try insertLive(record, copy, in: writer)
                try logUpsert(record, runID: runID, in: writer)
                return .released(from: alias)
            }
            try db.cachedStatement(
                sql: """
                    UPDATE records SET kind = ?, json = ?, hash = ?, content_hash = ?, content_key = ?, source_key = ?, origin = ?,
                        languages = ?, updated_at = ?, source_file = ?, modified_at = ? WHERE id = ?
                    """
            ).execute(
                arguments: [
                    record.kind.rawValue, json, hash, form.contentHash, Catalog.contentKey(form.contentHash), record.sourceKey,
                    record.source?.originalId,
                    record.textLanguages.joined(separator: " "), updatedAt, sourceFile, now, record.id,
                ])
            try logUpsert(record, runID: runID, in: writer)
            return .updated
        case (let existing?, let link?):
            let keepsSince = existing.alias.map { $0.primary == link.primary && $0.reason == link.reason } ?? false
            let alias = Alias(
                id: record.id, primary: link.primary, reason: link.reason, since: keepsSince ? existing.alias?.since ?? now : now)
            try writeAlias(alias, copy, in: db)
            guard existing.alias == nil else { return .aliased(alias, withdrawn: false) }
            // A live record changed into a copy of another: it leaves the index and OAI-PMH,
            // and its own aliases move to the new primary.
            try withdraw(record.id, runID: runID, in: writer)
            try repoint(from: record.id, to: link.primary, in: db)
            return .aliased(alias, withdrawn: true)
        }
    }

    /// Deletes the record or alias `id`. A deleted record's oldest alias (by `since`, then id)
    /// becomes the record in its place, and its other aliases resolve to that one.
    func delete(id: String, runID: Int64?, in writer: Writer) throws -> DeleteOutcome {
        guard !Catalog.cannotHold(id) else { return .missing }
        let db = writer.db
        try db.cachedStatement(sql: "DELETE FROM records WHERE id = ?").execute(arguments: [id])
        guard db.changesCount > 0 else {
            guard let alias = try storedState(of: id, in: db)?.alias else { return .missing }
            try db.cachedStatement(sql: "DELETE FROM aliases WHERE id = ?").execute(arguments: [id])
            return .aliasDeleted(alias)
        }
        let sequence = try logChange(id, operation: "delete", runID: runID, in: writer)
        try noteOAIDeletion(id, sequence: sequence, in: db)
        return .deleted(promoted: try promoteOldestAlias(of: id, runID: runID, in: writer))
    }

    /// Makes each of `duplicates` (live records) an alias of the live record `primary`
    /// (reason `merge`): each leaves the index and OAI-PMH (a deletion in the change log), its
    /// aliases move to `primary`. The caller has checked the ids (``mergePlan(primary:duplicates:)``).
    func merge(_ duplicates: [String], into primary: String, in writer: Writer) throws {
        let db = writer.db
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
            try withdraw(id, runID: nil, in: writer)
            try repoint(from: id, to: primary, in: db)
        }
    }

    /// What a merge of `duplicates` into `primary` would do, read in the caller's transaction:
    /// the live records to merge, and those that are aliases of `primary` already.
    /// - Throws: ``ClearingHouseError`` naming the id: `notFound` for an unknown id;
    ///   `invalidQuery` (parameter `duplicates`) for a record merged into itself; `conflict`
    ///   (parameter `primary` or `duplicates`) for a primary that is an alias, or a duplicate
    ///   that is an alias of another record.
    func mergePlan(primary: String, duplicates: [String], in db: Database) throws -> (merge: [String], already: [String]) {
        guard let target = try storedState(of: primary, in: db) else {
            throw ClearingHouseError(.notFound, "no record with id \(primary)")
        }
        if let alias = target.alias {
            throw ClearingHouseError(.conflict, "primary: \(alias); merge into \(alias.primary)", parameter: "primary")
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
                throw ClearingHouseError(.conflict, "duplicates: \(alias); merge \(alias.primary) instead", parameter: "duplicates")
            }
        }
        return plan
    }

    // MARK: The link rules

    /// The one query per stored record, for a record that names neither an original nor
    /// related records: what the id is now (`rule` `live` or `alias`, with its hash,
    /// `updated`, creation time and, for an alias, its link), a live record of the same
    /// content from another source (two seeks in `records_content`: sources before and
    /// after this one), and a live record that names this id as its original. Numbered
    /// parameters: ?1 content key, ?2 content hash, ?3 id, ?4 kind, ?5 source key ('' when
    /// unknown); ``extendedLookUpSQL`` adds ?6 original id, ?7 related ids as a JSON array,
    /// ?8 the id as a JSON string. (`+kind` keeps the kind's index out of every plan: each
    /// branch is a lookup by key.)
    static let lookUpSQL = """
        SELECT 'live' AS rule, id, hash, updated_at, created_at, NULL AS primary_id, NULL AS reason, NULL AS since, NULL AS json
            FROM records WHERE id = ?3
        UNION ALL
        SELECT 'alias', id, hash, updated_at, created_at, primary_id, reason, since, NULL FROM aliases WHERE id = ?3
        UNION ALL
        SELECT * FROM (SELECT 'content', id, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM records
            WHERE content_key = ?1 AND source_key < ?5 AND content_hash = ?2 AND id <> ?3 LIMIT 1)
        UNION ALL
        SELECT * FROM (SELECT 'content', id, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM records
            WHERE content_key = ?1 AND source_key > ?5 AND content_hash = ?2 AND id <> ?3 LIMIT 1)
        UNION ALL
        SELECT * FROM (SELECT 'source', id, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM records
            WHERE origin = ?3 AND id <> ?3 AND +kind = ?4 LIMIT 1)
        """

    /// ``lookUpSQL`` and, for a record that names an original or related records: the live
    /// record with the original's id, one that names the same original from the same known
    /// source, and the related records from other sources that mention this id (whether they
    /// list it in `related`, and share a title, is decided in ``linkTarget(for:among:)``).
    /// (`CROSS JOIN` keeps the related ids the outer loop.)
    static let extendedLookUpSQL =
        lookUpSQL + """

            UNION ALL
            SELECT 'source', id, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM records WHERE id = ?6 AND id <> ?3 AND +kind = ?4
            UNION ALL
            SELECT * FROM (SELECT 'source', id, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM records
                WHERE origin = ?6 AND source_key = ?5 AND ?5 <> '' AND id <> ?3 AND +kind = ?4 LIMIT 1)
            UNION ALL
            SELECT 'related', r.id, NULL, NULL, NULL, NULL, NULL, NULL, r.json
                FROM json_each(?7) j CROSS JOIN records r ON r.id = j.value
                WHERE r.id <> ?3 AND +r.kind = ?4 AND r.source_key <> ?5 AND instr(r.json, ?8) > 0
            """

    /// What the catalog holds under `record.id`, and the live records that may be the same
    /// record: one indexed query (``lookUpSQL``, or ``extendedLookUpSQL`` when the record
    /// names an original or related records).
    private func lookUp(_ record: Record, contentHash: String, in writer: Writer) throws -> (existing: StoredState?, candidates: [Candidate]) {
        let extended = record.source?.originalId != nil || !record.related.isEmpty
        var existing: StoredState?
        var candidates: [Candidate] = []
        try writer.statement(extended ? .extendedLookUp : .lookUp).forEachRow { arguments in
            arguments.add(Catalog.contentKey(contentHash))
            arguments.add(contentHash)
            arguments.add(record.id)
            arguments.add(record.kind.rawValue)
            arguments.add(record.sourceKey)
            if extended {
                arguments.add(record.source?.originalId)
                arguments.add(record.related.isEmpty ? nil : JSONValue.array(record.related.map(JSONValue.string)).description)
                arguments.add(JSONValue.string(record.id).description)
            }
        } _: { columns in
            switch columns.text(0) {
            // (A live row's columns 5-7 are NULL: no alias.)
            case "live", "alias": existing = StoredState(columns, id: record.id)
            case let rule?: candidates.append(Candidate(rule: rule, id: columns.text(1) ?? "", json: columns.text(8)))
            case nil: break
            }
        }
        return (existing, candidates)
    }

    /// A live record that the look-up found may be the same as the one being stored, and by
    /// which rule (`content`, `source` or `related`; the JSON only for `related`).
    private struct Candidate {
        let rule: String
        let id: String
        let json: String?
    }

    /// The live record that `record` is a copy of, and why, or nil, among the rows
    /// ``lookUp(_:contentHash:in:)`` found (in the order of the rules at the top of this file).
    private func linkTarget(for record: Record, among candidates: [Candidate]) -> (primary: String, reason: AliasReason)? {
        for rule in ["content", "source"] {
            if let candidate = candidates.first(where: { $0.rule == rule }) { return (candidate.id, rule == "content" ? .content : .source) }
        }
        for candidate in candidates where candidate.rule == "related" {
            if let json = candidate.json, let other = try? Record(fromCatalog: json), other.related.contains(record.id),
                record.sharesTitle(with: other)
            {
                return (candidate.id, .related)
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
        guard !Catalog.cannotHold(id) else { return nil }
        return try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT hash, updated_at, created_at, NULL AS primary_id, NULL AS reason, NULL AS since
                        FROM records WHERE id = ?1
                    UNION ALL
                    SELECT hash, updated_at, created_at, primary_id, reason, since FROM aliases WHERE id = ?1
                    """),
            arguments: [id]
        ).map { StoredState($0, id: id) }
    }

    /// The insert of a live record (``insertLive(_:_:in:)`` binds its values in this order).
    static let insertRecordSQL = """
        INSERT INTO records (id, kind, json, hash, content_hash, content_key, source_key, origin, languages, updated_at,
            source_file, created_at, modified_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    private func insertLive(_ record: Record, _ copy: StoredCopy, in writer: Writer) throws {
        try writer.statement(.insertRecord).execute { arguments in
            arguments.add(record.id)
            arguments.add(record.kind.rawValue)
            arguments.add(copy.json)
            arguments.add(copy.hash)
            arguments.add(copy.contentHash)
            arguments.add(Catalog.contentKey(copy.contentHash))
            arguments.add(record.sourceKey)
            arguments.add(record.source?.originalId)
            arguments.add(record.textLanguages.joined(separator: " "))
            arguments.add(copy.updatedAt)
            arguments.add(copy.sourceFile)
            arguments.add(copy.createdAt)
            arguments.add(copy.modifiedAt)
        }
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
    private func logUpsert(_ record: Record, runID: Int64?, in writer: Writer) throws {
        let sequence = try logChange(record.id, operation: "upsert", runID: runID, in: writer)
        try noteOAIUpsert(record, sequence: sequence, in: writer)
    }

    /// Removes the live record `id` (whose copy is kept as an alias): a deletion for the
    /// change log (so the index drops it) and for OAI-PMH (so harvesters drop it).
    private func withdraw(_ id: String, runID: Int64?, in writer: Writer) throws {
        try writer.db.cachedStatement(sql: "DELETE FROM records WHERE id = ?").execute(arguments: [id])
        let sequence = try logChange(id, operation: "delete", runID: runID, in: writer)
        try noteOAIDeletion(id, sequence: sequence, in: writer.db)
    }

    /// Points the aliases of `old` at `new`.
    private func repoint(from old: String, to new: String, in db: Database) throws {
        try db.cachedStatement(sql: "UPDATE aliases SET primary_id = ? WHERE primary_id = ?").execute(arguments: [new, old])
    }

    /// Makes the oldest alias of the deleted record `id` a live record; its other aliases
    /// resolve to it. Returns the promoted record.
    private func promoteOldestAlias(of id: String, runID: Int64?, in writer: Writer) throws -> Record? {
        let db = writer.db
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
        try insertLive(heir, copy, in: writer)
        try logUpsert(heir, runID: runID, in: writer)
        try repoint(from: id, to: heir.id, in: db)
        return heir
    }

    /// The first 64 bits of a content hash (hex), as the signed integer `content_key` holds.
    static func contentKey(_ hash: String) -> Int64 {
        Int64(bitPattern: UInt64(hash.prefix(16), radix: 16) ?? 0)
    }

    // MARK: Reading

    /// The record `id` names, in one snapshot: its own, or its primary's when `id` is an alias.
    func resolve(id: String) throws -> ResolvedRecord? {
        guard !Catalog.cannotHold(id) else { return nil }
        return try read { db in
            try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT id, json, NULL AS primary_id, NULL AS reason, NULL AS since FROM records WHERE id = ?1
                        UNION ALL
                        SELECT r.id, r.json, a.primary_id, a.reason, a.since
                            FROM aliases a JOIN records r ON r.id = a.primary_id WHERE a.id = ?1
                        """),
                arguments: [id]
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
        guard !Catalog.cannotHold(primary) else { return [] }
        return try read { db in try Catalog.aliases(of: primary, in: db) }
    }

    static func aliases(of primary: String, in db: Database) throws -> [Alias] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, primary_id, reason, since FROM aliases WHERE primary_id = ? ORDER BY id"),
            arguments: [primary]
        ).map { row in
            Alias(id: row["id"], primary: row["primary_id"], reason: AliasReason(rawValue: row["reason"]) ?? .merge, since: row["since"])
        }
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
