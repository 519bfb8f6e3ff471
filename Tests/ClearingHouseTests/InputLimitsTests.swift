// The size limits of RecordLimits, proved fast: the tests lower the limits (an internal
// initializer) instead of writing gigabyte files, and check that the readers stop as soon as
// a limit is crossed, say so with a positioned diagnostic, and go on where they can.
// (scripts/big-input.sh checks the real limits on multi-gigabyte files; docs/guarantees.md.)
import Foundation
import Testing

@testable import ClearingHouse
@testable import Records

@Suite struct InputLimitsTests {
    /// Validates `paths` with `limits`.
    private static func validate(_ paths: [String], limits: RecordLimits) throws -> IngestReport {
        var options = IngestOptions()
        options.limits = limits
        return try ClearingHouse.validate(paths, options: options)
    }

    /// The errors of a read: the diagnostic thrown, and those of invalid records.
    private static func errors(_ outcome: ReadOutcome) -> [Diagnostic] {
        outcome.invalid.flatMap(\.diagnostics).filter { $0.severity == .error } + (outcome.failure.map { [$0] } ?? [])
    }

    // MARK: Messages

    @Test func limitsAreDescribedInBytesWithThousandsSeparators() {
        #expect(RecordLimits.describe(67_108_864) == "67,108,864 bytes (64 MiB)")
        #expect(RecordLimits.describe(10_000_000) == "10,000,000 bytes")
        #expect(RecordLimits.describe(999) == "999 bytes")
        #expect(RecordLimits.describe(1) == "1 byte")
        #expect(RecordLimits.default.maximumRecordBytes == 64 << 20)
        #expect(RecordLimits.default.maximumTextBytes == 10_000_000)
        #expect(RecordLimits.default.maximumValuesPerRecord == 1_000_000)
        // The text limit is libxml2's, so it cannot be raised for JSON alone.
        #expect(RecordLimits(maximumTextBytes: 20_000_000).maximumTextBytes == 10_000_000)
    }

    // MARK: Lines

    @Test func readLineStopsAtTheLimitAndSkipsTheRestUnread() throws {
        try withTemporaryDirectory { directory in
            let long = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
            let path = try directory.write(
                "lines.jsonl", bytes: Array("short\n".utf8) + long + Array("\nafter\r\nlast".utf8))
            let source = try ByteSource(path: path)
            guard case .complete(let first) = source.readLine(maximumLength: 100) else {
                Issue.record("expected the first line")
                return
            }
            #expect(first == Array("short".utf8))
            guard case .tooLong(let prefix) = source.readLine(maximumLength: 100) else {
                Issue.record("expected the long line to be refused")
                return
            }
            // Stopped at the limit: 100 bytes kept, nothing more consumed.
            #expect(prefix.count == 100)
            #expect(source.consumed == 6 + 100)
            source.skipRestOfLine()
            #expect(source.consumed == 6 + long.count + 1)
            guard case .complete(let after) = source.readLine(maximumLength: 100),
                case .complete(let last) = source.readLine(maximumLength: 100)
            else {
                Issue.record("expected the lines after the long one")
                return
            }
            #expect(after == Array("after".utf8))
            #expect(last == Array("last".utf8))
            #expect(source.readLine(maximumLength: 100) == nil)
        }
    }

    @Test func aLineOfExactlyTheLimitIsRead() {
        let source = ByteSource(bytes: Array("12345\n123456\n".utf8))
        guard case .complete(let exact) = source.readLine(maximumLength: 5) else {
            Issue.record("a line of exactly the limit must be read")
            return
        }
        #expect(exact == Array("12345".utf8))
        guard case .tooLong(let prefix) = source.readLine(maximumLength: 5) else {
            Issue.record("a line one byte over the limit must be refused")
            return
        }
        #expect(prefix == Array("12345".utf8))
    }

    @Test func linesEndAtLineFeedCarriageReturnLineFeedAndALoneCarriageReturn() throws {
        let source = ByteSource(bytes: Array("a\nb\r\nc\rd\r\re".utf8))
        var lines: [String] = []
        while let line = source.readLine() { lines.append(String(decoding: line, as: UTF8.self)) }
        #expect(lines == ["a", "b", "c", "d", "", "e"])

        // A \r\n split across two reads of the file is still one line ending.
        try withTemporaryDirectory { directory in
            let first = [UInt8](repeating: UInt8(ascii: "x"), count: (1 << 16) - 1)
            let path = try directory.write("split.jsonl", bytes: first + Array("\r\ny".utf8))
            let file = try ByteSource(path: path)
            #expect(file.readLine() == first)
            #expect(file.readLine() == Array("y".utf8))
            #expect(file.readLine() == nil)
        }
    }

