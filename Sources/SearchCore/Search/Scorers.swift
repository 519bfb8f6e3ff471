// Document-at-a-time scorers. Each walks doc ids in increasing order (`nextDoc`, `advance`)
// and scores the current document. A query word searched in several fields is one
// `UnitScorer` (BM25F); boolean structure is `BooleanScorer`; phrases are `PhraseSource`s
// inside a unit. `maxScore` is an upper bound used by MaxScore pruning.

let noMoreDocs = PostingsIterator.exhausted

/// The first document >= `target` that every cursor is on, found by leapfrogging (each cursor
/// advances to the largest document seen so far), or `noMoreDocs`.
@inline(__always)
func leapfrog<Cursors: Collection>(
    _ cursors: Cursors, from target: Int, doc: (Cursors.Element) -> Int, advance: (Cursors.Element, Int) -> Int
) -> Int {
    var candidate = target
    var agreed = false
    while !agreed {
        agreed = true
        for cursor in cursors {
            let found = doc(cursor) < candidate ? advance(cursor, candidate) : doc(cursor)
            if found == noMoreDocs { return noMoreDocs }
            if found > candidate {
                candidate = found
                agreed = false
            }
        }
    }
    return candidate
}

/// A stream of (doc, frequency) for one field: a term's postings, or a phrase's matches.
protocol FrequencySource: AnyObject {
    var doc: Int { get }
    @discardableResult func nextDoc() -> Int
    @discardableResult func advance(to target: Int) -> Int
    /// The frequency in the current document.
    var frequency: Int { get }
    /// Upper bounds over the whole list, for score bounds.
    var maximumFrequency: Int { get }
    var minimumNorm: UInt8 { get }
}

extension PostingsIterator: FrequencySource {}

/// A frequency source of one word that a phrase can read positions from: the cursors of its
/// terms (alternatives of the word), valid while the source lives. A phrase moves them and
/// reads their positions itself.
protocol PositionalSource: FrequencySource {
    var cursors: [UnsafeMutablePointer<PostingsCursor>] { get }
}

extension PostingsIterator: PositionalSource {
    var cursors: [UnsafeMutablePointer<PostingsCursor>] { [cursorPointer] }
}

/// Alternative terms at one position (e.g. a stem with and without accents): a document
/// matches when it has any of them. Alternatives stand for the same word, so the frequency
/// is the largest of theirs, not their sum.
final class UnionSource: PositionalSource {
    private let iterators: [PostingsIterator]
    private(set) var doc = -1

    init(_ iterators: [PostingsIterator]) {
        self.iterators = iterators
    }

    var maximumFrequency: Int { iterators.map(\.maximumFrequency).max() ?? 1 }
    var minimumNorm: UInt8 { iterators.map(\.minimumNorm).min() ?? 0 }
    var cursors: [UnsafeMutablePointer<PostingsCursor>] { iterators.map(\.cursorPointer) }

    func nextDoc() -> Int { advance(to: doc + 1) }

    func advance(to target: Int) -> Int {
        for iterator in iterators where iterator.doc < target { iterator.advance(to: target) }
        doc = iterators.reduce(noMoreDocs) { min($0, $1.doc) }
        return doc
    }

    var frequency: Int {
        iterators.reduce(0) { $1.doc == doc ? max($0, $1.frequency) : $0 }
    }
}

/// Documents that have every one of the words, anywhere: the frequency is the smallest of
/// theirs (how many times the words can be paired up). A thesaurus label of several words
/// (`coral reefs`) searched as a translation matches this way, since a record may write its
/// words apart (`reefs of coral`, `coral on the reef`).
final class AllWordsSource: FrequencySource {
    private let sources: [FrequencySource]
    private(set) var doc = -1

    init(sources: [FrequencySource]) {
        self.sources = sources
    }

    var maximumFrequency: Int { sources.map(\.maximumFrequency).min() ?? 1 }
    var minimumNorm: UInt8 { sources.map(\.minimumNorm).max() ?? 0 }

    func nextDoc() -> Int { advance(to: doc + 1) }

    func advance(to target: Int) -> Int {
        doc = leapfrog(sources, from: target, doc: { $0.doc }, advance: { $0.advance(to: $1) })
        return doc
    }

