// Analysis, the costly part of indexing, needs nothing of the writer but the schema. A
// `DocumentAnalyzer` is Sendable, so documents can be analyzed on every core while one writer
// adds the results in order (the way Lucene's indexing threads share the work).
import Dispatch

/// A document analyzed for one schema, ready for ``IndexWriter/add(_:)-(AnalyzedDocument)``.
public struct AnalyzedDocument: Sendable {
    /// The document's key.
    public let key: String
    /// One token list per text field, in schema order: (term, position).
    let textTokens: [[(term: String, position: Int)]]
    /// One value list per keyword field, in schema order.
    let keywords: [[String]]
}

/// Analyzes documents for a schema; safe to use from any number of threads at once.
public struct DocumentAnalyzer: Sendable {
    public let schema: Schema
    /// The schema's text fields by name.
    private let textFieldIndex: [String: Int]

    public init(schema: Schema) {
        self.schema = schema
        textFieldIndex = Dictionary(
            schema.textFields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Positions between two values of one field, so that phrases never span values.
    static let valueGap = 100

    /// The analyzed form of `document`.
    public func analyze(_ document: Document) -> AnalyzedDocument {
        // Only the fields the document has text in are visited (a clearing-house schema has a
        // field per language, and a record fills few of them).
        var analyzed = [[(term: String, position: Int)]](repeating: [], count: schema.textFields.count)
        for (name, values) in document.text {
            guard let field = textFieldIndex[name] else { continue }
            let analyzer = schema.textFields[field].analyzer
            var tokens: [(term: String, position: Int)] = []
            var base = 0
            for value in values {
                let valueTokens = analyzer.tokens(value)
                tokens.reserveCapacity(tokens.count + valueTokens.count)
                var last = -1
                for token in valueTokens {
                    tokens.append((token.term, base + token.position))
                    last = max(last, token.position)
                }
                base += last + 1 + Self.valueGap
            }
            analyzed[field] = tokens
        }
        return AnalyzedDocument(
            key: document.key, textTokens: analyzed, keywords: schema.keywordFields.map { document.keywords[$0] ?? [] })
    }

    /// The analyzed forms of `documents`, in order, computed on all cores.
    public func analyze(_ documents: [Document]) -> [AnalyzedDocument] {
        parallelMap(documents) { analyze($0) }
    }
}

/// A value handed to other threads whose safety the caller guarantees (disjoint writes).
private struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
}

/// `transform` applied to every element, on all cores, results in order. Elements are
/// handed out in chunks so that threads do not contend.
public func parallelMap<Element: Sendable, Result: Sendable>(
    _ elements: [Element], chunkSize: Int = 64, _ transform: @Sendable (Element) -> Result
) -> [Result] {
    guard elements.count > chunkSize else { return elements.map(transform) }
    let chunks = (elements.count + chunkSize - 1) / chunkSize
    return [Result](unsafeUninitializedCapacity: elements.count) { buffer, initialized in
        guard let base = buffer.baseAddress else { return }
        let output = Unchecked(value: base)
        elements.withUnsafeBufferPointer { input in
            let input = Unchecked(value: input)
            // Each chunk initializes its own slots of the output.
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let range = chunk * chunkSize..<min(input.value.count, (chunk + 1) * chunkSize)
                for index in range { (output.value + index).initialize(to: transform(input.value[index])) }
            }
        }
        initialized = elements.count
    }
}
