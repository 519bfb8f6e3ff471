import ArgumentParser
import ClearingHouse
import SearchCore

/// `chm analyze TEXT --lang TAG`
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Show the tokens an analyzer produces for a text (like Elasticsearch's _analyze).")

    @Argument(help: "The text to analyze.")
    var text: String

    @Option(help: ArgumentHelp("Language (ar, en, es, fr, ru, zh; anything else uses the standard analyzer).", valueName: "TAG"))
    var lang = "und"

    @Flag(help: "Print JSON: {\"analyzer\", \"tokens\": [{\"term\", \"position\", \"start\", \"end\"}]}.")
    var json = false

    func run() throws {
        let analyzer = LanguageAnalyzer.forLanguage(lang)
        let tokens = analyzer.tokens(text)
        if json {
            Console.printJSON(
                .object([
                    ("analyzer", .string(analyzer.name)),
                    (
                        "tokens",
                        .array(
                            tokens.map {
                                .object([
                                    ("term", .string($0.term)), ("position", .number(String($0.position))),
                                    ("start", .number(String($0.start))), ("end", .number(String($0.end))),
                                ])
                            })
                    ),
                ]))
            return
        }
        print("analyzer: \(analyzer.name)")
        let scalars = Array(text.unicodeScalars)
        for token in tokens {
            let original = token.end <= scalars.count && token.start <= token.end
                ? String(String.UnicodeScalarView(scalars[token.start..<token.end])) : ""
            print("\(token.position)\t\(token.term)\t[\(token.start)-\(token.end)] \(original)")
        }
    }
}
