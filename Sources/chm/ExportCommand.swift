import ArgumentParser
import ClearingHouse
import Foundation

/// `chm export`
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write records, sorted by id, as JSON Lines (canonical JSON), CSV or OAI-PMH (oai_dc): all, or what a query and filters find.",
        discussion: """
            --format oai_dc writes one OAI-PMH document shaped as a ListRecords response with \
            oai_dc metadata (the headers chm serve's /oai gives), which chm ingest and harvesting \
            libraries read.
            """)

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var filterOptions: FilterOptions

    @Argument(help: "Export only the records this query finds (with the filters); omit for all.")
    var query: String?

    @Option(help: "jsonl (default), csv or oai_dc.")
    var format: ClearingHouse.ExportFormat = .jsonl

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var output: String?

    @Flag(name: .customLong("no-correct"), help: "Export what the words as typed find: no close spellings of unknown words (as chm search --no-correct).")
    var noCorrect = false

    @Flag(name: .customLong("no-expand"), help: "Export what the query's own words find: no translations through the thesaurus (as chm search --no-expand).")
    var noExpand = false

    func run() throws {
        if let output { try Console.run { try ClearingHouse.validateExportFile(output) } }
        let house = try indexOptions.open(create: false)
        let selection = ClearingHouse.ExportSelection(query: query, filters: filterOptions.filters, correct: !noCorrect, expand: !noExpand)
        if let output {
            try Console.run { try house.export(format: format, selection: selection, toFile: output) }
        } else {
            try Console.run { try house.export(format: format, selection: selection) { print($0, terminator: "") } }
        }
    }
}

extension ClearingHouse.ExportFormat: ExpressibleByArgument {}
