// Ingest: record files (or bytes) read, validated, stored in the catalog one file per
// transaction and fed to the index as the catalog stores them (IndexFeed); validation alone
// (`chm validate`) reads the same way and stores nothing.
import Foundation
import SearchCore

extension ClearingHouse {
    /// Reads record files and stores their records, each file in one transaction.
    ///
    /// A path may be a file or a directory (searched recursively for `.json`, `.jsonl`,
    /// `.ndjson` and `.xml` files). Thesaurus files among them (`.jsonld`, `.rdf`, `.skos`:
    /// ``ClearingHouse/thesaurusExtensions``) are imported as
    /// ``importThesaurus(_:replace:)`` imports them, and counted in
    /// ``IngestReport/thesaurus``. A file with any invalid record is stored not at all unless
    /// ``IngestOptions/skipInvalid`` is set. Re-ingesting an id replaces the record; identical
    /// content counts as unchanged; a record whose `updated` is older than the stored copy's
    /// is skipped with a notice.
    ///
    /// - Parameters:
    ///   - paths: files or directories of records.
    ///   - options: what to do with invalid records and unknown fields, and defaults.
    ///   - progress: called every 1,000 records read, and once at the end of the run.
    ///   - diagnostics: called with each error, warning and notice as it is found.
    /// - Returns: the counts and diagnostics of the run.
    /// - Throws: ``ClearingHouseError`` when the catalog cannot be written.
    @discardableResult
    public func ingest(
        _ paths: [String], options: IngestOptions = IngestOptions(),
        progress: ((IngestProgress) -> Void)? = nil, diagnostics: ((Diagnostic) -> Void)? = nil
    ) throws -> IngestReport {
        try options.validate()
        let (files, problems) = RecordFile.discover(paths, ignoring: ClearingHouse.thesaurusExtensions)
        return try exclusiveWrite {
            try ingestLocked(
                files: files, problems: problems, runPaths: paths, thesaurusPaths: paths, options: options, progress: progress,
                diagnostics: diagnostics)
        }
    }

    /// Reads records from a body already in memory (such as the body of an HTTP request) and
    /// stores them in one transaction, as ``ingest(_:options:progress:diagnostics:)`` stores
    /// one file: with any invalid record nothing is stored, unless
    /// ``IngestOptions/skipInvalid`` is set.
    ///
    /// ```swift
    /// let report = try house.ingest(body: Array(data), format: .jsonLines, displayName: "request")
    /// ```
    ///
    /// - Parameters:
    ///   - body: the bytes of a JSON, JSON Lines or XML (native or OAI-PMH) record file.
    ///   - format: the format to read the bytes in.
    ///   - displayName: what diagnostics and the report name the body (as they name a file).
    ///   - options: what to do with invalid records and unknown fields, and defaults.
    ///   - diagnostics: called with each error, warning and notice as it is found.
    /// - Returns: the counts and diagnostics; ``IngestReport/files`` has one entry, whose
    ///   status says whether the body was stored (``FileReport/Status/committed``) or not.
    /// - Throws: ``ClearingHouseError`` when the catalog or the index cannot be written.
    @discardableResult
    public func ingest(
        body: [UInt8], format: RecordFormat, displayName: String, options: IngestOptions = IngestOptions(),
        diagnostics: ((Diagnostic) -> Void)? = nil
    ) throws -> IngestReport {
        try options.validate()
        let file = RecordFile(bytes: body, format: format, displayName: displayName)
        return try exclusiveWrite {
            try ingestLocked(
                files: [file], problems: [], runPaths: [displayName], thesaurusPaths: [], options: options, progress: nil,
                diagnostics: diagnostics)
        }
    }

    /// Stores records built in code (``Record``'s initializer) as one body: validated as a
    /// file's records are, in one transaction (with any invalid record nothing is stored,
    /// unless ``IngestOptions/skipInvalid`` is set). Diagnostics name the record by its place
    /// (line 1 is the first record) and its id.
    ///
    /// ```swift
    /// let record = Record(id: "tech-1", kind: .technology, title: LocalizedText(["en": "Seed banks"]))
    /// try house.ingest(records: [record])
    /// ```
    /// - Throws: ``ClearingHouseError`` when the catalog or the index cannot be written.
    @discardableResult
    public func ingest(
        records: [Record], displayName: String = "records", options: IngestOptions = IngestOptions(),
        diagnostics: ((Diagnostic) -> Void)? = nil
    ) throws -> IngestReport {
        let body = records.map(\.canonicalJSONText).joined(separator: "\n")
        return try ingest(body: Array(body.utf8), format: .jsonLines, displayName: displayName, options: options, diagnostics: diagnostics)
    }

