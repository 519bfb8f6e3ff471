// `chm duplicates`: records that are probably the same but were not linked at ingest because
// they are not identical. Two records are probable duplicates when they have the same title
// in one language and the same country (or neither has a country), or when their texts are
// very similar (Jaccard similarity of their shingle sets at or above a threshold). Records of
// identical content that are both records (from one source, or stored before aliases existed)
// are listed too.
//
// Nothing compares every pair: records are blocked by title (then country), and by the LSH
// bands of their MinHash signatures (MinHash.swift); only records sharing a block are
// compared, and a block too large to be a set of copies is compared along a window.
import Parallel
import SearchCore

/// Why two records are listed as probable duplicates.
public enum DuplicateReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The same content, not linked (from one source, or stored before aliases existed).
    case sameContent
    /// The same title in one language and the same country (or neither has a country).
    case sameTitle
    /// Very similar text: the Jaccard similarity of their shingle sets is at or above the
    /// request's threshold.
    case similarText
}

/// What ``ClearingHouse/duplicates(_:)`` looks for.
public struct DuplicatesRequest: Sendable, Hashable {
    /// The Jaccard similarity (of the two records' sets of two-word shingles) from which
    /// texts count as very similar; between 0.3 and 1.
    public var threshold: Double
    /// At most this many groups, best first; nil for all.
    public var limit: Int?
    /// The language to show titles in (falls back to English, then any).
    public var language: String?

    /// The default threshold: texts with at least this similarity are near copies (an edit,
    /// a sentence added or rephrased), not records on the same subject.
    public static let defaultThreshold = 0.7

    /// A request.
    public init(threshold: Double = DuplicatesRequest.defaultThreshold, limit: Int? = nil, language: String? = nil) {
        self.threshold = threshold
        self.limit = limit
        self.language = language
    }

    /// Checks the parameters.
    /// - Throws: ``ClearingHouseError`` naming `threshold`, `limit` or `lang`.
    public func validate() throws(ClearingHouseError) {
        if !(threshold >= 0.3 && threshold <= 1) {
            throw ClearingHouseError.parameter("threshold", "\(threshold) is not between 0.3 and 1")
        }
        if let limit, limit < 0 { throw ClearingHouseError.parameter("limit", "\(limit) is below 0") }
        if let language, LanguageTag.normalized(language) == nil {
            throw ClearingHouseError.parameter("lang", "\"\(language)\" is not a BCP 47 language tag")
        }
    }
}

/// Probable duplicates among the catalog's records (`chm duplicates --json`).
///
/// `{"scanned", "threshold", "groups": [{"score", "reasons", "primary", "records": [{"id",
/// "kind", "title", "countries"}], "pairs": [{"ids", "reasons", "score"}]}]}`.
public struct DuplicatesReport: Sendable, Hashable, Codable {
    /// One record of a group.
    public struct Member: Sendable, Hashable, Codable {
        /// The record's id.
        public var id: String
        /// The record's kind.
        public var kind: RecordKind
        /// The title in the request's language (or the fallback).
        public var title: String
        /// The record's countries.
        public var countries: [String]
    }

    /// Two records found to be probable duplicates, and how alike their texts are.
    public struct Pair: Sendable, Hashable, Codable {
        /// The two ids, in order.
        public var ids: [String]
        /// Why they are listed (a pair may have the same title and very similar text), in the
        /// order of ``DuplicateReason``.
        public var reasons: [DuplicateReason]
        /// The Jaccard similarity of their texts' shingle sets (1 for the same content), to
        /// three decimals.
        public var score: Double
    }

    /// Records linked by pairs of probable duplicates.
    public struct Group: Sendable, Hashable, Codable {
        /// The best pair's score.
        public var score: Double
        /// The reasons of its pairs, in the order of ``DuplicateReason``.
        public var reasons: [DuplicateReason]
        /// The suggested primary: the record stored first (`chm merge PRIMARY OTHERS...`).
        public var primary: String
        /// The records, the suggested primary first, then in the order they were stored.
        public var records: [Member]
        /// The pairs that link them.
        public var pairs: [Pair]
    }

    /// Records compared (the catalog's records; aliases are linked already).
    public var scanned = 0
    /// The request's threshold for similar text.
    public var threshold: Double
    /// The groups, best score first.
    public var groups: [Group] = []
}

