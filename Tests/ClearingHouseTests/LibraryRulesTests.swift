// The rules every front end shares live in the library: request parameters are checked
// there (each error names its parameter), exports write files atomically, runs are written
// as the reader reads them, and every JSON document is a Codable type.
import Foundation
import Records
import SearchCore
import Testing

@testable import ClearingHouse

/// `body` throws a ``ClearingHouseError`` for `parameter` with exactly `message`.
func expectParameterError(
    _ parameter: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    let error = #expect(throws: ClearingHouseError.self, sourceLocation: sourceLocation) { try body() }
    #expect(error?.code == .invalidQuery, sourceLocation: sourceLocation)
    #expect(error?.parameter == parameter, sourceLocation: sourceLocation)
    #expect(error?.message == message, sourceLocation: sourceLocation)
}

@Suite("Request rules in the library")
struct RequestRuleTests {
    static let records = """
        [
          {"id": "tech-mangrove", "kind": "technology", "title": "Community mangrove nurseries",
           "summary": "Seedlings raised by fishers", "countries": ["KE"], "themes": ["coasts"]},
          {"id": "req-coast", "kind": "assistanceRequest", "title": "Help restoring mangroves", "countries": ["TZ"],
           "themes": ["coasts"]},
          {"id": "bp-fire", "kind": "bestPractice", "title": "Community fire brigades", "keywords": ["fire", "savanna"]}
        ]
        """

    /// Review: CHM_CATALOG_CACHE_MB=10000000000000000 crashed every command (an overflow in
    /// the cache's size); the sizes are clamped.
    @Test func hugeCacheAndBufferSizesAreClamped() throws {
        try withTemporaryDirectory { directory in
            let house = try ClearingHouse(directory: directory.url.appendingPathComponent("index"), indexBufferMegabytes: .max, catalogCacheMegabytes: .max)
            try house.ingest(records: [Record(id: "a", kind: .technology, title: LocalizedText(["en": "Clamped"]))])
            #expect(try house.search(SearchRequest(query: "clamped")).hits.map(\.id) == ["a"])
        }
    }

    /// Maintainer QA: a set typed as it reads (`region:Small Island Developing States`) was
    /// only "not a set spec"; the error spells it as chm's providers do.
    @Test func aSetWithSpacesIsSpelledAsProvidersWriteIt() {
        var request = HarvestRequest(baseURL: "https://repo.example.org/oai")
        request.sets = ["region:Small Island Developing States"]
        let error = #expect(throws: ClearingHouseError.self) { _ = try request.validated() }
        #expect(error?.parameter == "set")
        #expect(error?.message.contains("region:Small~20Island~20Developing~20States") == true, "\(String(describing: error))")
    }

    /// Review: the page size's upper bound was the CLI's alone; a program could serve pages
    /// of a billion records.
    @Test func oaiPageSizeHasBothBoundsInTheLibrary() {
        expectParameterError("oaiPageSize", "oaiPageSize: 20000 is not between 1 and 10000") { try OAIConfiguration(pageSize: 20_000).validate() }
        expectParameterError("oaiPageSize", "oaiPageSize: 0 is not between 1 and 10000") { try OAIConfiguration(pageSize: 0).validate() }
    }

    @Test func reindexRejectsEachParameterOutOfRange() {
        expectParameterError("k1", "k1: 12 is not between 0 and 10") { try ReindexRequest(k1: 12).validate() }
        expectParameterError("k1", "k1: -0.5 is not between 0 and 10") { try ReindexRequest(k1: -0.5, b: 0.5).validate() }
        expectParameterError("b", "b: 1.5 is not between 0 and 1") { try ReindexRequest(k1: 1.2, b: 1.5).validate() }
        expectParameterError("b", "b: nan is not between 0 and 1") { try ReindexRequest(b: .nan).validate() }
        #expect(throws: Never.self) { try ReindexRequest(k1: 0, b: 1).validate() }
        #expect(throws: Never.self) { try ReindexRequest().validate() }
    }

