import ClearingHouse
import Foundation
import Records

/// The parameters of a request, from its query string or its JSON body, as text values by
/// name (a repeated query parameter, or a JSON array, gives several).
struct RequestParameters: Sendable {
    /// Name -> values, in the order given.
    private(set) var values: [String: [String]] = [:]
    /// The names in the order first given.
    private(set) var names: [String] = []

    init() {}

    private mutating func add(_ name: String, _ value: String) {
        if values[name] == nil { names.append(name) }
        values[name, default: []].append(value)
    }

    /// The parameters of a query string (`a=1&b=x+y`): `+` is a space, `%XX` a byte of UTF-8.
    /// - Throws: ``Problem`` 400 naming a parameter whose encoding is broken.
    static func query(_ query: String?) throws(Problem) -> RequestParameters {
        var parameters = RequestParameters()
        guard let query, !query.isEmpty else { return parameters }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawName = parts[0]
            let rawValue = parts.count > 1 ? parts[1] : ""
            guard let name = decode(rawName) else {
                throw Problem.badParameter(String(rawName), "the name is not valid percent-encoded UTF-8")
            }
            guard !name.isEmpty else {
                throw Problem.badParameter("", "a parameter without a name (\"=\(rawValue.prefix(40))\"); write name=value")
            }
            guard let value = decode(rawValue) else {
                throw Problem.badParameter(name, "the value is not valid percent-encoded UTF-8")
            }
            parameters.add(name, value)
        }
        return parameters
    }

    /// `text` with `+` as a space and each `%XX` as the byte it stands for; nil when a `%` is
    /// not followed by two hex digits or the bytes are not UTF-8.
    static func decode(_ text: Substring) -> String? {
        var utf8 = text.utf8
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        while let byte = utf8.first {
            utf8 = utf8.dropFirst()
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = utf8.first.flatMap(hexValue), let low = utf8.dropFirst().first.flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
                utf8 = utf8.dropFirst(2)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The JSON type a body member must have.
    enum BodyType: Sendable {
        /// A string.
        case string
        /// A string, or an array of strings (a repeatable parameter: one value, or several).
        case strings
        /// A whole number.
        case integer
        /// `true` or `false`.
        case boolean
    }

    /// The whole number a JSON number's text `text` is exactly (`126`, `126.0`, `1.26e2`,
    /// `-0`), or nil: not whole, not a JSON number, or more than 15 digits long.
    static func wholeNumber(_ text: String) -> Int? {
        let utf8 = Array(text.utf8)
        var index = 0
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { index += 1 }
        var digits: [UInt8] = []
        var exponent = 0
        func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }
        while index < utf8.count, isDigit(utf8[index]) {
            digits.append(utf8[index])
            index += 1
        }
        guard !digits.isEmpty else { return nil }
        if index < utf8.count, utf8[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < utf8.count, isDigit(utf8[index]) {
                digits.append(utf8[index])
                exponent -= 1
                index += 1
            }
            guard index > start else { return nil }
        }
        if index < utf8.count, utf8[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var sign = 1
            if index < utf8.count, utf8[index] == UInt8(ascii: "+") || utf8[index] == UInt8(ascii: "-") {
                if utf8[index] == UInt8(ascii: "-") { sign = -1 }
                index += 1
            }
            let start = index
            var written = 0
            while index < utf8.count, isDigit(utf8[index]) {
                // (An exponent past a few digits cannot give a number of 15 digits but as 0.)
                written = min(written * 10 + Int(utf8[index] - UInt8(ascii: "0")), 1_000_000)
                index += 1
            }
            guard index > start else { return nil }
            exponent += sign * written
        }
        guard index == utf8.count else { return nil }
        // Leading zeros say nothing; trailing ones move into the exponent.
        digits = Array(digits.drop { $0 == UInt8(ascii: "0") })
        guard !digits.isEmpty else { return 0 }
        while digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            exponent += 1
        }
        guard exponent >= 0, digits.count + exponent <= 15 else { return nil }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } * Int(pow(10, Double(exponent)))
        return negative ? -value : value
    }

    /// The members of a JSON object body, each checked against its type in `types`: strings
    /// as they are, numbers as written, booleans as `true`/`false`, arrays as several values.
    /// A member that is null counts as left out (but its name must still be known, which
    /// ``check(known:)`` sees to).
    /// - Throws: ``Problem`` 400 for a body that is not a JSON object, or a member of the wrong type.
    static func json(_ bytes: [UInt8], types: [String: BodyType]) throws(Problem) -> RequestParameters {
        let value: JSONNode
        do {
            // (A byte order mark before the JSON is skipped, as record bodies and files skip it.)
            let source = ByteSource(bytes: bytes)
            source.skipByteOrderMark()
            var parser = JSONParser(source: source)
            value = try parser.parseValue()
            try parser.expectEnd("the end of the body")
        } catch {
            throw Problem.badParameter("body", "invalid JSON at line \(error.line), column \(error.column): \(error.message)")
        }
        guard case .object(let members) = value.value else {
            throw Problem.badParameter("body", "give a JSON object of parameters")
        }
        var parameters = RequestParameters()
        // Names given without a value (null, or unknown): kept in order once each, looked up
        // in a set (a body of many thousand members is checked in linear time).
        var noted = Set<String>()
        func note(_ name: String) {
            if parameters.values[name] == nil, noted.insert(name).inserted { parameters.names.append(name) }
        }
        /// The text of `node`, a string (nil for another type); 400 for a string over the limit.
        func text(_ node: JSONNode, of name: String) throws(Problem) -> String? {
            switch node.value {
            case .string(let text): return text
            case .oversizedString:
                throw Problem.badParameter(name, "longer than \(RecordLimits.describe(RecordLimits.defaultMaximumTextBytes))")
            default: return nil
            }
        }
        for member in members {
            let name = member.key
            if case .null = member.value.value {
                note(name)
                continue
            }
            // An unknown member is refused by name by `check(known:)`, whatever its value (a
            // misspelt `{"limt": 5}` is an unknown parameter, not a number where a string goes).
            guard let type = types[name] else {
                note(name)
                continue
            }
            switch (type, member.value.value) {
            case (.string, _), (.strings, .string), (.strings, .oversizedString):
                guard let text = try text(member.value, of: name) else {
                    throw Problem.badParameter(name, type == .string ? "give a string" : "give a string or an array of strings")
                }
                parameters.add(name, text)
            case (.strings, .array(let elements)):
                for element in elements {
                    guard let text = try text(element, of: name) else {
                        throw Problem.badParameter(name, "give a string or an array of strings")
                    }
                    parameters.add(name, text)
                }
            case (.integer, .number(let text)):
                // JSON has one kind of number: 126.0 and 1.26e2 are the whole number 126 (read
                // from the digits: 2.0000000000000001 is not 2, nor 1e-400 0, as doubles say).
                parameters.add(name, Self.wholeNumber(text).map(String.init) ?? text)
            case (.boolean, .bool(let flag)):
                parameters.add(name, flag ? "true" : "false")
            case (.strings, _): throw Problem.badParameter(name, "give a string or an array of strings")
            case (.integer, _): throw Problem.badParameter(name, "give a whole number")
            case (.boolean, _): throw Problem.badParameter(name, "give true or false")
            }
        }
        return parameters
    }

    /// Refuses a parameter not in `known` (a misspelt one would otherwise be ignored silently).
    func check(known: Set<String>) throws(Problem) {
        for name in names where !known.contains(name) {
            if known.isEmpty { throw Problem.badParameter(name, "unknown parameter; this request takes no parameters here") }
            throw Problem.badParameter(name, "unknown parameter; parameters are: \(known.sorted().joined(separator: ", "))")
        }
    }

    /// Every value of `name`.
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// The one value of `name`, or nil.
    func one(_ name: String) throws(Problem) -> String? {
        guard let given = values[name] else { return nil }
        guard given.count == 1 else { throw Problem.badParameter(name, "give one value, not \(given.count)") }
        return given[0]
    }

    /// The integer `name`, between 0 and `maximum`, or `defaultValue`.
    func integer(_ name: String, default defaultValue: Int, maximum: Int) throws(Problem) -> Int {
        guard let text = try one(name) else { return defaultValue }
        guard let value = Int(text) else { throw Problem.badParameter(name, "\"\(text)\" is not a whole number") }
        guard value >= 0 else { throw Problem.badParameter(name, "\(value) is below 0") }
        guard value <= maximum else { throw Problem.badParameter(name, "\(value) is above \(maximum)") }
        return value
    }

    /// The boolean `name` (`true` or `false`), or `defaultValue`.
    func boolean(_ name: String, default defaultValue: Bool) throws(Problem) -> Bool {
        guard let text = try one(name) else { return defaultValue }
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw Problem.badParameter(name, "\"\(text)\" is not true or false")
        }
    }

    /// A comma-separated list (several values are joined).
    func list(_ name: String) -> [String] {
        all(name).flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// The API's parameters, turned into the library's requests (which then validate themselves).
enum APIParameters {
    /// The most hits one request may ask for.
    static let maximumLimit = 1000
    /// The most completions one suggestion request may ask for.
    static let maximumSuggestions = Suggestions.maximumLimit

    /// The filter parameters (repeatable: values of one field OR, fields AND).
    static let filterNames: Set<String> = ["kind", "country", "region", "theme", "target", "language", "since", "until"]
    /// The parameters of a search.
    static let searchNames: Set<String> = filterNames.union([
        "q", "facets", "lang", "sort", "limit", "offset", "minMatch", "count", "expand", "correct", "explain",
    ])
    /// The JSON type of each parameter in a request body.
    static let bodyTypes: [String: RequestParameters.BodyType] = [
        "q": .string, "lang": .string, "sort": .string, "since": .string, "until": .string, "text": .string, "id": .string,
        "kind": .strings, "country": .strings, "region": .strings, "theme": .strings, "target": .strings,
        "language": .strings, "inCountry": .strings, "assistanceTypes": .strings, "facets": .strings,
        "limit": .integer, "offset": .integer, "minMatch": .integer,
        "count": .boolean, "expand": .boolean, "correct": .boolean, "explain": .boolean,
    ]
    /// The parameters of `similar` and of the matches of a record.
    static let relatedNames: Set<String> = filterNames.union(["limit", "lang"])
    /// The members of a `POST /v1/match` body.
    static let matchNames: Set<String> = relatedNames.union(["text", "id", "inCountry", "assistanceTypes"])

    static func filters(_ parameters: RequestParameters) throws -> SearchFilters {
        var fields: [String: [String]] = [:]
        let languages = parameters.all("language")
        if !languages.isEmpty { fields["language"] = languages }
        let filters = SearchFilters(
            kinds: try parameters.all("kind").map { try SearchFilters.kind(named: $0) },
            countries: parameters.all("country"), regions: parameters.all("region"), themes: parameters.all("theme"),
            targets: parameters.all("target"), since: try parameters.one("since"), until: try parameters.one("until"),
            fields: fields)
        try filters.validate()
        return filters
    }

    static func language(_ parameters: RequestParameters) throws -> String? {
        guard let lang = try parameters.one("lang") else { return nil }
        if LanguageTag.normalized(lang) == nil {
            throw Problem.badParameter("lang", "\"\(lang)\" is not a BCP 47 language tag")
        }
        return lang
    }

    static func limit(_ parameters: RequestParameters) throws -> Int {
        try parameters.integer("limit", default: 10, maximum: maximumLimit)
    }

    /// `GET /v1/search` or a `POST /v1/search` body.
    static func search(_ parameters: RequestParameters) throws -> SearchRequest {
        try parameters.check(known: searchNames)
        let sort: SearchRequest.Sort?
        if let text = try parameters.one("sort") {
            guard let value = SearchRequest.Sort(rawValue: text) else {
                throw Problem.badParameter(
                    "sort", "\"\(text)\" is not a sort; sorts are: \(SearchRequest.Sort.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            sort = value
        } else {
            sort = nil
        }
        let request = SearchRequest(
            query: try parameters.one("q") ?? "", filters: try filters(parameters), facets: parameters.list("facets"),
            limit: try limit(parameters), offset: try parameters.integer("offset", default: 0, maximum: SearchRequest.maximumOffset), sort: sort,
            minimumMatch: try parameters.integer("minMatch", default: 0, maximum: maximumLimit),
            countTotal: try parameters.boolean("count", default: false), explain: try parameters.boolean("explain", default: false),
            language: try language(parameters), expand: try parameters.boolean("expand", default: true),
            correct: try parameters.boolean("correct", default: true))
        try request.validate()
        return request
    }

    /// `POST /v1/match`: `text` (or `id`), `country` (with a text: the requesting countries),
    /// `inCountry`, `assistanceTypes`, filters, `limit`, `lang`.
    static func match(_ parameters: RequestParameters) throws -> MatchRequest {
        try parameters.check(known: matchNames)
        let request = MatchRequest(
            id: try parameters.one("id"), text: try parameters.one("text"), requestingCountries: parameters.all("inCountry"),
            assistanceTypes: parameters.all("assistanceTypes"), filters: try filters(parameters), limit: try limit(parameters), language: try language(parameters))
        try request.validate()
        return request
    }
}
