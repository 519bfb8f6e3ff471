// The thesaurus in the catalog: one row per concept (its IRI, notation and a JSON
// description), a generation bumped by each import, and the search form of the labels made in
// the import's transaction (`thesaurus_index`), so that a search only reads.
import Foundation
import GRDB

extension Catalog {
    /// Stores `concepts` (read from the files `sources` names by IRI) in one transaction (all
    /// or nothing), replacing stored concepts with the same IRI (and, with `replace`, removing
    /// every other one first); bumps the thesaurus generation and stores the search form that
    /// `searchForm` makes of the whole thesaurus after the import, in the same transaction.
    func importConcepts(
        _ concepts: [Concept], sources: [String: String], replace: Bool, into report: inout ThesaurusImportReport,
        searchForm: ([Concept]) -> String
    ) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var counts = (added: 0, updated: 0, unchanged: 0, removed: 0)
        try write { db in
            let now = Catalog.now()
            var previous: [String: String] = [:]
            if replace {
                for row in try Row.fetchAll(db, sql: "SELECT iri, json FROM thesaurus_concepts") { previous[row["iri"]] = row["json"] }
                try db.execute(sql: "DELETE FROM thesaurus_concepts")
                let kept = Set(concepts.map(\.iri))
                counts.removed = previous.keys.filter { !kept.contains($0) }.count
            }
            for concept in concepts {
                let json = String(decoding: try encoder.encode(concept), as: UTF8.self)
                let stored =
                    replace
                    ? previous[concept.iri]
                    : try String.fetchOne(
                        db.cachedStatement(sql: "SELECT json FROM thesaurus_concepts WHERE iri = ?"), arguments: [concept.iri])
                if stored == json, !replace {
                    counts.unchanged += 1
                    continue
                }
                try db.cachedStatement(
                    sql: """
                        INSERT OR REPLACE INTO thesaurus_concepts (iri, notation, json, source_file, imported_at)
                        VALUES (?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [concept.iri, concept.notation, json, sources[concept.iri], now])
                if stored == nil { counts.added += 1 } else if stored == json { counts.unchanged += 1 } else { counts.updated += 1 }
            }
            try db.execute(sql: "UPDATE thesaurus_state SET generation = generation + 1 WHERE id = 1")
            let generation = try Int64.fetchOne(db, sql: "SELECT generation FROM thesaurus_state WHERE id = 1") ?? 0
            let all = try Self.concepts(in: db)
            try db.execute(
                sql: "INSERT OR REPLACE INTO thesaurus_index (id, version, data) VALUES (1, ?, ?)",
                arguments: [String(generation), searchForm(all)])
        }
        report.added += counts.added
        report.updated += counts.updated
        report.unchanged += counts.unchanged
        report.removed += counts.removed
    }

    /// The stored search form of the thesaurus (its analyzed labels), when it was made for
    /// thesaurus generation `version`.
    func thesaurusIndex(version: String) throws -> String? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT data FROM thesaurus_index WHERE id = 1 AND version = ?", arguments: [version])
        }
    }

    /// Stores `data` as the search form of thesaurus generation `version`, unless an import
    /// has moved the generation on since it was read.
    func replaceThesaurusIndex(version: String, data: String) throws {
        try write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO thesaurus_index (id, version, data)
                    SELECT 1, ?, ? WHERE (SELECT generation FROM thesaurus_state WHERE id = 1) = ?
                    """,
                arguments: [version, data, Int64(version) ?? -1])
        }
    }

    /// The thesaurus generation: bumped by every import, in its transaction (one row, read in
    /// constant time by every search).
    func thesaurusVersion() throws -> String {
        try read { db in
            String(try Int64.fetchOne(db, sql: "SELECT generation FROM thesaurus_state WHERE id = 1") ?? 0)
        }
    }

    /// What a search checks before it starts, read together (one read transaction instead of
    /// two): the thesaurus generation (``thesaurusVersion()``) and the change log's last
    /// position (``lastChangeSequence()``).
    func searchPositions() throws -> (thesaurusVersion: String, lastChangeSequence: Int64) {
        try read { db in
            let statement = try db.cachedStatement(
                sql: "SELECT (SELECT generation FROM thesaurus_state WHERE id = 1), (SELECT MAX(seq) FROM changes)")
            let row = try Row.fetchOne(statement)
            let generation: Int64? = row?[0]
            let sequence: Int64? = row?[1]
            return (String(generation ?? 0), sequence ?? 0)
        }
    }

    /// The concepts whose notation is one of `values` (case-insensitive), in one query.
    func concepts(notations values: [String]) throws -> [Concept] {
        guard !values.isEmpty else { return [] }
        return try concepts(where: "notation COLLATE NOCASE IN (\(Self.marks(values.count)))", StatementArguments(values))
    }

    /// The concepts whose notation is `notation` (case-insensitive) or whose IRI is `notation`.
    func concepts(notationOrIRI notation: String) throws -> [Concept] {
        guard !Catalog.cannotHold(notation) else { return [] }
        return try concepts(where: "notation = ? COLLATE NOCASE OR iri = ?", [notation, notation])
    }

    /// The concepts whose IRIs are among `iris`, in IRI order.
    func concepts(iris: [String]) throws -> [Concept] {
        guard !iris.isEmpty else { return [] }
        return try concepts(where: "iri IN (\(Self.marks(iris.count)))", StatementArguments(iris))
    }

    /// The concepts whose stored description names `iri` somewhere (a link to it, among
    /// others), in IRI order: found by the IRI's text, without decoding every concept.
    func concepts(mentioning iri: String) throws -> [Concept] {
        // (As the import stored it: JSONEncoder's escapes, `\/` among them.)
        let quoted = String(decoding: try JSONEncoder().encode(iri), as: UTF8.self)
        return try concepts(where: "instr(json, ?) > 0", [quoted])
    }

    /// The concepts whose rows match the SQL condition `condition`, in IRI order (a row that
    /// does not decode is left out).
    private func concepts(where condition: String, _ arguments: StatementArguments) throws -> [Concept] {
        let decoder = JSONDecoder()
        return try read { db in
            try String.fetchAll(db, sql: "SELECT json FROM thesaurus_concepts WHERE \(condition) ORDER BY iri", arguments: arguments)
                .compactMap { try? decoder.decode(Concept.self, from: Data($0.utf8)) }
        }
    }

    /// `?, ?, ?` for `count` values.
    private static func marks(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }

    /// Every stored concept, in IRI order.
    func concepts() throws -> [Concept] {
        try read { db in try Self.concepts(in: db) }
    }

    private static func concepts(in db: Database) throws -> [Concept] {
        let decoder = JSONDecoder()
        var concepts: [Concept] = []
        let rows = try String.fetchCursor(db, sql: "SELECT json FROM thesaurus_concepts ORDER BY iri")
        while let json = try rows.next() {
            guard let concept = try? decoder.decode(Concept.self, from: Data(json.utf8)) else {
                throw ClearingHouseError(.storage, "the catalog holds a damaged thesaurus concept; import the thesaurus again")
            }
            concepts.append(concept)
        }
        return concepts
    }
}
