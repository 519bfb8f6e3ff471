// chm harvest against real HTTP peers: chm's own /oai provider on a live port, and scripted
// providers (also live Hummingbird servers) that answer 503, break mid-way, send bad pages,
// protocol errors, expired or repeated tokens.
@testable import ClearingHouse
@testable import ClearingHouseHarvester
import ClearingHouseServer
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import SearchCore
import Testing

@testable import Records

/// Twenty-odd records: the seed records and generated ones in several kinds and countries.
private let providerRecords: [String] =
    seedRecords
    + (1...19).map { number in
        record(
            "gen-\(number)", kind: number % 3 == 0 ? "bestPractice" : "technology", title: "Generated practice \(number)",
            summary: "Watershed restoration step \(number).", countries: [number % 2 == 0 ? "KE" : "BR"], published: "2020")
    }

/// Runs `body` with the base URL of a live chm server of `fixture` (OAI page size `pageSize`).
private func withProvider(
    _ fixture: Fixture, pageSize: Int = 5, _ body: @escaping @Sendable (String) async throws -> Void
) async throws {
    let server = ClearingHouseServer(
        house: fixture.house,
        configuration: ServerConfiguration(port: 0, logRequests: false, oai: OAIConfiguration(pageSize: pageSize)))
    try await server.makeApplication().test(.live) { client in
        let port = try #require(client.port)
        try await body("http://127.0.0.1:\(port)/oai")
    }
}

/// Runs `body` with a live chm provider of ``providerRecords`` (pages of 5) and an empty
/// clearing-house to harvest into.
private func withProviderAndHarvester(_ body: @escaping @Sendable (_ url: String, _ provider: ClearingHouse, _ harvester: ClearingHouse) async throws -> Void)
    async throws
{
    let provider = try Fixture(records: providerRecords)
    let harvester = try Fixture(records: [])
    defer {
        provider.remove()
        harvester.remove()
    }
    try await withProvider(provider) { url in try await body(url, provider.house, harvester.house) }
}

/// A response of a scripted provider.
private struct Scripted: Sendable {
    var status: HTTPResponse.Status = .ok
    var retryAfter: String?
    var location: String?
    var body: String
}

/// Runs `body` with the base URL of a live server whose `/oai` answers with `script(query,
/// request number)` (numbers from 1).
private func withScriptedProvider(
    _ script: @escaping @Sendable (String, Int) -> Scripted, _ body: @escaping @Sendable (String) async throws -> Void
) async throws {
    let counter = Mutex(0)
    let router = Router()
    router.get("oai") { request, _ -> Response in
        let number = counter.withLock { count in
            count += 1
            return count
        }
        let answer = script(request.uri.query ?? "", number)
        var headers: HTTPFields = [.contentType: "text/xml; charset=utf-8"]
        if let retryAfter = answer.retryAfter { headers[.retryAfter] = retryAfter }
        if let location = answer.location { headers[.location] = location }
        return Response(status: answer.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
    }
    let application = Application(router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)))
    try await application.test(.live) { client in
        let port = try #require(client.port)
        try await body("http://127.0.0.1:\(port)/oai")
    }
}

