import Foundation
@testable import SearchCore

/// A temporary directory removed when the value goes away.
final class ScratchDirectory {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("searchcore-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A small deterministic random generator (SplitMix64), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// An analyzer that splits on spaces and nothing else, so tests can reason about terms.
struct WhitespaceAnalyzer: Analyzer {
    var name: String { "whitespace" }

    func tokens(_ text: String) -> [Token] {
        text.split(separator: " ").enumerated().map { Token(term: String($1), position: $0, start: 0, end: 0) }
    }
}
