// The clearing-house's thesaurus: importing SKOS files into the catalog, looking concepts
// up, naming themes in a reader's language, and the query expander that carries a search
// across languages.
import Foundation
import SearchCore

/// The thesaurus as search uses it: the expander built from the concepts' labels.
struct LoadedThesaurus: Sendable {
    let version: String
    let expander: QueryExpander

    /// The synonym sets of `concepts`: each concept's labels in every language, grouped by the
    /// index's language fields.
    static func synonymSets(_ concepts: [Concept]) -> [SynonymSet] {
        concepts.map { concept in
            var labels: [SynonymSet.Label] = []
            for language in concept.languages {
                let group = RecordIndexing.fieldLanguage(language)
                if let label = concept.prefLabels[language] { labels.append(SynonymSet.Label(text: label, group: group)) }
                for label in concept.altLabels[language] ?? [] { labels.append(SynonymSet.Label(text: label, group: group)) }
            }
            return SynonymSet(id: concept.id, labels: labels)
        }
    }

    /// The analyzed labels of `concepts`, for the index's schema (what an import stores, and
    /// what a search builds when the stored form is stale).
    static func analyzedLabels(_ concepts: [Concept]) -> QueryExpander {
        QueryExpander(sets: synonymSets(concepts), schema: RecordIndexing.schema)
    }
}

extension ClearingHouse {
    /// How much a translation from the thesaurus weighs against the query's own words (a
    /// factor on its BM25 score): below 1, so that a record in the query's own language
    /// ranks first. Chosen on the cross-language evaluation set (docs/relevance.md).
    public static let translationWeight = 0.8

    /// File name extensions of thesaurus files that ``ingest(_:options:progress:diagnostics:)``
    /// imports when it finds them in a directory.
    public static let thesaurusExtensions: Set<String> = ["jsonld", "rdf", "skos"]

    /// Imports SKOS thesaurus files (RDF/XML or JSON-LD) into the catalog, all in one
    /// transaction: every file is read first, and a problem in any stores nothing. Concepts
    /// are identified by IRI: importing a concept again replaces it. Searches use the labels
    /// at once (``SearchRequest/expand``).
    ///
    /// - Parameter replace: remove every stored concept that the files do not hold.
    /// - Throws: a ``Diagnostic`` naming the file, line and column of a problem, or
    ///   ``ClearingHouseError`` when the catalog cannot be written.
    @discardableResult
    public func importThesaurus(_ paths: [String], replace: Bool = false) throws -> ThesaurusImportReport {
        var report = ThesaurusImportReport()
        for path in paths where !FileManager.default.fileExists(atPath: path) {
            throw ClearingHouseError(.notFound, "\(path): no such file or directory")
        }
        var read: [(path: String, concepts: [Concept])] = []
        for path in Self.thesaurusFiles(among: paths, namedFilesOfAnyKind: true) {
            let (concepts, warnings) = try SKOSReader.readWithWarnings(path: path)
            read.append((path, concepts))
            report.warnings += warnings
        }
        guard !read.isEmpty else {
            throw ClearingHouseError(.notFound, "no thesaurus files (.jsonld, .rdf, .skos) in \(paths.joined(separator: ", "))")
        }
        try exclusiveWrite {
            // (The index's write lock, as every writer takes it: another process's ingest,
            // which holds the catalog's for each file, is named at once, or waited for up to
            // ``writeLockWait``, instead of SQLite's "database is locked" after its timeout.)
            let writer = try openIndexWriter()
            defer { writer.close() }
            // (As every writer does: an index that lags the catalog, or that an older chm built
            // and the writer's opening emptied, catches up.)
            try indexing { try RecordIndexing.synchronize(writer, catalog: catalog) }
            try storeConcepts(read, replace: replace, into: &report)
        }
        return report
    }

