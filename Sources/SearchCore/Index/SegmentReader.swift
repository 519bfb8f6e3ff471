// Reading a segment: the term dictionary (sparse index in memory, blocks in the mapping),
// postings iterators, norms, keys and keyword columns.
import Synchronization

/// Where a term's data lives in a segment.
struct TermInfo: Hashable {
    var field: Int
    var documentFrequency: Int
    var totalFrequency: Int
    var postingsOffset: Int
    var positionsOffset: Int
}

/// Per-field statistics of a segment.
struct FieldStatistics: Hashable {
    /// Sum of the field's lengths over all documents.
    var sumLengths: UInt64
    /// Documents with the field non-empty.
    var documentCount: UInt64
}

/// An open, immutable segment.
final class SegmentReader: @unchecked Sendable {
    // Immutable after init; all access is read-only.
    let name: String
    let file: SegmentFile
    let fields: FieldTable
    let documentCount: Int
    let fieldStatistics: [FieldStatistics]
    /// The term dictionary: keys are ``TermKey``s, entries ``TermInfo``s.
    let termDictionary: BlockDictionary
    /// The word-form dictionary once loaded (see ``wordFormDictionary()``).
    let wordFormState = Mutex<BlockDictionary?>(nil)
    let postings: UnsafeRawBufferPointer
    let positions: UnsafeRawBufferPointer
    private let norms: UnsafeRawBufferPointer
    private let lengths: UnsafeRawBufferPointer
    private let keys: UnsafeRawBufferPointer
    private let keywordColumns: [Int: KeywordColumn]
    /// Where each text field's lengths start in the lengths section, and their width in
    /// bytes (nil: not stored).
    private let lengthColumns: [(offset: Int, width: Int)?]
    /// The position of each text field's norms and lengths among the stored ones (nil: the
    /// field is empty in every document, nothing stored).
    private let storedSlot: [Int?]

    init(path: String, name: String) throws(IndexError) {
        self.name = name
        file = try SegmentFile(path: path)
        func corrupt(_ what: String) -> IndexError {
            IndexError(.corrupt, "segment \(name) is damaged (\(what))")
        }
        var meta = ByteReader(file.section(.meta))
        documentCount = meta.varintInt()
        let fieldCount = meta.varintInt()
        guard meta.isValid, fieldCount < 65_536 else { throw corrupt("meta") }
        var names: [String] = []
        var kinds: [FieldKind] = []
        for _ in 0..<fieldCount {
            names.append(meta.string())
            kinds.append(FieldKind(rawValue: meta.byte()) ?? .text)
        }
        fields = FieldTable(names: names, kinds: kinds)
        var statistics: [FieldStatistics] = []
        var widths: [Int] = []
        for _ in 0..<fields.textFieldCount {
            statistics.append(FieldStatistics(sumLengths: meta.uint64(), documentCount: meta.uint64()))
            guard let width = SegmentFileFormat.lengthWidth(code: meta.byte()) else { throw corrupt("meta") }
            widths.append(width)
        }
        guard meta.isValid else { throw corrupt("meta") }
        fieldStatistics = statistics

        guard let termDictionary = BlockDictionary(index: file.section(.termIndex), blocks: file.section(.termBlocks)) else {
            throw corrupt("term index")
        }
        self.termDictionary = termDictionary
        postings = file.section(.postings)
        positions = file.section(.positions)
        norms = file.section(.norms)
        lengths = file.section(.lengths)
        keys = file.section(.keys)
        // Norms and lengths are stored for populated fields only, in field order; each field's
        // lengths at their own width.
        var slots: [Int?] = []
        var starts: [(offset: Int, width: Int)?] = []
        var stored = 0
        var lengthBytes = 0
        for field in 0..<fields.textFieldCount {
            if widths[field] > 0 {
                slots.append(stored)
                starts.append((lengthBytes, widths[field]))
                stored += 1
                lengthBytes += documentCount * widths[field]
            } else {
                slots.append(nil)
                starts.append(nil)
            }
        }
        storedSlot = slots
        lengthColumns = starts
        guard norms.count == documentCount * stored,
            lengths.count == lengthBytes,
            keys.count >= (documentCount + 1) * 4
        else { throw corrupt("sizes") }
        var columns: [Int: KeywordColumn] = [:]
        var keywords = ByteReader(file.section(.keywords))
        for field in fields.keywordFieldIndices {
            let length = Int(keywords.uint64())
            guard let column = KeywordColumn(keywords.bytes(length), documentCount: documentCount) else {
                throw corrupt("keyword column \(fields.names[field])")
            }
            columns[field] = column
        }
        guard keywords.isValid else { throw corrupt("keyword columns") }
        keywordColumns = columns
    }

    // MARK: Term dictionary

