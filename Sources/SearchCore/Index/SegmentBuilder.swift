// Builds a segment in memory and serializes it. Documents arrive in doc-id order (from
// IndexWriter, or from a merge that replays the postings of older segments), so postings
// lists are appended to and never sorted.

/// The kinds of field a segment knows.
enum FieldKind: UInt8 {
    case text = 0
    case keyword = 1
    /// The reserved field holding document keys, for delete and update by key.
    case key = 2
}

/// The reserved field name of document keys.
let keyFieldName = "_key"

/// Field layout shared by builders and readers: text fields, then keyword fields, then `_key`.
struct FieldTable: Sendable, Hashable {
    let names: [String]
    let kinds: [FieldKind]
    let textFieldCount: Int
    /// The keyword fields' indices, in order (read for every document added: kept, not
    /// recomputed).
    let keywordFieldIndices: [Int]

    init(schema: Schema) {
        self.init(
            names: schema.textFields.map(\.name) + schema.keywordFields + [keyFieldName],
            kinds: schema.textFields.map { _ in FieldKind.text } + schema.keywordFields.map { _ in .keyword } + [.key])
    }

    init(names: [String], kinds: [FieldKind]) {
        self.names = names
        self.kinds = kinds
        textFieldCount = kinds.filter { $0 == .text }.count
        keywordFieldIndices = kinds.indices.filter { kinds[$0] == .keyword }
    }

    func index(of name: String) -> Int? { names.firstIndex(of: name) }

    var keyFieldIndex: Int { kinds.firstIndex(of: .key) ?? names.count - 1 }
}

/// One term's postings, ready to encode (from the buffer or from a merge): doc ids and
/// frequencies, and for text fields each document's positions as a segment stores them
/// (varint deltas), concatenated, with where each document's bytes end.
struct PostingsAccumulator {
    var docs: [UInt32] = []
    var freqs: [UInt32] = []
    var encodedPositions: [UInt8] = []
    var encodedPositionEnds: [Int] = []

    /// Empties the list, keeping its storage for the next term.
    mutating func removeAll() {
        docs.removeAll(keepingCapacity: true)
        freqs.removeAll(keepingCapacity: true)
        encodedPositions.removeAll(keepingCapacity: true)
        encodedPositionEnds.removeAll(keepingCapacity: true)
    }
}

/// An in-memory segment.
final class SegmentBuilder {
    let fields: FieldTable
    private(set) var documentCount = 0
    /// The postings of every text and keyword field (the key field's come from `keys`).
    private var postings: [FieldPostings]
    /// Per text field, the documents with text in it and their lengths in positions, in doc
    /// order (a clearing-house schema has a field per language; a document fills few).
    private var lengths: [[(document: UInt32, length: UInt32)]]
    private var keys: [String] = []
    private var keywordColumns: [KeywordColumnBuilder]
    /// Rough bytes held, to decide when to flush.
    private(set) var estimatedBytes = 0

    init(fields: FieldTable) {
        self.fields = fields
        postings = Array(repeating: FieldPostings(), count: fields.names.count)
        lengths = Array(repeating: [], count: fields.textFieldCount)
        keywordColumns = Array(repeating: KeywordColumnBuilder(), count: fields.names.count)
    }

