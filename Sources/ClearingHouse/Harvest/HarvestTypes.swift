// The public vocabulary of harvesting: what to harvest (HarvestRequest), how a response
// arrives (OAIHTTPTransport; the ClearingHouseHarvester module gives one over HTTP), what
// happened (HarvestReport), and what the catalog remembers of each source (HarvestSource).
import Foundation

/// What `chm harvest` asks of an OAI-PMH provider.
///
/// ```swift
/// var request = HarvestRequest(baseURL: "https://chm.example.org/oai")
/// request.sets = ["kind:technology"]
/// let report = try await house.harvest(try request.validated(), transport: transport)
/// ```
public struct HarvestRequest: Sendable, Hashable {
    /// The provider's base URL (`http` or `https`, without a query).
    public var baseURL: String
    /// Set specs to harvest, each on its own; empty harvests the whole repository.
    public var sets: [String] = []
    /// `oai_dc` (Dublin Core) or `chm` (chm's own records, lossless).
    public var metadataPrefix: String = "oai_dc"
    /// Harvest records changed from this date (`YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ`);
    /// nil asks from the last complete harvest of the source (or everything the first time):
    /// from its first `responseDate`, or from its `until` when it was bounded by an earlier one.
    public var from: String?
    /// Harvest records changed until this date (inclusive).
    public var until: String?
    /// How long one request may keep being retried (503, 429, connection errors) before the
    /// harvest gives up: from zero (no retry) to ``longestRetryFor``.
    public var retryFor: Duration = .seconds(300)
    /// How long one request may take: more than zero, at most ``longestRequestTimeout``.
    public var requestTimeout: Duration = .seconds(120)
    /// The largest response accepted.
    public var maximumResponseBytes = 256 << 20
    /// The readers' size limits for each page's records (tests lower them).
    package var recordLimits: RecordLimits = .default

    /// The metadata formats the harvester reads.
    public static let metadataPrefixes = ["oai_dc", "chm"]
    /// The longest ``requestTimeout``: one day (`chm harvest --timeout 86400`).
    public static let longestRequestTimeout: Duration = .seconds(86_400)
    /// The longest ``retryFor``: one week (`chm harvest --retry-for 604800`).
    public static let longestRetryFor: Duration = .seconds(604_800)

    /// A request to harvest the whole repository at `baseURL` in `oai_dc`, with the default limits.
    public init(baseURL: String) {
        self.baseURL = baseURL
    }

