import Foundation

/// The lines of an export in one format, a record at a time (so an export streams whatever
/// its size): what comes before the records, each record's lines, and what comes after.
struct ExportWriter {
    let format: ClearingHouse.ExportFormat
    /// The `responseDate` of an `oai_dc` document (the time of the export).
    let responseDate: Int
    /// Records written so far.
    private(set) var count = 0

    init(format: ClearingHouse.ExportFormat, responseDate: Int = Int(Date().timeIntervalSince1970)) {
        self.format = format
        self.responseDate = responseDate
    }

    /// What comes before the first record: CSV's header. (An `oai_dc` document's start waits
    /// for its first record: an export of no records is a `noRecordsMatch` response instead.)
    func start() -> [String] {
        format == .csv ? [CSVExport.header] : []
    }

    /// The lines of one record, from its canonical JSON; `datestamp` and `sets` are its OAI-PMH
    /// header's (what the provider gives), which only `oai_dc` uses.
    mutating func lines(json: String, datestamp: Int, sets: [String]) throws -> [String] {
        defer { count += 1 }
        switch format {
        case .jsonl:
            return [json + "\n"]
        case .csv:
            return [CSVExport.row(for: try Record(fromCatalog: json))]
        case .oaiDC:
            let record = try Record(fromCatalog: json)
            let header = OAIResponseXML.header(identifier: record.id, datestamp: datestamp, sets: sets, deleted: false)
            let line = OAIResponseXML.record(header: header, metadata: OAIRecordXML.dublinCore(record)) + "\n"
            return count == 0 ? opening() + ["<ListRecords>\n", line] : [line]
        }
    }

    /// What comes after the last record.
    func end() -> [String] {
        guard format == .oaiDC else { return [] }
        if count == 0 {
            return opening() + [
                OAIResponseXML.error(code: "noRecordsMatch", message: "the export selected no records") + "\n", OAIResponseXML.closing,
            ]
        }
        return ["</ListRecords>\n", OAIResponseXML.closing]
    }

    /// The start of the `oai_dc` document, as the provider answers
    /// `verb=ListRecords&metadataPrefix=oai_dc` (the request has no base URL: a file has none).
    private func opening() -> [String] {
        let text = OAIResponseXML.opening(responseDate: responseDate, arguments: [("verb", "ListRecords"), ("metadataPrefix", "oai_dc")], baseURL: "")
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0 + "\n" }
    }
}
