// Top-k of a disjunction of words (the common query: every word optional, best first) with
// block-max MaxScore, in the manner of Lucene's MaxScoreBulkScorer:
//
// - The doc id space is cut into windows, each ending where a block of an essential word's
//   list ends (see below); each list's skip entries (largest frequency, shortest document of
//   each block) over the blocks the window reaches bound what any document of the window
//   can get from that word.
// - A window whose bounds add up to less than the k-th best score so far is skipped without
//   decoding a single block.
// - In the other windows, words whose summed bounds cannot reach the k-th score are
//   "non-essential": documents come from the essential words only, and the others are
//   probed (skipping) for those documents while the score can still make the top k. The
//   essential words (and non-essential ones with short lists) are read term at a time into
//   per-window arrays (a score per document, word and scoring group), unless the query has
//   more than 64 words or too many words x groups for those arrays; then documents come
//   from the essential lists one at a time. (A multilingual query searches each word in
//   about 30 fields of 7 language groups: going through every cursor for each document made
//   `coral reef` on a 100,000-record clearing-house index take 1.9 ms; term at a time,
//   1.1 ms.)
//
// Cursors are value types in one unsafe buffer: the hot loop does no reference counting
// and no dynamic dispatch. Scores are computed exactly as `UnitScorer` does (BM25F per
// field group, best group counts), so results equal the generic path's.

/// One word of the disjunction as searched in one segment.
struct DisjunctionWord {
    /// The word's parts (one per field), in plan order; each has one or more alternative
    /// terms, whose postings are `PostingsCursor`s.
    struct Part {
        var infos: [TermInfo]
        var weight: Double
        var group: Int
        /// `1 - b + b * length / averageLength` for each norm byte.
        var lengthFactors: [Double]
        var norms: UnsafeRawBufferPointer
    }

    var parts: [Part]
    var idf: Double
}

/// Per-cursor scoring data, unpacked (no references).
private struct CursorData {
    var word: Int
    /// Cursors of one part (alternatives of one word in one field) share this.
    var part: Int
    var group: Int
    /// `weight / (1 - b + b * length / averageLength)` for each norm byte.
    var lengthFactors: UnsafeMutablePointer<Double>
    var norms: UnsafeRawBufferPointer
    /// The block the current window starts in and its last doc.
    var shallowBlock: Int
    var blockEnd: Int
    /// The last block the current window reaches (from `shallowBlock` on) and the bound on
    /// the weighted, length-normalized frequency of any document in those blocks.
    var rangeBlock: Int
    var rangeBound: Double
    var exhausted: Bool
    /// Each block's last doc and the bound on the weighted, length-normalized frequency of
    /// its documents, decoded from the skip table once: every window reads them again (when
    /// each window decoded its bit-packed skip entries, starting windows took a tenth of a
    /// query's time).
    var lastDocs: UnsafeMutablePointer<Int>
    var blockBounds: UnsafeMutablePointer<Double>
    var blockCount: Int
}

/// Runs a disjunction in one segment. The caller owns the collector and the filters.
struct BlockMaxDisjunction {
    let words: [DisjunctionWord]
    let k1: Double
    let groupCount: Int
    /// Relative slack on bounds, so that rounding never prunes a document that ties.
    fileprivate static let slack = 1e-9

