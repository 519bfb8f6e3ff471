import Foundation
import SearchCore

/// The outcome of ``ClearingHouse/check()``.
public struct CheckReport: Sendable, Hashable, Codable {
    /// Problems that mean data is damaged or inconsistent (a non-zero exit for `chm check`).
    public var problems: [String] = []
    /// Facts worth knowing that are not damage (e.g. changes not yet indexed).
    public var notes: [String] = []
    /// Records in the catalog.
    public var records = 0
    /// Aliases in the catalog (ids that resolve to a record; not in the index).
    public var aliases = 0
    /// Live documents in the index.
    public var documents = 0
    /// The catalog's change-log position (its newest change).
    public var catalogChange: Int64 = 0
    /// The change-log position the index reflects (behind ``catalogChange`` when changes are not indexed).
    public var indexChange: Int64 = 0

    /// What a check with `repair` found before it rebuilt the index (its problems, then its
    /// notes); nil when no rebuild ran. The rest of the report is the check after the rebuild.
    public var repaired: [String]?

    /// True when nothing is damaged.
    public var isHealthy: Bool { problems.isEmpty }

    init() {}

    /// The report of a check that could not open the index: `error` is its one problem.
    public init(unopened error: ClearingHouseError) {
        problems = [error.message]
    }

    private enum CodingKeys: String, CodingKey {
        case ok, records, documents, catalogChange, indexChange, problems, notes, aliases, repaired
    }

    /// Writes the members in the order ``jsonValue`` shows (`ok` is ``isHealthy``).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(isHealthy, forKey: .ok)
        try container.encode(records, forKey: .records)
        try container.encode(documents, forKey: .documents)
        try container.encode(catalogChange, forKey: .catalogChange)
        try container.encode(indexChange, forKey: .indexChange)
        try container.encode(problems, forKey: .problems)
        try container.encode(notes, forKey: .notes)
        try container.encode(aliases, forKey: .aliases)
        try container.encodeIfPresent(repaired, forKey: .repaired)
    }

    /// Reads the document ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        records = try container.decode(Int.self, forKey: .records)
        documents = try container.decode(Int.self, forKey: .documents)
        catalogChange = try container.decode(Int64.self, forKey: .catalogChange)
        indexChange = try container.decode(Int64.self, forKey: .indexChange)
        problems = try container.decode([String].self, forKey: .problems)
        notes = try container.decode([String].self, forKey: .notes)
        aliases = try container.decodeIfPresent(Int.self, forKey: .aliases) ?? 0
        repaired = try container.decodeIfPresent([String].self, forKey: .repaired)
    }

    /// `{"ok", "records", "documents", "catalogChange", "indexChange", "problems", "notes",
    /// "aliases"}`, then `"repaired"` after a repair: the document ``encode(to:)`` writes.
    public var jsonValue: JSONValue { (try? JSONValue(encoding: self)) ?? .null }
}

extension ClearingHouse {
    /// Verifies the catalog (SQLite `integrity_check`; every record's stored JSON has the
    /// SHA-256 stored beside it; every alias resolves to a record, no id is both, every record
    /// has its content hash) and the index (every segment file's
    /// checksums; the index reflects the catalog's change log; the document count agrees with
    /// the record count, so no alias is indexed). Changes not yet indexed (after a crash) are a note, not a problem:
    /// the next write applies them.
    /// - Parameter repair: when the index is damaged or behind (a finding about the index),
    ///   rebuild it from the catalog (``reindex(_:)``) and check again: the report is the
    ///   second check's (what `chm check --repair` prints). Findings about the catalog are
    ///   not the index's to repair, and a rebuild is not run for them: a damaged catalog is
    ///   restored from a backup, and `chm merge` joins copies.
    public func check(repair: Bool = false) throws -> CheckReport {
        let found = try checkOnce()
        let indexFindings = (found.problems + found.notes).filter { $0.hasPrefix(Self.indexFinding) }
        guard repair, !indexFindings.isEmpty else { return found }
        _ = try reindex(ReindexRequest())
        var report = try checkOnce()
        report.repaired = indexFindings
        return report
    }

    /// How every finding about the index starts.
    private static let indexFinding = "index: "