    @Test func reindexMergesPartialParametersWithTheIndexs() throws {
        let current = BM25Parameters(k1: 1.5, b: 0.3)
        #expect(ReindexRequest().parameters(merging: current) == nil)
        #expect(ReindexRequest(b: 0.5).parameters(merging: current) == BM25Parameters(k1: 1.5, b: 0.5))
        #expect(ReindexRequest(k1: 3).parameters(merging: current) == BM25Parameters(k1: 3, b: 0.3))
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", Self.records)])
            let summary = try house.reindex(ReindexRequest(k1: 1.5))
            #expect(summary.documents == 3)
            try house.reindex(ReindexRequest(b: 0.5))
            #expect(try house.bm25Parameters() == BM25Parameters(k1: 1.5, b: 0.5))
            // A rejected request changes nothing.
            expectParameterError("k1", "k1: 11 is not between 0 and 10") { try house.reindex(ReindexRequest(k1: 11)) }
            #expect(try house.bm25Parameters() == BM25Parameters(k1: 1.5, b: 0.5))
        }
    }

    @Test func matchRequestRejectsEachBadParameter() {
        expectParameterError("id", "id: give a record id or a text to match") { try MatchRequest().validate() }
        expectParameterError("text", "text: give a record id or a text, not both") {
            try MatchRequest(id: "req-coast", text: "mangroves").validate()
        }
        expectParameterError("text", "text: describe what is needed (the text is empty)") { try MatchRequest(text: " ").validate() }
        expectParameterError("inCountry", "inCountry: requesting countries go with a text; a record id brings its own") {
            try MatchRequest(id: "req-coast", requestingCountries: ["KE"]).validate()
        }
        expectParameterError("inCountry", "inCountry: \"Kenya\" is not an ISO 3166-1 alpha-2 country code (two letters, such as KE for Kenya)") {
            try MatchRequest(text: "mangroves", requestingCountries: ["Kenya"]).validate()
        }
        expectParameterError("country", "country: \"XX\" is not an ISO 3166-1 alpha-2 country code (two letters, such as KE for Kenya)") {
            try MatchRequest(text: "mangroves", filters: SearchFilters(countries: ["XX"])).validate()
        }
        expectParameterError("limit", "limit: -1 is below 0") { try MatchRequest(id: "req-coast", limit: -1).validate() }
        expectParameterError("lang", "lang: \"not a tag\" is not a BCP 47 language tag") {
            try MatchRequest(id: "req-coast", language: "not a tag").validate()
        }
        expectParameterError("since", "since: \"2020-13\" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") {
            try MatchRequest(id: "req-coast", filters: SearchFilters(since: "2020-13")).validate()
        }
        #expect(throws: Never.self) { try MatchRequest(text: "mangroves", filters: SearchFilters(countries: ["ke"])).validate() }
    }

    @Test func aFilterTakesAtMostAThousandValues() throws {
        let many = (0...SearchFilters.maximumValuesPerField).map { "T\($0)" }
        expectParameterError("theme", "theme: 1001 values; a filter takes at most 1000 (its values are alternatives)") {
            try SearchRequest(query: "mangroves", filters: SearchFilters(themes: many)).validate()
        }
        expectParameterError("language", "language: 1001 values; a filter takes at most 1000 (its values are alternatives)") {
            try SearchRequest(query: "", filters: SearchFilters(fields: ["language": many])).validate()
        }
        #expect(throws: Never.self) { try SearchRequest(query: "", filters: SearchFilters(themes: Array(many.dropLast()))).validate() }
    }

    /// An empty filter value matches nothing: refused by the library, for every front end
    /// (only the HTTP API refused it; `chm search x --country ""` found nothing).
    /// QA: `--country Kenya` (and `countries: ["Kenya"]` in the library) found nothing, without
    /// a word; a country filter is a code, in any case.
    @Test func aCountryFilterIsACode() {
        let message = #"country: "Kenya" is not an ISO 3166-1 alpha-2 country code (two letters, such as KE for Kenya)"#
        expectParameterError("country", message) { try SearchRequest(query: "mangroves", filters: SearchFilters(countries: ["KE", "Kenya"])).validate() }
        expectParameterError("country", message) { try SearchRequest(query: "", filters: SearchFilters(fields: ["country": ["Kenya"]])).validate() }
        expectParameterError("country", #"country: "XX" is not an ISO 3166-1 alpha-2 country code (two letters, such as KE for Kenya)"#) {
            try MatchRequest(id: "req-coast", filters: SearchFilters(countries: ["XX"])).validate()
        }
        #expect(throws: Never.self) { try SearchRequest(query: "", filters: SearchFilters(countries: ["ke", "MU"])).validate() }
        // In the query too, naming where.
        let inQuery = #expect(throws: ClearingHouseError.self) { try ClearingHouse.parseQuery("coral country:Kenya") }
        #expect(inQuery?.message == #"invalid query: position 6: country: "Kenya" is not an ISO 3166-1 alpha-2 country code (two letters, such as KE for Kenya)"#)
        #expect(throws: Never.self) { try ClearingHouse.parseQuery("coral country:ke") }
    }

    /// QA: a query of a million characters held a search thread for seconds, and the command
    /// line gave 224 completions where the API refused more than 100.
    @Test func aQueryAndASuggestionHaveTheirLimitsInTheLibrary() throws {
        let long = String(repeating: "a", count: SearchRequest.maximumQueryLength + 1)
        let message = "q: the query is longer than 10000 characters; search with fewer words (to find records that answer a long text, use match with a text)"
        expectParameterError("q", message) { try SearchRequest(query: long).validate() }
        #expect(throws: Never.self) { try SearchRequest(query: String(long.dropLast())).validate() }
        let directory = try TemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory.url) }
        let house = try ClearingHouse(directory: directory.url.appendingPathComponent("index"))
        try house.ingest([try directory.write("r.json", Self.records)])
        let search: () throws -> Void = { _ = try house.search(SearchRequest(query: long)) }
        expectParameterError("q", message, search)
        let suggest: () throws -> Void = { _ = try house.suggest(long) }
        expectParameterError("q", message, suggest)
        let tooMany: () throws -> Void = { _ = try house.suggest("co", limit: Suggestions.maximumLimit + 1) }
        expectParameterError("limit", "limit: 101 is above 100, the most completions one suggestion gives", tooMany)
        #expect(try house.suggest("co", limit: Suggestions.maximumLimit).completions.count <= Suggestions.maximumLimit)
    }

    @Test func anEmptyFilterValueIsRefused() {
        expectParameterError("country", "country: an empty value matches nothing; leave the filter out") {
            try SearchRequest(query: "mangroves", filters: SearchFilters(countries: ["KE", ""])).validate()
        }
        expectParameterError("region", "region: an empty value matches nothing; leave the filter out") {
            try SearchRequest(query: "mangroves", filters: SearchFilters(regions: ["  "])).validate()
        }
        expectParameterError("target", "target: an empty value matches nothing; leave the filter out") {
            try MatchRequest(id: "req-coast", filters: SearchFilters(targets: [""])).validate()
        }
        expectParameterError("language", "language: an empty value matches nothing; leave the filter out") {
            try SearchRequest(query: "", filters: SearchFilters(fields: ["language": [""]])).validate()
        }
    }

    /// A help-desk request: checked, matched and stored by the library, as the web page's
    /// help desk does (the page built the record itself).
    @Test func aHelpRequestIsCheckedAndStoredByTheLibrary() throws {
        expectParameterError("need", "need: the need is empty; say what help is needed") {
            try HelpRequest(need: "  \n ").validate()
        }
        expectParameterError("need", "need: 5001 characters (5001 code points); a need is at most 5000 characters and 20000 code points") {
            try HelpRequest(need: String(repeating: "a", count: 5001)).validate()
        }
        expectParameterError("country", "country: \"XX\" is not an ISO 3166-1 alpha-2 country code (two letters, such as KE for Kenya)") {
            try HelpRequest(need: "Loggers", country: "XX").validate()
        }
        #expect(throws: ClearingHouseError.self) { try HelpRequest(need: "Loggers", assistanceTypes: ["money please"]).validate() }
        #expect(HelpRequest.assistanceType(named: "technology-transfer") == "technologyTransfer")
        // QA: 4,000 characters, each with ten combining marks, are 44,000 code points: more
        // than a match takes (a page without a key showed an error about "text").
        let marked = String(repeating: "a" + String(repeating: "\u{301}", count: 10), count: 4000)
        #expect(marked.count == 4000 && HelpRequest.problem(ofNeed: marked) == .tooLong)
        #expect(HelpRequest.problem(ofNeed: " \n") == .empty && HelpRequest.problem(ofNeed: "Loggers") == nil)
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let firstLine = "Нужны температурные логгеры и обучение рейнджеров для наблюдения за обесцвечиванием кораллов на внешних островах архипелага"
            let request = HelpRequest(
                need: firstLine + "\nВосемьдесят логгеров.", country: "sc", assistanceTypes: ["Training", "equipment", "training"], language: "en")
            #expect(request.matchRequest().requestingCountries == ["SC"])
            #expect(request.matchRequest().assistanceTypes == ["training", "equipment"])
            let (id, report) = try house.store(request)
            #expect(report.added == 1)
            #expect(id.hasPrefix("helpdesk-"))
            let record = try #require(try house.record(id: id))
            #expect(record.kind == .assistanceRequest && record.language == "ru")
            let title = try #require(record.title.values["ru"])
            #expect(title.count == HelpRequest.maximumTitleLength && title.hasSuffix("…"))
            #expect(record.description.values["ru"]?.hasSuffix("Восемьдесят логгеров.") == true)
            #expect(record.countries == ["SC"] && record.assistanceTypes == ["training", "equipment"])
            #expect(record.source?.system == HelpRequest.sourceSystem)
            // Stored, it is matched as any stored request.
            #expect(throws: Never.self) { try house.match(MatchRequest(id: id)) }
            // A submission key stores once: the same form sent again answers with its record;
            // once that record is deleted, the key stores anew.
            var keyed = HelpRequest(need: "Seed bank training", country: "MZ")
            keyed.submission = "form-1"
            let first = try house.store(keyed)
            #expect(try house.store(keyed).id == first.id)
            #expect(try house.statistics().records == 2)
            // An edited form sent under the same key is a new request (review).
            var edited = keyed
            edited.need = "Seed bank training for dry forests"
            let second = try house.store(edited)
            #expect(second.id != first.id)
            #expect(try house.statistics().records == 3)
            try house.delete(ids: [second.id])
            try house.delete(ids: [first.id])
            #expect(try house.store(keyed).id != first.id)
            keyed.submission = ""
            #expect(throws: ClearingHouseError.self) { try house.store(keyed) }
        }
    }

    @Test func withATextTheCountryFilterIsTheRequestingCountry() throws {
        let text = MatchRequest(text: "mangroves", filters: SearchFilters(kinds: [.technology], countries: ["KE"]))
        #expect(text.resolved.requestingCountries == ["KE"])
        #expect(text.resolved.filters == SearchFilters(kinds: [.technology]))
        let both = MatchRequest(text: "mangroves", requestingCountries: ["TZ"], filters: SearchFilters(countries: ["KE"]))
        #expect(both.resolved.requestingCountries == ["TZ"])
        #expect(both.resolved.filters.countries == ["KE"])
        let record = MatchRequest(id: "req-coast", filters: SearchFilters(countries: ["KE"]))
        #expect(record.resolved.requestingCountries.isEmpty)
        #expect(record.resolved.filters.countries == ["KE"])
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", Self.records)])
            // KE is where the request comes from, not a filter: the Kenyan record ranks with the reason.
            let response = try house.match(MatchRequest(text: "mangrove nurseries", filters: SearchFilters(countries: ["KE"])))
            let hit = try #require(response.hits.first)
            #expect(hit.id == "tech-mangrove")
            #expect(hit.reasons.contains("same country (Kenya)"))
            #expect(try house.match(MatchRequest(id: "req-coast")).hits.map(\.id).contains("tech-mangrove"))
            expectParameterError("text", "text: give a record id or a text, not both") {
                _ = try house.match(MatchRequest(id: "req-coast", text: "x"))
            }
            // The convenience calls check their parameters as the requests do (they took a
            // limit of -3 and the language "!!": library QA).
            expectParameterError("limit", "limit: -3 is below 0") { _ = try house.match(id: "req-coast", limit: -3) }
            expectParameterError("lang", "lang: \"!!\" is not a BCP 47 language tag") { _ = try house.similar(id: "req-coast", language: "!!") }
            expectParameterError("since", "since: \"2020-13\" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") {
                _ = try house.match(text: "mangroves", filters: SearchFilters(since: "2020-13"))
            }
            expectParameterError("limit", "limit: -1 is below 0") { _ = try house.suggest("man", limit: -1) }
        }
    }

    @Test func aPatternOnAKeywordFieldSaysTheFieldTakesWholeValues() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", Self.records)])
            #expect(try !house.search(SearchRequest(query: "kind:technology")).hits.isEmpty)
            let error = #expect(throws: ClearingHouseError.self) { try house.search(SearchRequest(query: "kind:tech*")) }
            #expect(error?.code == .invalidQuery)
            #expect(error?.message.contains("\"kind\" takes whole values (kind:VALUE)") == true, "\(String(describing: error))")
            let unknown = #expect(throws: ClearingHouseError.self) { try house.search(SearchRequest(query: "colour:red*")) }
            #expect(unknown?.message.contains("unknown field \"colour\"") == true)
        }
    }

    @Test func exportSelectionIsAllOnlyWithoutQueryAndFilters() {
        #expect(ClearingHouse.ExportSelection(query: nil) == .all)
        #expect(ClearingHouse.ExportSelection(query: "") == .matching(SearchRequest(query: "")))
        let filters = SearchFilters(kinds: [.technology])
        #expect(ClearingHouse.ExportSelection(query: nil, filters: filters) == .matching(SearchRequest(query: "", filters: filters)))
    }

    @Test func exportSelectionRejectsEachBadParameter() {
        expectParameterError("since", "since: \"2020-13\" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)") {
            try ClearingHouse.ExportSelection(query: nil, filters: SearchFilters(since: "2020-13")).validate()
        }
        expectParameterError("colour", "filter: unknown field \"colour\"; fields are: \(SearchRequest.facetFields.joined(separator: ", "))") {
            try ClearingHouse.ExportSelection(query: nil, filters: SearchFilters(fields: ["colour": ["red"]])).validate()
        }
        let error = #expect(throws: ClearingHouseError.self) { try ClearingHouse.ExportSelection(query: "mangrove AND").validate() }
        #expect(error?.code == .invalidQuery)
        #expect(error?.parameter == "query")
        #expect(error?.message.hasPrefix("invalid query: ") == true)
        #expect(throws: Never.self) { try ClearingHouse.ExportSelection.all.validate() }
    }
}