    /// Checks record files as ``ingest(_:options:progress:diagnostics:)`` would, storing nothing.
    /// - Throws: ``ClearingHouseError`` naming the parameter when `options` are invalid.
    public func validate(
        _ paths: [String], options: IngestOptions = IngestOptions(), diagnostics: ((Diagnostic) -> Void)? = nil
    ) throws -> IngestReport {
        try ClearingHouse.validate(paths, options: options, diagnostics: diagnostics)
    }

    /// Checks record files without any catalog (what `chm validate` does).
    /// - Throws: ``ClearingHouseError`` naming the parameter when `options` are invalid.
    public static func validate(
        _ paths: [String], options: IngestOptions = IngestOptions(), diagnostics: ((Diagnostic) -> Void)? = nil
    ) throws -> IngestReport {
        try options.validate()
        var report = IngestReport()
        let emit = { (diagnostic: Diagnostic) in
            report.note(diagnostic)
            diagnostics?(diagnostic)
        }
        let (files, problems) = RecordFile.discover(paths, ignoring: ClearingHouse.thesaurusExtensions)
        for problem in problems {
            if problem.severity == .error { report.unreadable += 1 }
            emit(problem)
        }
        for file in files {
            if let refused = Self.mismatchReport(of: file, status: .checked, emit: emit) {
                report.files.append(refused)
                report.rejected += 1
                continue
            }
            let reader = file.makeReader(options: options)
            var valid = 0
            var invalid = 0
            // (As an ingest warns: QA found `chm validate` silent about an id given twice.)
            var lines: [Int: Int] = [:]
            do {
                try reader.read { entry in
                    switch entry {
                    case .record(let record, let line, let warnings, _):
                        warnings.forEach(emit)
                        valid += 1
                        if let first = lines.updateValue(line, forKey: DocumentKey(record.id).hashValue) {
                            emit(Self.givenAgain(record.id, file: file.displayPath, line: line, first: first))
                        }
                    case .deletion:
                        valid += 1
                    case .invalid(_, _, let found):
                        found.forEach(emit)
                        invalid += 1
                    case .message(let diagnostic):
                        emit(diagnostic)
                    }
                }
            } catch let diagnostic as Diagnostic {
                emit(diagnostic)
                invalid += 1
            } catch {
                emit(Diagnostic(.error, file: file.displayPath, message: "\(error)"))
                invalid += 1
            }
            report.rejected += invalid
            report.files.append(FileReport(file: file.displayPath, format: file.format, status: .checked, valid: valid, invalid: invalid))
        }
        return report
    }

    /// The warning for a record whose id the file gave before, at line `first`.
    fileprivate static func givenAgain(_ id: String, file: String, line: Int, first: Int) -> Diagnostic {
        Diagnostic(
            .warning, file: file, line: line, recordID: id,
            message: "\(id) is given again in this file (first at line \(first)): each copy is stored in turn (an older one is skipped), so every ingest of the file changes the record; keep one"
        )
    }

    /// When `file`'s content is not its name's format (a `.json` file holding XML): emits the
    /// problem and gives the file's report, one invalid entry with `status`; else nil.
    private static func mismatchReport(of file: RecordFile, status: FileReport.Status, emit: (Diagnostic) -> Void) -> FileReport? {
        guard let mismatch = file.contentMismatch() else { return nil }
        emit(mismatch)
        return FileReport(file: file.displayPath, format: file.format, status: status, valid: 0, invalid: 1)
    }

