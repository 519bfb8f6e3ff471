// The readers take file paths, so each fuzz input is written to a file first. One file per
// process and extension, reused for every input (on /dev/shm when there is one, so the
// writes never touch a disk), and removed at exit.
#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// A scratch file that holds the current fuzz input.
public final class FuzzInputFile: @unchecked Sendable {
    /// The file's path (its extension tells the reader the format).
    public let path: String

    /// A file named `chm-fuzz-<pid>.<pathExtension>` in /dev/shm, or else in $TMPDIR or /tmp.
    public init(pathExtension: String) {
        var directory = "/tmp"
        if let temporary = getenv("TMPDIR"), temporary.pointee != 0 { directory = String(cString: temporary) }
        var status = stat()
        if stat("/dev/shm", &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR, access("/dev/shm", W_OK) == 0 {
            directory = "/dev/shm"
        }
        path = "\(directory)/chm-fuzz-\(getpid()).\(pathExtension)"
        FuzzInputFile.registerForRemoval(path)
    }

    /// Replaces the file's content with `size` bytes at `data`.
    public func write(_ data: UnsafePointer<UInt8>, _ size: Int) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { fatalError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var written = 0
        while written < size {
            let count = systemWrite(descriptor, data + written, size - written)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { fatalError("cannot write \(path): \(String(cString: strerror(errno)))") }
            written += count
        }
    }

    nonisolated(unsafe) private static var paths: [String] = []

    private static func registerForRemoval(_ path: String) {
        if paths.isEmpty {
            atexit {
                for path in FuzzInputFile.paths { unlink(path) }
            }
        }
        paths.append(path)
    }
}

// MARK: - Entry point

/// libFuzzer's driver (in the libFuzzer runtime that `-sanitize=fuzzer` links).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// Runs libFuzzer on `testOneInput` with the process's arguments.
///
/// SwiftPM links an executable target with `--defsym main=<Target>_main`, so libFuzzer's own
/// `main` is never used: each target defines `<Target>_main` and calls this instead.
public func runFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
    _ testOneInput: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}
