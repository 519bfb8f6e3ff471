import Foundation
import Testing

@testable import SearchCore

#if canImport(Glibc)
import Glibc
#endif

/// A full disk or an I/O error at each kind of point of a commit (simulated through
/// ``FaultInjector``): the writer reports the error, the index stays at a whole commit, and
/// the next writer commits normally.
@Suite("Disk trouble during commits")
struct DiskFaultTests {
    static let schema = Schema(textFields: [Schema.TextField("body", analyzer: WhitespaceAnalyzer())])

    static func document(_ key: String) -> Document {
        Document(key: key, text: ["body": ["wetland \(key) mangrove restoration \(key.count)"]])
    }

    /// Points and occurrences, with whether the failing commit's documents are visible
    /// afterwards. A commit writes its segment (`flush.*`), then a deletion file, syncs the
    /// directory, writes the manifest to a temporary name, syncs it, renames it and syncs the
    /// directory again (`commit.*`); the merge after it writes a segment (`merge.*`) and
    /// commits the same way. A failure after the rename, or in the merge, leaves the
    /// failing commit itself in place.
    static let points: [(point: String, occurrence: Int, committed: Bool)] = [
        ("flush.create", 1, false), ("flush.write", 1, false), ("flush.write", 3, false), ("flush.sync", 1, false),
        ("commit.create", 1, false), ("commit.write", 1, false), ("commit.sync", 1, false), ("commit.sync", 2, false),
        ("commit.create", 2, false), ("commit.write", 2, false), ("commit.sync", 3, false), ("commit.rename", 1, false),
        ("commit.sync", 4, true), ("merge.create", 1, true), ("merge.write", 1, true), ("merge.write", 4, true),
        ("merge.sync", 1, true), ("commit.rename", 2, true),
    ]

    @Test(arguments: [ENOSPC, EIO])
    func aFailedCommitLeavesTheLastOneIntact(code: Int32) throws {
        for (point, occurrence, committed) in Self.points {
            let directory = ScratchDirectory()
            defer { FaultInjector.reset(directory: directory.url.path) }
            // Two commits of 20 documents (one size tier), then a third that fails at
            // `point`; with a merge factor of 3 that commit is followed by a merge.
            var writer: IndexWriter? = try IndexWriter(directory: directory.url, schema: Self.schema)
            writer?.mergeFactor = 3
            for batch in 0..<2 {
                for index in 0..<20 { try writer?.add(Self.document("b\(batch)-\(index)")) }
                try writer?.commit()
            }
            // Deletions too, so that the commit writes a deletion file.
            writer?.delete(key: "b0-0")
            for index in 0..<20 { try writer?.add(Self.document("b2-\(index)")) }
            FaultInjector.install(.init(point: point, occurrence: occurrence, effect: .fail(code), directory: directory.url.path))
            do {
                try writer?.commit()
                Issue.record("\(point)#\(occurrence): the commit did not fail")
            } catch {
                #expect(error.code == .io)
                #expect(error.message.contains(String(cString: strerror(code))), "\(error.message)")
                if code == ENOSPC { #expect(error.message.contains("free some space")) }
            }
            FaultInjector.reset(directory: directory.url.path)
            writer?.close()
            writer = nil

            // Readers see a whole commit: the last one before the failure, or the failing
            // one itself when only the merge after it failed.
            let searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
            #expect(searcher.documentCount == (committed ? 59 : 40), "\(point)#\(occurrence)")
            #expect(searcher.verifyChecksums().isEmpty)
            let hits = try searcher.search(.term(field: nil, text: "wetland"), options: SearchOptions(limit: 100))
            #expect(hits.hits.count == searcher.documentCount)

            // The next writer works normally and cleans up what the failure left behind.
            let next = try IndexWriter(directory: directory.url, schema: Self.schema)
            for index in 0..<20 { try next.update(Self.document("b2-\(index)")) }
            next.delete(key: "b0-0")
            try next.commit()
            try next.forceMerge()
            next.close()
            let final = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
            #expect(final.documentCount == 59, "\(point)#\(occurrence)")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0.hasSuffix(".tmp") }
            #expect(leftovers.isEmpty, "\(point)#\(occurrence): \(leftovers)")
        }
    }

    /// With a tiny buffer every few documents are flushed on another thread: updates and
    /// deletions find the documents of the buffer being written, counts wait for it, and a
    /// flush that fails there is reported by the next call that can throw, leaving the
    /// last commit intact.
    @Test func flushesOnAnotherThreadKeepEveryChangeAndReportTheirFailures() throws {
        let directory = ScratchDirectory()
        defer { FaultInjector.reset(directory: directory.url.path) }
        let writer = try IndexWriter(directory: directory.url, schema: Self.schema)
        writer.maximumBufferedBytes = 200
        writer.mergeFactor = 1000
        for index in 0..<300 { try writer.add(Self.document("d\(index)")) }
        for index in stride(from: 0, to: 300, by: 3) { writer.delete(key: "d\(index)") }
        for index in stride(from: 1, to: 300, by: 3) { try writer.update(Self.document("d\(index)")) }
        #expect(writer.documentCount == 200)
        #expect(writer.segmentCount > 10)
        try writer.commit()
        var searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
        #expect(searcher.documentCount == 200)
        let hits = try searcher.search(.term(field: nil, text: "wetland"), options: SearchOptions(limit: 300))
        #expect(Set(hits.hits.map(\.key)) == Set((0..<300).filter { $0 % 3 != 0 }.map { "d\($0)" }))

        // The first flush after this fails on its thread; a later add or the commit says so.
        FaultInjector.install(.init(point: "flush.write", occurrence: 1, effect: .fail(ENOSPC), directory: directory.url.path))
        var reported = false
        do {
            for index in 300..<400 { try writer.add(Self.document("d\(index)")) }
            try writer.commit()
        } catch {
            reported = true
            #expect(error.code == .io)
            #expect(error.message.contains("free some space"), "\(error.message)")
        }
        #expect(reported)
        FaultInjector.reset(directory: directory.url.path)
        // The lost buffer's documents must not be committed as if nothing happened.
        #expect(throws: IndexError.self) { try writer.commit() }
        writer.close()
        searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
        #expect(searcher.documentCount == 200)
        #expect(searcher.verifyChecksums().isEmpty)
    }

    @Test func rulesParseFromTheirTextForm() throws {
        let kill = try #require(FaultInjector.Rule(parsing: "kill@merge.write#3"))
        #expect(kill.point == "merge.write" && kill.occurrence == 3 && kill.effect == .kill)
        let full = try #require(FaultInjector.Rule(parsing: "ENOSPC@commit.rename"))
        #expect(full.point == "commit.rename" && full.occurrence == 1 && full.effect == .fail(ENOSPC))
        #expect(FaultInjector.Rule(parsing: "EIO@*#2")?.point == nil)
        #expect(FaultInjector.Rule(parsing: "explode@commit.rename") == nil)
        #expect(FaultInjector.Rule(parsing: "kill@commit.rename#0") == nil)
        #expect(FaultInjector.Rule(parsing: "kill") == nil)
    }
}