    /// Collects the segment's best documents into `collector`; returns how many documents
    /// were scored and whether any were skipped by bounds (then the count is a lower bound).
    /// `accept` filters documents (nil: every document passes).
    func collect(
        segment: SegmentReader, segmentIndex: Int, accept: ((Int) -> Bool)?, prohibited: [Scorer],
        into collector: inout TopCollector, keys: KeyOrder
    ) -> (matched: Int, pruned: Bool) {
        // Lay out cursors word by word, part by part (the order `UnitScorer` sums in).
        var data: [CursorData] = []
        var infos: [TermInfo] = []
        var partCount = 0
        // Every list's block summaries, one list after another.
        let blockCounts = words.flatMap { $0.parts.flatMap { $0.infos.map { ($0.documentFrequency + postingsBlockSize - 1) / postingsBlockSize } } }
        let totalBlocks = max(1, blockCounts.reduce(0, +))
        let lastDocs = UnsafeMutablePointer<Int>.allocate(capacity: totalBlocks)
        let blockBounds = UnsafeMutablePointer<Double>.allocate(capacity: totalBlocks)
        defer {
            lastDocs.deallocate()
            blockBounds.deallocate()
        }
        var blocksBefore = 0
        for (wordIndex, word) in words.enumerated() {
            for part in word.parts where !part.infos.isEmpty {
                let factors = UnsafeMutablePointer<Double>.allocate(capacity: 256)
                // weight / length factor: what one occurrence adds, for each norm byte.
                for norm in 0..<256 { factors[norm] = part.weight / (norm < part.lengthFactors.count ? part.lengthFactors[norm] : 1) }
                for (alternative, info) in part.infos.enumerated() {
                    data.append(
                        CursorData(
                            word: wordIndex, part: partCount, group: part.group,
                            lengthFactors: alternative == 0 ? factors : data[data.count - 1].lengthFactors,
                            norms: part.norms, shallowBlock: -1, blockEnd: -1, rangeBlock: -1, rangeBound: 0, exhausted: false,
                            lastDocs: lastDocs + blocksBefore, blockBounds: blockBounds + blocksBefore,
                            blockCount: blockCounts[infos.count]))
                    blocksBefore += blockCounts[infos.count]
                    infos.append(info)
                }
                partCount += 1
            }
        }
        guard !data.isEmpty else { return (0, false) }
        let cursors = UnsafeMutableBufferPointer<PostingsCursor>.allocate(capacity: infos.count)
        for (index, info) in infos.enumerated() {
            cursors.initializeElement(at: index, to: PostingsCursor(segment: segment, info: info))
            let (lastDocs, bounds, factors) = (data[index].lastDocs, data[index].blockBounds, data[index].lengthFactors)
            cursors[index].forEachBlock { block, lastDoc, maxFrequency, minNorm in
                lastDocs[block] = lastDoc
                bounds[block] = Double(maxFrequency) * factors[Int(minNorm)]
            }
        }
        defer {
            for index in cursors.indices { cursors[index].deallocate() }
            cursors.deinitialize()
            cursors.deallocate()
            for index in data.indices where index == 0 || data[index].part != data[index - 1].part {
                data[index].lengthFactors.deallocate()
            }
        }
        return data.withUnsafeMutableBufferPointer { data in
            run(cursors: cursors, data: data, documentCount: segment.documentCount, segmentIndex: segmentIndex, accept: accept, prohibited: prohibited,
                collector: &collector, keys: keys)
        }
    }

    private func run(
        cursors: UnsafeMutableBufferPointer<PostingsCursor>, data: UnsafeMutableBufferPointer<CursorData>, documentCount: Int, segmentIndex: Int,
        accept: ((Int) -> Bool)?, prohibited: [Scorer], collector: inout TopCollector, keys: KeyOrder
    ) -> (matched: Int, pruned: Bool) {
        let state = DisjunctionState(
            words: words, data: data, cursors: cursors, k1: k1, groupCount: groupCount, documentCount: documentCount)
        defer { state.deallocate() }
        let wordCount = words.count
        var matched = 0
        var pruned = false
        var windowStart = 0
        // The essential words of the last window: their lists' blocks delimit the next one.
        var leading = 0

        while true {
            guard let windowEnd = state.startWindow(at: windowStart, leadingFrom: leading) else { break }
            var threshold = collector.threshold
            if let threshold, state.windowBound * (1 + Self.slack) < threshold {
                pruned = true
                windowStart = windowEnd &+ 1
                if windowEnd == Int.max { break }
                continue
            }
            var firstEssential = state.partition(threshold: threshold)
            if firstEssential > 0 { pruned = true }
            leading = firstEssential

            if state.termAtATime {
                // The essential words term at a time over (part of) the window, then each
                // document they touched, in order, completed by probing the others.
                let end = min(windowEnd, windowStart + DisjunctionState.windowLimit - 1)
                var accumulated = firstEssential
                let scored = state.accumulate(from: windowStart, to: end, first: accumulated)
                // A non-essential word whose list is short next to the essential words' is read
                // term at a time too, for the documents they touched: reading a posting costs
                // less than probing the list for a document. (Measured on Cranfield x 70: at
                // most 0.4 postings per essential score, the best of 0.1-1.5; at 1 and more,
                // slower than probing.)
                while accumulated > 0,
                    state.expectedPostings(position: accumulated - 1, length: end - windowStart + 1) * 5 <= scored * 2
                {
                    accumulated -= 1
                    state.accumulate(from: windowStart, to: end, first: accumulated, through: accumulated, restricted: true)
                }
                for word in 0...((end - windowStart) >> 6) {
                    var bits = state.touched[word]
                    state.touched[word] = 0
                    while bits != 0 {
                        let slot = word << 6 | bits.trailingZeroBitCount
                        bits &= bits &- 1
                        let doc = windowStart + slot
                        // The score of the words read term at a time plus every other word's
                        // bound first: many documents stop here.
                        if let threshold, accumulated > 0,
                            (state.accumulatedScore(slot: slot) + state.prefixBounds[accumulated - 1]) * (1 + Self.slack) < threshold
                        {
                            state.clearAccumulated(slot: slot)
                            continue
                        }
                        state.loadAccumulated(slot: slot)
                        if complete(doc, state, probing: accumulated, &threshold, &collector, segmentIndex, accept, prohibited, keys) {
                            matched += 1
                        }
                    }
                }
                windowStart = end + 1
                continue
            }

            while firstEssential < wordCount {
                let doc = state.nextEssentialDoc(from: windowStart)
                if doc == PostingsCursor.exhausted || doc > windowEnd { break }
                state.beginDocument()
                for position in firstEssential..<wordCount { state.score(word: state.order[position], doc: doc, move: true) }
                let before = threshold
                guard complete(doc, state, probing: firstEssential, &threshold, &collector, segmentIndex, accept, prohibited, keys)
                else { continue }
                matched += 1
                if threshold != before {
                    // A higher bar: more words may be left to probing.
                    let first = state.partition(threshold: threshold)
                    if first > firstEssential { pruned = true }
                    firstEssential = first
                    leading = first
                }
            }
            if windowEnd == Int.max { break }
            windowStart = windowEnd + 1
        }
        return (matched, pruned)
    }

