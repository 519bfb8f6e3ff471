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

    /// Writes the records to `write`: all of them, or those the query and filters find.
    private func export(_ house: ClearingHouse, _ write: (String) throws -> Void) throws {
        let filters = filterOptions.filters
        if query == nil && filters.isEmpty {
            try house.export(format: format, to: write)
        } else {
            try house.export(format: format, matching: SearchRequest(query: query ?? "", filters: filters), to: write)
        }
    }

    func run() throws {
        let house = try indexOptions.open(create: false)
        if let output {
            let target = URL(fileURLWithPath: output)
            let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
                let handle = try? FileHandle(forWritingTo: temporary)
            else {
                Console.error("chm: error: cannot write \(output)")
                throw ExitCode.failure
            }
            var buffer = Data()
            do {
                try Console.run {
                    try export(house) { line in
                        buffer.append(contentsOf: line.utf8)
                        if buffer.count >= 1 << 20 {
                            try handle.write(contentsOf: buffer)
                            buffer.removeAll(keepingCapacity: true)
                        }
                    }
                }
                try handle.write(contentsOf: buffer)
                try handle.synchronize()
                try handle.close()
                guard rename(temporary.path, target.path) == 0 else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path])
                }
            } catch {
                try? FileManager.default.removeItem(at: temporary)
                if error is ExitCode { throw error }
                Console.error("chm: error: cannot write \(output): \(error.localizedDescription)")
                throw ExitCode.failure
            }
        } else {
            try Console.run { try export(house) { print($0, terminator: "") } }
        }
    }
}

extension ClearingHouse.ExportFormat: ExpressibleByArgument {}
