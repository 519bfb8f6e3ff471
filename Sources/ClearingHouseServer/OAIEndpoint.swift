import ClearingHouse
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/oai`: the OAI-PMH provider (``OAIProvider``) by GET and by form-encoded POST. Protocol
/// errors are responses with status 200, as the protocol requires; only a POST that is not
/// form-encoded (415) or too large (413) and a catalog failure are problem documents.
struct OAIEndpoint: Sendable {
    let server: ClearingHouseServer
    let provider: OAIProvider

    init(server: ClearingHouseServer) {
        self.server = server
        provider = OAIProvider(house: server.house, configuration: server.configuration.oai)
    }

    /// The response to the arguments of `query` (a query string or a form body).
    func respond(_ request: Request, query: String?) async throws -> Response {
        let baseURL = self.baseURL(request)
        let text = try await server.read { [provider] in try provider.respond(toQuery: query, baseURL: baseURL) }
        return Response(
            status: .ok, headers: [.contentType: "text/xml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The body of a POST, which must be `application/x-www-form-urlencoded`.
    func formBody(_ request: Request) async throws -> String {
        if let contentType = request.headers[.contentType] {
            let type = (contentType.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            guard type == "application/x-www-form-urlencoded" else {
                throw API.unsupported(contentType, accepted: "application/x-www-form-urlencoded")
            }
        }
        return String(decoding: try await API(server: server).body(request), as: UTF8.self)
    }

    /// The configured base URL, else `http://HOST/oai` with the request's host (when it is a
    /// plain host name or address), else the address the server listens on.
    func baseURL(_ request: Request) -> String {
        if let configured = server.configuration.oaiBaseURL { return configured }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
        if let host = request.head.authority, !host.isEmpty, host.allSatisfy(allowed.contains) {
            return "http://\(host)/oai"
        }
        let host = server.configuration.host
        return "http://\(host.contains(":") ? "[\(host)]" : host):\(server.configuration.port)/oai"
    }
}
