// Searching a snapshot of an index: statistics over all segments (live documents only),
// query planning (analysis per field), per-segment scorers and top-k collection with
// MaxScore pruning for disjunctions.
import Foundation
import Synchronization

/// Norm bytes computed when a snapshot opens, owned by the searcher.
final class NormBytes: @unchecked Sendable {
    let pointer: UnsafeMutableBufferPointer<UInt8>
    init(count: Int) {
        pointer = .allocate(capacity: max(1, count))
        pointer.initialize(repeating: 0)
    }
    deinit { pointer.deallocate() }
}

/// A consistent, read-only view of an index at one commit. Open one per query batch (or
/// keep one and reopen after commits); any number may be open while a writer works.
public final class IndexSearcher: Sendable {
    let schema: Schema
    let segments: [OpenSegment]
    let fields: FieldTable
    /// BM25 parameters of the index.
    public let bm25: BM25Parameters
    /// The commit generation this snapshot shows (0 for an empty index).
    public let generation: Int
    /// The user data of that commit.
    public let userData: [String: String]
    /// Live documents.
    public let documentCount: Int
    /// Average length of each text field over live documents that have it.
    let averageLengths: [Double]
    /// `1 - b + b * length / averageLength` for each norm byte, per text field (BM25's
    /// length normalization, computed once per snapshot).
    let lengthFactors: [[Double]]
    /// Whether any live document has text in each text field (queries skip empty fields).
    let fieldIsPopulated: [Bool]
    /// The BM25F weight each text field scores with in this snapshot: see
    /// ``effectiveWeight(_:coverage:)``.
    let fieldWeights: [Double]
    /// Scoring group of each text field (an index into the distinct groups).
    let groupOfField: [Int]
    /// Number of distinct scoring groups.
    let groupCount: Int
    /// Text fields normalized by their group's combined length (the sum of the lengths of
    /// the group's fields in a document) rather than their own: the fields of an uneven
    /// group, where no boosted field (weight above 1) is in nearly every document that has
    /// text in the group (``unevenCoverage``). See ``effectiveWeight(_:coverage:)``.
    let foldedFields: [Bool]
    /// Average combined length per group, over live documents with text in the group.
    let combinedAverages: [Double]
    /// `1 - b + b * combinedLength / average` for each norm byte, per group (empty for a
    /// group without a folded field).
    let combinedLengthFactors: [[Double]]
    /// Norm bytes of each segment's combined lengths, per group with a folded field.
    private let combinedNorms: [ObjectIdentifier: [Int: NormBytes]]
    private let documentFrequencies = Mutex<[String: Int]>([:])
    private let foundDamage = Mutex<IndexError?>(nil)

    /// The first damage a search of this snapshot met (sections such as the word forms are
    /// checked when first read, not when the snapshot opens), or nil: what a readiness check
    /// reports, since every later search that reads there fails the same way.
    public var damage: IndexError? { foundDamage.withLock { $0 } }

    /// Runs `body`, noting in ``damage`` a `corrupt` error it throws.
    func noticingDamage<T>(_ body: () throws(IndexError) -> T) throws(IndexError) -> T {
        do {
            return try body()
        } catch {
            if error.code == .corrupt { foundDamage.withLock { found in if found == nil { found = error } } }
            throw error
        }
    }

    /// Opens the newest commit of the index in `directory` (an empty view if there is none).
    public static func open(directory: URL, schema: Schema) throws(IndexError) -> IndexSearcher {
        try schema.validate()
        // A writer may delete the files of an old commit between our reading the manifest
        // and opening its segments; then the next manifest is complete: retry.
        var attempt = 0
        while true {
            let manifest = try Manifest.newest(in: directory.path)
            do {
                return try IndexSearcher(manifest: manifest, directory: directory.path, schema: schema)
            } catch where error.code == .io && attempt < 3 {
                attempt += 1
            } catch where error.code == .io {
                // Still missing with no newer commit: the index is damaged.
                if let damage = manifest?.missingFileError(in: directory.path) { throw damage }
                throw error
            }
        }
    }

