/// What an index holds: text fields (analyzed, scored) and keyword fields (exact values for
/// filters and facets). Every document also has a unique key.
public struct Schema: Sendable {
    /// A full-text field.
    public struct TextField: Sendable {
        public var name: String
        /// How the field's text is turned into terms (and how queries on it are analyzed).
        public var analyzer: any Analyzer
        /// The field's weight in BM25F scoring (title fields usually weigh more). A weight
        /// above 1 applies in full when every document of the field's group has the field;
        /// when only a share of them has it, the part above 1 shrinks with the square of the
        /// share, so that a field few documents have does not rank them above the rest.
        public var weight: Double
        /// Fields of one group are scored together (BM25F); a document scores on its best
        /// group. Give each language's fields their own group (`title.en` and `summary.en`
        /// in `en`), so that a record written in several languages is not scored higher for
        /// saying the same thing twice. Nil: the one unnamed group (`""`) of every field
        /// without a group.
        public var group: String?

        public init(_ name: String, analyzer: any Analyzer = StandardAnalyzer(), weight: Double = 1, group: String? = nil) {
            self.name = name
            self.analyzer = analyzer
            self.weight = weight
            self.group = group
        }

        /// The scoring group in effect.
        var scoringGroup: String { group ?? "" }
    }

    public var textFields: [TextField]
    /// Names of keyword fields.
    public var keywordFields: [String]
    /// How the caller makes its documents, in its own words (nil: unversioned). An index whose
    /// documents were made by another version does not open (``IndexError/Code/schemaMismatch``),
    /// as one with other fields or analyzers does, so that the caller rebuilds it.
    public var version: String?

    public init(textFields: [TextField], keywordFields: [String] = [], version: String? = nil) {
        self.textFields = textFields
        self.keywordFields = keywordFields
        self.version = version
    }

    /// The text field named `name`.
    public func textField(_ name: String) -> TextField? { textFields.first { $0.name == name } }

    /// A description recorded in the manifest: field names, analyzers and the version.
    var fingerprint: String {
        (textFields.map { "\($0.name):\($0.analyzer.name)" } + keywordFields.map { "kw:\($0)" }
            + (version.map { ["version:\($0)"] } ?? [])).joined(separator: ",")
    }
}

/// A document to index: a unique key, text per text field and values per keyword field.
public struct Document: Sendable, Hashable {
    /// The document's key, compared byte for byte (UTF-8): canonically equivalent spellings
    /// are different keys. `IndexWriter.update(_:)` replaces the document with
    /// the same key; `IndexWriter.add(_:)` does not look for one (it is for keys
    /// known to be new, and faster).
    public var key: String
    /// Text per text field; several values of one field are indexed as one text with a gap.
    public var text: [String: [String]]
    /// Exact values per keyword field.
    public var keywords: [String: [String]]

    public init(key: String, text: [String: [String]] = [:], keywords: [String: [String]] = [:]) {
        self.key = key
        self.text = text
        self.keywords = keywords
    }
}

/// BM25 parameters.
public struct BM25Parameters: Sendable, Hashable, Codable {
    /// Term-frequency saturation.
    public var k1: Double
    /// Length normalization (0: none, 1: full).
    public var b: Double

    public init(k1: Double = 1.2, b: Double = 0.75) {
        self.k1 = k1
        self.b = b
    }
}
