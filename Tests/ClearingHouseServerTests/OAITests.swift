// The OAI-PMH provider at /oai: every verb, every error code, resumption across pages, tampered
// tokens, deletions, sets, from/until, POST.
import ClearingHouse
@testable import ClearingHouseServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

#if canImport(FoundationXML)
    import FoundationXML
    /// An element of a parsed document (Records has an XMLElement of its own).
    typealias DOMElement = FoundationXML.XMLElement
    typealias DOMNode = FoundationXML.XMLNode
#else
    typealias DOMElement = Foundation.XMLElement
    typealias DOMNode = Foundation.XMLNode
#endif

/// A parsed OAI-PMH response.
struct OAIResponse {
    let text: String
    let document: XMLDocument

    init(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        self.text = text
        document = try XMLDocument(xmlString: text, options: [])
        #expect(document.rootElement()?.name == "OAI-PMH", sourceLocation: sourceLocation)
        #expect(document.rootElement()?.uri == "http://www.openarchives.org/OAI/2.0/", sourceLocation: sourceLocation)
    }

    /// The elements with local name `name`, anywhere.
    func elements(_ name: String) -> [DOMElement] {
        ((try? document.nodes(forXPath: "//*[local-name()='\(name)']")) ?? []).compactMap { $0 as? DOMElement }
    }

    /// The texts of the elements named `name`.
    func values(_ name: String) -> [String] { elements(name).map { $0.stringValue ?? "" } }

    /// The error codes.
    var errorCodes: [String] { elements("error").compactMap { attribute($0, "code")?.stringValue } }

    /// The resumption token element, if any.
    var token: DOMElement? { elements("resumptionToken").first }

    /// The identifiers of the headers, with whether each is deleted.
    var headers: [(id: String, deleted: Bool)] {
        elements("header").map { header in
            (
                header.elements(forName: "identifier").first?.stringValue ?? "",
                attribute(header, "status")?.stringValue == "deleted"
            )
        }
    }

    /// The children of the root, by local name, in order.
    var rootChildren: [String] { (document.rootElement()?.children ?? []).compactMap { ($0 as? DOMElement)?.localName } }
}

/// The attribute `name` of `element` (FoundationXML's attribute(forName:) misses them on
/// elements in a namespace).
func attribute(_ element: DOMElement?, _ name: String) -> DOMNode? {
    element?.attributes?.first { $0.name == name }
}