    var frequency: Int { sources.reduce(Int.max) { min($0, $1.frequency) } }
}

/// Documents where the words occur at the given relative positions.
///
/// The hot loops move the words' cursors through pointers, not through the sources: calling
/// a source (a class behind a protocol) retained and released it every time, and that was
/// 40% of a phrase's time.
final class PhraseSource: FrequencySource {
    /// The words (kept alive: they own the cursors).
    private let sources: [PositionalSource]
    private let offsets: [Int]
    /// Every word's alternative terms' cursors, back to back: word `i`'s from
    /// `wordStarts[i]` to `wordStarts[i + 1]`.
    private let cursors: [UnsafeMutablePointer<PostingsCursor>]
    private let wordStarts: [Int]
    private(set) var doc = -1
    private(set) var frequency = 0
    /// The candidate's positions of every word, back to back (word `i`'s from `starts[i]` to
    /// `starts[i + 1]`): one buffer kept from candidate to candidate.
    private var positions: [Int] = []
    private var starts: [Int]

    init(sources: [PositionalSource], offsets: [Int]) {
        self.sources = sources
        self.offsets = offsets
        var cursors: [UnsafeMutablePointer<PostingsCursor>] = []
        var wordStarts = [0]
        for source in sources {
            cursors += source.cursors
            wordStarts.append(cursors.count)
        }
        self.cursors = cursors
        self.wordStarts = wordStarts
        starts = Array(repeating: 0, count: sources.count + 1)
    }

    var maximumFrequency: Int { sources.map(\.maximumFrequency).min() ?? 1 }
    var minimumNorm: UInt8 { sources.map(\.minimumNorm).max() ?? 0 }

    func nextDoc() -> Int { advance(to: doc + 1) }

    func advance(to target: Int) -> Int {
        // (The buffers as locals for the loop: a class's array passed inout is checked for
        // exclusive access at every call.)
        var positions: [Int] = []
        var starts: [Int] = []
        swap(&positions, &self.positions)
        swap(&starts, &self.starts)
        defer {
            swap(&positions, &self.positions)
            swap(&starts, &self.starts)
        }
        let (found, matches) = cursors.withUnsafeBufferPointer { cursors in
            wordStarts.withUnsafeBufferPointer { wordStarts in
                var candidate = target
                while true {
                    candidate = Self.leapfrog(cursors, wordStarts, from: candidate)
                    if candidate == noMoreDocs { return (noMoreDocs, 0) }
                    let matches = countMatches(candidate, cursors, wordStarts, &positions, &starts)
                    if matches > 0 { return (candidate, matches) }
                    candidate += 1
                }
            }
        }
        doc = found
        frequency = matches
        return doc
    }

    /// The first document >= `target` that has every word (any of its alternatives).
    @inline(__always)
    private static func leapfrog(
        _ cursors: UnsafeBufferPointer<UnsafeMutablePointer<PostingsCursor>>, _ wordStarts: UnsafeBufferPointer<Int>,
        from target: Int
    ) -> Int {
        var candidate = target
        var agreed = false
        while !agreed {
            agreed = true
            for word in 0..<wordStarts.count - 1 {
                var found = noMoreDocs
                for cursor in cursors[wordStarts[word]..<wordStarts[word + 1]] {
                    let at = cursor.pointee.doc < candidate ? cursor.pointee.advance(to: candidate) : cursor.pointee.doc
                    if at < found { found = at }
                }
                if found == noMoreDocs { return noMoreDocs }
                if found > candidate {
                    candidate = found
                    agreed = false
                }
            }
        }
        return candidate
    }

