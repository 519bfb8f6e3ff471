import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A commit point: the segments of the index at one generation, with BM25 parameters and
/// the user's commit data. Written as `manifest-<generation>.json` to a temporary name,
/// fsynced, renamed into place, and the directory fsynced; readers take the newest one.
struct Manifest: Codable, Hashable {
    struct Segment: Codable, Hashable {
        var name: String
        var documentCount: Int
        var deletedCount: Int
        /// Generation of the deletion file (0: no deletions).
        var deletionGeneration: Int
    }

    /// The on-disk format; an index of another format must be rebuilt.
    var formatVersion = Manifest.currentFormatVersion
    /// 6: segments keep word forms (sections `formIndex` and `formBlocks`). A format-5 segment
    /// would read as one without forms, but its prefix queries would miss words whose stem
    /// differs from them, so format-5 indexes are rebuilt (the clearing house does it from
    /// the catalog on its own).
    /// 7: each character of a CJK run is indexed too, at its bigram's position (a format-6
    /// index misses one-character queries in runs; rebuilt as format 5 was).
    /// 8: a field's exact lengths take 1, 2 or 4 bytes a document, the narrowest that holds
    /// its longest (a segment's meta says which; format-7 segments, all 4 bytes, read as
    /// they are, so a format-7 index is read, and written to, without a rebuild).
    static let currentFormatVersion = 8
    /// The formats this version reads (an index of another must be rebuilt).
    static let readableFormatVersions: ClosedRange<Int> = 7...8
    var generation: Int
    var segments: [Segment]
    var bm25: BM25Parameters
    var schema: String
    var userData: [String: String]
    var nextSegmentNumber: Int

    static let prefix = "manifest-"
    static let suffix = ".json"

    static func fileName(_ generation: Int) -> String { "\(prefix)\(generation)\(suffix)" }

    /// Throws unless an index at this commit opens with `schema`: the same on-disk format,
    /// and the fields, analyzers and version `schema` has (the message names what differs).
    func checkOpens(with schema: Schema, directory: String) throws(IndexError) {
        guard Manifest.readableFormatVersions.contains(formatVersion) else {
            throw IndexError(
                .schemaMismatch,
                "the index in \(directory) has format \(formatVersion), this version writes \(Manifest.currentFormatVersion); rebuild it")
        }
        guard self.schema == schema.fingerprint else {
            throw IndexError(.schemaMismatch, Schema.mismatch(directory: directory, built: self.schema, given: schema.fingerprint))
        }
    }

    /// The names of the files this commit reads: each segment and its deletions.
    var dataFiles: [String] {
        segments.flatMap { segment in
            [segment.name + ".seg"]
                + (segment.deletionGeneration > 0 ? [DocumentSet.fileName(segment: segment.name, generation: segment.deletionGeneration)] : [])
        }
    }

    /// The damage when a file this commit reads is not in `directory` (opening it failed
    /// with an I/O error), or nil: then the failure was something else.
    func missingFileError(in directory: String) -> IndexError? {
        guard
            let missing = dataFiles.map({ (directory as NSString).appendingPathComponent($0) })
                .first(where: { !FileManager.default.fileExists(atPath: $0) })
        else { return nil }
        return IndexError(.corrupt, "the index's commit \(generation) names \(missing), which is missing")
    }

