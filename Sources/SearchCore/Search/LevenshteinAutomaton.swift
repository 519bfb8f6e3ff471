// Typo tolerance: an automaton over Unicode scalars that accepts the strings within a small edit
// distance of a word, stepped one scalar at a time (for walks of the sorted term dictionary).

/// Accepts the strings within ``maxDistance`` edits of a word, reading Unicode scalars one at
/// a time.
///
/// An edit inserts, deletes or substitutes one scalar; with ``transpositions`` (the default, as
/// in Lucene's `FuzzyQuery`) swapping two adjacent scalars is one edit too, counted the way the
/// *optimal string alignment* (restricted Damerau-Levenshtein) distance counts it: a swapped
/// pair is not edited again. With a ``prefixLength`` of N, the first N scalars of a string
/// must be those of the word and the distance is that of the rest (as Lucene's
/// `prefixLength`); a word shorter than N is a prefix of itself.
///
/// The automaton is not built ahead: a ``State`` holds the band of the dynamic-programming row
/// of the distance (Ukkonen's cut-off: only the 2·maxDistance+1 cells around the diagonal can
/// be within the distance), its values capped at maxDistance+1, four bits a cell, and the row
/// before it for transpositions. States are small values that ``step(_:_:)`` makes from one
/// another, so a walk of a sorted dictionary keeps one per scalar of the current term and
/// drops a whole subtree as soon as ``isDead(_:)`` says no string with that prefix can match.
struct LevenshteinAutomaton: Sendable {
    /// Where the automaton is after reading some scalars. Two rows of at most five 4-bit
    /// cells, the number of scalars read and the last one: no storage of its own.
    struct State: Hashable, Sendable {
        /// Scalars read so far (prefix included).
        fileprivate var consumed: Int
        /// The band of the current row: cell `b` (bits 4b...4b+3) is the distance between the
        /// input after the prefix and the first `i - maxDistance + b` scalars of the word after
        /// the prefix, where `i` is the input's length after the prefix (capped at
        /// maxDistance+1; cells outside the word hold the cap). All zero while in the prefix.
        fileprivate var row: UInt32
        /// The band of the row before, for transpositions.
        fileprivate var previousRow: UInt32
        /// The last scalar read (for transpositions).
        fileprivate var last: UInt32
    }

    /// The word, as given.
    let word: String
    /// The greatest distance accepted: 0, 1 or 2.
    let maxDistance: Int
    /// Whether swapping two adjacent scalars counts as one edit (otherwise two).
    let transpositions: Bool
    /// How many leading scalars must match exactly (at most the word's length).
    let prefixLength: Int
    /// The state before any input.
    let start: State

    /// The word's scalars.
    private let scalars: [UInt32]
    /// The word's distinct scalars, in increasing order.
    private let alphabet: [UInt32]
    /// Cells per row: 2·maxDistance+1.
    private let width: Int
    /// A row whose every cell holds the cap.
    private let deadRow: UInt32
    /// The row before any input after the prefix.
    private let initialRow: UInt32
    /// The state from which nothing can be accepted.
    private let dead: State

    /// A value no scalar has: stepping with it is stepping with any scalar not in the word.
    private static let otherScalar: UInt32 = .max

    /// An automaton for the strings within `maxDistance` edits of `word`.
    ///
    /// - Parameters:
    ///   - word: The word to match, compared scalar by scalar (normalize it as the terms are).
    ///   - maxDistance: The greatest number of edits; values outside 0...2 are clamped to it.
    ///   - transpositions: Whether swapping two adjacent scalars is one edit (default true).
    ///   - prefixLength: How many leading scalars must match exactly (default 0; clamped to
    ///     0...the word's length).
    init(_ word: String, maxDistance: Int, transpositions: Bool = true, prefixLength: Int = 0) {
        self.word = word
        let distance = min(max(maxDistance, 0), 2)
        self.maxDistance = distance
        self.transpositions = transpositions
        let scalars = word.unicodeScalars.map(\.value)
        self.scalars = scalars
        alphabet = Array(Set(scalars)).sorted()
        let prefixLength = min(max(prefixLength, 0), scalars.count)
        self.prefixLength = prefixLength
        let width = 2 * distance + 1
        self.width = width
        let cap = UInt32(distance + 1)
        var deadRow: UInt32 = 0
        var initialRow: UInt32 = 0
        let remaining = scalars.count - prefixLength
        for band in 0..<width {
            deadRow |= cap << (4 * band)
            // Row 0: the distance to the first j scalars of the rest of the word is j.
            let j = band - distance
            let value = j >= 0 && j <= remaining ? min(UInt32(j), cap) : cap
            initialRow |= value << (4 * band)
        }
        self.deadRow = deadRow
        self.initialRow = initialRow
        dead = State(consumed: 0, row: deadRow, previousRow: deadRow, last: 0)
        start = State(consumed: 0, row: prefixLength == 0 ? initialRow : 0, previousRow: deadRow, last: 0)
    }

