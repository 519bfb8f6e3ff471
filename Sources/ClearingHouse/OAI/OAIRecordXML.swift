// Records as XML for the OAI-PMH provider and `chm export --format oai_dc`: the response
// around them, headers, Dublin Core (oai_dc) and chm's native record (urn:chm:records:1,
// lossless).

/// Escaping for XML 1.0 text and attribute values (the OAI-PMH provider's responses, and the
/// server's Atom feed).
package enum XMLEscaping {
    /// `text` as element content or an attribute value (in double quotes): markup characters
    /// escaped, characters XML 1.0 cannot hold replaced by U+FFFD.
    package static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\r": out += "&#13;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

/// The metadata formats the provider disseminates.
enum OAIMetadataFormat: String, CaseIterable, Sendable {
    /// Unqualified Dublin Core.
    case oaiDC = "oai_dc"
    /// chm's native XML record, lossless.
    case chm

    var namespace: String {
        switch self {
        case .oaiDC: return "http://www.openarchives.org/OAI/2.0/oai_dc/"
        case .chm: return "urn:chm:records:1"
        }
    }

    /// The schema of `oai_dc` is OAI's; chm's is at `chmSchemaURL`.
    func schema(chmSchemaURL: String) -> String {
        switch self {
        case .oaiDC: return "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
        case .chm: return chmSchemaURL
        }
    }

    /// The `<metadata>` content for `record`.
    func metadata(_ record: Record, chmSchemaURL: String) -> String {
        switch self {
        case .oaiDC: return OAIRecordXML.dublinCore(record)
        case .chm: return OAIRecordXML.native(record, schemaURL: chmSchemaURL)
        }
    }
}

/// The parts of an OAI-PMH response, as the provider writes them and `chm export --format
/// oai_dc` writes its document: the one writer of both.
enum OAIResponseXML {
    /// The XML declaration, `<OAI-PMH>`, `<responseDate>` and `<request>`: everything before
    /// the verb's element (or the errors). `arguments` are the request's attributes (none for
    /// a badVerb or badArgument response, as the protocol requires).
    static func opening(responseDate: Int, arguments: [(String, String)], baseURL: String) -> String {
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        out +=
            #"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">"#
        out += "<responseDate>\(datestamp(responseDate))</responseDate>"
        out += "<request"
        for (name, value) in arguments { out += #" \#(name)="\#(XMLEscaping.escape(value))""# }
        out += ">\(XMLEscaping.escape(baseURL))</request>"
        return out
    }

    /// The end of a response.
    static let closing = "</OAI-PMH>\n"

    /// One `<error>`.
    static func error(code: String, message: String) -> String {
        #"<error code="\#(code)">\#(XMLEscaping.escape(message))</error>"#
    }

    /// A `<header>`: identifier, datestamp and leaf sets, with `status="deleted"` for a deletion.
    static func header(identifier: String, datestamp: Int, sets: [String], deleted: Bool) -> String {
        var out = deleted ? #"<header status="deleted">"# : "<header>"
        out += "<identifier>\(XMLEscaping.escape(identifier))</identifier><datestamp>\(Self.datestamp(datestamp))</datestamp>"
        for spec in sets { out += "<setSpec>\(XMLEscaping.escape(spec))</setSpec>" }
        return out + "</header>"
    }

    /// A `<record>` of ListRecords or GetRecord: its header, and its metadata unless deleted.
    static func record(header: String, metadata: String?) -> String {
        guard let metadata else { return "<record>\(header)</record>" }
        return "<record>\(header)<metadata>\(metadata)</metadata></record>"
    }

    /// `YYYY-MM-DDThh:mm:ssZ` of seconds since 1970.
    static func datestamp(_ seconds: Int) -> String {
        RecordDate.rfc3339(secondsSinceEpoch: Double(seconds))
    }
}

/// Writes records as XML.
enum OAIRecordXML {
    /// The namespace under which the native format carries a record's `extensions` (one
    /// element whose text is their canonical JSON).
    static let extensionsNamespace = "urn:chm:extensions:1"

    /// The record as `oai_dc:dc`: the 15 Dublin Core elements that have a value, each
    /// language's title and description with its `xml:lang`.
    static func dublinCore(_ record: Record) -> String {
        var out =
            #"<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd">"#
        func element(_ name: String, _ text: String, language: String? = nil) {
            let lang = language.map { #" xml:lang="\#(XMLEscaping.escape($0))""# } ?? ""
            out += "<dc:\(name)\(lang)>\(XMLEscaping.escape(text))</dc:\(name)>"
        }
        func localized(_ name: String, _ text: LocalizedText) {
            for language in text.languages {
                if let value = text.values[language] { element(name, value, language: language) }
            }
        }
        localized("title", record.title)
        for organization in record.organizations {
            switch organization.role?.lowercased() {
            case "publisher", "provider": element("publisher", organization.name)
            case "creator", "author", nil: element("creator", organization.name)
            default: element("contributor", organization.name)
            }
        }
        for subject in record.keywords + record.themes + record.targets { element("subject", subject) }
        localized("description", record.summary)
        localized("description", record.description)
        if let published = record.published { element("date", published) }
        element("type", record.kind.rawValue)
        for link in record.links { element("identifier", link.url) }
        if let source = record.source, let origin = source.url ?? source.originalId { element("source", origin) }
        if record.language != LanguageTag.undetermined { element("language", record.language) }
        for related in record.related { element("relation", related) }
        for coverage in record.countries + record.regions { element("coverage", coverage) }
        if let license = record.license { element("rights", license) }
        out += "</oai_dc:dc>"
        return out
    }

    /// The record in chm's native XML (the `<record>` of `Corpus/schema/records.xsd`), every
    /// field written: ingesting it gives the same record back.
    static func native(_ record: Record, schemaURL: String) -> String {
        let e = XMLEscaping.escape
        var out = #"<record xmlns="urn:chm:records:1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:chm:records:1 \#(e(schemaURL))" id="\#(e(record.id))" kind="\#(record.kind.rawValue)""#
        if record.language != LanguageTag.undetermined { out += #" xml:lang="\#(e(record.language))""# }
        out += ">"
        // (A text that begins or ends with a line break keeps it: a reader drops the line
        // breaks and indentation of pretty-printing around a text unless told otherwise.)
        func space(_ text: String) -> String { XMLTextSpacing.needsPreserving(text) ? #" xml:space="preserve""# : "" }
        func localized(_ name: String, _ text: LocalizedText) {
            for language in text.languages {
                if let value = text.values[language] {
                    out += #"<\#(name) xml:lang="\#(e(language))"\#(space(value))>\#(e(value))</\#(name)>"#
                }
            }
        }
        func list(_ name: String, _ values: [String]) {
            for value in values { out += "<\(name)>\(e(value))</\(name)>" }
        }
        localized("title", record.title)
        localized("summary", record.summary)
        localized("description", record.description)
        list("keyword", record.keywords)
        list("theme", record.themes)
        list("target", record.targets)
        list("country", record.countries)
        list("region", record.regions)
        list("assistanceType", record.assistanceTypes)
        for organization in record.organizations {
            out += "<organization"
            if let role = organization.role { out += #" role="\#(e(role))""# }
            if let country = organization.country { out += #" country="\#(e(country))""# }
            if let url = organization.url { out += #" url="\#(e(url))""# }
            out += "\(space(organization.name))>\(e(organization.name))</organization>"
        }
        for link in record.links {
            out += #"<link url="\#(e(link.url))""#
            if let language = link.language { out += #" xml:lang="\#(e(language))""# }
            out += "\(space(link.title ?? ""))>\(e(link.title ?? ""))</link>"
        }
        if let published = record.published { out += "<published>\(e(published))</published>" }
        if let updated = record.updated { out += "<updated>\(e(updated))</updated>" }
        if let license = record.license { out += "<license>\(e(license))</license>" }
        if let source = record.source {
            out += "<source"
            if let system = source.system { out += #" system="\#(e(system))""# }
            if let url = source.url { out += #" url="\#(e(url))""# }
            if let originalId = source.originalId { out += #" originalId="\#(e(originalId))""# }
            out += "/>"
        }
        list("related", record.related)
        if !record.extensions.isEmpty {
            let json = JSONValue.object(record.extensions.map { ($0.key, $0.value) }).canonicalized.description
            out += #"<extensions xmlns="\#(extensionsNamespace)">\#(e(json))</extensions>"#
        }
        out += "</record>"
        return out
    }
}
