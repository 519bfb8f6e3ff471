// The per-document sections of a segment (norms, exact lengths, keys, keyword columns),
// written document by document into spill buffers, so that writing a segment, and above
// all merging many into one, needs memory independent of how many documents it holds.

/// A part of a section: bytes in memory, or a spill buffer.
enum SectionPart {
    case bytes([UInt8])
    case spill(SpillBuffer)
}

/// Collects the per-document data of a segment being written, in doc order.
///
/// Layouts (as ``SegmentReader`` reads them):
/// - norms: for each stored text field, one byte per document;
/// - meta (written by the encoder): per text field, sum of lengths, documents with text, and
///   whether its norms and lengths are stored;
/// - lengths: for each stored text field, one little-endian number per document, 1, 2 or 4
///   bytes wide (the narrowest that holds the field's longest; the meta says which);
/// - keys: (documents + 1) u32 offsets, then the UTF-8 bytes;
/// - keywords: for each keyword field, u64 column length, then the column: varint count and
///   the sorted dictionary, (documents + 1) u32 offsets, u32 ordinals.
final class PerDocumentWriter {
    private static let spillLimit = 1 << 16

    let fields: FieldTable
    /// Text fields whose norms and lengths are stored (fields no document can have text in
    /// are left out; the meta records which are stored).
    let storedFields: [Int]
    /// Each text field's position in `storedFields` (nil: not stored).
    private let slotOfField: [Int?]
    private(set) var documentCount = 0
    /// Per text field: sum of lengths, documents with text.
    private(set) var sumLengths: [UInt64]
    private(set) var documentsWithText: [UInt64]
    /// Norm bytes of the stored fields (kept in memory, one byte per document and field:
    /// postings need them at random for their blocks' bounds).
    private(set) var norms: [[UInt8]]
    private let lengths: [SpillBuffer]
    /// Per stored field, its longest length so far (which sets the width it is stored in).
    private var longest: [UInt32]
    private let path: String
    private let keyOffsets: SpillBuffer
    private let keyBytes: SpillBuffer
    private var keyByteCount: UInt32 = 0
    /// Per keyword field (in keyword order): the sorted dictionary, offsets and ordinals.
    private let dictionaries: [[String]]
    private let keywordOffsets: [SpillBuffer]
    private let ordinalSpills: [SpillBuffer]
    private var ordinalCounts: [UInt32]

    /// - Parameters:
    ///   - storedFields: text fields to store norms and lengths for, in increasing order.
    ///   - dictionaries: per keyword field, the sorted distinct values that ordinals index.
    init(path: String, fields: FieldTable, storedFields: [Int], dictionaries: [[String]]) {
        self.fields = fields
        self.storedFields = storedFields
        var slots = [Int?](repeating: nil, count: fields.textFieldCount)
        for (slot, field) in storedFields.enumerated() where field < slots.count { slots[field] = slot }
        slotOfField = slots
        sumLengths = Array(repeating: 0, count: fields.textFieldCount)
        documentsWithText = Array(repeating: 0, count: fields.textFieldCount)
        func spill(_ name: String) -> SpillBuffer {
            SpillBuffer(temporaryPath: "\(path).\(name).tmp", limit: Self.spillLimit)
        }
        norms = storedFields.map { _ in [] }
        lengths = storedFields.map { spill("lengths-\($0)") }
        longest = storedFields.map { _ in 0 }
        self.path = path
        keyOffsets = spill("key-offsets")
        keyBytes = spill("key-bytes")
        self.dictionaries = dictionaries
        keywordOffsets = dictionaries.indices.map { spill("keyword-offsets-\($0)") }
        ordinalSpills = dictionaries.indices.map { spill("keyword-ordinals-\($0)") }
        ordinalCounts = Array(repeating: 0, count: dictionaries.count)
    }

    /// Adds the next document.
    /// - Parameters:
    ///   - lengths: the document's length in each text field (all fields, in field order).
    ///   - norms: its norm byte in each stored field (in `storedFields` order).
    ///   - keywordOrdinals: per keyword field, indices into that field's dictionary.
    func add(key: String, lengths documentLengths: [UInt32], norms documentNorms: [UInt8], keywordOrdinals: [[UInt32]])
        throws(IndexError)
    {
        try add(keyBytes: key.utf8, lengths: documentLengths, norms: documentNorms, keywordOrdinals: keywordOrdinals)
    }

