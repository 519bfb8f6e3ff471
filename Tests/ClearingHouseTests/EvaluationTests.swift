// Evaluation of TREC runs: each metric on small runs computed by hand, trec_eval's ordering
// and averaging rules, parsing errors with their lines, and metric names.
import Foundation
import Testing

@testable import ClearingHouse

@Suite struct EvaluationTests {
    /// Evaluates run text against qrels text.
    private func report(
        run: String, qrels: String, metrics: [EvaluationMetric]
    ) throws -> EvaluationReport {
        evaluate(run: try TRECRun(parsing: run), qrels: try Qrels(parsing: qrels), metrics: metrics)
    }

    /// `QID Q0 DOC RANK SCORE tag` lines; the ranks are deliberately all 1, since they are ignored.
    private func runText(_ query: String, _ scored: [(String, Double)]) -> String {
        scored.map { "\(query) Q0 \($0.0) 1 \($0.1) tag\n" }.joined()
    }

    /// Whether `actual` is within 1e-12 of `expected` (the values are sums of a few doubles).
    private func close(_ actual: Double?, _ expected: Double) -> Bool {
        guard let actual else { return false }
        return abs(actual - expected) < 1e-12
    }

    // One query with graded judgements, used by several tests:
    //   qrels: a=3, b=2, c=1, d=0, e=-1, f=2 (f never retrieved)   → relevant: a, b, c, f (R = 4)
    //   run, by score: b (9), d (8), a (7), x (6, unjudged), c (5)  → gains 2, 0, 3, -, 1
    private let gradedQrels = """
        1 0 a 3
        1 0 b 2
        1 0 c 1
        1 0 d 0
        1 0 e -1
        1 0 f 2
        """
    private var gradedRun: String {
        runText("1", [("c", 5), ("x", 6), ("a", 7), ("d", 8), ("b", 9)])
    }

    @Test func ndcgUsesLinearGainsLog2DiscountAndTheIdealRankingCutAtK() throws {
        let result = try report(run: gradedRun, qrels: gradedQrels, metrics: [.ndcg(5), .ndcg(2), .ndcg(1)])
        // DCG@5 = 2/log2(2) + 0/log2(3) + 3/log2(4) + 0/log2(5) + 1/log2(6)
        //       = 2 + 0 + 1.5 + 0 + 0.386853 = 3.886853
        // Ideal gains 3, 2, 2, 1 (positive gains only; -1 and 0 add nothing):
        // IDCG@5 = 3/log2(2) + 2/log2(3) + 2/log2(4) + 1/log2(5) = 3 + 1.261860 + 1 + 0.430677 = 5.692536
        // nDCG@5 = 3.886853 / 5.692536 = 0.682798
        let dcg5: Double = 2 + 3.0 / 2.0 + 1 / log2(6.0)
        let idcg5: Double = 3 + 2 / log2(3.0) + 1 + 1 / log2(5.0)
        #expect(abs(dcg5 / idcg5 - 0.682798) < 1e-6)
        #expect(close(result.mean[.ndcg(5)], dcg5 / idcg5))
        // nDCG@2 = (2 + 0) / (3 + 2/log2(3)) = 2 / 4.261860 = 0.469279
        let idcg2: Double = 3 + 2 / log2(3.0)
        #expect(close(result.mean[.ndcg(2)], 2 / idcg2))
        // nDCG@1 = 2 / 3: the ideal is cut at k too.
        #expect(close(result.mean[.ndcg(1)], 2.0 / 3.0))
    }

    @Test func averagePrecisionDividesByAllRelevantDocuments() throws {
        let result = try report(run: gradedRun, qrels: gradedQrels, metrics: [.map])
        // Relevant at ranks 1 (b), 3 (a), 5 (c); f is never retrieved but counts in R = 4.
        // AP = (1/1 + 2/3 + 3/5) / 4 = 2.266667 / 4 = 0.566667
        let precisionSum: Double = 1.0 + 2.0 / 3.0 + 3.0 / 5.0
        #expect(close(result.mean[.map], precisionSum / 4))
    }

    @Test func precisionDividesByKEvenWhenFewerDocumentsAreRetrieved() throws {
        let result = try report(
            run: gradedRun, qrels: gradedQrels, metrics: [.precision(1), .precision(2), .precision(10)])
        #expect(result.mean[.precision(1)] == 1)  // b
        #expect(result.mean[.precision(2)] == 0.5)  // b, d
        #expect(result.mean[.precision(10)] == 0.3)  // 3 relevant among only 5 retrieved, over 10
    }

