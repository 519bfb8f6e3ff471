import ClearingHouse
import Foundation

/// The search page at `/`: the query box, the facets, the total, the sort, the hits, the
/// pages and the downloads of one ``SearchState``.
struct SearchPage {
    let state: SearchState
    let response: SearchResponse
    /// The records of the hits (for their countries and years).
    let records: [String: Record]
    let strings: Strings

    /// The most values a facet lists (the selected ones are always listed).
    static let facetValues = 12

    var total: Int { response.total ?? response.totalLowerBound }

    func render() -> HTML {
        let s = strings
        let state = self.state
        var layout = Layout(strings: s, languageURL: { language in
            var other = state
            other.language = language
            return other.url()
        })
        layout.current = "search"
        layout.head = """
            <link rel="alternate" type="application/atom+xml" title="\(s("feed.link"))" href="\(state.url("/feed", includePage: false))">

            """
        let title = state.query.isEmpty ? s("search.title") : s("search.titleWithQuery", ["query": state.query])
        let main: HTML = """
            <h1>\(s("search.title"))</h1>
            \(searchForm())
            <div class="search-layout">
            <aside class="facets" aria-labelledby="facets-title">
            <h2 id="facets-title">\(s("facets.title"))</h2>
            \(facets())
            </aside>
            <section class="results" aria-labelledby="results-title">
            <h2 id="results-title" class="visually-hidden">\(s("results.title"))</h2>
            \(summary())
            \(hits())
            \(paging())
            \(downloads())
            </section>
            </div>
            """
        return layout.page(title: title, main)
    }

    /// The page of a query that cannot be searched (`coral^`, `foo:bar`): the query box with
    /// the query as typed, marked invalid, and why (the library's message, which names the
    /// position), so that it can be corrected where it was typed.
    static func invalidQuery(state: SearchState, strings: Strings, message: String) -> HTML {
        var layout = Layout(strings: strings, languageURL: { language in
            var other = state
            other.language = language
            return other.url()
        })
        layout.current = "search"
        let main: HTML = """
            <h1>\(strings("search.title"))</h1>
            \(searchForm(state: state, strings: strings, problem: message))
            """
        return layout.page(title: strings("search.titleWithQuery", ["query": state.query]), main)
    }

    /// The query box, with the state's filters as hidden fields (a new query keeps them and
    /// goes back to page 1); with `problem`, the query is marked invalid and the problem said
    /// beside it.
    func searchForm() -> HTML { Self.searchForm(state: state, strings: strings) }

    static func searchForm(state: SearchState, strings s: Strings, problem: String? = nil) -> HTML {
        var hidden: [HTML] = []
        for (name, value) in state.parameters(includePage: false) where name != "q" {
            hidden.append("<input type=\"hidden\" name=\"\(name)\" value=\"\(value)\">")
        }
        let invalid: HTML = problem == nil ? "" : " aria-invalid=\"true\""
        let described: HTML = problem == nil ? "q-hint" : "q-problem q-hint"
        let message: HTML = problem.map { problem -> HTML in
            """
            <div class="message error" id="q-problem" role="alert" data-parameter="q"><p>\(s("search.invalidQuery"))</p>\
            <p class="detail" lang="en" dir="ltr">\(problem)</p></div>
            """
        } ?? ""
        return """
            <form role="search" class="search" action="/" method="get" aria-label="\(s("search.label"))">
            <label for="q">\(s("search.label"))</label>
            <div class="search-row">
            <input type="search" id="q" name="q" dir="auto" value="\(state.query)" placeholder="\(s("search.placeholder"))" \
            autocomplete="off" aria-describedby="\(described)"\(invalid) list="q-suggestions" data-suggest="/suggest" data-lang="\(s.language)">
            <datalist id="q-suggestions"></datalist>
            \(hidden)<button type="submit">\(s("search.button"))</button>
            </div>
            \(message)<p class="hint" id="q-hint">\(s("search.hint"))</p>
            </form>
            """
    }

    /// The display name of a facet value.
    func label(_ field: String, _ value: String) -> String {
        switch field {
        case "kind": return RecordKind(rawValue: value).map(strings.kind) ?? value
        case "country": return strings.country(value)
        case "region": return strings.region(value)
        case "theme": return response.facetLabels["theme"]?[value] ?? value
        case "language": return strings.languageName(value)
        default: return value
        }
    }

