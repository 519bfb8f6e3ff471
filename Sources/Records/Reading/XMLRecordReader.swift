// Reads XML record files: chm's native format (namespace urn:chm:records:1) and OAI-PMH
// responses with oai_dc metadata. The root element says which. Each record element is
// mapped to the same object shape as a JSON record and validated by RecordValidator, so
// both formats follow exactly the same rules.

/// The XML namespaces chm reads.
enum XMLNamespace {
    static let records = "urn:chm:records:1"
    static let oaiPMH = "http://www.openarchives.org/OAI/2.0/"
    static let oaiDC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
    static let dublinCore = "http://purl.org/dc/elements/1.1/"
    static let schemaInstance = "http://www.w3.org/2001/XMLSchema-instance"
    /// A native record's `extensions`, as one element whose text is their JSON (what chm's
    /// OAI-PMH provider writes, so that the `chm` format is lossless).
    static let extensions = "urn:chm:extensions:1"
}

/// Reads a native or OAI-PMH XML file, one record element at a time.
final class XMLRecordReader: RecordReader {
    let input: RecordInput
    let displayPath: String
    let validator: RecordValidator
    let limits: RecordLimits
    /// What OAI-PMH records name as their source's URL, when not the response's `<request>`.
    let oaiBaseURL: String?
    /// The file being read, while it is.
    private var stream: XMLStreamReader?
    private var bytesReadWhenDone = 0

    var bytesRead: Int { stream?.bytesRead ?? bytesReadWhenDone }

    init(input: RecordInput, displayPath: String, options: IngestOptions) {
        self.input = input
        self.displayPath = displayPath
        self.validator = options.validator(for: displayPath)
        self.limits = options.limits
        self.oaiBaseURL = options.oaiBaseURL
    }

    /// A text value as the JSON shape holds it: the string, or `.oversizedString` when it
    /// is longer than the text limit, so that the validator refuses it exactly as it would
    /// the same value in JSON. (libxml2 itself refuses a single text node longer than
    /// 10,000,000 bytes; this also covers text split into several nodes, and lower limits.)
    private func textValue(_ text: String) -> JSONNode.Value {
        text.utf8.count > limits.maximumTextBytes ? .oversizedString : .string(text)
    }

    func read(_ handle: (RecordEntry) throws -> Void) throws {
        do {
            let reader = try XMLStreamReader(input: input, limits: limits)
            stream = reader
            defer {
                bytesReadWhenDone = reader.bytesRead
                stream = nil
            }
            // Find the root element.
            while try reader.read() {
                guard reader.isElement else { continue }
                let name = reader.localName
                let namespace = reader.namespaceURI
                if name == "OAI-PMH" && namespace == XMLNamespace.oaiPMH {
                    try readOAIPMH(reader, handle)
                } else if name == "records" || name == "record" {
                    if namespace != XMLNamespace.records {
                        throw XMLReadError(
                            line: reader.lineNumber, column: nil,
                            message: "root element <\(name)> is not in chm's namespace; add xmlns=\"\(XMLNamespace.records)\"")
                    }
                    try readNative(reader, rootIsRecord: name == "record", handle)
                } else {
                    throw XMLReadError(
                        line: reader.lineNumber, column: nil,
                        message: "root element <\(name)> is neither <records> in namespace \(XMLNamespace.records) nor an OAI-PMH response")
                }
                return
            }
            throw XMLReadError(line: nil, column: nil, message: "file is empty; expected an XML document")
        } catch let error as XMLReadError {
            throw Diagnostic(
                .error, file: displayPath, line: error.line, column: error.column, recordID: error.recordID,
                field: error.field, message: error.message)
        }
    }

    // MARK: Native format

    private func readNative(_ reader: XMLStreamReader, rootIsRecord: Bool, _ handle: (RecordEntry) throws -> Void) throws {
        if rootIsRecord {
            let element = try reader.expand()
            try handle(validator.validate(nativeRecord(element)).entry)
            while try reader.next() {}  // the rest must still be well formed
            return
        }
        var more = try reader.read()
        while more {
            if reader.depth == 1 && reader.isElement {
                let element = try reader.expand()
                if element.localName == "record" && element.namespaceURI == XMLNamespace.records {
                    try handle(validator.validate(nativeRecord(element)).entry)
                } else {
                    try handle(
                        .message(
                            Diagnostic(
                                .warning, file: displayPath, line: element.line,
                                message: "unexpected element <\(element.localName)> inside <records> ignored")))
                }
                more = try reader.next()
            } else {
                more = try reader.read()
            }
        }
    }