    /// The request with its base URL normalized (scheme and host in lower case, spaces around
    /// it trimmed), after checking every parameter. A URL with a user name or password is
    /// refused: it would be stored in every record harvested.
    /// - Throws: ``ClearingHouseError`` naming the parameter (`url`, `set`,
    ///   `metadataPrefix`, `from`, `until`, `timeout` for ``requestTimeout``, `retryFor`,
    ///   `maximumResponseBytes`).
    public func validated() throws -> HarvestRequest {
        var request = self
        let url = baseURL.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw ClearingHouseError.parameter("url", "\"\(baseURL)\" is not an http or https URL (e.g. https://example.org/oai)")
        }
        guard components.user == nil, components.password == nil else {
            // (Not the URL itself in the message: it holds a password.)
            throw ClearingHouseError.parameter(
                "url",
                "the URL has a user name or password in it (user:password@); remove them: chm keeps the URL in every harvested record's source.url, prints and exports it, and cannot pass credentials to a provider")
        }
        guard components.query == nil, components.fragment == nil else {
            throw ClearingHouseError.parameter(
                "url", "\"\(baseURL)\" has a query or a fragment; give the provider's base URL, without ?verb=...")
        }
        if let port = components.port, !(1...65535).contains(port) {
            // (The HTTP client traps on such a port; a host name's was taken modulo 65536.)
            throw ClearingHouseError.parameter("url", "\"\(baseURL)\" has port \(port); a port is 1 to 65535")
        }
        request.baseURL = Self.normalized(url)
        guard HarvestRequest.metadataPrefixes.contains(metadataPrefix) else {
            throw ClearingHouseError.parameter(
                "metadataPrefix", "chm reads oai_dc and chm, not \"\(metadataPrefix)\"")
        }
        for set in sets where set.isEmpty || set.contains(where: { $0.isWhitespace || $0.isNewline }) {
            // (A name typed as it reads: chm's providers write a space as `~20`.)
            let parts = set.split(separator: ":", maxSplits: 1)
            let spelled =
                parts.count == 2 && !set.contains(where: \.isNewline) && !parts[1].trimmingCharacters(in: .whitespaces).isEmpty
                ? parts[0] + ":" + OAISets.encode(parts[1].trimmingCharacters(in: .whitespaces)) : nil
            throw ClearingHouseError.parameter(
                "set",
                "\"\(set)\" is not a set spec (a set spec has no spaces\(spelled.map { "; a chm provider spells this one \($0)" } ?? ""); the provider's ListSets gives its specs)"
            )
        }
        var seen = Set<String>()
        request.sets = sets.filter { seen.insert($0).inserted }
        for (name, value) in [("from", from), ("until", until)] {
            if let value, value.hasPrefix("0000"), OAIDate("0001" + value.dropFirst(4)) != nil {
                // A provider must refuse it (XML Schema's dates have no year 0). (A date that
                // is wrong in other ways too, `0000-13-45`, is not a date at all.)
                throw ClearingHouseError.parameter(name, "\"\(value)\": year 0000 is not a year of an OAI-PMH date (the earliest is 0001)")
            }
            if let value, OAIDate(value) == nil {
                throw ClearingHouseError.parameter(name, "\"\(value)\" is not a date (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)")
            }
        }
        if let from, let until, let start = OAIDate(from), let end = OAIDate(until) {
            guard start.isDay == end.isDay else {
                throw ClearingHouseError.parameter("until", "from and until must have the same granularity")
            }
            guard start.seconds <= end.seconds else {
                throw ClearingHouseError.parameter("until", "\(until) is before from \(from)")
            }
        }
        guard requestTimeout > .zero, requestTimeout <= Self.longestRequestTimeout else {
            throw ClearingHouseError.parameter(
                "timeout",
                "\(Self.describe(requestTimeout)) is out of range; give a request timeout from 1 to \(Self.longestRequestTimeout.components.seconds) seconds (one day)")
        }
        guard retryFor >= .zero, retryFor <= Self.longestRetryFor else {
            throw ClearingHouseError.parameter(
                "retryFor",
                "\(Self.describe(retryFor)) is out of range; give a retry time from 0 to \(Self.longestRetryFor.components.seconds) seconds (one week)")
        }
        guard maximumResponseBytes > 0 else {
            throw ClearingHouseError.parameter("maximumResponseBytes", "\(maximumResponseBytes) is not a positive number of bytes")
        }
        return request
    }
}

/// How a harvested page is named, in diagnostics and as the stored records' source file:
/// `BASE_URL [page N]`, or `BASE_URL [page N of set S]`.
enum HarvestPageName {
    private static let mark = " [page "

    static func of(baseURL: String, page: Int, set: String?) -> String {
        "\(baseURL)\(mark)\(page)\(set.map { " of set \($0)" } ?? "")]"
    }

    /// The base URL of a page named so, nil for any other name (a file's path).
    static func baseURL(of name: String) -> Substring? {
        guard name.hasSuffix("]"), let mark = name.range(of: mark), name[..<mark.lowerBound].hasPrefix("http") else { return nil }
        return name[..<mark.lowerBound]
    }
}

extension HarvestRequest {
    /// `url` (an http or https URL with a host, no user-info, query or fragment) with its
    /// scheme and host in lower case, so `HTTP://Example.org/oai` and `http://example.org/oai`
    /// are one source; the path is kept as it is (paths are case-sensitive).
    static func normalized(_ url: String) -> String {
        guard let separator = url.range(of: "://") else { return url }
        let rest = url[separator.upperBound...]
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        return url[..<separator.lowerBound].lowercased() + "://" + rest[..<authorityEnd].lowercased() + rest[authorityEnd...]
    }

    /// `duration` as the user gave it, in seconds (`9223372037 seconds`, `0.5 seconds`).
    fileprivate static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return attoseconds == 0 ? "\(seconds) seconds" : "\(Double(seconds) + Double(attoseconds) / 1e18) seconds"
    }
}

/// An OAI-PMH date: a day or a second, UTC.
struct OAIDate: Hashable {
    /// Seconds since 1970 of its start.
    let seconds: Int
    let isDay: Bool

