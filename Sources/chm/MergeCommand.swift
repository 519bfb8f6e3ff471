import ArgumentParser
import ClearingHouse

/// `chm merge PRIMARY DUPLICATE...`
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Make records aliases of another: the same record reached through several sources or ids.",
        discussion: """
            Each DUPLICATE becomes an alias of PRIMARY, in one transaction: its copy stays in the catalog, \
            `chm show DUPLICATE` shows PRIMARY, searches show PRIMARY only, and OAI-PMH reports DUPLICATE as \
            deleted. Nothing is merged when any id is unknown or is an alias of another record (exit 1), or is \
            PRIMARY itself (exit 64). `chm duplicates` suggests what to merge.
            """)

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var writeOptions: WriteOptions

    @Argument(help: "The record to keep.")
    var primary: String

    @Argument(help: ArgumentHelp("Records that are the same as PRIMARY.", valueName: "DUPLICATE"))
    var duplicates: [String]

    @Flag(help: "Print the result as JSON: {\"primary\", \"merged\", \"alreadyMerged\", \"aliases\"}.")
    var json = false

    func run() throws {
        let house = try indexOptions.open(create: false, lockWait: writeOptions.lockWait())
        let report = try Console.run { try house.merge(primary: primary, duplicates: duplicates) }
        if json {
            try Console.printJSON(report)
            return
        }
        let merged = report.merged.count
        var line = "\(merged) merged into \(report.primary)"
        if !report.alreadyMerged.isEmpty { line += " (\(report.alreadyMerged.count) already aliases of it)" }
        print(line + "; its aliases: " + (report.aliases.isEmpty ? "none" : report.aliases.map(\.id).joined(separator: ", ")))
    }
}
