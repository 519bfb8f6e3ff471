import Foundation
import SearchCore
import Testing

@testable import ClearingHouse

/// The clearing-house search: the index follows the catalog, whatever happens between them.
@Suite("Clearing-house search")
struct SearchTests {
    static let records = """
        [
          {"id": "tech-mangrove", "kind": "technology", "title": {"en": "Community mangrove nurseries", "zh": "社区红树林苗圃"},
           "summary": "Seedlings raised by fishers", "countries": ["KE"]},
          {"id": "cs-porpoise", "kind": "caseStudy", "title": {"zh": "长江江豚保护", "en": "Protecting the Yangtze finless porpoise"}},
          {"id": "bp-fire", "kind": "bestPractice", "title": "Community fire brigades", "keywords": ["fire", "savanna"]}
        ]
        """

    func ids(_ response: SearchResponse) -> [String] { response.hits.map(\.id) }

    @Test func findsRecordsInEnglishAndChinese() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", Self.records)])
            #expect(ids(try house.search(SearchRequest(query: "mangrove"))) == ["tech-mangrove"])
            #expect(ids(try house.search(SearchRequest(query: "江豚"))) == ["cs-porpoise"])
            #expect(ids(try house.search(SearchRequest(query: "红树林"))) == ["tech-mangrove"])
            let community = try house.search(SearchRequest(query: "community", countTotal: true))
            #expect(Set(ids(community)) == ["tech-mangrove", "bp-fire"])
            #expect(community.total == 2)
            let chinese = try house.search(SearchRequest(query: "mangrove", language: "zh"))
            #expect(chinese.hits.first?.title == "社区红树林苗圃")
            #expect(chinese.hits.first?.language == "zh")
        }
    }

    @Test func invalidQueryNamesThePosition() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            #expect {
                try house.search(SearchRequest(query: "mangrove AND"))
            } throws: { error in
                guard let error = error as? ClearingHouseError else { return false }
                return error.code == .invalidQuery && error.message.contains("position 12")
            }
            #expect {
                try house.search(SearchRequest(query: "colour:red"))
            } throws: { error in
                (error as? ClearingHouseError)?.code == .invalidQuery
            }
        }
    }

    @Test func updatedAndDeletedRecordsNeverSurface() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", Self.records)])
            try house.ingest([
                try directory.write("u.json", #"{"id": "bp-fire", "kind": "bestPractice", "title": "Grazing plans"}"#)
            ])
            #expect(ids(try house.search(SearchRequest(query: "brigades"))).isEmpty)
            #expect(ids(try house.search(SearchRequest(query: "grazing"))) == ["bp-fire"])
            try house.delete(ids: ["tech-mangrove"])
            #expect(ids(try house.search(SearchRequest(query: "mangrove"))).isEmpty)
            #expect(try house.indexSummary().documents == 2)
        }
    }

    /// A crash after the catalog committed but before the index did: the change log still
    /// holds the changes; a search answers from the last index commit and says it is stale
    /// (a search never writes), and the next writer applies them.
    @Test func indexCatchesUpAfterACrashBetweenCatalogAndIndex() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", Self.records)])
            // Simulate the crash: write to the catalog without touching the index.
            let record = Record(id: "new-one", kind: .training, title: LocalizedText(["en": "Seagrass survey course"]))
            try house.catalog.storeInTransaction(describing: "a test's changes") { transaction in
                _ = try transaction.upsert(record, stored: nil, sourceFile: nil, runID: nil)
                _ = try transaction.delete(id: "bp-fire", runID: nil)
                return true
            }
            #expect(try house.indexSummary().documents == 3)  // the index has not seen it
            // A fresh process searching answers from the last commit, and says so.
            let reopened = try directory.house()
            let stale = try reopened.search(SearchRequest(query: "seagrass brigades"))
            #expect(stale.stale)
            // (The index does not have the new record yet; the deleted one it still has is not
            // shown, as it is no longer in the catalog.)
            #expect(ids(stale).isEmpty)
            #expect(stale.totalLowerBound == 1)
            // Any limit is taken on a stale index too (review: the limit plus the margin
            // overflowed and trapped).
            #expect(try reopened.search(SearchRequest(query: "mangrove", limit: Int.max)).stale)
            #expect(try reopened.indexSummary().documents == 3)
            // The next writer catches up.
            try reopened.synchronizeIndex()
            let current = try reopened.search(SearchRequest(query: "seagrass"))
            #expect(!current.stale)
            #expect(ids(current) == ["new-one"])
            #expect(ids(try reopened.search(SearchRequest(query: "brigades"))).isEmpty)
            let summary = try reopened.indexSummary()
            #expect(summary.documents == 3)
            #expect(summary.changeSequence == (try reopened.statistics().lastChange))
        }
    }

    /// A stale index still holds records deleted since its commit: a page is filled from the
    /// hits after it rather than coming back short (QA: 1 hit for `--limit 3`).
    @Test func aStaleIndexFillsItsPagesWithRecordsStillThere() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let records = (1...6).map { number in
                #"{"id": "wet-\#(number)", "kind": "caseStudy", "title": "Wetland restoration \#(String(repeating: "wetland ", count: 7 - number))case \#(number)"}"#
            }
            try house.ingest([try directory.write("r.json", "[" + records.joined(separator: ",") + "]")])
            let before = ids(try house.search(SearchRequest(query: "wetland", limit: 6)))
            #expect(before.count == 6)
            // The catalog alone deletes three of the hits (a crash before the index's commit).
            let deleted = [before[0], before[2], before[3]]
            try house.catalog.storeInTransaction(describing: "a test's deletions") { transaction in
                for id in deleted { _ = try transaction.delete(id: id, runID: nil) }
                return true
            }
            let reopened = try directory.house()
            let first = try reopened.search(SearchRequest(query: "wetland", limit: 2))
            #expect(first.stale)
            #expect(ids(first) == [before[1], before[4]])
            // Every page numbers the hits alike (a deleted hit before the offset counts on none).
            let second = try reopened.search(SearchRequest(query: "wetland", limit: 2, offset: 2))
            #expect(ids(second) == [before[5]])
            let third = try reopened.search(SearchRequest(query: "wetland", limit: 2, offset: 1))
            #expect(ids(third) == [before[4], before[5]])
        }
    }

    @Test func reindexRebuildsFromTheCatalogAlone() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", Self.records)])
            let before = try house.search(SearchRequest(query: "community fire porpoise", limit: 10))
            try FileManager.default.removeItem(at: house.segmentsDirectory)
            try house.reindex()
            let after = try house.search(SearchRequest(query: "community fire porpoise", limit: 10))
            #expect(ids(after) == ids(before))
            #expect(zip(after.hits, before.hits).allSatisfy { abs($0.score - $1.score) < 1e-9 })
            #expect(try house.indexSummary().segments == 1)
        }
    }

    /// An index built by a chm that analyzed text otherwise (another schema fingerprint, as
    /// when the English analyzer began to index unaccented spellings) is not damage: `check`
    /// says so in a note, and statistics and searches rebuild it from the catalog first.
    @Test func anIndexOfAnotherAnalysisIsRebuiltNotDamaged() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", Self.records)])
            let records = try house.statistics().records
            // (An index of other fields in its place.)
            try FileManager.default.removeItem(at: house.segmentsDirectory)
            let other = Schema(textFields: [Schema.TextField("title", analyzer: StandardAnalyzer())])
            let writer = try IndexWriter(directory: house.segmentsDirectory, schema: other)
            try writer.add(Document(key: "x", text: ["title": ["old"]]))
            try writer.commit()
            writer.close()
            let report = try house.check()
            #expect(report.isHealthy, "\(report.problems)")
            #expect(report.notes.contains { $0.contains("another version of chm") }, "\(report.notes)")
            let reopened = try directory.house()
            #expect(try reopened.indexSummary().documents == records)
            #expect(try reopened.check().notes.isEmpty)
        }
    }

    /// A write started from inside another write's callback is an error, not a crash (the
    /// process trapped on "Recursive call to lock Mutex": library QA).
    @Test func aWriteInsideAWritesCallbackIsAConflict() throws {
        /// What the callback saw (the callback runs on the ingest's thread, during it).
        final class Seen: @unchecked Sendable { var error: ClearingHouseError? }
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let seen = Seen()
            let report = try house.ingest(
                body: Array(#"[{"id":"a","kind":"technology","title":"A"},{"id":"bad","kind":"technology","title":"t","countries":["XX"]}]"#.utf8),
                format: .json, displayName: "two.json", options: IngestOptions(skipInvalid: true),
                diagnostics: { _ in
                    do {
                        _ = try house.delete(ids: ["a"])
                    } catch let error as ClearingHouseError {
                        seen.error = error
                    } catch {}
                })
            #expect(report.added == 1)
            #expect(seen.error?.code == .conflict)
            #expect(seen.error?.message.contains("inside another write") == true)
            // After it returns, the same write works.
            #expect(try house.delete(ids: ["a"]).deleted == ["a"])
        }
    }

    @Test func aSecondWriterFailsAtOnceNamingTheHolder() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let writer = try house.openIndexWriter()
            defer { writer.close() }
            // (Its own code: a caller may retry it; a storage failure it need not.)
            #expect {
                try house.ingest([try directory.write("r.json", Self.records)])
            } throws: { error in
                "\(error)".contains("pid") && (error as? ClearingHouseError)?.code == .locked
            }
            #expect(try house.statistics().records == 0)
        }
    }

    /// An index ahead of its catalog (a catalog restored from a backup): a search says it is
    /// stale and shows only records the catalog holds; the next writer rebuilds the index from
    /// the catalog (it kept the missing records, and renumbered its position past them).
    @Test func anIndexAheadOfItsCatalogIsRebuiltByTheNextWriter() throws {
        try withTemporaryDirectory { directory in
            let catalog = directory.url.appendingPathComponent("index/catalog.sqlite")
            let backup = directory.url.appendingPathComponent("backup.sqlite")
            do {
                let house = try directory.house()
                try house.ingest([try directory.write("r.json", Self.records)])
            }
            try FileManager.default.copyItem(at: catalog, to: backup)
            do {
                let house = try directory.house()
                try house.ingest([try directory.write("more.json", recordJSON("tech-seagrass", title: "Seagrass meadows"))])
                #expect(ids(try house.search(SearchRequest(query: "seagrass"))) == ["tech-seagrass"])
            }
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: catalog.path + suffix) }
            try FileManager.default.copyItem(at: backup, to: catalog)

            let house = try directory.house()
            let ahead = try house.search(SearchRequest(query: "seagrass mangrove"))
            #expect(ahead.stale)
            #expect(!ids(ahead).contains("tech-seagrass"))
            #expect(ids(ahead).contains("tech-mangrove"))
            try house.synchronizeIndex()
            let rebuilt = try house.search(SearchRequest(query: "seagrass mangrove"))
            #expect(!rebuilt.stale)
            #expect(ids(rebuilt) == ["tech-mangrove"])
            #expect(try house.indexSummary().documents == 3)
            #expect(try house.check().isHealthy)
        }
    }

    /// A reindex with other BM25 parameters that fails before its commit (a crash at the same
    /// point) leaves the last commit searchable, with its parameters (QA: no commit at all).
    @Test func aFailedReindexWithOtherParametersLeavesTheLastCommit() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", Self.records)])
            let segments = directory.url.appendingPathComponent("index/segments").path
            defer { FaultInjector.reset(directory: segments) }
            FaultInjector.install(.init(point: "commit.rename", occurrence: 1, effect: .fail(EIO), directory: segments))
            #expect(throws: ClearingHouseError.self) { try house.reindex(ReindexRequest(k1: 1.1, b: 0.6)) }
            FaultInjector.reset(directory: segments)
            #expect(try house.bm25Parameters() == BM25Parameters(k1: 1.5, b: 0.5))
            #expect(ids(try house.search(SearchRequest(query: "mangrove"))) == ["tech-mangrove"])
            try house.reindex(ReindexRequest(k1: 1.1, b: 0.6))
            #expect(try house.bm25Parameters() == BM25Parameters(k1: 1.1, b: 0.6))
            #expect(ids(try house.search(SearchRequest(query: "mangrove"))) == ["tech-mangrove"])
            #expect(try house.indexSummary().documents == 3)
        }
    }
}
