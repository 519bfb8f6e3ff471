import Foundation
import Testing

@testable import SearchCore

@Suite("Codecs")
struct CodecTests {
    @Test func bitPackingRoundTripsRandomBlocks() {
        var random = SeededGenerator(seed: 5)
        for _ in 0..<500 {
            let bits = Int.random(in: 0...32, using: &random)
            let count = Int.random(in: 1...128, using: &random)
            let limit: UInt64 = bits == 0 ? 0 : (1 << UInt64(bits)) - 1
            let values = (0..<count).map { _ in UInt32(UInt64.random(in: 0...limit, using: &random)) }
            var writer = ByteWriter()
            BitPacking.pack(values, bits: BitPacking.bitsRequired(values), into: &writer)
            #expect(writer.count == BitPacking.byteCount(count: count, bits: BitPacking.bitsRequired(values)))
            let output = UnsafeMutablePointer<UInt32>.allocate(capacity: count)
            defer { output.deallocate() }
            writer.bytes.withUnsafeBytes {
                BitPacking.unpack($0, count: count, bits: BitPacking.bitsRequired(values), into: output)
            }
            #expect(Array(UnsafeBufferPointer(start: output, count: count)) == values)
        }
    }

    /// Every width, with counts around the 8-value groups of the fast path, and with 0 to 16
    /// bytes of other data after the packed values (which unpacking may read but must ignore).
    @Test func bitPackingIgnoresTrailingBytes() {
        var random = SeededGenerator(seed: 11)
        for bits in 0...32 {
            for count in [1, 7, 8, 9, 15, 16, 17, 63, 120, 127, 128] {
                for trailing in [0, 1, 3, 7, 8, 16] {
                    let limit: UInt64 = bits == 0 ? 0 : (1 << UInt64(bits)) - 1
                    let values = (0..<count).map { _ in UInt32(UInt64.random(in: 0...limit, using: &random)) }
                    var writer = ByteWriter()
                    BitPacking.pack(values, bits: bits, into: &writer)
                    for _ in 0..<trailing { writer.byte(UInt8.random(in: 0...255, using: &random)) }
                    let output = UnsafeMutablePointer<UInt32>.allocate(capacity: count)
                    defer { output.deallocate() }
                    writer.bytes.withUnsafeBytes { BitPacking.unpack($0, count: count, bits: bits, into: output) }
                    #expect(Array(UnsafeBufferPointer(start: output, count: count)) == values, "bits \(bits) count \(count) trailing \(trailing)")
                }
            }
        }
    }

    @Test func varintsRoundTrip() {
        var writer = ByteWriter()
        let values: [UInt64] = [0, 1, 127, 128, 300, 16_383, 16_384, UInt64(UInt32.max), UInt64.max]
        for value in values { writer.varint(value) }
        writer.bytes.withUnsafeBytes { bytes in
            var reader = ByteReader(bytes)
            #expect(values.map { _ in reader.varint() } == values)
            #expect(reader.isValid)
            _ = reader.varint()
            #expect(!reader.isValid)
        }
    }

