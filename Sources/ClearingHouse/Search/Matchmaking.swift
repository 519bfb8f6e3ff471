// Matchmaking (issue 16): requests for assistance meet the offers that answer them, and offers
// the open requests they could answer. A match gathers candidates with two content queries
// (the words that state the need, and those of the rest of the text), measures the evidence
// each candidate gives (content, what it offers against what is asked, theme, target,
// country, region, language), combines it with weights chosen on the evaluation set
// (docs/matchmaking.md), and says why in words a help-desk officer reads.
import Foundation
import SearchCore

/// The weight of each kind of evidence in a match (``ClearingHouse/match(_:)``).
///
/// A candidate's score is the sum of each evidence's value (0...1) times its weight. The
/// standard weights were chosen on the matchmaking evaluation set
/// (`Tests/Fixtures/matchmaking`) by coordinate ascent, with held-out checks; see
/// docs/matchmaking.md.
public struct MatchWeights: Sendable, Hashable, Codable {
    /// Content: the words that state the need (title and keywords), BM25 over the catalog,
    /// relative to the best candidate's.
    public var need: Double
    /// Content: the telling words of the summary and description, relative to the best candidate's.
    public var context: Double
    /// The candidate gives a form of help that is asked for (a training for training, a
    /// technology for equipment, an organization that lists it, ...).
    public var answers: Double
    /// The candidate could partly give what is asked (funding that may pay for equipment or
    /// training, a case study for training, ...), and gives none of it fully.
    public var answersPartly: Double
    /// The share of the source's themes that the candidate has.
    public var theme: Double
    /// The share of the source's policy targets that the candidate has.
    public var target: Double
    /// The candidate names one of the source's countries.
    public var country: Double
    /// The candidate names one of the source's regions.
    public var region: Double
    /// The offer names no country and no region (it is open to anyone).
    public var global: Double
    /// The offer names countries or regions, none of them the request's (usually negative).
    public var elsewhere: Double
    /// The candidate has text in one of the source's languages.
    public var language: Double
    /// One of the two records names the other in `related` (the party or the publisher said
    /// so).
    public var related: Double

    /// Weights as given.
    public init(
        need: Double, context: Double, answers: Double, answersPartly: Double, theme: Double, target: Double,
        country: Double, region: Double, global: Double, elsewhere: Double, language: Double, related: Double = 0
    ) {
        self.related = related
        self.need = need
        self.context = context
        self.answers = answers
        self.answersPartly = answersPartly
        self.theme = theme
        self.target = target
        self.country = country
        self.region = region
        self.global = global
        self.elsewhere = elsewhere
        self.language = language
    }

    /// The weights chosen on the evaluation set (docs/matchmaking.md).
    /// Tuned on all 34 requests of the set with the language weight held at 0 and the theme
    /// weight at 0.5 (a theme weight of 1 fits the set better but ranks a turtle-nest logger
    /// above the coral records for the shipped Corpus's coral-bleaching request).
    public static let standard = MatchWeights(
        need: 1, context: 0.2, answers: 0.3, answersPartly: 0.2, theme: 0.5, target: 0.05, country: 0.2, region: 0.1,
        global: 0.1, elsewhere: 0.05, language: 0, related: 0.5)

    /// Content only (both content weights 1, the rest 0): what matching is without structure.
    public static let contentOnly = MatchWeights(
        need: 1, context: 1, answers: 0, answersPartly: 0, theme: 0, target: 0, country: 0, region: 0, global: 0,
        elsewhere: 0, language: 0)

    /// Each weight by name, in the order of the declaration (for tuning and reports).
    package static var parameters: [(name: String, keyPath: WritableKeyPath<MatchWeights, Double>)] {
        [
        ("need", \.need), ("context", \.context), ("answers", \.answers), ("answersPartly", \.answersPartly),
        ("theme", \.theme), ("target", \.target), ("country", \.country), ("region", \.region),
        ("global", \.global), ("elsewhere", \.elsewhere), ("language", \.language), ("related", \.related),
        ]
    }
}

/// How a match builds its content queries (the choices measured in docs/matchmaking.md).
package struct MatchQueryOptions: Sendable, Hashable {
    /// Telling words of the title and keywords in the need query.
    package var needWords = 20
    /// Telling words of the summary and description in the context query.
    package var contextWords = 25
    /// The request's keywords of several words also as phrases.
    package var phrases = true
    /// Carry both queries across languages through the thesaurus.
    package var expand = true
    /// Numbers, units and time words are never telling.
    package var filterWords = true
    /// Candidates taken from each query.
    package var candidates = 200

    package init() {}
}

/// What one candidate gives as evidence of answering the source (each value 0...1).
package struct MatchEvidence: Sendable, Hashable {
    package var id: String
    package var need = 0.0
    package var context = 0.0
    package var answers = 0.0
    package var answersPartly = 0.0
    package var theme = 0.0
    package var target = 0.0
    package var country = 0.0
    package var region = 0.0
    package var global = 0.0
    package var elsewhere = 0.0
    package var language = 0.0
    package var related = 0.0

    package init(id: String) { self.id = id }

    /// The candidate's score under `weights`.
    package func score(_ weights: MatchWeights) -> Double {
        need * weights.need + context * weights.context + answers * weights.answers
            + answersPartly * weights.answersPartly + theme * weights.theme + target * weights.target
            + country * weights.country + region * weights.region + global * weights.global
            + elsewhere * weights.elsewhere + language * weights.language + related * weights.related
    }
}

