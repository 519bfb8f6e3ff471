import ArgumentParser
import ClearingHouse
import Foundation

/// `chm export`
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write records, sorted by id, as JSON Lines (canonical JSON) or CSV: all, or what a query and filters find.")

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var filterOptions: FilterOptions

    @Argument(help: "Export only the records this query finds (with the filters); omit for all.")
    var query: String?

    @Option(help: "jsonl (default) or csv.")
    var format: ClearingHouse.ExportFormat = .jsonl

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var output: String?

    func run() throws {
        let house = try indexOptions.open(create: false)
        let selection = ClearingHouse.ExportSelection(query: query, filters: filterOptions.filters)
        if let output {
            try Console.run { try house.export(format: format, selection: selection, toFile: output) }
        } else {
            try Console.run { try house.export(format: format, selection: selection) { print($0, terminator: "") } }
        }
    }
}

extension ClearingHouse.ExportFormat: ExpressibleByArgument {}
