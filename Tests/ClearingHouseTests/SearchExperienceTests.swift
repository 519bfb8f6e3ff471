import Foundation
import Testing

@testable import ClearingHouse

/// Filters, facets, snippets, languages, sorting, matchmaking and concurrent use.
@Suite("Search experience")
struct SearchExperienceTests {
    static let records: String = {
        let kinds: [RecordKind] = [.technology, .bestPractice, .caseStudy, .training, .funding]
        let countries = [["KE"], ["TZ"], ["KE", "TZ"], ["CN"], ["VN"], ["BR"], []]
        let themes = [["forests"], ["marine"], ["forests", "monitoring"], ["freshwater"], []]
        var lines: [String] = []
        for index in 0..<60 {
            let kind = kinds[index % kinds.count]
            let country = countries[index % countries.count]
            let theme = themes[index % themes.count]
            let year = 2010 + index % 12
            let word = index % 3 == 0 ? "mangrove" : (index % 3 == 1 ? "wetland" : "grassland")
            var object: [String: Any] = [
                "id": String(format: "r%02d", index), "kind": kind.rawValue,
                "title": ["en": "\(word.capitalized) project number \(index)"],
                "summary": ["en": "A project about \(word) restoration with local communities in the area."],
                "countries": country, "themes": theme, "published": "\(year)-0\(1 + index % 9)",
            ]
            if index % 10 == 0 { object["title"] = ["en": "Mangrove nursery \(index)", "fr": "Pépinière de mangrove \(index)"] }
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            lines.append(String(decoding: data ?? Data(), as: UTF8.self))
        }
        return lines.joined(separator: "\n")
    }()

    static func house(_ directory: TemporaryDirectory) throws -> ClearingHouse {
        let house = try directory.house()
        try house.ingest([try directory.write("records.jsonl", records)])
        return house
    }

    /// All records, for brute-force checks.
    static func all(_ house: ClearingHouse) throws -> [Record] {
        var records: [Record] = []
        try house.export(format: .jsonl) { line in records.append(try Record(storedJSON: String(line.dropLast()))) }
        return records
    }

    @Test(arguments: [
        SearchFilters(countries: ["KE"]),
        SearchFilters(countries: ["KE", "tz"]),
        SearchFilters(kinds: [.technology, .training], countries: ["KE", "CN"]),
        SearchFilters(themes: ["forests"], since: "2015"),
        SearchFilters(since: "2012", until: "2014"),
        SearchFilters(fields: ["language": ["fr"]]),
        SearchFilters(kinds: [.funding], themes: ["marine", "freshwater"]),
    ])
    func filtersEqualABruteForceFilter(filters: SearchFilters) throws {
        try withTemporaryDirectory { directory in
            let house = try Self.house(directory)
            for query in ["", "mangrove", "restoration"] {
                let response = try house.search(SearchRequest(query: query, filters: filters, limit: 100, countTotal: true))
                let expected = try Self.all(house).filter { record in
                    let text = (record.title.values.values.joined(separator: " ") + " " + record.summary.values.values.joined(separator: " ")).lowercased()
                    guard query.isEmpty || text.contains(query) else { return false }
                    if !filters.kinds.isEmpty, !filters.kinds.contains(record.kind) { return false }
                    if !filters.countries.isEmpty, Set(filters.countries.map { $0.uppercased() }).isDisjoint(with: record.countries) { return false }
                    if !filters.themes.isEmpty, Set(filters.themes).isDisjoint(with: record.themes) { return false }
                    if let since = filters.since, (record.published ?? "") < since { return false }
                    if let until = filters.until, let published = record.published, published > until, !published.hasPrefix(until) { return false }
                    if let languages = filters.fields["language"], Set(languages).isDisjoint(with: record.textLanguages) { return false }
                    return true
                }
                #expect(Set(response.hits.map(\.id)) == Set(expected.map(\.id)), "\(query) \(filters)")
                #expect(response.total == expected.count)
            }
        }
    }

