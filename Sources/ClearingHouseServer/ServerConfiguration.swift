import ClearingHouse
import Foundation

/// How a ``ClearingHouseServer`` listens and whom it lets write.
public struct ServerConfiguration: Sendable {
    /// The address to bind (`127.0.0.1` by default: only this machine).
    public var host: String
    /// The port to listen on; 0 picks a free port (``ClearingHouseServer/run(onReady:)`` says which).
    public var port: Int
    /// The keys that may write (`Authorization: Bearer KEY`); nil: the server is read-only
    /// and refuses every write with 403.
    public var apiKeys: APIKeys?
    /// The file ``apiKeys`` were read from, if any: SIGHUP reads it again
    /// (``ClearingHouseServer/reloadAPIKeys()``), so that a key is added or revoked without a
    /// restart.
    public var apiKeyFile: URL?
    /// Web origins (`https://example.org`) whose pages may call the API (CORS); others get
    /// no CORS headers.
    public var corsOrigins: [String]
    /// The largest request body accepted, in bytes (413 past it).
    public var maxBodyBytes: Int
    /// Log one line per request.
    public var logRequests: Bool
    /// A connection with no traffic for this long is closed, so a slow or vanished client
    /// holds nothing.
    public var idleTimeout: Duration
    /// The most connections open at once; more are closed as soon as they are accepted.
    /// nil: the process's limit on open files less 256 (kept for the catalog and the index).
    public var maxConnections: Int?
    /// The OAI-PMH provider at `/oai`: names and page size.
    public var oai: OAIConfiguration
    /// The provider's base URL as its responses name it; nil: `http://` and the request's
    /// `Host`, then `/oai`.
    public var oaiBaseURL: String?
    /// How long a graceful shutdown (SIGTERM, SIGINT) waits for the requests in flight before
    /// it closes their connections: a client uploading slowly must not hold the process for
    /// hours. An ingest that is running then still commits or rolls back whole.
    public var shutdownTimeout: Duration = .seconds(30)

    /// The longest ``shutdownTimeout`` (a day).
    public static let maximumShutdownTimeout = Duration.seconds(86_400)

