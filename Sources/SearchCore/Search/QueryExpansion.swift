// Query expansion through a dictionary of synonym sets (a thesaurus's concepts with their
// labels in several languages): the words of a query that match a label in any language also
// search the set's labels in the other languages, as one weighted BM25 unit.

/// Words and phrases in several languages that name one thing (a thesaurus concept).
public struct SynonymSet: Sendable, Hashable {
    /// A word or phrase and the scoring group (language) it belongs to (`en`, `zh`, ...).
    public struct Label: Sendable, Hashable {
        public var text: String
        public var group: String

        public init(text: String, group: String) {
            self.text = text
            self.group = group
        }
    }

    /// The set's identifier (e.g. a concept's notation), reported with each expansion.
    public var id: String
    public var labels: [Label]

    public init(id: String, labels: [Label]) {
        self.id = id
        self.labels = labels
    }
}

/// One expansion of a query: words that matched a set's label, and what they were expanded to.
public struct QueryExpansion: Sendable, Hashable {
    /// The query's words that matched, as typed (`коралловые рифы`).
    public var source: String
    /// The groups (languages) whose labels they matched.
    public var matchedGroups: [String]
    /// The synonym set.
    public var setID: String
    /// The labels searched in addition: the set's labels in the other groups.
    public var added: [SynonymSet.Label]
}

/// Expands queries with synonym sets: a word or run of words (or a CJK run) of the query
/// that analyzes, in some group's analyzer, to the same terms as one of a set's labels adds
/// a ``Query/synonyms(_:)`` clause beside it with the set's labels in the other groups.
///
/// Matching is on analyzed terms, so `коралловых рифов` matches the label `коралловые рифы`
/// and `珊瑚礁保护` contains the label `珊瑚礁`. At each place the longest label wins.
/// Only words that may match (`should`, or a single required word) are expanded, never
/// excluded ones; a boolean that requires several of its optional clauses is left alone.
public struct QueryExpander: Sendable {
    private let sets: [SynonymSet]
    /// Per group: the analyzed terms of each label (joined by U+0001) -> the sets that have it.
    private let labels: [String: [String: [Int]]]
    /// Per group: the most terms in one label.
    private let longest: [String: Int]
    private let analyzers: [String: any Analyzer]
    /// The groups in a fixed order (so results do not depend on dictionary order).
    private let groups: [String]

    /// Prepares `sets` for the fields of `schema`: each group is analyzed with the analyzer
    /// of its first field. Labels in groups the schema does not have are ignored.
    public init(sets: [SynonymSet], schema: Schema) {
        var analyzers: [String: any Analyzer] = [:]
        var groups: [String] = []
        for field in schema.textFields where analyzers[field.scoringGroup] == nil {
            analyzers[field.scoringGroup] = field.analyzer
            groups.append(field.scoringGroup)
        }
        var labels: [String: [String: [Int]]] = [:]
        var longest: [String: Int] = [:]
        for (index, set) in sets.enumerated() {
            for label in set.labels {
                guard let analyzer = analyzers[label.group] else { continue }
                let terms = Self.primaryTerms(analyzer.tokens(label.text))
                guard !terms.isEmpty else { continue }
                let key = terms.joined(separator: "\u{1}")
                if labels[label.group, default: [:]][key]?.contains(index) != true {
                    labels[label.group, default: [:]][key, default: []].append(index)
                }
                longest[label.group] = max(longest[label.group] ?? 0, terms.count)
            }
        }
        self.sets = sets
        self.labels = labels
        self.longest = longest
        self.analyzers = analyzers
        self.groups = groups
    }

    /// Whether there is nothing to expand with.
    public var isEmpty: Bool { labels.isEmpty }

    /// The first term at each position (a stem, not its alternatives).
    private static func primaryTerms(_ tokens: [Token]) -> [String] {
        var terms: [String] = []
        var lastPosition = -1
        for token in tokens where token.position != lastPosition {
            terms.append(token.term)
            lastPosition = token.position
        }
        return terms
    }

    /// `query` with a ``Query/synonyms(_:)`` clause beside each word or phrase that matches a
    /// label, each weighted by `weight`, and what was added.
    public func expand(_ query: Query, weight: Double) -> (query: Query, expansions: [QueryExpansion]) {
        guard !isEmpty else { return (query, []) }
        var expansions: [QueryExpansion] = []
        let expanded = expand(query, weight: weight, into: &expansions)
        return (expanded, expansions)
    }

