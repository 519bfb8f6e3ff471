// Regression tests for the libFuzzer targets in Fuzz/ (`Fuzz/run.sh NAME SECONDS`): the
// seeds the targets start from are replayed here on every test run, through the same calls
// the targets make, so a reader or parser change that crashes on one of them is caught
// without a fuzzing build.
//
// When a fuzzer finds a crash, hang or leak, reduce the input
// (`Fuzz/.build/debug/NAME -minimize_crash=1 -runs=100000 Fuzz/Crashes/NAME/crash-...`) and
// add it to `found` below as base64 (`base64 -w0 FILE`), with the file it crashed and why.
// So far (issue 8: about 10^6 executions of each target) the fuzzers have found nothing.
import Foundation
import SearchCore
import Testing

@testable import ClearingHouse

@Suite struct FuzzRegressionTests {
    /// The repository's Fuzz/ directory.
    private static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The seed files of one target (Fuzz/Seeds/TARGET/).
    private static func seeds(_ target: String) throws -> [URL] {
        let directory = fuzzDirectory.appendingPathComponent("Seeds").appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// What the reader targets do with an input: validate it as a file with `pathExtension`.
    private static func validate(_ bytes: [UInt8], pathExtension: String, in directory: TemporaryDirectory) throws -> IngestReport {
        let path = try directory.write("input.\(pathExtension)", bytes: bytes)
        return try ClearingHouse.validate([path], options: IngestOptions())
    }

    /// What the query-parser target does with an input.
    private static func parseQuery(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        for parser in [QueryParser(), QueryParser(defaultOperator: .and, minimumShouldMatch: 2)] {
            _ = try? parser.parse(text)
        }
    }

    @Test(arguments: [("FuzzJSON", "json"), ("FuzzJSONLines", "jsonl"), ("FuzzXML", "xml")])
    func readerSeedsAreReadWithoutCrashing(target: String, pathExtension: String) throws {
        let files = try Self.seeds(target)
        #expect(!files.isEmpty)
        try withTemporaryDirectory { directory in
            for file in files {
                let report = try Self.validate(Array(try Data(contentsOf: file)), pathExtension: pathExtension, in: directory)
                // One file read, and every problem in it explained (never a silent failure).
                #expect(report.files.count == 1, "\(file.lastPathComponent)")
                #expect(report.succeeded || report.errors > 0, "\(file.lastPathComponent): rejected without an error")
            }
        }
    }

    @Test func querySeedsAreParsedWithoutCrashing() throws {
        let files = try Self.seeds("FuzzQueryParser")
        #expect(!files.isEmpty)
        for file in files {
            Self.parseQuery(Array(try Data(contentsOf: file)))
        }
    }

    // MARK: Inputs the fuzzers found

    /// Crashing, hanging or leaking inputs found by fuzzing, reduced: the target's file
    /// extension (or "query"), the input as base64, and what went wrong. Empty so far.
    static let found: [(pathExtension: String, base64: String, problem: String)] = []

    @Test func inputsTheFuzzersFoundNoLongerFail() throws {
        try withTemporaryDirectory { directory in
            for input in Self.found {
                let bytes = try #require(Data(base64Encoded: input.base64), "\(input.problem)")
                if input.pathExtension == "query" {
                    Self.parseQuery(Array(bytes))
                } else {
                    let report = try Self.validate(Array(bytes), pathExtension: input.pathExtension, in: directory)
                    #expect(report.files.count == 1, "\(input.problem)")
                }
            }
        }
    }
}
