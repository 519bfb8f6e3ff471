import Foundation
import Testing

/// One copy of each record, as a maintainer meets it: `chm ingest` links copies, `chm show`
/// resolves an alias and says so, `chm duplicates` lists probable duplicates, `chm merge`
/// links them, `chm delete` promotes an alias.
@Suite("chm aliases, duplicates and merge")
struct AliasCommandTests {
    static func record(_ id: String, title: String = "Community mangrove nurseries", summary: String, system: String? = nil) -> String {
        var text = #"{"id":"\#(id)","kind":"technology","title":{"en":"\#(title)"},"summary":{"en":"\#(summary)"},"countries":["KE"]"#
        if let system { text += #","source":{"system":"\#(system)","originalId":"\#(id)"}"# }
        return text + "}"
    }

    @Test func showResolvesAnAliasAndSaysSo() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let summary = "Raising mangrove seedlings with coastal villages."
        try directory.write("a.jsonl", Self.record("a-1", summary: summary, system: "node-a"))
        try directory.write("b.jsonl", Self.record("b-1", summary: summary, system: "node-b"))
        #expect(try CLI.run(["ingest", directory.path("a.jsonl"), "--index", index]).status == 0)
        let ingest = try CLI.run(["ingest", directory.path("b.jsonl"), "--index", index, "--json"])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(try CLI.json(ingest.stdout)["aliased"] as? Int == 1)
        #expect(ingest.stderr.contains("record b-1: stored as an alias of a-1 (same content)"))
        let text = try CLI.run(["ingest", directory.path("b.jsonl"), directory.path("a.jsonl"), "--index", index])
        #expect(text.stdout.contains("0 added, 0 updated, 2 unchanged"))

        let shown = try CLI.run(["show", "b-1", "--index", index])
        #expect(shown.status == 0)
        #expect(shown.stderrLines == ["chm: b-1 is an alias of a-1 (same content)"])
        #expect(shown.stdout.contains("a-1 · technology"))
        let json = try CLI.run(["show", "--json", "b-1", "--index", index])
        #expect(json.status == 0)
        #expect(json.stderrLines == ["chm: b-1 is an alias of a-1 (same content)"])
        let document = try CLI.json(json.stdout)
        #expect(document["id"] as? String == "a-1")
        let resolvedFrom = try #require(document["resolvedFrom"] as? [String: Any])
        #expect(resolvedFrom["id"] as? String == "b-1")
        #expect(resolvedFrom["primary"] as? String == "a-1")
        #expect(resolvedFrom["reason"] as? String == "content")
        // The record's own id: the canonical JSON, as before, and its aliases in the text view.
        let own = try CLI.run(["show", "--json", "a-1", "--index", index])
        #expect(own.stderr.isEmpty)
        #expect(try CLI.json(own.stdout)["resolvedFrom"] == nil)
        #expect(try CLI.run(["show", "a-1", "--index", index]).stdout.contains("Aliases:     b-1"))
        // Maintainer QA: a language that is no tag was shown in English, exit 0 (search: 64).
        let badTag = try CLI.run(["show", "a-1", "--lang", "bad tag", "--index", index])
        #expect(badTag.status == 64)
        #expect(badTag.stderr.contains(#"lang: "bad tag" is not a BCP 47 language tag"#))

        let search = try CLI.json(try CLI.run(["search", "mangrove", "--json", "--index", index]).stdout)
        #expect((search["hits"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["a-1"])
        #expect(try CLI.run(["similar", "b-1", "--index", index]).status == 0)
        let stats = try CLI.json(try CLI.run(["stats", "--json", "--index", index]).stdout)
        #expect(stats["records"] as? Int == 1)
        #expect((stats["catalog"] as? [String: Any])?["aliases"] as? Int == 1)
        #expect(try CLI.run(["stats", "--index", index]).stdout.contains("aliases: 1"))
        let check = try CLI.run(["check", "--json", "--index", index])
        #expect(check.status == 0)
        #expect(try CLI.json(check.stdout)["aliases"] as? Int == 1)

        // Deleting the primary: the alias takes its place.
        let deleted = try CLI.run(["delete", "a-1", "--index", index, "--json"])
        #expect(deleted.status == 0)
        #expect((try CLI.json(deleted.stdout)["promoted"] as? [String: String]) == ["a-1": "b-1"])
        #expect(deleted.stderr.contains("b-1, an alias of a-1, is now the record in its place"))
        let after = try CLI.run(["show", "b-1", "--index", index])
        #expect(after.stderr.isEmpty)
        #expect(after.stdout.contains("b-1 · technology"))
    }

    @Test func duplicatesListsAndMergeLinks() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        try directory.write(
            "records.jsonl",
            [
                Self.record("keep", summary: "Mangrove nurseries run by village groups on the coast."),
                Self.record("dup", title: "Community Mangrove Nurseries.", summary: "Village groups raise mangrove seedlings."),
                Self.record("fog", title: "Fog nets", summary: "Water from fog."),
            ].joined(separator: "\n"))
        #expect(try CLI.run(["ingest", directory.path("records.jsonl"), "--index", index]).status == 0)

        let listed = try CLI.run(["duplicates", "--json", "--index", index])
        #expect(listed.status == 0)
        let report = try CLI.json(listed.stdout)
        #expect(report["scanned"] as? Int == 3)
        let groups = try #require(report["groups"] as? [[String: Any]])
        #expect(groups.count == 1)
        #expect(groups.first?["reasons"] as? [String] == ["sameTitle"])
        #expect(groups.first?["primary"] as? String == "keep")
        #expect((groups.first?["records"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["keep", "dup"])
        let text = try CLI.run(["duplicates", "--index", index])
        #expect(text.stdout.contains("1 group of probable duplicates among 3 records"))
        #expect(text.stdout.contains("chm merge keep dup"))

        // Errors: nothing is merged, and the exit status says what kind.
        let unknown = try CLI.run(["merge", "keep", "dup", "nope", "--index", index])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no record with id nope"))
        let itself = try CLI.run(["merge", "keep", "keep", "--index", index])
        #expect(itself.status == 64)
        #expect(itself.stderr.contains("cannot be merged into itself"))

        let merged = try CLI.run(["merge", "keep", "dup", "--json", "--index", index])
        #expect(merged.status == 0, "\(merged.stderr)")
        let mergeReport = try CLI.json(merged.stdout)
        #expect(mergeReport["merged"] as? [String] == ["dup"])
        #expect((mergeReport["aliases"] as? [[String: Any]])?.first?["reason"] as? String == "merge")
        let intoAlias = try CLI.run(["merge", "dup", "fog", "--index", index])
        #expect(intoAlias.status == 1)
        #expect(intoAlias.stderr.contains("dup is an alias of keep"))
        let aliasOfAnother = try CLI.run(["merge", "fog", "dup", "--index", index])
        #expect(aliasOfAnother.status == 1)
        #expect(try CLI.run(["merge", "keep", "dup", "--index", index]).stdout.contains("0 merged into keep (1 already aliases of it)"))

        let none = try CLI.run(["duplicates", "--index", index])
        #expect(none.status == 0)
        #expect(none.stdout.contains("no probable duplicates among 2 records"))
        #expect(try CLI.run(["duplicates", "--threshold", "2", "--index", index]).status == 64)
    }
}