@Suite("Atomic export")
struct AtomicExportTests {
    /// Names in `directory` other than `keep`: temporary files left behind.
    func leftovers(_ directory: TemporaryDirectory, keeping keep: Set<String>) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !keep.contains($0) }
    }

    @Test func writesWhatTheStreamingExportWrites() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", RequestRuleTests.records)])
            for format in ClearingHouse.ExportFormat.allCases {
                for selection in [ClearingHouse.ExportSelection.all, .init(query: "community")] {
                    var streamed = ""
                    try house.export(format: format, selection: selection) { streamed += $0 }
                    let path = directory.path("out.\(format.rawValue)")
                    try house.export(format: format, selection: selection, toFile: path)
                    // (The oai_dc document's responseDate is the time of each export.)
                    let timeless = { (text: String) in
                        text.replacingOccurrences(of: "<responseDate>[^<]*</responseDate>", with: "", options: .regularExpression)
                    }
                    #expect(timeless(try String(contentsOfFile: path, encoding: .utf8)) == timeless(streamed))
                }
            }
            var all = ""
            try house.export(format: .jsonl, to: { all += $0 })
            #expect(all.split(separator: "\n").count == 3)
            #expect(try leftovers(directory, keeping: ["index", "r.json", "out.jsonl", "out.csv", "out.oai_dc"]).isEmpty)
        }
    }

    @Test func aMissingDirectoryIsATypedErrorAndWritesNothing() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", RequestRuleTests.records)])
            let path = directory.path("missing/out.jsonl")
            let error = #expect(throws: ClearingHouseError.self) { try house.export(format: .jsonl, selection: .all, toFile: path) }
            #expect(error?.code == .notFound)
            #expect(error?.message.hasPrefix("cannot write \(path): no such directory") == true)
            #expect(!FileManager.default.fileExists(atPath: directory.path("missing")))
        }
    }

    @Test func aFailedWriteLeavesNoPartialFileAndTheTargetAsItWas() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", RequestRuleTests.records)])
            // The rename at the end fails: the target is a directory that is not empty.
            let target = directory.path("taken")
            try directory.write("taken/keep.txt", "kept")
            let error = #expect(throws: ClearingHouseError.self) { try house.export(format: .jsonl, selection: .all, toFile: target) }
            #expect(error?.code == .storage)
            #expect(error?.message.hasPrefix("cannot write \(target): ") == true)
            #expect(try String(contentsOfFile: directory.path("taken/keep.txt"), encoding: .utf8) == "kept")
            #expect(try leftovers(directory, keeping: ["index", "r.json", "taken"]).isEmpty)

            // An invalid selection fails before anything is written: the old file stays.
            let previous = try directory.write("previous.jsonl", "old\n")
            #expect(throws: ClearingHouseError.self) {
                try house.export(format: .jsonl, selection: .init(query: "mangrove AND"), toFile: previous)
            }
            #expect(try String(contentsOfFile: previous, encoding: .utf8) == "old\n")
            #expect(try leftovers(directory, keeping: ["index", "r.json", "taken", "previous.jsonl"]).isEmpty)

            // A directory that cannot be written to (meaningless for root, who may write anywhere).
            if geteuid() != 0 {
                let locked = directory.url.appendingPathComponent("locked")
                try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
                try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: locked.path)
                defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: locked.path) }
                let error = #expect(throws: ClearingHouseError.self) {
                    try house.export(format: .csv, selection: .all, toFile: locked.appendingPathComponent("out.csv").path)
                }
                #expect(error?.code == .storage)
                #expect(try FileManager.default.contentsOfDirectory(atPath: locked.path).isEmpty)
            }
        }
    }
}

