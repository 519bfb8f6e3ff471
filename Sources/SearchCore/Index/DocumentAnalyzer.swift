// Analysis, the costly part of indexing, needs nothing of the writer but the schema. A
// `DocumentAnalyzer` is Sendable, so documents can be analyzed on every core while one writer
// adds the results in order (the way Lucene's indexing threads share the work).
import Parallel

/// A document analyzed for one schema, ready for ``IndexWriter/add(_:)-(AnalyzedDocument)``.
public struct AnalyzedDocument: Sendable {
    /// The document's key.
    public let key: String
    /// One token list per text field, in schema order: (term, position).
    let textTokens: [[(term: String, position: Int)]]
    /// Per text field, in schema order, the tokens whose word as written differs from their
    /// term (``Token/form``): the word, and the token's index in the field's `textTokens`.
    /// Empty (no list at all) when no field has any, as with analyzers that do not stem.
    let wordForms: [WordFormList]
    /// One value list per keyword field, in schema order.
    let keywords: [[String]]
}

/// Analyzes documents for a schema; safe to use from any number of threads at once.
public struct DocumentAnalyzer: Sendable {
    /// The schema whose fields documents are analyzed for.
    public let schema: Schema
    /// The schema's text fields by name.
    private let textFieldIndex: [String: Int]

    /// An analyzer of documents for `schema`.
    public init(schema: Schema) {
        self.schema = schema
        textFieldIndex = Dictionary(
            schema.textFields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Positions between two values of one field, so that phrases never span values.
    static let valueGap = 100
    /// The largest position of a token within a field (about a billion).
    static let maximumPosition = 1 << 30

    /// Checks that `document` fits the schema: a key, and only the schema's fields (a field
    /// name with a typo would lose its text without a word).
    /// - Throws: ``IndexError`` (`invalidArgument`) naming the document and the field.
    public func check(_ document: Document) throws(IndexError) {
        guard !document.key.isEmpty else { throw IndexError(.invalidArgument, "a document without a key; give each document a key") }
        for name in document.text.keys.sorted() where textFieldIndex[name] == nil {
            throw IndexError(
                .invalidArgument,
                "document \"\(document.key)\": unknown text field \"\(name)\"; text fields are: \(schema.textFields.map(\.name).joined(separator: ", "))")
        }
        for name in document.keywords.keys.sorted() where !schema.keywordFields.contains(name) {
            throw IndexError(
                .invalidArgument,
                "document \"\(document.key)\": unknown keyword field \"\(name)\"; keyword fields are: \(schema.keywordFields.joined(separator: ", "))")
        }
    }

    /// The analyzed form of `document`.
    public func analyze(_ document: Document) -> AnalyzedDocument {
        // Only the fields the document has text in are visited (a clearing-house schema has a
        // field per language, and a record fills few of them).
        var analyzed = [[(term: String, position: Int)]](repeating: [], count: schema.textFields.count)
        var wordForms: [WordFormList] = []
        for (name, values) in document.text {
            guard let field = textFieldIndex[name] else { continue }
            let analyzer = schema.textFields[field].analyzer
            var tokens: [(term: String, position: Int)] = []
            var forms = WordFormList()
            var base = 0
            if analyzer is LanguageAnalyzer {
                // (About a token per eight bytes of text; the Token path reserves what it gets.)
                tokens.reserveCapacity(values.reduce(0) { $0 + $1.utf8.count } / 8 + 4)
            }
            for value in values {
                var last = -1
                // (The analyzers of chm straight into the lists, without a Token array.)
                if let language = analyzer as? LanguageAnalyzer {
                    last = language.appendTokens(value, positionBase: base, to: &tokens, forms: &forms)
                } else if let standard = analyzer as? StandardAnalyzer {
                    last = standard.appendTokens(value, positionBase: base, to: &tokens)
                } else {
                    // Another analyzer's tokens, as the index needs them: no empty term, and
                    // positions from 0 to ``maximumPosition`` (a negative or huge one is taken
                    // as the nearest that is; out of order is fine, as compounds are).
                    let valueTokens = analyzer.indexedTokens(value)
                    tokens.reserveCapacity(tokens.count + valueTokens.count)
                    for token in valueTokens where !token.term.isEmpty {
                        let position = min(max(token.position, 0), Self.maximumPosition)
                        if let form = token.form, form != token.term { forms.append(form, token: tokens.count) }
                        tokens.append((token.term, base + position))
                        last = max(last, position)
                    }
                }
                base = min(base + last + 1 + Self.valueGap, Self.maximumPosition)
            }
            analyzed[field] = tokens
            if !forms.isEmpty {
                if wordForms.isEmpty { wordForms = Array(repeating: WordFormList(), count: schema.textFields.count) }
                wordForms[field] = forms
            }
        }
        return AnalyzedDocument(
            key: document.key, textTokens: analyzed, wordForms: wordForms,
            keywords: schema.keywordFields.map { document.keywords[$0] ?? [] })
    }

    /// The analyzed forms of `documents`, in order, computed on all cores.
    public func analyze(_ documents: [Document]) -> [AnalyzedDocument] {
        parallelMap(documents) { analyze($0) }
    }
}
