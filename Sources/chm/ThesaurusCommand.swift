import ArgumentParser
import ClearingHouse
import Foundation

/// `chm thesaurus import|list|show|lookup`
struct ThesaurusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "thesaurus",
        abstract: "Import and inspect the multilingual thesaurus that carries searches across languages.",
        discussion: """
            A SKOS thesaurus (RDF/XML or JSON-LD: GEMET, AGROVOC, EuroVoc, or the one shipped in \
            Corpus/thesaurus/) gives concepts labels in many languages. A query's word or phrase that \
            matches a label in any language also searches the concept's labels in the other languages \
            (chm search --no-expand turns this off), and theme facets are named in the reader's language.
            """,
        subcommands: [ThesaurusImportCommand.self, ThesaurusListCommand.self, ThesaurusShowCommand.self, ThesaurusLookupCommand.self])
}

/// `chm thesaurus import FILE...`
struct ThesaurusImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import SKOS files (RDF/XML or JSON-LD) into the index's catalog, all in one transaction.",
        discussion: """
            Concepts are identified by IRI: importing one again replaces it, and one described in several \
            of the files (a thesaurus shipped as a file per language) is merged. A directory is read, \
            recursively, for its .jsonld, .rdf and .skos files. A problem in any file stores nothing and exits 65.
            """)

    @OptionGroup var indexOptions: IndexOptions
    @OptionGroup var writeOptions: WriteOptions

    @Argument(help: "SKOS files or directories.")
    var paths: [String]

    @Flag(help: "Remove the concepts that these files do not hold (replace the whole thesaurus).")
    var replace = false

    @Flag(help: "Print JSON: {\"files\", \"concepts\", \"added\", \"updated\", \"unchanged\", \"labels\", \"languages\"}.")
    var json = false

    func run() throws {
        let house = try indexOptions.open(create: true, lockWait: writeOptions.lockWait())
        let report = try Console.run { try house.importThesaurus(paths, replace: replace) }
        report.warnings.forEach(Console.report)
        if json {
            try Console.printJSON(report)
        } else {
            let languages = report.languages.keys.sorted().map { "\($0) \(report.languages[$0] ?? 0)" }.joined(separator: ", ")
            print(
                "\(Console.counted(report.files.count, "file")): \(Console.counted(report.concepts, "concept")) (\(report.added) added, \(report.updated) updated, "
                    + "\(report.unchanged) unchanged\(replace ? ", \(report.removed) removed" : "")), \(Console.counted(report.labels, "label")) (\(languages))")
        }
    }
}

/// `chm thesaurus list`
struct ThesaurusListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the concepts with their labels in one language.")

    @OptionGroup var indexOptions: IndexOptions

    @Option(help: ArgumentHelp("Language of the labels shown (then English, then any).", valueName: "TAG"))
    var lang = "en"

    @Flag(help: "Print JSON Lines: one concept per line.")
    var json = false

    func validate() throws {
        // (As chm search and chm suggest: a tag that is no tag is a usage error. QA.)
        if LanguageTag.normalized(lang) == nil {
            throw ValidationError("lang: \"\(lang)\" is not a BCP 47 language tag (such as en, fr, zh or es-419)")
        }
    }

    func run() throws {
        let house = try indexOptions.open(create: false)
        let concepts = try Console.run { try house.concepts() }
        for concept in concepts {
            if json {
                Console.printJSON(concept.jsonValue)
            } else {
                let label = concept.label(preferring: lang)
                print("\(Console.printable(concept.id))\t\(Console.printable(label?.text ?? ""))\(label.map { $0.language == lang ? "" : " [\($0.language)]" } ?? "")")
            }
        }
    }
}

/// `chm thesaurus show ID`
struct ThesaurusShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a concept: its labels in every language and its place.")

    @OptionGroup var indexOptions: IndexOptions

    @Argument(help: "The concept's notation, IRI or short id.")
    var id: String

    @Flag(help: "Print the concept as JSON.")
    var json = false

    func run() throws {
        let house = try indexOptions.open(create: false)
        guard let concept = try Console.run({ try house.concept(id: id) }) else {
            Console.error("chm: error: no concept \"\(id)\" in the thesaurus; `chm thesaurus list` shows them")
            throw ExitCode.failure
        }
        if json {
            Console.printJSON(concept.jsonValue)
            return
        }
        print(Console.printable("\(concept.id) <\(concept.iri)>"))
        for language in concept.languages {
            let alternatives = concept.altLabels[language] ?? []
            if let preferred = concept.prefLabels[language] {
                print(Console.printable("  \(language): \(preferred)" + (alternatives.isEmpty ? "" : " (also: \(alternatives.joined(separator: "; ")))")))
            } else {
                print(Console.printable("  \(language): (no preferred label; alternative labels: \(alternatives.joined(separator: "; ")))"))
            }
        }
        if let definition = concept.definitions["en"] ?? concept.definitions.values.first { print(Console.printable("  definition: \(definition)")) }
        // (The linked concepts' ids in one read; a link to a concept the thesaurus lacks shows its IRI.)
        let linked = Dictionary(
            try Console.run { try house.concepts(iris: concept.broader + concept.narrower) }.map { ($0.iri, $0.id) },
            uniquingKeysWith: { first, _ in first })
        let name = { (iri: String) -> String in linked[iri] ?? iri }
        if !concept.broader.isEmpty { print(Console.printable("  broader: " + concept.broader.map(name).joined(separator: ", "))) }
        if !concept.narrower.isEmpty { print(Console.printable("  narrower: " + concept.narrower.map(name).joined(separator: ", "))) }
    }
}

/// `chm thesaurus lookup TEXT`
struct ThesaurusLookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup", abstract: "Show what a query's words match in the thesaurus and the translations a search adds.")

    @OptionGroup var indexOptions: IndexOptions

    @Argument(help: "Words or a query, as for chm search.")
    var text: String

    @Flag(help: "Print JSON: [{\"from\", \"matched\", \"concept\", \"translations\": [{\"language\", \"label\"}]}].")
    var json = false

    func run() throws {
        let house = try indexOptions.open(create: false)
        let expansions = try Console.run { try house.expansions(of: text) }
        if json {
            Console.printJSON(.array(expansions.map(\.jsonValue)))
            return
        }
        // (A concept labelled in one language only adds nothing to a search, and is not listed.)
        if expansions.isEmpty { print("No translations: no concept with labels in other languages matches \"\(Console.visible(text))\".") }
        for expansion in expansions { print(Console.printable("\(expansion.setID): \(expansion.summary)")) }
    }
}