    /// Generations of the manifests in `directory`, newest first.
    ///
    /// Every search of a long-lived searcher asks this (has a newer commit appeared?), so the
    /// directory is read with `readdir` and only the manifests' names become strings.
    static func generations(in directory: String) -> [Int] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var found: [Int] = []
        while let entry = readdir(handle) {
            let generation = withUnsafeBytes(of: entry.pointee.d_name) { raw -> Int? in
                // "manifest-": m a n i f e s t -
                guard raw.count > 9, raw[0] == 0x6D, raw[1] == 0x61, raw[8] == 0x2D, let base = raw.baseAddress else { return nil }
                let name = String(cString: base.assumingMemoryBound(to: CChar.self))
                guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
                return Int(name.dropFirst(prefix.count).dropLast(suffix.count))
            }
            if let generation { found.append(generation) }
        }
        return found.sorted(by: >)
    }

    /// The newest complete manifest in `directory`, or nil for an empty index.
    ///
    /// A manifest is written whole under a temporary name and renamed, so one that does not
    /// parse is damage: the one before it is taken. When every manifest is damaged, the index
    /// is (it would read as empty, and a writer's first commit would delete its segments).
    /// A manifest that disappears between the listing and its reading was replaced by a newer
    /// commit: the directory is listed again.
    /// - Throws: ``IndexError`` with code `corrupt` when manifests exist and none parses.
    static func newest(in directory: String) throws(IndexError) -> Manifest? {
        for attempt in 0..<5 {
            let listed = generations(in: directory)
            var damaged: [Int] = []
            var vanished = false
            for generation in listed {
                let path = (directory as NSString).appendingPathComponent(fileName(generation))
                guard let data = FileManager.default.contents(atPath: path) else {
                    vanished = true
                    continue
                }
                if let manifest = try? JSONDecoder().decode(Manifest.self, from: data) { return manifest }
                damaged.append(generation)
            }
            // (One that vanished was replaced by a newer commit, which may be readable.)
            if vanished, attempt < 4 { continue }
            if !damaged.isEmpty {
                throw IndexError(
                    .corrupt,
                    "no commit of the index in \(directory) can be read: \(damaged.map { fileName($0) }.joined(separator: ", ")) \(damaged.count == 1 ? "is" : "are") damaged; restore the index from a copy, or rebuild it"
                )
            }
            if listed.isEmpty { return nil }
        }
        return nil
    }

    /// Writes this manifest durably (temporary file, fsync, rename, directory fsync).
    func commit(to directory: String) throws(IndexError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(self)
        } catch {
            throw IndexError(.io, "cannot encode manifest: \(error)")
        }
        let final = (directory as NSString).appendingPathComponent(Manifest.fileName(generation))
        let temporary = final + ".tmp"
        try FileSystem.writeDurably(Array(data), to: temporary)
        try FileSystem.rename(temporary, final)
        try FileSystem.syncDirectory(directory)
    }
}

/// A set of documents of one segment, as a bitmap: a segment's deletions (stored as a
/// deletion file per generation), or the documents that pass a filter.
struct DocumentSet: Hashable {
    private(set) var bits: [UInt64]
    private(set) var count = 0

    init(documentCount: Int) {
        bits = Array(repeating: 0, count: (documentCount + 63) / 64)
    }

    @inline(__always)
    func contains(_ doc: Int) -> Bool {
        let word = doc >> 6
        return word < bits.count && bits[word] & (1 << UInt64(doc & 63)) != 0
    }

    /// For each 64-document word, how many members come before it (see ``rank(_:table:)``).
    func rankTable() -> [Int] {
        var table: [Int] = []
        table.reserveCapacity(bits.count)
        var total = 0
        for word in bits {
            table.append(total)
            total += word.nonzeroBitCount
        }
        return table
    }

    /// How many members come before `doc`, given this set's ``rankTable()``.
    @inline(__always)
    func rank(_ doc: Int, table: [Int]) -> Int {
        let word = doc >> 6
        guard word < bits.count, word < table.count else { return count }
        let below = bits[word] & ((1 << UInt64(doc & 63)) &- 1)
        return table[word] + below.nonzeroBitCount
    }

    /// Marks `doc` deleted; returns false when it already was.
    @discardableResult
    mutating func insert(_ doc: Int) -> Bool {
        let word = doc >> 6
        guard word < bits.count, !contains(doc) else { return false }
        bits[word] |= 1 << UInt64(doc & 63)
        count += 1
        return true
    }

    static func fileName(segment: String, generation: Int) -> String { "\(segment)-\(generation).del" }

    /// Serialized: count u32, words u64..., crc32 u32.
    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.uint32(UInt32(count))
        for word in bits { writer.uint64(word) }
        writer.uint32(CRC32.checksum(writer.bytes))
        return writer.bytes
    }

    init(path: String, documentCount: Int) throws(IndexError) {
        let file = try MappedFile(path: path)
        let words = (documentCount + 63) / 64
        guard file.bytes.count == 4 + words * 8 + 4 else {
            throw IndexError(.corrupt, "deletion file \(path) has the wrong size")
        }
        var reader = ByteReader(file.bytes)
        let stored = Int(reader.uint32())
        bits = (0..<words).map { _ in reader.uint64() }
        let crc = reader.uint32()
        guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: file.bytes[0..<(file.bytes.count - 4)])) == crc else {
            throw IndexError(.corrupt, "deletion file \(path) is damaged (checksum)")
        }
        count = bits.reduce(0) { $0 + $1.nonzeroBitCount }
        guard count == stored else { throw IndexError(.corrupt, "deletion file \(path) is inconsistent") }
    }
}
