// OAI-PMH responses with oai_dc metadata, mapped to records (DESIGN.md section 2).
import Foundation
import Testing

@testable import ClearingHouse

/// An OAI-PMH response around `body` (the ListRecords, GetRecord or error element).
func oaiResponse(_ body: String) -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <responseDate>2024-05-01T09:30:00Z</responseDate>
      <request verb="ListRecords" metadataPrefix="oai_dc">https://repo.example.org/oai</request>
    \(body)
    </OAI-PMH>
    """
}

/// An OAI-PMH `<record>` with oai_dc metadata made of `dc` (Dublin Core elements).
func oaiRecord(_ identifier: String, datestamp: String = "2024-04-30", _ dc: String) -> String {
    """
        <record>
          <header>
            <identifier>\(identifier)</identifier>
            <datestamp>\(datestamp)</datestamp>
          </header>
          <metadata>
            <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
    \(dc)
            </oai_dc:dc>
          </metadata>
        </record>
    """
}

/// An OAI-PMH `<record>` whose header says the record was deleted.
func oaiDeletion(_ identifier: String) -> String {
    """
        <record>
          <header status="deleted">
            <identifier>\(identifier)</identifier>
            <datestamp>2024-05-01</datestamp>
          </header>
        </record>
    """
}

@Suite struct OAIPMHReaderTests {
    static let seedBank = oaiRecord(
        "oai:repo.example.org:17",
        """
              <dc:title xml:lang="en">Seed banks for drylands</dc:title>
              <dc:title xml:lang="fr">Banques de semences</dc:title>
              <dc:description xml:lang="en">How to run one.</dc:description>
              <dc:subject>seeds</dc:subject>
              <dc:subject>drylands</dc:subject>
              <dc:type>Case study</dc:type>
              <dc:coverage>KE</dc:coverage>
              <dc:coverage>Sahel</dc:coverage>
              <dc:date>2019-11-05</dc:date>
              <dc:rights>CC-BY-4.0</dc:rights>
              <dc:identifier>https://repo.example.org/items/17</dc:identifier>
              <dc:identifier>ISBN 978-3-16-148410-0</dc:identifier>
              <dc:creator>Dryland Trust</dc:creator>
              <dc:publisher>Repo Press</dc:publisher>
        """
    )

    @Test func mapsDublinCoreToARecord() throws {
        try withTemporaryDirectory { directory in
            let xml = oaiResponse("<ListRecords>\n\(Self.seedBank)\n</ListRecords>")
            let outcome = try readRecords(xml, named: "oai.xml", as: .xml, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.invalid.isEmpty)
            let record = try #require(outcome.records.first)
            #expect(outcome.records.count == 1)
            #expect(record.id == "oai:repo.example.org:17")
            #expect(record.kind == .caseStudy)
            #expect(record.title.values == ["en": "Seed banks for drylands", "fr": "Banques de semences"])
            #expect(record.summary.values == ["en": "How to run one."])
            #expect(record.description.isEmpty)
            #expect(record.keywords == ["seeds", "drylands"])
            #expect(record.countries == ["KE"])
            #expect(record.regions == ["Sahel"])
            #expect(record.published == "2019-11-05")
            #expect(record.updated == "2024-04-30T00:00:00Z")
            #expect(record.license == "CC-BY-4.0")
            #expect(record.links == [Record.Link(url: "https://repo.example.org/items/17")])
            #expect(
                record.organizations == [
                    Record.Organization(name: "Dryland Trust", role: "creator"),
                    Record.Organization(name: "Repo Press", role: "publisher"),
                ]
            )
            #expect(
                record.source
                    == Record.Source(
                        system: "oai-pmh",
                        url: "https://repo.example.org/oai",
                        originalId: "oai:repo.example.org:17"
                    )
            )
        }
    }

    @Test func defaultsKindToResourceAndKeepsUnmappedElements() throws {
        try withTemporaryDirectory { directory in
            let dc = """
                      <dc:title>Rangeland atlas</dc:title>
                      <dc:type>Dataset</dc:type>
                      <dc:language>eng</dc:language>
                      <dc:date>2020-03-01T12:00:00Z</dc:date>
                      <dc:coverage>ke</dc:coverage>
                      <dc:format>application/pdf</dc:format>
                """
            let xml = oaiResponse(
                "<ListRecords>\n\(oaiRecord("oai:repo:2", datestamp: "2024-04-30T10:00:00Z", dc))\n</ListRecords>"
            )
            let record = try #require(try readRecords(xml, named: "oai.xml", as: .xml, in: directory).records.first)
            #expect(record.kind == .resource)
            #expect(record.language == "en")
            #expect(record.title.values == ["en": "Rangeland atlas"])
            #expect(record.published == "2020-03-01")
            #expect(record.updated == "2024-04-30T10:00:00Z")
            #expect(record.countries == ["KE"])
            #expect(record.regions.isEmpty)
            // The date-time was read as a date: the text is kept as it was.
            #expect(
                record.extensions == [
                    "dc:format": .array([.string("application/pdf")]), "dc:date": .array([.string("2020-03-01T12:00:00Z")]),
                ])
        }
    }

    /// Maintainer QA: `dcterms:abstract`, a provider's own elements and unqualified ones
    /// beside the Dublin Core elements vanished without a word; they are kept under their
    /// qualified names, a name the Dublin Core elements took given with its namespace.
    @Test func elementsOfOtherVocabulariesAreKeptUnderTheirQualifiedNames() throws {
        try withTemporaryDirectory { directory in
            let dc = """
                      <dc:title>Terms</dc:title>
                      <dcterms:abstract xmlns:dcterms="http://purl.org/dc/terms/">An abstract</dcterms:abstract>
                      <foo:bar xmlns:foo="urn:foo">x</foo:bar>
                      <foo:bar xmlns:foo="urn:foo">y</foo:bar>
                      <dc:format>pdf</dc:format>
                      <dc:format xmlns:dc="urn:not-dublin-core">other</dc:format>
                """
            let xml = oaiResponse("<ListRecords>\n\(oaiRecord("oai:repo:9", datestamp: "2024-04-30", dc))\n</ListRecords>")
            let record = try #require(try readRecords(xml, named: "oai.xml", as: .xml, in: directory).records.first)
            #expect(
                record.extensions == [
                    "dc:format": .array([.string("pdf")]), "dcterms:abstract": .array([.string("An abstract")]),
                    "foo:bar": .array([.string("x"), .string("y")]), "{urn:not-dublin-core}format": .array([.string("other")]),
                ])
        }
    }

    /// Maintainer QA: `dc:language` as repositories write it (DSpace's `en_US`, names, lists)
    /// refused the whole record or became a tag such as `english`, which no analyzer knows.
    @Test(arguments: [
        ("en_US", "en-US", false), ("English", "en", false), ("Español", "es", false), ("русский", "ru", false),
        ("中文", "zh", false), ("fre", "fr", false), ("es_ES.UTF-8", "es-ES", false), ("pt-BR", "pt-BR", false),
        ("English; French", "en", true), ("Klingon", nil, true), ("??", nil, true),
    ] as [(String, String?, Bool)])
    func dublinCoreLanguagesAreInterpretedNeverRefused(value: String, tag: String?, kept: Bool) throws {
        try withTemporaryDirectory { directory in
            let dc = "<dc:title>Atlas</dc:title><dc:language>\(value)</dc:language>"
            let xml = oaiResponse("<ListRecords>\n\(oaiRecord("oai:repo:3", dc))\n</ListRecords>")
            let outcome = try readRecords(xml, named: "oai.xml", as: .xml, in: directory)
            let record = try #require(outcome.records.first, "\(outcome.invalid)")
            #expect(record.language == tag ?? "und")
            #expect(record.title.values == [tag ?? "und": "Atlas"])
            // What was not read exactly as written is kept as it was.
            #expect(record.extensions["dc:language"] == (kept ? .array([.string(value)]) : nil))
        }
    }

    /// Maintainer QA: a DOI in `dc:identifier` and a second title in the same language were
    /// dropped: they are kept in the extensions.
    @Test func identifiersThatAreNoLinksAndRepeatedTitlesAreKept() throws {
        try withTemporaryDirectory { directory in
            let dc = """
                      <dc:title xml:lang="en">Atlas</dc:title>
                      <dc:title xml:lang="en">Atlas of rangelands</dc:title>
                      <dc:description>One.</dc:description>
                      <dc:description>Two.</dc:description>
                      <dc:identifier>10.1234/abc</dc:identifier>
                      <dc:identifier>https://example.org/ok</dc:identifier>
                      <dc:coverage>ke</dc:coverage>
                      <dc:coverage>KE</dc:coverage>
                """
            let xml = oaiResponse("<ListRecords>\n\(oaiRecord("oai:repo:4", dc))\n</ListRecords>")
            let record = try #require(try readRecords(xml, named: "oai.xml", as: .xml, in: directory).records.first)
            #expect(record.title.values == ["en": "Atlas"])
            #expect(record.summary.values == ["und": "One."])
            #expect(record.links == [Record.Link(url: "https://example.org/ok")])
            #expect(record.countries == ["KE"])
            #expect(
                record.extensions == [
                    "dc:title": .array([.string("Atlas of rangelands")]), "dc:description": .array([.string("Two.")]),
                    "dc:identifier": .array([.string("10.1234/abc")]),
                ])
        }
    }

    @Test(arguments: [
        ("Technology", RecordKind.technology), ("best practice", .bestPractice), ("Organisation", .organization),
        ("Training", .training), ("grant", .funding), ("text", .resource),
    ])
    func mapsTypeToKind(type: String, kind: RecordKind) throws {
        try withTemporaryDirectory { directory in
            let dc = "      <dc:title>T</dc:title>\n      <dc:type>\(type)</dc:type>"
            let xml = oaiResponse("<ListRecords>\n\(oaiRecord("oai:r:1", dc))\n</ListRecords>")
            let outcome = try readRecords(xml, named: "oai.xml", as: .xml, in: directory)
            #expect(outcome.records.first?.kind == kind)
        }
    }

    @Test func readsAGetRecordResponse() throws {
        try withTemporaryDirectory { directory in
            let xml = oaiResponse("<GetRecord>\n\(Self.seedBank)\n</GetRecord>")
            let outcome = try readRecords(xml, named: "get.xml", as: .xml, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.records.map(\.id) == ["oai:repo.example.org:17"])
            #expect(outcome.records.first?.kind == .caseStudy)
        }
    }

    @Test func deletedHeaderIsADeletion() throws {
        try withTemporaryDirectory { directory in
            let xml = oaiResponse("<ListRecords>\n\(oaiDeletion("oai:repo.example.org:17"))\n</ListRecords>")
            let outcome = try readRecords(xml, named: "del.xml", as: .xml, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.deletions == ["oai:repo.example.org:17"])
            #expect(outcome.records.isEmpty)
        }
    }

    @Test func deletedHeaderDeletesAPreviouslyIngestedRecord() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let first = try directory.write(
                "page1.xml",
                oaiResponse(
                    "<ListRecords>\n\(Self.seedBank)\n\(oaiRecord("oai:repo:keep", "      <dc:title>Keep</dc:title>"))\n</ListRecords>"
                )
            )
            let added = try house.ingest([first])
            #expect(added.added == 2)
            #expect(try house.record(id: "oai:repo.example.org:17") != nil)
            let changeBefore = try house.statistics().lastChange

            let second = try directory.write(
                "page2.xml",
                oaiResponse("<ListRecords>\n\(oaiDeletion("oai:repo.example.org:17"))\n</ListRecords>")
            )
            let report = try house.ingest([second])
            #expect(report.deleted == 1)
            #expect(report.succeeded)
            #expect(try house.record(id: "oai:repo.example.org:17") == nil)
            #expect(try house.record(id: "oai:repo:keep") != nil)
            #expect(try house.statistics().records == 1)
            #expect(try house.statistics().lastChange == changeBefore + 1)

            // Deleting it again is a notice, not an error.
            let again = try house.ingest([second])
            #expect(again.deleted == 0)
            #expect(again.succeeded)
            #expect(again.diagnostics.contains { $0.severity == .notice && $0.recordID == "oai:repo.example.org:17" })
        }
    }

    @Test func oaiErrorIsReportedAsAnError() throws {
        try withTemporaryDirectory { directory in
            let xml = oaiResponse(#"  <error code="badArgument">Illegal argument: from</error>"#)
            let outcome = try readRecords(xml, named: "err.xml", as: .xml, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.severity == .error)
            #expect(failure.line == 5)
            #expect(failure.message.contains("badArgument"))
            #expect(failure.message.contains("Illegal argument: from"))

            let path = try directory.write("err2.xml", xml)
            let report = try ClearingHouse.validate([path])
            #expect(!report.succeeded)
            #expect(report.errors == 1)
        }
    }

    @Test func noRecordsMatchIsOnlyANotice() throws {
        try withTemporaryDirectory { directory in
            let xml = oaiResponse(#"  <error code="noRecordsMatch">Nothing since then</error>"#)
            let outcome = try readRecords(xml, named: "none.xml", as: .xml, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.messages.map(\.severity) == [.notice])
        }
    }

    @Test func recordInAnotherFormatGetsOneErrorForTheFile() throws {
        try withTemporaryDirectory { directory in
            let mods = { (id: String) in
                """
                    <record>
                      <header><identifier>\(id)</identifier><datestamp>2024-01-01</datestamp></header>
                      <metadata><mods xmlns="http://www.loc.gov/mods/v3"/></metadata>
                    </record>
                """
            }
            let xml = oaiResponse(
                "<ListRecords>\n\(mods("oai:r:9"))\n\(oaiDeletion("oai:r:8"))\n\(mods("oai:r:10"))\n</ListRecords>"
            )
            let outcome = try readRecords(xml, named: "mods.xml", as: .xml, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.records.isEmpty)
            #expect(outcome.deletions == ["oai:r:8"])
            #expect(outcome.invalid.count == 2)
            #expect(outcome.invalid.allSatisfy { $0.diagnostics.isEmpty })
            let error = try #require(outcome.messages.first)
            #expect(outcome.messages.count == 1)
            #expect(error.severity == .error)
            #expect(error.field == "metadata")
            #expect(error.message.contains("mods format (<mods> in http://www.loc.gov/mods/v3)"), "\(error.message)")
            #expect(error.message.contains("chm reads only the oai_dc and chm formats"))
        }
    }

    @Test func dublinCoreRecordWithoutTitleIsInvalid() throws {
        try withTemporaryDirectory { directory in
            let xml = oaiResponse(
                "<ListRecords>\n\(oaiRecord("oai:r:1", "      <dc:subject>x</dc:subject>"))\n</ListRecords>"
            )
            let outcome = try readRecords(xml, named: "oai.xml", as: .xml, in: directory)
            #expect(outcome.records.isEmpty)
            #expect(outcome.invalid.first?.diagnostics.map(\.field) == ["title"])
        }
    }

    @Test func resumptionTokenIsANotice() throws {
        try withTemporaryDirectory { directory in
            let body =
                "<ListRecords>\n\(Self.seedBank)\n    <resumptionToken cursor=\"0\">page-2</resumptionToken>\n</ListRecords>"
            let outcome = try readRecords(oaiResponse(body), named: "oai.xml", as: .xml, in: directory)
            #expect(outcome.records.count == 1)
            #expect(outcome.messages.count == 1)
            #expect(outcome.messages.first?.severity == .notice)
            #expect(outcome.messages.first?.message.contains("page-2") == true)
        }
    }
}

/// OAI QA: a root `<OAI-PMH>` in no namespace was reported as "the root element is
/// <OAI-PMH>", which reads as if it were right.
@Test func aRootInTheWrongNamespaceSaysWhichItShouldBe() {
    for (xml, said) in [
        ("<OAI-PMH><responseDate>2024-01-01T00:00:00Z</responseDate></OAI-PMH>", "<OAI-PMH> in no namespace"),
        (#"<OAI-PMH xmlns="urn:other"/>"#, "<OAI-PMH> in urn:other"),
        ("<html><body>Not here</body></html>", "<html> in no namespace"),
    ] {
        do {
            _ = try OAIResponseEnvelope(bytes: Array(xml.utf8))
            Issue.record("read \(xml)")
        } catch {
            #expect(error.message.contains(said) && error.message.contains("not <OAI-PMH> in http://www.openarchives.org/OAI/2.0/"), "\(error.message)")
        }
    }
}