    @inline(__always)
    private func cell(_ row: UInt32, _ band: Int) -> Int { Int(row >> (4 * band) & 0xF) }

    /// The state after reading `scalar` in `state`.
    func step(_ state: State, _ scalar: Unicode.Scalar) -> State { step(state, value: scalar.value) }

    /// The state after reading the scalar of value `scalar` in `state`.
    func step(_ state: State, value scalar: UInt32) -> State {
        if state.row == deadRow { return dead }
        if state.consumed < prefixLength {
            guard scalars[state.consumed] == scalar else { return dead }
            let consumed = state.consumed + 1
            return State(consumed: consumed, row: consumed == prefixLength ? initialRow : 0, previousRow: deadRow, last: 0)
        }
        // Row i (the input after the prefix has i scalars) to row i+1. Cell `band` of row i+1
        // is column j = i+1-maxDistance+band; cell `band` of row i is column j-1, cell
        // band+1 column j; cell `band` of row i-1 is column j-2.
        let cap = maxDistance + 1
        let i = state.consumed - prefixLength
        let rest = scalars.count - prefixLength
        var row: UInt32 = 0
        var left = cap
        for band in 0..<width {
            let j = i + 1 - maxDistance + band
            var value = cap
            if j == 0 {
                value = min(i + 1, cap)
            } else if j > 0, j <= rest {
                // Substitution (or match) of the word's scalar j-1.
                value = cell(state.row, band) + (scalars[prefixLength + j - 1] == scalar ? 0 : 1)
                // Deletion of the input's scalar; insertion of the word's scalar j-1.
                if band + 1 < width { value = min(value, cell(state.row, band + 1) + 1) }
                value = min(value, left + 1)
                // Transposition of the last two input scalars with the word's scalars j-2, j-1.
                if transpositions, i >= 1, j >= 2, scalars[prefixLength + j - 2] == scalar,
                    scalars[prefixLength + j - 1] == state.last
                {
                    value = min(value, cell(state.previousRow, band) + 1)
                }
                value = min(value, cap)
            }
            row |= UInt32(value) << (4 * band)
            left = value
        }
        if row == deadRow { return dead }
        return State(consumed: state.consumed + 1, row: row, previousRow: state.row, last: scalar)
    }

    /// Whether no string that continues the input of `state` can be accepted (a walk can
    /// skip every string with this prefix).
    func isDead(_ state: State) -> Bool { state.row == deadRow }

    /// The distance of the input of `state` to the word if it is at most ``maxDistance``
    /// (nil: not accepted).
    func distance(_ state: State) -> Int? {
        guard state.row != deadRow, state.consumed >= prefixLength else { return nil }
        let band = scalars.count - state.consumed + maxDistance
        guard band >= 0, band < width else { return nil }
        let value = cell(state.row, band)
        return value <= maxDistance ? value : nil
    }

    /// Whether `state` accepts its input.
    func isAccepting(_ state: State) -> Bool { distance(state) != nil }

    /// The distance of `text` to the word if it is at most ``maxDistance`` (nil: not
    /// accepted; with a prefix length, also when `text` does not start with the prefix).
    func distance(of text: String) -> Int? {
        var state = start
        for scalar in text.unicodeScalars {
            state = step(state, scalar)
            if isDead(state) { return nil }
        }
        return distance(state)
    }

    /// The smallest scalar value greater than `bound` (any, when nil) after which `state` is
    /// not dead, or nil if there is none: where a walk of a sorted dictionary goes next.
    ///
    /// Scalars not in the word all lead to the same state, and no scalar leads to a worse one
    /// (a match costs less than a substitution), so if one of them keeps the state alive,
    /// every scalar does; otherwise only the word's scalars can.
    func smallestLiveScalar(from state: State, after bound: UInt32?) -> UInt32? {
        guard !isDead(state) else { return nil }
        if state.consumed >= prefixLength, !isDead(step(state, value: Self.otherScalar)) {
            return Self.scalarValue(after: bound)
        }
        for scalar in alphabet where bound.map({ scalar > $0 }) ?? true {
            if !isDead(step(state, value: scalar)) { return scalar }
        }
        return nil
    }

    /// The smallest Unicode scalar value greater than `bound` (0 when nil), or nil.
    static func scalarValue(after bound: UInt32?) -> UInt32? {
        guard let bound else { return 0 }
        guard bound < 0x10_FFFF else { return nil }
        let next = bound + 1
        return (0xD800...0xDFFF).contains(next) ? 0xE000 : next
    }
}
