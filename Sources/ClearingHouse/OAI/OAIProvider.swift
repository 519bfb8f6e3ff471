import Foundation

/// How an ``OAIProvider`` describes itself and pages its lists.
public struct OAIConfiguration: Sendable, Hashable {
    /// The repository's name in Identify.
    public var repositoryName: String
    /// Whom to write to about the repository (at least one, `name@domain.tld`).
    public var adminEmails: [String]
    /// Records or headers per page of ListRecords and ListIdentifiers (at least 1).
    public var pageSize: Int
    /// Where the schema of the `chm` metadata format (`Corpus/schema/records.xsd`) can be
    /// found. Nil (the default): beside the base URL, as `chm serve` serves it: the base URL
    /// with its last path segment (`/oai`) replaced by `/schema/records.xsd`.
    public var chmSchemaURL: String?

    /// A configuration; the defaults are `chm serve`'s.
    public init(
        repositoryName: String = "chm clearing-house", adminEmails: [String] = ["chm@example.org"], pageSize: Int = 100,
        chmSchemaURL: String? = nil
    ) {
        self.repositoryName = repositoryName
        self.adminEmails = adminEmails
        self.pageSize = pageSize
        self.chmSchemaURL = chmSchemaURL
    }

    /// Checks what Identify will say: at least one admin email, each one the OAI-PMH schema's
    /// `emailType` takes (``isAdminEmail(_:)``), and a page size of 1 to ``maximumPageSize``.
    /// - Throws: ``ClearingHouseError`` naming the parameter (`oaiAdminEmail`, `oaiPageSize`).
    public func validate() throws {
        guard !adminEmails.isEmpty else {
            throw ClearingHouseError.parameter("oaiAdminEmail", "give at least one admin email (name@example.org): Identify must name one")
        }
        for email in adminEmails where !Self.isAdminEmail(email) {
            throw ClearingHouseError.parameter(
                "oaiAdminEmail",
                "\"\(email)\" is not an email address as OAI-PMH's Identify needs one: NAME@DOMAIN.TLD, without spaces (e.g. chm-admin@example.org)")
        }
        guard (1...Self.maximumPageSize).contains(pageSize) else {
            throw ClearingHouseError.parameter("oaiPageSize", "\(pageSize) is not between 1 and \(Self.maximumPageSize)")
        }
    }

    /// The largest OAI-PMH page (a page is built in memory before it is sent).
    public static let maximumPageSize = 10_000

    /// Whether `email` matches the OAI-PMH schema's `emailType`, `\S+@(\S+\.)+\S+`: no white
    /// space (nor other control characters, which XML cannot carry), text before an `@`, and
    /// after it a dot with text on both sides.
    public static func isAdminEmail(_ email: String) -> Bool {
        let characters = Array(email.unicodeScalars)
        guard !characters.isEmpty, characters.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }) else { return false }
        for (index, character) in characters.enumerated() where character == "@" && index > 0 {
            let rest = characters[(index + 1)...]
            // (\S+\.)+\S+: a dot neither first nor last.
            if rest.count >= 3, rest.dropFirst().dropLast().contains(".") { return true }
        }
        return false
    }
}

/// An OAI-PMH 2.0 repository of a ``ClearingHouse``: it answers the six verbs with the XML
/// text of the response, as a server sends it (protocol errors are responses too).
///
/// ```swift
/// let provider = OAIProvider(house: house)
/// let xml = try provider.respond(toQuery: "verb=ListRecords&metadataPrefix=oai_dc", baseURL: "http://localhost:8080/oai")
/// ```
///
/// - Identifiers are record ids. Datestamps are when the catalog last changed a record (the
///   commit), at seconds granularity; `from` and `until` take days or seconds and are inclusive.
/// - Deleted records stay as headers with `status="deleted"` (`deletedRecord` is `persistent`).
/// - Sets: `kind:KIND`, `country:CC`, `region:NAME`, `theme:NAME` under `kind`, `country`,
///   `region` and `theme` (see ListSets; other bytes of a name are written `~XX`).
/// - Metadata formats: `oai_dc` and `chm` (the native XML record, lossless).
/// - A harvest pages with resumption tokens signed with the catalog's secret. A token keeps
///   the harvest on the catalog as it was when the harvest started: a record changed or
///   deleted since is left for the next incremental harvest (`from` the first response's
///   `responseDate`), so each record that stayed unchanged is given exactly once.
public struct OAIProvider: Sendable {
    /// The clearing-house served.
    public let house: ClearingHouse
    /// Names, page size, schema location.
    public let configuration: OAIConfiguration