    /// Maps `<record>` to the JSON record shape.
    private func nativeRecord(_ element: XMLElement) -> JSONNode {
        let line = element.line
        func node(_ value: JSONNode.Value, _ line: Int) -> JSONNode { JSONNode(value: value, line: line, column: 0) }
        func string(_ text: String, _ line: Int) -> JSONNode { node(textValue(text), line) }
        var members: [JSONNode.Member] = []
        func add(_ key: String, _ value: JSONNode) {
            members.append(JSONNode.Member(key: key, line: value.line, column: 0, value: value))
        }
        for attribute in element.attributeNames() {
            switch (attribute.name, attribute.namespace) {
            case ("id", nil): add("id", string(element.attribute("id") ?? "", line))
            case ("kind", nil): add("kind", string(element.attribute("kind") ?? "", line))
            case ("lang", "http://www.w3.org/XML/1998/namespace"): break
            case (_, XMLNamespace.schemaInstance?): break  // xsi:schemaLocation and the like
            default:
                add(attribute.name, string(element.attribute(attribute.name) ?? "", line))
            }
        }
        let recordLanguage = element.effectiveLanguage
        if let recordLanguage { add("language", string(recordLanguage, line)) }

        var localized: [String: [(language: String?, text: String, line: Int)]] = [:]
        var lists: [String: [JSONNode]] = [:]
        var listLines: [String: Int] = [:]
        var order: [String] = []  // first appearance of each repeated field, for stable output
        func append(_ key: String, _ value: JSONNode) {
            if lists[key] == nil {
                order.append(key)
                listLines[key] = value.line
            }
            lists[key, default: []].append(value)
        }
        let listFields = [
            "keyword": "keywords", "theme": "themes", "target": "targets", "country": "countries",
            "region": "regions", "assistanceType": "assistanceTypes", "related": "related",
        ]
        for child in element.children {
            let name = child.localName
            let childLine = child.line
            if name == "extensions", child.namespaceURI == XMLNamespace.extensions {
                var parser = JSONParser(source: ByteSource(bytes: Array(child.text.utf8)))
                if let parsed = try? parser.parseValue(), (try? parser.expectEnd("the end of the extensions")) != nil {
                    add("extensions", JSONNode(value: parsed.value, line: childLine, column: 0))
                } else {
                    add("extensions", string(child.text, childLine))
                }
                continue
            }
            guard child.namespaceURI == XMLNamespace.records else {
                add(name, string(child.text, childLine))
                continue
            }
            switch name {
            case "title", "summary", "description":
                if localized[name] == nil { order.append(name) }
                localized[name, default: []].append((child.effectiveLanguage, child.text, childLine))
            case _ where listFields[name] != nil:
                append(listFields[name] ?? name, string(child.text, childLine))
            case "organization":
                var object: [JSONNode.Member] = [JSONNode.Member(key: "name", line: childLine, column: 0, value: string(child.text, childLine))]
                for key in ["role", "country", "url"] {
                    if let value = child.attribute(key) {
                        object.append(JSONNode.Member(key: key, line: childLine, column: 0, value: string(value, childLine)))
                    }
                }
                append("organizations", node(.object(object), childLine))
            case "link":
                var object: [JSONNode.Member] = []
                if let url = child.attribute("url") {
                    object.append(JSONNode.Member(key: "url", line: childLine, column: 0, value: string(url, childLine)))
                }
                if !child.text.isEmpty {
                    object.append(JSONNode.Member(key: "title", line: childLine, column: 0, value: string(child.text, childLine)))
                }
                if let language = child.ownLanguage {
                    object.append(JSONNode.Member(key: "language", line: childLine, column: 0, value: string(language, childLine)))
                }
                append("links", node(.object(object), childLine))
            case "source":
                var object: [JSONNode.Member] = []
                for key in ["system", "url", "originalId"] {
                    if let value = child.attribute(key) {
                        object.append(JSONNode.Member(key: key, line: childLine, column: 0, value: string(value, childLine)))
                    }
                }
                add("source", node(.object(object), childLine))
            default:
                // published, updated, license, and unknown elements (which the validator
                // reports and keeps under extensions).
                add(name, string(child.text, childLine))
            }
        }
        for key in order {
            if let entries = localized[key] {
                let firstLine = entries.first?.line ?? line
                if entries.count == 1, let only = entries.first, only.language == nil {
                    add(key, string(only.text, firstLine))
                } else {
                    let object = entries.map { entry in
                        JSONNode.Member(
                            key: entry.language ?? recordLanguage ?? LanguageTag.undetermined, line: entry.line, column: 0,
                            value: string(entry.text, entry.line))
                    }
                    add(key, node(.object(object), firstLine))
                }
            } else if let values = lists[key] {
                add(key, node(.array(values), listLines[key] ?? line))
            }
        }
        return node(.object(members), line)
    }

