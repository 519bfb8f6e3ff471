// A thesaurus concept as SKOS describes it: labels in many languages, a definition, and its
// place among broader and narrower concepts. Search uses the labels to carry a query across
// languages; facets and record pages use them to name themes in the reader's language.

/// A concept of a multilingual thesaurus (a `skos:Concept` of GEMET, AGROVOC, EuroVoc or the
/// clearing-house's own thesaurus in `Corpus/thesaurus/`).
public struct Concept: Sendable, Hashable, Codable {
    /// The concept's IRI (`urn:chm:thesaurus:coral-reefs`, `http://www.eionet.europa.eu/gemet/concept/1693`).
    public var iri: String
    /// `skos:notation`, when given (the clearing-house's themes use it: `marine`).
    public var notation: String?
    /// The preferred label in each language (language tag -> label).
    public var prefLabels: [String: String]
    /// Other labels (synonyms, variants, acronyms) in each language.
    public var altLabels: [String: [String]]
    /// `skos:definition` in each language.
    public var definitions: [String: String]
    /// IRIs of broader concepts.
    public var broader: [String]
    /// IRIs of narrower concepts.
    public var narrower: [String]
    /// IRIs of the concept schemes the concept is in.
    public var schemes: [String]

    /// A concept identified by `iri`, with its labels, definitions and relations (none by default).
    public init(
        iri: String, notation: String? = nil, prefLabels: [String: String] = [:], altLabels: [String: [String]] = [:],
        definitions: [String: String] = [:], broader: [String] = [], narrower: [String] = [], schemes: [String] = []
    ) {
        self.iri = iri
        self.notation = notation
        self.prefLabels = prefLabels
        self.altLabels = altLabels
        self.definitions = definitions
        self.broader = broader
        self.narrower = narrower
        self.schemes = schemes
    }

    /// A short name: the notation, else the last segment of the IRI.
    public var id: String {
        if let notation, !notation.isEmpty { return notation }
        let separators: Set<Character> = ["/", "#", ":"]
        if let last = iri.lastIndex(where: { separators.contains($0) }), iri.index(after: last) < iri.endIndex {
            return String(iri[iri.index(after: last)...])
        }
        return iri
    }

    /// Every language the concept has a label in, sorted.
    public var languages: [String] { Array(Set(prefLabels.keys).union(altLabels.keys)).sorted() }

    /// The preferred label in `language`, else in its closest variant (`zh-Hant-TW` for
    /// `zh-Hant`, `Hant` for `zh-TW`), else English, else any (the alphabetically
    /// first language), with its language; a concept with alternative labels only gives one
    /// of those the same way.
    public func label(preferring language: String?) -> (text: String, language: String)? {
        Self.label(in: prefLabels, preferring: language)
            ?? Self.label(in: altLabels.compactMapValues(\.first), preferring: language)
    }

    /// The label of `labels` in `language`, else in the closest variant of it, else English,
    /// else the first tag's.
    ///
    /// Closest: a tag that extends `language` or that `language` extends, apart from the bare
    /// language (`zh-Hant-TW` for `zh-Hant`); then one that shares its script or region
    /// (a Chinese region implies its script: `zh-TW` is written `Hant`, `zh-CN` `Hans`); then
    /// the bare language; then any other variant.
    private static func label(in labels: [String: String], preferring language: String?) -> (text: String, language: String)? {
        if let given = language {
            // (Tags compare without case: `EN` is `en`, `zh-hant` is `zh-Hant`.)
            let language = LanguageTag.normalized(given) ?? given
            if let text = labels[language] { return (text, language) }
            let primary = LanguageTag.primaryLanguage(of: language)
            let mine = subtags(of: language)
            let lower = language.lowercased()
            func closeness(_ tag: String) -> Int {
                let other = tag.lowercased()
                if other == primary { return 2 }
                if other.hasPrefix(lower + "-") || lower.hasPrefix(other + "-") { return 0 }
                return mine.isDisjoint(with: subtags(of: tag)) ? 3 : 1
            }
            if let match = labels.keys.filter({ LanguageTag.primaryLanguage(of: $0) == primary })
                .min(by: { (closeness($0), $0) < (closeness($1), $1) }),
                let text = labels[match]
            {
                return (text, match)
            }
        }
        if let text = labels["en"] { return (text, "en") }
        if let first = labels.keys.sorted().first, let text = labels[first] { return (text, first) }
        return nil
    }