    /// Stores `files`, each in one transaction (paths and bodies in memory alike), after
    /// reporting the `problems` found while discovering them; the run is recorded with
    /// `runPaths`, and the thesaurus files among `thesaurusPaths` are imported.
    ///
    /// `beforeCommit`, when given, writes more in each stored file's transaction, knowing what
    /// the file stored (a harvest saves its position with each page).
    ///
    /// `harvestedFrom`, a harvest's base URL, keeps the files from replacing or deleting records
    /// that came from elsewhere (ingested, or harvested from another provider): each such
    /// record or deletion is left out, an error naming the id and where the stored copy came
    /// from, and counted as rejected.
    func ingestLocked(
        files: [RecordFile], problems: [Diagnostic], runPaths: [String], thesaurusPaths: [String], options: IngestOptions,
        progress: ((IngestProgress) -> Void)?, diagnostics: ((Diagnostic) -> Void)?, command: String = "ingest",
        harvestedFrom: String? = nil, beforeCommit: ((Catalog.Transaction, StoredFileOutcome) throws -> Void)? = nil,
        lockWait: Duration? = nil
    ) throws -> IngestReport {
        var report = IngestReport()
        let emit = { (diagnostic: Diagnostic) in
            report.note(diagnostic)
            diagnostics?(diagnostic)
        }
        for problem in problems {
            if problem.severity == .error { report.unreadable += 1 }
            emit(problem)
        }
        // Take the index's write lock first: one writer at a time, and a second one fails
        // before touching the catalog.
        let indexWriter = try openIndexWriter(lockWait: lockWait)
        defer { indexWriter.close() }
        // The index follows the catalog as it goes (after catching up with what an
        // interrupted write left behind).
        try indexing { try RecordIndexing.synchronize(indexWriter, catalog: catalog) }
        let feed = IndexFeed(writer: indexWriter, catalog: catalog)
        // (Runs before the writer's close: when anything below throws, a batch or segment the
        // feed is still writing ends before the write lock is released.)
        defer { feed.abandon() }
        let runID = try catalog.beginRun(command: command, paths: runPaths)
        var readerOptions = options
        readerOptions.preparesStorage = true
        let started = Date()
        var recordsSeen = 0
        var bytesBefore = 0
        do {
            for (fileIndex, file) in files.enumerated() {
                if let refused = Self.mismatchReport(of: file, status: .rolledBack, emit: emit) {
                    report.files.append(refused)
                    report.rejected += 1
                    continue
                }
                let reader = file.makeReader(options: readerOptions)
                var store: FileStore?
                try catalog.storeInTransaction(describing: file.displayPath) { transaction in
                    var entries = FileStore(
                        house: self, transaction: transaction, feed: feed, file: file, runID: runID, options: options,
                        harvestedFrom: harvestedFrom, keepsIDs: beforeCommit != nil, emit: emit)
                    defer { store = entries }
                    do {
                        try reader.read { entry in
                            recordsSeen += 1
                            try entries.take(entry)
                            if let progress, recordsSeen % 1000 == 0 {
                                progress(
                                    IngestProgress(
                                        records: recordsSeen, bytes: bytesBefore + reader.bytesRead,
                                        elapsed: Date().timeIntervalSince(started), file: file.displayPath))
                            }
                        }
                    } catch let diagnostic as Diagnostic {
                        entries.stopped(by: diagnostic)
                    }
                    if entries.storing, let beforeCommit { try beforeCommit(transaction, entries.outcome) }
                    // The last file: the index's segment is written while the catalog commits
                    // (earlier files leave it buffered, so that many small files make one segment).
                    if entries.storing, fileIndex == files.count - 1 { try indexing { try feed.catalogWillCommit() } }
                    return entries.storing
                }
                bytesBefore += reader.bytesRead
                // (Set whenever the transaction ran: it threw otherwise.)
                guard let store else { continue }
                let fileReport = store.report
                report.rejected += fileReport.invalid
                if store.storing {
                    report.add(counts: store.outcome.counts)
                } else {
                    try indexing { try feed.catalogRolledBack() }
                    report.rejected += fileReport.valid
                    // Said only when valid records were held back: a file with none (an OAI-PMH
                    // error response, a syntax error on line 1) has its one error already.
                    // (A harvest, which needs whole pages, says so itself.)
                    if fileReport.valid > 0, !options.requiresWholeFiles {
                        emit(
                            Diagnostic(
                                .error, file: file.displayPath,
                                message: "nothing from this file was stored (\(fileReport.valid) valid, \(fileReport.invalid) invalid); fix the errors above or \(options.skipInvalidAdvice)"
                            ))
                    }
                }
                report.files.append(fileReport)
            }
        } catch {
            // (Its `ingest_runs` row said `running` for ever: operations QA, a full disk.)
            catalog.abandonRun(runID)
            throw error
        }
        if let progress {
            progress(IngestProgress(records: recordsSeen, bytes: bytesBefore, elapsed: Date().timeIntervalSince(started), file: ""))
        }
        // (The diagnostics go through `emit`, which updates `report`: it is not passed inout.)
        let vocabulary = try importThesaurusFiles(among: thesaurusPaths, emit: emit)
        report.thesaurus = vocabulary.imported
        report.unreadable += vocabulary.unreadable
        do {
            try catalog.finishRun(runID, counts: report.runCounts)
        } catch {
            // The records are committed; only the run's log row is not (a full disk after the
            // last commit). Saying the ingest failed would be untrue.
            emit(
                Diagnostic(
                    .warning, file: catalog.path,
                    message: "the records are stored, but this run's counts could not be logged in ingest_runs: \(error)"))
        }
        do {
            try indexing { try feed.finish() }
        } catch let error as ClearingHouseError
            where report.added + report.updated + report.deleted + report.aliased > 0
            && (try? isIndexBehind(IndexSearcher.open(directory: segmentsDirectory, schema: RecordIndexing.schema))) ?? true
        {
            // (The index's "last commit is intact" is not the whole story: the catalog's is
            // this run's.)
            throw ClearingHouseError(
                error.code,
                error.message
                    + "; this run's changes are stored in the catalog, and the index catches up with them at the next write (searches meanwhile say it is behind)",
                parameter: error.parameter)
        }
        return report
    }

