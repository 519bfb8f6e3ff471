import ArgumentParser
import ClearingHouse
import Foundation

/// `chm suggest TEXT`
struct SuggestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suggest",
        abstract: "Complete the last word of a query being typed, and show the titles it would find.",
        discussion: """
            Completions come from the words of the index as records write them (`pollinat` gives \
            pollinators, pollination), most frequent first. A query ending with a space completes nothing.
            """)

    @OptionGroup var indexOptions: IndexOptions

    @Argument(help: "The query typed so far.")
    var text: String

    @Option(parsing: .unconditional, help: "Completions to show.")
    var limit = 10

    @Option(help: ArgumentHelp("Your language: its words are completed first, and titles shown in it (then English, then any).", valueName: "TAG"))
    var lang: String?

    @Flag(help: "Print JSON: {\"query\", \"completions\": [{\"text\", \"word\", \"documents\", \"documentsWithQuery\"}], \"titles\": [{\"id\", \"title\", \"language\"}]}.")
    var json = false

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
    }

    func run() throws {
        let house = try indexOptions.open(create: false)
        Console.keepUntilExit(house)
        let suggestions = try Console.run { try house.suggest(text, limit: limit, language: lang) }
        if json {
            try Console.printJSON(suggestions)
            return
        }
        for completion in suggestions.completions {
            // (The records that have the word; after earlier words, a third column: those that
            // have it with them, which rank it.)
            print("\(Console.printable(completion.text))\t\(completion.documents)" + (completion.documentsWithQuery.map { "\t\($0) with the earlier words" } ?? ""))
        }
        if !suggestions.titles.isEmpty {
            if !suggestions.completions.isEmpty { print("") }
            for title in suggestions.titles { print("\(Console.printable(title.title))\t\(Console.printable(title.id))") }
        }
    }
}
