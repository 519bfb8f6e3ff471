extension ClearingHouse {
    /// Which records an export writes (`chm export [QUERY] [filters]`).
    public enum ExportSelection: Sendable, Hashable {
        /// Every record in the catalog.
        case all
        /// The records a search finds (all of them, whatever the request's limit and offset).
        case matching(SearchRequest)

        /// The selection of a front end that takes an optional query and filters: every
        /// record when there is neither (no query at all, not even an empty one, and no
        /// filter), else what the query (empty: everything) and the filters find, with its
        /// unknown words corrected unless `correct` is false and carried across languages
        /// unless `expand` is false (as the search shown beside the export:
        /// ``SearchRequest/correct``, ``SearchRequest/expand``).
        public init(query: String?, filters: SearchFilters = SearchFilters(), correct: Bool = true, expand: Bool = true) {
            if query == nil && filters.isEmpty {
                self = .all
            } else {
                self = .matching(SearchRequest(query: query ?? "", filters: filters, expand: expand, correct: correct))
            }
        }

        /// Checks the selection, as the exports do before they write anything.
        /// - Throws: ``ClearingHouseError`` with code `invalidQuery`: a bad filter or request
        ///   parameter as ``SearchRequest/validate()`` reports it, or a query that does not
        ///   parse (`invalid query: ...`, parameter `query`).
        public func validate() throws {
            guard case .matching(let request) = self else { return }
            try request.validate()
            do {
                _ = try ClearingHouse.parseQuery(request.query, minimumMatch: request.minimumMatch)
            } catch let error as ClearingHouseError {
                throw ClearingHouseError(error.code, error.message, parameter: "query")
            }
        }
    }

    /// Writes the selected records, sorted by id, passing the output to `write` one line
    /// at a time (each line ends with `\n`): streaming, for standard output or a socket.
    /// - Throws: ``ClearingHouseError`` for an invalid selection (before anything is
    ///   written), and what `write` throws.
    public func export(format: ExportFormat, selection: ExportSelection, to write: (String) throws -> Void) throws {
        try selection.validate()
        switch selection {
        case .all: try export(format: format, to: write)
        case .matching(let request): try export(format: format, matching: request, to: write)
        }
    }

    /// Checks the path an export is to write, before anything is opened.
    /// - Throws: ``ClearingHouseError`` (parameter `output`) for an empty path, which named the
    ///   working directory ("cannot write /x: it is a directory").
    public static func validateExportFile(_ path: String) throws {
        guard !path.isEmpty else { throw ClearingHouseError.parameter("output", "the file name is empty; name the file to write") }
    }

    /// Writes the selected records, sorted by id, to the file at `path`, atomically: into a
    /// temporary file in the same directory, flushed to disk (`fsync`) and renamed over
    /// `path` only when complete. When anything fails, `path` is left as it was (absent, or
    /// its previous content) and the temporary file is removed.
    /// - Throws: ``ClearingHouseError`` for an invalid selection (nothing is written), with
    ///   code `notFound` when the directory of `path` does not exist, and with code `storage`
    ///   when the file cannot be written (`cannot write PATH: REASON`).
    public func export(format: ExportFormat, selection: ExportSelection, toFile path: String) throws {
        try selection.validate()
        try Self.validateExportFile(path)
        try AtomicFile.write(path) { file in try export(format: format, selection: selection) { try file.append($0) } }
    }
}
