// The in-memory postings of a segment under construction, compact the way Lucene's indexing
// chain keeps them: terms interned by their UTF-8 bytes in an open-addressing table (no
// String or dictionary entry per term), and each term's postings as bytes, doc-id deltas and
// frequencies in one stream and positions in another, already in the on-disk position
// encoding. A token costs a hash probe and two or three appended bytes, so a buffer of a
// given size holds about four times the documents that arrays of 32-bit integers would.
// Text fields also intern their word forms (words as written that differ from their terms),
// each with the terms it was seen with.

/// The byte streams of one field's postings lists, in chunks of one shared array (Lucene's
/// byte block pool, simplified): a stream's chunks are 32, 64, 128, then 256 bytes each, and
/// the last 4 bytes of a full chunk hold where the next one starts. A token then costs a write
/// into memory that recent tokens of the same term touched, not into arrays of its own behind
/// headers read first (each a cache miss in a buffer of thousands of lists), and a list that
/// grows is never copied.
struct StreamPool {
    /// One stream: where its first chunk starts, where its next byte goes, and where its
    /// current chunk's bytes end (the link to the next chunk goes there).
    struct Stream {
        fileprivate var head: UInt32
        fileprivate var tail: UInt32
        fileprivate var limit: UInt32
        fileprivate var level: UInt32
    }

    private(set) var bytes: [UInt8] = []
    /// The sizes of a stream's chunks, its first to its fourth and later ones.
    private static let sizes = [32, 64, 128, 256]
    /// The most bytes the pool may hold (offsets are 32-bit): the index writer flushes its
    /// buffer long before (``IndexWriter/maximumBufferedBytes`` is capped below it).
    static let capacity = Int(UInt32.max) - 256

    /// A new, empty stream.
    mutating func newStream() -> Stream {
        let start = allocate(level: 0)
        return Stream(head: UInt32(start), tail: UInt32(start), limit: UInt32(start + Self.sizes[0] - 4), level: 0)
    }

    private mutating func allocate(level: Int) -> Int {
        let start = bytes.count
        precondition(start + Self.sizes[level] <= Self.capacity, "a postings buffer past 4 GB")
        if bytes.capacity < start + Self.sizes[level] { bytes.reserveCapacity(max(1 << 16, bytes.capacity * 2)) }
        bytes.append(contentsOf: repeatElement(0, count: Self.sizes[level]))
        return start
    }

    /// Moves `stream` to a new chunk, linked from the full one.
    private mutating func nextChunk(_ stream: inout Stream) {
        let level = min(Int(stream.level) + 1, Self.sizes.count - 1)
        let start = allocate(level: level)
        let link = Int(stream.limit)
        for index in 0..<4 { bytes[link + index] = UInt8(truncatingIfNeeded: start >> (8 * index)) }
        stream = Stream(head: stream.head, tail: UInt32(start), limit: UInt32(start + Self.sizes[level] - 4), level: UInt32(level))
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8, to stream: inout Stream) {
        if stream.tail == stream.limit { nextChunk(&stream) }
        bytes[Int(stream.tail)] = byte
        stream.tail &+= 1
    }

    /// Appends `value` as a varint (the encoding of `ByteWriter.varint`).
    /// - Returns: the bytes appended.
    @inline(__always)
    @discardableResult
    mutating func appendVarint(_ value: UInt64, to stream: inout Stream) -> Int {
        var value = value
        var count = 1
        while value >= 0x80 {
            append(UInt8(truncatingIfNeeded: value) | 0x80, to: &stream)
            value >>= 7
            count += 1
        }
        append(UInt8(value), to: &stream)
        return count
    }

    /// Appends the bytes of `stream` to `output`, in order.
    func copy(_ stream: Stream, to output: inout [UInt8]) {
        var start = Int(stream.head)
        var level = 0
        let tail = Int(stream.tail)
        while true {
            let limit = start + Self.sizes[level] - 4
            if start <= tail, tail <= limit {
                output.append(contentsOf: bytes[start..<tail])
                return
            }
            output.append(contentsOf: bytes[start..<limit])
            start = (0..<4).reduce(0) { $0 | Int(bytes[limit + $1]) << (8 * $1) }
            level = min(level + 1, Self.sizes.count - 1)
        }
    }
}