    // MARK: OAI-PMH

    private func readOAIPMH(_ reader: XMLStreamReader, _ handle: (RecordEntry) throws -> Void) throws {
        var baseURL: String? = oaiBaseURL
        var more = try reader.read()
        while more {
            guard reader.isElement else {
                more = try reader.read()
                continue
            }
            let name = reader.localName
            let inOAI = reader.namespaceURI == XMLNamespace.oaiPMH
            switch (reader.depth, name) {
            case (1, "request") where inOAI:
                let element = try reader.expand()
                baseURL = oaiBaseURL ?? (element.text.isEmpty ? nil : element.text)
                more = try reader.next()
            case (1, "error") where inOAI:
                let element = try reader.expand()
                let code = element.attribute("code") ?? "error"
                if code == "noRecordsMatch" {
                    try handle(.message(Diagnostic(.notice, file: displayPath, line: element.line, message: "OAI-PMH response has no records (noRecordsMatch)")))
                    more = try reader.next()
                } else {
                    throw XMLReadError(line: element.line, column: nil, message: "OAI-PMH error \(code): \(element.text)")
                }
            case (2, "record") where inOAI:
                let element = try reader.expand()
                try handle(oaiRecord(element, baseURL: baseURL))
                more = try reader.next()
            case (2, "resumptionToken") where inOAI:
                let element = try reader.expand()
                if !element.text.isEmpty {
                    try handle(
                        .message(
                            Diagnostic(
                                .notice, file: displayPath, line: element.line,
                                message: "this response is one page of a larger harvest (resumptionToken \(element.text)); ingest the other pages too")))
                }
                more = try reader.next()
            case (1, _), (0, _):
                more = try reader.read()
            default:
                more = try reader.next()
            }
        }
    }