    @Test func facetCountsEqualBruteForceCountsWithTheirOwnFilterRemoved() throws {
        try withTemporaryDirectory { directory in
            let house = try Self.house(directory)
            let filters = SearchFilters(kinds: [.technology], countries: ["KE"])
            let response = try house.search(
                SearchRequest(query: "project", filters: filters, facets: ["kind", "country", "theme", "year"]))
            let records = try Self.all(house)
            // kind counts: records in KE (country filter applies, kind filter removed).
            var kinds: [String: Int] = [:]
            for record in records where record.countries.contains("KE") { kinds[record.kind.rawValue, default: 0] += 1 }
            #expect(response.facets["kind"] == kinds)
            var countries: [String: Int] = [:]
            for record in records where record.kind == .technology {
                for country in record.countries { countries[country, default: 0] += 1 }
            }
            #expect(response.facets["country"] == countries)
            var themes: [String: Int] = [:]
            var years: [String: Int] = [:]
            for record in records where record.kind == .technology && record.countries.contains("KE") {
                for theme in record.themes { themes[theme, default: 0] += 1 }
                years[String(record.published?.prefix(4) ?? ""), default: 0] += 1
            }
            #expect(response.facets["theme"] == themes)
            #expect(response.facets["year"] == years)
        }
    }