    @Test func anOverlongJSONLinesLineIsRefusedAtOnceAndTheNextLineIsRead() throws {
        try withTemporaryDirectory { directory in
            let limits = RecordLimits(maximumRecordBytes: 200)
            let first = #"{"id": "ok-1", "kind": "resource", "title": "T"}"#
            let long = #"{"id": "too-long", "kind": "resource", "title": "T", "description": ""#
                + String(repeating: "mangrove ", count: 10_000) + #""}"#
            let third = #"{"id": "ok-3", "kind": "resource", "title": "T"}"#
            let path = try directory.write("long.jsonl", [first, long, third].joined(separator: "\n") + "\n")

            // The reader reports the long line having read no more than the limit of it.
            var options = IngestOptions()
            options.limits = limits
            let reader = RecordFile(path: path, displayPath: "long.jsonl", format: .jsonLines).makeReader(options: options)
            var readWhenRefused: Int?
            var entries: [RecordEntry] = []
            try reader.read { entry in
                if case .invalid = entry { readWhenRefused = reader.bytesRead }
                entries.append(entry)
            }
            #expect(readWhenRefused == first.utf8.count + 1 + 200)
            #expect(entries.count == 3)
            guard case .invalid(let recordID, let line, let diagnostics) = entries[1] else {
                Issue.record("expected the long line to be invalid: \(entries)")
                return
            }
            #expect(recordID == "too-long")
            #expect(line == 2)
            let error = try #require(diagnostics.first)
            #expect(error.description.hasPrefix("long.jsonl:2:1: error: record too-long: line is longer than 200 bytes"))
            #expect(error.message.contains("reading goes on at the next line"))

            // Through ingest with --skip-invalid, the records on both sides are stored.
            let house = try directory.house()
            var ingestOptions = IngestOptions(skipInvalid: true)
            ingestOptions.limits = limits
            let report = try house.ingest([path], options: ingestOptions)
            #expect(report.added == 2)
            #expect(report.rejected == 1)
            #expect(try house.record(id: "ok-3") != nil)
        }
    }

    @Test func theIDOfAnOverlongLineIsFoundWhenItComesFirst() {
        let limits = RecordLimits.default
        #expect(JSONParser.leadingRecordID(in: Array(#"{"id": "x-1", "descr"#.utf8), limits: limits) == "x-1")
        #expect(JSONParser.leadingRecordID(in: Array(#"{"kind": "resource", "id": "y", "t"#.utf8), limits: limits) == "y")
        #expect(JSONParser.leadingRecordID(in: Array(#"{"description": "aaaa"#.utf8), limits: limits) == nil)
        #expect(JSONParser.leadingRecordID(in: Array(#"{"id": "not an id", "#.utf8), limits: limits) == nil)
        #expect(JSONParser.leadingRecordID(in: Array("[1, 2".utf8), limits: limits) == nil)
    }

    // MARK: Records of a JSON file

    @Test func aJSONRecordPastTheRecordLimitStopsTheFileAsSoonAsTheLimitIsCrossed() throws {
        try withTemporaryDirectory { directory in
            let first = #"{"id": "ok-1", "kind": "resource", "title": "T"}"#
            let big = #"{"id": "big", "kind": "resource", "title": "T", "description": ""#
                + String(repeating: "mangrove ", count: 100_000) + #""}"#
            let text = "[\n" + first + ",\n  " + big + "\n]\n"
            let path = try directory.write("big.json", text)
            let bigStart = 2 + first.utf8.count + 4  // "[\n", the first record, ",\n  "

            var options = IngestOptions()
            options.limits = RecordLimits(maximumRecordBytes: 1000)
            let reader = RecordFile(path: path, displayPath: "big.json", format: .json).makeReader(options: options)
            var valid = 0
            do {
                try reader.read { entry in
                    if case .record = entry { valid += 1 }
                }
                Issue.record("the big record must stop the file")
            } catch let error as Diagnostic {
                #expect(error.line == 3)
                #expect(error.column == 3)  // where the record starts
                #expect(error.message.hasPrefix("the record that starts here is longer than 1,000 bytes"), "\(error)")
                #expect(error.message.contains("the rest of the file is not read"))
            }
            #expect(valid == 1)
            // Stopped one byte past the limit, not at the end of the record.
            #expect(reader.bytesRead == bigStart + 1001)
        }
    }

