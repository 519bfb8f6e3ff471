import Foundation

/// BCP 47 language tags (RFC 5646): well-formedness and canonical letter case.
public enum LanguageTag {
    /// The six official languages of the United Nations.
    public static let unLanguages = ["ar", "en", "es", "fr", "ru", "zh"]

    /// The tag for text of unknown language.
    public static let undetermined = "und"

    /// The tag in canonical case (`zh-Hant-TW`, `en-GB`, `es-419`), or nil when it is not a
    /// well-formed BCP 47 tag.
    public static func normalized(_ tag: String) -> String? {
        // The common case, a bare two-letter language subtag in lower case, is canonical as is.
        if tag.utf8.count == 2, tag.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }) { return tag }
        guard !tag.isEmpty, tag.utf8.count <= 64, tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
        else { return nil }
        let subtags = tag.lowercased().split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard subtags.allSatisfy({ !$0.isEmpty && $0.count <= 8 }) else { return nil }
        var output: [String] = []
        var index = 0
        func isAlpha(_ s: String) -> Bool { s.allSatisfy { $0.isLetter } }
        func isDigits(_ s: String) -> Bool { s.allSatisfy { $0.isNumber } }

        // Private use only: x-whatever.
        if subtags[0] == "x" {
            guard subtags.count > 1 else { return nil }
            return subtags.joined(separator: "-")
        }
        // language
        let language = subtags[0]
        guard isAlpha(language), (2...8).contains(language.count) else { return nil }
        output.append(language)
        index = 1
        // extlang (up to three, only after a 2-3 letter language)
        if language.count <= 3 {
            var extlangs = 0
            while index < subtags.count, extlangs < 3, subtags[index].count == 3, isAlpha(subtags[index]) {
                output.append(subtags[index])
                index += 1
                extlangs += 1
            }
        }
        // script
        if index < subtags.count, subtags[index].count == 4, isAlpha(subtags[index]) {
            output.append(subtags[index].prefix(1).uppercased() + subtags[index].dropFirst())
            index += 1
        }
        // region
        if index < subtags.count,
            (subtags[index].count == 2 && isAlpha(subtags[index]))
                || (subtags[index].count == 3 && isDigits(subtags[index]))
        {
            output.append(subtags[index].uppercased())
            index += 1
        }
        // variants
        while index < subtags.count {
            let subtag = subtags[index]
            let isVariant =
                (5...8).contains(subtag.count) || (subtag.count == 4 && subtag.first?.isNumber == true)
            guard isVariant else { break }
            output.append(subtag)
            index += 1
        }
        // extensions and private use
        while index < subtags.count {
            let singleton = subtags[index]
            guard singleton.count == 1 else { return nil }
            index += 1
            let minimum = singleton == "x" ? 1 : 2
            var parts = 0
            while index < subtags.count, subtags[index].count >= minimum, singleton == "x" || subtags[index].count > 1 {
                output.append(parts == 0 ? singleton + "-" + subtags[index] : subtags[index])
                index += 1
                parts += 1
            }
            guard parts > 0 else { return nil }
            if singleton == "x" { break }
        }
        guard index == subtags.count else { return nil }
        return output.joined(separator: "-")
    }

    /// The primary language subtag (`zh` for `zh-Hant-TW`).
    public static func primaryLanguage(of tag: String) -> String {
        // (Most tags are a bare language in lower case, `en`: that is the answer, and making
        // it again costs a list and a string for every record indexed.)
        if tag.utf8.allSatisfy({ $0 &- UInt8(ascii: "a") < 26 }) { return tag }
        return String(tag.split(separator: "-").first ?? Substring(tag)).lowercased()
    }

    /// The tag a Dublin Core `dc:language` value means, or nil when it names no language chm
    /// can tell. Repositories write codes (`en`, `en-GB`), POSIX locales (`en_US`, DSpace's
    /// usual value), ISO 639-2 codes (`eng`, `fre`), names in English or in the language
    /// itself (`English`, `Español`, `Русский`, `中文`) and lists (`English; French`, of which
    /// the first is taken).
    public static func dublinCore(_ value: String) -> String? {
        let first = value.split(whereSeparator: { listSeparators.contains($0) }).first.map(String.init) ?? value
        let text = first.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        if let named = languageNames[text.lowercased()] { return named }
        // A locale: `en_US`, `es_ES.UTF-8`.
        var code = text.replacingOccurrences(of: "_", with: "-")
        if let dot = code.firstIndex(of: ".") { code = String(code[..<dot]) }
        let primary = code.split(separator: "-").first.map { $0.lowercased() } ?? ""
        if let mapped = iso639_2ToBCP47[primary] {
            code = mapped + code.dropFirst(primary.count)
        } else if primary.count > 3 {
            // A word of four letters or more is a name chm does not know, not a subtag.
            return nil
        }
        return normalized(code)
    }

    /// Whether a `dc:language` value is a list (`English; French`), of which
    /// ``dublinCore(_:)`` takes the first.
    static func isList(_ value: String) -> Bool { value.contains(where: { listSeparators.contains($0) }) }

    private static let listSeparators: Set<Character> = [";", ",", "/", "|"]

    /// Language names as repositories write them in `dc:language`, in English and in the
    /// language itself (lower case), for the six UN languages and a few others common in
    /// biodiversity repositories.
    static let languageNames: [String: String] = [
        "arabic": "ar", "العربية": "ar", "عربي": "ar", "arabe": "ar", "árabe": "ar", "арабский": "ar",
        "chinese": "zh", "中文": "zh", "汉语": "zh", "漢語": "zh", "chinois": "zh", "chino": "zh", "китайский": "zh",
        "english": "en", "anglais": "en", "inglés": "en", "ingles": "en", "английский": "en",
        "french": "fr", "français": "fr", "francais": "fr", "francés": "fr", "frances": "fr", "французский": "fr",
        "russian": "ru", "русский": "ru", "russe": "ru", "ruso": "ru",
        "spanish": "es", "español": "es", "espanol": "es", "castellano": "es", "espagnol": "es", "испанский": "es",
        "portuguese": "pt", "português": "pt", "portugues": "pt", "portugais": "pt", "portugués": "pt",
        "german": "de", "deutsch": "de", "allemand": "de", "alemán": "de",
    ]

    /// ISO 639-2 three-letter codes that OAI-PMH publishers often use for the six UN
    /// languages, mapped to the BCP 47 two-letter form.
    static let iso639_2ToBCP47: [String: String] = [
        "ara": "ar", "chi": "zh", "zho": "zh", "eng": "en", "fre": "fr", "fra": "fr",
        "rus": "ru", "spa": "es", "por": "pt", "ger": "de", "deu": "de",
    ]
}