    @Test func recallIsRelevantRetrievedInTopKOverAllRelevant() throws {
        let result = try report(
            run: gradedRun, qrels: gradedQrels, metrics: [.recall(1), .recall(3), .recall(1000)])
        #expect(result.mean[.recall(1)] == 0.25)  // b of a, b, c, f
        #expect(result.mean[.recall(3)] == 0.5)  // b, a
        #expect(result.mean[.recall(1000)] == 0.75)  // b, a, c; f never retrieved
    }

    @Test func reciprocalRankIsCutAtK() throws {
        let qrels = "7 0 g 1\n7 0 x 0\n"
        let run = runText("7", [("x", 3), ("y", 2), ("g", 1)])  // g is third
        let result = try report(run: run, qrels: qrels, metrics: [.mrr(2), .mrr(3), .mrr(10)])
        #expect(result.mean[.mrr(2)] == 0)
        #expect(result.mean[.mrr(3)] == 1.0 / 3.0)
        #expect(result.mean[.mrr(10)] == 1.0 / 3.0)
    }

    @Test func equalScoresAreOrderedByDocumentIDDescendingAndFileRanksAreIgnored() throws {
        // trec_eval sorts ties with strcmp(b, a): "b" before "a", and "9" before "10" (bytes,
        // not numbers). The rank column says otherwise and is ignored.
        let qrels = "1 0 a 1\n1 0 b 0\n2 0 10 1\n2 0 9 0\n"
        let run = """
            1 Q0 a 1 2.5 tag
            1 Q0 b 2 2.5 tag
            2 Q0 10 1 0.75 tag
            2 Q0 9 2 0.75 tag
            """
        let parsed = try TRECRun(parsing: run)
        #expect(parsed.ranking(for: "1").map(\.document) == ["b", "a"])
        #expect(parsed.ranking(for: "2").map(\.document) == ["9", "10"])
        let result = evaluate(run: parsed, qrels: try Qrels(parsing: qrels), metrics: [.mrr(10)])
        #expect(result.perQuery["1"]?[.mrr(10)] == 0.5)
        #expect(result.perQuery["2"]?[.mrr(10)] == 0.5)
    }

    @Test func higherScoreWinsOverDocumentID() throws {
        let run = try TRECRun(parsing: runText("1", [("a", 3), ("z", -1), ("m", 1e-3)]))
        #expect(run.ranking(for: "1").map(\.document) == ["a", "m", "z"])
    }

    @Test func averagesAreOverJudgedQueriesWithMissingOnesAsZero() throws {
        // Judged: 1 and 2 (a relevant document each). 3 has only a non-relevant judgement and
        // is not averaged over. The run answers 1 (perfectly) and 9 (not judged: ignored).
        let qrels = "1 0 a 1\n2 0 b 2\n3 0 c 0\n"
        let run = runText("1", [("a", 1)]) + runText("9", [("z", 1)]) + runText("3", [("c", 1)])
        let result = try report(run: run, qrels: qrels, metrics: [.precision(1), .map, .ndcg(10)])
        #expect(result.queryCount == 2)
        #expect(result.queryIDs == ["1", "2"])
        #expect(result.ignoredQueries == ["3", "9"])
        #expect(result.perQuery["2"] == [.precision(1): 0, .map: 0, .ndcg(10): 0])
        // (1 + 0) / 2 for each metric.
        #expect(result.mean == [.precision(1): 0.5, .map: 0.5, .ndcg(10): 0.5])
    }

    @Test func repeatedMetricsAreComputedOnce() throws {
        let result = try report(
            run: gradedRun, qrels: gradedQrels, metrics: [.map, .precision(2), .map])
        #expect(result.metrics == [.map, .precision(2)])
    }

