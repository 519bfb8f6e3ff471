// One copy of each record: the links made at ingest (the same content, a source declared,
// related declared both ways), what aliases do to search, resolution, re-ingest, deletion,
// reindex, check and OAI-PMH, and merging by hand.
import Foundation
import GRDB
import Records
import Testing

@testable import ClearingHouse

@Suite("One copy of each record") struct AliasTests {
    /// A record as JSON: `source` and `related` optional.
    static func record(
        _ id: String, kind: String = "technology", title: String = "Community mangrove nurseries",
        summary: String = "Raising mangrove seedlings with coastal villages before planting them on mud flats.",
        countries: [String] = ["KE"], system: String? = nil, url: String? = nil, originalID: String? = nil, related: [String] = [],
        updated: String? = nil
    ) -> String {
        var members = [
            #""id":"\#(id)""#, #""kind":"\#(kind)""#, #""title":{"en":"\#(title)"}"#, #""summary":{"en":"\#(summary)"}"#,
        ]
        if !countries.isEmpty { members.append(#""countries":[\#(countries.map { "\"\($0)\"" }.joined(separator: ","))]"#) }
        if let updated { members.append(#""updated":"\#(updated)""#) }
        var source: [String] = []
        if let system { source.append(#""system":"\#(system)""#) }
        if let url { source.append(#""url":"\#(url)""#) }
        if let originalID { source.append(#""originalId":"\#(originalID)""#) }
        if !source.isEmpty { members.append(#""source":{\#(source.joined(separator: ","))}"#) }
        if !related.isEmpty { members.append(#""related":[\#(related.map { "\"\($0)\"" }.joined(separator: ","))]"#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func ids(_ house: ClearingHouse, _ query: String) throws -> [String] {
        try house.search(SearchRequest(query: query, limit: 100)).hits.map(\.id)
    }

    static func oai(_ house: ClearingHouse, _ query: String) throws -> String {
        try OAIProvider(house: house).respond(toQuery: query, baseURL: "http://localhost/oai")
    }

    // MARK: The content hash

    @Test func theContentHashLeavesOutIdSourceAndUpdated() throws {
        let a = try #require(try parseRecord(Self.record("a", system: "node-a", originalID: "1", updated: "2024-01-01T00:00:00Z")))
        let b = try #require(try parseRecord(Self.record("b", system: "node-b", originalID: "9")))
        let c = try #require(try parseRecord(Self.record("c", title: "Community mangrove nursery")))
        let formA = StoredForm(a)
        // The stored text is the canonical JSON, byte for byte, and its hash the same as ever.
        #expect(formA.form.json == a.canonicalJSONText)
        #expect(formA.form.hash == SHA256.hex(a.canonicalJSONText.utf8))
        #expect(formA.contentHash.count == 64)
        #expect(formA.contentHash == StoredForm(b).contentHash)
        #expect(formA.form.hash != StoredForm(b).form.hash)
        #expect(formA.contentHash != StoredForm(c).contentHash)
        // It is the hash of the canonical JSON without those members.
        guard case .object(let members) = a.canonicalJSON else { throw AliasTestFailure() }
        let content = JSONValue.object(members.filter { !["id", "source", "updated"].contains($0.0) }).description
        #expect(formA.contentHash == SHA256.hex(content.utf8))
    }

    // MARK: Links at ingest

    @Test func theSameContentFromTwoSourcesIsOneRecordAndOneHit() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let first = try house.ingest([try directory.write("a.jsonl", Self.record("a-1", system: "node-a", originalID: "1"))])
            #expect(first.added == 1)
            let second = try house.ingest([
                try directory.write("b.jsonl", Self.record("b-7", system: "node-b", originalID: "7", updated: "2024-05-01T00:00:00Z"))
            ])
            #expect(second.added == 0)
            #expect(second.aliased == 1)
            #expect(second.succeeded)
            #expect(second.diagnostics.contains { $0.severity == .notice && $0.recordID == "b-7" && $0.message.contains("alias of a-1") })
            // The document names the new count; the other keys are as they were.
            guard case .object(let members) = try JSONValue(encoding: second) else { throw AliasTestFailure() }
            #expect(
                members.map(\.0) == [
                    "files", "records", "added", "updated", "unchanged", "skipped", "deleted", "aliased", "rejected", "errors", "warnings",
                    "ok", "fileReports", "diagnostics", "thesaurus",
                ])

            #expect(try Self.ids(house, "mangrove") == ["a-1"])
            #expect(try house.record(id: "b-7") == nil)
            let found = try #require(try house.resolve(id: "b-7"))
            #expect(found.id == "a-1")
            #expect(found.alias == Alias(id: "b-7", primary: "a-1", reason: .content, since: found.alias?.since ?? ""))
            #expect(found.alias?.description == "b-7 is an alias of a-1 (same content)")
            #expect(try found.record().id == "a-1")
            #expect(try house.resolve(id: "a-1")?.alias == nil)
            #expect(try house.aliases(of: "a-1").map(\.id) == ["b-7"])
            // The JSON document of an alias is the primary's, with resolvedFrom last.
            let document = try found.documentText()
            #expect(document.hasPrefix(#"{"id":"a-1","#))
            #expect(document.contains(#","resolvedFrom":{"id":"b-7","primary":"a-1","reason":"content","since":"#))
            #expect(try house.resolve(id: "a-1")?.documentText() == (try house.canonicalJSON(id: "a-1")))
            #expect(try house.resolve(id: "nope") == nil)

            // Similar and match start from the primary.
            #expect(try house.similar(id: "b-7").query == "a-1")
            #expect(throws: ClearingHouseError.self) { try house.similar(id: "nope") }
            _ = try house.match(id: "b-7")

            let statistics = try house.statistics()
            #expect(statistics.records == 1)
            #expect(statistics.aliases == 1)
            let check = try house.check()
            #expect(check.isHealthy, "\(check.problems)")
            #expect(check.aliases == 1)
            #expect(check.documents == 1)
            // Export writes one copy.
            #expect(try exported(house).split(separator: "\n").count == 1)
            // OAI-PMH knows the primary only.
            #expect(try Self.oai(house, "verb=GetRecord&identifier=b-7&metadataPrefix=oai_dc").contains("idDoesNotExist"))
            #expect(try Self.oai(house, "verb=GetRecord&identifier=a-1&metadataPrefix=oai_dc").contains("<dc:title"))
        }
    }

    @Test func aPublishersOwnIdenticalRecordsStayTwoRecords() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            // Neither names a source, or both name the same one: the publisher's ids are its own.
            let report = try house.ingest([
                try directory.write(
                    "one.jsonl",
                    [
                        Self.record("x-1"), Self.record("x-2"), Self.record("y-1", title: "Fog nets", summary: "Water from fog in dry mountains.", system: "node-y"),
                        Self.record("y-2", title: "Fog nets", summary: "Water from fog in dry mountains.", system: "node-y"),
                    ].joined(separator: "\n"))
            ])
            #expect(report.added == 4)
            #expect(report.aliased == 0)
            #expect(Set(try Self.ids(house, "mangrove")) == ["x-1", "x-2"])
            // chm duplicates lists them; chm check notes them.
            let duplicates = try house.duplicates()
            #expect(duplicates.groups.count == 2)
            #expect(duplicates.groups.allSatisfy { $0.reasons == [.sameContent] && $0.score == 1 })
            #expect(try house.check().notes.contains { $0.contains("2 sets of records have the same content") })
            // (Not the index's to repair: no rebuild, and nothing said repaired.)
            #expect(try house.check(repair: true).repaired == nil)
        }
    }

    @Test func aCopyThatNamesItsOriginalIsAnAliasWhicheverComesFirst() throws {
        for copyFirst in [false, true] {
            try withTemporaryDirectory { directory in
                let house = try directory.house()
                let original = Self.record("scbd-17", summary: "The original text.")
                let copy = Self.record("kenya-chm-3", summary: "A shortened copy.", system: "scbd", originalID: "scbd-17")
                let files = [try directory.write("original.jsonl", original), try directory.write("copy.jsonl", copy)]
                let report = try house.ingest(copyFirst ? files.reversed() : files)
                #expect(report.added == 1)
                #expect(report.aliased == 1)
                let first = copyFirst ? "kenya-chm-3" : "scbd-17"
                let second = copyFirst ? "scbd-17" : "kenya-chm-3"
                // The record stored first stays the primary.
                #expect(try house.resolve(id: second)?.alias?.primary == first)
                #expect(try house.resolve(id: second)?.alias?.reason == .source)
                #expect(try Self.ids(house, "mangrove") == [first])
            }
        }
    }

    @Test func sourceLinksNeedTheSameKindAndTheSameOriginal() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let report = try house.ingest([
                try directory.write(
                    "records.jsonl",
                    [
                        Self.record("orig", summary: "Original."),
                        // Another kind: not the same record.
                        Self.record("training-copy", kind: "training", summary: "A course.", system: "s", originalID: "orig"),
                        // Two copies of one original of another catalog, from one system...
                        Self.record("p-1", title: "Seed banks", summary: "One.", system: "scbd", originalID: "42"),
                        Self.record("p-2", title: "Seed banks", summary: "Two.", system: "scbd", originalID: "42"),
                        // ... but the same original id from another system is another record.
                        Self.record("p-3", title: "Seed banks", summary: "Three.", system: "other", originalID: "42"),
                        // Without systems, the same address of the original tells.
                        Self.record("h-1", title: "Seed banks", summary: "Four.", url: "https://repo.example.org/oai", originalID: "oai:r:9"),
                        Self.record("h-2", title: "Seed banks", summary: "Five.", url: "https://repo.example.org/oai", originalID: "oai:r:9"),
                        Self.record("h-3", title: "Seed banks", summary: "Six.", url: "https://other.example.org/oai", originalID: "oai:r:9"),
                    ].joined(separator: "\n"))
            ])
            #expect(report.added == 6)
            #expect(report.aliased == 2)
            #expect(try house.resolve(id: "training-copy")?.alias == nil)
            #expect(try house.resolve(id: "p-2")?.alias?.primary == "p-1")
            #expect(try house.resolve(id: "p-3")?.alias == nil)
            #expect(try house.resolve(id: "h-2")?.alias?.primary == "h-1")
            #expect(try house.resolve(id: "h-3")?.alias == nil)
        }
    }

    @Test func recordsThatDeclareEachOtherRelatedWithTheSameTitleAreOne() throws {
        for reversed in [false, true] {
            try withTemporaryDirectory { directory in
                let house = try directory.house()
                let a = Self.record("a-2", summary: "Node A's words.", system: "node-a", related: ["b-2", "other"])
                let b = Self.record("b-2", summary: "Node B's other words.", system: "node-b", related: ["a-2"])
                let files = [try directory.write("a.jsonl", a), try directory.write("b.jsonl", b)]
                let report = try house.ingest(reversed ? files.reversed() : files)
                #expect(report.aliased == 1)
                let alias = try #require(try house.resolve(id: reversed ? "a-2" : "b-2")?.alias)
                #expect(alias.reason == .related)
                #expect(alias.primary == (reversed ? "b-2" : "a-2"))
                #expect(try Self.ids(house, "mangrove").count == 1)
            }
        }
    }

    @Test func relatedIsNotSameUnlessBothWaysWithATitleAcrossSources() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let report = try house.ingest([
                try directory.write(
                    "records.jsonl",
                    [
                        // One way only.
                        Self.record("one-a", summary: "First.", system: "a", related: ["one-b"]),
                        Self.record("one-b", summary: "Second.", system: "b"),
                        // Both ways, other titles.
                        Self.record("two-a", title: "Mangrove nurseries", summary: "Third.", system: "a", related: ["two-b"]),
                        Self.record("two-b", title: "Mangrove planting", summary: "Fourth.", system: "b", related: ["two-a"]),
                        // Both ways, same title, one source: the publisher's two records.
                        Self.record("three-a", title: "Beehive fences", summary: "Fifth.", system: "a", related: ["three-b"]),
                        Self.record("three-b", title: "Beehive fences", summary: "Sixth.", system: "a", related: ["three-a"]),
                    ].joined(separator: "\n"))
            ])
            #expect(report.added == 6)
            #expect(report.aliased == 0)
        }
    }

    // MARK: Changes to copies

    @Test func reingestingIsIdempotent() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let files = [
                try directory.write("a.jsonl", Self.record("a-1", system: "node-a")),
                try directory.write("b.jsonl", Self.record("b-1", system: "node-b")),
            ]
            let first = try house.ingest(files)
            #expect((first.added, first.aliased) == (1, 1))
            let changes = try house.statistics().lastChange
            let again = try house.ingest(files)
            #expect((again.added, again.updated, again.aliased, again.unchanged) == (0, 0, 0, 2))
            #expect(try house.statistics().lastChange == changes)
            #expect(try house.resolve(id: "b-1")?.alias?.primary == "a-1")
        }
    }

    @Test func anAliasWhoseCopyChangesIsReleasedAndALiveRecordThatBecomesACopyIsWithdrawn() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([
                try directory.write("a.jsonl", Self.record("a-1", system: "node-a")),
                try directory.write("b.jsonl", Self.record("b-1", system: "node-b", updated: "2024-01-01T00:00:00Z")),
            ])
            let since = try #require(try house.resolve(id: "b-1")?.alias?.since)
            // Only `updated` changed: still the same content, still an alias, since unchanged.
            let touched = try house.ingest([
                try directory.write("b.jsonl", Self.record("b-1", system: "node-b", updated: "2024-02-01T00:00:00Z"))
            ])
            #expect((touched.aliased, touched.updated) == (1, 0))
            #expect(try house.resolve(id: "b-1")?.alias?.since == since)
            // An older copy is skipped, as for a record.
            let older = try house.ingest([
                try directory.write("b.jsonl", Self.record("b-1", system: "node-b", updated: "2023-01-01T00:00:00Z"))
            ])
            #expect(older.skipped == 1)
            // Different content: the copy is a record of its own again, and searchable.
            let released = try house.ingest([
                try directory.write("b.jsonl", Self.record("b-1", summary: "Now about seagrass.", system: "node-b"))
            ])
            #expect(released.updated == 1)
            #expect(released.diagnostics.contains { $0.message.contains("no longer an alias of a-1") })
            #expect(try house.resolve(id: "b-1")?.alias == nil)
            #expect(try Self.ids(house, "seagrass") == ["b-1"])
            // And back: a live record changed into a copy of another leaves the index and OAI-PMH.
            let copied = try house.ingest([try directory.write("b.jsonl", Self.record("b-1", system: "node-b"))])
            #expect(copied.aliased == 1)
            #expect(try Self.ids(house, "seagrass").isEmpty)
            #expect(try Self.ids(house, "mangrove") == ["a-1"])
            #expect(try Self.oai(house, "verb=GetRecord&identifier=b-1&metadataPrefix=oai_dc").contains(#"status="deleted""#))
            #expect(try house.check().isHealthy)
        }
    }

    @Test func aRecordThatBecomesACopyHandsItsAliasesToItsPrimary() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([
                try directory.write("p.jsonl", Self.record("p", summary: "Seagrass meadows.", system: "s1")),
                try directory.write("q.jsonl", Self.record("q", system: "s2")),
                try directory.write("r.jsonl", Self.record("r", system: "s3")),
            ])
            #expect(try house.resolve(id: "r")?.alias?.primary == "q")
            // q changes into a copy of p (from another source): q leaves the index.
            try house.ingest([try directory.write("q.jsonl", Self.record("q", summary: "Seagrass meadows.", system: "s2"))])
            #expect(try house.resolve(id: "q")?.alias?.primary == "p")
            // r kept its content: it resolves to p now (aliases always point at a record), and
            // its reason still says why it was linked.
            #expect(try house.resolve(id: "r")?.alias?.primary == "p")
            #expect(try house.aliases(of: "p").map(\.id) == ["q", "r"])
            #expect(try house.check().isHealthy)
        }
    }

    // MARK: Deletion, reindex, migration

    @Test func deletingAPrimaryPromotesItsOldestAliasAndDeletingAnAliasRemovesOnlyIt() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("a.jsonl", Self.record("a", system: "s1"))])
            try house.ingest([try directory.write("b.jsonl", Self.record("b", system: "s2"))])
            try house.ingest([try directory.write("c.jsonl", Self.record("c", system: "s3"))])
            #expect(try house.aliases(of: "a").map(\.id) == ["b", "c"])

            // An alias: only that copy goes; the change log and the index do not change.
            let changes = try house.statistics().lastChange
            let aliasDeleted = try house.delete(ids: ["c"])
            #expect(aliasDeleted.deleted == ["c"])
            #expect(aliasDeleted.promoted.isEmpty)
            #expect(try house.resolve(id: "c") == nil)
            #expect(try house.statistics().lastChange == changes)
            #expect(try Self.ids(house, "mangrove") == ["a"])
            #expect(try JSONValue(encoding: aliasDeleted).description == #"{"deleted":["c"],"missing":[]}"#)

            // The primary: its oldest alias takes its place, in the index and in OAI-PMH.
            try house.ingest([try directory.write("c.jsonl", Self.record("c", system: "s3"))])
            let deleted = try house.delete(ids: ["a"])
            #expect(deleted.promoted == ["a": "b"])
            #expect(try JSONValue(encoding: deleted).description == #"{"deleted":["a"],"missing":[],"promoted":{"a":"b"}}"#)
            #expect(try house.resolve(id: "b")?.alias == nil)
            #expect(try house.resolve(id: "c")?.alias?.primary == "b")
            #expect(try house.resolve(id: "a") == nil)
            #expect(try Self.ids(house, "mangrove") == ["b"])
            #expect(try Self.oai(house, "verb=GetRecord&identifier=a&metadataPrefix=oai_dc").contains(#"status="deleted""#))
            #expect(try Self.oai(house, "verb=GetRecord&identifier=b&metadataPrefix=oai_dc").contains("<dc:title"))
            #expect(try house.check().isHealthy)

            // An OAI-PMH deletion in a file does the same.
            let report = try house.ingest([
                try directory.write("deleted.xml", oaiResponse("<ListRecords>\n\(oaiDeletion("b"))\n</ListRecords>"))
            ])
            #expect(report.deleted == 1)
            #expect(report.diagnostics.contains { $0.message.contains("its alias c is now the record") })
            #expect(try Self.ids(house, "mangrove") == ["c"])
            #expect(try house.check().isHealthy)
        }
    }

    @Test func reindexAndOptimizeKeepOneCopy() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([
                try directory.write("a.jsonl", Self.record("a", system: "s1") + "\n" + Self.record("f", title: "Fog nets", summary: "Water from fog.", system: "s1")),
                try directory.write("b.jsonl", Self.record("b", system: "s2")),
            ])
            try house.reindex()
            #expect(try Self.ids(house, "mangrove") == ["a"])
            try house.optimize()
            #expect(try Self.ids(house, "mangrove") == ["a"])
            let check = try house.check()
            #expect(check.isHealthy)
            #expect((check.records, check.documents, check.aliases) == (2, 2, 1))
        }
    }

    @Test func theMigrationFromAVersion5CatalogFillsTheContentHashes() throws {
        let migrations = Catalog.migrator.migrations
        let v5 = try #require(migrations.firstIndex(of: "v5: OAI-PMH items, sets and tombstones"))
        #expect(migrations.firstIndex(of: "v6: content hashes and aliases") == v5 + 1)
        try withTemporaryDirectory { directory in
            // A catalog as chm wrote it before aliases: two records of the same content from two
            // sources (both live), and another.
            let index = directory.url.appendingPathComponent("index")
            try FileManager.default.createDirectory(at: index, withIntermediateDirectories: true)
            do {
                let queue = try DatabaseQueue(path: index.appendingPathComponent(Catalog.fileName).path)
                try Catalog.migrator.migrate(queue, upTo: "v5: OAI-PMH items, sets and tombstones")
                try queue.write { db in
                    for text in [
                        Self.record("old-a", system: "s1"), Self.record("old-b", system: "s2"),
                        Self.record("old-c", title: "Fog nets", summary: "Water from fog."),
                    ] {
                        let record = try #require(try parseRecord(text))
                        let (json, hash) = StoredForm(record).form
                        try db.execute(
                            sql: """
                                INSERT INTO records (id, kind, json, hash, languages, source_file, created_at, modified_at)
                                VALUES (?, ?, ?, ?, 'en', 'old.jsonl', '2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')
                                """, arguments: [record.id, record.kind.rawValue, json, hash])
                        try db.execute(
                            sql: "INSERT INTO changes (record_id, operation, at) VALUES (?, 'upsert', '2020-01-01T00:00:00Z')",
                            arguments: [record.id])
                    }
                }
                try queue.close()
            }
            let house = try ClearingHouse(directory: index, create: false)
            try house.synchronizeIndex()
            let check = try house.check()
            #expect(check.isHealthy, "\(check.problems)")
            #expect(check.notes.contains { $0.contains("1 set of records has the same content") })
            // The migration links nothing by itself: both stay records, and duplicates lists them.
            #expect(Set(try Self.ids(house, "mangrove")) == ["old-a", "old-b"])
            #expect(try house.duplicates().groups.map { $0.pairs.map(\.reasons) } == [[[.sameContent]]])
            // Their content hashes are there: a third copy is linked to one of them.
            let report = try house.ingest([try directory.write("new.jsonl", Self.record("new-d", system: "s3"))])
            #expect(report.aliased == 1)
            #expect(try house.resolve(id: "new-d")?.alias?.primary == "old-a")
            // And the maintainer makes the old pair one.
            try house.merge(primary: "old-a", duplicates: ["old-b"])
            #expect(try Self.ids(house, "mangrove") == ["old-a"])
            #expect(try house.check().notes.allSatisfy { !$0.contains("same content") })
        }
    }

    @Test func theLookupAtIngestIsSearchesByKeyWhateverTheData() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            // Many identical records from one source (a test collection replicated, say): none is
            // linked, and each lookup is a few seeks, not a walk through the copies.
            let copies = (0..<3000).map { Self.record("copy-\($0)", system: "one-source", originalID: "shared") }
            let started = Date()
            let report = try house.ingest([try directory.write("copies.jsonl", copies.joined(separator: "\n"))])
            #expect(Date().timeIntervalSince(started) < 60)
            #expect(report.added == 1)
            #expect(report.aliased == 2999)  // the same original from the same source: one record
            let plain = (0..<3000).map { Self.record("plain-\($0)", title: "Fog nets", summary: "Water from fog.") }
            let second = try house.ingest([try directory.write("plain.jsonl", plain.joined(separator: "\n"))])
            #expect((second.added, second.aliased) == (3000, 0))

            let queue = try DatabaseQueue(path: directory.url.appendingPathComponent("index/\(Catalog.fileName)").path)
            for (sql, parameters) in [(Catalog.lookUpSQL, 5), (Catalog.extendedLookUpSQL, 8)] {
                let plan = try queue.read { db in
                    try Row.fetchAll(
                        db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: StatementArguments(Array(repeating: "x", count: parameters))
                    ).map { $0["detail"] as String }
                }
                #expect(!plan.isEmpty)
                for step in plan {
                    #expect(!step.hasPrefix("SCAN records") && !step.hasPrefix("SCAN r ") && !step.contains("records_kind"), "\(step)")
                }
                #expect(plan.contains { $0.contains("records_content") })
                #expect(plan.contains { $0.contains("records_origin") })
            }
        }
    }

    // MARK: Merging by hand

    @Test func mergeMakesDuplicatesAliasesInOneTransaction() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([
                try directory.write(
                    "records.jsonl",
                    [
                        Self.record("keep", summary: "Mangrove nurseries on the Kenyan coast."),
                        Self.record("dup", summary: "Nurseries of mangroves, Kenyan coast."),
                        Self.record("other", title: "Fog nets", summary: "Water from fog."),
                    ].joined(separator: "\n"))
            ])
            try house.ingest([try directory.write("copy.jsonl", Self.record("dup-copy", summary: "Nurseries of mangroves, Kenyan coast.", system: "s"))])
            #expect(try house.resolve(id: "dup-copy")?.alias?.primary == "dup")
            #expect(Set(try Self.ids(house, "mangrove")) == ["keep", "dup"])

            let report = try house.merge(primary: "keep", duplicates: ["dup", "dup"])
            #expect(report.merged == ["dup"])
            #expect(report.alreadyMerged == [])
            #expect(report.aliases.map(\.id) == ["dup", "dup-copy"])
            #expect(report.aliases.first?.reason == .merge)
            #expect(try Self.ids(house, "mangrove") == ["keep"])
            #expect(try house.resolve(id: "dup")?.id == "keep")
            #expect(try house.resolve(id: "dup-copy")?.id == "keep")
            #expect(try Self.oai(house, "verb=GetRecord&identifier=dup&metadataPrefix=oai_dc").contains(#"status="deleted""#))
            #expect(try house.check().isHealthy)
            guard case .object(let members) = try JSONValue(encoding: report) else { throw AliasTestFailure() }
            #expect(members.map(\.0) == ["primary", "merged", "alreadyMerged", "aliases"])

            // Again: nothing to do.
            #expect(try house.merge(primary: "keep", duplicates: ["dup"]).alreadyMerged == ["dup"])
            // A merge holds whatever the copy says later.
            let changed = try house.ingest([try directory.write("dup.jsonl", Self.record("dup", summary: "Rewritten completely."))])
            #expect(changed.aliased == 1)
            #expect(try house.resolve(id: "dup")?.alias?.reason == .merge)
            #expect(try Self.ids(house, "rewritten").isEmpty)

            // Errors name the id, and nothing is merged.
            func failure(_ primary: String, _ duplicates: [String]) -> ClearingHouseError? {
                do {
                    try house.merge(primary: primary, duplicates: duplicates)
                    return nil
                } catch let error as ClearingHouseError {
                    return error
                } catch {
                    return nil
                }
            }
            let unknown = try #require(failure("keep", ["other", "nope"]))
            #expect(unknown.code == .notFound)
            #expect(unknown.message == "no record with id nope")
            #expect(try house.resolve(id: "other")?.alias == nil)
            #expect(try #require(failure("nope", ["other"])).code == .notFound)
            let itself = try #require(failure("keep", ["keep"]))
            #expect((itself.code, itself.parameter) == (.invalidQuery, "duplicates"))
            #expect(itself.message.contains("itself"))
            let intoAlias = try #require(failure("dup", ["other"]))
            #expect((intoAlias.code, intoAlias.parameter) == (.conflict, "primary"))
            #expect(intoAlias.message.contains("dup is an alias of keep"))
            let aliasOfAnother = try #require(failure("other", ["dup"]))
            #expect((aliasOfAnother.code, aliasOfAnother.parameter) == (.conflict, "duplicates"))
            #expect(try #require(failure("keep", [])).parameter == "duplicates")
            // An empty id is a bad parameter, not an unknown record (hostile-client QA: a 404).
            #expect(try #require(failure("keep", ["other", ""])).parameter == "duplicates")
            #expect(try #require(failure("", ["other"])).parameter == "primary")
            #expect(try house.resolve(id: "other")?.alias == nil)
        }
    }

    // MARK: Probable duplicates

    @Test func duplicatesFindsTheSameTitleAndCountryAndSimilarTextButNotLinkedOrUnrelatedRecords() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let long = "Village groups collect mangrove propagules, raise seedlings in shaded nurseries for six months and plant them on eroded mud flats, where survival is checked every quarter by trained volunteers"
            try house.ingest([
                try directory.write(
                    "records.jsonl",
                    [
                        // The same title in one language and the same country, different text.
                        Self.record("t-1", title: "Beehive fences", summary: "Bees keep elephants away.", countries: ["TZ"]),
                        Self.record("t-2", title: "Beehive Fences!", summary: "Farmers hang hives on wires.", countries: ["TZ", "KE"]),
                        // The same title, another country: not listed.
                        Self.record("t-3", title: "Beehive fences", summary: "Another project entirely.", countries: ["IN"]),
                        // Nearly the same text, other titles.
                        Self.record("s-1", title: "Mangrove nurseries in Lamu", summary: long + "."),
                        Self.record("s-2", title: "Lamu mangrove nurseries", summary: long + ", and reported to the county."),
                        // Both: the same title and country, and nearly the same text.
                        Self.record("b-1", title: "Seed banks for drylands", summary: long.replacingOccurrences(of: "mangrove", with: "acacia") + "."),
                        Self.record("b-2", title: "Seed banks for drylands", summary: long.replacingOccurrences(of: "mangrove", with: "acacia") + ", in Kenya."),
                        // Unrelated.
                        Self.record("u-1", title: "Fog nets", summary: "Harvesting drinking water from fog in dry mountains of Peru.", countries: ["PE"]),
                    ].joined(separator: "\n"))
            ])
            // An identical copy from another source is an alias: never listed.
            try house.ingest([try directory.write("copy.jsonl", Self.record("u-copy", title: "Fog nets", summary: "Harvesting drinking water from fog in dry mountains of Peru.", countries: ["PE"], system: "s"))])

            let report = try house.duplicates()
            #expect(report.scanned == 8)
            #expect(report.groups.count == 3)
            let byReason = Dictionary(uniqueKeysWithValues: report.groups.map { ($0.reasons, $0) })
            let title = try #require(byReason[[.sameTitle]])
            #expect(title.records.map(\.id) == ["t-1", "t-2"])
            #expect(title.primary == "t-1")
            #expect(title.pairs.map(\.ids) == [["t-1", "t-2"]])
            #expect(title.pairs.map(\.reasons) == [[.sameTitle]])
            let both = try #require(byReason[[.sameTitle, .similarText]])
            #expect(both.records.map(\.id) == ["b-1", "b-2"])
            #expect(both.pairs.map(\.reasons) == [[.sameTitle, .similarText]])
            let similar = try #require(byReason[[.similarText]])
            #expect(Set(similar.records.map(\.id)) == ["s-1", "s-2"])
            #expect(similar.score >= DuplicatesRequest.defaultThreshold && similar.score < 1)
            #expect(report.groups.first?.score == max(similar.score, both.score))

            // The document's keys.
            guard case .object(let members) = try JSONValue(encoding: report) else { throw AliasTestFailure() }
            #expect(members.map(\.0) == ["scanned", "threshold", "groups"])
            guard case .array(let groups) = members[2].1, case .object(let group) = groups[0] else { throw AliasTestFailure() }
            #expect(group.map(\.0) == ["score", "reasons", "primary", "records", "pairs"])

            // A threshold above the pair's similarity leaves the similar texts out.
            #expect(try house.duplicates(DuplicatesRequest(threshold: 0.99)).groups.map(\.reasons) == [[.sameTitle], [.sameTitle]])
            #expect(try house.duplicates(DuplicatesRequest(limit: 1)).groups.count == 1)
            #expect(throws: ClearingHouseError.self) { try house.duplicates(DuplicatesRequest(threshold: 0.1)) }
            #expect(throws: ClearingHouseError.self) { try house.duplicates(DuplicatesRequest(limit: -1)) }

            // Merged, they are no longer listed.
            try house.merge(primary: "t-1", duplicates: ["t-2"])
            try house.merge(primary: "b-1", duplicates: ["b-2"])
            #expect(try house.duplicates().groups.map(\.reasons) == [[.similarText]])
        }
    }

    @Test func duplicatesScalesWithRecordsNotPairs() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            // 3,000 distinct records on a few subjects (each pair shares many words) and one
            // planted near copy: found, and nothing else.
            let words = ["mangrove", "coral", "seagrass", "forest", "wetland", "savanna", "river", "dune", "reef", "peat"]
            func summary(_ index: Int) -> String {
                let (a, b, c) = (words[index % 10], words[(index / 10) % 10], words[(index / 100) % 10])
                return "Project \(index) restores \(a) and \(b) habitats near \(c) sites with community groups, year \(1990 + index % 30), plot \(index * 7)."
            }
            var lines: [String] = []
            for index in 0..<3000 {
                lines.append(Self.record("r-\(index)", title: "Restoration project \(index)", summary: summary(index), countries: []))
            }
            lines.append(Self.record("r-copy", title: "Restoration project 1234 (copy)", summary: summary(1234), countries: []))
            try house.ingest([try directory.write("many.jsonl", lines.joined(separator: "\n"))])
            let started = Date()
            let report = try house.duplicates()
            #expect(Date().timeIntervalSince(started) < 60)
            #expect(report.scanned == 3001)
            #expect(report.groups.map { Set($0.records.map(\.id)) } == [["r-1234", "r-copy"]])
        }
    }
}

/// Parses one record from JSON text, as a reader would.
private func parseRecord(_ text: String) throws -> Records.Record? {
    try validateRecord(text).record
}

private struct AliasTestFailure: Error {}
