// The native XML format (namespace urn:chm:records:1), and XML that must be refused.
import Foundation
import Testing

@testable import ClearingHouse
import Records

@Suite struct XMLRecordReaderTests {
    static let fullRecord = """
        <?xml version="1.0" encoding="UTF-8"?>
        <records xmlns="urn:chm:records:1">
          <record id="tech-mangrove-nursery" kind="technology" xml:lang="en">
            <title>Community mangrove nurseries</title>
            <title xml:lang="zh">社区红树林苗圃</title>
            <summary>Raising seedlings with the community.</summary>
            <description xml:lang="fr">Pépinières communautaires.</description>
            <keyword>mangrove</keyword>
            <keyword>nursery</keyword>
            <theme>restoration</theme>
            <target>GBF-T2</target>
            <country>ke</country>
            <country>TZ</country>
            <region>East Africa</region>
            <assistanceType>training</assistanceType>
            <organization role="provider" country="ke" url="https://example.org">Coast Forest Trust</organization>
            <organization>Lamu Youth Group</organization>
            <link url="https://example.org/guide" xml:lang="EN">Nursery guide</link>
            <link url="https://example.org/data"/>
            <published>2019-11</published>
            <updated>2020-01-15T09:00:00+03:00</updated>
            <license>CC-BY-4.0</license>
            <source system="example-chm" url="https://example.org/r/17" originalId="17"/>
            <related>cs-lamu-mangroves</related>
            <related>bp-seed-collection</related>
          </record>
        </records>
        """

