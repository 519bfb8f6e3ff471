import ArgumentParser
import ClearingHouse

/// `chm check`
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify the catalog and the search index; --repair rebuilds the index from the catalog.",
        discussion: "Exit status 0 when all is well, 1 when something is damaged (one line per problem on stderr).")

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var writeOptions: WriteOptions

    @Flag(help: "Rebuild the index from the catalog, then check again.")
    var repair = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let report: CheckReport
        var opened = true
        do {
            let house = try indexOptions.opened(create: false, lockWait: writeOptions.lockWait())
            report = try Console.run { try house.check(repair: repair) }
        } catch let error as ClearingHouseError where error.code == .damaged || error.code == .storage {
            // A catalog that cannot be opened is what a check reports, in its own form.
            report = CheckReport(unopened: error)
            opened = false
        } catch let error as ClearingHouseError {
            _ = try Console.run { () throws -> Int in throw error }
            return
        }
        if json {
            try Console.printJSON(report)
        } else {
            if let repaired = report.repaired {
                print("repaired: rebuilt the index from the catalog; it had \(Console.counted(repaired.count, "finding")):")
                for finding in repaired { print("  \(finding)") }
            }
            if opened {
                print("catalog: \(report.records) records, change #\(report.catalogChange)")
                print("index: \(report.documents) documents, at change #\(report.indexChange)")
            }
            for note in report.notes { print("note: \(note)") }
            print(report.isHealthy ? "ok" : "damaged: \(Console.counted(report.problems.count, "problem"))")
        }
        for problem in report.problems { Console.error("chm: error: \(problem)") }
        if !report.isHealthy { throw ExitCode.failure }
    }
}
