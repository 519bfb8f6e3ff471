// The front-coded block dictionary of a segment, shared by the term dictionary and the word-form
// dictionary: sorted byte-string keys in blocks of 32 entries, each key front-coded against the
// one before it in its block and followed by its entry's data (a term's postings metadata, a
// word form's terms), with a sparse index of each block's first key.
//
//   index:  varint block count, then per block: varint key length, key, varint block offset
//   blocks: per block: varint entry count, then per entry:
//           varint shared prefix length, varint suffix length, suffix bytes, entry data

/// Writes a block dictionary: entries in increasing key order; blocks go to a spill buffer,
/// the sparse index stays in memory.
struct DictionaryWriter {
    /// The blocks written so far (a section of the segment file).
    let blocks: SpillBuffer
    private var block = ByteWriter()
    private var entriesInBlock = 0
    private var blockCount = 0
    private var previousKey: [UInt8] = []
    private var indexEntries = ByteWriter()

    /// - Parameter temporaryPath: where the blocks spill when they grow large.
    init(temporaryPath: String) {
        blocks = SpillBuffer(temporaryPath: temporaryPath)
    }

    /// Whether no entry was added.
    var isEmpty: Bool { blockCount == 0 }

    /// Adds the entry with `key`, which must sort after the previous one, and whose data
    /// `writeData` appends. `key`'s storage is swapped with the previous key's (a writer of
    /// millions of keys reuses two arrays): its contents are unspecified afterwards.
    @inline(__always)
    mutating func add(key: inout [UInt8], data writeData: (inout ByteWriter) -> Void) throws(IndexError) {
        if entriesInBlock == TermDictionaryFormat.blockSize { try flushBlock() }
        if entriesInBlock == 0 {
            indexEntries.varint(key.count)
            indexEntries.append(key)
            indexEntries.varint(blocks.count)
            blockCount += 1
            previousKey.removeAll(keepingCapacity: true)
        }
        let shared = zip(previousKey, key).prefix { $0 == $1 }.count
        block.varint(shared)
        block.varint(key.count - shared)
        block.bytes.append(contentsOf: key[shared...])
        writeData(&block)
        entriesInBlock += 1
        swap(&previousKey, &key)
    }

    private mutating func flushBlock() throws(IndexError) {
        guard entriesInBlock > 0 else { return }
        var header = ByteWriter()
        header.varint(entriesInBlock)
        try blocks.append(header.bytes + block.bytes)
        block = ByteWriter()
        entriesInBlock = 0
    }

    /// Writes the last block; returns the sparse index (``blocks`` is then complete).
    mutating func finish() throws(IndexError) -> [UInt8] {
        try flushBlock()
        var index = ByteWriter()
        index.varint(blockCount)
        index.append(indexEntries.bytes)
        return index.bytes
    }
}

/// A block dictionary opened for reading: the sparse index decoded, the blocks in the mapping.
struct BlockDictionary: @unchecked Sendable {
    // The blocks point into a read-only mapping that outlives the dictionary (its segment's).
    /// The first key of each block.
    let indexKeys: [[UInt8]]
    /// Where each block starts in `blocks`.
    let indexOffsets: [Int]
    let blocks: UnsafeRawBufferPointer

    /// A dictionary without entries.
    static let empty = BlockDictionary(indexKeys: [], indexOffsets: [], blocks: UnsafeRawBufferPointer(start: nil, count: 0))

    private init(indexKeys: [[UInt8]], indexOffsets: [Int], blocks: UnsafeRawBufferPointer) {
        self.indexKeys = indexKeys
        self.indexOffsets = indexOffsets
        self.blocks = blocks
    }

    /// Decodes the sparse index `index` of `blocks`; nil when it is damaged.
    init?(index: UnsafeRawBufferPointer, blocks: UnsafeRawBufferPointer) {
        var reader = ByteReader(index)
        let blockCount = reader.varintInt()
        // (Each index entry takes at least two bytes.)
        guard reader.isValid, blockCount >= 0, blockCount <= index.count else { return nil }
        var keys: [[UInt8]] = []
        var offsets: [Int] = []
        keys.reserveCapacity(blockCount)
        offsets.reserveCapacity(blockCount)
        for _ in 0..<blockCount {
            let length = reader.varintInt()
            keys.append(Array(reader.bytes(length)))
            offsets.append(reader.varintInt())
        }
        guard reader.isValid else { return nil }
        self.init(indexKeys: keys, indexOffsets: offsets, blocks: blocks)
    }

