import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The paths of the API and their methods, to tell a wrong method (405, with `Allow`) from
/// an unknown path (404).
enum Routes {
    /// Path patterns (`*` is one segment: a record id) and their methods.
    static let table: [(pattern: [String], methods: [String])] = [
        (["healthz"], ["GET", "HEAD"]),
        (["readyz"], ["GET", "HEAD"]),
        (["openapi.json"], ["GET", "HEAD"]),
        (["v1", "search"], ["GET", "HEAD", "POST"]),
        (["v1", "match"], ["POST"]),
        (["v1", "stats"], ["GET", "HEAD"]),
        (["v1", "suggest"], ["GET", "HEAD"]),
        (["v1", "records"], ["POST"]),
        (["v1", "records", "*"], ["GET", "HEAD", "DELETE"]),
        (["v1", "records", "*", "similar"], ["GET", "HEAD"]),
        (["v1", "records", "*", "matches"], ["GET", "HEAD"]),
        (["v1", "records", "*", "merge"], ["POST"]),
        (["v1", "records", "*", "provenance"], ["GET", "HEAD"]),
        ([], ["GET", "HEAD"]),
        (["records", "*"], ["GET", "HEAD"]),
        (["helpdesk"], ["GET", "HEAD", "POST"]),
        (["feed"], ["GET", "HEAD"]),
        (["export"], ["GET", "HEAD"]),
        (["suggest"], ["GET", "HEAD"]),
        (["static", "*"], ["GET", "HEAD"]),
        (["schema", "*"], ["GET", "HEAD"]),
        (["oai"], ["GET", "HEAD", "POST"]),
    ]

    /// Whether `path` has an empty segment (`/v1/records/x/`, `/v1//records`), which no route
    /// has: the router would pass over it, and `x/` (a record id with an unescaped `/`) would
    /// reach, and delete, the record `x`.
    static func hasEmptySegment(_ path: String) -> Bool {
        path != "/" && (path.hasSuffix("/") || path.contains("//"))
    }

    /// The methods `path` takes, or nil when no route has it.
    static func methods(for path: String) -> [String]? {
        guard !hasEmptySegment(path) else { return nil }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for route in table where route.pattern.count == segments.count {
            if zip(route.pattern, segments).allSatisfy({ $0 == "*" || $0 == $1 }) { return route.methods }
        }
        return nil
    }
}

/// Turns every error into a problem document (`application/problem+json`): an unknown path
/// is 404, a known path with another method 405 (`OPTIONS` answers 204 with `Allow`); only
/// faults of the server itself become 500, and are logged.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let logger: Logger
    /// The index directory, which details show relative to it: clients need not learn where
    /// the server keeps its files (the log has the whole message).
    var directory: String? = nil
    /// The page for a path no route has, asked for by a browser outside the API (nil: a
    /// problem document as for the API).
    var notFoundPage: (@Sendable (Request) -> Response?)? = nil

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if Routes.hasEmptySegment(path) {
            if let page = notFoundPage?(request) { return page }
            return Problem(
                .notFound, "not-found", "Not found",
                detail: "no such path: \(path) (it has an empty segment; a \"/\" inside a record id is written %2F)"
            ).response
        }
        // An expectation the server cannot meet (only `100-continue` is one it knows).
        if let expect = request.headers[.expect], expect.trimmingCharacters(in: .whitespaces).lowercased() != "100-continue" {
            return Problem(
                .expectationFailed, "expectation-failed", "Expectation failed",
                detail: "Expect: \(expect) is not an expectation this server meets (only 100-continue)"
            ).response
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // Only the router throws HTTPError: no route for this path and method.
            let path = request.uri.path
            guard let methods = Routes.methods(for: path) else {
                if let page = notFoundPage?(request) { return page }
                return Problem(.notFound, "not-found", "Not found", detail: "no such path: \(path)").response
            }
            let allow = (methods + ["OPTIONS"]).joined(separator: ", ")
            if request.method == .options { return Response(status: .noContent, headers: [.allow: allow]) }
            return Problem(
                .methodNotAllowed, "method-not-allowed", "Method not allowed",
                detail: "\(request.method.rawValue) is not allowed on \(path); allowed: \(allow)", headers: [.allow: allow]
            ).response
        } catch {
            var (problem, fault) = Problem.from(error)
            if fault { logger.error("\(request.method.rawValue) \(request.uri.path): \(error)") }
            if let directory, problem.hidePath(directory), !fault {
                logger.warning("\(request.method.rawValue) \(request.uri.path): \(error)")
            }
            return problem.response
        }
    }
}

/// CORS for the listed origins: their pages may read, and write with a key (a preflight
/// accepts `Authorization` and `Content-Type`). Other origins get no CORS headers.
struct CORSPolicyMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let origins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], origins.contains(origin) else {
            // The answer still depends on the origin: a shared cache must not give this one
            // (without CORS headers) to a listed origin, nor the reverse.
            var response = try await next(request, context)
            if !origins.isEmpty { response.headers.append(HTTPField(name: .vary, value: "Origin")) }
            return response
        }
        // A preflight is answered with the methods its path has (an unknown path is a 404).
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil,
            let methods = Routes.methods(for: request.uri.path)
        {
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: origin, .accessControlAllowMethods: (methods + ["OPTIONS"]).joined(separator: ", "),
                    .accessControlAllowHeaders: "Authorization, Content-Type", .accessControlMaxAge: "600", .vary: "Origin",
                ])
        }
        var response = try await next(request, context)
        response.headers[.accessControlAllowOrigin] = origin
        response.headers[.accessControlExposeHeaders] = "WWW-Authenticate, Retry-After, Allow"
        response.headers.append(HTTPField(name: .vary, value: "Origin"))
        return response
    }
}

/// One log line per request: method, path and query, status, milliseconds.
struct RequestLogMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            logger.info("\(request.method.rawValue) \(request.uri.string) failed: \(error)")
            throw error
        }
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        logger.info("\(request.method.rawValue) \(request.uri.string) \(response.status.code) \(String(format: "%.1f", milliseconds)) ms")
        return response
    }
}
