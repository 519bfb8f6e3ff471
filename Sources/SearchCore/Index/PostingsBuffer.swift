// The in-memory postings of a segment under construction, compact the way Lucene's indexing
// chain keeps them: terms interned by their UTF-8 bytes in an open-addressing table (no
// String or dictionary entry per term), and each term's postings as bytes, doc-id deltas and
// frequencies in one stream and positions in another, already in the on-disk position
// encoding. A token costs a hash probe and two or three appended bytes, so a buffer of a
// given size holds about four times the documents that arrays of 32-bit integers would.
// Text fields also intern their word forms (words as written that differ from their terms),
// each with the terms it was seen with.

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
        // (A token of the pending document touches only `positions`: the buffer holds
        // thousands of lists, each in arrays of its own, and reading the other array's header
        // for every token was a cache miss that cost a third of the writer's time per token.)
        if pendingFrequency > 0, document == lastDocument {
            pendingFrequency += 1
            defer { lastPosition = position }
            return Self.appendVarint(position &- lastPosition, to: &positions)
        }
        let before = documents.count
        finishPending()
        lastDocument = document
        pendingFrequency = 1
        documentCount += 1
        lastPosition = position
        return documents.count - before + Self.appendVarint(position, to: &positions)
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

    /// - Returns: the bytes appended.
    @inline(__always)
    @discardableResult
    private static func appendVarint(_ value: UInt32, to bytes: inout [UInt8]) -> Int {
        if value < 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value))
            return 1
        }
        let before = bytes.count
        appendVarint(UInt64(value), to: &bytes)
        return bytes.count - before
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
                lists.append(BufferedPostings())
                grown += term.utf8.count + 96
            }
            grown += lists[id].add(document: document, position: UInt32(clamping: max(0, position)))
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
                lists.append(BufferedPostings())
                grown += term.utf8.count + 96
            }
            grown += lists[id].add(document: document, position: UInt32(clamping: max(0, position)))
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
                lists.append(BufferedPostings())
                grown += term.utf8.count + 96
            }
            grown += lists[id].add(document: document, position: UInt32(clamping: max(0, position)))
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
            lists.append(BufferedPostings())
            grown += value.utf8.count + 96
        }
        return grown + lists[id].add(document: document)
    }
}