    /// How many start positions in document `doc` (which has every word) have every word at
    /// its offset: the words' sorted position lists walked together, each from where it last
    /// stopped (no sets, no lookups).
    @inline(__always)
    private func countMatches(
        _ doc: Int, _ cursors: UnsafeBufferPointer<UnsafeMutablePointer<PostingsCursor>>,
        _ wordStarts: UnsafeBufferPointer<Int>, _ positions: inout [Int], _ starts: inout [Int]
    ) -> Int {
        let words = wordStarts.count - 1
        guard words > 0 else { return 0 }
        positions.removeAll(keepingCapacity: true)
        for word in 0..<words {
            let start = positions.count
            starts[word] = start
            // Usually one alternative is in the document: its list as it is. Otherwise the
            // lists appended, then sorted and made unique in place (no set: this runs for
            // every candidate).
            var lists = 0
            for cursor in cursors[wordStarts[word]..<wordStarts[word + 1]] where cursor.pointee.doc == doc {
                cursor.pointee.appendPositions(to: &positions)
                lists += 1
            }
            if lists > 1, positions.count - start > 1 {
                positions[start...].sort()
                var kept = start + 1
                for index in (start + 1)..<positions.count where positions[index] != positions[kept - 1] {
                    positions[kept] = positions[index]
                    kept += 1
                }
                positions.removeLast(positions.count - kept)
            }
        }
        starts[words] = positions.count
        return positions.withUnsafeBufferPointer { positions in
            starts.withUnsafeBufferPointer { starts in
                offsets.withUnsafeBufferPointer { offsets in
                    // How far the walk has read each list (on the stack: one per word).
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: words) { next in
                        for word in 0..<words { next[word] = starts[word] }
                        var count = 0
                        var previousStart = Int.min
                        walk: for cursor in starts[0]..<starts[1] {
                            let start = positions[cursor] - offsets[0]
                            if start == previousStart { continue }  // a position listed twice counts once
                            previousStart = start
                            var all = true
                            for word in 1..<words {
                                let wanted = start + offsets[word]
                                let end = starts[word + 1]
                                var cursor = next[word]
                                while cursor < end, positions[cursor] < wanted { cursor += 1 }
                                next[word] = cursor
                                // Starts only grow: once a list is used up, no later start can match.
                                guard cursor < end else { break walk }
                                if positions[cursor] != wanted { all = false }
                            }
                            if all { count += 1 }
                        }
                        return count
                    }
                }
            }
        }
    }
}

/// The base of scorers: iteration, per-group scores and an upper bound.
///
/// Scores are kept per field group (one group per language in the clearing-house): a
/// document's score is the best group's total, so text repeated in another language never
/// adds to it. With a single group this is plain BM25F.
class Scorer {
    var doc: Int = -1
    var maxScore: Double = 0
    /// Number of field groups of the index.
    let groupCount: Int

    init(groupCount: Int) {
        self.groupCount = groupCount
    }

    @discardableResult func nextDoc() -> Int { noMoreDocs }
    @discardableResult func advance(to target: Int) -> Int { noMoreDocs }

    /// Adds this scorer's contribution to the current document's total in each group.
    func addScores(to totals: inout [Double]) {}

    /// The current document's score: its best group's total.
    func score() -> Double {
        var totals = Array(repeating: 0.0, count: groupCount)
        addScores(to: &totals)
        return totals.max() ?? 0
    }

    /// The group whose total is highest for the current document.
    func bestGroup() -> Int {
        var totals = Array(repeating: 0.0, count: groupCount)
        addScores(to: &totals)
        return totals.indices.max { totals[$0] < totals[$1] } ?? 0
    }

    /// How the contribution in `group` was computed.
    func explain(group: Int) -> Explanation { Explanation(0, "match") }

    /// Adds the labels of the synonyms (``FieldPart/label``) that the current document matches.
    func collectMatchedLabels(into labels: inout Set<String>) {}
}

/// What a unit scorer needs to know about one field.
struct ScoringField {
    var name: String
    /// What the field's source searches when it is not the query's own word (a synonym or
    /// a close spelling), for explanations.
    var label: String? = nil
    /// The source searches a synonym, which hits report.
    var isSynonym = false
    /// Fields of one group combine (BM25F); groups compete (the best one counts).
    var group: String
    /// The group's index among the index's groups.
    var groupIndex: Int
    var weight: Double
    /// `1 - b + b * length / averageLength` for each norm byte.
    var lengthFactors: [Double]
    var norms: UnsafeRawBufferPointer
    var averageLength: Double
    /// The length is the document's over its whole group (an uneven group), not the field's.
    var groupLength = false
}