extension ClearingHouse {
    /// Records that are probably the same but are not linked: the same title in one language
    /// and the same country (or neither has one), very similar text, or the same content
    /// (from one source, whose ids are its own, or stored before aliases existed). Aliases are never listed: they are linked
    /// already. A maintainer merges a group with ``merge(primary:duplicates:)``.
    ///
    /// The scan reads every record once, analyzes and signs them on all cores, and compares
    /// only records that share a title or an LSH band, so it grows with the number of records,
    /// not with the number of pairs.
    /// - Throws: ``ClearingHouseError`` naming a bad parameter of `request`.
    public func duplicates(_ request: DuplicatesRequest = DuplicatesRequest()) throws -> DuplicatesReport {
        try request.validate()
        var finder = DuplicateFinder(threshold: request.threshold)
        var batch: [(id: String, json: String, contentHash: String, stored: String)] = []
        func flush() throws {
            try finder.add(batch)
            batch.removeAll(keepingCapacity: true)
        }
        try catalog.forEachRecordForDuplicates { id, json, contentHash, stored in
            batch.append((id, json, contentHash, stored))
            if batch.count == 2048 { try flush() }
        }
        try flush()
        let pairs = try finder.pairs { ids in try catalog.jsons(ids: ids) }
        return finder.report(pairs, request: request)
    }
}

/// The scan behind ``ClearingHouse/duplicates(_:)``: what it keeps of each record, and the
/// blocking, comparing and grouping.
struct DuplicateFinder {
    /// What is kept of each record (the signatures are in one flat array).
    private struct Entry {
        let id: String
        /// Where the record comes in the order records were stored.
        let stored: String
        let contentHash: String
        let kind: RecordKind
        let title: LocalizedText
        let countries: [String]
        /// Title keys (`language` + U+001F + normalized title).
        let titleKeys: [String]
        /// Whether the text has enough shingles to be compared by similarity.
        let comparable: Bool
    }

    /// Texts with fewer shingles are left to the title rule (a few words are no evidence).
    static let minimumShingles = 6
    /// A block with more records than this is compared along a window of this many.
    static let window = 48

    let threshold: Double
    private var entries: [Entry] = []
    private var signatures: [UInt32] = []

    init(threshold: Double) {
        self.threshold = threshold
    }

    /// Adds a batch of stored records (decoded, analyzed and signed on all cores).
    mutating func add(_ batch: [(id: String, json: String, contentHash: String, stored: String)]) throws {
        let prepared = parallelMap(batch, chunkSize: 32) { item in
            Result { () throws(ClearingHouseError) in
                let record = try Record(fromCatalog: item.json)
                let shingles = MinHash.shingles(of: record)
                return (record, shingles.count, MinHash.signature(of: shingles))
            }
        }
        for (item, result) in zip(batch, prepared) {
            let (record, shingleCount, signature) = try result.get()
            entries.append(
                Entry(
                    id: item.id, stored: item.stored, contentHash: item.contentHash, kind: record.kind, title: record.title,
                    countries: record.countries, titleKeys: record.titleKeys.map { "\($0.language)\u{1F}\($0.key)" },
                    comparable: shingleCount >= Self.minimumShingles))
            signatures.append(contentsOf: signature)
        }
    }

    private func signature(_ index: Int) -> ArraySlice<UInt32> {
        signatures[index * MinHash.length..<(index + 1) * MinHash.length]
    }

    /// A candidate pair, smaller index first.
    private struct Candidate: Hashable {
        let a: Int
        let b: Int
        init(_ x: Int, _ y: Int) { (a, b) = x < y ? (x, y) : (y, x) }
    }

