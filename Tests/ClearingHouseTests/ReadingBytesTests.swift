// Reading records from bytes in memory (what an HTTP server receives as a request body) in
// every format, through the Records module's readers alone: no catalog, no index.
import Testing

@testable import ClearingHouse
@testable import Records

/// Reads `text` as a body in `format`, named `name`.
private func read(
    _ text: String, as format: RecordFormat, named name: String = "request body",
    options: IngestOptions = IngestOptions()
) -> (read: ReadOutcome, bytesRead: Int) {
    let reader = RecordFile(bytes: Array(text.utf8), format: format, displayName: name).makeReader(options: options)
    var read = ReadOutcome()
    do {
        try reader.read { read.entries.append($0) }
    } catch let diagnostic as Diagnostic {
        read.failure = diagnostic
    } catch {
        read.failure = Diagnostic(.error, file: name, message: "unexpected error: \(error)")
    }
    return (read, reader.bytesRead)
}

@Suite struct ReadingBytesTests {
    @Test func readsAJSONArrayBody() {
        let body = """
            [
              {"id": "a", "kind": "technology", "title": {"en": "Mangrove nurseries"}},
              {"id": "b", "kind": "caseStudy", "title": {"fr": "Pépinières"}, "countries": ["ke"]}
            ]
            """
        let (read, bytesRead) = read(body, as: .json)
        #expect(read.failure == nil)
        #expect(read.records.map(\.id) == ["a", "b"])
        #expect(read.recordLines == [2, 3])
        #expect(read.records.last?.countries == ["KE"])
        #expect(read.records.last?.title.values == ["fr": "Pépinières"])
        #expect(bytesRead == body.utf8.count)
    }