    /// Finishes `doc`, whose words at positions `probing...` are scored: drops it if a filter
    /// or prohibited word excludes it (returns false); otherwise adds the other words' scores,
    /// best bound first, while the document can still reach the top k, and offers it to the
    /// collector (`threshold` follows the collector's).
    @inline(__always)
    private func complete(
        _ doc: Int, _ state: DisjunctionState, probing: Int, _ threshold: inout Double?, _ collector: inout TopCollector,
        _ segmentIndex: Int, _ accept: ((Int) -> Bool)?, _ prohibited: [Scorer], _ keys: KeyOrder
    ) -> Bool {
        if let accept, !accept(doc) { return false }
        if !prohibited.isEmpty, isProhibited(doc, prohibited) { return false }
        var position = probing - 1
        while position >= 0 {
            if let threshold, (state.partialScore + state.prefixBounds[position]) * (1 + Self.slack) < threshold { break }
            state.score(word: state.order[position], doc: doc, move: false)
            position -= 1
        }
        let score = state.finalScore()
        if threshold == nil || score >= (threshold ?? 0) {
            collector.offer(score: score, segment: segmentIndex, doc: doc, keys: keys)
            threshold = collector.threshold
        }
        return true
    }

    private func isProhibited(_ doc: Int, _ prohibited: [Scorer]) -> Bool {
        for scorer in prohibited {
            if scorer.doc < doc { scorer.advance(to: doc) }
            if scorer.doc == doc { return true }
        }
        return false
    }
}

/// The working state of one disjunction in one segment, in unsafe buffers so that the hot
/// loop does no reference counting, uniqueness checks or exclusivity checks.
private struct DisjunctionState {
    let wordCount: Int
    /// Documents in the segment.
    let documentCount: Int
    let groupCount: Int
    let k1: Double
    let data: UnsafeMutableBufferPointer<CursorData>
    let cursors: UnsafeMutableBufferPointer<PostingsCursor>
    /// Whether every list belongs to one scoring group (then scores are plain sums).
    let singleGroup: Bool
    /// Cursors of word `w` are `firstCursor[w]..<firstCursor[w + 1]`.
    let firstCursor: UnsafeMutablePointer<Int>
    let idfs: UnsafeMutablePointer<Double>
    /// Each word's bound in the current window; words by ascending bound; running sums.
    let wordBounds: UnsafeMutablePointer<Double>
    /// Words whose bound must be recomputed (a list of theirs entered a new block).
    let dirty: UnsafeMutablePointer<Bool>
    let order: UnsafeMutablePointer<Int>
    let prefixBounds: UnsafeMutablePointer<Double>
    /// Cursors of the essential words (and how many), the window's summed bound.
    let essential: UnsafeMutablePointer<Int>
    let counters: UnsafeMutablePointer<Int>
    let windowBoundStorage: UnsafeMutablePointer<Double>
    /// Per group: scratch frequencies, running totals (for bounds).
    let groupScratch: UnsafeMutablePointer<Double>
    let totals: UnsafeMutablePointer<Double>
    /// Each word's score per group in the current document, summed in word order at the
    /// end so that the score is bit-identical to the generic scorers' (ties are then broken
    /// by key the same way on every path).
    let wordScores: UnsafeMutablePointer<Double>
    /// Whether the essential words of a window are scored term at a time
    /// (``accumulate(from:to:first:)``): when there are at most 64 words (the bits of
    /// `windowWords`) and the per-window score buffer, a score per document, word and group,
    /// stays small (see `termAtATimeLimit`).
    let termAtATime: Bool
    /// Whether every part has a single term (no alternatives).
    let singleTerms: Bool
    /// Term-at-a-time buffers over a window of at most `windowLimit` documents.
    static let windowLimit = 2048
    /// The most words x groups scored term at a time: `windowScores` holds
    /// `windowLimit` x that many doubles (128: 2 MB; a multilingual query of 18 words in 7
    /// language groups still fits).
    static let termAtATimeLimit = 128
    /// Each document's word scores per group, document by document
    /// (`(slot * wordCount + word) * groupCount + group`); only the entries of the words in
    /// the document's `windowWords` bits are meaningful (all of their groups are written), so
    /// nothing needs clearing between windows.
    let windowScores: UnsafeMutablePointer<Double>
    /// The words (bits) that scored each document of the window.
    let windowWords: UnsafeMutablePointer<UInt64>
    /// A word's weighted frequency per group and document (`group * windowLimit + slot`:
    /// the loop over a list's postings then indexes by slot alone, as with one group) while
    /// its lists are read; zero again once the word is saturated.
    let windowFrequencies: UnsafeMutablePointer<Double>
    /// While the alternative terms of one part are read: the largest frequency of any
    /// alternative per document (zero again once the part is added up), and the documents
    /// that have one.
    let partFrequencies: UnsafeMutablePointer<UInt32>
    let partDocuments: UnsafeMutablePointer<Int>
    /// Which word last recorded each document in `wordDocuments` (a stamp that grows with
    /// every word of every window, so it never needs clearing).
    let windowStamps: UnsafeMutablePointer<Int>
    /// The summed score of the words read term at a time, for each document of the window
    /// and group (`slot * groupCount + group`).
    let windowPartial: UnsafeMutablePointer<Double>
    /// The documents the current word touched, and the documents any essential word touched (bits).
    let wordDocuments: UnsafeMutablePointer<Int>
    let touched: UnsafeMutablePointer<UInt64>
    /// The current stamp of `windowStamps`.
    let stamp: UnsafeMutablePointer<Int>