    /// Decodes the terms of dictionary block `block`, calling `body` with each key and info
    /// until it returns false.
    private func scanBlock(_ block: Int, _ body: ([UInt8], TermInfo) -> Bool) -> Bool {
        var reader = ByteReader(termDictionary.blocks, offset: termDictionary.indexOffsets[block])
        let count = reader.varintInt()
        let decoder = TermInfoDecoder(documentCount: documentCount)
        var key: [UInt8] = []
        guard count >= 0 else { return false }
        for _ in 0..<count {
            let shared = reader.varintInt()
            let suffix = reader.varintInt()
            guard reader.isValid, shared >= 0, shared <= key.count else { return false }
            key.removeSubrange(shared...)
            key.append(contentsOf: reader.bytes(suffix))
            // (A document frequency outside 1...documentCount is a damaged dictionary: stop.)
            guard reader.isValid, let info = decoder.read(&reader, key: key) else { return false }
            if !body(key, info) { return false }
        }
        return true
    }

    /// The dictionary entry of `term` in `field`.
    ///
    /// Every word of every query is looked up in every segment (twice: for its statistics and
    /// its postings), so the lookup makes no key: it compares the probe's bytes with the
    /// index keys and with the block's front-coded keys in place.
    func termInfo(field: Int, term: String) -> TermInfo? {
        let indexKeys = termDictionary.indexKeys
        guard !indexKeys.isEmpty, field >= 0, field < 65_536 else { return nil }
        var term = term
        return term.withUTF8 { bytes in
            let probe = KeyProbe(field: field, term: bytes)
            var low = 0
            var high = indexKeys.count - 1
            var block = 0
            // The last block whose first key is <= the probe.
            while low <= high {
                let middle = (low + high) / 2
                if probe.compare(indexKeys[middle]) >= 0 {
                    block = middle
                    low = middle + 1
                } else {
                    high = middle - 1
                }
            }
            return find(probe, inBlock: block)
        }
    }

    /// The entry of `probe` in dictionary block `block`, reading its front-coded keys without
    /// rebuilding them: `matched` is how many leading bytes the previous key (which sorts
    /// before the probe) shares with the probe, and a key that shares fewer with the previous
    /// key than that sorts after the probe; one that shares more sorts before it.
    private func find(_ probe: KeyProbe, inBlock block: Int) -> TermInfo? {
        var reader = ByteReader(termDictionary.blocks, offset: termDictionary.indexOffsets[block])
        let count = reader.varintInt()
        var matched = 0
        var previousLength = 0
        for _ in 0..<count {
            let shared = reader.varintInt()
            let suffix = reader.bytes(reader.varintInt())
            let documentFrequency = reader.varintInt()
            let total = reader.varintInt()
            let postingsOffset = reader.varintInt()
            let positionsOffset = reader.varintInt()
            guard reader.isValid, shared <= previousLength, shared + suffix.count >= 2 else { return nil }
            previousLength = shared + suffix.count
            if shared < matched { return nil }
            if shared > matched { continue }
            var offset = 0
            var position = matched
            while offset < suffix.count, position < probe.count, suffix[offset] == probe[position] {
                offset += 1
                position += 1
            }
            if offset == suffix.count {
                if position == probe.count {
                    // A document frequency outside 1...documentCount is a damaged dictionary.
                    guard (1...max(1, documentCount)).contains(documentFrequency) else { return nil }
                    return TermInfo(
                        field: probe.field, documentFrequency: documentFrequency, totalFrequency: total,
                        postingsOffset: postingsOffset, positionsOffset: positionsOffset)
                }
                // The key is a prefix of the probe: before it.
                matched = position
                continue
            }
            // The probe is a prefix of the key, or the key's differing byte is larger: past it.
            if position == probe.count || suffix[offset] > probe[position] { return nil }
            matched = position
        }
        return nil
    }

    /// Terms of `field` starting with `prefix`, in order (at most `limit`).
    func terms(field: Int, prefix: String, limit: Int = .max) -> [(term: String, info: TermInfo)] {
        guard !termDictionary.indexKeys.isEmpty else { return [] }
        let start = TermKey.make(field: field, term: prefix)
        var results: [(String, TermInfo)] = []
        var block = termDictionary.block(for: start)
        var done = false
        while !done, block < termDictionary.indexKeys.count {
            let complete = scanBlock(block) { key, info in
                if key.lexicographicallyPrecedes(start) { return true }
                guard key.starts(with: start), results.count < limit else {
                    done = true
                    return false
                }
                results.append((String(decoding: key[2...], as: UTF8.self), info))
                return true
            }
            if !complete { break }
            block += 1
        }
        return results
    }

    /// Number of dictionary blocks.
    var termBlockCount: Int { termDictionary.indexKeys.count }

    /// The entries of dictionary block `block`, in order.
    func termBlock(_ block: Int) -> [(key: [UInt8], info: TermInfo)] {
        var entries: [([UInt8], TermInfo)] = []
        _ = scanBlock(block) { key, info in
            entries.append((key, info))
            return true
        }
        return entries
    }

    /// Every term of every field, in dictionary order (for merges and checks).
    func forEachTerm(_ body: (Int, String, TermInfo) -> Void) {
        for block in termDictionary.indexKeys.indices {
            _ = scanBlock(block) { key, info in
                body(info.field, String(decoding: key[2...], as: UTF8.self), info)
                return true
            }
        }
    }