    /// Random posting lists written by a segment and read back by its iterator, with
    /// `advance` to random targets.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func postingListsRoundTripThroughASegment(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let documentCount = Int.random(in: 1...3000, using: &random)
        let fields = FieldTable(names: ["body", "_key"], kinds: [.text, .key])
        let builder = SegmentBuilder(fields: fields)
        var expected: [String: [(doc: Int, positions: [Int])]] = [:]
        for doc in 0..<documentCount {
            var tokens: [(term: String, position: Int)] = []
            for position in 0..<Int.random(in: 0...20, using: &random) {
                let term = "t\(Int.random(in: 0..<(doc % 5 == 0 ? 3 : 50), using: &random))"
                tokens.append((term, position))
            }
            builder.addAnalyzed(key: "k\(doc)", textTokens: [tokens], keywords: [])
            var grouped: [String: [Int]] = [:]
            for token in tokens { grouped[token.term, default: []].append(token.position) }
            for (term, positions) in grouped { expected[term, default: []].append((doc, positions)) }
        }
        let directory = ScratchDirectory()
        let path = directory.url.appendingPathComponent("s.seg").path
        try builder.build(to: path)
        let reader = try SegmentReader(path: path, name: "s")
        #expect(reader.documentCount == documentCount)
        for (term, postings) in expected {
            let info = try #require(reader.termInfo(field: 0, term: term))
            #expect(info.documentFrequency == postings.count)
            let iterator = reader.postingsIterator(info)
            for posting in postings {
                #expect(iterator.nextDoc() == posting.doc)
                #expect(iterator.frequency == posting.positions.count)
                #expect(iterator.positions() == posting.positions)
            }
            #expect(iterator.nextDoc() == PostingsIterator.exhausted)
            // advance() lands on the first doc >= target.
            let skipping = reader.postingsIterator(info)
            var target = 0
            while true {
                target += Int.random(in: 1...200, using: &random)
                let want = postings.first { $0.doc >= target }?.doc ?? PostingsIterator.exhausted
                #expect(skipping.advance(to: target) == want)
                if want == PostingsIterator.exhausted { break }
                target = want
            }
        }
        #expect(reader.key(documentCount - 1) == "k\(documentCount - 1)")
        #expect(reader.termInfo(field: 0, term: "absent") == nil)
        #expect(reader.verifyFile().isEmpty)
    }

    /// Dictionary lookups over many blocks of front-coded keys with shared prefixes: every
    /// term is found with the entry a scan of the dictionary gives, and probes that are
    /// prefixes, extensions or neighbours of terms are not.
    @Test func termLookupsFindExactlyTheDictionaryEntries() throws {
        var random = SeededGenerator(seed: 8)
        let fields = FieldTable(names: ["body", "title", "_key"], kinds: [.text, .text, .key])
        let builder = SegmentBuilder(fields: fields)
        let alphabet = Array("abz\u{e9}")
        var vocabulary: Set<String> = []
        while vocabulary.count < 600 {
            vocabulary.insert(String((0..<Int.random(in: 1...5, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" }))
        }
        let terms = vocabulary.sorted()
        for doc in 0..<300 {
            let body = (0..<8).map { _ in (terms.randomElement(using: &random) ?? "a", 0) }
            let title = (0..<2).map { _ in (terms.randomElement(using: &random) ?? "a", 0) }
            builder.addAnalyzed(key: "k\(doc)", textTokens: [body, title], keywords: [])
        }
        let directory = ScratchDirectory()
        let path = directory.url.appendingPathComponent("s.seg").path
        try builder.build(to: path)
        let reader = try SegmentReader(path: path, name: "s")
        var entries: [String: TermInfo] = [:]
        reader.forEachTerm { field, term, info in entries["\(field) \(term)"] = info }
        #expect(reader.termBlockCount > 10)
        for field in 0..<2 {
            for term in terms {
                for probe in [term, String(term.dropLast()), term + "a", term + "\u{e9}", term + "zz"] {
                    #expect(reader.termInfo(field: field, term: probe) == entries["\(field) \(probe)"], "\(field) \(probe)")
                }
            }
        }
        #expect(reader.termInfo(field: 2, term: "a") == nil)
        #expect(reader.termInfo(field: 70_000, term: "a") == nil)
    }

    /// Keys compare as Strings do, ASCII or not.
    @Test func keyOrderIsStringOrder() {
        let keys = ["", "a", "a0", "a\u{301}", "\u{e1}", "ab", "b", "B", "\u{e9}t\u{e9}", "e\u{301}te", "z", "\u{1F600}"]
        for a in keys {
            for b in keys {
                let follows = Array(a.utf8).withUnsafeBytes { left in
                    Array(b.utf8).withUnsafeBytes { right in SegmentReader.keyFollows(left, right) }
                }
                #expect(follows == (a > b), "\(a) \(b)")
            }
        }
    }

    @Test func damagedSegmentFileIsReportedNotCrashed() throws {
        let fields = FieldTable(names: ["body", "_key"], kinds: [.text, .key])
        let builder = SegmentBuilder(fields: fields)
        builder.addAnalyzed(key: "a", textTokens: [[("x", 0)]], keywords: [])
        let directory = ScratchDirectory()
        let path = directory.url.appendingPathComponent("s.seg").path
        try builder.build(to: path)
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 30] ^= 0xFF
        try FileSystem.writeDurably(bytes, to: path)
        #expect(throws: IndexError.self) { try SegmentReader(path: path, name: "s") }
        try FileSystem.writeDurably(Array(bytes.prefix(10)), to: path)
        #expect(throws: IndexError.self) { try SegmentReader(path: path, name: "s") }
    }

    @Test func lengthNormIsExactForShortFieldsAndMonotonic() {
        for length in 0..<24 { #expect(LengthNorm.decode(LengthNorm.encode(length)) == length) }
        var previous = 0
        for length in stride(from: 0, to: 1_000_000, by: 37) {
            let decoded = LengthNorm.decode(LengthNorm.encode(length))
            #expect(decoded <= length)
            #expect(decoded >= previous)
            previous = decoded
        }
    }

    /// The check value of CRC-32/ISO-HDLC (zlib's), and the same checksum however the bytes
    /// are split (the eight-byte loop, the tail loop and chaining through `initial`).
    @Test func crc32MatchesZlibAndChainsAcrossSplits() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        var random = SeededGenerator(seed: 11)
        let bytes = (0..<1000).map { _ in UInt8.random(in: 0...255, using: &random) }
        // Byte at a time, the reference definition.
        var reference: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            reference ^= UInt32(byte)
            for _ in 0..<8 { reference = reference & 1 == 1 ? 0xEDB8_8320 ^ (reference >> 1) : reference >> 1 }
        }
        reference = ~reference
        #expect(CRC32.checksum(bytes) == reference)
        for split in [0, 1, 7, 8, 9, 500, 999] {
            let first = CRC32.checksum(Array(bytes[..<split]))
            #expect(CRC32.checksum(Array(bytes[split...]), initial: first) == reference)
        }
    }

    /// Interning gives each distinct byte string one id, however the table grows, and finds
    /// nothing it was not given (strings of every length the hash and comparison special-case).
    @Test func termTableInternsFindsAndSortsByBytes() {
        var random = SeededGenerator(seed: 3)
        var table = TermTable()
        var ids: [String: Int] = [:]
        let letters: [Character] = ["a", "b", "c", "d", "é"]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...20, using: &random)
            let term = String((0..<length).map { _ in letters[Int.random(in: 0..<5, using: &random)] })
            let (id, isNew) = table.intern(term)
            if let known = ids[term] {
                #expect(!isNew && id == known)
            } else {
                #expect(isNew && id == ids.count)
                ids[term] = id
            }
        }
        #expect(table.count == ids.count)
        for (term, id) in ids { #expect(String(decoding: table.term(id), as: UTF8.self) == term) }
        #expect(table.contains("abc") == (ids["abc"] != nil))
        #expect(!table.contains("zzz"))
        let sorted = table.sortedIDs().map { Array(table.term($0)) }
        #expect(sorted == ids.keys.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) })
    }

    /// A document's tokens may come out of position order (a joined compound follows its
    /// parts); the buffer stores each term's positions in order all the same.
    @Test func bufferedPositionsAreStoredInOrder() throws {
        let fields = FieldTable(names: ["body", "_key"], kinds: [.text, .key])
        let builder = SegmentBuilder(fields: fields)
        builder.addAnalyzed(key: "a", textTokens: [[("x", 5), ("y", 6), ("x", 2), ("x", 9)]], keywords: [])
        builder.addAnalyzed(key: "b", textTokens: [[("x", 300)]], keywords: [])
        let directory = ScratchDirectory()
        let path = directory.url.appendingPathComponent("s.seg").path
        try builder.build(to: path)
        let reader = try SegmentReader(path: path, name: "s")
        let iterator = reader.postingsIterator(try #require(reader.termInfo(field: 0, term: "x")))
        #expect(iterator.nextDoc() == 0)
        #expect(iterator.positions() == [2, 5, 9])
        #expect(iterator.nextDoc() == 1)
        #expect(iterator.positions() == [300])
    }

    /// The streams of a pool, written interleaved (as a buffer's terms are) past several
    /// chunks of every size, read back as the bytes written, each stream on its own.
    @Test func poolStreamsReadBackAsWrittenAcrossChunks() {
        var random = SeededGenerator(seed: 42)
        var pool = StreamPool()
        var streams = (0..<50).map { _ in pool.newStream() }
        var expected = [[UInt8]](repeating: [], count: streams.count)
        for _ in 0..<20_000 {
            let index = Int.random(in: 0..<streams.count, using: &random)
            // Some streams take far more than others (a frequent term), up to chunks of 256.
            let stream = index < 5 ? index : Int.random(in: 0..<streams.count, using: &random)
            let value = UInt64.random(in: 0...(UInt64(1) << Int.random(in: 0...40, using: &random)), using: &random)
            let count = pool.appendVarint(value, to: &streams[stream])
            let before = expected[stream].count
            BufferedPostings.appendVarint(value, to: &expected[stream])
            #expect(expected[stream].count - before == count)
        }
        for (stream, bytes) in zip(streams, expected) {
            var read: [UInt8] = []
            pool.copy(stream, to: &read)
            #expect(read == bytes)
        }
        var empty: [UInt8] = []
        pool.copy(pool.newStream(), to: &empty)
        #expect(empty.isEmpty)
    }
}
