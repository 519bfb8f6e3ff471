import Foundation
import Testing

/// Search that forgives the searcher and reaches across languages (issue 13), through the
/// built `chm` binary on the shipped Corpus and on small collections of its own.
@Suite("Forgiving, cross-language search end to end")
struct ForgivingSearchTests {
    let corpus = CLI.packageRoot.appendingPathComponent("Corpus").path

    @Test func testCollectionDocumentsWithoutTitleAreIngestedWhenKindAndLanguageAreGiven() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let file = directory.path("corpus.jsonl")
        try """
        {"_id": "d1", "title": "", "text": "Seagrass meadows store carbon in their sediments."}
        {"_id": "d2", "text": "Mangrove seedlings survive better where tidal flow is restored."}
        {"_id": "d3", "title": "", "text": ""}
        {"id": "d4", "title": "Seagrass", "body": "A titled document beside them."}

        """.write(toFile: file, atomically: true, encoding: .utf8)
        // As a test collection (kind and language given): titleless documents with text go in,
        // BEIR's `_id` is the id, and only the document with nothing to index is refused.
        let ingest = try CLI.run(["ingest", file, "--index", index, "--kind", "resource", "--language", "en", "--skip-invalid", "--json"])
        let summary = try CLI.json(ingest.stdout)
        #expect(summary["added"] as? Int == 3, "\(ingest.stderr)")
        #expect(summary["rejected"] as? Int == 1)
        #expect(ingest.stderr.contains("d3") && ingest.stderr.contains("no title and no text"), "\(ingest.stderr)")
        #expect(!ingest.stderr.contains("_id"), "\(ingest.stderr)")
        let found = try CLI.json(try CLI.run(["search", "seagrass carbon", "--index", index, "--json"]).stdout)
        let hits = try #require(found["hits"] as? [[String: Any]])
        #expect(hits.first?["id"] as? String == "d1")
        // A document without a title shows its id as the title, and reads back from the catalog.
        #expect(hits.first?["title"] as? String == "d1")
        let shown = try CLI.run(["show", "d2", "--index", index, "--json"])
        #expect(shown.status == 0 && !shown.stdout.contains("\"title\""), "\(shown.stderr)")
        #expect(try CLI.run(["reindex", "--index", index]).status == 0)
        #expect(try CLI.run(["check", "--index", index]).status == 0)

