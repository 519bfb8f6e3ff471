// The container format of a segment: one immutable file of named sections with a table of
// contents and a checksum footer. Lucene writes one file per structure; one file keeps the
// commit protocol simple (one fsync, one rename-free write) and still lets each structure
// be read on its own through the mapped memory.
//
//   "CHMSEG01"                              8-byte magic
//   section bytes ...
//   table: count u32, then per section: id u32, offset u64, length u64, crc32 u32
//   footer: table offset u64, table crc32 u32, "CHMEND01"
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sections of a segment file.
enum SectionID: UInt32, CaseIterable {
    /// Counts, field list and per-field statistics.
    case meta = 1
    /// The sparse term index (first term of each dictionary block), loaded at open.
    case termIndex = 2
    /// Term dictionary blocks (front-coded terms with their postings metadata).
    case termBlocks = 3
    /// Skip entries and bit-packed doc/frequency blocks.
    case postings = 4
    /// Positions, delta-encoded.
    case positions = 5
    /// One length-norm byte per document and text field.
    case norms = 6
    /// Exact field lengths (u32 per document and text field), for statistics after deletes.
    case lengths = 7
    /// Document keys.
    case keys = 8
    /// Keyword columns (values per document) for filters and facets.
    case keywords = 9
    /// The sparse index of the word-form dictionary (first key of each block), loaded and
    /// verified when word forms are first asked for. Absent when the segment has no forms.
    case formIndex = 10
    /// Word-form dictionary blocks (front-coded words as written, with their terms).
    case formBlocks = 11

    /// Sections read (and checksum-verified) when a segment is opened.
    var verifiedAtOpen: Bool {
        switch self {
        case .meta, .termIndex: return true
        default: return false
        }
    }
}

enum SegmentFileFormat {
    static let magic: [UInt8] = Array("CHMSEG01".utf8)
    static let endMagic: [UInt8] = Array("CHMEND01".utf8)
    static let footerSize = 8 + 4 + 8

    /// The meta's byte for a text field's lengths, by their width in bytes: 0 not stored, 1
    /// four bytes (what format 7 wrote for every stored field), 2 one byte, 3 two bytes.
    static func lengthCode(width: Int) -> UInt8 {
        switch width {
        case 0: 0
        case 1: 2
        case 2: 3
        default: 1
        }
    }

    /// The width, in bytes, of the lengths that the meta's byte `code` says (0: not stored);
    /// nil for a byte no writer writes.
    static func lengthWidth(code: UInt8) -> Int? {
        switch code {
        case 0: 0
        case 1: 4
        case 2: 1
        case 3: 2
        default: nil
        }
    }
}

/// Bytes of one section, kept in memory up to a limit and spilled to a temporary file
/// beyond it, so that writing a large segment (a big merge) needs little memory.
final class SpillBuffer {
    private let limit: Int
    private var buffer = ByteWriter()
    private let temporaryPath: String
    private var descriptor: Int32 = -1
    private var spilled = 0
    private(set) var crc: UInt32 = 0

    /// - Parameter limit: bytes kept in memory before they are written to the file.
    init(temporaryPath: String, limit: Int = 1 << 20) {
        self.temporaryPath = temporaryPath
        self.limit = limit
    }

    deinit {
        if descriptor >= 0 {
            Glibc.close(descriptor)
            unlink(temporaryPath)
        }
    }

    /// Bytes written so far.
    var count: Int { spilled + buffer.count }

    func append(_ bytes: [UInt8]) throws(IndexError) {
        buffer.append(bytes)
        if buffer.count >= limit { try spill() }
    }

    /// Appends `value` as 4 little-endian bytes.
    func append(uint32 value: UInt32) throws(IndexError) {
        buffer.uint32(value)
        if buffer.count >= limit { try spill() }
    }

    /// Appends `bytes`.
    func append<Bytes: Collection>(contentsOf bytes: Bytes) throws(IndexError) where Bytes.Element == UInt8 {
        buffer.bytes.append(contentsOf: bytes)
        if buffer.count >= limit { try spill() }
    }

    private func spill() throws(IndexError) {
        guard buffer.count > 0 else { return }
        if descriptor < 0 {
            descriptor = try FileSystem.create(temporaryPath, flags: O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o600)
        }
        crc = CRC32.checksum(buffer.bytes, initial: crc)
        try FileSystem.writeAll(buffer.bytes, to: descriptor, path: temporaryPath)
        spilled += buffer.count
        buffer = ByteWriter()
    }

    /// Writes every byte to `output` (spilled part first, then the buffered rest).
    func copy(to output: Int32, path: String) throws(IndexError) {
        try forEachChunk { chunk throws(IndexError) in try FileSystem.writeAll(chunk, to: output, path: path) }
    }