/// The rules of matchmaking that concern records: what answers what, which words tell.
package enum Matchmaking {
    /// The assistance types and how a help-desk officer says them (keys: ``ClearingHouse/notationKey(_:)``).
    static let assistanceNames: [String: String] = [
        "training": "training", "equipment": "equipment", "technicaladvice": "technical advice", "funding": "funding",
        "datasharing": "data sharing", "capacitybuilding": "capacity building", "technologytransfer": "technology transfer",
    ]

    /// How a reason says the kind of help `type`: the known kinds in plain words, any other as
    /// its words (`legalAdvice` and `legal-advice` are "legal advice", `seed_banking` "seed
    /// banking"; a prefix's hyphen and an acronym stay: `e-learning`, `GIS`).
    static func name(ofAssistance type: String) -> String {
        if let name = assistanceNames[ClearingHouse.notationKey(type)] { return name }
        var words: [String] = []
        var word = ""
        var previous: Character?
        for character in type {
            if character == "_" || character == " " {
                if !word.isEmpty { words.append(word) }
                word = ""
            } else {
                if character.isUppercase, let previous, previous.isLowercase, !word.isEmpty {
                    words.append(word)
                    word = ""
                }
                word.append(character)
            }
            previous = character
        }
        if !word.isEmpty { words.append(word) }
        // (Notation-style hyphens join words, `legal-advice`; a prefix's stays, `e-learning`.)
        words = words.flatMap { word -> [String] in
            let parts = word.split(separator: "-").map(String.init)
            return parts.count > 1 && parts.allSatisfy({ $0.count >= 3 }) ? parts : [word]
        }
        // (A word of capitals is an acronym: kept as written.)
        return words.map { $0.count > 1 && $0.allSatisfy(\.isUppercase) ? $0 : $0.lowercased() }.joined(separator: " ")
    }

    /// A translation as the engine labels it (`drones [en] from 无人 人机`), with the Chinese
    /// pairs of its source joined into the run of `text` they come from (`from 无人机`).
    static func readableTranslation(_ label: String, in text: String) -> String {
        guard let range = label.range(of: " from ", options: .backwards) else { return label }
        let parts = label[range.upperBound...].split(separator: " ").map(String.init)
        guard parts.count > 1, parts.allSatisfy(isChinesePair) else { return label }
        let joined = joiningChinesePairs(parts, in: text)
        return label[..<range.upperBound] + joined.joined(separator: " ")
    }

    /// How well `offer` gives the help `asked`: 2 fully, 1 partly, 0 not.
    ///
    /// An offer that lists the type gives it fully; otherwise its kind decides: a training
    /// gives training, a technology equipment, funding funding, an organization, best
    /// practice, case study or resource technical advice (knowledge counts as advice), a
    /// training capacity building, a technology technology transfer;
    /// funding may pay for equipment or training, and knowledge helps a training need or a
    /// data need in part; an organization helps build capacity or transfer a technology in
    /// part.
    static func fit(asked: String, offer: Record) -> Int {
        let type = ClearingHouse.notationKey(asked)
        if offer.assistanceTypes.contains(where: { ClearingHouse.notationKey($0) == type }) { return 2 }
        switch (type, offer.kind) {
        case ("training", .training), ("equipment", .technology), ("funding", .funding),
            ("technicaladvice", .organization), ("technicaladvice", .bestPractice), ("technicaladvice", .caseStudy),
            ("technicaladvice", .resource), ("datasharing", .resource), ("capacitybuilding", .training),
            ("technologytransfer", .technology):
            return 2
        case ("equipment", .funding), ("training", .funding), ("training", .bestPractice), ("training", .resource),
            ("training", .organization), ("technicaladvice", .technology), ("technicaladvice", .training),
            ("datasharing", .technology), ("datasharing", .organization), ("capacitybuilding", .organization),
            ("capacitybuilding", .bestPractice), ("capacitybuilding", .resource), ("capacitybuilding", .funding),
            ("technologytransfer", .organization), ("technologytransfer", .training), ("technologytransfer", .caseStudy),
            ("technologytransfer", .funding):
            return 1
        default:
            return 0
        }
    }

    /// The types `request` asks for that `offer` gives fully, and those it gives partly.
    static func answered(request: Record, offer: Record) -> (fully: [String], partly: [String]) {
        var fully: [String] = []
        var partly: [String] = []
        for type in request.assistanceTypes {
            switch fit(asked: type, offer: offer) {
            case 2: fully.append(type)
            case 1: partly.append(type)
            default: break
            }
        }
        return (fully, partly)
    }

    /// Number words, units and time words (lower-cased, as written) in the six languages, and
    /// English words that only join a sentence: never telling, whatever their idf.
    static let untellingWords: Set<String> = [
        // English numbers and quantities
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "fifteen",
        "twenty", "thirty", "forty", "fifty", "hundred", "hundreds", "thousand", "thousands", "million", "millions",
        "billion", "dozen", "dozens", "half", "twice", "once", "single", "double", "first", "second", "third",
        "fourth", "fifth", "percent", "per", "cent", "number", "numbers",
        // English units
        "km", "m", "cm", "mm", "ha", "kg", "g", "t", "l", "ml", "km2", "m2", "hectare", "hectares", "metre",
        "metres", "meter", "meters", "kilometre", "kilometres", "kilometer", "kilometers", "kilogram", "kilograms",
        "tonne", "tonnes", "ton", "tons", "litre", "litres", "liter", "liters", "acre", "acres", "mile", "miles",
        "usd", "us", "dollar", "dollars", "eur", "euro", "euros", "gbp",
        // English time
        "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "daily", "week", "weeks",
        "weekly", "month", "months", "monthly", "year", "years", "yearly", "annual", "annually", "decade",
        "decades", "century", "today", "yesterday", "tomorrow", "date", "dates", "period", "periods", "duration",
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "spring", "summer", "autumn", "winter", "season", "seasons", "quarter",
        // English words that join a sentence rather than name a subject, which the stop words
        // keep for search (help-desk QA: `chm similar` said "about: advice, whether, cannot, like")
        "whether", "cannot", "like", "unlike", "also", "however", "although", "though", "whereas", "within",
        "without", "upon", "via", "etc", "able", "unable", "would", "could", "should", "might", "must",
        // French
        "un", "une", "deux", "trois", "quatre", "cinq", "dix", "vingt", "cent", "cents", "mille", "millier",
        "milliers", "mètre", "mètres", "kilomètre", "kilomètres", "hectare", "tonne", "litre", "litres", "jour",
        "jours", "semaine", "semaines", "mois", "an", "ans", "année", "années", "annuel", "annuelle", "décennie",
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
        "décembre", "dollars", "euros",
        // Spanish
        "uno", "dos", "tres", "cuatro", "cinco", "diez", "veinte", "cien", "mil", "miles", "millón", "millones",
        "metro", "metros", "kilómetro", "kilómetros", "hectárea", "hectáreas", "tonelada", "toneladas", "día",
        "días", "semana", "semanas", "mes", "meses", "año", "años", "anual", "década", "enero", "febrero",
        "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
        "dólares",
        // Russian
        "один", "одна", "два", "две", "три", "четыре", "пять", "десять", "сто", "тысяча", "тысячи", "тысяч",
        "миллион", "км", "м", "га", "гектар", "гектаров", "метр", "метров", "километр", "километров", "тонн",
        "день", "дня", "дней", "неделя", "недели", "недель", "месяц", "месяца", "месяцев", "год", "года",
        "году", "лет", "годы", "годах", "ежегодно", "январь", "февраль", "март", "апрель", "май", "июнь",
        "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь", "долларов",
        // Arabic
        "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "عشرة", "مائة", "ألف", "آلاف", "مليون", "كم", "متر", "أمتار",
        "كيلومتر", "هكتار", "هكتارات", "طن", "يوم", "أيام", "أسبوع", "أسابيع", "شهر", "أشهر", "شهور", "سنة",
        "سنوات", "عام", "أعوام", "سنوي", "سنويا", "دولار", "دولارات",
        // Chinese (as the analyzer's bigrams or single characters)
        "公里", "公顷", "平方", "千米", "小时", "星期", "个月", "月份", "每年", "年度", "今年", "去年", "年间", "年来",
        "美元", "万元", "人民", "周年",
    ]

    /// The stop words of every language chm analyzes.
    static let stopWords: Set<String> = LanguageAnalyzer.languages.reduce(into: []) { $0.formUnion(StopWords.forLanguage($1)) }

    /// Words that name the form of help rather than its subject: they count as content, but
    /// a reason says them as "offers ...", not as "about ...".
    static let formWords: Set<String> = [
        "request", "requests", "training", "trainings", "train", "equipment", "funding", "funds", "advice", "support",
        "assistance", "help", "need", "needs", "course", "courses", "capacity", "building", "transfer",
        // French
        "demande", "demandes", "formation", "formations", "équipement", "équipements", "matériel", "financement",
        "financements", "fonds", "conseil", "conseils", "aide", "soutien", "besoin", "besoins", "cours", "renforcement",
        "capacités", "transfert",
        // Spanish
        "solicitud", "solicitudes", "capacitación", "formación", "entrenamiento", "equipo", "equipos", "financiación",
        "financiamiento", "fondos", "asesoramiento", "asesoría", "asistencia", "ayuda", "apoyo", "necesitamos", "necesidad",
        "necesidades", "curso", "cursos", "creación", "capacidad", "capacidades", "transferencia",
        // Russian
        "запрос", "просим", "обучение", "обучения", "обучении", "оборудование", "оборудования", "финансирование",
        "финансирования", "средства", "консультации", "консультация", "помощь", "помощи", "поддержка", "поддержки", "нужно",
        "нужна", "нужны", "нужен", "курс", "курсы", "наращивание", "потенциала", "передача",
        // Arabic
        "طلب", "نحتاج", "حاجة", "تدريب", "التدريب", "معدات", "المعدات", "تمويل", "التمويل", "مساعدة", "المساعدة", "دعم",
        "الدعم", "مشورة", "المشورة", "دورة", "دورات", "بناء", "القدرات", "نقل",
        // Chinese (as the pairs of characters its words are searched as)
        "需要", "请求", "申请", "培训", "设备", "资金", "资助", "援助", "帮助", "支持", "咨询", "课程", "能力", "转让",
        // Verbs of giving and using, in the six languages: what an offer does, not its subject
        "provide", "provides", "providing", "offer", "offers", "offering", "lend", "lends", "lending", "create", "use", "using",
        "appui", "fournir", "offrir", "créer", "utiliser", "utilisant",
        "proporcionar", "ofrecer", "crear", "utilizar", "usando",
        "предоставить", "предоставление", "предлагаем", "создать", "создание", "использовать", "использование", "используя",
        "توفير", "تقديم", "إنشاء", "استخدام", "باستخدام",
        "提供", "使用", "利用",
    ]

    /// Each field language's analyzer with the analyzed terms of ``formWords``, in the order of
    /// the languages (a fixed order: which language's terms a word covers decides what is said).
    static let formTerms: [(analyzer: any Analyzer, terms: Set<String>)] = orderedAnalyzers.map { analyzer in
        (analyzer, Set(formWords.flatMap { analyzer.terms($0) }))
    }

    /// Whether `text` (any case; Chinese in either script) names the form of help
    /// (``formWords``), as written or in another form of the same words in some language
    /// (`trains`, Arabic `وتدريب`, "and training").
    static func isFormWord(_ text: String) -> Bool {
        if formWords.contains(ChineseVariants.simplified(text.lowercased())) { return true }
        // Word by word: an Arabic word gives its stem with and without a prefix such as `و`,
        // and one of them is enough; a run of Chinese characters gives its pairs, and every
        // pair must be one (`土地利用`, land use, holds `利用`, use, and is a subject); a stop
        // word gives none and is passed over ("formation et renforcement").
        let words = text.split(whereSeparator: \.isWhitespace)
        for (analyzer, terms) in formTerms {
            var named = false
            let all = words.allSatisfy { word in
                let own = analyzer.terms(String(word))
                guard !own.isEmpty else { return true }
                named = true
                let isHan = word.unicodeScalars.contains { Script(of: $0) == .han }
                return isHan ? own.allSatisfy(terms.contains) : own.contains(where: terms.contains)
            }
            if all, named { return true }
        }
        return false
    }

    /// The pairs of Chinese characters in `text` that straddle the edge of a word it is known
    /// to hold (one of `words`, such as the thesaurus labels found in it, a form word, a number
    /// or time word): `术培` of `技术培训` (technical training), `地水` of `湿地水鸟` (wetland
    /// waterbirds). A run is searched as its pairs, and these are no words: rare, they would be
    /// its most telling words, and a reason would show them. A pair that is itself a known
    /// word, or lies inside one, is kept.
    static func straddlingPairs(in text: String, words: Set<String>) -> Set<String> {
        let known = Set((words.union(formWords).union(untellingWords)).map { ChineseVariants.simplified($0) }.filter {
            $0.count >= 2 && $0.unicodeScalars.allSatisfy { Script(of: $0) == .han }
        })
        guard !known.isEmpty else { return [] }
        let characters = Array(ChineseVariants.simplified(text))
        // (Only the lengths that known words have.)
        let lengths = Set(known.map(\.count)).filter { $0 <= 12 }.sorted()
        // Edges between characters (index i: before character i), and edges inside a known word.
        var edges = Set<Int>()
        var inside = Set<Int>()
        for start in characters.indices where Script(of: characters[start].unicodeScalars.first ?? " ") == .han {
            for length in lengths where start + length <= characters.count {
                guard known.contains(String(characters[start..<start + length])) else { continue }
                edges.insert(start)
                edges.insert(start + length)
                inside.formUnion(start + 1..<start + length)
            }
        }
        var pairs = Set<String>()
        for edge in edges.subtracting(inside) where edge > 0 && edge < characters.count {
            let pair = String(characters[edge - 1...edge])
            if isChinesePair(pair), !known.contains(pair) { pairs.insert(pair) }
        }
        return pairs
    }

    /// Whether `word` (as written, lower-cased) may be a telling word: no digit in it, not a
    /// number, unit or time word.
    static func isTelling(_ word: String) -> Bool {
        guard !word.isEmpty, !word.contains(where: { $0.isNumber }) else { return false }
        // A pair of Chinese characters with a function character in it straddles two words
        // (`训和` of `培训和设备`, training and equipment).
        if isChinesePair(word), word.contains(where: { chineseFunctionCharacters.contains($0) }) { return false }
        return !untellingWords.contains(word)
    }

    /// Characters that join or mark Chinese words rather than name a subject.
    static let chineseFunctionCharacters: Set<Character> = ["和", "的", "与", "及", "或", "在", "了", "是", "对", "为", "把", "被", "从", "向", "并", "而", "等"]

    /// Whether `word` is a pair of Chinese characters (as Chinese text is indexed).
    static func isChinesePair(_ word: String) -> Bool {
        word.count == 2 && word.unicodeScalars.allSatisfy { Script(of: $0) == .han }
    }

    /// `words` with pairs of Chinese characters that follow each other in `text` joined into
    /// the run they come from (`红树`, `树林` -> `红树林`), in the place of the run's first pair.
    static func joiningChinesePairs(_ words: [String], in text: String) -> [String] {
        let pairs = Set(words.filter(isChinesePair))
        guard pairs.count > 1 else { return words }
        let characters = Array(text)
        var runOfPair: [String: String] = [:]
        var index = 0
        while index + 1 < characters.count {
            guard pairs.contains(String(characters[index...index + 1])) else {
                index += 1
                continue
            }
            var end = index + 1
            while end + 1 < characters.count, pairs.contains(String(characters[end...end + 1])) { end += 1 }
            let run = String(characters[index...end])
            for start in index..<end where runOfPair[String(characters[start...start + 1])] == nil {
                runOfPair[String(characters[start...start + 1])] = run
            }
            index = end + 1
        }
        var joined: [String] = []
        for word in words {
            let shown = runOfPair[word] ?? word
            if !joined.contains(shown) { joined.append(shown) }
        }
        return joined
    }

    /// The regions `record` names, or, when it names none, those of its countries (a request
    /// from the Maldives is in Small Island Developing States and Asia-Pacific; see
    /// ``CountryRegions``).
    static func regions(of record: Record) -> [String] {
        guard record.regions.isEmpty else { return record.regions }
        var seen = Set<String>()
        return record.countries.flatMap(CountryRegions.regions(of:)).filter { seen.insert($0).inserted }
    }

    /// A region's name in a form where spellings of one region agree ("Asia-Pacific" and
    /// "Asia and the Pacific").
    package static func regionKey(_ region: String) -> String {
        let letters = region.lowercased().filter(\.isLetter)
        switch letters {
        case "asiapacific", "asiaandpacific", "asiaandthepacific": return "asiaandthepacific"
        case "sids", "smallislanddevelopingstates": return "smallislanddevelopingstates"
        case "ldcs", "ldc", "leastdevelopedcountries": return "leastdevelopedcountries"
        default: return letters
        }
    }

    /// Each field language's analyzer (made once: a stemmer is not free to make).
    static let analyzers: [String: any Analyzer] = Dictionary(
        uniqueKeysWithValues: (RecordIndexing.languages + [RecordIndexing.otherLanguage]).map { ($0, LanguageAnalyzer.forLanguage($0)) })

    /// ``analyzers`` in the order of their languages' names.
    static let orderedAnalyzers: [any Analyzer] = analyzers.keys.sorted().compactMap { analyzers[$0] }

    /// A country's English name ("Kenya"), or its code when no name is known.
    static func countryName(_ code: String) -> String {
        CountryRegions.englishName(of: code) ?? code
    }

    /// The share of `mine` (compared without case by `key`) that `theirs` has, and the shared values.
    static func shared(_ mine: [String], _ theirs: [String], key: (String) -> String = { $0.lowercased() }) -> (fraction: Double, values: [String]) {
        guard !mine.isEmpty else { return (0, []) }
        let other = Set(theirs.map(key))
        var seen = Set<String>()
        let values = mine.filter { other.contains(key($0)) && seen.insert(key($0)).inserted }
        return (Double(values.count) / Double(Set(mine.map(key)).count), values)
    }
}

