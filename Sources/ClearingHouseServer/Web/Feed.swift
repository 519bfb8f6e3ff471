import ClearingHouse
import Foundation

/// `/feed`: an Atom 1.0 feed (RFC 4287) of the newest records a search finds.
struct AtomFeed {
    /// The most entries.
    static let size = 20

    let state: SearchState
    /// The hits, newest first, with their records.
    let entries: [(hit: SearchResultHit, record: Record)]
    let strings: Strings
    /// `http://host:port` of the request.
    let base: String
    let now: Date

    /// An RFC 3339 date-time of a record: its `updated`, else its `published` date at midnight UTC.
    static func timestamp(of record: Record) -> String? {
        if let updated = record.updated { return updated }
        guard let published = record.published else { return nil }
        let parts = published.split(separator: "-")
        let year = parts.first.map(String.init) ?? "1970"
        let month = parts.count > 1 ? String(parts[1]) : "01"
        let day = parts.count > 2 ? String(parts[2]) : "01"
        return "\(year)-\(month)-\(day)T00:00:00Z"
    }

    func render() -> String {
        let s = strings
        func x(_ text: String) -> String { XMLEscaping.escape(text) }
        let nowText = RecordDate.rfc3339(secondsSinceEpoch: now.timeIntervalSince1970.rounded(.down))
        let stamps = entries.map { Self.timestamp(of: $0.record) ?? nowText }
        let updated = stamps.max { (RecordDate.secondsSinceEpoch(rfc3339: $0) ?? 0) < (RecordDate.secondsSinceEpoch(rfc3339: $1) ?? 0) } ?? nowText
        var description: [String] = []
        if !state.query.isEmpty { description.append("“\(state.query)”") }
        for field in SearchState.facetFields {
            guard let values = state.selected[field] else { continue }
            let names = values.map { value -> String in
                switch field {
                case "kind": return RecordKind(rawValue: value).map(s.kind) ?? value
                case "country": return s.country(value)
                case "region": return s.region(value)
                case "language": return s.languageName(value)
                default: return value
                }
            }
            description.append("\(s.withColon("facet.\(field)"))\(s.afterColon)\(names.joined(separator: s("list.separator")))")
        }
        let title = description.isEmpty ? s("feed.title") : s("feed.titleWith", ["search": description.joined(separator: "; ")])
        let selfURL = base + state.url("/feed", includePage: false)
        let pageURL = base + state.url("/", includePage: false)
        var lines = [
            #"<?xml version="1.0" encoding="utf-8"?>"#,
            #"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\#(x(s.language))">"#,
            "  <id>\(x(selfURL))</id>",
            "  <title type=\"text\">\(x(title))</title>",
            "  <subtitle type=\"text\">\(x(s("feed.subtitle")))</subtitle>",
            "  <updated>\(x(updated))</updated>",
            "  <author><name>\(x(s("site.name")))</name></author>",
            "  <generator>chm</generator>",
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"\(x(selfURL))\"/>",
            "  <link rel=\"alternate\" type=\"text/html\" href=\"\(x(pageURL))\"/>",
        ]
        for (index, entry) in entries.enumerated() {
            let record = entry.record
            let title = record.title.resolved(preferring: s.language) ?? (s.language, record.id)
            let summary = record.summary.resolved(preferring: s.language) ?? record.description.resolved(preferring: s.language)
            lines.append("  <entry>")
            // The id percent-encoded as in addresses, so the entry's id is a URI whatever the
            // record's id holds (`?`, `#`, `[`...).
            lines.append("    <id>urn:chm:record:\(x(URLQuery.pathSegment(record.id)))</id>")
            lines.append("    <title type=\"text\" xml:lang=\"\(x(title.language))\">\(x(title.text))</title>")
            lines.append("    <updated>\(x(stamps[index]))</updated>")
            if let published = Self.timestamp(of: Record(id: record.id, kind: record.kind, title: record.title, published: record.published)) {
                lines.append("    <published>\(x(published))</published>")
            }
            lines.append("    <link rel=\"alternate\" type=\"text/html\" href=\"\(x(base + URLQuery.record(record.id, language: s.language)))\"/>")
            lines.append("    <category term=\"\(x(record.kind.rawValue))\" label=\"\(x(s.kind(record.kind)))\"/>")
            let summaryText = summary?.text ?? title.text
            let summaryLanguage = summary?.language ?? title.language
            lines.append("    <summary type=\"text\" xml:lang=\"\(x(summaryLanguage))\">\(x(summaryText))</summary>")
            lines.append("  </entry>")
        }
        lines.append("</feed>")
        return lines.joined(separator: "\n") + "\n"
    }
}