    @Test func emptyQueryListsFilteredRecordsNewestFirst() throws {
        try withTemporaryDirectory { directory in
            let house = try Self.house(directory)
            let response = try house.search(SearchRequest(query: "", filters: SearchFilters(countries: ["TZ"]), limit: 100))
            let published = try response.hits.map { try #require(try house.record(id: $0.id)?.published) }
            #expect(!published.isEmpty)
            #expect(published == published.sorted(by: >))
        }
    }

    @Test func snippetsShowTheMatchedWordsInTheShownLanguage() throws {
        try withTemporaryDirectory { directory in
            let house = try Self.house(directory)
            let response = try house.search(SearchRequest(query: "restoration", limit: 3))
            let snippet = try #require(response.hits.first?.snippet)
            #expect(snippet.marked().contains("<mark>restoration</mark>"))
            let characters = Array(snippet.text)
            for range in snippet.highlights {
                #expect(String(characters[range]).lowercased() == "restoration")
            }
            // Titles in the asked language, falling back to English.
            let french = try house.search(SearchRequest(query: "mangrove", filters: SearchFilters(fields: ["language": ["fr"]]), language: "fr"))
            #expect(french.hits.allSatisfy { $0.title.hasPrefix("Pépinière") && $0.language == "fr" })
            let spanish = try house.search(SearchRequest(query: "nursery", language: "es"))
            #expect(spanish.hits.allSatisfy { $0.language == "en" })
        }
    }

    /// The passage is taken from the shown language's text when the record has one (a French
    /// title over an English snippet, marked `lang="fr"`, was a QA finding), and is analyzed
    /// with that language's analyzer.
    @Test func theSnippetIsInTheShownLanguageWhenTheRecordHasIt() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let record = #"{"id": "b1", "kind": "caseStudy", "title": {"en": "Bison return", "fr": "Retour du bison"}, "#
                + #""summary": {"en": "Camera traps follow the bison herd."}, "#
                + #""description": {"fr": "Des pièges photographiques suivent le troupeau de bisons."}}"#
            try house.ingest([try directory.write("b.json", record)])
            let french = try house.search(SearchRequest(query: "bison", language: "fr"))
            let hit = try #require(french.hits.first)
            #expect(hit.language == "fr")
            #expect(hit.snippet?.language == "fr" && hit.snippet?.text.contains("troupeau de bisons") == true, "\(String(describing: hit.snippet))")
            let english = try house.search(SearchRequest(query: "bison", language: "en"))
            #expect(english.hits.first?.snippet?.language == "en" && english.hits.first?.snippet?.text.contains("bison herd") == true)
        }
    }

    /// Without a language asked for, a hit is shown in the language it matched in, unless the
    /// query is typed in another script (a QA pass found `eDNA` answered with a Chinese title
    /// although the record has an English one).
    @Test func aHitIsShownInALanguageOfTheQuerysScript() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let record = #"{"id": "d1", "kind": "technology", "title": {"en": "River fish survey", "zh": "河流鱼类调查"}, "#
                + #""summary": {"zh": "利用eDNA监测鱼类。"}}"#
            try house.ingest([try directory.write("d.json", record)])
            #expect(try house.search(SearchRequest(query: "eDNA")).hits.first?.title == "River fish survey")
            #expect(try house.search(SearchRequest(query: "eDNA", language: "zh")).hits.first?.title == "河流鱼类调查")
            #expect(try house.search(SearchRequest(query: "鱼类")).hits.first?.title == "河流鱼类调查")
            // A Chinese query that matched Chinese keywords of the English text: shown in Chinese.
            let keyworded = #"{"id": "d2", "kind": "technology", "language": "en", "title": {"en": "Drone mapping", "zh": "测绘"}, "#
                + #""keywords": ["无人机"], "summary": {"en": "Mapping with drones."}}"#
            try house.ingest([try directory.write("d2.json", keyworded)])
            #expect(try house.search(SearchRequest(query: "无人机")).hits.first?.title == "测绘")
        }
    }

    @Test func chineseSnippetsCutOnCharacterBoundaries() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let summary = String(repeating: "长江中下游的湿地保护工作需要社区参与。", count: 10) + "江豚是长江的旗舰物种。" + String(repeating: "监测工作持续进行。", count: 10)
            try house.ingest([
                try directory.write(
                    "r.json", #"{"id": "zh", "kind": "caseStudy", "title": {"zh": "江豚保护"}, "summary": {"zh": "\#(summary)"}}"#)
            ])
            let hit = try #require(try house.search(SearchRequest(query: "江豚")).hits.first)
            let snippet = try #require(hit.snippet)
            #expect(snippet.language == "zh")
            #expect(snippet.marked().contains("<mark>江豚</mark>"))
            #expect(snippet.text.unicodeScalars.count <= SnippetBuilder.maximumLength + 2)
            #expect(summary.contains(snippet.text.trimmingCharacters(in: CharacterSet(charactersIn: "…"))))
        }
    }

    /// A Chinese query of one character (`鱼`, fish) finds the records that have it inside a
    /// word (`鱼类`), highlighted; it found only records where it stood alone. An index of the
    /// format before (no characters indexed) is rebuilt from the catalog on its own.
    @Test func oneChineseCharacterFindsItInsideWordsAndOldIndexesAreRebuilt() throws {
        try withTemporaryDirectory { directory in
            var house = try directory.house()
            try house.ingest([
                try directory.write(
                    "r.jsonl",
                    #"{"id": "fish", "kind": "caseStudy", "title": {"zh": "湄公河鱼类网络"}, "summary": {"zh": "监测鱼类洄游。"}}"#
                        + "\n" + #"{"id": "crane", "kind": "caseStudy", "title": {"zh": "黑颈鹤越冬"}}"#)
            ])
            let hit = try #require(try house.search(SearchRequest(query: "鱼")).hits.first)
            #expect(hit.id == "fish")
            #expect(try house.search(SearchRequest(query: "鱼")).hits.count == 1)
            #expect(hit.snippet?.marked().contains("<mark>鱼</mark>") == true)
            // The manifest of an index of format 6, as the last version wrote it.
            let segments = directory.path("index/segments")
            let manifests = try FileManager.default.contentsOfDirectory(atPath: segments).filter { $0.hasPrefix("manifest-") }
            for name in manifests {
                let path = segments + "/" + name
                let text = try String(contentsOfFile: path, encoding: .utf8)
                try text.replacingOccurrences(of: #""formatVersion" : 8"#, with: #""formatVersion" : 6"#)
                    .write(toFile: path, atomically: true, encoding: .utf8)
                #expect(try String(contentsOfFile: path, encoding: .utf8).contains(#""formatVersion" : 6"#))
            }
            house = try directory.house()
            #expect(try house.search(SearchRequest(query: "鱼")).hits.map(\.id) == ["fish"])
            #expect(try house.check().problems.isEmpty)
        }
    }

    /// Stop words alone with a filter list the filter's records; a word that is a stop word
    /// in one language only and a word of records in another is searched (review: `sea`,
    /// Spanish for "is", listed every technology instead of finding none among them).
    @Test func stopWordsWithAFilterAreLeftOutUnlessARecordHasThem() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            try house.ingest([
                try directory.write(
                    "r.jsonl",
                    recordJSON("turtles", kind: "caseStudy", title: "Sea turtles nesting") + "\n"
                        + recordJSON("dryer", kind: "technology", title: "Solar dryer"))
            ])
            let technology = SearchFilters(kinds: [.technology])
            let sea = try house.search(SearchRequest(query: "sea", filters: technology))
            #expect(sea.hits.isEmpty && !sea.onlyStopWords)
            let the = try house.search(SearchRequest(query: "the", filters: technology))
            #expect(the.hits.map(\.id) == ["dryer"] && the.onlyStopWords)
            #expect(try house.search(SearchRequest(query: "the")).hits.isEmpty)
            let nothing = try house.search(SearchRequest(query: "the", filters: SearchFilters(kinds: [.funding])))
            #expect(nothing.hits.isEmpty && !nothing.onlyStopWords)
        }
    }

    @Test func minimumMatchAndPagingAndSort() throws {
        try withTemporaryDirectory { directory in
            let house = try Self.house(directory)
            let both = try house.search(SearchRequest(query: "mangrove nursery", limit: 100, minimumMatch: 2, countTotal: true))
            #expect(both.hits.allSatisfy { $0.title.lowercased().contains("nursery") || $0.title.contains("Pépinière") })
            let first = try house.search(SearchRequest(query: "wetland", limit: 5))
            let second = try house.search(SearchRequest(query: "wetland", limit: 5, offset: 5))
            #expect(Set(first.hits.map(\.id)).isDisjoint(with: second.hits.map(\.id)))
            let byDate = try house.search(SearchRequest(query: "wetland", limit: 100, sort: .published))
            let dates = try byDate.hits.map { try #require(try house.record(id: $0.id)?.published) }
            #expect(dates == dates.sorted(by: >))
        }
    }

    @Test func exportTakesTheSameQueryAndFilters() throws {
        try withTemporaryDirectory { directory in
            let house = try Self.house(directory)
            let request = SearchRequest(query: "mangrove", filters: SearchFilters(countries: ["KE"]))
            var lines: [String] = []
            try house.export(format: .jsonl, matching: request) { lines.append($0) }
            let found = try house.search(SearchRequest(query: "mangrove", filters: SearchFilters(countries: ["KE"]), limit: 100))
            let ids = try lines.map { try Record(storedJSON: String($0.dropLast())).id }
            #expect(ids == found.hits.map(\.id).sorted())
            #expect(!ids.isEmpty)
        }
    }

    @Test func matchmakingRanksAnsweringRecordsAboveUnrelatedOnes() throws {
        try withTemporaryDirectory { directory in
            let house = try directory.house()
            let records = """
                {"id": "req", "kind": "assistanceRequest", "title": "Request for training in eDNA monitoring of river fish", "summary": "Our fisheries agency needs training and sampling equipment for environmental DNA surveys of freshwater fish.", "countries": ["KH"], "themes": ["freshwater", "monitoring"], "assistanceTypes": ["training", "equipment"]}
                {"id": "course", "kind": "training", "title": "eDNA field course for freshwater fish surveys", "summary": "A two-week training on environmental DNA sampling in rivers.", "countries": ["VN"], "themes": ["freshwater"], "assistanceTypes": ["training"]}
                {"id": "tech", "kind": "technology", "title": "Environmental DNA metabarcoding kit", "summary": "Filters and primers for eDNA surveys of fish in rivers and lakes.", "themes": ["monitoring"]}
                {"id": "grant", "kind": "funding", "title": "Small grants for coral reef restoration", "summary": "Funding for reef gardening by coastal communities.", "themes": ["marine"]}
                {"id": "bees", "kind": "bestPractice", "title": "Beehive fences against elephants", "summary": "Farmers protect crops with beehives.", "themes": ["agriculture"]}
                {"id": "other-request", "kind": "assistanceRequest", "title": "Request for eDNA monitoring support", "summary": "eDNA surveys of fish.", "themes": ["freshwater"]}
                """
            try house.ingest([try directory.write("r.jsonl", records)])
            let response = try house.match(id: "req")
            let ids = response.hits.map(\.id)
            #expect(Array(ids.prefix(2)).sorted() == ["course", "tech"])
            #expect(!ids.contains("req"))
            #expect(!ids.contains("other-request"))
            if let bees = ids.firstIndex(of: "bees") { #expect(bees > 1) }
            let course = try #require(response.hits.first { $0.id == "course" })
            #expect(course.reasons.contains("offers training"))
            #expect(course.reasons.contains { $0.hasPrefix("same theme (freshwater") })
            #expect(!course.reasons.contains { $0.contains(" in,") || $0.contains(" for") })

            let byText = try house.match(text: "We need training on eDNA sampling of fish in rivers")
            #expect(byText.hits.first.map { ["course", "tech"].contains($0.id) } == true)

            let similar = try house.similar(id: "course")
            #expect(!similar.hits.map(\.id).contains("course"))
            #expect(similar.hits.first.map { ["tech", "req", "other-request"].contains($0.id) } == true)
            #expect(throws: ClearingHouseError.self) { try house.match(id: "nope") }
        }
    }

    /// Similar records are similar in what they are about, not in their numbers.
    @Test func similarRecordsDoNotShareOnlyNumbers() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let house = try Self.house(directory)
        let records = """
            {"id": "turtles", "kind": "caseStudy", "title": "Green turtle nesting beaches", "summary": "Volunteers patrolled 78 beaches in 2019 and counted 4500 nests."}
            {"id": "plots", "kind": "caseStudy", "title": "Forest inventory plots", "summary": "Teams measured 78 plots in 2019, 4500 trees in all."}
            {"id": "hatchlings", "kind": "bestPractice", "title": "Protecting turtle hatchlings", "summary": "Nests on beaches are fenced until the hatchlings reach the sea."}
            """
        try house.ingest([try directory.write("n.jsonl", records)])
        let similar = try house.similar(id: "turtles")
        #expect(similar.hits.first?.id == "hatchlings")
        for hit in similar.hits {
            #expect(!hit.reasons.contains { $0.contains(where: \.isNumber) }, "\(hit.id): \(hit.reasons)")
        }
        #expect(!similar.hits.map(\.id).contains("plots"), "\(similar.hits.map(\.id))")
    }

    @Test func theLibraryServesManyTasksAtOnce() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let house = try Self.house(directory)
        let extra = try directory.write("extra.jsonl", #"{"id": "extra", "kind": "resource", "title": "Wetland guide"}"#)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<16 {
                group.addTask {
                    if index == 5 { return try house.ingest([extra]).added }
                    return try house.search(SearchRequest(query: "wetland", limit: 5)).hits.count
                }
            }
            for try await count in group { #expect(count >= 1) }
        }
        #expect(try house.search(SearchRequest(query: "guide")).hits.map(\.id) == ["extra"])
    }
}
