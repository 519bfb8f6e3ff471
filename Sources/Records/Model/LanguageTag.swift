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

    /// ISO 639-2 three-letter codes that OAI-PMH publishers often use for the six UN
    /// languages, mapped to the BCP 47 two-letter form.
    static let iso639_2ToBCP47: [String: String] = [
        "ara": "ar", "chi": "zh", "zho": "zh", "eng": "en", "fre": "fr", "fra": "fr",
        "rus": "ru", "spa": "es", "por": "pt", "ger": "de", "deu": "de",
    ]
}
