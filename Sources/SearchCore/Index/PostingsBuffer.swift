// The in-memory postings of a segment under construction, compact the way Lucene's indexing
// chain keeps them: terms interned by their UTF-8 bytes in an open-addressing table (no
// String or dictionary entry per term), and each term's postings as bytes, doc-id deltas and
// frequencies in one stream and positions in another, already in the on-disk position
// encoding. A token costs a hash probe and two or three appended bytes, so a buffer of a
// given size holds about four times the documents that arrays of 32-bit integers would.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The distinct terms of one field, each with a dense id in order of first occurrence.
struct TermTable {
    /// The terms' UTF-8 bytes, back to back; term `id` ends at `ends[id]`.
    private(set) var bytes: [UInt8] = []
    private(set) var ends: [Int] = []
    private var hashes: [UInt32] = []
    /// Open addressing with linear probing: term id + 1, or 0 for an empty slot. At most
    /// half full.
    private var slots = [Int32](repeating: 0, count: 64)

    /// The number of distinct terms.
    var count: Int { ends.count }

    /// Bytes held, for the buffer's size estimate.
    var estimatedBytes: Int { bytes.capacity + ends.capacity * 8 + hashes.capacity * 4 + slots.count * 4 }

    /// The id of the term whose UTF-8 bytes are `term`, interning it if it is new.
    mutating func intern(_ term: UnsafeBufferPointer<UInt8>) -> (id: Int, isNew: Bool) {
        let hash = Self.hash(term)
        let mask = slots.count - 1
        var slot = Int(hash) & mask
        while case let entry = slots[slot], entry != 0 {
            let id = Int(entry) - 1
            if hashes[id] == hash, termBytesEqual(id, term) { return (id, false) }
            slot = (slot + 1) & mask
        }
        let id = ends.count
        bytes.append(contentsOf: term)
        ends.append(bytes.count)
        hashes.append(hash)
        slots[slot] = Int32(truncatingIfNeeded: id + 1)
        if ends.count * 2 > slots.count { grow() }
        return (id, true)
    }

    /// The id of `term`, interning it if it is new.
    mutating func intern(_ term: String) -> (id: Int, isNew: Bool) {
        var term = term
        return term.withUTF8 { intern($0) }
    }

    /// The bytes of term `id`.
    func term(_ id: Int) -> ArraySlice<UInt8> {
        bytes[(id == 0 ? 0 : ends[id - 1])..<ends[id]]
    }

    /// Term ids in the byte order of their terms (the term dictionary's order).
    func sortedIDs() -> [Int] {
        bytes.withUnsafeBufferPointer { bytes in
            ends.withUnsafeBufferPointer { ends in
                func range(_ id: Int) -> Range<Int> { (id == 0 ? 0 : ends[id - 1])..<ends[id] }
                return (0..<ends.count).sorted { left, right in
                    let a = range(left)
                    let b = range(right)
                    let shared = min(a.count, b.count)
                    if shared > 0, let base = bytes.baseAddress {
                        let order = memcmp(base + a.lowerBound, base + b.lowerBound, shared)
                        if order != 0 { return order < 0 }
                    }
                    return a.count < b.count
                }
            }
        }
    }

    private func termBytesEqual(_ id: Int, _ term: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = id == 0 ? 0 : ends[id - 1]
        guard ends[id] - start == term.count else { return false }
        return bytes.withUnsafeBufferPointer { stored in
            guard let storedBase = stored.baseAddress, let termBase = term.baseAddress else { return true }
            return memcmp(storedBase + start, termBase, term.count) == 0
        }
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for id in 0..<hashes.count {
            var slot = Int(hashes[id]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(truncatingIfNeeded: id + 1)
        }
    }

    /// A fast hash of a short byte string: eight bytes at a time through a multiply-xorshift
    /// mix (terms are a few bytes long; the table only needs the bits spread well).
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let raw = UnsafeRawBufferPointer(bytes)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
        var offset = 0
        while offset + 8 <= raw.count {
            state = mix(state ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        if offset < raw.count {
            var tail: UInt64 = 0
            for index in offset..<raw.count { tail = tail << 8 | UInt64(raw[index]) }
            state = mix(state ^ tail)
        }
        return UInt32(truncatingIfNeeded: state >> 32)
    }

    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        var value = value &* 0xBF58_476D_1CE4_E5B9
        value ^= value >> 31
        value = value &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 29)
    }
}

/// One term's postings under construction.
///
/// `documents` holds each finished document as `varint(delta << 1 | (frequency == 1))`
/// followed by `varint(frequency)` when the frequency is not 1 (Lucene's layout); the last
/// document stays pending until the next one starts or the list is read. `positions` holds
/// each document's positions as varint deltas from the previous one (from 0 for the first),
/// which is how a segment file stores them, so they are copied to the file as they are.
struct BufferedPostings {
    private(set) var documents: [UInt8] = []
    private(set) var positions: [UInt8] = []
    /// The pending document (meaningful when `pendingFrequency > 0`).
    private var lastDocument: UInt32 = 0
    private var lastWrittenDocument: UInt32 = 0
    private var pendingFrequency: UInt32 = 0
    private var lastPosition: UInt32 = 0
    /// Documents in the list, the pending one included.
    private(set) var documentCount = 0