    /// Sections whose checksum does not match (reads the whole file).
    func verifyFile() -> [String] {
        file.verifyChecksums().map { "\($0)" }
    }

    /// Drops every mapped page of the file from resident memory (after reading it whole, as
    /// a verification does); what is read again is read from the file.
    func releaseAllPages() {
        file.file.releasePages(file.file.bytes, upTo: file.file.bytes.count)
    }

    /// Drops the mapped pages of the per-document sections (norms, lengths, keys, keyword
    /// columns) from resident memory, and those of the term dictionary, postings and
    /// positions before the given offsets (see ``MappedFile/releasePages(_:upTo:)``).
    func releasePages(postingsUpTo postingsOffset: Int, positionsUpTo positionsOffset: Int, perDocument: Bool) {
        file.file.releasePages(postings, upTo: postingsOffset)
        file.file.releasePages(positions, upTo: positionsOffset)
        if perDocument {
            for section in [norms, lengths, keys, file.section(.keywords)] { file.file.releasePages(section, upTo: section.count) }
        }
    }

    /// An iterator over the postings of a term.
    func postingsIterator(_ info: TermInfo) -> PostingsIterator {
        PostingsIterator(segment: self, info: info)
    }

    // MARK: Per-document data

    /// The norm bytes of text field `field` (one per document).
    /// Empty when no document of the segment has text in the field.
    func norms(field: Int) -> UnsafeRawBufferPointer {
        guard field < storedSlot.count, let slot = storedSlot[field] else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: norms[slot * documentCount..<(slot + 1) * documentCount])
    }

    /// The size of the lengths section, in bytes.
    var lengthSectionBytes: Int { lengths.count }

    /// The exact length of text field `field` in `doc`.
    func length(field: Int, doc: Int) -> UInt32 {
        guard field < lengthColumns.count, let column = lengthColumns[field], doc >= 0, doc < documentCount else { return 0 }
        let start = column.offset + doc * column.width
        switch column.width {
        case 1: return UInt32(lengths[start])
        case 2: return UInt32(lengths[start]) | UInt32(lengths[start + 1]) << 8
        default:
            var reader = ByteReader(lengths, offset: start)
            return reader.uint32()
        }
    }

    /// The key of `doc`.
    func key(_ doc: Int) -> String {
        String(decoding: keyBytes(doc), as: UTF8.self)
    }

    /// The key of `doc` as stored (UTF-8, in the mapping; empty if the segment is damaged).
    func keyBytes(_ doc: Int) -> UnsafeRawBufferPointer {
        var reader = ByteReader(keys, offset: doc * 4)
        let start = Int(reader.uint32())
        let end = Int(reader.uint32())
        let base = (documentCount + 1) * 4
        guard start <= end, base + end <= keys.count else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: keys[base + start..<base + end])
    }

    /// Whether UTF-8 key `a` sorts after key `b` in String order (`String(a) > String(b)`).
    ///
    /// Ties in score are broken by key, and a replicated corpus has many: when both keys are
    /// ASCII, String order is byte order and no String is made. (Otherwise Strings compare
    /// them: String order is that of canonically equivalent normalized scalars, which byte
    /// order need not be.)
    static func keyFollows(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
            var combined: UInt8 = 0
            for byte in bytes { combined |= byte }
            return combined < 0x80
        }
        guard isASCII(a), isASCII(b) else {
            return String(decoding: a, as: UTF8.self) > String(decoding: b, as: UTF8.self)
        }
        for index in 0..<min(a.count, b.count) where a[index] != b[index] { return a[index] > b[index] }
        return a.count > b.count
    }

    /// The values of keyword field `field` in `doc`.
    func keywordValues(field: Int, doc: Int) -> [String] {
        keywordColumns[field]?.values(doc) ?? []
    }

    /// The ordinals (indices into ``keywordDictionary(field:)``) of keyword field `field` in `doc`.
    func keywordOrdinals(field: Int, doc: Int) -> [Int] {
        keywordColumns[field]?.ordinals(doc) ?? []
    }

    /// The sorted distinct values of keyword field `field` in this segment.
    func keywordDictionary(field: Int) -> [String] {
        keywordColumns[field]?.dictionary ?? []
    }
}

// MARK: Typo-tolerant lookup

/// Reads a ``TermInfo`` after its key in the term dictionary.
struct TermInfoDecoder: DictionaryEntryDecoder {
    /// The segment's documents (a document frequency outside 1...documentCount is damage).
    let documentCount: Int

    @inline(__always)
    func read(_ reader: inout ByteReader, key: [UInt8]) -> TermInfo? {
        let documentFrequency = reader.varintInt()
        let total = reader.varintInt()
        let postingsOffset = reader.varintInt()
        let positionsOffset = reader.varintInt()
        guard reader.isValid, key.count >= 2, (1...max(1, documentCount)).contains(documentFrequency) else { return nil }
        return TermInfo(
            field: Int(key[0]) << 8 | Int(key[1]), documentFrequency: documentFrequency, totalFrequency: total,
            postingsOffset: postingsOffset, positionsOffset: positionsOffset)
    }
}

