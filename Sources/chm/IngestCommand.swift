import ArgumentParser
import ClearingHouse
import Foundation

/// `chm ingest PATH...`
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read record files (JSON, JSON Lines, native XML, OAI-PMH) into the catalog.",
        discussion: """
            Each file is one transaction: if any record in it is invalid, nothing from it is stored \
            (exit 65) unless --skip-invalid is given. Directories are searched recursively.
            """)

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var writeOptions: WriteOptions

    @Argument(help: ArgumentHelp("Files or directories of records.", valueName: "PATH"))
    var paths: [String]

    @Flag(help: "Store the valid records of a file even if others in it are invalid.")
    var skipInvalid = false

    @Flag(help: "Treat unknown fields as errors instead of warnings.")
    var strict = false

    @Option(help: ArgumentHelp("Kind of records that give none (e.g. resource, for a test collection).", valueName: "KIND"))
    var kind: RecordKind?

    @Option(help: ArgumentHelp("Language of plain-string text in records that give none (e.g. en).", valueName: "TAG"))
    var language: String?

    @Flag(help: "Print the summary as JSON on standard output.")
    var json = false

    @Flag(help: "Print no summary, and no warnings (errors still go to standard error).")
    var quiet = false

    func run() throws {
        let options = IngestOptions(skipInvalid: skipInvalid, strict: strict, defaultKind: kind, defaultLanguage: language)
        try Console.run { try options.validate() }  // (before the index directory is created)
        let house = try indexOptions.open(create: true, lockWait: writeOptions.lockWait())
        house.firstLoadWritesOnce = true  // (nothing here reads while it writes)
        var report = try Console.run {
            try house.ingest(
                paths, options: options,
                progress: { progress in
                    let megabytes = Double(progress.bytes) / 1_048_576
                    let rate = progress.elapsed > 0 ? megabytes / progress.elapsed : 0
                    Console.progress(
                        "\(Console.grouped(progress.records)) records  \(String(format: "%.1f", rate)) MB/s  \(progress.file)")
                },
                diagnostics: { diagnostic in
                    if !quiet || diagnostic.severity == .error { Console.report(diagnostic) }
                })
        }
        Console.clearProgress()
        if json {
            report.peakMemoryBytes = Console.peakMemoryBytes
            try Console.printJSON(report)
        } else if !quiet {
            var line =
                "\(Console.counted(report.files.count, "file")): \(report.added) added, \(report.updated) updated, "
                + "\(report.unchanged) unchanged, \(report.deleted) deleted, \(report.rejected) rejected"
            if report.skipped > 0 { line += ", \(report.skipped) skipped (older)" }
            if report.aliased > 0 { line += ", \(report.aliased) aliased (copies of stored records)" }
            if report.warnings > 0 { line += "; \(Console.counted(report.warnings, "warning"))" }
            print(line)
            if let thesaurus = report.thesaurus {
                print(
                    "thesaurus: \(Console.counted(thesaurus.files.count, "file")), \(thesaurus.concepts) concepts "
                        + "(\(thesaurus.added) added, \(thesaurus.updated) updated, \(thesaurus.unchanged) unchanged), \(thesaurus.labels) labels")
            }
        }
        if !report.succeeded { throw Console.invalidInput }
    }
}

extension RecordKind: ExpressibleByArgument {}
