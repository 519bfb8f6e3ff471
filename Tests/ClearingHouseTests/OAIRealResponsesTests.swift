// OAI-PMH responses as real repositories publish them (issue 18): identifiers with `/` and
// other URI characters, dc:date in every shape, other metadata formats, other verbs and
// protocol errors, and chm's own native format inside a response. The fixtures in
// Tests/Fixtures/oai/responses are modelled on DSpace, EPrints, Zenodo, Gallica (BnF) and a
// MARC catalogue.
import Foundation
import Testing

@testable import ClearingHouse

@Suite("OAI-PMH responses as repositories publish them")
struct OAIRealResponsesTests {
    static let responses = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/oai/responses").standardized

    static func fixture(_ name: String) -> String { responses.appendingPathComponent(name).path }

    /// Reads a fixture as `chm ingest` reads it.
    static func read(_ name: String) -> ReadOutcome {
        readRecords(fixture(name), as: .xml, displayPath: name)
    }

    // MARK: Dates

    @Test(arguments: [
        ("2019-11-05", "2019-11-05"), ("2011-03-26 19:16:19", "2011-03-26"), ("2011-03-26T19:16:19Z", "2011-03-26"),
        ("2011-03-26T23:30:00-05:00", "2011-03-26"), ("2025-07-13/2025-07-16", "2025-07-13"), ("ca. 1998", "1998"),
        ("2004 [printed 2005]", "2004"), ("[1898?]", "1898"), ("c1998", "1998"), ("1998-99", "1998"), ("2007-06", "2007-06"),
        ("2011-02-30", "2011-02"), ("2011-13-01", "2011"), ("2011-3-5", "2011"), ("12.03.2011", "2011"), ("Spring 2005", "2005"),
        ("20110326", "2011-03-26"), ("info:eu-repo/date/embargoEnd/2026-01-13", "2026-01-13"), ("1998/2001", "1998"),
    ])
    func findsThePublishedDate(text: String, published: String) {
        #expect(RecordDate.published(in: text) == published)
    }

    @Test(arguments: ["n.d.", "", "unknown", "98", "12345", "s.d. [19--]"])
    func findsNoDateIn(text: String) {
        #expect(RecordDate.published(in: text) == nil)
    }

    // MARK: Repositories' responses

