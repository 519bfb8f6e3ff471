// An example of embedding chm: ingest the shipped Corpus into a temporary index, then search
// it with a filter and a facet, and ask for the records that could answer a request.
//
//     swift run SearchExample [PATH-TO-RECORDS] [QUERY]
import ClearingHouse
import Foundation

let arguments = CommandLine.arguments.dropFirst()
let corpus = arguments.first ?? "Corpus"
let query = arguments.dropFirst().first ?? "mangrove restoration"

let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chm-example-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: directory) }

do {
    let house = try ClearingHouse(directory: directory)
    let report = try house.ingest([corpus])
    print("Ingested \(report.added) records from \(corpus).")

    let response = try house.search(
        SearchRequest(query: query, facets: ["kind", "region"], limit: 5, language: "en"))
    print("\nTop hits for \"\(query)\":")
    for hit in response.hits {
        print("  \(hit.id)  \(hit.title)  (\(String(format: "%.2f", hit.score)))")
    }
    for (facet, counts) in response.facets.sorted(by: { $0.key < $1.key }) {
        let top = counts.sorted { $0.value > $1.value }.prefix(4).map { "\($0.key) \($0.value)" }
        print("  \(facet): \(top.joined(separator: ", "))")
    }

    let offers = try house.match(text: "We need training on monitoring coral bleaching", limit: 3)
    print("\nWho could help with coral bleaching monitoring:")
    for hit in offers.hits {
        print("  \(hit.id) (\(hit.kind.label)): \(hit.reasons.joined(separator: "; "))")
    }
} catch {
    print("error: \(error)")
    exit(1)
}
