// Harvesting an OAI-PMH provider: ListRecords page by page, each page ingested as a file is
// (with --skip-invalid semantics) in one transaction that also saves the resumption token,
// so a harvest that dies resumes at its first uncommitted page. Incremental harvests start
// from the responseDate of the last complete one (from its until, when it had one before that).
// Requests are retried with back-off on 503, 429 and connection errors, for a bounded time.
import Foundation

extension ClearingHouse {
    /// Harvests `request.baseURL` into the catalog: each set of `request.sets` (or the whole
    /// repository) in turn, following resumption tokens to the end of the list.
    ///
    /// - A source (base URL, set, format) harvested before is asked only for what changed
    ///   since its last complete harvest (since that harvest's `until`, when it was bounded by
    ///   one), unless `request.from` is given.
    /// - A harvest that stopped part-way (a network failure, a killed process) resumes from
    ///   the first page it did not commit; if the provider no longer accepts the token, the
    ///   harvest starts again with the same selection.
    /// - Each page is stored in one transaction with the harvest's position. Invalid records
    ///   are reported with the page and the record and left out; the rest of the page is kept.
    /// - A set that fails (the provider cannot be reached for `request.retryFor`, or answers
    ///   with something that is not a ListRecords response) is reported in its
    ///   ``SetHarvestReport/failure``, and the harvest goes on with the next set.
    ///
    /// - Parameters:
    ///   - request: what to harvest (see ``HarvestRequest/validated()``).
    ///   - transport: how to fetch a URL (`ClearingHouseHarvester.HTTPTransport`).
    ///   - progress: called after each page and before each retry.
    ///   - diagnostics: called with each error, warning and notice as it is found.
    /// - Throws: ``ClearingHouseError`` for a bad request, or when the catalog or the index
    ///   cannot be written; code `conflict` when another harvest of the same base URL runs in
    ///   this index.
    public func harvest(
        _ request: HarvestRequest, transport: some OAIHTTPTransport,
        progress: ((HarvestProgress) -> Void)? = nil, diagnostics: ((Diagnostic) -> Void)? = nil
    ) async throws -> HarvestReport {
        let request = try request.validated()
        // (Held to the end of the harvest: one harvest of a provider at a time.)
        let lock = try HarvestLock(directory: directory, baseURL: request.baseURL)
        defer { withExtendedLifetime(lock) {} }
        var report = HarvestReport()
        let emit = { (diagnostic: Diagnostic) in
            if report.diagnostics.count < IngestReport.maximumKeptDiagnostics { report.diagnostics.append(diagnostic) }
            diagnostics?(diagnostic)
        }
        var harvester = Harvester(house: self, request: request, transport: transport, progress: progress, emit: emit)
        let sets: [String?] = request.sets.isEmpty ? [nil] : request.sets.map { $0 }
        for set in sets {
            report.harvests.append(try await harvester.harvest(set: set))
        }
        return report
    }

    /// Every source harvested into this catalog, with its last harvest and its counts.
    public func harvestSources() throws -> [HarvestSource] {
        try catalog.harvestSources()
    }

    /// The OAI sets that the record `id` was found in, by base URL, set spec and id: the sets
    /// its headers named and the sets it was harvested through, its aliases' included (a
    /// copy harvested from another source is the same record). Empty for a record that was
    /// never harvested, or an unknown id; an alias's id gives its primary's sets.
    public func harvestedSets(id: String) throws -> [HarvestedSet] {
        try catalog.harvestMemberships(id: id)
    }