    init(manifest: Manifest?, directory: String, schema: Schema) throws(IndexError) {
        self.schema = schema
        fields = FieldTable(schema: schema)
        if let manifest {
            try manifest.checkOpens(with: schema, directory: directory)
            segments = try OpenSegment.openAll(manifest, directory: directory)
            bm25 = manifest.bm25
            generation = manifest.generation
            userData = manifest.userData
        } else {
            segments = []
            bm25 = BM25Parameters()
            generation = 0
            userData = [:]
        }
        documentCount = segments.reduce(0) { $0 + $1.liveCount }
        var averages: [Double] = []
        var populated: [Bool] = []
        var counts: [Double] = []
        for field in 0..<fields.textFieldCount {
            var sum = 0.0
            var count = 0.0
            for segment in segments {
                let statistics = segment.reader.fieldStatistics[field]
                sum += Double(statistics.sumLengths)
                count += Double(statistics.documentCount)
                if segment.deletions.count > 0 {
                    for doc in 0..<segment.reader.documentCount where segment.deletions.contains(doc) {
                        let length = segment.reader.length(field: field, doc: doc)
                        sum -= Double(length)
                        if length > 0 { count -= 1 }
                    }
                }
            }
            averages.append(count > 0 ? sum / count : 1)
            populated.append(count > 0)
            counts.append(count)
        }
        averageLengths = averages
        let b = bm25.b
        lengthFactors = averages.map { average in LengthNorm.decodedLengths.map { 1 - b + b * $0 / average } }
        fieldIsPopulated = populated
        var groups: [String] = []
        var groupOfField: [Int] = []
        for field in schema.textFields {
            if let index = groups.firstIndex(of: field.scoringGroup) {
                groupOfField.append(index)
            } else {
                groupOfField.append(groups.count)
                groups.append(field.scoringGroup)
            }
        }
        self.groupOfField = groupOfField
        groupCount = max(1, groups.count)
        // A field's coverage: the documents that have it, against the field of its scoring
        // group that the most documents have (the group's documents, near enough).
        var mostInGroup = Array(repeating: 0.0, count: groupCount)
        for field in counts.indices { mostInGroup[groupOfField[field]] = max(mostInGroup[groupOfField[field]], counts[field]) }
        let coverage = counts.indices.map { field in
            mostInGroup[groupOfField[field]] > 0 ? counts[field] / mostInGroup[groupOfField[field]] : 1
        }
        fieldWeights = schema.textFields.enumerated().map { field, definition in
            Self.effectiveWeight(definition.weight, coverage: coverage[field])
        }
        // Uneven groups: no boosted field is in nearly every document (see `unevenCoverage`),
        // and more than one field has text.
        var uneven = Array(repeating: false, count: groupCount)
        for group in 0..<groupCount {
            let members = counts.indices.filter { groupOfField[$0] == group }
            let boosted = members.filter { schema.textFields[$0].weight > 1 }
            uneven[group] =
                !boosted.isEmpty && boosted.allSatisfy { coverage[$0] < Self.unevenCoverage }
                && members.filter { populated[$0] }.count > 1
        }
        foldedFields = groupOfField.map { uneven[$0] }
        var combinedAverages = Array(repeating: 1.0, count: groupCount)
        var combinedLengthFactors = Array(repeating: [Double](), count: groupCount)
        var combinedNorms: [ObjectIdentifier: [Int: NormBytes]] = [:]
        for group in 0..<groupCount where uneven[group] {
            let members = counts.indices.filter { groupOfField[$0] == group && populated[$0] }
            let (average, norms) = Self.combinedLengths(of: members, in: segments)
            for (segment, bytes) in zip(segments, norms) { combinedNorms[ObjectIdentifier(segment), default: [:]][group] = bytes }
            combinedAverages[group] = average
            combinedLengthFactors[group] = LengthNorm.decodedLengths.map { 1 - b + b * $0 / average }
        }
        self.combinedAverages = combinedAverages
        self.combinedLengthFactors = combinedLengthFactors
        self.combinedNorms = combinedNorms
    }

    /// Each document's combined length over text fields `fields`, as norm bytes per segment,
    /// and its average over the live documents that have text in them.
    private static func combinedLengths(of fields: [Int], in segments: [OpenSegment]) -> (average: Double, norms: [NormBytes]) {
        var sum = 0.0
        var count = 0.0
        let norms = segments.map { segment in
            let reader = segment.reader
            let bytes = NormBytes(count: reader.documentCount)
            for doc in 0..<reader.documentCount {
                var length = 0
                for field in fields { length += Int(reader.length(field: field, doc: doc)) }
                bytes.pointer[doc] = LengthNorm.encode(length)
                if length > 0, segment.deletions.count == 0 || !segment.deletions.contains(doc) {
                    sum += Double(length)
                    count += 1
                }
            }
            return bytes
        }
        return (count > 0 ? sum / count : 1, norms)
    }

    /// The norm bytes, length factors and average length that text field `field` is scored
    /// with in `segment`: its own, or its group's combined ones when it is folded.
    func lengthNormalization(field: Int, segment: OpenSegment) -> (norms: UnsafeRawBufferPointer, factors: [Double], average: Double) {
        let group = groupOfField[field]
        if foldedFields[field], let bytes = combinedNorms[ObjectIdentifier(segment)]?[group] {
            return (UnsafeRawBufferPointer(bytes.pointer), combinedLengthFactors[group], combinedAverages[group])
        }
        return (segment.reader.norms(field: field), lengthFactors[field], averageLengths[field])
    }

