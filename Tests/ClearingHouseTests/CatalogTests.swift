// The catalog through the public ClearingHouse API: atomic files, replacement rules,
// deletion, statistics and export.
import Foundation
import GRDB
import Synchronization
import Testing

@testable import ClearingHouse
import SearchCore

@Suite struct CatalogTests {
    @Test func ingestStoresRecordsAndReadsThemBack() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let path = try directory.write(
                "two.jsonl",
                "\(recordJSON("b", title: "Bee"))\n\(recordJSON("a", kind: "caseStudy", title: "Ay", #""countries": ["ke"]"#))\n"
            )
            let report = try house.ingest([path])
            #expect(report.added == 2 && report.updated == 0 && report.rejected == 0)
            #expect(report.succeeded)
            #expect(report.files.map(\.status) == [.committed])
            #expect(report.records == 2)
            let record = try #require(try house.record(id: "a"))
            #expect(record.kind == .caseStudy)
            #expect(record.countries == ["KE"])
            #expect(
                try house.canonicalJSON(id: "a")
                    == #"{"id":"a","kind":"caseStudy","title":{"en":"Ay"},"countries":["KE"]}"#
            )
            #expect(try house.record(id: "missing") == nil)
            // Export is sorted by id.
            #expect(
                try exported(house).split(separator: "\n").map { $0.prefix(12) } == [
                    #"{"id":"a","k"#, #"{"id":"b","k"#,
                ]
            )
        }
    }

    @Test func fileWithOneBadRecordStoresNothingAndLeavesTheCatalogUnchanged() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let good = try directory.write(
                "good.jsonl",
                "\(recordJSON("a", title: "A"))\n\(recordJSON("b", title: "B"))\n"
            )
            try house.ingest([good])
            let before = try exported(house)
            let changeBefore = try house.statistics().lastChange

            let mixed = try directory.write(
                "mixed.json",
                """
                [
                  \(recordJSON("c", title: "C")),
                  {"id": "d", "kind": "technology", "title": "D", "countries": ["XX"]},
                  \(recordJSON("a", title: "A replaced"))
                ]
                """
            )
            var seen: [Diagnostic] = []
            let report = try house.ingest([mixed], diagnostics: { seen.append($0) })
            #expect(!report.succeeded)
            #expect(report.added == 0 && report.updated == 0)
            #expect(report.rejected == 3)
            #expect(report.files.map(\.status) == [.rolledBack])
            #expect(report.files.first?.valid == 2 && report.files.first?.invalid == 1)
            let recordError = try #require(seen.first { $0.recordID == "d" })
            #expect(
                recordError.description
                    == "\(mixed):3:65: error: record d: field countries[0]: \"XX\" is not an ISO 3166-1 alpha-2 country code"
            )
            #expect(seen.last?.message.contains("nothing from this file was stored") == true)

            #expect(try exported(house) == before)
            #expect(try house.record(id: "c") == nil)
            #expect(try house.record(id: "a")?.title.values == ["en": "A"])
            #expect(try house.statistics().lastChange == changeBefore)
        }
    }

    @Test func syntaxErrorAfterGoodRecordsStoresNothing() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let path = try directory.write("cut.json", "[\(recordJSON("a")),\n\(recordJSON("b")),\n{\"id\":")
            let report = try house.ingest([path])
            #expect(!report.succeeded)
            #expect(report.files.map(\.status) == [.rolledBack])
            #expect(try house.statistics().records == 0)
            #expect(try house.statistics().lastChange == 0)
        }
    }

    @Test func eachFileIsItsOwnTransaction() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try directory.write("in/1-good.jsonl", "\(recordJSON("a"))\n")
            try directory.write("in/2-bad.jsonl", "\(recordJSON("b"))\n{\"id\": \"c\"}\n")
            let report = try house.ingest([directory.path("in")])
            #expect(report.files.map(\.status) == [.committed, .rolledBack])
            #expect(report.added == 1)
            #expect(try house.record(id: "a") != nil)
            #expect(try house.record(id: "b") == nil)
        }
    }

    /// The index follows the catalog during an ingest; a file that rolls back after some of
    /// its records reached the index takes them out again, and the files around it stay.
    @Test func theIndexHoldsExactlyWhatTheCatalogCommitted() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("first.json", recordJSON("old", title: "Seagrass meadows"))])
            try directory.write("in/1-good.jsonl", "\(recordJSON("a", title: "Coral gardening"))\n")
            let fed = (0..<5000).map { recordJSON("bad-\($0)", title: "Coral nursery \($0)") }.joined(separator: "\n")
            try directory.write("in/2-bad.jsonl", fed + "\n{\"id\": \"c\"}\n")
            try directory.write("in/3-good.jsonl", "\(recordJSON("d", title: "Coral reef survey"))\n")
            try directory.write(
                "in/4-deletion.xml", oaiResponse("<ListRecords>\(oaiDeletion("old"))</ListRecords>"))
            let report = try house.ingest([directory.path("in")])
            #expect(report.files.map(\.status) == [.committed, .rolledBack, .committed, .committed])
            #expect(report.deleted == 1)
            let hits = try house.search(SearchRequest(query: "coral seagrass", limit: 100))
            #expect(Set(hits.hits.map(\.id)) == ["a", "d"])
            #expect(!hits.stale)
            #expect(try house.indexSummary().documents == 2)
            #expect(try house.check().isHealthy)
        }
    }

    /// An ingest that changes nothing (every record unchanged) makes no index commit, so
    /// that open searchers keep theirs.
    @Test func anIngestThatChangesNothingMakesNoIndexCommit() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let file = try directory.write("r.json", recordJSON("a", title: "Coral gardening"))
            try house.ingest([file])
            let segments = house.directory.appendingPathComponent("segments")
            let generation = IndexSearcher.newestGeneration(directory: segments)
            let again = try house.ingest([file])
            #expect(again.unchanged == 1)
            #expect(IndexSearcher.newestGeneration(directory: segments) == generation)
            #expect(try house.check().isHealthy)
        }
    }

    @Test func skipInvalidStoresTheValidRecords() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("first.jsonl", "\(recordJSON("a", title: "A"))\n")])
            let mixed = try directory.write(
                "mixed.jsonl",
                """
                \(recordJSON("c", title: "C"))
                {"id": "d", "kind": "gadget", "title": "D"}
                {"id": "e", "kind": "technology", "title": "E"
                \(recordJSON("a", title: "A replaced"))

                """
            )
            let report = try house.ingest([mixed], options: IngestOptions(skipInvalid: true))
            #expect(report.added == 1)
            #expect(report.updated == 1)
            #expect(report.rejected == 2)
            #expect(report.files.map(\.status) == [.committed])
            #expect(!report.succeeded)
            #expect(try house.record(id: "c") != nil)
            #expect(try house.record(id: "d") == nil)
            #expect(try house.record(id: "e") == nil)
            #expect(try house.record(id: "a")?.title.values == ["en": "A replaced"])
        }
    }

    @Test func reingestingTheSameFileChangesNothing() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let path = try directory.write(
                "r.json",
                "[\(recordJSON("a")), \(recordJSON("b", #""extensions": {"n": 1.50}"#)), \(recordJSON("c"))]"
            )
            let first = try house.ingest([path])
            #expect(first.added == 3)
            let exportBefore = try exported(house)
            let statisticsBefore = try house.statistics()
            #expect(statisticsBefore.lastChange == 3)

            let second = try house.ingest([path])
            #expect(second.unchanged == 3)
            #expect(second.added == 0 && second.updated == 0 && second.skipped == 0)
            #expect(second.succeeded)
            let statisticsAfter = try house.statistics()
            #expect(statisticsAfter.lastChange == statisticsBefore.lastChange)
            #expect(statisticsAfter.ingestRuns == 2)
            #expect(try exported(house) == exportBefore)
        }
    }

    @Test func sameContentInAnotherFormIsUnchanged() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([
                try directory.write(
                    "a.json",
                    #"{"id": "a", "kind": "technology", "language": "en", "title": "T", "countries": ["ke"]}"#
                )
            ])
            let xml =
                #"<record xmlns="urn:chm:records:1" id="a" kind="technology" xml:lang="en"><title>T</title><country>KE</country></record>"#
            let report = try house.ingest([try directory.write("a.xml", xml)])
            #expect(report.unchanged == 1)
            #expect(report.updated == 0)
        }
    }

    @Test func replacingARecordWithNewContentCountsAsUpdated() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("v1.json", recordJSON("a", title: "First"))])
            let changeBefore = try house.statistics().lastChange
            let report = try house.ingest([
                try directory.write("v2.json", recordJSON("a", kind: "training", title: "Second"))
            ])
            #expect(report.updated == 1)
            #expect(report.added == 0 && report.unchanged == 0)
            let record = try #require(try house.record(id: "a"))
            #expect(record.title.values == ["en": "Second"])
            #expect(record.kind == .training)
            let statistics = try house.statistics()
            #expect(statistics.lastChange == changeBefore + 1)
            #expect(statistics.records == 1)
            #expect(statistics.kinds["training"] == 1 && statistics.kinds["technology"] == 0)
        }
    }

    @Test(arguments: ["2024-04-01T00:00:00Z", "2024-05-01T01:00:00+02:00", "2024-04-30T23:59:59.5Z"])
    func olderUpdatedIsSkippedWithANotice(incoming: String) throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([
                try directory.write("new.json", recordJSON("a", title: "Newer", #""updated": "2024-05-01T00:00:00Z""#))
            ])
            let older = try directory.write(
                "old.json",
                "\n" + recordJSON("a", title: "Older", #""updated": "\#(incoming)""#)
            )
            var seen: [Diagnostic] = []
            let report = try house.ingest([older], diagnostics: { seen.append($0) })
            #expect(report.skipped == 1)
            #expect(report.updated == 0)
            #expect(report.succeeded)
            let notice = try #require(seen.first { $0.severity == .notice })
            #expect(notice.recordID == "a")
            #expect(notice.field == "updated")
            #expect(notice.line == 2)
            #expect(notice.message.contains("2024-05-01T00:00:00Z"))
            #expect(try house.record(id: "a")?.title.values == ["en": "Newer"])
            #expect(try house.record(id: "a")?.updated == "2024-05-01T00:00:00Z")
        }
    }

    /// Maintainer QA: a file that gave one id twice passed silently (the later copy won, and
    /// every ingest of the file wrote both in turn). It is a warning naming both lines.
    @Test func aRecordGivenTwiceInOneFileIsAWarning() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let file = try directory.write(
                "twice.jsonl",
                [recordJSON("a", title: "First copy"), recordJSON("b", title: "Other"), recordJSON("a", title: "Second copy")]
                    .joined(separator: "\n"))
            var seen: [Diagnostic] = []
            let report = try house.ingest([file], diagnostics: { seen.append($0) })
            #expect(report.succeeded)
            let warning = try #require(seen.first { $0.severity == .warning })
            #expect(warning.recordID == "a")
            #expect(warning.line == 3)
            #expect(warning.message.contains("first at line 1"))
            #expect(seen.filter { $0.severity == .warning }.count == 1)
            #expect(try house.record(id: "a")?.title.values == ["en": "Second copy"])
        }
    }

    @Test(arguments: ["2024-05-01T00:00:01Z", "2024-05-01T03:00:00+02:00"])
    func newerUpdatedReplacesTheRecord(incoming: String) throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([
                try directory.write("old.json", recordJSON("a", title: "Old", #""updated": "2024-05-01T00:00:00Z""#))
            ])
            let report = try house.ingest([
                try directory.write("new.json", recordJSON("a", title: "New", #""updated": "\#(incoming)""#))
            ])
            #expect(report.updated == 1 && report.skipped == 0)
            #expect(try house.record(id: "a")?.title.values == ["en": "New"])
        }
    }

    @Test func aStoredDateInTheFutureKeepsNoLaterCopyOut() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            var seen: [Diagnostic] = []
            try house.ingest(
                [try directory.write("typo.json", recordJSON("a", title: "Typo", #""updated": "2204-05-01T00:00:00Z""#))],
                diagnostics: { seen.append($0) })
            let warning = try #require(seen.first { $0.severity == .warning })
            #expect(warning.field == "updated" && warning.recordID == "a")
            #expect(warning.message.contains("2204-05-01T00:00:00Z is more than a day in the future"))
            // The corrected copy, dated today, replaces it: the typo is no evidence of a newer copy.
            let report = try house.ingest([
                try directory.write("fixed.json", recordJSON("a", title: "Fixed", #""updated": "2024-05-01T00:00:00Z""#))
            ])
            #expect(report.updated == 1 && report.skipped == 0)
            #expect(try house.record(id: "a")?.title.values == ["en": "Fixed"])
            // A date within the day ahead (a clock a little fast) is not warned about.
            seen = []
            let soon = RecordDate.rfc3339(secondsSinceEpoch: RecordDate.now() + 3_600)
            try house.ingest(
                [try directory.write("soon.json", recordJSON("b", title: "Soon", #""updated": "\#(soon)""#))],
                diagnostics: { seen.append($0) })
            #expect(seen.isEmpty)
            // ... and still keeps an older copy out (review: any date ahead lost that).
            let older = try house.ingest([
                try directory.write("older.json", recordJSON("b", title: "Older", #""updated": "2024-05-01T00:00:00Z""#))
            ])
            #expect(older.skipped == 1 && older.updated == 0)
        }
    }

    @Test func deleteReportsMissingIDs() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.jsonl", "\(recordJSON("a"))\n\(recordJSON("b"))\n")])
            let changeBefore = try house.statistics().lastChange
            let report = try house.delete(ids: ["a", "zz", "b", "a"])
            #expect(report.deleted == ["a", "b"])
            #expect(report.missing == ["zz", "a"])
            #expect(try house.record(id: "a") == nil)
            #expect(try house.statistics().records == 0)
            #expect(try house.statistics().lastChange == changeBefore + 2)
            #expect(try exported(house).isEmpty)
        }
    }

    @Test func statisticsCountKindsAndLanguages() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let empty = try house.statistics()
            #expect(empty.records == 0 && empty.lastChange == 0 && empty.ingestRuns == 0)
            #expect(empty.kinds.count == RecordKind.allCases.count && empty.kinds.values.allSatisfy { $0 == 0 })

            let text = """
                {"id": "t1", "kind": "technology", "title": {"en": "T", "fr": "T"}}
                {"id": "t2", "kind": "technology", "title": "T", "language": "en", "summary": {"zh": "摘要"}}
                {"id": "c1", "kind": "caseStudy", "title": {"zh": "案例"}}
                {"id": "f1", "kind": "funding", "title": "F"}

                """
            try house.ingest([try directory.write("r.jsonl", text)])
            let statistics = try house.statistics()
            #expect(statistics.records == 4)
            #expect(statistics.kinds["technology"] == 2)
            #expect(statistics.kinds["caseStudy"] == 1)
            #expect(statistics.kinds["funding"] == 1)
            #expect(statistics.kinds["training"] == 0)
            #expect(statistics.kinds.values.reduce(0, +) == 4)
            #expect(statistics.languages == ["en": 2, "fr": 1, "zh": 2, "und": 1])
            #expect(statistics.lastChange == 4)
            #expect(statistics.ingestRuns == 1)
            #expect(statistics.lastIngest != nil)
            #expect(statistics.catalogBytes > 0)
        }
    }

    @Test func jsonLinesExportRoundTripsByteForByte() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house("first")
            let records = """
                [
                  {"id": "z-last", "kind": "assistanceRequest", "language": "es", "title": "Ayuda con \\"viveros\\"\\n",
                   "countries": ["mx", "gt"], "assistanceTypes": ["training"], "extensions": {"b": {"y": 1.50, "x": [1e3, null]}, "a": true}},
                  {"id": "a:first", "kind": "technology", "title": {"zh": "红树林", "en": "Mangroves 🌿", "ar": "أشجار المانغروف"},
                   "summary": {"fr": "Résumé"}, "keywords": ["k"], "organizations": [{"name": "Org", "country": "ke", "url": "https://example.org", "role": "provider"}],
                   "links": [{"url": "https://example.org/a", "language": "en", "title": "A"}], "published": "2019-11",
                   "updated": "2020-01-15T09:00:00+03:00", "license": "CC-BY-4.0",
                   "source": {"originalId": "17", "system": "s"}, "related": ["z-last"], "colour": "red"}
                ]
                """
            try house.ingest([try directory.write("in.json", records)])
            let first = try exported(house)
            #expect(first.split(separator: "\n").count == 2)
            #expect(first.hasPrefix(#"{"id":"a:first","kind":"technology","title":{"ar":"#))
            #expect(first.contains(#""extensions":{"a":true,"b":{"x":[1e3,null],"y":1.50}}"#))
            #expect(first.contains(#""extensions":{"colour":"red"}"#))

            let exportPath = try directory.write("export.jsonl", first)
            let second = try directory.house("second")
            let report = try second.ingest([exportPath])
            #expect(report.added == 2 && report.succeeded && report.warnings == 0)
            #expect(try exported(second) == first)

            // And back into the first catalog: nothing changes.
            let again = try house.ingest([exportPath])
            #expect(again.unchanged == 2)
        }
    }

    @Test func csvHasAHeaderAndQuotesTitlesWithCommasAndQuotes() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let text = """
                {"id": "b", "kind": "technology", "title": {"fr": "Semences", "en": "Seeds, \\"the\\" best"}, "countries": ["ke", "tz"], "keywords": ["a", "b"], "published": "2019", "license": "CC0-1.0"}
                {"id": "a", "kind": "caseStudy", "title": {"zh": "案例", "fr": "Cas"}}

                """
            try house.ingest([try directory.write("r.jsonl", text)])
            let csv = try exported(house, .csv)
            let lines = csv.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 4)
            #expect(
                lines[0]
                    == "id,kind,title,languages,countries,regions,themes,targets,keywords,published,updated,license"
            )
            #expect(lines[1] == "a,caseStudy,Cas,fr; zh,,,,,,,,")
            #expect(lines[2] == #"b,technology,"Seeds, ""the"" best",en; fr,KE; TZ,,,,a; b,2019,,CC0-1.0"#)
            #expect(lines[3] == "")
        }
    }

    @Test func csvQuotesLineBreaks() {
        #expect(CSVExport.quote("plain") == "plain")
        #expect(CSVExport.quote("two\nlines") == "\"two\nlines\"")
        #expect(CSVExport.quote("cr\r") == "\"cr\r\"")
        #expect(CSVExport.quote("say \"hi\"") == "\"say \"\"hi\"\"\"")
        // No cell starts a spreadsheet formula.
        #expect(CSVExport.quote("=HYPERLINK(\"http://evil\",\"x\")") == "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"")
        #expect(CSVExport.quote("+1") == "'+1" && CSVExport.quote("-x") == "'-x" && CSVExport.quote("@SUM(A1)") == "'@SUM(A1)")
        #expect(CSVExport.quote("2020-01-01") == "2020-01-01")
    }

    @Test func openingWithoutCreateNeedsAnExistingCatalog() throws {
        try withTemporaryDirectory { directory in
            let missing = directory.url.appendingPathComponent("nothing-here")
            let error = #expect(throws: ClearingHouseError.self) {
                _ = try ClearingHouse(directory: missing, create: false)
            }
            #expect(error?.code == .notFound)
            #expect(!FileManager.default.fileExists(atPath: missing.path))

            _ = try directory.house("made")
            #expect(throws: Never.self) {
                _ = try ClearingHouse(directory: directory.url.appendingPathComponent("made"), create: false)
            }
        }
    }

    @Test func validateStoresNothing() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let path = try directory.write("r.json", recordJSON("a"))
            let report = try house.validate([path])
            #expect(report.succeeded)
            #expect(report.files.map(\.status) == [.checked])
            #expect(report.files.first?.valid == 1)
            #expect(try house.statistics().records == 0)
        }
    }

    @Test func catalogSurvivesReopening() throws {
        try withTemporaryDirectory { directory in
            let path = try directory.write("r.json", recordJSON("a", title: "Kept"))
            do {
                let house = try directory.house()
                try house.ingest([path])
            }
            let reopened = try ClearingHouse(directory: directory.url.appendingPathComponent("index"), create: false)
            #expect(try reopened.record(id: "a")?.title.values == ["en": "Kept"])
        }
    }

    /// The journal a file's transaction ran under, seen from inside it.
    func journalMode(ofTransactionIn house: ClearingHouse) throws -> String? {
        var mode: String?
        try house.catalog.storeInTransaction(describing: "a test") { transaction in
            mode = try String.fetchOne(transaction.db, sql: "PRAGMA journal_mode")
            return false
        }
        return mode
    }

    /// A first load (an empty catalog, no other connection) runs under a rollback journal,
    /// which writes each new page once; later transactions, and the catalog between them, are
    /// in WAL mode, so that readers never wait for a writer.
    @Test func aFirstLoadWritesUnderARollbackJournalAndLeavesWALMode() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            #expect(try journalMode(ofTransactionIn: house) == "wal", "a first load writes once only when asked to")
            house.firstLoadWritesOnce = true
            #expect(try journalMode(ofTransactionIn: house) == "delete")
            #expect(try house.catalog.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
            let path = try directory.write("r.jsonl", (0..<200).map { recordJSON("r\($0)", title: "Wetland \($0)") }.joined(separator: "\n"))
            #expect(try house.ingest([path]).added == 200)
            #expect(try house.catalog.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
            #expect(try journalMode(ofTransactionIn: house) == "wal")
            #expect(try house.catalog.integrityProblems().isEmpty)
            let reopened = try ClearingHouse(directory: directory.url.appendingPathComponent("index"), create: false)
            #expect(try reopened.statistics().records == 200)
        }
    }

    /// Another connection to the catalog (a server, a search in another process) keeps the
    /// first load in WAL mode: leaving it would need the file to itself.
    @Test func aFirstLoadBesideAnotherConnectionStaysInWALMode() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            house.firstLoadWritesOnce = true
            let other = try ClearingHouse(directory: directory.url.appendingPathComponent("index"), create: false)
            #expect(try other.statistics().records == 0)
            #expect(try journalMode(ofTransactionIn: house) == "wal")
            let path = try directory.write("r.json", recordJSON("a", title: "Kept"))
            #expect(try house.ingest([path]).added == 1)
            #expect(try other.record(id: "a")?.title.values == ["en": "Kept"])
        }
    }

    /// Review: during a first load (a rollback journal), another opening of the catalog
    /// failed with SQLite's "database is locked - while executing PRAGMA journal_mode = WAL".
    /// It says what holds the catalog and when to try again.
    @Test func openingDuringAFirstLoadSaysWhy() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            house.firstLoadWritesOnce = true
            let index = directory.url.appendingPathComponent("index")
            var failure: ClearingHouseError?
            try house.catalog.storeInTransaction(describing: "a test") { transaction in
                #expect(try String.fetchOne(transaction.db, sql: "PRAGMA journal_mode") == "delete")
                do {
                    _ = try ClearingHouse(directory: index, create: false)
                } catch let error as ClearingHouseError {
                    failure = error
                }
                return false
            }
            let error = try #require(failure)
            #expect(error.code == .locked)
            #expect(error.message.contains("holds it alone"), "\(error.message)")
            #expect(try ClearingHouse(directory: index, create: false).statistics().records == 0)
        }
    }

    /// Review: the catalog's commits were synced at checkpoints only (GRDB's WAL set-up sets
    /// `synchronous = NORMAL` after the connection's own set-up); the writer syncs each one.
    @Test func theWriterSyncsEveryCommit() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            #expect(try house.catalog.database.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == 2)
        }
    }

    /// Operations QA: an ingest that stopped with an error (a full disk at the catalog's
    /// commit) left its `ingest_runs` row `running` for ever.
    @Test func anIngestThatFailsIsLoggedAsFailed() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let index = directory.url.appendingPathComponent("index").path
            FaultInjector.install(.init(point: "catalog.before-commit", occurrence: 1, effect: .fail(ENOSPC), directory: index))
            defer { FaultInjector.reset(directory: index) }
            #expect(throws: ClearingHouseError.self) { try house.ingest([try directory.write("r.json", recordJSON("a", title: "A"))]) }
            let status = try house.catalog.read { db in try String.fetchOne(db, sql: "SELECT status FROM ingest_runs ORDER BY id DESC LIMIT 1") }
            #expect(status == "failed")
        }
    }

    /// Operations QA: the WAL stayed at the largest size a transaction had made it (220 MB
    /// beside a 420 MB catalog after a large ingest, while a server kept the catalog open). It
    /// is cut back to `Catalog.walSizeLimit` when it starts over.
    @Test func theWALIsCutBackAfterALargeWrite() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let reader = try ClearingHouse(directory: directory.url.appendingPathComponent("index"), create: false)
            #expect(try reader.statistics().records == 0)  // (a connection kept open, as a server's)
            let text = String(repeating: "wetland restoration ", count: 400)
            let lines = (0..<3000).map { #"{"id": "w\#($0)", "kind": "technology", "title": "Wetland \#($0)", "description": "\#(text)\#($0)"}"# }
            #expect(try house.ingest([try directory.write("big.jsonl", lines.joined(separator: "\n"))]).added == 3000)
            #expect(try house.ingest([try directory.write("one.json", recordJSON("one", title: "One more"))]).added == 1)
            let wal = directory.url.appendingPathComponent("index/catalog.sqlite-wal").path
            let size = (try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
            #expect(size <= Catalog.walSizeLimit + (1 << 20), "the WAL is \(size) bytes")
            #expect(try reader.statistics().records == 3001)
        }
    }

    /// A byte changed inside a record's stored JSON passed SQLite's integrity check and every
    /// other (crash-safety QA), and `show` gave the damaged text: the check compares each
    /// record with the SHA-256 stored beside it.
    @Test func checkFindsARecordWhoseStoredJSONChangedOnDisk() throws {
        try withTemporaryDirectory { directory in
            do {
                let house = try directory.house()
                try house.ingest([try directory.write("one.json", recordJSON("reed", title: "Wetland reed beds"))])
                try house.ingest([try directory.write("two.json", recordJSON("pond", title: "Village ponds"))])
                #expect(try house.check().isHealthy)
            }
            // (The clearing-house is closed: its writes are in the file.)
            let path = directory.url.appendingPathComponent("index/catalog.sqlite").path
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let needle = Array("Wetland reed".utf8)
            let at = try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
            bytes[at] = UInt8(ascii: "w")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let report = try directory.house().check()
            #expect(!report.isHealthy)
            #expect(report.problems.contains { $0.hasPrefix("catalog: 1 record's stored JSON no longer matches its SHA-256") && $0.contains("reed") }, "\(report.problems)")
            #expect(!report.problems.contains { $0.contains("pond") })
        }
    }

    /// An empty catalog file beside an index with records was taken for a new catalog: a
    /// search wrote a schema into it and `check --repair` rebuilt the index down to nothing
    /// (crash-safety QA). It is damage, for readers and writers, and nothing is written.
    @Test func anEmptyCatalogFileBesideCommittedRecordsIsDamageAndStaysUntouched() throws {
        try withTemporaryDirectory { directory in
            do {
                let house = try directory.house()
                try house.ingest([try directory.write("one.json", recordJSON("reed", title: "Wetland reed beds"))])
            }
            let index = directory.url.appendingPathComponent("index")
            let path = index.appendingPathComponent("catalog.sqlite").path
            try Data().write(to: URL(fileURLWithPath: path))
            for create in [false, true] {
                #expect {
                    _ = try ClearingHouse(directory: index, create: create)
                } throws: { error in
                    let error = error as? ClearingHouseError
                    return error?.code == .damaged && error?.message.contains("the file is empty (0 bytes)") == true
                }
            }
            #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == 0)
            // Without a commit, it is a catalog whose creation was cut short: not found to a
            // reader, made anew by a writer.
            let fresh = directory.url.appendingPathComponent("fresh")
            try FileManager.default.createDirectory(at: fresh, withIntermediateDirectories: true)
            try Data().write(to: fresh.appendingPathComponent("catalog.sqlite"))
            #expect(throws: ClearingHouseError.self) { _ = try ClearingHouse(directory: fresh, create: false) }
            #expect(try ClearingHouse(directory: fresh, create: true).statistics().records == 0)
        }
    }

    /// A readiness probe reads the catalog's first pages only: a truncated catalog failed
    /// every search while `/readyz` said ready (crash-safety QA). Damage a read meets is
    /// remembered until a write commits.
    @Test func damageAReadMeetsInTheCatalogMakesItUnsearchable() throws {
        try withTemporaryDirectory { directory in
            do {
                let house = try directory.house()
                let lines = (0..<3000).map { #"{"id": "w\#($0)", "kind": "technology", "title": "Wetland \#($0)", "description": "Reed beds and village ponds \#($0)"}"# }
                try house.ingest([try directory.write("big.jsonl", lines.joined(separator: "\n"))])
            }
            // Pages in the middle of the file overwritten (the first pages, the schema's, stay).
            let path = directory.url.appendingPathComponent("index/catalog.sqlite").path
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            let start = bytes.count / 2 / 16384 * 16384
            for offset in start..<min(bytes.count, start + 4 * 16384) { bytes[offset] = 0xA5 }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let house = try directory.house()
            var failed = false
            for id in stride(from: 0, to: 3000, by: 50) where !failed {
                do { _ = try house.record(id: "w\(id)") } catch { failed = true }
            }
            #expect(failed, "a read reaches the damaged pages")
            #expect {
                try house.checkSearchable()
            } throws: { error in
                (error as? ClearingHouseError)?.code == .damaged
            }
            // A write that is not about those pages does not make it sound (review: any write cleared it).
            _ = try? house.ingest([try directory.write("one.json", recordJSON("one", title: "One more"))])
            #expect(throws: ClearingHouseError.self) { try house.checkSearchable() }
        }
    }

    /// Review: `check` reads the catalog and the index at moments apart; a write that committed
    /// in between made them disagree ("N documents but the catalog holds M records") on an
    /// index with no damage. Another clearing-house on the same directory (as another process
    /// would) ingests file after file while this one checks.
    @Test(.timeLimit(.minutes(2))) func aCheckDuringWritesReportsNoFalseDamage() throws {
        try withTemporaryDirectory { directory in
            let checker = try directory.house()
            let writer = try directory.house()
            let files = try (0..<40).map { file in
                try directory.write("in/f\(file).jsonl", (0..<30).map { recordJSON("f\(file)-\($0)", title: "Record \(file) \($0)") }.joined(separator: "\n") + "\n")
            }
            let done = Mutex(false)
            let writing = Thread {
                for file in files { _ = try? writer.ingest([file]) }
                done.withLock { $0 = true }
            }
            writing.start()
            var checks = 0
            while !done.withLock({ $0 }) || checks == 0 {
                let report = try checker.check()
                #expect(report.isHealthy, "\(report.problems)")
                checks += 1
            }
            #expect(try checker.check().isHealthy && checker.check().records == 1200)
        }
    }
}