    init(
        words: [DisjunctionWord], data: UnsafeMutableBufferPointer<CursorData>, cursors: UnsafeMutableBufferPointer<PostingsCursor>,
        k1: Double, groupCount: Int, documentCount: Int
    ) {
        self.documentCount = documentCount
        wordCount = words.count
        // Only the groups that some list belongs to can score: renumber them 0..<n (scores
        // in the others are zero, and a document's score is its best group's).
        var localGroups: [Int: Int] = [:]
        for index in data.indices {
            let local = localGroups[data[index].group] ?? localGroups.count
            localGroups[data[index].group] = local
            data[index].group = local
        }
        _ = groupCount
        self.groupCount = max(1, localGroups.count)
        self.k1 = k1
        self.data = data
        self.cursors = cursors
        singleGroup = localGroups.count <= 1
        firstCursor = .allocate(capacity: wordCount + 1)
        firstCursor.initialize(repeating: 0, count: wordCount + 1)
        for cursor in data { firstCursor[cursor.word + 1] += 1 }
        for word in 0..<wordCount { firstCursor[word + 1] += firstCursor[word] }
        idfs = .allocate(capacity: wordCount)
        for (index, word) in words.enumerated() { idfs[index] = word.idf }
        dirty = .allocate(capacity: wordCount)
        dirty.initialize(repeating: true, count: wordCount)
        wordBounds = .allocate(capacity: wordCount)
        wordBounds.initialize(repeating: 0, count: wordCount)
        order = .allocate(capacity: wordCount)
        for word in 0..<wordCount { order[word] = word }
        prefixBounds = .allocate(capacity: wordCount)
        prefixBounds.initialize(repeating: 0, count: wordCount)
        essential = .allocate(capacity: max(1, data.count))
        counters = .allocate(capacity: 2)
        counters.initialize(repeating: 0, count: 2)
        windowBoundStorage = .allocate(capacity: 1)
        windowBoundStorage.initialize(to: 0)
        let groupCount = self.groupCount
        groupScratch = .allocate(capacity: groupCount)
        groupScratch.initialize(repeating: 0, count: groupCount)
        totals = .allocate(capacity: groupCount)
        totals.initialize(repeating: 0, count: groupCount)
        var singleTerms = true
        for index in data.indices where index > 0 && data[index].part == data[index - 1].part { singleTerms = false }
        self.singleTerms = singleTerms
        termAtATime = wordCount <= 64 && wordCount * groupCount <= Self.termAtATimeLimit
        let limit = Self.windowLimit
        // (Uninitialized: an entry is read only after it is written, see `windowWords`.)
        windowScores = .allocate(capacity: termAtATime ? wordCount * groupCount * limit : 1)
        windowWords = .allocate(capacity: limit)
        windowWords.initialize(repeating: 0, count: limit)
        windowPartial = .allocate(capacity: limit * groupCount)
        windowPartial.initialize(repeating: 0, count: limit * groupCount)
        windowFrequencies = .allocate(capacity: limit * groupCount)
        windowFrequencies.initialize(repeating: 0, count: limit * groupCount)
        partFrequencies = .allocate(capacity: limit)
        partFrequencies.initialize(repeating: 0, count: limit)
        partDocuments = .allocate(capacity: limit)
        windowStamps = .allocate(capacity: limit)
        windowStamps.initialize(repeating: 0, count: limit)
        stamp = .allocate(capacity: 1)
        stamp.initialize(to: 0)
        wordDocuments = .allocate(capacity: limit)
        touched = .allocate(capacity: limit / 64)
        touched.initialize(repeating: 0, count: limit / 64)
        wordScores = .allocate(capacity: wordCount * groupCount)
        wordScores.initialize(repeating: 0, count: wordCount * groupCount)
    }

