// Document-at-a-time scorers. Each walks doc ids in increasing order (`nextDoc`, `advance`)
// and scores the current document. A query word searched in several fields is one
// `UnitScorer` (BM25F); boolean structure is `BooleanScorer`; phrases are `PhraseSource`s
// inside a unit. `maxScore` is an upper bound used by MaxScore pruning.

let noMoreDocs = PostingsIterator.exhausted

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

extension PostingsIterator: FrequencySource {
    var maximumFrequency: Int {
        (0..<blockCount).reduce(1) { max($0, maxFrequency(ofBlock: $1)) }
    }
    var minimumNorm: UInt8 {
        (0..<blockCount).reduce(UInt8.max) { min($0, minNorm(ofBlock: $1)) }
    }
}

/// Documents where the terms occur at the given relative positions.
final class PhraseSource: FrequencySource {
    private let iterators: [PostingsIterator]
    private let offsets: [Int]
    private(set) var doc = -1
    private(set) var frequency = 0

    init(iterators: [PostingsIterator], offsets: [Int]) {
        self.iterators = iterators
        self.offsets = offsets
    }

    var maximumFrequency: Int { iterators.map(\.maximumFrequency).min() ?? 1 }
    var minimumNorm: UInt8 { iterators.map(\.minimumNorm).max() ?? 0 }

    func nextDoc() -> Int { advance(to: doc + 1) }

    func advance(to target: Int) -> Int {
        var candidate = target
        while true {
            // Leapfrog until every iterator is on the same document.
            var agreed = false
            while !agreed {
                agreed = true
                for iterator in iterators {
                    let found = iterator.advance(to: candidate)
                    if found == noMoreDocs {
                        doc = noMoreDocs
                        return doc
                    }
                    if found > candidate {
                        candidate = found
                        agreed = false
                    }
                }
            }
            let matches = countMatches()
            if matches > 0 {
                doc = candidate
                frequency = matches
                return doc
            }
            candidate += 1
        }
    }

    /// How many start positions have every term at its offset.
    private func countMatches() -> Int {
        let positions = iterators.map { Set($0.positions()) }
        guard let first = positions.first else { return 0 }
        var count = 0
        for start in first.map({ $0 - offsets[0] }) {
            var all = true
            for index in 1..<positions.count where !positions[index].contains(start + offsets[index]) {
                all = false
                break
            }
            if all { count += 1 }
        }
        return count
    }
}

/// The base of scorers: iteration plus score and an upper bound.
class Scorer {
    var doc: Int = -1
    var maxScore: Double = 0

    @discardableResult func nextDoc() -> Int { noMoreDocs }
    @discardableResult func advance(to target: Int) -> Int { noMoreDocs }
    func score() -> Double { 0 }
    func explain() -> Explanation { Explanation(score(), "match") }
}

/// What a unit scorer needs to know about one field.
struct ScoringField {
    var name: String
    var weight: Double
    /// `1 - b + b * length / averageLength` for each norm byte.
    var lengthFactors: [Double]
    var norms: UnsafeRawBufferPointer
    var averageLength: Double
}

/// One query word or phrase searched in several fields, scored with BM25F: frequencies are
/// length-normalized per field, weighted and summed, then saturated once.
final class UnitScorer: Scorer {
    private let sources: [FrequencySource]
    private let fields: [ScoringField]
    private let idf: Double
    private let k1: Double
    private let label: String
    private let documentCount: Int
    private let documentFrequency: Int

    init(
        label: String, sources: [FrequencySource], fields: [ScoringField], idf: Double, k1: Double, documentCount: Int,
        documentFrequency: Int
    ) {
        self.sources = sources
        self.fields = fields
        self.idf = idf
        self.k1 = k1
        self.label = label
        self.documentCount = documentCount
        self.documentFrequency = documentFrequency
        super.init()
        var bound = 0.0
        for (source, field) in zip(sources, fields) {
            let factor = field.lengthFactors[Int(source.minimumNorm)]
            bound += field.weight * Double(source.maximumFrequency) / max(factor, 1e-9)
        }
        maxScore = idf * bound / (k1 + bound)
    }

    private func current() -> Int { sources.reduce(noMoreDocs) { min($0, $1.doc) } }

    override func nextDoc() -> Int {
        let target = doc + 1
        for source in sources where source.doc < target { source.advance(to: target) }
        doc = current()
        return doc
    }

    override func advance(to target: Int) -> Int {
        for source in sources where source.doc < target { source.advance(to: target) }
        doc = current()
        return doc
    }