extension SegmentReader {
    /// The terms of `field` that `automaton` accepts, with their distance to its word, in
    /// dictionary order (at most `limit`).
    ///
    /// The automaton is intersected with the sorted dictionary, as Lucene's
    /// `AutomatonTermsEnum` does, without reading every term of the field: each term is read
    /// scalar by scalar (the states of the scalars it shares with the term before are kept),
    /// and when the automaton dies at some prefix, or the term is read through, the walk seeks
    /// to the smallest key that can still match: the prefix up to the deepest scalar that can
    /// be replaced by a larger one keeping the automaton alive, followed by the smallest such
    /// scalar. Every key in between starts with a dead prefix. A seek past the current block
    /// finds its block with the sparse index in memory, so blocks in between are not read.
    func terms(field: Int, within automaton: LevenshteinAutomaton, limit: Int = .max) -> [(term: String, distance: Int, info: TermInfo)] {
        var statistics = DictionaryWalkStatistics()
        return terms(field: field, within: automaton, limit: limit, statistics: &statistics)
    }

    /// ``terms(field:within:limit:)``, adding what the walk read to `statistics`.
    func terms(
        field: Int, within automaton: LevenshteinAutomaton, limit: Int = .max, statistics: inout DictionaryWalkStatistics
    ) -> [(term: String, distance: Int, info: TermInfo)] {
        guard limit > 0 else { return [] }
        var cursor = DictionaryCursor(termDictionary, decoder: TermInfoDecoder(documentCount: documentCount))
        var results: [(term: String, distance: Int, info: TermInfo)] = []
        Self.walk(&cursor, field: field, within: automaton, statistics: &statistics) { key, distance, info in
            results.append((String(decoding: key[2...], as: UTF8.self), distance, info))
            return results.count < limit
        }
        return results
    }

    /// Calls `body` with each key of `field` in `cursor`'s dictionary that `automaton` accepts
    /// (keys are ``TermKey``s: the field, then the UTF-8 of a word), its distance and its
    /// entry, in key order, until `body` returns false (see ``terms(field:within:limit:)``
    /// for how the walk seeks past keys that cannot match).
    static func walk<Decoder: DictionaryEntryDecoder>(
        _ cursor: inout DictionaryCursor<Decoder>, field: Int, within automaton: LevenshteinAutomaton,
        statistics: inout DictionaryWalkStatistics, _ body: ([UInt8], Int, Decoder.Entry) -> Bool
    ) {
        guard !cursor.dictionary.indexKeys.isEmpty, field >= 0, field < 65_536 else { return }
        let fieldBytes = [UInt8(field >> 8), UInt8(field & 0xFF)]
        defer {
            statistics.blocksRead += cursor.statistics.blocksRead
            statistics.termsDecoded += cursor.statistics.termsDecoded
            statistics.seeks += cursor.statistics.seeks
        }
        // The automaton's state after each scalar of the last key examined (states[0]: before
        // any), where each scalar ends in its key, and the scalars.
        var states = [automaton.start]
        var ends = [2]
        var scalars: [UInt32] = []
        var examined = fieldBytes
        cursor.seek(to: fieldBytes)
        while let entry = cursor.entry {
            let key = cursor.key
            guard key.count >= 2, key[0] == fieldBytes[0], key[1] == fieldBytes[1] else { break }
            statistics.termsExamined += 1
            // Keep the states of the scalars this key shares with the last one.
            var common = 2
            let shorter = min(key.count, examined.count)
            while common < shorter, key[common] == examined[common] { common += 1 }
            while ends.count > 1, ends[ends.count - 1] > common {
                ends.removeLast()
                states.removeLast()
                scalars.removeLast()
            }
            var position = ends[ends.count - 1]
            var deadScalar: UInt32?
            var valid = true
            while position < key.count {
                guard let (scalar, length) = Self.scalar(in: key, at: position) else {
                    valid = false
                    break
                }
                let next = automaton.step(states[states.count - 1], value: scalar)
                if automaton.isDead(next) {
                    deadScalar = scalar
                    break
                }
                states.append(next)
                scalars.append(scalar)
                position += length
                ends.append(position)
            }
            examined.removeAll(keepingCapacity: true)
            examined.append(contentsOf: key)
            guard valid else {
                // Not UTF-8 (a damaged key): pass it.
                cursor.advance()
                continue
            }
            if deadScalar == nil, let distance = automaton.distance(states[states.count - 1]) {
                if !body(key, distance, entry) { break }
            }
            // The next key that can match: replace the deepest scalar that has a larger live
            // alternative (after a key read through, first try extending it).
            var level = states.count - 1
            var bound = deadScalar
            var target: [UInt8]?
            while true {
                if let next = automaton.smallestLiveScalar(from: states[level], after: bound), let scalar = Unicode.Scalar(next) {
                    var bytes = Array(key[0..<ends[level]])
                    UTF8.encode(scalar) { bytes.append($0) }
                    target = bytes
                    break
                }
                guard level > 0 else { break }
                level -= 1
                bound = scalars[level]
            }
            guard let target else { break }
            cursor.seek(to: target)
        }
    }