extension AtomicExportTests {
    /// A link is written through (the link stays, the file it names gets the export), and a
    /// target that is not a regular file is written to, not replaced (QA: `--output /dev/null`
    /// run as root replaced the device with a file; a FIFO became a file).
    @Test func linksAndSpecialFilesAreWrittenThroughNotReplaced() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([try directory.write("r.json", RequestRuleTests.records)])
            let target = try directory.write("target.jsonl", "old\n")
            let link = directory.path("link.jsonl")
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            try house.export(format: .jsonl, selection: .all, toFile: link)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
            #expect(try String(contentsOfFile: target, encoding: .utf8).split(separator: "\n").count == 3)

            try house.export(format: .jsonl, selection: .all, toFile: "/dev/null")
            var status = stat()
            #expect(stat("/dev/null", &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR)
            #expect(try leftovers(directory, keeping: ["index", "r.json", "target.jsonl", "link.jsonl"]).isEmpty)
        }
    }
}

@Suite("Run files and timing")
struct RunWriterTests {
    static let results = [
        ClearingHouse.BatchResult(queryID: "q2", hits: [("doc-b", 12.5), ("doc-a", 3.25)], seconds: 0.002),
        ClearingHouse.BatchResult(queryID: "q1", hits: [("doc-c", 0.1234567)], seconds: 0.004),
        ClearingHouse.BatchResult(queryID: "q3", hits: [], seconds: 0.001),
    ]

