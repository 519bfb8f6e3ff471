// An export read a page at a time, for a front end that writes it to a reader that may be
// slow (a socket): each page is one short read of the catalog, and nothing is held between
// pages but the position, so a client that stops reading costs a page of memory, not the
// whole export, and holds no thread.
import Synchronization

extension ClearingHouse {
    /// The output of an export (``export(format:selection:to:)``, the same bytes), a page of
    /// records at a time.
    ///
    /// ```swift
    /// let pages = try house.exportPages(format: .jsonl, selection: .all)
    /// while let text = try pages.next() { try await writer.write(text) }
    /// ```
    ///
    /// Each page is read in one snapshot of the catalog; a change committed between two pages
    /// shows in the later one (a single snapshot is ``export(format:selection:to:)``'s).
    public final class ExportPages: Sendable {
        private let house: ClearingHouse
        private let state: Mutex<State>
        /// Records per page.
        public let pageSize: Int

        private struct State {
            var writer: ExportWriter
            /// The ids a search selected (sorted), and how many are written; nil: every record.
            var selected: [String]?
            var written = 0
            /// The last id written (every record).
            var lastID: String?
            var started = false
            var finished = false
        }

        init(house: ClearingHouse, format: ExportFormat, selected: [String]?, pageSize: Int) {
            self.house = house
            self.pageSize = max(1, pageSize)
            state = Mutex(State(writer: ExportWriter(format: format), selected: selected))
        }

        /// The next part of the output (what comes before the records with the first page,
        /// what comes after them with the last), or nil when it has all been given.
        public func next() throws -> String? {
            try state.withLock { state in
                guard !state.finished else { return nil }
                // Worked on a copy, kept only when the page is read: a page whose read fails
                // is read again by the next call.
                var working = state
                var text = ""
                if !working.started {
                    working.started = true
                    text += working.writer.start().joined()
                }
                let format = working.writer.format
                var done: Bool
                if let selected = working.selected {
                    let ids = Array(selected[working.written..<min(selected.count, working.written + pageSize)])
                    text += try house.exportLines(ids: ids, writer: &working.writer).joined()
                    working.written += ids.count
                    done = working.written >= selected.count
                } else {
                    let page = try house.catalog.recordPage(after: working.lastID, limit: pageSize, withItems: format == .oaiDC)
                    for record in page {
                        text += try working.writer.lines(json: record.json, datestamp: record.datestamp, sets: record.sets).joined()
                    }
                    working.lastID = page.last?.id ?? working.lastID
                    done = page.count < pageSize
                }
                if done {
                    working.finished = true
                    text += working.writer.end().joined()
                }
                state = working
                return text
            }
        }
    }

    /// The selected records' export in the given format, to be read a page at a time
    /// (``ExportPages/next()``): the same output as ``export(format:selection:to:)``.
    /// - Throws: ``ClearingHouseError`` for an invalid selection (before anything is read).
    public func exportPages(format: ExportFormat, selection: ExportSelection, pageSize: Int = 200) throws -> ExportPages {
        try selection.validate()
        switch selection {
        case .all:
            return ExportPages(house: self, format: format, selected: nil, pageSize: pageSize)
        case .matching(let request):
            return ExportPages(house: self, format: format, selected: try exportedIDs(matching: request), pageSize: pageSize)
        }
    }
}