    /// Stores what `read` holds, a concept described in several files merged into one (a
    /// thesaurus may come as a file per language), in one catalog transaction.
    private func storeConcepts(
        _ read: [(path: String, concepts: [Concept])], replace: Bool, into report: inout ThesaurusImportReport
    ) throws {
        var sources: [String: String] = [:]
        for (path, concepts) in read {
            report.files.append(path)
            for concept in concepts where sources[concept.iri] == nil { sources[concept.iri] = path }
        }
        let merged = Concept.mergingDescriptions(read.flatMap(\.concepts))
        report.countLabels(of: merged)
        // Cycles among every concept stored once the import is in (one made across two
        // imports is found too), reported for the imported ones, in the order read: found in
        // the list the import reads back for its search form, not in a read of its own.
        let order = Dictionary(merged.enumerated().map { ($1.iri, $0) }, uniquingKeysWith: { first, _ in first })
        var looped: [Concept] = []
        try catalog.importConcepts(merged, sources: sources, replace: replace, into: &report) { all in
            looped = Concept.cycles(in: all).filter { order[$0.iri] != nil }
            return LoadedThesaurus.analyzedLabels(all).serialized
        }
        for concept in looped.sorted(by: { order[$0.iri, default: 0] < order[$1.iri, default: 0] }) {
            report.warnings.append(
                Diagnostic(
                    .warning, file: sources[concept.iri] ?? "",
                    message: "concept <\(concept.iri)> is broader than itself: its broader links lead back to it (SKOS's broader links form a hierarchy)"))
        }
    }

    /// Imports the thesaurus files among `paths` (named, or found in directories) while an
    /// ingest holds the write lock: `chm ingest Corpus` also loads `Corpus/thesaurus/`.
    /// - Returns: what was imported (nil when no file was), and how many files could not be read
    ///   (each reported through `emit`).
    func importThesaurusFiles(among paths: [String], emit: (Diagnostic) -> Void) throws
        -> (imported: ThesaurusImportReport?, unreadable: Int)
    {
        let files = Self.thesaurusFiles(among: paths)
        var read: [(path: String, concepts: [Concept])] = []
        var unreadable = 0
        for file in files {
            do {
                let (concepts, warnings) = try SKOSReader.readWithWarnings(path: file)
                read.append((file, concepts))
                warnings.forEach(emit)
            } catch let diagnostic as Diagnostic {
                emit(diagnostic)
                emit(Diagnostic(.error, file: file, message: "the thesaurus in this file was not imported; fix the error above"))
                unreadable += 1
            }
        }
        guard !read.isEmpty else { return (nil, unreadable) }
        var imported = ThesaurusImportReport()
        try storeConcepts(read, replace: false, into: &imported)
        // (The files' own warnings were said as they were read; these are the thesaurus's.)
        imported.warnings.forEach(emit)
        return (imported, unreadable)
    }

    /// Thesaurus files (by extension: ``thesaurusExtensions``) named in `paths` or found in
    /// its directories (recursively, hidden entries skipped), in order. With
    /// `namedFilesOfAnyKind`, a file named directly is taken whatever its extension.
    public static func thesaurusFiles(among paths: [String], namedFilesOfAnyKind: Bool = false) -> [String] {
        var files: [String] = []
        var visited = Set<String>()
        let fileManager = FileManager.default
        func visit(_ path: String, depth: Int) {
            var isDirectory: ObjCBool = false
            guard depth < 64, fileManager.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
            // Each directory once, however many symbolic links lead to it (loops included).
            guard visited.insert(URL(fileURLWithPath: path).resolvingSymlinksInPath().path).inserted else { return }
            if isDirectory.boolValue {
                for entry in ((try? fileManager.contentsOfDirectory(atPath: path)) ?? []).sorted() where !entry.hasPrefix(".") {
                    visit((path as NSString).appendingPathComponent(entry), depth: depth + 1)
                }
            } else if (namedFilesOfAnyKind && depth == 0) || thesaurusExtensions.contains((path as NSString).pathExtension.lowercased()) {
                files.append(path)
            }
        }
        for path in paths { visit(path, depth: 0) }
        return files
    }

    /// Every concept of the thesaurus, in IRI order.
    public func concepts() throws -> [Concept] { try catalog.concepts() }