    /// Calls `body` with every byte written, in order, a chunk at a time (the spilled part is
    /// read back from the file).
    func forEachChunk(_ body: ([UInt8]) throws(IndexError) -> Void) throws(IndexError) {
        if descriptor >= 0 {
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            var offset = 0
            while offset < spilled {
                let got = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, min($0.count, spilled - offset), off_t(offset)) }
                guard got > 0 else { throw IndexError(.io, "cannot read \(temporaryPath): \(String(cString: strerror(errno)))") }
                try body(Array(chunk[0..<got]))
                offset += got
            }
        }
        try body(buffer.bytes)
    }

    /// CRC-32 of all bytes.
    var checksum: UInt32 { CRC32.checksum(buffer.bytes, initial: crc) }

    /// CRC-32 of the bytes before these (whose CRC is `initial`) and these: reads the
    /// spilled part back when `initial` is not 0.
    func checksum(continuing initial: UInt32) throws(IndexError) -> UInt32 {
        guard initial != 0, descriptor >= 0 else {
            return initial == 0 ? checksum : CRC32.checksum(buffer.bytes, initial: initial)
        }
        var crc = initial
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var position = 0
        while position < spilled {
            let got = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, min($0.count, spilled - position), off_t(position)) }
            guard got > 0 else { throw IndexError(.io, "cannot read \(temporaryPath): \(String(cString: strerror(errno)))") }
            crc = CRC32.checksum(Array(chunk[0..<got]), initial: crc)
            position += got
        }
        return CRC32.checksum(buffer.bytes, initial: crc)
    }
}

/// Writes a segment file section by section, straight to disk, then the table of contents
/// and the footer, and fsyncs it.
struct SegmentFileOutput {
    private let path: String
    private let descriptor: Int32
    private var offset = 0
    private var table: [(SectionID, Int, Int, UInt32)] = []
    private var isOpen = true

    init(path: String) throws(IndexError) {
        self.path = path
        // Never over another file: a writer numbers its segments past every file there, so
        // one of the name can only be another writer's (one let in by a removed lock file).
        do {
            descriptor = try FileSystem.create(path, flags: O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC)
        } catch where access(path, F_OK) == 0 {
            throw IndexError(
                .corrupt, "segment file \(path) already exists: another writer is writing this index (was its lock file removed?)")
        }
        try write(SegmentFileFormat.magic)
    }

    private mutating func write(_ bytes: [UInt8]) throws(IndexError) {
        try FileSystem.writeAll(bytes, to: descriptor, path: path)
        offset += bytes.count
    }

    mutating func add(_ id: SectionID, _ bytes: [UInt8]) throws(IndexError) {
        table.append((id, offset, bytes.count, CRC32.checksum(bytes)))
        try write(bytes)
    }

    mutating func add(_ id: SectionID, _ spill: SpillBuffer) throws(IndexError) {
        table.append((id, offset, spill.count, spill.checksum))
        try spill.copy(to: descriptor, path: path)
        offset += spill.count
    }

    /// Adds a section made of several parts, one after the other.
    mutating func add(_ id: SectionID, parts: [SectionPart]) throws(IndexError) {
        let start = offset
        var crc: UInt32 = 0
        for part in parts {
            switch part {
            case .bytes(let bytes):
                crc = CRC32.checksum(bytes, initial: crc)
                try write(bytes)
            case .spill(let spill):
                crc = try spill.checksum(continuing: crc)
                try spill.copy(to: descriptor, path: path)
                offset += spill.count
            }
        }
        table.append((id, start, offset - start, crc))
    }

    /// Writes the table and footer, fsyncs and closes the file.
    mutating func finish() throws(IndexError) {
        defer {
            Glibc.close(descriptor)
            isOpen = false
        }
        var tableWriter = ByteWriter()
        tableWriter.uint32(UInt32(table.count))
        for (id, sectionOffset, length, crc) in table {
            tableWriter.uint32(id.rawValue)
            tableWriter.uint64(UInt64(sectionOffset))
            tableWriter.uint64(UInt64(length))
            tableWriter.uint32(crc)
        }
        let tableOffset = offset
        var footer = ByteWriter()
        footer.uint64(UInt64(tableOffset))
        footer.uint32(CRC32.checksum(tableWriter.bytes))
        footer.append(SegmentFileFormat.endMagic)
        try write(tableWriter.bytes + footer.bytes)
        try FileSystem.sync(descriptor, path: path)
    }

    /// Closes and removes the file after a write failed (a full disk): no manifest names it,
    /// and it would hold the space the error asks to free until the next commit's clean-up.
    mutating func abandon() {
        if isOpen { Glibc.close(descriptor) }
        isOpen = false
        unlink(path)
    }
}

