// The envelope of one OAI-PMH response, without its records: what a harvester needs to go on
// (the response date, the resumption token, an error). The records themselves are read by
// XMLRecordReader, as a file's are.

/// The parts of an OAI-PMH response that surround its records.
///
/// ```swift
/// let envelope = try OAIResponseEnvelope(bytes: body)
/// if let token = envelope.resumptionToken?.token { ... }   // ask for the next page
/// ```
public struct OAIResponseEnvelope: Sendable, Hashable {
    /// A `<resumptionToken>` element.
    public struct ResumptionToken: Sendable, Hashable {
        /// The token; empty on the last page of a list.
        public var token: String
        /// `completeListSize`, when the provider gives it.
        public var completeListSize: Int?
        /// `cursor`, when the provider gives it.
        public var cursor: Int?
        /// `expirationDate`, as written.
        public var expirationDate: String?
        /// Line of the element in the response.
        public var line: Int
    }

    /// An OAI-PMH `<error>` element.
    public struct ProtocolError: Sendable, Hashable {
        /// The error code (`badArgument`, `noRecordsMatch`, ...).
        public var code: String
        /// The provider's message (may be empty).
        public var message: String
    }

    /// The header of one item of a list.
    public struct Header: Sendable, Hashable {
        /// The item's OAI identifier (`oai:repo.example.org:10138/1074`).
        public var identifier: String
        /// The item's `<datestamp>`, as written: when the provider last changed or deleted it.
        public var datestamp: String
        /// `status="deleted"`.
        public var deleted: Bool
        /// The `<setSpec>`s the item belongs to.
        public var sets: [String]
    }

    /// `<responseDate>`, as written (`YYYY-MM-DDThh:mm:ssZ`).
    public var responseDate: String?
    /// The text of `<request>`: the provider's base URL.
    public var baseURL: String?
    /// The verb element the response holds (`ListRecords`, `Identify`, ...), nil when it holds errors.
    public var verb: String?
    /// The errors of the response (OAI-PMH allows several).
    public var errors: [ProtocolError] = []
    /// The resumption token of a list response, nil when the list fits in this response.
    public var resumptionToken: ResumptionToken?
    /// The headers of the list's items (of ListRecords and ListIdentifiers), in order.
    public var headers: [Header] = []
    /// Identify's `<granularity>` (`YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ`).
    public var granularity: String?
    /// Identify's `<earliestDatestamp>`.
    public var earliestDatestamp: String?
    /// Identify's `<repositoryName>`.
    public var repositoryName: String?

    package init() {}

    /// Reads the envelope of `bytes`.
    /// - Throws: ``Diagnostic`` (an error naming `displayName` and the line) when the bytes
    ///   are not well-formed XML, go past the XML parser's limits, or are not an OAI-PMH response.
    public init(bytes: [UInt8], displayName: String = "response") throws(Diagnostic) {
        do {
            try self.init(reading: bytes, displayName: displayName)
        } catch {
            throw error.diagnostic
        }
    }

    /// Why a response cannot be read: the error, and whether the bytes go past the XML
    /// parser's limits (a text, name or comment too long, elements nested too deep), which
    /// reading them again cannot mend, unlike a response cut short.
    package struct Unreadable: Error {
        package var diagnostic: Diagnostic
        package var exceedsParserLimits: Bool
    }

    /// Reads the envelope of `bytes`, saying whether a failure is the parser's limits.
    package init(reading bytes: [UInt8], displayName: String) throws(Unreadable) {
        do {
            try self.init(parsing: bytes, displayName: displayName)
        } catch let error as XMLReadError {
            // (A text over libxml2's limit is reported to a record's author as "shorten it";
            // in a provider's response, only what went wrong.)
            let reason =
                error.message == RecordLimits.default.textTooLongMessage
                ? "a text is longer than \(RecordLimits.describe(RecordLimits.defaultMaximumTextBytes)), the most the XML parser reads"
                : error.message
            let message =
                error.exceedsParserLimits
                ? "cannot be parsed: \(reason)\(error.recordID.map { " (record \($0))" } ?? "")"
                : "not well-formed XML: \(error.message)"
            throw Unreadable(
                diagnostic: Diagnostic(.error, file: displayName, line: error.line, column: error.column, message: message),
                exceedsParserLimits: error.exceedsParserLimits)
        } catch let diagnostic as Diagnostic {
            throw Unreadable(diagnostic: diagnostic, exceedsParserLimits: false)
        } catch {
            throw Unreadable(diagnostic: Diagnostic(.error, file: displayName, message: "\(error)"), exceedsParserLimits: false)
        }
    }