    /// Segments in this snapshot.
    public var segmentCount: Int { segments.count }

    /// The generation of the newest commit in `directory` (0 for none), from the names of
    /// its manifests alone: a cheap check of whether an open searcher is still current (a
    /// manifest appears only once it is complete, by rename).
    public static func newestGeneration(directory: URL) -> Int {
        Manifest.generations(in: directory.path).first ?? 0
    }

    /// The commits in `directory` newer than the newest readable one whose manifests cannot be
    /// read (names of the files, newest first). A manifest appears whole, by rename, so one
    /// that cannot be read is damage: searchers skip it and answer from the commit before.
    public static func unreadableManifests(directory: URL) -> [String] {
        var unreadable: [String] = []
        for generation in Manifest.generations(in: directory.path) {
            let name = Manifest.fileName(generation)
            let path = directory.appendingPathComponent(name).path
            guard let data = FileManager.default.contents(atPath: path) else {
                // (Deleted since the listing, by a writer's clean-up: not damage.)
                if FileManager.default.fileExists(atPath: path) { unreadable.append(name) }
                continue
            }
            if (try? JSONDecoder().decode(Manifest.self, from: data)) != nil { break }
            unreadable.append(name)
        }
        return unreadable
    }

    /// Whether some live document has `word` in a text field, as that field's analyzer reads
    /// it (in any language): what tells a misspelt word from a rare one.
    public func hasWord(_ word: String) -> Bool {
        var analyzed: [String: [String]] = [:]  // by analyzer name
        for field in 0..<fields.textFieldCount where fieldIsPopulated[field] {
            let analyzer = schema.textFields[field].analyzer
            let terms = analyzed[analyzer.name] ?? analyzer.terms(word)
            analyzed[analyzer.name] = terms
            if terms.contains(where: { documentFrequency(field: field, term: $0) > 0 }) { return true }
        }
        return false
    }

    /// Live documents containing `term` in text or keyword field `field`.
    ///
    /// Counting past deleted documents means reading the term's postings, so those counts are
    /// cached; the cache is bounded (a searcher may serve for days), and emptied when full.
    func documentFrequency(field: Int, term: String) -> Int {
        let cacheKey = "\(field)\u{0}\(term)"
        if let cached = documentFrequencies.withLock({ $0[cacheKey] }) { return cached }
        var total = 0
        var readPostings = false
        for segment in segments {
            guard let info = segment.reader.termInfo(field: field, term: term) else { continue }
            if segment.deletions.count == 0 {
                total += info.documentFrequency
            } else {
                readPostings = true
                let iterator = segment.reader.postingsIterator(info)
                while iterator.nextDoc() != noMoreDocs {
                    if !segment.deletions.contains(iterator.doc) { total += 1 }
                }
            }
        }
        if readPostings {
            documentFrequencies.withLock { cache in
                if cache.count >= Self.documentFrequencyCacheLimit { cache.removeAll(keepingCapacity: true) }
                cache[cacheKey] = total
            }
        }
        return total
    }

    /// Counts of ``documentFrequency(field:term:)`` kept at most.
    static let documentFrequencyCacheLimit = 65_536

    /// A group is uneven, and normalized by combined lengths, when each of its boosted fields
    /// is in fewer than this share of its documents: a few untitled documents among titled
    /// ones do not change how the others score.
    static let unevenCoverage = 0.9

    /// The weight a text field of schema weight `weight` scores with when a share `coverage`
    /// (0-1) of its group's documents have it: the part of the weight above 1 shrinks with the
    /// fourth power of the share, `1 + (weight - 1) * coverage⁴`.
    ///
    /// A boost says that a word in the title tells more than a word in the text. When only
    /// some documents have a title, it also ranks the titled ones above the others for the
    /// same words, whatever they say: on the six judged language sets, half single sentences
    /// without a title, a title weight of 2 cost 0.01-0.02 nDCG@10 in every language. Where
    /// every document has the field (clearing-house records, Cranfield, CISI) the weight is
    /// the schema's. Weights of 1 or less are kept as they are.
    ///
    /// The same collections are why an uneven group (no boosted field in 90% of its documents) is
    /// normalized by each document's combined length over the group's fields, as if its
    /// text were one field (as the peers index such collections): per field, a titled
    /// paragraph's title word is normalized by the title's few words and outranks an
    /// untitled sentence that answers the query. docs/relevance.md has the measurements.
    static func effectiveWeight(_ weight: Double, coverage: Double) -> Double {
        guard weight > 1 else { return weight }
        let share = min(1, max(0, coverage))
        let square = share * share
        return 1 + (weight - 1) * square * square
    }