    @Test func runLinesAreTRECFormat() {
        #expect(
            TRECRun.text(of: Self.results, tag: "test") == """
                q2 Q0 doc-b 1 12.500000 test
                q2 Q0 doc-a 2 3.250000 test
                q1 Q0 doc-c 1 0.123457 test

                """)
    }

    @Test func aWrittenRunReadsBackWithTheReader() throws {
        try withTemporaryDirectory { directory in
            let path = directory.path("run.trec")
            try TRECRun.write(Self.results, toFile: path)
            let run = try TRECRun(contentsOf: path)
            #expect(run.ranking(for: "q2") == [.init(document: "doc-b", score: 12.5), .init(document: "doc-a", score: 3.25)])
            #expect(run.ranking(for: "q1") == [.init(document: "doc-c", score: 0.123457)])
            #expect(run.queries.count == 2)
            #expect(throws: ClearingHouseError.self) { try TRECRun.write(Self.results, toFile: directory.path("none/run.trec")) }
        }
    }

    @Test func latencyPercentilesAreNearestRank() throws {
        let summary = LatencySummary(milliseconds: [5, 1, 3, 2, 4])
        #expect(summary == LatencySummary(milliseconds: [1, 2, 3, 4, 5]))
        #expect((summary.median, summary.p99, summary.mean) == (3, 5, 3))
        #expect(LatencySummary(milliseconds: [1, 2, 3, 4]).median == 2)
        #expect(LatencySummary(milliseconds: []) == LatencySummary(milliseconds: [0]))
        let hundred = LatencySummary(milliseconds: (1...100).map(Double.init))
        #expect((hundred.median, hundred.p99) == (50, 99))
        let statistics = RunStatistics(Self.results, queryLoopSeconds: 0.5, indexBytes: 1234)
        #expect(statistics.latency == LatencySummary(milliseconds: [2, 4, 1]))
        #expect(
            try JSONValue(encoding: statistics).description
                == #"{"queries":3,"query_loop_s":0.5,"index_bytes":1234,"latency_ms":{"median":2,"p99":4,"mean":2.3333333333333335}}"#)
    }
}