extension TestClientProtocol {
    /// GET /oai?QUERY, checked to be 200 XML, parsed.
    func oai(_ query: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> OAIResponse {
        let response = try await get("/oai?" + query)
        #expect(response.status == .ok, sourceLocation: sourceLocation)
        #expect(response.headers[.contentType] == "text/xml; charset=utf-8", sourceLocation: sourceLocation)
        return try OAIResponse(response.text, sourceLocation: sourceLocation)
    }
}

/// Runs `body` against a server with OAI page size `pageSize`.
func withOAIServer(
    records: [String] = seedRecords, pageSize: Int = 100, _ body: @escaping @Sendable (any TestClientProtocol, ClearingHouse) async throws -> Void
) async throws {
    let fixture = try Fixture(records: records)
    defer { fixture.remove() }
    let server = ClearingHouseServer(
        house: fixture.house,
        configuration: ServerConfiguration(
            port: 0, apiKeys: APIKeys([testKey]), logRequests: false, oai: OAIConfiguration(pageSize: pageSize),
            oaiBaseURL: "http://chm.example.org/oai"))
    let house = fixture.house
    try await server.makeApplication().test(.router) { client in try await body(client, house) }
}

/// Harvests a whole list, following tokens; returns the headers and the number of pages.
func harvest(_ client: any TestClientProtocol, _ query: String) async throws -> (headers: [(id: String, deleted: Bool)], pages: Int) {
    var headers: [(id: String, deleted: Bool)] = []
    var response = try await client.oai(query)
    var pages = 1
    let verb = String(query.split(separator: "&").first ?? "verb=ListRecords")
    while true {
        headers += response.headers
        guard let token = response.token?.stringValue, !token.isEmpty else { break }
        let encoded = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token
        response = try await client.oai("\(verb)&resumptionToken=\(encoded)")
        pages += 1
        #expect(pages < 1000)
    }
    return (headers, pages)
}

@Suite struct OAITests {
    @Test func theBaseURLFromAHostHeaderIsAlwaysAURI() {
        for host in [
            "chm.example.org", "chm.example.org:8080", "127.0.0.1", "127.0.0.1:80", "[::1]", "[::1]:8080", "[2001:db8::7]", "localhost:65535",
            "chm.example.org.", "x-1.example.org",
        ] {
            #expect(OAIEndpoint.authority(fromHost: host) == host, "\(host)")
        }
        for host in [
            "a]b[c:::", "", "x y", "user@host", "host:1:2", "host:", "host:65536", "host:123456", "[::1", "[]", "[zz::1]", "[1.2.3.4]",
            "[::1]x", "[::1]:", "ex%41mple.org", "bücher.example", "a/b", "host\r\nx: y", ".", "a..b", "-bad-.org", "256.1.1.1",
            "1.2.3.4.5", ".example.org",
        ] {
            #expect(OAIEndpoint.authority(fromHost: host) == nil, "\(host.debugDescription)")
        }
        #expect(OAIEndpoint.baseURL(host: "a]b[c:::", listeningOn: "127.0.0.1", port: 8080) == "http://127.0.0.1:8080/oai")
        // (An address of every interface names no server: localhost does.)
        #expect(OAIEndpoint.baseURL(host: nil, listeningOn: "::", port: 8080) == "http://localhost:8080/oai")
        #expect(OAIEndpoint.baseURL(host: nil, listeningOn: "0.0.0.0", port: 8080) == "http://localhost:8080/oai")
        #expect(OAIEndpoint.baseURL(host: nil, listeningOn: "::1", port: 8080) == "http://[::1]:8080/oai")
        #expect(OAIEndpoint.baseURL(host: "[::1]:9", listeningOn: "127.0.0.1", port: 8080) == "http://[::1]:9/oai")
    }

