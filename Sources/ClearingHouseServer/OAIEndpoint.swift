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
    /// host name, an IPv4 address or a bracketed IPv6 address, with an optional port: see
    /// ``authority(fromHost:)``), else the address the server listens on.
    func baseURL(_ request: Request) -> String {
        if let configured = server.configuration.oaiBaseURL { return configured }
        let bound = server.boundPort.load(ordering: .relaxed)
        return Self.baseURL(
            host: request.head.authority, listeningOn: server.configuration.host, port: bound > 0 ? bound : server.configuration.port)
    }

    /// `http://HOST/oai` for a request's `Host` that ``authority(fromHost:)`` takes, else for the
    /// address the server listens on: always an `xs:anyURI`, as Identify's baseURL must be.
    static func baseURL(host: String?, listeningOn address: String, port: Int) -> String {
        if let host, let authority = authority(fromHost: host) { return "http://\(authority)/oai" }
        // (An address of every interface names no server: `localhost` does, on this machine.)
        let named = ["0.0.0.0", "::", "[::]"].contains(address) ? "localhost" : address.contains(":") ? "[\(address)]" : address
        return "http://\(named):\(port)/oai"
    }

    /// `host` when it is the authority of a URL that names a server: a host name (labels of
    /// letters, digits and `-` between dots), an IPv4 address, or an IPv6 address in brackets (one
    /// that parses), followed by nothing or by `:` and a port (0 to 65535); nil for anything
    /// else (`a]b[c:::`, `host:port:port`, an empty name, white space, user-info).
    static func authority(fromHost host: String) -> String? {
        guard !host.isEmpty, host.utf8.count <= 260 else { return nil }
        let rest: Substring
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let address = host[host.index(after: host.startIndex)..<close]
            let hex = Set("0123456789abcdefABCDEF:.")
            guard address.contains(":"), address.allSatisfy(hex.contains),
                (try? SocketAddress(ipAddress: String(address), port: 0)) != nil
            else { return nil }
            rest = host[host.index(after: close)...]
        } else {
            let colon = host.firstIndex(of: ":") ?? host.endIndex
            let name = host[..<colon]
            // Labels of letters, digits and `-`, not at a label's ends (a trailing `.` allowed);
            // all digits: an IPv4 address of four numbers up to 255.
            let letters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
            var labels = name.split(separator: ".", omittingEmptySubsequences: false)
            if labels.count > 1, labels.last?.isEmpty == true { labels.removeLast() }
            guard !labels.isEmpty,
                labels.allSatisfy({ !$0.isEmpty && $0.count <= 63 && $0.allSatisfy(letters.contains) && $0.first != "-" && $0.last != "-" })
            else { return nil }
            if labels.allSatisfy({ $0.allSatisfy(\.isNumber) }) {
                guard labels.count == 4, labels.allSatisfy({ $0.count <= 3 && (Int($0) ?? 256) <= 255 }) else { return nil }
            }
            rest = host[colon...]
        }
        if !rest.isEmpty {
            let port = rest.dropFirst()
            let digits = Set("0123456789")
            guard rest.first == ":", (1...5).contains(port.count), port.allSatisfy(digits.contains), let number = Int(port),
                number <= 65535
            else { return nil }
        }
        return host
    }
}