    func deallocate() {
        for pointer in [idfs, wordBounds, prefixBounds, windowBoundStorage, groupScratch, totals, wordScores, windowScores, windowFrequencies, windowPartial] {
            pointer.deallocate()
        }
        for pointer in [firstCursor, order, essential, counters, wordDocuments, windowStamps, stamp, partDocuments] { pointer.deallocate() }
        partFrequencies.deallocate()
        touched.deallocate()
        windowWords.deallocate()
        dirty.deallocate()
    }

    private var essentialCount: Int {
        get { counters[0] }
        nonmutating set { counters[0] = newValue }
    }

    /// The summed bound of every word in the current window.
    var windowBound: Double { windowBoundStorage.pointee }

    /// Starts the window at `start`: moves each list's shallow block there, chooses the
    /// window's end and computes the words' bounds over the window; returns the window's last
    /// doc, or nil when every list is exhausted.
    ///
    /// The window ends where the first block of a list of the words at positions `leading...`
    /// (the last window's essential words) ends, as in Lucene's MaxScoreBulkScorer: ending it
    /// at the nearest block end of any list would make windows as short as the densest
    /// list's blocks (tens of documents for a common word), and their bookkeeping would cost
    /// more than the bounds save (term at a time, windows are longer still, see below). The
    /// other lists' bounds are the largest over the blocks the window reaches.
    func startWindow(at start: Int, leadingFrom leading: Int) -> Int? {
        var active = false
        for index in 0..<data.count where !data[index].exhausted {
            guard data[index].blockEnd < start else {
                active = true
                continue
            }
            // This list's bound changes: its word's must be recomputed.
            dirty[data[index].word] = true
            let lastDocs = data[index].lastDocs
            var block = max(data[index].shallowBlock, 0)
            while block < data[index].blockCount, lastDocs[block] < start { block += 1 }
            if block >= data[index].blockCount {
                data[index].exhausted = true
                continue
            }
            data[index].shallowBlock = block
            data[index].blockEnd = lastDocs[block]
            data[index].rangeBlock = block
            data[index].rangeBound = data[index].blockBounds[block]
            active = true
        }
        guard active else { return nil }
        var end = Int.max
        for position in min(leading, wordCount - 1)..<wordCount {
            let word = order[position]
            for index in firstCursor[word]..<firstCursor[word + 1] where !data[index].exhausted {
                end = min(end, data[index].blockEnd)
            }
        }
        if end == Int.max {
            // The leading words' lists are exhausted: any list's block end.
            for index in 0..<data.count where !data[index].exhausted { end = min(end, data[index].blockEnd) }
        } else if termAtATime, end - start < Self.windowLimit {
            // Term at a time, a window spans at least `windowLimit` documents (the size of
            // the buffers): a common essential word's blocks end every few hundred documents,
            // and windows that short cost more in bookkeeping (bounds, ordering, one pass per
            // list) than their tighter bounds save. (Cranfield x 70: 9% faster than windows
            // ending at the first block end; about the same as growing them by the number of
            // essential words, as Lucene does, or to 4096 documents.)
            end = start + Self.windowLimit - 1
        }
        // Extend each list's range of blocks to the window's end (windows only move forward).
        for index in 0..<data.count where !data[index].exhausted {
            var block = data[index].rangeBlock
            var bound = data[index].rangeBound
            let lastDocs = data[index].lastDocs
            let bounds = data[index].blockBounds
            let last = data[index].blockCount - 1
            while block < last, lastDocs[block] < end {
                block += 1
                bound = max(bound, bounds[block])
            }
            data[index].rangeBlock = block
            if bound != data[index].rangeBound {
                data[index].rangeBound = bound
                dirty[data[index].word] = true
            }
        }
        var total = 0.0
        for word in 0..<wordCount {
            if dirty[word] {
                wordBounds[word] = bound(of: word)
                dirty[word] = false
            }
            total += wordBounds[word]
        }
        windowBoundStorage.pointee = total
        // Insertion sort by bound (queries have few words).
        for position in 0..<wordCount { order[position] = position }
        if wordCount > 1 {
            for position in 1..<wordCount {
                let word = order[position]
                var slot = position
                while slot > 0, wordBounds[order[slot - 1]] > wordBounds[word] {
                    order[slot] = order[slot - 1]
                    slot -= 1
                }
                order[slot] = word
            }
        }
        var running = 0.0
        for position in 0..<wordCount {
            running += wordBounds[order[position]]
            prefixBounds[position] = running
        }
        return end
    }