    /// One file's entries stored in its transaction (``ingestLocked``): each record upserted
    /// and each deletion applied in the catalog, then fed to the index in the same order, with
    /// the file's counts; an invalid record (without `skipInvalid`) or a stop makes the whole
    /// file roll back.
    private struct FileStore {
        let house: ClearingHouse
        let transaction: Catalog.Transaction
        let feed: IndexFeed
        let file: RecordFile
        let runID: Int64
        let options: IngestOptions
        /// A harvest's base URL: records and deletions of copies from elsewhere are refused.
        let harvestedFrom: String?
        /// Whether to keep the ids stored and deleted (``StoredFileOutcome``).
        let keepsIDs: Bool
        let emit: (Diagnostic) -> Void
        /// Whether the file is still to be stored (its transaction committed).
        private(set) var storing = true
        /// The file's valid and invalid entries.
        private var valid = 0
        private var invalid = 0
        /// The file's counts and ids.
        private(set) var outcome = StoredFileOutcome()
        /// The line of each id's record in the file so far, by the id's hash (a file that
        /// gives a record twice is warned about; a million ids take some 30 MB, not their text).
        private var lines: [Int: Int] = [:]

        init(
            house: ClearingHouse, transaction: Catalog.Transaction, feed: IndexFeed, file: RecordFile, runID: Int64,
            options: IngestOptions, harvestedFrom: String?, keepsIDs: Bool, emit: @escaping (Diagnostic) -> Void
        ) {
            (self.house, self.transaction, self.feed, self.file, self.runID) = (house, transaction, feed, file, runID)
            (self.options, self.harvestedFrom, self.keepsIDs, self.emit) = (options, harvestedFrom, keepsIDs, emit)
        }

        /// The file's report: committed, or rolled back when it stopped storing.
        var report: FileReport {
            FileReport(file: file.displayPath, format: file.format, status: storing ? .committed : .rolledBack, valid: valid, invalid: invalid)
        }

        /// Takes the reader's next entry.
        mutating func take(_ entry: RecordEntry) throws {
            switch entry {
            case .record(let record, let line, let warnings, let stored):
                warnings.forEach(emit)
                try store(record, line: line, stored: stored)
            case .deletion(let id, let line):
                try delete(id, line: line)
            case .invalid(_, _, let found):
                found.forEach(emit)
                invalid += 1
                outcome.invalid = invalid
                if !options.skipInvalid { storing = false }
            case .message(let diagnostic):
                emit(diagnostic)
            }
        }

        /// The file stopped at `diagnostic` (a syntax error, an unreadable file).
        mutating func stopped(by diagnostic: Diagnostic) {
            emit(diagnostic)
            invalid += 1
            outcome.invalid = invalid
            if !options.skipInvalid || options.requiresWholeFiles { storing = false }
        }