    /// The values of keyword field `field` that `value` stands for: itself when some document
    /// has it as written, else the values that differ from it only in case (`Marine` for
    /// `marine`, `gbf-t3` for `GBF-T3`: filters and `name:value` clauses are typed by hand),
    /// else itself (which matches nothing).
    func keywordValues(field: Int, matching value: String) -> [String] {
        guard documentFrequency(field: field, term: value) == 0 else { return [value] }
        let wanted = value.lowercased()
        var found = Set<String>()
        for segment in segments {
            for (term, _) in segment.reader.terms(field: field, prefix: "") where term.lowercased() == wanted {
                found.insert(term)
            }
        }
        return found.isEmpty ? [value] : found.sorted()
    }

    /// `filter` with each value replaced by the values it stands for
    /// (``keywordValues(field:matching:)``).
    func forgivingCase(_ filter: Filter) -> Filter {
        var filter = filter
        for (name, given) in filter.values {
            guard let field = fields.index(of: name), fields.kinds[field] == .keyword else { continue }
            filter.values[name] = Set(given.flatMap { keywordValues(field: field, matching: $0) })
        }
        return filter
    }

    /// Lucene's BM25 idf.
    func idf(_ documentFrequency: Int) -> Double {
        let n = Double(documentFrequency)
        return log(1 + (Double(documentCount) - n + 0.5) / (n + 0.5))
    }

    // MARK: Search

    /// Runs `query` and returns the top hits.
    /// - Throws: ``IndexError`` with code `invalidArgument` for a query on an unknown field,
    ///   or nested deeper than ``Query/maximumDepth``.
    public func search(_ query: Query, options: SearchOptions = SearchOptions()) throws(IndexError) -> SearchResults {
        try Self.checkDepth(query)
        return try noticingDamage { () throws(IndexError) in try run(query, options: options) }
    }

    /// Throws when `query` nests deeper than ``Query/maximumDepth``.
    static func checkDepth(_ query: Query) throws(IndexError) {
        let depth = query.depth
        guard depth <= Query.maximumDepth else {
            throw IndexError(
                .invalidArgument,
                "the query is nested \(depth) deep, more than the \(Query.maximumDepth) a search takes; combine its clauses in one boolean query")
        }
    }

