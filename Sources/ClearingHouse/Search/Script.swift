// The writing systems of the six languages: which a query or a text is typed in, for the
// language a hit is shown in and the language a help-desk request is stored in.

extension ClearingHouse {
    /// The language to store `text` in when a front end only knows its reader's language
    /// (`language`): that language when the text is written in its script, else the one
    /// language of the six written in the text's script (Cyrillic: `ru`, Arabic: `ar`, Chinese
    /// characters: `zh`), else `und` (Latin letters under a Russian page could be English,
    /// French or Spanish). A Russian request typed on the English help desk is stored as
    /// Russian, so that its words are analyzed as Russian. Latin letters typed under an
    /// English, French or Spanish page, or a page of another script, are told apart by the
    /// function words only one of those three languages has (`the`, `des`, `los`; not `de` or
    /// `la`), written in lower case (not inside names such as `Réserve de la Biosphère du
    /// Saloum`): at least two, and twice as many as the page's own language has (a French
    /// request typed on the Arabic or the English help desk is French). A page in another
    /// Latin-script language (`pt`, `it`) keeps its language.
    public static func likelyLanguage(of text: String, reader language: String) -> String {
        let primary = LanguageTag.primaryLanguage(of: language)
        guard let script = Script.dominant(in: text) else { return language }
        if script == .latin, Script(language: primary) != nil,
            let told = latinLanguage(byFunctionWords: text, reader: primary), told != primary
        {
            return told
        }
        if Script(language: primary) == script { return language }
        return script == .latin ? LanguageTag.undetermined : script.language
    }

    /// The Latin-script languages among the six, which ``latinLanguage(byFunctionWords:reader:)`` tells apart.
    static let latinLanguages = ["en", "fr", "es"]

    /// Each language's function words that neither other Latin-script language of the six has.
    private static let distinctiveFunctionWords: [String: Set<String>] = Dictionary(
        uniqueKeysWithValues: latinLanguages.map { language in
            let others = latinLanguages.filter { $0 != language }.map(StopWords.forLanguage)
            return (language, StopWords.forLanguage(language).filter { word in !others.contains { $0.contains(word) } })
        })

    /// English, French or Spanish, when `text` has at least two of that language's own
    /// function words (in lower case), more than of either other's and at least twice as
    /// many as `reader`'s; else nil.
    static func latinLanguage(byFunctionWords text: String, reader: String) -> String? {
        // (Words written with a capital are left out: they start sentences, or are names,
        // whose `de`, `du` and `los` say nothing of the text's language.)
        let words = text.split(whereSeparator: { !$0.isLetter }).filter { $0.first?.isLowercase == true }.map(String.init)
        let counts = latinLanguages.map { language in
            let own = distinctiveFunctionWords[language] ?? []
            return (language: language, count: words.count(where: { own.contains($0) }))
        }
        let ranked = counts.sorted { $0.count > $1.count }
        let readerCount = counts.first { $0.language == reader }?.count ?? 0
        guard ranked[0].count >= 2, ranked[0].count > ranked[1].count, ranked[0].count >= 2 * readerCount else { return nil }
        return ranked[0].language
    }
}

extension ClearingHouse {
    /// The language of `keyword`, one of `record`'s keywords (which a record gives as plain
    /// strings, in its `language`): that language, unless the keyword is written in another
    /// script; then the record's text language written in that script (the French keywords
    /// of an Arabic record whose title is also in French), else the one language of the six
    /// written in it (Cyrillic: `ru`, Arabic: `ar`, Chinese characters: `zh`), else `und`
    /// (Latin letters in a record with English and French text). Latin keywords of a record
    /// in a language without an analyzer of its own (`pt`), or `und`, stay in that language.
    /// Search analyzes a keyword in this language, and pages mark it so.
    public static func language(ofKeyword keyword: String, in record: Record) -> String {
        guard let script = Script.dominant(in: keyword) else { return record.language }
        let own = Script(language: RecordIndexing.fieldLanguage(record.language))
        // (Latin letters in a record of a language chm has no analyzer for, or of `und`, are
        // that language's: a Portuguese record's keywords are Portuguese.)
        if own == script || (own == nil && script == .latin) { return record.language }
        let written = record.textLanguages.filter { Script(language: RecordIndexing.fieldLanguage($0)) == script }
        if script == .latin {
            // (English or French? Only a single Latin text language says.)
            return written.count == 1 ? written[0] : LanguageTag.undetermined
        }
        return written.first ?? script.language
    }
}

/// The language a search hit is shown in when the searcher asked for none (given to
/// `ClearingHouse.presentation`
/// as the group to prefer).
struct ShownLanguage {
    /// The language of the thesaurus labels the query matched, when they all agree.
    let typedLanguage: String?
    /// The scripts of the query's words.
    let typedScripts: Set<Script>

    /// The language to show `record` in, which matched best in `group`: the query's language
    /// when the record has it (`mangrove restoration` showed a French title over the
    /// record's English one, its French translation having matched best); else `group`,
    /// unless that language's script is not the query's, then the language of the query's
    /// script (`eDNA` found in a Chinese text: English; `无人机` in an English record's Chinese
    /// keywords: Chinese), or nil (English, then any).
    func group(for record: Record, matched group: String?) -> String? {
        if let typedLanguage, record.title.languages.contains(where: { RecordIndexing.fieldLanguage($0) == typedLanguage }) {
            return typedLanguage
        }
        guard let group, let script = Script(language: group), !typedScripts.isEmpty, !typedScripts.contains(script) else { return group }
        return typedScripts.count == 1 ? typedScripts.first?.language : nil
    }
}

/// The writing systems of the six languages, to tell which a query is typed in.
enum Script: Hashable {
    case latin, cyrillic, arabic, han

    /// The script of the language `group` (a scoring group: `en`, `zh`, ...), nil for one
    /// without a single script (`other`).
    init?(language group: String) {
        switch group {
        case "en", "fr", "es": self = .latin
        case "ru": self = .cyrillic
        case "ar": self = .arabic
        case "zh": self = .han
        default: return nil
        }
    }

    /// The language of the six written in this script (English for Latin).
    var language: String {
        switch self {
        case .latin: "en"
        case .cyrillic: "ru"
        case .arabic: "ar"
        case .han: "zh"
        }
    }

    /// The script of a letter, if it is one of the four.
    init?(of scalar: Unicode.Scalar) {
        guard scalar.properties.isAlphabetic else { return nil }
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF, 0xFF21...0xFF3A, 0xFF41...0xFF5A: self = .latin
        case 0x400...0x52F: self = .cyrillic
        case 0x600...0x6FF, 0x750...0x77F, 0x8A0...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: self = .arabic
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3FFFF: self = .han
        default: return nil
        }
    }

    /// The scripts of the letters of `text` (none for a text without letters).
    static func scripts(of text: String) -> Set<Script> {
        Set(text.unicodeScalars.compactMap(Script.init(of:)))
    }

    /// The script most of the letters of `text` are written in (a Chinese character counts as
    /// two letters), nil without letters.
    static func dominant(in text: String) -> Script? {
        var counts: [Script: Int] = [:]
        for scalar in text.unicodeScalars {
            guard let script = Script(of: scalar) else { continue }
            counts[script, default: 0] += script == .han ? 2 : 1
        }
        // (`max` keeps the first of equal counts: a tie goes the same way every run.)
        return [Script.han, .arabic, .cyrillic, .latin].filter { counts[$0] != nil }.max { counts[$0, default: 0] < counts[$1, default: 0] }
    }
}
