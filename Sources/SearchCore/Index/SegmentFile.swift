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

    /// Sections read (and checksum-verified) when a segment is opened.
    var verifiedAtOpen: Bool {
        switch self {
        case .meta, .termIndex: return true
        default: return false
        }
    }
}

/// An error in the index files, with what to do about it.
public struct IndexError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// A file is damaged (bad checksum, truncated, wrong magic).
        case corrupt
        /// A file could not be read or written.
        case io
        /// Another process holds the index for writing.
        case locked
        /// The index was built with a different schema.
        case schemaMismatch
        /// An argument is not valid (e.g. an unknown field).
        case invalidArgument
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

enum SegmentFileFormat {
    static let magic: [UInt8] = Array("CHMSEG01".utf8)
    static let endMagic: [UInt8] = Array("CHMEND01".utf8)
    static let footerSize = 8 + 4 + 8
}

/// Assembles a segment file from sections.
struct SegmentFileWriter {
    private var writer = ByteWriter()
    private var table: [(SectionID, Int, Int, UInt32)] = []

    init() {
        writer.append(SegmentFileFormat.magic)
    }

    mutating func add(_ id: SectionID, _ bytes: [UInt8]) {
        let offset = writer.count
        writer.append(bytes)
        table.append((id, offset, bytes.count, CRC32.checksum(bytes)))
    }

    /// The complete file.
    mutating func finish() -> [UInt8] {
        var tableWriter = ByteWriter()
        tableWriter.uint32(UInt32(table.count))
        for (id, offset, length, crc) in table {
            tableWriter.uint32(id.rawValue)
            tableWriter.uint64(UInt64(offset))
            tableWriter.uint64(UInt64(length))
            tableWriter.uint32(crc)
        }
        let tableOffset = writer.count
        writer.append(tableWriter.bytes)
        writer.uint64(UInt64(tableOffset))
        writer.uint32(CRC32.checksum(tableWriter.bytes))
        writer.append(SegmentFileFormat.endMagic)
        return writer.bytes
    }
}

/// A read-only memory mapping of a whole file.
final class MappedFile: @unchecked Sendable {
    // Immutable after init; the mapping is read-only and unmapped in deinit.
    let bytes: UnsafeRawBufferPointer
    let path: String

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
            IndexError(.corrupt, "segment file \(name) is damaged (\(why)); run `chm check --repair` to rebuild the index")
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

    /// Verifies every section's checksum (reads the whole file).
    func verifyChecksums() -> [SectionID] {
        sections.compactMap { id, section in
            CRC32.checksum(UnsafeRawBufferPointer(rebasing: file.bytes[section.range])) == section.crc ? nil : id
        }
    }
}

/// File-system operations of a commit, with the fsyncs that make it durable.
enum FileSystem {
    /// Writes `bytes` to `path` and fsyncs the file.
    static func writeDurably(_ bytes: [UInt8], to path: String) throws(IndexError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw IndexError(.io, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw IndexError(.io, "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            throw IndexError(.io, "cannot fsync \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// fsyncs a directory, so that renames and new files in it are durable.
    static func syncDirectory(_ path: String) throws(IndexError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw IndexError(.io, "cannot open directory \(path)") }
        defer { close(descriptor) }
        _ = fsync(descriptor)
    }

    static func rename(_ from: String, _ to: String) throws(IndexError) {
        guard Glibc.rename(from, to) == 0 else {
            throw IndexError(.io, "cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }
}