    /// Adds one occurrence at `position` in `document`. Documents come in increasing order,
    /// and positions within a document in non-decreasing order (``FieldPostings`` sees to it).
    /// - Returns: the bytes the list grew by.
    @inline(__always)
    mutating func add(document: UInt32, position: UInt32) -> Int {
        let before = documents.count + positions.count
        if pendingFrequency > 0, document == lastDocument {
            pendingFrequency += 1
            Self.appendVarint(position &- lastPosition, to: &positions)
        } else {
            finishPending()
            lastDocument = document
            pendingFrequency = 1
            documentCount += 1
            Self.appendVarint(position, to: &positions)
        }
        lastPosition = position
        return documents.count + positions.count - before
    }

    /// Adds `document` without positions (keyword fields); a repeated document is ignored.
    mutating func add(document: UInt32) -> Int {
        if pendingFrequency > 0, document == lastDocument { return 0 }
        let before = documents.count
        finishPending()
        lastDocument = document
        pendingFrequency = 1
        documentCount += 1
        return documents.count - before
    }

    private mutating func finishPending() {
        guard pendingFrequency > 0 else { return }
        let delta = UInt64(lastDocument &- lastWrittenDocument)
        if pendingFrequency == 1 {
            Self.appendVarint(delta << 1 | 1, to: &documents)
        } else {
            Self.appendVarint(delta << 1, to: &documents)
            Self.appendVarint(UInt64(pendingFrequency), to: &documents)
        }
        lastWrittenDocument = lastDocument
        pendingFrequency = 0
    }

    /// The list decoded for ``SegmentEncoder``: doc ids and frequencies, and the positions as
    /// stored bytes with each document's end.
    func accumulated(withPositions: Bool) -> PostingsAccumulator {
        var list = PostingsAccumulator()
        list.docs.reserveCapacity(documentCount)
        list.freqs.reserveCapacity(documentCount)
        var reader = documents.makeIterator()
        var document: UInt32 = 0
        func varint() -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = reader.next() {
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            return value
        }
        for _ in 0..<(documentCount - (pendingFrequency > 0 ? 1 : 0)) {
            let code = varint()
            document &+= UInt32(truncatingIfNeeded: code >> 1)
            list.docs.append(document)
            list.freqs.append(code & 1 == 1 ? 1 : UInt32(truncatingIfNeeded: varint()))
        }
        if pendingFrequency > 0 {
            list.docs.append(lastDocument)
            list.freqs.append(pendingFrequency)
        }
        guard withPositions else { return list }
        // Each document's positions end after `frequency` varints, i.e. after that many bytes
        // without the continuation bit.
        list.encodedPositions = positions
        list.encodedPositionEnds.reserveCapacity(list.docs.count)
        var offset = 0
        for frequency in list.freqs {
            var remaining = frequency
            while remaining > 0, offset < positions.count {
                if positions[offset] < 0x80 { remaining -= 1 }
                offset += 1
            }
            list.encodedPositionEnds.append(offset)
        }
        return list
    }

    /// Bytes held, for the buffer's size estimate (array headers included).
    var estimatedBytes: Int { documents.capacity + positions.capacity + 64 + MemoryLayout<Self>.stride }

    @inline(__always)
    private static func appendVarint(_ value: UInt32, to bytes: inout [UInt8]) {
        if value < 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value))
        } else {
            appendVarint(UInt64(value), to: &bytes)
        }
    }

    private static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}

/// The buffered postings of one field: its terms and each term's list.
struct FieldPostings {
    private(set) var terms = TermTable()
    private(set) var lists: [BufferedPostings] = []

    /// Adds a document's tokens for this field (doc ids increasing across calls).
    /// - Returns: an estimate of the bytes the field grew by.
    mutating func add(tokens: [(term: String, position: Int)], document: UInt32) -> Int {
        // Positions must not go backwards within a document: an analyzer may emit a token
        // (a joined compound) after later ones, at its first part's position.
        var ordered = true
        var previous = Int.min
        for token in tokens {
            if token.position < previous {
                ordered = false
                break
            }
            previous = token.position
        }
        let tokens = ordered ? tokens : tokens.sorted { $0.position < $1.position }
        var grown = 0
        for (term, position) in tokens {
            let (id, isNew) = terms.intern(term)
            if isNew {
                lists.append(BufferedPostings())
                grown += term.utf8.count + 96
            }
            grown += lists[id].add(document: document, position: UInt32(clamping: max(0, position)))
        }
        return grown
    }

    /// Adds `document` to the list of the keyword `value`.
    /// - Returns: an estimate of the bytes the field grew by.
    mutating func add(value: String, document: UInt32) -> Int {
        let (id, isNew) = terms.intern(value)
        var grown = 0
        if isNew {
            lists.append(BufferedPostings())
            grown += value.utf8.count + 96
        }
        return grown + lists[id].add(document: document)
    }
}