@Suite("JSON documents are Codable")
struct ResponseCodingTests {
    /// Encodes with Foundation's encoder and decodes back; also decodes the library's own
    /// text (``JSONValue/init(encoding:)``), which front ends print.
    func roundTrip<T: Codable & Equatable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(T.self, from: data) == value, sourceLocation: sourceLocation)
        let printed = try JSONValue(encoding: value).description
        #expect(try JSONDecoder().decode(T.self, from: Data(printed.utf8)) == value, sourceLocation: sourceLocation)
        // The one-pass text is the tree's, byte for byte.
        #expect(try JSONValue.text(encoding: value) == printed, sourceLocation: sourceLocation)
    }

    static var response: SearchResponse {
        var hit = SearchResultHit(id: "tech-1", kind: .technology, title: "Mangrove nurseries", language: "en", score: 1.5)
        hit.snippet = Snippet(text: "Raising mangrove seedlings", highlights: [8..<16], language: "en")
        hit.reasons = ["shares theme: coasts"]
        hit.translations = ["mangroves [en] from 红树林"]
        hit.explanation = "1.5 = sum of"
        var response = SearchResponse(
            query: "mangrov", total: 7, totalLowerBound: 7, hits: [hit, SearchResultHit(id: "cs-2", kind: .caseStudy, title: "B", language: "fr", score: 0.25)],
            facets: ["kind": ["technology": 4, "caseStudy": 4, "funding": 9], "country": ["KE": 1]])
        response.stale = true
        response.correctedQuery = "mangrove"
        response.corrections = [
            SpellingCorrection(
                word: "mangrov", spelling: "mangrove", distance: 1, documentFrequency: 12, requested: false, wordDocumentFrequency: 12,
                isWrittenForm: true)
        ]
        response.expansions = [
            QueryExpansion(
                source: "红树林", matchedGroups: ["zh"], setID: "mangroves",
                added: [SynonymSet.Label(text: "mangroves", group: "en"), SynonymSet.Label(text: "manglares", group: "es")])
        ]
        response.facetLabels = ["theme": ["coasts": "Coasts", "a/b": "A \"quoted\" label"]]
        return response
    }

    @Test func searchResponsesKeepTheirDocumentedKeysInOrder() throws {
        #expect(
            try JSONValue(encoding: Self.response).description == """
                {"query":"mangrov","total":7,"hits":[{"id":"tech-1","kind":"technology","title":"Mangrove nurseries","language":"en",\
                "score":1.5,"snippet":"Raising <mark>mangrove</mark> seedlings","snippetText":"Raising mangrove seedlings",\
                "highlights":[[8,16]],"reasons":["shares theme: coasts"],"translations":["mangroves [en] from 红树林"],\
                "explanation":"1.5 = sum of"},{"id":"cs-2","kind":"caseStudy","title":"B","language":"fr","score":0.25}],\
                "stale":true,"correctedQuery":"mangrove","corrections":[{"word":"mangrov","spelling":"mangrove","distance":1,\
                "documents":12,"requested":false,"wordDocuments":12,"writtenForm":true}],"expansions":[{"from":"红树林","matched":["zh"],"concept":"mangroves",\
                "translations":[{"language":"en","label":"mangroves"},{"language":"es","label":"manglares"}]}],\
                "facets":{"country":{"KE":1},"kind":{"funding":9,"caseStudy":4,"technology":4}},\
                "facetLabels":{"theme":{"a/b":"A \\"quoted\\" label","coasts":"Coasts"}}}
                """)
        let plain = SearchResponse(query: "", total: nil, totalLowerBound: 0, hits: [], facets: [:])
        #expect(try JSONValue(encoding: plain).description == #"{"query":"","total":null,"hits":[]}"#)
        #expect(plain.jsonValue == (try JSONValue(encoding: plain)))
    }

    @Test func searchResponsesRoundTrip() throws {
        try roundTrip(Self.response)
        try roundTrip(SearchResponse(query: "", total: nil, totalLowerBound: 0, hits: [], facets: [:]))
    }

    @Test func reportsRoundTrip() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let records = try directory.write(
                "r.json",
                """
                [{"id": "tech-1", "kind": "technology", "title": "Mangrove nurseries", "colour": "red"},
                 {"id": "tech-2", "kind": "technology", "title": {"fr": "Pépinières"}}]
                """)
            var ingest = try house.ingest([records])
            #expect(ingest.warnings == 1)
            try roundTrip(ingest)
            ingest.peakMemoryBytes = 123_456
            try roundTrip(ingest)
            #expect(try JSONValue(encoding: ingest).description.hasSuffix(#","thesaurus":null,"peakMemoryBytes":123456}"#))

            let statistics = try house.statisticsReport()
            #expect(statistics.catalog.records == 2)
            try roundTrip(statistics)
            let stats = try JSONValue(encoding: statistics)
            guard case .object(let members) = stats else { throw CodingTestFailure() }
            #expect(members.map(\.0) == ["records", "kinds", "languages", "catalog", "index"])

            try roundTrip(try house.check())
            try roundTrip(try house.suggest("mangr"))
            try roundTrip(ClearingHouse.analyze("Mangrove nurseries", language: "en"))
            #expect(
                try JSONValue(encoding: ClearingHouse.analyze("Mangroves", language: "en")).description
                    == #"{"analyzer":"english-unaccented.2","tokens":[{"term":"mangrov","position":0,"start":0,"end":9}]}"#)
            let deleted = try house.delete(ids: ["tech-2", "nope"])
            try roundTrip(deleted)
            #expect(try JSONValue(encoding: deleted).description == #"{"deleted":["tech-2"],"missing":["nope"]}"#)
            try roundTrip(RunStatistics(RunWriterTests.results, queryLoopSeconds: 0.25, indexBytes: 1 << 40))
        }
    }

    /// The encoder behind every printed document: members in the order written (a key written
    /// twice keeps its place), objects of many members (a facet's values), nested arrays,
    /// scalars, and the coding path of a value that cannot be encoded.
    @Test func theDocumentEncoderKeepsOrderAndNamesThePathOfAFailure() throws {
        struct Twice: Encodable {
            enum Keys: String, CodingKey { case a, b }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(1, forKey: .a)
                try container.encode("x", forKey: .b)
                try container.encode([true, false], forKey: .a)
            }
        }
        #expect(try JSONValue(encoding: Twice()).description == #"{"a":[true,false],"b":"x"}"#)
        // Forty members in the order written, then one written again in its place.
        struct Many: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: DynamicKey.self)
                for index in 0..<40 { try container.encode(index, forKey: DynamicKey("k\(index)")) }
                try container.encode(-1, forKey: DynamicKey("k30"))
            }
        }
        guard case .object(let members) = try JSONValue(encoding: Many()) else { throw CodingTestFailure() }
        #expect(members.map(\.0) == (0..<40).map { "k\($0)" })
        #expect(members[30].1 == .number("-1") && members[31].1 == .number("31"))
        #expect(try JSONValue(encoding: [[1.5, 2], [Double.infinity]]).description == "[[1.5,2],[null]]")
        #expect(try JSONValue(encoding: ["b": ["x": Int64(7)]]).description == #"{"b":{"x":7}}"#)
        struct Refuses: Encodable {
            func encode(to encoder: any Encoder) throws {
                throw EncodingError.invalidValue(0, .init(codingPath: encoder.codingPath, debugDescription: "no"))
            }
        }
        struct Outer: Encodable { let inner: [Refuses] }
        do {
            _ = try JSONValue(encoding: Outer(inner: [Refuses(), Refuses()]))
            Issue.record("expected an error")
        } catch EncodingError.invalidValue(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["inner", "Index 0"])
        }
    }
}

