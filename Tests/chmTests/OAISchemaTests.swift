import CLibXML2
import ClearingHouse
import Foundation
import Testing

/// Every kind of response of the OAI-PMH provider validates against the OAI-PMH 2.0 schema,
/// oai_dc's and chm's records.xsd (local copies in Tests/Fixtures/oai: no network).
@Suite("OAI-PMH responses against the schemas")
struct OAISchemaTests {
    static let schemaPath = CLI.packageRoot.appendingPathComponent("Tests/Fixtures/oai/all.xsd").path

    /// Whether `xml` validates; the failure message holds the response.
    static func validate(_ xml: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try isValid(xml), "\(what) does not validate:\n\(xml.prefix(4000))", sourceLocation: sourceLocation)
    }

    /// Whether `xml` validates against the schemas.
    static func isValid(_ xml: String) throws -> Bool {
        let parserContext = try #require(xmlSchemaNewParserCtxt(schemaPath))
        defer { xmlSchemaFreeParserCtxt(parserContext) }
        let schema = try #require(xmlSchemaParse(parserContext), "all.xsd does not compile")
        defer { xmlSchemaFree(schema) }
        let validation = try #require(xmlSchemaNewValidCtxt(schema))
        defer { xmlSchemaFreeValidCtxt(validation) }
        xmlSchemaSetValidStructuredErrors(validation, { _, _ in }, nil)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chm-oai-\(UUID().uuidString).xml")
        try Data(xml.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return xmlSchemaValidateFile(validation, file.path, Int32(XML_PARSE_NONET.rawValue)) == 0
    }

    /// The token of a response, percent-encoded for a query.
    static func token(_ xml: String) -> String? {
        guard let start = xml.range(of: "<resumptionToken "), let close = xml[start.upperBound...].range(of: ">"),
            let end = xml[close.upperBound...].range(of: "</resumptionToken>")
        else { return nil }
        let token = String(xml[close.upperBound..<end.lowerBound])
        return token.isEmpty ? nil : token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)
    }

    @Test func adminEmailsAreTakenExactlyWhenIdentifyValidates() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chm-oai-email-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let house = try ClearingHouse(directory: directory)
        let candidates = [
            "chm@example.org", "a@b.c", "first.last+tag@sub.example.co.uk", "x@y@z.w", "a@b..c", "not an email", "admin@localhost",
            "@example.org", "a@.c", "a@b.", "a@b.c ", " a@b.c", "a\tb@c.d", "", "a@b\u{1}.c", "ü@例え.jp",
        ]
        for email in candidates {
            let configuration = OAIConfiguration(adminEmails: [email])
            let accepted = (try? configuration.validate()) != nil
            #expect(accepted == OAIConfiguration.isAdminEmail(email))
            // Control characters cannot be in XML at all: refused, and not asked of the schema.
            guard !email.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) else {
                #expect(!accepted)
                continue
            }
            let identify = try OAIProvider(house: house, configuration: configuration).respond(toQuery: "verb=Identify", baseURL: "http://127.0.0.1:8080/oai")
            #expect(try Self.isValid(identify) == accepted, "\(email.debugDescription): accepted \(accepted)")
        }
        #expect((try? OAIConfiguration(adminEmails: []).validate()) == nil)
    }

    @Test func everyResponseValidates() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chm-oai-schema-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let house = try ClearingHouse(directory: directory)
        try house.ingest([CLI.packageRoot.appendingPathComponent("Corpus").path])
        let ids = try house.search(SearchRequest(query: "", limit: 3)).hits.map(\.id)
        try house.delete(ids: Array(ids.prefix(2)))
        let provider = OAIProvider(house: house, configuration: OAIConfiguration(pageSize: 3))
        let base = "http://127.0.0.1:8080/oai"
        let some = try #require(ids.last)
        var queries = [
            "verb=Identify", "verb=ListMetadataFormats", "verb=ListMetadataFormats&identifier=\(some)", "verb=ListSets",
            "verb=GetRecord&identifier=\(some)&metadataPrefix=oai_dc", "verb=GetRecord&identifier=\(some)&metadataPrefix=chm",
            "verb=GetRecord&identifier=\(ids[0])&metadataPrefix=oai_dc",
            // errors
            "", "verb=Nope", "verb=Identify&set=x", "verb=ListRecords", "verb=ListRecords&metadataPrefix=marc21",
            "verb=GetRecord&identifier=no%20such&metadataPrefix=oai_dc", "verb=ListMetadataFormats&identifier=\(ids[0])",
            "verb=ListRecords&resumptionToken=bad", "verb=ListSets&resumptionToken=bad",
            "verb=ListRecords&metadataPrefix=oai_dc&until=1990-01-01", "verb=ListRecords&metadataPrefix=oai_dc&from=2020-02-30",
            "verb=ListRecords&metadataPrefix=oai_dc&from=0000-01-01", "verb=ListIdentifiers&metadataPrefix=oai_dc&until=0000-12-31T00:00:00Z",
        ]
        for query in queries { try Self.validate(try provider.respond(toQuery: query, baseURL: base), query) }
        // Whole harvests, every page.
        queries = [
            "verb=ListRecords&metadataPrefix=oai_dc", "verb=ListRecords&metadataPrefix=chm", "verb=ListIdentifiers&metadataPrefix=oai_dc",
            "verb=ListRecords&metadataPrefix=chm&set=kind:technology",
        ]
        for query in queries {
            let verb = query.prefix { $0 != "&" }
            var response = try provider.respond(toQuery: query, baseURL: base)
            var pages = 1
            try Self.validate(response, query)
            while let token = Self.token(response) {
                response = try provider.respond(toQuery: "\(verb)&resumptionToken=\(token)", baseURL: base)
                pages += 1
                try Self.validate(response, "\(query), page \(pages)")
            }
            #expect(pages > 1, "\(query) has several pages")
        }
        let empty = try ClearingHouse(directory: directory.appendingPathComponent("empty"))
        let none = OAIProvider(house: empty)
        for query in ["verb=Identify", "verb=ListSets", "verb=ListRecords&metadataPrefix=oai_dc&set=kind:x"] {
            try Self.validate(try none.respond(toQuery: query, baseURL: base), "empty: \(query)")
        }
    }
}
