// What tells two records apart as copies of one: their titles as compared (per language,
// normalized as the index normalizes words) and the source that published them. The link
// rules at ingest (Catalog+Aliases.swift) and `chm duplicates` (Duplicates.swift) share them.
import SearchCore

extension Record {
    /// The record's titles as compared for "the same title": per primary language subtag
    /// (`en`, `fr`, `und`...), the words of the title as the language-neutral analyzer
    /// normalizes them (NFKC, lower case; punctuation and spacing do not count), joined by
    /// one space. Titles without a word are left out.
    var titleKeys: [(language: String, key: String)] {
        title.languages.compactMap { tag in
            guard let text = title.values[tag] else { return nil }
            let key = Record.titleAnalyzer.tokens(text).map(\.term).joined(separator: " ")
            return key.isEmpty ? nil : (LanguageTag.primaryLanguage(of: tag), key)
        }
    }

    private static let titleAnalyzer = StandardAnalyzer()

    /// Whether the two records have the same title in one language (``titleKeys``).
    func sharesTitle(with other: Record) -> Bool {
        let mine = Set(titleKeys.map { "\($0.language)\u{1F}\($0.key)" })
        return other.titleKeys.contains { mine.contains("\($0.language)\u{1F}\($0.key)") }
    }

    /// The source that published this copy, as far as the record tells: its `source.system`,
    /// else the scheme and host of its `source.url` in lower case (a harvester gives every
    /// record of a provider the provider's address; the system `oai-pmh` names the protocol,
    /// not a publisher, so such a record's source is its URL's); nil when the record names neither (a
    /// record of the catalog's own, or of a file that does not say). Records "from different
    /// sources" are those whose publishing sources differ (nil being one source); two records
    /// "name the same original" when their `source.originalId`s are equal and their (known)
    /// publishing sources too.
    var publishingSource: String? {
        guard let source else { return nil }
        if let system = source.system, system != "oai-pmh" || source.url == nil { return "system:" + system }
        guard let url = source.url?.lowercased() else { return nil }
        guard let scheme = url.range(of: "://") else { return "url:" + url }
        let host = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return "url:" + String(url[..<scheme.upperBound]) + String(host)
    }

    /// ``publishingSource`` as the catalog stores it (`records.source_key`): '' when unknown.
    var sourceKey: String { publishingSource ?? "" }
}
