import Foundation
import Testing

@testable import ClearingHouse

/// A long-lived `ClearingHouse` keeps one searcher open and refreshes it when a newer commit
/// exists (as Lucene's SearcherManager does); a search never writes.
@Suite("Shared searcher: refresh on commit")
struct SearcherRefreshTests {
    func record(_ id: String, _ title: String) -> String {
        #"{"id": "\#(id)", "kind": "resource", "title": "\#(title)"}"#
    }

    func openFileDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    @Test func aCommitFromAnotherWriterIsSeenByTheNextSearchAndAnUnchangedIndexIsNotReopened() throws {
        try withTemporaryDirectory { directory in
            let reader = try directory.house()
            let writer = try directory.house()  // another instance, as another process would be
            try writer.ingest([try directory.write("a.jsonl", record("a", "Peat bog survey"))])
            #expect(try reader.search(SearchRequest(query: "peat")).hits.map(\.id) == ["a"])
            let first = try reader.openSearcher()
            #expect(try reader.openSearcher() === first)  // nothing changed: the same snapshot
            // A search running on the old snapshot finishes on it while a commit lands.
            try writer.ingest([try directory.write("b.jsonl", record("b", "Peat swamp forest"))])
            #expect(try first.search(.term(field: nil, text: "peat")).hits.count == 1)
            #expect(Set(try reader.search(SearchRequest(query: "peat")).hits.map(\.id)) == ["a", "b"])
            #expect(try reader.openSearcher() !== first)
        }
    }

    /// A segment file cut short under a running server stopped it with SIGBUS at the next
    /// search that read past the new end (crash-safety QA). The shared searcher checks its
    /// files' sizes before each search: the search fails with what to do, and so does the
    /// readiness check, and the process goes on.
    @Test func aSegmentFileCutShortUnderTheSharedSearcherIsDamageNotACrash() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let lines = (0..<2000).map { record("r\($0)", "Peat bog survey \($0) in upland moors") }
            try house.ingest([try directory.write("a.jsonl", lines.joined(separator: "\n"))])
            #expect(try house.search(SearchRequest(query: "peat")).hits.count == 10)
            let segments = directory.url.appendingPathComponent("index/segments")
            let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: segments.path).first { $0.hasSuffix(".seg") })
            #expect(truncate(segments.appendingPathComponent(segment).path, 4096) == 0)
            #expect {
                try house.search(SearchRequest(query: "moors"))
            } throws: { error in
                let error = error as? ClearingHouseError
                return error?.code == .damaged && error?.message.contains("is shorter than when it was opened") == true
                    && error?.message.contains("chm check --repair") == true
            }
            #expect(throws: ClearingHouseError.self) { try house.checkSearchable() }
        }
    }

    @Test(.timeLimit(.minutes(3))) func aThousandRefreshesLeakNoFileHandle() throws {
        try withTemporaryDirectory { directory in
            let reader = try directory.house()
            let writer = try directory.house()
            try writer.ingest([try directory.write("seed.jsonl", record("seed", "Seed record"))])
            _ = try reader.search(SearchRequest(query: "seed"))
            let before = openFileDescriptors()
            for round in 0..<1000 {
                try writer.delete(ids: round == 0 ? ["seed"] : ["r\(round - 1)"])
                try writer.ingest([try directory.write("r.jsonl", record("r\(round)", "Round \(round) record"))])
                #expect(try reader.search(SearchRequest(query: "record")).hits.map(\.id) == ["r\(round)"])
            }
            // Each refresh released the segments of the snapshot before it: a leak would hold
            // one or more descriptors per round (1,000 or more). The margin is for the tests
            // that run beside this one in the same process and open files and sockets of their
            // own (a parallel run of the whole suite once held 79 more).
            #expect(openFileDescriptors() <= before + 256, "\(before) -> \(openFileDescriptors())")
        }
    }
}

/// Every rule a front end needs is the library's: bad request parameters are refused with a
/// message naming the parameter, with no CLI involved.
@Suite("Search requests validate themselves")
struct SearchRequestValidationTests {
    @Test(arguments: [
        (SearchRequest(query: "x", filters: SearchFilters(since: "2020-13")), "since", #"since: "2020-13" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"#),
        (SearchRequest(query: "x", filters: SearchFilters(until: "soon")), "until", #"until: "soon" is not a date"#),
        (SearchRequest(query: "x", limit: -1), "limit", "limit: -1 is below 0"),
        (SearchRequest(query: "x", offset: -5), "offset", "offset: -5 is below 0"),
        (SearchRequest(query: "x", minimumMatch: -2), "minMatch", "minMatch: -2 is below 0"),
        // (An offset near Int.max plus the limit overflowed in the searcher: the CLI trapped.)
        (SearchRequest(query: "x", offset: Int.max), "offset", "offset: \(Int.max) is above 100000"),
        (SearchRequest(query: "x", offset: 100_001), "offset", "offset: 100001 is above 100000"),
        (SearchRequest(query: "x", facets: ["colour"]), "facets", #"facets: unknown facet "colour""#),
        (SearchRequest(query: "x", language: "français"), "lang", #"lang: "français" is not a BCP 47 language tag"#),
        (SearchRequest(query: "x", filters: SearchFilters(fields: ["colour": ["red"]])), "colour", #"filter: unknown field "colour""#),
    ])
    func badParametersAreRefusedNamingTheParameter(request: SearchRequest, parameter: String, message: String) throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            do {
                _ = try house.search(request)
                Issue.record("accepted \(request)")
            } catch let error as ClearingHouseError {
                #expect(error.code == .invalidQuery)
                #expect(error.parameter == parameter)
                #expect(error.message.hasPrefix(message), "\(error.message)")
            }
        }
    }

    @Test func kindsAreParsedWithAHint() throws {
        #expect(try SearchFilters.kind(named: "caseStudy") == .caseStudy)
        #expect(throws: ClearingHouseError.self) { try SearchFilters.kind(named: "gadget") }
        do {
            _ = try SearchFilters.kind(named: "case-study")
            Issue.record("case-study accepted")
        } catch let error as ClearingHouseError {
            #expect(error.parameter == "kind" && error.message.contains(#"did you mean "caseStudy""#), "\(error.message)")
        }
    }
}