        // Clearing-house records (no --kind and --language) still need a title.
        let record = directory.path("record.json")
        try #"{"id": "r1", "kind": "resource", "description": "Text without a title."}"#.write(toFile: record, atomically: true, encoding: .utf8)
        let strict = try CLI.run(["ingest", record, "--index", directory.path("other"), "--json"])
        #expect(strict.status == 65)
        #expect(strict.stderr.contains("record r1: field title: missing required field"), "\(strict.stderr)")
    }

    /// What the searcher typed is echoed with its control characters made visible (an escape
    /// sequence pasted into a query drove the terminal), a quoted query is not quoted twice,
    /// and every hit shown is an exact count ("1-2 of 2 matches", not "of at least 2").
    @Test func theQueryIsEchoedSafelyAndShortListsAreCountedExactly() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let file = directory.path("corpus.jsonl")
        try """
        {"id": "d1", "title": "Seagrass meadows", "body": "Seagrass stores carbon."}
        {"id": "d2", "title": "Seagrass restoration", "body": "Planting seagrass shoots."}

        """.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["ingest", file, "--index", index, "--kind", "resource", "--language", "en"]).status == 0)
        let escaped = try CLI.run(["search", "seagras\u{1B}[31mzzq", "--index", index, "--no-expand"])
        #expect(!escaped.stdout.contains("\u{1B}"), "\(escaped.stdout)")
        #expect(escaped.stdout.contains("\\u{1B}[31mzzq"), "\(escaped.stdout)")
        let quoted = try CLI.run(["search", "\"carbon meadows\"", "--index", index])
        #expect(quoted.stdout.contains("No records match \"carbon meadows\"."), "\(quoted.stdout)")
        let listed = try CLI.run(["search", "seagrass", "--index", index])
        #expect(listed.stdout.contains("1-2 of 2 matches"), "\(listed.stdout)")
        let one = try CLI.run(["search", "carbon", "--index", index])
        #expect(one.stdout.contains("1-1 of 1 match\n"), "\(one.stdout)")
    }

    @Test func chineseQueryTypedWithoutSpacesFindsRecordsWithTheWordsApart() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        #expect(try CLI.run(["ingest", corpus, "--index", index, "--quiet"]).status == 0)
        // 监测江豚 (monitor + finless porpoise) appears nowhere as one run; records about
        // monitoring finless porpoises say 江豚 and 监测 apart.
        let found = try CLI.json(try CLI.run(["search", "监测江豚", "--index", index, "--json", "--limit", "3"]).stdout)
        let ids = (found["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("a-tech-yangtze-porpoise-acoustic-monitoring"), "\(ids)")
        #expect(ids.contains("b-cs-poyang-finless-porpoise"), "\(ids)")
        // In quotes it is a phrase again, which no record has.
        let phrase = try CLI.json(try CLI.run(["search", "\"监测江豚\"", "--index", index, "--json"]).stdout)
        #expect((phrase["hits"] as? [Any])?.isEmpty == true)
    }

    @Test func corpusIngestLoadsTheShippedThesaurusAndCoralQueriesCrossLanguages() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let ingest = try CLI.json(try CLI.run(["ingest", corpus, "--index", index, "--json", "--quiet"]).stdout)
        let thesaurus = try #require(ingest["thesaurus"] as? [String: Any])
        #expect((thesaurus["concepts"] as? Int ?? 0) >= 300)
        let languages = try #require(thesaurus["languages"] as? [String: Int])
        for language in ["ar", "en", "es", "fr", "ru", "zh"] { #expect((languages[language] ?? 0) >= 300, "\(language)") }
        let coral: Set = ["a-org-pacific-reef-restoration-alliance", "a-tech-coral-gardening-fiji", "b-cs-coral-nurseries-mauritius"]
        // Words joined by a hyphen match the label of both, once, with every language's labels
        // (the Spanish label of `coral` inside it no longer took the Spanish and French ones away).
        let joined = try CLI.json(try CLI.run(["search", "coral-reefs", "--index", index, "--json"]).stdout)
        let joinedExpansions = try #require(joined["expansions"] as? [[String: Any]])
        #expect(joinedExpansions.count == 1 && joinedExpansions.first?["concept"] as? String == "coral-reefs", "\(joinedExpansions)")
        let joinedLanguages = Set(((joinedExpansions.first?["translations"] as? [[String: Any]]) ?? []).compactMap { $0["language"] as? String })
        #expect(joinedLanguages.isSuperset(of: ["es", "fr", "ru", "zh", "ar"]), "\(joinedLanguages)")
        // Russian, Arabic and Chinese questions about coral reefs find the English records.
        for query in ["коралловые рифы", "الشعاب المرجانية", "珊瑚礁"] {
            let found = try CLI.json(try CLI.run(["search", query, "--index", index, "--json", "--limit", "5"]).stdout)
            let hits = try #require(found["hits"] as? [[String: Any]])
            let ids = Set(hits.compactMap { $0["id"] as? String })
            #expect(coral.isSubset(of: ids), "\(query): \(ids)")
            let translations = (hits.first?["translations"] as? [String]) ?? []
            #expect(translations.contains { $0.hasPrefix("coral reef") && $0.hasSuffix("from \(query)") }, "\(translations)")
            let expansions = try #require(found["expansions"] as? [[String: Any]])
            #expect(expansions.first?["concept"] as? String == "coral-reefs")
            #expect(expansions.first?["from"] as? String == query)
            // A word of the matched label is a word of its language, not a typo: the Arabic
            // query is not "corrected" to الشباب (youth).
            #expect(found["correctedQuery"] == nil, "\(query): \(found["correctedQuery"] ?? "")")
            // Without expansion (and typo correction, which looks for close spellings of these
            // words unknown in their languages' fields) they find nothing.
            let plain = try CLI.json(try CLI.run(["search", query, "--index", index, "--json", "--no-expand", "--no-correct"]).stdout)
            #expect((plain["hits"] as? [Any])?.isEmpty == true, "\(query)")
            #expect(plain["expansions"] == nil)
        }
        // A species group in one word, in any language, finds the records on sea turtles (a
        // QA pass found черепахи, tortugas and tortues finding nothing).
        for query in ["черепахи", "tortugas", "tortues", "السلاحف"] {
            let found = try CLI.json(try CLI.run(["search", query, "--index", index, "--json", "--limit", "5"]).stdout)
            let ids = ((found["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
            #expect(ids.contains("a-tech-turtle-nest-temperature-loggers-oman"), "\(query): \(ids)")
        }
        // A record that answers the whole concept in another language ranks above one in the
        // query's language that has one of its words (a Russian fire record has восстановление).
        let mangroves = try CLI.json(try CLI.run(["search", "восстановление мангровых лесов", "--index", index, "--json", "--limit", "3"]).stdout)
        let top = ((mangroves["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(top.count == 3 && top.allSatisfy { $0.contains("mangrove") }, "\(top)")
        // A question about forest bird monitoring finds the record about it first, in Chinese
        // typed without spaces (the labels 森林, 鸟类 and 监测 segment the run: a Chinese record
        // on fish monitoring, 鱼类监测, no longer wins through the pair 类监) and in Russian
        // (мониторинг alone is a label: monitoring).
        for query in ["森林鸟类监测", "мониторинг птиц в лесах"] {
            let found = try CLI.json(try CLI.run(["search", query, "--index", index, "--json", "--limit", "1"]).stdout)
            let first = ((found["hits"] as? [[String: Any]]) ?? []).first
            #expect(first?["id"] as? String == "a-tech-bioacoustic-bird-monitoring-costa-rica", "\(query): \(first ?? [:])")
            if query == "森林鸟类监测" {
                let translations = first?["translations"] as? [String] ?? []
                #expect(translations.contains("birds [en] from 鸟类"), "\(translations)")
            }
        }
        // A misspelt word of a label that no record has finds the concept (typo correction
        // on, as by default): `tortugas marinass` (sea turtles).
        let turtles = try CLI.json(try CLI.run(["search", "tortugas marinass", "--index", index, "--json", "--limit", "3"]).stdout)
        let turtleConcepts = (turtles["expansions"] as? [[String: Any]] ?? []).compactMap { $0["concept"] as? String }
        #expect(turtleConcepts == ["sea-turtles"], "\(turtleConcepts)")
        #expect((turtles["hits"] as? [Any])?.isEmpty == false)
        let exact = try CLI.json(try CLI.run(["search", "tortugas marinass", "--index", index, "--json", "--no-correct"]).stdout)
        let exactConcepts = (exact["expansions"] as? [[String: Any]] ?? []).compactMap { $0["concept"] as? String }
        #expect(!exactConcepts.contains("sea-turtles"), "\(exactConcepts)")  // (tortugas alone is a label: turtles)
        // The text output names what was added, and --explain which translation matched.
        let text = try CLI.run(["search", "коралловые рифы", "--index", index, "--limit", "1", "--explain"]).stdout
        #expect(text.contains("Also searching: коралловые рифы [ru] → "), "\(text)")
        #expect(text.contains("(coral reefs [en] from коралловые рифы)") || text.contains("(coral reef [en] from коралловые рифы)"), "\(text)")
        // The translations' idf says the weight it carries, as the formula it prints is not all of it.
        #expect(text.contains("(weight of translations) × ln(1 + (N - n + 0.5) / (n + 0.5))"), "\(text)")
        // chm thesaurus lookup shows the same, and theme facets are named in the reader's language.
        let lookup = try CLI.run(["thesaurus", "lookup", "коралловых рифов", "--index", index]).stdout
        #expect(lookup.hasPrefix("coral-reefs: коралловых рифов [ru] → "), "\(lookup)")
        // A label matches however the analyzer spells it: without accents, without the article.
        for (query, concept) in [("tourbieres", "peatlands"), ("restauracion de manglares", "mangrove-restoration"), ("غابات", "forests")] {
            let found = try CLI.run(["thesaurus", "lookup", query, "--index", index]).stdout
            #expect(found.hasPrefix("\(concept): \(query) ["), "\(query): \(found)")
        }
        let facets = try CLI.json(try CLI.run(["search", "", "--index", index, "--json", "--facets", "theme", "--lang", "fr"]).stdout)
        let labels = try #require((facets["facetLabels"] as? [String: Any])?["theme"] as? [String: String])
        #expect(labels["protected-areas"] == "aires protégées", "\(labels)")
        // Record pages name themes and kinds of help in the reader's language.
        let shown = try CLI.run(["show", "a-req-coral-bleaching-monitoring-maldives", "--index", index, "--lang", "ru"]).stdout
        #expect(shown.contains("climate-change (изменение климата)"), "\(shown)")
    }

    @Test func thesaurusImportCommandReadsBothSerializationsAndRefusesBrokenFiles() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let rdf = directory.path("gemet-like.rdf")
        try """
        <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2004/02/skos/core#">
          <rdf:Description rdf:about="http://example.org/concept/1">
            <rdf:type rdf:resource="http://www.w3.org/2004/02/skos/core#Concept"/>
            <skos:prefLabel xml:lang="en">peat bog</skos:prefLabel>
            <skos:prefLabel xml:lang="de">Torfmoor</skos:prefLabel>
          </rdf:Description>
        </rdf:RDF>
        """.write(toFile: rdf, atomically: true, encoding: .utf8)
        let broken = directory.path("broken.jsonld")
        try "{\"@graph\": [\n  {\"@id\": }]}".write(toFile: broken, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["thesaurus", "import", rdf, broken, "--index", index])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("broken.jsonld:2:"), "\(refused.stderr)")
        let imported = try CLI.json(try CLI.run(["thesaurus", "import", rdf, "--index", index, "--json"]).stdout)
        #expect(imported["concepts"] as? Int == 1)
        let shown = try CLI.run(["thesaurus", "show", "1", "--index", index]).stdout
        #expect(shown.contains("de: Torfmoor"), "\(shown)")
        #expect(try CLI.run(["thesaurus", "show", "nothing", "--index", index]).status == 1)

        // A broken thesaurus among the records of an ingest: the records are stored, the file
        // is named, and the ingest exits 65.
        let folder = directory.path("in")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "{\"@graph\": [\n  {\"@id\": }]}".write(toFile: folder + "/vocabulary.jsonld", atomically: true, encoding: .utf8)
        try #"{"id": "r1", "kind": "resource", "title": "Peat bogs of the north"}"#.write(
            toFile: folder + "/record.json", atomically: true, encoding: .utf8)
        let ingest = try CLI.run(["ingest", folder, "--index", directory.path("other")])
        #expect(ingest.status == 65)
        #expect(ingest.stderr.contains("vocabulary.jsonld:2:"), "\(ingest.stderr)")
        #expect(ingest.stdout.contains("1 added"), "\(ingest.stdout)")
    }

    @Test func typosPrefixesAndSuggestionsOnTheCorpus() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        #expect(try CLI.run(["ingest", corpus, "--index", index, "--quiet"]).status == 0)
        // The issue's typo: shown as the words records write, the original kept.
        let found = try CLI.json(try CLI.run(["search", "mangrov restoraton", "--index", index, "--json", "--limit", "5"]).stdout)
        #expect(found["query"] as? String == "mangrov restoraton")
        #expect(found["correctedQuery"] as? String == "mangrove restoration", "\(found)")
        let ids = ((found["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(ids.contains("b-tr-mangrove-restoration-course"), "\(ids)")
        let text = try CLI.run(["search", "mangrov restoraton", "--index", index, "--limit", "1"]).stdout
        #expect(text.contains("Showing results for: mangrove restoration"), "\(text)")
        // Words that are not typos are not "corrected": a name records write (Mekong, which a
        // French field has as mékong), an acronym (SMART), a word records have only as a stem
        // (bison: bisons), an animal no record names to a word one record has (gorillas:
        // Spanish orillas). A rare word is searched with a frequent neighbour beside it, and
        // keeps its place in the query. A name's capital is kept.
        // A word some thesaurus label writes is a word of its language, even alone (Arabic
        // الشعاب, reefs, is not youth الشباب; French liées is not English lines); a word
        // records have, however rarely, is corrected only in their language (English
        // inventories is not French inventaires).
        for query in ["Mekong", "SMART", "bison", "gorillas", "bears", "الشعاب", "liées", "conventions liées", "inventories"] {
            let result = try CLI.json(try CLI.run(["search", query, "--index", index, "--json"]).stdout)
            #expect(result["correctedQuery"] == nil, "\(query): \(result["correctedQuery"] ?? "")")
        }
        // A typo is looked for as each field's analyzer spells words: Arabic folds ة and أ
        // (البئية is one edit from البيئية, shown as records write it), French, Spanish and
        // English also index words without accents (écosystmes is one edit from ecosystems).
        for (typed, shown) in [("البئية", "البيئية"), ("الأمطر", "الأمطار"), ("écosystmes", "ecosystems")] {
            let typo = try CLI.json(try CLI.run(["search", typed, "--index", index, "--json"]).stdout)
            #expect(typo["correctedQuery"] as? String == shown, "\(typed): \(typo["correctedQuery"] ?? "")")
        }
        // Suggested titles are those of records with the earlier words (Nagoya) and the
        // completion, before titles that only start with the last word.
        let nagoya = try CLI.json(try CLI.run(["suggest", "Nagoya Prot", "--index", index, "--json"]).stdout)
        let nagoyaTitles = ((nagoya["titles"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(nagoyaTitles.first == "a-bp-benefit-sharing-rooibos", "\(nagoya)")
        // A name written with accents in English text is found typed without them.
        let saoTome = try CLI.json(try CLI.run(["search", "Sao Tome", "--no-expand", "--index", index, "--json"]).stdout)
        #expect(((saoTome["hits"] as? [[String: Any]]) ?? []).contains { $0["id"] as? String == "oai:example-chm.org:2019" }, "\(saoTome)")
        // A keyword in another script than its record's language is analyzed in its own: the
        // French keywords of an Arabic record are French (their stop words are not matched).
        let functionWords = try CLI.json(try CLI.run(["search", "de la des", "--index", index, "--json"]).stdout)
        #expect((functionWords["hits"] as? [Any])?.isEmpty == true, "\(functionWords)")
        // A word typed twice is said once among the translations.
        let twice = try CLI.json(try CLI.run(["search", "mangrove mangrove", "--index", index, "--json"]).stdout)
        #expect((twice["expansions"] as? [Any])?.count == 1, "\(twice["expansions"] ?? "")")
        // Traditional Chinese finds the records written in simplified characters.
        let traditional = try CLI.json(try CLI.run(["search", "紅樹林 無人機", "--index", index, "--json", "--limit", "3"]).stdout)
        let simplified = try CLI.json(try CLI.run(["search", "红树林 无人机", "--index", index, "--json", "--limit", "3"]).stdout)
        let hitIDs = { (document: [String: Any]) in ((document["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } }
        #expect(!hitIDs(traditional).isEmpty && hitIDs(traditional) == hitIDs(simplified), "\(hitIDs(traditional))")
        // A record is shown in the language of the labels the query matched when it has it
        // (an English query showed this course's French title, its translation matching best).
        let course = try CLI.json(try CLI.run(["search", "mangrove restoration", "--index", index, "--json", "--limit", "20"]).stdout)
        let courseHit = ((course["hits"] as? [[String: Any]]) ?? []).first { $0["id"] as? String == "b-tr-mangrove-restoration-course" }
        #expect(courseHit?["language"] as? String == "en", "\(courseHit ?? [:])")
        // A misspelt word is shown as the close spelling of the query's language: with --lang
        // fr, or when the words matched a French label (not Spanish restauraron).
        for extra in [["--lang", "fr"], []] {
            let french = try CLI.json(try CLI.run(["search", "restauraton des mangroves", "--index", index, "--json"] + extra).stdout)
            #expect(french["correctedQuery"] as? String == "restauration des mangroves", "\(extra): \(french["correctedQuery"] ?? "")")
        }
        // The results shown are those of the query shown: a corrected word that is a
        // thesaurus label is carried across languages as if typed right.
        let typo = try CLI.json(try CLI.run(["search", "востановление", "--index", index, "--json", "--count"]).stdout)
        let right = try CLI.json(try CLI.run(["search", "восстановление", "--index", index, "--json", "--count"]).stdout)
        #expect(typo["correctedQuery"] as? String == "восстановление")
        #expect((typo["total"] as? Int) == (right["total"] as? Int) && (right["total"] as? Int ?? 0) > 10, "\(typo["total"] ?? "") \(right["total"] ?? "")")
        // A thesaurus label's words are words of their language with translations off too:
        // Spanish europeo is not an English close spelling of europe.
        let unexpanded = try CLI.json(try CLI.run(["search", "bisonte europeo", "--no-expand", "--index", index, "--json"]).stdout)
        #expect(unexpanded["correctedQuery"] == nil && unexpanded["corrections"] == nil, "\(unexpanded)")
        let bears = try CLI.run(["search", "bears", "--index", index, "--limit", "1"]).stdout
        #expect(bears.contains("Also searching close spellings of bears, such as years") && !bears.contains("Showing results for"), "\(bears)")
        // Filters on free-text values forgive their case: --theme Marine is --theme marine.
        for (option, typed, stored) in [("--theme", "Marine", "marine"), ("--target", "gbf-t3", "GBF-T3"), ("--region", "arctic", "Arctic")] {
            func total(_ value: String) throws -> Int? {
                try CLI.json(try CLI.run(["search", "", option, value, "--index", index, "--json", "--count"]).stdout)["total"] as? Int
            }
            let exact = try total(stored)
            let forgiven = try total(typed)
            #expect((exact ?? 0) > 0 && forgiven == exact, "\(option) \(typed)")
        }
        let island = try CLI.json(try CLI.run(["search", "Madagaskar", "--index", index, "--json"]).stdout)
        #expect(island["correctedQuery"] as? String == "Madagascar", "\(island)")
        // A close spelling that is a stem no record writes (`restor`, one edit from `resto`) is
        // shown as a word records write under it.
        let fragment = try CLI.json(try CLI.run(["search", "mangrove resto", "--index", index, "--json"]).stdout)
        let shown = fragment["correctedQuery"] as? String ?? ""
        #expect(shown.hasPrefix("mangrove restor") && shown != "mangrove restor", "\(fragment)")
        // Off, the misspelt word finds nothing of its own.
        let plain = try CLI.json(try CLI.run(["search", "restoraton", "--index", index, "--json", "--no-correct"]).stdout)
        #expect((plain["hits"] as? [Any])?.isEmpty == true && plain["correctedQuery"] == nil)
        // word~ asks for close spellings explicitly.
        let fuzzy = try CLI.json(try CLI.run(["search", "pollinatr~", "--index", index, "--json"]).stdout)
        #expect(((fuzzy["hits"] as? [Any]) ?? []).count >= 3, "\(fuzzy)")
        #expect(((fuzzy["corrections"] as? [[String: Any]])?.first?["requested"] as? Bool) == true)
        // Prefixes match words as written: French restauration through restauratio*.
        let french = try CLI.json(try CLI.run(["search", "restauratio*", "--index", index, "--json", "--filter", "language=fr"]).stdout)
        #expect(!((french["hits"] as? [Any]) ?? []).isEmpty, "\(french)")
        // Suggestions complete the last word from the words records write, and name titles.
        let suggested = try CLI.json(try CLI.run(["suggest", "pollinat", "--index", index, "--json"]).stdout)
        let words = ((suggested["completions"] as? [[String: Any]]) ?? []).compactMap { $0["word"] as? String }
        #expect(words.contains("pollinators") && words.contains("pollination"), "\(words)")
        #expect(!words.contains("pollin"))
        let titles = ((suggested["titles"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(titles.contains("a-fund-pollinator-research-grants"), "\(titles)")
        // The user's language's words come first (French sacrées before English sacred).
        let frenchWords = try CLI.json(try CLI.run(["suggest", "forêts sacr", "--lang", "fr", "--index", index, "--json"]).stdout)
        let first = ((frenchWords["completions"] as? [[String: Any]]) ?? []).first?["word"] as? String
        #expect(first == "sacrées", "\(frenchWords)")
        let phrase = try CLI.run(["suggest", "mangrove resto", "--index", index]).stdout
        #expect(phrase.hasPrefix("mangrove restor"), "\(phrase)")
        // Completions follow the words typed before them (`coral re`: reef, which fewer records
        // have than record but more of them with coral), one form of a word first.
        let coral = try CLI.json(try CLI.run(["suggest", "coral re", "--index", index, "--json"]).stdout)
        let coralWords = ((coral["completions"] as? [[String: Any]]) ?? []).compactMap { $0["word"] as? String }
        #expect(coralWords.first?.hasPrefix("reef") == true, "\(coralWords)")
        #expect(coralWords.prefix(4).filter { $0.hasPrefix("record") }.count <= 1, "\(coralWords)")
        // A stop word or an operator before it changes nothing; a sign or quote typed before the
        // word stays in the completed text.
        for query in ["the coral re", "coral AND re", "+coral re"] {
            let other = try CLI.json(try CLI.run(["suggest", "--index", index, "--json", "--", query]).stdout)
            let first = ((other["completions"] as? [[String: Any]]) ?? []).first
            #expect((first?["word"] as? String)?.hasPrefix("reef") == true, "\(query): \(other)")
        }
        // A word of one field counts in that field, and a last word of one field is completed from it.
        let inTitle = try CLI.json(try CLI.run(["suggest", "title.en:coral re", "--index", index, "--json"]).stdout)
        #expect((((inTitle["completions"] as? [[String: Any]]) ?? []).first?["word"] as? String)?.hasPrefix("reef") == true, "\(inTitle)")
        let titleWord = try CLI.json(try CLI.run(["suggest", "coral title.en:re", "--index", index, "--json"]).stdout)
        let titleTexts = ((titleWord["completions"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }
        #expect(!titleTexts.isEmpty && titleTexts.allSatisfy { $0.hasPrefix("coral title.en:re") }, "\(titleTexts)")
        let excluded = try CLI.json(try CLI.run(["suggest", "coral -re", "--index", index, "--json"]).stdout)
        let texts = ((excluded["completions"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }
        #expect(!texts.isEmpty && texts.allSatisfy { $0.hasPrefix("coral -re") }, "\(texts)")
        // Arabic completions are spelled as records write them, not as the index folds them.
        let arabic = try CLI.json(try CLI.run(["suggest", "حماي", "--index", index, "--json"]).stdout)
        let arabicWords = ((arabic["completions"] as? [[String: Any]]) ?? []).compactMap { $0["word"] as? String }
        #expect(arabicWords.contains("حماية") && !arabicWords.contains("حمايه"), "\(arabicWords)")
        // A word of two scripts typed without a space is completed too, as typed (DNA监 -> DNA监测).
        let mixed = try CLI.json(try CLI.run(["suggest", "DNA监", "--index", index, "--json"]).stdout)
        let mixedWords = ((mixed["completions"] as? [[String: Any]]) ?? []).compactMap { $0["word"] as? String }
        #expect(mixedWords.first == "DNA监测", "\(mixedWords)")
        // ...and shows the records it would find, though no title has the word (a course's
        // text says DNA监测).
        let mixedTitles = ((mixed["titles"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        #expect(mixedTitles.contains("a-train-edna-course-wuhan"), "\(mixed)")
        // A Chinese run longer than a pair finds the titles that have it.
        let porpoise = try CLI.json(try CLI.run(["suggest", "长江江豚", "--index", index, "--json"]).stdout)
        #expect(!((porpoise["titles"] as? [Any]) ?? []).isEmpty, "\(porpoise)")
    }
}

/// A search never writes: on an index that lags its catalog it answers from the last commit
/// and says so (issue 14's rule, needed by every long-lived front end).
@Suite("A search on a lagging index")
struct StaleIndexTests {
    func segmentFiles(_ index: String) throws -> [String: Data] {
        let directory = index + "/segments"
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name != "write.lock" {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))
        }
        return files
    }

    @Test func answersFromTheLastCommitSaysSoAndLeavesTheIndexAsItIs() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let first = directory.path("first.jsonl")
        let second = directory.path("second.jsonl")
        try #"{"id": "a", "kind": "resource", "title": "Peat bog survey"}"#.write(toFile: first, atomically: true, encoding: .utf8)
        try #"{"id": "b", "kind": "resource", "title": "Peat swamp forest"}"#.write(toFile: second, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["ingest", first, "--index", index, "--quiet"]).status == 0)
        // Killed right after the catalog committed the second file, before the index did.
        let killed = try CLI.run(["ingest", second, "--index", index, "--quiet"], environment: ["CHM_TEST_FAULT": "kill@catalog.after-commit#1"])
        #expect(killed.status == SIGKILL, "\(killed.stderr)")
        let before = try segmentFiles(index)
        let search = try CLI.run(["search", "peat", "--index", index, "--json"])
        let found = try CLI.json(search.stdout)
        #expect(found["stale"] as? Bool == true)
        #expect(((found["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String } == ["a"])
        #expect(search.stderr.contains("warning: the index is behind the catalog"), "\(search.stderr)")
        // (Operations QA: similar records and matches, found in the same commit, said nothing.)
        for command in [["similar", "a"], ["match", "a"], ["match", "--text", "peat survey"]] {
            let other = try CLI.run(command + ["--index", index, "--json"])
            #expect(try CLI.json(other.stdout)["stale"] as? Bool == true, "\(command): \(other.stdout.prefix(300))")
            #expect(other.stderr.contains("warning: the index is behind the catalog"), "\(command): \(other.stderr)")
        }
        #expect(try segmentFiles(index) == before)
        // The next writer catches up.
        #expect(try CLI.run(["ingest", first, "--index", index, "--quiet"]).status == 0)
        let caught = try CLI.json(try CLI.run(["search", "peat", "--index", index, "--json"]).stdout)
        #expect(caught["stale"] == nil)
        #expect(Set(((caught["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }) == ["a", "b"])
    }
}
