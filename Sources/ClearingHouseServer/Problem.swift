import ClearingHouse
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error answer of the API: RFC 9457 problem details (`application/problem+json`) with
/// `type`, `title`, `status` and `detail`, plus `parameter` for a bad parameter and
/// `diagnostics` for records that cannot be stored.
struct Problem: Error, Sendable {
    var status: HTTPResponse.Status
    /// A short name of the kind of problem (`bad-parameter`), made into the `type` URI.
    var kind: String
    var title: String
    var detail: String
    var parameter: String?
    var diagnostics: [Diagnostic]?
    /// More members of the document (an ingest's report).
    var members: [(String, JSONValue)] = []
    var headers: HTTPFields = [:]

    init(
        _ status: HTTPResponse.Status, _ kind: String, _ title: String, detail: String, parameter: String? = nil,
        diagnostics: [Diagnostic]? = nil, headers: HTTPFields = [:]
    ) {
        self.status = status
        self.kind = kind
        self.title = title
        // A detail quotes what the client sent: a megabyte of digits is not echoed back whole.
        self.detail = detail.count > Self.longestDetail ? String(detail.prefix(Self.longestDetail)) + "… (\(detail.count - Self.longestDetail) more characters)" : detail
        self.parameter = parameter
        self.diagnostics = diagnostics
        self.headers = headers
    }

    /// The longest `detail` written in full.
    static let longestDetail = 2_000

    /// The `type` member: a URN naming the kind of problem.
    var type: String { "urn:chm:problem:\(kind)" }

    /// 400 for a request parameter (query or body member) at fault.
    static func badParameter(_ name: String, _ problem: String) -> Problem {
        Problem(.badRequest, "bad-parameter", "Bad parameter", detail: "\(name): \(problem)", parameter: name)
    }

    /// 404 for a record id.
    static func unknownRecord(_ id: String) -> Problem {
        Problem(.notFound, "not-found", "Not found", detail: "no record with id \(id)")
    }

    /// The document.
    /// The problem document's bytes, as every answer of it sends them.
    var body: ByteBuffer { ByteBuffer(string: jsonValue.description + "\n") }

    var jsonValue: JSONValue {
        var members: [(String, JSONValue)] = [
            ("type", .string(type)), ("title", .string(title)), ("status", .integer(status.code)), ("detail", .string(detail)),
        ]
        if let parameter { members.append(("parameter", .string(parameter))) }
        if let diagnostics {
            members.append(("diagnostics", .array(diagnostics.map { (try? JSONValue(encoding: $0)) ?? .null })))
        }
        members.append(contentsOf: self.members)
        return .object(members)
    }

    /// The response that carries the problem.
    var response: Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// What `error` means for the client. Every error a request can cause maps to a 4xx (or
    /// 503 when the index cannot be read); only faults of the server itself become 500.
    /// - Returns: the problem, and whether it is a server fault worth logging as an error.
    static func from(_ error: any Error) -> (problem: Problem, fault: Bool) {
        switch error {
        case let problem as Problem:
            return (problem, false)
        case let error as ClearingHouseError:
            return (from(error), false)
        case let diagnostic as Diagnostic:
            return (
                Problem(
                    .unprocessableContent, "invalid-records", "Records cannot be stored", detail: diagnostic.description,
                    diagnostics: [diagnostic]), false
            )
        case is NIOTooManyBytesError:
            return (tooLarge(limit: nil), false)
        case let error as HTTPParserError:
            // A body that breaks HTTP: a bad chunk size, an unknown transfer coding, a
            // connection closed before the Content-Length was sent.
            return (Problem(.badRequest, "malformed-request", "Malformed request", detail: "the request is not valid HTTP: \(error)"), false)
        case let error as HTTPError:
            return (Problem(error.status, "http-\(error.status.code)", error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase), false)
        case let error as any HTTPResponseError:
            return (Problem(error.status, "http-\(error.status.code)", error.status.reasonPhrase, detail: error.status.reasonPhrase), false)
        case let error as IOError where [ECONNRESET, EPIPE, ECONNABORTED].contains(error.errnoCode):
            // The client hung up in the middle of its request: nobody reads the answer, and the
            // log should not call it the server's fault (hostile-client QA: a reset mid-body was
            // logged as a 500; a clean close as the 400 above).
            return (
                Problem(.badRequest, "malformed-request", "Malformed request", detail: "the client closed the connection before its request ended"),
                false
            )
        case is CancellationError:
            return (Problem(.serviceUnavailable, "unavailable", "Service unavailable", detail: "the server is shutting down"), false)
        default:
            return (Problem(.internalServerError, "internal", "Internal server error", detail: "the server failed: \(error)"), true)
        }
    }

    /// A library error as a problem: a bad parameter or query is 400 (naming the parameter or
    /// the position), an unknown record 404, a conflict with the catalog's state 409 (naming the
    /// parameter), invalid input 422, an index or catalog that cannot
    /// be read or written (or is locked by another process) 503.
    static func from(_ error: ClearingHouseError) -> Problem {
        switch error.code {
        case .invalidQuery:
            if let parameter = error.parameter {
                return Problem(.badRequest, "bad-parameter", "Bad parameter", detail: error.message, parameter: parameter)
            }
            return Problem(.badRequest, "invalid-query", "Invalid query", detail: error.message, parameter: "q")
        case .notFound:
            return Problem(.notFound, "not-found", "Not found", detail: error.message)
        case .conflict:
            return Problem(.conflict, "conflict", "Conflict", detail: error.message, parameter: error.parameter)
        case .invalidInput:
            return Problem(.unprocessableContent, "invalid-records", "Records cannot be stored", detail: error.message)
        case .remote:
            return Problem(.badGateway, "remote", "Remote provider failed", detail: error.message)
        case .storage, .damaged, .locked:
            // (A full disk frees up when someone frees it: "retry in 5 s" would be the wrong
            // advice, and the detail says what to do and what was stored.)
            let full = [ENOSPC, EDQUOT].contains { error.message.contains(String(cString: strerror($0))) }
            return Problem(
                .serviceUnavailable, "unavailable", "Service unavailable", detail: error.message,
                headers: full ? [:] : [.retryAfter: "5"])
        }
    }

    /// Writes paths inside `directory` (the index's) relative to it in the detail; returns
    /// whether the detail named any.
    mutating func hidePath(_ directory: String) -> Bool {
        let root = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        guard !root.isEmpty, detail.contains(root) else { return false }
        // Only the whole directory, as a path's first components (`/srv/idx.old` is another).
        var result = ""
        var rest = Substring(detail)
        var hid = false
        while let range = rest.range(of: root) {
            result += rest[..<range.lowerBound]
            let after = rest[range.upperBound...]
            if after.first == "/" {
                rest = after.dropFirst()
                hid = true
            } else if let next = after.first, next.isLetter || next.isNumber || "._-~".contains(next) {
                result += root
                rest = after
            } else {
                result += "the index directory"
                rest = after
                hid = true
            }
        }
        detail = result + rest
        return hid
    }

    /// 413, naming the limit.
    static func tooLarge(limit: Int?) -> Problem {
        let amount = limit.map { limit in
            let megabytes = Double(limit) / Double(1 << 20)
            return megabytes == megabytes.rounded() ? "the \(Int(megabytes)) MB " : "the \(limit) bytes "
        }
        // (The rest of the body is not read: the connection closes after the answer.)
        return Problem(
            .contentTooLarge, "too-large", "Content too large",
            detail: "the request body is larger than \(amount ?? "what ")the server accepts (--max-body-mb); send the records in several requests",
            headers: [.connection: "close"])
    }
}