    func facets() -> HTML {
        let s = strings
        var sections: [HTML] = []
        for field in SearchState.facetFields {
            let counts = response.facets[field] ?? [:]
            var values = counts.keys.sorted { a, b in
                if field == "year" { return a > b }
                let (countA, countB) = (counts[a] ?? 0, counts[b] ?? 0)
                return countA != countB ? countA > countB : label(field, a).localizedStandardCompare(label(field, b)) == .orderedAscending
            }
            values = Array(values.prefix(Self.facetValues))
            for value in state.selected[field] ?? [] where !values.contains(value) { values.append(value) }
            guard !values.isEmpty else { continue }
            let items = values.map { value -> HTML in
                let selected = state.isSelected(field, value)
                let href = state.toggling(field, value).url()
                let count = counts[value] ?? 0
                let action = s.withColon(selected ? "facet.remove" : "facet.add")
                return """
                    <li><a class="facet-value\(selected ? " selected" : "")" href="\(href)" data-facet="\(field)" data-value="\(value)"\
                    \(HTML.attribute("aria-current", selected ? "true" : nil))><span class="box" aria-hidden="true"></span>\
                    <span class="visually-hidden">\(action) </span><span class="name">\(label(field, value))</span> \
                    <span class="count" data-count="\(count)">\(s.number(count))</span></a></li>
                    """
            }
            sections.append(
                """
                <section class="facet" aria-labelledby="facet-\(field)">
                <h3 id="facet-\(field)">\(s("facet.\(field)"))</h3>
                <ul>\(items)</ul>
                </section>
                """)
        }
        if !state.selected.isEmpty || state.since != nil || state.until != nil {
            var cleared = state
            cleared.selected = [:]
            cleared.since = nil
            cleared.until = nil
            cleared.page = 1
            sections.append("<p class=\"clear\"><a href=\"\(cleared.url())\">\(s("facet.clear"))</a></p>")
        }
        if sections.isEmpty { return "<p class=\"none\">\(s("facets.none"))</p>" }
        return HTML.join(sections)
    }

    /// "1–10 of 37" (in an element with `data-total`), the corrected query and the sort.
    func summary() -> HTML {
        let s = strings
        let first = (state.page - 1) * SearchState.pageSize + 1
        let last = first + response.hits.count - 1
        let text: String
        if total == 0 {
            text = s("results.none")
        } else if response.hits.isEmpty {
            text = s("results.beyond", ["total": s.number(total)])
        } else {
            text = s("results.range", ["first": s.number(first), "last": s.number(last), "total": s.number(total)])
        }
        var corrected: HTML = .empty
        if let correctedQuery = response.correctedQuery {
            var other = state
            other.query = correctedQuery
            other.page = 1
            var typed = state
            typed.correct = false
            typed.page = 1
            corrected = """
                <p class="corrected">\(s("results.corrected"))\(s.afterColon)<a href="\(other.url())">\(correctedQuery)</a></p>
                <p class="search-instead">\(s("results.searchInstead"))\(s.afterColon)<a href="\(typed.url())">\(state.query)</a></p>
                """
        }
        // Rare words searched with a far more frequent neighbour beside them (`bears`, `years`):
        // say so, or the neighbour's records would appear unexplained.
        let neighbours = response.corrections.filter { $0.isBesideTheWord && !$0.requested }
        if !neighbours.isEmpty {
            let list = neighbours.map { "\($0.word) → \($0.spelling)" }.joined(separator: ", ")
            corrected = "\(corrected)<p class=\"close-spellings\">\(s("results.closeSpellings"))\(s.afterColon)\(list)</p>"
        }
        // The thesaurus's translations that the query also searched: said, with a link to the
        // words alone (QA: a Russian query showed English titles with no reason given).
        if !response.expansions.isEmpty {
            var alone = state
            alone.expand = false
            alone.page = 1
            corrected = """
                \(corrected)<p class="expansions">\(s("results.expanded"))\(s.afterColon)\(Self.list(response.expansions))</p>
                <p class="search-unexpanded"><a href="\(alone.url())">\(s("results.noExpand"))</a></p>
                """
        }
        let sorts = SearchRequest.Sort.allCases.map { sort -> HTML in
            var other = state
            other.sort = sort
            other.page = 1
            let isCurrent = (state.sort ?? (state.query.trimmingCharacters(in: .whitespaces).isEmpty ? .published : .relevance)) == sort
            return "<li><a href=\"\(other.url())\"\(HTML.attribute("aria-current", isCurrent ? "true" : nil))>\(s("sort.\(sort.rawValue)"))</a></li>"
        }
        return """
            <div class="summary">
            <p class="total" data-total="\(total)" role="status">\(text)</p>
            <nav class="sort" aria-label="\(s("sort.label"))"><span>\(s.withColon("sort.label"))</span>\(s.afterColon)<ul>\(sorts)</ul></nav>
            </div>
            \(corrected)
            """
    }

