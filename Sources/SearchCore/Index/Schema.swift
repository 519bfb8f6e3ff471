/// What an index holds: text fields (analyzed, scored) and keyword fields (exact values for
/// filters and facets). Every document also has a unique key.
public struct Schema: Sendable {
    /// A full-text field.
    public struct TextField: Sendable {
        /// The field's name, as queries write it (`title.en`): letters, digits, `_` and `.`.
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

        /// A text field `name`, analyzed by `analyzer`, weighing `weight` in its scoring `group`.
        public init(_ name: String, analyzer: any Analyzer = StandardAnalyzer(), weight: Double = 1, group: String? = nil) {
            self.name = name
            self.analyzer = analyzer
            self.weight = weight
            self.group = group
        }

        /// The scoring group in effect.
        var scoringGroup: String { group ?? "" }
    }

    /// The full-text fields, in order (the order is part of the schema).
    public var textFields: [TextField]
    /// Names of keyword fields.
    public var keywordFields: [String]
    /// How the caller makes its documents, in its own words (nil: unversioned). An index whose
    /// documents were made by another version does not open (``IndexError/Code/schemaMismatch``),
    /// as one with other fields or analyzers does, so that the caller rebuilds it.
    public var version: String?

    /// A schema of these text and keyword fields, made by the caller's `version` of its documents.
    public init(textFields: [TextField], keywordFields: [String] = [], version: String? = nil) {
        self.textFields = textFields
        self.keywordFields = keywordFields
        self.version = version
    }

    /// The text field named `name`.
    public func textField(_ name: String) -> TextField? { textFields.first { $0.name == name } }

    /// Checks that the schema can be indexed and searched: field names that the query syntax
    /// can write (`[A-Za-z_][A-Za-z0-9_.]*`, not `_key`, which holds the documents' keys),
    /// each used once (a text field and a keyword field share no name), and weights that are
    /// finite numbers above 0. ``IndexWriter`` and ``IndexSearcher`` check it as they open.
    /// - Throws: ``IndexError`` with code `invalidArgument`, naming the field.
    public func validate() throws(IndexError) {
        var seen = Set<String>()
        for name in textFields.map(\.name) + keywordFields {
            guard Self.isFieldName(name) else {
                throw IndexError(
                    .invalidArgument, "field name \"\(name)\" cannot be written in a query; use letters, digits, _ and . (not first)",
                    field: name)
            }
            guard name != keyFieldName else { throw IndexError(.invalidArgument, "field name \(name) is the documents' keys'", field: name) }
            guard seen.insert(name).inserted else { throw IndexError(.invalidArgument, "field \(name) is defined twice", field: name) }
        }
        for field in textFields where !(field.weight.isFinite && field.weight > 0) {
            throw IndexError(.invalidArgument, "field \(field.name) has weight \(field.weight); a weight is a number above 0", field: field.name)
        }
    }

    /// Why an index built with the schema `built` (a ``fingerprint``) does not open with
    /// `given`: the parts of each that the other lacks (a field, an analyzer, the version).
    static func mismatch(directory: String, built: String, given: String) -> String {
        let old = built.split(separator: ",").map(String.init)
        let new = given.split(separator: ",").map(String.init)
        let onlyOld = old.filter { !new.contains($0) }
        let onlyNew = new.filter { !old.contains($0) }
        var differences: [String] = []
        if !onlyOld.isEmpty { differences.append("the index has [\(onlyOld.joined(separator: ", "))]") }
        if !onlyNew.isEmpty { differences.append("the schema given has [\(onlyNew.joined(separator: ", "))]") }
        if differences.isEmpty { differences.append("the same fields in another order") }
        return "the index in \(directory) was built with another schema: \(differences.joined(separator: ", and ")); rebuild it"
    }

    /// Whether `name` is a field name the query syntax can write.
    static func isFieldName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ".") }
    }

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

    /// A document with `key`, its text per text field and its values per keyword field.
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

    /// BM25 parameters; the defaults are the usual `k1` 1.2 and `b` 0.75.
    public init(k1: Double = 1.2, b: Double = 0.75) {
        self.k1 = k1
        self.b = b
    }

    /// Checks that `k1` is a finite number of at least 0 and `b` is in `0...1` (otherwise
    /// scores are negative or not numbers). ``IndexWriter`` checks the parameters it is given.
    /// - Throws: ``IndexError`` with code `invalidArgument`.
    public func validate() throws(IndexError) {
        guard k1.isFinite, k1 >= 0 else { throw IndexError(.invalidArgument, "k1 is \(k1); it is a number of at least 0", field: "k1") }
        guard b.isFinite, (0...1).contains(b) else { throw IndexError(.invalidArgument, "b is \(b); it is between 0 and 1", field: "b") }
    }
}