    /// Adds a document given its analyzed text (one token list per text field, in field order),
    /// the word forms of its tokens (one list per text field, or none: see
    /// ``AnalyzedDocument``) and keyword values (one list per keyword field, in field order).
    @discardableResult
    func addAnalyzed(
        key: String, textTokens: [[(term: String, position: Int)]], wordForms: [WordFormList] = [],
        keywords: [[String]]
    ) -> Int {
        let doc = UInt32(documentCount)
        documentCount += 1
        keys.append(key)
        var grown = key.utf8.count + 24
        for (field, tokens) in textTokens.enumerated() {
            // Straight into the postings: one hash probe per token, no per-document grouping.
            guard !tokens.isEmpty else { continue }
            if field < wordForms.count, !wordForms[field].isEmpty {
                grown += postings[field].add(tokens: tokens, forms: wordForms[field], document: doc)
            } else {
                grown += postings[field].add(tokens: tokens, document: doc)
            }
            // The length counts positions, not tokens: the alternatives at one position (a CJK
            // character under its bigram, a stem with and without accents, a joined compound)
            // are one word, as Lucene's `discountOverlaps` counts them.
            // (A joined compound comes after its parts, at the first part's position: only
            // a position past every one before counts.)
            var length = 0
            var lastPosition = Int.min
            for token in tokens where token.position > lastPosition {
                length += 1
                lastPosition = token.position
            }
            lengths[field].append((doc, UInt32(clamping: length)))
            grown += 8
        }
        for (offset, field) in fields.keywordFieldIndices.enumerated() {
            let values = offset < keywords.count ? keywords[offset] : []
            keywordColumns[field].append(values)
            grown += 4 + values.count * 4
            for value in values { grown += postings[field].add(value: value, document: doc) }
        }
        estimatedBytes += grown
        return Int(doc)
    }

    /// Writes the segment file at `path` (fsynced).
    func build(to path: String) throws(IndexError) {
        let stored = (0..<fields.textFieldCount).filter { !lengths[$0].isEmpty }
        let columns = fields.keywordFieldIndices.map { keywordColumns[$0].sorted() }
        let perDocument = PerDocumentWriter(path: path, fields: fields, storedFields: stored, dictionaries: columns.map(\.dictionary))
        var next = [Int](repeating: 0, count: fields.textFieldCount)  // per field, into `lengths`
        // One document's data at a time, in arrays reused from document to document.
        var documentLengths = [UInt32](repeating: 0, count: fields.textFieldCount)
        var documentNorms = [UInt8](repeating: 0, count: stored.count)
        var documentOrdinals = [[UInt32]](repeating: [], count: columns.count)
        for doc in 0..<documentCount {
            for (slot, field) in stored.enumerated() {
                let index = next[field]
                if index < lengths[field].count, lengths[field][index].document == doc {
                    documentLengths[field] = lengths[field][index].length
                    next[field] = index + 1
                } else {
                    documentLengths[field] = 0
                }
                documentNorms[slot] = LengthNorm.encode(Int(documentLengths[field]))
            }
            for column in columns.indices { columns[column].ordinals(doc, into: &documentOrdinals[column]) }
            try perDocument.add(key: keys[doc], lengths: documentLengths, norms: documentNorms, keywordOrdinals: documentOrdinals)
        }
        var encoder = try SegmentEncoder(path: path, fields: fields, perDocument: perDocument)
        var list = PostingsAccumulator()  // one term's, its storage reused from term to term
        var scratch: [UInt8] = []
        for field in fields.names.indices where field != fields.keyFieldIndex {
            let fieldPostings = postings[field]
            let hasPositions = fields.kinds[field] == .text
            let formTokenCounts = fieldPostings.formTokenCounts()
            // Terms that came with a form in every occurrence (in term order): stems only.
            var stemsOnly: [Int] = []
            for id in fieldPostings.terms.sortedIDs() {
                fieldPostings.lists[id].decode(into: &list, withPositions: hasPositions, pool: fieldPostings.pool, scratch: &scratch)
                try encoder.addTerm(field: field, term: fieldPostings.terms.term(id), postings: list)
                if id < formTokenCounts.count, formTokenCounts[id] > 0,
                    list.freqs.reduce(0, { $0 + UInt64($1) }) == UInt64(formTokenCounts[id])
                {
                    stemsOnly.append(id)
                }
            }
            if fieldPostings.forms.count > 0 || !stemsOnly.isEmpty {
                try Self.addWordForms(of: fieldPostings, field: field, stemsOnly: stemsOnly, to: &encoder)
            }
        }
        // The key field: every document under its key (a key repeats when a document was
        // replaced within the buffer; the replaced one is marked deleted).
        let byKey = keys.indices.sorted { left, right in
            let order = Self.compareUTF8(keys[left], keys[right])
            return order == 0 ? left < right : order < 0
        }
        var start = 0
        while start < byKey.count {
            var end = start + 1
            // (Equal as bytes: String's == would join canonically equivalent spellings.)
            while end < byKey.count, Self.compareUTF8(keys[byKey[end]], keys[byKey[start]]) == 0 { end += 1 }
            list.removeAll()
            for index in start..<end {
                list.docs.append(UInt32(byKey[index]))
                list.freqs.append(1)
            }
            try encoder.addTerm(field: fields.keyFieldIndex, term: keys[byKey[start]], postings: list)
            start = end
        }
        try encoder.finish()
    }

