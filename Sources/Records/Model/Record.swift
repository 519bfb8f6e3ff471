/// A clearing-house record: a technology, best practice, case study, organization, request
/// for assistance, training or funding opportunity, or other resource.
///
/// The fields follow the record format of the design (section 2). A `Record` that a reader
/// or the catalog gives is valid: the readers build it through validation. One built with
/// the memberwise initializer is not checked until it is ingested (write its
/// ``canonicalJSONText`` as a file's or a body's content). ``canonicalJSON`` is what the
/// catalog stores and `chm export` prints.
public struct Record: Sendable, Hashable, Identifiable {
    /// An organization named by a record, e.g. the provider of a technology.
    public struct Organization: Sendable, Hashable {
        /// The organization's name (never blank).
        public var name: String
        /// The organization's part, e.g. `provider`, `partner`, `funder`, `publisher`.
        public var role: String?
        /// ISO 3166-1 alpha-2, upper case.
        public var country: String?
        /// The organization's web site (an absolute URL), if given.
        public var url: String?

        /// An organization named `name`, with its role, country and web site when known.
        public init(name: String, role: String? = nil, country: String? = nil, url: String? = nil) {
            self.name = name
            self.role = role
            self.country = country
            self.url = url
        }
    }

    /// A link to a document or page about the record.
    public struct Link: Sendable, Hashable {
        /// The link's target (an absolute URL).
        public var url: String
        /// The link's title, if given.
        public var title: String?
        /// BCP 47 tag of the linked document.
        public var language: String?

        /// A link to `url`, with its title and the linked document's language when known.
        public init(url: String, title: String? = nil, language: String? = nil) {
            self.url = url
            self.title = title
            self.language = language
        }
    }

    /// Where the record came from.
    public struct Source: Sendable, Hashable {
        /// A short name of the originating system (`example-chm`, `oai-pmh`), if given.
        public var system: String?
        /// The record's address in the originating system, if given.
        public var url: String?
        /// The record's identifier in the originating system, if given.
        public var originalId: String?

        /// A source; every part is optional.
        public init(system: String? = nil, url: String? = nil, originalId: String? = nil) {
            self.system = system
            self.url = url
            self.originalId = originalId
        }
    }

    /// Unique id: 1-200 characters of URI syntax (RFC 3986), so that every OAI-PMH identifier
    /// is one (`tech-mangrove-nursery`, `hdl:1765/308`, `oai:repo.example.org:10138/1074`).
    ///
    /// It holds letters, digits, `- . _ ~ : / ? # [ ] @ ! $ & ' ( ) * + , ; =` and `%XX`
    /// escapes; never white space, control characters, `< > " { } | \ ^` or the backquote,
    /// nor characters outside ASCII (a URI holds those percent-encoded). Addresses of the
    /// HTTP API and the web pages carry it percent-encoded, as one path segment
    /// (`/v1/records/hdl:1765%2F308`).
    public var id: String
    /// What the record describes (a technology, a request for assistance...).
    public var kind: RecordKind
    /// BCP 47 tag of plain-string text in the source file; `und` when unknown.
    public var language: String
    /// The record's title, in one or more languages (required: at least one text is not blank).
    public var title: LocalizedText
    /// A short abstract, in one or more languages; empty when the record has none.
    public var summary: LocalizedText
    /// The full description, in one or more languages; empty when the record has none.
    public var description: LocalizedText
    /// Free keywords or phrases.
    public var keywords: [String]
    /// Thematic areas, e.g. `forests`, `marine`, `restoration`.
    public var themes: [String]
    /// Policy targets such as `GBF-T2`, `AICHI-T19`, `SDG-15`.
    public var targets: [String]
    /// ISO 3166-1 alpha-2 codes, upper case.
    public var countries: [String]
    /// Regions or groups of countries, e.g. `Africa`, `Small Island Developing States`.
    public var regions: [String]
    /// Kinds of assistance offered or sought, e.g. `training`, `technicalAdvice`, `equipment`.
    public var assistanceTypes: [String]
    /// Organizations involved in the record.
    public var organizations: [Organization]
    /// Links to documents or pages about the record.
    public var links: [Link]
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    public var published: String?
    /// RFC 3339 date-time of the publisher's last change.
    public var updated: String?
    /// SPDX license id or URL.
    public var license: String?
    /// Where a harvested record came from; nil when the record does not say.
    public var source: Source?
    /// Ids of related records.
    public var related: [String]
    /// Publisher-specific data, stored verbatim (keys sorted) and not indexed.
    public var extensions: [String: JSONValue]

