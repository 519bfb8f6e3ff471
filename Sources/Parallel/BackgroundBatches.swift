// Overlapping a sequential consumer with parallel work: while the caller consumes one batch
// (adds it to the index, writes it to the catalog), the next is transformed on the other
// cores.
import Dispatch

/// Transforms one batch at a time on a background queue (itself on all cores, through
/// `parallelMap`) while the caller works on the previous batch's results.
///
/// `submit` and `take` alternate on the caller's thread: submit a batch, take its results
/// (waiting if need be), submit the next, then work on the results just taken: submitting
/// the next batch before processing the previous one's results is what makes the two overlap.
/// A batch in flight keeps this object alive (its results are written here) until it ends.
package final class BackgroundBatches<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    // `results` is written by the background work and read only after `group.wait()`.
    private let transform: @Sendable (Input) -> Output
    private let chunkSize: Int
    private let group = DispatchGroup()
    private var results: [Output] = []
    private var pending = false

    /// - Parameter chunkSize: inputs each thread takes at a time (see `parallelMap`).
    package init(chunkSize: Int = 16, _ transform: @escaping @Sendable (Input) -> Output) {
        self.chunkSize = chunkSize
        self.transform = transform
    }

    /// Starts transforming `batch`; the previous batch must have been taken.
    package func submit(_ batch: [Input]) {
        precondition(!pending, "take the previous batch's results before submitting another")
        pending = true
        group.enter()
        DispatchQueue.global().async {
            self.results = parallelMap(batch, chunkSize: self.chunkSize, self.transform)
            self.group.leave()
        }
    }

    /// Waits for the submitted batch and returns its results, in order (empty if none).
    package func take() -> [Output] {
        guard pending else { return [] }
        group.wait()
        pending = false
        defer { results = [] }
        return results
    }
}