    func hits() -> HTML {
        let s = strings
        guard !response.hits.isEmpty else {
            guard total == 0, !state.isBlank else { return .empty }
            return "<p class=\"none\">\(s(response.onlyStopWords ? "results.onlyStopWords" : "results.tryOther"))</p>"
        }
        // (Stop words alone with filters: the filters' records, said so.)
        let note: HTML = response.onlyStopWords ? "<p class=\"note\">\(s("results.onlyStopWordsFiltered"))</p>" : .empty
        let first = (state.page - 1) * SearchState.pageSize + 1
        let items = response.hits.map { hit -> HTML in
            let record = records[hit.id]
            var meta: [HTML] = ["<span class=\"kind\">\(s.kind(hit.kind))</span>"]
            if let countries = record?.countries, !countries.isEmpty {
                meta.append("<span class=\"countries\">\(countries.map(s.country).joined(separator: s("list.separator")))</span>")
            }
            if let published = record?.published, let year = RecordDate.year(ofPublished: published) {
                meta.append("<span class=\"year\">\(String(year))</span>")
            }
            var snippet: HTML = .empty
            if let passage = hit.snippet, !passage.text.isEmpty {
                snippet = "<p class=\"snippet\" lang=\"\(passage.language)\" dir=\"auto\">\(HTML.marked(passage.text, highlights: passage.highlights))</p>"
            } else if let summary = record?.summary.resolved(preferring: s.language) {
                let text = summary.text.count > 300 ? String(summary.text.prefix(300)) + "…" : summary.text
                snippet = "<p class=\"snippet\" lang=\"\(summary.language)\" dir=\"auto\">\(text)</p>"
            }
            // (A Russian query's English hit says which translation found it.)
            let matched = response.expansions(matchedBy: hit)
            let translations: HTML =
                matched.isEmpty ? .empty : "<p class=\"translations\" data-translations>\(s.withColon("hit.translations"))\(s.afterColon)\(Self.list(matched))</p>"
            return """
                <li class="hit" data-record-id="\(hit.id)">
                <h3>\(Fragments.title(id: hit.id, title: hit.title, language: hit.language, strings: s, linkLanguage: s.language))</h3>
                <p class="meta">\(HTML.join(meta, separator: " <span aria-hidden=\"true\">·</span> "))</p>
                \(snippet)\(translations)
                </li>
                """
        }
        return "\(note)<ol class=\"hits\" start=\"\(first)\">\(items)</ol>"
    }

    /// Expansions as the page says them: `мангры → mangrove [en]; рифы → reefs [en], récifs [fr]`.
    static func list(_ expansions: [QueryExpansion]) -> String {
        expansions.map { expansion in
            "\(expansion.source) → " + expansion.added.map { "\($0.text) [\($0.group)]" }.joined(separator: ", ")
        }.joined(separator: "; ")
    }

    /// Previous, a window of page numbers, next.
    func paging() -> HTML {
        let s = strings
        let pages = min(SearchState.maximumPage, max(1, (total + SearchState.pageSize - 1) / SearchState.pageSize))
        guard pages > 1 || state.page > 1 else { return .empty }
        func link(_ page: Int, _ text: String, rel: String? = nil, label: String? = nil) -> HTML {
            var other = state
            other.page = page
            let isCurrent = page == state.page && rel == nil
            return "<li><a href=\"\(other.url())\"\(HTML.attribute("rel", rel))\(HTML.attribute("aria-label", label))\(HTML.attribute("aria-current", isCurrent ? "page" : nil))>\(text)</a></li>"
        }
        var items: [HTML] = []
        if state.page > 1 { items.append(link(min(state.page - 1, pages), s("paging.previous"), rel: "prev")) }
        var shown = Set([1, pages])
        let around = min(state.page, pages)
        for page in max(1, around - 2)...min(pages, around + 2) { shown.insert(page) }
        var previous = 0
        for page in shown.sorted() where page <= pages {
            if page > previous + 1 { items.append("<li class=\"gap\" aria-hidden=\"true\">…</li>") }
            items.append(link(page, s.number(page), label: s("paging.page", ["page": s.number(page)])))
            previous = page
        }
        if state.page < pages { items.append(link(state.page + 1, s("paging.next"), rel: "next")) }
        return "<nav class=\"paging\" aria-label=\"\(s("paging.label"))\"><ul>\(items)</ul></nav>"
    }

    /// CSV, JSON Lines and the Atom feed of the search.
    func downloads() -> HTML {
        let s = strings
        let csv = state.url("/export", includePage: false, includeLanguage: false, adding: [("format", "csv")])
        let jsonl = state.url("/export", includePage: false, includeLanguage: false, adding: [("format", "jsonl")])
        let feed = state.url("/feed", includePage: false)
        return """
            <section class="downloads" aria-labelledby="downloads-title">
            <h2 id="downloads-title">\(s("download.title"))</h2>
            <ul>
            <li><a href="\(csv)" data-download="csv" download>\(s("download.csv"))</a></li>
            <li><a href="\(jsonl)" data-download="jsonl" download>\(s("download.jsonl"))</a></li>
            <li><a href="\(feed)" data-feed type="application/atom+xml">\(s("feed.link"))</a></li>
            </ul>
            </section>
            """
    }
}
