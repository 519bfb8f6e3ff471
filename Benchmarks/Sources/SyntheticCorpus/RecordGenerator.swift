/// One generated clearing-house record (the fields of DESIGN.md section 2 that carry
/// search load).
public struct SyntheticRecord: Sendable {
    /// The text of the record in one language.
    public struct Text: Sendable {
        public var language: String
        public var title: String
        public var summary: String
        public var description: String
    }

    public var id: String
    public var kind: String
    /// The record's main language (the first of `texts`).
    public var language: String
    /// The texts, main language first.
    public var texts: [Text]
    /// Whether the texts are written as plain strings with `language` (one text only)
    /// rather than objects of language -> text.
    public var plainStrings: Bool
    public var keywords: [String]
    public var themes: [String]
    public var targets: [String]
    public var countries: [String]
    public var regions: [String]
    public var assistanceTypes: [String]
    public var published: String
    public var updated: String
    public var license: String
}

/// Generates records deterministically: record `i` depends only on the seed and `i`.
///
/// Languages: English ~70%, French, Spanish, Russian, Arabic and Chinese ~6% each; a
/// quarter of the non-English records also carry an English text and a tenth of the
/// English ones a second language. Titles have 4-12 words, summaries 20-40 and
/// descriptions 80-200 (Chinese: twice as many characters).
public struct RecordGenerator: Sendable {
    public let seed: UInt64
    private let generators: [String: TextGenerator]

    public init(seed: UInt64) {
        self.seed = seed
        var generators: [String: TextGenerator] = [:]
        for language in Vocabulary.languages { generators[language] = TextGenerator(language: language) }
        self.generators = generators
    }

    public static let kinds = [
        "technology", "bestPractice", "caseStudy", "organization", "assistanceRequest", "training", "funding", "resource",
    ]
    static let kindWeights = [0.22, 0.16, 0.16, 0.1, 0.08, 0.1, 0.06, 0.12]

    public static let themes = [
        "forests", "marine", "freshwater", "agriculture", "restoration", "monitoring", "drylands",
        "traditional-knowledge", "invasive-species", "climate", "urban", "mountains", "islands", "wetlands",
        "pollinators", "protected-areas", "genetic-resources", "sustainable-use", "tourism", "health",
    ]

    static let assistanceTypes = ["training", "technicalAdvice", "equipment", "funding", "data", "exchangeVisit"]

    /// Countries (assigned ISO 3166-1 alpha-2 codes) and their region.
    public static let countries: [(code: String, region: String)] = [
        ("KE", "Africa"), ("TZ", "Africa"), ("UG", "Africa"), ("ET", "Africa"), ("SN", "Africa"), ("ML", "Africa"),
        ("BF", "Africa"), ("NE", "Africa"), ("NG", "Africa"), ("GH", "Africa"), ("CM", "Africa"), ("CD", "Africa"),
        ("MG", "Africa"), ("MZ", "Africa"), ("ZA", "Africa"), ("NA", "Africa"), ("BW", "Africa"), ("MA", "Africa"),
        ("EG", "Africa"), ("TN", "Africa"), ("DZ", "Africa"), ("SD", "Africa"),
        ("CN", "Asia and the Pacific"), ("IN", "Asia and the Pacific"), ("VN", "Asia and the Pacific"),
        ("TH", "Asia and the Pacific"), ("ID", "Asia and the Pacific"), ("PH", "Asia and the Pacific"),
        ("MY", "Asia and the Pacific"), ("BD", "Asia and the Pacific"), ("NP", "Asia and the Pacific"),
        ("LK", "Asia and the Pacific"), ("MN", "Asia and the Pacific"), ("PG", "Asia and the Pacific"),
        ("FJ", "Asia and the Pacific"), ("WS", "Asia and the Pacific"), ("JP", "Asia and the Pacific"),
        ("AU", "Asia and the Pacific"), ("NZ", "Asia and the Pacific"), ("KH", "Asia and the Pacific"),
        ("JO", "Western Asia"), ("LB", "Western Asia"), ("SA", "Western Asia"), ("OM", "Western Asia"),
        ("AE", "Western Asia"), ("IQ", "Western Asia"),
        ("BR", "Latin America and the Caribbean"), ("MX", "Latin America and the Caribbean"),
        ("CO", "Latin America and the Caribbean"), ("PE", "Latin America and the Caribbean"),
        ("EC", "Latin America and the Caribbean"), ("BO", "Latin America and the Caribbean"),
        ("CL", "Latin America and the Caribbean"), ("AR", "Latin America and the Caribbean"),
        ("CR", "Latin America and the Caribbean"), ("GT", "Latin America and the Caribbean"),
        ("CU", "Latin America and the Caribbean"), ("JM", "Latin America and the Caribbean"),
        ("HT", "Latin America and the Caribbean"),
        ("FR", "Western Europe and Others"), ("ES", "Western Europe and Others"), ("DE", "Western Europe and Others"),
        ("GB", "Western Europe and Others"), ("NO", "Western Europe and Others"), ("CA", "Western Europe and Others"),
        ("CH", "Western Europe and Others"), ("IT", "Western Europe and Others"),
        ("RU", "Central and Eastern Europe"), ("UA", "Central and Eastern Europe"), ("KZ", "Central and Eastern Europe"),
        ("PL", "Central and Eastern Europe"), ("RO", "Central and Eastern Europe"), ("GE", "Central and Eastern Europe"),
        ("BY", "Central and Eastern Europe"), ("KG", "Central and Eastern Europe"),
    ]