    @Test func serveRefusesAdminEmailsAndBaseURLsThatIdentifyCannotCarry() throws {
        func problem(_ configuration: ServerConfiguration) -> String? {
            do {
                try configuration.validate()
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(problem(ServerConfiguration(oai: OAIConfiguration(adminEmails: ["not an email"])))?.contains("oaiAdminEmail") == true)
        #expect(problem(ServerConfiguration(oai: OAIConfiguration(adminEmails: ["ok@example.org", "root@localhost"])))?.contains("root@localhost") == true)
        #expect(problem(ServerConfiguration(oai: OAIConfiguration(adminEmails: []))) != nil)
        for url in ["not a url <x>", "ftp://chm.example.org/oai", "/oai", "http:///oai", "https://chm.example.org/oai?verb=Identify", "http://chm.example.org/o ai", "http://chm.example.org/%zz", "https://u:p@chm.example.org/oai", "https://u@chm.example.org/oai"] {
            #expect(problem(ServerConfiguration(oaiBaseURL: url))?.contains("oaiBaseUrl") == true, "\(url)")
        }
        for url in ["https://chm.example.org/oai", "http://127.0.0.1:8080/oai", "http://[::1]:8080/chm/oai", "https://node.example.net/a%20b/oai"] {
            #expect(problem(ServerConfiguration(oaiBaseURL: url)) == nil, "\(url)")
        }
        #expect(problem(ServerConfiguration()) == nil)
    }

    @Test func identify() async throws {
        try await withOAIServer { client, _ in
            let response = try await client.oai("verb=Identify")
            #expect(response.rootChildren == ["responseDate", "request", "Identify"])
            #expect(response.values("baseURL") == ["http://chm.example.org/oai"])
            #expect(response.values("protocolVersion") == ["2.0"])
            #expect(response.values("deletedRecord") == ["persistent"])
            #expect(response.values("granularity") == ["YYYY-MM-DDThh:mm:ssZ"])
            #expect(response.values("adminEmail").count == 1)
            let earliest = try #require(response.values("earliestDatestamp").first)
            #expect(earliest.count == 20 && earliest.hasSuffix("Z"))
            let request = try #require(response.elements("request").first)
            #expect(attribute(request, "verb")?.stringValue == "Identify")
            #expect(request.stringValue == "http://chm.example.org/oai")
        }
    }

    @Test func listMetadataFormats() async throws {
        try await withOAIServer { client, house in
            // Behind a path, the schema is beside the base URL; a configured one wins.
            let nested = try OAIProvider(house: house).respond(toQuery: "verb=ListMetadataFormats", baseURL: "https://node.example.net/chm/oai")
            #expect(nested.contains("<schema>https://node.example.net/chm/schema/records.xsd</schema>"))
            let configured = try OAIProvider(house: house, configuration: OAIConfiguration(chmSchemaURL: "https://example.org/records.xsd"))
                .respond(toQuery: "verb=ListMetadataFormats", baseURL: "https://node.example.net/oai")
            #expect(configured.contains("<schema>https://example.org/records.xsd</schema>"))
            let all = try await client.oai("verb=ListMetadataFormats")
            #expect(all.values("metadataPrefix") == ["oai_dc", "chm"])
            #expect(all.values("metadataNamespace") == ["http://www.openarchives.org/OAI/2.0/oai_dc/", "urn:chm:records:1"])
            // chm's schema is served beside the base URL, and records name it.
            #expect(all.values("schema") == ["http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://chm.example.org/schema/records.xsd"])
            let record = try await client.get("/oai?verb=GetRecord&metadataPrefix=chm&identifier=tech-fog").text
            #expect(record.contains(#"xsi:schemaLocation="urn:chm:records:1 http://chm.example.org/schema/records.xsd""#))
            let schema = try await client.get("/schema/records.xsd")
            #expect(schema.status == .ok)
            #expect(schema.headers[.contentType] == "application/xml; charset=utf-8")
            let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Corpus/schema")
            for name in ["records.xsd", "xml.xsd", "record.schema.json"] {
                let served = try await client.get("/schema/" + name)
                #expect(served.status == .ok, "\(name)")
                // The server's copies are Corpus/schema's, byte for byte.
                #expect(served.text == (try String(contentsOf: corpus.appendingPathComponent(name), encoding: .utf8)), "\(name)")
            }
            #expect(try await client.get("/schema/nope.xsd").status == .notFound)
            let one = try await client.oai("verb=ListMetadataFormats&identifier=tech-fog")
            #expect(one.values("metadataPrefix") == ["oai_dc", "chm"])
            #expect(try await client.oai("verb=ListMetadataFormats&identifier=nope").errorCodes == ["idDoesNotExist"])
            _ = try await client.execute(uri: "/v1/records/tech-fog", method: .delete, headers: [.authorization: "Bearer \(testKey)"])
            #expect(try await client.oai("verb=ListMetadataFormats&identifier=tech-fog").errorCodes == ["noMetadataFormats"])
        }
    }

    @Test func listSetsAndSetHarvests() async throws {
        try await withOAIServer { client, _ in
            let sets = try await client.oai("verb=ListSets")
            let specs = sets.values("setSpec")
            for spec in ["kind", "kind:technology", "kind:bestPractice", "country", "country:KE", "theme", "theme:restoration"] {
                #expect(specs.contains(spec), "\(specs)")
            }
            #expect(sets.values("setName").count == specs.count)
            let technologies = try await client.oai("verb=ListIdentifiers&metadataPrefix=oai_dc&set=kind:technology")
            #expect(Set(technologies.headers.map(\.id)) == ["tech-mangrove", "tech-fog"])
            let kenya = try await client.oai("verb=ListRecords&metadataPrefix=oai_dc&set=country:KE")
            #expect(kenya.headers.map(\.id) == ["tech-mangrove"])
            #expect(kenya.elements("setSpec").map { $0.stringValue ?? "" }.contains("country:KE"))
            #expect(try await client.oai("verb=ListIdentifiers&metadataPrefix=oai_dc&set=country:FR").errorCodes == ["noRecordsMatch"])
            #expect(try await client.oai("verb=ListIdentifiers&metadataPrefix=oai_dc&set=a%20b").errorCodes == ["badArgument"])
            #expect(try await client.oai("verb=ListSets&resumptionToken=x").errorCodes == ["badResumptionToken"])
        }
    }

    @Test func noSetHierarchyInAnEmptyRepository() async throws {
        try await withOAIServer(records: []) { client, _ in
            #expect(try await client.oai("verb=ListSets").errorCodes == ["noSetHierarchy"])
            let listed = try await client.oai("verb=ListRecords&metadataPrefix=oai_dc&set=kind:technology")
            #expect(listed.errorCodes == ["noSetHierarchy"])
            #expect(try await client.oai("verb=ListRecords&metadataPrefix=oai_dc").errorCodes == ["noRecordsMatch"])
        }
    }

    @Test func getRecordInBothFormats() async throws {
        let multilingual =
            #"{"id":"tech-multi","kind":"technology","language":"en","title":{"en":"Seed banks","fr":"Banques de semences"},"summary":{"en":"Keeping seeds.","fr":"Garder les graines."},"keywords":["seeds"],"countries":["SN"],"regions":["West Africa"],"organizations":[{"name":"Seed Trust","role":"provider","country":"SN","url":"https://seeds.example.org"}],"links":[{"url":"https://seeds.example.org/guide","title":"Guide","language":"fr"}],"published":"2020-04","license":"CC-BY-4.0","related":["tech-fog"],"extensions":{"x":{"b":[1,2],"a":"é & <"}}}"#
        try await withOAIServer(records: seedRecords + [multilingual]) { client, house in
            let dc = try await client.oai("verb=GetRecord&identifier=tech-multi&metadataPrefix=oai_dc")
            #expect(dc.rootChildren == ["responseDate", "request", "GetRecord"])
            let titles = dc.elements("title")
            #expect(titles.map { $0.stringValue ?? "" } == ["Seed banks", "Banques de semences"])
            #expect(titles.compactMap { attribute($0, "xml:lang")?.stringValue } == ["en", "fr"])
            #expect(dc.elements("description").compactMap { attribute($0, "xml:lang")?.stringValue } == ["en", "fr"])
            #expect(dc.values("type") == ["technology"])
            #expect(dc.values("coverage") == ["SN", "West Africa"])
            #expect(dc.values("rights") == ["CC-BY-4.0"])
            #expect(dc.values("date") == ["2020-04"])
            #expect(dc.values("language") == ["en"])
            #expect(dc.values("publisher") == ["Seed Trust"])
            #expect(dc.values("identifier").contains("https://seeds.example.org/guide"))
            #expect(dc.elements("dc").first?.uri == "http://www.openarchives.org/OAI/2.0/oai_dc/")

            // chm: lossless — ingesting the record element gives the same record.
            let native = try await client.oai("verb=GetRecord&identifier=tech-multi&metadataPrefix=chm")
            let element = try #require(native.elements("record").first { $0.uri == "urn:chm:records:1" })
            #expect(attribute(element, "id")?.stringValue == "tech-multi")
            let original = try #require(try house.record(id: "tech-multi"))
            let other = try ClearingHouse(directory: FileManager.default.temporaryDirectory.appendingPathComponent("chm-oai-\(UUID().uuidString)"))
            defer { try? FileManager.default.removeItem(at: other.directory) }
            // (The record element as the response has it, cut from the text.)
            let start = try #require(native.text.range(of: #"<record xmlns="urn:chm:records:1""#))
            let end = try #require(native.text.range(of: "</metadata>", range: start.upperBound..<native.text.endIndex))
            let xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + native.text[start.lowerBound..<end.lowerBound]
            let report = try other.ingest(body: Array(xml.utf8), format: .xml, displayName: "chm.xml")
            #expect(report.added == 1, "\(report.diagnostics)")
            let copy = try #require(try other.record(id: "tech-multi"))
            #expect(copy == original)

            #expect(try await client.oai("verb=GetRecord&identifier=nope&metadataPrefix=oai_dc").errorCodes == ["idDoesNotExist"])
            #expect(try await client.oai("verb=GetRecord&identifier=tech-fog&metadataPrefix=marc21").errorCodes == ["cannotDisseminateFormat"])
            #expect(try await client.oai("verb=GetRecord&identifier=tech-fog").errorCodes == ["badArgument"])
            #expect(try await client.oai("verb=GetRecord&metadataPrefix=oai_dc").errorCodes == ["badArgument"])
        }
    }

    @Test func verbAndArgumentErrors() async throws {
        try await withOAIServer { client, _ in
            for query in ["", "verb=Frobnicate", "verb=Identify&verb=Identify"] {
                let response = try await client.oai(query)
                #expect(response.errorCodes == ["badVerb"], "\(query)")
                let request = try #require(response.elements("request").first)
                #expect(request.attributes?.isEmpty ?? true, "no attributes with badVerb")
            }
            for query in [
                "verb=Identify&metadataPrefix=oai_dc", "verb=ListRecords", "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc",
                "verb=ListRecords&metadataPrefix=oai_dc&from=2020-13-01", "verb=ListRecords&metadataPrefix=oai_dc&from=yesterday",
                "verb=ListRecords&metadataPrefix=oai_dc&from=2020-01-01&until=2020-01-01T00:00:00Z",
                "verb=ListRecords&metadataPrefix=oai_dc&from=2021-01-01&until=2020-01-01",
                "verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc", "verb=ListIdentifiers&metadataPrefix=%25%25",
                "verb=ListRecords&metadataPrefix=oai_dc&from=0000-01-01", "verb=ListIdentifiers&metadataPrefix=oai_dc&until=0000-12-31T00:00:00Z",
                "verb=Identify&x=%ZZ",
            ] {
                let response = try await client.oai(query)
                #expect(response.errorCodes == ["badArgument"], "\(query): \(response.text)")
                #expect(response.elements("request").first?.attributes?.isEmpty ?? true)
            }
            #expect(try await client.oai("verb=ListRecords&metadataPrefix=marc21").errorCodes == ["cannotDisseminateFormat"])
            #expect(try await client.oai("verb=ListIdentifiers&resumptionToken=garbage").errorCodes == ["badResumptionToken"])
            // A long name is quoted short (hostile-client QA: two megabytes were echoed whole).
            let long = String(repeating: "x", count: 100_000)
            for query in ["verb=Identify&\(long)=1", "verb=\(long)", "verb=ListRecords&metadataPrefix=\(long)%3F"] {
                let response = try await client.oai(query)
                #expect(!response.errorCodes.isEmpty && response.text.utf8.count < 2_000, "\(response.text.utf8.count)")
            }
        }
    }

    @Test func resumptionAcrossPages() async throws {
        let records = (0..<23).map { record(String(format: "rec-%02d", $0), title: "Record \($0)", countries: $0 % 2 == 0 ? ["KE"] : []) }
        try await withOAIServer(records: records, pageSize: 5) { client, _ in
            let first = try await client.oai("verb=ListRecords&metadataPrefix=oai_dc")
            let token = try #require(first.token)
            #expect(attribute(token, "completeListSize")?.stringValue == "23")
            #expect(attribute(token, "cursor")?.stringValue == "0")
            #expect(first.headers.count == 5)

            let (headers, pages) = try await harvest(client, "verb=ListRecords&metadataPrefix=oai_dc")
            #expect(pages == 5)
            #expect(headers.map(\.id).sorted() == records.indices.map { String(format: "rec-%02d", $0) })
            let identifiers = try await harvest(client, "verb=ListIdentifiers&metadataPrefix=chm&set=country:KE")
            #expect(identifiers.headers.count == 12 && identifiers.pages == 3)

            // The last page has an empty token with the cursor.
            var response = first
            var cursors: [String] = []
            while let token = response.token {
                cursors.append(attribute(token, "cursor")?.stringValue ?? "")
                guard let text = token.stringValue, !text.isEmpty else { break }
                response = try await client.oai("verb=ListRecords&resumptionToken=\(text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text)")
            }
            #expect(cursors == ["0", "5", "10", "15", "20"])

            // A tampered token, or one of another verb, is refused.
            let text = try #require(token.stringValue)
            var bytes = Array(text.utf8)
            bytes[3] = bytes[3] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            let tampered = String(decoding: bytes, as: UTF8.self)
            #expect(try await client.oai("verb=ListRecords&resumptionToken=\(tampered)").errorCodes == ["badResumptionToken"])
            #expect(try await client.oai("verb=ListIdentifiers&resumptionToken=\(text)").errorCodes == ["badResumptionToken"])
            #expect(try await client.oai("verb=ListRecords&resumptionToken=\(text)x").errorCodes == ["badResumptionToken"])
        }
    }

    @Test func harvestDuringChangesGivesEachUnchangedRecordOnce() async throws {
        let records = (0..<12).map { record(String(format: "rec-%02d", $0), title: "Record \($0)") }
        try await withOAIServer(records: records, pageSize: 4) { client, house in
            var response = try await client.oai("verb=ListIdentifiers&metadataPrefix=oai_dc")
            var seen = response.headers.map(\.id)
            // Change one record already given and one not yet given, add one, delete one.
            try house.ingest(
                body: Array([record("rec-00", title: "Changed"), record("rec-11", title: "Changed"), record("rec-new", title: "New")].joined(separator: "\n").utf8),
                format: .jsonLines, displayName: "changes")
            try house.delete(ids: ["rec-07"])
            while let token = response.token?.stringValue, !token.isEmpty {
                response = try await client.oai("verb=ListIdentifiers&resumptionToken=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token)")
                seen += response.headers.map(\.id)
            }
            #expect(Set(seen).count == seen.count, "no record twice: \(seen)")
            for id in ["rec-01", "rec-02", "rec-03", "rec-04", "rec-05", "rec-06", "rec-08", "rec-09", "rec-10"] {
                #expect(seen.contains(id), "\(id) existed unchanged throughout")
            }
            #expect(!seen.contains("rec-new"))
            // The next incremental harvest has the changes.
            let later = try await harvest(client, "verb=ListIdentifiers&metadataPrefix=oai_dc&from=\(OAITests.today)")
            for id in ["rec-00", "rec-11", "rec-new", "rec-07"] { #expect(later.headers.map(\.id).contains(id)) }
        }
    }

    /// OAI QA: when every record left in a list changed between two pages, the token was
    /// answered with noRecordsMatch (Sickle raised, `chm harvest` started over): the list goes
    /// on to those records as they are now.
    @Test func aListWhoseRemainingRecordsAllChangedGoesOnToThem() async throws {
        let records = (0..<8).map { record(String(format: "rec-%02d", $0), title: "Record \($0)") }
        try await withOAIServer(records: records, pageSize: 7) { client, house in
            for verb in ["ListIdentifiers", "ListRecords"] {
                let first = try await client.oai("verb=\(verb)&metadataPrefix=oai_dc")
                #expect(first.headers.count == 7)
                let token = try #require(first.token?.stringValue)
                try house.ingest(
                    body: Array(record("rec-07", title: "Changed in \(verb)").utf8), format: .jsonLines, displayName: "change")
                let next = try await client.oai("verb=\(verb)&resumptionToken=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token)")
                #expect(next.errorCodes.isEmpty, "\(next.errorCodes)")
                #expect(next.headers.map(\.id) == ["rec-07"])
                #expect(next.token?.stringValue?.isEmpty == true, "the list ends")
                if verb == "ListRecords" { #expect(next.values("title").contains("Changed in ListRecords"), "\(next.text)") }
            }
            // A list with an until the harvester gave goes on to the changed records within it,
            // never past it (review).
            func resume(_ token: String) async throws -> OAIResponse {
                try await client.oai("verb=ListIdentifiers&resumptionToken=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? token)")
            }
            let today = try await client.oai("verb=ListIdentifiers&metadataPrefix=oai_dc&until=\(OAITests.today)")
            let todayToken = try #require(today.token?.stringValue)
            try house.ingest(body: Array(record("rec-07", title: "Changed again").utf8), format: .jsonLines, displayName: "again")
            #expect(try await resume(todayToken).headers.map(\.id) == ["rec-07"])
            let stamp = RecordDate.rfc3339(secondsSinceEpoch: Date().timeIntervalSince1970.rounded(.down))
            let bounded = try await client.oai("verb=ListIdentifiers&metadataPrefix=oai_dc&until=\(stamp)")
            let boundedToken = try #require(bounded.token?.stringValue)
            try await Task.sleep(for: .milliseconds(1_100))
            try house.ingest(body: Array(record("rec-07", title: "Changed after the bound").utf8), format: .jsonLines, displayName: "later")
            let past = try await resume(boundedToken)
            #expect(past.headers.isEmpty && past.errorCodes == ["noRecordsMatch"], "\(past.text)")
        }
    }

    static var today: String { String(RecordDate.rfc3339(secondsSinceEpoch: Date().timeIntervalSince1970).prefix(10)) }

    @Test func deletionsAreHeadersThatSurviveReindexAndOptimize() async throws {
        try await withOAIServer { client, house in
            try house.delete(ids: ["bp-coral"])
            try house.reindex()
            try house.optimize()
            let listed = try await client.oai("verb=ListRecords&metadataPrefix=oai_dc")
            let deleted = listed.headers.filter(\.deleted).map(\.id)
            #expect(deleted == ["bp-coral"])
            let record = try #require(listed.elements("record").first { attribute($0.elements(forName: "header").first, "status") != nil })
            #expect(record.elements(forName: "metadata").isEmpty)
            // The tombstone keeps its sets.
            let inSet = try await client.oai("verb=ListIdentifiers&metadataPrefix=oai_dc&set=kind:bestPractice")
            #expect(inSet.headers.map(\.id) == ["bp-coral"] && inSet.headers.first?.deleted == true)
            let got = try await client.oai("verb=GetRecord&identifier=bp-coral&metadataPrefix=chm")
            #expect(got.headers.first?.deleted == true)
        }
    }

    @Test func fromAndUntil() async throws {
        try await withOAIServer { client, _ in
            let today = OAITests.today
            let all = try await client.oai("verb=ListIdentifiers&metadataPrefix=oai_dc&from=\(today)&until=\(today)")
            #expect(all.headers.count == 4)
            let datestamp = try #require(all.values("datestamp").first)
            let exact = try await client.oai("verb=ListIdentifiers&metadataPrefix=oai_dc&from=\(datestamp)&until=\(datestamp)")
            #expect(exact.headers.count >= 1, "from and until are inclusive")
            #expect(try await client.oai("verb=ListIdentifiers&metadataPrefix=oai_dc&until=2000-01-01").errorCodes == ["noRecordsMatch"])
            #expect(try await client.oai("verb=ListIdentifiers&metadataPrefix=oai_dc&from=2999-01-01T00:00:00Z").errorCodes == ["noRecordsMatch"])
        }
    }

    @Test func postFormEncoded() async throws {
        try await withOAIServer { client, _ in
            let response = try await client.execute(
                uri: "/oai", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "verb=GetRecord&identifier=tech-fog&metadataPrefix=oai_dc"))
            #expect(response.status == .ok)
            let parsed = try OAIResponse(response.text)
            #expect(parsed.headers.map(\.id) == ["tech-fog"])
            let error = try await client.execute(
                uri: "/oai", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"], body: ByteBuffer(string: "verb=Nope"))
            #expect(error.status == .ok)
            #expect(try OAIResponse(error.text).errorCodes == ["badVerb"])
            let mixed = try await client.execute(
                uri: "/oai?verb=Identify", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "verb=ListSets"))
            #expect(try OAIResponse(mixed.text).errorCodes == ["badVerb"], "\(mixed.text)")
            let split = try await client.execute(
                uri: "/oai?verb=GetRecord", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "identifier=tech-fog&metadataPrefix=oai_dc"))
            #expect(try OAIResponse(split.text).headers.map(\.id) == ["tech-fog"])
            let wrong = try await client.execute(
                uri: "/oai", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{}"))
            #expect(wrong.status == .unsupportedMediaType)
        }
    }
}
