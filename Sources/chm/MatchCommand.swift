import ArgumentParser
import ClearingHouse
import Foundation

/// `chm match ID` or `chm match --text "..."`
struct MatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Find the offers that could answer a request, or the requests an offer could answer.",
        discussion: """
            For a request: technologies, best practices, case studies, organizations, training, funding and resources. \
            For any other record (an offer): the requests it could answer. Ranks by the words that state the need \
            (title and keywords first; never numbers, units or time words), by what the offer gives against what is \
            asked, and by shared theme, policy target, country and region; each hit says why. \
            With --requests FILE|all, matches many records and writes a TREC run (`qid Q0 docid rank score tag`) \
            for `chm eval`.
            """)

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var filterOptions: FilterOptions

    @Argument(help: "The id of an existing request (or of an offer, to find the requests it could answer).")
    var id: String?

    @Option(
        help: ArgumentHelp(
            "Match many records and write a TREC run: a file of record ids (one per line, or `qid<TAB>record id`), or `all` for every request in the index.",
            valueName: "FILE|all"))
    var requests: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("With --requests: write the run to FILE (default: standard output).", valueName: "FILE"))
    var output: String?

    @Option(help: "With --requests: the run's tag (last column).")
    var tag = "chm-match"

    @Option(help: ArgumentHelp("Describe the request instead of naming one.", valueName: "TEXT"))
    var text: String?

    @Option(name: .customLong("in-country"), help: ArgumentHelp("With --text: the requesting country (repeatable).", valueName: "CC"))
    var requestCountries: [String] = []

    @Option(
        name: .customLong("help-type"),
        help: ArgumentHelp(
            "With --text: a kind of help asked (\(MatchRequest.knownAssistanceTypes.joined(separator: ", ")); repeatable).",
            valueName: "TYPE"))
    var assistanceTypes: [String] = []

    @Option(parsing: .unconditional, help: "Hits to show (with --requests: hits per record, default 100).")
    var limit: Int?

    @Flag(help: "Print JSON: {\"query\", \"total\", \"hits\": [{\"id\", \"kind\", \"title\", \"score\", \"reasons\": [...]}]}.")
    var json = false

    @Option(help: ArgumentHelp("Your language for titles.", valueName: "TAG"))
    var lang: String?

    func validate() throws {
        if requests != nil {
            guard id == nil, text == nil else { throw ValidationError("--requests matches many records: give no ID and no --text") }
            guard !json else { throw ValidationError("--requests writes a TREC run, not JSON") }
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            return
        }
        if output != nil { throw ValidationError("--output goes with --requests") }
        do {
            try request.validate()
        } catch let error as ClearingHouseError {
            throw ValidationError(Console.message(of: error))
        }
    }

    /// The request the options make (the library decides what --country means with --text).
    var request: MatchRequest {
        MatchRequest(
            id: id, text: text, requestingCountries: requestCountries, assistanceTypes: assistanceTypes, filters: filterOptions.filters,
            limit: limit ?? 10, language: lang)
    }

    func run() throws {
        let house = try indexOptions.open(create: false)
        Console.keepUntilExit(house)
        if let requests {
            let entries = try Console.run { requests == "all" ? try house.allRequests() : try ClearingHouse.MatchRunEntry.read(requests) }
            let results = try Console.run { try house.matchRun(entries, limit: limit ?? 100, filters: filterOptions.filters) }
            if let output {
                try Console.run { try TRECRun.write(results, tag: tag, toFile: output) }
            } else {
                print(TRECRun.text(of: results, tag: tag), terminator: "")
            }
            return
        }
        let response = try Console.run { try house.match(request) }
        Console.warnIfStale(response)
        if json {
            try Console.printJSON(response)
            return
        }
        if response.hits.isEmpty {
            // (A limit of 0 shows none of the matches there are, as `chm search` says.)
            if let total = response.total, total > 0 {
                print("\(Console.counted(total, "record")) could answer this request; --limit 0 shows none.")
            } else {
                print("No record matches this request.")
            }
            return
        }
        HitPrinter.print(response, offset: 0)
    }
}

/// `chm similar ID`
struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "similar", abstract: "The records most like a given one.")

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var filterOptions: FilterOptions

    @Argument(help: "The record id.")
    var id: String

    @Option(parsing: .unconditional, help: "Hits to show.")
    var limit = 10

    @Flag(help: "Print JSON: {\"query\", \"total\", \"hits\": [{\"id\", \"kind\", \"title\", \"score\", \"reasons\": [...]}]}.")
    var json = false

    @Option(help: ArgumentHelp("Your language for titles.", valueName: "TAG"))
    var lang: String?

    func run() throws {
        let house = try indexOptions.open(create: false)
        Console.keepUntilExit(house)
        let response = try Console.run { try house.similar(id: id, filters: filterOptions.filters, limit: limit, language: lang) }
        Console.warnIfStale(response)
        if json {
            try Console.printJSON(response)
            return
        }
        if response.hits.isEmpty {
            print("No similar records.")
            return
        }
        HitPrinter.print(response, offset: 0)
    }
}
