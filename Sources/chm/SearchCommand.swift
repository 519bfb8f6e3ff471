import ArgumentParser
import ClearingHouse
import Foundation

/// `chm search QUERY`
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search the records.",
        discussion: """
            Query syntax: words (any may match; better matches rank higher), "a phrase", \
            AND / OR / NOT, +required, -excluded, (groups), field:word (title, summary, \
            description, keywords; kind, country, region, theme, target, language, year), prefix*. \
            An invalid query exits 64 and names the position.
            """)

    @OptionGroup var indexOptions: IndexOptions

    @Argument(help: "The query.")
    var query: String

    @Option(help: "Hits to show.")
    var limit = 10

    @Option(help: "Hits to skip (paging).")
    var offset = 0

    @Flag(help: "Print JSON: {\"query\", \"total\", \"hits\": [{\"id\", \"kind\", \"title\", \"score\"}]}.")
    var json = false

    @Flag(help: "Show how each hit's score was computed.")
    var explain = false

    @Flag(help: "Count every match (slower; otherwise the total is a lower bound).")
    var count = false

    @Option(help: ArgumentHelp("Language to show titles in (falls back to English, then any).", valueName: "TAG"))
    var lang: String?

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
        guard offset >= 0 else { throw ValidationError("--offset must be 0 or more") }
    }

    func run() throws {
        let house = try indexOptions.open(create: false)
        let request = SearchRequest(
            query: query, limit: limit, offset: offset, countTotal: count, explain: explain, language: lang)
        let response = try Console.run { try house.search(request) }
        if json {
            Console.printJSON(response.jsonValue)
            return
        }
        let total = response.total.map { "\($0)" } ?? "at least \(response.totalLowerBound)"
        if response.hits.isEmpty {
            print("No records match \"\(query)\"" + (offset > 0 ? " at offset \(offset)" : "") + " (\(total) matches).")
            return
        }
        print("\(offset + 1)-\(offset + response.hits.count) of \(total) matches")
        for (index, hit) in response.hits.enumerated() {
            print("")
            print("\(offset + index + 1). \(hit.title)")
            print("   \(hit.id) · \(hit.kind.label) · score \(String(format: "%.3f", hit.score))")
            if let explanation = hit.explanation {
                for line in explanation.split(separator: "\n") { print("     " + line) }
            }
        }
    }
}
