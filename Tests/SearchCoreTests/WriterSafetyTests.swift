import Foundation
import Testing

@testable import SearchCore

/// What a durability QA pass found a writer could lose: a rebuild with other BM25 parameters
/// left no commit while it ran, a merge rewrote damaged sections under fresh checksums, and
/// a writer whose lock file was removed overwrote the commit of the writer that came in.
@Suite("Writer safety")
struct WriterSafetyTests {
    static let schema = Schema(textFields: [Schema.TextField("body", analyzer: WhitespaceAnalyzer())])

    static func document(_ key: String, _ text: String = "wetland mangrove") -> Document {
        Document(key: key, text: ["body": ["\(text) \(key)"]])
    }

    static func count(_ directory: ScratchDirectory) throws -> Int {
        try IndexSearcher.open(directory: directory.url, schema: schema).documentCount
    }

    /// SearchCore QA: with every manifest damaged, a searcher opened an empty index and a
    /// writer's first commit deleted the segments. Both refuse the index as damaged, the
    /// writer without keeping its lock, and the segment stays.
    @Test func anIndexWhoseEveryManifestIsDamagedIsDamagedNotEmpty() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: Self.schema)
        for index in 0..<10 { try writer.add(Self.document("a\(index)")) }
        try writer.commit()
        writer.close()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        for name in names where name.hasPrefix("manifest-") {
            try Data("{\"not\": \"a manifest\"".utf8).write(to: directory.url.appendingPathComponent(name))
        }
        for _ in 0..<2 {
            #expect(throws: IndexError.self) { _ = try IndexSearcher.open(directory: directory.url, schema: Self.schema) }
            let error = #expect(throws: IndexError.self) { _ = try IndexWriter(directory: directory.url, schema: Self.schema) }
            #expect(error?.code == .corrupt)
            #expect(error?.message.contains("can be read") == true, "\(String(describing: error))")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path).contains { $0.hasSuffix(".seg") })
    }

    @Test func aRebuildWithOtherParametersKeepsTheLastCommitUntilItsOwn() throws {
        let directory = ScratchDirectory()
        defer { FaultInjector.reset(directory: directory.url.path) }
        let old = BM25Parameters(k1: 1.5, b: 0.5)
        let first = try IndexWriter(directory: directory.url, schema: Self.schema, bm25: old)
        for index in 0..<30 { try first.add(Self.document("a\(index)")) }
        try first.commit()
        first.close()

        let new = BM25Parameters(k1: 1.1, b: 0.6)
        let rebuild = try IndexWriter(directory: directory.url, schema: Self.schema)
        rebuild.maximumBufferedBytes = 1  // (every document flushed: segments on disk before the commit)
        rebuild.deleteAll(bm25: new)
        for index in 0..<20 { try rebuild.add(Self.document("b\(index)")) }
        // Meanwhile searchers see the last commit, with its parameters.
        var searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
        #expect(searcher.documentCount == 30)
        #expect(searcher.bm25 == old)
        // A commit that fails (a crash at the same point) leaves it so.
        FaultInjector.install(.init(point: "commit.rename", occurrence: 1, effect: .fail(EIO), directory: directory.url.path))
        #expect(throws: IndexError.self) { try rebuild.commit() }
        FaultInjector.reset(directory: directory.url.path)
        searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
        #expect(searcher.documentCount == 30)
        #expect(searcher.bm25 == old)
        #expect(searcher.verifyChecksums().isEmpty)
        // A rollback undoes the parameters with the documents.
        try rebuild.rollback()
        try rebuild.add(Self.document("a-extra"))
        try rebuild.commit()
        searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
        #expect(searcher.documentCount == 31)
        #expect(searcher.bm25 == old)
        // The rebuild's commit replaces documents and parameters together.
        rebuild.deleteAll(bm25: new)
        for index in 0..<20 { try rebuild.add(Self.document("b\(index)")) }
        try rebuild.commit()
        rebuild.close()
        searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
        #expect(searcher.documentCount == 20)
        #expect(searcher.bm25 == new)
        #expect(try searcher.search(.term(field: nil, text: "a0")).hits.isEmpty)
    }

    /// An index of two committed segments of `size` documents, the first one's positions
    /// damaged (a section opening does not verify: phrases read it).
    static func indexWithADamagedSegment(size: Int) throws -> ScratchDirectory {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: Self.schema)
        for batch in 0..<2 {
            for index in 0..<size { try writer.add(Self.document("b\(batch)-\(index)", "wetland mangrove restoration coast")) }
            try writer.commit()
        }
        writer.close()
        let file = try #require(try WordFormTests.segmentFiles(directory).first)
        var bytes = Array(try Data(contentsOf: file))
        let section = try #require(WordFormTests.section(.positions, in: bytes))
        bytes[section.offset + section.length / 2] ^= 0x5A
        try Data(bytes).write(to: file)
        return directory
    }

    @Test func aMergeRefusesADamagedSegment() throws {
        let directory = try Self.indexWithADamagedSegment(size: 50)
        let merger = try IndexWriter(directory: directory.url, schema: Self.schema)
        let error = #expect(throws: IndexError.self) { try merger.forceMerge() }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("checksum mismatch in section positions") == true, "\(error?.message ?? "")")
        merger.close()
        // Nothing was merged: the damage is still there to be found, not hidden under a new
        // checksum.
        let searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
        #expect(searcher.documentCount == 100)
        #expect(searcher.verifyChecksums().contains { $0.contains("checksum mismatch in section positions") })
    }

    /// A tiered merge runs after its commit: a damaged segment among the ones it would merge
    /// is left out, and the commit and the writes after it go on (review: every later write
    /// had failed after committing).
    @Test func aTieredMergeLeavesADamagedSegmentOutAndTheWritesGoOn() throws {
        let directory = try Self.indexWithADamagedSegment(size: 20)
        let next = try IndexWriter(directory: directory.url, schema: Self.schema)
        next.mergeFactor = 3
        for batch in 2..<5 {
            for index in 0..<20 { try next.add(Self.document("b\(batch)-\(index)", "wetland mangrove")) }
            try next.commit()  // (a merge of three sound segments happens along the way)
        }
        #expect(throws: IndexError.self) { try next.forceMerge() }
        next.close()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: Self.schema)
        #expect(searcher.documentCount == 100)
        #expect(searcher.verifyChecksums().contains { $0.contains("checksum mismatch in section positions") })
    }

    @Test func aWriterWhoseLockFileWasRemovedDoesNotCommit() throws {
        let directory = ScratchDirectory()
        let first = try IndexWriter(directory: directory.url, schema: Self.schema)
        for index in 0..<10 { try first.add(Self.document("a\(index)")) }
        try first.commit()
        for index in 10..<20 { try first.add(Self.document("a\(index)")) }
        // Someone removes the lock file, thinking it stale; a second writer gets in and commits.
        try FileManager.default.removeItem(at: directory.url.appendingPathComponent("write.lock"))
        let second = try IndexWriter(directory: directory.url, schema: Self.schema)
        try second.add(Self.document("b0"))
        try second.commit()
        // The first no longer holds the index: its commit would silently drop the second's.
        let error = #expect(throws: IndexError.self) { try first.commit() }
        #expect(error?.message.contains("was removed or replaced while this writer held it") == true, "\(error?.message ?? "")")
        first.close()
        let afterBoth = try Self.count(directory)
        #expect(afterBoth == 11, "\(afterBoth)")
        try second.add(Self.document("b1"))
        try second.commit()
        second.close()
        #expect(try Self.count(directory) == 12)
    }
}
