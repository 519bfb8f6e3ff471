import ArgumentParser
import ClearingHouse

/// `chm duplicates`
struct DuplicatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duplicates",
        abstract: "List probable duplicates: the same title and country, or very similar text.",
        discussion: """
            Records that are identical apart from id, source and updated are linked at ingest (aliases) and \
            are not listed. Each group suggests a primary (the record stored first) and the `chm merge` \
            command that makes the others its aliases. The exit status is 0 whether or not any are found.
            """)

    @OptionGroup var indexOptions: IndexOptions

    // (`parsing: .unconditional` on numbers: `--threshold -1` gets the range's own message,
    // not "missing value".)
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Jaccard similarity (0.3-1) of the texts' two-word shingles from which texts count as very similar.",
            valueName: "S"))
    var threshold = DuplicatesRequest.defaultThreshold

    @Option(parsing: .unconditional, help: "Show at most N groups, best first.")
    var limit: Int?

    @Option(help: ArgumentHelp("Language to show titles in (falls back to English, then any).", valueName: "TAG"))
    var lang: String?

    @Flag(help: "Print JSON: {\"scanned\", \"threshold\", \"groups\": [...]}.")
    var json = false

    func run() throws {
        let house = try indexOptions.open(create: false)
        let report = try Console.run { try house.duplicates(DuplicatesRequest(threshold: threshold, limit: limit, language: lang)) }
        if json {
            try Console.printJSON(report)
            return
        }
        guard !report.groups.isEmpty else {
            print("no probable duplicates among \(Console.grouped(report.scanned)) records")
            return
        }
        print(
            "\(Console.counted(report.groups.count, "group")) of probable duplicates among "
                + "\(Console.grouped(report.scanned)) records")
        let names: [DuplicateReason: String] = [.sameContent: "same content", .sameTitle: "same title and country", .similarText: "similar text"]
        for (number, group) in report.groups.enumerated() {
            print("")
            print("\(number + 1). \(group.reasons.compactMap { names[$0] }.joined(separator: ", ")) (score \(group.score))")
            let width = group.records.map(\.id.count).max() ?? 0
            for member in group.records {
                var line = "   " + member.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + Console.printable(member.title)
                if !member.countries.isEmpty { line += " (\(member.countries.joined(separator: ", ")))" }
                print(line)
            }
            print("   chm merge " + group.records.map(\.id).joined(separator: " "))
        }
    }
}
