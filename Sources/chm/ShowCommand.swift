import ArgumentParser
import Foundation
import ClearingHouse

/// `chm show ID`
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print one record.",
        discussion: """
            An alias (a copy of a record kept under another id) shows the record it resolves to, \
            with a line on standard error saying so; with --json the document gets a last member \
            "resolvedFrom": {"id", "primary", "reason", "since"}. The text lists the record's \
            aliases and the OAI sets it was harvested in.
            """)

    @OptionGroup var indexOptions: IndexOptions

    @Argument(help: "Record id.")
    var id: String

    @Flag(help: "Print the canonical native JSON.")
    var json = false

    @Option(help: ArgumentHelp("Language to show text in (falls back to English, then any).", valueName: "TAG"))
    var lang: String?

    func validate() throws {
        // (As chm search: a tag that is no tag is a usage error, not English.)
        if let lang, LanguageTag.normalized(lang) == nil {
            throw ValidationError("lang: \"\(lang)\" is not a BCP 47 language tag (such as en, fr, zh or es-419)")
        }
    }

    func run() throws {
        let house = try indexOptions.open(create: false)
        guard let found = try Console.run({ try house.resolve(id: id) }) else { throw notFound() }
        if let alias = found.alias { Console.error("chm: \(alias)") }
        if json {
            print(try Console.run { try found.documentText() })
            return
        }
        let record = try Console.run { try found.record() }
        let provenance = try Console.run { try house.provenance(id: record.id) }
        let labels = try Console.run { try house.conceptLabels(for: record.themes + record.assistanceTypes, language: lang ?? "en") }
        let view = RecordView(
            record: record, language: lang, conceptLabels: labels, aliases: provenance?.aliases.map(\.id) ?? [],
            harvestedSets: provenance?.harvestedSets ?? [])
        print(Console.printable(view.text), terminator: "")
    }

    private func notFound() -> ExitCode {
        Console.error("chm: error: no record with id \(id)")
        return ExitCode.failure
    }
}

/// A readable rendering of a record in one language.
struct RecordView {
    var record: Record
    var language: String?
    /// Names of theme and assistance-type values in the shown language (from the thesaurus).
    var conceptLabels: [String: String] = [:]
    /// The ids that resolve to this record (its aliases).
    var aliases: [String] = []
    /// The OAI sets the record (or an alias) was harvested in.
    var harvestedSets: [HarvestedSet] = []

    var text: String {
        var lines: [String] = []
        let title = record.title.resolved(preferring: language)
        lines.append(title?.text ?? record.id)
        var header = "\(record.id) · \(record.kind.label)"
        if let shown = title?.language { header += " · \(shown)" }
        let others = record.textLanguages.filter { $0 != title?.language }
        if !others.isEmpty { header += " (also: \(others.joined(separator: ", ")))" }
        lines.append(header)
        for (name, text) in [("Summary", record.summary), ("Description", record.description)] {
            if let resolved = text.resolved(preferring: language) {
                lines.append("")
                lines.append(name + (resolved.language != title?.language ? " [\(resolved.language)]" : ""))
                lines.append(contentsOf: resolved.text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 })
            }
        }
        lines.append("")
        func list(_ name: String, _ values: [String]) {
            if !values.isEmpty { lines.append("\(name):".padding(toLength: 13, withPad: " ", startingAt: 0) + values.joined(separator: ", ")) }
        }
        list("Keywords", record.keywords)
        let named = { (value: String) -> String in
            guard let label = conceptLabels[value], label.lowercased() != value.lowercased() else { return value }
            return "\(value) (\(label))"
        }
        list("Themes", record.themes.map(named))
        list("Targets", record.targets)
        list("Countries", record.countries)
        list("Regions", record.regions)
        list("Assistance", record.assistanceTypes.map(named))
        if !record.organizations.isEmpty {
            lines.append("Organizations:")
            for organization in record.organizations {
                var line = "  " + organization.name
                let details = [organization.role, organization.country].compactMap { $0 }
                if !details.isEmpty { line += " (\(details.joined(separator: ", ")))" }
                if let url = organization.url { line += " <\(url)>" }
                lines.append(line)
            }
        }
        if !record.links.isEmpty {
            lines.append("Links:")
            for link in record.links {
                var line = "  " + (link.title.map { "\($0) " } ?? "") + "<\(link.url)>"
                if let language = link.language { line += " [\(language)]" }
                lines.append(line)
            }
        }
        list("Published", record.published.map { [$0] } ?? [])
        list("Updated", record.updated.map { [$0] } ?? [])
        list("License", record.license.map { [$0] } ?? [])
        if let source = record.source {
            list("Source", [[source.system, source.url, source.originalId.map { "id \($0)" }].compactMap { $0 }.joined(separator: " ")])
        }
        list("Related", record.related)
        list("Aliases", aliases)
        // One line per provider: "Harvested:   set, set (https://provider/oai)".
        for (index, provider) in HarvestedSet.byProvider(harvestedSets).enumerated() {
            let label = index == 0 ? "Harvested:" : ""
            lines.append(label.padding(toLength: 13, withPad: " ", startingAt: 0) + "\(provider.sets.joined(separator: ", ")) (\(provider.baseURL))")
        }
        if !record.extensions.isEmpty {
            list("Extensions", record.extensions.keys.sorted())
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
