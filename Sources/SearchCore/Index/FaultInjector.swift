// The seam through which every durable write of chm passes: segment files, deletion files,
// manifests, directory syncs, renames and the catalog's commits. In normal use it does
// nothing (one relaxed atomic load per operation). Tests use it to simulate a full disk or
// an I/O error at a chosen operation, or to kill the process there (a crash at an exact
// point), and to record the sequence of operations a command performs.
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Simulated disk trouble and crashes at chosen points of chm's writes (a test seam).
///
/// Every durable operation reaches a *point* named `phase.operation`, where the phase is
/// what the writer is doing (`flush`: writing buffered documents as a segment, `merge`,
/// `commit`: deletion files and the manifest; a program that keeps other files beside the
/// index names phases of its own, see ``reach(_:path:phase:)``) and the operation is
/// `create`, `write`, `sync`, `rename`, `before-commit` or `after-commit`.
///
/// A ``Rule`` picks the n-th time a point is reached (optionally only under one directory)
/// and makes it fail with an `errno` (e.g. `ENOSPC`) or kill the process with `SIGKILL`.
///
/// Child processes read rules from the environment:
/// `CHM_TEST_FAULT="ENOSPC@commit.rename#1"` or `CHM_TEST_FAULT="kill@merge.write#3"`
/// (several separated by commas), and `CHM_TEST_FAULT_TRACE=FILE` appends every point
/// reached to `FILE`, one per line.
package enum FaultInjector {
    /// The kinds of operations that pass through the seam.
    package enum Operation: String, Sendable, CaseIterable {
        case create, write, sync, rename
        case beforeCommit = "before-commit"
        case afterCommit = "after-commit"
    }

    /// What the writer is doing when it reaches a point: the index's own phases, or one that
    /// a program using the seam for its own files names (`Phase(rawValue: "catalog")`).
    package struct Phase: RawRepresentable, Sendable, Hashable {
        package var rawValue: String
        package init(rawValue: String) { self.rawValue = rawValue }

        /// Writing buffered documents as a segment.
        package static let flush = Phase(rawValue: "flush")
        /// Merging segments.
        package static let merge = Phase(rawValue: "merge")
        /// Writing deletion files and the manifest.
        package static let commit = Phase(rawValue: "commit")
    }

    /// What happens at the chosen point.
    package enum Effect: Sendable, Hashable {
        /// The operation fails with this `errno` (nothing of it is done).
        case fail(Int32)
        /// The process is killed with SIGKILL (a crash).
        case kill
    }

    /// One planned fault.
    package struct Rule: Sendable, Hashable {
        /// `phase.operation`, e.g. `commit.rename`; nil matches every point.
        package var point: String?
        /// Which occurrence of the point (1 is the first).
        package var occurrence: Int
        package var effect: Effect
        /// Only operations on paths under this directory count (nil: all).
        package var directory: String?

        package init(point: String?, occurrence: Int = 1, effect: Effect, directory: String? = nil) {
            self.point = point
            self.occurrence = occurrence
            self.effect = effect
            self.directory = directory
        }

        /// Parses `EFFECT@POINT#N` (`EFFECT` is `kill` or an errno name such as `ENOSPC`,
        /// `EIO`, `EDQUOT`; `POINT` may be `*`; `#N` defaults to 1).
        package init?(parsing text: Substring) {
            let parts = text.split(separator: "@", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            switch parts[0] {
            case "kill": effect = .kill
            case "ENOSPC": effect = .fail(ENOSPC)
            case "EIO": effect = .fail(EIO)
            case "EDQUOT": effect = .fail(EDQUOT)
            case "EROFS": effect = .fail(EROFS)
            default: return nil
            }
            let target = parts[1].split(separator: "#", maxSplits: 1)
            guard let name = target.first else { return nil }
            point = name == "*" ? nil : String(name)
            occurrence = target.count == 2 ? Int(target[1]) ?? 0 : 1
            guard occurrence >= 1 else { return nil }
            directory = nil
        }
    }

    private struct State {
        var rules: [(rule: Rule, seen: Int)] = []
        /// The phase of the writer working in each directory.
        var phases: [String: Phase] = [:]
        var traceDescriptor: Int32 = -1
    }

    private static let enabled = Atomic<Bool>(false)
    private static let state = Mutex(State())
    private static let environmentLoaded = Atomic<Bool>(false)

    /// Adds `rule` (tests). Returns when installed; faults stay until ``reset()``.
    package static func install(_ rule: Rule) {
        state.withLock { $0.rules.append((rule, 0)) }
        enabled.store(true, ordering: .releasing)
    }

    /// Removes every rule whose directory is `directory` (all rules when nil).
    package static func reset(directory: String? = nil) {
        state.withLock { state in
            state.rules.removeAll { directory == nil || $0.rule.directory == directory }
        }
    }

    /// Reads `CHM_TEST_FAULT` and `CHM_TEST_FAULT_TRACE` once per process.
    static func loadEnvironment() {
        // A plain load first: this runs on every write.
        guard !environmentLoaded.load(ordering: .acquiring),
            !environmentLoaded.exchange(true, ordering: .acquiringAndReleasing)
        else { return }
        let rules = getenv("CHM_TEST_FAULT").map { String(cString: $0) } ?? ""
        let trace = getenv("CHM_TEST_FAULT_TRACE").map { String(cString: $0) }
        let parsed = rules.split(separator: ",").compactMap { Rule(parsing: $0) }
        guard !parsed.isEmpty || trace != nil else { return }
        state.withLock { state in
            state.rules += parsed.map { ($0, 0) }
            if let trace { state.traceDescriptor = open(trace, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644) }
        }
        enabled.store(true, ordering: .releasing)
    }

    /// Records that the writer working in `directory` is now in `phase`.
    static func enter(_ phase: Phase, directory: String) {
        loadEnvironment()
        guard enabled.load(ordering: .acquiring) else { return }
        state.withLock { $0.phases[directory] = phase }
    }

    /// Passes point `operation` for `path`: returns the errno to simulate, if a rule says
    /// so; kills the process if a rule says so; otherwise nil.
    /// - Parameter fixedPhase: the phase of the point; nil: the phase of the index writer
    ///   working under `path` (programs that write files of their own beside the index pass
    ///   their own phase, such as a database's `catalog.before-commit`).
    package static func reach(_ operation: Operation, path: String, phase fixedPhase: Phase? = nil) -> Int32? {
        loadEnvironment()
        guard enabled.load(ordering: .acquiring) else { return nil }
        let effect: Effect? = state.withLock { state in
            let phase =
                fixedPhase
                ?? state.phases.filter { path.hasPrefix($0.key) }.max { $0.key.count < $1.key.count }?.value ?? .commit
            let point = "\(phase.rawValue).\(operation.rawValue)"
            if state.traceDescriptor >= 0 {
                let line = Array((point + "\n").utf8)
                _ = line.withUnsafeBytes { write(state.traceDescriptor, $0.baseAddress, $0.count) }
            }
            for index in state.rules.indices {
                let rule = state.rules[index].rule
                guard rule.point == nil || rule.point == point else { continue }
                if let directory = rule.directory, !path.hasPrefix(directory) { continue }
                state.rules[index].seen += 1
                if state.rules[index].seen == rule.occurrence { return rule.effect }
            }
            return nil
        }
        switch effect {
        case .kill?:
            kill(getpid(), SIGKILL)
            return EIO  // not reached
        case .fail(let code)?:
            return code
        case nil:
            return nil
        }
    }
}
