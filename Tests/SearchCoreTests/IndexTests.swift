import Foundation
import Testing

@testable import SearchCore

@Suite("Index: writing, committing, searching")
struct IndexTests {
    let schema = Schema(
        textFields: [Schema.TextField("title", weight: 2), Schema.TextField("body")], keywordFields: ["kind", "country"])

    func document(_ key: String, title: String, body: String = "", kind: String = "technology", countries: [String] = []) -> Document {
        Document(key: key, text: ["title": [title], "body": [body]], keywords: ["kind": [kind], "country": countries])
    }

    func keys(_ results: SearchResults) -> [String] { results.hits.map(\.key) }

    @Test func findsDocumentsByTermAndRanksTitleMatchesHigher() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("a", title: "Seed banks", body: "Storing mangrove seeds for restoration"))
        try writer.add(document("b", title: "Mangrove nurseries", body: "Growing seedlings in community nurseries"))
        try writer.add(document("c", title: "Camera traps", body: "Monitoring wildlife"))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        #expect(searcher.documentCount == 3)
        let results = try searcher.search(.term(field: nil, text: "mangrove"))
        #expect(keys(results) == ["b", "a"])
        #expect(results.hits[0].score > results.hits[1].score)
        #expect(try searcher.search(.term(field: nil, text: "nothing")).hits.isEmpty)
    }

    /// Keyword clauses beside words filter (values of one field are alternatives, fields all
    /// apply); keyword clauses alone keep their operator.
    @Test func keywordClausesBesideWordsFilter() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("tech-ke", title: "Coral nursery", kind: "technology", countries: ["KE"]))
        try writer.add(document("case-ke", title: "Coral gardening", kind: "caseStudy", countries: ["KE"]))
        try writer.add(document("case-mv", title: "Coral bleaching", kind: "caseStudy", countries: ["MV"]))
        try writer.add(document("case-none", title: "Seed banks", kind: "caseStudy", countries: ["KE"]))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        func found(_ text: String) throws -> Set<String> {
            Set(keys(try searcher.search(try QueryParser().parse(text), options: SearchOptions(limit: 10))))
        }
        #expect(try found("kind:caseStudy coral") == ["case-ke", "case-mv"])
        #expect(try found("kind:caseStudy country:KE coral") == ["case-ke"])
        #expect(try found("kind:caseStudy kind:technology country:KE coral") == ["case-ke", "tech-ke"])
        #expect(try found("kind:caseStudy -country:MV coral") == ["case-ke"])
        #expect(try found("kind:technology country:MV") == ["tech-ke", "case-mv"])
        // Groups of keyword clauses, and required ones, filter too.
        #expect(try found("(kind:caseStudy OR kind:technology) country:KE coral") == ["case-ke", "tech-ke"])
        #expect(try found("+kind:caseStudy coral") == ["case-ke", "case-mv"])
        #expect(try found("kind:caseStudy AND country:MV coral") == ["case-mv"])
        // A value no document has as written matches the values that differ only in case.
        #expect(try found("kind:casestudy country:mv coral") == ["case-mv"])
        // Filters forgive case the same way.
        let filtered = try searcher.search(
            try QueryParser().parse("coral"), options: SearchOptions(limit: 10, filter: Filter(["kind": ["casestudy"], "country": ["ke"]])))
        #expect(keys(filtered) == ["case-ke"])
    }

    @Test func phraseQueryRequiresAdjacentTermsInOrder() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("adjacent", title: "community mangrove nursery"))
        try writer.add(document("apart", title: "mangrove community and a nursery"))
        try writer.add(document("reversed", title: "nursery mangrove"))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        #expect(keys(try searcher.search(.phrase(field: nil, text: "mangrove nursery"))) == ["adjacent"])
        #expect(Set(keys(try searcher.search(.term(field: nil, text: "nursery")))) == ["adjacent", "apart", "reversed"])
    }

    @Test func cjkRunWithoutSpacesIsItsBigramsCombinedWithOr() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("apart", title: "湿地的保护", body: "社区参与"))
        try writer.add(document("one", title: "湿地调查"))
        try writer.add(document("other", title: "森林保护区"))
        try writer.add(document("none", title: "红树林苗圃"))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        // 湿地保护 is 湿地 + 地保 + 保护: the record with both words ranks first, each record with
        // one of them follows, and none requires the words to be adjacent.
        let results = try searcher.search(.term(field: nil, text: "湿地保护"))
        #expect(keys(results).first == "apart")
        #expect(Set(keys(results)) == ["apart", "one", "other"])
        // Quotes still make a phrase, which no record has.
        #expect(try searcher.search(.phrase(field: nil, text: "湿地保护")).hits.isEmpty)
        // Beside other words, the bigrams are words of the same disjunction.
        let mixed = try QueryParser().parse("湿地保护 苗圃")
        #expect(Set(keys(try searcher.search(mixed))) == ["apart", "one", "other", "none"])
        let required = try QueryParser().parse("+湿地保护 苗圃")
        #expect(Set(keys(try searcher.search(required))) == ["apart", "one", "other"])
    }

    /// SearchCore QA: keys were compared as Swift strings in the buffer (canonically
    /// equivalent spellings equal) but byte for byte on disk, so `Å` (U+00C5) replaced `Å`
    /// (U+212B) before a commit and not after. Keys are bytes everywhere.
    @Test func keysAreComparedByteForByteInTheBufferAsOnDisk() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("\u{C5}", title: "first"))
        try writer.add(document("\u{212B}", title: "second"))
        try writer.add(document("caf\u{E9}", title: "third"))
        try writer.commit()
        try writer.update(document("cafe\u{301}", title: "fourth"))
        try writer.commit()
        writer.delete(key: "caf\u{E9}")
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        #expect(searcher.documentCount == 3)
        #expect(Set(keys(try searcher.search(.matchAll)).map { Array($0.utf8) })
            == Set(["\u{C5}", "\u{212B}", "cafe\u{301}"].map { Array($0.utf8) }))
    }

    /// SearchCore QA: a chain of ORs built in code (`q = (q OR tag)` ten thousand times)
    /// overflowed the stack in the planner. Deeper than ``Query/maximumDepth`` is refused;
    /// as deep, or as wide as a flat query of thousands of clauses, is searched.
    @Test func queriesNestedTooDeepAreRefusedNotACrash() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("a", title: "tag7 coral"))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        func chain(_ links: Int) -> Query {
            var query = Query.term(field: nil, text: "coral")
            for index in 0..<links { query = .boolean([.init(.should, query), .init(.should, .term(field: nil, text: "tag\(index)"))], minimumShouldMatch: 0) }
            return query
        }
        #expect(chain(Query.maximumDepth - 1).depth == Query.maximumDepth)
        #expect(keys(try searcher.search(chain(Query.maximumDepth - 1))) == ["a"])
        let error = #expect(throws: IndexError.self) { try searcher.search(chain(1000)) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("nested 1001 deep") == true)
        let wide = Query.boolean((0..<5000).map { .init(.should, .term(field: nil, text: "tag\($0)")) }, minimumShouldMatch: 0)
        #expect(keys(try searcher.search(wide)) == ["a"])
    }

    /// SearchCore QA: a custom analyzer whose positions were huge trapped on an overflow when
    /// a field had two values; empty terms and positions that go back were taken as given.
    @Test func anotherAnalyzersPositionsAndEmptyTermsAreMadeSafe() throws {
        struct Unruly: Analyzer {
            var name: String { "unruly" }
            // (A query's word is itself; a document's text, `doc:WORD`, gives the unruly tokens.)
            func tokens(_ text: String) -> [Token] {
                guard text.hasPrefix("doc:") else { return [Token(term: text, position: 0, start: 0, end: text.count)] }
                return [
                    Token(term: "far", position: Int.max / 2, start: 0, end: 1), Token(term: "", position: 1, start: 0, end: 1),
                    Token(term: "back", position: -5, start: 0, end: 1), Token(term: String(text.dropFirst(4)), position: 3, start: 0, end: 1),
                ]
            }
        }
        let custom = Schema(textFields: [Schema.TextField("body", analyzer: Unruly())])
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: custom)
        try writer.add(Document(key: "a", text: ["body": ["doc:one", "doc:two"]]))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: custom)
        for word in ["far", "back", "one", "two"] {
            #expect(try searcher.search(.term(field: nil, text: word)).hits.map(\.key) == ["a"], "\(word)")
        }
    }

    /// SearchCore QA: a schema was never checked (two fields of one name, a name no query
    /// can write, NaN weights that made NaN scores, k1 -1), and a schema differing only in
    /// its version was said to have other fields.
    @Test func schemasAndParametersAreCheckedAndDifferencesNamed() throws {
        let directory = ScratchDirectory()
        let bad: [(Schema, String)] = [
            (Schema(textFields: [Schema.TextField("t"), Schema.TextField("t")]), "defined twice"),
            (Schema(textFields: [Schema.TextField("t")], keywordFields: ["t"]), "defined twice"),
            (Schema(textFields: [Schema.TextField("my field")]), "cannot be written in a query"),
            (Schema(textFields: [Schema.TextField("a:b")]), "cannot be written in a query"),
            (Schema(textFields: [Schema.TextField("")]), "cannot be written in a query"),
            (Schema(textFields: [Schema.TextField("_key")]), "keys"),
            (Schema(textFields: [Schema.TextField("t", weight: .nan)]), "weight"),
            (Schema(textFields: [Schema.TextField("t", weight: -1)]), "weight"),
        ]
        for (schema, message) in bad {
            let error = #expect(throws: IndexError.self) { _ = try IndexWriter(directory: directory.url, schema: schema) }
            #expect(error?.code == .invalidArgument && error?.message.contains(message) == true, "\(String(describing: error))")
            #expect(throws: IndexError.self) { _ = try IndexSearcher.open(directory: directory.url, schema: schema) }
        }
        for bm25 in [BM25Parameters(k1: -1, b: 0.5), BM25Parameters(k1: 1.2, b: 7), BM25Parameters(k1: .infinity, b: 0.5)] {
            #expect(throws: IndexError.self) { _ = try IndexWriter(directory: directory.url, schema: schema, bm25: bm25) }
        }
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("a", title: "one"))
        try writer.commit()
        writer.close()
        var versioned = schema
        versioned.version = "2"
        let mismatch = #expect(throws: IndexError.self) { _ = try IndexSearcher.open(directory: directory.url, schema: versioned) }
        #expect(mismatch?.code == .schemaMismatch)
        #expect(mismatch?.message.contains("the schema given has [version:2]") == true, "\(String(describing: mismatch))")
    }

    /// SearchCore QA: a closed writer took documents silently, and its commit said the lock
    /// file was removed by another writer.
    @Test func aClosedWriterRefusesToWrite() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("a", title: "one"))
        try writer.commit()
        writer.close()
        #expect(writer.isClosed)
        for attempt in [{ try writer.add(self.document("b", title: "two")) }, { try writer.commit() }, { try writer.forceMerge() }] {
            let error = #expect(throws: IndexError.self) { try attempt() }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("closed") == true)
        }
        #expect(try IndexSearcher.open(directory: directory.url, schema: schema).documentCount == 1)
    }

    /// A query of one CJK character finds the records whose runs have it anywhere (the index
    /// keeps each character of a run), not only those where it stands alone; a query of two
    /// or more is still its bigrams, and a phrase still needs the characters in order.
    @Test func oneCJKCharacterFindsItInsideRuns() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("first", title: "鱼类洄游"))
        try writer.add(document("last", title: "保护江鱼"))
        try writer.add(document("middle", title: "湄公河鱼类网络"))
        try writer.add(document("alone", title: "鱼 和 虾"))
        try writer.add(document("none", title: "红树林苗圃"))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        #expect(Set(keys(try searcher.search(.term(field: nil, text: "鱼")))) == ["first", "last", "middle", "alone"])
        #expect(Set(keys(try searcher.search(.term(field: nil, text: "鱼类")))) == ["first", "middle"])
        #expect(Set(keys(try searcher.search(.phrase(field: nil, text: "江鱼")))) == ["last"])
        #expect(Set(keys(try searcher.search(.phrase(field: nil, text: "鱼类网络")))) == ["middle"])
        #expect(try searcher.search(.term(field: nil, text: "虎")).hits.isEmpty)
    }

    @Test func bigramPiecesSplitOnlyCJKRuns() {
        #expect(QueryPlanner.bigramPieces("湿地保护") == ["湿地", "地保", "保护"])
        #expect(QueryPlanner.bigramPieces("红树") == ["红树"])
        #expect(QueryPlanner.bigramPieces("mangrove") == ["mangrove"])
        #expect(QueryPlanner.bigramPieces("agro-forestry") == ["agro-forestry"])
        #expect(QueryPlanner.bigramPieces("使用GIS技术，保护红树林。") == ["使用", "GIS", "技术", "保护", "护红", "红树", "树林"])
        #expect(QueryPlanner.bigramPieces("코랄리프보호") == ["코랄", "랄리", "리프", "프보", "보호"])
    }

    @Test func booleanClausesRequireAndExclude() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("1", title: "fog nets water"))
        try writer.add(document("2", title: "fog nets"))
        try writer.add(document("3", title: "water pumps"))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        let both = Query.boolean([.init(.must, .term(field: nil, text: "fog")), .init(.must, .term(field: nil, text: "water"))], minimumShouldMatch: 0)
        #expect(keys(try searcher.search(both)) == ["1"])
        let excluded = Query.boolean([.init(.should, .term(field: nil, text: "fog")), .init(.mustNot, .term(field: nil, text: "water"))], minimumShouldMatch: 0)
        #expect(keys(try searcher.search(excluded)) == ["2"])
        let onlyNot = Query.boolean([.init(.mustNot, .term(field: nil, text: "fog"))], minimumShouldMatch: 0)
        #expect(keys(try searcher.search(onlyNot)) == ["3"])
        let atLeastTwo = Query.boolean(
            ["fog", "nets", "water"].map { .init(.should, .term(field: nil, text: $0)) }, minimumShouldMatch: 3)
        #expect(keys(try searcher.search(atLeastTwo)) == ["1"])
    }

    @Test func prefixAndFieldQueries() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("1", title: "mangroves", body: "coast"))
        try writer.add(document("2", title: "coast", body: "mangrove"))
        try writer.add(document("3", title: "manatee", body: "river", kind: "caseStudy"))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        #expect(Set(keys(try searcher.search(.prefix(field: nil, prefix: "mangro")))) == ["1", "2"])
        #expect(Set(keys(try searcher.search(.prefix(field: nil, prefix: "Man")))) == ["1", "2", "3"])
        #expect(keys(try searcher.search(.term(field: "title", text: "coast"))) == ["2"])
        #expect(keys(try searcher.search(.term(field: "kind", text: "caseStudy"))) == ["3"])
        #expect(throws: IndexError.self) { try searcher.search(.term(field: "colour", text: "x")) }
    }

    @Test func filtersCombineOrWithinAndAcrossFields() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("1", title: "water", kind: "technology", countries: ["KE"]))
        try writer.add(document("2", title: "water", kind: "technology", countries: ["TZ"]))
        try writer.add(document("3", title: "water", kind: "caseStudy", countries: ["KE"]))
        try writer.add(document("4", title: "water", kind: "funding", countries: ["CN"]))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        let filter = Filter(["country": ["KE", "TZ"], "kind": ["technology"]])
        let results = try searcher.search(.term(field: nil, text: "water"), options: SearchOptions(filter: filter))
        #expect(Set(keys(results)) == ["1", "2"])
    }

    @Test func deletedAndUpdatedDocumentsNeverSurface() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("keep", title: "wetland restoration"))
        try writer.add(document("gone", title: "wetland drainage"))
        try writer.add(document("changed", title: "wetland birds"))
        try writer.commit()
        writer.delete(key: "gone")
        try writer.update(document("changed", title: "grassland birds"))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        #expect(keys(try searcher.search(.term(field: nil, text: "wetland"))) == ["keep"])
        #expect(keys(try searcher.search(.term(field: nil, text: "grassland"))) == ["changed"])
        #expect(searcher.documentCount == 2)
        // A delete in the same uncommitted batch as the add.
        try writer.add(document("temporary", title: "wetland"))
        writer.delete(key: "temporary")
        try writer.commit()
        let again = try IndexSearcher.open(directory: directory.url, schema: schema)
        #expect(keys(try again.search(.term(field: nil, text: "wetland"))) == ["keep"])
    }

    @Test func commitDataAndBM25ParametersPersist() throws {
        let directory = ScratchDirectory()
        do {
            let writer = try IndexWriter(directory: directory.url, schema: schema, bm25: BM25Parameters(k1: 0.9, b: 0.4))
            try writer.add(document("1", title: "x"))
            try writer.commit(userData: ["changeSequence": "42"])
        }
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        #expect(searcher.userData["changeSequence"] == "42")
        #expect(searcher.bm25 == BM25Parameters(k1: 0.9, b: 0.4))
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        #expect(writer.committedUserData["changeSequence"] == "42")
    }

    /// A document with a field the schema lacks, or without a key, is refused and nothing of
    /// its batch is added (a typo in a field name lost its text without a word: library QA).
    @Test func aDocumentOutsideTheSchemaIsRefused() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        #expect {
            try writer.add(Document(key: "a", text: ["colour": ["red"]]))
        } throws: { error in
            (error as? IndexError)?.code == .invalidArgument && "\(error)".contains("unknown text field \"colour\"")
        }
        #expect(throws: IndexError.self) { try writer.add(Document(key: "", text: [:])) }
        #expect(throws: IndexError.self) { try writer.add(Document(key: "k", keywords: ["nope": ["x"]])) }
        #expect(throws: IndexError.self) {
            try writer.add(contentsOf: [Document(key: "ok"), Document(key: "bad", text: ["colour": ["red"]])])
        }
        try writer.commit()
        #expect(try IndexSearcher.open(directory: directory.url, schema: schema).documentCount == 0)
        writer.close()
    }

    @Test func secondWriterIsRefusedWhileTheFirstHoldsTheLock() throws {
        let directory = ScratchDirectory()
        let first = try IndexWriter(directory: directory.url, schema: schema)
        #expect {
            _ = try IndexWriter(directory: directory.url, schema: schema)
        } throws: { error in
            // (This process holds it: said so, not "another process".)
            (error as? IndexError)?.code == .locked && "\(error)".contains("another writer of this process (pid \(getpid()))")
        }
        first.close()
        _ = try IndexWriter(directory: directory.url, schema: schema)
    }

    /// A writer given a wait takes the lock once the holder lets it go, and names the wait
    /// when the holder keeps it longer.
    @Test func aSecondWriterWaitsForTheLockWhenAskedTo() throws {
        let directory = ScratchDirectory()
        let first = try IndexWriter(directory: directory.url, schema: schema)
        #expect {
            _ = try IndexWriter(directory: directory.url, schema: schema, lockWait: .milliseconds(120))
        } throws: { error in
            (error as? IndexError)?.code == .locked && "\(error)".contains("(waited 0.12 s)")
        }
        nonisolated(unsafe) let holder = first  // (closed by the other thread only)
        let released = Thread { Thread.sleep(forTimeInterval: 0.3); holder.close() }
        released.start()
        let second = try IndexWriter(directory: directory.url, schema: schema, lockWait: .seconds(30))
        try second.add(document("1", title: "river"))
        try second.commit()
        second.close()
        #expect(try IndexSearcher.open(directory: directory.url, schema: schema).documentCount == 1)
    }

    /// Review: a writer that rebuilds the index deletes the directory, lock file and all, and
    /// locks a new one; a waiter that kept the old file open took the lock on it as soon as its
    /// holder let go, and two writers shared the index.
    @Test func aWaitingWriterNeverLocksADeletedLockFile() throws {
        let directory = ScratchDirectory()
        nonisolated(unsafe) let first = try IndexWriter(directory: directory.url, schema: schema)
        nonisolated(unsafe) var rebuilder: IndexWriter?
        let url = directory.url
        let lockPath = url.appendingPathComponent("write.lock").path
        let schema = self.schema
        let rebuild = Thread {
            Thread.sleep(forTimeInterval: 0.2)
            unlink(lockPath)
            rebuilder = try? IndexWriter(directory: url, schema: schema)
            first.close()
            Thread.sleep(forTimeInterval: 1.5)
            rebuilder?.close()
        }
        rebuild.start()
        #expect {
            _ = try IndexWriter(directory: directory.url, schema: schema, lockWait: .milliseconds(800))
        } throws: { error in
            (error as? IndexError)?.code == .locked
        }
        Thread.sleep(forTimeInterval: 1.2)
        #expect(rebuilder != nil)
        _ = try IndexWriter(directory: directory.url, schema: schema, lockWait: .seconds(30))
    }

    @Test func searcherKeepsItsSnapshotWhileTheWriterCommits() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("1", title: "river"))
        try writer.commit()
        let before = try IndexSearcher.open(directory: directory.url, schema: schema)
        for index in 2...30 {
            try writer.add(document("\(index)", title: "river"))
            try writer.commit()
        }
        #expect(before.documentCount == 1)
        #expect(keys(try before.search(.term(field: nil, text: "river"))) == ["1"])
        let after = try IndexSearcher.open(directory: directory.url, schema: schema)
        #expect(after.documentCount == 30)
    }

    @Test func countTotalIsExactAndOtherwiseALowerBound() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        for index in 0..<300 {
            try writer.add(document("d\(index)", title: index % 3 == 0 ? "alpha beta" : "alpha", body: index % 7 == 0 ? "gamma" : ""))
        }
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        let query = Query.boolean(["beta", "gamma"].map { .init(.should, .term(field: nil, text: $0)) }, minimumShouldMatch: 0)
        let exact = try searcher.search(query, options: SearchOptions(limit: 5, countTotal: true))
        let matching = (0..<300).filter { $0 % 3 == 0 || $0 % 7 == 0 }.count
        #expect(exact.totalHits == matching)
        #expect(exact.totalIsExact)
        let bound = try searcher.search(query, options: SearchOptions(limit: 5))
        #expect(bound.totalHits <= matching)
        #expect(bound.hits.map(\.key) == exact.hits.map(\.key))
    }

    @Test func explainShowsEachTermsContribution() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("1", title: "drone mapping", body: "drone surveys of mangroves"))
        try writer.add(document("2", title: "other"))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        let query = Query.boolean(["drone", "mangroves"].map { .init(.should, .term(field: nil, text: $0)) }, minimumShouldMatch: 0)
        let hit = try #require(try searcher.search(query, options: SearchOptions(explain: true)).hits.first)
        let explanation = try #require(hit.explanation)
        #expect(abs(explanation.value - hit.score) < 1e-9)
        #expect(explanation.details.count == 2)
        #expect(abs(explanation.details.map(\.value).reduce(0, +) - hit.score) < 1e-9)
        #expect(explanation.description.contains("idf"))
        #expect(explanation.description.contains("title"))
    }

    /// Rollback drops everything since the last commit (buffered and flushed documents, their
    /// segment files, deletions in committed segments), and the writer goes on from there.
    @Test func rollbackReturnsToTheLastCommitAndTheWriterGoesOn() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(document("kept", title: "Mangrove nurseries"))
        try writer.add(document("deleted-then-restored", title: "Seed banks"))
        try writer.commit()
        let committedFiles = Set(try FileManager.default.contentsOfDirectory(atPath: directory.url.path))
        writer.maximumBufferedBytes = 200  // flushes as documents arrive
        for number in 0..<50 { try writer.add(document("new-\(number)", title: "Coral gardening \(number)")) }
        try writer.flush()
        writer.delete(key: "deleted-then-restored")
        try writer.update(document("kept", title: "Replaced title"))
        #expect(writer.documentCount == 51)
        try writer.rollback()
        #expect(writer.documentCount == 2)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory.url.path)) == committedFiles)
        try writer.add(document("after", title: "Camera traps"))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        #expect(Set(searcher.allKeys()) == ["kept", "deleted-then-restored", "after"])
        #expect(keys(try searcher.search(.term(field: nil, text: "mangrove"))) == ["kept"])
        #expect(try searcher.search(.term(field: nil, text: "coral")).hits.isEmpty)
    }
}
