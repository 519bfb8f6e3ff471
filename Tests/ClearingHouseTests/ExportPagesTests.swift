// An export read a page at a time (what the server's /export streams) is byte for byte the
// export written in one go, in every format, for every selection and page size.
import Foundation
import Testing

@testable import ClearingHouse

@Suite("Exports a page at a time")
struct ExportPagesTests {
    @Test func pagesMakeTheSameExportAsOneGo() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let corpus = MatchmakingTests.repository.appendingPathComponent("Corpus/records-a").path
            let report = try house.ingest([corpus])
            #expect(report.added > 10)
            let selections: [ClearingHouse.ExportSelection] = [
                .all, ClearingHouse.ExportSelection(query: "mangrove"), ClearingHouse.ExportSelection(query: "", filters: SearchFilters(kinds: [.technology])),
                ClearingHouse.ExportSelection(query: "nothingmatchesthis"),
            ]
            for format in ClearingHouse.ExportFormat.allCases {
                for selection in selections {
                    var whole = ""
                    try house.export(format: format, selection: selection) { whole += $0 }
                    for pageSize in [1, 3, 1000] {
                        let pages = try house.exportPages(format: format, selection: selection, pageSize: pageSize)
                        var paged = ""
                        var count = 0
                        while let text = try pages.next() {
                            paged += text
                            count += 1
                        }
                        // (An oai_dc document's responseDate is the second it was made.)
                        #expect(Self.withoutDate(paged) == Self.withoutDate(whole), "\(format) \(selection) pages of \(pageSize)")
                        #expect(try pages.next() == nil)
                        if pageSize == 1, case .all = selection { #expect(count >= report.added) }
                    }
                }
            }
            // A bad selection is refused before anything is read.
            #expect(throws: ClearingHouseError.self) { _ = try house.exportPages(format: .jsonl, selection: ClearingHouse.ExportSelection(query: "(unclosed")) }
        }
    }

    static func withoutDate(_ text: String) -> String {
        text.replacingOccurrences(of: "<responseDate>[^<]*</responseDate>", with: "<responseDate/>", options: .regularExpression)
    }
}