/// One term's postings under construction, as two streams of a field's ``StreamPool``.
///
/// `documents` holds each finished document as `varint(delta << 1 | (frequency == 1))`
/// followed by `varint(frequency)` when the frequency is not 1 (Lucene's layout); the last
/// document stays pending until the next one starts or the list is read. `positions` holds
/// each document's positions as varint deltas from the previous one (from 0 for the first),
/// which is how a segment file stores them, so they are copied to the file as they are.
struct BufferedPostings {
    private var documents: StreamPool.Stream
    private var positions: StreamPool.Stream
    /// The pending document (meaningful when `pendingFrequency > 0`).
    private var lastDocument: UInt32 = 0
    private var lastWrittenDocument: UInt32 = 0
    private var pendingFrequency: UInt32 = 0
    private var lastPosition: UInt32 = 0
    /// Documents in the list, the pending one included.
    private(set) var documentCount: UInt32 = 0

    /// A new, empty list whose streams are in `pool`.
    init(pool: inout StreamPool) {
        documents = pool.newStream()
        positions = pool.newStream()
    }

    /// Adds one occurrence at `position` in `document`. Documents come in increasing order,
    /// and positions within a document in non-decreasing order (``FieldPostings`` sees to it).
    /// - Returns: the bytes the list grew by.
    @inline(__always)
    mutating func add(document: UInt32, position: UInt32, pool: inout StreamPool) -> Int {
        if pendingFrequency > 0, document == lastDocument {
            pendingFrequency += 1
            defer { lastPosition = position }
            return pool.appendVarint(UInt64(position &- lastPosition), to: &positions)
        }
        let grown = finishPending(pool: &pool)
        lastDocument = document
        pendingFrequency = 1
        documentCount += 1
        lastPosition = position
        return grown + pool.appendVarint(UInt64(position), to: &positions)
    }

    /// Adds `document` without positions (keyword fields); a repeated document is ignored.
    mutating func add(document: UInt32, pool: inout StreamPool) -> Int {
        if pendingFrequency > 0, document == lastDocument { return 0 }
        let grown = finishPending(pool: &pool)
        lastDocument = document
        pendingFrequency = 1
        documentCount += 1
        return grown
    }

    /// Writes the pending document; returns the bytes written.
    private mutating func finishPending(pool: inout StreamPool) -> Int {
        guard pendingFrequency > 0 else { return 0 }
        let delta = UInt64(lastDocument &- lastWrittenDocument)
        var grown: Int
        if pendingFrequency == 1 {
            grown = pool.appendVarint(delta << 1 | 1, to: &documents)
        } else {
            grown = pool.appendVarint(delta << 1, to: &documents)
            grown += pool.appendVarint(UInt64(pendingFrequency), to: &documents)
        }
        lastWrittenDocument = lastDocument
        pendingFrequency = 0
        return grown
    }

