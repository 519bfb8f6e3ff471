// What a program that embeds the library meets (from a QA pass that wrote one): this file
// imports only `ClearingHouse`, as a README reader's program does, so it also proves that the
// engine's types the answers carry (BM25Parameters, QueryExpansion...) can be named. (Testable
// only for one package call, the server's catch-up.)
@testable import ClearingHouse
import Foundation
import Synchronization
import Testing

@Suite("Embedding the library")
struct EmbeddingTests {
    @Test func aDefaultLanguageThatIsNoTagIsRefusedBeforeAnythingIsRead() throws {
        try withTemporaryDirectory { directory in
            let house = try ClearingHouse(directory: directory.url.appendingPathComponent("index"))
            let path = try directory.write("r.json", #"{"id": "e3", "kind": "technology", "title": "Plain title"}"#)
            let options = IngestOptions(defaultLanguage: "english please")
            let message = #"defaultLanguage: "english please" is not a BCP 47 language tag (such as en, fr, zh or es-419)"#
            expectParameterError("defaultLanguage", message) { try house.ingest([path], options: options) }
            expectParameterError("defaultLanguage", message) {
                try house.ingest(body: Array(#"{"id": "e3", "kind": "technology", "title": "T"}"#.utf8), format: .json, displayName: "d", options: options)
            }
            expectParameterError("defaultLanguage", message) { _ = try ClearingHouse.validate([path], options: options) }
            #expect(try house.record(id: "e3") == nil)
            // A tag in another case is normalized, and used.
            try house.ingest([path], options: IngestOptions(defaultLanguage: "EN"))
            #expect(try house.record(id: "e3")?.language == "en")
        }
    }

    @Test func aNewIndexReportsTheParametersItsFirstCommitGets() throws {
        try withTemporaryDirectory { directory in
            let house = try ClearingHouse(directory: directory.url.appendingPathComponent("index"))
            let defaults: BM25Parameters = try house.bm25Parameters()
            #expect(defaults == BM25Parameters(k1: 1.5, b: 0.5))
            // Changing b alone keeps the clearing-house's k1, not the engine's 1.2.
            try house.reindex(ReindexRequest(b: 0.6))
            try house.ingest([try directory.write("r.json", recordJSON("a"))])
            #expect(try house.bm25Parameters() == BM25Parameters(k1: 1.5, b: 0.6))
        }
    }

    @Test func twoObjectsOnOneDirectoryWaitForEachOthersWrites() throws {
        try withTemporaryDirectory { directory in
            let url = directory.url.appendingPathComponent("index")
            let first = try ClearingHouse(directory: url)
            // (Through a symbolic link: the same directory.)
            let link = directory.url.appendingPathComponent("link")
            try FileManager.default.createSymbolicLink(at: link, withDestinationURL: url)
            let second = try ClearingHouse(directory: link)
            try second.ingest([try directory.write("b.json", recordJSON("b"))])
            // A file with an unknown field: its warning calls back while the first write holds
            // the gate; the second object's delete, on another thread, must wait, then succeed.
            let path = try directory.write("a.json", recordJSON("a", #""colour": "green""#))
            let inside = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let deleted = DispatchSemaphore(value: 0)
            let outcome = Mutex<Result<ClearingHouse.DeleteReport, any Error>?>(nil)
            DispatchQueue.global().async {
                _ = try? first.ingest([path]) { _ in
                    inside.signal()
                    release.wait()
                }
            }
            inside.wait()
            // What must not wait (a server's catch-up at its start) says the index is locked.
            let notWaiting = #expect(throws: ClearingHouseError.self) { try second.synchronizeIndexUnlessLocked() }
            #expect(notWaiting?.code == .locked)
            DispatchQueue.global().async {
                outcome.withLock { $0 = Result { try second.delete(ids: ["b"]) } }
                deleted.signal()
            }
            #expect(deleted.wait(timeout: .now() + 0.3) == .timedOut, "the second object's write did not wait")
            release.signal()
            deleted.wait()
            let report = try #require(outcome.withLock { $0 })
            #expect(try report.get().deleted == ["b"])
            #expect(try first.record(id: "a") != nil)
            // A write of the other object started from inside a callback, on the writing
            // thread, is refused rather than waiting for itself.
            let nested = Mutex<(any Error)?>(nil)
            try first.ingest([try directory.write("c.json", recordJSON("c", #""colour": "blue""#))]) { _ in
                do { try second.delete(ids: ["a"]) } catch { nested.withLock { $0 = error } }
            }
            #expect((nested.withLock { $0 } as? ClearingHouseError)?.code == .conflict)
        }
    }

    @Test func recordsBuiltInCodeAreIngestedAsABody() throws {
        try withTemporaryDirectory { directory in
            let house = try ClearingHouse(directory: directory.url.appendingPathComponent("index"))
            let good = Record(id: "tech-seed-bank", kind: .technology, language: "en", title: LocalizedText(["en": "Community seed banks"]))
            let report = try house.ingest(records: [good])
            #expect(report.added == 1)
            #expect(try house.search(SearchRequest(query: "seed")).hits.map(\.id) == ["tech-seed-bank"])
            // An invalid record (no id, an unknown country) stores nothing, and is named by place.
            let bad = Record(id: "", kind: .technology, title: LocalizedText(["en": "Untitled"]), countries: ["XX"])
            var seen: [Diagnostic] = []
            let refused = try house.ingest(records: [Record(id: "tech-2", kind: .technology, title: LocalizedText(["en": "Two"])), bad]) {
                seen.append($0)
            }
            #expect(refused.added == 0)
            #expect(try house.record(id: "tech-2") == nil)
            #expect(seen.contains { $0.severity == .error && $0.line == 2 }, "\(seen)")
        }
    }
}