        private mutating func store(_ record: Record, line: Int, stored: StoredForm?) throws {
            if try refusedFromElsewhere(record.id, line: line, {
                "not stored: the catalog's \(record.id) came from elsewhere (\($0)), and a harvest replaces only records harvested from the same base URL; to take this provider's copy instead, delete the stored one (chm delete \(record.id)) and harvest again with --from on or before the record's datestamp"
            }) {
                return
            }
            valid += 1
            // (Hashed as the index compares keys: byte for byte.)
            if let first = lines.updateValue(line, forKey: DocumentKey(record.id).hashValue) {
                emit(ClearingHouse.givenAgain(record.id, file: file.displayPath, line: line, first: first))
            }
            guard storing else { return }
            if keepsIDs { outcome.storedIDs.append(record.id) }
            // (A harvest takes its provider's copy: see keepingNewer.)
            switch try transaction.upsert(record, stored: stored, sourceFile: file.displayPath, runID: runID, keepingNewer: harvestedFrom == nil) {
            case .added:
                outcome.counts.added += 1
                try house.indexing { try feed.stored(record, isNew: true) }
            case .updated:
                outcome.counts.updated += 1
                try house.indexing { try feed.stored(record, isNew: false) }
            case .unchanged:
                outcome.counts.unchanged += 1
            case .aliased(let alias, let withdrawn):
                outcome.counts.aliased += 1
                if withdrawn { try house.indexing { try feed.deleted(record.id) } }
                notice(record.id, line: line, "stored as an alias of \(alias.primary) (\(alias.reason.explanation))")
            case .released(let alias):
                outcome.counts.updated += 1
                try house.indexing { try feed.stored(record, isNew: false) }
                notice(record.id, line: line, "no longer an alias of \(alias.primary): stored as a record of its own")
            case .skippedOlder(let stored):
                outcome.counts.skipped += 1
                notice(record.id, line: line, field: "updated", "skipped: the stored copy is newer (updated \(stored))")
            }
        }

        private mutating func delete(_ id: String, line: Int) throws {
            if try refusedFromElsewhere(id, line: line, {
                "deletion not applied: the catalog's \(id) came from elsewhere (\($0)), and a harvest deletes only records harvested from the same base URL; if it is the same record, delete it yourself (chm delete \(id))"
            }) {
                return
            }
            valid += 1
            guard storing else { return }
            if keepsIDs { outcome.deletedIDs.append(id) }
            switch try transaction.delete(id: id, runID: runID) {
            case .deleted(let promoted):
                outcome.counts.deleted += 1
                try house.indexing { try feed.deleted(id) }
                if let promoted {
                    try house.indexing { try feed.stored(promoted, isNew: false) }
                    notice(id, line: line, "its alias \(promoted.id) is now the record in its place")
                }
            case .aliasDeleted:
                outcome.counts.deleted += 1
            case .missing where options.reportsUnknownDeletions:
                notice(id, line: line, "deletion of a record that is not in the catalog")
            case .missing:
                break
            }
        }

        /// In a harvest, whether `id`'s stored copy came from elsewhere: then the entry is left
        /// out, an error (`message` given where it came from) counted as invalid.
        private mutating func refusedFromElsewhere(_ id: String, line: Int, _ message: (String) -> String) throws -> Bool {
            guard storing, let harvestedFrom, let origin = try transaction.copyFromElsewhere(id: id, harvestedFrom: harvestedFrom)
            else { return false }
            invalid += 1
            outcome.invalid = invalid
            emit(Diagnostic(.error, file: file.displayPath, line: line, recordID: id, message: message(origin)))
            return true
        }

        /// A notice about the record `id` at `line` of this file.
        private func notice(_ id: String, line: Int, field: String? = nil, _ message: String) {
            emit(Diagnostic(.notice, file: file.displayPath, line: line, recordID: id, field: field, message: message))
        }
    }

    /// What one stored file's transaction holds, for ``ingestLocked``'s `beforeCommit`.
    struct StoredFileOutcome {
        /// The file's counts (added, updated, unchanged, skipped, deleted).
        var counts = IngestReport()
        /// Invalid records (left out, with `skipInvalid`).
        var invalid = 0
        /// Ids of the valid records and of the deletions read, in order.
        var storedIDs: [String] = []
        var deletedIDs: [String] = []
    }
}

extension IngestOptions {
    /// Checks what a caller set: ``defaultLanguage`` must be a BCP 47 tag. (The readers
    /// would otherwise give records without a language this text as their language.)
    /// - Throws: ``ClearingHouseError`` naming `defaultLanguage`.
    public func validate() throws(ClearingHouseError) {
        if let defaultLanguage, LanguageTag.normalized(defaultLanguage) == nil {
            throw .parameter("defaultLanguage", "\"\(defaultLanguage)\" is not a BCP 47 language tag (such as en, fr, zh or es-419)")
        }
    }
}
