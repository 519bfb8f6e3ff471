import Foundation
import Testing

/// The built `chm` binary, used as a clearing-house maintainer would use it.
@Suite("chm end to end")
struct EndToEndTests {
    let corpus = CLI.packageRoot.appendingPathComponent("Corpus").path

    @Test func ingestsTheShippedCorpusAndReportsItsKindsAndLanguages() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let ingest = try CLI.run(["ingest", corpus, "--index", index, "--json"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let summary = try CLI.json(ingest.stdout)
        #expect((summary["rejected"] as? Int) == 0)
        #expect((summary["added"] as? Int ?? 0) >= 120)

        let stats = try CLI.json(try CLI.run(["stats", "--json", "--index", index]).stdout)
        let records = try #require(stats["records"] as? Int)
        #expect(records == summary["added"] as? Int)
        let kinds = try #require(stats["kinds"] as? [String: Int])
        for kind in ["technology", "bestPractice", "caseStudy"] {
            #expect((kinds[kind] ?? 0) >= 20, "\(kind)")
        }
        for kind in ["organization", "assistanceRequest", "training", "funding", "resource"] {
            #expect((kinds[kind] ?? 0) >= 1, "\(kind)")
        }
        let languages = try #require(stats["languages"] as? [String: Int])
        for language in ["ar", "en", "es", "fr", "ru", "zh"] {
            #expect((languages[language] ?? 0) >= 5, "\(language)")
        }

        // Ingesting again changes nothing.
        let again = try CLI.json(try CLI.run(["ingest", corpus, "--index", index, "--json"]).stdout)
        #expect((again["unchanged"] as? Int) == records)
        #expect((again["added"] as? Int) == 0)
    }

    @Test func mixedFolderStoresGoodFilesExplainsBrokenOnesAndExits65() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "in/good.json",
            #"[{"id": "good-1", "kind": "technology", "title": "Fog nets"}, {"id": "good-2", "kind": "training", "title": {"fr": "Formation"}}]"#
        )
        try directory.write(
            "in/broken.xml",
            """
            <records xmlns="urn:chm:records:1">
              <record id="xml-1" kind="caseStudy" xml:lang="en">
                <title>Fine</title>
              </record>
              <record id="xml-2" kind="caseStudy">
                <title>Broken</titel>
              </record>
            </records>
            """)
        try directory.write(
            "in/sub/lines.jsonl",
            """
            {"id": "line-1", "kind": "funding", "title": "Grant"}
            {"id": "line-2", "kind": "funding", "title": "Grant
            {"id": "line-3", "kind": "nonsense", "title": "Grant"}
            """)
        let index = directory.path("index")
        let result = try CLI.run(["ingest", directory.path("in"), "--index", index])
        #expect(result.status == 65)
        let lines = result.stderrLines
        #expect(lines.contains { $0.hasPrefix(directory.path("in/broken.xml") + ":6:") && $0.contains("error:") })
        #expect(lines.contains { $0.hasPrefix(directory.path("in/sub/lines.jsonl") + ":2:") })
        #expect(
            lines.contains {
                $0.hasPrefix(directory.path("in/sub/lines.jsonl") + ":3:") && $0.contains("record line-3:")
                    && $0.contains("field kind:")
            })

        let export = try CLI.run(["export", "--index", index])
        let ids = export.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
        }
        #expect(ids == ["good-1", "good-2"])

        // With --skip-invalid the valid records of broken files are stored; still exit 65.
        // (Records before an XML syntax error may or may not be stored: libxml2 can meet the
        // error while reading ahead. The valid JSON Lines record is always stored.)
        let skipping = try CLI.run(["ingest", directory.path("in"), "--index", index, "--skip-invalid", "--json"])
        #expect(skipping.status == 65)
        let summary = try CLI.json(skipping.stdout)
        #expect((summary["added"] as? Int ?? 0) >= 1)
        #expect(try CLI.run(["show", "line-1", "--index", index]).status == 0)
        #expect(try CLI.run(["show", "line-3", "--index", index]).status == 1)
    }

    @Test func exitCodesFollowTheContract() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let good = try directory.write("good.json", #"{"id": "a", "kind": "resource", "title": "A"}"#)
        #expect(try CLI.run(["ingest", good, "--index", index]).status == 0)
        let missing = try CLI.run(["show", "no-such-id", "--index", index])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no-such-id"))
        #expect(try CLI.run(["delete", "no-such-id", "--index", index]).status == 1)
        #expect(try CLI.run(["ingest", "--no-such-flag", good]).status == 64)
        #expect(try CLI.run(["export", "--format", "xlsx", "--index", index]).status == 64)
        let bad = try directory.write("bad.json", #"{"id": "b", "kind": "resource"}"#)
        let invalid = try CLI.run(["ingest", bad, "--index", index])
        #expect(invalid.status == 65)
        #expect(invalid.stderrLines.first == "\(bad):1:1: error: record b: field title: missing required field")
        #expect(try CLI.run(["stats", "--index", directory.path("nothing-here")]).status == 1)
        // A negative number is the option's value, refused with the parameter's own message
        // (ArgumentParser said "Missing value for '--limit <limit>'"); an offset near Int.max
        // is refused too (it overflowed in the searcher and killed the process).
        for (arguments, message) in [
            (["search", "a", "--limit", "-1"], "limit: -1 is below 0"),
            (["search", "a", "--offset", "-5"], "offset: -5 is below 0"),
            (["search", "a", "--min-match", "-1"], "--min-match: -1 is below 0"),
            // (A parameter the library names otherwise is named as the option: QA.)
            (["match", "--text", "a", "--in-country", "ZZ"], "--in-country: \"ZZ\" is not an ISO 3166-1 alpha-2 country code (two letters, such as KE for Kenya)"),
            (["search", "a", "--offset", "9223372036854775807"], "offset: 9223372036854775807 is above 100000"),
            (["match", "--text", "a", "--limit", "-2"], "limit: -2 is below 0"),
            (["reindex", "--k1", "-1"], "k1: -1"),
            (["duplicates", "--threshold", "-1"], "threshold: -1"),
            // (As the API refuses it; a limit this large once trapped.)
            (["suggest", "a", "--limit", "9223372036854775807"], "limit: 9223372036854775807 is above 100"),
        ] {
            let refused = try CLI.run(arguments + ["--index", index])
            #expect(refused.status == 64, "\(arguments)")
            #expect(refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
        #expect(try CLI.run(["suggest", "a", "--limit", "100", "--index", index]).status == 0)
        let emptyOutput = try CLI.run(["export", "--output", "", "--index", index])
        #expect(emptyOutput.status == 64 && emptyOutput.stderr.contains("output: the file name is empty"), "\(emptyOutput.stderr)")
        // ... before the index is opened (review: a missing index said so instead).
        let noIndex = try CLI.run(["export", "--output", "", "--index", directory.path("nothing-here")])
        #expect(noIndex.status == 64 && noIndex.stderr.contains("output: the file name is empty"), "\(noIndex.stderr)")
        // An index under a file says so (it said "NSCocoaErrorDomain error 512").
        let underFile = try CLI.run(["ingest", good, "--index", good + "/index"])
        #expect(underFile.status == 1)
        #expect(underFile.stderr.contains("\(good) is a file, not a directory"), "\(underFile.stderr)")
    }

    @Test func harvestRefusesATimeoutOutOfRangeInOneLine() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        // 9223372037 s once overflowed the transport's nanoseconds and killed the process.
        let huge = try CLI.run(["harvest", "http://127.0.0.1:9/oai", "--timeout", "9223372037", "--index", index])
        #expect(huge.status == 64)
        #expect(huge.stderrLines == ["chm: error: timeout: 9223372037 seconds is out of range; give a request timeout from 1 to 86400 seconds (one day)"])
        let retry = try CLI.run(["harvest", "http://127.0.0.1:9/oai", "--retry-for", "604801", "--index", index])
        #expect(retry.status == 64)
        #expect(retry.stderrLines.count == 1 && retry.stderr.contains("retryFor: 604801 seconds is out of range"), "\(retry.stderr)")
        // A negative number is the option's value (ArgumentParser said "Missing value"), refused by the range.
        let negative = try CLI.run(["harvest", "http://127.0.0.1:9/oai", "--retry-for", "-1", "--index", index])
        #expect(negative.status == 64)
        #expect(negative.stderrLines == ["chm: error: retryFor: -1 seconds is out of range; give a retry time from 0 to 604800 seconds (one week)"], "\(negative.stderr)")
        let negativeTimeout = try CLI.run(["harvest", "http://127.0.0.1:9/oai", "--timeout", "-5", "--index", index])
        #expect(negativeTimeout.status == 64)
        #expect(negativeTimeout.stderrLines.count == 1 && negativeTimeout.stderr.contains("timeout: -5 seconds is out of range"), "\(negativeTimeout.stderr)")
        #expect(!FileManager.default.fileExists(atPath: index), "nothing is made for a refused request")
    }

    @Test func validateChecksWithoutWriting() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("r.jsonl", #"{"id": "v1", "kind": "technology", "title": "T", "colour": "green"}"# + "\n")
        let result = try CLI.run(["validate", file], in: directory.url)
        #expect(result.status == 0)
        #expect(result.stderr.contains("field colour: unknown field"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("Indexes")))
        let strict = try CLI.run(["validate", "--strict", file], in: directory.url)
        #expect(strict.status == 65)
    }

    @Test func showPrintsCanonicalJSONAndTheAskedLanguage() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write(
            "r.xml",
            """
            <records xmlns="urn:chm:records:1">
              <record id="tech-mangrove-nursery" kind="technology" xml:lang="en">
                <title>Community mangrove nurseries</title>
                <title xml:lang="zh">社区红树林苗圃</title>
                <country>ke</country>
              </record>
            </records>
            """)
        // The index comes from $CHM_INDEX when --index is absent.
        let environment = ["CHM_INDEX": directory.path("via-env")]
        #expect(try CLI.run(["ingest", file], environment: environment).status == 0)
        let json = try CLI.run(["show", "tech-mangrove-nursery", "--json"], environment: environment)
        #expect(
            json.stdout
                == #"{"id":"tech-mangrove-nursery","kind":"technology","language":"en","title":{"en":"Community mangrove nurseries","zh":"社区红树林苗圃"},"countries":["KE"]}"#
                + "\n")
        let chinese = try CLI.run(["show", "tech-mangrove-nursery", "--lang", "zh"], environment: environment)
        #expect(chinese.stdout.hasPrefix("社区红树林苗圃\n"))
        let french = try CLI.run(["show", "tech-mangrove-nursery", "--lang", "fr"], environment: environment)
        #expect(french.stdout.hasPrefix("Community mangrove nurseries\n"))
    }

    @Test func exportIngestExportIsByteIdentical() throws {
        let directory = try TemporaryDirectory()
        let first = directory.path("first")
        #expect(try CLI.run(["ingest", corpus, "--index", first]).status == 0)
        #expect(try CLI.run(["export", "--index", first, "--output", directory.path("one.jsonl")]).status == 0)
        let second = directory.path("second")
        #expect(try CLI.run(["ingest", directory.path("one.jsonl"), "--index", second]).status == 0)
        #expect(try CLI.run(["export", "--index", second, "--output", directory.path("two.jsonl")]).status == 0)
        let one = try Data(contentsOf: URL(fileURLWithPath: directory.path("one.jsonl")))
        let two = try Data(contentsOf: URL(fileURLWithPath: directory.path("two.jsonl")))
        #expect(!one.isEmpty)
        #expect(one == two)

        let csv = try CLI.run(["export", "--index", first, "--format", "csv"])
        let header = csv.stdout.split(separator: "\n").first.map(String.init)
        #expect(header?.hasPrefix("id,kind,title,languages,countries") == true)
        #expect(header?.contains("published") == true)
    }

    @Test func deleteRemovesRecords() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let file = try directory.write(
            "r.json", #"[{"id": "d1", "kind": "resource", "title": "A"}, {"id": "d2", "kind": "resource", "title": "B"}]"#)
        #expect(try CLI.run(["ingest", file, "--index", index]).status == 0)
        #expect(try CLI.run(["delete", "d1", "--index", index]).status == 0)
        #expect(try CLI.run(["show", "d1", "--index", index]).status == 1)
        let stats = try CLI.json(try CLI.run(["stats", "--json", "--index", index]).stdout)
        #expect(stats["records"] as? Int == 1)
    }

    /// 200,000 records in one JSON array: the reader streams, so peak memory is about the
    /// same as for 2,000 records.
    @Test(.timeLimit(.minutes(5))) func memoryStaysFlatOnA200000RecordFile() throws {
        let directory = try TemporaryDirectory()
        func generate(_ name: String, count: Int) throws -> String {
            let path = directory.path(name)
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            var chunk = "[\n"
            for index in 0..<count {
                chunk += #"{"id":"g\#(index)","kind":"technology","title":"Seed bank \#(index % 977)","countries":["KE"]}"#
                chunk += index + 1 < count ? ",\n" : "\n]\n"
                if chunk.utf8.count > 1 << 20 {
                    handle.write(Data(chunk.utf8))
                    chunk = ""
                }
            }
            handle.write(Data(chunk.utf8))
            try handle.close()
            return path
        }
        let small = try generate("small.json", count: 2_000)
        let large = try generate("large.json", count: 200_000)
        // Indexing memory is bounded by the index buffer (flushed to a segment when full);
        // a small buffer shows that nothing else grows with the file. So is the catalog
        // writer's page cache (32 MB): SQLite's 2 MB here.
        let environment = ["CHM_INDEX_BUFFER_MB": "4", "CHM_CATALOG_CACHE_MB": "2"]
        let smallRun = try CLI.run(["ingest", small, "--index", directory.path("small"), "--json"], environment: environment)
        let largeRun = try CLI.run(["ingest", large, "--index", directory.path("large"), "--json"], environment: environment)
        #expect(largeRun.status == 0, "\(largeRun.stderr)")
        let smallPeak = try #require(try CLI.json(smallRun.stdout)["peakMemoryBytes"] as? Int)
        let largeSummary = try CLI.json(largeRun.stdout)
        let largePeak = try #require(largeSummary["peakMemoryBytes"] as? Int)
        #expect(largeSummary["added"] as? Int == 200_000)
        let stats = try CLI.json(try CLI.run(["stats", "--json", "--index", directory.path("large")]).stdout)
        #expect((stats["index"] as? [String: Any])?["documents"] as? Int == 200_000)
        let fileSize = try #require(try FileManager.default.attributesOfItem(atPath: large)[.size] as? Int)
        let indexBytes = try #require((stats["index"] as? [String: Any])?["bytes"] as? Int)
        let segmentBytes = try #require((stats["index"] as? [String: Any])?["segmentBytes"] as? Int)
        #expect(segmentBytes > 0 && segmentBytes <= indexBytes)
        // The large file is ~17 MB and its records as values several times that: holding
        // either would add far more than the allowance, which is 12 MB plus the index
        // itself (segment files are memory-mapped, and a merge reads its sources through
        // the mapping, so their pages count as resident while it runs).
        #expect(fileSize > 15_000_000)
        #expect(largePeak - smallPeak < 12_000_000 + indexBytes, "peak \(largePeak) vs \(smallPeak), index \(indexBytes)")
    }
}
