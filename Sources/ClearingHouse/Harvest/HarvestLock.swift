// One harvest of a provider at a time in an index: a second `chm harvest` of the same base URL
// (another process, or another task of a server) read the first one's saved position, said it
// was "resuming the harvest that stopped after page 71" while that harvest was still running,
// then failed on the write lock (OAI QA). Harvests of other providers are not held back by
// this lock; the index's own lock still takes one writer at a time.
import Foundation
import Records

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on `<index>/harvest-<hash of the base URL>.lock`, held for a whole
/// harvest and released when it ends (or its process does). `flock` locks belong to an open
/// file, so two harvests in one process exclude each other too.
final class HarvestLock {
    private let descriptor: Int32

    /// Takes the lock of `baseURL`'s harvests in `directory`.
    /// - Throws: ``ClearingHouseError`` with code `conflict` naming the holder's pid when
    ///   another harvest of the same provider runs; code `storage` when the file cannot be
    ///   opened or locked.
    init(directory: URL, baseURL: String) throws {
        let name = "harvest-" + SHA256.hex(Array(baseURL.utf8)).prefix(16) + ".lock"
        let path = directory.appendingPathComponent(name).path
        // (Another user's lock file in a shared index can still be locked, read-only.)
        var writable = true
        var opened = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if opened < 0, errno == EACCES {
            writable = false
            opened = open(path, O_RDONLY | O_CLOEXEC)
        }
        guard opened >= 0 else {
            throw ClearingHouseError(.storage, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        // (The descriptor is this object's only once locked: a failed init closes it here, and
        // no deinit runs for an object whose properties were never all set.)
        guard flock(opened, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(opened, &buffer, buffer.count, 0)
            close(opened)
            guard code == EWOULDBLOCK else {
                throw ClearingHouseError(.storage, "cannot lock \(path): \(String(cString: strerror(code)))")
            }
            let holder = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let who = holder.isEmpty ? "" : holder == "\(getpid())" ? " (in this process)" : " (pid \(holder))"
            throw ClearingHouseError(
                .conflict, "a harvest of \(baseURL) is already running in this index\(who); wait for it to end, or stop it")
        }
        if writable {
            _ = ftruncate(opened, 0)
            let pid = "\(getpid())\n"
            _ = pid.withCString { pwrite(opened, $0, strlen($0), 0) }
        }
        descriptor = opened
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
