import ClearingHouse
import Foundation

/// What the record page shows besides the record: read in one go on the thread pool.
struct RecordPageData: Sendable {
    var record: Record
    /// The related records that exist.
    var related: [Record]
    var similar: [SearchResultHit]
    /// For a request: the offers that could answer it; for an offer: the requests it could answer.
    var matches: [SearchResultHit]
    /// Names of the notations shown (themes, assistance types) in the interface language.
    var labels: [String: String]
    /// The ids that resolve to this record (its copies from other sources).
    var aliases: [String] = []
    /// The OAI sets the record (or a copy of it) was harvested in.
    var harvestedSets: [HarvestedSet] = []
}

/// `/records/{id}`: every field, in the interface language where the record has it (or the
/// language asked for with `show`), with links to its other languages.
struct RecordPage {
    let data: RecordPageData
    let strings: Strings
    /// The language of the record's text to show (nil: the interface language).
    let show: String?

    func render() -> HTML {
        let s = strings
        let record = data.record
        let wanted = show ?? s.language
        let show = self.show
        var layout = Layout(strings: s, languageURL: { language in URLQuery.record(record.id, language: language, show: show) })
        layout.current = nil
        let title = record.title.resolved(preferring: wanted) ?? (wanted, record.id)
        var rows: [HTML] = []
        func row(_ key: String, _ value: HTML) { rows.append("<dt>\(s("field.\(key)"))</dt><dd>\(value)</dd>") }
        func list(_ values: [String], _ name: (String) -> String = { $0 }) -> HTML {
            "<ul class=\"inline\">\(values.map { value -> HTML in "<li>\(name(value))</li>" })</ul>"
        }
        func text(_ field: LocalizedText) -> HTML? {
            guard let shown = field.resolved(preferring: wanted) else { return nil }
            let paragraphs = shown.text.split(separator: "\n", omittingEmptySubsequences: true).map { "<p>\($0)</p>" as HTML }
            return "<div lang=\"\(shown.language)\" dir=\"auto\">\(paragraphs)\(Fragments.fallbackNote(shown.language, strings: s, wanted: show))</div>"
        }
        row("kind", "\(s.kind(record.kind))")
        if let summary = text(record.summary) { row("summary", summary) }
        if let description = text(record.description) { row("description", description) }
        if !record.keywords.isEmpty {
            let items = record.keywords.map { keyword -> HTML in
                "<li lang=\"\(ClearingHouse.language(ofKeyword: keyword, in: record))\" dir=\"auto\">\(keyword)</li>"
            }
            row("keywords", "<ul class=\"inline\">\(items)</ul>")
        }
        if !record.themes.isEmpty { row("themes", list(record.themes) { data.labels[$0] ?? $0 }) }
        if !record.targets.isEmpty { row("targets", list(record.targets)) }
        if !record.countries.isEmpty { row("countries", list(record.countries, s.country)) }
        if !record.regions.isEmpty { row("regions", list(record.regions, s.region)) }
        if !record.assistanceTypes.isEmpty { row("assistanceTypes", list(record.assistanceTypes) { data.labels[$0] ?? $0 }) }
        if !record.organizations.isEmpty {
            let items = record.organizations.map { organization -> HTML in
                var parts: [HTML] = []
                if let url = safeURL(organization.url) {
                    parts.append("<a href=\"\(url)\">\(organization.name)</a>")
                } else {
                    parts.append("\(organization.name)")
                }
                if let role = organization.role { parts.append(" <span class=\"role\">(\(roleName(role)))</span>") }
                if let country = organization.country { parts.append(" <span class=\"country\">\(s.country(country))</span>") }
                return "<li>\(parts)</li>"
            }
            row("organizations", "<ul>\(items)</ul>")
        }
        if !record.links.isEmpty {
            let items = record.links.map { link -> HTML in
                let text = link.title ?? link.url
                guard let url = safeURL(link.url) else { return "<li>\(text)</li>" }
                return "<li><a href=\"\(url)\"\(HTML.attribute("hreflang", link.language))>\(text)</a>\(link.language.map { " <span class=\"language\">(\($0))</span>" as HTML })</li>"
            }
            row("links", "<ul>\(items)</ul>")
        }
        if let published = record.published { row("published", "<time datetime=\"\(published)\">\(published)</time>") }
        if let updated = record.updated { row("updated", "<time datetime=\"\(updated)\">\(updated)</time>") }
        if let license = record.license { row("license", "\(license)") }
        if let source = record.source {
            var parts: [HTML] = []
            if let system = source.system { parts.append("\(system)") }
            if let originalId = source.originalId { parts.append(" <span class=\"original-id\">(\(originalId))</span>") }
            if let url = safeURL(source.url) { parts.append(" <a href=\"\(url)\">\(url)</a>") }
            if !parts.isEmpty { row("source", "\(parts)") }
        }
        if !data.aliases.isEmpty {
            row("aliases", "<ul class=\"inline aliases\">\(data.aliases.map { "<li><code>\($0)</code></li>" as HTML })</ul>")
        }
        if !data.harvestedSets.isEmpty {
            // One item per provider: its sets, then its base URL.
            let items = HarvestedSet.byProvider(data.harvestedSets).map { provider -> HTML in
                let address: HTML = safeURL(provider.baseURL).map { "<a href=\"\($0)\">\($0)</a>" } ?? "\(provider.baseURL)"
                return "<li>\(HTML.join(provider.sets.map { "<code>\($0)</code>" }, separator: ", ")) · \(address)</li>"
            }
            row("sets", "<ul class=\"harvested-sets\">\(items)</ul>")
        }
        row("id", "<code>\(record.id)</code> · <a href=\"/v1/records/\(URLQuery.pathSegment(record.id))\" type=\"application/json\">\(s("record.json"))</a>")

        // The record in its other languages.
        let languages = record.textLanguages.filter { $0 != LanguageTag.undetermined || record.textLanguages.count == 1 }
        var languageLinks: HTML = .empty
        if languages.count > 1 {
            let items = languages.map { tag -> HTML in
                let isCurrent = tag == title.language
                return """
                    <li><a href="\(URLQuery.record(record.id, language: s.language, show: tag))" hreflang="\(tag)"\
                    \(HTML.attribute("aria-current", isCurrent ? "true" : nil))>\(s.languageName(tag)) <span lang="\(tag)" class="tag">(\(tag))</span></a></li>
                    """
            }
            languageLinks = """
                <nav class="record-languages" aria-label="\(s("record.languages"))"><p>\(s.withColon("record.languages"))</p><ul class="inline">\(items)</ul></nav>
                """
        }

        var sections: [HTML] = []
        if !record.related.isEmpty {
            let byID = Dictionary(data.related.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            let items = record.related.map { id -> HTML in
                guard let related = byID[id] else { return "<li><code>\(id)</code></li>" }
                let shown = related.title.resolved(preferring: s.language) ?? (s.language, id)
                return """
                    <li class="hit" data-record-id="\(id)">\(Fragments.title(id: id, title: shown.text, language: shown.language, strings: s, linkLanguage: s.language)) \
                    <span class="kind">(\(s.kind(related.kind)))</span></li>
                    """
            }
            sections.append("<section aria-labelledby=\"related-title\"><h2 id=\"related-title\">\(s("record.related"))</h2><ul class=\"hits related\">\(items)</ul></section>")
        }
        if record.kind == .assistanceRequest {
            sections.append(
                """
                <section aria-labelledby="matches-title"><h2 id="matches-title">\(s("record.matches"))</h2>
                \(Fragments.relatedHits(data.matches, strings: s, labels: data.labels, empty: s("record.noMatches")))</section>
                """)
        } else if ClearingHouse.answeringKinds.contains(record.kind) {
            sections.append(
                """
                <section aria-labelledby="requests-title"><h2 id="requests-title">\(s("record.requests"))</h2>
                \(Fragments.relatedHits(data.matches, strings: s, labels: data.labels, empty: s("record.noRequests")))</section>
                """)
        }
        sections.append(
            """
            <section aria-labelledby="similar-title"><h2 id="similar-title">\(s("record.similar"))</h2>
            \(Fragments.relatedHits(data.similar, strings: s, labels: data.labels, empty: s("record.noSimilar")))</section>
            """)

        let main: HTML = """
            <p class="back"><a href="\(s.language == "en" ? "/" : "/?lang=\(s.language)")">\(s("record.back"))</a></p>
            <article class="record" data-record-id="\(record.id)" data-kind="\(record.kind.rawValue)">
            <p class="kind-badge">\(s.kind(record.kind))</p>
            <h1 lang="\(title.language)" dir="auto">\(title.text)\(Fragments.fallbackNote(title.language, strings: s, wanted: show))</h1>
            \(languageLinks)
            <dl class="fields">\(rows)</dl>
            \(sections)
            </article>
            """
        return layout.page(title: title.text, main)
    }

    /// A role in the interface language when it is one of the usual ones.
    func roleName(_ role: String) -> String {
        let key = "role.\(role)"
        return strings.has(key) ? strings(key) : role
    }

    /// `url` when it is an http(s) or mailto address (a `javascript:` link is shown as text).
    func safeURL(_ url: String?) -> String? {
        guard let url else { return nil }
        let lowered = url.lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://") || lowered.hasPrefix("mailto:") ? url : nil
    }
}
