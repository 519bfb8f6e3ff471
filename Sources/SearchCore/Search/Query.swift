/// A search query: what the parser produces and what the searcher executes.
///
/// Text in queries is raw: the searcher analyzes it with the analyzer of each field it is
/// searched in, so one query works across languages.
public indirect enum Query: Sendable, Hashable {
    /// How a clause of a boolean query takes part in matching.
    public enum Occur: String, Sendable, Hashable {
        /// The clause must match (`+term`, `a AND b`).
        case must
        /// The clause may match and adds to the score (plain terms with the default OR).
        case should
        /// The clause must not match (`-term`, `NOT term`).
        case mustNot
    }

    /// One clause of a boolean query.
    public struct Clause: Sendable, Hashable {
        /// How the clause takes part in matching.
        public var occur: Occur
        /// The clause's query.
        public var query: Query

        /// A clause that matches `query` as `occur` says.
        public init(_ occur: Occur, _ query: Query) {
            self.occur = occur
            self.query = query
        }
    }

    /// A word in `field` (nil: the default fields). The text is analyzed; if it yields
    /// several terms (e.g. `agro-forestry`), they are searched as a phrase. A Chinese,
    /// Japanese or Korean run typed without spaces is the exception: its overlapping bigrams
    /// are searched as separate words combined with OR (`湿地保护` finds `湿地的保护`), ranked
    /// by how many match; ``phrase(field:text:)`` keeps them in order.
    case term(field: String?, text: String)
    /// Words that must appear next to each other, in order (`"mangrove nursery"`).
    case phrase(field: String?, text: String)
    /// Terms that start with `prefix` (`mangro*`). The prefix is normalized but not stemmed.
    case prefix(field: String?, prefix: String)
    /// A word and its close spellings (`restoraton~`): words of the index within `maxEdits`
    /// edits (insertions, deletions, substitutions and transpositions of adjacent letters) in
    /// the same field and language. Nil: 1 edit for words of up to 8 letters, 2 for longer.
    /// Close spellings rank below the word itself.
    case fuzzy(field: String?, text: String, maxEdits: Int?)
    /// A combination of clauses. A document matches when it matches every `must` clause,
    /// no `mustNot` clause, and at least `minimumShouldMatch` `should` clauses (at least one
    /// when there are `should` clauses and no `must` clauses). `mustNot` clauses alone match
    /// every document but theirs.
    case boolean([Clause], minimumShouldMatch: Int)
    /// Every document (an empty query).
    case matchAll
    /// Other words for a word or phrase of the query (its translations, from a thesaurus),
    /// each searched in the fields of its own scoring group (language). They count as one
    /// BM25 unit, as Lucene's SynonymQuery does: one term frequency and one document
    /// frequency for all of them, the score multiplied by ``Synonyms/weight``.
    case synonyms(Synonyms)
    /// A query whose score counts `factor` times (`coral^2`, `"seed bank"^3`, `(a OR b)^0.5`),
    /// as Lucene's boosts do: it matches the same documents. The factor is above 0 (the parser
    /// refuses others; the searcher takes a negative or non-finite factor as 0).
    case boost(Query, factor: Double)
}

extension Query {
    /// The deepest nesting a search takes (``depth``): the parser stops at 64, and a query
    /// built in code deeper than this would exhaust a thread's stack in the planner's
    /// recursion (a chain of ten thousand ORs did).
    public static let maximumDepth = 256

    /// How deep the query nests: 1 for a word, one more for each ``boolean(_:minimumShouldMatch:)``
    /// or ``boost(_:factor:)`` around it. Computed without recursion.
    public var depth: Int {
        var deepest = 0
        var pending: [(Query, Int)] = [(self, 1)]
        while let (query, level) = pending.popLast() {
            deepest = max(deepest, level)
            switch query {
            case .boolean(let clauses, _): pending += clauses.map { ($0.query, level + 1) }
            case .boost(let inner, _): pending.append((inner, level + 1))
            default: break
            }
        }
        return deepest
    }
}

/// The other words for a word or phrase of a query (see ``Query/synonyms(_:)``).
public struct Synonyms: Sendable, Hashable {
    /// One other word or phrase, and the scoring group (language) whose fields it is
    /// searched in, with that group's analyzer.
    public struct Word: Sendable, Hashable {
        /// The word or phrase, analyzed with the group's analyzer.
        public var text: String
        /// The scoring group (language) whose fields it is searched in.
        public var group: String
        /// How explanations and hits name it (e.g. `coral reefs [en] from коралловые рифы`).
        public var label: String

        /// A word or phrase `text`, searched in the fields of `group`, named `label`.
        public init(text: String, group: String, label: String) {
            self.text = text
            self.group = group
            self.label = label
        }
    }

    /// The words of the query they stand for, as typed.
    public var source: String
    /// The other words.
    public var words: [Word]
    /// A factor on the unit's score: below 1, a document that matches the query's own words
    /// ranks above one that matches only their translations.
    public var weight: Double
    /// Words of ``source`` that matched a label only through a close spelling (no document
    /// has them): unlike the others, which are words of their language however rare, they
    /// are still open to typo correction.
    public var misspelt: Set<String> = []

    /// The other `words` for `source`, scored by `weight`; `misspelt` lists its words open to correction.
    public init(source: String, words: [Word], weight: Double, misspelt: Set<String> = []) {
        self.source = source
        self.words = words
        self.weight = weight
        self.misspelt = misspelt
    }
}
