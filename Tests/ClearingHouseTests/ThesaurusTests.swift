import Foundation
import SearchCore
import Testing

@testable import ClearingHouse
@testable import Records

/// SKOS import (RDF/XML and JSON-LD) and the thesaurus in search.
@Suite("Thesaurus: SKOS import and cross-language search")
struct ThesaurusTests {
    /// The same two concepts in RDF/XML, in the style of GEMET's download: `rdf:Description`
    /// typed by `rdf:type`, a concept split over two descriptions, and SKOS-XL labels.
    static let rdfXML = """
        <?xml version="1.0" encoding="UTF-8"?>
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
                 xmlns:skos="http://www.w3.org/2004/02/skos/core#"
                 xmlns:skosxl="http://www.w3.org/2008/05/skos-xl#">
          <skos:ConceptScheme rdf:about="http://example.org/scheme"/>
          <skos:Concept rdf:about="http://example.org/c/reefs">
            <skos:inScheme rdf:resource="http://example.org/scheme"/>
            <skos:notation>coral-reefs</skos:notation>
            <skos:prefLabel xml:lang="en">coral reefs</skos:prefLabel>
            <skos:prefLabel xml:lang="ru">коралловые рифы</skos:prefLabel>
            <skos:altLabel xml:lang="en">coral reef</skos:altLabel>
            <skos:definition xml:lang="en">Ridges built by corals.</skos:definition>
            <skos:broader rdf:resource="http://example.org/c/marine"/>
          </skos:Concept>
          <rdf:Description rdf:about="http://example.org/c/reefs">
            <skos:prefLabel xml:lang="zh">珊瑚礁</skos:prefLabel>
            <skosxl:altLabel>
              <skosxl:Label rdf:about="http://example.org/l/1"><skosxl:literalForm xml:lang="fr">récifs coralliens</skosxl:literalForm></skosxl:Label>
            </skosxl:altLabel>
          </rdf:Description>
          <rdf:Description rdf:about="http://example.org/c/marine">
            <rdf:type rdf:resource="http://www.w3.org/2004/02/skos/core#Concept"/>
            <skos:prefLabel xml:lang="en">marine ecosystems</skos:prefLabel>
            <skos:prefLabel xml:lang="fr">écosystèmes marins</skos:prefLabel>
            <skos:narrower rdf:resource="http://example.org/c/reefs"/>
          </rdf:Description>
        </rdf:RDF>
        """

    /// The same in compacted JSON-LD (a context with language maps).
    static let compactJSONLD = """
        {
          "@context": {
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "ex": "http://example.org/c/",
            "prefLabel": {"@id": "skos:prefLabel", "@container": "@language"},
            "altLabel": {"@id": "skos:altLabel", "@container": "@language"},
            "broader": {"@id": "skos:broader", "@type": "@id"},
            "narrower": {"@id": "skos:narrower", "@type": "@id"},
            "inScheme": {"@id": "skos:inScheme", "@type": "@id"},
            "notation": "skos:notation",
            "definition": {"@id": "skos:definition", "@container": "@language"}
          },
          "@graph": [
            {"@id": "ex:reefs", "@type": "skos:Concept", "inScheme": "http://example.org/scheme", "notation": "coral-reefs",
             "prefLabel": {"en": "coral reefs", "ru": "коралловые рифы", "zh": "珊瑚礁"},
             "altLabel": {"en": ["coral reef"], "fr": "récifs coralliens"},
             "definition": {"en": "Ridges built by corals."}, "broader": ["ex:marine"]},
            {"@id": "ex:marine", "@type": "skos:Concept", "prefLabel": {"en": "marine ecosystems", "fr": "écosystèmes marins"},
             "narrower": "ex:reefs"}
          ]
        }
        """

    /// The same in expanded JSON-LD (full IRIs, value objects), as a top-level array.
    static let expandedJSONLD = """
        [
          {"@id": "http://example.org/c/reefs", "@type": ["http://www.w3.org/2004/02/skos/core#Concept"],
           "http://www.w3.org/2004/02/skos/core#inScheme": [{"@id": "http://example.org/scheme"}],
           "http://www.w3.org/2004/02/skos/core#notation": [{"@value": "coral-reefs"}],
           "http://www.w3.org/2004/02/skos/core#prefLabel": [
             {"@value": "coral reefs", "@language": "en"}, {"@value": "коралловые рифы", "@language": "ru"},
             {"@value": "珊瑚礁", "@language": "zh"}],
           "http://www.w3.org/2004/02/skos/core#altLabel": [
             {"@value": "coral reef", "@language": "en"}, {"@value": "récifs coralliens", "@language": "fr"}],
           "http://www.w3.org/2004/02/skos/core#definition": [{"@value": "Ridges built by corals.", "@language": "en"}],
           "http://www.w3.org/2004/02/skos/core#broader": [{"@id": "http://example.org/c/marine"}]},
          {"@id": "http://example.org/c/marine", "@type": "http://www.w3.org/2004/02/skos/core#Concept",
           "http://www.w3.org/2004/02/skos/core#prefLabel": [
             {"@value": "marine ecosystems", "@language": "en"}, {"@value": "écosystèmes marins", "@language": "fr"}],
           "http://www.w3.org/2004/02/skos/core#narrower": [{"@id": "http://example.org/c/reefs"}]}
        ]
        """

