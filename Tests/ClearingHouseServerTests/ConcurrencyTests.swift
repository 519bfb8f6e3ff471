// Searches while records are being posted, over real HTTP connections: every answer is a
// 200 and every result comes from one commit (a batch is all there or not at all).
import ClearingHouse
import ClearingHouseServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@Suite struct ConcurrencyTests {
    /// A word only batch `number`'s records have (letters only, ending in one no stemmer
    /// removes, so analysis keeps each batch's word apart).
    static func word(_ number: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return "zyq" + String(letters[number / 26 % 26]) + String(letters[number % 26]) + "vk"
    }

    @Test func searchesWhileTwentyThousandRecordsArePosted() async throws {
        let batches = 20
        let perBatch = 1000
        let bodies = (0..<batches).map { batch in
            (0..<perBatch).map { item in
                #"{"id":"c\#(batch)-\#(item)","kind":"technology","title":{"en":"Item \#(item) of \#(Self.word(batch))"}}"#
            }.joined(separator: "\n")
        }
        let fixture = try Fixture(records: [])
        defer { fixture.remove() }
        let application = fixture.server(maxBodyBytes: 8 << 20).makeApplication()
        try await application.test(.ahc(.http)) { client in
            let writing = Counters()
            let searches = writing
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { writing.writing.store(false, ordering: .sequentiallyConsistent) }
                    for body in bodies {
                        let response = try await client.execute(
                            uri: "/v1/records", method: .post,
                            headers: [.authorization: "Bearer \(testKey)", .contentType: "application/x-ndjson"],
                            body: ByteBuffer(string: body))
                        #expect(response.status == .ok, "\(String(buffer: response.body).prefix(300))")
                    }
                }
                for searcher in 0..<3 {
                    group.addTask {
                        var batch = searcher
                        while writing.writing.load(ordering: .sequentiallyConsistent) {
                            batch = (batch * 7 + 3) % batches
                            let response = try await client.execute(
                                uri: "/v1/search?q=\(Self.word(batch))&count=true&limit=5&expand=false&correct=false", method: .get)
                            #expect(response.status == .ok)
                            let object = (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))) as? [String: Any]
                            let total = object?["total"] as? Int
                            #expect(total == 0 || total == perBatch, "batch \(batch): \(total.map(String.init) ?? "no total") of \(perBatch)")
                            let hits = object?["hits"] as? [[String: Any]] ?? []
                            #expect(hits.count == (total == 0 ? 0 : 5))
                            searches.searches.add(1, ordering: .relaxed)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(searches.searches.load(ordering: .relaxed) > 0)
            for batch in [0, batches / 2, batches - 1] {
                let response = try await client.execute(
                    uri: "/v1/search?q=\(Self.word(batch))&count=true&limit=0&expand=false&correct=false", method: .get)
                let object = (try? JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8))) as? [String: Any]
                #expect(object?["total"] as? Int == perBatch)
            }
        }
        #expect(try fixture.house.statistics().records == batches * perBatch)
    }
}

/// Shared state of the writer and the searchers.
final class Counters: Sendable {
    /// Whether the writer is still posting.
    let writing = Atomic<Bool>(true)
    /// Searches answered.
    let searches = Atomic<Int>(0)
}
