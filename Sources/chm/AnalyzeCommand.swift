import ArgumentParser
import ClearingHouse

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
        let report = ClearingHouse.analyze(text, language: lang)
        if json {
            try Console.printJSON(report)
            return
        }
        print("analyzer: \(report.analyzer)")
        let scalars = Array(text.unicodeScalars)
        for token in report.tokens {
            let original = token.end <= scalars.count && token.start <= token.end
                ? String(String.UnicodeScalarView(scalars[token.start..<token.end])) : ""
            print("\(token.position)\t\(token.term)\t[\(token.start)-\(token.end)] \(original)")
        }
    }
}
