import ClearingHouse
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The web pages: the search page, the record pages, the help desk, the Atom feed and the
/// downloads. Each reads its address into a state the library validates, calls the library
/// off the event loop as the API does, and renders HTML in the interface language. A bad
/// value in an address is a 400 page in that language, never a 500.
struct WebPages: Sendable {
    let server: ClearingHouseServer

    var house: ClearingHouse { server.house }
    var localization: Localization { server.localization }

    /// Headers of every page: no scripts or styles but the server's own, no framing.
    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .xContentTypeOptions: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
    ]

    static func html(_ page: HTML, status: HTTPResponse.Status = .ok) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page.description)))
    }

    // MARK: Errors

    /// The interface language of an address whose other values may be bad: its `lang` when
    /// that is one of the six, else English.
    static func languageOf(_ query: String?) -> String {
        guard let parameters = try? RequestParameters.query(query), let language = try? SearchState.interfaceLanguage(parameters) else {
            return "en"
        }
        return language
    }

    /// The page for `error` in `language`: 400 for a bad value, 404, 403, 503; 500 only for a
    /// fault of the server (logged).
    func errorPage(_ error: any Error, language: String, request: Request) -> Response {
        let s = localization.strings(language)
        let status: HTTPResponse.Status
        let heading: String
        var paragraphs: [HTML] = []
        switch PageError.from(error, hidingPathsIn: house.directory.path)?.reason {
        case .badParameter(let name, let detail):
            status = .badRequest
            heading = s("error.badRequest")
            paragraphs.append("<p>\(s("error.parameter", ["name": name]))</p>")
            paragraphs.append("<p class=\"detail\" lang=\"en\" data-parameter=\"\(name)\">\(name): \(detail)</p>")
        case .unknownRecord(let id):
            status = .notFound
            heading = s("error.notFound")
            paragraphs.append("<p>\(s("error.noRecord", ["id": id]))</p>")
        case .notFound:
            status = .notFound
            heading = s("error.notFound")
            paragraphs.append("<p>\(s("error.noPage"))</p>")
        case .crossSite:
            status = .forbidden
            heading = s("error.forbidden")
            paragraphs.append("<p>\(s("error.crossSite"))</p>")
        case .tooLarge(let detail):
            status = .contentTooLarge
            heading = s("error.badRequest")
            paragraphs.append("<p class=\"detail\" lang=\"en\">\(detail)</p>")
        case .unavailable(let detail):
            // (The page writes paths relative to the index directory; the log keeps them whole.)
            server.logger.warning("\(request.method.rawValue) \(request.uri.path): \(error)")
            status = .serviceUnavailable
            heading = s("error.unavailable")
            paragraphs.append("<p>\(s("error.tryAgain"))</p>")
            paragraphs.append("<p class=\"detail\" lang=\"en\">\(detail)</p>")
        case nil:
            server.logger.error("\(request.method.rawValue) \(request.uri.path): \(error)")
            status = .internalServerError
            heading = s("error.internal")
            paragraphs.append("<p>\(s("error.tryAgain"))</p>")
        }
        // The language links show the same error in another language: the address as it was,
        // with only `lang` changed (an `/export` error's links dropped its `format`).
        let path = request.uri.path
        let kept = (request.uri.query ?? "").split(separator: "&").filter { !$0.isEmpty && $0.split(separator: "=").first != "lang" }
        let layout = Layout(strings: s, languageURL: { language in
            let pieces = kept.map(String.init) + (language == "en" ? [] : ["lang=\(language)"])
            return pieces.isEmpty ? path : path + "?" + pieces.joined(separator: "&")
        })
        let home = language == "en" ? "/" : "/?lang=\(language)"
        let main: HTML = """
            <div class="error" data-status="\(status.code)">
            <h1>\(heading)</h1>
            \(paragraphs)
            <p><a href="\(home)">\(s("error.back"))</a></p>
            </div>
            """
        var response = Self.html(layout.page(title: heading, main), status: status)
        if status == .serviceUnavailable { response.headers[.retryAfter] = "5" }
        return response
    }

    /// The 404 page for a path outside the API that a browser asked for (one that accepts
    /// `text/html`); nil for the API's paths and other clients, which get a problem document.
    func notFoundPage(_ request: Request) -> Response? {
        let path = request.uri.path
        guard !path.hasPrefix("/v1/"), path != "/openapi.json", request.method == .get || request.method == .head,
            (request.headers[.accept] ?? "").contains("text/html")
        else { return nil }
        return errorPage(PageError(reason: .notFound), language: Self.languageOf(request.uri.query), request: request)
    }

    /// Runs `body`, turning what it throws into an error page in the address's language.
    func respond(_ request: Request, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch {
            return errorPage(error, language: Self.languageOf(request.uri.query), request: request)
        }
    }

    // MARK: Pages

    /// `/`: the search page.
    func search(_ request: Request) async -> Response {
        await respond(request) {
            let state = try SearchState(try RequestParameters.query(request.uri.query), checksQuery: false)
            let searchRequest = try state.searchRequest()
            let strings = localization.strings(state.language)
            let (response, records): (SearchResponse, [String: Record])
            do {
                (response, records) = try await server.read { [house, server] in
                    let response = try house.search(searchRequest)
                    if response.stale { server.catchUpSoon() }
                    let records = try house.records(ids: response.hits.map(\.id))
                    return (response, Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
                }
            } catch let error as ClearingHouseError where error.code == .invalidQuery && error.parameter == nil {
                // A query that cannot be searched comes back in the query box, with why (not on
                // an error page without the box).
                return Self.html(SearchPage.invalidQuery(state: state, strings: strings, message: error.message), status: .badRequest)
            }
            let page = SearchPage(state: state, response: response, records: records, strings: strings)
            return Self.html(page.render())
        }
    }

    /// `/records/{id}`: the record, its related and similar records, and its matches; an
    /// alias's id redirects to the record it resolves to.
    func record(_ request: Request, context: BasicRequestContext) async -> Response {
        await respond(request) {
            let parameters = try RequestParameters.query(request.uri.query)
            let language = try SearchState.interfaceLanguage(parameters)
            try parameters.check(known: ["lang", "show"])
            let show = try parameters.one("show").flatMap { $0.isEmpty ? nil : $0 }
            if let show, LanguageTag.normalized(show) == nil {
                throw PageError.badParameter("show", "\"\(show)\" is not a BCP 47 language tag")
            }
            let id = try API.recordID(context)
            // An alias's page is its record's: a redirect (302, as a copy that changes may
            // become a record of its own again).
            if let alias = try await server.read({ [house] in try house.resolve(id: id)?.alias }) {
                return Response(status: .found, headers: [.location: URLQuery.record(alias.primary, language: language, show: show)])
            }
            let data = try await server.read { [house] () throws -> RecordPageData? in
                guard let record = try house.record(id: id) else { return nil }
                let related = try house.records(ids: record.related)
                let similar = try house.similar(id: id, limit: 5, language: language).hits
                // A request's answers, or the requests an offer could answer (matchmaking
                // works both ways, and every other kind answers).
                let matches = try house.match(MatchRequest(id: id, limit: 10, language: language)).hits
                let notations = record.themes + record.assistanceTypes
                    + Fragments.reasonNotations(similar + matches)
                let labels = try house.conceptLabels(for: notations, language: language)
                return RecordPageData(
                    record: record, related: related, similar: similar, matches: matches, labels: labels,
                    aliases: try house.aliases(of: id).map(\.id), harvestedSets: try house.harvestedSets(id: id))
            }
            guard let data else { throw PageError(reason: .unknownRecord(id)) }
            return Self.html(RecordPage(data: data, strings: localization.strings(language), show: show).render())
        }
    }

    /// `GET /helpdesk`: the form; with `need` (and `country`, `help`) in the address, the
    /// matching offers too. Nothing is stored. With `stored=ID` (where storing a request
    /// redirects): that stored request and its matches.
    func helpdesk(_ request: Request) async -> Response {
        await respond(request) {
            let parameters = try RequestParameters.query(request.uri.query)
            let language = try SearchState.interfaceLanguage(parameters)
            if !parameters.all("key").isEmpty {
                throw PageError.badParameter("key", "an API key is sent with the form (POST), never in an address")
            }
            if let id = try parameters.one("stored") {
                // The page a stored request redirects to (a reload shows it again, and stores
                // nothing again): the request as stored, and its matches.
                try parameters.check(known: ["lang", "stored"])
                let record = try await server.read { [house] in try house.record(id: id) }
                // (Only a request the help desk stored: QA found any request shown as "stored".)
                guard let record, record.kind == .assistanceRequest, record.source?.system == HelpRequest.sourceSystem else {
                    throw PageError(reason: .unknownRecord(id))
                }
                return try await helpdeskAnswer(form: HelpdeskForm(stored: record), language: language, outcome: .stored(id))
            }
            let form = try HelpdeskForm(parameters, allowKey: false)
            if form.hasUnknownValues {
                return try await helpdeskAnswer(form: form, language: language, outcome: .notAsked, status: .badRequest)
            }
            if form.isFilled, let problem = form.needProblem {
                return try await helpdeskAnswer(form: form, language: language, outcome: .formProblem(problem), status: .badRequest)
            }
            return try await helpdeskAnswer(form: form, language: language, outcome: .notAsked)
        }
    }

    /// `POST /helpdesk`: the form sent. Matches are shown; with a valid key the request is
    /// also stored as an `assistanceRequest` record, and the answer is a redirect (303) to
    /// its page (`/helpdesk?stored=ID`, its matches the stored record's). A form from another
    /// site is refused.
    func helpdeskPost(_ request: Request) async -> Response {
        await respond(request) {
            var language = try SearchState.interfaceLanguage(try RequestParameters.query(request.uri.query))
            try Self.checkSameOrigin(request)
            let type = (request.headers[.contentType] ?? "").split(separator: ";").first.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            guard type == "application/x-www-form-urlencoded" else {
                throw PageError.badParameter("body", "send the form as application/x-www-form-urlencoded")
            }
            let body = try await API(server: server).body(request)
            let parameters = try RequestParameters.query(String(decoding: body, as: UTF8.self))
            // (The form's language is in its address; a `lang` field of the body is checked as
            // the address's is, and taken.)
            if try parameters.one("lang") != nil { language = try SearchState.interfaceLanguage(parameters) }
            let form = try HelpdeskForm(parameters, allowKey: true)
            if form.hasUnknownValues {
                // (Nothing stored, whatever the key: the form again, as it was sent.)
                return try await helpdeskAnswer(form: form, language: language, outcome: .notAsked, status: .badRequest)
            }
            if let problem = form.needProblem {
                // The form again, as it was sent, with the problem next to the need.
                return try await helpdeskAnswer(form: form, language: language, outcome: .formProblem(problem), status: .badRequest)
            }
            guard let key = form.key else { return try await helpdeskAnswer(form: form, language: language, outcome: .notAsked) }
            guard let keys = server.writeKeys else {
                return try await helpdeskAnswer(form: form, language: language, outcome: .readOnly, status: .forbidden)
            }
            guard keys.contains(key.trimmingCharacters(in: .whitespaces)) else {
                return try await helpdeskAnswer(form: form, language: language, outcome: .badKey, status: .unauthorized)
            }
            // (Stored in the language its text is written in: a Russian need typed on the
            // English page is Russian.)
            let request = form.helpRequest(language: language)
            let id: String
            do {
                id = try await server.write { [house] in try house.store(request).id }
            } catch let error as ClearingHouseError where error.code == .invalidInput {
                return try await helpdeskAnswer(form: form, language: language, outcome: .invalid(error.message), status: .unprocessableContent)
            }
            // Post/Redirect/Get: the answer is the page of the stored request, so that
            // reloading it (or going back to it) does not send the form, and store it, again.
            var location = URLComponents()
            location.path = "/helpdesk"
            location.queryItems = [URLQueryItem(name: "stored", value: id), URLQueryItem(name: "lang", value: language)]
            return Response(status: .seeOther, headers: [.location: location.string ?? "/helpdesk"])
        }
    }

    /// The help-desk page with the offers matching `form` (those of the stored record when
    /// it was stored).
    func helpdeskAnswer(form: HelpdeskForm, language: String, outcome: StoreOutcome, status: HTTPResponse.Status = .ok) async throws
        -> Response
    {
        let strings = localization.strings(language)
        var matches: [SearchResultHit]?
        var labels: [String: String] = [:]
        if form.needProblem == nil, !form.hasUnknownValues {
            let matchRequest: MatchRequest
            if case .stored(let id) = outcome {
                matchRequest = MatchRequest(id: id, limit: 10, language: language)
            } else {
                matchRequest = form.helpRequest(language: language).matchRequest()
            }
            (matches, labels) = try await server.read { [house] in
                let hits = try house.match(matchRequest).hits
                let labels = try house.conceptLabels(for: Fragments.reasonNotations(hits), language: language)
                return (hits, labels)
            }
        }
        let page = HelpdeskPage(
            form: form, matches: matches, labels: labels, outcome: outcome, strings: strings, acceptsKeys: server.writeKeys != nil)
        return Self.html(page.render(), status: status)
    }

    /// Refuses a form posted by a page of another site: its `Origin` (or, without one,
    /// `Sec-Fetch-Site`, then `Referer`) must be this server's. A client that sends none of
    /// them (a script) is not a browser carrying someone else's session, and still needs the key.
    static func checkSameOrigin(_ request: Request) throws(PageError) {
        let host = (request.head.authority ?? "").lowercased()
        func isThisServer(_ url: String) -> Bool {
            let afterScheme = url.split(separator: "://", maxSplits: 1).last.map(String.init) ?? url
            let authority = afterScheme.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? afterScheme
            return !host.isEmpty && authority == host
        }
        if let origin = request.headers[.origin]?.lowercased(), origin != "null" {
            guard isThisServer(origin) else { throw PageError(reason: .crossSite) }
        } else if request.headers[.origin] == "null" {
            throw PageError(reason: .crossSite)
        } else if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased(), site == "cross-site" {
            throw PageError(reason: .crossSite)
        } else if let referer = request.headers[.referer]?.lowercased(), !isThisServer(referer) {
            throw PageError(reason: .crossSite)
        }
    }

    /// `/feed`: the Atom feed of the newest records the search finds.
    func feed(_ request: Request) async -> Response {
        await respond(request) {
            let state = try SearchState(try RequestParameters.query(request.uri.query))
            var newest = try state.searchRequest()
            newest.sort = .published
            newest.offset = 0
            newest.limit = AtomFeed.size
            newest.facets = []
            let searchRequest = newest
            let entries = try await server.read { [house] in
                let response = try house.search(searchRequest)
                let records = Dictionary(
                    try house.records(ids: response.hits.map(\.id)).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                return response.hits.compactMap { hit in records[hit.id].map { (hit: hit, record: $0) } }
            }
            let feed = AtomFeed(
                state: state, entries: entries, strings: localization.strings(state.language), base: base(request), now: Date())
            var headers = Self.securityHeaders
            headers[.contentType] = "application/atom+xml; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: feed.render())))
        }
    }

    /// `http://HOST` of the request, the feed's links: its `Host` when it names a server, as
    /// OAI-PMH's base URL takes it, else the address the server listens on (hostile-client
    /// QA: `Host: a]b[c:::` made links `http://a]b[c:::/feed`).
    func base(_ request: Request) -> String {
        let bound = server.boundPort.load(ordering: .relaxed)
        return Self.base(host: request.head.authority, listeningOn: server.configuration.host, port: bound > 0 ? bound : server.configuration.port)
    }

    /// `http://HOST` for a request's `Host` (see ``base(_:)``).
    static func base(host: String?, listeningOn address: String, port: Int) -> String {
        String(OAIEndpoint.baseURL(host: host, listeningOn: address, port: port).dropLast("/oai".count))
    }

    /// Records in a page of a download (`/export`).
    static let exportPageSize = 50

    /// `/export?...&format=csv|jsonl|oai_dc`: every record the search finds, as `chm export` writes them.
    func export(_ request: Request) async -> Response {
        await respond(request) {
            let parameters = try RequestParameters.query(request.uri.query)
            let state = try SearchState(parameters, extra: ["format"])
            let formats = ClearingHouse.ExportFormat.allCases.map(\.rawValue).joined(separator: ", ")
            guard let name = try parameters.one("format") else {
                throw PageError.badParameter("format", "give a format: \(formats)")
            }
            guard let format = ClearingHouse.ExportFormat(rawValue: name) else {
                throw PageError.badParameter("format", "\"\(name)\" is not a format; formats are: \(formats)")
            }
            let selection = ClearingHouse.ExportSelection(
                query: state.query.isEmpty ? nil : state.query, filters: try state.filters, correct: state.correct, expand: state.expand)
            // A page of records at a time, each written before the next is read: a client that
            // reads slowly (or not at all) holds a page of memory and no search thread. (Pages
            // of 50: with 200, 300 stalled JSON Lines downloads of 2 KB records held 650 MB,
            // two pages each and their copies: hostile-client QA.)
            let pages = try await server.read { [house] in
                try house.exportPages(format: format, selection: selection, pageSize: Self.exportPageSize)
            }
            let first = try await server.read { try pages.next() } ?? ""
            var headers = Self.securityHeaders
            let (type, fileExtension) =
                switch format {
                case .csv: ("text/csv; charset=utf-8", "csv")
                case .jsonl: ("application/x-ndjson; charset=utf-8", "jsonl")
                case .oaiDC: ("text/xml; charset=utf-8", "xml")
                }
            headers[.contentType] = type
            headers[.contentDisposition] = "attachment; filename=\"chm-records.\(fileExtension)\""
            let server = self.server
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: first))
                    while let text = try await server.read({ try pages.next() }) {
                        try await writer.write(ByteBuffer(string: text))
                    }
                    try await writer.finish(nil)
                })
        }
    }

    /// `/suggest?q=...&lang=..`: `chm suggest --json`'s document, for the query box's completion.
    func suggest(_ request: Request) async throws -> Response {
        try await API(server: server).suggest(try RequestParameters.query(request.uri.query), fixedLimit: 8)
    }

    /// `/static/NAME`: the style sheet and the script.
    func asset(_ context: BasicRequestContext) throws -> Response {
        try Self.file(server.assets, "/static/", context, maxAge: 300)
    }

    /// `/schema/NAME`: `records.xsd` (with the `xml.xsd` it imports) and `record.schema.json`.
    func schema(_ context: BasicRequestContext) throws -> Response {
        try Self.file(server.schemas, "/schema/", context, maxAge: 3600)
    }

    /// The file of `files` that the path parameter `name` names (404 when none), cached for
    /// `maxAge` seconds.
    private static func file(_ files: [String: WebAsset], _ directory: String, _ context: BasicRequestContext, maxAge: Int) throws -> Response {
        let name = try context.parameters.require("name")
        guard let file = files[name] else { throw Problem(.notFound, "not-found", "Not found", detail: "no such file: \(directory)\(name)") }
        return Response(
            status: .ok,
            headers: [.contentType: file.type, .cacheControl: "public, max-age=\(maxAge)", .xContentTypeOptions: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }
}

/// The record formats' schemas, served under `/schema/` (the `chm` OAI-PMH format names
/// `records.xsd` there): copies of `Corpus/schema/`, which a test keeps identical.
enum SchemaFiles {
    static let types = [
        "records.xsd": "application/xml; charset=utf-8", "xml.xsd": "application/xml; charset=utf-8",
        "record.schema.json": "application/schema+json",
    ]

    static func load() -> [String: WebAsset] { WebAsset.load(types, subdirectory: "schema") }
}

struct WebAsset: Sendable {
    let type: String
    let bytes: [UInt8]

    /// The style sheet and the script of the package's resources (`web/`).
    static func load() -> [String: WebAsset] {
        load(["style.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"], subdirectory: "web")
    }

    /// The files named in `types` (name: content type) of the resources' `subdirectory`; a
    /// file that cannot be read is left out (its address answers 404).
    static func load(_ types: [String: String], subdirectory: String) -> [String: WebAsset] {
        var files: [String: WebAsset] = [:]
        for (name, type) in types {
            guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: subdirectory),
                let data = try? Data(contentsOf: url)
            else { continue }
            files[name] = WebAsset(type: type, bytes: Array(data))
        }
        return files
    }
}