    /// Decodes the list into `list` (emptied first, its storage reused) for
    /// ``SegmentEncoder``: doc ids and frequencies, and the positions as stored bytes with
    /// each document's end. `scratch` holds the document stream on the way.
    func decode(into list: inout PostingsAccumulator, withPositions: Bool, pool: StreamPool, scratch: inout [UInt8]) {
        list.removeAll()
        scratch.removeAll(keepingCapacity: true)
        pool.copy(documents, to: &scratch)
        scratch.withUnsafeBufferPointer { bytes in
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
            for _ in 0..<(Int(documentCount) - (pendingFrequency > 0 ? 1 : 0)) {
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
        pool.copy(positions, to: &list.encodedPositions)
        list.encodedPositions.withUnsafeBufferPointer { positions in
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

    /// Appends `value` as a varint (the encoding of `ByteWriter.varint`, without
    /// a writer: the buffers are plain arrays).
    @inline(__always)
    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}

/// The word forms of one text field of one document (see ``Token/form``), packed for the
/// trip from the analysis threads to the writer: per form, the varint index of its token in
/// the field's token list, the varint length of its UTF-8 and the bytes. (A String per form
/// would cost reference counting on both threads, and the writer interns bytes anyway.)
struct WordFormList: Sendable {
    private(set) var bytes: [UInt8] = []

    init() {}

    /// Whether the list holds no form.
    var isEmpty: Bool { bytes.isEmpty }

    /// Appends `form`, the word as written of token `token`.
    /// - Parameter capacity: bytes to reserve when the list is still empty (the length of the
    ///   text the form comes from bounds the forms of its words, but for their headers).
    @inline(__always)
    mutating func append(_ form: String, token: Int, capacity: Int = 0) {
        if bytes.isEmpty, capacity > 0 { bytes.reserveCapacity(capacity) }
        var form = form
        form.withUTF8 { utf8 in
            BufferedPostings.appendVarint(UInt64(token), to: &bytes)
            BufferedPostings.appendVarint(UInt64(utf8.count), to: &bytes)
            bytes.append(contentsOf: utf8)
        }
    }

    /// Reads the list form by form: ``nextToken()``, then ``withForm(_:)``.
    func reader() -> Reader { Reader(bytes: bytes) }

    struct Reader {
        let bytes: [UInt8]
        private var offset = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        @inline(__always)
        private mutating func varint() -> Int {
            var value = 0
            var shift = 0
            while offset < bytes.count, shift < 63 {
                let byte = bytes[offset]
                offset += 1
                value |= Int(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            return value
        }

        /// The token index of the next form (-1 at the end).
        @inline(__always)
        mutating func nextToken() -> Int { offset < bytes.count ? varint() : -1 }

        /// Calls `body` with the UTF-8 bytes of the form whose token ``nextToken()`` gave.
        @inline(__always)
        mutating func withForm<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
            let length = min(varint(), bytes.count - offset)
            let start = offset
            offset += length
            return bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<start + length])) }
        }
    }

    /// Calls `body` with each form's token index and UTF-8 bytes, in order.
    func forEach(_ body: (_ token: Int, _ form: UnsafeBufferPointer<UInt8>) -> Void) {
        var reader = reader()
        while case let token = reader.nextToken(), token >= 0 {
            reader.withForm { body(token, $0) }
        }
    }
}

/// What the buffer knows of a term's word forms: how many of its tokens came with one (a term
/// whose every token did is only a stem), and the last form seen with it.
struct TermForms {
    var formTokens: UInt32 = 0
    var lastForm: Int32 = -1
}

/// The buffered postings of one field: its terms and each term's list, and for text fields
/// the word forms (words as written that differ from their terms, see ``WordFormFormat``).
struct FieldPostings {
    private(set) var terms = TermTable()
    private(set) var lists: [BufferedPostings] = []
    /// The streams of `lists`.
    private(set) var pool = StreamPool()
    /// The field's word forms, interned by their bytes.
    private(set) var forms = TermTable()
    /// Per form, the term (id) it was first seen with.
    private var formTerms: [Int32] = []
    /// Forms seen with more than one term (an analyzer's alternatives): the other terms.
    private var moreFormTerms: [Int: [Int32]] = [:]
    /// Per term id (as far as any term has a form): see ``TermForms``.
    private(set) var termForms: [TermForms] = []
    /// The term id of each token of a document added out of order (reused).
    private var termIDs: [Int32] = []
    /// The order in which a document's tokens are added when they are out of order (reused).
    private var order: [UInt64] = []

    /// Adds a document's tokens for this field (doc ids increasing across calls), and the word
    /// forms of those tokens whose term is not the word as written (see ``WordFormList``).
    /// - Returns: an estimate of the bytes the field grew by.
    mutating func add(tokens: [(term: String, position: Int)], forms: WordFormList, document: UInt32) -> Int {
        guard isInOrder(tokens) else { return add(outOfOrder: tokens, forms: forms, document: document) }
        // The forms are in token order: each is taken as its token is added, with its term id.
        var grown = 0
        var reader = forms.reader()
        var nextForm = reader.nextToken()
        for (index, (term, position)) in tokens.enumerated() {
            let (id, isNew) = terms.intern(term)
            if isNew {
                lists.append(BufferedPostings(pool: &pool))
                grown += term.utf8.count + 96
            }
            grown += lists[id].add(document: document, position: UInt32(clamping: max(0, position)), pool: &pool)
            if index == nextForm {
                grown += reader.withForm { add(form: $0, term: id) }
                nextForm = reader.nextToken()
            }
        }
        return grown
    }

