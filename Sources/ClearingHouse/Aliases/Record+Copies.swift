// What tells two records apart as copies of one: their titles as compared (per language,
// normalized as the index normalizes words) and the original they name in `source`. The link
// rules at ingest (Catalog+Aliases.swift) and `chm duplicates` (DuplicateFinder.swift) share
// them.
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
    /// else the scheme and host of its `source.url` (a harvester gives every record of a
    /// provider the provider's address), lower-cased; nil when the record names neither (a
    /// record of the catalog's own, or of a file that does not say). Records "from different
    /// sources" are those whose publishing sources differ (nil being one source).
    var publishingSource: String? { Record.publishingSource(of: source) }

    /// The publishing source that `source` names (see ``publishingSource``).
    static func publishingSource(of source: Source?) -> String? {
        guard let source else { return nil }
        if let system = source.system { return "system:" + system }
        guard let url = source.url?.lowercased() else { return nil }
        guard let scheme = url.range(of: "://") else { return "url:" + url }
        let host = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return "url:" + String(url[..<scheme.upperBound]) + String(host)
    }

    /// Whether the two records name the same original in `source`: the same `originalId`,
    /// and the same `system`, or, when neither has a system, the same `url` (a harvester
    /// gives every record of a provider the provider's address, so an `originalId` alone, or
    /// with a system on one side only, does not tell).
    func namesSameOriginal(as other: Record) -> Bool {
        guard let mine = source, let theirs = other.source, let id = mine.originalId, id == theirs.originalId else { return false }
        switch (mine.system, theirs.system) {
        case let (a?, b?): return a == b
        case (nil, nil):
            guard let a = mine.url, let b = theirs.url else { return false }
            return a == b
        default: return false
        }
    }
}