    @Test func anXMLRecordPastTheRecordLimitStopsTheFileWithoutBeingBuiltWhole() throws {
        try withTemporaryDirectory { directory in
            let keywords = String(repeating: "<keyword>mangrove</keyword>", count: 10_000)  // 270 KB
            let xml = #"<records xmlns="urn:chm:records:1">"# + "\n"
                + #"<record id="ok-1" kind="resource"><title>T</title></record>"# + "\n"
                + #"<record id="big" kind="resource"><title>T</title>"# + keywords + "</record>\n</records>\n"
            let path = try directory.write("big.xml", xml)
            var options = IngestOptions()
            options.limits = RecordLimits(maximumRecordBytes: 10_000)
            let reader = RecordFile(path: path, displayPath: "big.xml", format: .xml).makeReader(options: options)
            var valid = 0
            var readWhenStopped = 0
            do {
                try reader.read { entry in
                    if case .record = entry { valid += 1 }
                }
                Issue.record("the big record must stop the file")
            } catch let error as Diagnostic {
                readWhenStopped = reader.bytesRead
                #expect(error.description.hasPrefix("big.xml:3: error: record big: the record that starts here is longer than 10,000 bytes"), "\(error)")
            }
            #expect(valid == 1)
            // Stopped within a few of libxml2's 4 KB reads past the limit, not at the end.
            #expect(readWhenStopped < 10_000 + 4 * 4096, "\(readWhenStopped)")
            // With the default limits the same file is read whole.
            let whole = readRecords(path, as: .xml)
            #expect(whole.records.map(\.id) == ["ok-1", "big"])

            // Elements count as values: libxml2 would build every one of them in memory. (The
            // count starts where libxml2's 4 KB read-ahead stands when the record begins.)
            let elements = readRecords(path, as: .xml, limits: RecordLimits(maximumValuesPerRecord: 1000))
            #expect(elements.records.map(\.id) == ["ok-1"])
            #expect(elements.failure?.recordID == "big")
            #expect(elements.failure?.message.contains("more than 1,000 values") == true, "\(String(describing: elements.failure))")
        }
    }

    @Test func aJSONRecordOfExactlyTheRecordLimitIsRead() throws {
        try withTemporaryDirectory { directory in
            let record = #"{"id": "exact", "kind": "resource", "title": "T", "summary": "mangrove nurseries"}"#
            let path = try directory.write("exact.json", "[" + record + "]")
            let size = record.utf8.count
            #expect(try Self.validate([path], limits: RecordLimits(maximumRecordBytes: size)).succeeded)
            let refused = try Self.validate([path], limits: RecordLimits(maximumRecordBytes: size - 1))
            #expect(!refused.succeeded)
            #expect(refused.diagnostics.first?.message.contains("longer than \(size - 1) bytes") == true)
            // A single-record file counts the same bytes.
            let single = try directory.write("single.json", record)
            #expect(try Self.validate([single], limits: RecordLimits(maximumRecordBytes: size)).succeeded)
            #expect(try !Self.validate([single], limits: RecordLimits(maximumRecordBytes: size - 1)).succeeded)
        }
    }

    @Test func aRecordWithTooManyValuesIsRefused() throws {
        try withTemporaryDirectory { directory in
            let limits = RecordLimits(maximumValuesPerRecord: 100)
            let keywords = (0..<200).map { "\"k\($0)\"" }.joined(separator: ", ")
            let many = #"{"id": "many", "kind": "resource", "title": "T", "keywords": [\#(keywords)]}"#
            let ok = #"{"id": "ok", "kind": "resource", "title": "T"}"#
            // JSON Lines: that line is invalid, the next one is read.
            let lines = try readRecords(many + "\n" + ok + "\n", named: "many.jsonl", as: .jsonLines, in: directory, limits: limits)
            #expect(lines.records.map(\.id) == ["ok"])
            let lineError = try #require(Self.errors(lines).first)
            #expect(lineError.line == 1)
            #expect(lineError.message.contains("more than 100 values"), "\(lineError)")
            // JSON: the file stops.
            let json = try readRecords("[" + many + ", " + ok + "]", named: "many.json", as: .json, in: directory, limits: limits)
            #expect(json.records.isEmpty)
            #expect(json.failure?.message.contains("more than 100 values") == true)
            // 100,000 keywords are within the default limit (HostileInputTests stores them).
            #expect(RecordLimits.default.maximumValuesPerRecord > 100_000)
        }
    }

    // MARK: Text values

    /// A record in JSON and the same record in native XML, with `summary` as its summary.
    private static func sameRecord(id: String, summary: String) -> (json: String, xml: String) {
        (
            #"{"id": "\#(id)", "kind": "resource", "language": "en", "title": "T",\#n "summary": {"en": "\#(summary)"}}"#,
            #"<records xmlns="urn:chm:records:1"><record id="\#(id)" kind="resource" xml:lang="en"><title>T</title>"#
                + "\n<summary>\(summary)</summary></record></records>\n"
        )
    }