    private func run(_ query: Query, options: SearchOptions) throws(IndexError) -> SearchResults {
        var options = options
        var seenFacets = Set<String>()
        options.facets = options.facets.filter { seenFacets.insert($0).inserted }  // a facet asked twice is counted once
        options.filter = options.filter.map(forgivingCase)
        var planner = QueryPlanner(searcher: self, defaultFields: options.fields, correctSpelling: options.correctSpelling)
        planner.knownWords = options.knownWords
        planner.preferredGroup = options.preferredGroup
        let plan = try planner.plan(query)
        try planner.completeCorrections()
        for field in (options.filter?.fields ?? []) + options.facets + sortFields(options.sort) {
            guard let index = fields.index(of: field), fields.kinds[index] == .keyword else {
                throw IndexError(
                    .invalidArgument,
                    "\"\(field)\" is not a keyword field; filter, facet and sort fields are: \(schema.keywordFields.joined(separator: ", "))")
            }
        }
        // (Saturating: an offset and a limit near Int.max ask for every hit, not a trap.)
        let (sum, overflow) = max(0, options.offset).addingReportingOverflow(max(0, options.limit))
        let wanted = overflow ? Int.max : sum
        var collector = TopCollector(capacity: wanted)
        var sortable: [(value: String?, score: Double, segment: Int, doc: Int)] = []
        var facetCounts: [String: [String: Int]] = Dictionary(uniqueKeysWithValues: options.facets.map { ($0, [:]) })
        var total = 0
        var exact = true
        let exhaustive = options.countTotal || !options.facets.isEmpty || options.sort != .relevance
        for (index, segment) in segments.enumerated() {
            guard let plan else { continue }
            let filters = options.filter.map { filterSets($0, segment: segment) } ?? []
            if !exhaustive, wanted > 0, let (units, mustNot) = Self.wordDisjunction(plan) {
                if filters.contains(where: { $0.documents.count == 0 }) { continue }
                // No filter to apply (the common case): no call per document. The deletions
                // are copied out of the segment, whose `var` would cost an exclusivity check
                // on every read.
                let deletions = segment.deletions
                let accept: ((Int) -> Bool)? =
                    deletions.count == 0 && filters.isEmpty
                    ? nil
                    : { (doc: Int) -> Bool in
                        !deletions.contains(doc) && filters.allSatisfy { $0.documents.contains(doc) }
                    }
                let prohibited = mustNot.compactMap { makeScorer($0, segment: segment) }
                let disjunction = BlockMaxDisjunction(
                    words: units.map { disjunctionWord($0, segment: segment) }, k1: bm25.k1, groupCount: groupCount)
                let (matched, pruned) = disjunction.collect(
                    segment: segment.reader, segmentIndex: index, accept: accept, prohibited: prohibited, into: &collector,
                    keys: keyFollows)
                total += matched
                if pruned { exact = false }
                continue
            }
            if !exhaustive, wanted > 0, case .boolean(let must, let should, let mustNot, let minimum) = plan,
                must.isEmpty, minimum <= 1, should.count > 1
            {
                if filters.contains(where: { $0.documents.count == 0 }) { continue }
                let deletions = segment.deletions
                let accept = { (doc: Int) -> Bool in
                    !deletions.contains(doc) && filters.allSatisfy { $0.documents.contains(doc) }
                }
                let optional = should.compactMap { makeScorer($0, segment: segment) }
                let prohibited = mustNot.compactMap { makeScorer($0, segment: segment) }
                let (matched, pruned) = maxScoreCollect(optional, prohibited: prohibited, segment: index, accept: accept, into: &collector)
                total += matched
                if pruned { exact = false }
                continue
            }
            guard let scorer = makeScorer(plan, segment: segment) else { continue }
            // Every match is visited: facets count documents that fail at most their own
            // field's filter; hits are documents that pass every filter.
            var ordinalCounts = options.facets.map { _ in [Int: Int]() }
            let facetFields = options.facets.map { fields.index(of: $0) ?? 0 }
            let sortField: Int? = {
                if case .keyword(let name, _) = options.sort { return fields.index(of: name) }
                return nil
            }()
            // (The deletions copied out of the segment once, as in the disjunction's path.)
            let deletions = segment.deletions
            while scorer.nextDoc() != noMoreDocs {
                let doc = scorer.doc
                if deletions.contains(doc) { continue }
                var failed: String?
                var failures = 0
                for filter in filters where !filter.documents.contains(doc) {
                    failures += 1
                    failed = filter.field
                    if failures > 1 { break }
                }
                if failures > 1 { continue }
                for (facet, name) in options.facets.enumerated() where failures == 0 || failed == name {
                    for ordinal in segment.reader.keywordOrdinals(field: facetFields[facet], doc: doc) {
                        ordinalCounts[facet][ordinal, default: 0] += 1
                    }
                }
                guard failures == 0 else { continue }
                total += 1
                guard wanted > 0 else { continue }
                if let sortField {
                    sortable.append((segment.reader.keywordValues(field: sortField, doc: doc).max(), 0, index, doc))
                } else {
                    collector.offer(score: scorer.score(), segment: index, doc: doc, keys: keyFollows)
                }
            }
            for (facet, name) in options.facets.enumerated() {
                let dictionary = segment.reader.keywordDictionary(field: facetFields[facet])
                for (ordinal, count) in ordinalCounts[facet] where ordinal < dictionary.count {
                    facetCounts[name, default: [:]][dictionary[ordinal], default: 0] += count
                }
            }
        }
        var ranked: [TopCollector.Entry]
        if case .keyword(_, let descending) = options.sort {
            sortable.sort { a, b in
                if a.value != b.value {
                    guard let left = a.value else { return false }
                    guard let right = b.value else { return true }
                    return descending ? left > right : left < right
                }
                return keyLookup(a.segment, a.doc) < keyLookup(b.segment, b.doc)
            }
            ranked = sortable.prefix(wanted).map { TopCollector.Entry(score: $0.score, segment: $0.segment, doc: $0.doc) }
        } else {
            ranked = collector.sorted(keys: keyFollows)
        }
        // The best-matching group (and explanations) of the hits: one scorer per segment,
        // advanced through that segment's hits in doc order.
        let page = Array(ranked.dropFirst(max(0, options.offset)))
        var details: [Int: (group: String?, explanation: Explanation?, synonyms: [String])] = [:]
        let hasSynonyms = plan.map(Self.hasSynonyms) ?? false
        if let plan, groupCount > 1, !options.explain, !hasSynonyms,
            let group = Self.soleGroup(of: plan, groupOfField: groupOfField),
            let field = groupOfField.firstIndex(of: group), page.allSatisfy({ $0.score > 0 })
        {
            // Every word of the query is searched in fields of one group only: that group is
            // every hit's best (the others score zero), no need to score the hits again.
            let name = schema.textFields[field].group
            for position in page.indices { details[position] = (name, nil, []) }
        } else if let plan, groupCount > 1 || options.explain || hasSynonyms {
            for segmentIndex in Set(page.map(\.segment)) {
                let segment = segments[segmentIndex]
                guard let scorer = makeScorer(plan, segment: segment) else { continue }
                let positions = page.indices.filter { page[$0].segment == segmentIndex }.sorted { page[$0].doc < page[$1].doc }
                for position in positions where scorer.advance(to: page[position].doc) == page[position].doc {
                    let best = scorer.bestGroup()
                    var group: String?
                    if groupCount > 1, let field = groupOfField.firstIndex(of: best) { group = schema.textFields[field].group }
                    var explanation: Explanation?
                    if options.explain {
                        var detail = scorer.explain(group: best)
                        detail.value = scorer.score()
                        if let group { detail.summary += " (best-matching group: \(group))" }
                        explanation = detail
                    }
                    var synonyms = Set<String>()
                    if hasSynonyms { scorer.collectMatchedLabels(into: &synonyms) }
                    details[position] = (group, explanation, synonyms.sorted())
                }
            }
        }
        let hits = page.enumerated().map { position, entry in
            SearchHit(
                key: segments[entry.segment].reader.key(entry.doc), score: entry.score,
                explanation: details[position]?.explanation, group: details[position]?.group,
                matchedSynonyms: details[position]?.synonyms ?? [])
        }
        return SearchResults(
            hits: hits, totalHits: total, totalIsExact: exact, facets: facetCounts, corrections: planner.corrections.entries)
    }

