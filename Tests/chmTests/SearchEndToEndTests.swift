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

    /// Prefixes match words as written: `pollinat*` finds the records about pollinators and
    /// pollination, whose words are indexed under the stem `pollin`.
    /// Maintainer QA: a record's escape sequences, bare carriage return and bidirectional
    /// override reached the terminal as they were (`chm show`, `chm search`): text from records
    /// is printed with them made visible; line breaks in a shown record stay.
    @Test func recordTextNeverDrivesTheTerminal() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let file = try directory.write(
            "esc.jsonl",
            #"{"id":"esc-1","kind":"resource","title":"evil \u001b[31mRED\u001b[0m \u202e txet","summary":"line1\rline2 evil\n\nsecond paragraph","themes":["red\u001b[0m"]}"#
                + "\n")
        #expect(try CLI.run(["ingest", file, "--index", index]).status == 0)
        for arguments in [["search", "evil", "--facets", "theme"], ["show", "esc-1"], ["suggest", "evi"], ["similar", "esc-1"]] {
            let result = try CLI.run(arguments + ["--index", index])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            let scalars = result.stdout.unicodeScalars
            #expect(!scalars.contains("\u{1B}") && !scalars.contains("\r") && !scalars.contains("\u{202E}"), "\(arguments): \(result.stdout)")
            if arguments[0] != "similar" { #expect(result.stdout.contains(#"evil \u{1B}[31mRED"#), "\(arguments): \(result.stdout)") }
        }
        // A Windows line break is a line break, not a `\u{D}` at the end of every line (review).
        let windows = try directory.write("crlf.jsonl", #"{"id":"crlf-1","kind":"resource","title":"crlf","summary":"one\r\ntwo"}"# + "\n")
        #expect(try CLI.run(["ingest", windows, "--index", index]).status == 0)
        let crlf = try CLI.run(["show", "crlf-1", "--index", index]).stdout
        #expect(crlf.contains("one\n") && !crlf.contains("\\u{D}") && !crlf.unicodeScalars.contains("\r"), "\(crlf)")
        let shown = try CLI.run(["show", "esc-1", "--index", index]).stdout
        #expect(shown.contains("line1\\u{D}line2 evil\n") && shown.contains("\n  second paragraph"), "\(shown)")
    }

    @Test func prefixesMatchWordsAsWritten() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        #expect(try CLI.run(["ingest", corpus, "--index", index]).status == 0)
        let result = try CLI.run(["search", "pollinat*", "--index", index, "--json", "--count"])
        #expect(result.status == 0, "\(result.stderr)")
        let response = try CLI.json(result.stdout)
        let hits = try #require(response["hits"] as? [[String: Any]])
        let ids = Set(hits.compactMap { $0["id"] as? String })
        #expect(
            ids.isSuperset(of: [
                "a-fund-pollinator-research-grants", "b-ar-orchard-pollinators-tajikistan", "b-cs-urban-pollinators-ljubljana",
                "a-bp-hedgerow-restoration-uk",
            ]))
        #expect((response["total"] as? Int ?? 0) >= 7)
        // The best hit is about pollinators.
        #expect((hits.first?["title"] as? String)?.lowercased().contains("pollinat") == true)
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

    @Test func filtersFacetsMatchAndExportFromTheCommandLine() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        #expect(try CLI.run(["ingest", corpus, "--index", index]).status == 0)

        let listing = try CLI.json(
            try CLI.run(["search", "", "--index", index, "--country", "KE", "--country", "TZ", "--facets", "kind,country", "--json", "--limit", "50"]).stdout)
        let facets = try #require(listing["facets"] as? [String: [String: Int]])
        let total = try #require(listing["total"] as? Int)
        #expect(total > 0)
        #expect(facets["kind"]?.values.reduce(0, +) == total)
        #expect((facets["country"]?["KE"] ?? 0) > 0)
        let hits = try #require(listing["hits"] as? [[String: Any]])
        for hit in hits {
            let record = try CLI.json(try CLI.run(["show", hit["id"] as? String ?? "", "--json", "--index", index]).stdout)
            let countries = record["countries"] as? [String] ?? []
            #expect(countries.contains("KE") || countries.contains("TZ"))
        }

        let filtered = try CLI.json(
            try CLI.run(["search", "restoration", "--index", index, "--kind", "caseStudy", "--filter", "language=en", "--json", "--count"]).stdout)
        let kinds = Set((filtered["hits"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String })
        #expect(kinds == ["caseStudy"])
        let snippets = (filtered["hits"] as? [[String: Any]] ?? []).compactMap { $0["snippet"] as? String }
        #expect(snippets.contains { $0.contains("<mark>") })

        #expect(try CLI.run(["search", "x", "--index", index, "--facets", "colour"]).status == 64)
        #expect(try CLI.run(["search", "x", "--index", index, "--kind", "gadget"]).status == 64)

        let match = try CLI.json(try CLI.run(["match", "a-req-coral-bleaching-monitoring-maldives", "--index", index, "--json"]).stdout)
        let matches = try #require(match["hits"] as? [[String: Any]])
        #expect(!matches.isEmpty)
        #expect(!matches.contains { $0["id"] as? String == "a-req-coral-bleaching-monitoring-maldives" })
        #expect(matches.allSatisfy { ($0["reasons"] as? [String])?.isEmpty == false })
        #expect(matches.allSatisfy { $0["kind"] as? String != "assistanceRequest" })
        #expect(try CLI.run(["match", "no-such-request", "--index", index]).status == 1)

        let exported = try CLI.run(["export", "mangrove", "--country", "KE", "--index", index])
        let ids = exported.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
        }
        let searched = try CLI.json(try CLI.run(["search", "mangrove", "--country", "KE", "--index", index, "--json", "--limit", "100"]).stdout)
        #expect(ids == ((searched["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }.sorted())
    }

    @Test func analyzeShowsTokens() throws {
        let result = try CLI.run(["analyze", "лесных пожаров", "--lang", "ru", "--json"])
        #expect(result.status == 0)
        let tokens = try #require(try CLI.json(result.stdout)["tokens"] as? [[String: Any]])
        #expect(tokens.compactMap { $0["term"] as? String } == ["лесн", "пожар"])
    }
}