    /// The scalar whose UTF-8 encoding starts at `position` in `bytes` and its length, or nil
    /// if the bytes there are not UTF-8.
    static func scalar(in bytes: [UInt8], at position: Int) -> (value: UInt32, length: Int)? {
        guard position >= 0, position < bytes.count else { return nil }
        let lead = bytes[position]
        let length: Int
        let minimum: UInt32
        var value: UInt32
        switch lead {
        case 0x00...0x7F: return (UInt32(lead), 1)
        case 0xC2...0xDF: (length, minimum, value) = (2, 0x80, UInt32(lead & 0x1F))
        case 0xE0...0xEF: (length, minimum, value) = (3, 0x800, UInt32(lead & 0x0F))
        case 0xF0...0xF4: (length, minimum, value) = (4, 0x1_0000, UInt32(lead & 0x07))
        default: return nil
        }
        guard position + length <= bytes.count else { return nil }
        for offset in 1..<length {
            let byte = bytes[position + offset]
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard value >= minimum, value <= 0x10_FFFF, !(0xD800...0xDFFF).contains(value) else { return nil }
        return (value, length)
    }
}

/// A dictionary key being looked up (``TermKey``'s bytes: the field as two big-endian
/// bytes, then the term's UTF-8), without making it.
private struct KeyProbe {
    let field: Int
    let term: UnsafeBufferPointer<UInt8>

    var count: Int { term.count + 2 }

    @inline(__always)
    subscript(position: Int) -> UInt8 {
        switch position {
        case 0: UInt8(truncatingIfNeeded: field >> 8)
        case 1: UInt8(truncatingIfNeeded: field)
        default: term[position - 2]
        }
    }

    /// The probe's order relative to `key`: negative before, 0 equal, positive after.
    func compare(_ key: [UInt8]) -> Int {
        let common = min(count, key.count)
        for position in 0..<common where self[position] != key[position] {
            return self[position] < key[position] ? -1 : 1
        }
        return count - key.count
    }
}

/// The values of one keyword field per document: a sorted dictionary (decoded at open)
/// and per-document ordinals (read from the mapping on demand).
struct KeywordColumn {
    let dictionary: [String]
    private let offsets: UnsafeRawBufferPointer
    private let ordinalsData: UnsafeRawBufferPointer
    private let documentCount: Int

    init?(_ bytes: UnsafeRawBufferPointer, documentCount: Int) {
        var reader = ByteReader(bytes)
        let count = reader.varintInt()
        guard reader.isValid, count <= bytes.count else { return nil }
        var dictionary: [String] = []
        dictionary.reserveCapacity(count)
        for _ in 0..<count { dictionary.append(reader.string()) }
        offsets = reader.bytes((documentCount + 1) * 4)
        guard reader.isValid else { return nil }
        ordinalsData = UnsafeRawBufferPointer(rebasing: bytes[reader.offset...])
        self.dictionary = dictionary
        self.documentCount = documentCount
    }

    func ordinals(_ doc: Int) -> [Int] {
        guard doc >= 0, doc < documentCount else { return [] }
        var reader = ByteReader(offsets, offset: doc * 4)
        let from = Int(reader.uint32())
        let to = Int(reader.uint32())
        guard from <= to else { return [] }
        var values = ByteReader(ordinalsData, offset: from * 4)
        var result: [Int] = []
        for _ in from..<to {
            let ordinal = Int(values.uint32())
            if ordinal < dictionary.count { result.append(ordinal) }
        }
        return result
    }

    func values(_ doc: Int) -> [String] { ordinals(doc).map { dictionary[$0] } }
}

/// A cursor over one term's postings: doc ids in increasing order with frequencies and,
/// for text fields, positions. A value type over the segment's mapping and two block
/// buffers, so that scorers can keep many in one unsafe buffer without reference counting;
/// whoever creates one calls ``deallocate()`` (``PostingsIterator`` wraps one and does).
struct PostingsCursor {
    static let exhausted = Int.max

    private let data: UnsafeRawBufferPointer
    private let positionsData: UnsafeRawBufferPointer
    /// Where the bit-packed skip entries start, their widths and field bit offsets.
    private let skipStart: Int
    private let skipEntryBits: Int
    private let skipFieldOffsets: (Int, Int, Int, Int, Int)
    private let skipFieldBits: (Int, Int, Int, Int)
    private let blocksStart: Int
    private let positionsStart: Int
    let blockCount: Int
    let documentFrequency: Int
    /// Lists of one block have no skip table (most terms are rare); their bounds are
    /// computed from the decoded block.
    private let hasSkipTable: Bool
    /// The field's norms, for the score bound of a list without skip table.
    private let norms: UnsafeRawBufferPointer
    private(set) var block = -1
    private var blockLength = 0
    /// Where the positions of document `positionsIndex` of block `positionsBlock` start.
    private var positionsBlock = -1
    private var positionsIndex = 0
    private var positionsOffset = 0
    private var index = 0
    private let docs: UnsafeMutablePointer<UInt32>
    private let freqs: UnsafeMutablePointer<UInt32>
    /// The packed frequencies of the current block, until decoded.
    private var pendingFrequencies: UnsafeRawBufferPointer?
    private var pendingFrequencyBits = 0
    /// The current document, or `exhausted`.
    private(set) var doc = -1
    /// The last doc id of the decoded block.
    private var currentLastDoc = -1