    /// Maps an OAI-PMH `<record>` with `oai_dc` metadata to the JSON record shape.
    private func oaiRecord(_ element: XMLElement, baseURL: String?) -> RecordEntry {
        let line = element.line
        func string(_ text: String, _ line: Int) -> JSONNode { JSONNode(value: textValue(text), line: line, column: 0) }
        let children = element.children
        guard let header = children.first(where: { $0.localName == "header" && $0.namespaceURI == XMLNamespace.oaiPMH }) else {
            return .invalid(
                recordID: nil, line: line,
                diagnostics: [Diagnostic(.error, file: displayPath, line: line, field: "header", message: "OAI-PMH record has no <header>")])
        }
        let headerFields = header.children
        let identifier = headerFields.first { $0.localName == "identifier" }?.text ?? ""
        let datestamp = headerFields.first { $0.localName == "datestamp" }?.text
        if header.attribute("status") == "deleted" {
            guard RecordValidator.isValidID(identifier) else {
                return .invalid(
                    recordID: nil, line: header.line,
                    diagnostics: [
                        Diagnostic(.error, file: displayPath, line: header.line, field: "id", message: "invalid identifier \"\(identifier.prefix(80))\" in a deleted record")
                    ])
            }
            return .deletion(id: identifier, line: header.line)
        }
        var members: [JSONNode.Member] = []
        func add(_ key: String, _ value: JSONNode) {
            members.append(JSONNode.Member(key: key, line: value.line, column: 0, value: value))
        }
        add("id", string(identifier, header.line))

        let metadata = children.first { $0.localName == "metadata" }
        let dc = metadata?.children.first { $0.localName == "dc" && $0.namespaceURI == XMLNamespace.oaiDC }
        guard let dc else {
            return .invalid(
                recordID: RecordValidator.isValidID(identifier) ? identifier : nil, line: line,
                diagnostics: [
                    Diagnostic(
                        .error, file: displayPath, line: metadata?.line ?? line,
                        recordID: RecordValidator.isValidID(identifier) ? identifier : nil, field: "metadata",
                        message: "no oai_dc:dc metadata; chm reads the oai_dc format (metadataPrefix=oai_dc)")
                ])
        }
        var byName: [String: [XMLElement]] = [:]
        for field in dc.children where field.namespaceURI == XMLNamespace.dublinCore {
            byName[field.localName, default: []].append(field)
        }
        let fields = { (name: String) -> [XMLElement] in byName[name] ?? [] }

        var kind = RecordKind.resource
        for type in fields("type") {
            if let mapped = RecordKind(looseName: type.text) {
                kind = mapped
                break
            }
        }
        add("kind", string(kind.rawValue, fields("type").first?.line ?? line))

        var recordLanguage: String?
        if let language = fields("language").first {
            let text = language.text
            let mapped = LanguageTag.iso639_2ToBCP47[text.lowercased()] ?? text
            recordLanguage = LanguageTag.normalized(mapped)
            add("language", string(mapped, language.line))
        }
        func localized(_ elements: [XMLElement]) -> JSONNode? {
            let nonEmpty = elements.filter { !$0.text.isEmpty }
            guard let first = nonEmpty.first else { return nil }
            var seen = Set<String>()
            var object: [JSONNode.Member] = []
            for element in nonEmpty {
                let tag = element.effectiveLanguage.flatMap(LanguageTag.normalized) ?? recordLanguage ?? LanguageTag.undetermined
                // Dublin Core repeats elements freely; keep the first text in each language.
                guard seen.insert(tag).inserted else { continue }
                object.append(JSONNode.Member(key: tag, line: element.line, column: 0, value: string(element.text, element.line)))
            }
            return JSONNode(value: .object(object), line: first.line, column: 0)
        }
        if let title = localized(fields("title")) { add("title", title) }
        if let summary = localized(fields("description")) { add("summary", summary) }
        func list(_ key: String, _ elements: [XMLElement]) {
            let values = elements.filter { !$0.text.isEmpty }
            guard let first = values.first else { return }
            add(key, JSONNode(value: .array(values.map { string($0.text, $0.line) }), line: first.line, column: 0))
        }
        list("keywords", fields("subject"))

        let coverage = fields("coverage").filter { !$0.text.isEmpty }
        list("countries", coverage.filter { CountryCode.normalized($0.text) != nil })
        list("regions", coverage.filter { CountryCode.normalized($0.text) == nil })

        if let date = fields("date").first {
            // dc:date is often a full date-time; the record format keeps the date.
            let text = date.text
            let published = text.count > 10 && text.dropFirst(10).first == "T" ? String(text.prefix(10)) : text
            add("published", string(published, date.line))
        }
        if let datestamp, !datestamp.isEmpty {
            let updated = datestamp.count == 10 ? datestamp + "T00:00:00Z" : datestamp
            add("updated", string(updated, header.line))
        }
        if let rights = fields("rights").first { add("license", string(rights.text, rights.line)) }

        let links = fields("identifier").filter { RecordValidator.isAbsoluteURL($0.text) }
        if let first = links.first {
            let objects = links.map { link in
                JSONNode(
                    value: .object([JSONNode.Member(key: "url", line: link.line, column: 0, value: string(link.text, link.line))]),
                    line: link.line, column: 0)
            }
            add("links", JSONNode(value: .array(objects), line: first.line, column: 0))
        }
        let organizations = fields("creator").map { ($0, "creator") } + fields("publisher").map { ($0, "publisher") }
        if let first = organizations.first {
            let objects = organizations.filter { !$0.0.text.isEmpty }.map { element, role in
                JSONNode(
                    value: .object([
                        JSONNode.Member(key: "name", line: element.line, column: 0, value: string(element.text, element.line)),
                        JSONNode.Member(key: "role", line: element.line, column: 0, value: string(role, element.line)),
                    ]), line: element.line, column: 0)
            }
            add("organizations", JSONNode(value: .array(objects), line: first.0.line, column: 0))
        }
        var source: [JSONNode.Member] = [
            JSONNode.Member(key: "system", line: header.line, column: 0, value: string("oai-pmh", header.line)),
            JSONNode.Member(key: "originalId", line: header.line, column: 0, value: string(identifier, header.line)),
        ]
        if let baseURL, RecordValidator.isAbsoluteURL(baseURL) {
            source.insert(JSONNode.Member(key: "url", line: header.line, column: 0, value: string(baseURL, header.line)), at: 1)
        }
        add("source", JSONNode(value: .object(source), line: header.line, column: 0))

        // Dublin Core elements without a place in the record format are kept, not indexed.
        let mapped: Set<String> = [
            "title", "description", "subject", "type", "language", "date", "coverage", "rights", "identifier",
            "creator", "publisher",
        ]
        let others = byName.keys.filter { !mapped.contains($0) }.sorted()
        if !others.isEmpty {
            let object = others.map { name in
                JSONNode.Member(
                    key: "dc:" + name, line: line, column: 0,
                    value: JSONNode(value: .array(fields(name).map { string($0.text, $0.line) }), line: line, column: 0))
            }
            add("extensions", JSONNode(value: .object(object), line: line, column: 0))
        }
        return validator.validate(JSONNode(value: .object(members), line: line, column: 0)).entry
    }
}
