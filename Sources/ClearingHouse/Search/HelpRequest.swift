import Foundation

/// A request for assistance as a party writes it at a help desk: the need in its own words,
/// the requesting country and the kinds of help asked.
///
/// ``matchRequest(limit:)`` finds the offers that answer it before anything is stored;
/// ``ClearingHouse/store(_:)`` stores it as a record of kind `assistanceRequest`, which
/// `chm match ID` and the other front ends then match as any stored request.
///
/// ```swift
/// let request = HelpRequest(need: "Training for rangers in coral bleaching surveys", country: "SC",
///                           assistanceTypes: ["training"], language: "en")
/// let offers = try house.match(request.matchRequest())
/// let (id, _) = try house.store(request)
/// ```
public struct HelpRequest: Sendable, Hashable {
    /// What is needed, as the party wrote it (its first line is the record's title).
    public var need: String
    /// The requesting country (ISO 3166-1 alpha-2), if given.
    public var country: String?
    /// The kinds of help asked, among ``MatchRequest/knownAssistanceTypes``.
    public var assistanceTypes: [String]
    /// The language of the page or form it was written on (BCP 47). The record is stored in the
    /// need's own language when its script says so (``ClearingHouse/likelyLanguage(of:reader:)``):
    /// a Russian need typed on the English page is Russian.
    public var language: String
    /// A key the front end made when it showed the form (a hidden field), so that the same
    /// form sent twice (a double click, the browser's back button) stores one request:
    /// ``ClearingHouse/store(_:)`` with a key it stored the same request under before answers
    /// with that record and stores nothing (an edited request is stored anew). At most ``maximumSubmissionLength`` characters; nil: every store is new.
    public var submission: String?

    /// The longest ``submission`` key.
    public static let maximumSubmissionLength = 100

    /// The longest need taken, in characters (and at most ``MatchRequest/maximumTextLength``
    /// Unicode code points: a few characters can carry thousands of combining marks).
    public static let maximumNeedLength = 5_000

    /// What keeps a need from being matched or stored.
    public enum NeedProblem: Sendable, Hashable {
        /// Nothing but white space.
        case empty
        /// More than ``HelpRequest/maximumNeedLength`` characters, or more code points than
        /// a match takes.
        case tooLong
    }

    /// What is wrong with `need`, nil when it can be matched and stored.
    public static func problem(ofNeed need: String) -> NeedProblem? {
        if need.allSatisfy(\.isWhitespace) { return .empty }
        if need.unicodeScalars.count > MatchRequest.maximumTextLength || need.count > maximumNeedLength { return .tooLong }
        return nil
    }
    /// The longest title (the need's first line, cut with an ellipsis).
    public static let maximumTitleLength = 120
    /// The system a stored request names as its source.
    public static let sourceSystem = "chm help desk"

    /// A request for `need`, written on a page in `language` (English by default); nothing is checked yet.
    public init(need: String, country: String? = nil, assistanceTypes: [String] = [], language: String = "en") {
        self.need = need
        self.country = country
        self.assistanceTypes = assistanceTypes
        self.language = language
    }

    /// The known kind of help spelled `text` in any way (`technology-transfer` is
    /// `technologyTransfer`), or nil.
    public static func assistanceType(named text: String) -> String? {
        MatchRequest.knownAssistanceTypes.first { ClearingHouse.notationKey($0) == ClearingHouse.notationKey(text) }
    }