/// An OAI-PMH response around `inner`.
private func oaiResponse(_ verb: String, _ inner: String, date: String = "2026-01-02T03:04:05Z") -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
      <responseDate>\(date)</responseDate>
      <request verb="\(verb)">http://repository.example.org/oai</request>
      \(inner.isEmpty ? "" : "<\(verb)>\(inner)</\(verb)>")
    </OAI-PMH>
    """
}

private let identify = oaiResponse(
    "Identify",
    """
    <repositoryName>Scripted</repositoryName><baseURL>http://repository.example.org/oai</baseURL>
    <protocolVersion>2.0</protocolVersion><adminEmail>a@example.org</adminEmail>
    <earliestDatestamp>2000-01-01</earliestDatestamp><deletedRecord>no</deletedRecord><granularity>YYYY-MM-DD</granularity>
    """)

/// An oai_dc record (no title when `title` is nil).
private func dcRecord(_ id: String, title: String?, sets: [String] = []) -> String {
    """
    <record><header><identifier>\(id)</identifier><datestamp>2025-01-01</datestamp>\(sets.map { "<setSpec>\($0)</setSpec>" }.joined())</header>
    <metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
    \(title.map { "<dc:title>\($0)</dc:title>" } ?? "")<dc:type>technology</dc:type><dc:description>About \(id).</dc:description>
    </oai_dc:dc></metadata></record>
    """
}

/// A transport that passes requests to HTTP until `failAfter` of them succeeded, then
/// fails as an unreachable provider would.
private final class BreakingTransport: OAIHTTPTransport {
    let inner = HTTPTransport()
    let failAfter: Int
    let served = Mutex(0)

    init(failAfter: Int) { self.failAfter = failAfter }

    struct Unreachable: Error {}

    func get(_ url: String, timeout: Duration, maximumBytes: Int) async throws -> OAIHTTPResponse {
        let allowed = served.withLock { count in
            count += 1
            return count <= failAfter
        }
        guard allowed else { throw Unreachable() }
        return try await inner.get(url, timeout: timeout, maximumBytes: maximumBytes)
    }
}

/// A transport that, before the third request (the second page), takes the index's write
/// lock of `segments` as another process's write would (the engine's own writer: no
/// in-process gate), and lets it go a second later.
private final class LockingTransport: OAIHTTPTransport {
    let inner = HTTPTransport()
    let segments: URL
    let served = Mutex(0)

    init(segments: URL) { self.segments = segments }

    func get(_ url: String, timeout: Duration, maximumBytes: Int) async throws -> OAIHTTPResponse {
        let count = served.withLock { count in
            count += 1
            return count
        }
        if count == 3 {
            let locked = DispatchSemaphore(value: 0)
            Thread.detachNewThread { [segments] in
                let writer = try? IndexWriter(directory: segments, schema: RecordIndexing.schema)
                locked.signal()
                Thread.sleep(forTimeInterval: 1)
                writer?.close()
            }
            locked.wait()
        }
        return try await inner.get(url, timeout: timeout, maximumBytes: maximumBytes)
    }
}

/// Every record of `house` as canonical JSON, by id.
private func contents(_ house: ClearingHouse) throws -> [String: String] {
    var all: [String: String] = [:]
    try house.export(format: .jsonl) { line in
        for text in line.split(separator: "\n") where !text.isEmpty {
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            if let id = object?["id"] as? String { all[id] = String(text) }
        }
    }
    return all
}

@Suite("chm harvest")
struct HarvestTests {
    @Test("harvests every record of a chm provider, then only what changed")
    func fullThenIncremental() async throws {
        try await withProviderAndHarvester { url, provider, harvester in
            let first = try await harvester.harvest(HarvestRequest(baseURL: url))
            let report = try #require(first.harvests.first)
            #expect(report.complete && first.succeeded)
            #expect(report.pages == 5)  // 23 records, 5 a page
            #expect(report.added == providerRecords.count)
            #expect(report.from == nil)
            let harvested = try contents(harvester)
            #expect(Set(harvested.keys) == Set(try contents(provider).keys))
            let mangrove = try #require(try harvester.record(id: "tech-mangrove"))
            #expect(mangrove.title["en"] == "Community mangrove nurseries")
            #expect(mangrove.source?.url == url)
            #expect(mangrove.source?.originalId == "tech-mangrove")

            // Changes on the provider: one deleted, one added, one changed.
            _ = try provider.delete(ids: ["tech-fog"])
            _ = try provider.ingest(
                body: Array((record("new-one", title: "A new record") + "\n" + record("gen-1", title: "Renamed practice")).utf8),
                format: .jsonLines, displayName: "changes")
            let second = try #require(try await harvester.harvest(HarvestRequest(baseURL: url)).harvests.first)
            #expect(second.complete)
            #expect(second.from != nil)  // incremental
            #expect(second.deleted == 1 && second.added == 1 && second.updated == 1)
            #expect(try harvester.record(id: "tech-fog") == nil)
            #expect(try harvester.record(id: "gen-1")?.title["en"] == "Renamed practice")
            #expect(Set(try contents(harvester).keys) == Set(try contents(provider).keys))

            let sources = try harvester.harvestSources()
            #expect(sources.count == 1)
            #expect(sources.first?.harvests == 2)
            #expect(sources.first?.lastResponseDate == second.responseDate)
            #expect(sources.first?.isResumable == false)
        }
    }

    /// OAI QA: a record restored from a backup on the provider (older `updated`, newer
    /// datestamp) was skipped as older by every later harvest, so the copies never agreed.
    @Test("a harvest takes its provider's copy whatever its updated")
    func theProvidersCopyIsCurrent() async throws {
        try await withProviderAndHarvester { url, provider, harvester in
            func restore(_ title: String, updated: String) throws {
                let json = #"{"id":"restore-1","kind":"resource","title":{"en":"\#(title)"},"updated":"\#(updated)"}"#
                _ = try provider.ingest(body: Array(json.utf8), format: .jsonLines, displayName: "restore")
            }
            var request = HarvestRequest(baseURL: url)
            request.metadataPrefix = "chm"
            try restore("Original", updated: "2025-01-01T00:00:00Z")
            _ = try await harvester.harvest(request)
            #expect(try harvester.record(id: "restore-1")?.title["en"] == "Original")
            _ = try provider.delete(ids: ["restore-1"])
            try restore("Restored from backup", updated: "2024-01-01T00:00:00Z")
            let again = try #require(try await harvester.harvest(request).harvests.first)
            #expect(again.complete && again.updated == 1 && again.skipped == 0, "\(again)")
            #expect(try harvester.record(id: "restore-1")?.title["en"] == "Restored from backup")
            // A file's older copy is still skipped.
            let file = try harvester.ingest(
                body: Array(#"{"id":"restore-1","kind":"resource","title":{"en":"Older file"},"updated":"2023-01-01T00:00:00Z"}"#.utf8),
                format: .jsonLines, displayName: "older")
            #expect(file.skipped == 1 || file.rejected == 1)
            #expect(try harvester.record(id: "restore-1")?.title["en"] == "Restored from backup")
        }
    }

    @Test("after a harvest bounded by --until, the next incremental one starts from the bound, not from its responseDate")
    func incrementalAfterUntil() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:i:1", title: "One"), date: "2026-01-02T03:04:05Z"))
        }) { url in
            var bounded = HarvestRequest(baseURL: url)
            bounded.until = "2025-06-01"
            let first = try #require(try await harvester.house.harvest(bounded).harvests.first)
            #expect(first.complete && first.until == "2025-06-01")
            // Records changed between the bound and the responseDate were never asked for.
            let second = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first)
            #expect(second.complete)
            #expect(second.from == "2025-06-01", "\(second)")
            // An unbounded harvest: the next starts from its responseDate, as before.
            let third = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first)
            #expect(third.from == "2026-01-02", "\(third)")
            // An until after the responseDate bounds nothing that existed: the responseDate.
            var future = HarvestRequest(baseURL: url)
            future.until = "2030-01-01"
            _ = try await harvester.house.harvest(future)
            let fifth = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first)
            #expect(fifth.from == "2026-01-02", "\(fifth)")
        }
    }

    @Test("a base URL differing only in the case of its scheme and host is the same source")
    func baseURLCase() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:c:1", title: "One")))
        }) { url in
            let shouting = url.replacingOccurrences(of: "http://", with: "HTTP://")
            let first = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: shouting)).harvests.first)
            #expect(first.complete && first.baseURL == url)
            let second = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first)
            #expect(second.from != nil)  // incremental: the same source
            #expect(try harvester.house.harvestSources().map(\.baseURL) == [url])
            #expect(try harvester.house.record(id: "oai:c:1")?.source?.url == url)
        }
    }

    @Test("a set harvest keeps the sets of each record, and a record reached through two sets is one record")
    func sets() async throws {
        try await withProviderAndHarvester { url, provider, harvester in
            var request = HarvestRequest(baseURL: url)
            request.sets = ["country:KE", "kind:technology"]
            let report = try await harvester.harvest(request)
            #expect(report.harvests.map(\.set) == ["country:KE", "kind:technology"])
            #expect(report.harvests.allSatisfy { $0.complete })
            // tech-mangrove is a Kenyan technology: in both sets, stored once.
            #expect(report.harvests[0].added + report.harvests[1].added == (try contents(harvester)).count)
            let sets = try harvester.harvestedSets(id: "tech-mangrove").map(\.set)
            #expect(sets.contains("country:KE") && sets.contains("kind:technology"))
            #expect(try harvester.harvestedSets(id: "tech-mangrove").allSatisfy { $0.baseURL == url && $0.id == "tech-mangrove" })
            let provenance = try #require(try harvester.provenance(id: "tech-mangrove"))
            #expect(Set(provenance.harvestedSets.map(\.set)) == Set(sets))
            #expect(try harvester.harvestedSets(id: "no-such-record").isEmpty)
            // The harvester's own server shows them: the provenance document and the record page.
            let server = ClearingHouseServer(house: harvester, configuration: ServerConfiguration(port: 0, logRequests: false))
            try await server.makeApplication().test(.router) { client in
                try await client.execute(uri: "/v1/records/tech-mangrove/provenance", method: .get) { response in
                    #expect(response.status == .ok)
                    let document = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    let listed = (document?["harvestedSets"] as? [[String: Any]])?.compactMap { $0["set"] as? String } ?? []
                    #expect(Set(listed) == Set(sets))
                }
                try await client.execute(uri: "/records/tech-mangrove", method: .get) { response in
                    let page = String(buffer: response.body)
                    #expect(page.contains("class=\"harvested-sets\""))
                    #expect(page.contains("<code>country:KE</code>") && page.contains("<code>kind:technology</code>"))
                    #expect(page.contains(url))
                }
            }
            #expect(try harvester.harvestSources().count == 2)
        }
    }

    @Test("memberships are shown by provider, each provider and set once")
    func membershipsByProvider() {
        let memberships = [
            HarvestedSet(baseURL: "https://b.example.org/oai", set: "kind:technology", id: "x"),
            HarvestedSet(baseURL: "https://a.example.org/oai", set: "country:KE", id: "x"),
            HarvestedSet(baseURL: "https://b.example.org/oai", set: "country:KE", id: "x"),
            HarvestedSet(baseURL: "https://b.example.org/oai", set: "kind:technology", id: "copy-of-x"),
        ]
        let grouped = HarvestedSet.byProvider(memberships)
        #expect(grouped.map(\.baseURL) == ["https://b.example.org/oai", "https://a.example.org/oai"])
        #expect(grouped.map(\.sets) == [["kind:technology", "country:KE"], ["country:KE"]])
        #expect(HarvestedSet.byProvider([]).isEmpty)
    }

    @Test("a harvest that breaks resumes at its first uncommitted page and ends as an unbroken one")
    func resumes() async throws {
        let provider = try Fixture(records: providerRecords)
        let broken = try Fixture(records: [])
        let whole = try Fixture(records: [])
        defer {
            provider.remove()
            broken.remove()
            whole.remove()
        }
        try await withProvider(provider) { url in
            var request = HarvestRequest(baseURL: url)
            request.retryFor = .zero
            // Identify, then two pages, then the provider is unreachable.
            let transport = BreakingTransport(failAfter: 3)
            let stopped = try #require(try await broken.house.harvest(request, transport: transport).harvests.first)
            try await transport.inner.shutdown()
            #expect(!stopped.complete)
            #expect(stopped.pages == 2)
            #expect(stopped.failure?.contains("gave up") == true)
            let source = try #require(try broken.house.harvestSources().first)
            #expect(source.isResumable && source.resumablePages == 2)
            #expect(source.lastError != nil)
            #expect(try contents(broken.house).count == 10)

            let resumed = try #require(try await broken.house.harvest(HarvestRequest(baseURL: url)).harvests.first)
            #expect(resumed.resumed && resumed.complete)
            #expect(resumed.pages == 3)
            #expect(resumed.added == providerRecords.count - 10)
            _ = try await whole.house.harvest(HarvestRequest(baseURL: url))
            let brokenContents = try contents(broken.house)
            let wholeContents = try contents(whole.house)
            #expect(brokenContents == wholeContents)
            #expect(try broken.house.harvestSources().first?.isResumable == false)
        }
    }

    /// Operations QA: a harvest into the index of a busy server stopped after page 57 with
    /// the lock error (each page takes the lock; a server's write landed between two). Once a
    /// page is stored, the next waits for another process's write.
    @Test("a write of another process between two pages is waited for, not the end of the harvest")
    func aLockBetweenPagesIsWaitedFor() async throws {
        try await withProviderAndHarvester { url, _, harvester in
            let transport = LockingTransport(segments: harvester.segmentsDirectory)
            let outcome: Result<HarvestReport, any Error>
            do {
                outcome = .success(try await harvester.harvest(HarvestRequest(baseURL: url), transport: transport))
            } catch {
                outcome = .failure(error)
            }
            try await transport.inner.shutdown()
            let report = try #require(try outcome.get().harvests.first)
            let result = try outcome.get()
            #expect(report.complete && result.succeeded, "\(report.failure ?? "")")
            #expect(report.added == providerRecords.count)
            #expect(transport.served.withLock { $0 } >= 4)
        }
    }

    /// Operations QA: a provider that went away mid-harvest was reported with the HTTP
    /// client's nested description (`connection reset (error set): Connection refused) (errno:
    /// 111)))`). A connection closed before any answer is said in words.
    @Test("a provider that closes the connection without answering is said in words")
    func aClosedConnectionIsSaidInWords() async throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        try #require(bound && listen(listener, 16) == 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread {
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 { break }
                close(connection)
            }
        }
        defer {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        var request = HarvestRequest(baseURL: "http://127.0.0.1:\(port)/oai")
        request.retryFor = .zero
        let report = try #require(try await harvester.house.harvest(request).harvests.first)
        let failure = report.failure ?? ""
        // (Closed before the request was read, or while: a reset, which the kernel may say; on
        // a loaded machine the client may say it otherwise. Never the nested dump.)
        #expect(!failure.isEmpty && !report.complete)
        #expect(!failure.contains("errno") && !failure.contains("error set"), "\(failure)")
    }

    @Test("503 with Retry-After is retried; a provider that never recovers is given up on, with a clear message")
    func retries() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        try await withScriptedProvider({ query, number in
            if number <= 2 { return Scripted(status: .serviceUnavailable, retryAfter: "1", body: "busy") }
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:x:1", title: "One")))
        }) { url in
            var notices: [String] = []
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: url), diagnostics: { notices.append($0.message) })
            #expect(report.succeeded)
            #expect(report.harvests.first?.added == 1)
            #expect(notices.filter { $0.contains("HTTP 503; retrying in 1 s") }.count == 2)
        }
        try await withScriptedProvider({ _, _ in Scripted(status: .serviceUnavailable, retryAfter: "1", body: "busy") }) { url in
            var request = HarvestRequest(baseURL: url)
            request.retryFor = .seconds(2)
            let report = try await harvester.house.harvest(request)
            let failure = try #require(report.harvests.first?.failure)
            #expect(failure.contains("gave up") && failure.contains("HTTP 503"))
            #expect(!report.succeeded)
        }
        // Delay-seconds too large for 64 bits count as the longest wait (a year), as the
        // largest 64-bit ones do: they were ignored, and the harvest asked again at once.
        try await withScriptedProvider({ _, _ in Scripted(status: .serviceUnavailable, retryAfter: "99999999999999999999999", body: "busy") }) { url in
            var request = HarvestRequest(baseURL: url)
            request.retryFor = .seconds(30)
            let started = ContinuousClock.now
            let failure = try #require(try await harvester.house.harvest(request).harvests.first?.failure)
            #expect(failure.contains("HTTP 503"), "\(failure)")
            #expect(ContinuousClock.now - started < .seconds(10), "retried for \(ContinuousClock.now - started)")
        }
        // Nobody listens on the port.
        var request = HarvestRequest(baseURL: "http://127.0.0.1:9/oai")
        request.retryFor = .seconds(1)
        let transport = HTTPTransport(connectTimeout: .milliseconds(300))
        let report = try await harvester.house.harvest(request, transport: transport)
        try await transport.shutdown()
        #expect(report.harvests.first?.failure?.contains("cannot reach the provider (connection refused)") == true, "\(report)")
    }

    @Test("an invalid record is left out, the rest of its page kept; a page that is not XML stops the harvest, naming the page")
    func badPages() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            if query.contains("resumptionToken") { return Scripted(body: "<html><body>Proxy error</body></html>") }
            let page =
                dcRecord("oai:x:1", title: "One") + dcRecord("oai:x:2", title: nil) + dcRecord("oai:x:3", title: "Three")
                + #"<resumptionToken completeListSize="6" cursor="0">page2</resumptionToken>"#
            return Scripted(body: oaiResponse("ListRecords", page))
        }) { url in
            var diagnostics: [Diagnostic] = []
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: url), diagnostics: { diagnostics.append($0) })
            let harvest = try #require(report.harvests.first)
            #expect(harvest.added == 2 && harvest.rejected == 1 && harvest.pages == 1)
            let invalid = try #require(diagnostics.first { $0.recordID == "oai:x:2" })
            #expect(invalid.file == "\(url) [page 1]")
            #expect(invalid.field == "title")
            let failure = try #require(harvest.failure)
            #expect(failure.contains("page 2") && failure.contains("not"))
            // (A page broken at the provider fails the same way again: the message says so.)
            #expect(failure.contains("run the harvest again to resume from this page") && failure.contains("ask the provider to mend it"), "\(failure)")
            #expect(try harvester.house.record(id: "oai:x:3") != nil)
            #expect(try harvester.house.harvestSources().first?.resumablePages == 1)
        }
    }

    @Test("a harvested copy of a stored record under an id of its own is an alias, and the report counts it")
    func harvestedCopiesAreCountedAsAliases() async throws {
        // (dc:type is the kind, dc:title the title, dc:description the summary.)
        let local = #"{"id":"local-copy","kind":"technology","title":{"und":"Copied"},"summary":{"und":"About oai:h:7."}}"#
        let harvester = try Fixture(records: [local])
        defer { harvester.remove() }
        try await withScriptedProvider({ query, _ in
            Scripted(body: query.contains("Identify") ? identify : oaiResponse("ListRecords", dcRecord("oai:h:7", title: "Copied")))
        }) { url in
            let harvest = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first)
            #expect(harvest.aliased == 1 && harvest.added == 0 && harvest.complete, "\(harvest)")
            let json = try #require(try JSONValue(encoding: harvest).description.data(using: .utf8))
            #expect(String(decoding: json, as: UTF8.self).contains(#""aliased":1"#))
            #expect(try harvester.house.resolve(id: "oai:h:7")?.alias?.primary == "local-copy")
        }
    }

    @Test("two providers' copies of one record under ids of their own are one record and an alias")
    func twoProvidersCopiesAreAliases() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        let shared = dcRecord("oai:a:1", title: "Shared")
        let copy = dcRecord("oai:b:1", title: "Shared").replacingOccurrences(of: "About oai:b:1.", with: "About oai:a:1.")
        try await withScriptedProvider({ query, _ in Scripted(body: query.contains("Identify") ? identify : oaiResponse("ListRecords", shared)) }) { a in
            try await withScriptedProvider({ query, _ in Scripted(body: query.contains("Identify") ? identify : oaiResponse("ListRecords", copy)) }) { b in
                let first = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: a)).harvests.first)
                #expect(first.added == 1, "\(first)")
                // (Every harvested record was of one source, `oai-pmh`, so this was a second record.)
                let second = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: b)).harvests.first)
                #expect(second.aliased == 1 && second.added == 0, "\(second)")
                #expect(try harvester.house.resolve(id: "oai:b:1")?.alias?.primary == "oai:a:1")
            }
        }
    }

    @Test("a harvest replaces and deletes only records harvested from its own base URL, never those ingested or harvested elsewhere")
    func recordsFromElsewhereAreKept() async throws {
        let harvester = try Fixture(records: [record("oai:h:1", title: "Local one"), record("oai:h:2", title: "Local two")])
        defer { harvester.remove() }
        let deleted = #"<record><header status="deleted"><identifier>oai:h:2</identifier><datestamp>2025-01-01</datestamp></header></record>"#
        // Provider A claims the two local ids (one replaced, one deleted) and brings oai:h:3.
        let claims = dcRecord("oai:h:1", title: "Hijacked") + deleted + dcRecord("oai:h:3", title: "Three")
        try await withScriptedProvider({ query, _ in
            Scripted(body: query.contains("Identify") ? identify : oaiResponse("ListRecords", claims))
        }) { a in
            var diagnostics: [Diagnostic] = []
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: a), diagnostics: { diagnostics.append($0) })
            let harvest = try #require(report.harvests.first)
            #expect(harvest.complete && harvest.added == 1 && harvest.deleted == 0 && harvest.updated == 0, "\(harvest)")
            #expect(harvest.rejected == 2 && !report.succeeded, "\(harvest)")
            #expect(try harvester.house.record(id: "oai:h:1")?.title["en"] == "Local one")
            #expect(try harvester.house.record(id: "oai:h:2") != nil)
            let replaced = try #require(diagnostics.first { $0.recordID == "oai:h:1" })
            #expect(replaced.severity == .error && replaced.file == "\(a) [page 1]")
            #expect(replaced.message.contains("ingested from seed") && replaced.message.contains("chm delete oai:h:1"), "\(replaced.message)")
            let deletion = try #require(diagnostics.first { $0.recordID == "oai:h:2" })
            #expect(deletion.message.contains("deletion not applied") && deletion.message.contains("chm delete oai:h:2"), "\(deletion.message)")
            #expect(try harvester.house.harvestSources().first?.rejected == 2)

            // Provider B claims what A brought: kept, and named as A's.
            try await withScriptedProvider({ query, _ in
                Scripted(body: query.contains("Identify") ? identify : oaiResponse("ListRecords", dcRecord("oai:h:3", title: "Stolen")))
            }) { b in
                var messages: [String] = []
                let other = try #require(
                    try await harvester.house.harvest(HarvestRequest(baseURL: b), diagnostics: { messages.append($0.message) }).harvests.first)
                #expect(other.rejected == 1 && other.updated == 0, "\(other)")
                #expect(try harvester.house.record(id: "oai:h:3")?.title["und"] == "Three")
                #expect(messages.contains { $0.contains("harvested from \(a)") }, "\(messages)")
            }
            // Once the local copy is deleted, A's copy is taken.
            _ = try harvester.house.delete(ids: ["oai:h:1"])
            let again = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: a)).harvests.first)
            #expect(again.added == 1 && again.rejected == 1, "\(again)")
            #expect(try harvester.house.record(id: "oai:h:1")?.title["und"] == "Hijacked")
        }
        // A provider's own records are still replaced: an oai_dc copy (its source.url is the
        // base URL), and a chm record that names a source of its own (stored from its pages).
        let own = Mutex(0)
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            let round = own.withLock { $0 }
            let native = """
                <record><header><identifier>oai:h:9</identifier><datestamp>2025-01-01</datestamp></header><metadata>
                <record xmlns="urn:chm:records:1" id="oai:h:9" kind="technology"><title xml:lang="en">Native \(round)</title>
                <source system="zenodo" url="https://zenodo.org/records/9" originalId="9"/></record></metadata></record>
                """
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:h:8", title: "Round \(round)") + native))
        }) { url in
            var request = HarvestRequest(baseURL: url)
            request.metadataPrefix = "chm"
            let first = try #require(try await harvester.house.harvest(request).harvests.first)
            #expect(first.added == 2 && first.rejected == 0, "\(first)")
            #expect(try harvester.house.record(id: "oai:h:9")?.source?.url == "https://zenodo.org/records/9")
            own.withLock { $0 = 1 }
            let second = try #require(try await harvester.house.harvest(request).harvests.first)
            #expect(second.updated == 2 && second.rejected == 0, "\(second)")
            #expect(try harvester.house.record(id: "oai:h:9")?.title["en"] == "Native 1")
        }
    }

    @Test("OAI-PMH errors: badArgument stops with its code, noRecordsMatch completes, a repeated token stops the loop")
    func protocolErrors() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(body: oaiResponse("ListRecords", "") .replacingOccurrences(of: "</OAI-PMH>", with: #"<error code="badArgument">from is not a date</error></OAI-PMH>"#))
        }) { url in
            let failure = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first?.failure)
            #expect(failure.contains("badArgument: from is not a date"))
        }
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(body: oaiResponse("ListRecords", "").replacingOccurrences(of: "</OAI-PMH>", with: #"<error code="noRecordsMatch"/></OAI-PMH>"#))
        }) { url in
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: url))
            #expect(report.succeeded && report.harvests.first?.added == 0)
        }
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:y:1", title: "Loop") + "<resumptionToken>same</resumptionToken>"))
        }) { url in
            let failure = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first?.failure)
            #expect(failure.contains("same resumption token twice"))
        }
    }

    /// OAI QA: a second harvest of the same provider, started while the first ran, said it
    /// was resuming the first one's position, then failed on the write lock. It now stops at
    /// once, naming the holder; another provider's lock is another file.
    @Test("one harvest of a provider at a time in an index")
    func oneHarvestOfAProviderAtATime() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        let url = "http://127.0.0.1:9/oai"
        var held: HarvestLock? = try HarvestLock(directory: harvester.house.directory, baseURL: url)
        do {
            _ = try await harvester.house.harvest(HarvestRequest(baseURL: url))
            Issue.record("a second harvest of \(url) started")
        } catch let error as ClearingHouseError {
            #expect(error.code == .conflict && error.message.contains("already running"), "\(error.message)")
        }
        #expect(throws: ClearingHouseError.self) { _ = try HarvestLock(directory: harvester.house.directory, baseURL: url) }
        _ = try HarvestLock(directory: harvester.house.directory, baseURL: "http://127.0.0.1:10/oai")
        #expect(held != nil)
        // Released with its holder.
        held = nil
        _ = try HarvestLock(directory: harvester.house.directory, baseURL: url)
    }

    /// OAI QA: a responseDate that is no date was kept, and every later harvest silently
    /// asked for everything again.
    @Test("a responseDate that is no date is a warning, and the next harvest starts from this machine's clock")
    func aResponseDateThatIsNoDate() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:g:1", title: "One"), date: "garbage"))
        }) { url in
            var diagnostics: [Diagnostic] = []
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: url), diagnostics: { diagnostics.append($0) })
            #expect(report.succeeded)
            #expect(diagnostics.contains { $0.severity == .warning && $0.message.contains("responseDate \"garbage\" is no date") }, "\(diagnostics)")
            let stored = try #require(try harvester.house.harvestSources().first?.lastResponseDate)
            #expect(stored != "garbage" && stored.hasSuffix("Z"), "\(stored)")
        }
    }

    /// Maintainer QA: a provider whose clock said 2099 set the next harvest's `from` to 2099
    /// without a word. The date is kept (the provider's datestamps may follow it), with a warning.
    @Test("a responseDate far ahead of this machine's clock is a warning")
    func aResponseDateInTheFuture() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:f:1", title: "One"), date: "2099-01-01T00:00:00Z"))
        }) { url in
            var diagnostics: [Diagnostic] = []
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: url), diagnostics: { diagnostics.append($0) })
            #expect(report.succeeded)
            #expect(diagnostics.contains { $0.severity == .warning && $0.message.contains("ahead of this machine's clock") }, "\(diagnostics)")
            #expect(try harvester.house.harvestSources().first?.lastResponseDate == "2099-01-01T00:00:00Z")
        }
    }

    @Test("messages say what happened: a page past the parser's limits, a record in another format, every error code, a redirect not followed")
    func clearMessages() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        // One text over libxml2's 10,000,000 bytes: the page can never be parsed.
        let huge = String(repeating: "A", count: 10_500_000)
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:l:1", title: "One") + dcRecord("oai:l:2", title: huge)))
        }) { url in
            let failure = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first?.failure)
            #expect(failure.contains("[page 1]: the page is too large: it cannot be parsed: a text is longer than 10,000,000 bytes"), "\(failure.prefix(400))")
            #expect(failure.contains("will not help") && failure.contains("ask the provider"), "\(failure.prefix(400))")
            #expect(!failure.contains("not well-formed") && !failure.contains("run the harvest again"), "\(failure.prefix(400))")
        }
        // A record of unknown metadata in an oai_dc page: that record alone, by its id.
        let junk = #"<record><header><identifier>oai:j:2</identifier><datestamp>2025-01-01</datestamp></header><metadata><junk/></metadata></record>"#
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(
                body: oaiResponse("ListRecords", dcRecord("oai:j:1", title: "One") + junk + dcRecord("oai:j:3", title: "Three"))
                    .replacingOccurrences(of: #"<request verb="ListRecords">"#, with: "<request>"))
        }) { url in
            var diagnostics: [Diagnostic] = []
            let harvest = try #require(
                try await harvester.house.harvest(HarvestRequest(baseURL: url), diagnostics: { diagnostics.append($0) }).harvests.first)
            #expect(harvest.added == 2 && harvest.rejected == 1, "\(harvest)")
            let errors = diagnostics.filter { $0.severity == .error }
            #expect(errors.count == 1, "\(errors)")
            #expect(errors.first?.recordID == "oai:j:2" && errors.first?.field == "metadata", "\(errors)")
            #expect(errors.first?.message.contains("<junk> in http://www.openarchives.org/OAI/2.0/, not oai_dc as the response was asked for") == true, "\(errors)")
        }
        // Several errors: every code.
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(
                body: oaiResponse("ListRecords", "").replacingOccurrences(
                    of: "</OAI-PMH>", with: #"<error code="badArgument">first</error><error code="cannotDisseminateFormat">second</error></OAI-PMH>"#))
        }) { url in
            let failure = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first?.failure)
            #expect(failure.contains("2 OAI-PMH errors: badArgument: first; cannotDisseminateFormat: second"), "\(failure)")
        }
        // A redirect to a file: URL is not followed, and the message says why.
        try await withScriptedProvider({ _, _ in Scripted(status: .found, location: "file:///etc/passwd", body: "") }) { url in
            let failure = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first?.failure)
            #expect(failure.contains("answered HTTP 302, a redirect to file:///etc/passwd, which is not followed: its scheme is file"), "\(failure)")
        }
        // A redirect to a port above 65535 made the HTTP client trap (the whole process);
        // it is not followed, and the harvest says so. So is a base URL with such a port.
        try await withScriptedProvider({ _, _ in Scripted(status: .found, location: "http://127.0.0.1:99999/oai", body: "") }) { url in
            let failure = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first?.failure)
            #expect(failure.contains("a redirect to http://127.0.0.1:99999/oai that was not followed"), "\(failure)")
        }
        for bad in ["http://127.0.0.1:99999/oai", "http://localhost:84246/oai", "http://localhost:0/oai"] {
            #expect(throws: ClearingHouseError.self) { try HarvestRequest(baseURL: bad).validated() }
        }
        #expect(HTTPTransport.redirectTarget("/other", from: "http://a.example:8080/oai") == "http://a.example:8080/other")
        #expect(HTTPTransport.redirectTarget("https://b.example/oai", from: "http://a.example/oai") == "https://b.example/oai")
        #expect(HTTPTransport.redirectTarget("ftp://b.example/oai", from: "http://a.example/oai") == nil)
        #expect(HTTPTransport.redirectTarget("http://b.example:70000/x", from: "http://a.example/oai") == nil)
        // A redirect to an http URL is followed (by the transport itself now).
        try await withScriptedProvider({ query, _ in
            guard query.hasPrefix("moved=1") else { return Scripted(status: .movedPermanently, location: "/oai?moved=1&" + query, body: "") }
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(body: oaiResponse("ListRecords", "").replacingOccurrences(of: "</OAI-PMH>", with: #"<error code="noRecordsMatch"/></OAI-PMH>"#))
        }) { url in
            let harvest = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first)
            #expect(harvest.failure == nil, "\(harvest.failure ?? "")")
        }
        // A redirect that goes round in a cycle stops the harvest.
        try await withScriptedProvider({ _, _ in Scripted(status: .found, location: "/oai", body: "") }) { url in
            let failure = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first?.failure)
            #expect(failure.contains("cycle") || failure.contains("redirects"), "\(failure)")
        }
        // An Identify answer to ListRecords: "an Identify response".
        try await withScriptedProvider({ _, _ in Scripted(body: identify) }) { url in
            let failure = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first?.failure)
            #expect(failure.contains("expected a ListRecords response, got an Identify response"), "\(failure)")
        }
        // noRecordsMatch is no page, in the report and in the source's row alike.
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(body: oaiResponse("ListRecords", "").replacingOccurrences(of: "</OAI-PMH>", with: #"<error code="noRecordsMatch"/></OAI-PMH>"#))
        }) { url in
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: url))
            #expect(report.succeeded && report.harvests.first?.pages == 0)
            #expect(try harvester.house.harvestSources().first { $0.baseURL == url }?.pages == 0)
        }
    }

    @Test("a page that cannot be read to its end stores nothing and stops the harvest at that page")
    func pagesAreStoredWholeOrNotAtAll() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        let long = String(repeating: "A very long description. ", count: 4_000)
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            if query.contains("resumptionToken") { return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:z:4", title: "Four"))) }
            let page =
                dcRecord("oai:z:1", title: "One") + dcRecord("oai:z:2", title: long) + dcRecord("oai:z:3", title: "Three")
                + "<resumptionToken>page2</resumptionToken>"
            return Scripted(body: oaiResponse("ListRecords", page))
        }) { url in
            var request = HarvestRequest(baseURL: url)
            request.recordLimits = RecordLimits(maximumRecordBytes: 20_000)
            let report = try await harvester.house.harvest(request)
            let harvest = try #require(report.harvests.first)
            // The record over the limit stops the reader: the records before it are not stored
            // either, and the list is not marked complete (the records after it would be lost).
            #expect(!harvest.complete && !report.succeeded, "\(report)")
            #expect(harvest.failure?.contains("[page 1]") == true && harvest.failure?.contains("could not be read to its end") == true)
            #expect(try harvester.house.record(id: "oai:z:1") == nil)
            #expect(try harvester.house.record(id: "oai:z:4") == nil)
            #expect(try harvester.house.harvestSources().first?.lastResponseDate == nil)
        }
    }

    @Test("a provider whose pages bring nothing new under ever new tokens is stopped as a loop")
    func endlessNewTokens() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        let requests = Mutex(0)
        try await withScriptedProvider({ query, number in
            if query.contains("Identify") { return Scripted(body: identify) }
            requests.withLock { $0 += 1 }
            // The same record on every page, each time with a token not seen before.
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:w:1", title: "Again") + "<resumptionToken>t\(number)</resumptionToken>"))
        }) { url in
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: url))
            let failure = try #require(report.harvests.first?.failure)
            #expect(failure.contains("pages in a row") && failure.contains("loop"), "\(failure)")
            #expect(requests.withLock { $0 } <= 102)
            #expect(try harvester.house.record(id: "oai:w:1") != nil)
        }
        // Empty pages whose cursor moves on are progress (a provider paging over items it
        // leaves out), however many there are.
        try await withScriptedProvider({ query, number in
            if query.contains("Identify") { return Scripted(body: identify) }
            if number < 150 {
                return Scripted(body: oaiResponse("ListRecords", #"<resumptionToken cursor="\#(number * 100)">c\#(number)</resumptionToken>"#))
            }
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:w:2", title: "At last") + "<resumptionToken/>"))
        }) { url in
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: url))
            #expect(report.succeeded, "\(report)")
            #expect(try harvester.house.record(id: "oai:w:2") != nil)
        }
    }

    @Test("empty pages whose cursor climbs past the completeListSize, or for ever, are stopped as a loop")
    func endlessMovingCursor() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        // The cursor goes on rising past the completeListSize of 100: once past it, an empty
        // page is no progress. (The list ends after 400 pages, so a harvest that misses the
        // loop ends too, complete, instead of running for ever.)
        let requests = Mutex(0)
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            let number = requests.withLock { count in
                count += 1
                return count
            }
            if number > 400 { return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:m:1", title: "End") + "<resumptionToken/>")) }
            return Scripted(
                body: oaiResponse("ListRecords", #"<resumptionToken cursor="\#(number * 10)" completeListSize="100">t\#(number)</resumptionToken>"#))
        }) { url in
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: url))
            let harvest = try #require(report.harvests.first)
            let failure = try #require(harvest.failure, "\(report)")
            #expect(failure.contains("109 pages in a row") && failure.contains("past the completeListSize, 100") && failure.contains("loop"), "\(failure)")
            #expect(!failure.contains("\n"))
            #expect(requests.withLock { $0 } == 109)  // 9 pages below 100, then 100 past it
            #expect(!harvest.complete && !report.succeeded)
        }
        // No completeListSize, and a cursor that moves on with every empty page, for ever:
        // stopped after Harvester.maximumPagesWithoutRecords (the list ends at 1,200 pages here).
        let more = Mutex(0)
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            let number = more.withLock { count in
                count += 1
                return count
            }
            if number > 1_200 { return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:m:2", title: "End") + "<resumptionToken/>")) }
            return Scripted(body: oaiResponse("ListRecords", #"<resumptionToken cursor="\#(number * 100)">c\#(number)</resumptionToken>"#))
        }) { url in
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: url))
            let failure = try #require(report.harvests.first?.failure, "\(report)")
            #expect(failure.contains("1000 pages in a row") && failure.contains("a cursor that moves on") && failure.contains("loop"), "\(failure)")
            #expect(more.withLock { $0 } == 1_000)
            #expect(try harvester.house.record(id: "oai:m:2") == nil)
        }
    }

    @Test("the timeout covers the whole answer; Retry-After 0 waits the back-off; a response too large is not asked again")
    func slowAndOversizedAnswers() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        // Headers at once, then a byte every 200 ms: the request's timeout ends it.
        let router = Router()
        router.get("oai") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/xml"],
                body: ResponseBody { writer in
                    for _ in 0..<100 {
                        try await writer.write(ByteBuffer(string: " "))
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    try await writer.finish(nil)
                })
        }
        let application = Application(router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)))
        try await application.test(.live) { client in
            var request = HarvestRequest(baseURL: "http://127.0.0.1:\(try #require(client.port))/oai")
            request.requestTimeout = .seconds(1)
            request.retryFor = .zero
            let started = ContinuousClock.now
            let report = try await harvester.house.harvest(request)
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(report.harvests.first?.failure?.contains("no complete answer within 1 s") == true, "\(report)")
        }
        try await withScriptedProvider({ query, number in
            if number == 1 { return Scripted(status: .serviceUnavailable, retryAfter: "0", body: "busy") }
            if query.contains("Identify") { return Scripted(body: identify) }
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:v:1", title: "One")))
        }) { url in
            var notices: [String] = []
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: url), diagnostics: { notices.append($0.message) })
            #expect(report.succeeded)
            #expect(notices.contains { $0.contains("HTTP 503; retrying in 1 s") }, "\(notices)")
        }
        // A Retry-After of Int.max seconds once brought the process down (Int of 2^63 as a Double).
        try await withScriptedProvider({ _, _ in Scripted(status: .serviceUnavailable, retryAfter: "9223372036854775807", body: "busy") }) { url in
            let report = try await harvester.house.harvest(HarvestRequest(baseURL: url))
            let failure = try #require(report.harvests.first?.failure)
            #expect(failure.contains("gave up") && failure.contains("asked to wait 31622400 s"), "\(failure)")
        }
        let requests = Mutex(0)
        try await withScriptedProvider({ query, _ in
            requests.withLock { $0 += 1 }
            return Scripted(body: query.contains("Identify") ? identify : oaiResponse("ListRecords", dcRecord("oai:u:1", title: "One")))
        }) { url in
            var request = HarvestRequest(baseURL: url)
            request.maximumResponseBytes = 600
            let report = try await harvester.house.harvest(request)
            let failure = try #require(report.harvests.first?.failure)
            #expect(failure.contains("larger than 600 bytes") && failure.contains("asking again would not help"), "\(failure)")
            #expect(requests.withLock { $0 } == 2)  // Identify, then ListRecords once
        }
    }

    @Test("a TLS handshake that asking again cannot mend stops the harvest at once, saying why")
    func tlsFailuresAreNotRetried() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        @Sendable func harvest(_ url: String) async throws -> (failure: String, notices: [String]) {
            var request = HarvestRequest(baseURL: url)
            request.retryFor = .seconds(600)
            var notices: [String] = []
            let report = try await harvester.house.harvest(request, diagnostics: { notices.append($0.message) })
            return (try #require(report.harvests.first?.failure), notices)
        }
        // A certificate no authority of this machine signed (it was retried for --retry-for,
        // with BoringSSL's error stack and a build path as the reason).
        let tls = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fixtures/tls").standardized
        let context = try NIOSSLContext(
            configuration: .makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(tls.appendingPathComponent("self-signed-cert.pem").path).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.appendingPathComponent("self-signed-key.pem").path, format: .pem))))
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let selfSigned = try await harvest("https://127.0.0.1:\(port)/oai")
        try await server.close()
        #expect(selfSigned.failure.contains("its TLS certificate cannot be verified"), "\(selfSigned.failure)")
        #expect(selfSigned.failure.contains("asking again would not help") && !selfSigned.failure.contains(".build"))
        #expect(!selfSigned.notices.contains { $0.contains("retrying") }, "\(selfSigned.notices)")
        // An https URL of a server that speaks plain HTTP.
        let empty = try Fixture(records: [])
        defer { empty.remove() }
        try await withProvider(empty) { url in
            let plain = try await harvest(url.replacingOccurrences(of: "http://", with: "https://"))
            #expect(plain.failure.contains("it does not speak TLS at this address"), "\(plain.failure)")
            #expect(!plain.notices.contains { $0.contains("retrying") }, "\(plain.notices)")
        }
        #expect(
            HTTPTransport.reason(of: "Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at /x/handshake.cc:320")
                == "CERTIFICATE_VERIFY_FAILED")
        #expect(HTTPTransport.reason(of: "Error:  EOF during handshake") == nil)
        #expect(HTTPTransport.reason(of: "Error: 1 error:1000007d:SSL routines:x.cc:393") == nil)
    }

    @Test("a token the provider no longer accepts starts the stopped harvest again")
    func expiredToken() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        let attempts = Mutex(0)
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            if query.contains("resumptionToken=t1") {
                // The first harvest dies here; the provider forgets t1 after that.
                let attempt = attempts.withLock { count in
                    count += 1
                    return count
                }
                if attempt == 1 { return Scripted(status: .notFound, body: "gone") }
                return Scripted(body: oaiResponse("ListRecords", "").replacingOccurrences(of: "</OAI-PMH>", with: #"<error code="badResumptionToken">expired</error></OAI-PMH>"#))
            }
            if query.contains("resumptionToken=t2") { return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:z:2", title: "Two") + "<resumptionToken/>")) }
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:z:1", title: "One") + "<resumptionToken>\(attempts.withLock { $0 } == 0 ? "t1" : "t2")</resumptionToken>"))
        }) { url in
            let first = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first)
            #expect(!first.complete && first.failure?.contains("HTTP 404") == true)
            var notices: [String] = []
            let second = try #require(
                try await harvester.house.harvest(HarvestRequest(baseURL: url), diagnostics: { notices.append($0.message) }).harvests.first)
            #expect(second.complete && !second.resumed)
            #expect(notices.contains { $0.contains("no longer accepts") })
            #expect(try harvester.house.record(id: "oai:z:2") != nil)
        }
    }

    /// noRecordsMatch to a resumption token (OAI QA) was taken as the end of the list: the
    /// harvest said complete, and the rest of the list was never fetched, not even by the next
    /// run (which asks only for what changed since). It stops the harvest, to be started again.
    @Test("noRecordsMatch in the middle of a list is not its end")
    func noRecordsMatchToAToken() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            if query.contains("resumptionToken=A") {
                return Scripted(body: oaiResponse("ListRecords", "").replacingOccurrences(of: "</OAI-PMH>", with: #"<error code="noRecordsMatch"/></OAI-PMH>"#))
            }
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:n:1", title: "One") + #"<resumptionToken completeListSize="30">A</resumptionToken>"#))
        }) { url in
            let first = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first)
            #expect(!first.complete)
            #expect(first.failure?.contains("noRecordsMatch") == true, "\(first.failure ?? "")")
        }
    }

    /// An incremental harvest given `--until` alone sent a `from` of seconds beside a day, or
    /// one after the until (OAI QA): providers refuse both (badArgument).
    @Test("an until given alone sets the computed from's granularity and bound")
    func untilAloneAfterAHarvest() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        let asked = Mutex<[String]>([])
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            asked.withLock { $0.append(query) }
            let pairs = Dictionary(query.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }.filter { $0.count == 2 }.map { ($0[0], $0[1].removingPercentEncoding ?? $0[1]) }, uniquingKeysWith: { a, _ in a })
            if let from = pairs["from"], let until = pairs["until"], from.count != until.count || from > until {
                return Scripted(body: oaiResponse("ListRecords", "").replacingOccurrences(of: "</OAI-PMH>", with: #"<error code="badArgument">from and until</error></OAI-PMH>"#))
            }
            return Scripted(body: oaiResponse("ListRecords", "").replacingOccurrences(of: "</OAI-PMH>", with: #"<error code="noRecordsMatch"/></OAI-PMH>"#))
        }) { url in
            let first = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url)).harvests.first)
            #expect(first.complete)
            for until in ["2027-01-01", "2020-01-01T00:00:00Z", "2020-01-01"] {
                var request = HarvestRequest(baseURL: url)
                request.until = until
                let next = try #require(try await harvester.house.harvest(request).harvests.first)
                #expect(next.failure == nil, "\(until): \(next.failure ?? "") after \(asked.withLock { $0 })")
            }
        }
    }

    /// A provider's 200,000-character token made error lines of 400 KB (the URL asked is in
    /// the message); the message is cut in its middle.
    @Test("a failure's message is bounded whatever the URL")
    func longTokenMessage() async throws {
        let harvester = try Fixture(records: [])
        defer { harvester.remove() }
        let token = String(repeating: "t", count: 200_000)
        try await withScriptedProvider({ query, _ in
            if query.contains("Identify") { return Scripted(body: identify) }
            if query.contains("resumptionToken=") { return Scripted(status: .uriTooLong, body: "too long") }
            return Scripted(body: oaiResponse("ListRecords", dcRecord("oai:l:1", title: "One") + "<resumptionToken>\(token)</resumptionToken>"))
        }) { url in
            var messages: [String] = []
            let harvest = try #require(try await harvester.house.harvest(HarvestRequest(baseURL: url), diagnostics: { messages.append($0.message) }).harvests.first)
            let failure = try #require(harvest.failure)
            #expect(failure.count <= 2_003 && failure.contains("answered HTTP 4"), "\(failure.suffix(300))")
            #expect(messages.allSatisfy { $0.count <= 2_003 })
        }
    }

    @Test("a request names the parameter it gets wrong")
    func validation() throws {
        func problem(_ change: (inout HarvestRequest) -> Void) -> String? {
            var request = HarvestRequest(baseURL: "https://example.org/oai")
            change(&request)
            do {
                _ = try request.validated()
                return nil
            } catch let error as ClearingHouseError {
                return error.parameter
            } catch {
                return "?"
            }
        }
        #expect(problem { _ in } == nil)
        #expect(problem { $0.baseURL = "ftp://example.org/oai" } == "url")
        #expect(problem { $0.baseURL = "https://example.org/oai?verb=Identify" } == "url")
        #expect(problem { $0.metadataPrefix = "marc21" } == "metadataPrefix")
        #expect(problem { $0.from = "2020-13-01" } == "from")
        #expect(problem { $0.until = "yesterday" } == "until")
        #expect(problem { $0.from = "2020-01-01"; $0.until = "2020-01-02T00:00:00Z" } == "until")
        #expect(problem { $0.from = "2021-01-01"; $0.until = "2020-01-01" } == "until")
        #expect(problem { $0.sets = ["has space"] } == "set")
        #expect(problem { $0.from = "0000-01-01" } == "from")
        #expect(problem { $0.until = "0000-12-31T23:59:59Z" } == "until")
        #expect(problem { $0.from = "0001-01-01" } == nil)
        // (Year 0000 is named only in a date otherwise right: 0000-13-45 is no date.)
        var impossible = HarvestRequest(baseURL: "https://example.org/oai")
        impossible.from = "0000-13-45"
        #expect(throws: ClearingHouseError.self) { try impossible.validated() }
        do {
            _ = try impossible.validated()
        } catch let error as ClearingHouseError {
            #expect(error.message.contains("is not a date"), "\(error.message)")
        }
        // Credentials in the URL would be in every record's source.url: refused, not echoed.
        for url in ["http://user:secret@example.org/oai", "https://user@example.org/oai", "http://:secret@example.org/oai"] {
            #expect(problem { $0.baseURL = url } == "url", "\(url)")
            do {
                _ = try HarvestRequest(baseURL: url).validated()
            } catch let error as ClearingHouseError {
                #expect(!error.message.contains("secret") && error.message.contains("remove them"), "\(error.message)")
            }
        }
        // Scheme and host in lower case, the path as it is.
        #expect(try HarvestRequest(baseURL: " HTTP://Example.ORG:8080/OAI/Request ").validated().baseURL == "http://example.org:8080/OAI/Request")
        #expect(try HarvestRequest(baseURL: "HTTPS://EXAMPLE.org").validated().baseURL == "https://example.org")
        // Timeouts and retry times within a day and a week (9223372037 s once overflowed the
        // transport's nanoseconds and brought the process down).
        #expect(problem { $0.requestTimeout = .seconds(9_223_372_037) } == "timeout")
        #expect(problem { $0.requestTimeout = .seconds(86_401) } == "timeout")
        #expect(problem { $0.requestTimeout = .zero } == "timeout")
        #expect(problem { $0.requestTimeout = .seconds(86_400) } == nil)
        #expect(problem { $0.retryFor = .seconds(Int64.max) } == "retryFor")
        #expect(problem { $0.retryFor = .seconds(-1) } == "retryFor")
        #expect(problem { $0.retryFor = .seconds(604_800) } == nil)
        #expect(problem { $0.maximumResponseBytes = 0 } == "maximumResponseBytes")
        var request = HarvestRequest(baseURL: "https://example.org/oai")
        request.requestTimeout = .seconds(9_223_372_037)
        #expect(throws: ClearingHouseError.parameter(
            "timeout", "9223372037 seconds is out of range; give a request timeout from 1 to 86400 seconds (one day)")) {
            try request.validated()
        }
    }

    @Test("the transport takes any timeout without overflowing")
    func hugeTimeouts() async throws {
        try await withScriptedProvider({ _, _ in Scripted(body: identify) }) { url in
            let transport = HTTPTransport(connectTimeout: .seconds(Int64.max))
            let response = try await transport.get(url, timeout: .seconds(Int64.max), maximumBytes: 1 << 20)
            #expect(response.status == 200)
            // (Half a second: cut to whole seconds before, that was no time at all.)
            let fractional = try await transport.get(url, timeout: .milliseconds(500), maximumBytes: 1 << 20)
            #expect(fractional.status == 200)
            #expect(HTTPTransport.nanoseconds(.milliseconds(-500)) == 0 && HTTPTransport.nanoseconds(.milliseconds(1_500)) == 1_500_000_000)
            try await transport.shutdown()
        }
    }
}