private struct CodingTestFailure: Error {}

/// The one-pass JSON text (what chm prints and serves) is the tree encoder's description byte
/// for byte, whatever `encode(to:)` does: the patterns one pass cannot write fall back.
@Suite struct OnePassJSONTests {
    /// `value`'s one-pass text equals the tree's, and is `expected` when given.
    func expectSameText(_ value: some Encodable, _ expected: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let tree = try JSONValue(encoding: value).description
        #expect(try JSONValue.text(encoding: value) == tree, sourceLocation: sourceLocation)
        #expect(try JSONValue.utf8(encoding: value) == Array(tree.utf8), sourceLocation: sourceLocation)
        if let expected { #expect(tree == expected, sourceLocation: sourceLocation) }
    }

    enum Keys: String, CodingKey { case a, b, c }

    @Test func scalarsCollectionsAndOptionalsAreWrittenAsTheTreeWritesThem() throws {
        try expectSameText("a \"quoted\" line\n\u{1}é", #""a \"quoted\" line\n\u0001é""#)
        try expectSameText([1.5, 2, -0.0, .infinity, .nan, 1e300, 0.1])
        try expectSameText([Int8.min, 0, 7] as [Int8])
        try expectSameText([UInt64.max])
        try expectSameText([Float(0.5)])
        try expectSameText([true, false])
        try expectSameText([String?.none, "x"])
        try expectSameText(["b": ["x": Int64(7)]], #"{"b":{"x":7}}"#)
        try expectSameText([[Int]](), "[]")
        try expectSameText([[Int]()], "[[]]")
        try expectSameText([String: Int](), "{}")
        try expectSameText(ResponseCodingTests.response)
    }

    @Test func nestedContainersAndContainersLeftOpenAreClosedInOrder() throws {
        struct Nested: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var inner = container.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try inner.encode(1, forKey: .b)
                var list = inner.nestedUnkeyedContainer(forKey: .c)
                try list.encode("x")
                var deeper = list.nestedContainer(keyedBy: Keys.self)
                try deeper.encodeNil(forKey: .a)
                _ = list.nestedUnkeyedContainer()
                // Back to the outer object while the inner ones are still open.
                try container.encode(2, forKey: .b)
            }
        }
        try expectSameText(Nested(), #"{"a":{"b":1,"c":["x",{"a":null},[]]},"b":2}"#)
        struct Empty: Encodable {
            func encode(to encoder: any Encoder) throws {}
        }
        try expectSameText(Empty(), "{}")
        try expectSameText([Empty(), Empty()], "[{},{}]")
        struct Single: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode([3, 4])
            }
        }
        try expectSameText(["s": Single()], #"{"s":[3,4]}"#)
        // A second request for the same container adds to the first (as a subclass does).
        struct TwoRequests: Encodable {
            func encode(to encoder: any Encoder) throws {
                var first = encoder.container(keyedBy: Keys.self)
                try first.encode(1, forKey: .a)
                var second = encoder.container(keyedBy: Keys.self)
                try second.encode(2, forKey: .b)
            }
        }
        try expectSameText(TwoRequests(), #"{"a":1,"b":2}"#)
    }

    @Test func whatOnePassCannotWriteFallsBackToTheTree() throws {
        // A key written twice keeps its first place with the last value.
        struct Twice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(1, forKey: .a)
                try container.encode("x", forKey: .b)
                try container.encode([true, false], forKey: .a)
            }
        }
        try expectSameText(Twice(), #"{"a":[true,false],"b":"x"}"#)
        struct ManyTwice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: DynamicKey.self)
                for index in 0..<40 { try container.encode(index, forKey: DynamicKey("k\(index)")) }
                try container.encode(-1, forKey: DynamicKey("k30"))
            }
        }
        try expectSameText(ManyTwice())
        // A nested container written to after its parent moved on.
        struct Interleaved: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var inner = container.nestedUnkeyedContainer(forKey: .a)
                try container.encode(1, forKey: .b)
                try inner.encode(2)
            }
        }
        try expectSameText(Interleaved(), #"{"a":[2],"b":1}"#)
        // A single value written twice, an array asked for after an object, a super encoder.
        struct SingleTwice: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(1)
                try container.encode("two")
            }
        }
        try expectSameText(SingleTwice(), #""two""#)
        struct ArrayAfterObject: Encodable {
            func encode(to encoder: any Encoder) throws {
                var object = encoder.container(keyedBy: Keys.self)
                try object.encode(1, forKey: .a)
                var array = encoder.unkeyedContainer()
                try array.encode(2)
            }
        }
        try expectSameText(ArrayAfterObject())
        struct Super: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(1, forKey: .a)
                var base = container.superEncoder(forKey: .c).container(keyedBy: Keys.self)
                try base.encode(true, forKey: .b)
            }
        }
        try expectSameText(Super(), #"{"a":1,"c":{"b":true}}"#)
    }

    /// An `encode(to:)` that ignores an error (`try?`) and goes on gets the tree's text too.
    @Test func anEncodeThatIgnoresAnErrorStillGetsTheTreesText() throws {
        struct KeyTwiceIgnored: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try? container.encode(1, forKey: .a)
                try? container.encode(2, forKey: .a)
            }
        }
        try expectSameText(KeyTwiceIgnored(), #"{"a":2}"#)
        struct Refuses: Encodable {
            func encode(to encoder: any Encoder) throws { throw EncodingError.invalidValue(0, .init(codingPath: [], debugDescription: "no")) }
        }
        struct RefusalIgnored: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                try? container.encode(Refuses(), forKey: .a)
                try container.encode(1, forKey: .b)
            }
        }
        try expectSameText(RefusalIgnored(), #"{"a":{},"b":1}"#)
        // An array's count after the array was closed by a later member.
        struct CountLater: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var list = container.nestedUnkeyedContainer(forKey: .a)
                try list.encode(1)
                try container.encode(list.count, forKey: .b)
            }
        }
        try expectSameText(CountLater(), #"{"a":[1],"b":1}"#)
    }

    @Test func anErrorIsTheTreeEncodersWithItsPath() throws {
        struct Refuses: Encodable {
            func encode(to encoder: any Encoder) throws {
                throw EncodingError.invalidValue(0, .init(codingPath: encoder.codingPath, debugDescription: "no"))
            }
        }
        struct Outer: Encodable { let inner: [Refuses] }
        do {
            _ = try JSONValue.text(encoding: Outer(inner: [Refuses(), Refuses()]))
            Issue.record("expected an error")
        } catch EncodingError.invalidValue(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["inner", "Index 0"])
        }
    }
}

