import ClearingHouse
import Foundation

/// A fault of a page's address or form shown as a page: a status and what went wrong, in
/// the interface language where the page knows it.
struct PageError: Error, Sendable {
    enum Reason: Sendable {
        /// A parameter's value cannot be used (400); `detail` is the library's message.
        case badParameter(name: String, detail: String)
        /// No record with this id (404).
        case unknownRecord(String)
        /// No such page (404).
        case notFound
        /// A form posted from another site (403).
        case crossSite
        /// The index cannot be read now (503).
        case unavailable(String)
        /// A form larger than the server takes (413).
        case tooLarge(String)
    }

    var reason: Reason

    static func badParameter(_ name: String, _ detail: String) -> PageError {
        PageError(reason: .badParameter(name: name, detail: detail))
    }

    /// A thrown error as a page error: a problem or a library error that names a parameter
    /// is a bad parameter; an unknown record is a 404; storage faults are 503. Nil: a fault
    /// of the server. Paths inside `directory` (the index's) are written relative to it, as the
    /// API's problem documents write them: a public page need not say where the index is.
    static func from(_ error: any Error, hidingPathsIn directory: String? = nil) -> PageError? {
        if let error = error as? PageError { return error }
        var (problem, fault) = Problem.from(error)
        if fault { return nil }
        if let directory { _ = problem.hidePath(directory) }
        switch problem.status.code {
        case 404: return PageError(reason: .notFound)
        // (Only a form has a body a page reads.)
        case 413: return PageError(reason: .tooLarge("the form is larger than the server accepts (--max-body-mb)"))
        case 503: return PageError(reason: .unavailable(problem.detail))
        default:
            var detail = problem.detail
            let name = problem.parameter ?? "q"
            if detail.hasPrefix("\(name): ") { detail.removeFirst(name.count + 2) }
            return .badParameter(name, detail)
        }
    }
}

/// The state of the search page (and of the feed and the downloads): every value of its
/// address, checked. Its ``query`` turns it back into the address, so every state is a URL.
struct SearchState: Sendable, Hashable {
    /// The facet fields, in the order the page shows them (and the address lists them).
    static let facetFields = ["kind", "country", "region", "theme", "target", "language", "year"]
    /// Hits per page.
    static let pageSize = 10
    /// The deepest page.
    static let maximumPage = SearchRequest.maximumOffset / pageSize

    var query = ""
    /// Selected facet values: field -> values (OR within a field, AND across).
    var selected: [String: [String]] = [:]
    var since: String?
    var until: String?
    var sort: SearchRequest.Sort?
    /// 1-based.
    var page = 1
    /// The interface language.
    var language = "en"
    /// Whether unknown words are corrected ("showing results for"); `correct=false` searches
    /// the words as typed (the page's "search instead for" link).
    var correct = true
    /// Whether the query is carried across languages through the thesaurus; `expand=false`
    /// searches only the words as typed (the page's link beside "Also searching").
    var expand = true

    /// The parameters of the search page (and of `/feed` and `/export`, which add their own).
    static let names: Set<String> = Set(facetFields).union(["q", "since", "until", "sort", "page", "lang", "correct", "expand"])

    /// The interface language of an address: `lang`, one of the six, or English.
    /// - Throws: ``PageError`` for another value.
    static func interfaceLanguage(_ parameters: RequestParameters) throws(PageError) -> String {
        let given: String?
        do { given = try parameters.one("lang") } catch { throw PageError.from(error) ?? .badParameter("lang", "\(error)") }
        guard let given else { return "en" }
        let lowered = given.lowercased()
        guard Strings.languages.contains(lowered) else {
            throw .badParameter("lang", "\"\(given)\" is not an interface language; languages are: \(Strings.languages.joined(separator: ", "))")
        }
        return lowered
    }

