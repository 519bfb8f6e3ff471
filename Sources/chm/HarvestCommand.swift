import ArgumentParser
import ClearingHouse
import ClearingHouseHarvester
import Foundation

/// `chm harvest URL`: harvests an OAI-PMH provider (ClearingHouse.harvest does the work).
struct HarvestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "harvest",
        abstract: "Harvest an OAI-PMH provider into the catalog (incremental and resumable).",
        discussion: """
            Follows resumption tokens page by page; each page is stored in one transaction with the harvest's \
            position, so a harvest that stops (a network failure, a killed process) resumes at the next run. \
            A source (URL, set, format) harvested before is asked only for what changed since the responseDate \
            of its last complete harvest (since its --until, when that was earlier), unless --from is given. Requests are retried with back-off on 503, \
            429 and connection errors (honouring Retry-After) for --retry-for seconds. Invalid records are \
            reported with the page and the record and left out; the rest is kept. Exit 0 when every set was \
            harvested to its end, 65 when records were rejected, 69 when a set could not be harvested.
            `chm harvest --list` shows each source with its last harvest and its counts.
            """)

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var writeOptions: WriteOptions

    @Argument(help: ArgumentHelp("The provider's base URL (e.g. https://example.org/oai).", valueName: "URL"))
    var url: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("A set to harvest (repeatable; default: the whole repository).", valueName: "SPEC"))
    var sets: [String] = []

    @Option(name: .customLong("metadata-prefix"), help: ArgumentHelp("oai_dc (Dublin Core) or chm (chm records, lossless).", valueName: "PREFIX"))
    var metadataPrefix = "oai_dc"

    @Option(help: ArgumentHelp("Records changed from this date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ; default: since the last harvest).", valueName: "DATE"))
    var from: String?

    @Option(help: ArgumentHelp("Records changed until this date (inclusive).", valueName: "DATE"))
    var until: String?

    // (`parsing: .unconditional`: a negative number is the option's value, so `--retry-for -1`
    // gets the range's own message instead of "missing value".)
    @Option(name: .customLong("retry-for"), parsing: .unconditional, help: ArgumentHelp("Seconds to keep retrying a request before giving up (0 to 604800, one week).", valueName: "SECONDS"))
    var retryFor = 300

    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds one request may take (1 to 86400, one day).", valueName: "SECONDS"))
    var timeout = 120

    @Flag(help: "List the harvested sources (last harvest, counts, whether one can be resumed) instead of harvesting.")
    var list = false

    @Flag(help: "Print the report (or the list) as JSON on standard output.")
    var json = false

    @Flag(help: "Print no summary and no notices (errors still go to standard error).")
    var quiet = false

    func validate() throws {
        if list {
            guard url == nil, sets.isEmpty, from == nil, until == nil else {
                throw ValidationError("--list takes no URL, --set, --from or --until")
            }
            return
        }
        guard url != nil else { throw ValidationError("give the provider's base URL (or --list)") }
    }

    private var request: HarvestRequest {
        var request = HarvestRequest(baseURL: url ?? "")
        request.sets = sets
        request.metadataPrefix = metadataPrefix
        request.from = from
        request.until = until
        request.retryFor = .seconds(retryFor)
        request.requestTimeout = .seconds(timeout)
        return request
    }

    func run() async throws {
        // The request's own checks (URL, dates, timeouts) print one line and exit 64, before
        // the index is opened or made.
        let request = list ? self.request : try Console.run { try self.request.validated() }
        let house = try indexOptions.open(create: !list, lockWait: writeOptions.lockWait())
        if list {
            let sources = try Console.run { try house.harvestSources() }
            if json {
                try Console.printJSON(["sources": sources])
            } else if sources.isEmpty {
                print("no source has been harvested")
            } else {
                for source in sources { print(Self.describe(source)) }
            }
            return
        }
        let report: HarvestReport
        do {
            report = try await house.harvest(
                request,
                progress: { progress in
                    var line = "\(progress.set.map { "set \($0): " } ?? "")page \(progress.pages)  \(Console.grouped(progress.items)) items"
                    if let size = progress.completeListSize { line += " of \(Console.grouped(size))" }
                    if let retrying = progress.retrying { line += "  waiting \(Int(retrying.seconds.rounded(.up))) s: \(retrying.reason)" }
                    Console.progress(line)
                },
                diagnostics: { diagnostic in
                    if !quiet || diagnostic.severity == .error { Console.report(diagnostic) }
                })
        } catch {
            _ = try Console.run { throw error }
            return
        }
        Console.clearProgress()
        if json {
            try Console.printJSON(report)
        } else if !quiet {
            for harvest in report.harvests { print(Self.describe(harvest)) }
        }
        if report.harvests.contains(where: { !$0.complete }) { throw Console.unavailable }
        if !report.succeeded { throw Console.invalidInput }
    }

    private static func describe(_ harvest: SetHarvestReport) -> String {
        let what = harvest.baseURL + (harvest.set.map { " set \($0)" } ?? "")
        let counts =
            "\(Console.counted(harvest.pages, "page")), \(harvest.added) added, \(harvest.updated) updated, \(harvest.unchanged) unchanged\(harvest.aliased > 0 ? ", \(harvest.aliased) aliased" : ""), \(harvest.deleted) deleted, \(harvest.rejected) rejected"
        let state: String
        if let failure = harvest.failure {
            state = "stopped: \(failure)"
        } else {
            state = "complete" + (harvest.from.map { " (from \($0))" } ?? "") + (harvest.resumed ? ", resumed" : "")
        }
        return Console.printable("\(what): \(counts); \(state)")
    }

    private static func describe(_ source: HarvestSource) -> String {
        var line = source.baseURL + (source.set.map { " set \($0)" } ?? "") + " [\(source.metadataPrefix)]"
        line += ": last harvest \(source.lastResponseDate ?? "never completed")"
        line += ", \(Console.counted(source.harvests, "harvest")), \(Console.counted(source.pages, "page")), \(source.stored) stored, \(source.deleted) deleted, \(source.rejected) rejected"
        if let pages = source.resumablePages { line += "; stopped after page \(pages), resumes at the next harvest" }
        if let error = source.lastError { line += "; last error: \(error)" }
        return Console.printable(line)
    }
}