/// The candidates of one match and their evidence, before weighing.
package struct MatchCandidates: Sendable {
    /// The record matched.
    package var source: Record
    /// Every candidate with its evidence.
    package var evidence: [MatchEvidence]
    /// The candidates' records by id.
    var records: [String: Record]
    /// The source's telling words of its need (title and keywords), best first.
    var needWords: [String]
    /// The source's keywords that may be named as a reason, in their order.
    var keywordPhrases: [String]
    /// The source's telling words of its summary and description, best first.
    var contextWords: [String]
    /// The translations each candidate matched (engine labels "text [group] from source").
    var translations: [String: [String]]
    /// The source's texts, one after another (where its reasons' Chinese words are read whole).
    var sourceText = ""
}

extension ClearingHouse {
    /// The texts of fields (field name -> texts) in a fixed order, titles before keywords,
    /// summaries before descriptions: a dictionary's order changes from run to run, and the
    /// order of the words decides which thesaurus labels of several words they make.
    static func inOrder(_ texts: [String: [String]]) -> [String] {
        texts.sorted { $0.key > $1.key }.flatMap(\.value)
    }

    /// The kinds a record's matches are: offers for a request, open requests for an offer.
    static func matchingKinds(for source: Record) -> [RecordKind] {
        source.kind == .assistanceRequest ? answeringKinds : [.assistanceRequest]
    }