    @Test func jsonHasQueriesMeansAndPerQueryValuesInOrder() throws {
        let qrels = "10 0 a 1\n2 0 b 1\n"
        let result = try report(run: runText("10", [("a", 1)]), qrels: qrels, metrics: [.precision(1), .map])
        #expect(
            result.jsonValue.description
                == #"{"queries":2,"metrics":{"p@1":0.5,"map":0.5},"#
                + #""perQuery":{"2":{"p@1":0,"map":0},"10":{"p@1":1,"map":1}}}"#
        )
        #expect(
            result.jsonValue(includingPerQuery: false).description
                == #"{"queries":2,"metrics":{"p@1":0.5,"map":0.5}}"#)
    }

    // MARK: Parsing

    @Test func qrelsAcceptTabsBlankLinesAndCRLF() throws {
        let qrels = try Qrels(parsing: "1\t0\ta\t2\r\n\r\n  1 0 b 0\n1 0 c -1\n2 Q0 d 1")
        #expect(qrels.judgements == ["1": ["a": 2, "b": 0, "c": -1], "2": ["d": 1]])
        #expect(qrels.relevantCount(for: "1") == 1)
        #expect(qrels.judgedQueries == ["1", "2"])
    }

    @Test func malformedQrelsLinesNameFileAndLine() throws {
        func failure(_ text: String) -> Diagnostic? {
            do {
                _ = try Qrels(parsing: text, file: "judged.txt")
                return nil
            } catch {
                return error as? Diagnostic
            }
        }
        let short = try #require(failure("1 0 a 1\n\n1 0 b\n"))
        #expect(short.file == "judged.txt" && short.line == 3)
        #expect(
            short.description == "judged.txt:3: error: expected 4 fields \"QUERY ITERATION DOCUMENT GAIN\", found 3")
        let gain = try #require(failure("1 0 a 1.5\n"))
        #expect(gain.line == 1 && gain.message.contains("not an integer"))
        let twice = try #require(failure("1 0 a 1\n2 0 a 1\n1 0 a 0\n"))
        #expect(twice.line == 3 && twice.message.contains("first on line 1"))
    }

    @Test func collectingParserReportsEveryMalformedLineAndKeepsTheRest() {
        var problems: [Diagnostic] = []
        let run = TRECRun(
            parsing: "1 Q0 a 1 2.0 t\n1 Q0 b 2 high t\n1 Q0 c 3 1.0\n1 Q0 a 4 1.0 t\n1 Q0 d 5 nan t\n1 Q0 e 6 -1 t\n",
            file: "run.txt"
        ) { problems.append($0) }
        #expect(problems.map(\.line) == [2, 3, 4, 5])
        #expect(problems[0].description == "run.txt:2: error: score \"high\" is not a finite number")
        #expect(problems[1].message == "expected 6 fields \"QUERY Q0 DOCUMENT RANK SCORE TAG\", found 5")
        #expect(problems[2].message == "document a is retrieved twice for query 1 (first on line 1)")
        #expect(run.queries["1"] == [TRECRun.Entry(document: "a", score: 2), TRECRun.Entry(document: "e", score: -1)])
    }

    @Test func throwingRunParserThrowsTheFirstProblem() {
        #expect(throws: Diagnostic(.error, file: "run", line: 2, message: "score \"x\" is not a finite number")) {
            try TRECRun(parsing: "1 Q0 a 1 1 t\n1 Q0 b 2 x t\n1 Q0 c 3 t\n")
        }
    }

    @Test func filesAreReadFromDiskAndMissingOnesAreNotFound() throws {
        try withTemporaryDirectory { directory in
            let qrelsPath = try directory.write("q.txt", "1 0 a 1\n")
            let runPath = try directory.write("r.txt", "1 Q0 a 1 1 t\n")
            let result = evaluate(
                run: try TRECRun(contentsOf: runPath), qrels: try Qrels(contentsOf: qrelsPath), metrics: [.map])
            #expect(result.mean[.map] == 1)

            let badPath = try directory.write("bad.txt", "1 0 a\n")
            #expect(throws: Diagnostic.self) { try Qrels(contentsOf: badPath) }
            do {
                _ = try TRECRun(contentsOf: directory.path("missing.txt"))
                Issue.record("expected an error")
            } catch let error as ClearingHouseError {
                #expect(error.code == .notFound)
                #expect(error.message.hasSuffix("missing.txt: no such file or directory"))
            }
        }
    }

    // MARK: Metric names

    @Test(arguments: [
        ("ndcg@10", EvaluationMetric.ndcg(10)), ("nDCG@10", .ndcg(10)), ("ndcg_cut_10", .ndcg(10)),
        ("ndcg_cut.20", .ndcg(20)), ("map", .map), ("MAP", .map), ("mrr@10", .mrr(10)),
        ("recip_rank_cut_5", .mrr(5)), ("p@10", .precision(10)), ("P_10", .precision(10)),
        ("P.5", .precision(5)), ("recall@100", .recall(100)), ("recall_1000", .recall(1000)),
        ("R@50", .recall(50)),
    ])
    func metricNamesParse(name: String, metric: EvaluationMetric) {
        #expect(EvaluationMetric(name) == metric)
    }

    @Test(arguments: ["", "ndcg", "ndcg@0", "ndcg@-1", "ndcg@x", "p@", "map@10", "mrr@1e3", "bleu@4", "recall@ 10"])
    func unknownMetricNamesDoNotParse(name: String) {
        #expect(EvaluationMetric(name) == nil)
    }

    @Test func descriptionsAreCanonicalAndParseBack() {
        #expect(EvaluationMetric.defaults.map(\.description) == [
            "ndcg@10", "ndcg@100", "map", "mrr@10", "p@10", "recall@100", "recall@1000",
        ])
        for metric in EvaluationMetric.defaults { #expect(EvaluationMetric(metric.description) == metric) }
    }
}
