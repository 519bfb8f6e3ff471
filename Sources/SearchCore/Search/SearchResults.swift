/// Options of a search.
public struct SearchOptions: Sendable, Hashable {
    /// Hits to return.
    public var limit: Int
    /// Hits to skip (for paging).
    public var offset: Int
    /// Count every match exactly. Counting defeats pruning, so it is off by default and the
    /// total is then a lower bound.
    public var countTotal: Bool
    /// Attach a score explanation to each hit.
    public var explain: Bool
    /// Keyword filters: a document must match at least one value of every field given.
    public var filter: Filter?

    public init(limit: Int = 10, offset: Int = 0, countTotal: Bool = false, explain: Bool = false, filter: Filter? = nil) {
        self.limit = limit
        self.offset = offset
        self.countTotal = countTotal
        self.explain = explain
        self.filter = filter
    }
}

/// Keyword filters: values of one field combine with OR, different fields with AND.
public struct Filter: Sendable, Hashable {
    public var values: [String: Set<String>]

    public init(_ values: [String: Set<String>] = [:]) {
        self.values = values
    }

    public var isEmpty: Bool { values.isEmpty }
}

/// One result.
public struct SearchHit: Sendable, Hashable {
    /// The document's key.
    public var key: String
    public var score: Double
    /// Why the document scored as it did (when asked for).
    public var explanation: Explanation?
}

/// The results of a search.
public struct SearchResults: Sendable, Hashable {
    public var hits: [SearchHit]
    /// Matching documents: exact when ``totalIsExact``, else a lower bound.
    public var totalHits: Int
    public var totalIsExact: Bool
}

/// A tree of score contributions, like Lucene's explain.
public struct Explanation: Sendable, Hashable, CustomStringConvertible {
    public var value: Double
    public var summary: String
    public var details: [Explanation]

    public init(_ value: Double, _ summary: String, _ details: [Explanation] = []) {
        self.value = value
        self.summary = summary
        self.details = details
    }

    /// Indented text, one contribution per line.
    public var description: String {
        var lines: [String] = []
        func visit(_ node: Explanation, _ depth: Int) {
            lines.append(String(repeating: "  ", count: depth) + formatted(node.value) + " = " + node.summary)
            for child in node.details { visit(child, depth + 1) }
        }
        visit(self, 0)
        return lines.joined(separator: "\n")
    }

    private func formatted(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded() / 10_000
        return String(scaled)
    }
}