    /// Writes the word-form dictionary entries of text field `field`: its forms and the terms
    /// in `stemsOnly` (ids in term order), merged in byte order.
    private static func addWordForms(
        of postings: FieldPostings, field: Int, stemsOnly: [Int], to encoder: inout SegmentEncoder
    ) throws(IndexError) {
        let terms = postings.terms
        let forms = postings.forms
        var nextStem = 0
        func addStemsOnly(before form: ArraySlice<UInt8>?) throws(IndexError) {
            while nextStem < stemsOnly.count {
                let stem = terms.term(stemsOnly[nextStem])
                if let form, compare(stem, form) >= 0 { return }
                try encoder.addWordForm(field: field, form: stem, terms: [], isStemOnly: true)
                nextStem += 1
            }
        }
        for id in forms.sortedIDs() {
            let form = forms.term(id)
            try addStemsOnly(before: form)
            var isStemOnly = false
            if nextStem < stemsOnly.count, compare(terms.term(stemsOnly[nextStem]), form) == 0 {
                isStemOnly = true
                nextStem += 1
            }
            var formTerms = postings.termsOfForm(id).map { Array(terms.term($0)) }
            if formTerms.count > 1 {
                formTerms.sort { compare($0[...], $1[...]) < 0 }
            }
            try encoder.addWordForm(field: field, form: form, terms: formTerms, isStemOnly: isStemOnly)
        }
        try addStemsOnly(before: nil)
    }

    /// ``TermTable/compare(_:_:)`` of two byte strings.
    private static func compare(_ left: ArraySlice<UInt8>, _ right: ArraySlice<UInt8>) -> Int {
        left.withUnsafeBufferPointer { left in right.withUnsafeBufferPointer { right in TermTable.compare(left, right) } }
    }

    /// ``TermTable/compare(_:_:)`` of two strings' UTF-8 bytes.
    private static func compareUTF8(_ left: String, _ right: String) -> Int {
        var left = left
        var right = right
        return left.withUTF8 { left in right.withUTF8 { right in TermTable.compare(left, right) } }
    }
}

/// Writes a segment file: per-document data given up front, then terms one at a time in
/// dictionary order (field, then term bytes). Merges feed it term by term, so only one
/// term's postings are ever held in memory besides the encoded output.
struct SegmentEncoder {
    let fields: FieldTable
    private let perDocument: PerDocumentWriter
    private let path: String
    private let postingsWriter: SpillBuffer
    private let positionsWriter: SpillBuffer
    private var termDictionary: DictionaryWriter
    private var formDictionary: DictionaryWriter
    /// The last word-form key added (keys must increase).
    private var previousFormKey: [UInt8] = []
    // Reused from term to term: a segment has millions of terms, most with a few postings,
    // and allocating these per term was most of the cost of writing them.
    private var key: [UInt8] = []
    private var termPostings = ByteWriter()
    private var termPositions = ByteWriter()
    private var scratch = PostingsFormat.Scratch()

    /// - Parameter perDocument: the per-document data of every document, already added.
    init(path: String, fields: FieldTable, perDocument: PerDocumentWriter) throws(IndexError) {
        self.path = path
        postingsWriter = SpillBuffer(temporaryPath: path + ".postings.tmp")
        positionsWriter = SpillBuffer(temporaryPath: path + ".positions.tmp")
        termDictionary = DictionaryWriter(temporaryPath: path + ".terms.tmp")
        formDictionary = DictionaryWriter(temporaryPath: path + ".forms.tmp")
        self.fields = fields
        self.perDocument = perDocument
    }