    static let targets: [String] =
        (1...23).map { "GBF-T\($0)" } + (1...20).map { "AICHI-T\($0)" } + ["SDG-2", "SDG-6", "SDG-13", "SDG-14", "SDG-15"]

    static let otherLanguages = ["fr", "es", "ru", "ar", "zh"]

    /// The record at `index` (0-based).
    public func record(at index: Int) -> SyntheticRecord {
        var rng = SplitMix64(seed: seed, stream: UInt64(index))

        let kind = Self.kinds[weightedIndex(Self.kindWeights, &rng)]
        let u = rng.nextUnit()
        let language = u < 0.70 ? "en" : Self.otherLanguages[min(4, Int((u - 0.70) / 0.06))]
        var languages = [language]
        if language != "en", rng.chance(0.25) {
            languages.append("en")
        } else if language == "en", rng.chance(0.10) {
            languages.append(rng.pick(Self.otherLanguages))
        }

        var texts: [SyntheticRecord.Text] = []
        for language in languages {
            let generator = generators[language]!
            texts.append(
                SyntheticRecord.Text(
                    language: language,
                    title: generator.title(words: rng.int(in: 4...12), &rng),
                    summary: generator.text(words: rng.int(in: 20...40), &rng),
                    description: generator.text(words: rng.int(in: 80...200), &rng)))
        }

        let keywordGenerator = generators[language]!
        var keywords: [String] = []
        for _ in 0..<rng.int(in: 2...6) {
            let keyword = keywordGenerator.keyword(&rng)
            if !keywords.contains(keyword) { keywords.append(keyword) }
        }

        let countries = rng.pickDistinct(Array(Self.countries.indices), count: rng.int(in: 1...3))
        var regions: [String] = []
        for index in countries where !regions.contains(Self.countries[index].region) {
            regions.append(Self.countries[index].region)
        }

        let year = 2025 - Int(Double(35) * rng.nextUnit() * rng.nextUnit())  // recent years more often
        let month = rng.int(in: 1...12)
        let day = rng.int(in: 1...28)
        let published: String
        switch rng.int(in: 0...2) {
        case 0: published = "\(year)"
        case 1: published = "\(year)-\(twoDigits(month))"
        default: published = "\(year)-\(twoDigits(month))-\(twoDigits(day))"
        }
        let updatedYear = min(2025, year + rng.int(in: 0...3))
        let updated =
            "\(updatedYear)-\(twoDigits(rng.int(in: 1...12)))-\(twoDigits(rng.int(in: 1...28)))T"
            + "\(twoDigits(rng.int(in: 0...23))):\(twoDigits(rng.int(in: 0...59))):\(twoDigits(rng.int(in: 0...59)))Z"

        return SyntheticRecord(
            id: "syn-\(seed)-\(index + 1)",
            kind: kind,
            language: language,
            texts: texts,
            plainStrings: texts.count == 1 && rng.chance(0.5),
            keywords: keywords,
            themes: rng.pickDistinct(Self.themes, count: rng.int(in: 1...3)),
            targets: rng.pickDistinct(Self.targets, count: rng.int(in: 0...3)),
            countries: countries.map { Self.countries[$0].code },
            regions: regions,
            assistanceTypes: kind == "assistanceRequest" || kind == "organization" || kind == "training"
                ? rng.pickDistinct(Self.assistanceTypes, count: rng.int(in: 1...2)) : [],
            published: published,
            updated: updated,
            license: rng.chance(0.8) ? "CC-BY-4.0" : "CC0-1.0")
    }

    private func weightedIndex(_ weights: [Double], _ rng: inout SplitMix64) -> Int {
        var u = rng.nextUnit() * weights.reduce(0, +)
        for (index, weight) in weights.enumerated() {
            u -= weight
            if u < 0 { return index }
        }
        return weights.count - 1
    }

    private func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}

extension SyntheticRecord {
    /// The record as one line of JSON (no trailing newline), keys in a fixed order.
    public func appendJSON(to out: inout [UInt8]) {
        var writer = JSONObjectWriter(&out)
        writer.string("id", id, &out)
        writer.string("kind", kind, &out)
        writer.string("language", language, &out)
        for (key, path) in [("title", \Text.title), ("summary", \Text.summary), ("description", \Text.description)] {
            if plainStrings {
                writer.string(key, texts[0][keyPath: path], &out)
            } else {
                writer.object(key, texts.map { ($0.language, $0[keyPath: path]) }, &out)
            }
        }
        writer.array("keywords", keywords, &out)
        writer.array("themes", themes, &out)
        if !targets.isEmpty { writer.array("targets", targets, &out) }
        writer.array("countries", countries, &out)
        writer.array("regions", regions, &out)
        if !assistanceTypes.isEmpty { writer.array("assistanceTypes", assistanceTypes, &out) }
        writer.string("published", published, &out)
        writer.string("updated", updated, &out)
        writer.string("license", license, &out)
        writer.finish(&out)
    }
}
