/// A matchmaking request (`chm match`): the records most likely to answer an assistance
/// request, named by its record id or described by a text.
///
/// For a text, ``requestingCountries`` are the countries the request comes from (they rank
/// records of those countries higher). A front end with one country option may leave
/// ``requestingCountries`` empty: with a text, the filters' countries are then taken as the
/// requesting countries rather than as a filter (``resolved``), which is what `chm match
/// --text ... --country KE` means.
public struct MatchRequest: Sendable, Hashable {
    /// The id of the request (or any record) to match; give this or ``text``.
    public var id: String?
    /// A description of the request, in any language; give this or ``id``.
    public var text: String?
    /// With ``text``: the ISO 3166-1 alpha-2 codes of the requesting countries (any case).
    public var requestingCountries: [String]
    /// With ``text``: the kinds of help asked (``knownAssistanceTypes``, or any other an offer
    /// may list), as a stored request's `assistanceTypes`.
    public var assistanceTypes: [String]

    /// The kinds of help matchmaking knows how offers give (by their kind when they do not
    /// list it), which front ends offer to choose from. Any spelling with the same letters
    /// is the same kind (`technology-transfer` is `technologyTransfer`).
    public static let knownAssistanceTypes = [
        "technicalAdvice", "training", "equipment", "capacityBuilding", "funding", "technologyTransfer", "dataSharing",
    ]
    /// Filters on the records proposed.
    public var filters: SearchFilters
    /// Hits to return.
    public var limit: Int
    /// The searcher's language for titles (then English, then any).
    public var language: String?
    /// With ``text``: the language it is written in, when known (BCP 47). Its words are then
    /// analyzed in that language only, and match only that language's thesaurus labels, as a
    /// stored request's do; nil or `und` (the default): any language.
    public var textLanguage: String?

    /// A request for the records that answer record `id` or `text`.
    public init(
        id: String? = nil, text: String? = nil, requestingCountries: [String] = [], assistanceTypes: [String] = [],
        filters: SearchFilters = SearchFilters(), limit: Int = 10, language: String? = nil
    ) {
        self.id = id
        self.text = text
        self.requestingCountries = requestingCountries
        self.assistanceTypes = assistanceTypes
        self.filters = filters
        self.limit = limit
        self.language = language
    }

    /// The requesting countries and the filters the match uses: with a text and no
    /// ``requestingCountries``, the filters' countries become the requesting countries and
    /// no longer filter; otherwise both as given.
    public var resolved: (requestingCountries: [String], filters: SearchFilters) {
        guard text != nil, requestingCountries.isEmpty else { return (requestingCountries, filters) }
        var filters = filters
        let countries = filters.countries
        filters.countries = []
        return (countries, filters)
    }

    /// The longest ``text`` taken, in Unicode code points (a request's description; a longer
    /// text is refused rather than read for seconds).
    public static let maximumTextLength = 20_000

    /// Checks every parameter, as ``ClearingHouse/match(_:)`` does first.
    /// - Throws: ``ClearingHouseError`` with code `invalidQuery` naming the parameter:
    ///   `text: give a record id or a text, not both`, `text: describe what is needed (the text
    ///   is empty)`, `inCountry: "XX" is not an ISO 3166-1
    ///   alpha-2 country code`, `limit: -1 is below 0`, and the filters' errors
    ///   (``SearchFilters/validate()``).
    public func validate() throws {
        switch (id, text) {
        case (nil, nil): throw ClearingHouseError.parameter("id", "give a record id or a text to match")
        case (.some, .some): throw ClearingHouseError.parameter("text", "give a record id or a text, not both")
        default: break
        }
        if let text, text.allSatisfy(\.isWhitespace) {
            throw ClearingHouseError.parameter("text", "describe what is needed (the text is empty)")
        }
        if id != nil, !requestingCountries.isEmpty {
            throw ClearingHouseError.parameter("inCountry", "requesting countries go with a text; a record id brings its own")
        }
        if id != nil, !assistanceTypes.isEmpty {
            throw ClearingHouseError.parameter("assistanceTypes", "the kinds of help asked go with a text; a record id brings its own")
        }
        if let textLanguage, LanguageTag.normalized(textLanguage) == nil {
            throw ClearingHouseError.parameter("textLanguage", "\"\(textLanguage)\" is not a BCP 47 language tag")
        }
        if id != nil, textLanguage != nil {
            throw ClearingHouseError.parameter("textLanguage", "the text's language goes with a text; a record id brings its own")
        }
        if let type = assistanceTypes.first(where: { $0.allSatisfy(\.isWhitespace) }) {
            throw ClearingHouseError.parameter("assistanceTypes", "\"\(type)\" is empty; name a kind of help (training, equipment, ...)")
        }
        // (Counted as Unicode code points, as JSON Schema's maxLength counts.)
        if let text, text.unicodeScalars.count > Self.maximumTextLength {
            throw ClearingHouseError.parameter(
                "text", "\(text.unicodeScalars.count) characters is more than \(Self.maximumTextLength); describe the need in fewer words")
        }
        let parameter = requestingCountries.isEmpty ? "country" : "inCountry"
        for code in resolved.requestingCountries where CountryCode.normalized(code) == nil {
            throw ClearingHouseError.parameter(parameter, "\"\(code)\" is not an ISO 3166-1 alpha-2 country code (two letters, such as KE for Kenya)")
        }
        if limit < 0 { throw ClearingHouseError.parameter("limit", "\(limit) is below 0") }
        if let language, LanguageTag.normalized(language) == nil {
            throw ClearingHouseError.parameter("lang", "\"\(language)\" is not a BCP 47 language tag")
        }
        try filters.validate()
    }
}

extension ClearingHouse {
    /// The records most likely to answer `request` (``match(id:filters:limit:language:)`` or
    /// ``match(text:countries:assistanceTypes:filters:limit:language:)``, with the request's rules applied).
    /// - Throws: ``ClearingHouseError`` naming the parameter for an invalid request (before
    ///   anything is searched), or with code `notFound` for an unknown id.
    public func match(_ request: MatchRequest) throws -> SearchResponse {
        try request.validate()
        let (countries, filters) = request.resolved
        if let id = request.id {
            return try match(id: id, filters: filters, limit: request.limit, language: request.language)
        }
        return try match(
            text: request.text ?? "", countries: countries, assistanceTypes: request.assistanceTypes, filters: filters,
            limit: request.limit, language: request.language, textLanguage: request.textLanguage)
    }
}