    /// ``add(tokens:forms:document:)`` for tokens whose positions go backwards somewhere (a
    /// compound after its parts): added in order of position, their term ids kept for the forms.
    private mutating func add(outOfOrder tokens: [(term: String, position: Int)], forms: WordFormList, document: UInt32) -> Int {
        // (position, index) as one integer each: sorted, the order of a stable sort by position.
        var order: [UInt64] = []
        swap(&order, &self.order)
        defer { swap(&order, &self.order) }
        order.removeAll(keepingCapacity: true)
        for index in tokens.indices { order.append(UInt64(UInt32(clamping: max(0, tokens[index].position))) << 32 | UInt64(index)) }
        order.sort()
        if termIDs.count < tokens.count { termIDs.append(contentsOf: repeatElement(0, count: tokens.count - termIDs.count)) }
        var grown = 0
        for key in order {
            let index = Int(truncatingIfNeeded: key & 0xFFFF_FFFF)
            let (term, position) = tokens[index]
            let (id, isNew) = terms.intern(term)
            if isNew {
                lists.append(BufferedPostings(pool: &pool))
                grown += term.utf8.count + 96
            }
            grown += lists[id].add(document: document, position: UInt32(clamping: max(0, position)), pool: &pool)
            termIDs[index] = Int32(truncatingIfNeeded: id)
        }
        forms.forEach { token, form in
            if token < tokens.count { grown += add(form: form, term: Int(termIDs[token])) }
        }
        return grown
    }

    /// Adds a document's tokens for this field (doc ids increasing across calls).
    /// - Returns: an estimate of the bytes the field grew by.
    mutating func add(tokens: [(term: String, position: Int)], document: UInt32) -> Int {
        let tokens = isInOrder(tokens) ? tokens : tokens.sorted { $0.position < $1.position }
        // (A new term costs its bytes and about 96 more: its table entry, its list's state
        // and the headers of the list's two arrays.)
        var grown = 0
        for (term, position) in tokens {
            let (id, isNew) = terms.intern(term)
            if isNew {
                lists.append(BufferedPostings(pool: &pool))
                grown += term.utf8.count + 96
            }
            grown += lists[id].add(document: document, position: UInt32(clamping: max(0, position)), pool: &pool)
        }
        return grown
    }

    /// Whether positions never go backwards in `tokens` (an analyzer may emit a token, a joined
    /// compound, after later ones, at its first part's position; postings need them in order).
    private func isInOrder(_ tokens: [(term: String, position: Int)]) -> Bool {
        var previous = Int.min
        for token in tokens {
            if token.position < previous { return false }
            previous = token.position
        }
        return true
    }

    /// Records that a token of term `term` (an id) was written `form` (UTF-8). A term's tokens
    /// are mostly written as its last one: then a comparison of bytes is all it costs.
    @inline(__always)
    private mutating func add(form: UnsafeBufferPointer<UInt8>, term: Int) -> Int {
        var grown = 0
        if term >= termForms.count {
            grown += 8 * (lists.count - termForms.count)
            termForms.append(contentsOf: repeatElement(TermForms(), count: lists.count - termForms.count))
        }
        termForms[term].formTokens &+= 1
        let last = Int(termForms[term].lastForm)
        if last >= 0, forms.termEquals(last, form) { return grown }
        return grown + add(newForm: form, term: term)
    }

    /// ``add(form:term:)`` when the form is not the term's last one.
    private mutating func add(newForm form: UnsafeBufferPointer<UInt8>, term: Int) -> Int {
        var grown = 0
        let (id, isNew) = forms.intern(form)
        let term32 = Int32(truncatingIfNeeded: term)
        if isNew {
            formTerms.append(term32)
            grown += form.count + 40
        } else if formTerms[id] != term32, moreFormTerms[id]?.contains(term32) != true {
            moreFormTerms[id, default: []].append(term32)
            grown += 16
        }
        termForms[term].lastForm = Int32(truncatingIfNeeded: id)
        return grown
    }

    /// The terms (ids) form `id` was seen with.
    func termsOfForm(_ id: Int) -> [Int] {
        [Int(formTerms[id])] + (moreFormTerms[id] ?? []).map { Int($0) }
    }

    /// Per term id, how many of its tokens came with a form (a term whose every token did is
    /// only a stem); empty or shorter than the terms when the last terms had none.
    func formTokenCounts() -> [UInt32] { termForms.map(\.formTokens) }

    /// Adds `document` to the list of the keyword `value`.
    /// - Returns: an estimate of the bytes the field grew by.
    mutating func add(value: String, document: UInt32) -> Int {
        let (id, isNew) = terms.intern(value)
        var grown = 0
        if isNew {
            lists.append(BufferedPostings(pool: &pool))
            grown += value.utf8.count + 96
        }
        return grown + lists[id].add(document: document, pool: &pool)
    }
}
