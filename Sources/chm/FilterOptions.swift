import ArgumentParser
import Foundation
import ClearingHouse

/// Filter options shared by `search`, `export`, `match` and `similar`. Repeat an option for
/// several values: values of one field combine with OR, different fields with AND.
struct FilterOptions: ParsableArguments {
    @Option(name: .customLong("kind"), help: ArgumentHelp("Record kind (repeatable).", valueName: "KIND"))
    var kinds: [String] = []

    @Option(name: .customLong("country"), help: ArgumentHelp("ISO country code (repeatable).", valueName: "CC"))
    var countries: [String] = []

    @Option(name: .customLong("region"), help: ArgumentHelp("Region (repeatable).", valueName: "REGION"))
    var regions: [String] = []

    @Option(name: .customLong("theme"), help: ArgumentHelp("Theme (repeatable).", valueName: "THEME"))
    var themes: [String] = []

    @Option(name: .customLong("target"), help: ArgumentHelp("Target such as GBF-T2 (repeatable).", valueName: "TARGET"))
    var targets: [String] = []

    @Option(help: ArgumentHelp("Published on or after (YYYY, YYYY-MM or YYYY-MM-DD).", valueName: "DATE"))
    var since: String?

    @Option(help: ArgumentHelp("Published on or before (a year or month includes all of it).", valueName: "DATE"))
    var until: String?

    @Option(
        name: .customLong("filter"),
        help: ArgumentHelp("Any facet field: kind, country, region, theme, target, language, year (repeatable).", valueName: "FIELD=VALUE"))
    var generic: [String] = []

    func validate() throws {
        // The library's rules (the same for every front end), reported as usage errors.
        do {
            for kind in kinds { _ = try SearchFilters.kind(named: kind) }
            for entry in generic {
                let parts = entry.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, !parts[1].isEmpty else {
                    throw ValidationError("--filter takes FIELD=VALUE, got \"\(entry)\"")
                }
            }
            try filters.validate()
        } catch let error as ClearingHouseError {
            throw ValidationError(Console.message(of: error))
        }
    }

    /// The filters for the library.
    var filters: SearchFilters {
        var fields: [String: [String]] = [:]
        for entry in generic {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0], default: []].append(parts[1]) }
        }
        return SearchFilters(
            kinds: kinds.compactMap { try? SearchFilters.kind(named: $0) }, countries: countries, regions: regions, themes: themes,
            targets: targets, since: since, until: until, fields: fields)
    }
}

/// Printing hits the same way for `search`, `match` and `similar`.
enum HitPrinter {
    static func print(_ response: SearchResponse, offset: Int) {
        let bold = Console.stdoutIsTerminal
        for (index, hit) in response.hits.enumerated() {
            Swift.print("")
            Swift.print("\(offset + index + 1). \(Console.printable(hit.title))")
            Swift.print("   \(Console.printable(hit.id)) · \(hit.kind.label) · \(hit.language) · score \(String(format: "%.3f", hit.score))")
            if let snippet = hit.snippet {
                let (open, close) = bold ? ("\u{1B}[1m", "\u{1B}[0m") : ("*", "*")
                let text = snippet.marked(open: open, close: close) { Console.printable($0) }
                Swift.print("   " + text.replacingOccurrences(of: "\n", with: " "))
            }
            for reason in hit.reasons { Swift.print("   - " + Console.printable(reason)) }
            for translation in hit.translations { Swift.print("   matched: " + Console.printable(translation)) }
            if let explanation = hit.explanation {
                for line in explanation.split(separator: "\n") { Swift.print("     " + Console.printable(line)) }
            }
        }
    }

    static func printFacets(_ facets: [String: [String: Int]], labels: [String: [String: String]] = [:]) {
        guard !facets.isEmpty else { return }
        Swift.print("")
        for name in facets.keys.sorted() {
            let counts = (facets[name] ?? [:]).sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            let names = labels[name] ?? [:]
            Swift.print(
                "\(name): "
                    + counts.map { entry in
                        let label = names[entry.key].map { $0 == entry.key ? "" : " “\($0)”" } ?? ""
                        return "\(Console.printable(entry.key))\(Console.printable(label)) (\(entry.value))"
                    }.joined(separator: ", "))
        }
    }
}