    /// The saturated score bound of `word` in the current window.
    private func bound(of word: Int) -> Double {
        for group in 0..<groupCount { groupScratch[group] = 0 }
        var index = firstCursor[word]
        let end = firstCursor[word + 1]
        while index < end {
            // The part's bound is the largest of its alternatives'.
            let part = data[index].part
            var best = 0.0
            while index < end, data[index].part == part {
                if !data[index].exhausted { best = max(best, data[index].rangeBound) }
                index += 1
            }
            groupScratch[data[index - 1].group] += best
        }
        var largest = 0.0
        for group in 0..<groupCount where groupScratch[group] > 0 {
            largest = max(largest, idfs[word] * groupScratch[group] / (k1 + groupScratch[group]))
        }
        return largest
    }

    /// Splits the words (by ascending bound) into non-essential ones, whose bounds add up
    /// to less than `threshold`, and essential ones; returns the first essential position.
    func partition(threshold: Double?) -> Int {
        var first = 0
        if let threshold {
            while first < wordCount, prefixBounds[first] * (1 + BlockMaxDisjunction.slack) < threshold { first += 1 }
        }
        var count = 0
        for position in first..<wordCount {
            let word = order[position]
            for index in firstCursor[word]..<firstCursor[word + 1] {
                essential[count] = index
                count += 1
            }
        }
        essentialCount = count
        return first
    }

    /// The smallest doc >= `start` of the essential lists.
    func nextEssentialDoc(from start: Int) -> Int {
        var doc = PostingsCursor.exhausted
        for slot in 0..<essentialCount {
            let index = essential[slot]
            if cursors[index].doc < start { cursors[index].advance(to: start) }
            doc = min(doc, cursors[index].doc)
        }
        return doc
    }

    /// Clears the per-document scores.
    func beginDocument() {
        if singleGroup, wordCount <= 64 {
            // Only the words in the mask are read (``finalScore()``), and each has its score
            // written when it enters the mask: nothing to clear.
            totals[0] = 0
            scoredMask = 0
            return
        }
        for group in 0..<groupCount { totals[group] = 0 }
        if wordCount <= 64 {
            var mask = scoredMask
            while mask != 0 {
                let word = mask.trailingZeroBitCount
                for group in 0..<groupCount { wordScores[word * groupCount + group] = 0 }
                mask &= mask &- 1
            }
            scoredMask = 0
        } else {
            for slot in 0..<wordCount * groupCount { wordScores[slot] = 0 }
        }
    }

    /// The words scored in the current document, as bits (when there are at most 64).
    private var scoredMask: UInt64 {
        get { UInt64(bitPattern: Int64(counters[1])) }
        nonmutating set { counters[1] = Int(Int64(bitPattern: newValue)) }
    }

    /// The best group's running total (for bounds).
    var partialScore: Double {
        if singleGroup { return totals[0] }
        var best = 0.0
        for group in 0..<groupCount { best = max(best, totals[group]) }
        return best
    }

    /// Adds `word`'s score in `doc`. With `move`, steps the word's cursors that are on `doc`
    /// past it; otherwise first advances its cursors to `doc`.
    func score(word: Int, doc: Int, move: Bool) {
        var index = firstCursor[word]
        let end = firstCursor[word + 1]
        var frequency = 0.0
        if !singleGroup { for group in 0..<groupCount { groupScratch[group] = 0 } }
        while index < end {
            let first = index
            let part = data[index].part
            var partFrequency = 0
            while index < end, data[index].part == part {
                if !move, cursors[index].doc < doc { cursors[index].advance(to: doc) }
                if cursors[index].doc == doc {
                    partFrequency = max(partFrequency, cursors[index].frequency)
                    if move { cursors[index].nextDoc() }
                }
                index += 1
            }
            guard partFrequency > 0 else { continue }
            let norms = data[first].norms
            let norm = doc < norms.count ? Int(norms[doc]) : 0
            let contribution = Double(partFrequency) * data[first].lengthFactors[norm]
            if singleGroup { frequency += contribution } else { groupScratch[data[first].group] += contribution }
        }
        if singleGroup {
            guard frequency > 0 else { return }
            let value = idfs[word] * frequency / (k1 + frequency)
            totals[0] += value
            wordScores[word * groupCount] = value
            if wordCount <= 64 { scoredMask |= 1 << UInt64(word) }
        } else {
            if wordCount <= 64 { scoredMask |= 1 << UInt64(word) }
            for group in 0..<groupCount where groupScratch[group] > 0 {
                let value = idfs[word] * groupScratch[group] / (k1 + groupScratch[group])
                totals[group] += value
                wordScores[word * groupCount + group] = value
            }
        }
    }