    /// The need without the white space around it.
    var trimmedNeed: String { need.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Checks the request as a front end took it from a party.
    /// - Throws: ``ClearingHouseError`` (`invalidQuery`) naming the parameter: `need` empty or
    ///   longer than ``maximumNeedLength``, a `country` that is not a country code, an
    ///   `assistanceTypes` kind that is not known, a `language` that is not a BCP 47 tag.
    public func validate() throws {
        switch Self.problem(ofNeed: need) {
        case .empty: throw ClearingHouseError.parameter("need", "the need is empty; say what help is needed")
        case .tooLong:
            throw ClearingHouseError.parameter(
                "need",
                "\(need.count) characters (\(need.unicodeScalars.count) code points); a need is at most \(Self.maximumNeedLength) characters and \(MatchRequest.maximumTextLength) code points")
        case nil: break
        }
        if let country, CountryCode.normalized(country) == nil {
            throw ClearingHouseError.parameter("country", "\"\(country)\" is not an ISO 3166-1 alpha-2 country code (two letters, such as KE for Kenya)")
        }
        for kind in assistanceTypes where Self.assistanceType(named: kind) == nil {
            throw ClearingHouseError.parameter(
                "assistanceTypes", "\"\(kind)\" is not a kind of help; kinds are: \(MatchRequest.knownAssistanceTypes.joined(separator: ", "))")
        }
        if LanguageTag.normalized(language) == nil {
            throw ClearingHouseError.parameter("lang", "\"\(language)\" is not a BCP 47 language tag")
        }
        if let submission, submission.isEmpty || submission.count > Self.maximumSubmissionLength {
            throw ClearingHouseError.parameter(
                "submission", "a submission key is 1 to \(Self.maximumSubmissionLength) characters; this one has \(submission.count)")
        }
    }

    /// The kinds of help asked, each once, as matchmaking names them.
    var canonicalAssistanceTypes: [String] {
        var kinds: [String] = []
        for typed in assistanceTypes {
            if let kind = Self.assistanceType(named: typed), !kinds.contains(kind) { kinds.append(kind) }
        }
        return kinds
    }

    /// The match of the request as it will be stored: the need, the country and the kinds of
    /// help (as the stored record's `assistanceTypes`, so that the offers are those it will get).
    public func matchRequest(limit: Int = 10) -> MatchRequest {
        var request = MatchRequest(
            text: need, requestingCountries: country.flatMap(CountryCode.normalized).map { [$0] } ?? [],
            assistanceTypes: canonicalAssistanceTypes, limit: limit, language: language)
        // (In the language it will be stored in, so that the offers shown before and after
        // storing are read alike: review.)
        request.textLanguage = ClearingHouse.likelyLanguage(of: trimmedNeed, reader: language)
        return request
    }

    /// The record's canonical JSON text as the help desk stores it, with `id` and the time
    /// `now` as its `published` day and `updated` time.
    func recordJSON(id: String, now: Date) -> String {
        let text = trimmedNeed
        let language = ClearingHouse.likelyLanguage(of: text, reader: self.language)
        let firstLine = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        let title = firstLine.count > Self.maximumTitleLength ? String(firstLine.prefix(Self.maximumTitleLength - 1)) + "…" : firstLine
        let updated = RecordDate.rfc3339(secondsSinceEpoch: now.timeIntervalSince1970.rounded(.down))
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("kind", .string(RecordKind.assistanceRequest.rawValue)), ("language", .string(language)),
            ("title", .object([(language, .string(title))])),
        ]
        if text != title { members.append(("description", .object([(language, .string(text))]))) }
        if let country = country.flatMap(CountryCode.normalized) { members.append(("countries", .array([.string(country)]))) }
        let kinds = canonicalAssistanceTypes
        if !kinds.isEmpty { members.append(("assistanceTypes", .array(kinds.map(JSONValue.string)))) }
        members.append(("published", .string(String(updated.prefix(10)))))
        members.append(("updated", .string(updated)))
        members.append(("source", .object([("system", .string(Self.sourceSystem))])))
        return JSONValue.object(members).description
    }

    /// A new id for a stored request: `helpdesk-YYYYMMDD-HHMMSS-` and 8 random hex digits.
    static func newID(now: Date) -> String {
        let digits = RecordDate.rfc3339(secondsSinceEpoch: now.timeIntervalSince1970.rounded(.down)).filter(\.isNumber)
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "helpdesk-\(digits.prefix(8))-\(digits.dropFirst(8).prefix(6))-\(String(repeating: "0", count: 8 - random.count))\(random)"
    }
}

extension ClearingHouse {
    /// Stores `request` as a new record of kind `assistanceRequest`, in one transaction, under
    /// a new id (``HelpRequest`` says how its title, language and dates are made).
    /// - Returns: the new record's id and the ingest report.
    /// - Throws: ``ClearingHouseError`` naming the parameter when ``HelpRequest/validate()``
    ///   refuses it; `invalidInput` when the record cannot be stored (the report's first error).
    @discardableResult
    public func store(_ request: HelpRequest) throws -> (id: String, report: IngestReport) {
        try request.validate()
        guard let submission = request.submission else { return try storeNew(request) }
        // (Held through the store: the same form sent twice at once stores once, and the
        // second answer waits for the first.)
        return try storedSubmissions.withLock { stored in
            // (The same request only: a form brought back and edited before it is sent again
            // is a new request, not the first one returned without a word: review.)
            if let earlier = stored.byKey[submission], earlier.request == request, try record(id: earlier.result.id) != nil {
                return earlier.result
            }
            let result = try storeNew(request)
            stored.byKey[submission] = (request, result)
            stored.order.append(submission)
            if stored.order.count > StoredSubmissions.remembered { stored.byKey[stored.order.removeFirst()] = nil }
            return result
        }
    }

    private func storeNew(_ request: HelpRequest) throws -> (id: String, report: IngestReport) {
        let now = Date()
        let id = HelpRequest.newID(now: now)
        let report = try ingest(body: Array(request.recordJSON(id: id, now: now).utf8), format: .json, displayName: "helpdesk")
        // (A copy of a stored record is stored as its alias: stored all the same.)
        guard report.succeeded, report.added + report.updated + report.aliased == 1 else {
            let detail = report.diagnostics.first { $0.severity == .error }?.message ?? "the record was not stored"
            throw ClearingHouseError(.invalidInput, detail)
        }
        return (id, report)
    }
}

/// The help-desk forms this process stored, by their submission key (the last
/// ``remembered``): a form sent again answers with its record.
struct StoredSubmissions: Sendable {
    static let remembered = 10_000
    var byKey: [String: (request: HelpRequest, result: (id: String, report: IngestReport))] = [:]
    var order: [String] = []
}