/// The language a keyword is analyzed in (and marked with on pages): the record's, unless
/// the keyword is written in another script.
@Suite struct KeywordLanguageTests {
    func language(_ keyword: String, record language: String, titles: [String: String]) -> String {
        ClearingHouse.language(
            ofKeyword: keyword,
            in: Record(id: "r", kind: .technology, language: language, title: LocalizedText(titles), keywords: [keyword]))
    }

    @Test(arguments: [
        // (keyword, record language, title languages, expected)
        ("irrigation", "en", ["en"], "en"),  // its own script
        ("irrigação", "pt", ["pt", "en"], "pt"),  // a language without an analyzer keeps its Latin keywords
        ("seeds", "und", ["en", "fr"], "und"),  // und keeps them too
        ("collecte des eaux", "ar", ["ar", "fr"], "fr"),  // the record's one Latin text language
        ("collecte des eaux", "ar", ["ar", "en", "fr"], "und"),  // English or French: not said
        ("collecte des eaux", "ar", ["ar"], "und"),  // no Latin text
        ("بذور", "en", ["en"], "ar"),  // the one language of its script
        ("红树林", "en", ["en", "zh-Hant"], "zh-Hant"),  // the record's text language of that script
        ("2023", "ar", ["ar"], "ar"),  // no letters
    ])
    func keywordLanguage(keyword: String, record: String, titles: [String], expected: String) {
        let titled = Dictionary(uniqueKeysWithValues: titles.map { ($0, "t") })
        #expect(language(keyword, record: record, titles: titled) == expected)
    }
}
