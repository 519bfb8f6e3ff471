// Reads XML record files: chm's native format (namespace urn:chm:records:1) and OAI-PMH
// responses with oai_dc or chm (native) metadata. The root element says which. Each record element is
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
    /// The metadata format a harvest asked for (nil for a file).
    let oaiMetadataPrefix: String?
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
        self.oaiMetadataPrefix = options.oaiMetadataPrefix
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
            // Find the root element. (A small file is parsed whole at the first read, so a
            // syntax error in it stops reading before the root is reached.)
            while try nativeRecordsRecovered(reader, handle, { try reader.read() }) {
                guard reader.isElement else { continue }
                let name = reader.localName
                let namespace = reader.namespaceURI
                if name == "OAI-PMH" && namespace == XMLNamespace.oaiPMH {
                    try readOAIPMH(reader, handle)
                    try warnAboutControlCharacters(reader, handle)
                } else if name == "records" || name == "record" {
                    if namespace != XMLNamespace.records {
                        throw XMLReadError(
                            line: reader.lineNumber, column: nil,
                            message: "root element <\(name)> is not in chm's namespace; add xmlns=\"\(XMLNamespace.records)\"")
                    }
                    try readNative(reader, rootIsRecord: name == "record", handle)
                    try warnAboutControlCharacters(reader, handle)
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

    /// `body`, or, when it throws a syntax error in a file whose root is `<records>`, the
    /// records parsed whole before the error handed over and the error thrown.
    private func nativeRecordsRecovered<T>(_ reader: XMLStreamReader, _ handle: (RecordEntry) throws -> Void, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as XMLReadError {
            guard let root = reader.rootOfFailedDocument, root.namespace == XMLNamespace.records, root.name == "records" else { throw error }
            throw try recoverNative(from: error, after: nil, reader, handle)
        }
    }

    private func warnAboutControlCharacters(_ reader: XMLStreamReader, _ handle: (RecordEntry) throws -> Void) throws {
        if let warning = reader.controlCharacterWarning {
            try handle(.message(Diagnostic(.warning, file: displayPath, line: warning.line, message: warning.message)))
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
        var last: (node: XMLElement, line: Int, id: String?)?
        var more = true
        do {
            more = try reader.read()
            while more {
                if reader.depth == 1 && reader.isElement {
                    let element = try reader.expand()
                    last = (element, element.line, element.attribute("id"))
                    try takeNative(element, handle)
                    more = try reader.next()
                } else {
                    more = try reader.read()
                }
            }
        } catch let error as XMLReadError {
            throw try recoverNative(from: error, after: last, reader, handle)
        }
    }

    /// A child of `<records>`: a record (also an unqualified `<record>` under a prefixed root,
    /// as fields are read unqualified inside a record). Another element of chm's namespace or
    /// of none that looks like a record (`<Record>`, or one with an `id` or `kind` attribute)
    /// is an invalid entry: a publisher's record lost, not a detail (QA found it only warned
    /// about, exit 0). Any other element is a warning.
    private func takeNative(_ element: XMLElement, _ handle: (RecordEntry) throws -> Void) throws {
        let namespace = element.namespaceURI
        let ours = namespace == XMLNamespace.records || namespace == nil || namespace == ""
        if element.localName == "record" && ours {
            try handle(validator.validate(nativeRecord(element)).entry)
            return
        }
        let id = element.attribute("id").flatMap { RecordValidator.isValidID($0) ? $0 : nil }
        let named = element.localName.lowercased() == "record"
        if ours, named || element.attribute("id") != nil || element.attribute("kind") != nil {
            let advice =
                named
                ? "element names are case-sensitive: write <record>"
                : "each record is a <record> element (with id and kind attributes) directly inside <records>"
            try handle(
                .invalid(
                    recordID: id, line: element.line,
                    diagnostics: [
                        Diagnostic(
                            .error, file: displayPath, line: element.line, recordID: id,
                            message: "<\(element.localName)> inside <records> is not a record, so it was not read; \(advice)")
                    ]))
            return
        }
        try handle(
            .message(
                Diagnostic(
                    .warning, file: displayPath, line: element.line,
                    message: "unexpected element <\(ours ? element.localName : element.qualifiedName)> inside <records> ignored")))
    }

    /// After `error` stopped reading a native file: hands over the records that libxml2 had
    /// parsed whole before it (after the one at `last`), and returns the error, which now says
    /// that nothing after it was read.
    private func recoverNative(
        from error: XMLReadError, after last: (node: XMLElement, line: Int, id: String?)?, _ reader: XMLStreamReader,
        _ handle: (RecordEntry) throws -> Void
    ) throws -> XMLReadError {
        for element in reader.childrenOfRootFinishedBeforeFailure(after: last) { try takeNative(element, handle) }
        var error = error
        // (A limit's message begins as JSON's does, the same words for the same refusal; but
        // libxml2 stops there, where JSON reads on: QA missed the records after it.)
        error.message +=
            error.exceedsParserLimits
            ? "; the XML parser stops there, so nothing after it in the file was read"
            : "; the XML is broken from here, so nothing after it in the file was read"
        return error
    }

    /// `element`'s `xml:lang` in effect; `xml:lang=""`, XML's "no language", is undetermined.
    private static func language(of element: XMLElement) -> String? {
        element.effectiveLanguage.map { $0.isEmpty ? LanguageTag.undetermined : $0 }
    }

    /// Maps `<record>` to the JSON record shape; inside an OAI-PMH response, `identifier` (the
    /// header's, and its line) is the id.
    private func nativeRecord(_ element: XMLElement, identifier: (text: String, line: Int)? = nil) -> JSONNode {
        let line = element.line
        func node(_ value: JSONNode.Value, _ line: Int) -> JSONNode { JSONNode(value: value, line: line, column: 0) }
        func string(_ text: String, _ line: Int) -> JSONNode { node(textValue(text), line) }
        var members: [JSONNode.Member] = []
        func add(_ key: String, _ value: JSONNode) {
            members.append(JSONNode.Member(key: key, line: value.line, column: 0, value: value))
        }
        if let identifier { add("id", string(identifier.text, identifier.line)) }
        for attribute in element.attributeNames() {
            switch (attribute.name, attribute.namespace) {
            case ("id", nil): if identifier == nil { add("id", string(element.attribute("id") ?? "", line)) }
            case ("kind", nil): add("kind", string(element.attribute("kind") ?? "", line))
            case ("lang", "http://www.w3.org/XML/1998/namespace"): break
            case (_, XMLNamespace.schemaInstance?): break  // xsi:schemaLocation and the like
            case (_, let namespace?):
                // Another vocabulary's attribute keeps its prefix (`x:lang` is no `lang`).
                let value = element.attribute(attribute.name, namespace: namespace) ?? ""
                add((attribute.prefix.map { $0 + ":" } ?? "{\(namespace)}") + attribute.name, string(value, line))
            default:
                add(attribute.name, string(element.attribute(attribute.name) ?? "", line))
            }
        }
        // (`xml:lang=""` is XML's "no language": undetermined, not a tag to refuse. QA.)
        let recordLanguage = Self.language(of: element)
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
        // Elements chm does not know, in order, each name's values (several when repeated, as
        // Dublin Core's are: an array).
        var unknown: [(key: String, values: [JSONNode])] = []
        func keepUnknown(_ key: String, _ value: JSONNode) {
            if let index = unknown.firstIndex(where: { $0.key == key }) {
                unknown[index].values.append(value)
            } else {
                unknown.append((key, [value]))
            }
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
                // Another vocabulary's element keeps its prefix, so that `<dc:title>` is no
                // title (the validator reports it and keeps it under extensions).
                keepUnknown(child.qualifiedName, string(child.text, childLine))
                continue
            }
            switch name {
            case "title", "summary", "description":
                if localized[name] == nil { order.append(name) }
                localized[name, default: []].append((Self.language(of: child), child.writtenText, childLine))
            case "keyword":
                append("keywords", string(child.writtenText, childLine))
            case _ where listFields[name] != nil:
                append(listFields[name] ?? name, string(child.text, childLine))
            case "organization":
                var object: [JSONNode.Member] = [
                    JSONNode.Member(key: "name", line: childLine, column: 0, value: string(child.writtenText, childLine))
                ]
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
                // (Read as the other texts are: a title of white space kept with
                // xml:space="preserve" is a title, pretty-printing alone is none.)
                let title = child.writtenText
                if !title.isEmpty {
                    object.append(JSONNode.Member(key: "title", line: childLine, column: 0, value: string(title, childLine)))
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
            case "published", "updated", "license", "id", "kind", "language":
                // (Given twice, the validator refuses it: `id` and `kind` are attributes.)
                add(name, string(child.text, childLine))
            default:
                // Unknown elements, which the validator reports and keeps under extensions.
                keepUnknown(name, string(child.text, childLine))
            }
        }
        for (key, values) in unknown {
            add(key, values.count == 1 ? values[0] : node(.array(values), values[0].line))
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

    /// The verbs whose responses hold no records at all.
    private static let verbsWithoutRecords: Set<String> = ["Identify", "ListMetadataFormats", "ListSets"]

    /// What the reader learns of an OAI-PMH response as it goes.
    private struct OAIResponse {
        /// The `<request>`: the base URL and the arguments.
        var baseURL: String?
        var arguments: [(name: String, value: String)] = []
        /// The protocol errors of an error response, in order.
        var errors: [(code: String, text: String, line: Int)] = []
        /// Whether the one message about records that chm cannot read has been given.
        var reportedUnreadable = false
    }

    /// Reads an OAI-PMH response: the records of ListRecords and GetRecord (oai_dc or chm
    /// metadata), deletions, and a one-line explanation for a response that holds no records
    /// chm can read (another verb, another metadata format, an OAI-PMH error).
    private func readOAIPMH(_ reader: XMLStreamReader, _ handle: (RecordEntry) throws -> Void) throws {
        var response = OAIResponse()
        response.baseURL = oaiBaseURL
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
                response.baseURL = oaiBaseURL ?? (element.text.isEmpty ? nil : element.text)
                response.arguments = element.attributeNames().compactMap { attribute in
                    guard attribute.namespace == nil, let value = element.attribute(attribute.name) else { return nil }
                    return (attribute.name, value)
                }
                more = try reader.next()
            case (1, "error") where inOAI:
                let element = try reader.expand()
                response.errors.append((element.attribute("code") ?? "error", element.text, element.line))
                more = try reader.next()
            case (1, let verb) where inOAI && Self.verbsWithoutRecords.contains(verb):
                try handle(
                    .message(
                        Diagnostic(
                            .warning, file: displayPath, line: reader.lineNumber,
                            message: "this is an OAI-PMH \(verb) response, which holds no records, so nothing was stored; "
                                + "ingest ListRecords or GetRecord responses (metadataPrefix=oai_dc or chm)")))
                more = try reader.next()
            case (2, "header") where inOAI:
                // A header alone: ListIdentifiers.
                let element = try reader.expand()
                for entry in listedHeader(element, &response) { try handle(entry) }
                more = try reader.next()
            case (2, "record") where inOAI:
                let element = try reader.expand()
                for entry in oaiRecord(element, &response) { try handle(entry) }
                more = try reader.next()
            case (2, "resumptionToken") where inOAI:
                let element = try reader.expand()
                if !element.text.isEmpty {
                    try handle(
                        .message(
                            Diagnostic(
                                .notice, file: displayPath, line: element.line,
                                message: "this response is one page of a larger harvest (resumptionToken \(element.text)); ingest the other pages too, or harvest them all with `chm harvest \(response.baseURL ?? "BASE_URL")`")))
                }
                more = try reader.next()
            case (1, _), (0, _):
                more = try reader.read()
            default:
                more = try reader.next()
            }
        }
        try reportErrors(of: response, handle)
    }

    /// An error response: `noRecordsMatch` alone is a notice (an empty harvest), any other
    /// error one line for the file, with every error's code and text and the request.
    private func reportErrors(of response: OAIResponse, _ handle: (RecordEntry) throws -> Void) throws {
        guard let first = response.errors.first else { return }
        let errors = response.errors.filter { $0.code != "noRecordsMatch" }
        guard let firstError = errors.first else {
            try handle(.message(Diagnostic(.notice, file: displayPath, line: first.line, message: "OAI-PMH response has no records (noRecordsMatch)")))
            return
        }
        let hints = [
            "badArgument": "the request's arguments were refused",
            "badResumptionToken": "the resumption token was refused (expired or altered): harvest again from the start",
            "badVerb": "the request's verb was refused",
            "cannotDisseminateFormat": "the repository does not give records in that metadata format: ask for oai_dc",
            "idDoesNotExist": "the repository has no item with that identifier",
            "noMetadataFormats": "the item is given in no metadata format",
            "noSetHierarchy": "the repository has no sets",
        ]
        let described = errors.map { error in
            var text = error.code
            if !error.text.isEmpty { text += ": \(error.text)" }
            if let hint = hints[error.code] { text += " (\(hint))" }
            return text
        }
        var request = response.baseURL ?? ""
        if !response.arguments.isEmpty {
            request += "?" + response.arguments.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        }
        throw XMLReadError(
            line: firstError.line, column: nil,
            message: "this is an OAI-PMH error response, which holds no records: " + described.joined(separator: "; ")
                + (request.isEmpty ? "" : "; the request was \(request)"))
    }

    /// The deletion of `identifier`, or why it cannot be one.
    private func deletion(_ identifier: String, line: Int) -> RecordEntry {
        if let problem = RecordValidator.idProblem(identifier) {
            return .invalid(
                recordID: nil, line: line,
                diagnostics: [
                    Diagnostic(
                        .error, file: displayPath, line: line, field: "id",
                        message: "invalid identifier \"\(identifier.prefix(80))\" in a deleted record: \(problem)")
                ])
        }
        return .deletion(id: identifier, line: line)
    }

    /// A record chm cannot read (a header without metadata, metadata in another format): one
    /// error for the whole file the first time, then each such record is invalid silently.
    private func unreadable(_ identifier: String, line: Int, _ response: inout OAIResponse, message: () -> String) -> [RecordEntry] {
        let invalid = RecordEntry.invalid(recordID: RecordValidator.isValidID(identifier) ? identifier : nil, line: line, diagnostics: [])
        guard !response.reportedUnreadable else { return [invalid] }
        response.reportedUnreadable = true
        return [.message(Diagnostic(.error, file: displayPath, line: line, field: "metadata", message: message())), invalid]
    }

    /// A header of ListIdentifiers: a deletion, or a record whose metadata the response lacks.
    private func listedHeader(_ header: XMLElement, _ response: inout OAIResponse) -> [RecordEntry] {
        let identifier = header.children.first { $0.localName == "identifier" }?.text ?? ""
        if header.attribute("status") == "deleted" { return [deletion(identifier, line: header.line)] }
        return unreadable(identifier, line: header.line, &response) {
            "this is an OAI-PMH ListIdentifiers response: it holds headers but no metadata, so its records cannot be "
                + "stored (its deletions can); ingest a ListRecords response (metadataPrefix=oai_dc or chm) instead, or harvest the provider with `chm harvest BASE_URL`"
        }
    }

    /// Known metadata formats other than oai_dc and chm, by namespace, to name them.
    private static let otherFormats = [
        "http://www.loc.gov/MARC21/slim": "marc21", "info:lc/xmlns/marcxchange-v1": "marcxchange",
        "http://www.loc.gov/mods/v3": "mods", "http://www.loc.gov/METS/": "mets",
        "http://doaj.org/features/oai_doaj/1.0/": "oai_doaj", "http://ns.nsdl.org/nsdl_dc_v1.02/": "nsdl_dc",
        "http://www.clarin.eu/cmd/": "cmdi", "http://www.clarin.eu/cmd/1": "cmdi",
        "urn:mpeg:mpeg21:2002:02-DIDL-NS": "didl", "http://datacite.org/schema/kernel-4": "datacite",
        "http://schema.datacite.org/oai/oai-1.1/": "oai_datacite", "http://www.lyncode.com/xoai": "xoai",
        "http://purl.org/dc/terms/": "qdc", "http://www.openarchives.org/OAI/2.0/rdf/": "rdf",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf", "http://www.europeana.eu/schemas/ese/": "ese",
    ]

    /// Maps an OAI-PMH `<record>` to its entries: a deletion, a record (oai_dc or chm
    /// metadata), or an invalid one (preceded, for the file's first record in a format chm
    /// does not read, by the one error that says so).
    private func oaiRecord(_ element: XMLElement, _ response: inout OAIResponse) -> [RecordEntry] {
        let line = element.line
        guard let header = element.children.first(where: { $0.localName == "header" && $0.namespaceURI == XMLNamespace.oaiPMH }) else {
            return [
                .invalid(
                    recordID: nil, line: line,
                    diagnostics: [Diagnostic(.error, file: displayPath, line: line, field: "header", message: "OAI-PMH record has no <header>")])
            ]
        }
        let identifier = header.children.first { $0.localName == "identifier" }?.text ?? ""
        if header.attribute("status") == "deleted" { return [deletion(identifier, line: header.line)] }
        let recordID = RecordValidator.isValidID(identifier) ? identifier : nil
        let metadata = element.children.first { $0.localName == "metadata" }
        guard let content = metadata?.children.first else {
            return [
                .invalid(
                    recordID: recordID, line: line,
                    diagnostics: [
                        Diagnostic(
                            .error, file: displayPath, line: metadata?.line ?? line, recordID: recordID, field: "metadata",
                            message: "OAI-PMH record has no metadata, and its header does not say it was deleted")
                    ])
            ]
        }
        switch (content.localName, content.namespaceURI) {
        case ("dc", XMLNamespace.oaiDC?):
            return [validator.validate(dublinCoreRecord(content, line: line, header: header, identifier: identifier, baseURL: response.baseURL)).entry]
        case ("record", XMLNamespace.records?):
            var entries: [RecordEntry] = []
            if let ownID = content.attribute("id"), ownID != identifier {
                entries.append(
                    .message(
                        Diagnostic(
                            .notice, file: displayPath, line: content.line, recordID: recordID, field: "id",
                            message: "the record's own id \"\(ownID.prefix(80))\" differs from the header's identifier, which is kept")))
            }
            var record = nativeRecord(content, identifier: (identifier, header.line))
            // A record that names no source of its own gets the provider's, as oai_dc records do.
            if case .object(var members) = record.value, !members.contains(where: { $0.key == "source" }) {
                members.append(
                    JSONNode.Member(key: "source", line: header.line, column: 0, value: oaiSource(identifier, baseURL: response.baseURL, line: header.line)))
                record = JSONNode(value: .object(members), line: record.line, column: record.column)
            }
            entries.append(validator.validate(record).entry)
            return entries
        default:
            let namespace = content.namespaceURI ?? ""
            let asked = response.arguments.first { $0.name == "metadataPrefix" }?.value
            if let harvested = oaiMetadataPrefix, harvested == "oai_dc" || harvested == "chm" {
                // A harvested page, asked for a format chm reads: this record alone is wrong
                // (the page's others may well be right, and are stored), so it is refused
                // alone, by its id. (A file keeps its one line: it may be wholly of a format
                // its <request> does not say.)
                let known = Self.otherFormats[namespace].map { ", the \($0) format" } ?? ""
                return [
                    .invalid(
                        recordID: recordID, line: content.line,
                        diagnostics: [
                            Diagnostic(
                                .error, file: displayPath, line: content.line, recordID: recordID, field: "metadata",
                                message: "the record's metadata is <\(content.localName)> in \(namespace.isEmpty ? "no namespace" : namespace)\(known), not \(harvested) as the response was asked for (metadataPrefix=\(harvested)); the record was left out")
                        ])
                ]
            }
            let prefix = asked.flatMap { $0 == "oai_dc" || $0 == "chm" ? nil : $0 } ?? Self.otherFormats[namespace]
            return unreadable(identifier, line: content.line, &response) {
                let format = prefix.map { "the \($0) format (<\(content.localName)> in \(namespace.isEmpty ? "no namespace" : namespace))" }
                    ?? "a format chm does not know (<\(content.localName)> in \(namespace.isEmpty ? "no namespace" : namespace))"
                return "this OAI-PMH response holds records in \(format); chm reads only the oai_dc and chm formats, so its "
                    + "records were not stored (its deletions can be); ingest a response harvested with metadataPrefix=oai_dc"
            }
        }
    }

    /// Maps `oai_dc:dc` metadata to the JSON record shape. What the record format has no
    /// place for is kept under `extensions`: each unmapped element as `dc:NAME` (an element of
    /// another vocabulary under its qualified name, such as `dcterms:abstract`), and the
    /// `dc:date` texts whenever `published` is not exactly the one `dc:date`.
    private func dublinCoreRecord(_ dc: XMLElement, line: Int, header: XMLElement, identifier: String, baseURL: String?) -> JSONNode {
        func string(_ text: String, _ line: Int) -> JSONNode { JSONNode(value: textValue(text), line: line, column: 0) }
        var members: [JSONNode.Member] = []
        func add(_ key: String, _ value: JSONNode) {
            members.append(JSONNode.Member(key: key, line: value.line, column: 0, value: value))
        }
        add("id", string(identifier, header.line))

        var byName: [String: [XMLElement]] = [:]
        for field in dc.children where field.namespaceURI == XMLNamespace.dublinCore {
            byName[field.localName, default: []].append(field)
        }
        let fields = { (name: String) -> [XMLElement] in byName[name] ?? [] }
        var extensions: [JSONNode.Member] = []

        var kind = RecordKind.resource
        for type in fields("type") {
            if let mapped = RecordKind(looseName: type.text) {
                kind = mapped
                break
            }
        }
        add("kind", string(kind.rawValue, fields("type").first?.line ?? line))

        /// Keeps `elements`' texts in the extensions under `key`.
        func keep(as key: String, _ elements: [XMLElement]) {
            guard let first = elements.first else { return }
            extensions.append(
                JSONNode.Member(
                    key: key, line: first.line, column: 0,
                    value: JSONNode(value: .array(elements.map { string($0.text, $0.line) }), line: first.line, column: 0)))
        }
        /// Keeps `elements`' texts in the extensions under `dc:NAME`.
        func keep(_ name: String, _ elements: [XMLElement]) { keep(as: "dc:" + name, elements) }
        // dc:language comes as codes, locales, names and lists: the first that names a
        // language is the record's, and a record is never refused for it. Unless that is
        // exactly the only dc:language, the texts are kept as they were.
        var recordLanguage: String?
        let languages = fields("language").filter { !$0.text.isEmpty }
        for language in languages {
            if let tag = LanguageTag.dublinCore(language.text) {
                recordLanguage = tag
                add("language", string(tag, language.line))
                break
            }
        }
        if languages.count > 1 || recordLanguage == nil || languages.contains(where: { LanguageTag.isList($0.text) }) {
            keep("language", languages)
        }
        func localized(_ name: String) -> JSONNode? {
            let nonEmpty = fields(name).filter { !$0.text.isEmpty }
            guard let first = nonEmpty.first else { return nil }
            var seen = Set<String>()
            var object: [JSONNode.Member] = []
            var others: [XMLElement] = []
            for element in nonEmpty {
                let tag = element.effectiveLanguage.flatMap(LanguageTag.normalized) ?? recordLanguage ?? LanguageTag.undetermined
                // Dublin Core repeats elements freely: the first text in each language is the
                // record's, the others are kept in the extensions.
                guard seen.insert(tag).inserted else {
                    others.append(element)
                    continue
                }
                object.append(JSONNode.Member(key: tag, line: element.line, column: 0, value: string(element.text, element.line)))
            }
            keep(name, others)
            return JSONNode(value: .object(object), line: first.line, column: 0)
        }
        if let title = localized("title") { add("title", title) }
        if let summary = localized("description") { add("summary", summary) }
        func list(_ key: String, _ elements: [XMLElement]) {
            let values = elements.filter { !$0.text.isEmpty }
            guard let first = values.first else { return }
            add(key, JSONNode(value: .array(values.map { string($0.text, $0.line) }), line: first.line, column: 0))
        }
        list("keywords", fields("subject"))

        let coverage = fields("coverage").filter { !$0.text.isEmpty }
        list("countries", coverage.filter { CountryCode.normalized($0.text) != nil })
        list("regions", coverage.filter { CountryCode.normalized($0.text) == nil })

        // dc:date comes as dates, date-times, ranges, years with words, several per record:
        // the first date that `published` can hold is taken, and a record is never refused for
        // its dates. Unless that is exactly the only dc:date, the texts are kept as they were.
        let dates = fields("date").filter { !$0.text.isEmpty }
        var published: String?
        for date in dates {
            if let found = RecordDate.published(in: date.text) {
                published = found
                add("published", string(found, date.line))
                break
            }
        }
        if let first = dates.first, dates.count > 1 || published != first.text { keep("date", dates) }
        // The header's datestamp (a day or a UTC time) is when the record last changed.
        if let datestamp = header.children.first(where: { $0.localName == "datestamp" })?.text, !datestamp.isEmpty {
            let updated = datestamp.count == 10 ? datestamp + "T00:00:00Z" : datestamp
            if RecordDate.secondsSinceEpoch(rfc3339: updated) != nil {
                add("updated", string(updated, header.line))
            } else {
                extensions.append(
                    JSONNode.Member(key: "oai:datestamp", line: header.line, column: 0, value: string(datestamp, header.line)))
            }
        }
        if let rights = fields("rights").first { add("license", string(rights.text, rights.line)) }

        let identifiers = fields("identifier").filter { !$0.text.isEmpty }
        let links = identifiers.filter { RecordValidator.isAbsoluteURL($0.text) }
        // Identifiers that are no links (a DOI, a handle, a report number) are kept.
        keep("identifier", identifiers.filter { !RecordValidator.isAbsoluteURL($0.text) })
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
        add("source", oaiSource(identifier, baseURL: baseURL, line: header.line))

        // Dublin Core elements without a place in the record format are kept, not indexed.
        let mapped: Set<String> = [
            "title", "description", "subject", "type", "language", "date", "coverage", "rights", "identifier",
            "creator", "publisher",
        ]
        for name in byName.keys.filter({ !mapped.contains($0) }).sorted() { keep(name, fields(name)) }
        // So are elements of other vocabularies beside them (`dcterms:abstract`, a provider's
        // own), under their qualified name (QA: they vanished without a word). A name that the
        // Dublin Core elements took already is given with its namespace (`{URI}NAME`).
        var foreign: [String: [XMLElement]] = [:]
        var foreignOrder: [String] = []
        let taken = Set(extensions.map(\.key))
        for field in dc.children where field.namespaceURI != XMLNamespace.dublinCore {
            var key = field.qualifiedName
            if taken.contains(key) { key = "{\(field.namespaceURI ?? "")}\(field.localName)" }
            if foreign[key] == nil { foreignOrder.append(key) }
            foreign[key, default: []].append(field)
        }
        for key in foreignOrder { keep(as: key, foreign[key] ?? []) }
        if !extensions.isEmpty {
            add("extensions", JSONNode(value: .object(extensions), line: line, column: 0))
        }
        return JSONNode(value: .object(members), line: line, column: 0)
    }

    /// `{"system": "oai-pmh", "url": BASE_URL, "originalId": IDENTIFIER}`: where a harvested
    /// record came from (no url when the response names no absolute base URL).
    private func oaiSource(_ identifier: String, baseURL: String?, line: Int) -> JSONNode {
        func string(_ text: String) -> JSONNode { JSONNode(value: textValue(text), line: line, column: 0) }
        var source = [JSONNode.Member(key: "system", line: line, column: 0, value: string("oai-pmh"))]
        if let baseURL, RecordValidator.isAbsoluteURL(baseURL) {
            source.append(JSONNode.Member(key: "url", line: line, column: 0, value: string(baseURL)))
        }
        source.append(JSONNode.Member(key: "originalId", line: line, column: 0, value: string(identifier)))
        return JSONNode(value: .object(source), line: line, column: 0)
    }
}