    /// The concepts whose IRIs are among `iris` (those the thesaurus has), in IRI order.
    public func concepts(iris: [String]) throws -> [Concept] { try catalog.concepts(iris: iris) }

    /// The concept whose notation (case-insensitive), IRI or short id is `id`, with its links
    /// both ways: SKOS's `broader` and `narrower` are each other's inverse, and a thesaurus
    /// usually states only one of them (the shipped one states `broader`), so a concept's
    /// narrower ones include those that name it as broader, and the other way round.
    ///
    /// - Throws: ``ClearingHouseError`` (`invalidQuery`) when `id` is the notation or the short
    ///   id of several concepts (`kelp` of `http://example.org/t/kelp` and
    ///   `http://other.org/x/kelp`), naming their IRIs.
    public func concept(id: String) throws -> Concept? {
        func ambiguous(_ concepts: [Concept], _ what: String) -> ClearingHouseError {
            ClearingHouseError(
                .invalidQuery, "\"\(id)\" is the \(what) of \(concepts.count) concepts (\(concepts.map(\.iri).joined(separator: ", "))); give the IRI")
        }
        let matched = try catalog.concepts(notationOrIRI: id)
        var found = matched.first { $0.iri == id }
        if found == nil, matched.count > 1 { throw ambiguous(matched, "notation") }
        found = found ?? matched.first
        if found == nil {
            let named = try concepts().filter { $0.id == id }
            if named.count > 1 { throw ambiguous(named, "short id") }
            found = named.first
        }
        guard var found else { return nil }
        for other in try catalog.concepts(mentioning: found.iri) where other.iri != found.iri {
            if other.broader.contains(found.iri), !found.narrower.contains(other.iri) { found.narrower.append(other.iri) }
            if other.narrower.contains(found.iri), !found.broader.contains(other.iri) { found.broader.append(other.iri) }
        }
        return found
    }

    /// What a query's words match in the thesaurus, and the labels they would add to a
    /// search: what ``search(_:)`` does with ``SearchRequest/expand`` and
    /// ``SearchRequest/correct`` on, a word no record has read as a misspelt label word
    /// (`tortugas marinass`) as the search reads it (QA: the two disagreed).
    public func expansions(of query: String) throws -> [QueryExpansion] {
        let parsed = try Self.parseQuery(query)
        let searcher = try openSearcher()
        var said = Set<QueryExpansion>()
        return try thesaurus().expander.expand(parsed, weight: Self.translationWeight, isKnownWord: { searcher.hasWord($0) }).expansions
            .filter { said.insert($0).inserted }
    }

    /// The name of a theme value (or any notation) in `language`: the preferred label of the
    /// concept with that notation, with the language it is in (English or another when the
    /// concept has no label in `language`). Nil when no concept has that notation.
    public func label(ofTheme theme: String, language: String?) throws -> (text: String, language: String)? {
        Self.concept(named: theme, among: try catalog.concepts(notationOrIRI: theme).filter { $0.notation != nil }, language: language)?
            .label(preferring: language)
    }

    /// A notation compared without case, hyphens, underscores or spaces (`technology-transfer`
    /// is `technologyTransfer`): themes, assistance types, the help desk's kinds of help.
    package static func notationKey(_ value: String) -> String {
        String(value.lowercased().filter { $0.isLetter || $0.isNumber })
    }

    /// `value` and the other spellings of a notation (`technologyTransfer`,
    /// `technology-transfer`): camel case and words joined by hyphens.
    static func notationSpellings(_ value: String) -> [String] {
        var kebab = ""
        for character in value {
            if character.isUppercase, !kebab.isEmpty { kebab += "-" }
            kebab += character.lowercased()
        }
        var camel = ""
        var upper = false
        for character in value {
            if character == "-" || character == "_" {
                upper = true
                continue
            }
            camel += upper ? character.uppercased() : String(character)
            upper = false
        }
        return Array(Set([value, kebab, camel]))
    }