    init?(_ text: String) {
        let isDay = text.utf8.count == 10
        guard isDay || (text.utf8.count == 20 && text.hasSuffix("Z")),
            let seconds = RecordDate.secondsSinceEpoch(rfc3339: isDay ? text + "T00:00:00Z" : text)
        else { return nil }
        self.seconds = Int(seconds)
        self.isDay = isDay
    }

    /// `seconds` written at day or second granularity; a moment before 0001-01-01 (a
    /// provider's responseDate there, less two seconds) as that day, which OAI-PMH can write.
    static func format(_ seconds: Int, day: Bool) -> String {
        let text = RecordDate.rfc3339(secondsSinceEpoch: Double(max(seconds, Self.firstSecond)))
        return day ? String(text.prefix(10)) : text
    }

    /// 0001-01-01T00:00:00Z in seconds since 1970.
    static let firstSecond = -62_135_596_800
}

/// One HTTP response, as an ``OAIHTTPTransport`` gives it.
public struct OAIHTTPResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The `Retry-After` header, when there is one.
    public var retryAfter: String?
    /// The body.
    public var body: [UInt8]
    /// The `Location` header of a redirect that was not followed (one to a `file:` or `ftp:`
    /// URL, say: a transport follows only `http` and `https`).
    public var location: String?

    /// A response; `location` only for a redirect the transport did not follow.
    public init(status: Int, retryAfter: String? = nil, body: [UInt8], location: String? = nil) {
        self.status = status
        self.retryAfter = retryAfter
        self.body = body
        self.location = location
    }
}

/// How a harvest fetches a URL. `ClearingHouseHarvester.HTTPTransport` does it over HTTP
/// with AsyncHTTPClient; the library itself has no HTTP in it.
public protocol OAIHTTPTransport: Sendable {
    /// GETs `url`, reading at most `maximumBytes` of the body, within `timeout` from the
    /// request to the body's last byte.
    /// - Throws: ``OAITransportFailure`` for an answer that asking again cannot mend (a body
    ///   over `maximumBytes`, a redirect cycle, a corrupt compressed body): the harvest stops.
    ///   Any other error means the provider could not be reached, and the harvest retries.
    func get(_ url: String, timeout: Duration, maximumBytes: Int) async throws -> OAIHTTPResponse
}

/// A response that asking again would not mend: the harvest of the set stops with this
/// message instead of retrying.
public struct OAITransportFailure: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in a few words (`the response is larger than 268435456 bytes`).
    public var description: String

    /// A failure described by `description`.
    public init(_ description: String) {
        self.description = description
    }
}

/// Where a harvest stands, reported after each page and before each retry.
public struct HarvestProgress: Sendable, Hashable {
    /// The set being harvested (nil: the whole repository).
    public var set: String?
    /// Pages committed in this run.
    public var pages: Int
    /// Items (records and deletions) read in this run.
    public var items: Int
    /// The provider's `completeListSize`, when it gives one.
    public var completeListSize: Int?
    /// When waiting to retry: why, and for how many seconds.
    public var retrying: Retry?

    /// A wait before a request is sent again.
    public struct Retry: Sendable, Hashable {
        /// Why the request is sent again (`cannot reach the provider (...)`, an HTTP status).
        public var reason: String
        /// How many seconds the harvest waits before sending it again.
        public var seconds: Double
    }
}

/// An OAI set that a harvested record was found in: the provider's base URL and the set's
/// spec. A record reached through several sets (or through several sources, its copies being
/// aliases) is stored once, with each set as a membership.
///
/// JSON: `{"baseURL": "https://...", "set": "country:KE"}`.
public struct HarvestedSet: Sendable, Hashable, Codable {
    /// The provider's base URL, as it was harvested.
    public var baseURL: String
    /// The set spec: a set the record's header named, or the set it was harvested through.
    public var set: String
    /// The id under which the record was harvested: the record's own, or one of its aliases'.
    public var id: String

    /// A membership of the record harvested as `id` in `set` of `baseURL`.
    public init(baseURL: String, set: String, id: String) {
        self.baseURL = baseURL
        self.set = set
        self.id = id
    }