    /// A tag's subtags after the language, lower-cased, with the script a Chinese region
    /// implies.
    private static func subtags(of tag: String) -> Set<String> {
        let parts = tag.lowercased().split(separator: "-").map(String.init)
        var subtags = Set(parts.dropFirst())
        if parts.first == "zh" {
            if !subtags.isDisjoint(with: ["tw", "hk", "mo"]) { subtags.insert("hant") }
            if !subtags.isDisjoint(with: ["cn", "sg"]) { subtags.insert("hans") }
        }
        return subtags
    }

    /// The concept as JSON: `{"id", "iri", "notation", "prefLabel": {lang: label}, "altLabel": {lang: [labels]}, "definition", "broader", "narrower"}`.
    public var jsonValue: JSONValue {
        var members: [(String, JSONValue)] = [("id", .string(id)), ("iri", .string(iri))]
        if let notation { members.append(("notation", .string(notation))) }
        members.append(("prefLabel", .object(prefLabels.keys.sorted().map { ($0, .string(prefLabels[$0] ?? "")) })))
        if !altLabels.isEmpty {
            members.append(("altLabel", .object(altLabels.keys.sorted().map { ($0, .array((altLabels[$0] ?? []).map(JSONValue.string))) })))
        }
        if !definitions.isEmpty {
            members.append(("definition", .object(definitions.keys.sorted().map { ($0, .string(definitions[$0] ?? "")) })))
        }
        if !broader.isEmpty { members.append(("broader", .array(broader.map(JSONValue.string)))) }
        if !narrower.isEmpty { members.append(("narrower", .array(narrower.map(JSONValue.string)))) }
        return .object(members)
    }

    /// `concepts` with each IRI once, in the order of first appearance, the descriptions of
    /// one IRI merged (RDF may describe a resource in several places, and a thesaurus may come
    /// as a file per language).
    static func mergingDescriptions(_ concepts: [Concept]) -> [Concept] {
        var merged: [Concept] = []
        var position: [String: Int] = [:]
        for concept in concepts {
            if let index = position[concept.iri] {
                merged[index].merge(concept)
            } else {
                position[concept.iri] = merged.count
                merged.append(concept)
            }
        }
        return merged
    }

    /// The concepts among `concepts` that are broader than themselves: their broader links
    /// (a concept's own, and the narrower links that name it), followed, lead back to them.
    /// These are the concepts of the hierarchy's strongly connected components of more than
    /// one concept, and those that name themselves: Tarjan's algorithm, in time linear in the
    /// links (a walk from each concept took minutes for a chain of 200,000).
    static func cycles(in concepts: [Concept]) -> [Concept] {
        var number: [String: Int] = [:]
        for concept in concepts where number[concept.iri] == nil { number[concept.iri] = number.count }
        var parents = [[Int]](repeating: [], count: number.count)
        var selfLinked = [Bool](repeating: false, count: number.count)
        for concept in concepts {
            guard let child = number[concept.iri] else { continue }
            for iri in concept.broader {
                guard let parent = number[iri] else { continue }
                if parent == child { selfLinked[child] = true } else { parents[child].append(parent) }
            }
            for iri in concept.narrower {
                guard let narrower = number[iri] else { continue }
                if narrower == child { selfLinked[child] = true } else { parents[narrower].append(child) }
            }
        }
        // Iterative Tarjan: `index` and `low` per node, a stack of nodes, and a call stack of
        // (node, next link to follow).
        let unvisited = -1
        var index = [Int](repeating: unvisited, count: number.count)
        var low = [Int](repeating: 0, count: number.count)
        var onStack = [Bool](repeating: false, count: number.count)
        var stack: [Int] = []
        var inCycle = selfLinked
        var counter = 0
        for root in 0..<number.count where index[root] == unvisited {
            var calls: [(node: Int, link: Int)] = [(root, 0)]
            index[root] = counter
            low[root] = counter
            counter += 1
            stack.append(root)
            onStack[root] = true
            while let (node, link) = calls.last {
                if link < parents[node].count {
                    calls[calls.count - 1].link += 1
                    let next = parents[node][link]
                    if index[next] == unvisited {
                        index[next] = counter
                        low[next] = counter
                        counter += 1
                        stack.append(next)
                        onStack[next] = true
                        calls.append((next, 0))
                    } else if onStack[next] {
                        low[node] = min(low[node], index[next])
                    }
                    continue
                }
                calls.removeLast()
                if let caller = calls.last?.node { low[caller] = min(low[caller], low[node]) }
                guard low[node] == index[node] else { continue }
                var component: [Int] = []
                while let member = stack.popLast() {
                    onStack[member] = false
                    component.append(member)
                    if member == node { break }
                }
                if component.count > 1 { for member in component { inCycle[member] = true } }
            }
        }
        var reported = Set<String>()
        return concepts.filter { concept in
            guard let node = number[concept.iri], inCycle[node] else { return false }
            return reported.insert(concept.iri).inserted
        }
    }

