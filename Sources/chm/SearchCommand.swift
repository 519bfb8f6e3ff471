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
            description, keywords; kind, country, region, theme, target, language, year), prefix*, \
            word~ (close spellings), word^2 (a boost). \
            An empty query ("") with filters lists the matching records, newest first. \
            An invalid query exits 64 and names the position. \
            A query that starts with - (an excluded word first) goes after --: chm search -- "-flood fire".
            """)

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var filterOptions: FilterOptions

    @Argument(help: "The query (\"\" for all records).")
    var query: String

    @Option(parsing: .unconditional, help: "Hits to show.")
    var limit = 10

    @Option(parsing: .unconditional, help: "Hits to skip (paging).")
    var offset = 0

    @Option(help: ArgumentHelp("Count values of these fields: kind,country,region,theme,target,language,year.", valueName: "FIELDS"))
    var facets: String?

    @Option(help: "relevance or published (newest first). Default: relevance, or published for an empty query.")
    var sort: SearchRequest.Sort?

    @Option(name: .customLong("min-match"), parsing: .unconditional, help: ArgumentHelp("At least N of the query's words must match.", valueName: "N"))
    var minimumMatch = 0

    @Flag(help: "Print JSON: {\"query\", \"total\", \"hits\": [{\"id\", \"kind\", \"title\", \"language\", \"score\", \"snippet\", ...}], \"facets\"}.")
    var json = false

    @Flag(help: "Show how each hit's score was computed.")
    var explain = false

    @Flag(help: "Count every match (slower; otherwise the total is a lower bound).")
    var count = false

    @Option(help: ArgumentHelp("Your language: titles and snippets in it (then English, then any).", valueName: "TAG"))
    var lang: String?

    @Flag(
        name: .customLong("no-expand"),
        help: "Search only the words as typed: no translations from the thesaurus (chm thesaurus import).")
    var noExpand = false

    @Flag(
        name: .customLong("no-correct"),
        help: "Search only the words as typed: no close spellings of unknown words (typos). word~ still asks for them.")
    var noCorrect = false

    func validate() throws {
        do {
            try request.validate()
        } catch let error as ClearingHouseError {
            throw ValidationError(Console.message(of: error))
        }
    }

    /// The request the options make.
    var request: SearchRequest {
        SearchRequest(
            query: query, filters: filterOptions.filters, facets: facetList, limit: limit, offset: offset, sort: sort,
            minimumMatch: minimumMatch, countTotal: count, explain: explain, language: lang, expand: !noExpand,
            correct: !noCorrect)
    }

    var facetList: [String] {
        (facets ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() throws {
        let house = try indexOptions.open(create: false)
        Console.keepUntilExit(house)
        let response = try Console.run { try house.search(request) }
        Console.warnIfStale(response)
        if json {
            try Console.printJSON(response)
            return
        }
        let total =
            response.knownTotal(limit: limit, offset: offset).map { Console.counted($0, "match", plural: "matches") }
            ?? "at least " + Console.counted(response.totalLowerBound, "match", plural: "matches")
        // (What the user typed is echoed with its control characters made visible.)
        let typed = Console.visible(query)
        if let corrected = response.correctedQuery {
            print("Showing results for: \(Console.visible(corrected)) (you typed: \(typed); --no-correct searches only that)")
        }
        var besideTheWord = Set<String>()
        for correction in response.corrections where correction.isBesideTheWord && besideTheWord.insert(correction.word).inserted {
            print("Also searching close spellings of \(Console.visible(correction.word)), such as \(correction.spelling)")
        }
        for expansion in response.expansions { print("Also searching: \(Console.visible(expansion.summary))") }
        if response.hits.isEmpty, limit == 0, response.totalLowerBound > 0 {
            print("\(total) (--limit 0 shows none)")
        } else if response.hits.isEmpty {
            let counted = response.totalLowerBound > 0 ? " (\(total))" : ""
            // (A quoted query is shown as typed, not in a second pair of quotes.)
            let shown = typed.hasPrefix("\"") && typed.hasSuffix("\"") && typed.count > 1 ? typed : "\"\(typed)\""
            print("No records match" + (query.isEmpty ? "" : " " + shown) + (offset > 0 ? " at offset \(offset)" : "") + counted + ".")
            if response.onlyStopWords {
                print("Its words are all stop words (words so common that they are not indexed, such as the, of, de, la): add a word that says what you look for.")
            }
        } else {
            if response.onlyStopWords {
                print("Its words are all stop words (words so common that they are not indexed, such as the, of, de, la): these are the records of the filters alone.")
            }
            print("\(offset + 1)-\(offset + response.hits.count) of \(total)")
            HitPrinter.print(response, offset: offset)
        }
        HitPrinter.printFacets(response.facets, labels: response.facetLabels)
    }
}

extension SearchRequest.Sort: ExpressibleByArgument {}