    /// Gathers the candidates that could answer `source` (or that `source` could answer, for
    /// an offer) and measures their evidence.
    package func matchCandidates(
        for source: Record, filters: SearchFilters = SearchFilters(), anyLanguage: Bool = false,
        options: MatchQueryOptions = MatchQueryOptions()
    ) throws -> MatchCandidates {
        let searcher = try openSearcher()
        let isRequest = source.kind == .assistanceRequest
        let kinds = Self.matchingKinds(for: source)
        var filter = filters
        filter.kinds = filters.kinds.isEmpty ? kinds : filters.kinds.filter(kinds.contains)
        if !filters.kinds.isEmpty, filter.kinds.isEmpty {
            // Kinds that can never be a match filter out every candidate, as a filter that
            // matches nothing does in a search (they were dropped, and every kind proposed).
            return MatchCandidates(
                source: source, evidence: [], records: [:], needWords: [], keywordPhrases: [], contextWords: [], translations: [:])
        }
        let engineFilter = filter.engineFilter
        let filterWords = options.filterWords
        // The texts of the need (title, keywords) and of the context (summary, description).
        let document = RecordIndexing.document(for: source).text
        // Text of no known language is analyzed without stop words: leave out every language's.
        let unknownLanguage = anyLanguage || document.keys.contains { $0.hasSuffix("." + RecordIndexing.otherLanguage) }
        let acceptWord: (String) -> Bool = { word in
            (!filterWords || Matchmaking.isTelling(word)) && !(unknownLanguage && Matchmaking.stopWords.contains(word))
        }
        var needTexts = document.filter { $0.key.hasPrefix("title.") || $0.key.hasPrefix("keywords.") }
        var contextTexts = document.filter { $0.key.hasPrefix("summary.") || $0.key.hasPrefix("description.") }
        if anyLanguage {
            // Text of unknown language: let every language's analyzer find its words.
            let need = Self.inOrder(needTexts)
            let context = Self.inOrder(contextTexts)
            needTexts = [:]
            contextTexts = [:]
            for language in RecordIndexing.languages + [RecordIndexing.otherLanguage] {
                if !need.isEmpty { needTexts["title.\(language)"] = need }
                if !context.isEmpty { contextTexts["description.\(language)"] = context }
            }
        }
        let expander = options.expand ? try thesaurus().expander : nil
        // A record's words are in its text languages, and only those languages' labels match
        // them (QA: the English `restaurants` of a request matched the French label
        // `restauration`, and every offer about restoration was "about restaurants").
        // (Labels of no language of the six, `und` or another, are in the group `other`,
        // which every record's words may match: acronyms, scientific names.)
        let writtenIn: Set<String>? =
            unknownLanguage
            ? nil
            : Set((Array(needTexts.keys) + Array(contextTexts.keys)).compactMap { $0.split(separator: ".").last.map(String.init) })
                .union([RecordIndexing.otherLanguage])
        // A word of a thesaurus label that no record has still tells what is needed: its
        // translations find the records (a request typed in Russian, answered in English).
        var labelWords: Set<String> = []
        if let expander {
            // (A text of unknown language is in every language's field: each text once.)
            for text in Set(Self.inOrder(needTexts) + Self.inOrder(contextTexts)) {
                let labelled = expander.expand(
                    Self.bagOfWordsQuery(text), weight: Self.translationWeight, exactPhrases: false, writtenIn: writtenIn
                ).query
                labelWords.formUnion(Self.labelWords(of: labelled).map { $0.lowercased() })
            }
        }
        // Pairs of Chinese characters across two words are no words (`术培` of `技术培训`).
        let straddling = Matchmaking.straddlingPairs(in: Self.inOrder(document).joined(separator: "\n"), words: labelWords)
        let accept: (String) -> Bool = { word in
            acceptWord(word) && (straddling.isEmpty || !straddling.contains(ChineseVariants.simplified(word)))
        }
        // (A Chinese label is one run of characters; the words of the text are its pairs.)
        let keep: (String) -> Bool = { word in
            labelWords.contains(word) || (word.unicodeScalars.first.flatMap(Script.init(of:)) == .han && labelWords.contains { $0.contains(word) })
        }
        let needWords = Array(searcher.tellingWords(needTexts, accept: accept, keep: keep).prefix(options.needWords).map(\.word))
        let contextWords = Array(searcher.tellingWords(contextTexts, accept: accept, keep: keep).prefix(options.contextWords).map(\.word))
        let keywordPhrases = source.keywords.filter { keyword in
            let words = keyword.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
            return !words.isEmpty && words.allSatisfy(accept)
        }

        // The need's words in the order they are written (so that the thesaurus finds labels
        // of several words), and its keywords of several words as phrases.
        let needText = Self.inOrder(needTexts).joined(separator: " ").lowercased()
        let orderedNeed = needWords.sorted {
            (needText.range(of: $0)?.lowerBound ?? needText.endIndex) < (needText.range(of: $1)?.lowerBound ?? needText.endIndex)
        }
        var needClauses = orderedNeed.map { Query.Clause(.should, .term(field: nil, text: $0)) }
        if options.phrases {
            for keyword in keywordPhrases where keyword.contains(" ") {
                needClauses.append(.init(.should, .phrase(field: nil, text: keyword.lowercased())))
            }
        }
        let contextClauses = contextWords.map { Query.Clause(.should, .term(field: nil, text: $0)) }

        var translations: [String: Set<String>] = [:]
        func contentScores(_ clauses: [Query.Clause]) throws -> [String: Double] {
            guard !clauses.isEmpty else { return [:] }
            var query = Query.boolean(clauses, minimumShouldMatch: 0)
            // The phrases are the request's keywords, not a searcher's quotes: a label inside
            // one translates it.
            if let expander {
                query = expander.expand(query, weight: Self.translationWeight, exactPhrases: false, writtenIn: writtenIn).query
            }
            let results = try indexing {
                try searcher.search(query, options: SearchOptions(limit: options.candidates, filter: engineFilter.isEmpty ? nil : engineFilter))
            }
            var scores: [String: Double] = [:]
            for hit in results.hits where hit.key != source.id {
                scores[hit.key] = hit.score
                if !hit.matchedSynonyms.isEmpty { translations[hit.key, default: []].formUnion(hit.matchedSynonyms) }
            }
            return scores
        }
        let need = try contentScores(needClauses)
        let context = try contentScores(contextClauses)

        // Records that share a theme or the help asked, whatever their words.
        var ids = Set(need.keys).union(context.keys)
        // (An assistance type in each of its spellings: `technologyTransfer`, `technology-transfer`.)
        let assistance = source.assistanceTypes.flatMap(ClearingHouse.notationSpellings)
        for (field, values) in [("theme", source.themes), ("assistanceType", assistance)] where !values.isEmpty {
            var shared = engineFilter
            shared.values[field, default: []].formUnion(values)
            let results = try indexing { try searcher.search(.matchAll, options: SearchOptions(limit: options.candidates, filter: shared)) }
            ids.formUnion(results.hits.map(\.key))
        }
        // Records the source names as related (when no filter but kind applies: they are not
        // read through the index, which applies the others).
        var otherFilters = filters
        otherFilters.kinds = []
        if otherFilters == SearchFilters() { ids.formUnion(source.related) }
        ids.remove(source.id)

        let bestNeed = need.values.max() ?? 0
        let bestContext = context.values.max() ?? 0
        let sourceLanguages = Set(source.textLanguages.filter { $0 != LanguageTag.undetermined }.map { LanguageTag.primaryLanguage(of: $0) })
        var records: [String: Record] = [:]
        var evidence: [MatchEvidence] = []
        for id in ids.sorted() {
            // (An alias's id, named in `related`, is read as its record: once.)
            guard let candidate = try record(id: id), candidate.id != source.id, records[candidate.id] == nil,
                filter.kinds.contains(candidate.kind)
            else { continue }
            let id = candidate.id
            records[id] = candidate
            var item = MatchEvidence(id: id)
            if bestNeed > 0 { item.need = (need[id] ?? 0) / bestNeed }
            if bestContext > 0 { item.context = (context[id] ?? 0) / bestContext }
            let (request, offer) = isRequest ? (source, candidate) : (candidate, source)
            let answered = Matchmaking.answered(request: request, offer: offer)
            if !answered.fully.isEmpty {
                item.answers = 1
            } else if !answered.partly.isEmpty {
                item.answersPartly = 1
            }
            item.theme = Matchmaking.shared(source.themes, candidate.themes).fraction
            item.target = Matchmaking.shared(source.targets, candidate.targets).fraction
            let country = !Matchmaking.shared(source.countries, candidate.countries, key: { $0.uppercased() }).values.isEmpty
            let region = !Matchmaking.shared(Matchmaking.regions(of: source), Matchmaking.regions(of: candidate), key: Matchmaking.regionKey)
                .values.isEmpty
            item.country = country ? 1 : 0
            item.region = region ? 1 : 0
            if offer.countries.isEmpty, offer.regions.isEmpty {
                item.global = 1
            } else if !country, !region, !(request.countries.isEmpty && request.regions.isEmpty) {
                item.elsewhere = 1
            }
            let candidateLanguages = Set(candidate.textLanguages.map { LanguageTag.primaryLanguage(of: $0) })
            item.language = sourceLanguages.isDisjoint(with: candidateLanguages) ? 0 : 1
            item.related = source.related.contains(id) || candidate.related.contains(source.id) ? 1 : 0
            evidence.append(item)
        }
        return MatchCandidates(
            source: source, evidence: evidence, records: records, needWords: needWords, keywordPhrases: keywordPhrases,
            contextWords: contextWords, translations: translations.mapValues { $0.sorted() },
            sourceText: Self.inOrder(document).joined(separator: "\n"))
    }

