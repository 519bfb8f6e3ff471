import Foundation
import Testing

/// `chm search` on the shipped Corpus, as a researcher would use it.
@Suite("chm search end to end")
struct SearchEndToEndTests {
    let corpus = CLI.packageRoot.appendingPathComponent("Corpus").path

    @Test func searchesTheCorpusInEnglishAndChinese() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        #expect(try CLI.run(["ingest", corpus, "--index", index]).status == 0)

        let english = try CLI.run(["search", "mangrove restoration", "--index", index, "--json", "--limit", "5"])
        #expect(english.status == 0, "\(english.stderr)")
        let response = try CLI.json(english.stdout)
        #expect(response["query"] as? String == "mangrove restoration")
        #expect(response["total"] is NSNull)
        let hits = try #require(response["hits"] as? [[String: Any]])
        #expect(hits.count == 5)
        for hit in hits {
            #expect(hit["id"] is String && hit["kind"] is String && hit["title"] is String && hit["score"] is Double)
        }
        let scores = hits.compactMap { $0["score"] as? Double }
        #expect(scores == scores.sorted(by: >))
        #expect((hits.first?["title"] as? String)?.lowercased().contains("mangrove") == true)

        let chinese = try CLI.json(try CLI.run(["search", "江豚", "--index", index, "--json", "--count"]).stdout)
        let chineseHits = try #require(chinese["hits"] as? [[String: Any]])
        #expect((chinese["total"] as? Int ?? 0) >= 2)
        #expect(chineseHits.contains { ($0["title"] as? String)?.contains("江豚") == true })

        // Paging: offset 1 starts with the second hit.
        let page = try CLI.json(try CLI.run(["search", "mangrove restoration", "--index", index, "--json", "--offset", "1", "--limit", "1"]).stdout)
        let second = try #require((page["hits"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(second == hits[1]["id"] as? String)

        let text = try CLI.run(["search", "fire", "--index", index, "--explain", "--limit", "1"])
        #expect(text.stdout.contains("idf"))
    }

    @Test func invalidQueryExits64WithThePosition() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let file = try directory.write("r.json", #"{"id": "x", "kind": "resource", "title": "Wetlands"}"#)
        #expect(try CLI.run(["ingest", file, "--index", index]).status == 0)
        let result = try CLI.run(["search", "(wetland", "--index", index])
        #expect(result.status == 64)
        #expect(result.stderr.contains("position 0"))
    }

    @Test func reindexOptimizeAndStatsReportTheIndex() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        #expect(try CLI.run(["ingest", corpus, "--index", index]).status == 0)
        #expect(try CLI.run(["delete", "a-tech-drone-mangrove-mapping-guangxi", "--index", index]).status == 0)
        let before = try CLI.run(["search", "drone mangrove", "--index", index, "--json"]).stdout
        #expect(!before.contains("a-tech-drone-mangrove-mapping-guangxi"))
        #expect(try CLI.run(["reindex", "--index", index]).status == 0)
        #expect(try CLI.run(["search", "drone mangrove", "--index", index, "--json"]).stdout == before)
        #expect(try CLI.run(["optimize", "--index", index]).status == 0)
        let stats = try CLI.json(try CLI.run(["stats", "--json", "--index", index]).stdout)
        let indexStats = try #require(stats["index"] as? [String: Any])
        #expect(indexStats["segments"] as? Int == 1)
        #expect(indexStats["documents"] as? Int == stats["records"] as? Int)
        #expect((indexStats["postings"] as? Int ?? 0) > 1000)
        #expect((indexStats["terms"] as? Int ?? 0) > 1000)
    }
}
