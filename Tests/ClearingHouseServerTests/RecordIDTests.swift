// Record ids that are OAI-PMH identifiers (`/`, `?`, `#`, `%` and more) in the addresses of
// the API and the web pages: sent percent-encoded as one path segment, matched by the router
// on the raw segment and decoded once; every link the pages and the feed write encodes them.
import ClearingHouse
import ClearingHouseServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Record ids with URI characters in addresses")
struct RecordIDTests {
    /// Identifiers as real repositories publish them, and one with every awkward character.
    static let ids = [
        "oai:repo.example.org:10138/1074", "hdl:1765/308", "oai:bnf.fr:gallica/ark:/12148/bpt6k5440618t",
        "urn:x:a?b#c%20d&e+f=g;h[1]@i!$'()*,~",
    ]

    static let records =
        seedRecords + ids.enumerated().map { index, id in
            record(id, title: "Mangrove handle record \(index)", summary: "Mangrove nurseries described by a repository.", countries: ["KE"])
        }

    /// `id` as one path segment, as any client library encodes it (everything but the unreserved).
    static func encoded(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? ""
    }

    /// The records come back under their encoded ids, over the router and over a real connection
    /// (where nothing but the router sees the path).
    @Test(arguments: [TestingSetup.router, .live])
    func readsRecordsByEncodedID(setup: TestingSetup) async throws {
        try await withServer(records: Self.records, setup: setup) { client, _ in
            for id in Self.ids {
                let response = try await client.get("/v1/records/\(Self.encoded(id))")
                #expect(response.status == .ok, "\(id): \(response.text)")
                #expect(response.object["id"] as? String == id)
                let similar = try await client.get("/v1/records/\(Self.encoded(id))/similar?limit=3")
                #expect(similar.status == .ok, "\(id): \(similar.text)")
                #expect(!similar.hitIDs.contains(id))
                let matches = try await client.get("/v1/records/\(Self.encoded(id))/matches")
                #expect(matches.status == .ok, "\(id): \(matches.text)")
                let page = try await client.get("/records/\(Self.encoded(id))")
                #expect(page.status == .ok, "\(id)")
                #expect(page.text.contains("Mangrove handle record"))
            }
            // The issue's example: every reserved character escaped, `:` too.
            let example = try await client.get("/v1/records/oai%3Arepo.example.org%3A10138%2F1074")
            #expect(example.object["id"] as? String == "oai:repo.example.org:10138/1074")
            // `:` and `@` need no escaping in a segment.
            let readable = try await client.get("/v1/records/oai:repo.example.org:10138%2F1074")
            #expect(readable.object["id"] as? String == "oai:repo.example.org:10138/1074")
            // An unescaped `/` makes other segments: no such address.
            let unescaped = try await client.get("/v1/records/hdl:1765/308")
            expectProblem(unescaped, .notFound)
            // An escape of a character an id cannot hold: still no such record (404, not 500).
            expectProblem(try await client.get("/v1/records/a%20b"), .notFound)
        }
    }

    @Test func deletesARecordByEncodedID() async throws {
        try await withServer(records: Self.records) { client, house in
            var headers: HTTPFields = [:]
            headers[.authorization] = "Bearer \(testKey)"
            let id = "oai:bnf.fr:gallica/ark:/12148/bpt6k5440618t"
            let response = try await client.execute(uri: "/v1/records/\(Self.encoded(id))", method: .delete, headers: headers)
            #expect(response.status == .ok, "\(response.text)")
            #expect(try house.record(id: id) == nil)
            #expect(try house.record(id: "hdl:1765/308") != nil)
            let again = try await client.execute(uri: "/v1/records/\(Self.encoded(id))", method: .delete, headers: headers)
            expectProblem(again, .notFound)
        }
    }

    @Test func postsRecordsWithSuchIDs() async throws {
        try await withServer { client, house in
            let body = #"{"id": "oai:repo.example.org:10138/2000", "kind": "resource", "title": "Posted", "related": ["hdl:1765/308"]}"#
            let response = try await client.post("/v1/records", body)
            #expect(response.status == .ok, "\(response.text)")
            #expect(try house.record(id: "oai:repo.example.org:10138/2000")?.related == ["hdl:1765/308"])
            let refused = try await client.post("/v1/records", #"{"id": "a b", "kind": "resource", "title": "Refused"}"#)
            let problem = expectProblem(refused, .unprocessableContent)
            #expect((problem["detail"] as? String)?.contains("white space") == true)
        }
    }

    /// Links of the pages and the feed carry ids as one encoded segment.
    @Test func pagesAndTheFeedLinkEncodedIDs() async throws {
        try await withServer(records: Self.records) { client, _ in
            let search = try await client.get("/?q=handle").text
            #expect(search.contains(#"href="/records/oai:repo.example.org:10138%2F1074""#), "\(search)")
            #expect(search.contains(#"href="/records/hdl:1765%2F308""#))
            #expect(search.contains(#"href="/records/urn:x:a%3Fb%23c%2520d%26e%2Bf%3Dg%3Bh%5B1%5D@i%21%24%27%28%29%2A%2C~""#))
            let page = try await client.get("/records/hdl%3A1765%2F308?lang=fr").text
            #expect(page.contains(#"href="/v1/records/hdl:1765%2F308""#))
            #expect(page.contains(#"href="/records/hdl:1765%2F308?lang=en""#) || page.contains(#"href="/records/hdl:1765%2F308""#))
            let feed = try await client.get("/feed?q=handle").text
            #expect(feed.contains("<id>urn:chm:record:hdl:1765%2F308</id>"))
            #expect(feed.contains(#"/records/oai:repo.example.org:10138%2F1074""#))
            #expect(feed.contains("<id>urn:chm:record:urn:x:a%3Fb%23c%2520d%26e%2Bf%3Dg%3Bh%5B1%5D@i%21%24%27%28%29%2A%2C~</id>"))
        }
    }
}