    @Test func libxml2sMessagesAreSaidPlainly() throws {
        try withTemporaryDirectory { directory in
            let json = try readRecords(#"{"id": "a"}"#, named: "not.xml", as: .xml, in: directory)
            #expect(json.failure?.message.contains("is it XML?") == true, "\(String(describing: json.failure))")
            let bytes = try directory.write("bad.xml", bytes: Array(#"<records xmlns="urn:chm:records:1"><record id="a">"#.utf8) + [0xFF, 0xFE] + Array("</record></records>".utf8))
            let broken = readRecords(bytes, as: .xml, displayPath: "bad.xml")
            let message = try #require(broken.failure?.message)
            #expect(!message.contains("\n"), "\(message)")
            // Maintainer QA: an undeclared Windows-1252 file, an HTML entity and a broken tag
            // gave libxml2's words alone, naming no record and saying nothing of what to do.
            #expect(message.contains("not UTF-8") && message.contains("encoding="), "\(message)")
            #expect(broken.failure?.recordID == "a")
            let entity = try readRecords(
                #"<records xmlns="urn:chm:records:1"><record id="e" kind="technology"><title>caf&eacute;</title></record></records>"#,
                named: "entity.xml", as: .xml, in: directory)
            #expect(entity.failure?.message.contains("&eacute; is not defined") == true)
            #expect(entity.failure?.message.contains("&#233;") == true)
            #expect(entity.failure?.recordID == "e")
        }
        #expect(XMLMessages.plain("Excessive depth in document: 256 use XML_PARSE_HUGE option").contains("256"))
        #expect(!XMLMessages.plain("internal error: Huge input lookup").contains("internal"))
    }

    /// Maintainer QA: one U+000B in one title made a provider's page unreadable, and every
    /// harvest stopped there. Control characters XML does not allow are read as spaces, with
    /// one warning per file naming the first one's line; tabs and line breaks are text.
    @Test func controlCharactersThatXMLDoesNotAllowAreReadAsSpaces() throws {
        try withTemporaryDirectory { directory in
            let xml = "<records xmlns=\"urn:chm:records:1\">\n<record id=\"c1\" kind=\"technology\"><title>A\u{0B}B\tC</title></record>\n"
                + "<record id=\"c2\" kind=\"technology\"><title>D\u{0C}E</title></record>\n</records>\n"
            let outcome = try readRecords(xml, named: "c.xml", as: .xml, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.records.map { $0.title.values["und"] ?? "" } == ["A B\tC", "D E"])
            let warnings = outcome.entries.compactMap { entry -> Diagnostic? in
                if case .message(let diagnostic) = entry, diagnostic.severity == .warning { return diagnostic }
                return nil
            }
            #expect(warnings.count == 1)
            #expect(warnings.first?.line == 2)
            #expect(warnings.first?.message.contains("2 control characters") == true)
        }
    }

    /// Review: the control characters and lone `\r` were rewritten in the bytes, before
    /// libxml2 decodes them; in UTF-16 those bytes are halves of characters (`Д`, U+0414, is
    /// 14 04; `č`, U+010D, is 0D 01), which became `†` and line breaks.
    @Test func utf16TextIsNotRewrittenByteByByte() throws {
        try withTemporaryDirectory { directory in
            let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<records xmlns=\"urn:chm:records:1\">"
                + "<record id=\"w1\" kind=\"technology\" xml:lang=\"ru\"><title>Дождевая вода, čistá</title></record></records>\n"
            for bigEndian in [false, true] {
                let units = Array(xml.utf16)
                let bytes: [UInt8] = (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE])
                    + units.flatMap { bigEndian ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
                let outcome = readRecords(try directory.write("w\(bigEndian).xml", bytes: bytes), as: .xml)
                #expect(outcome.failure == nil, "\(String(describing: outcome.failure))")
                #expect(outcome.records.first?.title.values == ["ru": "Дождевая вода, čistá"], "big endian: \(bigEndian)")
                #expect(outcome.entries.allSatisfy { if case .message = $0 { false } else { true } })
            }
        }
    }

    /// Maintainer QA: XHTML paragraphs in a description were joined without a space
    /// (`First paragraph.Secondline.`), so `second` found nothing.
    @Test func blocksOfMarkupAreSeparatedAndInlineMarkupJoins() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1">
                  <record id="x1" kind="technology" xml:lang="en"><title>XHTML</title>
                    <description><p xmlns="http://www.w3.org/1999/xhtml">First paragraph.</p><p xmlns="http://www.w3.org/1999/xhtml">Second<br/>line.</p></description>
                    <summary>H<sub>2</sub>O and CO<sub>2</sub></summary>
                  </record>
                </records>
                """
            let record = try #require(try readRecords(xml, named: "x.xml", as: .xml, in: directory).records.first)
            #expect(record.description.values == ["en": "First paragraph.\nSecond\nline."])
            #expect(record.summary.values == ["en": "H2O and CO2"])
        }
    }

    @Test func readsEveryFieldOfANativeRecord() throws {
        try withTemporaryDirectory { directory in
            let outcome = try readRecords(Self.fullRecord, named: "r.xml", as: .xml, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.messages.isEmpty)
            let record = try #require(outcome.records.first)
            #expect(outcome.records.count == 1)
            #expect(outcome.recordLines == [3])
            #expect(record.id == "tech-mangrove-nursery")
            #expect(record.kind == .technology)
            #expect(record.language == "en")
            #expect(record.title.values == ["en": "Community mangrove nurseries", "zh": "社区红树林苗圃"])
            #expect(record.summary.values == ["en": "Raising seedlings with the community."])
            #expect(record.description.values == ["fr": "Pépinières communautaires."])
            #expect(record.keywords == ["mangrove", "nursery"])
            #expect(record.themes == ["restoration"])
            #expect(record.targets == ["GBF-T2"])
            #expect(record.countries == ["KE", "TZ"])
            #expect(record.regions == ["East Africa"])
            #expect(record.assistanceTypes == ["training"])
            #expect(
                record.organizations == [
                    Record.Organization(
                        name: "Coast Forest Trust",
                        role: "provider",
                        country: "KE",
                        url: "https://example.org"
                    ),
                    Record.Organization(name: "Lamu Youth Group"),
                ]
            )
            #expect(
                record.links == [
                    Record.Link(url: "https://example.org/guide", title: "Nursery guide", language: "en"),
                    Record.Link(url: "https://example.org/data"),
                ]
            )
            #expect(record.published == "2019-11")
            #expect(record.updated == "2020-01-15T09:00:00+03:00")
            #expect(record.license == "CC-BY-4.0")
            #expect(
                record.source == Record.Source(system: "example-chm", url: "https://example.org/r/17", originalId: "17")
            )
            #expect(record.related == ["cs-lamu-mangroves", "bp-seed-collection"])
            #expect(record.extensions.isEmpty)
        }
    }

    @Test func xmlAndJSONOfTheSameRecordStoreTheSameCanonicalJSON() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <record xmlns="urn:chm:records:1" id="r1" kind="funding" xml:lang="es">
                  <title>Fondos</title>
                  <title xml:lang="en">Funds</title>
                  <country>mx</country>
                  <published>2021</published>
                </record>
                """
            let json =
                #"{"id": "r1", "kind": "funding", "language": "es", "title": {"es": "Fondos", "en": "Funds"}, "countries": ["MX"], "published": "2021"}"#
            let fromXML = try #require(try readRecords(xml, named: "r.xml", as: .xml, in: directory).records.first)
            let fromJSON = try #require(try readRecords(json, named: "r.json", as: .json, in: directory).records.first)
            #expect(fromXML == fromJSON)
            #expect(
                fromXML.canonicalJSONText
                    == #"{"id":"r1","kind":"funding","language":"es","title":{"en":"Funds","es":"Fondos"},"countries":["MX"],"published":"2021"}"#
            )
        }
    }

