// Query expansion through a dictionary of synonym sets (a thesaurus's concepts with their
// labels in several languages): the words of a query that match a label in any language also
// search the set's labels in the other languages, as one weighted BM25 unit.
import Synchronization

/// Words and phrases in several languages that name one thing (a thesaurus concept).
public struct SynonymSet: Sendable, Hashable {
    /// A word or phrase and the scoring group (language) it belongs to (`en`, `zh`, ...).
    public struct Label: Sendable, Hashable {
        /// The word or phrase.
        public var text: String
        /// The scoring group (language) whose fields and analyzer it belongs to.
        public var group: String

        /// A label `text` in the scoring group `group`.
        public init(text: String, group: String) {
            self.text = text
            self.group = group
        }
    }

    /// The set's identifier (e.g. a concept's notation), reported with each expansion.
    public var id: String
    /// Its words and phrases, in every group.
    public var labels: [Label]

    /// A synonym set identified by `id`, with its labels.
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

    /// An expansion of the words `source`, which matched set `setID` in `matchedGroups`, to `added`.
    public init(source: String, matchedGroups: [String], setID: String, added: [SynonymSet.Label]) {
        self.source = source
        self.matchedGroups = matchedGroups
        self.setID = setID
        self.added = added
    }

    /// How explanations and hits name one of the ``added`` labels
    /// (``Synonyms/Word/label``, ``SearchHit/matchedSynonyms``): `coral reefs [en] from коралловые рифы`.
    public func name(of label: SynonymSet.Label) -> String {
        "\(label.text) [\(label.group)] from \(source)"
    }
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
    /// Per group: the first term of every label (most query words start none, and are
    /// passed over with one lookup).
    private let firstTerms: [String: Set<String>]
    /// Per group: every term of every label (a word that is one is not misspelt).
    private let labelTerms: [String: Set<String>]
    /// Per group, made when a misspelt word first needs it: the labels' words as written
    /// (normalized), by length, with their terms.
    private let labelWords = LabelWords()
    private let analyzers: [String: any Analyzer]
    /// The groups in a fixed order (so results do not depend on dictionary order).
    private let groups: [String]
    /// Per group: the scripts its labels are written in (a run of Latin words is not
    /// analyzed for a group whose labels are all Cyrillic).
    private let scripts: [String: Set<Script>]

    /// Groups whose words also search the set's other labels in their own group, not only
    /// the other groups' (empty by default). For a language whose analyzer cannot tell that
    /// two of a set's labels are forms of one another: Arabic's broken plurals (`مصيدة` and
    /// `مصائد`, trap and traps) stem differently, so the thesaurus holds both numbers, and a
    /// query in either finds records that use the other.
    public var searchesOwnLabels: Set<String> = []

    /// Coarse writing systems, enough to tell which groups a query's words may match.
    enum Script: String, Hashable {
        case latin, cyrillic, arabic, ideographic, other

        init?(_ scalar: Unicode.Scalar) {
            let value = scalar.value
            switch value {
            // Full-width digits and letters (typed with a CJK input method) are Latin too:
            // the analyzers fold them (NFKC), so `ｅＤＮＡ` matches the label `eDNA`.
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF, 0xFF10...0xFF19, 0xFF21...0xFF3A,
                0xFF41...0xFF5A:
                self = .latin
            case 0x400...0x52F: self = .cyrillic
            case 0x600...0x6FF, 0x750...0x77F, 0x8A0...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: self = .arabic
            default:
                if ScalarClass(value) == .ideograph {
                    self = .ideographic
                } else if scalar.properties.isAlphabetic {
                    self = .other
                } else {
                    return nil
                }
            }
        }

        static func of(_ text: String) -> Set<Script> { Set(text.unicodeScalars.compactMap(Script.init)) }
    }

    /// Prepares `sets` for the fields of `schema`: each group is analyzed with the analyzer
    /// of its first field. Labels in groups the schema does not have are ignored.
    ///
    /// A label of more than ``maximumLabelWords`` words (or of more than 64 bytes a word
    /// allowed, 2,048) is left out: it is no one's query, and a query that matched another
    /// label of its set would search all of it.
    public init(sets: [SynonymSet], schema: Schema) {
        let (analyzers, _) = Self.groupAnalyzers(schema)
        var labels: [String: [String: [Int]]] = [:]
        var scripts: [String: Set<Script>] = [:]
        var sets = sets
        for (index, set) in sets.enumerated() {
            var tooLong: [Int] = []
            for (labelIndex, label) in set.labels.enumerated() {
                guard let analyzer = analyzers[label.group] else { continue }
                // (Measured on the text first: analyzing a label of a million words is itself
                // long.)
                guard label.text.utf8.count <= Self.maximumLabelWords * 64 else {
                    tooLong.append(labelIndex)
                    continue
                }
                let alternatives = Self.termsByPosition(analyzer.tokens(label.text))
                guard alternatives.count <= Self.maximumLabelWords else {
                    tooLong.append(labelIndex)
                    continue
                }
                guard !alternatives.isEmpty else { continue }
                // Every spelling of the label the analyzer gives (`tourbières`: its stem, and
                // the stem of `tourbieres`), so that a query typed either way finds it.
                for terms in Self.combinations(alternatives) {
                    let key = terms.joined(separator: "\u{1}")
                    if labels[label.group, default: [:]][key]?.contains(index) != true {
                        labels[label.group, default: [:]][key, default: []].append(index)
                    }
                }
                scripts[label.group, default: []].formUnion(Script.of(label.text))
            }
            for labelIndex in tooLong.reversed() { sets[index].labels.remove(at: labelIndex) }
        }
        self.init(sets: sets, labels: labels, scripts: scripts, schema: schema)
    }

