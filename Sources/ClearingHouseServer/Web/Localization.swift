import ClearingHouse
import Foundation

/// The interface strings of the web pages in one of the six UN languages, read from the
/// package resource `web/i18n/LANG.json` (a flat object: key -> text, `{name}` for a value).
struct Strings: Sendable {
    /// The interface languages, in the order of the language switch.
    static let languages = ["ar", "en", "es", "fr", "ru", "zh"]
    /// Each language's name in itself.
    static let endonyms = [
        "ar": "العربية", "en": "English", "es": "Español", "fr": "Français", "ru": "Русский", "zh": "中文",
    ]

    /// The language of the strings.
    let language: String
    let table: [String: String]
    /// English, for a key a translation lacks.
    let fallback: [String: String]

    /// Right to left (Arabic).
    var isRightToLeft: Bool { language == "ar" }

    /// `dir` of the page.
    var direction: String { isRightToLeft ? "rtl" : "ltr" }

    /// The text of `key` with each `{name}` replaced by its value (the values are plain text;
    /// the page escapes the result).
    func callAsFunction(_ key: String, _ values: [String: String] = [:]) -> String {
        var text = table[key] ?? fallback[key] ?? key
        for (name, value) in values { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// Whether the table has `key` (the tests check that every language has every key).
    func has(_ key: String) -> Bool { table[key] != nil }

    /// `key`'s text followed by a colon as the language writes one: after a no-break space
    /// in French (`Trier par :`), full width in Chinese (`排序方式：`).
    func withColon(_ key: String) -> String {
        let text = self(key)
        switch language {
        case "fr": return text + "\u{00A0}:"
        case "zh": return text + "："
        default: return text + ":"
        }
    }

    /// What follows a colon before the next word: a space, except after Chinese's full-width
    /// colon, which has its own.
    var afterColon: String { language == "zh" ? "" : " " }

    /// Every key of the table.
    var keys: Set<String> { Set(table.keys) }

    /// The name of a record kind.
    func kind(_ kind: RecordKind) -> String { self("kind.\(kind.rawValue)") }

    /// The name of a country (ISO 3166-1 alpha-2) in this language, or the code.
    func country(_ code: String) -> String {
        // A name the tables give (the UN's short name where the system's differs).
        if let name = table["country.\(code.uppercased())"] { return name }
        return Locale(identifier: language).localizedString(forRegionCode: code.uppercased()) ?? code.uppercased()
    }

    /// The name of a region in this language when the tables have it (the UN's regional
    /// groups and the usual others, however a record spells them: `Asia-Pacific`, `Asia and
    /// the Pacific`, `SIDS`), else the name as the record gives it.
    func region(_ name: String) -> String {
        table["region.\(Matchmaking.regionKey(name))"] ?? name
    }

    /// The name of a language (BCP 47 tag) in this language, or the tag.
    func languageName(_ tag: String) -> String {
        if tag == LanguageTag.undetermined { return self("language.undetermined") }
        let locale = Locale(identifier: language)
        let primary = LanguageTag.primaryLanguage(of: tag)
        guard let name = locale.localizedString(forIdentifier: tag) ?? locale.localizedString(forLanguageCode: primary) else { return tag }
        return name
    }

    /// A number written for this language's readers.
    func number(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: language == "ar" ? "ar-u-nu-latn" : language)
        formatter.numberStyle = .decimal
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }
}

/// The string tables of every interface language, loaded once per server.
struct Localization: Sendable {
    let tables: [String: [String: String]]

    /// The tables in the package's resources; a language whose file is missing or broken
    /// falls back to English key by key.
    static func load() -> Localization {
        var tables: [String: [String: String]] = [:]
        for language in Strings.languages {
            guard let url = Bundle.module.url(forResource: language, withExtension: "json", subdirectory: "web/i18n")
                ?? Bundle.module.url(forResource: language, withExtension: "json"),
                let data = try? Data(contentsOf: url),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: String]
            else { continue }
            tables[language] = object
        }
        return Localization(tables: tables)
    }

    /// The strings of `language` (one of ``Strings/languages``).
    func strings(_ language: String) -> Strings {
        Strings(language: language, table: tables[language] ?? [:], fallback: tables["en"] ?? [:])
    }
}