    private func sortFields(_ sort: HitOrder) -> [String] {
        if case .keyword(let field, _) = sort { return [field] }
        return []
    }

    private func keyLookup(_ segment: Int, _ doc: Int) -> String { segments[segment].reader.key(doc) }

    /// Whether the key of `doc` of segment `segment` sorts after that of `otherDoc` of
    /// `otherSegment` (see ``KeyOrder``).
    private func keyFollows(_ segment: Int, _ doc: Int, _ otherSegment: Int, _ otherDoc: Int) -> Bool {
        SegmentReader.keyFollows(segments[segment].reader.keyBytes(doc), segments[otherSegment].reader.keyBytes(otherDoc))
    }

    /// Whether `plan` searches synonyms, whose matches hits report.
    static func hasSynonyms(_ plan: QueryPlan) -> Bool {
        switch plan {
        case .unit(let unit): return unit.parts.contains { $0.isSynonym }
        case .boolean(let must, let should, _, _): return (must + should).contains(where: hasSynonyms)
        case .keyword, .all: return false
        }
    }

    /// The scoring group of every field that `plan` scores in, when there is exactly one
    /// (nil otherwise, or when the plan has clauses other than words and booleans of them).
    /// Prohibited clauses do not score, so they do not count.
    static func soleGroup(of plan: QueryPlan, groupOfField: [Int]) -> Int? {
        var found: Int?
        func visit(_ plan: QueryPlan) -> Bool {
            switch plan {
            case .unit(let unit):
                for part in unit.parts {
                    let group = groupOfField[part.field]
                    if found == nil { found = group } else if found != group { return false }
                }
                return true
            case .boolean(let must, let should, _, _):
                return (must + should).allSatisfy(visit)
            case .keyword, .all:
                return false
            }
        }
        return visit(plan) ? found : nil
    }

    /// The words and prohibited clauses of a plan that is one word, or a disjunction of
    /// words (each a single position, possibly with alternatives), for ``BlockMaxDisjunction``.
    static func wordDisjunction(_ plan: QueryPlan) -> (units: [QueryUnit], mustNot: [QueryPlan])? {
        func isWord(_ unit: QueryUnit) -> Bool { unit.parts.allSatisfy { $0.terms.count == 1 } }
        switch plan {
        case .unit(let unit):
            return isWord(unit) ? ([unit], []) : nil
        case .boolean(let must, let should, let mustNot, let minimum):
            guard must.isEmpty, minimum <= 1, !should.isEmpty else { return nil }
            var units: [QueryUnit] = []
            for clause in should {
                guard case .unit(let unit) = clause, isWord(unit) else { return nil }
                units.append(unit)
            }
            return (units, mustNot)
        default:
            return nil
        }
    }

    /// `unit` as searched in `segment`: the postings of each part's terms.
    private func disjunctionWord(_ unit: QueryUnit, segment: OpenSegment) -> DisjunctionWord {
        let parts = unit.parts.map { part in
            let normalization = lengthNormalization(field: part.field, segment: segment)
            return DisjunctionWord.Part(
                infos: (part.terms.first ?? []).compactMap { segment.reader.termInfo(field: part.field, term: $0) },
                weight: part.weight, group: groupOfField[part.field],
                lengthFactors: normalization.factors,
                norms: normalization.norms)
        }
        return DisjunctionWord(parts: parts, idf: unit.idf)
    }