    init(segment: SegmentReader, info: TermInfo) {
        data = segment.postings
        positionsData = segment.positions
        documentFrequency = info.documentFrequency
        blockCount = (info.documentFrequency + postingsBlockSize - 1) / postingsBlockSize
        hasSkipTable = blockCount > 1
        norms = info.field < segment.fields.textFieldCount ? segment.norms(field: info.field) : UnsafeRawBufferPointer(start: nil, count: 0)
        if hasSkipTable, info.postingsOffset + 4 <= data.count {
            let postings = segment.postings
            let widths = (0..<4).map { min(32, Int(postings[info.postingsOffset + $0])) }
            skipFieldBits = (widths[0], widths[1], widths[2], widths[3])
            skipFieldOffsets = (
                0, widths[0], widths[0] + widths[1], widths[0] + widths[1] + widths[2], widths[0] + widths[1] + widths[2] + widths[3]
            )
            skipEntryBits = widths.reduce(PostingsFormat.normBits, +)
            skipStart = info.postingsOffset + 4
            blocksStart = skipStart + (blockCount * skipEntryBits + 7) / 8
        } else {
            skipFieldBits = (0, 0, 0, 0)
            skipFieldOffsets = (0, 0, 0, 0, 0)
            skipEntryBits = 0
            skipStart = info.postingsOffset
            blocksStart = info.postingsOffset
        }
        positionsStart = info.positionsOffset
        docs = .allocate(capacity: postingsBlockSize)
        freqs = .allocate(capacity: postingsBlockSize)
        if blockCount == 0 { doc = Self.exhausted }
    }

    /// Frees the block buffers; the cursor must not be used afterwards.
    func deallocate() {
        docs.deallocate()
        freqs.deallocate()
    }

    // Skip entry fields: 0 last doc, 1 block offset, 2 positions offset, 3 max frequency,
    // 4 min norm.
    @inline(__always) private func skipValue(_ block: Int, _ field: Int) -> UInt32 {
        let base = (skipStart << 3) + block * skipEntryBits
        let offset: Int
        let bits: Int
        switch field {
        case 0: (offset, bits) = (skipFieldOffsets.0, skipFieldBits.0)
        case 1: (offset, bits) = (skipFieldOffsets.1, skipFieldBits.1)
        case 2: (offset, bits) = (skipFieldOffsets.2, skipFieldBits.2)
        case 3: (offset, bits) = (skipFieldOffsets.3, skipFieldBits.3)
        default: (offset, bits) = (skipFieldOffsets.4, PostingsFormat.normBits)
        }
        return BitPacking.value(in: data, bitOffset: base + offset, bits: bits)
    }

    /// Decodes the only block of a list without skip table, before its first document.
    private mutating func loadSingleBlock() {
        guard block < 0 else { return }
        loadBlock(0)
        index = -1
    }

    /// The last doc id of block `block`.
    @inline(__always) mutating func lastDoc(ofBlock block: Int) -> Int {
        if hasSkipTable { return Int(skipValue(block, 0)) }
        loadSingleBlock()
        return blockLength > 0 ? Int(docs[blockLength - 1]) : -1
    }

    /// The largest frequency in block `block`.
    mutating func maxFrequency(ofBlock block: Int) -> Int {
        if hasSkipTable { return Int(skipValue(block, 3)) }
        loadSingleBlock()
        var largest: UInt32 = 1
        decodeFrequencies()
        for offset in 0..<blockLength { largest = max(largest, freqs[offset]) }
        return Int(largest)
    }

    /// The smallest norm byte in block `block`.
    mutating func minNorm(ofBlock block: Int) -> UInt8 {
        if hasSkipTable { return UInt8(truncatingIfNeeded: skipValue(block, 4)) }
        loadSingleBlock()
        guard !norms.isEmpty else { return 0 }
        var smallest = UInt8.max
        for offset in 0..<blockLength where Int(docs[offset]) < norms.count { smallest = min(smallest, norms[Int(docs[offset])]) }
        return smallest
    }

    /// Calls `body` with each block's number, last doc id, largest frequency and smallest norm
    /// byte, in order: the skip table read straight through (for scorers that bound windows
    /// of documents block by block).
    mutating func forEachBlock(_ body: (_ block: Int, _ lastDoc: Int, _ maxFrequency: Int, _ minNorm: UInt8) -> Void) {
        guard hasSkipTable else {
            if blockCount == 1 { body(0, lastDoc(ofBlock: 0), maxFrequency(ofBlock: 0), minNorm(ofBlock: 0)) }
            return
        }
        for block in 0..<blockCount {
            body(block, Int(skipValue(block, 0)), Int(skipValue(block, 3)), UInt8(truncatingIfNeeded: skipValue(block, 4)))
        }
    }