    static let expected = [
        Concept(
            iri: "http://example.org/c/reefs", notation: "coral-reefs",
            prefLabels: ["en": "coral reefs", "ru": "коралловые рифы", "zh": "珊瑚礁"],
            altLabels: ["en": ["coral reef"], "fr": ["récifs coralliens"]], definitions: ["en": "Ridges built by corals."],
            broader: ["http://example.org/c/marine"], schemes: ["http://example.org/scheme"]),
        Concept(
            iri: "http://example.org/c/marine", prefLabels: ["en": "marine ecosystems", "fr": "écosystèmes marins"],
            narrower: ["http://example.org/c/reefs"]),
    ]

    @Test(arguments: [
        ("rdf", rdfXML), ("jsonld", compactJSONLD), ("jsonld", expandedJSONLD),
        // (A UTF-8 byte order mark, as record files may have: JSON-LD refused it.)
        ("jsonld", "\u{FEFF}" + compactJSONLD),
    ])
    func readsTheSameConceptsFromEverySerialization(extension name: String, text: String) throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("thesaurus.\(name)", text)
        #expect(try SKOSReader.read(path: file) == Self.expected)
    }

    @Test func problemsNameTheFileAndPlace() throws {
        let directory = try TemporaryDirectory()
        func failure(_ name: String, _ text: String) throws -> Diagnostic? {
            let file = try directory.write(name, text)
            do {
                _ = try SKOSReader.read(path: file)
                return nil
            } catch let diagnostic as Diagnostic {
                return diagnostic
            }
        }
        let broken = try failure("broken.jsonld", "{\"@graph\": [\n  {\"@id\": \"x\",, }]}")
        #expect(broken?.line == 2 && broken?.file.hasSuffix("broken.jsonld") == true, "\(String(describing: broken))")
        let remote = try failure("remote.jsonld", "{\"@context\": \"https://example.org/context.jsonld\", \"@graph\": []}")
        #expect(remote?.message.contains("remote @context") == true)
        let noID = try failure("noid.jsonld", "{\"@type\": \"http://www.w3.org/2004/02/skos/core#Concept\", \"http://www.w3.org/2004/02/skos/core#prefLabel\": \"x\"}")
        #expect(noID?.message.contains("without @id") == true)
        let notRDF = try failure("records.rdf", "<records xmlns=\"urn:chm:records:1\"/>")
        #expect(notRDF?.message.contains("rdf:RDF") == true)
        let doctype = try failure("doctype.rdf", "<!DOCTYPE rdf:RDF [<!ENTITY x \"y\">]><rdf:RDF/>")
        #expect(doctype?.message.contains("DOCTYPE") == true)
        let empty = try failure("empty.jsonld", "{\"@graph\": []}")
        #expect(empty?.message.contains("no SKOS concepts") == true)
    }

    /// IRIs are resolved against `xml:base` (two vocabularies' `concept/10` were merged into
    /// one concept), and schemes and collections, which have labels too, are not concepts
    /// (a collection's labels were searched as translations of each other). Thesaurus QA.
    @Test func iRIsFollowXMLBaseAndSchemesAndCollectionsAreNotConcepts() throws {
        let directory = try TemporaryDirectory()
        func file(_ name: String, base: String, label: String) throws -> String {
            try directory.write(
                name,
                """
                <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2004/02/skos/core#"
                         xml:base="\(base)">
                  <rdf:Description rdf:about="concept/10">
                    <rdf:type rdf:resource="http://www.w3.org/2004/02/skos/core#Concept"/>
                    <skos:prefLabel xml:lang="en">\(label)</skos:prefLabel>
                    <skos:broader rdf:resource="concept/2"/>
                  </rdf:Description>
                  <skos:Concept rdf:ID="local" xml:base="http://nested.example.org/v/"><skos:prefLabel xml:lang="en">local \(label)</skos:prefLabel></skos:Concept>
                  <skos:Collection rdf:about="group/1"><skos:prefLabel xml:lang="en">water</skos:prefLabel><skos:prefLabel xml:lang="fr">bois</skos:prefLabel></skos:Collection>
                  <rdf:Description rdf:about="scheme">
                    <rdf:type rdf:resource="http://www.w3.org/2004/02/skos/core#ConceptScheme"/>
                    <skos:prefLabel xml:lang="en">the scheme</skos:prefLabel>
                  </rdf:Description>
                </rdf:RDF>
                """)
        }
        let gemet = try SKOSReader.read(path: try file("gemet.rdf", base: "http://www.eionet.europa.eu/gemet/", label: "peat"))
        #expect(gemet.map(\.iri).sorted() == ["http://nested.example.org/v/#local", "http://www.eionet.europa.eu/gemet/concept/10"])
        #expect(gemet.first { $0.iri.hasSuffix("concept/10") }?.broader == ["http://www.eionet.europa.eu/gemet/concept/2"])
        // A reference libxml2 cannot parse still belongs to its base (review).
        #expect(XMLElement.resolve("concept 10", against: "http://x.org/v/") == "http://x.org/v/concept 10")
        #expect(XMLElement.resolve("urn:x 1", against: "http://x.org/v/") == "urn:x 1")
        #expect(XMLElement.resolve("concept/10", against: "http://x.org/my vocab/") == "http://x.org/my vocab/concept/10")
        #expect(XMLElement.resolve("/concept 10", against: "http://x.org/v/") == "http://x.org/concept 10")
        #expect(XMLElement.resolve("#c 1", against: "http://x.org/vocab") == "http://x.org/vocab#c 1")
        #expect(XMLElement.resolve("c 1", against: "http://x.org") == "http://x.org/c 1")
        #expect(XMLElement.resolve("../c", against: "http://x.org/a/b/") == "http://x.org/a/c")
        let other = try SKOSReader.read(path: try file("other.rdf", base: "http://other.example.org/thes/", label: "volcano"))
        #expect(other.contains { $0.iri == "http://other.example.org/thes/concept/10" })
        let json = try directory.write(
            "collection.jsonld",
            #"{"@context": {"skos": "http://www.w3.org/2004/02/skos/core#"}, "@graph": [{"@id": "http://x.org/g", "@type": "skos:Collection", "skos:prefLabel": {"@value": "water", "@language": "en"}}, {"@id": "http://x.org/c", "@type": "skos:Concept", "skos:prefLabel": {"@value": "peat", "@language": "en"}}]}"#)
        #expect(try SKOSReader.read(path: json).map(\.iri) == ["http://x.org/c"])
    }

    /// Cycles are found in time linear in the links: a chain of 200,000 broader links took
    /// minutes (a walk up from every concept); narrower links count as broader ones read the
    /// other way; a cycle longer than 4,096 is still one.
    @Test func cyclesAreTheHierarchysLoopsWhateverTheirLength() {
        let chain = (0..<200_000).map { Concept(iri: "c\($0)", broader: ["c\($0 + 1)"]) }
        #expect(Concept.cycles(in: chain).isEmpty)
        let loop = (0..<5_000).map { Concept(iri: "l\($0)", broader: ["l\(($0 + 1) % 5_000)"]) }
        #expect(Concept.cycles(in: chain + loop).count == 5_000)
        let narrowerOnly = [Concept(iri: "n1", narrower: ["n2"]), Concept(iri: "n2", narrower: ["n1"]), Concept(iri: "n3", narrower: ["n1"])]
        #expect(Concept.cycles(in: narrowerOnly).map(\.iri) == ["n1", "n2"])
        let selfBroader = [Concept(iri: "s", broader: ["s"]), Concept(iri: "t", broader: ["s"])]
        #expect(Concept.cycles(in: selfBroader).map(\.iri) == ["s"])
    }

    /// A JSON-LD vocabulary is read a node object at a time: a @graph of more values than one
    /// record may hold (1,000,000; here lowered to 1,000) is read (the whole file was one
    /// record, and AGROVOC's size was refused), with its @context before or after the @graph.
    /// QA: a JSON-LD label over the text limit, and a concept left with no label, vanished
    /// without a word (the same label in RDF/XML stops the file, with advice about records).
    @Test func whatAnImportLeavesOutIsSaid() throws {
        let directory = try TemporaryDirectory()
        let context = #""@context":{"skos":"http://www.w3.org/2004/02/skos/core#","prefLabel":{"@id":"skos:prefLabel","@container":"@language"},"altLabel":"skos:altLabel"}"#
        let file = try directory.write(
            "t.jsonld",
            #"{\#(context),"@graph":[{"@id":"urn:a","@type":"skos:Concept","prefLabel":{"en":"\#(String(repeating: "x", count: 61))","fr":"court"}},{"@id":"urn:b","@type":"skos:Concept","prefLabel":{"en":"   "}},{"@id":"urn:c","@type":"skos:Concept","altLabel":"\#(String(repeating: "y", count: 61))"},{"@id":"urn:d","@type":"skos:Concept","altLabel":{"@value":"\#(String(repeating: "z", count: 61))","@language":"en"}}]}"#
        )
        let (concepts, warnings) = try SKOSReader.readWithWarnings(path: file, limits: RecordLimits(maximumTextBytes: 60))
        #expect(concepts.map(\.iri) == ["urn:a"])
        #expect(concepts.first?.prefLabels == ["fr": "court"])
        let messages = warnings.map(\.message)
        #expect(messages.filter { $0.contains("longer than 60 bytes, the most one value may hold, is left out") }.count == 3, "\(messages)")
        #expect(messages.contains("concept <urn:b> has no label (skos:prefLabel or skos:altLabel with text) and is left out"), "\(messages)")
        #expect(warnings.allSatisfy { $0.line != nil }, "\(warnings)")
    }

    @Test func aLargeJSONLDGraphIsReadAConceptAtATime() throws {
        let directory = try TemporaryDirectory()
        let count = 2_000
        var graph = ""
        graph.reserveCapacity(count * 120)
        for number in 0..<count {
            if number > 0 { graph += ",\n" }
            graph += #"{"@id":"c\#(number)","@type":"skos:Concept","prefLabel":{"en":"w\#(number)","fr":"m\#(number)","es":"p\#(number)","ru":"с\#(number)","ar":"ك\#(number)","zh":"词\#(number)"}}"#
        }
        let context = #""@context":{"skos":"http://www.w3.org/2004/02/skos/core#","@base":"http://big.example.org/","prefLabel":{"@id":"skos:prefLabel","@container":"@language"}}"#
        for text in ["{\(context),\n\"@graph\":[\(graph)]}", "{\"@graph\":[\(graph)],\n\(context)}"] {
            let file = try directory.write("big.jsonld", text)
            let concepts = try SKOSReader.readWithWarnings(path: file, limits: RecordLimits(maximumValuesPerRecord: 1_000)).concepts
            #expect(concepts.count == count)
            #expect(concepts.last?.iri == "http://big.example.org/c\(count - 1)")
            #expect(concepts.last?.prefLabels["ru"] == "с\(count - 1)")
        }
        let one = try directory.write("one.jsonld", "{\(context), \"@graph\": [\(graph)]}".replacingOccurrences(of: #""en":"#, with: #""en":[\#((0..<1_000).map { "\"x\($0)\"" }.joined(separator: ",")),"#, options: [], range: nil))
        #expect(throws: Diagnostic.self, "a node object over the limit is still refused") {
            try SKOSReader.readWithWarnings(path: one, limits: RecordLimits(maximumValuesPerRecord: 1_000))
        }
        // A key that is not a string, a trailing comma, a repeated key: errors at their place.
        for (name, text, message) in [
            ("unquoted.jsonld", "{@graph: []}", "expected an object key in double quotes"),
            ("comma.jsonld", "{\(context),}", "expected an object key in double quotes"),
            ("twice.jsonld", "{\(context),\n\"@graph\": [], \"@graph\": []}", "duplicate key \"@graph\""),
        ] {
            let file = try directory.write(name, text)
            do {
                _ = try SKOSReader.read(path: file)
                Issue.record("\(name) was read")
            } catch let diagnostic as Diagnostic {
                #expect(diagnostic.message.contains(message), "\(name): \(diagnostic.message)")
            }
        }
        let trailing = try directory.write("trailing.jsonld", "{\(context), \"@graph\": []} x")
        #expect(throws: Diagnostic.self) { try SKOSReader.read(path: trailing) }
    }

    /// SKOS-XL labels as AGROVOC's dump gives them, resources of their own that concepts
    /// reference (the concepts were dropped, with no warning), and inline in JSON-LD.
    @Test func skosXLLabelsGivenByReferenceOrInlineInJSONLD() throws {
        let directory = try TemporaryDirectory()
        let rdf = try directory.write(
            "agrovoc.rdf",
            """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2004/02/skos/core#"
                     xmlns:skosxl="http://www.w3.org/2008/05/skos-xl#">
              <skos:Concept rdf:about="http://aims.fao.org/aos/agrovoc/c_4560">
                <skosxl:prefLabel rdf:resource="http://aims.fao.org/aos/agrovoc/xl_en_4560"/>
                <skosxl:prefLabel rdf:resource="http://aims.fao.org/aos/agrovoc/xl_fr_4560"/>
                <skosxl:altLabel rdf:resource="http://aims.fao.org/aos/agrovoc/xl_missing"/>
              </skos:Concept>
              <rdf:Description rdf:about="http://aims.fao.org/aos/agrovoc/xl_en_4560">
                <skosxl:literalForm xml:lang="en">mangrove swamps</skosxl:literalForm>
              </rdf:Description>
              <skosxl:Label rdf:about="http://aims.fao.org/aos/agrovoc/xl_fr_4560">
                <skosxl:literalForm xml:lang="fr">mangrove</skosxl:literalForm>
              </skosxl:Label>
            </rdf:RDF>
            """)
        let (concepts, warnings) = try SKOSReader.readWithWarnings(path: rdf)
        #expect(concepts.map(\.iri) == ["http://aims.fao.org/aos/agrovoc/c_4560"])
        #expect(concepts.first?.prefLabels == ["en": "mangrove swamps", "fr": "mangrove"])
        #expect(warnings.contains { $0.message.contains("xl_missing") && $0.line == 6 }, "\(warnings)")
        let json = try directory.write(
            "xl.jsonld",
            #"{"@context": {"skosxl": "http://www.w3.org/2008/05/skos-xl#", "skos": "http://www.w3.org/2004/02/skos/core#"}, "@graph": [{"@id": "http://x.org/c", "@type": "skos:Concept", "skosxl:prefLabel": [{"@type": "skosxl:Label", "skosxl:literalForm": {"@value": "xl label", "@language": "en"}}], "skosxl:altLabel": {"skosxl:literalForm": [{"@value": "étiquette", "@language": "fr"}]}}]}"#)
        let read = try SKOSReader.read(path: json)
        #expect(read.first?.prefLabels == ["en": "xl label"])
        #expect(read.first?.altLabels == ["fr": ["étiquette"]])
        // JSON-LD with the labels as nodes of their own, referenced (review).
        let referenced = try directory.write(
            "xl-ref.jsonld",
            #"{"@context": {"skosxl": "http://www.w3.org/2008/05/skos-xl#", "skos": "http://www.w3.org/2004/02/skos/core#"}, "@graph": [{"@id": "http://x.org/c_1", "@type": "skos:Concept", "skosxl:prefLabel": [{"@id": "http://x.org/xl_en_1"}, {"@id": "http://x.org/xl_none"}]}, {"@id": "http://x.org/xl_en_1", "@type": "skosxl:Label", "skosxl:literalForm": {"@value": "soil erosion", "@language": "en"}}]}"#)
        let (byReference, referenceWarnings) = try SKOSReader.readWithWarnings(path: referenced)
        #expect(byReference.map(\.iri) == ["http://x.org/c_1"])
        #expect(byReference.first?.prefLabels == ["en": "soil erosion"])
        // ... and as a compacted IRI string of a term typed @id.
        let compacted = try directory.write(
            "xl-compact.jsonld",
            #"{"@context": {"skosxl": "http://www.w3.org/2008/05/skos-xl#", "skos": "http://www.w3.org/2004/02/skos/core#", "prefLabel": {"@id": "skosxl:prefLabel", "@type": "@id"}}, "@graph": [{"@id": "http://x.org/c_2", "@type": "skos:Concept", "prefLabel": "http://x.org/xl_en_2"}, {"@id": "http://x.org/xl_en_2", "skosxl:literalForm": {"@value": "gully erosion", "@language": "en"}}]}"#)
        #expect(try SKOSReader.read(path: compacted).first?.prefLabels == ["en": "gully erosion"])
        #expect(referenceWarnings.contains { $0.message.contains("xl_none") }, "\(referenceWarnings)")
    }

    /// Another vocabulary's notation that differs in case does not rename a theme, and a
    /// label falls back to the closest variant of the language (thesaurus QA).
    @Test func aThemeIsNamedByItsOwnConceptAndTheClosestLanguageVariant() throws {
        let directory = try TemporaryDirectory()
        let house = try ClearingHouse(directory: directory.url.appendingPathComponent("index"))
        let file = try directory.write(
            "two.jsonld",
            #"{"@context": {"skos": "http://www.w3.org/2004/02/skos/core#"}, "@graph": [{"@id": "urn:chm:thesaurus:marine", "skos:notation": "marine", "skos:prefLabel": [{"@value": "marine ecosystems", "@language": "en"}, {"@value": "ecosistemas marinos", "@language": "es"}]}, {"@id": "http://www.eionet.europa.eu/gemet/theme/9", "skos:notation": "Marine", "skos:prefLabel": [{"@value": "marine (GEMET)", "@language": "en"}, {"@value": "marin GEMET", "@language": "fr"}]}]}"#)
        try house.importThesaurus([file])
        #expect(try house.label(ofTheme: "marine", language: "es")?.text == "ecosistemas marinos")
        #expect(try house.label(ofTheme: "marine", language: "en")?.text == "marine ecosystems")
        #expect(try house.conceptLabels(for: ["marine"], language: "en") == ["marine": "marine ecosystems"])
        #expect(try house.label(ofTheme: "Marine", language: "fr")?.text == "marin GEMET")
        let variants = Concept(iri: "x", prefLabels: ["zh-Hans": "珊瑚礁群", "zh-Hant-TW": "珊瑚礁體"])
        #expect(variants.label(preferring: "zh-Hant")?.text == "珊瑚礁體")
        #expect(variants.label(preferring: "zh-Hans-CN")?.text == "珊瑚礁群")
        // A region implies its script, and a variant that shares a subtag comes before the
        // bare language (review).
        #expect(Concept(iri: "t", prefLabels: ["zh-Hans": "珊瑚礁群", "zh-Hant": "珊瑚礁體"]).label(preferring: "zh-TW")?.text == "珊瑚礁體")
        // Tags compare without case.
        #expect(Concept(iri: "c", prefLabels: ["en": "reef", "en-GB": "reef (GB)"]).label(preferring: "EN")?.text == "reef")
        #expect(Concept(iri: "d", prefLabels: ["zh-Hant": "體", "zh-HK": "港"]).label(preferring: "zh-hant")?.text == "體")
        let bare = Concept(iri: "z", prefLabels: ["zh": "珊瑚礁", "zh-Hant-TW": "珊瑚礁體"])
        #expect(bare.label(preferring: "zh-Hant")?.text == "珊瑚礁體")
        #expect(bare.label(preferring: "zh-CN")?.text == "珊瑚礁")
        #expect(try house.label(ofTheme: "marine", language: "es-MX")?.text == "ecosistemas marinos")
        #expect(Concept(iri: "y", altLabels: ["fr": ["récif"]]).label(preferring: "en")?.text == "récif")
    }

    /// Concepts described in place inside another's `narrower`, JSON-LD's `@vocab`, and
    /// keyword aliases as Skosmos writes them (each was dropped or refused: thesaurus QA).
    @Test func nestedConceptsVocabularyAndKeywordAliases() throws {
        let directory = try TemporaryDirectory()
        let rdf = try directory.write(
            "nested.rdf",
            """
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2004/02/skos/core#">
              <skos:Concept rdf:about="http://n.org/parent">
                <skos:prefLabel xml:lang="en">wetlands</skos:prefLabel>
                <skos:narrower><skos:Concept rdf:about="http://n.org/child"><skos:prefLabel xml:lang="en">peat bogs</skos:prefLabel></skos:Concept></skos:narrower>
              </skos:Concept>
            </rdf:RDF>
            """)
        let fromXML = try SKOSReader.read(path: rdf)
        #expect(fromXML.map(\.iri) == ["http://n.org/parent", "http://n.org/child"])
        #expect(fromXML.first?.narrower == ["http://n.org/child"])
        #expect(fromXML.last?.prefLabels == ["en": "peat bogs"])
        let vocabulary = try directory.write(
            "vocab.jsonld",
            #"{"@context": {"@vocab": "http://www.w3.org/2004/02/skos/core#"}, "@graph": [{"@id": "http://v.org/1", "@type": "Concept", "prefLabel": {"@value": "mangroves", "@language": "en"}, "narrower": [{"@id": "http://v.org/2", "prefLabel": {"@value": "mangrove swamps", "@language": "en"}}]}]}"#)
        let fromVocabulary = try SKOSReader.read(path: vocabulary)
        #expect(fromVocabulary.map(\.iri).sorted() == ["http://v.org/1", "http://v.org/2"])
        #expect(fromVocabulary.first { $0.iri == "http://v.org/1" }?.narrower == ["http://v.org/2"])
        let skosmos = try directory.write(
            "skosmos.jsonld",
            #"{"@context": {"skos": "http://www.w3.org/2004/02/skos/core#", "uri": "@id", "type": "@type", "lang": "@language", "value": "@value", "graph": "@graph", "prefLabel": "skos:prefLabel"}, "graph": [{"uri": "http://s.org/c_1", "type": "skos:Concept", "prefLabel": [{"lang": "en", "value": "coral reefs"}, {"lang": "fr", "value": "récifs coralliens"}]}]}"#)
        let fromSkosmos = try SKOSReader.read(path: skosmos)
        #expect(fromSkosmos.map(\.iri) == ["http://s.org/c_1"])
        #expect(fromSkosmos.first?.prefLabels == ["en": "coral reefs", "fr": "récifs coralliens"])
    }

    @Test func importIsOneTransactionAndReplacesConceptsByIRI() throws {
        let directory = try TemporaryDirectory()
        let house = try ClearingHouse(directory: directory.url.appendingPathComponent("index"))
        let good = try directory.write("good.rdf", Self.rdfXML)
        let bad = try directory.write("bad.jsonld", "{ not json")
        #expect(throws: Diagnostic.self) { try house.importThesaurus([good, bad]) }
        #expect(try house.concepts().isEmpty)
        let first = try house.importThesaurus([good])
        #expect(first.added == 2 && first.concepts == 2 && first.languages["fr"] == 2)
        // A long-lived process loads it before the first search (chm serve does, at start).
        #expect(house.loadedThesaurus.withLock { $0 == nil })
        try house.preloadThesaurus()
        #expect(house.loadedThesaurus.withLock { $0?.expander.isEmpty == false })
        // A stored form made by other analyzers (an upgrade renamed one) is stored again by
        // the next writer, so that searches stop analyzing every label anew.
        // (Simulated: the index and the stored form as an older chm left them, with other
        // analyzers; the next ingest rebuilds the first and stores the second again.)
        try house.ingest([try directory.write("zero.json", #"{"id": "q", "kind": "resource", "title": "Mangroves"}"#)])
        let version = try house.catalog.thesaurusVersion()
        try house.catalog.replaceThesaurusIndex(version: version, data: "chm-synonyms 3\ten=english-unaccented")
        #expect(!QueryExpander.isStored(forAnalyzersOf: RecordIndexing.schema, try #require(try house.catalog.thesaurusIndex(version: version))))
        let manifest = try #require(
            try FileManager.default.contentsOfDirectory(atPath: house.segmentsDirectory.path).first { $0.hasPrefix("manifest") })
        let manifestPath = house.segmentsDirectory.appendingPathComponent(manifest).path
        let old = try String(contentsOfFile: manifestPath, encoding: .utf8)
        try old.replacingOccurrences(of: "english-unaccented.2", with: "english-unaccented").write(toFile: manifestPath, atomically: true, encoding: .utf8)
        let upgraded = try ClearingHouse(directory: directory.url.appendingPathComponent("index"))
        try upgraded.ingest([try directory.write("one.json", #"{"id": "r", "kind": "resource", "title": "Coral reefs"}"#)])
        let restored = try #require(try upgraded.catalog.thesaurusIndex(version: version))
        #expect(QueryExpander.isStored(forAnalyzersOf: RecordIndexing.schema, restored))
        #expect(QueryExpander(serialized: restored, schema: RecordIndexing.schema)?.isEmpty == false)
        let again = try house.importThesaurus([try directory.write("same.jsonld", Self.compactJSONLD)])
        #expect(again.unchanged == 2 && again.added == 0)
        #expect(try house.concept(id: "coral-reefs")?.prefLabels["zh"] == "珊瑚礁")
        #expect(try house.label(ofTheme: "coral-reefs", language: "ru")?.text == "коралловые рифы")
        #expect(try house.label(ofTheme: "coral-reefs", language: "es")?.language == "en")
        // Reading it again through a new instance (a new process) gives the same concepts.
        let reopened = try ClearingHouse(directory: directory.url.appendingPathComponent("index"), create: false)
        #expect(try reopened.concepts().count == 2)
        #expect(try reopened.expansions(of: "коралловых рифов").first?.setID == "coral-reefs")
        // Full-width Latin (typed with a CJK input method) matches the label as the analyzers
        // read it; punctuation around the words (an unmatched closing quote) is not shown as theirs.
        #expect(try house.expansions(of: "ｃｏｒａｌ ｒｅｅｆｓ").first?.setID == "coral-reefs")
        #expect(try house.expansions(of: "коралловые рифы”").first?.source == "коралловые рифы")
        #expect(try house.expansions(of: "（珊瑚礁保护）").first?.source == "珊瑚礁")
        #expect(try house.expansions(of: "«\u{00A0}récifs coralliens\u{00A0}»").first?.source == "récifs coralliens")
        // Two scripts in one word typed without a space: each label names its own characters
        // and adds the other languages' labels (the English ones for 珊瑚礁 too).
        let mixed = try house.expansions(of: "marine ecosystems珊瑚礁")
        let reefs = try #require(mixed.first { $0.setID == "coral-reefs" })
        #expect(reefs.source == "珊瑚礁")
        #expect(reefs.added.contains { $0.text == "coral reefs" }, "\(reefs.added)")
        #expect(mixed.first { $0.setID != "coral-reefs" }?.source == "marine ecosystems")
        // A misspelt label word that no record has is read as the search reads it (QA: lookup
        // found nothing where the search expanded).
        let misspelt = try house.expansions(of: "кораловые рифы")
        #expect(misspelt.first?.setID == "coral-reefs", "\(misspelt)")
        #expect(misspelt == (try house.search(SearchRequest(query: "кораловые рифы")).expansions))
    }

    @Test func aConceptSplitOverFilesIsMergedAndEveryImportIsSeenByTheNextSearch() throws {
        let directory = try TemporaryDirectory()
        let house = try ClearingHouse(directory: directory.url.appendingPathComponent("index"))
        func file(_ name: String, _ language: String, _ label: String) throws -> String {
            try directory.write(
                name,
                """
                {"@id": "http://example.org/c/reefs", "@type": "http://www.w3.org/2004/02/skos/core#Concept",
                 "http://www.w3.org/2004/02/skos/core#prefLabel": {"@value": "\(label)", "@language": "\(language)"}}
                """)
        }
        // A thesaurus shipped as a file per language: one concept, every language.
        let english = try file("en.jsonld", "en", "coral reefs")
        let russian = try file("ru.jsonld", "ru", "коралловые рифы")
        let report = try house.importThesaurus([english, russian])
        #expect(report.concepts == 1 && report.added == 1 && report.labels == 2)
        #expect(try house.concept(id: "http://example.org/c/reefs")?.prefLabels == ["en": "coral reefs", "ru": "коралловые рифы"])
        #expect(try house.expansions(of: "коралловые рифы").first?.added.map(\.text) == ["coral reefs"])
        // Replaced at once (the same second, the same number of concepts): the next search
        // sees the new labels, in this process and in a new one.
        let other = try file("other.jsonld", "en", "reef ecosystems")
        try house.importThesaurus([other, russian], replace: true)
        #expect(try house.expansions(of: "коралловые рифы").first?.added.map(\.text) == ["reef ecosystems"])
        let reopened = try ClearingHouse(directory: directory.url.appendingPathComponent("index"), create: false)
        #expect(try reopened.expansions(of: "коралловые рифы").first?.added.map(\.text) == ["reef ecosystems"])
        // A missing path is named.
        #expect(throws: ClearingHouseError.self) { try house.importThesaurus([directory.path("missing.rdf")]) }
    }

    @Test func hostileSKOSFilesGetAClearErrorOrAreBoundedNeverACrash() throws {
        let directory = try TemporaryDirectory()
        // 100,000 nested arrays in JSON-LD: refused with a position, no stack overflow.
        let deep = try directory.write("deep.jsonld", String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))
        #expect(throws: Diagnostic.self) { try SKOSReader.read(path: deep) }
        // An entity bomb in RDF/XML: the DOCTYPE is refused before libxml2 reads it.
        let bomb = try directory.write(
            "bomb.rdf",
            """
            <?xml version="1.0"?>
            <!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>
            """)
        #expect(throws: Diagnostic.self) { try SKOSReader.read(path: bomb) }
        // One concept with 100,000 alternative labels: read in bounded time, labels capped.
        var labels: [String] = []
        for index in 0..<100_000 { labels.append("\"label \(index)\"") }
        let many = try directory.write(
            "many.jsonld",
            """
            {"@context": {"skos": "http://www.w3.org/2004/02/skos/core#",
                          "altLabel": {"@id": "skos:altLabel", "@container": "@language"}},
             "@id": "http://example.org/c/1", "@type": "skos:Concept",
             "altLabel": {"en": [\(labels.joined(separator: ","))]}}
            """)
        let concepts = try SKOSReader.read(path: many)
        #expect(concepts.first?.altLabels["en"]?.count == SKOSReader.maximumLabelsPerLanguage)
        // Not SKOS at all, and binary junk: one clear error each.
        let junk = try directory.write("junk.rdf", bytes: [0x00, 0xFF, 0xFE, 0x41])
        #expect(throws: Diagnostic.self) { try SKOSReader.read(path: junk) }
        let empty = try directory.write("empty.jsonld", "")
        #expect(throws: Diagnostic.self) { try SKOSReader.read(path: empty) }
    }

    /// Arabic forms many plurals by changing the word (`السلاحف`, turtles; `السلحفاة`, a
    /// turtle), which its stemmer does not undo. A query that matches one number of a label
    /// also searches the concept's other Arabic labels, so that a record written only in Arabic
    /// with the other number is found, and ranks above a record that shares only a word.
    @Test func anArabicLabelFindsRecordsThatUseTheOtherNumber() throws {
        let directory = try TemporaryDirectory()
        let house = try directory.house()
        let thesaurus = try directory.write(
            "turtles.jsonld",
            """
            {"@context": {"skos": "http://www.w3.org/2004/02/skos/core#",
                          "prefLabel": {"@id": "skos:prefLabel", "@container": "@language"},
                          "altLabel": {"@id": "skos:altLabel", "@container": "@language"},
                          "notation": "skos:notation"},
             "@id": "http://example.org/c/sea-turtles", "@type": "skos:Concept", "notation": "sea-turtles",
             "prefLabel": {"ar": "السلاحف البحرية", "en": "sea turtles"},
             "altLabel": {"ar": ["السلحفاة البحرية", "الزواحف البحرية المهددة", "الزواحف المائية"]}}
            """)
        _ = try house.importThesaurus([thesaurus])
        let records = """
            {"id": "ar-turtles", "kind": "bestPractice", "language": "ar", "title": "حماية أعشاش السلاحف البحرية على الشواطئ"}
            {"id": "ar-marine", "kind": "bestPractice", "language": "ar", "title": "المحميات البحرية في خليج العقبة"}
            {"id": "en-turtles", "kind": "technology", "language": "en", "title": "Sea turtles nesting beaches"}
            """
        #expect(try house.ingest([try directory.write("records.jsonl", records)]).added == 3)
        let singular = try house.search(SearchRequest(query: "السلحفاة البحرية", limit: 10))
        #expect(singular.hits.first?.id == "ar-turtles", "\(singular.hits.map(\.id))")
        #expect(Set(singular.hits.map(\.id)).isSuperset(of: ["ar-turtles", "en-turtles"]))
        let added = singular.expansions.flatMap(\.added).map(\.text)
        #expect(added.contains("السلاحف البحرية") && added.contains("sea turtles"), "\(added)")
        // The label the query is, is not searched twice.
        #expect(!added.contains("السلحفاة البحرية"))
        let ranks = singular.hits.map(\.id)
        #expect((ranks.firstIndex(of: "ar-turtles") ?? .max) < (ranks.firstIndex(of: "ar-marine") ?? .max))
        // The other way round too; English labels still add only the other languages'.
        let plural = try house.search(SearchRequest(query: "السلاحف البحرية", limit: 10))
        #expect(plural.expansions.flatMap(\.added).map(\.text).contains("السلحفاة البحرية"))
        let english = try house.search(SearchRequest(query: "sea turtles", limit: 10))
        #expect(english.expansions.flatMap(\.added).allSatisfy { $0.group != "en" })
        // Only the same words in another form: another Arabic wording of the concept (here
        // "threatened marine reptiles") is not added in Arabic, where its other words would
        // drift; the other languages' labels still are.
        #expect(!added.contains("الزواحف البحرية المهددة") && !added.contains("الزواحف المائية"), "\(added)")
        let other = try house.search(SearchRequest(query: "الزواحف البحرية المهددة", limit: 10))
        #expect(other.expansions.flatMap(\.added).map(\.text) == ["sea turtles"], "\(other.expansions)")
        // An indefinite singular (which the stemmer reads two ways) finds the plural's records too.
        let indefinite = try house.search(SearchRequest(query: "سلحفاة بحرية", limit: 10))
        #expect(indefinite.expansions.flatMap(\.added).map(\.text).contains("السلاحف البحرية"), "\(indefinite.expansions)")
        #expect(indefinite.hits.map(\.id).contains("ar-turtles"))
        // Two words of which two differ (aquatic reptiles) are another wording too.
        let aquatic = try house.search(SearchRequest(query: "الزواحف المائية", limit: 10))
        #expect(aquatic.expansions.flatMap(\.added).map(\.text) == ["sea turtles"], "\(aquatic.expansions)")
    }
}