    /// The most words a label may have to be searched (GEMET's and AGROVOC's longest have
    /// about fifteen).
    public static let maximumLabelWords = 32

    /// Whether there is nothing to expand with.
    public var isEmpty: Bool { labels.isEmpty }

    /// Each scoring group's analyzer (its first field's), and the groups in schema order.
    private static func groupAnalyzers(_ schema: Schema) -> (analyzers: [String: any Analyzer], groups: [String]) {
        var analyzers: [String: any Analyzer] = [:]
        var groups: [String] = []
        for field in schema.textFields where analyzers[field.scoringGroup] == nil {
            analyzers[field.scoringGroup] = field.analyzer
            groups.append(field.scoringGroup)
        }
        return (analyzers, groups)
    }

    // MARK: Storing the analyzed labels

    private init(sets: [SynonymSet], labels: [String: [String: [Int]]], scripts: [String: Set<Script>], schema: Schema) {
        let (analyzers, groups) = Self.groupAnalyzers(schema)
        var longest: [String: Int] = [:]
        var firstTerms: [String: Set<String>] = [:]
        var labelTerms: [String: Set<String>] = [:]
        for (group, keys) in labels {
            var most = 0
            var firsts = Set<String>(minimumCapacity: keys.count)
            var terms = Set<String>(minimumCapacity: keys.count)
            for key in keys.keys {
                // Terms are joined by U+0001: split them byte by byte (a key of one term, the
                // most common, is its own first term and only term).
                var count = 0
                var first: String?
                key.utf8.withContiguousStorageIfAvailable { bytes in
                    var start = 0
                    for index in 0...bytes.count where index == bytes.count || bytes[index] == 1 {
                        count += 1
                        let term = count == 1 && index == bytes.count ? key : String(decoding: bytes[start..<index], as: UTF8.self)
                        if count == 1 { first = term }
                        terms.insert(term)
                        start = index + 1
                    }
                }
                if first == nil {
                    // (A string without contiguous UTF-8, which Swift's own strings always have.)
                    let parts = key.split(separator: "\u{1}", omittingEmptySubsequences: false).map(String.init)
                    count = parts.count
                    first = parts.first
                    terms.formUnion(parts)
                }
                most = max(most, count)
                firsts.insert(first ?? key)
            }
            longest[group] = most
            firstTerms[group] = firsts
            labelTerms[group] = terms
        }
        self.sets = sets
        self.labels = labels
        self.longest = longest
        self.firstTerms = firstTerms
        self.labelTerms = labelTerms
        self.scripts = scripts
        self.analyzers = analyzers
        self.groups = groups
    }

    // (3: labels of more than ``maximumLabelWords`` words left out; a form stored before is
    // analyzed again when loaded, until the next import stores the new one.)
    private static let serializationHeader = "chm-synonyms 3"

