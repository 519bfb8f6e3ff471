// The two ways of reading a set-restricted OAI-PMH list (OAISetPlan) give the same pages, and
// the cheaper one is chosen by the set's size.
import Foundation
import GRDB
import Testing

@testable import ClearingHouse

@Suite struct OAISetPlanTests {
    @Test func bothPlansGiveTheSameListsForEverySet() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            // 60 records: three kinds in unequal shares, a country on a few of them.
            let kinds = ["technology", "bestPractice", "caseStudy"]
            let lines = (0..<60).map { index -> String in
                let countries = index % 13 == 0 ? #""countries": ["KE"]"# : #""countries": ["BR"]"#
                return recordJSON("r\(index)", kind: kinds[index % 7 == 0 ? 2 : index % 2], title: "Record \(index)", countries)
            }
            _ = try house.ingest([try directory.write("records.jsonl", lines.joined(separator: "\n") + "\n")])
            _ = try house.delete(ids: ["r0", "r13"])  // tombstones keep their sets
            let specs = try house.catalog.oaiSetSpecs()
            #expect(specs.contains("country:KE") && specs.contains("kind:caseStudy"))
            for spec in specs {
                var query = OAIItemQuery(from: Int.min, until: Int.max, set: spec, maxSequence: 0, after: nil)
                let (maxSequence, count) = try house.catalog.oaiStartList(query)
                query.maxSequence = maxSequence
                var lists: [[String]] = []
                for plan in [OAISetPlan.scan, .membersFirst, .automatic] {
                    var listed: [String] = []
                    var page = query
                    page.setSize = count
                    while true {
                        let items = try house.catalog.oaiItems(page, limit: 4, withJSON: true, plan: plan)
                        listed += items.map(\.id)
                        guard items.count == 4, let last = items.last else { break }
                        page.after = (last.datestamp, last.id)
                    }
                    lists.append(listed)
                }
                #expect(lists[0].count == count, "\(spec)")
                #expect(lists[1] == lists[0] && lists[2] == lists[0], "\(spec)")
                #expect(Set(lists[0]).count == lists[0].count, "\(spec)")
            }
        }
    }

    /// A record's set memberships follow its sets: replaced when it is stored again with
    /// others, kept by its tombstone, replaced again when it comes back.
    @Test func membershipsFollowTheSetsARecordIsStoredWith() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            func members(_ spec: String) throws -> [String] {
                var query = OAIItemQuery(from: Int.min, until: Int.max, set: spec, maxSequence: 0, after: nil)
                let (maxSequence, count) = try house.catalog.oaiStartList(query)
                query.maxSequence = maxSequence
                query.setSize = count
                return try house.catalog.oaiItems(query, limit: 100, withJSON: false, plan: .membersFirst).map(\.id)
            }
            func store(_ country: String, kind: String = "technology") throws {
                let line = recordJSON("r1", kind: kind, title: "Record \(country)", #""countries": ["\#(country)"]"#)
                _ = try house.ingest([try directory.write("r1-\(country)-\(kind).jsonl", line + "\n")])
            }
            try store("KE")
            #expect(try members("country:KE") == ["r1"] && members("country") == ["r1"])
            try store("BR", kind: "caseStudy")
            #expect(try members("country:KE").isEmpty && members("country:BR") == ["r1"] && members("country") == ["r1"])
            #expect(try members("kind:technology").isEmpty && members("kind:caseStudy") == ["r1"])
            _ = try house.delete(ids: ["r1"])
            #expect(try members("country:BR") == ["r1"])  // the tombstone
            try store("TZ")
            #expect(try members("country:BR").isEmpty && members("country:TZ") == ["r1"] && members("kind:technology") == ["r1"])
        }
    }

    /// The first ingest into an index builds the items' index by datestamp once, at its
    /// commit; a first ingest that rolls back leaves the index as it was; every item gets
    /// the commit's datestamp either way.
    @Test func theFirstIngestBuildsTheDatestampIndexAtItsCommit() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            func indexSQL() throws -> [String] {
                try house.catalog.read { db in
                    try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE tbl_name = 'oai_items' AND type = 'index' AND sql IS NOT NULL")
                }
            }
            let expected = [Catalog.oaiDatestampIndexSQL]
            #expect(try indexSQL() == expected)
            // A rolled-back first file: the drop rolls back with it.
            let bad = try directory.write("bad.jsonl", recordJSON("a") + "\n" + #"{"id": "b", "kind": "technology", "title": "B", "countries": ["XX"]}"# + "\n")
            #expect(try !house.ingest([bad]).succeeded)
            #expect(try indexSQL() == expected)
            let lines = (0..<30).map { recordJSON("r\($0)", title: "Record \($0)") }
            _ = try house.ingest([try directory.write("first.jsonl", lines.joined(separator: "\n") + "\n")])
            #expect(try indexSQL() == expected)
            let (unstamped, plan) = try house.catalog.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM oai_items WHERE datestamp IS NULL") ?? -1,
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT id FROM oai_items WHERE datestamp >= 0 ORDER BY datestamp, id")
                        .map { $0["detail"] as String }.joined()
                )
            }
            #expect(unstamped == 0)
            #expect(plan.contains("oai_items_datestamp"), "\(plan)")
            // A later ingest keeps the index row by row.
            _ = try house.ingest([try directory.write("more.jsonl", recordJSON("s1") + "\n")])
            #expect(try indexSQL() == expected)
            #expect(try house.catalog.oaiStartList(OAIItemQuery(from: Int.min, until: Int.max, set: nil, maxSequence: 0, after: nil)).count == 31)
        }
    }

    @Test func aSmallSetOfALargeCatalogStartsFromItsMembers() {
        // A million items, pages of 100: members first up to 10,000 members.
        #expect(OAISetPlan.cheaper(setSize: 40, items: 1_000_000, pageSize: 100) == .membersFirst)
        #expect(OAISetPlan.cheaper(setSize: 9_999, items: 1_000_000, pageSize: 100) == .membersFirst)
        #expect(OAISetPlan.cheaper(setSize: 10_000, items: 1_000_000, pageSize: 100) == .scan)
        #expect(OAISetPlan.cheaper(setSize: 400_000, items: 1_000_000, pageSize: 100) == .scan)
        #expect(OAISetPlan.cheaper(setSize: Int.max, items: 10, pageSize: 100) == .scan)
    }
}
