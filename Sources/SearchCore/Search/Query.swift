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
        public var occur: Occur
        public var query: Query

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
    /// A combination of clauses. A document matches when it matches every `must` clause,
    /// no `mustNot` clause, and at least `minimumShouldMatch` `should` clauses (at least one
    /// when there are no `must` clauses).
    case boolean([Clause], minimumShouldMatch: Int)
    /// Every document (an empty query).
    case matchAll
}