    /// Adds a term; terms must come in increasing (field, term bytes) order.
    mutating func addTerm(field: Int, term: String, postings list: PostingsAccumulator) throws(IndexError) {
        try addTerm(field: field, term: term.utf8, postings: list)
    }

    /// Adds a term given as UTF-8 bytes; terms must come in increasing (field, term bytes) order.
    mutating func addTerm<Bytes: Collection>(field: Int, term: Bytes, postings list: PostingsAccumulator) throws(IndexError)
    where Bytes.Element == UInt8 {
        guard !list.docs.isEmpty else { return }
        TermKey.make(field: field, term: term, into: &key)
        let postingsOffset = postingsWriter.count
        let positionsOffset = positionsWriter.count
        termPostings.bytes.removeAll(keepingCapacity: true)
        termPositions.bytes.removeAll(keepingCapacity: true)
        let totalFrequency = PostingsFormat.write(
            list, norms: field < fields.textFieldCount ? perDocument.norms(field: field) : [], hasPositions: fields.kinds[field] == .text,
            postings: &termPostings, positions: &termPositions, scratch: &scratch)
        try postingsWriter.append(termPostings.bytes)
        try positionsWriter.append(termPositions.bytes)
        try termDictionary.add(key: &key) { entry in
            entry.varint(list.docs.count)
            entry.varint(totalFrequency)
            entry.varint(postingsOffset)
            entry.varint(positionsOffset)
        }
    }

    /// Adds the word-form entry of `form` (UTF-8) in text field `field`: the terms the word is
    /// indexed under (sorted, distinct, none equal to the form) and whether the form's bytes,
    /// as a term of the field, are a stem that no document has as a word of its own (see
    /// ``WordFormFormat``). Entries must come in increasing (field, form bytes) order; an
    /// entry with neither terms nor the mark is left out.
    mutating func addWordForm<Bytes: Collection>(field: Int, form: Bytes, terms: [[UInt8]], isStemOnly: Bool) throws(IndexError)
    where Bytes.Element == UInt8 {
        guard !terms.isEmpty || isStemOnly else { return }
        TermKey.make(field: field, term: form, into: &key)
        // (Out-of-order keys would make a dictionary that lookups cannot search.)
        guard previousFormKey.isEmpty || previousFormKey.lexicographicallyPrecedes(key) else {
            throw IndexError(.invalidArgument, "word forms out of order")
        }
        previousFormKey.removeAll(keepingCapacity: true)
        previousFormKey.append(contentsOf: key)
        try formDictionary.add(key: &key) { entry in WordFormFormat.write(terms: terms, isStemOnly: isStemOnly, form: form, into: &entry) }
    }

    /// Writes the rest of the segment file and fsyncs it.
    mutating func finish() throws(IndexError) {
        let termIndex = try termDictionary.finish()
        let formIndex = try formDictionary.finish()

        var meta = ByteWriter()
        meta.varint(perDocument.documentCount)
        meta.varint(fields.names.count)
        for (index, name) in fields.names.enumerated() {
            meta.string(name)
            meta.byte(fields.kinds[index].rawValue)
        }
        for field in 0..<fields.textFieldCount {
            meta.uint64(perDocument.sumLengths[field])
            meta.uint64(perDocument.documentsWithText[field])
            // (0: not stored; 1: lengths of 4 bytes, as format 7 wrote them; 2: 1 byte; 3: 2 bytes.)
            meta.byte(SegmentFileFormat.lengthCode(width: perDocument.lengthWidth(field: field)))
        }
        let sections = try perDocument.sections()

        var file = try SegmentFileOutput(path: path)
        do {
            try file.add(.meta, meta.bytes)
            try file.add(.termIndex, termIndex)
            try file.add(.termBlocks, termDictionary.blocks)
            try file.add(.postings, postingsWriter)
            try file.add(.positions, positionsWriter)
            try file.add(.norms, parts: sections.norms)
            try file.add(.lengths, parts: sections.lengths)
            try file.add(.keys, parts: sections.keys)
            try file.add(.keywords, parts: sections.keywords)
            // (Segments without word forms have no such sections, as before they existed.)
            if !formDictionary.isEmpty {
                try file.add(.formIndex, formIndex)
                try file.add(.formBlocks, formDictionary.blocks)
            }
            try file.finish()
        } catch {
            file.abandon()
            throw error
        }
    }
}

