// Word forms: the words as written kept beside the stems, for prefix queries (`pollinat*`) and
// completions. Analysis gives them, segments store them, merges keep them, and damage to them
// is reported as damage.
import Foundation
import Testing

@testable import SearchCore

@Suite("Word forms: prefixes and completions on words as written")
struct WordFormTests {
    static let english = Schema(textFields: [
        Schema.TextField("title", analyzer: LanguageAnalyzer.forLanguage("en"), weight: 2),
        Schema.TextField("body", analyzer: LanguageAnalyzer.forLanguage("en")),
    ])

    static func document(_ key: String, title: String = "", body: String = "") -> Document {
        Document(key: key, text: ["title": [title], "body": [body]])
    }

    static func keys(_ searcher: IndexSearcher, _ query: Query) throws -> Set<String> {
        Set(try searcher.search(query, options: SearchOptions(limit: 100)).hits.map(\.key))
    }

    /// The segment files of the index in `directory`.
    static func segmentFiles(_ directory: ScratchDirectory) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory.url, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "seg" }.sorted { $0.path < $1.path }
    }

    /// Section `id`'s offset and length in the segment file `bytes` (from its table).
    static func section(_ id: SectionID, in bytes: [UInt8]) -> (offset: Int, length: Int)? {
        func integer(_ offset: Int, _ size: Int) -> Int {
            (0..<size).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        }
        let table = integer(bytes.count - SegmentFileFormat.footerSize, 8)
        for entry in 0..<integer(table, 4) {
            let start = table + 4 + entry * 24
            if integer(start, 4) == Int(id.rawValue) { return (integer(start + 4, 8), integer(start + 12, 8)) }
        }
        return nil
    }

    @Test func analyzersGiveTheWordAsWrittenWhenTheTermIsNotIt() throws {
        let english = LanguageAnalyzer.forLanguage("en").tokens("Pollinators visit the forest")
        #expect(english.map(\.term) == ["pollin", "visit", "forest"])
        #expect(english.map(\.form) == ["pollinators", nil, nil])
        // Accents are kept in the form, folded in the term; the unaccented spelling's stem
        // (an alternative at the same position) has the same form.
        let french = LanguageAnalyzer.forLanguage("fr").tokens("la forêt")
        #expect(french.map(\.term) == ["foret"])
        #expect(french.map(\.form) == ["forêt"])
        // ё is written е in forms too (what the stemmer sees).
        let russian = LanguageAnalyzer.forLanguage("ru").tokens("ёлки")
        #expect(russian.first?.form == "елки")
        #expect(LanguageAnalyzer.forLanguage("ru").normalizedWord("ЁЛКИ") == "елки")
        // Hyphenated compounds: the joined word's stem, written as the compound is (QA:
        // completions offered `communitybased`, a word no record writes).
        let compound = LanguageAnalyzer.forLanguage("en").tokens("agro-forestry")
        #expect(compound.contains { $0.term == "agroforestri" && $0.form == "agro-forestry" })
        #expect(LanguageAnalyzer.forLanguage("fr").tokens("Éco‑tourisme").contains { $0.term == "ecotour" && $0.form == "éco-tourisme" })
        // No stemming, no forms.
        #expect(StandardAnalyzer().tokens("Pollinators 红树林").allSatisfy { $0.form == nil })
        #expect(LanguageAnalyzer.forLanguage("zh").tokens("红树林 pollinators").allSatisfy { $0.form == nil })
    }

    /// Indexing takes the tokens straight from the analysis pass (no Token array); they are
    /// the tokens ``Analyzer/indexedTokens(_:)`` gives, forms included, compounds and alternatives too.
    @Test func theIndexingPassGivesWhatTokensGives() {
        let texts = [
            "en": "Agro-forestry and agro-ecology: pollinators' corridors, well-being of bee-keepers; X-rays",
            "fr": "La restauration des forêts dégradées, l'éco-tourisme et les arbres-refuges d'été",
            "es": "Restauración de manglares y agro-silvicultura en áreas protegidas",
            "ru": "Восстановление лесов, ёлки и лесо-степь",
            "ar": "استعادة الغابات والغابة في المناطق المحمية",
            "zh": "红树林保护 and pollinators",
        ]
        for (language, text) in texts {
            guard let analyzer = LanguageAnalyzer(language: language) else {
                Issue.record("no analyzer for \(language)")
                continue
            }
            let expected = analyzer.indexedTokens(text)
            var tokens: [(term: String, position: Int)] = [("x", 0)]
            var packed = WordFormList()
            let last = analyzer.appendTokens(text, positionBase: 10, to: &tokens, forms: &packed)
            var forms: [(form: String, token: Int)] = []
            packed.forEach { token, form in forms.append((String(decoding: form, as: UTF8.self), token)) }
            #expect(tokens.dropFirst().map(\.term) == expected.map(\.term), "\(language)")
            #expect(tokens.dropFirst().map(\.position) == expected.map { $0.position + 10 }, "\(language)")
            #expect(last == expected.map(\.position).max() ?? -1)
            let expectedForms = expected.enumerated().compactMap { index, token in token.form.map { "\($0)@\(index + 1)" } }
            #expect(forms.map { "\($0.form)@\($0.token)" } == expectedForms, "\(language)")
            #expect(expected.allSatisfy { $0.form != $0.term })
        }
        #expect(LanguageAnalyzer.forLanguage("en").tokens("agro-forestry").map(\.term) == ["agro", "forestri", "agroforestri"])
        // The standard analyzer's indexing pass too.
        let standard = StandardAnalyzer(stopWords: ["the"])
        for text in texts.values {
            var tokens: [(term: String, position: Int)] = []
            let last = standard.appendTokens(text + " the", positionBase: 3, to: &tokens)
            let expected = standard.indexedTokens(text + " the")
            #expect(tokens.map(\.term) == expected.map(\.term))
            #expect(tokens.map(\.position) == expected.map { $0.position + 3 })
            #expect(last == expected.map(\.position).max() ?? -1)
        }
    }

    @Test func aPrefixMatchesWordsAsWrittenNotOnlyTheirStems() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: Self.english)
        try writer.add(Self.document("singular", title: "A pollinator survey"))
        try writer.add(Self.document("plural", body: "Wild pollinators in orchards"))
        try writer.add(Self.document("process", title: "Pollination services"))
        try writer.add(Self.document("pollen", body: "Pollen counts"))
        try writer.add(Self.document("other", body: "Orchards and meadows"))
        // A compound comes after its parts (its tokens are out of order): its forms too.
        try writer.add(Self.document("compound", body: "Bee-keepers count wild pollinators"))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: Self.english)
        // The stem is `pollin`, which does not start with `pollinat`.
        #expect(LanguageAnalyzer.forLanguage("en").terms("pollinators pollination") == ["pollin", "pollin"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "pollinat")) == ["singular", "plural", "process", "compound"])
        // (Per field: only the body has a word starting with `pollinators`.)
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "Pollinators")) == ["plural", "compound"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "poll")) == ["singular", "plural", "process", "pollen", "compound"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "beekeeper")) == ["compound"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "keeper")) == ["compound"])
        #expect(try Self.keys(searcher, .prefix(field: "title", prefix: "pollinat")) == ["singular", "process"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "pollinatx")).isEmpty)
        // Labels name the term searched.
        let explained = try searcher.search(.prefix(field: nil, prefix: "pollinat"), options: SearchOptions(explain: true))
        #expect(explained.hits.first?.explanation?.description.contains("pollin (from pollinat*)") == true)
        // The reader's view: forms in form order with their terms, from the prefix's range.
        let reader = try #require(searcher.segments.first?.reader)
        #expect(try reader.wordForms(field: 1, prefix: "pollinat").map { "\($0.form)>\($0.term)" } == ["pollinators>pollin"])
        #expect(try reader.wordForms(field: 0, prefix: "pollinat").map { "\($0.form)>\($0.term)" } == ["pollination>pollin", "pollinator>pollin"])
        #expect(try reader.wordForms(field: 0, prefix: "pollinat", limit: 1).count == 1)
        #expect(try reader.wordForms(field: 0, prefix: "x").isEmpty)
        #expect(try reader.wordForms(field: 7, prefix: "p").isEmpty)
    }

    @Test func frenchRussianAndArabicPrefixesMatchWordsAsWritten() throws {
        let schema = Schema(textFields: ["fr", "ru", "ar"].map { Schema.TextField("body.\($0)", analyzer: LanguageAnalyzer.forLanguage($0)) })
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(Document(key: "fr", text: ["body.fr": ["La restauration des forêts dégradées"]]))
        try writer.add(Document(key: "ru", text: ["body.ru": ["Восстановления лесов и ёлки"]]))
        try writer.add(Document(key: "ar", text: ["body.ar": ["استعادة الغابات"]]))
        try writer.commit()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        // French: the stem `restaur` already matched `restaur*`; `restauratio*` needs the form.
        #expect(LanguageAnalyzer.forLanguage("fr").terms("restauration") == ["restaur"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "restaur")) == ["fr"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "restauratio")) == ["fr"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "forêt")) == ["fr"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "dégradé")) == ["fr"])
        // Typed without accents past the stem (`forets*`: the form is `forêts`, the stem
        // `foret`): the prefix read as a word gives the unaccented stem, which the accented
        // word shares (a past session's leftover: such prefixes found nothing). A prefix that
        // starts no word at all still finds nothing.
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "forets")) == ["fr"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "degradees")) == ["fr"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "forestier")).isEmpty)
        // With its accents too: a whole word that no word starts with (`dégradés*`, written
        // `dégradées`; QA's `récifs*` found nothing where `récif*` did) is read as that word.
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "dégradés")) == ["fr"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "restaurations")) == ["fr"])
        // Only a single word: a prefix of two words (or of a CJK run's pairs) is not read as
        // its pieces (review: `agro-zzz*` matched every record with `agro`).
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "forêts-zzz")).isEmpty)
        // Russian: a prefix longer than the stem, and `ё` typed for the `е` of forms.
        let russianStem = try #require(LanguageAnalyzer.forLanguage("ru").terms("восстановления").first)
        #expect(!russianStem.hasPrefix("восстановлени"))
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "восстановлени")) == ["ru"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "Ёлки")) == ["ru"])
        // Arabic: the word as written (with its article) is longer than its stems.
        let word = "الغابات"
        let prefix = String(word.unicodeScalars.dropLast().map(Character.init))
        let arabicTerms = LanguageAnalyzer.forLanguage("ar").terms(word)
        #expect(!arabicTerms.isEmpty && arabicTerms.allSatisfy { !$0.hasPrefix(prefix) })
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: prefix)) == ["ar"])
        #expect(try Self.keys(searcher, .prefix(field: "body.ar", prefix: word)) == ["ar"])
    }

    @Test func formsSurviveMergesAndReopeningAndDropTermsNoDocumentHasAnyMore() throws {
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: Self.english)
        try writer.add(Self.document("a", title: "Pollinators and forests"))
        try writer.commit()
        try writer.add(Self.document("b", body: "Pollination of orchards by zebras"))
        try writer.add(Self.document("e", body: "Meadows"))
        try writer.commit()
        try writer.add(Self.document("c", body: "A forest of pollinator hotels"))
        try writer.add(Self.document("d", body: "Zebras"))
        try writer.commit()
        #expect(writer.segmentCount == 3)
        writer.delete(key: "b")
        writer.delete(key: "d")
        try writer.forceMerge()
        #expect(writer.segmentCount == 1)
        writer.close()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: Self.english)
        #expect(searcher.segmentCount == 1)
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "pollinat")) == ["a", "c"])
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "meadows")) == ["e"])
        let reader = try #require(searcher.segments.first?.reader)
        // `pollination` (its term lives on in `a` and `c`) stays; `zebras` (term `zebra`, in
        // deleted documents only) is gone.
        let bodyForms = try reader.wordForms(field: 1, prefix: "").map(\.form)
        #expect(bodyForms == ["hotels", "meadows", "pollination", "pollinator"])
        #expect(try reader.wordForms(field: 0, prefix: "").map(\.form) == ["forests", "pollinators"])
        // Stems only (`pollin`, `hotel`) are marked; `forest` is a word of its own in `c`'s body
        // but only a stem in the title; `orchard` went with `b`.
        var marked: [String] = []
        for field in 0..<2 {
            try reader.forEachWordForm(field: field, prefix: []) { key, entry, _ in
                if entry.isStemOnly { marked.append("\(field):" + String(decoding: key[2...], as: UTF8.self)) }
                return true
            }
        }
        #expect(marked == ["0:forest", "0:pollin", "1:hotel", "1:meadow", "1:pollin"])
        #expect(try searcher.completions(prefix: "fores").map(\.word) == ["forest", "forests"])
    }

    @Test func completionsRankWordsByLiveDocumentsAndDedupeAcrossSegmentsAndFields() throws {
        let schema = Schema(textFields: [
            Schema.TextField("title.en", analyzer: LanguageAnalyzer.forLanguage("en")),
            Schema.TextField("body.en", analyzer: LanguageAnalyzer.forLanguage("en")),
            Schema.TextField("title.zh", analyzer: LanguageAnalyzer.forLanguage("zh")),
        ])
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(Document(key: "1", text: ["title.en": ["Pollinators"], "body.en": ["pollinators and pollen"]]))
        try writer.add(Document(key: "2", text: ["body.en": ["pollination"]]))
        try writer.commit()
        try writer.add(Document(key: "3", text: ["body.en": ["pollinators, polar bears"]]))
        try writer.add(Document(key: "4", text: ["body.en": ["polar ice"], "title.zh": ["红树林"]]))
        try writer.add(Document(key: "5", text: ["body.en": ["polar"], "title.zh": ["红树"]]))
        try writer.commit()
        #expect(writer.segmentCount == 2)
        writer.close()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        // `pollinators`, `pollination` and the stem `pollin` share documents 1, 2, 3: a
        // search for any of them finds those three. `polar` is in 3, 4, 5. `pollen` in 1.
        // The stem itself is no word. One word per term comes first: `pollinators`, a second
        // form of `pollin`, after `pollen`.
        let completions = try searcher.completions(prefix: "Pol")
        #expect(completions.map(\.word) == ["polar", "pollination", "pollen", "pollinators"])
        #expect(completions.map(\.documentFrequency) == [3, 3, 1, 3])
        #expect(completions.map(\.term) == ["polar", "pollin", "pollen", "pollin"])
        #expect(try searcher.completions(prefix: "pol", limit: 2).map(\.word) == ["polar", "pollination"])
        // Counted with the words before them: only document 3 has `bears`, with `polar` and
        // `pollinators` (the term of `pollination` too); a context that nothing matches counts 0.
        #expect(try searcher.documentCounts(of: completions, matching: .term(field: nil, text: "bears")) == [1, 1, 0, 1])
        #expect(try searcher.documentCounts(of: completions, matching: .term(field: nil, text: "ice")) == [1, 0, 0, 0])
        #expect(try searcher.documentCounts(of: completions, matching: .term(field: nil, text: "zzz")) == [0, 0, 0, 0])
        #expect(try searcher.completions(prefix: "pollinat", fields: ["title"]).map(\.word) == ["pollinators"])
        #expect(try searcher.completions(prefix: "pollinat", fields: ["title"]).map(\.documentFrequency) == [1])
        // Words of a field without stemming are their terms: CJK bigrams.
        #expect(try searcher.completions(prefix: "红").map(\.word) == ["红树"])
        #expect(try searcher.completions(prefix: "红").map(\.documentFrequency) == [2])
        // A longer CJK prefix is completed by its last character's pairs (`红树` + `树林`).
        #expect(try searcher.completions(prefix: "红树").map(\.word) == ["红树林"])
        #expect(try searcher.completions(prefix: "zzz").isEmpty)
        #expect(try searcher.completions(prefix: "pol", limit: 0).isEmpty)
        #expect(throws: IndexError.self) { try searcher.completions(prefix: "pol", fields: ["colour"]) }

        // Deleted documents do not count.
        let rewriter = try IndexWriter(directory: directory.url, schema: schema)
        rewriter.delete(key: "4")
        rewriter.delete(key: "5")
        try rewriter.commit()
        rewriter.close()
        let after = try IndexSearcher.open(directory: directory.url, schema: schema)
        let remaining = try after.completions(prefix: "pol")
        #expect(remaining.map(\.word) == ["pollination", "polar", "pollen", "pollinators"])
        #expect(remaining.map(\.documentFrequency) == [3, 1, 1, 3])
        #expect(try after.completions(prefix: "红").isEmpty)
    }

    @Test func aDamagedFormSectionIsReportedAsCorrupt() throws {
        for damaged in [SectionID.formIndex, .formBlocks] {
            let directory = ScratchDirectory()
            let writer = try IndexWriter(directory: directory.url, schema: Self.english)
            for doc in 0..<200 {
                try writer.add(Self.document("\(doc)", body: "pollinators number\(doc)s visiting meadows"))
            }
            try writer.commit()
            writer.close()
            let file = try #require(try Self.segmentFiles(directory).first)
            var bytes = Array(try Data(contentsOf: file))
            let section = try #require(Self.section(damaged, in: bytes))
            #expect(section.length > 0)
            bytes[section.offset + section.length / 2] ^= 0x5A
            try Data(bytes).write(to: file)
            let searcher = try IndexSearcher.open(directory: directory.url, schema: Self.english)
            #expect(searcher.verifyChecksums().contains { $0.contains("checksum mismatch in section \(damaged)") })
            if damaged == .formIndex {
                // Loaded when first needed, and checked then.
                #expect(try !Self.keys(searcher, .term(field: nil, text: "meadows")).isEmpty)
                let error = #expect(throws: IndexError.self) { try searcher.search(.prefix(field: nil, prefix: "pollinat")) }
                #expect(error?.code == .corrupt)
                #expect(throws: IndexError.self) { try searcher.completions(prefix: "poll") }
            }
        }
    }

    @Test func anIndexWithoutStemmedFieldsHasNoForms() throws {
        let schema = Schema(
            textFields: [Schema.TextField("title"), Schema.TextField("body.zh", analyzer: LanguageAnalyzer.forLanguage("zh"))],
            keywordFields: ["kind"])
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: schema)
        try writer.add(Document(key: "a", text: ["title": ["Pollinators and forests"], "body.zh": ["红树林保护"]], keywords: ["kind": ["x"]]))
        try writer.add(Document(key: "b", text: ["title": ["Pollination"]]))
        try writer.commit()
        writer.close()
        let file = try #require(try Self.segmentFiles(directory).first)
        let bytes = Array(try Data(contentsOf: file))
        #expect(Self.section(.formIndex, in: bytes) == nil)
        #expect(Self.section(.formBlocks, in: bytes) == nil)
        #expect(Self.section(.termBlocks, in: bytes) != nil)
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        let reader = try #require(searcher.segments.first?.reader)
        #expect(try reader.wordFormDictionary().indexKeys.isEmpty)
        #expect(try reader.wordForms(field: 0, prefix: "").isEmpty)
        // Prefixes match the terms, which are the words: completions are the terms.
        #expect(try Self.keys(searcher, .prefix(field: nil, prefix: "pollinat")) == ["a", "b"])
        #expect(try searcher.completions(prefix: "pollinat").map(\.word) == ["pollination", "pollinators"])
    }

    /// The Levenshtein walk over word forms finds what a filter of every form finds.
    @Test func levenshteinWalkOverFormsMatchesAFilter() throws {
        let words = [
            "pollinators", "pollination", "pollinated", "pollinating", "gardens", "gardening", "gardeners", "wardens",
            "forests", "forested", "forestry", "restoring", "restored", "studies", "studying", "communities",
        ]
        var random = SeededGenerator(seed: 11)
        let directory = ScratchDirectory()
        let writer = try IndexWriter(directory: directory.url, schema: Self.english)
        for doc in 0..<60 {
            let text = (0..<5).map { _ in words[Int.random(in: 0..<words.count, using: &random)] }.joined(separator: " ")
            try writer.add(Self.document("\(doc)", body: text))
        }
        try writer.forceMerge()
        writer.close()
        let searcher = try IndexSearcher.open(directory: directory.url, schema: Self.english)
        let reader = try #require(searcher.segments.first?.reader)
        let all = try reader.wordForms(field: 1, prefix: "")
        #expect(all.count > 10)
        for word in ["gardners", "pollinaton", "forrests", "studys", "x", ""] {
            for maxDistance in 0...2 {
                let automaton = LevenshteinAutomaton(word, maxDistance: maxDistance)
                let expected = all.compactMap { pair in automaton.distance(of: pair.form).map { "\(pair.form) \($0) \(pair.term)" } }
                let found = try reader.wordForms(field: 1, within: automaton).map { "\($0.form) \($0.distance) \($0.term)" }
                #expect(found == expected, "\(word) \(maxDistance)")
            }
        }
        #expect(try reader.wordForms(field: 1, within: LevenshteinAutomaton("gardners", maxDistance: 1)).map(\.form) == ["gardeners"])
    }
}

