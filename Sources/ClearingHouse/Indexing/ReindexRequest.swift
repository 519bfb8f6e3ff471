import SearchCore

/// A rebuild of the search index (`chm reindex`), optionally with new BM25 parameters.
///
/// A value left nil keeps the index's current one, so `ReindexRequest(b: 0.5)` changes only
/// `b`.
public struct ReindexRequest: Sendable, Hashable {
    /// BM25 k1 (term-frequency saturation), within ``k1Range``; nil keeps the current one.
    public var k1: Double?
    /// BM25 b (length normalization), within ``bRange``; nil keeps the current one.
    public var b: Double?

    /// The values k1 may take.
    public static let k1Range: ClosedRange<Double> = 0...10
    /// The values b may take.
    public static let bRange: ClosedRange<Double> = 0...1

    /// A rebuild with these parameters (nil: the index's current ones).
    public init(k1: Double? = nil, b: Double? = nil) {
        self.k1 = k1
        self.b = b
    }

    /// Checks the parameters, as ``ClearingHouse/reindex(_:)`` does first.
    /// - Throws: ``ClearingHouseError/parameter(_:_:)`` naming the parameter:
    ///   `k1: 12 is not between 0 and 10`, `b: 1.5 is not between 0 and 1`.
    public func validate() throws {
        for (name, value, range) in [("k1", k1, Self.k1Range), ("b", b, Self.bRange)] {
            guard let value, !range.contains(value) else { continue }
            throw ClearingHouseError.parameter(
                name, "\(Self.text(value)) is not between \(Self.text(range.lowerBound)) and \(Self.text(range.upperBound))")
        }
    }

    /// The parameters to rebuild with: `current` with the given values in place of its own;
    /// nil when neither is given (the rebuild keeps the index's parameters).
    public func parameters(merging current: BM25Parameters) -> BM25Parameters? {
        guard k1 != nil || b != nil else { return nil }
        return BM25Parameters(k1: k1 ?? current.k1, b: b ?? current.b)
    }

    /// `12` rather than `12.0`.
    private static func text(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension ClearingHouse {
    /// Rebuilds the index from the catalog alone (`chm reindex`), with the request's BM25
    /// parameters merged into the index's current ones (the defaults when the index cannot
    /// be read).
    /// - Returns: the rebuilt index's figures.
    /// - Throws: ``ClearingHouseError`` naming the parameter for a value out of range, before
    ///   anything is touched.
    @discardableResult
    public func reindex(_ request: ReindexRequest) throws -> IndexSummary {
        try request.validate()
        var parameters: BM25Parameters?
        if request.k1 != nil || request.b != nil {
            parameters = request.parameters(merging: (try? bm25Parameters()) ?? RecordIndexing.defaultBM25)
        }
        try reindex(bm25: parameters)
        return try indexSummary()
    }
}