    /// Ranks `candidates` by `weights` and shows the best `limit`, each with its reasons.
    func matchResponse(
        _ candidates: MatchCandidates, weights: MatchWeights, limit: Int, language: String?
    ) throws -> SearchResponse {
        let ranked = candidates.evidence.map { ($0, $0.score(weights)) }.filter { $0.1 > 0 }
            .sorted { ($0.1, $1.0.id) > ($1.1, $0.0.id) }
        var themeLabels: [String: String] = [:]
        if !candidates.source.themes.isEmpty {
            themeLabels = (try? conceptLabels(for: candidates.source.themes, language: language ?? "en")) ?? [:]
        }
        var hits: [SearchResultHit] = []
        for (item, score) in ranked.prefix(max(0, limit)) {
            guard let record = candidates.records[item.id] else { continue }
            var hit = presentation(
                of: record, score: score, matchedGroup: nil, language: language,
                words: candidates.needWords + candidates.contextWords, prefixes: [], explanation: nil)
            hit.reasonDetails = reasons(for: record, evidence: item, in: candidates, weights: weights, themeLabels: themeLabels)
            hit.reasons = hit.reasonDetails.map(\.text)
            hit.translations = (candidates.translations[item.id] ?? []).map { Matchmaking.readableTranslation($0, in: candidates.sourceText) }
            hits.append(hit)
        }
        return SearchResponse(
            query: candidates.source.id, total: ranked.count, totalLowerBound: ranked.count, hits: hits, facets: [:])
    }