/// A field's length counts positions, not the tokens stacked at one: a joined compound (which
/// comes after its parts, at the first part's position) and the unaccented alternative of a
/// word count once (review: the compound, out of order, was counted again).
@Test func fieldLengthsCountPositionsNotStackedTokens() throws {
    let schema = Schema(textFields: [Schema.TextField("body", analyzer: LanguageAnalyzer.forLanguage("en"))])
    let directory = ScratchDirectory()
    let writer = try IndexWriter(directory: directory.url, schema: schema)
    // agro(0) forestri(1) agroforestri(0) · is (a stop word: its position, no token) · good(3);
    // São(4) and its unaccented sao(4).
    try writer.add(Document(key: "a", text: ["body": ["agro-forestry is good São"]]))
    try writer.commit()
    let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
    let segment = try #require(searcher.segments.first)
    #expect(segment.reader.length(field: 0, doc: 0) == 4)
}

/// Operations QA: a merged segment stored a 4-byte length for every document in every field
/// any of them uses, so a few multilingual records made an English index half as large again
/// after `optimize`. Each field's lengths take the narrowest width that holds its longest (1,
/// 2 or 4 bytes), in flushed and merged segments alike, and read back exactly.
@Test func fieldLengthsAreStoredNarrowAndReadBackExactly() throws {
    let schema = Schema(textFields: ["title", "body", "rare"].map { Schema.TextField($0, analyzer: LanguageAnalyzer.forLanguage("en")) })
    let directory = ScratchDirectory()
    let writer = try IndexWriter(directory: directory.url, schema: schema)
    let long = Array(repeating: "wetland", count: 70_000).joined(separator: " ")  // past 65,535: 4 bytes
    let medium = Array(repeating: "mangrove", count: 300).joined(separator: " ")  // past 255: 2 bytes
    var expected: [String: [UInt32]] = [:]
    for number in 0..<40 {
        let body = number == 7 ? long : number % 5 == 0 ? medium : "coastal wetland number"
        var text = ["title": ["Record title"], "body": [body]]
        if number == 3 { text["rare"] = ["seagrass meadow"] }
        try writer.add(Document(key: "d\(number)", text: text))
        expected["d\(number)"] = [2, number == 7 ? 70_000 : number % 5 == 0 ? 300 : 3, number == 3 ? 2 : 0]
        if number % 10 == 9 { try writer.commit() }  // four segments
    }
    func check(_ label: String) throws {
        let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
        for segment in searcher.segments {
            for doc in 0..<segment.reader.documentCount {
                let key = segment.reader.key(doc)
                let lengths = (0..<3).map { segment.reader.length(field: $0, doc: doc) }
                #expect(lengths == expected[key], "\(label): \(key)")
            }
        }
    }
    try check("flushed")
    try writer.forceMerge()
    try check("merged")
    let searcher = try IndexSearcher.open(directory: directory.url, schema: schema)
    let segment = try #require(searcher.segments.first)
    // title 1 byte, body 4 bytes (one long document), rare 1 byte: 40 × 6 bytes.
    #expect(segment.reader.lengthSectionBytes == 40 * 6)
}
