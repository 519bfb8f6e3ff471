// Ingesting a body already in memory (an HTTP request's): the same path as a file, one
// transaction, for every format.
import Foundation
import Testing

@testable import ClearingHouse

@Suite struct IngestBodyTests {
    @Test func aJSONLinesBodyIsStoredAndSearchable() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let body = "\(recordJSON("b1", title: "Quokka burrows"))\n\(recordJSON("b2", title: "Quokka diets"))\n"
            let report = try house.ingest(body: Array(body.utf8), format: .jsonLines, displayName: "request")
            #expect(report.added == 2 && report.succeeded)
            #expect(report.files.map(\.file) == ["request"])
            #expect(report.files.map(\.status) == [.committed])
            #expect(try house.record(id: "b1")?.title.resolved(preferring: "en")?.text == "Quokka burrows")
            let hits = try house.search(SearchRequest(query: "quokka")).hits.map(\.id).sorted()
            #expect(hits == ["b1", "b2"])
        }
    }

    @Test func aBodyWithAnInvalidRecordStoresNothingUnlessSkipInvalid() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let body = "[\(recordJSON("ok", title: "Fine")), \(recordJSON("bad", kind: "spaceship"))]"
            let report = try house.ingest(body: Array(body.utf8), format: .json, displayName: "upload")
            #expect(report.files.map(\.status) == [.rolledBack])
            #expect(report.added == 0 && !report.succeeded)
            #expect(report.diagnostics.contains { $0.file == "upload" && $0.recordID == "bad" && $0.severity == .error })
            #expect(try house.record(id: "ok") == nil)

            var options = IngestOptions()
            options.skipInvalid = true
            let skipping = try house.ingest(body: Array(body.utf8), format: .json, displayName: "upload", options: options)
            #expect(skipping.added == 1 && skipping.rejected == 1)
            #expect(try house.record(id: "ok") != nil)
        }
    }

    @Test func anXMLBodyIsReadAsAFileIs() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <records xmlns="urn:chm:records:1">
                  <record id="x1" kind="technology" xml:lang="en"><title>Fog nets</title></record>
                </records>
                """
            let path = try directory.write("one.xml", xml)
            let fromFile = try ClearingHouse.validate([path])
            let report = try house.ingest(body: Array(xml.utf8), format: .xml, displayName: "body.xml")
            #expect(report.added == 1 && report.succeeded)
            #expect(fromFile.files.first?.valid == 1 && fromFile.succeeded)
            #expect(try house.record(id: "x1")?.title.resolved(preferring: "en")?.text == "Fog nets")
        }
    }
}
