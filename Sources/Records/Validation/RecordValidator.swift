// Turns a parsed record (a JSON object, or the same shape built from an XML element) into a
// valid Record, or explains precisely why it cannot: every problem names the line, column,
// record id and field.

/// Validates parsed records against the record format.
package struct RecordValidator: Sendable {
    /// The file the records come from, as the user named it.
    var file: String
    /// Unknown fields are errors instead of warnings.
    var strict: Bool
    /// The kind of records that give none (for test collections: `--kind resource`).
    var defaultKind: RecordKind? = nil
    /// The language of plain-string text in records that give none (`--language en`).
    var defaultLanguage: String? = nil
    /// A record may have no title if it has other text (test collections, and records read
    /// back from the catalog, which were validated when they were stored).
    var titleIsOptional = false
    /// The input is a test collection: BEIR's `_id` is read as the id.
    var readsTestCollection = false
    /// The limits the reader enforced (for the message about a value that is too long).
    var limits: RecordLimits = .default

    /// A validator for the records of `file`; the parameters are the properties above.
    package init(
        file: String, strict: Bool, defaultKind: RecordKind? = nil, defaultLanguage: String? = nil,
        titleIsOptional: Bool = false, readsTestCollection: Bool = false, limits: RecordLimits = .default
    ) {
        self.file = file
        self.strict = strict
        self.defaultKind = defaultKind
        self.defaultLanguage = defaultLanguage
        self.titleIsOptional = titleIsOptional
        self.readsTestCollection = readsTestCollection
        self.limits = limits
    }

    static let knownFields: Set<String> = [
        "id", "kind", "title", "summary", "description", "language", "keywords", "themes", "targets",
        "countries", "regions", "assistanceTypes", "organizations", "links", "published", "updated",
        "license", "source", "related", "extensions",
    ]
    /// The longest id, in bytes (an id is ASCII, so in characters too).
    static let maximumIDLength = 200

    /// Whether `id` is a valid record id (``idProblem(_:)`` finds nothing wrong with it).
    static func isValidID(_ id: String) -> Bool {
        idProblem(id) == nil
    }

    /// What is wrong with `id` as a record id, or nil when it is valid.
    ///
    /// An id is 1-200 characters of URI syntax (RFC 3986), so that every OAI-PMH identifier
    /// is one (`hdl:1765/308`, `oai:bnf.fr:gallica/ark:/12148/bpt6k5440618t`): letters,
    /// digits, the unreserved `- . _ ~`, the reserved `: / ? # [ ] @ ! $ & ' ( ) * + , ; =`,
    /// and `%` only as the start of a `%XX` escape. White space, control characters,
    /// `< > " { } | \ ^` and the backquote, and any character outside ASCII (which a URI
    /// holds percent-encoded) are refused.
    static func idProblem(_ id: String) -> String? {
        let bytes = Array(id.utf8)
        if bytes.isEmpty { return "an id cannot be empty" }
        // (Web addresses drop these segments: `/records/..` is `/`. QA: a record the page
        // linked to but no browser could open.)
        if id == "." || id == ".." { return "an id cannot be \"\(id)\", which web addresses remove as a path segment; give the record another id" }
        if bytes.count > maximumIDLength {
            return "the id is \(bytes.count) bytes long; an id has at most \(maximumIDLength)"
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else {
                    return "\"%\" at character \(index + 1) does not start a %XX escape (write % itself as %25)"
                }
                index += 3
                continue
            }
            guard isIDByte(byte) else {
                // Name the character, and where it is (in characters: what precedes is ASCII).
                let position = id.utf8.index(id.utf8.startIndex, offsetBy: index)
                let scalar = id.unicodeScalars[position...].first ?? " "
                let hex = String(scalar.value, radix: 16, uppercase: true)
                let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                let name =
                    scalar.properties.isWhitespace
                    ? "white space" : scalar.value < 0x20 || scalar.value == 0x7F ? "a control character" : "\"\(scalar)\""
                let hint = scalar.isASCII ? "" : " (outside ASCII: percent-encode it, as URIs do)"
                return "the id holds \(name) (\(code)) at character \(index + 1)\(hint); "
                    + "an id is 1-200 characters of URI syntax: A-Z a-z 0-9 - . _ ~ : / ? # [ ] @ ! $ & ' ( ) * + , ; = and %XX escapes"
            }
            index += 1
        }
        return nil
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "F"), UInt8(ascii: "a")...UInt8(ascii: "f"): return true
        default: return false
        }
    }

    /// Whether `byte` may stand in an id as itself: RFC 3986's unreserved and reserved characters.
    private static func isIDByte(_ byte: UInt8) -> Bool {
        byte < 0x80 && idBytes[Int(byte)]
    }

    /// The ASCII bytes an id may hold as themselves: letters, digits, the unreserved `- . _ ~`,
    /// the gen-delims `: / ? # [ ] @` and the sub-delims `! $ & ' ( ) * + , ; =`.
    private static let idBytes: [Bool] = {
        var table = [Bool](repeating: false, count: 128)
        for byte in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=".utf8 {
            table[Int(byte)] = true
        }
        return table
    }()

    /// The outcome for one record: the record when it is valid, and every diagnostic.
    package struct Outcome {
        /// The record, when it is valid.
        package var record: Record?
        /// Every error, warning and notice about the record.
        package var diagnostics: [Diagnostic]
        /// The record's id, when it has a usable one.
        package var recordID: String?
        /// The line where the record starts.
        package var line: Int
    }

    /// Validates one record object.
    package func validate(_ node: JSONNode) -> Outcome {
        var context = Context(file: file, strict: strict, recordLine: node.line)
        context.defaultKind = defaultKind
        context.defaultLanguage = defaultLanguage
        context.titleIsOptional = titleIsOptional
        context.readsTestCollection = readsTestCollection
        context.limits = limits
        let record = context.build(node)
        return Outcome(
            record: context.hasErrors ? nil : record, diagnostics: context.diagnostics,
            recordID: context.recordID, line: node.line)
    }

    /// Validation state for one record.
    private struct Context {
        let file: String
        let strict: Bool
        let recordLine: Int
        var recordID: String?
        var diagnostics: [Diagnostic] = []
        var hasErrors = false
        var defaultKind: RecordKind?
        var defaultLanguage: String?
        var titleIsOptional = false
        var readsTestCollection = false
        var limits = RecordLimits.default

        init(file: String, strict: Bool, recordLine: Int) {
            self.file = file
            self.strict = strict
            self.recordLine = recordLine
        }

        mutating func report(_ severity: Diagnostic.Severity, _ node: JSONNode?, field: String?, _ message: String) {
            if severity == .error { hasErrors = true }
            // (A field given as null, as exports from databases write an empty column: QA.)
            var message = message
            // (Not for the required fields, which need a value.)
            if let field, !["id", "kind", "title"].contains(field), message.hasPrefix("expected "), message.hasSuffix(", found null") {
                message += "; a field without a value is left out of the record, not given as null"
            }
            diagnostics.append(
                Diagnostic(
                    severity, file: file, line: node?.line ?? recordLine,
                    column: node.flatMap { $0.column > 0 ? $0.column : nil },
                    recordID: recordID, field: field, message: message))
        }

        mutating func build(_ node: JSONNode) -> Record? {
            guard case .object(let members) = node.value else {
                report(.error, node, field: nil, "expected a record object, found \(node.typeName)")
                return nil
            }
            var fields: [String: JSONNode] = [:]
            // (JSON refuses a key given twice as it parses; XML elements can repeat one.)
            var repeated: [(member: JSONNode.Member, first: JSONNode)] = []
            for member in members {
                if let first = fields.updateValue(member.value, forKey: member.key) { repeated.append((member, first)) }
            }
            // BEIR corpora name the id `_id`.
            let idAlias = readsTestCollection && fields["id"] == nil && fields["_id"] != nil ? "_id" : nil
            if let idAlias { fields["id"] = fields[idAlias] }

            // id first, so that every later message can name the record.
            var id = ""
            if let idNode = fields["id"] {
                if case .string(let text) = idNode.value {
                    if let problem = RecordValidator.idProblem(text) {
                        report(.error, idNode, field: "id", "invalid id \"\(text.prefix(80))\": \(problem)")
                    } else {
                        id = text
                        recordID = text
                    }
                } else if case .oversizedString = idNode.value {
                    // Reported below with the other values that are too long.
                } else {
                    report(.error, idNode, field: "id", "expected a string, found \(idNode.typeName)")
                }
            } else {
                report(.error, node, field: "id", "missing required field")
            }
            for (member, first) in repeated {
                report(.error, member.value, field: member.key, "\(member.key) is given twice (first on line \(first.line)); give it once")
            }

            // A value too long to keep (its text was skipped) makes the record invalid;
            // those errors alone are reported, as the rest of the record cannot be judged
            // fairly without the skipped text (an empty title, a type mismatch...).
            var oversized: [(node: JSONNode, field: String)] = []
            collectOversized(in: members, path: nil, into: &oversized)
            if !oversized.isEmpty {
                for (position, field) in oversized {
                    report(.error, position, field: field, limits.textTooLongMessage)
                }
                return nil
            }

            var kind = RecordKind.resource
            if let kindNode = fields["kind"] {
                if let text = string(kindNode, field: "kind") {
                    if let parsed = RecordKind(rawValue: text) {
                        kind = parsed
                    } else {
                        let hint = RecordKind(looseName: text).map { " (did you mean \"\($0.rawValue)\"?)" } ?? ""
                        report(
                            .error, kindNode, field: "kind",
                            "unknown kind \"\(text)\"\(hint); expected one of "
                                + RecordKind.allCases.map(\.rawValue).joined(separator: ", "))
                    }
                }
            } else if let defaultKind {
                kind = defaultKind
            } else {
                report(.error, node, field: "kind", "missing required field")
            }

            var language = defaultLanguage ?? LanguageTag.undetermined
            if let languageNode = fields["language"], let text = string(languageNode, field: "language") {
                if let tag = LanguageTag.normalized(text) {
                    language = tag
                } else {
                    report(.error, languageNode, field: "language", "\"\(text)\" is not a valid BCP 47 language tag")
                }
            }

            // A document of a test collection may have no title; a record that states a kind
            // of its own other than the collection's is a clearing-house record, which needs one.
            let mayOmitTitle = titleIsOptional && (fields["kind"] == nil || kind == defaultKind)
            let errorsBeforeTitle = diagnostics.count
            let title = localized(fields["title"], field: "title", language: language)
            let descriptionKey = fields["description"] != nil ? "description" : (fields["body"] != nil ? "body" : "text")
            if let titleNode = fields["title"] {
                // A title of the wrong type (or with a wrong language or value) has been
                // reported already; "empty" would say the same thing twice.
                let titleReported = diagnostics[errorsBeforeTitle...].contains { $0.severity == .error }
                if !titleReported, !mayOmitTitle, title.values.values.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) {
                    report(.error, titleNode, field: "title", "title is empty; give it in at least one language")
                }
            } else if !mayOmitTitle {
                report(.error, node, field: "title", "missing required field")
            }

            var record = Record(
                id: id, kind: kind, language: language,
                title: title.values.values.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) ? LocalizedText() : title)
            record.summary = localized(fields["summary"], field: "summary", language: language)
            // Test collections (`{id, title, body}` or `text`) put the document's text in
            // `body` or `text`; it is the description.
            record.description = localized(fields[descriptionKey], field: descriptionKey, language: language)
            if mayOmitTitle, record.title.isEmpty, record.summary.isEmpty, record.description.isEmpty {
                report(.error, node, field: "title", "the document has no title and no text; give it a title, a summary or a body")
            }
            record.keywords = strings(fields["keywords"], field: "keywords")
            record.themes = strings(fields["themes"], field: "themes")
            record.targets = strings(fields["targets"], field: "targets")
            record.regions = strings(fields["regions"], field: "regions")
            record.assistanceTypes = strings(fields["assistanceTypes"], field: "assistanceTypes")
            record.countries = countries(fields["countries"])
            record.organizations = organizations(fields["organizations"])
            record.links = links(fields["links"])
            if let publishedNode = fields["published"], let text = string(publishedNode, field: "published").map(Self.trimmed) {
                if let problem = RecordDate.problemWithPublished(text) {
                    report(.error, publishedNode, field: "published", problem)
                } else {
                    record.published = text
                }
            }
            if let updatedNode = fields["updated"], let text = string(updatedNode, field: "updated").map(Self.trimmed) {
                if let seconds = RecordDate.secondsSinceEpoch(rfc3339: text) {
                    record.updated = text
                    // A clock or a typo far ahead would make every later copy look older.
                    if seconds > RecordDate.now() + RecordDate.futureTolerance {
                        report(
                            .warning, updatedNode, field: "updated",
                            "\(text) is more than a day in the future; the stored copy's date will not keep a later copy out")
                    }
                } else {
                    report(
                        .error, updatedNode, field: "updated",
                        "expected an RFC 3339 date-time such as 2024-05-01T09:30:00Z, found \"\(text)\"")
                }
            }
            if let licenseNode = fields["license"], let text = string(licenseNode, field: "license").map(Self.trimmed) {
                if text.isEmpty {
                    report(.error, licenseNode, field: "license", "license is empty")
                } else {
                    record.license = text
                }
            }
            record.source = source(fields["source"])
            for (index, relatedID) in indexedStrings(fields["related"], field: "related") {
                if let problem = RecordValidator.idProblem(relatedID) {
                    report(
                        .error, arrayElement(fields["related"], index), field: "related[\(index)]",
                        "invalid record id \"\(relatedID.prefix(80))\": \(problem)")
                } else {
                    record.related.append(relatedID)
                }
            }

            if let extensionsNode = fields["extensions"] {
                if case .object(let extensionMembers) = extensionsNode.value {
                    for member in extensionMembers { record.extensions[member.key] = member.value.jsonValue }
                } else {
                    report(.error, extensionsNode, field: "extensions", "expected an object, found \(extensionsNode.typeName)")
                }
            }
            for member in members
            where !RecordValidator.knownFields.contains(member.key) && member.key != descriptionKey && member.key != idAlias {
                let position = JSONNode(value: .null, line: member.line, column: member.column)
                if strict {
                    report(.error, position, field: member.key, "unknown field (not allowed with --strict)")
                } else {
                    report(.warning, position, field: member.key, "unknown field; kept under extensions")
                    if record.extensions[member.key] == nil {
                        record.extensions[member.key] = member.value.jsonValue
                    }
                }
            }
            return record
        }

        // MARK: Field readers

        /// The values in `members` (recursively) that were too long to keep, with the field
        /// path that names each (`description.fr`, `keywords[3]`, `extensions.notes`).
        func collectOversized(in members: [JSONNode.Member], path: String?, into found: inout [(node: JSONNode, field: String)]) {
            for member in members {
                collectOversized(member.value, path: path.map { "\($0).\(member.key)" } ?? member.key, into: &found)
            }
        }

        func collectOversized(_ node: JSONNode, path: String, into found: inout [(node: JSONNode, field: String)]) {
            switch node.value {
            case .oversizedString:
                found.append((node, path))
            case .array(let items):
                for (index, item) in items.enumerated() {
                    collectOversized(item, path: "\(path)[\(index)]", into: &found)
                }
            case .object(let members):
                collectOversized(in: members, path: path, into: &found)
            case .null, .bool, .number, .string:
                break
            }
        }

        mutating func string(_ node: JSONNode, field: String) -> String? {
            if case .string(let text) = node.value { return text }
            report(.error, node, field: field, "expected a string, found \(node.typeName)")
            return nil
        }

        func arrayElement(_ node: JSONNode?, _ index: Int) -> JSONNode? {
            guard let node, case .array(let items) = node.value, index < items.count else { return node }
            return items[index]
        }

        mutating func localized(_ node: JSONNode?, field: String, language: String) -> LocalizedText {
            guard let node else { return LocalizedText() }
            switch node.value {
            case .string(let text):
                return text.isEmpty ? LocalizedText() : LocalizedText([language: text])
            case .object(let members):
                var text = LocalizedText()
                for member in members {
                    let position = JSONNode(value: .null, line: member.line, column: member.column)
                    guard let tag = LanguageTag.normalized(member.key) else {
                        report(
                            .error, position, field: field,
                            "\"\(member.key)\" is not a valid BCP 47 language tag (use e.g. en, fr, zh, es-419)")
                        continue
                    }
                    guard case .string(let value) = member.value.value else {
                        report(.error, member.value, field: "\(field).\(member.key)", "expected a string, found \(member.value.typeName)")
                        continue
                    }
                    if text.values[tag] != nil {
                        report(.error, position, field: field, "language \(tag) is given twice")
                    }
                    if !value.isEmpty { text.set(value, language: tag) }
                }
                return text
            default:
                report(
                    .error, node, field: field,
                    "expected a string or an object of language -> text, found \(node.typeName)")
                return LocalizedText()
            }
        }

        mutating func strings(_ node: JSONNode?, field: String) -> [String] {
            indexedStrings(node, field: field).map(\.value)
        }

        /// `text` without white space at either end. Codes and dates (themes, targets,
        /// countries, regions, kinds of help, related ids, `published`, `updated`, `license`)
        /// are read so in every format: XML's elements give them trimmed, and JSON's `" marine "`
        /// was another theme than `"marine"` (QA: a facet of two values, a filter that missed).
        static func trimmed(_ text: String) -> String {
            guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
                first.properties.isWhitespace || last.properties.isWhitespace
            else { return text }
            let scalars = text.unicodeScalars
            guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
                let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
            else { return "" }
            return String(scalars[start...end])
        }

        /// The valid strings of an array with their index in the file's array.
        mutating func indexedStrings(_ node: JSONNode?, field: String) -> [(index: Int, value: String)] {
            guard let node else { return [] }
            guard case .array(let items) = node.value else {
                report(.error, node, field: field, "expected an array of strings, found \(node.typeName)")
                return []
            }
            var values: [(Int, String)] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item.value else {
                    report(.error, item, field: "\(field)[\(index)]", "expected a string, found \(item.typeName)")
                    continue
                }
                if text.allSatisfy(\.isWhitespace) {
                    report(.error, item, field: "\(field)[\(index)]", "empty value")
                    continue
                }
                values.append((index, field == "keywords" ? text : Self.trimmed(text)))
            }
            return values
        }

        mutating func countries(_ node: JSONNode?) -> [String] {
            var codes: [String] = []
            for (index, value) in indexedStrings(node, field: "countries") {
                if let code = CountryCode.normalized(value) {
                    // (`["ke", "KE"]` is one country.)
                    if !codes.contains(code) { codes.append(code) }
                } else {
                    report(
                        .error, arrayElement(node, index), field: "countries[\(index)]",
                        "\"\(value)\" is not an ISO 3166-1 alpha-2 country code")
                }
            }
            return codes
        }

        mutating func objects(_ node: JSONNode?, field: String) -> [(Int, JSONNode, [String: JSONNode])] {
            guard let node else { return [] }
            guard case .array(let items) = node.value else {
                report(.error, node, field: field, "expected an array of objects, found \(node.typeName)")
                return []
            }
            var result: [(Int, JSONNode, [String: JSONNode])] = []
            for (index, item) in items.enumerated() {
                guard case .object(let members) = item.value else {
                    report(.error, item, field: "\(field)[\(index)]", "expected an object, found \(item.typeName)")
                    continue
                }
                result.append((index, item, Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })))
            }
            return result
        }

        mutating func optionalString(_ fields: [String: JSONNode], _ key: String, field: String) -> String? {
            guard let node = fields[key] else { return nil }
            guard let text = string(node, field: field) else { return nil }
            return text.isEmpty ? nil : text
        }

        mutating func warnUnknown(_ fields: [String: JSONNode], known: Set<String>, field: String) {
            for (key, value) in fields.sorted(by: { $0.key < $1.key }) where !known.contains(key) {
                report(
                    strict ? .error : .warning, value, field: "\(field).\(key)",
                    strict ? "unknown field (not allowed with --strict)" : "unknown field; ignored")
            }
        }

        mutating func organizations(_ node: JSONNode?) -> [Record.Organization] {
            var result: [Record.Organization] = []
            for (index, item, fields) in objects(node, field: "organizations") {
                let field = "organizations[\(index)]"
                warnUnknown(fields, known: ["name", "role", "country", "url"], field: field)
                guard let nameNode = fields["name"] else {
                    report(.error, item, field: "\(field).name", "missing required field")
                    continue
                }
                guard let name = string(nameNode, field: "\(field).name") else { continue }
                if name.allSatisfy(\.isWhitespace) {
                    report(.error, nameNode, field: "\(field).name", "name is empty")
                    continue
                }
                var organization = Record.Organization(name: name)
                organization.role = optionalString(fields, "role", field: "\(field).role")
                if let country = optionalString(fields, "country", field: "\(field).country") {
                    if let code = CountryCode.normalized(country) {
                        organization.country = code
                    } else {
                        report(
                            .error, fields["country"], field: "\(field).country",
                            "\"\(country)\" is not an ISO 3166-1 alpha-2 country code")
                    }
                }
                organization.url = url(fields, "url", field: "\(field).url")
                result.append(organization)
            }
            return result
        }

        mutating func links(_ node: JSONNode?) -> [Record.Link] {
            var result: [Record.Link] = []
            for (index, item, fields) in objects(node, field: "links") {
                let field = "links[\(index)]"
                warnUnknown(fields, known: ["url", "title", "language"], field: field)
                guard let urlNode = fields["url"] else {
                    report(.error, item, field: "\(field).url", "missing required field")
                    continue
                }
                if case .string(let text) = urlNode.value, text.isEmpty {
                    report(.error, urlNode, field: "\(field).url", "url is empty")
                    continue
                }
                guard let url = url(fields, "url", field: "\(field).url") else { continue }
                var link = Record.Link(url: url)
                link.title = optionalString(fields, "title", field: "\(field).title")
                if let language = optionalString(fields, "language", field: "\(field).language") {
                    if let tag = LanguageTag.normalized(language) {
                        link.language = tag
                    } else {
                        report(.error, fields["language"], field: "\(field).language", "\"\(language)\" is not a valid BCP 47 language tag")
                    }
                }
                result.append(link)
            }
            return result
        }

        mutating func url(_ fields: [String: JSONNode], _ key: String, field: String) -> String? {
            guard let text = optionalString(fields, key, field: field) else { return nil }
            guard RecordValidator.isAbsoluteURL(text) else {
                report(.error, fields[key], field: field, "\"\(text.prefix(80))\" is not an absolute URL (e.g. https://example.org/page)")
                return nil
            }
            return text
        }

        mutating func source(_ node: JSONNode?) -> Record.Source? {
            guard let node else { return nil }
            guard case .object(let members) = node.value else {
                report(.error, node, field: "source", "expected an object, found \(node.typeName)")
                return nil
            }
            let fields = Dictionary(members.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
            warnUnknown(fields, known: ["system", "url", "originalId"], field: "source")
            let source = Record.Source(
                system: optionalString(fields, "system", field: "source.system"),
                url: url(fields, "url", field: "source.url"),
                originalId: optionalString(fields, "originalId", field: "source.originalId"))
            return source.system == nil && source.url == nil && source.originalId == nil ? nil : source
        }
    }

    /// Whether `text` looks like an absolute URL: a scheme, `:`, and no white space.
    static func isAbsoluteURL(_ text: String) -> Bool {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else { return false }
        let scheme = text[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
            scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") })
        else { return false }
        let rest = text[text.index(after: colon)...]
        return !rest.isEmpty && !text.contains(where: { $0.isWhitespace })
    }
}
