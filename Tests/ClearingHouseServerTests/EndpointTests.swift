// Every endpoint of `chm serve`, through HummingbirdTesting's router framework: the documents
// are the library's (the same bytes as `chm ... --json`).
import ClearingHouse
import ClearingHouseServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct EndpointTests {
    @Test func probesAndTheOpenAPIDocument() async throws {
        try await withServer { client, _ in
            let health = try await client.get("/healthz")
            #expect(health.status == .ok)
            #expect(health.object["status"] as? String == "ok")
            let ready = try await client.get("/readyz")
            #expect(ready.status == .ok)
            let openAPI = try await client.get("/openapi.json")
            #expect(openAPI.status == .ok)
            #expect(openAPI.headers[.contentType] == "application/json")
            #expect((openAPI.object["openapi"] as? String)?.hasPrefix("3.1") == true)
            let paths = openAPI.object["paths"] as? [String: Any] ?? [:]
            for path in ["/v1/search", "/v1/match", "/v1/records", "/v1/records/{id}", "/v1/records/{id}/similar",
                "/v1/records/{id}/matches", "/v1/stats", "/v1/suggest", "/healthz", "/readyz"]
            {
                #expect(paths[path] != nil, "\(path) missing from the OpenAPI document")
            }
        }
    }

    @Test func suggestAnswersTheLibrarysDocument() async throws {
        try await withServer { client, house in
            let response = try await client.get("/v1/suggest?q=mangr&limit=5&lang=en")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.text == (try JSONValue(encoding: try house.suggest("mangr", limit: 5, language: "en"))).description + "\n")
            let completions = try #require(response.object["completions"] as? [[String: Any]])
            #expect(completions.contains { ($0["word"] as? String)?.hasPrefix("mangrove") == true }, "\(response.text)")
            #expect(expectProblem(try await client.get("/v1/suggest?q=a&limit=101"), .badRequest)["parameter"] as? String == "limit")
            #expect(expectProblem(try await client.get("/v1/suggest?prefix=a"), .badRequest)["parameter"] as? String == "prefix")
        }
    }

    @Test func searchAnswersTheLibrarysDocumentPlusTookMs() async throws {
        try await withServer { client, house in
            let response = try await client.get("/v1/search?q=mangrove&facets=kind,country&lang=en&count=true")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(Set(response.hitIDs) == ["tech-mangrove", "req-mangrove"])
            #expect(response.object["took_ms"] is Double || response.object["took_ms"] is Int)
            // The same document as the library's (chm search --json), but for took_ms.
            let expected = try JSONValue(
                encoding: try house.search(SearchRequest(query: "mangrove", facets: ["kind", "country"], countTotal: true, language: "en")))
            let text = response.text
            let took = try #require(text.range(of: #",\"took_ms\":[0-9.eE+-]+\}\n$"#, options: .regularExpression))
            #expect(text[..<took.lowerBound] + "}" == expected.description)
            #expect(response.object["total"] as? Int == 2)
        }
    }

    @Test func searchParametersFiltersAndThePOSTForm() async throws {
        try await withServer { client, _ in
            // Values of one field OR, different fields AND.
            let either = try await client.get("/v1/search?q=&kind=technology&kind=bestPractice&limit=10")
            #expect(Set(either.hitIDs) == ["tech-mangrove", "bp-coral", "tech-fog"])
            let both = try await client.get("/v1/search?kind=technology&kind=bestPractice&country=KE")
            #expect(both.hitIDs == ["tech-mangrove"])
            let dated = try await client.get("/v1/search?since=2020&until=2021-12&sort=published")
            #expect(dated.hitIDs == ["bp-coral"])
            // A `+` in a query string is a space.
            let words = try await client.get("/v1/search?q=coral+gardening&expand=false&correct=false&minMatch=2")
            #expect(words.hitIDs == ["bp-coral"])
            let paged = try await client.get("/v1/search?q=&limit=1&offset=1&sort=published")
            #expect(paged.hitIDs.count == 1)
            // POST takes the same as a JSON body, arrays for repeated fields.
            let posted = try await client.post(
                "/v1/search", #"{"q": "", "kind": ["technology", "bestPractice"], "country": "KE", "limit": 5, "count": true}"#, key: nil)
            #expect(posted.status == .ok)
            #expect(posted.hitIDs == ["tech-mangrove"])
            #expect(posted.object["total"] as? Int == 1)
        }
    }

    @Test func recordsSimilarMatchesAndMatch() async throws {
        try await withServer { client, house in
            let record = try await client.get("/v1/records/tech-mangrove")
            #expect(record.status == .ok)
            #expect(record.text == (try house.canonicalJSON(id: "tech-mangrove") ?? "") + "\n")

            let similar = try await client.get("/v1/records/tech-mangrove/similar?limit=3")
            #expect(similar.status == .ok)
            #expect(!similar.hitIDs.contains("tech-mangrove"))
            #expect(similar.text == (try JSONValue(encoding: try house.similar(id: "tech-mangrove", limit: 3)).description) + "\n")

            let matches = try await client.get("/v1/records/req-mangrove/matches?lang=en")
            #expect(matches.status == .ok)
            #expect(matches.hitIDs.contains("tech-mangrove"))
            #expect(!matches.hitIDs.contains("req-mangrove"))

            let match = try await client.post(
                "/v1/match", #"{"text": "we need mangrove nurseries", "country": "KE", "limit": 5}"#, key: nil)
            #expect(match.status == .ok)
            #expect(match.hitIDs.first == "tech-mangrove")
            let expected = try house.match(MatchRequest(text: "we need mangrove nurseries", filters: SearchFilters(countries: ["KE"]), limit: 5))
            #expect(match.text == (try JSONValue(encoding: expected).description) + "\n")
            #expect(match.object["query"] as? String == "we need mangrove nurseries")

            // The kinds of help asked, as the library takes them.
            let help = try await client.post(
                "/v1/match", #"{"text": "we need mangrove nurseries", "assistanceTypes": ["equipment"], "limit": 5}"#, key: nil)
            #expect(help.status == .ok)
            let withHelp = try house.match(MatchRequest(text: "we need mangrove nurseries", assistanceTypes: ["equipment"], limit: 5))
            #expect(help.text == (try JSONValue(encoding: withHelp).description) + "\n")
            #expect(withHelp.hits.contains { $0.reasons.contains("offers equipment") })
        }
    }

    @Test func statistics() async throws {
        try await withServer { client, house in
            let stats = try await client.get("/v1/stats")
            #expect(stats.status == .ok)
            #expect(stats.headers[.xContentTypeOptions] == "nosniff")
            #expect(stats.object["records"] as? Int == 4)
            #expect((stats.object["kinds"] as? [String: Any])?["technology"] as? Int == 2)
            _ = house
        }
    }

    @Test func ingestJSONJSONLinesAndXMLThenDelete() async throws {
        try await withServer { client, house in
            let one = try await client.post("/v1/records", record("json-one", title: "Seagrass meadows"))
            #expect(one.status == .ok, "\(one.text)")
            #expect(one.object["added"] as? Int == 1)
            let wrapped = try await client.post(
                "/v1/records", #"{"records": [\#(record("json-two", title: "Kelp forests")), \#(record("json-three", title: "Salt marsh"))]}"#)
            #expect(wrapped.object["added"] as? Int == 2)
            let lines = try await client.post(
                "/v1/records", [record("line-one", title: "Peat bogs"), record("line-two", title: "Dune grass")].joined(separator: "\n"),
                contentType: "application/x-ndjson")
            #expect(lines.status == .ok)
            #expect(lines.object["added"] as? Int == 2)
            let xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <records xmlns="urn:chm:records:1">
                  <record id="xml-one" kind="technology" xml:lang="en"><title>Beehive fences</title></record>
                </records>
                """
            let fromXML = try await client.post("/v1/records", xml, contentType: "application/xml; charset=utf-8")
            #expect(fromXML.status == .ok, "\(fromXML.text)")
            #expect(fromXML.object["added"] as? Int == 1)
            #expect(try await client.get("/v1/search?q=beehive").hitIDs == ["xml-one"])
            #expect(try await client.get("/v1/search?q=kelp").hitIDs == ["json-two"])

            var headers: HTTPFields = [.authorization: "Bearer \(testKey)"]
            let deleted = try await client.execute(uri: "/v1/records/xml-one", method: .delete, headers: headers)
            #expect(deleted.status == .ok)
            #expect(deleted.object["deleted"] as? [String] == ["xml-one"])
            #expect(try house.record(id: "xml-one") == nil)
            expectProblem(try await client.get("/v1/records/xml-one"), .notFound)
            expectProblem(try await client.execute(uri: "/v1/records/xml-one", method: .delete, headers: headers), .notFound)
            headers[.authorization] = nil
            _ = headers
        }
    }

    @Test func skipInvalidStoresTheValidRecords() async throws {
        try await withServer { client, house in
            let body = [record("good-one", title: "Fine record"), #"{"id": "bad-one", "kind": "spaceship", "title": {"en": "No"}}"#]
                .joined(separator: "\n")
            let refused = try await client.post("/v1/records", body, contentType: "application/x-ndjson")
            let problem = expectProblem(refused, .unprocessableContent)
            let diagnostics = problem["diagnostics"] as? [[String: Any]] ?? []
            let error = try #require(diagnostics.first { $0["severity"] as? String == "error" })
            #expect(error["file"] as? String == "body")
            #expect(error["line"] as? Int == 2)
            #expect(error["record"] as? String == "bad-one")
            #expect(error["field"] as? String == "kind")
            #expect(error["message"] is String)
            #expect(try house.record(id: "good-one") == nil)

            let skipping = try await client.post("/v1/records?skipInvalid=true", body, contentType: "application/x-ndjson")
            #expect(skipping.status == .ok)
            #expect(skipping.object["added"] as? Int == 1)
            #expect(skipping.object["rejected"] as? Int == 1)
            #expect(try house.record(id: "good-one") != nil)
        }
    }
}
