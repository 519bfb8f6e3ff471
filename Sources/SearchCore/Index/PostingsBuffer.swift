// The in-memory postings of a segment under construction, compact the way Lucene's indexing
// chain keeps them: terms interned by their UTF-8 bytes in an open-addressing table (no
// String or dictionary entry per term), and each term's postings as bytes, doc-id deltas and
// frequencies in one stream and positions in another, already in the on-disk position
// encoding. A token costs a hash probe and two or three appended bytes, so a buffer of a
// given size holds about four times the documents that arrays of 32-bit integers would.

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

    /// Decodes the list into `list` (emptied first, its storage reused) for
    /// ``SegmentEncoder``: doc ids and frequencies, and the positions as stored bytes with
    /// each document's end.
    func decode(into list: inout PostingsAccumulator, withPositions: Bool) {
        list.removeAll()
        documents.withUnsafeBufferPointer { bytes in
            var offset = 0
            func varint() -> UInt64 {
                var value: UInt64 = 0
                var shift: UInt64 = 0
                while offset < bytes.count {
                    let byte = bytes[offset]
                    offset += 1
                    value |= UInt64(byte & 0x7F) << shift
                    if byte < 0x80 { break }
                    shift += 7
                }
                return value
            }
            var document: UInt32 = 0
            for _ in 0..<(documentCount - (pendingFrequency > 0 ? 1 : 0)) {
                let code = varint()
                document &+= UInt32(truncatingIfNeeded: code >> 1)
                list.docs.append(document)
                list.freqs.append(code & 1 == 1 ? 1 : UInt32(truncatingIfNeeded: varint()))
            }
        }
        if pendingFrequency > 0 {
            list.docs.append(lastDocument)
            list.freqs.append(pendingFrequency)
        }
        guard withPositions else { return }
        // Each document's positions end after `frequency` varints, i.e. after that many bytes
        // without the continuation bit.
        list.encodedPositions.append(contentsOf: positions)
        positions.withUnsafeBufferPointer { positions in
            var offset = 0
            for frequency in list.freqs {
                var remaining = frequency
                while remaining > 0, offset < positions.count {
                    if positions[offset] < 0x80 { remaining -= 1 }
                    offset += 1
                }
                list.encodedPositionEnds.append(offset)
            }
        }
    }

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
        // (A new term costs its bytes and about 96 more: its table entry, its list's state
        // and the headers of the list's two arrays.)
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