    /// Of the concepts whose notation names `value` (several vocabularies may use one), the
    /// one that writes it as `value` is, then one labelled in `language`, then the first by
    /// IRI: another vocabulary's `Marine` does not rename the shipped theme `marine`.
    static func concept(named value: String, among candidates: [Concept], language: String?) -> Concept? {
        func rank(_ concept: Concept) -> Int {
            let exact = concept.notation == value ? 0 : 2
            let labelled =
                language.map { wanted in
                    concept.prefLabels.keys.contains { LanguageTag.primaryLanguage(of: $0) == LanguageTag.primaryLanguage(of: wanted) }
                } ?? true ? 0 : 1
            return exact + labelled
        }
        return candidates.enumerated().min { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }?.element
    }

    /// The names of `values` (themes, assistance types: thesaurus notations) in `language`:
    /// value -> preferred label, for the values that name a concept (one catalog query).
    public func conceptLabels(for values: [String], language: String?) throws -> [String: String] {
        let concepts = try catalog.concepts(notations: Array(Set(values.flatMap(Self.notationSpellings))))
        var labels: [String: String] = [:]
        for value in Set(values) {
            if let concept = Self.concept(
                named: value, among: concepts.filter { $0.notation.map(Self.notationKey) == Self.notationKey(value) }, language: language),
                let label = concept.label(preferring: language)
            {
                labels[value] = label.text
            }
        }
        return labels
    }

    /// Loads the thesaurus's analyzed labels now, and the labels' words that typo correction
    /// reads, so that the first search does not wait for them (a long-lived process calls it
    /// once it has started: loading a vocabulary of AGROVOC's size takes seconds; QA found the
    /// first corrected search still waiting a second for the words). Searches reload it after
    /// an import, as before.
    /// - Throws: ``ClearingHouseError`` when the catalog cannot be read.
    public func preloadThesaurus() throws {
        try thesaurus().expander.prepareForCorrection()
    }

    /// Stores the thesaurus's analyzed labels again when the stored ones were made by other
    /// analyzers (an upgrade of chm changed one): else every search process would analyze
    /// every label anew (seconds for a large vocabulary) until the next import. Writers do
    /// this when they find the index made by other analyzers too (the same upgrade): an
    /// ingest, ``synchronizeIndex()`` (and `chm serve`'s start, which does not wait for the
    /// lock), and the one search after an
    /// upgrade that rebuilds the index.
    func refreshStoredThesaurus() throws {
        let version = try catalog.thesaurusVersion()
        guard version != "0" else { return }
        if let stored = try catalog.thesaurusIndex(version: version), QueryExpander.isStored(forAnalyzersOf: RecordIndexing.schema, stored) {
            return
        }
        let concepts = try concepts()
        guard !concepts.isEmpty else { return }
        let expander = LoadedThesaurus.analyzedLabels(concepts)
        try catalog.replaceThesaurusIndex(version: version, data: expander.serialized)
    }

    /// The loaded thesaurus, reloaded when an import has changed it (a constant-time check
    /// of the catalog's thesaurus generation). Its analyzed labels are read from the catalog,
    /// where the import stored them; a search never writes.
    func thesaurus(version known: String? = nil) throws -> LoadedThesaurus {
        let version = try known ?? catalog.thesaurusVersion()
        if let loaded = loadedThesaurus.withLock({ $0 }), loaded.version == version { return loaded }
        var expander: QueryExpander
        if let stored = try catalog.thesaurusIndex(version: version),
            let prepared = QueryExpander(serialized: stored, schema: RecordIndexing.schema)
        {
            expander = prepared
        } else {
            // Stored by an older chm whose analyzers differ, or none imported yet: analyze here.
            let concepts = try concepts()
            expander = LoadedThesaurus.analyzedLabels(concepts)
        }
        // Arabic forms many plurals by changing the word (broken plurals), which no stemmer
        // undoes: the thesaurus's Arabic labels hold both numbers, and each finds the other's.
        expander.searchesOwnLabels = ["ar"]
        let loaded = LoadedThesaurus(version: version, expander: expander)
        loadedThesaurus.withLock { $0 = loaded }
        return loaded
    }
}