    private init(parsing bytes: [UInt8], displayName: String) throws {
        do {
            let reader = try XMLStreamReader(input: .bytes(bytes))
            var sawRoot = false
            var more = try reader.read()
            while more {
                guard reader.isElement else {
                    more = try reader.read()
                    continue
                }
                let inOAI = reader.namespaceURI == XMLNamespace.oaiPMH
                switch reader.depth {
                case 0:
                    guard inOAI, reader.localName == "OAI-PMH" else {
                        throw Diagnostic(
                            .error, file: displayName, line: reader.lineNumber,
                            message: "not an OAI-PMH response: the root element is <\(reader.localName)> \(reader.namespaceURI.map { "in \($0)" } ?? "in no namespace"), not <OAI-PMH> in http://www.openarchives.org/OAI/2.0/")
                    }
                    sawRoot = true
                    more = try reader.read()
                case 1 where inOAI:
                    let name = reader.localName
                    switch name {
                    case "responseDate":
                        responseDate = try reader.expand().text.trimmed
                        more = try reader.next()
                    case "request":
                        let text = try reader.expand().text.trimmed
                        baseURL = text.isEmpty ? nil : text
                        more = try reader.next()
                    case "error":
                        let element = try reader.expand()
                        errors.append(ProtocolError(code: element.attribute("code") ?? "", message: element.text.trimmed))
                        more = try reader.next()
                    default:
                        verb = name
                        more = try reader.read()
                    }
                case 2 where inOAI:
                    switch (verb, reader.localName) {
                    case (_, "resumptionToken"):
                        let element = try reader.expand()
                        resumptionToken = ResumptionToken(
                            token: element.text.trimmed,
                            completeListSize: element.attribute("completeListSize").flatMap { Int($0) },
                            cursor: element.attribute("cursor").flatMap { Int($0) },
                            expirationDate: element.attribute("expirationDate"), line: element.line)
                        more = try reader.next()
                    case ("Identify", "granularity"):
                        granularity = try reader.expand().text.trimmed
                        more = try reader.next()
                    case ("Identify", "earliestDatestamp"):
                        earliestDatestamp = try reader.expand().text.trimmed
                        more = try reader.next()
                    case ("Identify", "repositoryName"):
                        repositoryName = try reader.expand().text.trimmed
                        more = try reader.next()
                    case ("ListRecords", "record"):
                        more = try reader.read()
                    case ("ListIdentifiers", "header"):
                        headers.append(Self.header(try reader.expand()))
                        more = try reader.next()
                    default:
                        more = try reader.next()
                    }
                case 3 where inOAI && verb == "ListRecords" && reader.localName == "header":
                    headers.append(Self.header(try reader.expand()))
                    more = try reader.next()
                default:
                    more = try reader.next()
                }
            }
            guard sawRoot else { throw Diagnostic(.error, file: displayName, message: "not an OAI-PMH response: no root element") }
        }
    }
}

extension OAIResponseEnvelope {
    fileprivate static func header(_ element: XMLElement) -> Header {
        var header = Header(identifier: "", datestamp: "", deleted: element.attribute("status") == "deleted", sets: [])
        for child in element.children where child.namespaceURI == XMLNamespace.oaiPMH {
            switch child.localName {
            case "identifier": header.identifier = child.text.trimmed
            case "datestamp": header.datestamp = child.text.trimmed
            case "setSpec": header.sets.append(child.text.trimmed)
            default: break
            }
        }
        return header
    }
}

extension String {
    fileprivate var trimmed: String {
        var view = Substring(self)
        while let first = view.first, first.isWhitespace { view.removeFirst() }
        while let last = view.last, last.isWhitespace { view.removeLast() }
        return String(view)
    }
}
