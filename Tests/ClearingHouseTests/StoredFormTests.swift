// Records read back from the catalog (the trusted path): the stored canonical JSON decodes to
// the record that was validated on the way in, and damaged text is an error, never a crash.
import Foundation
import Testing

@testable import ClearingHouse
@testable import Records

@Suite struct StoredFormTests {
    /// Every record of the shipped Corpus, and one that uses every field, escapes and
    /// extensions: validated from its file, stored, and decoded back without validation, it
    /// is the same record, and its canonical JSON is byte for byte what was stored.
    @Test func storedRecordsDecodeToTheRecordThatWasValidated() throws {
        var records: [Record] = []
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Corpus").standardized.path
        let outcome = readRecordsAt(corpus)
        records += outcome
        let full = try #require(
            validateRecord(
                recordJSON(
                    "full-1", title: "Quote \\\" backslash \\\\ tab \\t newline \\n \\u0001 é 红树林 😀",
                    """
                    "language": "fr", "summary": {"fr": "Résumé", "ar": "ملخص"}, "description": "Deux\\nlignes",
                    "keywords": ["a", "b"], "themes": ["CBD-SUBJECT-MARINE"], "targets": ["GBF-T2"], "countries": ["ke", "TZ"],
                    "regions": ["AFR"], "assistanceTypes": ["training"],
                    "organizations": [{"name": "Org", "role": "provider", "country": "KE", "url": "https://example.org"}, {"name": "Bare"}],
                    "links": [{"url": "https://example.org/a", "title": "A", "language": "en"}, {"url": "https://example.org/b"}],
                    "published": "2021-05", "updated": "2022-01-02T03:04:05Z", "license": "CC-BY-4.0",
                    "source": {"system": "chm", "originalId": "x"}, "related": ["other-1"],
                    "extensions": {"z": [1, 2.5, -3e2, true, false, null], "a": {"nested": {"deep": "\\u00e9"}}}
                    """)
            ).record)
        records.append(full)
        #expect(records.count > 40)
        for record in records {
            let stored = record.canonicalJSONText
            let decoded = try Record(storedJSON: stored)
            #expect(decoded == record, "\(record.id)")
            #expect(decoded.canonicalJSONText == stored, "\(record.id)")
        }
    }

    /// Damaged text in the catalog (truncated, not JSON, not a record) is a `StoredFormError.
    @Test(arguments: [
        "", "{", "{\"id\":\"a\",\"kind\":\"technology\"", "[]", "{\"id\":\"a\"}", "{\"id\":\"a\",\"kind\":\"spaceship\"}",
        "{\"id\":\"a\",\"kind\":\"technology\",\"title\":\"not localized\"}", "{\"id\":\"a\",\"kind\":\"technology\"} trailing",
        "{\"id\":\"a\",\"kind\":\"technology\",\"keywords\":[1]}", "\"\\ud800\"", "{\"id\":\"\\q\"}",
        String(repeating: "[", count: 100_000),
    ])
    func damagedTextIsAnError(text: String) {
        #expect {
            _ = try Record(storedJSON: text)
        } throws: { error in
            error is StoredFormError
        }
    }

    private func readRecordsAt(_ path: String) -> [Record] {
        var records: [Record] = []
        let (files, _) = RecordFile.discover([path])
        for file in files {
            try? file.makeReader(options: IngestOptions()).read { entry in
                if case .record(let record, _, _, _) = entry { records.append(record) }
            }
        }
        return records
    }
}
