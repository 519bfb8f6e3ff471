// Buffered, forward-only reading of a file or an in-memory byte array. Readers pull bytes
// through it so that memory stays flat however large the file is.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A forward-only stream of bytes with one byte of look-ahead.
package final class ByteSource {
    private static let chunkSize = 1 << 16

    private var fileDescriptor: Int32
    private var buffer: [UInt8]
    private var index = 0
    private var count: Int
    /// Bytes handed out so far (for progress reports).
    private(set) var consumed = 0
    /// Set when the bytes came from a file that had a read error.
    package private(set) var readError: String?

    /// Opens `path` for reading.
    /// - Throws: a message naming the reason (missing file, permission, directory).
    package init(path: String) throws(SourceOpenError) {
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
    package init(bytes: [UInt8]) {
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
    package func next() -> UInt8? {
        if index >= count, !refill() { return nil }
        let byte = buffer[index]
        index += 1
        consumed += 1
        return byte
    }

    /// Consumes the run of plain string bytes that starts at the next byte — none of `"`,
    /// `\` or a control character (below 0x20) — as far as the buffered input goes, and
    /// appends it to `bytes`. JSON strings are read through this a buffer at a time rather
    /// than a byte at a time. Returns how many bytes were taken, how many characters they
    /// hold (bytes that are not UTF-8 continuation bytes) and whether any is not ASCII.
    /// Takes nothing when the next byte is special or nothing is buffered (the caller
    /// then reads one byte with ``next()``, which refills), and at most `maximum` bytes.
    func takeStringRun(into bytes: inout [UInt8], maximum: Int) -> (count: Int, characters: Int, isASCII: Bool) {
        let start = index
        let end = min(count, start + max(0, maximum))
        guard start < end else { return (0, 0, true) }
        let result = buffer.withUnsafeBufferPointer { buffer -> (count: Int, characters: Int, isASCII: Bool) in
            var position = start
            var characters = 0
            var high: UInt8 = 0
            while position < end {
                let byte = buffer[position]
                if byte == 0x22 || byte == 0x5C || byte < 0x20 { break }
                high |= byte
                characters &+= byte & 0xC0 == 0x80 ? 0 : 1
                position += 1
            }
            if position > start { bytes.append(contentsOf: buffer[start..<position]) }
            return (position - start, characters, high < 0x80)
        }
        index += result.count
        consumed += result.count
        return result
    }

    /// A line read by ``readLine(maximumLength:)``.
    enum Line {
        /// The line, without its line ending.
        case complete([UInt8])
        /// The line is longer than the maximum: its first bytes (at most the maximum). The
        /// rest of the line has not been read; ``skipRestOfLine()`` skips it.
        case tooLong(prefix: [UInt8])
    }

    /// Where the next line ending is in the buffered bytes from `index`: its offset and
    /// whether it is a carriage return (a `\r`, alone or before a `\n`).
    private func nextLineEnd() -> (offset: Int, isCarriageReturn: Bool)? {
        buffer.withUnsafeBufferPointer { bytes -> (Int, Bool)? in
            guard let base = bytes.baseAddress.map(UnsafeRawPointer.init), index < count else { return nil }
            let start = base + index
            let newline = memchr(start, 0x0A, count - index).map { base.distance(to: UnsafeRawPointer($0)) }
            if let carriageReturn = memchr(start, 0x0D, (newline ?? count) - index) {
                return (base.distance(to: UnsafeRawPointer(carriageReturn)), true)
            }
            return newline.map { ($0, false) }
        }
    }

    /// Consumes the line ending at `offset` (and the `\n` after a `\r`, even when it is in
    /// the next chunk).
    private func consumeLineEnd(at offset: Int, isCarriageReturn: Bool) {
        consumed += offset + 1 - index
        index = offset + 1
        if isCarriageReturn, peek() == 0x0A {
            index += 1
            consumed += 1
        }
    }

    /// Consumes the next line and returns it without its line ending, or nil at the end of
    /// input. A line ends at `\n`, `\r\n` or a lone `\r` (old Mac OS line endings).
    ///
    /// A line longer than `maximumLength` bytes is never held whole: as soon as the limit
    /// is crossed, `.tooLong` comes back with the bytes read so far and the rest of the line
    /// left unread, so memory stays bounded by `maximumLength` whatever the file holds.
    func readLine(maximumLength: Int) -> Line? {
        var line: [UInt8] = []
        var sawAny = false
        while index < count || refill() {
            sawAny = true
            let end = nextLineEnd()
            let length = (end?.offset ?? count) - index
            if line.count + length > maximumLength {
                // Keep what fits (for the record's id), leave the rest unread.
                let fitting = maximumLength - line.count
                line.append(contentsOf: buffer[index..<index + fitting])
                consumed += fitting
                index += fitting
                return .tooLong(prefix: line)
            }
            line.append(contentsOf: buffer[index..<index + length])
            if let end {
                consumeLineEnd(at: end.offset, isCarriageReturn: end.isCarriageReturn)
                return .complete(line)
            }
            consumed += length
            index = count
        }
        return sawAny ? .complete(line) : nil
    }

    /// Consumes the next line and returns it whole, without its line ending, or nil at the
    /// end of input (for small trusted files such as TREC runs; record readers use
    /// ``readLine(maximumLength:)``).
    package func readLine() -> [UInt8]? {
        switch readLine(maximumLength: .max) {
        case .complete(let line): return line
        case .tooLong(let prefix): return prefix
        case nil: return nil
        }
    }

    /// Consumes bytes up to and including the next line ending (`\n`, `\r\n` or `\r`),
    /// holding none of them: after a line that is too long, reading resumes at the next one.
    func skipRestOfLine() {
        while index < count || refill() {
            if let end = nextLineEnd() {
                consumeLineEnd(at: end.offset, isCarriageReturn: end.isCarriageReturn)
                return
            }
            consumed += count - index
            index = count
        }
    }

    /// Consumes a UTF-8 byte order mark if the input starts with one.
    package func skipByteOrderMark() {
        guard consumed == 0, peek() == 0xEF else { return }
        if count - index < 3 { return }
        if buffer[index + 1] == 0xBB, buffer[index + 2] == 0xBF {
            index += 3
            consumed += 3
        }
    }
}

/// Why a file could not be opened.
package struct SourceOpenError: Error, CustomStringConvertible {
    /// The `errno` that `open(2)` or `fstat(2)` set.
    package var errno: Int32
    /// What went wrong, for messages.
    package var description: String {
        switch errno {
        case ENOENT: return "no such file or directory"
        case EACCES: return "permission denied: check the file's permissions"
        case EISDIR: return "is a directory"
        default: return String(cString: strerror(errno))
        }
    }
}
