import Foundation
import Testing

/// `chm match --requests FILE|all --output run.trec` and `chm eval` on the matchmaking set.
@Suite("chm match --requests")
struct MatchRunTests {
    let fixture = CLI.packageRoot.appendingPathComponent("Tests/Fixtures/matchmaking")

    @Test func writesARunThatChmEvalScores() throws {
        let directory = try TemporaryDirectory()
        let index = directory.path("index")
        let ingest = try CLI.run(["ingest", fixture.appendingPathComponent("corpus.jsonl").path, "--index", index])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        let thesaurus = CLI.packageRoot.appendingPathComponent("Corpus/thesaurus").path
        #expect(try CLI.run(["thesaurus", "import", thesaurus, "--index", index]).status == 0)

        let run = directory.path("run.trec")
        let all = try CLI.run(["match", "--requests", "all", "--index", index, "--output", run, "--limit", "20"])
        #expect(all.status == 0, "\(all.stderr)")
        let lines = try String(contentsOfFile: run, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 34 * 20)
        #expect(lines.allSatisfy { $0.split(separator: " ").count == 6 && $0.hasSuffix(" chm-match") })
        #expect(!lines.contains { $0.split(separator: " ")[2].hasPrefix("mm-req") })
        // The same index gives the same run in another process (whose hashing differs): a
        // request's fields were once joined in dictionary order, which decides the thesaurus
        // labels its words make, and the ranking changed from run to run.
        let again = directory.path("again.trec")
        #expect(try CLI.run(["match", "--requests", "all", "--index", index, "--output", again, "--limit", "20"]).status == 0)
        #expect(try String(contentsOfFile: again, encoding: .utf8) == String(contentsOfFile: run, encoding: .utf8))

        let eval = try CLI.run(["eval", "--qrels", fixture.appendingPathComponent("qrels.tsv").path, "--metrics", "ndcg@5", run, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let metrics = try #require(try CLI.json(eval.stdout)["metrics"] as? [String: Any])
        #expect((metrics["ndcg@5"] as? Double ?? 0) > 0.85)

        // A file of ids, or of qid<TAB>id.
        let file = try directory.write("requests.tsv", "# two requests\nmm-req-01\nq2\tmm-req-02\n")
        let some = try CLI.run(["match", "--requests", file, "--index", index, "--limit", "3"])
        #expect(some.status == 0, "\(some.stderr)")
        #expect(some.stdout.split(separator: "\n").map { String($0.split(separator: " ")[0]) } == ["mm-req-01", "mm-req-01", "mm-req-01", "q2", "q2", "q2"])
        #expect(try CLI.run(["match", "mm-req-01", "--requests", "all", "--index", index]).status == 64)
        #expect(try CLI.run(["match", "--requests", directory.path("missing.tsv"), "--index", index]).status != 0)

        // An offer finds requests.
        let offer = try CLI.json(try CLI.run(["match", "mm-off-001", "--index", index, "--json", "--limit", "3"]).stdout)
        let hits = try #require(offer["hits"] as? [[String: Any]])
        #expect(hits.allSatisfy { $0["kind"] as? String == "assistanceRequest" })
        #expect(hits.first?["id"] as? String == "mm-req-01")
    }
}