    /// A configuration; the defaults are `chm serve`'s.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, apiKeys: APIKeys? = nil, corsOrigins: [String] = [],
        maxBodyBytes: Int = 64 << 20, logRequests: Bool = true, idleTimeout: Duration = .seconds(60),
        oai: OAIConfiguration = OAIConfiguration(), oaiBaseURL: String? = nil, maxConnections: Int? = nil
    ) {
        self.maxConnections = maxConnections
        self.oai = oai
        self.oaiBaseURL = oaiBaseURL
        self.host = host
        self.port = port
        self.apiKeys = apiKeys
        self.corsOrigins = corsOrigins
        self.maxBodyBytes = maxBodyBytes
        self.logRequests = logRequests
        self.idleTimeout = idleTimeout
    }

    /// The most `--max-body-mb` may be (so that the byte count cannot overflow).
    public static let maximumBodyMegabytes = 1 << 20

    /// Checks the values a front end took from a user.
    /// - Throws: ``ClearingHouseError`` naming the parameter (`port`, `maxBodyMb`, `host`,
    ///   `corsOrigin`, `maxConnections`, `idleTimeout`, `apiKeys`, `shutdownTimeout`,
    ///   `oaiPageSize`, `oaiAdminEmail`, `oaiBaseUrl`).
    public func validate() throws {
        guard (0...65535).contains(port) else { throw ClearingHouseError.parameter("port", "\(port) is not between 0 and 65535") }
        guard (1...(Self.maximumBodyMegabytes << 20)).contains(maxBodyBytes) else {
            throw ClearingHouseError.parameter("maxBodyMb", "the body limit must be between 1 byte and \(Self.maximumBodyMegabytes) MB")
        }
        guard !host.isEmpty else { throw ClearingHouseError.parameter("host", "give an address to listen on") }
        for origin in corsOrigins where origin.isEmpty || origin.hasSuffix("/") {
            throw ClearingHouseError.parameter(
                "corsOrigin", "\"\(origin)\" is not an origin (scheme://host[:port], without a path or a trailing /)")
        }
        guard idleTimeout > .zero else {
            throw ClearingHouseError.parameter("idleTimeout", "\(idleTimeout) is not above zero (it closed every connection at once)")
        }
        if let apiKeys, apiKeys.count == 0 {
            throw ClearingHouseError.parameter("apiKeys", "no key given: give at least one, or none at all (nil) for a read-only server")
        }
        guard shutdownTimeout >= .zero, shutdownTimeout <= Self.maximumShutdownTimeout else {
            throw ClearingHouseError.parameter("shutdownTimeout", "\(shutdownTimeout) is not between 0 and 86400 seconds")
        }
        if let maxConnections, maxConnections < 1 {
            throw ClearingHouseError.parameter("maxConnections", "\(maxConnections) is below 1")
        }
        try oai.validate()
        if let oaiBaseURL, !Self.isBaseURL(oaiBaseURL) {
            throw ClearingHouseError.parameter(
                "oaiBaseUrl",
                "\"\(oaiBaseURL)\" is not an absolute http or https URL without a query, user name or password (e.g. https://chm.example.org/oai), as OAI-PMH's baseURL must be")
        }
    }

    /// Whether `url` can be an OAI-PMH base URL (an `xs:anyURI` that harvesters append
    /// `?verb=...` to): `http` or `https`, a host, no query, fragment, user name or password, and only the characters
    /// of RFC 3986 (`%` followed by two hex digits).
    static func isBaseURL(_ url: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%".unicodeScalars)
        let scalars = Array(url.unicodeScalars)
        guard !scalars.isEmpty, scalars.allSatisfy(allowed.contains) else { return false }
        for (index, scalar) in scalars.enumerated() where scalar == "%" {
            guard index + 2 < scalars.count, scalars[index + 1].properties.isASCIIHexDigit,
                scalars[index + 2].properties.isASCIIHexDigit
            else { return false }
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return false }
        // (No user name or password: harvesters would publish them, and chm's refuses them.)
        return components.query == nil && components.fragment == nil && components.user == nil && components.password == nil
    }
}

/// The keys that may write, read from a key file (one key a line). Comparisons take the same
/// time whichever key, and however much of it, matches.
public struct APIKeys: Sendable {
    let keys: [[UInt8]]

    /// The given keys; blank ones are ignored.
    public init(_ keys: [String]) {
        self.keys = keys.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { Array($0.utf8) }
    }

    /// The keys in `file`: one a line, blank lines ignored, spaces around a key trimmed.
    /// - Throws: ``ClearingHouseError`` when the file cannot be read or holds no key.
    public init(contentsOf file: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw ClearingHouseError.parameter("apiKeyFile", "cannot read \(file.path): \(error.localizedDescription)")
        }
        self.init(text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).map(String.init))
        if keys.isEmpty { throw ClearingHouseError.parameter("apiKeyFile", "\(file.path) holds no key (one key a line)") }
    }

    /// How many keys there are.
    public var count: Int { keys.count }

    /// Whether `candidate` is one of the keys, compared in constant time: every key is
    /// compared, byte by byte over the longer of the two, with no early exit.
    public func contains(_ candidate: String) -> Bool {
        let given = Array(candidate.utf8)
        var found: UInt8 = 0
        for key in keys {
            var difference: UInt8 = key.count == given.count ? 0 : 1
            for index in 0..<max(key.count, given.count) {
                let a = index < key.count ? key[index] : 0
                let b = index < given.count ? given[index] : 0
                difference |= a ^ b
            }
            found |= difference == 0 ? 1 : 0
        }
        return found != 0
    }
}