    /// Why `candidate` answers the source, in a help-desk officer's words: what it offers
    /// (or, for a request, what it asks for), what it is about (the source's keywords and
    /// telling words that it shares, never numbers or stop words), the same theme, country,
    /// region and policy targets. Only evidence that counts for the candidate is named.
    func reasons(
        for candidate: Record, evidence: MatchEvidence, in candidates: MatchCandidates, weights: MatchWeights,
        themeLabels: [String: String]
    ) -> [MatchReason] {
        let source = candidates.source
        var reasons: [MatchReason] = []
        let isRequest = source.kind == .assistanceRequest
        let (request, offer) = isRequest ? (source, candidate) : (candidate, source)
        let answered = Matchmaking.answered(request: request, offer: offer)
        func list(_ types: [String]) -> String {
            let names = types.map(Matchmaking.name(ofAssistance:))
            return names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
        }
        if !answered.fully.isEmpty, weights.answers > 0 {
            reasons.append(
                MatchReason(
                    kind: isRequest ? .offers : .asksFor, values: answered.fully,
                    text: (isRequest ? "offers " : "asks for ") + list(answered.fully)))
        } else if !answered.partly.isEmpty, weights.answersPartly > 0 {
            reasons.append(
                MatchReason(
                    kind: isRequest ? .couldHelpWith : .asksFor, values: answered.partly,
                    text: (isRequest ? "could help with " : "asks for ") + list(answered.partly)))
        }
        let about = aboutWords(of: candidate, in: candidates)
        if !about.isEmpty { reasons.append(MatchReason(kind: .about, values: about, text: "about " + about.joined(separator: ", "))) }
        let themes = Matchmaking.shared(source.themes, candidate.themes).values
        if !themes.isEmpty, weights.theme > 0 {
            let labels = themes.map { themeLabels[$0] ?? $0.replacingOccurrences(of: "-", with: " ") }
            reasons.append(MatchReason(kind: .sameTheme, values: themes, text: "same theme (\(labels.joined(separator: ", ")))"))
        }
        let countries = Matchmaking.shared(source.countries, candidate.countries, key: { $0.uppercased() }).values
        if !countries.isEmpty, weights.country > 0 {
            reasons.append(
                MatchReason(
                    kind: .sameCountry, values: countries.map { $0.uppercased() },
                    text: "same country (\(countries.map(Matchmaking.countryName).joined(separator: ", ")))"))
        }
        let regions = Matchmaking.shared(Matchmaking.regions(of: source), Matchmaking.regions(of: candidate), key: Matchmaking.regionKey).values
        if !regions.isEmpty, weights.region > 0 {
            reasons.append(
                MatchReason(kind: .sameRegion, values: regions, text: "works in the same region (\(regions.joined(separator: ", ")))"))
        }
        if evidence.global > 0, weights.global > 0, isRequest {
            reasons.append(MatchReason(kind: .openToEveryCountry, values: [], text: "open to every country"))
        }
        if evidence.related > 0, weights.related > 0 {
            reasons.append(
                MatchReason(kind: .namedAsRelated, values: [], text: isRequest ? "named by the request as related" : "names this record as related"))
        }
        let targets = Matchmaking.shared(source.targets, candidate.targets).values
        if !targets.isEmpty, weights.target > 0 {
            reasons.append(MatchReason(kind: .sameTargets, values: targets, text: "same targets (\(targets.joined(separator: ", ")))"))
        }
        return reasons
    }