    /// Creates a record. Records from files are built by the readers, which validate them.
    public init(
        id: String, kind: RecordKind, language: String = LanguageTag.undetermined,
        title: LocalizedText, summary: LocalizedText = LocalizedText(),
        description: LocalizedText = LocalizedText(), keywords: [String] = [], themes: [String] = [],
        targets: [String] = [], countries: [String] = [], regions: [String] = [],
        assistanceTypes: [String] = [], organizations: [Organization] = [], links: [Link] = [],
        published: String? = nil, updated: String? = nil, license: String? = nil, source: Source? = nil,
        related: [String] = [], extensions: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.kind = kind
        self.language = language
        self.title = title
        self.summary = summary
        self.description = description
        self.keywords = keywords
        self.themes = themes
        self.targets = targets
        self.countries = countries
        self.regions = regions
        self.assistanceTypes = assistanceTypes
        self.organizations = organizations
        self.links = links
        self.published = published
        self.updated = updated
        self.license = license
        self.source = source
        self.related = related
        self.extensions = extensions
    }

    /// Every language that the record has text in (title, summary or description), sorted.
    public var textLanguages: [String] {
        // (Sorted, then repeats dropped: no set to hash a record's few languages into, and this
        // runs for every record stored and indexed.)
        var languages: [String] = []
        languages.reserveCapacity(title.values.count + summary.values.count + description.values.count)
        languages.append(contentsOf: title.values.keys)
        languages.append(contentsOf: summary.values.keys)
        languages.append(contentsOf: description.values.keys)
        languages.sort()
        var kept = 0
        for language in languages where kept == 0 || language != languages[kept - 1] {
            languages[kept] = language
            kept += 1
        }
        languages.removeLast(languages.count - kept)
        return languages
    }

    /// The canonical native JSON object: members in the order of the format, localized text
    /// always as objects, empty fields left out, countries upper case, extension keys sorted.
    public var canonicalJSON: JSONValue {
        var members: [(String, JSONValue)] = [("id", .string(id)), ("kind", .string(kind.rawValue))]
        if language != LanguageTag.undetermined { members.append(("language", .string(language))) }
        // (Only a test collection's document can lack a title.)
        if !title.isEmpty { members.append(("title", title.jsonValue)) }
        if !summary.isEmpty { members.append(("summary", summary.jsonValue)) }
        if !description.isEmpty { members.append(("description", description.jsonValue)) }
        func strings(_ name: String, _ values: [String]) {
            if !values.isEmpty { members.append((name, .array(values.map(JSONValue.string)))) }
        }
        strings("keywords", keywords)
        strings("themes", themes)
        strings("targets", targets)
        strings("countries", countries)
        strings("regions", regions)
        strings("assistanceTypes", assistanceTypes)
        if !organizations.isEmpty {
            members.append(
                (
                    "organizations",
                    .array(
                        organizations.map { organization in
                            var object: [(String, JSONValue)] = [("name", .string(organization.name))]
                            if let role = organization.role { object.append(("role", .string(role))) }
                            if let country = organization.country { object.append(("country", .string(country))) }
                            if let url = organization.url { object.append(("url", .string(url))) }
                            return .object(object)
                        })
                ))
        }
        if !links.isEmpty {
            members.append(
                (
                    "links",
                    .array(
                        links.map { link in
                            var object: [(String, JSONValue)] = [("url", .string(link.url))]
                            if let title = link.title { object.append(("title", .string(title))) }
                            if let language = link.language { object.append(("language", .string(language))) }
                            return .object(object)
                        })
                ))
        }
        if let published { members.append(("published", .string(published))) }
        if let updated { members.append(("updated", .string(updated))) }
        if let license { members.append(("license", .string(license))) }
        if let source {
            var object: [(String, JSONValue)] = []
            if let system = source.system { object.append(("system", .string(system))) }
            if let url = source.url { object.append(("url", .string(url))) }
            if let originalId = source.originalId { object.append(("originalId", .string(originalId))) }
            members.append(("source", .object(object)))
        }
        strings("related", related)
        if !extensions.isEmpty {
            members.append(("extensions", JSONValue.object(extensions.map { ($0.key, $0.value) }).canonicalized))
        }
        return .object(members)
    }

    /// The canonical JSON text, one line.
    public var canonicalJSONText: String { canonicalJSON.description }
}
