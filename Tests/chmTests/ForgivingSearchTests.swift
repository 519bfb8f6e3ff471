import Foundation
import Testing

/// Search that forgives the searcher and reaches across languages (issue 13), through the
/// built `chm` binary on the shipped Corpus and on small collections of its own.
@Suite("Forgiving, cross-language search end to end")
struct ForgivingSearchTests {
    let corpus = CLI.packageRoot.appendingPathComponent("Corpus").path

    @Test func testCollectionDocumentsWithoutTitleAreIngestedWhenKindAndLanguageAreGiven() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let file = directory.path("corpus.jsonl")
        try """
        {"_id": "d1", "title": "", "text": "Seagrass meadows store carbon in their sediments."}
        {"_id": "d2", "text": "Mangrove seedlings survive better where tidal flow is restored."}
        {"_id": "d3", "title": "", "text": ""}
        {"id": "d4", "title": "Seagrass", "body": "A titled document beside them."}

        """.write(toFile: file, atomically: true, encoding: .utf8)
        // As a test collection (kind and language given): titleless documents with text go in,
        // BEIR's `_id` is the id, and only the document with nothing to index is refused.
        let ingest = try CLI.run(["ingest", file, "--index", index, "--kind", "resource", "--language", "en", "--skip-invalid", "--json"])
        let summary = try CLI.json(ingest.stdout)
        #expect(summary["added"] as? Int == 3, "\(ingest.stderr)")
        #expect(summary["rejected"] as? Int == 1)
        #expect(ingest.stderr.contains("d3") && ingest.stderr.contains("no title and no text"), "\(ingest.stderr)")
        #expect(!ingest.stderr.contains("_id"), "\(ingest.stderr)")
        let found = try CLI.json(try CLI.run(["search", "seagrass carbon", "--index", index, "--json"]).stdout)
        let hits = try #require(found["hits"] as? [[String: Any]])
        #expect(hits.first?["id"] as? String == "d1")
        // A document without a title shows its id as the title, and reads back from the catalog.
        #expect(hits.first?["title"] as? String == "d1")
        let shown = try CLI.run(["show", "d2", "--index", index, "--json"])
        #expect(shown.status == 0 && !shown.stdout.contains("\"title\""), "\(shown.stderr)")
        #expect(try CLI.run(["reindex", "--index", index]).status == 0)
        #expect(try CLI.run(["check", "--index", index]).status == 0)

        // Clearing-house records (no --kind and --language) still need a title.
        let strict = try CLI.run(["ingest", file, "--index", directory.path("other"), "--json"])
        #expect(strict.status == 65)
        #expect(strict.stderr.contains("field title: missing required field") || strict.stderr.contains("field id: missing required field"))
    }

    @Test func chineseQueryTypedWithoutSpacesFindsRecordsWithTheWordsApart() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        #expect(try CLI.run(["ingest", corpus, "--index", index, "--quiet"]).status == 0)
        // 监测江豚 (monitor + finless porpoise) appears nowhere as one run; records about
        // monitoring finless porpoises say 江豚 and 监测 apart.
        let found = try CLI.json(try CLI.run(["search", "监测江豚", "--index", index, "--json", "--limit", "3"]).stdout)
        let ids = (found["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("a-tech-yangtze-porpoise-acoustic-monitoring"), "\(ids)")
        #expect(ids.contains("b-cs-poyang-finless-porpoise"), "\(ids)")
        // In quotes it is a phrase again, which no record has.
        let phrase = try CLI.json(try CLI.run(["search", "\"监测江豚\"", "--index", index, "--json"]).stdout)
        #expect((phrase["hits"] as? [Any])?.isEmpty == true)
    }
}
