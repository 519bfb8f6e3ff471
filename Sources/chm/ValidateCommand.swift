import ArgumentParser
import ClearingHouse

/// `chm validate PATH...`
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check record files as ingest would, without storing anything.")

    @Argument(help: ArgumentHelp("Files or directories of records.", valueName: "PATH"))
    var paths: [String]

    @Flag(help: "Treat unknown fields as errors instead of warnings.")
    var strict = false

    @Option(help: ArgumentHelp("Kind of records that give none (as for ingest).", valueName: "KIND"))
    var kind: RecordKind?

    @Option(help: ArgumentHelp("Language of plain-string text in records that give none.", valueName: "TAG"))
    var language: String?

    @Flag(help: "Print the summary as JSON on standard output.")
    var json = false

    @Flag(help: "Print no summary.")
    var quiet = false

    func run() throws {
        let options = IngestOptions(strict: strict, defaultKind: kind, defaultLanguage: language)
        let report = try Console.run { try ClearingHouse.validate(paths, options: options, diagnostics: Console.report) }
        let valid = report.files.reduce(0) { $0 + $1.valid }
        if json {
            try Console.printJSON(report)
        } else if !quiet {
            print(
                "\(Console.counted(report.files.count, "file")): \(valid) valid, \(report.rejected) invalid"
                    + (report.warnings > 0 ? "; \(Console.counted(report.warnings, "warning"))" : ""))
        }
        if !report.succeeded { throw Console.invalidInput }
    }
}