    /// A provider of `house`.
    public init(house: ClearingHouse, configuration: OAIConfiguration = OAIConfiguration()) {
        self.house = house
        var configuration = configuration
        configuration.pageSize = max(1, configuration.pageSize)
        self.configuration = configuration
    }

    /// The six verbs.
    static let verbs: [String: Set<String>] = [
        "Identify": [],
        "ListMetadataFormats": ["identifier"],
        "ListSets": ["resumptionToken"],
        "GetRecord": ["identifier", "metadataPrefix"],
        "ListIdentifiers": ["metadataPrefix", "from", "until", "set", "resumptionToken"],
        "ListRecords": ["metadataPrefix", "from", "until", "set", "resumptionToken"],
    ]

    /// An OAI-PMH error condition.
    struct ProtocolError: Error {
        let code: String
        let message: String
    }

    /// The response to a query string or a form-encoded body (`verb=Identify&...`): `+` is a
    /// space, `%XX` a byte of UTF-8; broken encoding is a badArgument.
    /// - Parameters:
    ///   - query: the query string (without `?`) or the body.
    ///   - baseURL: the provider's address, as the response's `request` element names it.
    /// - Throws: ``ClearingHouseError`` when the catalog cannot be read (protocol errors are
    ///   responses).
    public func respond(toQuery query: String?, baseURL: String) throws -> String {
        var arguments: [(name: String, value: String)] = []
        for pair in (query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = String(parts[0]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding,
                let value = (parts.count > 1 ? String(parts[1]) : "").replacingOccurrences(of: "+", with: " ").removingPercentEncoding
            else {
                return response(
                    baseURL: baseURL, echo: nil,
                    body: .failure(Errors("badArgument", "an argument is not valid percent-encoded UTF-8")))
            }
            arguments.append((name, value))
        }
        return try respond(to: arguments, baseURL: baseURL)
    }

    /// `text` as an error message quotes it: at most 100 characters (hostile-client QA: a name
    /// of two megabytes was echoed whole).
    static func shown(_ text: String) -> String {
        text.count <= 100 ? text : String(text.prefix(100)) + "…"
    }

    /// The response to the request's arguments, in the order given (repeated names allowed:
    /// they are a badArgument, as the protocol says).
    /// - Throws: ``ClearingHouseError`` when the catalog cannot be read.
    public func respond(to arguments: [(name: String, value: String)], baseURL: String) throws -> String {
        let verbValues = arguments.filter { $0.name == "verb" }.map(\.value)
        guard verbValues.count == 1, let verb = verbValues.first, let allowed = Self.verbs[verb] else {
            let message =
                verbValues.isEmpty
                ? "the verb argument is missing"
                : verbValues.count > 1 ? "the verb argument is repeated" : "\(Self.shown(verbValues[0])) is not an OAI-PMH verb"
            return response(baseURL: baseURL, echo: nil, body: .failure(Errors("badVerb", message)))
        }
        var values: [String: String] = [:]
        for (name, value) in arguments where name != "verb" {
            guard allowed.contains(name) else {
                return response(
                    baseURL: baseURL, echo: nil,
                    body: .failure(Errors("badArgument", "\(Self.shown(name)) is not an argument of \(verb)")))
            }
            guard values[name] == nil else {
                return response(
                    baseURL: baseURL, echo: nil, body: .failure(Errors("badArgument", "\(name) is repeated")))
            }
            values[name] = value
        }
        if values["resumptionToken"] != nil, values.count > 1 {
            return response(
                baseURL: baseURL, echo: nil,
                body: .failure(Errors("badArgument", "resumptionToken is an exclusive argument")))
        }
        let now = Int(Date().timeIntervalSince1970)
        let schemaURL = configuration.chmSchemaURL ?? Self.chmSchemaURL(besides: baseURL)
        let body: Result<String, Errors>
        do {
            switch verb {
            case "Identify": body = .success(try identify(baseURL: baseURL, now: now))
            case "ListMetadataFormats": body = .success(try listMetadataFormats(values, schemaURL: schemaURL))
            case "ListSets": body = .success(try listSets(values))
            case "GetRecord": body = .success(try getRecord(values, schemaURL: schemaURL))
            default: body = .success(try list(verb: verb, values, now: now, schemaURL: schemaURL))
            }
        } catch let errors as Errors {
            body = .failure(errors)
        }
        let badRequest = body.errorCodes.contains { $0 == "badArgument" || $0 == "badVerb" }
        var echo: [(String, String)] = [("verb", verb)]
        for name in ["identifier", "metadataPrefix", "from", "until", "set", "resumptionToken"] {
            guard let value = values[name] else { continue }
            if name == "identifier" && !Self.looksLikeURI(value) { continue }
            echo.append((name, value))
        }
        return response(baseURL: baseURL, echo: badRequest ? nil : echo, body: body, now: now)
    }

    /// One or more protocol errors.
    struct Errors: Error {
        var errors: [ProtocolError]
        init(_ errors: [ProtocolError]) { self.errors = errors }
        init(_ code: String, _ message: String) { errors = [ProtocolError(code: code, message: message)] }
    }

    // MARK: The verbs

    private func identify(baseURL: String, now: Int) throws -> String {
        let earliest = try house.catalog.oaiEarliestDatestamp() ?? now
        var out = "<Identify>"
        out += "<repositoryName>\(XMLEscaping.escape(configuration.repositoryName))</repositoryName>"
        out += "<baseURL>\(XMLEscaping.escape(baseURL))</baseURL>"
        out += "<protocolVersion>2.0</protocolVersion>"
        for email in configuration.adminEmails { out += "<adminEmail>\(XMLEscaping.escape(email))</adminEmail>" }
        out += "<earliestDatestamp>\(OAIResponseXML.datestamp(earliest))</earliestDatestamp>"
        out += "<deletedRecord>persistent</deletedRecord>"
        out += "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
        out += "</Identify>"
        return out
    }

    private func listMetadataFormats(_ values: [String: String], schemaURL: String) throws -> String {
        if let identifier = values["identifier"] {
            guard let item = try house.catalog.oaiItem(id: identifier) else {
                throw Errors("idDoesNotExist", "no item has the identifier \(Self.shown(identifier))")
            }
            if item.deleted {
                throw Errors("noMetadataFormats", "\(identifier) was deleted: its metadata is no longer disseminated in any format")
            }
        }
        var out = "<ListMetadataFormats>"
        for format in OAIMetadataFormat.allCases {
            out += "<metadataFormat><metadataPrefix>\(format.rawValue)</metadataPrefix>"
            out += "<schema>\(XMLEscaping.escape(format.schema(chmSchemaURL: schemaURL)))</schema>"
            out += "<metadataNamespace>\(format.namespace)</metadataNamespace></metadataFormat>"
        }
        out += "</ListMetadataFormats>"
        return out
    }

    private func listSets(_ values: [String: String]) throws -> String {
        if values["resumptionToken"] != nil {
            throw Errors("badResumptionToken", "ListSets answers in one response; this resumption token is not one of ours")
        }
        let specs = try house.catalog.oaiSetSpecs()
        guard !specs.isEmpty else { throw Errors("noSetHierarchy", "the repository holds no records, so it has no sets yet") }
        var out = "<ListSets>"
        for spec in specs {
            out += "<set><setSpec>\(XMLEscaping.escape(spec))</setSpec><setName>\(XMLEscaping.escape(OAISets.name(of: spec)))</setName></set>"
        }
        out += "</ListSets>"
        return out
    }

    private func getRecord(_ values: [String: String], schemaURL: String) throws -> String {
        guard let identifier = values["identifier"] else { throw Errors("badArgument", "GetRecord needs an identifier") }
        guard let prefix = values["metadataPrefix"] else { throw Errors("badArgument", "GetRecord needs a metadataPrefix") }
        var errors: [ProtocolError] = []
        let format = try metadataFormat(prefix, errors: &errors)
        let item = try house.catalog.oaiItem(id: identifier)
        if item == nil { errors.append(ProtocolError(code: "idDoesNotExist", message: "no item has the identifier \(Self.shown(identifier))")) }
        guard errors.isEmpty, let item, let format else { throw Errors(errors) }
        return "<GetRecord>\(try self.record(item, format: format, schemaURL: schemaURL))</GetRecord>"
    }

    /// The format `prefix` names; a badArgument is thrown, an unknown format noted in `errors`.
    private func metadataFormat(_ prefix: String, errors: inout [ProtocolError]) throws -> OAIMetadataFormat? {
        guard Self.isValidPrefix(prefix) else { throw Errors("badArgument", "\(Self.shown(prefix)) is not a metadata prefix") }
        guard let format = OAIMetadataFormat(rawValue: prefix) else {
            errors.append(
                ProtocolError(
                    code: "cannotDisseminateFormat",
                    message: "\(Self.shown(prefix)) is not disseminated here; formats: \(OAIMetadataFormat.allCases.map(\.rawValue).joined(separator: ", "))"))
            return nil
        }
        return format
    }

    private func list(verb: String, _ values: [String: String], now: Int, schemaURL: String) throws -> String {
        let catalog = house.catalog
        var token: OAIResumptionToken
        let resumed = values["resumptionToken"] != nil
        if let text = values["resumptionToken"] {
            guard let decoded = OAIResumptionToken(text, secret: try catalog.oaiSecret()), decoded.verb == verb,
                OAIMetadataFormat(rawValue: decoded.metadataPrefix) != nil
            else {
                throw Errors("badResumptionToken", "the resumption token is not valid (it was changed, or is not one of this repository's)")
            }
            token = decoded
        } else {
            guard let prefix = values["metadataPrefix"] else { throw Errors("badArgument", "\(verb) needs a metadataPrefix") }
            let from = try values["from"].map { try Self.parseDate($0, argument: "from", end: false) }
            let until = try values["until"].map { try Self.parseDate($0, argument: "until", end: true) }
            if let from, let until {
                guard from.dayGranularity == until.dayGranularity else {
                    throw Errors("badArgument", "from and until must have the same granularity")
                }
                guard from.seconds <= until.seconds else { throw Errors("badArgument", "from is later than until") }
            }
            if let set = values["set"], !OAISets.isValidSpec(set) { throw Errors("badArgument", "\(Self.shown(set)) is not a set spec") }
            var errors: [ProtocolError] = []
            _ = try metadataFormat(prefix, errors: &errors)
            if values["set"] != nil, try !catalog.oaiHasSets() {
                errors.append(ProtocolError(code: "noSetHierarchy", message: "the repository holds no records, so it has no sets yet"))
            }
            if !errors.isEmpty { throw Errors(errors) }
            var query = OAIItemQuery(
                from: from?.seconds ?? Int.min, until: until?.seconds ?? now, set: values["set"], maxSequence: 0, after: nil)
            let (maxSequence, count) = try catalog.oaiStartList(query)
            query.maxSequence = maxSequence
            guard count > 0 else { throw Errors("noRecordsMatch", "no records match the request") }
            token = OAIResumptionToken(
                verb: verb, metadataPrefix: prefix, set: query.set, from: query.from, until: query.until, maxSequence: maxSequence,
                lastDatestamp: Int.min, lastID: "", cursor: 0, completeListSize: count)
            token.untilGiven = until != nil
        }
        var query = OAIItemQuery(
            from: token.from, until: token.until, set: token.set, maxSequence: token.maxSequence,
            after: resumed ? (token.lastDatestamp, token.lastID) : nil, setSize: token.completeListSize)
        var fetched = try catalog.oaiItems(query, limit: configuration.pageSize + 1, withJSON: verb == "ListRecords")
        if fetched.isEmpty, resumed {
            // Every record left in the list changed since the harvest started: a change gives a
            // record a newer datestamp and a later change-log position, past the list's end.
            // The list goes on to them as they are now, with whatever else changed meanwhile (a
            // record given before may come again). (QA: the token was answered with
            // noRecordsMatch, and harvesters stopped or started over.) A list with an `until`
            // the harvester gave never goes past it.
            if !token.untilGiven { token.until = max(token.until, now) }
            token.maxSequence = max(token.maxSequence, try catalog.lastChangeSequence())
            query.until = token.until
            query.maxSequence = token.maxSequence
            fetched = try catalog.oaiItems(query, limit: configuration.pageSize + 1, withJSON: verb == "ListRecords")
        }
        let page = fetched.prefix(configuration.pageSize)
        guard let last = page.last else {
            throw Errors("noRecordsMatch", "the records left in this list have changed since the harvest started; harvest again from its start time")
        }
        let format = OAIMetadataFormat(rawValue: token.metadataPrefix) ?? .oaiDC
        var out = "<\(verb)>"
        for item in page {
            out += verb == "ListRecords" ? try record(item, format: format, schemaURL: schemaURL) : header(item)
        }
        let cursor = token.cursor
        let size = max(token.completeListSize, cursor + page.count)
        if fetched.count > page.count {
            token.lastDatestamp = last.datestamp
            token.lastID = last.id
            token.cursor = cursor + page.count
            token.completeListSize = size
            let text = token.encoded(secret: try catalog.oaiSecret())
            out += #"<resumptionToken completeListSize="\#(size)" cursor="\#(cursor)">\#(XMLEscaping.escape(text))</resumptionToken>"#
        } else if resumed {
            out += #"<resumptionToken completeListSize="\#(size)" cursor="\#(cursor)"/>"#
        }
        out += "</\(verb)>"
        return out
    }

    // MARK: Items

    private func header(_ item: OAIItem) -> String {
        OAIResponseXML.header(
            identifier: item.id, datestamp: item.datestamp, sets: item.sets, deleted: item.deleted || item.json == nil && item.kind == nil)
    }

    private func record(_ item: OAIItem, format: OAIMetadataFormat, schemaURL: String) throws -> String {
        guard !item.deleted, let json = item.json else {
            return OAIResponseXML.record(
                header: OAIResponseXML.header(identifier: item.id, datestamp: item.datestamp, sets: item.sets, deleted: true), metadata: nil)
        }
        let record = try Record(fromCatalog: json)
        return OAIResponseXML.record(header: header(item), metadata: format.metadata(record, chmSchemaURL: schemaURL))
    }

    // MARK: The response

    private func response(baseURL: String, echo: [(String, String)]?, body: Result<String, Errors>, now: Int? = nil) -> String {
        var out = OAIResponseXML.opening(responseDate: now ?? Int(Date().timeIntervalSince1970), arguments: echo ?? [], baseURL: baseURL)
        switch body {
        case .success(let text): out += text
        case .failure(let errors):
            for error in errors.errors { out += OAIResponseXML.error(code: error.code, message: error.message) }
        }
        out += OAIResponseXML.closing
        return out
    }

    // MARK: Values

    /// A `from` or `until` value: a day (its first or, for `until`, last second) or a UTC time to the second.
    static func parseDate(_ text: String, argument: String, end: Bool) throws(Errors) -> (seconds: Int, dayGranularity: Bool) {
        let bad = Errors("badArgument", "\(argument)=\(Self.shown(text)) is not a date (YYYY-MM-DD) or a time (YYYY-MM-DDThh:mm:ssZ)")
        let bytes = Array(text.utf8)
        let isDigitAt = { (index: Int) in bytes[index] >= 0x30 && bytes[index] <= 0x39 }
        // XML Schema's dates, which OAI-PMH's are, have no year 0000: echoed in <request>, it
        // would make the response invalid.
        guard !text.hasPrefix("0000") else {
            throw Errors("badArgument", "\(argument)=\(text): year 0000 is not a year of an OAI-PMH date (the earliest is 0001)")
        }
        switch bytes.count {
        case 10:
            guard (0..<10).allSatisfy({ [4, 7].contains($0) ? bytes[$0] == UInt8(ascii: "-") : isDigitAt($0) }),
                let seconds = RecordDate.secondsSinceEpoch(rfc3339: text + (end ? "T23:59:59Z" : "T00:00:00Z"))
            else { throw bad }
            return (Int(seconds), true)
        case 20:
            guard bytes[19] == UInt8(ascii: "Z"), bytes[10] == UInt8(ascii: "T"),
                (0..<19).allSatisfy({ [4, 7].contains($0) ? bytes[$0] == UInt8(ascii: "-") : [13, 16].contains($0) ? bytes[$0] == UInt8(ascii: ":") : $0 == 10 || isDigitAt($0) }),
                let seconds = RecordDate.secondsSinceEpoch(rfc3339: text), !text.hasSuffix(":60Z")
            else { throw bad }
            return (Int(seconds), false)
        default:
            throw bad
        }
    }

    /// Whether `prefix` follows the protocol's metadataPrefix grammar.
    /// The address of `records.xsd` beside the base URL `baseURL`, as `chm serve` serves it:
    /// its last path segment replaced by `schema/records.xsd` (`http://host/oai` ->
    /// `http://host/schema/records.xsd`; `http://host/chm/oai` -> `http://host/chm/schema/records.xsd`).
    static func chmSchemaURL(besides baseURL: String) -> String {
        guard var components = URLComponents(string: baseURL), components.scheme != nil, components.host != nil else {
            return baseURL + "/schema/records.xsd"
        }
        var path = components.path
        if let slash = path.lastIndex(of: "/") { path = String(path[..<slash]) }
        components.path = path + "/schema/records.xsd"
        components.query = nil
        components.fragment = nil
        return components.string ?? baseURL + "/schema/records.xsd"
    }

    static func isValidPrefix(_ prefix: String) -> Bool {
        !prefix.isEmpty
            && prefix.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.!~*'()".unicodeScalars.contains(scalar))
            }
    }

    /// Whether `text` can stand in an attribute of type anyURI (no spaces, controls or characters URIs never hold).
    static func looksLikeURI(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !"<>\"{}|\\^`".unicodeScalars.contains($0) }
    }
}

extension Result where Success == String, Failure == OAIProvider.Errors {
    /// The codes of the errors, if any.
    var errorCodes: [String] {
        if case .failure(let errors) = self { return errors.errors.map(\.code) }
        return []
    }
}
