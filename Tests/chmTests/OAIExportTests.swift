import ClearingHouse
import Foundation
import Testing

/// `chm export --format oai_dc`: a ListRecords-shaped OAI-PMH document, valid against the
/// schemas, with the provider's own `<record>`s, that chm ingests back; and the commands that
/// take a record id, with OAI identifiers as ids.
@Suite("OAI-PMH export and URI ids on the command line")
struct OAIExportTests {
    static let corpus = CLI.packageRoot.appendingPathComponent("Corpus").path

    /// The `<record>...</record>` elements of an OAI-PMH document, in order.
    static func records(_ xml: String) -> [Substring] {
        var found: [Substring] = []
        var rest = xml[...]
        while let start = rest.range(of: "<record>"), let end = rest.range(of: "</record>", range: start.upperBound..<rest.endIndex) {
            found.append(rest[start.lowerBound..<end.upperBound])
            rest = rest[end.upperBound...]
        }
        return found
    }

    /// What Dublin Core carries of a record, as chm reads it back: subjects become keywords,
    /// the first description in each language the summary, creators and publishers the
    /// organizations.
    static func dublinCoreView(_ record: Record) -> [String] {
        var summary: [String: String] = [:]
        for text in [record.summary, record.description] {
            for language in text.languages where summary[language] == nil { summary[language] = text.values[language] }
        }
        let organizations = record.organizations.compactMap { organization -> (String, String)? in
            switch organization.role?.lowercased() {
            case "publisher", "provider": return ("publisher", organization.name)
            case "creator", "author", nil: return ("creator", organization.name)
            default: return nil
            }
        }
        let ordered = organizations.filter { $0.0 == "creator" } + organizations.filter { $0.0 == "publisher" }
        return [
            record.id, record.kind.rawValue, record.language, "\(record.title.values.sorted { $0.key < $1.key })",
            "\(summary.sorted { $0.key < $1.key })", "\(record.keywords + record.themes + record.targets)", "\(record.countries)",
            "\(record.regions)", record.published ?? "-", record.license ?? "-", "\(record.links.map(\.url))",
            "\(ordered.map { "\($0.1) (\($0.0))" })",
        ]
    }

    static func readView(_ record: Record) -> [String] {
        [
            record.id, record.kind.rawValue, record.language, "\(record.title.values.sorted { $0.key < $1.key })",
            "\(record.summary.values.sorted { $0.key < $1.key })", "\(record.keywords)", "\(record.countries)", "\(record.regions)",
            record.published ?? "-", record.license ?? "-", "\(record.links.map(\.url))",
            "\(record.organizations.map { "\($0.name) (\($0.role ?? ""))" })",
        ]
    }

