import Foundation
import Testing

@testable import ClearingHouse

/// Retrieval in each UN language, over records written for these tests.
@Suite("Multilingual search")
struct MultilingualSearchTests {
    static let records = """
        {"id": "ru-fires", "kind": "technology", "language": "ru", "title": "Система обнаружения лесных пожаров",
         "summary": "Спутниковые снимки помогают лесникам находить очаги возгорания."}
        {"id": "ru-other", "kind": "technology", "language": "ru", "title": "Мониторинг птиц на озёрах"}
        {"id": "es-paramo", "kind": "bestPractice", "language": "es", "title": "Restauración de páramos andinos",
         "summary": "Las comunidades campesinas recuperan la vegetación nativa."}
        {"id": "es-other", "kind": "bestPractice", "language": "es", "title": "Pesca artesanal sostenible"}
        {"id": "fr-forest", "kind": "caseStudy", "language": "fr", "title": "Gestion communautaire des forêts sacrées",
         "summary": "Les villages protègent l'écosystème forestier."}
        {"id": "fr-other", "kind": "caseStudy", "language": "fr", "title": "Les récifs coralliens de la lagune"}
        {"id": "ar-forest", "kind": "bestPractice", "language": "ar", "title": "حماية الغابات في جبال الأطلس",
         "summary": "تعمل التعاونيات النسائية على إعادة التشجير."}
        {"id": "ar-other", "kind": "bestPractice", "language": "ar", "title": "تحلية المياه بالطاقة الشمسية"}
        {"id": "zh-porpoise", "kind": "caseStudy", "language": "zh", "title": "长江江豚保护行动",
         "summary": "渔民转岗为巡护员，守护江豚栖息地。"}
        {"id": "zh-mangrove", "kind": "technology", "language": "zh", "title": "利用无人机监测红树林"}
        {"id": "en-nursery", "kind": "technology", "language": "en", "title": "Community mangrove nurseries",
         "summary": "Fishers raise seedlings for restoring coasts."}
        {"id": "bilingual", "kind": "technology", "title": {"en": "Seed banks for dry forests", "fr": "Seed banks pour les forêts sèches"}}
        {"id": "monolingual", "kind": "technology", "title": {"en": "Seed banks for dry forests"}}
        {"id": "french-only", "kind": "technology", "title": {"fr": "Seed banks pour les forêts sèches"}}
        """.replacingOccurrences(of: "\n ", with: " ")

    func house(_ directory: TemporaryDirectory) throws -> ClearingHouse {
        let house = try directory.house()
        let report = try house.ingest([try directory.write("records.jsonl", Self.records)])
        #expect(report.added == 14)
        return house
    }

    func ids(_ house: ClearingHouse, _ query: String) throws -> [String] {
        try house.search(SearchRequest(query: query, limit: 20)).hits.map(\.id)
    }

    @Test func russianInflectedQueryFindsOtherCases() throws {
        try withTemporaryDirectory { directory in
            let house = try house(directory)
            #expect(try ids(house, "лесные пожары") == ["ru-fires"])
            #expect(try ids(house, "пожар").first == "ru-fires")
        }
    }

    @Test func spanishAndFrenchQueriesWithoutAccentsFindAccentedText() throws {
        try withTemporaryDirectory { directory in
            let house = try house(directory)
            #expect(try ids(house, "restauracion") == ["es-paramo"])
            #expect(try ids(house, "restauración") == ["es-paramo"])
            #expect(try ids(house, "paramos andinos") == ["es-paramo"])
            #expect(try ids(house, "forets sacrees").first == "fr-forest")
            #expect(try ids(house, "ecosysteme") == ["fr-forest"])
        }
    }

    @Test func arabicQueriesWithAndWithoutTheArticle() throws {
        try withTemporaryDirectory { directory in
            let house = try house(directory)
            #expect(try ids(house, "الغابات") == ["ar-forest"])
            #expect(try ids(house, "غابات") == ["ar-forest"])
            #expect(try ids(house, "حماية") == ["ar-forest"])
        }
    }

    @Test func chineseWithoutSpaces() throws {
        try withTemporaryDirectory { directory in
            let house = try house(directory)
            #expect(try ids(house, "江豚") == ["zh-porpoise"])
            #expect(try ids(house, "红树林 无人机") == ["zh-mangrove"])
            #expect(try ids(house, "\"无人机监测\"") == ["zh-mangrove"])
        }
    }

    /// The same words in two languages do not make a record score higher: a record is scored
    /// on its best-matching language, as if it were written in that language alone.
    @Test func severalLanguagesDoNotInflateTheScore() throws {
        try withTemporaryDirectory { directory in
            let house = try house(directory)
            for query in ["seed banks", "seed", "banks forests"] {
                let hits = try house.search(SearchRequest(query: query, limit: 10)).hits
                let bilingual = try #require(hits.first { $0.id == "bilingual" })
                let english = try #require(hits.first { $0.id == "monolingual" })
                let french = try #require(hits.first { $0.id == "french-only" })
                #expect(abs(bilingual.score - max(english.score, french.score)) < 1e-9, "\(query)")
            }
        }
    }

    @Test func fieldQueriesCoverEveryLanguageVariant() throws {
        try withTemporaryDirectory { directory in
            let house = try house(directory)
            #expect(try ids(house, "title:江豚") == ["zh-porpoise"])
            #expect(try ids(house, "title.ru:пожаров") == ["ru-fires"])
            #expect(try ids(house, "title.en:пожаров").isEmpty)
        }
    }
}