    @Test func aTextValuePastTheTextLimitIsRefusedAlikeInJSONAndXML() throws {
        try withTemporaryDirectory { directory in
            let limits = RecordLimits(maximumTextBytes: 10)
            // At the limit: stored in both formats.
            let exact = Self.sameRecord(id: "exact", summary: "0123456789")
            let exactJSON = try readRecords(exact.json, named: "exact.json", as: .json, in: directory, limits: limits)
            let exactXML = try readRecords(exact.xml, named: "exact.xml", as: .xml, in: directory, limits: limits)
            #expect(exactJSON.records.first?.summary.values == ["en": "0123456789"])
            #expect(exactXML.records.first?.summary.values == ["en": "0123456789"])

            // One byte over: the record is invalid, named with its field, in both formats.
            let over = Self.sameRecord(id: "over", summary: "0123456789A")
            let json = try readRecords(over.json, named: "over.json", as: .json, in: directory, limits: limits)
            let xml = try readRecords(over.xml, named: "over.xml", as: .xml, in: directory, limits: limits)
            let jsonErrors = Self.errors(json)
            let xmlErrors = Self.errors(xml)
            #expect(jsonErrors.count == 1)
            #expect(xmlErrors.count == 1)
            let jsonError = try #require(jsonErrors.first)
            let xmlError = try #require(xmlErrors.first)
            #expect(jsonError.description == #"over.json:2:20: error: record over: field summary.en: "# + limits.textTooLongMessage)
            #expect(xmlError.description == "over.xml:2: error: record over: field summary.en: " + limits.textTooLongMessage)
            #expect(jsonError.message.hasPrefix("text is longer than 10 bytes, the limit for one value in JSON and XML alike"))
        }
    }

    @Test func theTextLimitCountsDecodedBytes() throws {
        let limits = RecordLimits(maximumTextBytes: 10)
        func parse(_ text: String) throws -> JSONNode {
            var parser = JSONParser(source: ByteSource(bytes: Array(text.utf8)), limits: limits)
            return try parser.parseValue()
        }
        // Five \u00e9 escapes are 30 bytes of JSON but 10 bytes of UTF-8: within the limit.
        let five = try parse(#""\u00e9\u00e9\u00e9\u00e9\u00e9""#)
        #expect(five.jsonValue == .string("ééééé"))
        let six = try parse(#""\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9""#)
        guard case .oversizedString = six.value else {
            Issue.record("expected the string to be too long: \(six.value)")
            return
        }
        // Parsing goes on after a string too long to keep.
        let array = try parse(#"["0123456789AB", "ok", 7]"#)
        guard case .array(let items) = array.value, items.count == 3, case .oversizedString = items[0].value else {
            Issue.record("expected three items, the first too long: \(array.value)")
            return
        }
        #expect(items[1].jsonValue == .string("ok"))
        // An object key or a number past the limit is a syntax error.
        #expect(throws: JSONSyntaxError.self) { try parse(#"{"0123456789AB": 1}"#) }
        let number = #expect(throws: JSONSyntaxError.self) { try parse("123456789012") }
        #expect(number?.message.hasPrefix("number is longer than 10 bytes") == true)
    }

    @Test func everyValueTooLongIsNamedByItsFieldAndNothingElseIsReported() throws {
        let limits = RecordLimits(maximumTextBytes: 15)  // keys are values too: "organizations" fits
        let long = "0123456789ABCDEF"
        let json = """
            {"id": "r1", "kind": "resource", "title": {"en": "T", "fr": "\(long)"},
             "keywords": ["ok", "\(long)"], "organizations": [{"name": "\(long)"}],
             "extensions": {"notes": ["\(long)"]}, "colour": "\(long)", "published": 2019}
            """
        var parser = JSONParser(source: ByteSource(bytes: Array(json.utf8)), limits: limits)
        let node = try parser.parseValue()
        let outcome = RecordValidator(file: "r.json", strict: false, limits: limits).validate(node)
        #expect(outcome.record == nil)
        // Only the values too long: the wrong type of `published` waits for a fixed record.
        #expect(outcome.errorFields == ["title.fr", "keywords[1]", "organizations[0].name", "extensions.notes[0]", "colour"])
        #expect(outcome.errors.allSatisfy { $0.recordID == "r1" && $0.message == limits.textTooLongMessage })
        #expect(outcome.errors.first?.line == 1 && outcome.errors.first?.column == 61)
    }

    @Test func xmlTextSplitIntoSeveralNodesIsMeasuredWhole() throws {
        try withTemporaryDirectory { directory in
            let limits = RecordLimits(maximumTextBytes: 10)
            let xml = #"<record xmlns="urn:chm:records:1" id="split" kind="resource"><title>T</title>"#
                + "<summary>012345<!-- a comment -->6789AB</summary></record>"
            let outcome = try readRecords(xml, named: "split.xml", as: .xml, in: directory, limits: limits)
            #expect(outcome.records.isEmpty)
            #expect(Self.errors(outcome).map(\.field) == ["summary"])
        }
    }
}
