import ArgumentParser
import ClearingHouse

/// `chm match ID` or `chm match --text "..."`
struct MatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Find the technologies, practices, case studies, organizations, training and funding that could answer a request.",
        discussion: "Ranks by content (the request's most telling words) and by shared theme, assistance type, country and region; each hit says why.")

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var filterOptions: FilterOptions

    @Argument(help: "The id of an existing request (or any record).")
    var id: String?

    @Option(help: ArgumentHelp("Describe the request instead of naming one.", valueName: "TEXT"))
    var text: String?

    @Option(name: .customLong("in-country"), help: ArgumentHelp("With --text: the requesting country (repeatable).", valueName: "CC"))
    var requestCountries: [String] = []

    @Option(help: "Hits to show.")
    var limit = 10

    @Flag(help: "Print JSON: {\"hits\": [{\"id\", \"kind\", \"title\", \"score\", \"reasons\": [...]}]}.")
    var json = false

    @Option(help: ArgumentHelp("Your language for titles.", valueName: "TAG"))
    var lang: String?

    func validate() throws {
        do {
            try request.validate()
        } catch let error as ClearingHouseError {
            throw ValidationError(error.message)
        }
    }

    /// The request the options make (the library decides what --country means with --text).
    var request: MatchRequest {
        MatchRequest(
            id: id, text: text, requestingCountries: requestCountries, filters: filterOptions.filters, limit: limit, language: lang)
    }

    func run() throws {
        let house = try indexOptions.open(create: false)
        let response = try Console.run { try house.match(request) }
        if json {
            try Console.printJSON(response)
            return
        }
        if response.hits.isEmpty {
            print("No record matches this request.")
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

    @Option(help: "Hits to show.")
    var limit = 10

    @Flag(help: "Print JSON: {\"hits\": [{\"id\", \"kind\", \"title\", \"score\", \"reasons\": [...]}]}.")
    var json = false

    @Option(help: ArgumentHelp("Your language for titles.", valueName: "TAG"))
    var lang: String?

    func run() throws {
        let house = try indexOptions.open(create: false)
        let response = try Console.run { try house.similar(id: id, filters: filterOptions.filters, limit: limit, language: lang) }
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