    /// OAI QA: the `chm` format lost a title's leading and trailing spaces (the XML reader
    /// trimmed every text), so a harvested copy differed from the provider's. Only the line
    /// breaks and indentation of pretty-printed XML are dropped.
    @Test func textKeepsItsSpacesButNotPrettyPrinting() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <record xmlns="urn:chm:records:1" id="r1" kind="resource" xml:lang="en">
                  <title>  lead and trail\u{A0}</title>
                  <summary>
                    Indented summary
                  </summary>
                  <keyword> sp </keyword>
                  <country> mx </country>
                </record>
                """
            let record = try #require(try readRecords(xml, named: "r.xml", as: .xml, in: directory).records.first)
            #expect(record.title["en"] == "  lead and trail\u{A0}")
            #expect(record.summary["en"] == "Indented summary")
            #expect(record.keywords == [" sp "])
            #expect(record.countries == ["MX"])
            let json = #"{"id": "r1", "kind": "resource", "language": "en", "title": "  lead and trail\u00a0", "summary": "Indented summary", "keywords": [" sp "], "countries": ["MX"]}"#
            #expect(try readRecords(json, named: "r.json", as: .json, in: directory).records.first == record)
        }
    }

    /// Review: a text that begins or ends with a line break (a description ending in "\n")
    /// lost it through XML, as pretty-printing. The writer marks it `xml:space="preserve"`,
    /// which the reader honours, and records.xsd allows.
    @Test func aTextWithLineBreaksAtItsEndsRoundTripsThroughNativeXML() throws {
        try withTemporaryDirectory { directory in
            let json = #"{"id": "r1", "kind": "resource", "language": "en", "title": "\nCoral\n", "description": "Ends with a break\n", "organizations": [{"name": "Org\r\n"}], "links": [{"url": "https://example.org/", "title": "\n Link"}], "keywords": ["plain"]}"#
            let record = try #require(try readRecords(json, named: "r.json", as: .json, in: directory).records.first)
            let xml = OAIRecordXML.native(record, schemaURL: "records.xsd")
            #expect(xml.components(separatedBy: #"xml:space="preserve""#).count == 5, "\(xml)")
            let back = try #require(try readRecords(xml, named: "r.xml", as: .xml, in: directory).records.first)
            #expect(back == record)
            #expect(back.description["en"] == "Ends with a break\n")
            // Without the attribute, pretty-printing is dropped as before.
            #expect(XMLTextSpacing.withoutPrettyPrinting("\n  Coral\n") == "Coral")
            #expect(XMLTextSpacing.withoutPrettyPrinting("  Coral  ") == "  Coral  ")
            #expect(!XMLTextSpacing.needsPreserving("plain"))
        }
    }

    @Test func languageIsInheritedFromTheRecordsElement() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1" xml:lang="ar">
                  <record id="r1" kind="resource"><title>موارد</title></record>
                  <record id="r2" kind="resource" xml:lang="ru"><title>Ресурсы</title><summary xml:lang="en">S</summary></record>
                </records>
                """
            let outcome = try readRecords(xml, named: "r.xml", as: .xml, in: directory)
            #expect(outcome.records.map(\.language) == ["ar", "ru"])
            #expect(outcome.records.first?.title.values == ["ar": "موارد"])
            #expect(outcome.records.last?.title.values == ["ru": "Ресурсы"])
            #expect(outcome.records.last?.summary.values == ["en": "S"])
        }
    }

    /// Maintainer QA: `xml:lang=""`, XML's way of saying "no language", was refused as a tag.
    @Test func anEmptyXMLLangIsUndetermined() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1" xml:lang="en">
                  <record id="r1" kind="resource"><title xml:lang="">Sans langue</title><title>English</title></record>
                  <record id="r2" kind="resource" xml:lang=""><title>None at all</title></record>
                </records>
                """
            let outcome = try readRecords(xml, named: "r.xml", as: .xml, in: directory)
            #expect(outcome.invalid.isEmpty, "\(outcome.invalid)")
            #expect(outcome.records.first?.title.values == ["und": "Sans langue", "en": "English"])
            #expect(outcome.records.last?.language == "und" && outcome.records.last?.title.values == ["und": "None at all"])
        }
    }

    @Test func textWithoutAnyLanguageGoesUnderUnd() throws {
        try withTemporaryDirectory { directory in
            let xml = #"<record xmlns="urn:chm:records:1" id="r1" kind="resource"><title>Plain</title></record>"#
            let record = try #require(try readRecords(xml, named: "r.xml", as: .xml, in: directory).records.first)
            #expect(record.language == "und")
            #expect(record.title.values == ["und": "Plain"])
        }
    }

    @Test func readsASingleRecordRoot() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <?xml version="1.0"?>
                <!-- one record -->
                <record xmlns="urn:chm:records:1" id="solo" kind="organization" xml:lang="en">
                  <title>Solo</title>
                </record>
                """
            let outcome = try readRecords(xml, named: "r.xml", as: .xml, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.records.map(\.id) == ["solo"])
            #expect(outcome.recordLines == [3])
        }
    }

    @Test func readsCDATAAndCharacterReferences() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1">
                  <record id="r1" kind="resource" xml:lang="en">
                    <title><![CDATA[Fish & <chips>]]></title>
                    <summary>Caf&#233; &amp; b&#x00E4;r &lt;3</summary>
                  </record>
                </records>
                """
            let record = try #require(try readRecords(xml, named: "r.xml", as: .xml, in: directory).records.first)
            #expect(record.title.values == ["en": "Fish & <chips>"])
            #expect(record.summary.values == ["en": "Café & bär <3"])
        }
    }

    @Test func unknownElementsAndAttributesAreWarningsKeptUnderExtensions() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1" xmlns:x="urn:example:other">
                  <record id="r1" kind="resource" colour="red">
                    <title>T</title>
                    <x:rating>5</x:rating>
                  </record>
                </records>
                """
            let outcome = try readRecords(xml, named: "r.xml", as: .xml, in: directory)
            let record = try #require(outcome.records.first)
            // Another vocabulary's element keeps its prefix (maintainer QA: `<x:title>` was
            // taken for the title, and `<dc:date>` kept as `date`).
            #expect(record.extensions == ["colour": .string("red"), "x:rating": .string("5")])
            #expect(Set(outcome.messages.compactMap(\.field)) == ["colour", "x:rating"])
            #expect(outcome.messages.allSatisfy { $0.severity == .warning })
            #expect(outcome.messages.first { $0.field == "x:rating" }?.line == 4)

            let strict = try readRecords(xml, named: "r.xml", as: .xml, in: directory, strict: true)
            #expect(strict.records.isEmpty)
            #expect(strict.invalid.count == 1)
        }
    }

    @Test func invalidFieldIsReportedAtItsElementLine() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1">
                  <record id="r1" kind="technology">
                    <title>T</title>
                    <country>KE</country>
                    <country>XX</country>
                    <published>2019-02-30</published>
                  </record>
                  <record id="r2" kind="technology"/>
                  <record id="r3" kind="technology"><title>Fine</title></record>
                </records>
                """
            let outcome = try readRecords(xml, named: "bad.xml", as: .xml, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.records.map(\.id) == ["r3"])
            #expect(outcome.invalid.map(\.line) == [2, 8])
            let first = try #require(outcome.invalid.first)
            #expect(
                first.diagnostics.map(\.description) == [
                    "bad.xml:5: error: record r1: field countries[1]: \"XX\" is not an ISO 3166-1 alpha-2 country code",
                    "bad.xml:6: error: record r1: field published: day 30 does not exist in 2019-02",
                ]
            )
            #expect(
                outcome.invalid.last?.diagnostics.map(\.description) == [
                    "bad.xml:8: error: record r2: field title: missing required field"
                ]
            )
        }
    }

    /// Maintainer QA: elements of other vocabularies were read by their local names
    /// (`<dc:title>` then `<title>`: the Dublin Core one was dropped; `<x:title>` alone was the
    /// title), an `x:lang` attribute became `lang`, and a repeated `<published>`, or an `<id>`
    /// element beside the `id` attribute, kept one value silently.
    @Test func otherVocabulariesAreNotChmsAndAFieldGivenTwiceIsAnError() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:x="urn:example:other">
                  <record id="r1" kind="technology" xml:lang="en" x:lang="fr">
                    <dc:title>Dublin Core title</dc:title>
                    <title>Native title</title>
                    <dc:subject>one</dc:subject>
                    <dc:subject>two</dc:subject>
                  </record>
                  <record id="r2" kind="technology"><x:title>Foreign only</x:title></record>
                  <record id="r3" kind="technology"><title>T</title><published>2020</published><published>2021</published></record>
                  <record id="r4" kind="technology"><id>other</id><title>T</title></record>
                </records>
                """
            let outcome = try readRecords(xml, named: "r.xml", as: .xml, in: directory)
            let record = try #require(outcome.records.first)
            #expect(outcome.records.map(\.id) == ["r1"])
            #expect(record.title.values == ["en": "Native title"])
            #expect(
                record.extensions == [
                    "dc:title": .string("Dublin Core title"), "dc:subject": .array([.string("one"), .string("two")]),
                    "x:lang": .string("fr"),
                ])
            let errors = outcome.invalid.flatMap(\.diagnostics).filter { $0.severity == .error }
            #expect(errors.contains { $0.recordID == "r2" && $0.field == "title" })
            #expect(errors.contains { $0.recordID == "r3" && $0.field == "published" && $0.message.contains("given twice") })
            #expect(errors.contains { $0.field == "id" && $0.message.contains("given twice") })
        }
    }

    @Test func unexpectedElementInsideRecordsIsAWarning() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1">
                  <note>hello</note>
                  <record id="r1" kind="resource"><title>T</title></record>
                </records>
                """
            let outcome = try readRecords(xml, named: "r.xml", as: .xml, in: directory)
            #expect(outcome.records.map(\.id) == ["r1"])
            #expect(outcome.messages.map(\.line) == [2])
            #expect(outcome.messages.first?.message.contains("<note>") == true)
        }
    }

    /// Maintainer QA: a publisher's `<Record>` (or an unqualified `<record>` under a prefixed
    /// root) was only a warning, the record lost and the ingest's exit 0. A misnamed element
    /// that looks like a record is an invalid entry; an unqualified `<record>` is read, as
    /// unqualified fields inside a record are.
    @Test func anElementThatLooksLikeARecordIsNotSilentlyDropped() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1">
                  <Record id="n-6" kind="resource"><title>case</title></Record>
                  <item id="n-7" kind="resource"><title>item</title></item>
                  <record id="n-8" kind="resource"><title>kept</title></record>
                </records>
                """
            let outcome = try readRecords(xml, named: "r.xml", as: .xml, in: directory)
            #expect(outcome.records.map(\.id) == ["n-8"])
            #expect(outcome.invalid.map(\.line) == [2, 3])
            let messages = outcome.invalid.flatMap(\.diagnostics)
            #expect(messages.map(\.recordID) == ["n-6", "n-7"])
            #expect(messages.first?.message.contains("case-sensitive: write <record>") == true, "\(messages)")
            #expect(messages.last?.message.contains("not a record, so it was not read") == true, "\(messages)")
            let prefixed = """
                <c:records xmlns:c="urn:chm:records:1">
                  <record id="u-1" kind="resource"><title>unqualified</title></record>
                  <foo:x xmlns:foo="urn:foo" id="f-1"/>
                </c:records>
                """
            let read = try readRecords(prefixed, named: "p.xml", as: .xml, in: directory)
            #expect(read.records.map(\.id) == ["u-1"])
            #expect(read.invalid.isEmpty)
            #expect(read.messages.map(\.message) == ["unexpected element <foo:x> inside <records> ignored"])
        }
    }

    /// Maintainer QA: libxml2's reader says "Extra content at the end of the document" of a
    /// file cut off inside `<records>`; and some of its messages were its own jargon.
    @Test func aFileCutOffInsideTheRootSaysSo() throws {
        try withTemporaryDirectory { directory in
            let cut = """
                <?xml version="1.0"?>
                <records xmlns="urn:chm:records:1">
                <record id="t-1" kind="resource"><title>one</title></record>

                """
            let outcome = try readRecords(cut, named: "cut.xml", as: .xml, in: directory)
            #expect(outcome.records.map(\.id) == ["t-1"])
            let message = try #require(outcome.failure?.message)
            #expect(message.hasPrefix("the file ends before <records> (line 2) is closed: it looks cut off (truncated)"), "\(message)")
            let extra = try readRecords(cut + "</records>\n<x/>\n", named: "extra.xml", as: .xml, in: directory)
            #expect(extra.failure?.message.hasPrefix("Extra content at the end of the document") == true, "\(String(describing: extra.failure))")
        }
        #expect(XMLMessages.plain("xmlParseCharRef: invalid xmlChar value 12").contains("&#12;"))
        #expect(XMLMessages.plain("EntityRef: expecting ';'").contains("&amp;"))
        #expect(XMLMessages.plain("AttValue: \" or ' expected").contains("quotes"))
        #expect(XMLMessages.plain("Unsupported encoding foo-bar").contains("foo-bar that the XML declaration names"))
    }

    // MARK: Malformed and unsafe XML

    @Test func mismatchedTagIsAnErrorWithItsLine() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1">
                  <record id="r1" kind="resource">
                    <title>T</title>
                    <summary>S</summry>
                  </record>
                </records>
                """
            let outcome = try readRecords(xml, named: "broken.xml", as: .xml, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.file == "broken.xml")
            #expect(failure.line == 4)
            #expect(failure.message.contains("mismatch"))
            #expect(outcome.records.isEmpty)
        }
    }

    /// A native file, a record a line: `before` good records (`r0`...), `broken`, then `after`
    /// good ones.
    static func records(_ before: Int, then broken: String, after: Int) -> String {
        var lines = (0..<before).map { #"  <record id="r\#($0)" kind="resource"><title>Record \#($0) about wetlands</title></record>"# }
        lines.append("  " + broken)
        lines += (0..<after).map { #"  <record id="after\#($0)" kind="resource"><title>After</title></record>"# }
        return "<records xmlns=\"urn:chm:records:1\">\n" + lines.joined(separator: "\n") + "\n</records>\n"
    }

    /// libxml2 parses up to 4 KB ahead of the node it hands over: the records just before a
    /// syntax error were parsed whole but never handed over, and --skip-invalid lost them
    /// (36 of 40 stored). Every record before the broken one is read, and the error says
    /// that nothing after it was.
    @Test(arguments: [1, 3, 40, 200]) func everyRecordBeforeASyntaxErrorIsRead(before: Int) throws {
        try withTemporaryDirectory { directory in
            let xml = Self.records(before, then: #"<record id="broken" kind="resource"><title>Broken <b></title></record>"#, after: 20)
            let outcome = try readRecords(xml, named: "broken.xml", as: .xml, in: directory)
            #expect(outcome.records.map(\.id) == (0..<before).map { "r\($0)" })
            let failure = try #require(outcome.failure)
            #expect(failure.line == before + 2)
            #expect(failure.recordID == "broken")
            #expect(failure.message.contains("nothing after it in the file was read"), "\(failure.message)")
        }
    }

    /// The error between two records (a start tag that breaks): the record before it is
    /// whole and read.
    @Test func aRecordJustBeforeABrokenStartTagIsRead() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1">
                  <record id="r1" kind="resource"><title>One</title></record>
                  <record id="r2" kind="resource"><title>Two</title></record>
                  <record id=r3 kind="resource"><title>Three</title></record>
                  <record id="r4" kind="resource"><title>Four</title></record>
                </records>
                """
            let outcome = try readRecords(xml, named: "broken.xml", as: .xml, in: directory)
            #expect(outcome.records.map(\.id) == ["r1", "r2"])
            #expect(try #require(outcome.failure).line == 4)
        }
    }

    /// Review: a namespace error (an undeclared prefix) does not stop libxml2, so every record
    /// parsed ahead had a next sibling and was handed over, the broken one too, while the
    /// error said nothing after it was read. Only the records before the broken one are.
    @Test(arguments: [1, 50]) func aNamespaceErrorHandsOverOnlyTheRecordsBeforeIt(before: Int) throws {
        try withTemporaryDirectory { directory in
            let xml = Self.records(before, then: #"<record id="broken" kind="resource"><title>Broken</title><x:summary>S</x:summary></record>"#, after: 5)
            let outcome = try readRecords(xml, named: "ns.xml", as: .xml, in: directory)
            #expect(outcome.records.map(\.id) == (0..<before).map { "r\($0)" })
            #expect(try #require(outcome.failure).line == before + 2)
        }
    }

    /// Review: in minified XML (`</record><record id=c`), the record before a broken start
    /// tag has no next sibling, and was lost; the parser was back at the root's level, so
    /// every child before is whole. Records given twice on one line are handed over once
    /// each, in order.
    @Test func minifiedXMLKeepsTheRecordBeforeABrokenStartTag() throws {
        try withTemporaryDirectory { directory in
            let records = (0..<30).map { #"<record id="r\#($0 / 2)" kind="resource"><title>Title \#($0)</title></record>"# }.joined()
            let xml = #"<records xmlns="urn:chm:records:1">"# + records + #"<record id=bad kind="resource"><title>B</title></record></records>"#
            let outcome = try readRecords(xml, named: "min.xml", as: .xml, in: directory)
            #expect(outcome.records.map(\.id) == (0..<30).map { "r\($0 / 2)" })
            #expect(outcome.records.last?.title.values.first?.value == "Title 29")
            #expect(outcome.failure != nil)
        }
    }

    @Test func truncatedXMLIsAnError() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1">
                  <record id="r1" kind="resource"><title>T</title></record>
                  <record id="r2" kind="resource"><title>T
                """
            let outcome = try readRecords(xml, named: "cut.xml", as: .xml, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.severity == .error)
            #expect(outcome.records.map(\.id).contains("r2") == false)
        }
    }

    @Test func rootWithoutTheNamespaceIsRejected() throws {
        try withTemporaryDirectory { directory in
            let xml = "<records>\n<record id=\"r1\" kind=\"resource\"><title>T</title></record>\n</records>"
            let outcome = try readRecords(xml, named: "nons.xml", as: .xml, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.line == 1)
            #expect(failure.message.contains("urn:chm:records:1"))
            #expect(outcome.records.isEmpty)
        }
    }

    @Test func unknownRootIsRejected() throws {
        try withTemporaryDirectory { directory in
            let outcome = try readRecords("<catalogue/>", named: "other.xml", as: .xml, in: directory)
            #expect(outcome.failure?.message.contains("<catalogue>") == true)
        }
    }

    @Test func emptyXMLFileIsAnErrorThatSaysSo() throws {
        try withTemporaryDirectory { directory in
            let outcome = try readRecords("", named: "empty.xml", as: .xml, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.severity == .error)
            #expect(outcome.entries.isEmpty)
            // Not libxml2's "Extra content at the end of the document", which misleads.
            #expect(failure.message.contains("empty"), "message was: \(failure.message)")
        }
    }

    static let passwordFileEntity = """
        <!DOCTYPE records [
          <!ENTITY secret SYSTEM "file:///etc/passwd">
        ]>
        <records xmlns="urn:chm:records:1">
          <record id="r1" kind="resource" xml:lang="en"><title>Leak &secret;</title></record>
          <record id="r2" kind="resource" xml:lang="en"><title>Innocent</title></record>
        </records>
        """

    @Test(arguments: ["", "<?xml version=\"1.0\"?>\n", "<!-- c -->\n", "<?a?>"])
    func doctypeWithAnExternalEntityIsRefusedAndNothingIsStored(prolog: String) throws {
        try withTemporaryDirectory { directory in
            let path = try directory.write("xxe.xml", prolog + Self.passwordFileEntity)
            let outcome = readRecords(path, as: .xml, displayPath: "xxe.xml")
            let failure = try #require(outcome.failure)
            #expect(failure.severity == .error)
            for record in outcome.records {
                #expect(!record.canonicalJSONText.contains("root:"))
            }

            let house = try directory.house()
            let report = try house.ingest([path])
            #expect(!report.succeeded)
            #expect(report.added == 0)
            #expect(report.files.map(\.status) == [.rolledBack])
            #expect(try house.statistics().records == 0)
            #expect(try house.record(id: "r1") == nil)
            #expect(try exported(house).isEmpty)
            #expect(report.diagnostics.allSatisfy { !$0.description.contains("root:x:0:0") })
        }
    }

    @Test func doctypeRefusalNamesTheDoctype() throws {
        try withTemporaryDirectory { directory in
            let outcome = try readRecords(Self.passwordFileEntity, named: "xxe.xml", as: .xml, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.line == 1)
            #expect(failure.message.contains("DOCTYPE"))
        }
    }

    @Test(arguments: [passwordFileEntity, billionLaughs])
    func doctypeAfterAProcessingInstructionIsRefusedAtItsLine(document: String) throws {
        // `<?a?>` is a complete processing instruction, so the DOCTYPE starts on line 1 right
        // after it; the refusal must not depend on libxml2 parsing the internal subset first.
        try withTemporaryDirectory { directory in
            let outcome = try readRecords("<?a?>" + document, named: "pi.xml", as: .xml, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.line == 1)
            #expect(failure.message.contains("DOCTYPE declarations are not allowed"), "message was: \(failure.message)")
            #expect(outcome.records.isEmpty)
        }
    }

    static let billionLaughs = """
        <!DOCTYPE records [
          <!ENTITY lol "lol">
          <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
          <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
          <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
          <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
          <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
          <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        <records xmlns="urn:chm:records:1">
          <record id="r1" kind="resource" xml:lang="en"><title>&lol9;</title></record>
        </records>
        """

    @Test(.timeLimit(.minutes(3)), arguments: ["", "<?a?>"])
    func entityBombIsRefusedQuickly(prolog: String) throws {
        try withTemporaryDirectory { directory in
            let path = try directory.write("bomb.xml", prolog + Self.billionLaughs)
            // (Refused before libxml2 expands anything; the time limit catches an expansion,
            // which would take minutes and gigabytes.)
            let outcome = readRecords(path, as: .xml, displayPath: "bomb.xml")
            #expect(outcome.failure?.severity == .error)
            #expect(outcome.records.isEmpty)
        }
    }

    @Test func undefinedEntityReferenceIsRefused() throws {
        try withTemporaryDirectory { directory in
            let xml = """
                <records xmlns="urn:chm:records:1">
                  <record id="r1" kind="resource" xml:lang="en">
                    <title>Caf&eacute;</title>
                  </record>
                </records>
                """
            let outcome = try readRecords(xml, named: "entity.xml", as: .xml, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.line == 3)
            #expect(failure.message.contains("eacute"))
            #expect(outcome.records.isEmpty)
        }
    }

    @Test func invalidUTF8IsRefusedWithItsLine() throws {
        try withTemporaryDirectory { directory in
            let head = "<records xmlns=\"urn:chm:records:1\">\n  <record id=\"r1\" kind=\"resource\">\n    <title>Bad "
            let tail = " text</title>\n  </record>\n</records>\n"
            let path = try directory.write("latin1.xml", bytes: Array(head.utf8) + [0xE9, 0xFF] + Array(tail.utf8))
            let outcome = readRecords(path, as: .xml, displayPath: "latin1.xml")
            let failure = try #require(outcome.failure)
            #expect(failure.line == 3)
            #expect(failure.message.contains("UTF-8"))
            #expect(outcome.records.isEmpty)
        }
    }
}