    /// `memberships` by provider, as front ends show them: each base URL once, in the order
    /// given, with its set specs once each (a set reached under two ids is one set).
    public static func byProvider(_ memberships: [HarvestedSet]) -> [(baseURL: String, sets: [String])] {
        var providers: [(baseURL: String, sets: [String])] = []
        for membership in memberships {
            if let index = providers.firstIndex(where: { $0.baseURL == membership.baseURL }) {
                if !providers[index].sets.contains(membership.set) { providers[index].sets.append(membership.set) }
            } else {
                providers.append((membership.baseURL, [membership.set]))
            }
        }
        return providers
    }
}

/// What the catalog remembers of one harvested source: a base URL, a set (or the whole
/// repository) and a metadata format.
public struct HarvestSource: Sendable, Hashable {
    /// What identifies a source.
    public struct Key: Sendable, Hashable {
        /// The provider's base URL.
        public var baseURL: String
        /// The set spec; nil for the whole repository.
        public var set: String?
        /// The metadata format harvested (`oai_dc` or `chm`).
        public var metadataPrefix: String
    }

    /// The provider's base URL, as it was harvested.
    public var baseURL: String
    /// The set spec; nil for the whole repository.
    public var set: String?
    /// The metadata format harvested (`oai_dc` or `chm`).
    public var metadataPrefix: String
    /// The `responseDate` of the first page of the last complete harvest: where the next
    /// incremental harvest starts, unless that harvest's ``lastUntil`` is earlier.
    public var lastResponseDate: String?
    /// The `from` and `until` of the last complete harvest. An `until` before its
    /// ``lastResponseDate`` is where the next incremental harvest starts: what changed after it
    /// was not asked for.
    public var lastFrom: String?
    /// The `until` of the last complete harvest; nil when it was not bounded.
    public var lastUntil: String?
    /// When the last harvest (complete or not) started, and when the last complete one ended.
    public var lastStartedAt: String?
    /// When the last complete harvest ended; nil before one has.
    public var lastFinishedAt: String?
    /// Complete harvests.
    public var harvests: Int
    /// Pages committed, records stored (added or updated), deletions applied and records
    /// rejected, over every harvest (a `noRecordsMatch` answer is no page, as in the
    /// harvest's report).
    public var pages: Int
    /// Records stored (added or updated), over every harvest.
    public var stored: Int
    /// Deletions applied, over every harvest.
    public var deleted: Int
    /// Records rejected as invalid, over every harvest.
    public var rejected: Int
    /// The position of a harvest that did not finish; the next harvest resumes from it.
    var pending: PendingHarvest?
    /// The last failure, until a page commits again.
    public var lastError: String?

    /// Whether a harvest of this source stopped part-way (the next one resumes it).
    public var isResumable: Bool { pending != nil }
    /// Pages committed by the harvest that stopped part-way.
    public var resumablePages: Int? { pending?.pages }

    var key: Key { Key(baseURL: baseURL, set: set, metadataPrefix: metadataPrefix) }
}

/// What harvesting one set (or the whole repository) did.
public struct SetHarvestReport: Sendable, Hashable {
    /// The provider's base URL.
    public var baseURL: String
    /// The set; nil for the whole repository.
    public var set: String?
    /// The metadata format harvested (`oai_dc` or `chm`).
    public var metadataPrefix: String
    /// The selection asked for (`from` is the incremental start when not given).
    public var from: String?
    /// The `until` asked for; nil for no bound.
    public var until: String?
    /// The first page's `responseDate`.
    public var responseDate: String?
    /// Whether this run resumed a harvest that had stopped part-way.
    public var resumed = false
    /// Whether the list was harvested to its end.
    public var complete = false
    /// Pages committed in this run.
    public var pages = 0
    /// Records added, updated, unchanged, skipped (older than the stored copy), deleted,
    /// and rejected (invalid; the rest of their page was kept).
    public var added = 0
    /// Stored records replaced by different content.
    public var updated = 0
    /// Records identical to the stored copy.
    public var unchanged = 0
    /// Records stored as aliases: copies of a live record under another id (see README, "One
    /// copy of each record").
    public var aliased = 0
    /// Records skipped: older than the stored copy.
    public var skipped = 0
    /// Records deleted (the provider's deletions).
    public var deleted = 0
    /// Records rejected as invalid (the rest of their page was kept).
    public var rejected = 0
    /// Error and warning diagnostics.
    public var errors = 0
    /// Warning diagnostics.
    public var warnings = 0
    /// Why the harvest stopped before the end, when it did.
    public var failure: String?
}