    /// The BM25F pseudo-frequency of the current document.
    private func normalizedFrequency() -> Double {
        var total = 0.0
        for (source, field) in zip(sources, fields) where source.doc == doc {
            let norm = doc < field.norms.count ? Int(field.norms[doc]) : 0
            total += field.weight * Double(source.frequency) / field.lengthFactors[norm]
        }
        return total
    }

    override func score() -> Double {
        let frequency = normalizedFrequency()
        return idf * frequency / (k1 + frequency)
    }

    override func explain() -> Explanation {
        let frequency = normalizedFrequency()
        var details: [Explanation] = [
            Explanation(
                idf, "idf = ln(1 + (N - n + 0.5) / (n + 0.5)) with N = \(documentCount) documents, n = \(documentFrequency) containing it")
        ]
        var parts: [Explanation] = []
        for (source, field) in zip(sources, fields) where source.doc == doc {
            let norm = doc < field.norms.count ? Int(field.norms[doc]) : 0
            let length = LengthNorm.decodedLengths[norm]
            let contribution = field.weight * Double(source.frequency) / field.lengthFactors[norm]
            parts.append(
                Explanation(
                    contribution,
                    "\(field.name): weight \(field.weight) × freq \(source.frequency) / (1 - b + b × length \(Int(length)) / average \(String(format: "%.2f", field.averageLength)))"
                ))
        }
        details.append(Explanation(frequency, "tf = sum over fields of weighted, length-normalized frequencies", parts))
        details.append(Explanation(frequency / (k1 + frequency), "tf / (k1 + tf) with k1 = \(k1)"))
        return Explanation(score(), "\(label)", details)
    }
}

/// Matches every document (an empty query); score 0.
final class AllScorer: Scorer {
    private let count: Int

    init(documentCount: Int) {
        count = documentCount
    }

    override func nextDoc() -> Int { advance(to: doc + 1) }

    override func advance(to target: Int) -> Int {
        doc = target < count ? max(target, 0) : noMoreDocs
        return doc
    }

    override func explain() -> Explanation { Explanation(0, "matches every document") }
}

/// A keyword value (e.g. `kind:technology`): matches, adds nothing to the score.
final class KeywordScorer: Scorer {
    private let iterator: PostingsIterator
    private let label: String

    init(iterator: PostingsIterator, label: String) {
        self.iterator = iterator
        self.label = label
    }

    override func nextDoc() -> Int {
        doc = iterator.nextDoc()
        return doc
    }

    override func advance(to target: Int) -> Int {
        doc = iterator.advance(to: target)
        return doc
    }

    override func explain() -> Explanation { Explanation(0, "\(label) (keyword, no score)") }
}

/// Boolean combination: every required clause, no prohibited clause, at least
/// `minimumShouldMatch` optional clauses (at least one when nothing is required).
final class BooleanScorer: Scorer {
    private let required: [Scorer]
    private let optional: [Scorer]
    private let prohibited: [Scorer]
    private let minimumShouldMatch: Int

    init(required: [Scorer], optional: [Scorer], prohibited: [Scorer], minimumShouldMatch: Int) {
        self.required = required
        self.optional = optional
        self.prohibited = prohibited
        self.minimumShouldMatch = required.isEmpty ? max(1, minimumShouldMatch) : minimumShouldMatch
        super.init()
        maxScore = (required + optional).reduce(0) { $0 + $1.maxScore }
    }

    override func nextDoc() -> Int { advance(to: doc + 1) }

    override func advance(to target: Int) -> Int {
        var candidate = target
        while true {
            if required.isEmpty {
                for scorer in optional where scorer.doc < candidate { scorer.advance(to: candidate) }
                candidate = optional.reduce(noMoreDocs) { min($0, $1.doc) }
            } else {
                var agreed = false
                while !agreed {
                    agreed = true
                    for scorer in required {
                        let found = scorer.doc < candidate ? scorer.advance(to: candidate) : scorer.doc
                        if found == noMoreDocs {
                            doc = noMoreDocs
                            return doc
                        }
                        if found > candidate {
                            candidate = found
                            agreed = false
                        }
                    }
                }
                for scorer in optional where scorer.doc < candidate { scorer.advance(to: candidate) }
            }
            if candidate == noMoreDocs {
                doc = noMoreDocs
                return doc
            }
            let matchedOptional = optional.reduce(0) { $0 + ($1.doc == candidate ? 1 : 0) }
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
            if !excluded {
                doc = candidate
                return doc
            }
            candidate += 1
        }
    }

    override func score() -> Double {
        var total = 0.0
        for scorer in required { total += scorer.score() }
        for scorer in optional where scorer.doc == doc { total += scorer.score() }
        return total
    }

    override func explain() -> Explanation {
        let parts = (required + optional.filter { $0.doc == doc }).map { $0.explain() }
        return Explanation(score(), "sum of", parts)
    }
}
