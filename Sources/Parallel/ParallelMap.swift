// Mapping an array on all cores, results in order: what indexing (analysis) and reading
// (JSON Lines) share.
import Dispatch

/// A value handed to other threads whose safety the caller guarantees (disjoint writes).
private struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
}

/// `transform` applied to every element, on all cores, results in order. Elements are
/// handed out in chunks so that threads do not contend.
package func parallelMap<Element: Sendable, Result: Sendable>(
    _ elements: [Element], chunkSize: Int = 64, _ transform: @Sendable (Element) -> Result
) -> [Result] {
    guard elements.count > chunkSize else { return elements.map(transform) }
    let chunks = (elements.count + chunkSize - 1) / chunkSize
    return [Result](unsafeUninitializedCapacity: elements.count) { buffer, initialized in
        guard let base = buffer.baseAddress else { return }
        let output = Unchecked(value: base)
        elements.withUnsafeBufferPointer { input in
            let input = Unchecked(value: input)
            // Each chunk initializes its own slots of the output.
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let range = chunk * chunkSize..<min(input.value.count, (chunk + 1) * chunkSize)
                for index in range { (output.value + index).initialize(to: transform(input.value[index])) }
            }
        }
        initialized = elements.count
    }
}