/// What `chm harvest` did, one entry per set.
public struct HarvestReport: Sendable, Hashable {
    /// What harvesting each set did, one entry per set, in the order harvested.
    public var harvests: [SetHarvestReport] = []
    /// The diagnostics, in order (at most ``IngestReport/maximumKeptDiagnostics``).
    public var diagnostics: [Diagnostic] = []

    /// True when every set was harvested to its end and no record was rejected.
    public var succeeded: Bool { harvests.allSatisfy { $0.complete && $0.rejected == 0 && $0.errors == 0 } }
}

// MARK: The --json documents

extension SetHarvestReport: Encodable {
    private enum CodingKeys: String, CodingKey {
        case url, set, metadataPrefix, from, until, responseDate, resumed, complete, pages, added, updated, unchanged, aliased,
            skipped, deleted, rejected, errors, warnings, failure
    }

    /// `{"url", "set", "metadataPrefix", "from", "until", "responseDate", "resumed",
    /// "complete", "pages", "added", "updated", "unchanged", "aliased", "skipped", "deleted",
    /// "rejected", "errors", "warnings", "failure"}` (absent values are null).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(baseURL, forKey: .url)
        try container.encode(set, forKey: .set)
        try container.encode(metadataPrefix, forKey: .metadataPrefix)
        try container.encode(from, forKey: .from)
        try container.encode(until, forKey: .until)
        try container.encode(responseDate, forKey: .responseDate)
        try container.encode(resumed, forKey: .resumed)
        try container.encode(complete, forKey: .complete)
        try container.encode(pages, forKey: .pages)
        try container.encode(added, forKey: .added)
        try container.encode(updated, forKey: .updated)
        try container.encode(unchanged, forKey: .unchanged)
        try container.encode(aliased, forKey: .aliased)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(deleted, forKey: .deleted)
        try container.encode(rejected, forKey: .rejected)
        try container.encode(errors, forKey: .errors)
        try container.encode(warnings, forKey: .warnings)
        try container.encode(failure, forKey: .failure)
    }
}

extension HarvestReport: Encodable {
    private enum CodingKeys: String, CodingKey {
        case harvests, ok, diagnostics
    }

    /// `{"harvests": [one per set], "ok", "diagnostics": [...]}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(harvests, forKey: .harvests)
        try container.encode(succeeded, forKey: .ok)
        try container.encode(diagnostics, forKey: .diagnostics)
    }
}

extension HarvestSource: Encodable {
    private enum CodingKeys: String, CodingKey {
        case url, set, metadataPrefix, lastHarvest, lastFrom, lastUntil, lastStartedAt, lastFinishedAt, harvests, pages, stored,
            deleted, rejected, resumable, resumablePages, lastError
    }

    /// `{"url", "set", "metadataPrefix", "lastHarvest" (the last complete harvest's
    /// responseDate; the next harvest starts from it, or from "lastUntil" when that is
    /// earlier), "lastFrom", "lastUntil", "lastStartedAt", "lastFinishedAt", "harvests", "pages",
    /// "stored", "deleted", "rejected", "resumable", "resumablePages", "lastError"}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(baseURL, forKey: .url)
        try container.encode(set, forKey: .set)
        try container.encode(metadataPrefix, forKey: .metadataPrefix)
        try container.encode(lastResponseDate, forKey: .lastHarvest)
        try container.encode(lastFrom, forKey: .lastFrom)
        try container.encode(lastUntil, forKey: .lastUntil)
        try container.encode(lastStartedAt, forKey: .lastStartedAt)
        try container.encode(lastFinishedAt, forKey: .lastFinishedAt)
        try container.encode(harvests, forKey: .harvests)
        try container.encode(pages, forKey: .pages)
        try container.encode(stored, forKey: .stored)
        try container.encode(deleted, forKey: .deleted)
        try container.encode(rejected, forKey: .rejected)
        try container.encode(isResumable, forKey: .resumable)
        try container.encode(resumablePages, forKey: .resumablePages)
        try container.encode(lastError, forKey: .lastError)
    }
}