    /// MaxScore over a disjunction: clauses whose summed upper bounds cannot beat the current
    /// k-th score are only probed for documents that the others find. Clauses are visited by
    /// bound but a document's score sums their contributions in clause order, as
    /// `BooleanScorer` does, so that both give the same score to the bit.
    private func maxScoreCollect(
        _ clauses: [Scorer], prohibited: [Scorer], segment: Int, accept: (Int) -> Bool, into collector: inout TopCollector
    ) -> (matched: Int, pruned: Bool) {
        let order = clauses.indices.sorted { clauses[$0].maxScore < clauses[$1].maxScore }
        let sorted = order.map { clauses[$0] }
        var bounds: [Double] = []
        var running = 0.0
        for scorer in sorted {
            running += scorer.maxScore
            bounds.append(running)
        }
        for scorer in sorted { scorer.nextDoc() }
        var matched = 0
        var pruned = false
        var firstEssential = 0
        // The running totals (for bounds); each clause's own contribution and the clauses
        // (by plan position) that scored the document.
        var totals = Array(repeating: 0.0, count: groupCount)
        // (Clause `c`'s in `contributions[c * groupCount ..< (c + 1) * groupCount]`: one array,
        // since a nested one was retained and released on every read.)
        var contributions = Array(repeating: 0.0, count: clauses.count * groupCount)
        var clauseScores = Array(repeating: 0.0, count: groupCount)
        var scored: [Int] = []
        let slack = 1 + 1e-9
        func updateEssential() {
            guard let threshold = collector.threshold else { return }
            while firstEssential < sorted.count, bounds[firstEssential] * slack < threshold {
                firstEssential += 1
                pruned = true
            }
        }
        func add(_ position: Int) {
            let clause = order[position]
            for group in 0..<groupCount { clauseScores[group] = 0 }
            sorted[position].addScores(to: &clauseScores)
            for group in 0..<groupCount {
                contributions[clause * groupCount + group] = clauseScores[group]
                totals[group] += clauseScores[group]
            }
            scored.append(clause)
        }
        updateEssential()
        while firstEssential < sorted.count {
            var doc = noMoreDocs
            for index in firstEssential..<sorted.count { doc = min(doc, sorted[index].doc) }
            if doc == noMoreDocs { break }
            for group in totals.indices { totals[group] = 0 }
            scored.removeAll(keepingCapacity: true)
            for index in firstEssential..<sorted.count where sorted[index].doc == doc {
                add(index)
                sorted[index].nextDoc()
            }
            var candidate = accept(doc)
            if candidate {
                for scorer in prohibited {
                    if scorer.doc < doc { scorer.advance(to: doc) }
                    if scorer.doc == doc {
                        candidate = false
                        break
                    }
                }
            }
            guard candidate else { continue }
            var index = firstEssential - 1
            while index >= 0 {
                if let threshold = collector.threshold, ((totals.max() ?? 0) + bounds[index]) * slack < threshold {
                    pruned = true
                    break
                }
                let scorer = sorted[index]
                if scorer.doc < doc { scorer.advance(to: doc) }
                if scorer.doc == doc { add(index) }
                index -= 1
            }
            matched += 1
            scored.sort()
            for group in totals.indices { totals[group] = 0 }
            for clause in scored {
                for group in 0..<groupCount { totals[group] += contributions[clause * groupCount + group] }
            }
            collector.offer(score: totals.max() ?? 0, segment: segment, doc: doc, keys: keyFollows)
            updateEssential()
        }
        return (matched, pruned)
    }

    /// For each filtered field, the documents of `segment` that pass that field's filter.
    private func filterSets(_ filter: Filter, segment: OpenSegment) -> [(field: String, documents: DocumentSet)] {
        filter.fields.map { name in
            var matching = DocumentSet(documentCount: segment.reader.documentCount)
            if let field = segment.reader.fields.index(of: name) {
                var accepted = Set(filter.values[name] ?? [])
                if let range = filter.ranges[name] {
                    let inRange = segment.reader.keywordDictionary(field: field).filter { range.contains($0) }
                    accepted = filter.values[name] == nil ? Set(inRange) : accepted.intersection(inRange)
                }
                for value in accepted {
                    guard let info = segment.reader.termInfo(field: field, term: value) else { continue }
                    let iterator = segment.reader.postingsIterator(info)
                    while iterator.nextDoc() != noMoreDocs { matching.insert(iterator.doc) }
                }
            }
            return (name, matching)
        }
    }

    // MARK: Scorers