    /// Stores one page of a harvest: its records as ``ingest(body:format:displayName:options:diagnostics:)``
    /// stores a body (invalid records left out), and in the same transaction the position of
    /// the harvest (`next`) or its completion (`completed`).
    fileprivate func storeHarvestPage(
        _ body: [UInt8], displayName: String, key: HarvestSource.Key, envelope: OAIResponseEnvelope, limits: RecordLimits,
        next: PendingHarvest?, completed: PendingHarvest?, lockWait: Duration?, diagnostics: @escaping (Diagnostic) -> Void
    ) throws -> IngestReport {
        let file = RecordFile(bytes: body, format: .xml, displayName: displayName)
        let tokenLine = envelope.resumptionToken?.line
        let setsByID = Dictionary(envelope.headers.map { ($0.identifier, $0.sets) }, uniquingKeysWith: { first, _ in first })
        var options = IngestOptions(skipInvalid: true)
        options.oaiBaseURL = key.baseURL
        options.oaiMetadataPrefix = key.metadataPrefix
        options.reportsUnknownDeletions = false
        options.requiresWholeFiles = true
        options.limits = limits
        return try exclusiveWrite {
            try ingestLocked(
                files: [file], problems: [], runPaths: [displayName], thesaurusPaths: [], options: options,
                progress: nil,
                diagnostics: { diagnostic in
                    // The reader's advice to ingest the other pages is what the harvester does.
                    if diagnostic.severity == .notice, let tokenLine, diagnostic.line == tokenLine { return }
                    diagnostics(diagnostic)
                }, command: "harvest", harvestedFrom: key.baseURL,
                beforeCommit: { transaction, outcome in
                    let memberships = outcome.storedIDs.map { id in
                        var sets = setsByID[id] ?? []
                        if let set = key.set, !sets.contains(set) { sets.append(set) }
                        return (id: id, sets: sets)
                    }
                    let counts = HarvestPageCounts(
                        stored: outcome.counts.added + outcome.counts.updated, deleted: outcome.counts.deleted, rejected: outcome.invalid)
                    try transaction.saveHarvestPage(
                        key, counts: counts, memberships: memberships, deletedIDs: outcome.deletedIDs, next: next, completed: completed)
                }, lockWait: lockWait)
        }
    }

    fileprivate func completeHarvestWithoutRecords(_ key: HarvestSource.Key, _ completed: PendingHarvest) throws {
        try catalog.write { db in
            try catalog.saveHarvestPage(
                key, counts: HarvestPageCounts(pages: 0), memberships: [], deletedIDs: [], next: nil, completed: completed, in: db)
        }
    }
}

/// One run of `chm harvest`: the requests, retries and pages of each set.
private struct Harvester {
    let house: ClearingHouse
    let request: HarvestRequest
    let transport: any OAIHTTPTransport
    let progress: ((HarvestProgress) -> Void)?
    let emit: (Diagnostic) -> Void
    /// The provider's datestamp granularity, from Identify (asked once).
    var dayGranularity: Bool?
    /// Pages stored by this run, in every set: past the first, another process's write is
    /// waited for.
    var storedPages = 0

    /// What stops a set's harvest: the message that its report and the source's row keep.
    struct Stop: Error {
        let message: String
    }

    init(
        house: ClearingHouse, request: HarvestRequest, transport: any OAIHTTPTransport, progress: ((HarvestProgress) -> Void)?,
        emit: @escaping (Diagnostic) -> Void
    ) {
        self.house = house
        self.request = request
        self.transport = transport
        self.progress = progress
        self.emit = emit
    }

    mutating func harvest(set: String?) async throws -> SetHarvestReport {
        let key = HarvestSource.Key(baseURL: request.baseURL, set: set, metadataPrefix: request.metadataPrefix)
        var report = SetHarvestReport(baseURL: request.baseURL, set: set, metadataPrefix: request.metadataPrefix)
        do {
            try await run(key: key, report: &report)
        } catch var stop as Stop {
            if stop.message.hasPrefix(Self.badTokenPrefix + ": ") {
                // A token refused in the middle of a new harvest (not a resumed one).
                stop = Stop(
                    message: String(stop.message.dropFirst(Self.badTokenPrefix.count + 2))
                        + " (the provider refused the resumption token it had just given; run the harvest again to start over)")
            }
            // (A message names the URL asked, which holds the provider's token: a token of
            // 200,000 characters made 400 KB error lines, and kept them as the source's error.)
            if stop.message.count > Self.longestMessage {
                stop = Stop(message: stop.message.prefix(Self.longestMessage - 200) + " … " + stop.message.suffix(200))
            }
            report.failure = stop.message
            report.errors += 1
            emit(Diagnostic(.error, file: request.baseURL, message: stop.message))
            try house.catalog.noteHarvestError(key, message: stop.message)
        }
        return report
    }

