// The durability seam: every file-system operation of a commit (durable writes, renames,
// directory syncs, removals) goes through here, and through ``FaultInjector`` with it.
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// File-system operations of a commit, with the fsyncs that make it durable. Each passes
/// through ``FaultInjector`` (a no-op outside tests).
enum FileSystem {
    private static func failure(_ what: String, _ path: String, _ code: Int32) -> IndexError {
        let hint = code == ENOSPC || code == EDQUOT ? "; free some space and run the command again (the last commit is intact)" : ""
        return IndexError(.io, "cannot \(what) \(path): \(String(cString: strerror(code)))\(hint)")
    }

    /// Opens (creating) `path` for writing.
    static func create(_ path: String, flags: Int32 = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: mode_t = 0o644) throws(IndexError)
        -> Int32
    {
        if let code = FaultInjector.reach(.create, path: path) { throw failure("create", path, code) }
        let descriptor = open(path, flags, mode)
        guard descriptor >= 0 else { throw failure("create", path, errno) }
        return descriptor
    }

    /// Writes all of `bytes` to an open file.
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws(IndexError) {
        if let code = FaultInjector.reach(.write, path: path) { throw failure("write", path, code) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return write(descriptor, base + written, bytes.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw failure("write", path, errno)
            }
            written += result
        }
    }

    /// fsyncs an open file.
    static func sync(_ descriptor: Int32, path: String) throws(IndexError) {
        if let code = FaultInjector.reach(.sync, path: path) { throw failure("fsync", path, code) }
        guard fsync(descriptor) == 0 else { throw failure("fsync", path, errno) }
    }

    /// Writes `bytes` to `path` and fsyncs the file.
    static func writeDurably(_ bytes: [UInt8], to path: String) throws(IndexError) {
        let descriptor = try create(path)
        defer { close(descriptor) }
        try writeAll(bytes, to: descriptor, path: path)
        try sync(descriptor, path: path)
    }

    /// fsyncs a directory, so that renames and new files in it are durable.
    static func syncDirectory(_ path: String) throws(IndexError) {
        if let code = FaultInjector.reach(.sync, path: path) { throw failure("fsync directory", path, code) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open directory", path, errno) }
        defer { close(descriptor) }
        // Some file systems cannot fsync a directory (EINVAL); real I/O errors count.
        if fsync(descriptor) != 0, errno == EIO || errno == ENOSPC { throw failure("fsync directory", path, errno) }
    }

    static func rename(_ from: String, _ to: String) throws(IndexError) {
        if let code = FaultInjector.reach(.rename, path: to) { throw failure("rename \(from) to", to, code) }
        guard Glibc.rename(from, to) == 0 else { throw failure("rename \(from) to", to, errno) }
    }
}
