// One job at a time on a background thread, its errors handed back to the caller: so that a
// sequential stage (adding analyzed documents to the index) runs beside another sequential
// stage on the caller's thread (storing records in the catalog) instead of after it.
import Dispatch

/// Runs one job at a time on a background queue. `start` waits for the previous job first,
/// so jobs run in order and never at once; `wait` returns when the last one has ended and
/// rethrows the error it threw.
///
/// State that a job touches must not be touched by the caller between `start` and the
/// next `wait` (or `start`): the wait is what orders the two. A job in flight keeps this
/// object alive until it ends, so letting go of it does not wait for the job: a caller that
/// is about to release what a job works on (close an index writer) calls `wait()` first.
package final class BackgroundJob: @unchecked Sendable {
    // `failure` is written by the job and read only after `group.wait()`.
    private let group = DispatchGroup()
    private let queue = DispatchQueue(label: "chm.background-job")
    private var failure: (any Error)?

    package init() {}

    /// Waits for the previous job (rethrowing its error: then `job` does not start), then
    /// starts `job`.
    package func start(_ job: @escaping @Sendable () throws -> Void) throws {
        try wait()
        group.enter()
        queue.async {
            do { try job() } catch { self.failure = error }
            self.group.leave()
        }
    }

    /// Waits for the job in flight, if any, and rethrows its error (once).
    package func wait() throws {
        group.wait()
        if let failure {
            self.failure = nil
            throw failure
        }
    }
}