    private mutating func run(key: HarvestSource.Key, report: inout SetHarvestReport) async throws {
        let source = try house.catalog.harvestSource(key)
        var resumeFrom: PendingHarvest?
        if let pending = source?.pending {
            let sameSelection = (request.from == nil || request.from == pending.from) && (request.until == nil || request.until == pending.until)
            if sameSelection {
                resumeFrom = pending
            } else {
                try house.catalog.dropPendingHarvest(key)
                emit(
                    Diagnostic(
                        .notice, file: request.baseURL,
                        message: "a harvest\(Self.naming(key.set)) stopped after \(pending.pages) pages with another selection; starting a new one"))
            }
        }
        if let pending = resumeFrom {
            report.resumed = true
            report.from = pending.from
            report.until = pending.until
            report.responseDate = pending.responseDate
            emit(
                Diagnostic(
                    .notice, file: request.baseURL,
                    message: "resuming the harvest\(Self.naming(key.set)) that stopped after page \(pending.pages)"))
            do {
                try await list(key: key, pending: pending, report: &report)
                return
            } catch let stop as Stop where stop.message.hasPrefix(Self.badTokenPrefix) {
                try house.catalog.dropPendingHarvest(key)
                emit(
                    Diagnostic(
                        .notice, file: request.baseURL,
                        message: "the provider no longer accepts the resumption token of the stopped harvest; starting it again"))
                report.resumed = false
            }
        }
        // A new harvest.
        let day = try await providerUsesDays()
        var from = request.from ?? resumeFrom?.from
        if from == nil, let last = source?.lastResponseDate, let date = OAIDate(last) {
            // A record stamped just before the last harvest began and committed just after it
            // could carry a datestamp a moment earlier: start two seconds before.
            var start = date.seconds - 2
            // A harvest bounded by an until before that moment left out what changed after the
            // bound: start from the bound (inclusive, so its last moment is asked again).
            if let bound = source?.lastUntil, let until = OAIDate(bound), until.seconds < start { start = until.seconds }
            from = OAIDate.format(start, day: day)
        }
        if let given = from, let date = OAIDate(given), day, !date.isDay { from = OAIDate.format(date.seconds, day: true) }
        var until = request.until ?? resumeFrom?.until
        if let given = until, let date = OAIDate(given), day, !date.isDay { until = OAIDate.format(date.seconds, day: true) }
        // A `from` computed from the last harvest, beside an `until` given alone (OAI QA: a
        // provider refuses both mixed granularities and a from after the until): both at the
        // until's granularity (a day only widens the selection), and no later than it.
        if request.from == nil, let computed = from.flatMap(OAIDate.init), let bound = until.flatMap(OAIDate.init) {
            from = OAIDate.format(min(computed.seconds, bound.seconds), day: bound.isDay)
        }
        report.from = from
        report.until = until
        let start = PendingHarvest(token: "", from: from, until: until, responseDate: "", pages: 0, startedAt: Catalog.now())
        try await list(key: key, pending: start, report: &report)
    }

    private static let badTokenPrefix = "badResumptionToken"
    /// The longest message a harvest's failure is reported with (its middle is left out).
    static let longestMessage = 2_000
    /// Pages in a row without a new record (nor, for empty pages, a cursor that moves on while
    /// below the completeListSize, when the provider gives one) that end a harvest as a loop.
    static let maximumPagesWithNothingNew = 100
    /// How long a page after the first waits, at least, for another process's write (a
    /// server's, a `chm ingest`) to end before the harvest stops.
    static let lockWaitBetweenPages = Duration.seconds(60)
    /// Pages in a row without a new record that end a harvest as a loop even when each moves
    /// the cursor on: generous (a provider of 100 items a page leaving out 100,000 of them in a
    /// row passes), but a provider whose cursor climbs for ever is stopped.
    static let maximumPagesWithoutRecords = 1_000

