import ArgumentParser
import ClearingHouse

/// `chm delete ID...`
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete records by id.",
        discussion: """
            Ids that are not in the catalog are reported and make the exit status 1; the others are deleted. \
            An alias's id deletes that copy only; a record with aliases is replaced by its oldest alias.
            """)

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var writeOptions: WriteOptions

    @Argument(help: ArgumentHelp("Record ids.", valueName: "ID"))
    var ids: [String]

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let house = try indexOptions.open(create: false, lockWait: writeOptions.lockWait())
        let report = try Console.run { try house.delete(ids: ids) }
        for id in report.missing { Console.error("chm: error: no record with id \(id.isEmpty ? "\"\" (an id is never empty)" : id)") }
        for (id, heir) in report.promoted.sorted(by: { $0.key < $1.key }) {
            Console.error("chm: \(heir), an alias of \(id), is now the record in its place")
        }
        if json {
            try Console.printJSON(report)
        } else {
            print("\(report.deleted.count) deleted")
        }
        if !report.missing.isEmpty { throw ExitCode.failure }
    }
}
