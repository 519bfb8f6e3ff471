// Reads SKOS thesauri: RDF/XML (GEMET's and AGROVOC's downloads, through libxml2, one
// resource at a time) and JSON-LD (compacted with a context, or expanded). Only what search
// and labels need is kept: concepts, their labels in every language, definitions, notations,
// schemes and broader/narrower links. Problems are diagnostics naming file, line and column.
import CLibXML2
import Foundation
import struct Records.XMLElement

/// Reads the concepts of a SKOS file.
public enum SKOSReader {
    static let skos = "http://www.w3.org/2004/02/skos/core#"
    static let skosXL = "http://www.w3.org/2008/05/skos-xl#"
    static let rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

    /// The serializations chm reads.
    public enum Format: String, Sendable, CaseIterable {
        case rdfXML = "RDF/XML"
        case jsonLD = "JSON-LD"
    }

    /// The format of `path`, by its first significant byte (`<` or `{`/`[`).
    public static func format(of path: String) throws -> Format {
        guard let source = try? ByteSource(path: path) else {
            throw Diagnostic(.error, file: path, message: "cannot read the file")
        }
        var count = 0
        while let byte = source.next(), count < 1 << 16 {
            count += 1
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF: continue  // white space, a UTF-8 BOM
            case UInt8(ascii: "<"): return .rdfXML
            case UInt8(ascii: "{"), UInt8(ascii: "["): return .jsonLD
            default:
                throw Diagnostic(
                    .error, file: path, line: 1,
                    message: "not a SKOS file chm reads: expected RDF/XML (starting with '<') or JSON-LD (starting with '{' or '[')")
            }
        }
        throw Diagnostic(.error, file: path, line: 1, message: "file is empty; expected SKOS in RDF/XML or JSON-LD")
    }

    /// Every concept of the file at `path`, in the order they first appear (a concept
    /// described in several places is merged into one).
    /// - Throws: a ``Diagnostic`` naming the place of the first problem.
    public static func read(path: String) throws -> [Concept] {
        try readWithWarnings(path: path).concepts
    }

    /// ``read(path:)``, and what the file holds that does not stop its import but is not
    /// what SKOS says (a language tag that is not BCP 47, a concept without a preferred
    /// label): warnings naming file and line, at most ``maximumWarnings`` of them.
    public static func readWithWarnings(path: String) throws -> (concepts: [Concept], warnings: [Diagnostic]) {
        try readWithWarnings(path: path, limits: .default)
    }

    /// ``readWithWarnings(path:)`` with the limits of one JSON-LD node object (tests lower them).
    static func readWithWarnings(path: String, limits: RecordLimits) throws -> (concepts: [Concept], warnings: [Diagnostic]) {
        let warnings = Warnings(path: path)
        warnings.textLimit = limits.maximumTextBytes
        let concepts: [Concept]
        switch try format(of: path) {
        case .rdfXML: concepts = try readRDFXML(path: path, warnings: warnings)
        case .jsonLD: concepts = try readJSONLD(path: path, warnings: warnings, limits: limits)
        }
        var merged = Concept.mergingDescriptions(concepts)
        // A concept with no label in any language is of no use to search or labels: left out,
        // and said (QA: it vanished without a word).
        for concept in merged where concept.prefLabels.isEmpty && concept.altLabels.isEmpty && !concept.iri.isEmpty {
            warnings.add(
                line: warnings.conceptLines[concept.iri], column: nil,
                "concept <\(concept.iri)> has no label (skos:prefLabel or skos:altLabel with text) and is left out")
        }
        merged.removeAll { $0.prefLabels.isEmpty && $0.altLabels.isEmpty }
        for concept in merged where concept.prefLabels.isEmpty {
            warnings.add(
                line: warnings.conceptLines[concept.iri], column: nil,
                "concept <\(concept.iri)> has no skos:prefLabel; its alternative labels stand for it")
        }
        guard !merged.isEmpty else {
            throw Diagnostic(
                .error, file: path,
                message: "no SKOS concepts with labels found; expected skos:Concept resources with skos:prefLabel")
        }
        return (merged, warnings.all)
    }

    /// Warnings kept per file; the rest are counted in one more.
    static let maximumWarnings = 20

    /// The warnings of one file, as its reading finds them.
    final class Warnings {
        let path: String
        private var kept: [Diagnostic] = []
        private var more = 0

        /// Where each concept is first described, for warnings about the concept as a whole.
        private(set) var conceptLines: [String: Int] = [:]
        /// The most bytes one text value holds (what a warning about a longer one says).
        var textLimit = RecordLimits.defaultMaximumTextBytes

        init(path: String) { self.path = path }

        /// Notes that `iri` is described at `line` (the first place is kept).
        func noteConcept(_ iri: String, line: Int) {
            if conceptLines[iri] == nil { conceptLines[iri] = line }
        }

        /// Keys of the warnings given once a file (``addOnce(key:line:column:_:)``).
        private var givenOnce: Set<String> = []

        /// Adds the warning unless one with `key` was added before.
        func addOnce(key: String, line: Int?, column: Int?, _ message: String) {
            guard givenOnce.insert(key).inserted else { return }
            add(line: line, column: column, message)
        }

        func add(line: Int?, column: Int?, _ message: String) {
            guard kept.count < SKOSReader.maximumWarnings else {
                more += 1
                return
            }
            // (libxml2 says 0 when it does not know a line.)
            kept.append(
                Diagnostic(.warning, file: path, line: line.flatMap { $0 > 0 ? $0 : nil }, column: column, message: message))
        }

        var all: [Diagnostic] {
            more == 0 ? kept : kept + [Diagnostic(.warning, file: path, message: "\(more) more warnings like those above")]
        }
    }

    /// Labels kept per concept and language, and links (broader, narrower, schemes) per
    /// concept, at most: no real thesaurus comes near, and a hostile file cannot make
    /// reading quadratic.
    static let maximumLabelsPerLanguage = 256

    /// The warning for a JSON-LD value of `property` over the text limit, which is left out
    /// (QA: the label, or its concept, vanished without a word).
    static func oversizedLabel(_ property: String, limit: Int) -> String {
        let name = property.split(separator: "#").last.map(String.init) ?? property
        return "a skos:\(name) longer than \(RecordLimits.describe(limit)), the most one value may hold, is left out; shorten it"
    }
    static let maximumLinks = 4096

    /// Records one property value in `concept`. `value` is a literal (with its language) or
    /// an IRI.
    static func apply(
        property: String, literal: String?, language: String?, iri: String?, to concept: inout Concept,
        at position: (line: Int?, column: Int?), warnings: Warnings
    ) {
        var tag = LanguageTag.undetermined
        if let language, !language.isEmpty {
            if let normalized = LanguageTag.normalized(language), LanguageTag.primaryLanguage(of: normalized).count <= 3 {
                tag = normalized
            } else if let mapped = LanguageTag.dublinCore(language) {
                // A locale or a language's name, as vocabularies exported from other tools
                // write them (`en_GB`, `english`): read as the tag it means, said once a tag.
                tag = mapped
                if literal != nil {
                    warnings.addOnce(
                        key: language, line: position.line, column: position.column,
                        "language tag \"\(language)\" is read as \"\(mapped)\" (write BCP 47 tags: en, en-GB, zh-Hans)")
                }
            } else if let normalized = LanguageTag.normalized(language) {
                tag = normalized
            } else if literal != nil {
                warnings.add(
                    line: position.line, column: position.column,
                    "language tag \"\(language)\" is not a BCP 47 tag; the label is kept as undetermined (und)")
            }
        }
        switch property {
        case skos + "prefLabel", skosXL + "prefLabel":
            guard let text = literal?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return }
            if concept.prefLabels[tag] == nil {
                concept.prefLabels[tag] = text
            } else if concept.prefLabels[tag] != text, (concept.altLabels[tag]?.count ?? 0) < maximumLabelsPerLanguage,
                concept.altLabels[tag]?.contains(text) != true
            {
                concept.altLabels[tag, default: []].append(text)
            }
        case skos + "altLabel", skos + "hiddenLabel", skosXL + "altLabel", skosXL + "hiddenLabel":
            guard let text = literal?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty,
                (concept.altLabels[tag]?.count ?? 0) < maximumLabelsPerLanguage, concept.altLabels[tag]?.contains(text) != true
            else { return }
            concept.altLabels[tag, default: []].append(text)
        case skos + "definition":
            guard let text = literal?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return }
            if concept.definitions[tag] == nil { concept.definitions[tag] = text }
        case skos + "notation":
            if concept.notation == nil, let text = literal?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
                concept.notation = text
            }
        case skos + "broader", skos + "broaderTransitive":
            if let iri, concept.broader.count < maximumLinks, !concept.broader.contains(iri) { concept.broader.append(iri) }
        case skos + "narrower", skos + "narrowerTransitive":
            if let iri, concept.narrower.count < maximumLinks, !concept.narrower.contains(iri) { concept.narrower.append(iri) }
        case skos + "inScheme", skos + "topConceptOf":
            if let iri, concept.schemes.count < maximumLinks, !concept.schemes.contains(iri) { concept.schemes.append(iri) }
        default:
            break
        }
    }

    // MARK: RDF/XML

    /// Reads the children of `rdf:RDF` one at a time: `skos:Concept` elements, and
    /// `rdf:Description` elements typed `skos:Concept` (or carrying SKOS labels).
    static func readRDFXML(path: String, warnings: Warnings) throws -> [Concept] {
        func diagnostic(_ error: XMLReadError) -> Diagnostic {
            // (libxml2's limit is reported in the words for records, which say to link the full
            // text from the record: a thesaurus's text is a label or a definition.)
            let message =
                error.message == RecordLimits.default.textTooLongMessage
                ? "a label or definition is longer than \(RecordLimits.describe(RecordLimits.defaultMaximumTextBytes)), the most the XML parser reads in one text; shorten it (nothing after it in the file was read)"
                : error.message
            return Diagnostic(.error, file: path, line: error.line, column: error.column, message: message)
        }
        let reader: XMLStreamReader
        do {
            reader = try XMLStreamReader(path: path)
        } catch {
            throw diagnostic(error)
        }
        var concepts: [Concept] = []
        // SKOS-XL labels given as resources of their own (AGROVOC's dump): their literal
        // forms by IRI, and the concepts' references to them, joined at the end of the file.
        let labels = LabelIndex()
        do {
            var found = try reader.read()
            if found, !reader.isElement { found = try advanceToElement(reader) }
            guard found else {
                throw Diagnostic(.error, file: path, message: "no root element")
            }
            guard reader.localName == "RDF", reader.namespaceURI == rdf else {
                throw Diagnostic(
                    .error, file: path, line: reader.lineNumber,
                    message: "expected an rdf:RDF root element (SKOS in RDF/XML), found <\(reader.localName)>")
            }
            guard try reader.read() else { return [] }
            while true {
                if reader.isElement, reader.depth == 1 {
                    let element = try reader.expand()
                    if let (iri, forms) = labelResource(element) {
                        labels.add(forms, of: iri)
                    } else {
                        var pending: [LabelReference] = []
                        var nested: [Concept] = []
                        if let concept = try concept(from: element, path: path, warnings: warnings, references: &pending, nested: &nested) {
                            labels.references += pending.map { (concepts.count, $0) }
                            concepts.append(concept)
                        }
                        concepts += nested
                    }
                    guard try reader.next() else { break }
                } else {
                    guard try reader.read() else { break }
                }
            }
        } catch let error as XMLReadError {
            throw diagnostic(error)
        }
        labels.resolve(into: &concepts, warnings: warnings)
        return concepts
    }

    /// SKOS-XL labels described as resources of their own, and the concepts' references to
    /// them, joined once the file is read.
    final class LabelIndex {
        private var forms: [String: [LabelForm]] = [:]
        /// (index of the concept in the file's list, its reference)
        var references: [(concept: Int, reference: LabelReference)] = []

        /// Records the literal forms of the label `iri`.
        func add(_ found: [LabelForm], of iri: String) {
            if forms[iri, default: []].count < maximumLabelsPerLanguage { forms[iri, default: []] += found }
        }

        /// Gives each referenced label's forms to its concept; a label the file does not
        /// describe is a warning.
        func resolve(into concepts: inout [Concept], warnings: Warnings) {
            for (index, reference) in references where concepts.indices.contains(index) {
                guard let found = forms[reference.label] else {
                    warnings.add(
                        line: reference.line, column: nil,
                        "label <\(reference.label)> of concept <\(concepts[index].iri)> is not described in this file (no skosxl:literalForm)")
                    continue
                }
                for form in found {
                    apply(
                        property: reference.property, literal: form.text, language: form.language, iri: nil, to: &concepts[index],
                        at: (form.line, nil), warnings: warnings)
                }
            }
        }
    }

    /// A SKOS-XL label's text: its `skosxl:literalForm`, in its language.
    struct LabelForm {
        var text: String
        var language: String?
        var line: Int
    }

    /// A concept's SKOS-XL label given by reference (`<skosxl:prefLabel rdf:resource="..."/>`).
    struct LabelReference {
        var property: String
        var label: String
        var line: Int
    }

    /// The IRI and literal forms of a label resource (`skosxl:Label`, or a description with
    /// `skosxl:literalForm`), nil for any other element.
    private static func labelResource(_ element: XMLElement) -> (String, [LabelForm])? {
        let forms = element.children.filter { ($0.namespaceURI ?? "") + $0.localName == skosXL + "literalForm" }
        guard (element.namespaceURI ?? "") + element.localName == skosXL + "Label" || !forms.isEmpty,
            let about = element.attribute("about", namespace: rdf)
        else { return nil }
        let iri = element.effectiveBase.map { XMLElement.resolve(about, against: $0) } ?? about
        return (iri, forms.map { LabelForm(text: $0.text, language: $0.effectiveLanguage, line: $0.line) })
    }

    private static func advanceToElement(_ reader: XMLStreamReader) throws(XMLReadError) -> Bool {
        while try reader.read() {
            if reader.isElement { return true }
        }
        return false
    }

    /// The concept a node element describes, or nil when it is not a concept.
    private static func concept(
        from element: XMLElement, path: String, warnings: Warnings, references: inout [LabelReference], nested: inout [Concept]
    ) throws -> Concept? {
        let elementType = (element.namespaceURI ?? "") + element.localName
        // IRIs are resolved against the xml:base in effect: two vocabularies' `concept/10`
        // under their own bases are two concepts.
        let base = element.effectiveBase
        func resolved(_ iri: String) -> String { base.map { XMLElement.resolve(iri, against: $0) } ?? iri }
        let about = (element.attribute("about", namespace: rdf) ?? element.attribute("ID", namespace: rdf).map { "#" + $0 }).map(resolved)
        var concept = Concept(iri: about ?? "")
        var isConcept = elementType == skos + "Concept"
        var hasLabel = false
        // A scheme or a collection has labels too, but is not a concept to search with.
        if notConcepts.contains(elementType) { return nil }
        for property in element.children {
            let name = (property.namespaceURI ?? "") + property.localName
            if name == rdf + "type" {
                let type = property.attribute("resource", namespace: rdf).map(resolved)
                if type == skos + "Concept" { isConcept = true }
                if let type, notConcepts.contains(type) { return nil }
                continue
            }
            if name == skosXL + "prefLabel" || name == skosXL + "altLabel" || name == skosXL + "hiddenLabel" {
                // SKOS-XL: the label is a resource whose skosxl:literalForm holds the text,
                // here or (by reference) elsewhere in the file.
                if let label = property.attribute("resource", namespace: rdf).map(resolved) {
                    references.append(LabelReference(property: name, label: label, line: property.line))
                    hasLabel = true
                }
                for label in property.children {
                    for form in label.children where (form.namespaceURI ?? "") + form.localName == skosXL + "literalForm" {
                        apply(
                            property: name, literal: form.text, language: form.effectiveLanguage, iri: nil, to: &concept,
                            at: (form.line, nil), warnings: warnings)
                        hasLabel = true
                    }
                }
                continue
            }
            let resource =
                (property.attribute("resource", namespace: rdf)
                ?? property.children.first.flatMap { $0.attribute("about", namespace: rdf) }).map(resolved)
            // A concept described in place (`<skos:narrower><skos:Concept rdf:about=...>` with
            // labels): linked, and read as a concept of its own.
            if property.attribute("resource", namespace: rdf) == nil, let inner = property.children.first,
                inner.attribute("about", namespace: rdf) != nil
            {
                var ignored: [LabelReference] = []
                if let described = try Self.concept(from: inner, path: path, warnings: warnings, references: &ignored, nested: &nested) {
                    nested.append(described)
                }
            }
            if name.hasPrefix(skos + "prefLabel") || name.hasPrefix(skos + "altLabel") { hasLabel = true }
            apply(
                property: name, literal: resource == nil ? property.text : nil, language: property.effectiveLanguage,
                iri: resource, to: &concept, at: (property.line, nil), warnings: warnings)
        }
        guard isConcept || hasLabel else { return nil }
        guard let about else {
            throw Diagnostic(
                .error, file: path, line: element.line,
                message: "a concept without rdf:about; give each skos:Concept its IRI")
        }
        warnings.noteConcept(about, line: element.line)
        return concept
    }

    /// The SKOS classes whose members have labels but are not concepts.
    static let notConcepts: Set<String> = [skos + "ConceptScheme", skos + "Collection", skos + "OrderedCollection"]

    // MARK: JSON-LD

    /// What a JSON-LD context says: prefixes and terms (with their container and type).
    struct Context {
        struct Term {
            var iri: String
            var languageContainer = false
            var isReference = false
        }
        var terms: [String: Term] = [:]
        var language: String?
        var base: String?
        /// `@vocab`: what a property or type that is neither a term nor an IRI is relative to.
        var vocabulary: String?

        /// The IRI that `name` (a term, a compact IRI or an absolute IRI) stands for, as the
        /// value of `@id` (a relative one is relative to `@base`).
        func expand(_ name: String) -> String {
            expand(name, relativeTo: base)
        }

        /// The IRI that the property or type `name` stands for (a bare word is relative to
        /// `@vocab`: `"@vocab": SKOS` makes `prefLabel` skos:prefLabel).
        func expandVocabulary(_ name: String) -> String {
            expand(name, relativeTo: vocabulary)
        }

        private func expand(_ name: String, relativeTo prefix: String?) -> String {
            if let term = terms[name] { return term.iri }
            if let colon = name.firstIndex(of: ":") {
                let head = String(name[..<colon])
                let suffix = name[name.index(after: colon)...]
                if !suffix.hasPrefix("//"), let term = terms[head] { return term.iri + suffix }
                return name
            }
            if let prefix, !name.hasPrefix("@") { return prefix + name }
            return name
        }

        /// The keyword `key` is, or is an alias of (`"uri": "@id"`, as Skosmos writes), else
        /// nil.
        func keyword(_ key: String) -> String? {
            if key.hasPrefix("@") { return key }
            if let iri = terms[key]?.iri, iri.hasPrefix("@") { return iri }
            return nil
        }
    }

    static func readJSONLD(path: String, warnings: Warnings, limits: RecordLimits = .default) throws -> [Concept] {
        let source: ByteSource
        do {
            source = try ByteSource(path: path)
        } catch {
            throw Diagnostic(.error, file: path, message: "cannot read the file")
        }
        // (A UTF-8 byte order mark is skipped, as in record files.)
        source.skipByteOrderMark()
        var parser = JSONParser(source: source, limits: limits)
        var concepts: [Concept] = []
        let labels = LabelIndex()
        do {
            try streamJSONLD(&parser, path: path, warnings: warnings, labels: labels, into: &concepts)
        } catch let error as JSONSyntaxError {
            throw Diagnostic(.error, file: path, line: error.line, column: error.column, message: error.message)
        }
        labels.resolve(into: &concepts, warnings: warnings)
        return concepts
    }

    /// Reads a JSON-LD document a node object at a time: the items of a top-level array or of
    /// the document's `@graph` are parsed one by one, each within the limits of one record, so
    /// that a vocabulary of any size (AGROVOC's tens of thousands of concepts in forty
    /// languages) is read in the memory of one concept. Items of a `@graph` that comes before
    /// the `@context` wait for it.
    private static func streamJSONLD(
        _ parser: inout JSONParser, path: String, warnings: Warnings, labels: LabelIndex, into concepts: inout [Concept]
    ) throws {
        func items(_ body: (JSONNode) throws -> Void) throws {
            try parser.expect(UInt8(ascii: "["), "'['")
            guard !parser.consume(UInt8(ascii: "]")) else { return }
            repeat {
                parser.beginRecord()
                try body(try parser.parseValue(depth: 1))
            } while parser.consume(UInt8(ascii: ","))
            try parser.expect(UInt8(ascii: "]"), "',' or ']'")
        }
        switch parser.peekSignificant() {
        case UInt8(ascii: "[")?:
            try items { try visitJSONLD($0, context: Context(), path: path, warnings: warnings, labels: labels, into: &concepts) }
        case UInt8(ascii: "{")?:
            let (line, column) = (parser.line, parser.column)
            try parser.expect(UInt8(ascii: "{"), "'{'")
            var members: [JSONNode.Member] = []
            var context: Context?
            var waiting: [JSONNode] = []
            var keys: Set<String> = []
            if !parser.consume(UInt8(ascii: "}")) {
                repeat {
                    parser.beginRecord()
                    let (keyLine, keyColumn) = (parser.line, parser.column)
                    guard let quote = parser.peekSignificant(), quote == UInt8(ascii: "\"") else {
                        throw parser.error("expected an object key in double quotes")
                    }
                    let key = try parser.parseString()
                    guard keys.insert(key).inserted else {
                        throw parser.error("duplicate key \"\(key)\"", line: keyLine, column: keyColumn)
                    }
                    try parser.expect(UInt8(ascii: ":"), "':' after an object key")
                    if key == "@graph" || context?.keyword(key) == "@graph", parser.peekSignificant() == UInt8(ascii: "[") {
                        try items { item in
                            if let context {
                                try visitJSONLD(item, context: context, path: path, warnings: warnings, labels: labels, into: &concepts)
                            } else {
                                waiting.append(item)
                            }
                        }
                        continue
                    }
                    let value = try parser.parseValue(depth: 1)
                    if key == "@context" { context = try readContext(value, into: Context(), path: path) }
                    members.append(JSONNode.Member(key: key, line: keyLine, column: keyColumn, value: value))
                } while parser.consume(UInt8(ascii: ","))
                try parser.expect(UInt8(ascii: "}"), "',' or '}'")
            }
            try parser.expectEnd("the end of the file")
            for item in waiting {
                try visitJSONLD(item, context: context ?? Context(), path: path, warnings: warnings, labels: labels, into: &concepts)
            }
            // The document is a node object itself when it has more than a context and a graph.
            try visitJSONLD(
                JSONNode(value: .object(members), line: line, column: column), context: Context(), path: path, warnings: warnings,
                labels: labels, into: &concepts)
        default:
            let root = try parser.parseValue()
            try parser.expectEnd("the end of the file")
            try visitJSONLD(root, context: Context(), path: path, warnings: warnings, labels: labels, into: &concepts)
        }
    }

    /// Reads `node` (a node object, an array of them, or a document with `@graph`).
    private static func visitJSONLD(
        _ node: JSONNode, context: Context, path: String, warnings: Warnings, labels: LabelIndex, into concepts: inout [Concept]
    ) throws {
        switch node.value {
        case .array(let items):
            for item in items { try visitJSONLD(item, context: context, path: path, warnings: warnings, labels: labels, into: &concepts) }
        case .object(let members):
            var context = context
            if let contextNode = members.first(where: { $0.key == "@context" })?.value {
                context = try readContext(contextNode, into: context, path: path)
            }
            if let graph = members.first(where: { context.keyword($0.key) == "@graph" })?.value {
                try visitJSONLD(graph, context: context, path: path, warnings: warnings, labels: labels, into: &concepts)
            }
            var references: [LabelReference] = []
            if let concept = try nodeObject(
                members, at: node, context: context, path: path, warnings: warnings, labels: labels, references: &references,
                nested: &concepts)
            {
                labels.references += references.map { (concepts.count, $0) }
                concepts.append(concept)
            }
        default:
            throw Diagnostic(
                .error, file: path, line: node.line, column: node.column,
                message: "expected a JSON-LD node object or array, found \(node.typeName)")
        }
    }

    private static func readContext(_ node: JSONNode, into context: Context, path: String) throws -> Context {
        var context = context
        switch node.value {
        case .array(let items):
            for item in items { context = try readContext(item, into: context, path: path) }
        case .object(let members):
            // Prefixes first, so that terms may use them in any order.
            for member in members {
                if case .string(let iri) = member.value.value, !member.key.hasPrefix("@") {
                    context.terms[member.key] = Context.Term(iri: iri)
                }
            }
            for member in members {
                switch (member.key, member.value.value) {
                case ("@language", .string(let language)): context.language = language
                case ("@base", .string(let base)): context.base = base
                case ("@vocab", .string(let vocabulary)): context.vocabulary = context.expand(vocabulary)
                case ("@vocab", _), ("@version", _), ("@language", _), ("@base", _): break
                case (_, .string(let keyword)) where keyword.hasPrefix("@"): context.terms[member.key] = Context.Term(iri: keyword)
                case (_, .string(let iri)): context.terms[member.key] = Context.Term(iri: context.expand(iri))
                case (_, .object(let definition)):
                    var term = Context.Term(iri: context.expand(member.key))
                    for entry in definition {
                        switch (entry.key, entry.value.value) {
                        case ("@id", .string(let iri)): term.iri = context.expand(iri)
                        case ("@container", .string(let container)): term.languageContainer = container == "@language"
                        case ("@type", .string(let type)): term.isReference = type == "@id" || type == "@vocab"
                        default: break
                        }
                    }
                    context.terms[member.key] = term
                default: break
                }
            }
        case .string:
            throw Diagnostic(
                .error, file: path, line: node.line, column: node.column,
                message: "a remote @context is not fetched (chm reads no network); put the context in the file")
        case .null:
            return Context()
        default:
            throw Diagnostic(
                .error, file: path, line: node.line, column: node.column, message: "expected @context to be an object")
        }
        return context
    }

    /// The concept a node object describes, or nil when it is not a concept. A concept
    /// described inside it (a `narrower` value with labels of its own) goes to `nested`.
    private static func nodeObject(
        _ members: [JSONNode.Member], at node: JSONNode, context: Context, path: String, warnings: Warnings,
        labels: LabelIndex, references: inout [LabelReference], nested: inout [Concept]
    ) throws -> Concept?
    {
        var types: [String] = []
        var id: String?
        for member in members {
            switch context.keyword(member.key) {
            case "@id":
                if case .string(let text) = member.value.value { id = context.expand(text) }
            case "@type":
                switch member.value.value {
                case .string(let text): types.append(context.expandVocabulary(text))
                case .array(let items):
                    for item in items { if case .string(let text) = item.value { types.append(context.expandVocabulary(text)) } }
                default: break
                }
            case nil:
                if context.expandVocabulary(member.key) == rdf + "type" {
                    for value in flatten(member.value) {
                        switch value.value {
                        case .string(let text): types.append(context.expandVocabulary(text))
                        case .object(let object):
                            if case .string(let text)? = object.first(where: { context.keyword($0.key) == "@id" })?.value.value {
                                types.append(context.expand(text))
                            }
                        default: break
                        }
                    }
                }
            default:
                break
            }
        }
        if types.contains(where: notConcepts.contains) { return nil }
        // A SKOS-XL label described on its own: its literal forms, for the concepts that
        // reference it.
        if types.contains(skosXL + "Label")
            || members.contains(where: { context.keyword($0.key) == nil && context.expandVocabulary($0.key) == skosXL + "literalForm" })
        {
            if let id {
                labels.add(literalForms(members, context: context), of: id)
            }
            return nil
        }
        var concept = Concept(iri: id ?? "")
        var hasLabel = false
        for member in members where context.keyword(member.key) == nil {
            let term = context.terms[member.key]
            let property = context.expandVocabulary(member.key)
            guard property.hasPrefix(skos) || property.hasPrefix(skosXL) else { continue }
            if property.hasSuffix("#prefLabel") || property.hasSuffix("#altLabel") { hasLabel = true }
            if term?.languageContainer == true, case .object(let languages) = member.value.value {
                for entry in languages {
                    for value in flatten(entry.value) {
                        if case .string(let text) = value.value {
                            apply(
                                property: property, literal: text, language: entry.key, iri: nil, to: &concept,
                                at: (value.line, value.column), warnings: warnings)
                        } else if case .oversizedString = value.value {
                            warnings.add(line: value.line, column: value.column, Self.oversizedLabel(property, limit: warnings.textLimit))
                        }
                    }
                }
                continue
            }
            for value in flatten(member.value) {
                switch value.value {
                case .string(let text):
                    if term?.isReference == true, property.hasPrefix(skosXL) {
                        // A SKOS-XL label by reference, as a compacted IRI string.
                        references.append(LabelReference(property: property, label: context.expand(text), line: value.line))
                    } else if term?.isReference == true {
                        apply(
                            property: property, literal: nil, language: nil, iri: context.expand(text), to: &concept,
                            at: (value.line, value.column), warnings: warnings)
                    } else {
                        apply(
                            property: property, literal: text, language: context.language, iri: nil, to: &concept,
                            at: (value.line, value.column), warnings: warnings)
                    }
                case .number(let text):
                    apply(
                        property: property, literal: text, language: nil, iri: nil, to: &concept, at: (value.line, value.column),
                        warnings: warnings)
                case .oversizedString:
                    warnings.add(line: value.line, column: value.column, Self.oversizedLabel(property, limit: warnings.textLimit))
                case .object(let object):
                    // A node described in place (`"narrower": [{"@id": ..., "prefLabel": ...}]`):
                    // linked, and read as a concept of its own.
                    var ignored: [LabelReference] = []
                    if object.contains(where: { context.keyword($0.key) == nil }),
                        object.contains(where: { context.keyword($0.key) == "@id" }), !property.hasPrefix(skosXL),
                        let inner = try nodeObject(
                            object, at: value, context: context, path: path, warnings: warnings, labels: labels, references: &ignored,
                            nested: &nested)
                    {
                        nested.append(inner)
                    }
                    var literal: String?
                    var language = context.language
                    var reference: String?
                    // A SKOS-XL label: in place, its literal form is the text; by reference
                    // (an @id alone), the label described elsewhere in the file.
                    if property.hasPrefix(skosXL) {
                        let forms = literalForms(object, context: context)
                        for form in forms {
                            apply(
                                property: property, literal: form.text, language: form.language, iri: nil, to: &concept,
                                at: (form.line, nil), warnings: warnings)
                        }
                        if forms.isEmpty, case .string(let reference)? = object.first(where: { context.keyword($0.key) == "@id" })?.value.value {
                            references.append(LabelReference(property: property, label: context.expand(reference), line: value.line))
                        }
                        continue
                    }
                    for entry in object {
                        switch (context.keyword(entry.key) ?? entry.key, entry.value.value) {
                        case ("@value", .string(let text)): literal = text
                        case ("@value", .oversizedString):
                            warnings.add(line: entry.value.line, column: entry.value.column, Self.oversizedLabel(property, limit: warnings.textLimit))
                        case ("@value", .number(let text)): literal = text
                        case ("@language", .string(let text)): language = text
                        case ("@id", .string(let text)): reference = context.expand(text)
                        default: break
                        }
                    }
                    apply(
                        property: property, literal: literal, language: language, iri: reference, to: &concept,
                        at: (value.line, value.column), warnings: warnings)
                default:
                    break
                }
            }
        }
        guard types.contains(skos + "Concept") || hasLabel else { return nil }
        guard let id else {
            throw Diagnostic(
                .error, file: path, line: node.line, column: node.column,
                message: "a concept without @id; give each skos:Concept its IRI")
        }
        warnings.noteConcept(id, line: node.line)
        return concept
    }

    /// The `skosxl:literalForm` values of a label's node object, each in its language.
    private static func literalForms(_ members: [JSONNode.Member], context: Context) -> [LabelForm] {
        var forms: [LabelForm] = []
        for member in members where context.keyword(member.key) == nil && context.expandVocabulary(member.key) == skosXL + "literalForm" {
            for value in flatten(member.value) {
                var text: String?
                var language = context.language
                switch value.value {
                case .string(let string): text = string
                case .object(let parts):
                    for part in parts {
                        if case .string(let string) = part.value.value {
                            let key = context.keyword(part.key) ?? part.key
                            if key == "@value" { text = string }
                            if key == "@language" { language = string }
                        }
                    }
                default: break
                }
                if let text { forms.append(LabelForm(text: text, language: language, line: value.line)) }
            }
        }
        return forms
    }

    /// The values of a JSON-LD property: the items of an array, else the value itself.
    private static func flatten(_ node: JSONNode) -> [JSONNode] {
        if case .array(let items) = node.value { return items }
        return [node]
    }
}