    func makeScorer(_ plan: QueryPlan, segment: OpenSegment) -> Scorer? {
        switch plan {
        case .all:
            return AllScorer(documentCount: segment.reader.documentCount, groupCount: groupCount)
        case .keyword(let field, let value):
            guard let info = segment.reader.termInfo(field: field, term: value) else { return nil }
            return KeywordScorer(
                iterator: segment.reader.postingsIterator(info), label: "\(fields.names[field]):\(value)", groupCount: groupCount)
        case .unit(let unit):
            var sources: [FrequencySource] = []
            var scoringFields: [ScoringField] = []
            for part in unit.parts {
                var positions: [PositionalSource] = []
                for alternatives in part.terms {
                    let iterators = alternatives.compactMap { term in
                        segment.reader.termInfo(field: part.field, term: term).map { segment.reader.postingsIterator($0) }
                    }
                    if iterators.isEmpty { break }
                    positions.append(iterators.count == 1 ? iterators[0] : UnionSource(iterators))
                }
                guard positions.count == part.terms.count, !positions.isEmpty else { continue }
                let source: FrequencySource =
                    positions.count == 1
                    ? positions[0]
                    : part.isPhrase
                        ? PhraseSource(sources: positions, offsets: part.offsets) as FrequencySource
                        : AllWordsSource(sources: positions)
                sources.append(source)
                let normalization = lengthNormalization(field: part.field, segment: segment)
                scoringFields.append(
                    ScoringField(
                        name: fields.names[part.field], label: part.label, isSynonym: part.isSynonym,
                        group: schema.textFields[part.field].scoringGroup,
                        groupIndex: groupOfField[part.field], weight: part.weight,
                        lengthFactors: normalization.factors,
                        norms: normalization.norms, averageLength: normalization.average, groupLength: foldedFields[part.field]))
            }
            guard !sources.isEmpty else { return nil }
            return UnitScorer(
                label: unit.label, sources: sources, fields: scoringFields, idf: unit.idf, k1: bm25.k1,
                b: bm25.b, documentCount: documentCount, documentFrequency: unit.documentFrequency, groupCount: groupCount,
                idfFactor: unit.idfFactor, boost: unit.boost)
        case .boolean(let must, let should, let mustNot, let minimum):
            var required: [Scorer] = []
            for clause in must {
                guard let scorer = makeScorer(clause, segment: segment) else { return nil }
                required.append(scorer)
            }
            let optional = should.compactMap { makeScorer($0, segment: segment) }
            let prohibited = mustNot.compactMap { makeScorer($0, segment: segment) }
            if required.isEmpty && optional.count < max(1, minimum) { return nil }
            if required.count == 1, optional.isEmpty, prohibited.isEmpty { return required[0] }
            if required.isEmpty, optional.count == 1, prohibited.isEmpty { return optional[0] }
            return BooleanScorer(
                required: required, optional: optional, prohibited: prohibited, minimumShouldMatch: minimum,
                groupCount: groupCount)
        }
    }
}

/// Whether the key of (segment, doc) sorts after the key of (other segment, other doc), in
/// String order: how ``TopCollector`` breaks ties in score.
typealias KeyOrder = (_ segment: Int, _ doc: Int, _ otherSegment: Int, _ otherDoc: Int) -> Bool

/// The best hits so far, kept in a bounded heap (worst on top). Ties in score are broken
/// by key, so results do not depend on how documents are spread over segments.
struct TopCollector {
    struct Entry {
        var score: Double
        var segment: Int
        var doc: Int
    }

    let capacity: Int
    private var heap: [Entry] = []

    init(capacity: Int) {
        self.capacity = capacity
        heap.reserveCapacity(min(capacity, 10_000))
    }

    /// The score a new hit must reach (ties included) once the heap is full.
    var threshold: Double? { heap.count == capacity && capacity > 0 ? heap[0].score : nil }

    /// Whether `a` ranks below `b`.
    private static func worse(_ a: Entry, _ b: Entry, _ keys: KeyOrder) -> Bool {
        if a.score != b.score { return a.score < b.score }
        return keys(a.segment, a.doc, b.segment, b.doc)
    }

    mutating func offer(score: Double, segment: Int, doc: Int, keys: KeyOrder) {
        guard capacity > 0 else { return }
        let entry = Entry(score: score, segment: segment, doc: doc)
        if heap.count < capacity {
            heap.append(entry)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.worse(heap[child], heap[parent], keys) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        } else if Self.worse(heap[0], entry, keys) {
            heap[0] = entry
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, Self.worse(heap[left], heap[smallest], keys) { smallest = left }
                if right < heap.count, Self.worse(heap[right], heap[smallest], keys) { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
    }

    /// Best first.
    func sorted(keys: KeyOrder) -> [Entry] {
        heap.sorted { Self.worse($1, $0, keys) }
    }
}