    @Test func readsAJSONObjectBodyWithRecords() {
        let (read, _) = read(#"{"records": [{"id": "a", "kind": "technology", "title": {"en": "T"}}]}"#, as: .json)
        #expect(read.failure == nil)
        #expect(read.records.map(\.id) == ["a"])
    }

    @Test func namesTheBodyInSyntaxErrors() {
        let (read, _) = read("[{\"id\": \"a\",\n  oops}]", as: .json, named: "POST /records")
        let failure = read.failure
        #expect(failure?.file == "POST /records")
        #expect(failure?.line == 2)
        #expect(failure?.description.hasPrefix("POST /records:2:") == true)
    }

    @Test func readsAJSONLinesBody() {
        // More lines than one batch, so the background batches are used too.
        var lines = (0..<600).map { #"{"id": "r\#($0)", "kind": "resource", "title": {"en": "Record \#($0)"}}"# }
        lines[300] = #"{"id": "bad", "kind": "nonsense", "title": {"en": "Bad"}}"#
        lines[400] = "not json"
        let (read, bytesRead) = read(lines.joined(separator: "\r\n") + "\n", as: .jsonLines)
        #expect(read.failure == nil)
        #expect(read.records.count == 598)
        #expect(read.records.first?.id == "r0")
        #expect(read.records.last?.id == "r599")
        #expect(read.recordLines.prefix(3) == [1, 2, 3])
        #expect(read.invalid.flatMap(\.diagnostics).map(\.line) == [301, 401])
        #expect(read.invalid.flatMap(\.diagnostics).allSatisfy { $0.file == "request body" && $0.severity == .error })
        #expect(bytesRead == lines.joined(separator: "\r\n").utf8.count + 1)
    }

    @Test func preparesTheStoredFormOfJSONLinesWhenAsked() throws {
        var options = IngestOptions()
        options.preparesStorage = true
        let (read, _) = read(#"{"id": "a", "kind": "technology", "title": {"en": "T"}}"#, as: .jsonLines, options: options)
        guard case .record(let record, _, _, let stored?) = try #require(read.entries.first) else {
            Issue.record("no stored form prepared")
            return
        }
        #expect(stored.form.json == record.canonicalJSONText)
        #expect(stored.form.hash == StoredForm(record).form.hash)
        #expect(stored.form.hash.count == 64)
    }

    @Test func appliesTheOptionsToBodies() {
        let body = #"{"id": "a", "kind": "technology", "title": {"en": "T"}, "colour": "green"}"#
        #expect(read(body, as: .jsonLines).read.records.count == 1)
        let strict = read(body, as: .jsonLines, options: IngestOptions(strict: true)).read
        #expect(strict.records.isEmpty)
        #expect(strict.invalid.first?.diagnostics.first?.field == "colour")
    }

    @Test func readsANativeXMLBody() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <records xmlns="urn:chm:records:1">
              <record id="tech-mangrove-nursery" kind="technology" xml:lang="en">
                <title>Community mangrove nurseries</title>
                <title xml:lang="zh">社区红树林苗圃</title>
                <country>ke</country>
              </record>
              <record id="bp-seeds" kind="bestPractice">
                <title xml:lang="es">Recolección de semillas</title>
              </record>
            </records>
            """
        let (read, bytesRead) = read(body, as: .xml)
        #expect(read.failure == nil)
        #expect(read.records.map(\.id) == ["tech-mangrove-nursery", "bp-seeds"])
        #expect(read.recordLines == [3, 8])
        #expect(read.records.first?.title.values == ["en": "Community mangrove nurseries", "zh": "社区红树林苗圃"])
        #expect(read.records.first?.countries == ["KE"])
        #expect(bytesRead == body.utf8.count)
    }

    @Test func readsAnOAIPMHBodyWithADeletion() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
              <ListRecords>
                <record>
                  <header><identifier>oai-1</identifier></header>
                  <metadata>
                    <oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
                               xmlns:dc="http://purl.org/dc/elements/1.1/">
                      <dc:title xml:lang="en">Drip irrigation</dc:title>
                    </oai_dc:dc>
                  </metadata>
                </record>
                <record><header status="deleted"><identifier>oai-2</identifier></header></record>
              </ListRecords>
            </OAI-PMH>
            """
        let (read, _) = read(body, as: .xml)
        #expect(read.failure == nil)
        #expect(read.records.map(\.id) == ["oai-1"])
        #expect(read.deletions == ["oai-2"])
    }

    @Test func refusesADoctypeInAnXMLBody() {
        let body = """
            <?xml version="1.0"?>
            <!DOCTYPE records [<!ENTITY boom "boom">]>
            <records xmlns="urn:chm:records:1"/>
            """
        let (read, _) = read(body, as: .xml, named: "upload.xml")
        #expect(read.records.isEmpty)
        #expect(read.failure?.file == "upload.xml")
        #expect(read.failure?.line == 2)
        #expect(read.failure?.message.contains("DOCTYPE") == true)
    }

    @Test func reportsMalformedXMLInABodyWithItsLine() {
        let (read, _) = read("<records xmlns=\"urn:chm:records:1\">\n<record id=\"a\">\n</records>", as: .xml)
        #expect(read.records.isEmpty)
        #expect(read.failure?.severity == .error)
        #expect(read.failure?.file == "request body")
        #expect(read.failure?.line != nil)
    }

    @Test func reportsAnEmptyBodyInEveryFormat() {
        #expect(read("", as: .json).read.failure?.message.contains("empty") == true)
        #expect(read("  \n", as: .xml).read.failure?.message.contains("empty") == true)
        let lines = read("", as: .jsonLines).read
        #expect(lines.failure == nil)
        #expect(lines.entries.count == 1)  // a warning: an empty export is a valid JSON Lines file
    }

    @Test func checksThatTheBodyMatchesItsFormat() {
        let xml = RecordFile(bytes: Array("<records/>".utf8), format: .json, displayName: "body")
        #expect(xml.contentMismatch()?.message.contains("holds XML") == true)
        let json = RecordFile(bytes: Array(" [ ]".utf8), format: .xml, displayName: "body")
        #expect(json.contentMismatch()?.message.contains("holds JSON") == true)
        #expect(RecordFile(bytes: Array("[]".utf8), format: .json, displayName: "body").contentMismatch() == nil)
        #expect(json.path == nil)
        #expect(RecordFile(path: "/tmp/x.json", displayPath: "x.json", format: .json).path == "/tmp/x.json")
    }
}
