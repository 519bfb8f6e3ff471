/// Text in one or more languages: language tag -> text.
///
/// In a record file it is either a plain string (in the record's `language`) or an object
/// such as `{"en": "Mangrove nurseries", "zh": "红树林苗圃"}`; chm always stores the object form.
public struct LocalizedText: Sendable, Hashable {
    /// The texts by BCP 47 tag (canonical case).
    public private(set) var values: [String: String]

    /// Creates localized text from language -> text pairs.
    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    /// True when there is no text in any language.
    public var isEmpty: Bool { values.isEmpty }

    /// The languages present, sorted.
    public var languages: [String] { values.keys.sorted() }

    /// The text in `language`, exact tag or same primary language (`en` finds `en-GB`).
    public subscript(language: String) -> String? {
        match(language).map(\.text)
    }

    /// Sets the text in `language`.
    public mutating func set(_ text: String, language: String) {
        values[language] = text
    }

    /// The text a reader of `language` should see, with the tag it is in: that language,
    /// else English, else the first language in tag order.
    public func resolved(preferring language: String?) -> (language: String, text: String)? {
        for wanted in [language, "en"].compactMap({ $0 }) {
            if let found = match(wanted) { return found }
        }
        guard let first = values.keys.min(), let text = values[first] else { return nil }
        return (first, text)
    }

    private func match(_ language: String) -> (language: String, text: String)? {
        if let exact = values[language] { return (language, exact) }
        let primary = LanguageTag.primaryLanguage(of: language)
        guard let tag = values.keys.sorted().first(where: { LanguageTag.primaryLanguage(of: $0) == primary }),
            let text = values[tag]
        else { return nil }
        return (tag, text)
    }

    /// The object form, keys sorted.
    var jsonValue: JSONValue {
        .object(values.keys.sorted().map { ($0, JSONValue.string(values[$0] ?? "")) })
    }
}
