import ArgumentParser
import ClearingHouse
import Foundation

/// `chm export`
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every record, sorted by id, as JSON Lines (canonical JSON) or CSV.")

    @OptionGroup var indexOptions: IndexOptions

    @Option(help: "jsonl (default) or csv.")
    var format: ClearingHouse.ExportFormat = .jsonl

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE (atomically) instead of standard output.", valueName: "FILE"))
    var output: String?

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
                    try house.export(format: format) { line in
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
            try Console.run { try house.export(format: format) { print($0, terminator: "") } }
        }
    }
}

extension ClearingHouse.ExportFormat: ExpressibleByArgument {}