    @Test func exportIsValidAndIngestsBack() throws {
        let directory = try TemporaryDirectory()
        let first = directory.path("first")
        #expect(try CLI.run(["ingest", Self.corpus, "--index", first, "--quiet"]).status == 0)
        let output = directory.path("records.xml")
        let export = try CLI.run(["export", "--index", first, "--format", "oai_dc", "--output", output])
        #expect(export.status == 0, "\(export.stderr)")
        let xml = try String(contentsOfFile: output, encoding: .utf8)
        try OAISchemaTests.validate(xml, "chm export --format oai_dc")
        #expect(xml.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"# + "\n<OAI-PMH "))
        #expect(xml.contains(#"<request verb="ListRecords" metadataPrefix="oai_dc"></request>"#))

        let house = try ClearingHouse(directory: URL(fileURLWithPath: first))
        let originals = try house.records(ids: try house.search(SearchRequest(query: "", limit: 1000)).hits.map(\.id).sorted())
        #expect(Self.records(xml).count == originals.count)
        #expect(originals.count > 20)
        // Each <record> is what the provider's GetRecord gives for it, byte for byte.
        let provider = OAIProvider(house: house)
        for (record, exported) in zip(originals, Self.records(xml)).prefix(10) {
            let identifier = record.id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let response = try provider.respond(toQuery: "verb=GetRecord&metadataPrefix=oai_dc&identifier=\(identifier)", baseURL: "http://h/oai")
            #expect(Self.records(response).first == exported)
        }

        // chm reads it back: the same records, as far as Dublin Core carries them.
        let second = directory.path("second")
        let ingest = try CLI.run(["ingest", output, "--index", second, "--json"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(try CLI.json(ingest.stdout)["added"] as? Int == originals.count)
        let copies = try ClearingHouse(directory: URL(fileURLWithPath: second))
        for original in originals {
            let copy = try #require(try copies.record(id: original.id))
            #expect(Self.readView(copy) == Self.dublinCoreView(original))
            #expect(copy.source == Record.Source(system: "oai-pmh", originalId: original.id))
            #expect(copy.updated != nil)
        }
    }

    @Test func exportKeepsTheSelectionAndWritesAnEmptyOneAsNoRecordsMatch() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        #expect(try CLI.run(["ingest", Self.corpus, "--index", index, "--quiet"]).status == 0)
        let selected = try CLI.run(["export", "mangrove", "--kind", "technology", "--index", index, "--format", "oai_dc"])
        #expect(selected.status == 0)
        let jsonl = try CLI.run(["export", "mangrove", "--kind", "technology", "--index", index])
        let ids = jsonl.stdout.split(separator: "\n").compactMap { line in
            (try? CLI.json(String(line)))?["id"] as? String
        }
        #expect(!ids.isEmpty)
        #expect(Self.records(selected.stdout).count == ids.count)
        for id in ids { #expect(selected.stdout.contains("<identifier>\(id)</identifier>")) }
        #expect(selected.stdout.contains("<setSpec>kind:technology</setSpec>"))
        try OAISchemaTests.validate(selected.stdout, "a selection")

        let none = try CLI.run(["export", "no-such-word-anywhere", "--index", index, "--format", "oai_dc"])
        #expect(none.status == 0)
        #expect(none.stdout.contains(#"<error code="noRecordsMatch">"#))
        try OAISchemaTests.validate(none.stdout, "an empty selection")
        let file = try directory.write("none.xml", none.stdout)
        let ingest = try CLI.run(["ingest", file, "--index", directory.path("other")])
        #expect(ingest.status == 0)
        #expect(ingest.stderr.contains("notice: OAI-PMH response has no records (noRecordsMatch)"))
    }

    @Test func commandsTakeOAIIdentifiersAsIDs() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let file = try directory.write(
            "r.jsonl",
            """
            {"id": "hdl:1765/308", "kind": "assistanceRequest", "title": "Training in mangrove nurseries", "related": ["oai:bnf.fr:gallica/ark:/12148/bpt6k5440618t"]}
            {"id": "oai:bnf.fr:gallica/ark:/12148/bpt6k5440618t", "kind": "training", "title": "Mangrove nursery training course"}
            {"id": "oai:repo.example.org:10138/1074", "kind": "technology", "title": "Mangrove nurseries"}

            """)
        #expect(try CLI.run(["ingest", file, "--index", index]).status == 0)
        let show = try CLI.run(["show", "hdl:1765/308", "--index", index, "--json"])
        #expect(show.status == 0)
        #expect(try CLI.json(show.stdout)["id"] as? String == "hdl:1765/308")
        let similar = try CLI.run(["similar", "oai:repo.example.org:10138/1074", "--index", index, "--json"])
        #expect(similar.status == 0, "\(similar.stderr)")
        let match = try CLI.run(["match", "hdl:1765/308", "--index", index, "--json"])
        #expect(match.status == 0, "\(match.stderr)")
        #expect(match.stdout.contains("oai:bnf.fr:gallica/ark:/12148/bpt6k5440618t"))
        let csv = try CLI.run(["export", "--index", index, "--format", "csv"])
        #expect(csv.stdout.contains("\nhdl:1765/308,assistanceRequest,"))
        #expect(try CLI.run(["delete", "oai:bnf.fr:gallica/ark:/12148/bpt6k5440618t", "--index", index]).status == 0)
        #expect(try CLI.run(["show", "oai:bnf.fr:gallica/ark:/12148/bpt6k5440618t", "--index", index]).status == 1)
        // An id that is no URI text is refused with what is wrong in it.
        let bad = try directory.write("bad.json", #"{"id": "hdl:1765/308 copy", "kind": "resource", "title": "T"}"#)
        let refused = try CLI.run(["ingest", bad, "--index", index])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains(#"field id: invalid id "hdl:1765/308 copy": the id holds white space (U+0020) at character 13"#))
    }
}
