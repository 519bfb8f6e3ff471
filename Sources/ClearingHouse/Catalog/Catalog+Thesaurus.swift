// The thesaurus in the catalog: one row per concept (its IRI, notation and a JSON
// description), written by `chm thesaurus import` in one transaction per file.
import Foundation
import GRDB

extension Catalog {
    /// Stores the concepts of `files` in one transaction (all or nothing), replacing stored
    /// concepts with the same IRI (and, with `replace`, removing every other one first), and
    /// counts what changed into `report`.
    func importConcepts(
        _ files: [(path: String, concepts: [Concept])], replace: Bool, into report: inout ThesaurusImportReport
    ) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var counts = (added: 0, updated: 0, unchanged: 0)
        try database.write { db in
            let now = Catalog.now()
            var previous: [String: String] = [:]
            if replace {
                for row in try Row.fetchAll(db, sql: "SELECT iri, json FROM thesaurus_concepts") { previous[row["iri"]] = row["json"] }
                try db.execute(sql: "DELETE FROM thesaurus_concepts")
            }
            for (path, concepts) in files {
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
                    ).execute(arguments: [concept.iri, concept.notation, json, path, now])
                    if stored == nil { counts.added += 1 } else if stored == json { counts.unchanged += 1 } else { counts.updated += 1 }
                }
            }
        }
        report.added += counts.added
        report.updated += counts.updated
        report.unchanged += counts.unchanged
    }

    /// The stored search form of the thesaurus (its analyzed labels), when it was made for
    /// thesaurus version `version`.
    func thesaurusIndex(version: String) throws -> String? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT data FROM thesaurus_index WHERE id = 1 AND version = ?", arguments: [version])
        }
    }

    /// Stores the search form of thesaurus version `version` (made by whoever loaded it first).
    func storeThesaurusIndex(_ data: String, version: String) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO thesaurus_index (id, version, data) VALUES (1, ?, ?)", arguments: [version, data])
        }
    }

    /// The concepts whose notation is `notation` (case-insensitive) or whose IRI is `notation`.
    func concepts(notationOrIRI notation: String) throws -> [Concept] {
        let decoder = JSONDecoder()
        return try database.read { db in
            try String.fetchAll(
                db, sql: "SELECT json FROM thesaurus_concepts WHERE notation = ? COLLATE NOCASE OR iri = ? ORDER BY iri",
                arguments: [notation, notation]
            ).compactMap { try? decoder.decode(Concept.self, from: Data($0.utf8)) }
        }
    }

    /// Every stored concept, in IRI order.
    func concepts() throws -> [Concept] {
        let decoder = JSONDecoder()
        return try database.read { db in
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

    /// Changes whenever the stored thesaurus does (count and newest row), so that a
    /// long-lived process can tell when to reload it.
    func thesaurusVersion() throws -> String {
        try database.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT COUNT(*) AS n, IFNULL(MAX(rowid), 0) AS last, IFNULL(MAX(imported_at), '') AS at FROM thesaurus_concepts")
            return "\(row?["n"] as Int? ?? 0)-\(row?["last"] as Int64? ?? 0)-\(row?["at"] as String? ?? "")"
        }
    }
}