/// Term dictionary keys: a 2-byte big-endian field number, then the term's UTF-8 bytes, so
/// that byte order sorts by field, then term.
enum TermKey {
    static func make(field: Int, term: String) -> [UInt8] {
        [UInt8(field >> 8), UInt8(field & 0xFF)] + Array(term.utf8)
    }

    /// The key of `term` (UTF-8 bytes) in `key`, whose storage is reused.
    static func make<Bytes: Collection>(field: Int, term: Bytes, into key: inout [UInt8]) where Bytes.Element == UInt8 {
        key.removeAll(keepingCapacity: true)
        key.append(UInt8(field >> 8))
        key.append(UInt8(field & 0xFF))
        key.append(contentsOf: term)
    }
}

enum TermDictionaryFormat {
    /// Terms per front-coded dictionary block.
    static let blockSize = 32
}

/// The postings list of one term:
///
///     skip table (only when the list has more than one block of 128 documents):
///         4 bytes: bit widths of the first four entry fields
///         one bit-packed entry per block (the last block may be shorter), of fields
///             last doc id, block byte offset, positions byte offset (both relative to the
///             list's start), max frequency, min norm (8 bits)
///     blocks: bits per doc delta u8, bits per (frequency - 1) u8, packed deltas, packed frequencies
///
/// Doc deltas are relative to the previous block's last doc (the first block's to 0). The
/// entries are fixed-width within a list, so a block's entry is found without decoding the
/// others (binary search over last doc ids); widths are chosen per list, which keeps skip
/// data near 0.07 bytes per posting.
enum PostingsFormat {
    /// Bits of the min-norm field of a skip entry.
    static let normBits = 8

    /// Arrays `write` needs for one list, kept from list to list.
    struct Scratch {
        var deltas: [UInt32] = []
        var frequencies: [UInt32] = []
        /// Skip-entry fields per block: last doc, block offset, positions offset, max frequency.
        var entries: [[UInt32]] = [[], [], [], []]
        var minNorms: [UInt32] = []
        var stream: [(value: UInt32, bits: Int)] = []
        var data = ByteWriter()
    }