/// A read-only memory mapping of a whole file.
final class MappedFile: @unchecked Sendable {
    // Immutable after init; the mapping is read-only and unmapped in deinit.
    let bytes: UnsafeRawBufferPointer
    let path: String
    /// The device and inode of the mapped file (see ``isShrunk``).
    private var identity: (device: UInt64, inode: UInt64) = (0, 0)

    init(path: String) throws(IndexError) {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw IndexError(.io, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw IndexError(.io, "cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        identity = (UInt64(status.st_dev), UInt64(status.st_ino))
        let size = Int(status.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0), address != MAP_FAILED else {
            throw IndexError(.io, "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) }
    }

    /// Whether the mapped file is now shorter than the mapping (cut short in place, by
    /// `truncate` or a restore over it): a read past its end would stop the process with
    /// SIGBUS. One `stat`; a file replaced by another at the path leaves this one intact.
    var isShrunk: Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        return UInt64(status.st_dev) == identity.device && UInt64(status.st_ino) == identity.inode && Int(status.st_size) < bytes.count
    }

    /// Drops the pages that hold the first `count` bytes of `slice` (a slice of this
    /// mapping) from the process's resident memory. Nothing is lost: the pages are read
    /// from the file again if touched. Merges call this on what they have consumed, so
    /// that resident memory does not grow with the size of the segments they read.
    func releasePages(_ slice: UnsafeRawBufferPointer, upTo count: Int) {
        guard let base = bytes.baseAddress, let start = slice.baseAddress, count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard page > 0 else { return }
        let from = ((start - base) / page) * page
        let to = min(start - base + min(count, slice.count), bytes.count)
        let length = ((to - from) / page) * page
        guard from >= 0, length > 0 else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + from), length, MADV_DONTNEED)
    }
}

/// A segment file opened for reading: its sections as slices of the mapping.
final class SegmentFile: @unchecked Sendable {
    // Immutable after init.
    let file: MappedFile
    private var sections: [SectionID: (range: Range<Int>, crc: UInt32)] = [:]

    init(path: String) throws(IndexError) {
        file = try MappedFile(path: path)
        let bytes = file.bytes
        let name = path.split(separator: "/").last.map(String.init) ?? path
        func corrupt(_ why: String) -> IndexError {
            IndexError(.corrupt, "segment file \(name) is damaged (\(why))")
        }
        guard bytes.count >= SegmentFileFormat.magic.count + SegmentFileFormat.footerSize,
            Array(bytes[0..<8]) == SegmentFileFormat.magic,
            Array(bytes[(bytes.count - 8)...]) == SegmentFileFormat.endMagic
        else { throw corrupt("bad header or footer") }
        var footer = ByteReader(bytes, offset: bytes.count - SegmentFileFormat.footerSize)
        let tableOffset = Int(footer.uint64())
        let tableCRC = footer.uint32()
        let tableEnd = bytes.count - SegmentFileFormat.footerSize
        guard tableOffset >= 8, tableOffset < tableEnd else { throw corrupt("bad table offset") }
        let tableBytes = UnsafeRawBufferPointer(rebasing: bytes[tableOffset..<tableEnd])
        guard CRC32.checksum(tableBytes) == tableCRC else { throw corrupt("table checksum mismatch") }
        var table = ByteReader(tableBytes)
        let count = Int(table.uint32())
        for _ in 0..<count {
            let rawID = table.uint32()
            let offset = Int(table.uint64())
            let length = Int(table.uint64())
            let crc = table.uint32()
            guard table.isValid, offset >= 8, length >= 0, offset + length <= tableOffset else {
                throw corrupt("bad section table")
            }
            if let id = SectionID(rawValue: rawID) { sections[id] = (offset..<offset + length, crc) }
        }
        for id in SectionID.allCases where id.verifiedAtOpen {
            guard let section = sections[id] else { throw corrupt("missing section \(id)") }
            guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[section.range])) == section.crc else {
                throw corrupt("checksum mismatch in \(id)")
            }
        }
    }

    /// The bytes of a section (empty when the section is absent).
    func section(_ id: SectionID) -> UnsafeRawBufferPointer {
        guard let range = sections[id]?.range else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: file.bytes[range])
    }

    /// The bytes of a section after verifying its checksum (empty when the section is
    /// absent, nil when it is damaged).
    func verifiedSection(_ id: SectionID) -> UnsafeRawBufferPointer? {
        guard let section = sections[id] else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let bytes = UnsafeRawBufferPointer(rebasing: file.bytes[section.range])
        return CRC32.checksum(bytes) == section.crc ? bytes : nil
    }

    /// Verifies every section's checksum (reads the whole file).
    func verifyChecksums() -> [SectionID] {
        sections.compactMap { id, section in
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: file.bytes[section.range])) == section.crc ? nil : id
        }
    }
}