    /// The state an address describes.
    /// - Parameter checksQuery: whether a query that does not parse is an error here (the
    ///   search page shows it in its box instead).
    /// - Throws: ``PageError`` naming the first parameter that is unknown or whose value
    ///   cannot be used.
    init(_ parameters: RequestParameters, extra: Set<String> = [], checksQuery: Bool = true) throws(PageError) {
        language = try Self.interfaceLanguage(parameters)
        do {
            try parameters.check(known: Self.names.union(extra))
            query = try parameters.one("q") ?? ""
            for field in Self.facetFields {
                let values = parameters.all(field)
                if values.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                    throw PageError.badParameter(field, "an empty value matches nothing; leave the filter out")
                }
                if !values.isEmpty { selected[field] = Self.unique(values) }
            }
            for kind in selected["kind"] ?? [] { _ = try SearchFilters.kind(named: kind) }
            for code in selected["country"] ?? [] where CountryCode.normalized(code) == nil {
                throw PageError.badParameter("country", "\"\(code)\" is not an ISO 3166-1 alpha-2 country code")
            }
            if let codes = selected["country"] { selected["country"] = Self.unique(codes.map { $0.uppercased() }) }
            for year in selected["year"] ?? [] where !(year.count == 4 && year.allSatisfy { $0.isASCII && $0.isNumber }) {
                throw PageError.badParameter("year", "\"\(year)\" is not a year (four digits)")
            }
            for tag in selected["language"] ?? [] where LanguageTag.normalized(tag) == nil {
                throw PageError.badParameter("language", "\"\(tag)\" is not a BCP 47 language tag")
            }
            since = try parameters.one("since").flatMap { $0.isEmpty ? nil : $0 }
            until = try parameters.one("until").flatMap { $0.isEmpty ? nil : $0 }
            if let text = try parameters.one("sort"), !text.isEmpty {
                guard let value = SearchRequest.Sort(rawValue: text) else {
                    throw PageError.badParameter(
                        "sort", "\"\(text)\" is not a sort; sorts are: \(SearchRequest.Sort.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                sort = value
            }
            // (An empty value is the default, as for the page's other parameters.)
            if try parameters.one("correct")?.isEmpty == false { correct = try parameters.boolean("correct", default: true) }
            if try parameters.one("expand")?.isEmpty == false { expand = try parameters.boolean("expand", default: true) }
            if let text = try parameters.one("page"), !text.isEmpty {
                guard let value = Int(text) else { throw PageError.badParameter("page", "\"\(text)\" is not a whole number") }
                guard value >= 1 else { throw PageError.badParameter("page", "pages start at 1") }
                guard value <= Self.maximumPage else { throw PageError.badParameter("page", "\(value) is above \(Self.maximumPage)") }
                page = value
            }
            // The library checks the rest (dates, the query's syntax) as it would for the API.
            try searchRequest().validate()
            if checksQuery { _ = try ClearingHouse.parseQuery(query) }
        } catch let error as PageError {
            throw error
        } catch {
            throw PageError.from(error) ?? .badParameter("q", "\(error)")
        }
    }

    init() {}

    private static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// The library's filters of the state.
    var filters: SearchFilters {
        get throws {
            var fields: [String: [String]] = [:]
            if let languages = selected["language"] { fields["language"] = languages }
            if let years = selected["year"] { fields["year"] = years }
            return SearchFilters(
                kinds: try (selected["kind"] ?? []).map { try SearchFilters.kind(named: $0) }, countries: selected["country"] ?? [],
                regions: selected["region"] ?? [], themes: selected["theme"] ?? [], targets: selected["target"] ?? [], since: since,
                until: until, fields: fields)
        }
    }

    /// The search the page shows: a page of hits, every facet counted, titles in the
    /// interface language.
    func searchRequest() throws -> SearchRequest {
        SearchRequest(
            query: query, filters: try filters, facets: Self.facetFields, limit: Self.pageSize, offset: (page - 1) * Self.pageSize,
            sort: sort, countTotal: true, language: language, expand: expand, correct: correct)
    }

    /// Whether the state has neither a query nor a filter.
    var isBlank: Bool { query.trimmingCharacters(in: .whitespaces).isEmpty && selected.isEmpty && since == nil && until == nil }

    /// The state with `value` of `field` added, or removed when selected; back to page 1.
    func toggling(_ field: String, _ value: String) -> SearchState {
        var state = self
        var values = state.selected[field] ?? []
        if let index = values.firstIndex(of: value) { values.remove(at: index) } else { values.append(value) }
        state.selected[field] = values.isEmpty ? nil : values
        state.page = 1
        return state
    }

    func isSelected(_ field: String, _ value: String) -> Bool { selected[field]?.contains(value) ?? false }

    /// The parameters of the state, in a fixed order, defaults left out.
    func parameters(includePage: Bool = true, includeLanguage: Bool = true) -> [(String, String)] {
        var pairs: [(String, String)] = []
        if !query.isEmpty { pairs.append(("q", query)) }
        for field in Self.facetFields { for value in selected[field] ?? [] { pairs.append((field, value)) } }
        if let since { pairs.append(("since", since)) }
        if let until { pairs.append(("until", until)) }
        if let sort { pairs.append(("sort", sort.rawValue)) }
        if !correct { pairs.append(("correct", "false")) }
        if !expand { pairs.append(("expand", "false")) }
        if includePage, page > 1 { pairs.append(("page", String(page))) }
        if includeLanguage, language != "en" { pairs.append(("lang", language)) }
        return pairs
    }

    /// `path?query` of the state.
    func url(_ path: String = "/", includePage: Bool = true, includeLanguage: Bool = true, adding extra: [(String, String)] = []) -> String {
        URLQuery.url(path, parameters(includePage: includePage, includeLanguage: includeLanguage) + extra)
    }
}

/// Query strings of the pages' links.
enum URLQuery {
    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    /// Characters a path segment carries as themselves: the unreserved, `:` and `@`.
    private static let segmentCharacters = unreserved.union(CharacterSet(charactersIn: ":@"))

    /// A value percent-encoded for a query string (a space is `%20`).
    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    /// A value percent-encoded as one path segment: a record id in `/records/{id}` and
    /// `/v1/records/{id}`. Everything but the unreserved characters, `:` and `@` is escaped
    /// (`/`, `?`, `#` and `%` among them), so `oai:repo.example.org:10138/1074` is
    /// `oai:repo.example.org:10138%2F1074`; the router matches the raw segment and
    /// ``API/recordID(_:)`` decodes it once.
    static func pathSegment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? ""
    }

    /// `path` with `parameters` as its query (none: the path alone).
    static func url(_ path: String, _ parameters: [(String, String)]) -> String {
        guard !parameters.isEmpty else { return path }
        return path + "?" + parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// A record's page.
    static func record(_ id: String, language: String, show: String? = nil) -> String {
        var parameters: [(String, String)] = []
        if language != "en" { parameters.append(("lang", language)) }
        if let show { parameters.append(("show", show)) }
        return url("/records/" + pathSegment(id), parameters)
    }
}