    /// Adds what `other` (the same IRI, described again) says: RDF may describe one resource
    /// in several places.
    mutating func merge(_ other: Concept) {
        if notation == nil { notation = other.notation }
        // A second preferred label in a language (SKOS allows one) is kept as an alternative
        // one, as within one description: no label of a file is lost.
        var alternatives = other.altLabels
        for (language, label) in other.prefLabels {
            if prefLabels[language] == nil {
                prefLabels[language] = label
            } else if prefLabels[language] != label {
                alternatives[language, default: []].append(label)
            }
        }
        for (language, labels) in alternatives {
            for label in labels
            where (altLabels[language]?.count ?? 0) < SKOSReader.maximumLabelsPerLanguage && altLabels[language]?.contains(label) != true {
                altLabels[language, default: []].append(label)
            }
        }
        for (language, text) in other.definitions where definitions[language] == nil { definitions[language] = text }
        func add(_ iris: [String], to list: inout [String]) {
            var known = Set(list)
            for iri in iris where list.count < SKOSReader.maximumLinks && known.insert(iri).inserted { list.append(iri) }
        }
        add(other.broader, to: &broader)
        add(other.narrower, to: &narrower)
        add(other.schemes, to: &schemes)
    }
}

/// What importing a thesaurus file did.
public struct ThesaurusImportReport: Sendable, Hashable {
    /// The files read, in order.
    public var files: [String] = []
    /// Concepts new to the catalog.
    public var added = 0
    /// Concepts that replaced a different stored description.
    public var updated = 0
    /// Concepts identical to the stored ones.
    public var unchanged = 0
    /// Stored concepts that an import with `replace` removed (those its files no longer have).
    public var removed = 0
    /// Labels (preferred and alternative) in the imported concepts.
    public var labels = 0
    /// Labels per language over the imported concepts.
    public var languages: [String: Int] = [:]
    /// What the files hold that did not stop the import but is not what SKOS says (see
    /// ``SKOSReader/readWithWarnings(path:)``).
    public var warnings: [Diagnostic] = []

    /// An empty report: no files, every count zero.
    public init() {}

    /// Concepts read.
    public var concepts: Int { added + updated + unchanged }

    /// Adds the labels of `concepts` to ``labels`` and ``languages``.
    mutating func countLabels(of concepts: [Concept]) {
        for concept in concepts {
            for language in concept.languages {
                let count = (concept.prefLabels[language] == nil ? 0 : 1) + (concept.altLabels[language]?.count ?? 0)
                labels += count
                languages[language, default: 0] += count
            }
        }
    }

    /// `{"files": [...], "concepts": N, "added": N, "updated": N, "unchanged": N, "removed": N, "labels": N, "languages": {...}, "warnings": [...]}`:
    /// the document ``encode(to:)`` writes.
    public var jsonValue: JSONValue { (try? JSONValue(encoding: self)) ?? .null }

}

extension ThesaurusImportReport: Codable {
    private enum CodingKeys: String, CodingKey {
        case files, concepts, added, updated, unchanged, removed, labels, languages, warnings
    }

    /// `{"files": [...], "concepts", "added", "updated", "unchanged", "removed", "labels", "languages": {tag: count}, "warnings": [...]}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(files, forKey: .files)
        try container.encode(concepts, forKey: .concepts)
        try container.encode(added, forKey: .added)
        try container.encode(updated, forKey: .updated)
        try container.encode(unchanged, forKey: .unchanged)
        try container.encode(removed, forKey: .removed)
        try container.encode(labels, forKey: .labels)
        var counts = container.nestedContainer(keyedBy: DynamicKey.self, forKey: .languages)
        for language in languages.keys.sorted() { try counts.encode(languages[language] ?? 0, forKey: DynamicKey(language)) }
        try container.encode(warnings, forKey: .warnings)
    }

    /// Reads the document ``encode(to:)`` writes (``concepts`` follows from the others).
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        files = try container.decode([String].self, forKey: .files)
        added = try container.decode(Int.self, forKey: .added)
        updated = try container.decode(Int.self, forKey: .updated)
        unchanged = try container.decode(Int.self, forKey: .unchanged)
        removed = try container.decodeIfPresent(Int.self, forKey: .removed) ?? 0
        labels = try container.decode(Int.self, forKey: .labels)
        languages = try container.decode([String: Int].self, forKey: .languages)
        warnings = try container.decodeIfPresent([Diagnostic].self, forKey: .warnings) ?? []
    }
}
