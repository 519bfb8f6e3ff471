// The .json and .jsonl readers: file shapes, byte order marks, broken files and lines.
import Foundation
import Records
import Testing

@testable import ClearingHouse

@Suite struct JSONRecordReaderTests {
    @Test func readsOneRecordObject() throws {
        try withTemporaryDirectory { directory in
            let outcome = try readRecords(
                recordJSON("only", title: "Only"),
                named: "one.json",
                as: .json,
                in: directory
            )
            #expect(outcome.failure == nil)
            #expect(outcome.records.map(\.id) == ["only"])
            #expect(outcome.records.first?.title.values == ["en": "Only"])
        }
    }

    /// Maintainer QA: `{"Records": [...]}` and `{"data": [...]}` were read as one record, three
    /// "missing required field" errors; a record's own arrays of objects stay a record's.
    @Test func aBatchUnderAnotherNameSaysToRenameIt() throws {
        try withTemporaryDirectory { directory in
            for key in ["Records", "data"] {
                let outcome = try readRecords(#"{"\#(key)": [\#(recordJSON("a"))]}"#, named: "batch.json", as: .json, in: directory)
                let errors = outcome.invalid.flatMap(\.diagnostics)
                #expect(errors.count == 1 && errors.first?.field == key, "\(errors)")
                #expect(errors.first?.message.hasSuffix("rename \"\(key)\" to \"records\"") == true, "\(errors)")
            }
            let noID = try readRecords(
                #"{"kind": "technology", "title": "T", "links": [{"url": "https://example.org"}]}"#, named: "noid.json", as: .json, in: directory)
            #expect(noID.invalid.flatMap(\.diagnostics).map(\.field) == ["id"])
        }
    }

    @Test func readsAnArrayOfRecordsWithTheirLines() throws {
        try withTemporaryDirectory { directory in
            let text = "[\n  \(recordJSON("a")),\n  \(recordJSON("b")),\n\n  \(recordJSON("c"))\n]\n"
            let outcome = try readRecords(text, named: "many.json", as: .json, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.records.map(\.id) == ["a", "b", "c"])
            #expect(outcome.recordLines == [2, 3, 5])
        }
    }

    /// Maintainer QA: files that are no UTF-8 JSON said only "found byte 0x1F"; JSON Lines
    /// saved as .json said nothing of JSON Lines; files joined with `cat` had a byte order
    /// mark in the middle, which refused the record after it.
    @Test func filesThatAreNoUTF8JSONSayWhatTheyAreAndWhatToDo() throws {
        try withTemporaryDirectory { directory in
            let lines = [recordJSON("a"), recordJSON("b")].joined(separator: "\n")
            let asJSON = try readRecords(lines, named: "lines.json", as: .json, in: directory)
            #expect(asJSON.failure?.message.contains("JSON Lines: name it .jsonl") == true)
            #expect(asJSON.failure?.line == 2)
            let gzip: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0x00]
            let utf16: [UInt8] = [0xFF, 0xFE] + Array(recordJSON("a").utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
            for format in [RecordFormat.json, .jsonLines] {
                let zipped = readRecords(try directory.write("z.\(format)", bytes: gzip), as: format)
                #expect(zipped.failure?.message.contains("decompress it first") == true, "\(format)")
                let wide = readRecords(try directory.write("w.\(format)", bytes: utf16), as: format)
                #expect(wide.failure?.message.contains("re-encode it as UTF-8") == true, "\(format)")
            }
            let joined = try readRecords(recordJSON("a") + "\n\u{FEFF}" + recordJSON("b"), named: "cat.jsonl", as: .jsonLines, in: directory)
            #expect(joined.failure == nil)
            #expect(joined.records.map(\.id) == ["a", "b"])
        }
    }

    @Test func readsAnEmptyArray() throws {
        try withTemporaryDirectory { directory in
            let outcome = try readRecords(" [ ] ", named: "none.json", as: .json, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.entries.isEmpty)
        }
    }

    @Test func readsTheRecordsWrapperAndWarnsAboutOtherKeys() throws {
        try withTemporaryDirectory { directory in
            let text = "{\n  \"publisher\": \"example\",\n  \"records\": [\(recordJSON("a")), \(recordJSON("b"))]\n}"
            let outcome = try readRecords(text, named: "wrapped.json", as: .json, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.records.map(\.id) == ["a", "b"])
            let warning = try #require(outcome.messages.first)
            #expect(outcome.messages.count == 1)
            #expect(warning.severity == .warning)
            #expect(warning.line == 2 && warning.column == 3)
            #expect(warning.message.contains("\"publisher\""))
        }
    }

    @Test func aRecordsMemberThatIsNotAnArraySaysSo() throws {
        try withTemporaryDirectory { directory in
            for value in ["5", "null", "{}", "\"a\""] {
                let outcome = try readRecords("{\"records\": \(value)}", named: "batch.json", as: .json, in: directory)
                let invalid = try #require(outcome.invalid.first)
                #expect(outcome.invalid.count == 1 && outcome.records.isEmpty)
                #expect(invalid.diagnostics.first?.field == "records", "\(value): \(invalid.diagnostics)")
                #expect(invalid.diagnostics.first?.message.contains("not an array") == true)
            }
            // A record may still have a member of that name beside its id.
            let record = try readRecords(recordJSON("a", "\"records\": 5"), named: "one.json", as: .json, in: directory)
            #expect(record.records.map(\.id) == ["a"])
        }
    }

    @Test func skipsAUTF8ByteOrderMark() throws {
        try withTemporaryDirectory { directory in
            let path = try directory.write("bom.json", bytes: [0xEF, 0xBB, 0xBF] + Array("[\(recordJSON("a"))]".utf8))
            let outcome = readRecords(path, as: .json)
            #expect(outcome.failure == nil)
            #expect(outcome.records.map(\.id) == ["a"])

            let lines = try directory.write(
                "bom.jsonl",
                bytes: [0xEF, 0xBB, 0xBF] + Array("\(recordJSON("b"))\n".utf8)
            )
            #expect(readRecords(lines, as: .jsonLines).records.map(\.id) == ["b"])
        }
    }

    @Test(arguments: ["", "   \n\t\n"])
    func emptyFileIsAnError(text: String) throws {
        try withTemporaryDirectory { directory in
            let outcome = try readRecords(text, named: "empty.json", as: .json, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.severity == .error)
            #expect(failure.file == "empty.json")
            #expect(failure.message.contains("file is empty"))
            #expect(outcome.entries.isEmpty)
        }
    }

    @Test func truncatedJSONIsAnErrorNamingTheLine() throws {
        try withTemporaryDirectory { directory in
            let text = "[\n\(recordJSON("a")),\n{\"id\": \"b\",\n \"kind\": \"tech"
            let outcome = try readRecords(text, named: "cut.json", as: .json, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.line == 4)
            #expect(failure.message.contains("unterminated string"))
            // The first record was read before the file broke; ingest rolls it back.
            #expect(outcome.records.map(\.id) == ["a"])
        }
    }

    @Test func truncatedJSONFailsValidationThroughThePublicAPI() throws {
        try withTemporaryDirectory { directory in
            let path = try directory.write("cut.json", "[\n\(recordJSON("a")),\n")
            var seen: [Diagnostic] = []
            let report = try ClearingHouse.validate([path]) { seen.append($0) }
            #expect(!report.succeeded)
            #expect(report.errors == 1)
            let error = try #require(seen.first { $0.severity == .error })
            #expect(error.line == 3)
            #expect(error.description.hasPrefix("\(path):3:"))
            #expect(error.message.contains("unexpected end of input"))
        }
    }

    @Test func rejectsATopLevelValueThatIsNotARecordContainer() throws {
        try withTemporaryDirectory { directory in
            let outcome = try readRecords("\n  \"just a string\"", named: "s.json", as: .json, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.line == 2 && failure.column == 3)
            #expect(failure.message.contains("expected a record object or an array of records"))
        }
    }

    @Test func rejectsContentAfterTheTopLevelValue() throws {
        try withTemporaryDirectory { directory in
            let outcome = try readRecords("[\(recordJSON("a"))]\n]", named: "extra.json", as: .json, in: directory)
            let failure = try #require(outcome.failure)
            #expect(failure.line == 2 && failure.column == 1)
        }
    }

    @Test func invalidRecordInAnArrayDoesNotStopTheOthers() throws {
        try withTemporaryDirectory { directory in
            let text = "[\n\(recordJSON("a")),\n{\"id\": \"b\", \"kind\": \"technology\"},\n\(recordJSON("c"))\n]"
            let outcome = try readRecords(text, named: "mixed.json", as: .json, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.records.map(\.id) == ["a", "c"])
            let invalid = try #require(outcome.invalid.first)
            #expect(outcome.invalid.count == 1)
            #expect(invalid.line == 3)
            #expect(
                invalid.diagnostics.map(\.description) == [
                    "mixed.json:3:1: error: record b: field title: missing required field"
                ]
            )
        }
    }

    // MARK: JSON Lines

    @Test func truncatedLineIsReportedWithItsOwnLineNumberAndTheOthersAreRead() throws {
        try withTemporaryDirectory { directory in
            let text = [
                recordJSON("a"),
                "{\"id\": \"b\", \"kind\": \"technology\", \"title\": \"B\"",
                recordJSON("c"),
                "{\"id\": \"d\", \"kind\": \"technology\", \"title\": \"D",
                recordJSON("e"),
            ].joined(separator: "\n")
            let outcome = try readRecords(text, named: "lines.jsonl", as: .jsonLines, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.records.map(\.id) == ["a", "c", "e"])
            #expect(outcome.recordLines == [1, 3, 5])
            #expect(outcome.invalid.map(\.line) == [2, 4])
            let first = try #require(outcome.invalid.first?.diagnostics.first)
            #expect(first.line == 2)
            #expect(first.file == "lines.jsonl")
            #expect(first.message.contains("unexpected end of input"))
            let second = try #require(outcome.invalid.last?.diagnostics.first)
            #expect(second.line == 4 && second.column == 44)
            #expect(second.message.contains("unterminated string"))
            // The id read before the error names the record (QA: a duplicate key named none).
            #expect(first.recordID == "b" && second.recordID == "d")
        }
    }

    func probeID(_ line: String) -> String? { UnparsedRecord.id(in: Array(line.utf8)) }

    @Test func aLineThatDoesNotParseNamesTheIdItGaveFirst() throws {
        #expect(probeID(#"{"id":"qa-j12","kind":"technology","title":"dup","title":"dup2"}"#) == "qa-j12")
        #expect(probeID(#"{"kind": "technology", "id" : "late", "title": {"en": "x"#) == "late")
        // Only the top level's `id`, only a plain string.
        #expect(probeID(#"{"source": {"id": "inner"}, "title": "x"#) == nil)
        #expect(probeID(#"{"id": "a\"b", "title": "#) == nil)
        #expect(probeID(#"{"id": 12, "title": "#) == nil)
        #expect(probeID(#"{"title": "id", "x": "#) == nil)
        #expect(probeID(#"[{"id": "in-array""#) == nil)
    }

    @Test func skipsBlankLines() throws {
        try withTemporaryDirectory { directory in
            let text = "\n\(recordJSON("a"))\n   \n\t\n\(recordJSON("b"))\n\n"
            let outcome = try readRecords(text, named: "blank.jsonl", as: .jsonLines, in: directory)
            #expect(outcome.failure == nil)
            #expect(outcome.invalid.isEmpty)
            #expect(outcome.records.map(\.id) == ["a", "b"])
            #expect(outcome.recordLines == [2, 5])
        }
    }

    @Test func acceptsCRLFLineEndings() throws {
        try withTemporaryDirectory { directory in
            let text = "\(recordJSON("a", title: "A"))\r\n\r\n\(recordJSON("b", title: "B"))\r\n{\"id\": \"c\",\r\n"
            let outcome = try readRecords(text, named: "crlf.jsonl", as: .jsonLines, in: directory)
            #expect(outcome.records.map(\.id) == ["a", "b"])
            #expect(outcome.records.last?.title.values == ["en": "B"])
            #expect(outcome.recordLines == [1, 3])
            #expect(outcome.invalid.map(\.line) == [4])
        }
    }

    @Test func twoRecordsOnOneLineAreAnError() throws {
        try withTemporaryDirectory { directory in
            let text = "\(recordJSON("a")) \(recordJSON("b"))\n\(recordJSON("c"))\n"
            let outcome = try readRecords(text, named: "two.jsonl", as: .jsonLines, in: directory)
            #expect(outcome.records.map(\.id) == ["c"])
            let diagnostic = try #require(outcome.invalid.first?.diagnostics.first)
            #expect(diagnostic.line == 1)
            #expect(diagnostic.message.contains("one record per line"))
        }
    }

    @Test func lastLineWithoutNewlineIsRead() throws {
        try withTemporaryDirectory { directory in
            let outcome = try readRecords(
                "\(recordJSON("a"))\n\(recordJSON("b"))",
                named: "end.jsonl",
                as: .jsonLines,
                in: directory
            )
            #expect(outcome.records.map(\.id) == ["a", "b"])
        }
    }

    @Test func missingFileIsAReadError() throws {
        try withTemporaryDirectory { directory in
            let outcome = readRecords(directory.path("absent.json"), as: .json, displayPath: "absent.json")
            let failure = try #require(outcome.failure)
            #expect(failure.description == "absent.json: error: cannot read file: no such file or directory")
        }
    }
}