    /// Scores the essential words (positions `first...`) over documents `start...end` (at
    /// most `windowLimit`) term at a time: each list is read straight through the window, its
    /// weighted frequencies summed per document and group part by part (the order
    /// ``score(word:doc:move:)`` and `UnitScorer` sum in, so that scores are bit-identical),
    /// then saturated per word and group. Marks the documents touched.
    /// Returns how many (document, word) scores it wrote.
    ///
    /// With `restricted`, scores only the documents an essential word touched (an extra word
    /// read term at a time instead of being probed document by document).
    @discardableResult
    func accumulate(from start: Int, to end: Int, first: Int, through last: Int? = nil, restricted: Bool = false) -> Int {
        if singleGroup, singleTerms { return accumulateOneGroup(from: start, to: end, first: first, through: last, restricted: restricted) }
        var written = 0
        let groups = groupCount
        for position in first...(last ?? wordCount - 1) {
            let word = order[position]
            var count = 0
            stamp.pointee += 1
            let current = stamp.pointee
            var index = firstCursor[word]
            let wordEnd = firstCursor[word + 1]
            while index < wordEnd {
                let norms = data[index].norms
                let factors = data[index].lengthFactors
                let frequencies = windowFrequencies + data[index].group * Self.windowLimit
                if index + 1 < wordEnd, data[index + 1].part == data[index].part {
                    // Alternative terms of one part (one word in one field): a document
                    // counts the largest of their frequencies, as in score(word:doc:move:).
                    // Their largest frequency per document first, then the part's
                    // contribution once per document.
                    let part = data[index].part
                    var partCount = 0
                    while index < wordEnd, data[index].part == part {
                        if cursors[index].doc < start { cursors[index].advance(to: start) }
                        cursors[index].forEachDocument(through: end) { doc, frequency in
                            let slot = doc - start
                            if restricted, windowWords[slot] == 0 { return }
                            if partFrequencies[slot] == 0 {
                                partDocuments[partCount] = slot
                                partCount += 1
                            }
                            partFrequencies[slot] = max(partFrequencies[slot], frequency)
                        }
                        index += 1
                    }
                    for item in 0..<partCount {
                        let slot = partDocuments[item]
                        let doc = start + slot
                        let norm = doc < norms.count ? Int(norms[doc]) : 0
                        noteDocument(slot, stamp: current, count: &count)
                        frequencies[slot] += Double(partFrequencies[slot]) * factors[norm]
                        partFrequencies[slot] = 0
                    }
                    continue
                }
                if cursors[index].doc < start { cursors[index].advance(to: start) }
                cursors[index].forEachDocument(through: end) { doc, frequency in
                    let slot = doc - start
                    if restricted, windowWords[slot] == 0 { return }
                    let norm = doc < norms.count ? Int(norms[doc]) : 0
                    noteDocument(slot, stamp: current, count: &count)
                    frequencies[slot] += Double(frequency) * factors[norm]
                }
                index += 1
            }
            let idf = idfs[word]
            let bit: UInt64 = 1 << UInt64(word)
            for item in 0..<count {
                let slot = wordDocuments[item]
                let scores = windowScores + (slot * wordCount + word) * groups
                let partial = windowPartial + slot * groups
                // Every group is written (zero where the word has no frequency), since
                // finalScore() reads every group of the words that scored.
                for group in 0..<groups {
                    let frequency = windowFrequencies[group * Self.windowLimit + slot]
                    var score = 0.0
                    if frequency > 0 {
                        windowFrequencies[group * Self.windowLimit + slot] = 0
                        score = idf * frequency / (k1 + frequency)
                        partial[group] += score
                    }
                    scores[group] = score
                }
                windowWords[slot] |= bit
                if !restricted { touched[slot >> 6] |= 1 << UInt64(slot & 63) }
            }
            written += count
        }
        return written
    }

    /// Adds document `slot` to the current word's documents (`wordDocuments[0..<count]`)
    /// unless the word's other parts met it already in this window (`stamp` is the word's).
    @inline(__always)
    private func noteDocument(_ slot: Int, stamp current: Int, count: inout Int) {
        guard windowStamps[slot] != current else { return }
        windowStamps[slot] = current
        wordDocuments[count] = slot
        count += 1
    }