    @Test func dspaceHandlesAndSeveralDates() throws {
        let outcome = Self.read("dspace-listrecords.xml")
        #expect(outcome.failure == nil)
        #expect(outcome.invalid.isEmpty)
        #expect(outcome.records.map(\.id) == ["oai:repo.example.org:10138/1074", "oai:repo.example.org:10138/1075"])
        #expect(outcome.deletions == ["oai:repo.example.org:10138/998"])
        let first = try #require(outcome.records.first)
        // The first date that parses (DSpace lists accessioned, available, then issued).
        #expect(first.published == "2011-03-26")
        #expect(
            first.extensions["dc:date"]
                == .array([.string("2011-03-26T19:16:19Z"), .string("2011-03-26T19:16:19Z"), .string("2004")]))
        #expect(first.extensions["dc:format"] == .array([.string("application/pdf")]))
        #expect(first.links.map(\.url) == ["http://hdl.handle.net/10138/1074"])
        #expect(first.source == Record.Source(system: "oai-pmh", url: "https://repo.example.org/oai/request", originalId: first.id))
        #expect(first.updated == "2011-03-26T19:16:19Z")
        let second = try #require(outcome.records.last)
        #expect(second.published == "2011-03-27")
        #expect(second.language == "en")
        // The page says there are more.
        #expect(outcome.messages.map(\.severity) == [.notice])
    }

    @Test func eprintsDatesWithWordsAndARecordWithoutTitle() throws {
        let outcome = Self.read("eprints-listrecords.xml")
        #expect(outcome.failure == nil)
        #expect(outcome.records.map(\.id) == ["oai:eprints.example.ac.uk:308", "oai:eprints.example.ac.uk:310"])
        let seeds = try #require(outcome.records.first)
        #expect(seeds.published == "1998")
        #expect(seeds.extensions["dc:date"] == .array([.string("ca. 1998")]))
        #expect(seeds.links.map(\.url) == ["http://eprints.example.ac.uk/308/1/seedbanks.pdf"])
        // No date in the text: no `published`, the text kept, the record stored all the same.
        let grazing = try #require(outcome.records.last)
        #expect(grazing.published == nil)
        #expect(grazing.extensions["dc:date"] == .array([.string("n.d.")]))
        #expect(outcome.messages.isEmpty)
        // The record without a title is refused alone, naming itself and the field.
        let invalid = try #require(outcome.invalid.first)
        #expect(outcome.invalid.count == 1)
        #expect(invalid.diagnostics.map(\.field) == ["title"])
        #expect(invalid.diagnostics.first?.recordID == "oai:eprints.example.ac.uk:309")
        #expect(invalid.diagnostics.first?.line == 32)
    }

    @Test func aRecordWithoutTitleIsRefusedAloneAndSkipInvalidKeepsTheRest() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let strict = try house.ingest([Self.fixture("eprints-listrecords.xml")])
            #expect(!strict.succeeded)
            #expect(strict.files.map(\.status) == [.rolledBack])
            #expect(strict.errors == 2)  // the record's error, and "nothing from this file was stored"
            #expect(try house.statistics().records == 0)
            let lenient = try house.ingest([Self.fixture("eprints-listrecords.xml")], options: IngestOptions(skipInvalid: true))
            #expect(lenient.added == 2)
            #expect(lenient.rejected == 1)
            #expect(lenient.errors == 1)
            #expect(try house.record(id: "oai:eprints.example.ac.uk:310")?.extensions["dc:date"] == .array([.string("n.d.")]))
        }
    }

    @Test func zenodoRangesAndEmbargoDates() throws {
        let outcome = Self.read("zenodo-listrecords.xml")
        #expect(outcome.failure == nil)
        let record = try #require(outcome.records.first)
        #expect(record.id == "oai:zenodo.org:15843210")
        #expect(record.published == "2025-07-13")
        #expect(record.extensions["dc:date"] == .array([.string("2025-07-13/2025-07-16"), .string("info:eu-repo/date/embargoEnd/2026-01-13")]))
        #expect(record.links.map(\.url) == ["https://doi.org/10.5281/zenodo.15843210", "oai:zenodo.org:15843210"])
        #expect(record.license == "https://creativecommons.org/licenses/by/4.0/legalcode")
        #expect(record.language == "en")
    }

    @Test func gallicaARKsAndFrenchRecords() throws {
        let outcome = Self.read("bnf-getrecord.xml")
        #expect(outcome.failure == nil)
        let record = try #require(outcome.records.first)
        #expect(record.id == "oai:bnf.fr:gallica/ark:/12148/bpt6k5440618t")
        #expect(record.language == "fr")
        #expect(record.title.values == ["fr": "Les forêts de la Guyane française"])
        #expect(record.published == "1898")
        #expect(record.extensions["dc:date"] == .array([.string("[1898?]")]))
        #expect(record.updated == "2016-04-12T00:00:00Z")
        #expect(record.regions == ["Guyane"])
    }

    @Test func urisAsIDsAndRelatedIDsThroughEveryLayer() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let report = try house.ingest([
                Self.fixture("dspace-listrecords.xml"), Self.fixture("bnf-getrecord.xml"), Self.fixture("zenodo-listrecords.xml"),
            ])
            #expect(report.succeeded, "\(report.diagnostics)")
            let handle = "oai:repo.example.org:10138/1074"
            let ark = "oai:bnf.fr:gallica/ark:/12148/bpt6k5440618t"
            // JSON Lines and native XML take the same ids, in `related` too.
            let jsonl = try directory.write(
                "more.jsonl",
                recordJSON("hdl:1765/308", title: "Mangrove seedlings in nurseries", #""related": ["\#(handle)", "\#(ark)"]"#) + "\n"
                    + recordJSON("urn:x:a?b#c%20d&e+f", title: "Mangrove belts") + "\n")
            let xml = try directory.write(
                "more.xml",
                #"<records xmlns="urn:chm:records:1"><record id="info:doi/10.1000/182?x=1&amp;y=2" kind="resource"><title>Mangrove atlas</title><related>hdl:1765/308</related></record></records>"#
            )
            #expect(try house.ingest([jsonl, xml]).succeeded)
            #expect(try house.record(id: "hdl:1765/308")?.related == [handle, ark])
            #expect(try house.record(id: "info:doi/10.1000/182?x=1&y=2")?.related == ["hdl:1765/308"])
            // Search, similar, match and the index keys.
            let hits = try house.search(SearchRequest(query: "mangrove", limit: 10)).hits.map(\.id)
            #expect(Set(hits).isSuperset(of: [handle, "hdl:1765/308", "urn:x:a?b#c%20d&e+f", "info:doi/10.1000/182?x=1&y=2"]))
            #expect(try house.similar(id: handle, limit: 5).hits.map(\.id).contains("hdl:1765/308"))
            _ = try house.match(MatchRequest(id: "hdl:1765/308", limit: 5))
            // Reindex keeps them; delete removes them by id.
            try house.reindex()
            #expect(try house.search(SearchRequest(query: "atlas", limit: 5)).hits.map(\.id) == ["info:doi/10.1000/182?x=1&y=2"])
            let deleted = try house.delete(ids: ["urn:x:a?b#c%20d&e+f", ark])
            #expect(deleted.deleted.count == 2)
            let left = try house.search(SearchRequest(query: "mangrove", limit: 10)).hits.map(\.id)
            #expect(!left.contains("urn:x:a?b#c%20d&e+f") && left.contains(handle))
            // CSV quotes what needs quoting; a TREC run holds the ids as they are (no white space).
            let csv = try exported(house, .csv)
            #expect(csv.contains("\n\(handle),resource,"))
            let run = TRECRun.text(of: [ClearingHouse.BatchResult(queryID: "q1", hits: [(handle, 2.0), ("hdl:1765/308", 1.0)], seconds: 0)])
            let parsed = try TRECRun(parsing: run)
            #expect(parsed.ranking(for: "q1").map(\.document) == [handle, "hdl:1765/308"])
        }
    }

    @Test func aDatestampThatIsNoTimeIsKeptNotRefused() throws {
        try withTemporaryDirectory { directory in
            let xml = oaiResponse(
                "<ListRecords>\n\(oaiRecord("oai:r:1", datestamp: "2011-03-26 19:16:19", "      <dc:title>T</dc:title>"))\n</ListRecords>")
            let outcome = try readRecords(xml, named: "oai.xml", as: .xml, in: directory)
            let record = try #require(outcome.records.first)
            #expect(record.updated == nil)
            #expect(record.extensions["oai:datestamp"] == .string("2011-03-26 19:16:19"))
        }
    }

    // MARK: What chm does not read

    @Test func anotherMetadataFormatIsOneErrorForTheFile() throws {
        let outcome = Self.read("marc21-listrecords.xml")
        #expect(outcome.failure == nil)
        #expect(outcome.records.isEmpty)
        #expect(outcome.deletions == ["oai:catalogue.example.org:b0999999"])
        #expect(outcome.invalid.count == 2)
        #expect(outcome.messages.count == 1)
        let error = try #require(outcome.messages.first)
        #expect(
            error.description
                == "marc21-listrecords.xml:14: error: field metadata: this OAI-PMH response holds records in the marc21 format "
                + "(<record> in http://www.loc.gov/MARC21/slim); chm reads only the oai_dc and chm formats, so its records were not "
                + "stored (its deletions can be); ingest a response harvested with metadataPrefix=oai_dc")
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let report = try house.ingest([Self.fixture("marc21-listrecords.xml")])
            #expect(!report.succeeded)
            #expect(report.files.map(\.status) == [.rolledBack])
            #expect(report.diagnostics.filter { $0.severity == .error }.count == 2)  // this, and "nothing ... was stored"
            // With --skip-invalid the deletion is applied (here: of a record chm never had).
            let lenient = try house.ingest([Self.fixture("marc21-listrecords.xml")], options: IngestOptions(skipInvalid: true))
            #expect(lenient.rejected == 2)
            #expect(lenient.files.map(\.status) == [.committed])
            #expect(lenient.diagnostics.contains { $0.message == "deletion of a record that is not in the catalog" })
        }
    }

    @Test func anUnknownFormatIsNamedByItsElementAndNamespace() throws {
        try withTemporaryDirectory { directory in
            let record = """
                    <record>
                      <header><identifier>oai:r:1</identifier><datestamp>2024-01-01</datestamp></header>
                      <metadata><lido:lido xmlns:lido="http://www.lido-schema.org"/></metadata>
                    </record>
                """
            let xml = oaiResponse("<ListRecords>\n\(record)\n</ListRecords>")
                .replacingOccurrences(of: #"metadataPrefix="oai_dc""#, with: #"metadataPrefix="lido""#)
            let outcome = try readRecords(xml, named: "lido.xml", as: .xml, in: directory)
            #expect(outcome.messages.first?.message.contains("the lido format (<lido> in http://www.lido-schema.org)") == true)
            let unnamed = try readRecords(
                xml.replacingOccurrences(of: #"metadataPrefix="lido""#, with: ""), named: "x.xml", as: .xml, in: directory)
            #expect(unnamed.messages.first?.message.contains("a format chm does not know (<lido> in http://www.lido-schema.org)") == true)
        }
    }

    @Test(arguments: ["identify.xml", "listsets.xml", "listmetadataformats.xml"])
    func responsesWithoutRecordsGetOneWarning(name: String) throws {
        let outcome = Self.read(name)
        #expect(outcome.failure == nil)
        #expect(outcome.entries.count == 1)
        let warning = try #require(outcome.messages.first)
        #expect(warning.severity == .warning)
        let verb = ["identify.xml": "Identify", "listsets.xml": "ListSets", "listmetadataformats.xml": "ListMetadataFormats"][name] ?? ""
        #expect(
            warning.message
                == "this is an OAI-PMH \(verb) response, which holds no records, so nothing was stored; ingest ListRecords or GetRecord responses (metadataPrefix=oai_dc or chm)"
        )
        try withTemporaryDirectory { directory in
            let report = try directory.house().ingest([Self.fixture(name)])
            #expect(report.succeeded)
            #expect(report.warnings == 1)
            #expect(report.diagnostics.count == 1)
        }
    }

    @Test func listIdentifiersIsOneErrorAndItsDeletions() throws {
        let outcome = Self.read("listidentifiers.xml")
        #expect(outcome.failure == nil)
        #expect(outcome.deletions == ["oai:repo.example.org:10138/998"])
        #expect(outcome.invalid.count == 2)
        #expect(outcome.messages.count == 1)
        #expect(outcome.messages.first?.severity == .error)
        #expect(outcome.messages.first?.message.hasPrefix("this is an OAI-PMH ListIdentifiers response: it holds headers but no metadata") == true)
    }

    @Test func anErrorResponseIsOneLine() throws {
        let outcome = Self.read("error-badargument.xml")
        let failure = try #require(outcome.failure)
        #expect(
            failure.description
                == "error-badargument.xml:6: error: this is an OAI-PMH error response, which holds no records: badArgument: The request "
                + "includes illegal arguments or is missing required arguments. (the request's arguments were refused); the request was "
                + "https://repo.example.org/oai/request")
        let missing = try #require(Self.read("error-iddoesnotexist.xml").failure)
        #expect(missing.message.contains("idDoesNotExist: No matching identifier (the repository has no item with that identifier)"))
        #expect(
            missing.message.hasSuffix(
                "the request was https://repo.example.org/oai/request?verb=GetRecord&identifier=oai:repo.example.org:10138/9999&metadataPrefix=oai_dc"))
        try withTemporaryDirectory { directory in
            let report = try directory.house().ingest([Self.fixture("error-badargument.xml")])
            #expect(!report.succeeded)
            #expect(report.diagnostics.count == 1)  // the one line, nothing else
            // Several errors are still one line.
            let both = oaiResponse(
                #"<error code="badArgument">from is not a date</error><error code="cannotDisseminateFormat">marc</error>"#)
            let outcome = try readRecords(both, named: "both.xml", as: .xml, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.message.contains("badArgument: from is not a date (the request's arguments were refused); cannotDisseminateFormat: marc"))
        }
    }

    // MARK: chm's native format inside OAI-PMH

    static let complete = Record(
        id: "oai:chm.example.org:tech/mangrove?v=2", kind: .technology, language: "en",
        title: LocalizedText(["en": "Community mangrove nurseries", "zh": "社区红树林苗圃"]),
        summary: LocalizedText(["en": "Raising seedlings & planting them <out>."]),
        description: LocalizedText(["fr": "Pépinières de mangroves."]), keywords: ["mangrove"], themes: ["restoration"],
        targets: ["GBF-T2"], countries: ["KE"], regions: ["East Africa"], assistanceTypes: ["training"],
        organizations: [Record.Organization(name: "Coast Forest Trust", role: "provider", country: "KE", url: "https://example.org")],
        links: [Record.Link(url: "https://example.org/guide?a=1&b=2", title: "Guide", language: "en")], published: "2019-11",
        updated: "2020-01-15T09:00:00Z", license: "CC-BY-4.0",
        source: Record.Source(system: "example-chm", url: "https://example.org/r/17", originalId: "17"),
        related: ["hdl:1765/308", "cs-lamu"], extensions: ["x": .object([("a", .string("é & <")), ("b", .array([.number("1"), .number("2.50")]))])])

    @Test func theChmFormatInsideListRecordsIsLossless() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let json = try directory.write("complete.jsonl", Self.complete.canonicalJSONText + "\n")
            #expect(try house.ingest([json]).succeeded)
            let original = try #require(try house.record(id: Self.complete.id))
            #expect(original == Self.complete)
            let response = try OAIProvider(house: house).respond(toQuery: "verb=ListRecords&metadataPrefix=chm", baseURL: "http://h/oai")
            let outcome = try readRecords(response, named: "chm.xml", as: .xml, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.messages.isEmpty, "\(outcome.messages)")
            #expect(outcome.records == [original])
            // GetRecord too, and the whole way through an ingest into another catalog.
            let single = try OAIProvider(house: house).respond(
                toQuery: "verb=GetRecord&metadataPrefix=chm&identifier=\(Self.complete.id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")",
                baseURL: "http://h/oai")
            let other = try directory.house("other")
            let report = try other.ingest(body: Array(single.utf8), format: .xml, displayName: "get.xml")
            #expect(report.added == 1, "\(report.diagnostics)")
            #expect(try other.record(id: Self.complete.id) == original)
        }
    }

    @Test func theHeaderIdentifierIsTheChmRecordsID() throws {
        try withTemporaryDirectory { directory in
            let native = OAIRecordXML.native(Record(id: "local-17", kind: .resource, title: LocalizedText(["en": "T"])), schemaURL: "x")
            let xml = oaiResponse(
                """
                <ListRecords><record><header><identifier>oai:other.example.org:17</identifier><datestamp>2024-01-01</datestamp></header>
                <metadata>\(native)</metadata></record>
                <record><header status="deleted"><identifier>oai:other.example.org:18</identifier><datestamp>2024-01-01</datestamp></header></record>
                </ListRecords>
                """)
            let outcome = try readRecords(xml, named: "chm.xml", as: .xml, in: directory)
            #expect(outcome.records.map(\.id) == ["oai:other.example.org:17"])
            #expect(outcome.deletions == ["oai:other.example.org:18"])
            #expect(outcome.messages.map(\.severity) == [.notice])
            #expect(outcome.messages.first?.message.contains("\"local-17\" differs from the header's identifier") == true)
        }
    }
}