    private static func naming(_ set: String?) -> String { set.map { " of set \($0)" } ?? "" }

    /// Every error of a response, in order: `badArgument: first; cannotDisseminateFormat: second`.
    private static func describe(_ errors: [OAIResponseEnvelope.ProtocolError]) -> String {
        errors.map { error in "\(error.code.isEmpty ? "error" : error.code)\(error.message.isEmpty ? "" : ": \(error.message)")" }
            .joined(separator: "; ")
    }

    /// "a" or "an" before `word` (`an Identify response`, `a ListSets response`).
    private static func article(_ word: String) -> String {
        word.first.map { "AEIOUaeiou".contains($0) } == true ? "an" : "a"
    }

    /// Asks for pages until the list ends: from the start when `pending.token` is empty,
    /// else from the token.
    private mutating func list(key: HarvestSource.Key, pending start: PendingHarvest, report: inout SetHarvestReport) async throws {
        var position = start
        var items = 0
        var seenTokens = Set<String>()
        // The items read in this run (hashes of their identifiers), and the pages in a row
        // that brought none not read before: a provider whose every token is new could
        // otherwise send its pages (empty, or the same records) forever.
        var seenItems = Set<Int>()
        var pagesWithNothingNew = 0
        var pagesWithoutRecords = 0
        var lastCursor: Int?
        while true {
            var query: [(String, String)] = [("verb", "ListRecords")]
            if position.token.isEmpty {
                query.append(("metadataPrefix", key.metadataPrefix))
                if let set = key.set { query.append(("set", set)) }
                if let from = position.from { query.append(("from", from)) }
                if let until = position.until { query.append(("until", until)) }
            } else {
                query.append(("resumptionToken", position.token))
            }
            let url = Self.url(request.baseURL, query)
            let page = position.pages + 1
            let displayName = HarvestPageName.of(baseURL: request.baseURL, page: page, set: key.set)
            let body = try await fetch(url, set: key.set, pages: report.pages, items: items)
            let envelope: OAIResponseEnvelope
            do {
                envelope = try OAIResponseEnvelope(reading: body, displayName: displayName)
            } catch where error.exceedsParserLimits {
                // The same bytes fail the same way: asking again cannot help, and OAI-PMH has
                // no way to ask for smaller pages.
                throw Stop(
                    message: "\(displayName): the page is too large: it \(error.diagnostic.message) (\(url)); running the harvest again will not help (OAI-PMH has no way to ask for a smaller page): ask the provider to mend the page")
            } catch {
                // (A page cut short comes whole next time; a page broken at the provider, such as
                // bytes not of its declared encoding, fails the same way again: OAI QA.)
                throw Stop(
                    message: "\(displayName): \(error.diagnostic.message) (\(url)); run the harvest again to resume from this page, and if it fails the same way, the page itself is broken: ask the provider to mend it")
            }
            if !envelope.errors.isEmpty {
                // (noRecordsMatch answers a list's first request; to a resumption token, whose
                // list the provider promised to go on with, it is an error: taken as the end,
                // it marked the harvest complete with the rest of the list never fetched.)
                if envelope.errors.allSatisfy({ $0.code == "noRecordsMatch" }), position.token.isEmpty {
                    // Nothing (new) to harvest: the harvest is complete.
                    emit(
                        Diagnostic(
                            .notice, file: request.baseURL,
                            message: "no records\(Self.naming(key.set))\(position.from.map { " changed since \($0)" } ?? "") (noRecordsMatch)"))
                    var completed = position
                    if completed.responseDate.isEmpty { completed.responseDate = responseDate(of: envelope) }
                    report.responseDate = report.responseDate ?? completed.responseDate
                    try house.completeHarvestWithoutRecords(key, completed)
                    report.complete = true
                    return
                }
                let description = Self.describe(envelope.errors)
                if envelope.errors.contains(where: { $0.code == "badResumptionToken" || $0.code == "noRecordsMatch" }), !position.token.isEmpty {
                    throw Stop(message: "\(Self.badTokenPrefix): \(displayName): \(description)")
                }
                let errors = envelope.errors.count == 1 ? "the OAI-PMH error" : "\(envelope.errors.count) OAI-PMH errors:"
                throw Stop(message: "\(displayName): the provider answered with \(errors) \(description) (\(url))")
            }
            guard envelope.verb == "ListRecords" else {
                throw Stop(
                    message: "\(displayName): expected a ListRecords response, got \(envelope.verb.map { "\(Self.article($0)) \($0) response" } ?? "no verb") (\(url))")
            }
            if position.responseDate.isEmpty {
                position.responseDate = responseDate(of: envelope)
                report.responseDate = position.responseDate
            }
            let token = envelope.resumptionToken?.token ?? ""
            var newItems = 0
            for header in envelope.headers where seenItems.insert(header.identifier.hashValue).inserted { newItems += 1 }
            // An empty page is progress when the provider's cursor moves on (some providers
            // page over items they then leave out, withdrawn or private ones), but not past the
            // list's end (a cursor at or over its completeListSize), and not for ever.
            let cursor = envelope.resumptionToken?.cursor
            let size = envelope.resumptionToken?.completeListSize
            let pastTheEnd = cursor.flatMap { cursor in size.map { cursor >= $0 } } ?? false
            let cursorMoved =
                envelope.headers.isEmpty && cursor != nil && !pastTheEnd && (lastCursor.map { cursor ?? 0 > $0 } ?? true)
            lastCursor = cursor ?? lastCursor
            let nothingNew = newItems == 0 && !token.isEmpty
            pagesWithNothingNew = nothingNew && !cursorMoved ? pagesWithNothingNew + 1 : 0
            pagesWithoutRecords = nothingNew ? pagesWithoutRecords + 1 : 0
            guard pagesWithNothingNew < Self.maximumPagesWithNothingNew, pagesWithoutRecords < Self.maximumPagesWithoutRecords else {
                let count = max(pagesWithNothingNew, pagesWithoutRecords)
                let why =
                    if pastTheEnd, let cursor, let size {
                        " (its cursor, \(cursor), past the completeListSize, \(size))"
                    } else if pagesWithNothingNew < Self.maximumPagesWithNothingNew {
                        " and a cursor that moves on"
                    } else { "" }
                throw Stop(
                    message: "\(displayName): the provider sent \(count) pages in a row with no new record, each with a new resumption token\(why); stopping to avoid a loop (\(url))")
            }
            var next: PendingHarvest?
            var completed: PendingHarvest?
            if token.isEmpty {
                completed = position
            } else {
                guard seenTokens.insert(token).inserted, token != start.token else {
                    throw Stop(message: "\(displayName): the provider sent the same resumption token twice (\(token)); stopping to avoid a loop")
                }
                next = position
                next?.token = token
                next?.pages = page
            }
            var pageErrors = 0
            var pageWarnings = 0
            let emit = self.emit
            let ingested = try house.storeHarvestPage(
                body, displayName: displayName, key: key, envelope: envelope, limits: request.recordLimits, next: next, completed: completed,
                // (Once a page is stored, a write of another process between two pages, such as
                // a server's, is waited for: a harvest that had started stopped in the middle.)
                lockWait: storedPages > 0 ? max(house.writeLockWait, Self.lockWaitBetweenPages) : nil,
                diagnostics: { diagnostic in
                    switch diagnostic.severity {
                    case .error: pageErrors += 1
                    case .warning: pageWarnings += 1
                    case .notice: break
                    }
                    emit(diagnostic)
                })
            if ingested.files.first?.status == .rolledBack {
                // The page could not be read to its end (the reader said why): storing the part
                // before would lose the rest with the list marked complete.
                throw Stop(
                    message: "\(displayName): the page could not be read to its end, so nothing from it was stored (\(url)); the harvest stops at this page, and will again until the provider mends it")
            }
            storedPages += 1
            report.pages += 1
            report.added += ingested.added
            report.updated += ingested.updated
            report.unchanged += ingested.unchanged
            report.aliased += ingested.aliased
            report.skipped += ingested.skipped
            report.deleted += ingested.deleted
            report.rejected += ingested.rejected
            report.errors += pageErrors
            report.warnings += pageWarnings
            items += envelope.headers.count
            progress?(
                HarvestProgress(
                    set: key.set, pages: report.pages, items: items, completeListSize: envelope.resumptionToken?.completeListSize))
            if let next {
                position = next
            } else {
                report.complete = true
                return
            }
        }
    }