/// One query word or phrase searched in several fields, scored with BM25F within each group
/// of fields: frequencies are length-normalized per field, weighted and summed, then
/// saturated once. Each group gets its own contribution; the document's best group counts.
final class UnitScorer: Scorer {
    private let sources: [FrequencySource]
    private let fields: [ScoringField]
    // The fields' scoring data, unpacked for the hot loop (no struct copies, no retains).
    private let groupIndices: [Int]
    /// `weight / lengthFactor` for each field and norm byte (a product in the hot loop): field
    /// `i`'s 256 from `i * 256` (one array: a nested one was retained on every read).
    private let scales: [Double]
    private let norms: [UnsafeRawBufferPointer]
    /// The one group of every field, when there is only one (the common case).
    private let singleGroup: Int?
    private var scratch: [Double]
    private let idf: Double
    private let k1: Double
    /// BM25's length normalization (only explanations show it: the length factors have it).
    private let b: Double
    private let label: String
    private let documentCount: Int
    private let documentFrequency: Int
    private let idfFactor: QueryUnit.IDFFactor?
    /// The boosts written around the unit, which `idf` includes (for explanations).
    private let boost: Double

    init(
        label: String, sources: [FrequencySource], fields: [ScoringField], idf: Double, k1: Double, b: Double, documentCount: Int,
        documentFrequency: Int, groupCount: Int, idfFactor: QueryUnit.IDFFactor? = nil, boost: Double = 1
    ) {
        self.idfFactor = idfFactor
        self.boost = boost
        self.sources = sources
        self.fields = fields
        groupIndices = fields.map(\.groupIndex)
        scales = fields.flatMap { field in (0..<256).map { field.weight / field.lengthFactors[min($0, field.lengthFactors.count - 1)] } }
        norms = fields.map(\.norms)
        singleGroup = Set(fields.map(\.groupIndex)).count == 1 ? fields.first?.groupIndex : nil
        scratch = Array(repeating: 0, count: groupCount)
        self.idf = idf
        self.k1 = k1
        self.b = b
        self.label = label
        self.documentCount = documentCount
        self.documentFrequency = documentFrequency
        super.init(groupCount: groupCount)
        var bounds = Array(repeating: 0.0, count: groupCount)
        for (source, field) in zip(sources, fields) {
            let factor = field.lengthFactors[Int(source.minimumNorm)]
            bounds[field.groupIndex] += field.weight * Double(source.maximumFrequency) / max(factor, 1e-9)
        }
        let bound = bounds.max() ?? 0
        maxScore = idf * bound / (k1 + bound)
    }

    // (The loops read `sources` through a buffer: iterating the array itself retained and
    // released every source on every document.)

    override func nextDoc() -> Int { advance(to: doc + 1) }

    override func advance(to target: Int) -> Int {
        doc = sources.withUnsafeBufferPointer { sources in
            var smallest = noMoreDocs
            for source in sources {
                let at = source.doc < target ? source.advance(to: target) : source.doc
                if at < smallest { smallest = at }
            }
            return smallest
        }
        return doc
    }

    /// The weighted, length-normalized frequency of source `index` in the current document.
    @inline(__always)
    private func contribution(_ index: Int, _ source: FrequencySource) -> Double {
        let fieldNorms = norms[index]
        let norm = doc < fieldNorms.count ? Int(fieldNorms[doc]) : 0
        return Double(source.frequency) * scales[index << 8 | norm]
    }

    /// The BM25F pseudo-frequency of each group in the current document.
    private func groupFrequencies() -> [Double] {
        var totals = Array(repeating: 0.0, count: groupCount)
        for (index, source) in sources.enumerated() where source.doc == doc {
            totals[groupIndices[index]] += contribution(index, source)
        }
        return totals
    }

    /// The pseudo-frequency of the current document over all the fields (one group's).
    @inline(__always)
    private func singleGroupFrequency() -> Double {
        sources.withUnsafeBufferPointer { sources in
            var frequency = 0.0
            for index in sources.indices where sources[index].doc == doc { frequency += contribution(index, sources[index]) }
            return frequency
        }
    }