    /// The source's keywords and telling words that `candidate` has (compared as analyzed
    /// terms, in each of the candidate's languages), and the source's words that it matched
    /// in translation: at most four, keywords first.
    func aboutWords(of candidate: Record, in candidates: MatchCandidates) -> [String] {
        // The candidate's terms, per language.
        var terms: [String: Set<String>] = [:]
        for (field, values) in RecordIndexing.document(for: candidate).text {
            guard let dot = field.lastIndex(of: ".") else { continue }
            let language = String(field[field.index(after: dot)...])
            guard let analyzer = Matchmaking.analyzers[language] else { continue }
            for value in values { terms[language, default: []].formUnion(analyzer.terms(value)) }
        }
        // (In a fixed order of languages: which language's terms a word covers decides which
        // later words are named, and a dictionary's order changes from run to run.)
        let languages = terms.keys.sorted()
        func has(_ text: String) -> Set<String>? {
            for language in languages {
                guard let known = terms[language] else { continue }
                guard let analyzer = Matchmaking.analyzers[language] else { continue }
                let wanted = Set(analyzer.terms(text))
                if !wanted.isEmpty, wanted.isSubset(of: known) { return wanted }
            }
            return nil
        }
        var about: [String] = []
        var covered = Set<String>()
        func add(_ text: String) {
            guard about.count < 4, !about.contains(text), !Matchmaking.isFormWord(text),
                !Matchmaking.stopWords.contains(text.lowercased()) || candidates.source.language != LanguageTag.undetermined,
                text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).allSatisfy({ Matchmaking.isTelling(String($0)) })
            else { return }
            // (A hyphen's parts: `camera-trap` is `camera trap`, not a word of its own.)
            guard let found = has(text.replacingOccurrences(of: "-", with: " ")), !found.isSubset(of: covered) else { return }
            about.append(text)
            covered.formUnion(found)
        }
        // The terms of `text` in every language (for words the candidate has in translation).
        func termsInEveryLanguage(_ text: String) -> [Set<String>] {
            let parts = text.replacingOccurrences(of: "-", with: " ")
            return Matchmaking.orderedAnalyzers.map { Set($0.terms(parts)) }.filter { !$0.isEmpty }
        }
        for keyword in candidates.keywordPhrases { add(keyword) }
        for word in candidates.needWords { add(word) }
        for label in candidates.translations[candidate.id] ?? [] {
            // (A Chinese source is its pairs of characters: `红树 树林` is `红树林`.)
            let readable = Matchmaking.readableTranslation(label, in: candidates.sourceText)
            guard about.count < 4, let range = readable.range(of: " from ", options: .backwards) else { continue }
            let word = String(readable[range.upperBound...])
            // (Not a phrase whose words are all named already: "mangrove, restoration"; nor
            // another form of words named: "sécheresses" after "sécheresse".)
            let named = Set(about.map { $0.lowercased() })
            let terms = termsInEveryLanguage(word)
            if !about.contains(word), !Matchmaking.isFormWord(word),
                !word.lowercased().split(separator: " ").allSatisfy({ named.contains(String($0)) }),
                !terms.contains(where: { $0.isSubset(of: covered) }),
                word.split(separator: " ").allSatisfy({ Matchmaking.isTelling($0.lowercased()) })
            {
                about.append(word)
                for own in terms { covered.formUnion(own) }
            }
        }
        if about.isEmpty {
            for word in candidates.contextWords.prefix(10) where about.count < 3 { add(word) }
        }
        return Matchmaking.joiningChinesePairs(about, in: candidates.sourceText)
    }
}