    /// The last block whose first key is <= `key` (or 0).
    func block(for key: [UInt8]) -> Int {
        var low = 0
        var high = indexKeys.count - 1
        var found = 0
        while low <= high {
            let middle = (low + high) / 2
            if indexKeys[middle].lexicographicallyPrecedes(key) || indexKeys[middle] == key {
                found = middle
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        return found
    }
}

/// How a dictionary's entries carry their data after the key.
protocol DictionaryEntryDecoder {
    associatedtype Entry
    /// Reads the data of the entry whose key is `key` from `reader`; nil when it is damaged.
    func read(_ reader: inout ByteReader, key: [UInt8]) -> Entry?
}

/// What a walk of a dictionary read (for tests and measurements).
struct DictionaryWalkStatistics: Hashable {
    /// Dictionary blocks opened.
    var blocksRead = 0
    /// Dictionary entries decoded (key rebuilt, entry read), including those passed over
    /// within a block on the way to a seek target.
    var termsDecoded = 0
    /// Terms (or word forms) run through the automaton.
    var termsExamined = 0
    /// Seeks to a key past the current one.
    var seeks = 0
}

/// Reads a block dictionary forwards, entry by entry, seeking ahead through the sparse index.
struct DictionaryCursor<Decoder: DictionaryEntryDecoder> {
    let dictionary: BlockDictionary
    let decoder: Decoder
    /// The current entry's key and data (nil: before the first seek, past the end, or the
    /// dictionary is damaged).
    private(set) var key: [UInt8] = []
    private(set) var entry: Decoder.Entry?
    private(set) var statistics = DictionaryWalkStatistics()
    private var block = -1
    private var reader: ByteReader
    /// Entries of the block after the current one.
    private var remaining = 0
    private(set) var isDamaged = false

    init(_ dictionary: BlockDictionary, decoder: Decoder) {
        self.dictionary = dictionary
        self.decoder = decoder
        reader = ByteReader(dictionary.blocks)
    }

    /// Moves to the next entry.
    mutating func advance() {
        guard !isDamaged else { return }
        while remaining == 0 {
            guard block + 1 < dictionary.indexKeys.count else {
                entry = nil
                return
            }
            open(block + 1)
            if isDamaged { return }
        }
        readEntry()
    }

    /// Moves to the first entry whose key is >= `target` (targets must increase): through
    /// the current block when the target sorts before the next block's first key, else
    /// from the start of the last block whose first key is <= the target.
    mutating func seek(to target: [UInt8]) {
        guard !isDamaged, block < 0 || entry != nil else { return }
        statistics.seeks += 1
        let indexKeys = dictionary.indexKeys
        let inCurrentBlock = block >= 0 && (block + 1 == indexKeys.count || target.lexicographicallyPrecedes(indexKeys[block + 1]))
        if !inCurrentBlock {
            let found = dictionary.block(for: target)
            if found > block {
                open(found)
                advance()
            }
        }
        while entry != nil, key.lexicographicallyPrecedes(target) { advance() }
    }

    private mutating func open(_ newBlock: Int) {
        block = newBlock
        reader = ByteReader(dictionary.blocks, offset: dictionary.indexOffsets[newBlock])
        remaining = reader.varintInt()
        key.removeAll(keepingCapacity: true)
        statistics.blocksRead += 1
        if !reader.isValid || remaining < 0 { fail() }
    }

    private mutating func readEntry() {
        remaining -= 1
        let shared = reader.varintInt()
        let suffix = reader.varintInt()
        guard reader.isValid, shared >= 0, shared <= key.count else { return fail() }
        key.removeSubrange(shared...)
        key.append(contentsOf: reader.bytes(suffix))
        guard reader.isValid, let next = decoder.read(&reader, key: key) else { return fail() }
        statistics.termsDecoded += 1
        entry = next
    }

    private mutating func fail() {
        isDamaged = true
        entry = nil
        remaining = 0
    }
}