    private func expand(_ query: Query, weight: Double, into expansions: inout [QueryExpansion]) -> Query {
        switch query {
        case .term(nil, let text), .phrase(nil, let text):
            let found = matches(words: [text], weight: weight)
            guard !found.isEmpty else { return query }
            expansions += found.map(\.expansion)
            return .boolean([Query.Clause(.should, query)] + found.map { Query.Clause(.should, .synonyms($0.synonyms)) }, minimumShouldMatch: 0)
        case .boolean(var clauses, let minimum):
            // Nested groups first.
            for index in clauses.indices where clauses[index].occur != .mustNot {
                if case .boolean = clauses[index].query {
                    clauses[index].query = expand(clauses[index].query, weight: weight, into: &expansions)
                }
            }
            // A required word may match its synonyms instead.
            for index in clauses.indices where clauses[index].occur == .must {
                switch clauses[index].query {
                case .term(nil, _), .phrase(nil, _):
                    clauses[index].query = expand(clauses[index].query, weight: weight, into: &expansions)
                default:
                    break
                }
            }
            guard minimum <= 1 else { return .boolean(clauses, minimumShouldMatch: minimum) }
            // Runs of optional words, which may hold a label of several words.
            var added: [Query.Clause] = []
            var run: [String] = []
            func closeRun() {
                guard !run.isEmpty else { return }
                let found = matches(words: run, weight: weight)
                expansions += found.map(\.expansion)
                added += found.map { Query.Clause(.should, .synonyms($0.synonyms)) }
                run.removeAll()
            }
            for clause in clauses {
                switch (clause.occur, clause.query) {
                case (.should, .term(nil, let text)), (.should, .phrase(nil, let text)):
                    run.append(text)
                default:
                    closeRun()
                }
            }
            closeRun()
            return added.isEmpty ? .boolean(clauses, minimumShouldMatch: minimum) : .boolean(clauses + added, minimumShouldMatch: minimum)
        default:
            return query
        }
    }

    /// The labels found in a run of words, longest first at each place, merged over groups.
    private func matches(words: [String], weight: Double) -> [(synonyms: Synonyms, expansion: QueryExpansion)] {
        // (set, first word, last word) -> groups whose labels matched there.
        var found: [(set: Int, first: Int, last: Int, groups: [String])] = []
        for group in groups {
            guard let dictionary = labels[group], let analyzer = analyzers[group], let longest = longest[group] else { continue }
            var terms: [String] = []
            var wordOfTerm: [Int] = []
            for (index, word) in words.enumerated() {
                let wordTerms = Self.primaryTerms(analyzer.tokens(word))
                terms += wordTerms
                wordOfTerm += Array(repeating: index, count: wordTerms.count)
            }
            var start = 0
            while start < terms.count {
                var length = min(longest, terms.count - start)
                var matched = 0
                while length > 0 {
                    if let sets = dictionary[terms[start..<(start + length)].joined(separator: "\u{1}")] {
                        let first = wordOfTerm[start]
                        let last = wordOfTerm[start + length - 1]
                        for set in sets {
                            if let existing = found.firstIndex(where: { $0.set == set && $0.first == first && $0.last == last }) {
                                if !found[existing].groups.contains(group) { found[existing].groups.append(group) }
                            } else {
                                found.append((set, first, last, [group]))
                            }
                        }
                        matched = length
                        break
                    }
                    length -= 1
                }
                start += max(matched, 1)
            }
        }
        return found.compactMap { match in
            let set = sets[match.set]
            let source = words[match.first...match.last].joined(separator: " ")
            let added = set.labels.filter { !match.groups.contains($0.group) && analyzers[$0.group] != nil }
            guard !added.isEmpty else { return nil }
            let synonyms = Synonyms(
                source: source,
                words: added.map { Synonyms.Word(text: $0.text, group: $0.group, label: "\($0.text) [\($0.group)] from \(source)") },
                weight: weight)
            let expansion = QueryExpansion(source: source, matchedGroups: match.groups, setID: set.id, added: added)
            return (synonyms, expansion)
        }
    }
}