    /// The pairs of probable duplicates, each scored by the exact Jaccard similarity of the
    /// two texts (recomputed from the records `load` reads by id).
    func pairs(loading load: ([String]) throws -> [String: String]) throws -> [(Int, Int, [DuplicateReason], Double)] {
        var reasons: [Candidate: DuplicateReason] = [:]
        // Same content: the same hash.
        var byContent: [String: [Int]] = [:]
        for (index, entry) in entries.enumerated() where !entry.contentHash.isEmpty {
            byContent[entry.contentHash, default: []].append(index)
        }
        for members in byContent.values where members.count > 1 {
            for other in members.dropFirst() { reasons[Candidate(members[0], other)] = .sameContent }
        }
        // Same title in one language, then the same country (or none on either side).
        var byTitle: [String: [Int]] = [:]
        for (index, entry) in entries.enumerated() {
            for key in Set(entry.titleKeys) { byTitle[key, default: []].append(index) }
        }
        for members in byTitle.values where members.count > 1 {
            var byCountry: [String: [Int]] = [:]
            for index in members {
                let countries = entries[index].countries
                for country in countries.isEmpty ? [""] : Array(Set(countries)) { byCountry[country, default: []].append(index) }
            }
            for block in byCountry.values where block.count > 1 {
                // Consecutive members: the group is connected without listing every pair.
                for (x, y) in zip(block, block.dropFirst()) where reasons[Candidate(x, y)] == nil {
                    reasons[Candidate(x, y)] = .sameTitle
                }
            }
        }
        // Similar text: records that share an LSH band, whose signatures agree enough.
        var similar: [Candidate: Double] = [:]
        let comparable = entries.indices.filter { entries[$0].comparable }
        let floor = max(0, threshold - 0.15)
        for band in 0..<MinHash.bands {
            let slots = band * MinHash.rowsPerBand
            var keyed = comparable.map { index in
                let start = index * MinHash.length + slots
                return (key: MinHash.bandKey(signatures[start..<start + MinHash.rowsPerBand], band: band), index: index)
            }
            keyed.sort { ($0.key, $0.index) < ($1.key, $1.index) }
            var start = 0
            while start < keyed.count {
                var end = start + 1
                while end < keyed.count, keyed[end].key == keyed[start].key { end += 1 }
                for i in start..<end {
                    for j in (i + 1)..<min(end, i + 1 + Self.window) {
                        let candidate = Candidate(keyed[i].index, keyed[j].index)
                        guard reasons[candidate] != .sameContent, similar[candidate] == nil else { continue }
                        let estimate = MinHash.estimatedSimilarity(signature(candidate.a), signature(candidate.b))
                        if estimate >= floor { similar[candidate] = estimate }
                    }
                }
                start = end
            }
        }
        // Exact scores, from the records' shingles.
        var involved = Set<Int>()
        for candidate in reasons.keys where reasons[candidate] != .sameContent { involved.formUnion([candidate.a, candidate.b]) }
        for candidate in similar.keys { involved.formUnion([candidate.a, candidate.b]) }
        let ids = involved.sorted().map { entries[$0].id }
        var shingles: [String: [UInt64]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 1024).map({ Array(ids[$0..<min(ids.count, $0 + 1024)]) }) {
            let stored = try load(chunk)
            let computed = parallelMap(chunk) { id in
                stored[id].map { json in Result { () throws(ClearingHouseError) in MinHash.shingles(of: try Record(fromCatalog: json)) } }
            }
            for (id, result) in zip(chunk, computed) {
                if let result { shingles[id] = try result.get() }
            }
        }
        func exact(_ candidate: Candidate) -> Double? {
            guard let a = shingles[entries[candidate.a].id], let b = shingles[entries[candidate.b].id] else { return nil }
            return MinHash.jaccard(a, b)
        }
        var found: [(Int, Int, [DuplicateReason], Double)] = []
        for (candidate, reason) in reasons {
            if reason == .sameContent {
                found.append((candidate.a, candidate.b, [reason], 1))
            } else if let score = exact(candidate) {
                found.append((candidate.a, candidate.b, score >= threshold ? [reason, .similarText] : [reason], score))
            }
        }
        for candidate in similar.keys where reasons[candidate] == nil {
            if let score = exact(candidate), score >= threshold { found.append((candidate.a, candidate.b, [.similarText], score)) }
        }
        return found
    }

    /// Groups the pairs (connected records) into the report.
    func report(_ pairs: [(Int, Int, [DuplicateReason], Double)], request: DuplicatesRequest) -> DuplicatesReport {
        var parent = Array(entries.indices)
        func root(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        for (a, b, _, _) in pairs {
            let (ra, rb) = (root(a), root(b))
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        var members: [Int: Set<Int>] = [:]
        var groupPairs: [Int: [(Int, Int, [DuplicateReason], Double)]] = [:]
        for pair in pairs {
            let group = root(pair.0)
            members[group, default: []].formUnion([pair.0, pair.1])
            groupPairs[group, default: []].append(pair)
        }
        func rounded(_ score: Double) -> Double { (score * 1000).rounded() / 1000 }
        var groups: [DuplicatesReport.Group] = []
        for (group, indices) in members {
            let ordered = indices.sorted { (entries[$0].stored, entries[$0].id) < (entries[$1].stored, entries[$1].id) }
            let pairs = (groupPairs[group] ?? [])
                .map { pair -> DuplicatesReport.Pair in
                    let ids = [entries[pair.0].id, entries[pair.1].id].sorted()
                    return DuplicatesReport.Pair(ids: ids, reasons: pair.2, score: rounded(pair.3))
                }
                .sorted { ($0.ids[0], $0.ids[1]) < ($1.ids[0], $1.ids[1]) }
            let found = Set(pairs.flatMap(\.reasons))
            groups.append(
                DuplicatesReport.Group(
                    score: pairs.map(\.score).max() ?? 0, reasons: DuplicateReason.allCases.filter(found.contains),
                    primary: entries[ordered[0]].id,
                    records: ordered.map { index in
                        let entry = entries[index]
                        return DuplicatesReport.Member(
                            id: entry.id, kind: entry.kind,
                            title: entry.title.resolved(preferring: request.language ?? "en")?.text ?? "", countries: entry.countries)
                    }, pairs: pairs))
        }
        groups.sort { ($1.score, $0.primary) < ($0.score, $1.primary) }
        if let limit = request.limit { groups = Array(groups.prefix(limit)) }
        return DuplicatesReport(scanned: entries.count, threshold: request.threshold, groups: groups)
    }
}