    /// ``accumulate(from:to:first:through:restricted:)`` with one group and no alternative
    /// terms (Cranfield, a one-language index): the same sums, with simpler indexing. (Kept
    /// apart: the general loop, with its group offsets and alternatives, made Cranfield x 70
    /// queries 4-8% slower.)
    private func accumulateOneGroup(from start: Int, to end: Int, first: Int, through last: Int? = nil, restricted: Bool = false) -> Int {
        var written = 0
        for position in first...(last ?? wordCount - 1) {
            let word = order[position]
            var count = 0
            stamp.pointee += 1
            let current = stamp.pointee
            for index in firstCursor[word]..<firstCursor[word + 1] {
                if cursors[index].doc < start { cursors[index].advance(to: start) }
                let norms = data[index].norms
                let factors = data[index].lengthFactors
                cursors[index].forEachDocument(through: end) { doc, frequency in
                    let slot = doc - start
                    if restricted, windowWords[slot] == 0 { return }
                    let norm = doc < norms.count ? Int(norms[doc]) : 0
                    noteDocument(slot, stamp: current, count: &count)
                    windowFrequencies[slot] += Double(frequency) * factors[norm]
                }
            }
            let idf = idfs[word]
            let bit: UInt64 = 1 << UInt64(word)
            for item in 0..<count {
                let slot = wordDocuments[item]
                let frequency = windowFrequencies[slot]
                windowFrequencies[slot] = 0
                let score = idf * frequency / (k1 + frequency)
                windowScores[slot * wordCount + word] = score
                windowPartial[slot] += score
                windowWords[slot] |= bit
                if !restricted { touched[slot >> 6] |= 1 << UInt64(slot & 63) }
            }
            written += count
        }
        return written
    }

    /// About how many postings word `position` has in `length` documents.
    func expectedPostings(position: Int, length: Int) -> Int {
        let word = order[position]
        var total = 0
        for index in firstCursor[word]..<firstCursor[word + 1] where !data[index].exhausted {
            total += cursors[index].documentFrequency
        }
        return total * length / max(1, documentCount)
    }

    /// The best group's score of the words read term at a time in document `slot` (for bounds).
    func accumulatedScore(slot: Int) -> Double {
        if singleGroup { return windowPartial[slot] }
        var best = 0.0
        for group in 0..<groupCount { best = max(best, windowPartial[slot * groupCount + group]) }
        return best
    }

    /// Clears what ``accumulate(from:to:first:)`` left for document `slot`.
    func clearAccumulated(slot: Int) {
        for group in 0..<groupCount { windowPartial[slot * groupCount + group] = 0 }
        windowWords[slot] = 0
    }

    /// Starts document `slot` of the window from the term-at-a-time scores of the essential
    /// words (clearing them).
    func loadAccumulated(slot: Int) {
        beginDocument()
        if singleGroup {
            totals[0] = windowPartial[slot]
            windowPartial[slot] = 0
            var mask = windowWords[slot]
            windowWords[slot] = 0
            scoredMask = mask
            let scores = windowScores + slot * wordCount
            while mask != 0 {
                let word = mask.trailingZeroBitCount
                wordScores[word] = scores[word]
                mask &= mask &- 1
            }
            return
        }
        let groups = groupCount
        for group in 0..<groups {
            totals[group] = windowPartial[slot * groups + group]
            windowPartial[slot * groups + group] = 0
        }
        var mask = windowWords[slot]
        windowWords[slot] = 0
        scoredMask = mask
        let scores = windowScores + slot * wordCount * groups
        while mask != 0 {
            let word = mask.trailingZeroBitCount
            for group in 0..<groups { wordScores[word * groups + group] = scores[word * groups + group] }
            mask &= mask &- 1
        }
    }

    /// The document's score: word scores summed in word order, the best group's total.
    func finalScore() -> Double {
        if singleGroup, wordCount <= 64 {
            var total = 0.0
            var mask = scoredMask
            while mask != 0 {
                total += wordScores[mask.trailingZeroBitCount]
                mask &= mask &- 1
            }
            return total
        }
        var best = 0.0
        for group in 0..<groupCount {
            var total = 0.0
            if wordCount <= 64 {
                // Only the scored words (the others add zero), in word order.
                var mask = scoredMask
                while mask != 0 {
                    total += wordScores[mask.trailingZeroBitCount * groupCount + group]
                    mask &= mask &- 1
                }
            } else {
                for word in 0..<wordCount { total += wordScores[word * groupCount + group] }
            }
            best = max(best, total)
        }
        return best
    }
}
