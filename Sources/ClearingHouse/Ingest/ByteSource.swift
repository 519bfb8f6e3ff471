// Buffered, forward-only reading of a file or an in-memory byte array. Readers pull bytes
// through it so that memory stays flat however large the file is.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A forward-only stream of bytes with one byte of look-ahead.
final class ByteSource {
    private static let chunkSize = 1 << 16

    private var fileDescriptor: Int32
    private var buffer: [UInt8]
    private var index = 0
    private var count: Int
    /// Bytes handed out so far (for progress reports).
    private(set) var consumed = 0
    /// Set when the bytes came from a file that had a read error.
    private(set) var readError: String?

    /// Opens `path` for reading.
    /// - Throws: a message naming the reason (missing file, permission, directory).
    init(path: String) throws(SourceOpenError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SourceOpenError(errno: errno) }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw SourceOpenError(errno: EISDIR)
        }
        fileDescriptor = descriptor
        buffer = [UInt8](repeating: 0, count: ByteSource.chunkSize)
        count = 0
    }

    /// Reads from bytes already in memory.
    init(bytes: [UInt8]) {
        fileDescriptor = -1
        buffer = bytes
        count = bytes.count
    }

    deinit {
        if fileDescriptor >= 0 { close(fileDescriptor) }
    }

    /// Refills the buffer; returns false at the end of input.
    private func refill() -> Bool {
        guard fileDescriptor >= 0 else { return false }
        while true {
            let got = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if got < 0 {
                if errno == EINTR { continue }
                readError = String(cString: strerror(errno))
                return false
            }
            index = 0
            count = got
            return got > 0
        }
    }

    /// The next byte without consuming it, or nil at the end.
    @inline(__always)
    func peek() -> UInt8? {
        if index < count { return buffer[index] }
        return refill() ? buffer[index] : nil
    }

    /// Consumes and returns the next byte, or nil at the end.
    @inline(__always)
    func next() -> UInt8? {
        if index >= count, !refill() { return nil }
        let byte = buffer[index]
        index += 1
        consumed += 1
        return byte
    }

    /// Consumes bytes up to and including the next `\n` and returns them without the line
    /// ending (`\n` or `\r\n`), or nil at the end of input.
    func readLine() -> [UInt8]? {
        var line: [UInt8] = []
        var sawAny = false
        while index < count || refill() {
            sawAny = true
            if let newline = buffer[index..<count].firstIndex(of: UInt8(ascii: "\n")) {
                line.append(contentsOf: buffer[index..<newline])
                consumed += newline + 1 - index
                index = newline + 1
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return line
            }
            line.append(contentsOf: buffer[index..<count])
            consumed += count - index
            index = count
        }
        guard sawAny else { return nil }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }

    /// Consumes a UTF-8 byte order mark if the input starts with one.
    func skipByteOrderMark() {
        guard consumed == 0, peek() == 0xEF else { return }
        if count - index < 3 { return }
        if buffer[index + 1] == 0xBB, buffer[index + 2] == 0xBF {
            index += 3
            consumed += 3
        }
    }
}

/// Why a file could not be opened.
struct SourceOpenError: Error, CustomStringConvertible {
    var errno: Int32
    var description: String {
        switch errno {
        case ENOENT: return "no such file or directory"
        case EACCES: return "permission denied: check the file's permissions"
        case EISDIR: return "is a directory"
        default: return String(cString: strerror(errno))
        }
    }
}
