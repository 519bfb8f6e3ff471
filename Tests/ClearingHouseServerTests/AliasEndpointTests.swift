// Aliases over HTTP: reading a record by an alias's id, its page, and merging.
import ClearingHouse
import ClearingHouseServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AliasEndpointTests {
    /// The seed's mangrove record as another node publishes it: the same content, another id
    /// and source.
    static let copy = #"{"id":"node-b:17","kind":"technology","title":{"en":"Community mangrove nurseries"},"summary":{"en":"Raising mangrove seedlings with coastal villages."},"countries":["KE"],"themes":["restoration"],"published":"2019-05","source":{"system":"node-b","originalId":"17"}}"#

    @Test func anAliasIsReadAsItsRecord() async throws {
        try await withServer { client, house in
            let posted = try await client.post("/v1/records", Self.copy)
            #expect(posted.status == .ok, "\(posted.text)")
            #expect(posted.object["aliased"] as? Int == 1)
            #expect(posted.object["added"] as? Int == 0)

            let byAlias = try await client.get("/v1/records/node-b%3A17")
            #expect(byAlias.status == .ok)
            #expect(byAlias.headers[.contentLocation] == "/v1/records/tech-mangrove")
            #expect(byAlias.object["id"] as? String == "tech-mangrove")
            let resolvedFrom = try #require(byAlias.object["resolvedFrom"] as? [String: Any])
            #expect(resolvedFrom["id"] as? String == "node-b:17")
            #expect(resolvedFrom["reason"] as? String == "content")
            #expect(byAlias.text == (try house.resolve(id: "node-b:17")?.documentText() ?? "") + "\n")
            // The record's own id: as before, without Content-Location.
            let own = try await client.get("/v1/records/tech-mangrove")
            #expect(own.headers[.contentLocation] == nil)
            #expect(own.text == (try house.canonicalJSON(id: "tech-mangrove") ?? "") + "\n")

            // Search shows one copy; similar and matches work from the alias.
            #expect(try await client.get("/v1/search?q=mangrove+nurseries").hitIDs.filter { $0 == "node-b:17" }.isEmpty)
            #expect(try await client.get("/v1/records/node-b%3A17/similar").status == .ok)
            #expect(try await client.get("/v1/records/node-b%3A17/matches").hitIDs == (try await client.get("/v1/records/tech-mangrove/matches").hitIDs))

            // Provenance: the record's aliases, from either id; the record page lists them.
            for path in ["/v1/records/tech-mangrove/provenance", "/v1/records/node-b%3A17/provenance"] {
                let provenance = try await client.get(path)
                #expect(provenance.status == .ok, "\(provenance.text)")
                #expect(provenance.object["id"] as? String == "tech-mangrove")
                #expect((provenance.object["aliases"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["node-b:17"])
                #expect((provenance.object["harvestedSets"] as? [Any])?.isEmpty == true)
            }
            expectProblem(try await client.get("/v1/records/nope/provenance"), .notFound)
            expectProblem(try await client.get("/v1/records/tech-mangrove/provenance?x=1"), .badRequest)
            #expect(try await client.get("/records/tech-mangrove").text.contains("<code>node-b:17</code>"))

            // The page redirects to the record's page, keeping the language.
            let page = try await client.get("/records/node-b%3A17?lang=fr")
            #expect(page.status == .found)
            #expect(page.headers[.location] == "/records/tech-mangrove?lang=fr")
        }
    }

    @Test func mergeNeedsAKeyAndNamesWhatIsWrong() async throws {
        try await withServer { client, house in
            let refused = try await client.post("/v1/records/tech-mangrove/merge", #"{"duplicates": "tech-fog"}"#, key: nil)
            expectProblem(refused, .unauthorized)
            expectProblem(try await client.post("/v1/records/tech-mangrove/merge", #"{"duplicates": ["nope"]}"#), .notFound)
            let itself = expectProblem(try await client.post("/v1/records/tech-mangrove/merge", #"{"duplicates": ["tech-mangrove"]}"#), .badRequest)
            #expect(itself["parameter"] as? String == "duplicates")
            let unknownMember = expectProblem(try await client.post("/v1/records/tech-mangrove/merge", #"{"others": ["tech-fog"]}"#), .badRequest)
            #expect(unknownMember["parameter"] as? String == "others")
            expectProblem(try await client.post("/v1/records/tech-mangrove/merge", #"{"duplicates": []}"#), .badRequest)
            #expect(try house.resolve(id: "tech-fog")?.alias == nil)

            let merged = try await client.post("/v1/records/tech-mangrove/merge", #"{"duplicates": "tech-fog"}"#)
            #expect(merged.status == .ok, "\(merged.text)")
            #expect(merged.object["merged"] as? [String] == ["tech-fog"])
            #expect(try house.resolve(id: "tech-fog")?.alias?.primary == "tech-mangrove")
            #expect(try await client.get("/v1/search?q=fog").hitIDs.isEmpty)
            let conflict = expectProblem(try await client.post("/v1/records/bp-coral/merge", #"{"duplicates": "tech-fog"}"#), .conflict)
            #expect(conflict["parameter"] as? String == "duplicates")
            #expect((conflict["detail"] as? String)?.contains("tech-fog is an alias of tech-mangrove") == true)
            let method = try await client.get("/v1/records/tech-mangrove/merge")
            #expect(method.status == .methodNotAllowed)
        }
    }
}