    override func addScores(to totals: inout [Double]) {
        if let group = singleGroup {
            let frequency = singleGroupFrequency()
            if frequency > 0 { totals[group] += idf * frequency / (k1 + frequency) }
            return
        }
        for group in scratch.indices { scratch[group] = 0 }
        sources.withUnsafeBufferPointer { sources in
            for index in sources.indices where sources[index].doc == doc {
                scratch[groupIndices[index]] += contribution(index, sources[index])
            }
        }
        for (group, frequency) in scratch.enumerated() where frequency > 0 {
            totals[group] += idf * frequency / (k1 + frequency)
        }
    }

    override func score() -> Double {
        if singleGroup != nil {
            let frequency = singleGroupFrequency()
            return idf * frequency / (k1 + frequency)
        }
        return super.score()
    }

    override func explain(group: Int) -> Explanation {
        let frequency = groupFrequencies()[group]
        let value = idf * frequency / (k1 + frequency)
        let formula: String
        switch idfFactor {
        case .phraseSum(let words)?:
            formula = "idf = the sum of the idfs of its \(words) words, each ln(1 + (N - n + 0.5) / (n + 0.5)) with N = \(documentCount) documents"
        case .weight(let weight, let what)?:
            formula =
                "idf = \(Self.rounded(weight)) (weight of \(what)) × ln(1 + (N - n + 0.5) / (n + 0.5)) with N = \(documentCount) documents, n = \(documentFrequency) containing it"
        case nil:
            formula =
                "idf = ln(1 + (N - n + 0.5) / (n + 0.5)) with N = \(documentCount) documents, n = \(documentFrequency) containing it\(fields.count > 1 ? " (in the field that most have it)" : "")"
        }
        var details: [Explanation] = [Explanation(idf, boost == 1 ? formula : "idf = \(Self.rounded(boost)) (boost) × " + formula.dropFirst("idf = ".count))]
        var parts: [Explanation] = []
        for (index, (source, field)) in zip(sources, fields).enumerated() where source.doc == doc && field.groupIndex == group {
            let norm = doc < field.norms.count ? Int(field.norms[doc]) : 0
            let length = LengthNorm.decodedLengths[norm]
            parts.append(
                Explanation(
                    contribution(index, source),
                    "\(field.name)\(field.label.map { " (\($0))" } ?? ""): weight \(Self.rounded(field.weight)) × freq \(source.frequency) / (1 - b + b × \(field.groupLength ? "length of all \(field.group) fields" : "length") \(Int(length)) / average \(String(format: "%.2f", field.averageLength)))"
                ))
        }
        details.append(Explanation(frequency, "tf = sum of weighted, length-normalized frequencies (b = \(b))", parts))
        details.append(Explanation(frequency > 0 ? frequency / (k1 + frequency) : 0, "tf / (k1 + tf) with k1 = \(k1)"))
        return Explanation(value, label, details)
    }

    /// A weight as explanations show it: at most four significant digits (`1.0625`, `1.309`).
    static func rounded(_ weight: Double) -> String {
        let text = String(format: "%.4g", weight)
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }

    override func collectMatchedLabels(into labels: inout Set<String>) {
        for (source, field) in zip(sources, fields) where source.doc == doc && field.isSynonym {
            if let label = field.label { labels.insert(label) }
        }
    }
}

/// Matches every document (an empty query); score 0.
final class AllScorer: Scorer {
    private let count: Int

    init(documentCount: Int, groupCount: Int) {
        count = documentCount
        super.init(groupCount: groupCount)
    }

    override func nextDoc() -> Int { advance(to: doc + 1) }

    override func advance(to target: Int) -> Int {
        doc = target < count ? max(target, 0) : noMoreDocs
        return doc
    }

    override func explain(group: Int) -> Explanation { Explanation(0, "matches every document") }
}

/// A keyword value (e.g. `kind:technology`): matches, adds nothing to the score.
final class KeywordScorer: Scorer {
    private let iterator: PostingsIterator
    private let label: String

    init(iterator: PostingsIterator, label: String, groupCount: Int) {
        self.iterator = iterator
        self.label = label
        super.init(groupCount: groupCount)
    }