    /// The largest frequency over the whole list.
    mutating func maximumFrequency() -> Int {
        var largest = 1
        for block in 0..<blockCount { largest = max(largest, maxFrequency(ofBlock: block)) }
        return largest
    }

    /// The smallest norm byte over the whole list.
    mutating func minimumNorm() -> UInt8 {
        var smallest = UInt8.max
        for block in 0..<blockCount { smallest = min(smallest, minNorm(ofBlock: block)) }
        return smallest
    }

    private mutating func loadBlock(_ newBlock: Int) {
        block = newBlock
        blockLength = min(postingsBlockSize, documentFrequency - newBlock * postingsBlockSize)
        var reader = ByteReader(data, offset: blocksStart + (hasSkipTable ? Int(skipValue(newBlock, 1)) : 0))
        let docBits = Int(reader.byte())
        let frequencyBits = Int(reader.byte())
        guard docBits <= 32, frequencyBits <= 32 else {
            blockLength = 0
            doc = Self.exhausted
            return
        }
        // The packed values are passed with the rest of the section after them, which
        // `unpack` may read past them (see there).
        let docStart = reader.offset
        _ = reader.bytes(BitPacking.byteCount(count: blockLength, bits: docBits))
        let frequencyStart = reader.offset
        _ = reader.bytes(BitPacking.byteCount(count: blockLength, bits: frequencyBits))
        guard reader.isValid else {
            blockLength = 0
            doc = Self.exhausted
            return
        }
        BitPacking.unpack(UnsafeRawBufferPointer(rebasing: data[docStart...]), count: blockLength, bits: docBits, into: docs)
        // Frequencies are decoded when first asked for: a probe that skips through a block
        // needs only its doc ids.
        pendingFrequencies = UnsafeRawBufferPointer(rebasing: data[frequencyStart...])
        pendingFrequencyBits = frequencyBits
        var previous = newBlock == 0 ? 0 : UInt32(truncatingIfNeeded: lastDoc(ofBlock: newBlock - 1))
        for offset in 0..<blockLength {
            previous &+= docs[offset]
            docs[offset] = previous
        }
        currentLastDoc = blockLength > 0 ? Int(docs[blockLength - 1]) : -1
        index = 0
    }

    /// Decodes the current block's frequencies if they are not yet.
    @inline(__always)
    private mutating func decodeFrequencies() {
        guard let bytes = pendingFrequencies else { return }
        BitPacking.unpack(bytes, count: blockLength, bits: pendingFrequencyBits, into: freqs)
        for offset in 0..<blockLength { freqs[offset] &+= 1 }
        pendingFrequencies = nil
    }

    /// Moves to the next document; returns it (or `exhausted`).
    @discardableResult
    mutating func nextDoc() -> Int {
        if doc == Self.exhausted { return doc }
        index += 1
        if block < 0 || index >= blockLength {
            let next = block + 1
            guard next < blockCount else {
                doc = Self.exhausted
                return doc
            }
            loadBlock(next)
        }
        doc = blockLength > 0 ? Int(docs[index]) : Self.exhausted
        return doc
    }

    /// Calls `body` with each document from the current one through `last` and its
    /// frequency, then leaves the cursor on the first document after `last` (or exhausted).
    /// Reads the decoded blocks directly, without a call per document: term-at-a-time
    /// scoring reads every posting of a window this way. The cursor must be on a document
    /// (not before the first).
    @inline(__always)
    mutating func forEachDocument(through last: Int, _ body: (_ doc: Int, _ frequency: UInt32) -> Void) {
        while doc <= last {
            decodeFrequencies()
            var position = index
            while position < blockLength {
                let current = Int(docs[position])
                if current > last { break }
                body(current, freqs[position])
                position += 1
            }
            if position < blockLength {
                index = position
                doc = Int(docs[position])
                return
            }
            // The block is read through: on to the next block's first document.
            index = blockLength - 1
            nextDoc()
        }
    }

    /// Moves to the first document >= `target`; returns it (or `exhausted`).
    @discardableResult
    mutating func advance(to target: Int) -> Int {
        if doc >= target { return doc }
        if block < 0 || currentLastDoc < target {
            // Find the first block whose last doc reaches the target in the skip entries:
            // galloping from the next block (targets are usually near), then binary search.
            var low = max(block + 1, 0)
            guard low < blockCount else {
                doc = Self.exhausted
                return doc
            }
            var step = 1
            var high = low
            while lastDoc(ofBlock: high) < target {
                low = high + 1
                guard low < blockCount else {
                    doc = Self.exhausted
                    return doc
                }
                high = min(blockCount - 1, high + step)
                step *= 2
            }
            while low < high {
                let middle = (low + high) / 2
                if lastDoc(ofBlock: middle) >= target { high = middle } else { low = middle + 1 }
            }
            loadBlock(low)
        }
        if index < 0 { index = 0 }
        while index < blockLength, Int(docs[index]) < target { index += 1 }
        doc = index < blockLength ? Int(docs[index]) : Self.exhausted
        return doc
    }