    /// The response's `responseDate`, where the next incremental harvest starts: this
    /// machine's clock when the provider gives none, or one that is no date (OAI QA: `garbage`
    /// was kept, and every later harvest asked for everything again without a word).
    private func responseDate(of envelope: OAIResponseEnvelope) -> String {
        guard let given = envelope.responseDate else { return Catalog.now() }
        if let date = OAIDate(given) {
            // Maintainer QA: a provider whose clock said 2099 set every later harvest to ask
            // for changes since 2099, silently. Its datestamps may follow the same clock (then
            // the date is right for it), so it is kept, with a warning.
            let ahead = date.seconds - Int(Date().timeIntervalSince1970)
            if ahead > 86_400 {
                emit(
                    Diagnostic(
                        .warning, file: request.baseURL,
                        message: "the provider's responseDate \(given) is \(ahead / 86_400) day\(ahead < 2 * 86_400 ? "" : "s") ahead of this machine's clock (\(Catalog.now())); the next harvest asks for changes since then, and misses any the provider stamps earlier: if its datestamps are right, harvest next with --from"
                    ))
            }
            return given
        }
        emit(
            Diagnostic(
                .warning, file: request.baseURL,
                message: "the provider's responseDate \"\(OAIProvider.shown(given))\" is no date: the next harvest asks for what changed since this machine's clock said \(Catalog.now())"))
        return Catalog.now()
    }

