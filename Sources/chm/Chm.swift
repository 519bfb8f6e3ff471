import ArgumentParser
import ClearingHouse
import Foundation

/// `chm`: the clearing-house command line.
@main
struct Chm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chm",
        abstract: "Ingest, validate and search biodiversity clearing-house records.",
        discussion: """
            Exit status: 0 success, 1 failure (e.g. unknown record id, unreadable catalog), \
            64 usage error, 65 invalid input (records that could not be stored).
            The index directory is --index DIR, else $CHM_INDEX, else Indexes/default.
            """,
        version: "0.1.0",
        subcommands: [
            IngestCommand.self, SearchCommand.self, RunCommand.self, MatchCommand.self, SimilarCommand.self, ValidateCommand.self, ShowCommand.self, StatsCommand.self,
            DeleteCommand.self, ExportCommand.self, ReindexCommand.self, OptimizeCommand.self, CheckCommand.self, AnalyzeCommand.self,
            EvalCommand.self, ThesaurusCommand.self, SuggestCommand.self, ServeCommand.self, HarvestCommand.self, DuplicatesCommand.self, MergeCommand.self,
        ]
    )
}