    /// Adds the next document, its key given as UTF-8 bytes (a merge copies them as stored).
    func add<Key: Collection>(
        keyBytes key: Key, lengths documentLengths: [UInt32], norms documentNorms: [UInt8], keywordOrdinals: [[UInt32]]
    ) throws(IndexError) where Key.Element == UInt8 {
        for (field, length) in documentLengths.enumerated() where length > 0 {
            sumLengths[field] += UInt64(length)
            documentsWithText[field] += 1
        }
        for (slot, field) in storedFields.enumerated() {
            norms[slot].append(slot < documentNorms.count ? documentNorms[slot] : 0)
            let length = field < documentLengths.count ? documentLengths[field] : 0
            if length > longest[slot] { longest[slot] = length }
            try lengths[slot].append(uint32: length)
        }
        try keyOffsets.append(uint32: keyByteCount)
        try keyBytes.append(contentsOf: key)
        keyByteCount &+= UInt32(truncatingIfNeeded: key.count)
        for column in dictionaries.indices {
            try keywordOffsets[column].append(uint32: ordinalCounts[column])
            let ordinals = column < keywordOrdinals.count ? keywordOrdinals[column] : []
            for ordinal in ordinals { try ordinalSpills[column].append(uint32: ordinal) }
            ordinalCounts[column] += UInt32(ordinals.count)
        }
        documentCount += 1
    }

    /// The norms of text field `field` (empty when it is not stored).
    func norms(field: Int) -> [UInt8] {
        guard field < slotOfField.count, let slot = slotOfField[field] else { return [] }
        return norms[slot]
    }

    /// The bytes each document's length in text field `field` takes (1, 2 or 4), or 0 when the
    /// field's lengths are not stored.
    func lengthWidth(field: Int) -> Int {
        guard field < slotOfField.count, let slot = slotOfField[field] else { return 0 }
        return longest[slot] <= 0xFF ? 1 : longest[slot] <= 0xFFFF ? 2 : 4
    }

    /// The lengths of stored slot `slot` at their width: a field of titles, or one that only a
    /// few documents of a merged segment have, takes a byte a document instead of four.
    private func narrowedLengths(_ slot: Int) throws(IndexError) -> SpillBuffer {
        let width = lengthWidth(field: storedFields[slot])
        guard width < 4 else { return lengths[slot] }
        let narrow = SpillBuffer(temporaryPath: "\(path).lengths-\(storedFields[slot])-narrow.tmp", limit: Self.spillLimit)
        var carried: [UInt8] = []
        try lengths[slot].forEachChunk { chunk throws(IndexError) in
            let bytes = carried + chunk
            let whole = bytes.count / 4 * 4
            var out = [UInt8]()
            out.reserveCapacity(whole / 4 * width)
            var index = 0
            while index < whole {
                out.append(bytes[index])
                if width == 2 { out.append(bytes[index + 1]) }
                index += 4
            }
            carried = Array(bytes[whole...])
            try narrow.append(out)
        }
        return narrow
    }

    /// The sections' parts (closing the offset tables).
    func sections() throws(IndexError) -> (norms: [SectionPart], lengths: [SectionPart], keys: [SectionPart], keywords: [SectionPart]) {
        try keyOffsets.append(uint32: keyByteCount)
        var keywords: [SectionPart] = []
        for column in dictionaries.indices {
            try keywordOffsets[column].append(uint32: ordinalCounts[column])
            var header = ByteWriter()
            header.varint(dictionaries[column].count)
            for value in dictionaries[column] { header.string(value) }
            let length = header.count + keywordOffsets[column].count + ordinalSpills[column].count
            var prefix = ByteWriter()
            prefix.uint64(UInt64(length))
            keywords += [.bytes(prefix.bytes + header.bytes), .spill(keywordOffsets[column]), .spill(ordinalSpills[column])]
        }
        return (
            norms.map { .bytes($0) }, try storedFields.indices.map { slot throws(IndexError) in .spill(try narrowedLengths(slot)) },
            [.spill(keyOffsets), .spill(keyBytes)], keywords
        )
    }
}