    /// Writes `list`; returns the term's total frequency.
    static func write(
        _ list: PostingsAccumulator, norms: [UInt8], hasPositions: Bool, postings: inout ByteWriter,
        positions: inout ByteWriter, scratch: inout Scratch
    ) -> Int {
        let count = list.docs.count
        let blockCount = (count + postingsBlockSize - 1) / postingsBlockSize
        for field in 0..<4 { scratch.entries[field].removeAll(keepingCapacity: true) }
        scratch.minNorms.removeAll(keepingCapacity: true)
        scratch.data.bytes.removeAll(keepingCapacity: true)
        let positionsStart = positions.count
        var previousLast: UInt32 = 0
        var total = 0
        for block in 0..<blockCount {
            let range = block * postingsBlockSize..<min(count, (block + 1) * postingsBlockSize)
            scratch.deltas.removeAll(keepingCapacity: true)
            scratch.frequencies.removeAll(keepingCapacity: true)
            var previous = previousLast
            var maxFrequency: UInt32 = 0
            var minNorm: UInt8 = .max
            for index in range {
                let doc = list.docs[index]
                let frequency = list.freqs[index]
                scratch.deltas.append(doc - previous)
                scratch.frequencies.append(frequency - 1)
                previous = doc
                maxFrequency = max(maxFrequency, frequency)
                if !norms.isEmpty { minNorm = min(minNorm, norms[Int(doc)]) }
                total += Int(frequency)
            }
            if norms.isEmpty { minNorm = 0 }
            if blockCount > 1 {
                scratch.entries[0].append(list.docs[range.upperBound - 1])
                scratch.entries[1].append(UInt32(scratch.data.count))
                scratch.entries[2].append(UInt32(positions.count - positionsStart))
                scratch.entries[3].append(maxFrequency)
                scratch.minNorms.append(UInt32(minNorm))
            }
            let docBits = BitPacking.bitsRequired(scratch.deltas)
            let frequencyBits = BitPacking.bitsRequired(scratch.frequencies)
            scratch.data.byte(UInt8(docBits))
            scratch.data.byte(UInt8(frequencyBits))
            BitPacking.pack(scratch.deltas, bits: docBits, into: &scratch.data)
            BitPacking.pack(scratch.frequencies, bits: frequencyBits, into: &scratch.data)
            if hasPositions, !list.encodedPositionEnds.isEmpty {
                let from = range.lowerBound == 0 ? 0 : list.encodedPositionEnds[range.lowerBound - 1]
                positions.bytes.append(contentsOf: list.encodedPositions[from..<list.encodedPositionEnds[range.upperBound - 1]])
            }
            previousLast = list.docs[range.upperBound - 1]
        }
        if blockCount > 1 {
            let widths = scratch.entries.map { BitPacking.bitsRequired($0) }
            for width in widths { postings.byte(UInt8(width)) }
            // Interleave the fields entry by entry into one bit stream.
            scratch.stream.removeAll(keepingCapacity: true)
            for block in 0..<blockCount {
                for field in 0..<4 { scratch.stream.append((scratch.entries[field][block], widths[field])) }
                scratch.stream.append((scratch.minNorms[block], normBits))
            }
            BitPacking.packMixed(scratch.stream, into: &postings)
        }
        postings.append(scratch.data.bytes)
        return total
    }
}

/// A keyword column under construction: each document's values as ordinals into a
/// dictionary of distinct values (sorted when encoded).
struct KeywordColumnBuilder {
    private var ordinalOf: [String: UInt32] = [:]
    private var dictionary: [String] = []
    private var offsets: [UInt32] = [0]
    private var ordinals: [UInt32] = []

    /// Appends the next document's values.
    mutating func append(_ values: [String]) {
        for value in values {
            if let ordinal = ordinalOf[value] {
                ordinals.append(ordinal)
            } else {
                let ordinal = UInt32(dictionary.count)
                ordinalOf[value] = ordinal
                dictionary.append(value)
                ordinals.append(ordinal)
            }
        }
        offsets.append(UInt32(ordinals.count))
    }

    /// The column with its dictionary sorted (ordinals renumbered).
    func sorted() -> SortedKeywordColumn {
        let sortedValues = dictionary.sorted()
        let newOrdinal = Dictionary(uniqueKeysWithValues: sortedValues.enumerated().map { ($1, UInt32($0)) })
        return SortedKeywordColumn(
            dictionary: sortedValues, remap: dictionary.map { newOrdinal[$0] ?? 0 }, offsets: offsets, ordinals: ordinals)
    }
}

/// A keyword column ready to write: the sorted dictionary, and each document's ordinals into it.
struct SortedKeywordColumn {
    let dictionary: [String]
    /// Old ordinal (order of first occurrence) -> ordinal in `dictionary`.
    let remap: [UInt32]
    let offsets: [UInt32]
    let ordinals: [UInt32]

    /// Document `doc`'s ordinals, into `output` (emptied first, its storage reused).
    func ordinals(_ doc: Int, into output: inout [UInt32]) {
        output.removeAll(keepingCapacity: true)
        guard doc + 1 < offsets.count else { return }
        for ordinal in ordinals[Int(offsets[doc])..<Int(offsets[doc + 1])] { output.append(remap[Int(ordinal)]) }
    }
}
