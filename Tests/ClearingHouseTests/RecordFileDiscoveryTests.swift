// Finding record files under the paths a user names.
import Foundation
import Testing

@testable import ClearingHouse

@Suite struct RecordFileDiscoveryTests {
    @Test func findsRecordFilesRecursivelyAndSkipsOthers() throws {
        try withTemporaryDirectory { directory in
            let root = directory.path("corpus")
            for name in [
                "corpus/b.json", "corpus/a.jsonl", "corpus/sub/c.xml", "corpus/sub/deeper/d.ndjson",
                "corpus/.hidden.json", "corpus/.git/e.json", "corpus/notes.txt", "corpus/record.schema.json",
                "corpus/sub/oai.OAI",
            ] {
                try directory.write(name, "[]")
            }
            let (files, problems) = RecordFile.discover([root])
            #expect(problems.isEmpty)
            #expect(
                files.map(\.displayPath) == [
                    "\(root)/a.jsonl", "\(root)/b.json", "\(root)/sub/c.xml", "\(root)/sub/deeper/d.ndjson",
                    "\(root)/sub/oai.OAI",
                ]
            )
            #expect(files.map(\.format) == [.jsonLines, .json, .xml, .jsonLines, .xml])
        }
    }

    /// A named directory with no record file gets a warning (it was "0 files" and nothing
    /// else: CLI QA); one that holds a thesaurus only does not.
    @Test func aNamedDirectoryWithNothingToReadIsAWarning() throws {
        try withTemporaryDirectory { directory in
            try directory.write("empty/notes.txt", "x")
            try directory.write("thesaurus/t.rdf", "<x/>")
            let empty = RecordFile.discover([directory.path("empty")])
            #expect(empty.files.isEmpty)
            #expect(empty.problems.map(\.severity) == [.warning])
            #expect(empty.problems.first?.message.contains("no record files") == true)
            #expect(RecordFile.discover([directory.path("thesaurus")], ignoring: ["rdf"]).problems.isEmpty)
            // A thesaurus further down, or record files found through another path, are
            // something to read too (review).
            try directory.write("corpus/thesaurus/gemet.rdf", "<x/>")
            #expect(RecordFile.discover([directory.path("corpus")], ignoring: ["rdf"]).problems.isEmpty)
            try directory.write("twice/new/a.json", "[]")
            let twice = RecordFile.discover([directory.path("twice"), directory.path("twice/new")])
            #expect(twice.files.count == 1 && twice.problems.isEmpty, "\(twice.problems)")
            // The other order: no loop warning, no empty-directory warning (review).
            let reversed = RecordFile.discover([directory.path("twice/new"), directory.path("twice")])
            #expect(reversed.files.count == 1 && reversed.problems.isEmpty, "\(reversed.problems)")
        }
    }

    @Test func aMissingPathIsAnErrorDiagnostic() throws {
        try withTemporaryDirectory { directory in
            let missing = directory.path("no-such-dir")
            let (files, problems) = RecordFile.discover([missing])
            #expect(files.isEmpty)
            #expect(problems.map(\.description) == ["\(missing): error: no such file or directory"])

            let report = try ClearingHouse.validate([missing, try directory.write("ok.json", recordJSON("a"))])
            #expect(report.unreadable == 1)
            #expect(report.errors == 1)
            #expect(report.files.count == 1)
            #expect(!report.succeeded)
        }
    }

    @Test func aNamedFileIsReadWhateverItsName() throws {
        try withTemporaryDirectory { directory in
            let hidden = try directory.write(".records.json", recordJSON("a"))
            let sniffed = try directory.write("export.txt", "\n  \(recordJSON("b"))")
            let xml = try directory.write("harvest", "<records xmlns=\"urn:chm:records:1\"/>")
            let (files, problems) = RecordFile.discover([hidden, sniffed, xml])
            #expect(problems.isEmpty)
            #expect(files.map(\.format) == [.json, .json, .xml])
        }
    }

    @Test func aNamedFileOfUnknownTypeIsAnError() throws {
        try withTemporaryDirectory { directory in
            let path = try directory.write("notes.txt", "hello")
            let (files, problems) = RecordFile.discover([path])
            #expect(files.isEmpty)
            #expect(problems.first?.severity == .error)
            #expect(problems.first?.message.contains(".json, .jsonl, .ndjson or .xml") == true)
        }
    }

    @Test func contentThatContradictsTheExtensionIsAnError() throws {
        try withTemporaryDirectory { directory in
            let path = try directory.write("really.json", "<records xmlns=\"urn:chm:records:1\"/>")
            var seen: [Diagnostic] = []
            let report = try ClearingHouse.validate([path]) { seen.append($0) }
            #expect(report.errors == 1)
            #expect(seen.first?.message.contains("holds XML") == true)
        }
    }

    /// Maintainer QA: a PNG renamed `.jsonl` gave 245 errors, 200 KB of random bytes 1,535
    /// (one for each "line"): binary data is one error for the file.
    @Test func binaryDataNamedJSONIsOneError() throws {
        try withTemporaryDirectory { directory in
            var generator = SystemRandomNumberGenerator()
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
            for name in ["image.jsonl", "image.json"] {
                let path = try directory.write(name, bytes: png)
                var seen: [Diagnostic] = []
                let report = try ClearingHouse.validate([path]) { seen.append($0) }
                #expect(report.errors == 1 && seen.count == 1, "\(name): \(seen.count) diagnostics")
                #expect(seen.first?.message.contains("holds binary data, not JSON text") == true, "\(seen)")
            }
            // A gzip file and UTF-16 text keep the parser's advice, which says how to convert
            // them (review: they were called binary data).
            for (name, bytes, advice) in [
                ("packed.jsonl", [0x1F, 0x8B, 0x08, 0x00, 0x00] + [UInt8](repeating: 0, count: 64), "gunzip"),
                ("wide.json", [0xFF, 0xFE] + Array("[{\"id\": \"a\"}]".utf8).flatMap { [$0, 0] }, "iconv -f UTF-16"),
            ] as [(String, [UInt8], String)] {
                let path = try directory.write(name, bytes: bytes)
                var seen: [Diagnostic] = []
                _ = try ClearingHouse.validate([path]) { seen.append($0) }
                #expect(seen.count == 1 && seen.first?.message.contains(advice) == true, "\(name): \(seen)")
            }
            // Text that is not JSON is still read line by line, each error where it is.
            let text = try directory.write("notes.jsonl", "hello\nworld\n")
            var seen: [Diagnostic] = []
            _ = try ClearingHouse.validate([text]) { seen.append($0) }
            #expect(seen.map(\.line) == [1, 2])
        }
        #expect(RecordFile.looksBinary(Array("caf\u{E9} 日本".utf8)) == false)
        #expect(RecordFile.looksBinary(Array("caf\u{E9} 日本".utf8).dropLast(2).map { $0 }) == false)
        #expect(RecordFile.looksBinary([0x63, 0xE9, 0x20, 0x20, 0x20, 0x20]))
    }

    /// An id given twice in one file is a warning from `validate` as from `ingest` (QA: only
    /// the ingest said so).
    @Test func anIDGivenTwiceInAFileIsAWarningEverywhere() throws {
        try withTemporaryDirectory { directory in
            let path = try directory.write("twice.jsonl", recordJSON("a") + "\n" + recordJSON("b") + "\n" + recordJSON("a", title: "Again") + "\n")
            var checked: [Diagnostic] = []
            _ = try ClearingHouse.validate([path]) { checked.append($0) }
            let house = try ClearingHouse(directory: directory.url.appendingPathComponent("index"))
            var stored: [Diagnostic] = []
            try house.ingest([path], diagnostics: { stored.append($0) })
            for warnings in [checked, stored] {
                #expect(warnings.count == 1, "\(warnings)")
                #expect(warnings.first?.line == 3 && warnings.first?.recordID == "a")
                #expect(warnings.first?.message.hasPrefix("a is given again in this file (first at line 1)") == true, "\(warnings)")
            }
        }
    }

    @Test func theSameFileNamedTwiceIsReadOnce() throws {
        try withTemporaryDirectory { directory in
            let path = try directory.write("in/a.json", recordJSON("a"))
            let (files, _) = RecordFile.discover([path, directory.path("in"), path])
            #expect(files.count == 1)
        }
    }

    @Test(.timeLimit(.minutes(3))) func aSymbolicLinkLoopDoesNotHang() throws {
        try withTemporaryDirectory { directory in
            let root = directory.path("tree")
            try directory.write("tree/a.json", recordJSON("a"))
            try directory.write("tree/sub/b.json", recordJSON("b"))
            let manager = FileManager.default
            // sub/up -> .. (the tree itself), sub/self -> . , and a link to itself.
            try manager.createSymbolicLink(atPath: directory.path("tree/sub/up"), withDestinationPath: "..")
            try manager.createSymbolicLink(atPath: directory.path("tree/sub/self"), withDestinationPath: ".")
            try manager.createSymbolicLink(atPath: directory.path("tree/loop.json"), withDestinationPath: "loop.json")

            let (files, problems) = RecordFile.discover([root])
            #expect(files.map(\.displayPath) == ["\(root)/a.json", "\(root)/sub/b.json"])
            #expect(problems.allSatisfy { $0.severity == .warning })

            let house = try directory.house()
            let report = try house.ingest([root])
            #expect(report.added == 2)
            #expect(report.errors == 0)
        }
    }

    @Test func aSymbolicLinkToAFileOutsideIsFollowedOnce() throws {
        try withTemporaryDirectory { directory in
            let target = try directory.write("elsewhere/x.json", recordJSON("x"))
            try directory.write("tree/a.json", recordJSON("a"))
            try FileManager.default.createSymbolicLink(
                atPath: directory.path("tree/link.json"),
                withDestinationPath: target
            )
            try FileManager.default.createSymbolicLink(
                atPath: directory.path("tree/same.json"),
                withDestinationPath: target
            )
            let (files, problems) = RecordFile.discover([directory.path("tree")])
            #expect(problems.isEmpty)
            #expect(files.map { ($0.displayPath as NSString).lastPathComponent } == ["a.json", "link.json"])
        }
    }
}
