import Foundation
import SearchCore
import SyntheticCorpus

#if canImport(Glibc)
import Glibc
#endif

/// The index the query benchmarks search: synthetic clearing-house records in chm's own
/// schema (each text field once per language, grouped by language, BM25 k1 2.0 b 0.75).
enum Fixture {
    /// Documents in the prepared index.
    static let documentCount = 20_000
    /// The seed of the prepared index's records.
    static let seed: UInt64 = 20_000

    static let languages = LanguageAnalyzer.languages + ["other"]

    /// chm's schema (`RecordIndexing.schema` in ClearingHouse, which is internal).
    static let schema: Schema = {
        var fields: [Schema.TextField] = []
        for language in languages {
            let analyzer = LanguageAnalyzer.forLanguage(language)
            for (name, weight) in [("title", 3.0), ("keywords", 2.0), ("summary", 1.5), ("description", 1.0)] {
                fields.append(Schema.TextField("\(name).\(language)", analyzer: analyzer, weight: weight, group: language))
            }
        }
        return Schema(textFields: fields, keywordFields: ["kind", "country", "region", "theme", "language", "year"])
    }()

    static let bm25 = BM25Parameters(k1: 2.0, b: 0.75)

    /// The document chm would index for `record`.
    static func document(_ record: SyntheticRecord) -> Document {
        var text: [String: [String]] = [:]
        for localized in record.texts {
            text["title.\(localized.language)", default: []].append(localized.title)
            text["summary.\(localized.language)", default: []].append(localized.summary)
            text["description.\(localized.language)", default: []].append(localized.description)
        }
        text["keywords.\(record.language)"] = record.keywords
        return Document(
            key: record.id, text: text,
            keywords: [
                "kind": [record.kind], "country": record.countries, "region": record.regions, "theme": record.themes,
                "language": record.texts.map(\.language), "year": [String(record.published.prefix(4))],
            ])
    }

    /// `count` documents from the records of `seed`.
    static func documents(count: Int, seed: UInt64) -> [Document] {
        let generator = RecordGenerator(seed: seed)
        return (0..<count).map { document(generator.record(at: $0)) }
    }

    /// Writes `documents` into a new index in `directory` and commits.
    static func write(_ documents: [Document], to directory: URL) throws {
        let writer = try IndexWriter(directory: directory, schema: schema, bm25: bm25)
        defer { writer.close() }
        for document in documents { try writer.add(document) }
        try writer.commit()
    }

    /// The prepared index, built once per benchmark run.
    ///
    /// package-benchmark runs every benchmark in a process of its own, so the index is
    /// cached on disk for the run: under `$TMPDIR/chm-search-benchmarks/run-<parent pid>-<stamp>`,
    /// where the parent is the BenchmarkTool process and the stamp is the benchmark
    /// executable's modification time (a rebuilt SearchCore gets a fresh index). Caches of
    /// runs whose parent has exited are removed.
    static func preparedIndex() throws -> URL {
        try preparedIndexResult.get()
    }

    private static let preparedIndexResult = Result<URL, any Error> { try buildPreparedIndex() }

    private static func buildPreparedIndex() throws -> URL {
        let fileManager = FileManager.default
        let root = fileManager.temporaryDirectory.appendingPathComponent("chm-search-benchmarks")
        let runName = "run-\(getppid())-\(executableStamp())"
        let run = root.appendingPathComponent(runName)
        let index = run.appendingPathComponent("index-\(documentCount)-\(seed)")
        if fileManager.fileExists(atPath: index.path) { return index }

        removeStaleRuns(in: root, keeping: runName)
        let building = run.appendingPathComponent("building-\(getpid())")
        try? fileManager.removeItem(at: building)
        try fileManager.createDirectory(at: building, withIntermediateDirectories: true)
        let writer = try IndexWriter(directory: building, schema: schema, bm25: bm25)
        let generator = RecordGenerator(seed: seed)
        for index in 0..<documentCount {
            try writer.add(document(generator.record(at: index)))
        }
        try writer.forceMerge()
        writer.close()
        do {
            try fileManager.moveItem(at: building, to: index)
        } catch {
            // Another process finished first: use its copy.
            try? fileManager.removeItem(at: building)
            guard fileManager.fileExists(atPath: index.path) else { throw error }
        }
        return index
    }

    private static func executableStamp() -> String {
        let path = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let date = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? nil
        return String(Int((date?.timeIntervalSince1970 ?? 0) * 1000))
    }

    private static func removeStaleRuns(in root: URL, keeping current: String) {
        let fileManager = FileManager.default
        guard let entries = try? fileManager.contentsOfDirectory(atPath: root.path) else { return }
        let parent = getppid()
        for entry in entries where entry.hasPrefix("run-") && entry != current {
            let fields = entry.split(separator: "-")
            guard fields.count >= 2, let pid = pid_t(fields[1]) else { continue }
            // Same parent but an older executable, or a parent that has exited.
            if pid == parent || (kill(pid, 0) != 0 && errno == ESRCH) {
                try? fileManager.removeItem(at: root.appendingPathComponent(entry))
            }
        }
    }

    /// A fresh, empty directory for a throwaway index.
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("chm-search-benchmarks")
            .appendingPathComponent("scratch-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

/// Text for the analysis benchmarks: one paragraph per language, as a record's description.
enum Paragraphs {
    static let english = """
        Community members in the Lamu archipelago raise mangrove seedlings in small nurseries and replant \
        degraded creeks where cutting for poles and firewood had cleared the forest. Women's groups collect \
        propagules of Rhizophora and Ceriops during the fruiting season, grow them for six to nine months, \
        and plant them at the right tidal height, which raised survival from about 30% to over 80%. The \
        restored stands protect the shoreline against erosion, shelter juvenile fish and crabs, and store \
        carbon; since 2016 the project has sold verified credits and shares the income with the villages. \
        Fishers report better catches near the replanted sites, and the county has adopted the nursery \
        guidelines for its own restoration programme. Lessons: involve the people who use the mangroves \
        from the start, monitor survival every quarter, and plan for long-term funding beyond the pilot.
        """

    static let french = """
        Dans les villages du plateau central, les agriculteurs creusent des zaï et des demi-lunes pour \
        récupérer les terres dégradées : ces petites cuvettes retiennent l'eau de pluie et la matière \
        organique, et les rendements de sorgho et de mil ont doublé en trois saisons. Le réseau paysan \
        organise des visites d'échange, forme des animateurs et publie des fiches techniques en français \
        et en mooré. La régénération naturelle assistée des arbres dans les champs complète ces pratiques \
        et réduit l'érosion éolienne pendant la saison sèche.
        """

    static let chinese = """
        在长江中下游的湖泊湿地，社区巡护队与科研人员合作监测江豚和越冬候鸟的数量。项目利用无人机和环境DNA技术，\
        每季度调查一次水质和鱼类资源，并与渔民一起制定禁捕期管理方案。退捕还湖以后，湿地植被逐步恢复，\
        江豚的目击次数明显增加，当地村民也通过生态旅游和自然教育获得了新的收入来源。
        """
}