    private func checkOnce() throws -> CheckReport {
        var report = CheckReport()
        let changeAtStart = try catalogChangeSequence()
        let integrity = try catalog.integrityProblems()
        if !integrity.isEmpty {
            report.problems.append("catalog: SQLite integrity check failed: " + integrity.prefix(5).joined(separator: "; "))
        }
        let statistics = try statistics()
        report.records = statistics.records
        report.aliases = statistics.aliases
        // (QA: a byte changed inside a record's stored JSON passed every check, and `show`
        // and `export` gave the damaged text.)
        let records = try catalog.verifyRecordHashes()
        if records.failing > 0 {
            report.problems.append(
                "catalog: \(records.failing) \(records.failing == 1 ? "record's" : "records'") stored JSON no longer matches its SHA-256 (changed on disk): \(records.firstFailing.joined(separator: ", "))\(records.failing > records.firstFailing.count ? ", ..." : ""); ingest those records again from their source, or restore the index directory from a backup")
        }
        let aliasHealth = try catalog.aliasHealth()
        report.problems += aliasHealth.problems
        if aliasHealth.identicalGroups > 0 {
            report.notes.append(
                "catalog: \(aliasHealth.identicalGroups) \(aliasHealth.identicalGroups == 1 ? "set of records has" : "sets of records have") the same content under different ids (from one source, or stored before aliases existed); `chm duplicates` lists them and `chm merge` makes them one")
        }
        report.catalogChange = try catalogChangeSequence()
        // (The newest commit's number, readable or not: a damaged newest manifest is not a
        // write that committed while the check ran.)
        let generationAtStart = IndexSearcher.newestGeneration(directory: segmentsDirectory)
        let searcher: IndexSearcher
        do {
            searcher = try IndexSearcher.open(directory: segmentsDirectory, schema: RecordIndexing.schema)
        } catch let error where error.code == .schemaMismatch {
            // Not damage: an index built by a chm that analyzed text otherwise.
            report.notes.append(
                "index: built by another version of chm, which analyzed text otherwise; the next search or write rebuilds it from the catalog, or `chm check --repair` now")
            return report
        } catch {
            report.problems.append("index: \(error.message)")
            return report
        }
        for damaged in searcher.verifyChecksums() {
            report.problems.append("index: \(damaged)")
        }
        for name in IndexSearcher.unreadableManifests(directory: segmentsDirectory) {
            report.problems.append(
                "index: the commit \(name) cannot be read (damaged): searches answer from an older commit; `chm check --repair` rebuilds the index from the catalog")
        }
        report.documents = searcher.documentCount
        report.indexChange = RecordIndexing.changeSequence(in: searcher.userData)
        // (What follows compares the index with the catalog, read at moments apart: a write
        // that commits in between makes them disagree without damage. See the end.)
        let comparedFrom = (problems: report.problems.count, notes: report.notes.count)
        if report.indexChange > report.catalogChange {
            report.problems.append(
                "index: reflects change #\(report.indexChange) but the catalog's last change is #\(report.catalogChange) (was the catalog replaced?)")
        } else if report.indexChange < report.catalogChange, IndexSearcher.newestGeneration(directory: segmentsDirectory) == 0 {
            report.notes.append(
                "index: no commit yet, while the catalog holds \(report.catalogChange) changes: searches find nothing until the next ingest or delete, or `chm check --repair`, indexes them (a first write interrupted, or segments/ removed)")
        } else if report.indexChange < report.catalogChange {
            report.notes.append(
                "index: \(report.catalogChange - report.indexChange) catalog changes are not indexed yet (searches answer from the last index commit until then); the next ingest or delete, or `chm check --repair`, applies them")
        } else if report.documents != report.records {
            report.problems.append("index: \(report.documents) documents but the catalog holds \(report.records) records")
        } else {
            // Every record id is in the index, and no other.
            // (The ids the hash check read: the records are read once. A write between the
            // two reads is caught below.)
            let keys = Set(searcher.allKeys())
            let missing = records.ids.count { !keys.contains($0) }
            if missing > 0 { report.problems.append("index: \(missing) catalog records are missing from the index") }
        }
        if try catalogChangeSequence() != changeAtStart || report.catalogChange != changeAtStart
            || IndexSearcher.newestGeneration(directory: segmentsDirectory) != generationAtStart
        {
            report.problems.removeSubrange(comparedFrom.problems...)
            report.notes.removeSubrange(comparedFrom.notes...)
            report.notes.append("a write committed while the check ran, so the index and the catalog were not compared; check again once it has ended")
        }
        return report
    }
}