    /// Whether the provider's datestamps are days (Identify's granularity), asked once.
    private mutating func providerUsesDays() async throws -> Bool {
        if let dayGranularity { return dayGranularity }
        let url = Self.url(request.baseURL, [("verb", "Identify")])
        let body = try await fetch(url, set: nil, pages: 0, items: 0)
        let envelope: OAIResponseEnvelope
        do {
            envelope = try OAIResponseEnvelope(bytes: body, displayName: "\(request.baseURL) Identify")
        } catch {
            throw Stop(message: "\(request.baseURL) does not answer Identify as an OAI-PMH provider: \(error.message) (\(url))")
        }
        if !envelope.errors.isEmpty {
            let errors = envelope.errors.count == 1 ? "the OAI-PMH error" : "\(envelope.errors.count) OAI-PMH errors:"
            throw Stop(message: "\(request.baseURL) answered Identify with \(errors) \(Self.describe(envelope.errors))")
        }
        let days = envelope.granularity == "YYYY-MM-DD"
        dayGranularity = days
        return days
    }

    /// GETs `url`, retrying 503, 429, 500, 502, 504 and connection errors with back-off
    /// (or the provider's `Retry-After`) for at most `request.retryFor`.
    private func fetch(_ url: String, set: String?, pages: Int, items: Int) async throws -> [UInt8] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: request.retryFor)
        var attempt = 0
        while true {
            attempt += 1
            let reason: String
            var wait: Double?
            do {
                let response = try await transport.get(url, timeout: request.requestTimeout, maximumBytes: request.maximumResponseBytes)
                switch response.status {
                case 200..<300:
                    return response.body
                case 429, 500, 502, 503, 504:
                    reason = "HTTP \(response.status)"
                    wait = response.retryAfter.flatMap(Self.seconds(retryAfter:))
                case 301, 302, 303, 307, 308:
                    throw Stop(message: Self.unfollowedRedirect(url, status: response.status, location: response.location))
                default:
                    // An OAI-PMH error may come with a 4xx status; its body says more.
                    if (try? OAIResponseEnvelope(bytes: response.body))?.errors.isEmpty == false { return response.body }
                    throw Stop(message: "\(url) answered HTTP \(response.status)")
                }
            } catch let stop as Stop {
                throw stop
            } catch let failure as OAITransportFailure {
                throw Stop(message: "\(url): \(failure.description); asking again would not help")
            } catch is CancellationError {
                throw Stop(message: "the harvest was cancelled; run it again to resume")
            } catch {
                reason = "cannot reach the provider (\(error))"
            }
            let backOff = min(60.0, pow(2.0, Double(attempt - 1)))
            // (A Retry-After of 0, or a date past, would have the harvest ask again at once,
            // as fast as the provider answers: the back-off then.)
            let delay = wait.flatMap { $0 > 0 ? $0 : nil } ?? backOff
            let left = (deadline - clock.now).components
            let remaining = Double(left.seconds) + Double(left.attoseconds) / 1e18
            guard delay <= remaining else {
                throw Stop(
                    message: "gave up on \(url) after \(attempt) attempt\(attempt == 1 ? "" : "s"): \(reason)\(wait.map { "; the provider asked to wait \(Int($0)) s" } ?? ""); run the harvest again later to resume")
            }
            emit(Diagnostic(.notice, file: request.baseURL, message: "\(reason); retrying in \(Self.format(delay)) s (\(url))"))
            progress?(HarvestProgress(set: set, pages: pages, items: items, completeListSize: nil, retrying: HarvestProgress.Retry(reason: reason, seconds: delay)))
            do {
                try await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            } catch {
                throw Stop(message: "the harvest was cancelled; run it again to resume")
            }
        }
    }

    /// Why a redirect came back to the harvest: the transport follows only http and https
    /// (a provider's `Location: file:///etc/passwd` must never be read).
    static func unfollowedRedirect(_ url: String, status: Int, location: String?) -> String {
        guard let location = location?.trimmingCharacters(in: .whitespaces), !location.isEmpty else {
            return "\(url) answered HTTP \(status), a redirect without a Location to follow; ask the provider for its current base URL"
        }
        let shown = location.count > 200 ? String(location.prefix(200)) + "..." : location
        let scheme = location.firstIndex(of: ":").map { location[..<$0].lowercased() }
        if let scheme, !scheme.isEmpty, scheme != "http", scheme != "https",
            scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) })
        {
            return "\(url) answered HTTP \(status), a redirect to \(shown), which is not followed: its scheme is \(scheme), and a harvest follows only http and https; ask the provider for its current base URL"
        }
        return "\(url) answered HTTP \(status), a redirect to \(shown) that was not followed; ask the provider for its current base URL"
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }

    /// The seconds a `Retry-After` asks for: delay-seconds or an HTTP-date, at most a year
    /// (a provider's `9223372036854775807` is a year too: no harvest waits that long).
    static func seconds(retryAfter text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = UInt64(trimmed) { return Double(min(seconds, longestRetryAfter)) }
        // (Delay-seconds too large for 64 bits: a year as well, not ignored; OAI QA.)
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) { return Double(longestRetryAfter) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return min(max(0, date.timeIntervalSinceNow), Double(longestRetryAfter))
    }

    private static let longestRetryAfter: UInt64 = 366 * 86_400

    /// `base?name=value&...`, each value percent-encoded (only unreserved characters stay).
    static func url(_ base: String, _ query: [(String, String)]) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let encoded = query.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }
        return base + "?" + encoded.joined(separator: "&")
    }

}
