import ClearingHouse
import Foundation

/// The frame every page shares: `<html lang dir>`, the header with the site's name, the
/// navigation and the language switch, the main region and the footer.
struct Layout {
    let strings: Strings
    /// The address of the same page in another interface language.
    let languageURL: @Sendable (String) -> String
    /// Which navigation link is the current page (`search`, `helpdesk`), if any.
    var current: String?
    /// Extra `<head>` content (the search's feed).
    var head: HTML = .empty

    func page(title: String, _ main: HTML) -> HTML {
        let s = strings
        let switchLinks = Strings.languages.map { language -> HTML in
            let name = Strings.endonyms[language] ?? language
            let isCurrent = language == s.language
            return """
                <li><a href="\(languageURL(language))" hreflang="\(language)" lang="\(language)"\
                \(HTML.attribute("aria-current", isCurrent ? "true" : nil))>\(name)</a></li>
                """
        }
        func navigation(_ key: String, _ path: String) -> HTML {
            let href = s.language == "en" ? path : URLQuery.url(path, [("lang", s.language)])
            return "<li><a href=\"\(href)\"\(HTML.attribute("aria-current", current == key ? "page" : nil))>\(s("nav.\(key)"))</a></li>"
        }
        return """
            <!DOCTYPE html>
            <html lang="\(s.language)" dir="\(s.direction)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · \(s("site.name"))</title>
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="/static/style.css">
            \(head)<script src="/static/app.js" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">\(s("skip"))</a>
            <header class="site">
            <p class="site-name"><a href="\(s.language == "en" ? "/" : "/?lang=\(s.language)")">\(s("site.name"))</a></p>
            <nav class="site-nav" aria-label="\(s("nav.label"))"><ul>\(navigation("search", "/"))\(navigation("helpdesk", "/helpdesk"))</ul></nav>
            <nav class="languages" aria-label="\(s("lang.switch"))"><ul>\(switchLinks)</ul></nav>
            </header>
            <main id="main" tabindex="-1">
            \(main)
            </main>
            <footer class="site"><p>\(s("footer.text"))</p></footer>
            </body>
            </html>

            """
    }
}

/// Pieces of markup that several pages use.
enum Fragments {
    /// A record's title as a link, in its language (`lang`), with a note naming the language
    /// when it is not the interface language.
    static func title(id: String, title: String, language: String, strings: Strings, linkLanguage: String) -> HTML {
        let note = fallbackNote(language, strings: strings)
        return "<a href=\"\(URLQuery.record(id, language: linkLanguage))\" lang=\"\(language)\" dir=\"auto\">\(title)</a>\(note)"
    }

    /// ` <span class="fallback">en</span>` when `language` is not the interface language.
    ///
    /// The note is in the interface's language (its own `lang` and `dir`: it sits inside the
    /// element of the text's language, and was read with that language's voice).
    /// - Parameter wanted: the language the reader asked the text in (a record page's
    ///   `show`), when not the interface's: no note when the text is in it.
    static func fallbackNote(_ language: String, strings: Strings, wanted: String? = nil) -> HTML {
        let asked = wanted.map { LanguageTag.primaryLanguage(of: $0) } ?? strings.language
        guard LanguageTag.primaryLanguage(of: language) != asked else { return .empty }
        let name = strings.languageName(language)
        return """
             <span class="fallback" lang="\(strings.language)" dir="\(strings.direction)" title="\(strings("fallback.title", ["language": name]))"><span class="visually-hidden">\
            \(strings("fallback.hidden", ["language": name]))</span><span aria-hidden="true">\(language)</span></span>
            """
    }

    /// The matchmaking reasons of a hit, in the interface language: worded from the library's
    /// evidence (``MatchReason``: codes, which are named here), or the English text when a
    /// reason has no details (`similar`'s).
    static func reasons(_ hit: SearchResultHit, strings: Strings, labels: [String: String]) -> HTML {
        guard !hit.reasons.isEmpty else { return .empty }
        let separator = strings("list.separator")
        let items: [HTML]
        if hit.reasonDetails.isEmpty {
            items = hit.reasons.map { "<li lang=\"en\">\($0)</li>" }
        } else {
            items = hit.reasonDetails.map { reason -> HTML in
                let values: [String]
                switch reason.kind {
                case .offers, .couldHelpWith, .asksFor, .sameTheme, .sameAssistanceType: values = reason.values.map { labels[$0] ?? $0 }
                case .sameCountry: values = reason.values.map { strings.country($0) }
                case .sameRegion: values = reason.values.map { strings.region($0) }
                case .about, .sameTargets, .openToEveryCountry, .namedAsRelated: values = reason.values
                }
                return "<li>\(strings("reason.\(reason.kind.rawValue)", ["values": values.joined(separator: separator)]))</li>"
            }
        }
        return "<ul class=\"reasons\" aria-label=\"\(strings("reasons.label"))\">\(items)</ul>"
    }

    /// The codes among matchmaking reasons that have labels (themes, assistance types), to
    /// look their labels up.
    static func reasonNotations(_ hits: [SearchResultHit]) -> [String] {
        hits.flatMap(\.reasonDetails).flatMap { reason -> [String] in
            switch reason.kind {
            case .offers, .couldHelpWith, .asksFor, .sameTheme, .sameAssistanceType: return reason.values
            default: return []
            }
        }
    }

    /// A list of hits of matchmaking or similar records: title, kind, reasons.
    static func relatedHits(_ hits: [SearchResultHit], strings: Strings, labels: [String: String], empty: String) -> HTML {
        guard !hits.isEmpty else { return "<p class=\"none\">\(empty)</p>" }
        let items = hits.map { hit -> HTML in
            """
            <li class="hit" data-record-id="\(hit.id)">
            <h3>\(title(id: hit.id, title: hit.title, language: hit.language, strings: strings, linkLanguage: strings.language))</h3>
            <p class="meta"><span class="kind">\(strings.kind(hit.kind))</span></p>
            \(reasons(hit, strings: strings, labels: labels))
            </li>
            """
        }
        return "<ol class=\"hits related\">\(items)</ol>"
    }

    /// A message box (`role="status"` or `alert`).
    static func message(_ text: String, kind: String = "info") -> HTML {
        "<p class=\"message \(kind)\" role=\"\(kind == "error" ? "alert" : "status")\">\(text)</p>"
    }
}
