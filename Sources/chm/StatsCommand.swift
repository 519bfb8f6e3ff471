import ArgumentParser
import Foundation
import ClearingHouse

/// `chm stats`
struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Show counts of records by kind and language.")

    @OptionGroup var indexOptions: IndexOptions

    @Flag(help: "Print JSON: {\"records\": N, \"kinds\": {...}, \"languages\": {...}, ...}.")
    var json = false

    func run() throws {
        let house = try indexOptions.open(create: false)
        let report = try Console.run { try house.statisticsReport() }
        if json {
            try Console.printJSON(report)
            return
        }
        let statistics = report.catalog
        let index = report.index
        print("records: \(Console.grouped(statistics.records))")
        if statistics.aliases > 0 { print("aliases: \(Console.grouped(statistics.aliases)) (copies that resolve to a record)") }
        print("kinds:")
        for kind in RecordKind.allCases {
            print("  \(kind.rawValue.padding(toLength: 18, withPad: " ", startingAt: 0)) \(statistics.kinds[kind.rawValue] ?? 0)")
        }
        print("languages:")
        for (tag, count) in statistics.languages.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            print("  \(tag.padding(toLength: 18, withPad: " ", startingAt: 0)) \(count)")
        }
        print("catalog: \(house.directory.path)/catalog.sqlite, \(statistics.catalogBytes / 1024) KiB, \(statistics.ingestRuns) ingest runs, last change #\(statistics.lastChange)")
        print(
            "index: \(Console.counted(index.segments, "segment")), \(Console.grouped(index.documents)) documents"
                + (index.deletedDocuments > 0 ? " (+\(index.deletedDocuments) deleted)" : "")
                + ", \(Console.grouped(index.terms)) terms, \(Console.grouped(index.postings)) postings, \(index.segmentBytes / 1024) KiB"
                + (index.bytes > index.segmentBytes ? " (\(index.bytes / 1024) KiB on disk until the next commit)" : "")
                + ", at change #\(index.changeSequence)")
    }
}
