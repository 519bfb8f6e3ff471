import ClearingHouse
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The endpoints: each reads its parameters, calls one library function off the event loop
/// and answers with the document the matching `chm ... --json` command prints.
struct API: Sendable {
    let server: ClearingHouseServer

    var house: ClearingHouse { server.house }

    // MARK: Responses

    /// A 200 (or `status`) answer with a JSON document.
    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", .xContentTypeOptions: "nosniff"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    /// A library document as `chm ... --json` prints it (``JSONValue/text(encoding:)``).
    static func document(_ value: some Encodable) throws -> String {
        try JSONValue.text(encoding: value)
    }

    // MARK: Probes and documents

    func ready() async throws -> Response {
        do {
            try await server.read { [house] in try house.checkSearchable() }
        } catch {
            // (Thrown, not returned: the problem middleware hides the index's path and logs
            // the whole error, as for any answer.)
            let (problem, _) = Problem.from(error)
            throw Problem(
                .serviceUnavailable, "unavailable", "Service unavailable", detail: "the index cannot be searched: \(problem.detail)",
                headers: [.retryAfter: "5"])
        }
        return Self.json(#"{"status":"ready"}"#)
    }

    func openAPI() throws -> Response {
        guard let document = server.openAPIDocument else {
            throw Problem(.internalServerError, "internal", "Internal server error", detail: "the OpenAPI document is missing from the build")
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
    }

    // MARK: Reads

    /// `chm search --json`'s document, plus `took_ms`.
    func search(_ parameters: RequestParameters) async throws -> Response {
        let request = try APIParameters.search(parameters)
        let text = try await server.read { [house] in
            let started = ContinuousClock.now
            let response = try house.search(request)
            if response.stale { server.catchUpSoon() }
            let took = ContinuousClock.now - started
            let milliseconds = Double(took.components.seconds) * 1000 + Double(took.components.attoseconds) / 1e15
            return try Self.document(Timed(document: response, milliseconds: (milliseconds * 1000).rounded() / 1000))
        }
        return Self.json(text)
    }

    /// A document with `took_ms` after its own members (its `encode(to:)` asks for the same
    /// object again, which the encoders add to).
    private struct Timed<Document: Encodable>: Encodable {
        let document: Document
        let milliseconds: Double

        func encode(to encoder: any Encoder) throws {
            try document.encode(to: encoder)
            var container = encoder.container(keyedBy: DynamicKey.self)
            try container.encode(milliseconds, forKey: DynamicKey("took_ms"))
        }
    }

    /// `chm match --json`'s document.
    func match(_ request: MatchRequest) async throws -> Response {
        try request.validate()
        let text = try await server.read { [house, server] in
            let response = try house.match(request)
            if response.stale { server.catchUpSoon() }
            return try Self.document(response)
        }
        return Self.json(text)
    }

    /// `chm similar ID --json`'s document.
    func similar(id: String, parameters: RequestParameters) async throws -> Response {
        try parameters.check(known: APIParameters.relatedNames)
        let filters = try APIParameters.filters(parameters)
        let limit = try APIParameters.limit(parameters)
        let language = try APIParameters.language(parameters)
        let text = try await server.read { [house] in
            try Self.document(try house.similar(id: id, filters: filters, limit: limit, language: language))
        }
        return Self.json(text)
    }

    /// The record's canonical JSON, as `chm show --json` prints it. An alias's id answers with
    /// the record it resolves to (200, with `"resolvedFrom"` in the document) and names that
    /// record's address in `Content-Location`.
    func record(id: String) async throws -> Response {
        let found = try await server.read { [house] () throws -> (id: String, text: String, isAlias: Bool)? in
            try house.resolve(id: id).map { ($0.id, try $0.documentText(), $0.alias != nil) }
        }
        guard let found else { throw Problem.unknownRecord(id) }
        var response = Self.json(found.text)
        if found.isAlias { response.headers[.contentLocation] = Self.recordPath(found.id) }
        return response
    }

    /// Where the record came from: its aliases and the OAI sets it was harvested in.
    func provenance(id: String, parameters: RequestParameters) async throws -> Response {
        try parameters.check(known: [])
        let text = try await server.read { [house] () throws -> String? in
            try house.provenance(id: id).map { try Self.document($0) }
        }
        guard let text else { throw Problem.unknownRecord(id) }
        return Self.json(text)
    }

    /// `/v1/records/{id}`, the id percent-encoded as the pages' links encode it.
    static func recordPath(_ id: String) -> String {
        "/v1/records/" + URLQuery.pathSegment(id)
    }

    /// `chm suggest --json`'s document: completions of the last word of `q`, and the titles
    /// they would find. `limit` is a parameter unless `fixedLimit` is given (the web page's
    /// query box asks for a set number).
    func suggest(_ parameters: RequestParameters, fixedLimit: Int? = nil) async throws -> Response {
        try parameters.check(known: fixedLimit == nil ? ["q", "limit", "lang"] : ["q", "lang"])
        let query = try parameters.one("q") ?? ""
        let limit = try fixedLimit ?? parameters.integer("limit", default: 10, maximum: APIParameters.maximumSuggestions)
        let language = try APIParameters.language(parameters)
        return Self.json(try await server.read { [house] in try Self.document(try house.suggest(query, limit: limit, language: language)) })
    }

    /// `chm stats --json`'s document.
    func statistics() async throws -> Response {
        Self.json(try await server.read { [house] in try Self.document(try house.statisticsReport()) })
    }

    // MARK: Writes

    /// `chm ingest --json`'s report for the body, stored as one file is: in one transaction.
    func ingest(_ request: Request) async throws -> Response {
        try authorize(request)
        let format = try Self.recordFormat(request.headers[.contentType])
        let parameters = try RequestParameters.query(request.uri.query)
        try parameters.check(known: ["skipInvalid", "strict"])
        var options = IngestOptions(
            skipInvalid: try parameters.boolean("skipInvalid", default: false), strict: try parameters.boolean("strict", default: false))
        options.skipInvalidAdvice = "send it with ?skipInvalid=true"
        let body = try await self.body(request)
        let report = try await server.write { [house, options] in
            try house.ingest(body: body, format: format, displayName: "body", options: options)
        }
        if report.refusedInput {
            let errors = report.diagnostics.filter { $0.severity == .error }
            var problem = Problem(
                .unprocessableContent, "invalid-records", "Records cannot be stored",
                detail: "nothing was stored: \(report.rejected) record\(report.rejected == 1 ? "" : "s") rejected"
                    + (errors.first.map { "; first error: \($0.description)" } ?? ""),
                diagnostics: report.diagnostics)
            problem.members.append(("report", try JSONValue(encoding: report)))
            throw problem
        }
        return Self.json(try Self.document(report))
    }

    /// `chm delete ID --json`'s report; 404 when there is no such record.
    func delete(id: String, request: Request) async throws -> Response {
        try authorize(request)
        try Self.refuseQueryParameters(request)
        let report = try await server.write { [house] in try house.delete(ids: [id]) }
        if !report.missing.isEmpty { throw Problem.unknownRecord(id) }
        return Self.json(try Self.document(report))
    }

    /// `chm merge ID DUPLICATE... --json`'s report: the body's `duplicates` (an id or an array
    /// of ids) become aliases of `id`.
    func merge(id: String, request: Request) async throws -> Response {
        try authorize(request)
        try Self.refuseQueryParameters(request)
        let parameters = try RequestParameters.json(try await jsonBody(request), types: ["duplicates": .strings])
        try parameters.check(known: ["duplicates"])
        let duplicates = parameters.all("duplicates")
        let report = try await server.write { [house] in try house.merge(primary: id, duplicates: duplicates) }
        return Self.json(try Self.document(report))
    }

    // MARK: Request parts

    /// Refuses parameters in the URL of a request that takes none there (a body's request
    /// takes its parameters in the body; `?q=x` beside a body would be ignored silently).
    static func refuseQueryParameters(_ request: Request) throws {
        try RequestParameters.query(request.uri.query).check(known: [])
    }

    /// The `{id}` of the path, percent-decoded.
    static func recordID(_ context: BasicRequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        guard let id = raw.removingPercentEncoding, !id.isEmpty else {
            throw Problem.badParameter("id", "\"\(raw)\" is not a valid percent-encoded record id")
        }
        return id
    }

    /// Lets a write through with a valid key: 403 when the server has no keys (read-only),
    /// 401 (with `WWW-Authenticate: Bearer`) when the key is missing or wrong.
    func authorize(_ request: Request) throws(Problem) {
        guard let keys = server.writeKeys else {
            throw Problem(
                .forbidden, "read-only", "Forbidden", detail: "this server is read-only (it was started without --api-key-file)")
        }
        guard let header = request.headers[.authorization] else {
            throw Problem(
                .unauthorized, "unauthorized", "Unauthorized", detail: "writes need an API key: Authorization: Bearer KEY",
                headers: [.wwwAuthenticate: #"Bearer realm="chm""#])
        }
        // (Spaces or tabs between the scheme and the key, as HTTP's whitespace.)
        let parts = header.split(maxSplits: 1, omittingEmptySubsequences: true) { $0 == " " || $0 == "\t" }
        guard parts.count == 2, parts[0].lowercased() == "bearer",
            keys.contains(parts[1].trimmingCharacters(in: .whitespaces))
        else {
            throw Problem(
                .unauthorized, "unauthorized", "Unauthorized", detail: "the API key is not valid",
                headers: [.wwwAuthenticate: #"Bearer realm="chm", error="invalid_token""#])
        }
    }

    /// The body of a JSON request (search, match): 415 for another content type.
    func jsonBody(_ request: Request) async throws -> [UInt8] {
        if let contentType = request.headers[.contentType], Self.recordFormat(mediaType: contentType) != .json {
            throw Self.unsupported(contentType, accepted: "application/json")
        }
        return try await body(request)
    }

    /// The body, up to ``ServerConfiguration/maxBodyBytes`` (413 past it, before reading it
    /// when `Content-Length` says so).
    func body(_ request: Request) async throws -> [UInt8] {
        try Self.checkCodings(request.headers)
        let limit = server.configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { throw Problem.tooLarge(limit: limit) }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw Problem.tooLarge(limit: limit)
        }
    }

    /// The record format a `Content-Type` names (none: JSON); 415 for any other.
    static func recordFormat(_ contentType: String?) throws(Problem) -> RecordFormat {
        guard let contentType else { return .json }
        guard let format = recordFormat(mediaType: contentType) else {
            throw unsupported(contentType, accepted: "application/json, application/x-ndjson (JSON Lines) or application/xml")
        }
        return format
    }

    /// The format of a media type (`application/json; charset=utf-8` -> `.json`), or nil.
    static func recordFormat(mediaType: String) -> RecordFormat? {
        let type = (mediaType.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        switch type {
        case "application/json", "text/json": return .json
        case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines",
            "application/json-lines":
            return .jsonLines
        case "application/xml", "text/xml": return .xml
        default:
            if type.hasSuffix("+json") { return .json }
            if type.hasSuffix("+xml") { return .xml }
            return nil
        }
    }

    /// Refuses a body the server would read as something it is not: compressed by a
    /// `Content-Encoding` (415, RFC 9110) or a `Transfer-Encoding` other than `chunked` (400),
    /// which the server does not decode.
    static func checkCodings(_ headers: HTTPFields) throws(Problem) {
        func codings(_ name: HTTPField.Name) -> [String] {
            headers[values: name].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                .filter { !$0.isEmpty }
        }
        if let coding = codings(.contentEncoding).first(where: { $0 != "identity" }) {
            throw Problem(
                .unsupportedMediaType, "unsupported-media-type", "Unsupported media type",
                detail: "Content-Encoding \(coding) is not decoded here; send the body uncompressed", headers: [.acceptEncoding: "identity"])
        }
        if let coding = codings(.transferEncoding).first(where: { $0 != "chunked" }) {
            // (RFC 9112 suggests 501, but nothing a client sends earns a 5xx here: it is a
            // request the server cannot read.) Where such a body ends is unknown, so the
            // connection closes after the answer (its bytes were read as a second request,
            // answered with a bare 400).
            throw Problem(
                .badRequest, "malformed-request", "Malformed request",
                detail: "Transfer-Encoding \(coding) is not decoded here; send the body as it is, with Content-Length or chunked",
                headers: [.connection: "close"])
        }
    }

    static func unsupported(_ contentType: String, accepted: String) -> Problem {
        Problem(
            .unsupportedMediaType, "unsupported-media-type", "Unsupported media type",
            detail: "Content-Type \(contentType) is not accepted here; send \(accepted)")
    }
}
