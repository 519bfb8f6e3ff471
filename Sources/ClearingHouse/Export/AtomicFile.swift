import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A file written under a temporary name next to its target and renamed over it once
/// complete and on disk. A target that is a symbolic link is written where the link points
/// (the link stays); one that is not a regular file (a FIFO, `/dev/stdout`, a device) is
/// written to directly, since renaming over it would replace it.
final class AtomicFile {
    private let target: URL
    private let temporary: URL
    /// The target is not a regular file: written to directly, never renamed over or removed.
    private let direct: Bool
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private static let bufferSize = 1 << 20

    /// Writes the file at `path` with what `body` appends, atomically.
    /// - Throws: ``ClearingHouseError`` with code `notFound` when the directory of `path`
    ///   does not exist, `storage` when the file cannot be written, and what `body` throws;
    ///   in every case `path` is left as it was and no temporary file remains.
    static func write(_ path: String, _ body: (AtomicFile) throws -> Void) throws {
        // (Where a symbolic link points, so that the rename replaces the file, not the link.)
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        let directory = target.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ClearingHouseError(.notFound, "cannot write \(path): no such directory \(directory)")
        }
        let file = try AtomicFile(target: target)
        do {
            try body(file)
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }

    private init(target: URL) throws {
        self.target = target
        let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).\(suffix).tmp")
        var status = stat()
        direct = lstat(target.path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG
        if direct {
            guard (status.st_mode & S_IFMT) != S_IFDIR else {
                throw ClearingHouseError(.storage, "cannot write \(target.path): it is a directory; name a file in it")
            }
            descriptor = open(target.path, O_WRONLY | O_CLOEXEC)
        } else {
            descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        }
        guard descriptor >= 0 else { throw Self.failure(target.path, errno) }
        buffer.reserveCapacity(Self.bufferSize)
    }

    func append(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    private func flush() throws {
        var written = 0
        while written < buffer.count {
            let result = buffer.withUnsafeBytes { bytes in
                Glibc.write(descriptor, bytes.baseAddress.map { $0 + written }, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw Self.failure(target.path, errno)
            }
            written += result
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs, closes and renames the file over the target, then syncs the directory
    /// so that the rename survives a crash.
    private func commit() throws {
        try flush()
        if direct {
            // (A FIFO or a device: nothing to sync or rename.)
            let closed = close(descriptor)
            descriptor = -1
            guard closed == 0 else { throw Self.failure(target.path, errno) }
            return
        }
        guard fsync(descriptor) == 0 else { throw Self.failure(target.path, errno) }
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else { throw Self.failure(target.path, errno) }
        guard rename(temporary.path, target.path) == 0 else { throw Self.failure(target.path, errno) }
        let directory = open(target.deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }

    /// Closes and removes the temporary file.
    private func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        if !direct { unlink(temporary.path) }
    }

    private static func failure(_ path: String, _ code: Int32) -> ClearingHouseError {
        ClearingHouseError(.storage, "cannot write \(path): \(String(cString: strerror(code)))")
    }
}