    /// The current document's frequency.
    var frequency: Int {
        mutating get {
            decodeFrequencies()
            return Int(freqs[index])
        }
    }

    /// Where the current document's positions start in the positions section (decodes the
    /// block's frequencies, which say how many positions each document has).
    fileprivate mutating func positionsStartOfCurrent() -> Int {
        decodeFrequencies()
        if positionsBlock != block || positionsIndex > index {
            positionsBlock = block
            positionsIndex = 0
            positionsOffset = positionsStart + (hasSkipTable ? Int(skipValue(block, 2)) : 0)
        }
        var reader = ByteReader(positionsData, offset: positionsOffset)
        for offset in positionsIndex..<index {
            for _ in 0..<Int(freqs[offset]) { _ = reader.varint() }
        }
        positionsIndex = index
        positionsOffset = reader.offset
        return reader.offset
    }

    /// Records that the current document's positions end at `offset`.
    fileprivate mutating func advancePositions(past offset: Int) {
        positionsIndex = index + 1
        positionsOffset = offset
    }

    /// The current document's positions.
    mutating func positions() -> [Int] {
        var result: [Int] = []
        appendPositions(to: &result)
        return result
    }

    /// Appends the current document's positions, ascending, to `output` (a phrase reuses one
    /// buffer per word for all its candidates).
    mutating func appendPositions(to output: inout [Int]) {
        // Resumes from where the last call in this block stopped (documents are visited in
        // order), skipping the positions of the documents in between.
        var reader = ByteReader(positionsData, offset: positionsStartOfCurrent())
        let count = Int(freqs[index])
        output.reserveCapacity(output.count + count)
        var position = 0
        for _ in 0..<count {
            position += reader.varintInt()
            output.append(position)
        }
        advancePositions(past: reader.offset)
    }
}

extension PostingsCursor {
    /// The current document's positions as stored (delta-encoded varints), appended to
    /// `output` without decoding them (for merges).
    mutating func appendEncodedPositions(to output: inout [UInt8]) {
        let start = positionsStartOfCurrent()
        var reader = ByteReader(positionsData, offset: start)
        for _ in 0..<frequency { _ = reader.varint() }
        let end = min(reader.offset, positionsData.count)
        if start < end { output.append(contentsOf: UnsafeRawBufferPointer(rebasing: positionsData[start..<end])) }
        advancePositions(past: end)
    }
}

/// A ``PostingsCursor`` as a reference, for scorers that share cursors.
final class PostingsIterator {
    static let exhausted = PostingsCursor.exhausted

    // The cursor lives behind a pointer, not in a stored property: mutating a struct held
    // by a class would cost a dynamic exclusivity check on every call.
    private let cursor: UnsafeMutablePointer<PostingsCursor>

    init(segment: SegmentReader, info: TermInfo) {
        cursor = .allocate(capacity: 1)
        cursor.initialize(to: PostingsCursor(segment: segment, info: info))
    }

    deinit {
        cursor.pointee.deallocate()
        cursor.deinitialize(count: 1)
        cursor.deallocate()
    }

    var doc: Int { cursor.pointee.doc }
    /// The cursor itself, for loops that must not retain the iterator on every call (a
    /// phrase's); valid while the iterator lives.
    var cursorPointer: UnsafeMutablePointer<PostingsCursor> { cursor }
    var blockCount: Int { cursor.pointee.blockCount }
    var documentFrequency: Int { cursor.pointee.documentFrequency }
    var frequency: Int { cursor.pointee.frequency }
    @discardableResult func nextDoc() -> Int { cursor.pointee.nextDoc() }
    @discardableResult func advance(to target: Int) -> Int { cursor.pointee.advance(to: target) }
    func lastDoc(ofBlock block: Int) -> Int { cursor.pointee.lastDoc(ofBlock: block) }
    func maxFrequency(ofBlock block: Int) -> Int { cursor.pointee.maxFrequency(ofBlock: block) }
    func minNorm(ofBlock block: Int) -> UInt8 { cursor.pointee.minNorm(ofBlock: block) }
    /// The largest frequency and the shortest length over the whole list (score bounds).
    var maximumFrequency: Int { cursor.pointee.maximumFrequency() }
    var minimumNorm: UInt8 { cursor.pointee.minimumNorm() }
    func positions() -> [Int] { cursor.pointee.positions() }
}

/// Walks a segment's term dictionary in order, one block in memory at a time.
struct TermCursor {
    let segment: SegmentReader
    private var block = -1
    private var entries: [(key: [UInt8], info: TermInfo)] = []
    private var index = 0

    init(_ segment: SegmentReader) {
        self.segment = segment
    }

    /// The next term, or nil at the end.
    mutating func next() -> (key: [UInt8], info: TermInfo)? {
        while index >= entries.count {
            block += 1
            guard block < segment.termBlockCount else { return nil }
            entries = segment.termBlock(block)
            index = 0
        }
        defer { index += 1 }
        return entries[index]
    }
}