    override func nextDoc() -> Int {
        doc = iterator.nextDoc()
        return doc
    }

    override func advance(to target: Int) -> Int {
        doc = iterator.advance(to: target)
        return doc
    }

    override func explain(group: Int) -> Explanation { Explanation(0, "\(label) (keyword, no score)") }
}

/// Boolean combination: every required clause, no prohibited clause, at least
/// `minimumShouldMatch` optional clauses (at least one when nothing is required).
final class BooleanScorer: Scorer {
    private let required: [Scorer]
    private let optional: [Scorer]
    private let prohibited: [Scorer]
    private let minimumShouldMatch: Int
    /// The per-group totals of ``score()``, kept from document to document.
    private var totals: [Double]

    init(required: [Scorer], optional: [Scorer], prohibited: [Scorer], minimumShouldMatch: Int, groupCount: Int) {
        self.required = required
        self.optional = optional
        self.prohibited = prohibited
        self.minimumShouldMatch = required.isEmpty ? max(1, minimumShouldMatch) : minimumShouldMatch
        totals = Array(repeating: 0, count: groupCount)
        super.init(groupCount: groupCount)
        maxScore = (required + optional).reduce(0) { $0 + $1.maxScore }
    }

    // (The clause lists are read through buffers: iterating the arrays retained and released
    // every clause on every document, half of an AND query's time.)

    override func nextDoc() -> Int { advance(to: doc + 1) }

    override func advance(to target: Int) -> Int {
        doc = required.withUnsafeBufferPointer { required in
            optional.withUnsafeBufferPointer { optional in
                prohibited.withUnsafeBufferPointer { prohibited in
                    Self.next(from: target, required, optional, prohibited, minimumShouldMatch)
                }
            }
        }
        return doc
    }

    private static func next(
        from target: Int, _ required: UnsafeBufferPointer<Scorer>, _ optional: UnsafeBufferPointer<Scorer>,
        _ prohibited: UnsafeBufferPointer<Scorer>, _ minimumShouldMatch: Int
    ) -> Int {
        var candidate = target
        while true {
            if required.isEmpty {
                var smallest = noMoreDocs
                for scorer in optional {
                    let at = scorer.doc < candidate ? scorer.advance(to: candidate) : scorer.doc
                    if at < smallest { smallest = at }
                }
                candidate = smallest
            } else {
                candidate = leapfrog(required, from: candidate, doc: { $0.doc }, advance: { $0.advance(to: $1) })
                if candidate == noMoreDocs { return noMoreDocs }
                for scorer in optional where scorer.doc < candidate { scorer.advance(to: candidate) }
            }
            if candidate == noMoreDocs { return noMoreDocs }
            var matchedOptional = 0
            for scorer in optional where scorer.doc == candidate { matchedOptional += 1 }
            var excluded = matchedOptional < minimumShouldMatch
            if !excluded {
                for scorer in prohibited {
                    if scorer.doc < candidate { scorer.advance(to: candidate) }
                    if scorer.doc == candidate {
                        excluded = true
                        break
                    }
                }
            }
            if !excluded { return candidate }
            candidate += 1
        }
    }

    override func addScores(to totals: inout [Double]) {
        required.withUnsafeBufferPointer { required in
            for scorer in required { scorer.addScores(to: &totals) }
        }
        optional.withUnsafeBufferPointer { optional in
            for scorer in optional where scorer.doc == doc { scorer.addScores(to: &totals) }
        }
    }

    override func score() -> Double {
        var totals: [Double] = []
        swap(&totals, &self.totals)
        defer { swap(&totals, &self.totals) }
        for group in totals.indices { totals[group] = 0 }
        addScores(to: &totals)
        return totals.max() ?? 0
    }

    override func explain(group: Int) -> Explanation {
        let parts = (required + optional.filter { $0.doc == doc }).map { $0.explain(group: group) }
        return Explanation(parts.reduce(0) { $0 + $1.value }, "sum of", parts)
    }

    override func collectMatchedLabels(into labels: inout Set<String>) {
        for scorer in required + optional where scorer.doc == doc { scorer.collectMatchedLabels(into: &labels) }
    }
}