    /// The sets and their analyzed labels as text, to be stored and read back with
    /// ``init(serialized:schema:)``: analyzing thousands of labels takes far longer than
    /// reading them, and a search process should not pay for it.
    public var serialized: String {
        var lines = [Self.serializationHeader + "\t" + Self.fingerprint(schema: analyzers, groups: groups)]
        for set in sets {
            lines.append(
                "S\t" + Self.escape(set.id) + "\t"
                    + set.labels.map { Self.escape($0.group) + "\u{1F}" + Self.escape($0.text) }.joined(separator: "\u{1E}"))
        }
        for group in groups {
            if let written = scripts[group] {
                lines.append("G\t" + Self.escape(group) + "\t" + written.map(\.rawValue).sorted().joined(separator: ","))
            }
            for (key, indices) in (labels[group] ?? [:]).sorted(by: { $0.key < $1.key }) {
                lines.append("K\t" + Self.escape(group) + "\t" + Self.escape(key) + "\t" + indices.map(String.init).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Whether `text` was stored for the analyzers of `schema` (its first line alone: a cheap
    /// check before reading it whole with ``init(serialized:schema:)``).
    public static func isStored(forAnalyzersOf schema: Schema, _ text: String) -> Bool {
        let header = header(for: schema)
        return text.utf8.starts(with: header.utf8) && (text.utf8.count == header.utf8.count || text.utf8.dropFirst(header.utf8.count).first == 0x0A)
    }

    /// An expander from ``serialized`` text, or nil when the text is damaged or was made
    /// for other analyzers (then build it again from the sets). Read as bytes: every
    /// separator is an ASCII control byte, which never occurs inside a UTF-8 sequence.
    public init?(serialized text: String, schema: Schema) {
        guard Self.isStored(forAnalyzersOf: schema, text) else { return nil }
        let bytes = Array(text.utf8)
        let header = Self.header(for: schema).utf8
        func string(_ slice: ArraySlice<UInt8>) -> String {
            let raw = String(decoding: slice, as: UTF8.self)
            return slice.contains(0x5C) ? Self.unescape(raw[...]) : raw
        }
        var sets: [SynonymSet] = []
        var labels: [String: [String: [Int]]] = [:]
        var scripts: [String: Set<Script>] = [:]
        var currentGroup: String?
        var currentGroupBytes: ArraySlice<UInt8> = []
        var groupKeys: [String: [Int]] = [:]
        let lines = bytes[header.count...].split(separator: 0x0A)
        for (number, line) in lines.enumerated() {
            let fields = line.split(separator: 0x09, omittingEmptySubsequences: false)
            guard fields.first?.count == 1, let kind = fields.first?.first else { return nil }
            switch kind {
            case UInt8(ascii: "S"):
                guard fields.count == 3 else { return nil }
                var setLabels: [SynonymSet.Label] = []
                for entry in fields[2].split(separator: 0x1E) {
                    guard let separator = entry.firstIndex(of: 0x1F) else { return nil }
                    setLabels.append(
                        SynonymSet.Label(text: string(entry[(separator + 1)...]), group: string(entry[..<separator])))
                }
                sets.append(SynonymSet(id: string(fields[1]), labels: setLabels))
            case UInt8(ascii: "G"):
                guard fields.count == 3 else { return nil }
                var written = Set<Script>()
                for name in fields[2].split(separator: UInt8(ascii: ",")) {
                    guard let script = Script(rawValue: String(decoding: name, as: UTF8.self)) else { return nil }
                    written.insert(script)
                }
                scripts[string(fields[1])] = written
            case UInt8(ascii: "K"):
                guard fields.count == 4 else { return nil }
                var indices: [Int] = []
                var value = 0
                var digits = 0
                for byte in fields[3] {
                    if byte == UInt8(ascii: ",") {
                        guard digits > 0, value < sets.count else { return nil }
                        indices.append(value)
                        (value, digits) = (0, 0)
                    } else {
                        guard byte >= 0x30, byte <= 0x39, digits < 10 else { return nil }
                        value = value * 10 + Int(byte - 0x30)
                        digits += 1
                    }
                }
                guard digits > 0, value < sets.count else { return nil }
                indices.append(value)
                // (Lines come group by group: the group's keys are gathered, then stored once.)
                if currentGroup == nil || !fields[1].elementsEqual(currentGroupBytes) {
                    if let group = currentGroup { labels[group] = groupKeys }
                    currentGroupBytes = fields[1]
                    currentGroup = string(fields[1])
                    groupKeys = labels[currentGroup ?? ""] ?? [:]
                    // Room for all of the group's keys at once (a vocabulary of AGROVOC's size
                    // has a million: growing the table step by step rehashed them all).
                    let prefix = [UInt8(ascii: "K"), 0x09] + fields[1] + [0x09]
                    let count = lines[number...].prefix { $0.starts(with: prefix) }.count
                    groupKeys.reserveCapacity(groupKeys.count + count)
                }
                groupKeys[string(fields[2])] = indices
            default:
                return nil
            }
        }
        if let group = currentGroup { labels[group] = groupKeys }
        self.init(sets: sets, labels: labels, scripts: scripts, schema: schema)
    }

    /// The first line of the stored form for `schema`: the format, and each group's analyzer.
    private static func header(for schema: Schema) -> String {
        let (analyzers, groups) = groupAnalyzers(schema)
        return serializationHeader + "\t" + fingerprint(schema: analyzers, groups: groups)
    }

    /// What the stored form depends on: each group's analyzer.
    private static func fingerprint(schema analyzers: [String: any Analyzer], groups: [String]) -> String {
        groups.map { "\($0)=\(analyzers[$0]?.name ?? "")" }.joined(separator: ",")
    }

    /// Tabs, line breaks and backslashes written as escapes (the separators U+001E and
    /// U+001F inside a label are dropped: no label needs them).
    private static func escape(_ text: String) -> String {
        var output = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": output += "\\\\"
            case "\t": output += "\\t"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\u{1E}", "\u{1F}": continue
            default: output.unicodeScalars.append(character)
            }
        }
        return output
    }

    private static func unescape(_ text: Substring) -> String {
        guard text.contains("\\") else { return String(text) }
        var output = ""
        var escaped = false
        for character in text.unicodeScalars {
            if escaped {
                switch character {
                case "t": output += "\t"
                case "n": output += "\n"
                case "r": output += "\r"
                default: output.unicodeScalars.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                output.unicodeScalars.append(character)
            }
        }
        return output
    }

    /// The terms at each position: the first (a stem), then its alternatives (the stem of
    /// the word without accents, or with the Arabic article), at most
    /// ``maximumAlternatives`` of them.
    private static func termsByPosition(_ tokens: [Token]) -> [[String]] {
        var terms: [[String]] = []
        var lastPosition = -1
        for token in tokens {
            if token.position != lastPosition {
                terms.append([token.term])
                lastPosition = token.position
            } else if let last = terms.indices.last, terms[last].count < maximumAlternatives, !terms[last].contains(token.term) {
                terms[last].append(token.term)
            }
        }
        return terms
    }

    /// Alternatives kept per position (an analyzer gives at most three).
    static let maximumAlternatives = 3
    /// Spellings of one run of terms looked up, at most (a label of four words with two
    /// alternatives each has 16).
    static let maximumCombinations = 16

    /// The runs that take one alternative at each position, the first alternatives' first,
    /// at most ``maximumCombinations``.
    private static func combinations(_ alternatives: some Collection<[String]>) -> [[String]] {
        var runs: [[String]] = [[]]
        for choices in alternatives {
            if choices.count == 1 {
                // (In place: a run is not copied at each of its words.)
                for index in runs.indices { runs[index].append(choices[0]) }
                continue
            }
            var next: [[String]] = []
            for run in runs {
                for choice in choices where next.count < maximumCombinations { next.append(run + [choice]) }
            }
            runs = next
        }
        return runs
    }

    /// `query` with a ``Query/synonyms(_:)`` clause beside each word or phrase that matches a
    /// label, each weighted by `weight`, and what was added.
    /// - Parameters:
    ///   - query: the query to expand.
    ///   - weight: the translations' weight against the query's own words.
    ///   - exactPhrases: a phrase is expanded only by a label that is the whole phrase (the
    ///     default: a searcher's quotes ask for the words as written). False for phrases a
    ///     program made (a record's keywords), which a label inside them may translate.
    ///   - isKnownWord: whether some document has a word (in any language). A word of five
    ///     letters or more that none has, and that is no label's, may match a label's word
    ///     within the edits typo correction allows (one for up to eight letters, two beyond),
    ///     in a label of two words or more whose other words match as typed: `tortugas
    ///     marinass` finds the concept `tortugas marinas`, `Islam` is not `islands`. Nil:
    ///     labels match only as written.
    ///   - writtenIn: the groups (languages) the query's words are known to be written in;
    ///     only labels of those groups match them. Nil (a searcher's query): any group's.
    ///     A program that expands a text of known language passes it, so that a word that is
    ///     also another language's stem is not read as that language's (the English
    ///     `restaurants` is the French stem of `restauration`).
    /// - Returns: `query` unchanged when it nests deeper than ``Query/maximumDepth``.
    public func expand(
        _ query: Query, weight: Double, exactPhrases: Bool = true, isKnownWord: ((String) -> Bool)? = nil,
        writtenIn: Set<String>? = nil
    ) -> (query: Query, expansions: [QueryExpansion]) {
        // (A query nested deeper than a search takes is left as it is: the search refuses it.)
        guard !isEmpty, query.depth <= Query.maximumDepth else { return (query, []) }
        var expansions: [QueryExpansion] = []
        var context = Context(exactPhrases: exactPhrases, isKnownWord: isKnownWord, writtenIn: writtenIn)
        let expanded = expand(query, weight: weight, context: &context, into: &expansions)
        return (expanded, expansions)
    }

    /// What one expansion knows besides the query.
    private struct Context {
        let exactPhrases: Bool
        let isKnownWord: ((String) -> Bool)?
        /// The only groups whose labels may match, when the words' language is known.
        let writtenIn: Set<String>?
        /// Answers of `isKnownWord`, by word.
        var known: [String: Bool] = [:]
        /// Close label words found, by group and word (a query may repeat a word).
        var closeTerms: [String: [String]] = [:]

        /// Whether `word` may be a misspelling: long enough, and in no document.
        mutating func mayBeMisspelt(_ word: String) -> Bool {
            guard let isKnownWord, word.count >= QueryExpander.shortestMisspeltWord else { return false }
            if let answer = known[word] { return !answer }
            let answer = isKnownWord(word)
            known[word] = answer
            return !answer
        }
    }

    /// The shortest word that may be matched to a label's word by its close spellings.
    static let shortestMisspeltWord = 5

    private func expand(_ query: Query, weight: Double, context: inout Context, into expansions: inout [QueryExpansion]) -> Query {
        let exactPhrases = context.exactPhrases
        switch query {
        case .term(nil, let text), .phrase(nil, let text):
            let isPhrase = if exactPhrases, case .phrase = query { true } else { false }
            let (found, labelled) = matches(words: [text], phrases: isPhrase ? [0] : [], weight: weight, context: &context)
            guard !found.isEmpty else { return query }
            expansions += found.map(\.expansion)
            var own = [Query.Clause(.should, query)]
            if case .term = query, let pieces = Self.pieces(of: text, labelled: labelled[0] ?? []) {
                own = pieces.map { Query.Clause(.should, .term(field: nil, text: $0)) }
            }
            return .boolean(own + found.map { Query.Clause(.should, .synonyms($0.synonyms)) }, minimumShouldMatch: 0)
        case .boost(let inner, let factor):
            // (`коралловые^2`: the translations count as much more as the word does.)
            return .boost(expand(inner, weight: weight, context: &context, into: &expansions), factor: factor)
        case .boolean(var clauses, let minimum):
            // Nested groups (and boosted words) first.
            for index in clauses.indices where clauses[index].occur != .mustNot {
                switch clauses[index].query {
                case .boolean, .boost:
                    clauses[index].query = expand(clauses[index].query, weight: weight, context: &context, into: &expansions)
                default:
                    break
                }
            }
            // A required word may match its synonyms instead.
            for index in clauses.indices where clauses[index].occur == .must {
                switch clauses[index].query {
                case .term(nil, _), .phrase(nil, _):
                    clauses[index].query = expand(clauses[index].query, weight: weight, context: &context, into: &expansions)
                default:
                    break
                }
            }
            guard minimum <= 1 else { return .boolean(clauses, minimumShouldMatch: minimum) }
            // Runs of optional words, which may hold a label of several words.
            var added: [Query.Clause] = []
            var matchedGroups = Set<String>()
            var run: [Int] = []  // indices of clauses
            var split: [Int: [String]] = [:]  // clause index -> the pieces its CJK run is searched as
            func closeRun() {
                guard !run.isEmpty else { return }
                let words = run.map { index -> String in
                    switch clauses[index].query {
                    case .term(nil, let text), .phrase(nil, let text): return text
                    default: return ""
                    }
                }
                let phrases = Set(run.indices.filter { if exactPhrases, case .phrase = clauses[run[$0]].query { true } else { false } })
                let (found, labelled) = matches(words: words, phrases: phrases, weight: weight, context: &context)
                expansions += found.map(\.expansion)
                for match in found { matchedGroups.formUnion(match.expansion.matchedGroups) }
                added += found.map { Query.Clause(.should, .synonyms($0.synonyms)) }
                for (word, ranges) in labelled {
                    guard case .term = clauses[run[word]].query, let pieces = Self.pieces(of: words[word], labelled: ranges) else { continue }
                    split[run[word]] = pieces
                }
                run.removeAll()
            }
            for (index, clause) in clauses.enumerated() {
                switch (clause.occur, clause.query) {
                case (.should, .term(nil, _)), (.should, .phrase(nil, _)):
                    run.append(index)
                default:
                    closeRun()
                }
            }
            closeRun()
            guard !added.isEmpty else { return .boolean(clauses, minimumShouldMatch: minimum) }
            clauses = clauses.enumerated().flatMap { index, clause in
                split[index].map { $0.map { Query.Clause(.should, .term(field: nil, text: $0)) } } ?? [clause]
            }
            // The labels say which languages the query is in; its function words there are
            // not searched in the others: `hay manglares` is Spanish, and its `hay` (there is)
            // should not find English hay meadows.
            let kept = clauses.filter { clause in
                guard clause.occur == .should, case .term(nil, let text) = clause.query else { return true }
                return !matchedGroups.contains { analyzers[$0]?.tokens(text).isEmpty == true }
            }
            return .boolean(kept + added, minimumShouldMatch: minimum)
        default:
            return query
        }
    }

    /// Edits (insertions, deletions, substitutions of characters) between `a` and `b`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The labels found in a run of words, longest first at each place, merged over groups.
    /// - Parameter phrases: the indices of the words that are quoted phrases: a label adds
    ///   translations for one only when it is the whole phrase.
    /// - Returns: the labels' synonyms, and for each word (by its index in `words`) that is a
    ///   CJK run, where in it (offsets in Unicode scalars) the labels that were kept matched.
    private func matches(
        words: [String], phrases: Set<Int> = [], weight: Double, context: inout Context
    ) -> (matches: [(synonyms: Synonyms, expansion: QueryExpansion)], labelled: [Int: [Range<Int>]]) {
        // (set, first word, last word) -> groups whose labels matched there, and the most
        // query terms (words, or CJK pairs) a label covered.
        var found: [(set: Int, first: Int, last: Int, groups: [String], terms: Int, start: Int)] = []
        // Where in `joined` each match is (offsets in Unicode scalars), by set, first and last word.
        var spans: [[Int]: Range<Int>] = [:]
        // The words (by index) each match has only through a close spelling, by the same key.
        var misspelt: [[Int]: Set<Int>] = [:]
        let joined = words.joined(separator: " ")
        var wordStarts: [Int] = []
        var offset = 0
        for word in words {
            wordStarts.append(offset)
            offset += word.unicodeScalars.count + 1
        }
        let runScripts = Script.of(joined)
        for group in groups where context.writtenIn?.contains(group) ?? true {
            guard let dictionary = labels[group], let analyzer = analyzers[group], let longest = longest[group],
                let starts = firstTerms[group], scripts[group]?.isDisjoint(with: runScripts) == false
            else { continue }
            // The run is analyzed once per group (an analyzer call costs far more than a word),
            // and each term is traced back to its word by where it starts.
            var terms: [[String]] = []  // per position: the stem, then its alternatives
            var closeSpellings: [Set<String>] = []  // per position: the alternatives that are label words close to a misspelt word
            var wordOfTerm: [Int] = []
            var termSpans: [Range<Int>] = []
            var lastPosition = -1
            for token in analyzer.tokens(joined) {
                if token.position == lastPosition {
                    if let last = terms.indices.last, terms[last].count < Self.maximumAlternatives, !terms[last].contains(token.term) {
                        terms[last].append(token.term)
                    }
                    continue
                }
                lastPosition = token.position
                var word = 0
                while word + 1 < wordStarts.count, wordStarts[word + 1] <= token.start { word += 1 }
                var alternatives = [token.term]
                var close: [String] = []
                if !phrases.contains(word), !Self.isCJKRun(words[word]), labelTerms[group]?.contains(token.term) == false,
                    context.mayBeMisspelt(words[word])
                {
                    let surface = token.form ?? token.term
                    if let cached = context.closeTerms[group + "\u{0}" + surface] {
                        close = cached
                    } else {
                        close = closeLabelTerms(of: surface, group: group, analyzer: analyzer)
                        context.closeTerms[group + "\u{0}" + surface] = close
                    }
                    alternatives += close
                }
                terms.append(alternatives)
                closeSpellings.append(Set(close))
                wordOfTerm.append(word)
                termSpans.append(token.start..<max(token.start, token.end))
            }
            var start = 0
            while start < terms.count {
                var length = terms[start].contains(where: starts.contains) ? min(longest, terms.count - start) : 0
                var matched = 0
                while length > 0 {
                    // The first spelling of these terms that is a label's, and its sets.
                    let (matchedTerms, labelSets) = Self.combinations(terms[start..<(start + length)]).lazy
                        .compactMap { combination in dictionary[combination.joined(separator: "\u{1}")].map { (combination, $0) } }
                        .first ?? ([], nil)
                    // A quoted phrase asks for its words as written: only a label that is the
                    // whole phrase adds translations (`"监测江豚"` is not expanded by 监测).
                    let coversPhrases = (wordOfTerm[start]...wordOfTerm[start + length - 1]).allSatisfy { word in
                        !phrases.contains(word)
                            || (wordOfTerm.firstIndex(of: word) ?? start) >= start
                                && (wordOfTerm.lastIndex(of: word) ?? start) <= start + length - 1
                    }
                    // A close spelling alone is no evidence (`Islam` is not a misspelt
                    // `islands`): a label matched through one needs two words or more, one of
                    // them as typed (`tortugas marinass`).
                    let misspeltWords = matchedTerms.indices.filter { closeSpellings[start + $0].contains(matchedTerms[$0]) }
                        .map { wordOfTerm[start + $0] }
                    let supported = misspeltWords.isEmpty || (length >= 2 && misspeltWords.count < length)
                    if let sets = labelSets, coversPhrases, supported {
                        let first = wordOfTerm[start]
                        let last = wordOfTerm[start + length - 1]
                        for set in sets {
                            if let existing = found.firstIndex(where: { $0.set == set && $0.first == first && $0.last == last }) {
                                if !found[existing].groups.contains(group) { found[existing].groups.append(group) }
                                found[existing].terms = max(found[existing].terms, length)
                            } else {
                                found.append((set, first, last, [group], length, start))
                                spans[[set, first, last]] = termSpans[start].lowerBound..<termSpans[start + length - 1].upperBound
                            }
                            misspelt[[set, first, last], default: []].formUnion(misspeltWords)
                        }
                        matched = length
                        break
                    }
                    length -= 1
                }
                start += max(matched, 1)
            }
        }
        // Stems of different languages collide (`forest` is the English word and the Spanish
        // stem of `forestación`): when the same words match different concepts, the concepts
        // whose label is written most like the words are kept.
        // (Terms, not words, delimit a match: the labels `无人机` and `森林监测` of one CJK run
        // are two places.)
        func place(_ match: (set: Int, first: Int, last: Int, groups: [String], terms: Int, start: Int)) -> [Int] {
            [match.first, match.last, match.start, match.terms]
        }
        var nearest: [[Int]: Int] = [:]  // place -> the nearest label's edits
        var distances: [Int] = []
        for match in found {
            let source = words[match.first...match.last].joined(separator: " ").lowercased()
            let labelsThere = sets[match.set].labels.filter { match.groups.contains($0.group) }
            let distance = labelsThere.map { Self.editDistance($0.text.lowercased(), source) }.min() ?? Int.max
            distances.append(distance)
            nearest[place(match)] = min(nearest[place(match)] ?? Int.max, distance)
        }
        found = zip(found, distances).filter { match, distance in distance == nearest[place(match)] }.map(\.0)
        // The query's words are in one language, which is not known: a match in another
        // group can be an accident of analysis (the English `ecosystem` is also a French stem).
        // So a match inside a longer one (of any group) gives way to it, and a match never
        // adds labels in a group where its words (or words overlapping them) are a label
        // already: those words are that language's own.
        let all = found
        found.removeAll { match in
            all.contains { other in
                guard other.first <= match.first && other.last >= match.last else { return false }
                if let inner = spans[[match.set, match.first, match.last]], let outer = spans[[other.set, other.first, other.last]] {
                    // (Not when it is other characters of a word in two scripts: `珊瑚礁` of
                    // `ecosystems珊瑚礁`.)
                    guard outer.overlaps(inner) else { return false }
                    // Within one word too: `coral` of `coral-reefs`.
                    if outer.lowerBound <= inner.lowerBound, outer.upperBound >= inner.upperBound, outer.count > inner.count {
                        return true
                    }
                }
                return other.last - other.first > match.last - match.first
            }
        }
        // Where the kept labels lie inside a CJK run: there the labels segment the run.
        var labelled: [Int: [Range<Int>]] = [:]
        for match in found where match.first == match.last {
            guard let span = spans[[match.set, match.first, match.last]] else { continue }
            let start = wordStarts[match.first]
            labelled[match.first, default: []].append((span.lowerBound - start)..<(span.upperBound - start))
        }
        let joinedScalars = Array(joined.unicodeScalars)
        // The groups whose labels the words are, of those a match was found in: the ones
        // whose label is written nearest the words. Stems of two languages collide (French
        // `financement` and English `financing` are both `financ`): the words are French, and
        // the English labels (`funding`) are translations to add, not the query's own words.
        func nearestGroups(of match: (set: Int, first: Int, last: Int, groups: [String], terms: Int, start: Int)) -> [String] {
            guard match.groups.count > 1 else { return match.groups }
            let source = words[match.first...match.last].joined(separator: " ").lowercased()
            let distances = match.groups.map { group in
                sets[match.set].labels.filter { $0.group == group }.map { Self.editDistance($0.text.lowercased(), source) }.min() ?? Int.max
            }
            let nearest = distances.min() ?? Int.max
            return zip(match.groups, distances).filter { $0.1 == nearest }.map(\.0)
        }
        let results = found.compactMap { match -> (synonyms: Synonyms, expansion: QueryExpansion)? in
            let set = sets[match.set]
            // The words are what the label's terms span in the query: a label inside a CJK run
            // or a run of two scripts names its own characters (`forests [en] from 森林`, `eDNA`
            // of `eDNA监测`), and punctuation or spaces around them are not theirs (`coral
            // reefs”`, `« récifs coralliens »`): tokens start and end at letters.
            var source = words[match.first...match.last].joined(separator: " ")
            if let span = spans[[match.set, match.first, match.last]] {
                let range = max(0, span.lowerBound)..<min(joinedScalars.count, span.upperBound)
                if !range.isEmpty { source = Self.string(joinedScalars[range]) }
            }
            // Matches at the same words are this language's own, unless they are different
            // characters of one word (`eDNA` and `监测` in `eDNA监测`).
            let matchedGroups = nearestGroups(of: match)
            var ownGroups = Set(matchedGroups)
            for other in found where other.first <= match.last && other.last >= match.first {
                if let mine = spans[[match.set, match.first, match.last]], let theirs = spans[[other.set, other.first, other.last]],
                    !mine.overlaps(theirs)
                {
                    continue
                }
                ownGroups.formUnion(nearestGroups(of: other))
            }
            // The query's own words, as each of their groups analyzes them (a label that is
            // them is not searched again).
            let ownTerms = Dictionary(
                uniqueKeysWithValues: matchedGroups.filter(searchesOwnLabels.contains).compactMap { group in
                    analyzers[group].map { (group, Self.termsByPosition($0.tokens(source))) }
                })
            let added = set.labels.filter { label in
                guard let analyzer = analyzers[label.group] else { return false }
                guard ownGroups.contains(label.group) else { return true }
                guard let own = ownTerms[label.group] else { return false }
                // In the query's own language only the same words with one of them in another
                // form are added (an Arabic broken plural: `مصائد الكاميرا` for `مصيدة الكاميرا`),
                // not another wording, whose other words drift (`الرصد الصوتي الحيوي` adds
                // `الحيوي`), nor the words themselves. A position is the same word when the
                // label's and the query's terms there share one (`سلحفاة` is `سلحف` or `سلحفا`).
                let terms = Self.termsByPosition(analyzer.tokens(label.text))
                return terms.count == own.count && zip(terms, own).filter { Set($0).isDisjoint(with: $1) }.count == 1
            }
            guard !added.isEmpty else { return nil }
            // The translations stand for every query term the label covers: a record that
            // has `mangrove restoration` answers all of `восстановление мангровых лесов`, and
            // should not fall below one in the query's language that has only `восстановление`.
            let expansion = QueryExpansion(source: source, matchedGroups: matchedGroups, setID: set.id, added: added)
            let synonyms = Synonyms(
                source: source,
                words: added.map { Synonyms.Word(text: $0.text, group: $0.group, label: expansion.name(of: $0)) },
                weight: weight * Double(max(1, match.terms)),
                misspelt: Set((misspelt[[match.set, match.first, match.last]] ?? []).map { words[$0] }))
            return (synonyms, expansion)
        }
        return (results, labelled)
    }

    /// The words of `group`'s labels as written (normalized as `analyzer` normalizes them,
    /// before stemming), by length, with their terms; made when first needed.
    private func writtenWords(of group: String, analyzer: any Analyzer) -> [Int: [(word: String, term: String)]] {
        labelWords.words(of: group) {
            var words: [String: String] = [:]
            for set in sets {
                for label in set.labels where label.group == group {
                    for token in analyzer.tokens(label.text) { words[token.form ?? token.term] = token.term }
                }
            }
            return Dictionary(grouping: words.sorted { $0.key < $1.key }, by: \.key.count).mapValues { $0.map { ($0.key, $0.value) } }
        }
    }

    /// Makes now what typo correction reads from the labels when first needed (each group's
    /// written words), so that a long-lived process's first corrected search does not wait for
    /// it (a second with a vocabulary of AGROVOC's size).
    public func prepareForCorrection() {
        for group in groups {
            guard let analyzer = analyzers[group] else { continue }
            _ = writtenWords(of: group, analyzer: analyzer)
        }
    }

    /// Whether `word` is written, as it is, in a label of some group (normalized: lower case,
    /// NFKC, the language's own normalization; not stemmed): a word of its language, which
    /// typo correction leaves alone however rare it is in the index (`الشعاب`, reefs, is in
    /// `الشعاب المرجانية` and is not a misspelling of `الشباب`, youth). A stem (`mangrov`) is
    /// not a written word.
    public func isWrittenInLabel(_ word: String) -> Bool {
        let typed = Script.of(word)
        for group in groups {
            guard let analyzer = analyzers[group], scripts[group].map({ !$0.isDisjoint(with: typed) }) ?? true else { continue }
            // (One word, which may give several terms at its position: `liées`, its stem and
            // the stem of `liees`.)
            let tokens = analyzer.tokens(word)
            guard let first = tokens.first, tokens.allSatisfy({ $0.position == first.position }) else { continue }
            let written = first.form ?? first.term
            if writtenWords(of: group, analyzer: analyzer)[written.count]?.contains(where: { $0.word == written }) == true { return true }
        }
        return false
    }

    /// The terms of `group`'s label words nearest to `word` (a query word as the analyzer
    /// normalizes it, before stemming) within the edits typo correction allows: one for a
    /// word of up to eight letters, two beyond; at most ``maximumAlternatives`` - 1 of them.
    private func closeLabelTerms(of word: String, group: String, analyzer: any Analyzer) -> [String] {
        let byLength = writtenWords(of: group, analyzer: analyzer)
        let length = word.count
        let allowed = length > 8 ? 2 : 1
        var best: [String] = []
        var bestDistance = allowed + 1
        for candidateLength in max(1, length - allowed)...(length + allowed) {
            for (candidate, term) in byLength[candidateLength] ?? [] {
                let distance = Self.editDistance(candidate, word)
                if distance < bestDistance {
                    bestDistance = distance
                    best = [term]
                } else if distance == bestDistance, distance <= allowed, best.count < Self.maximumAlternatives - 1, !best.contains(term) {
                    best.append(term)
                }
            }
        }
        return best
    }

    /// A CJK run cut where thesaurus labels lie in it, or nil to search it whole.
    ///
    /// A run typed without spaces is searched as its overlapping pairs (`森林鸟类监测`: 森林,
    /// 林鸟, 鸟类, 类监, 监测), and the pairs that straddle two words (林鸟, 类监) are not words:
    /// a record that has `鱼类监测` (fish monitoring) matched `类监` as well as `监测`, and
    /// outranked the record about forest birds. Where labels of the thesaurus lie in the run,
    /// they are its words, as a dictionary segments Chinese: the run is searched as the
    /// labels (overlapping labels as one piece) and the text between them, so no pair crosses
    /// a label's edge.
    /// - Parameters:
    ///   - text: the run, as typed.
    ///   - labelled: where labels matched in it, in Unicode scalars.
    static func pieces(of text: String, labelled: [Range<Int>]) -> [String]? {
        let scalars = Array(text.unicodeScalars)
        guard !labelled.isEmpty, scalars.count > 2, isCJKRun(text) else { return nil }
        var merged: [Range<Int>] = []
        for range in labelled.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            let range = max(0, range.lowerBound)..<min(scalars.count, range.upperBound)
            guard !range.isEmpty else { continue }
            if let last = merged.last, range.lowerBound < last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        guard !(merged.count == 1 && merged[0] == 0..<scalars.count), !merged.isEmpty else { return nil }
        var pieces: [Range<Int>] = []
        var position = 0
        for range in merged {
            if position < range.lowerBound { pieces.append(position..<range.lowerBound) }
            pieces.append(range)
            position = range.upperBound
        }
        if position < scalars.count { pieces.append(position..<scalars.count) }
        return pieces.map { string(scalars[$0]) }
    }

    /// Whether `text` is one run of Han ideographs, kana or Hangul (which the analyzers cut
    /// into pairs).
    public static func isCJKRun(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { ScalarClass($0.value) == .ideograph }
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var text = String.UnicodeScalarView()
        text.append(contentsOf: scalars)
        return String(text)
    }
}

/// The label words of each group, made on first use and kept (the expander is shared by every
/// search of a thesaurus version).
private final class LabelWords: Sendable {
    private let byGroup = Mutex<[String: [Int: [(word: String, term: String)]]]>([:])

    func words(of group: String, make: () -> [Int: [(word: String, term: String)]]) -> [Int: [(word: String, term: String)]] {
        if let made = byGroup.withLock({ $0[group] }) { return made }
        let made = make()
        byGroup.withLock { $0[group] = made }
        return made
    }
}
