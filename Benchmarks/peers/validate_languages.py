#!/usr/bin/env python3
"""Check the judged language collections in Tests/Fixtures/languages (or the directories given):
document ids unique and prefixed with the language, titles empty for single-sentence documents
and present otherwise, query ids unique, qrels in TREC form naming existing documents and
queries, gains 1 or 2, every query with 2-8 relevant documents, Chinese queries without spaces,
files under 200 KB. Prints one summary line per collection; exits 1 on any problem.

    python3 Benchmarks/peers/validate_languages.py [COLLECTION_DIR ...]
"""
import glob
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
dirs = sys.argv[1:] or sorted(glob.glob(os.path.join(here, "../../Tests/Fixtures/languages/*/")))
problems = 0


def bad(msg):
    global problems
    problems += 1
    print("  problem:", msg)


for d in dirs:
    lang = os.path.basename(os.path.normpath(d))
    ids, short = [], 0
    for n, line in enumerate(open(os.path.join(d, "corpus.jsonl"), encoding="utf-8"), 1):
        doc = json.loads(line)
        if set(doc) != {"id", "title", "text"}:
            bad(f"{lang} corpus line {n}: fields {sorted(doc)}")
        ids.append(doc["id"])
        if not doc["id"].startswith(f"{lang}-d"):
            bad(f"{lang}: id {doc['id']}")
        if not doc["text"].strip():
            bad(f"{lang}: {doc['id']} has no text")
        short += doc["title"] == ""
    if len(set(ids)) != len(ids):
        bad(f"{lang}: duplicate document ids")
    qids = []
    for line in open(os.path.join(d, "queries.tsv"), encoding="utf-8"):
        qid, text = line.rstrip("\n").split("\t")
        qids.append(qid)
        if not qid.startswith(f"{lang}-q"):
            bad(f"{lang}: qid {qid}")
        if lang == "zh" and " " in text:
            bad(f"{lang}: {qid} has a space")
    if len(set(qids)) != len(qids):
        bad(f"{lang}: duplicate query ids")
    rel = {q: 0 for q in qids}
    known = set(ids)
    seen = set()
    for line in open(os.path.join(d, "qrels.tsv"), encoding="utf-8"):
        q, zero, docid, gain = line.split()
        if zero != "0" or gain not in ("1", "2") or q not in rel or docid not in known:
            bad(f"{lang}: qrels line {line.strip()}")
            continue
        if (q, docid) in seen:
            bad(f"{lang}: judged twice {q} {docid}")
        seen.add((q, docid))
        rel[q] += 1
    for q, k in rel.items():
        if not 2 <= k <= 8:
            bad(f"{lang}: {q} has {k} relevant documents")
    for f in ("corpus.jsonl", "queries.tsv", "qrels.tsv"):
        size = os.path.getsize(os.path.join(d, f))
        if size >= 200 * 1024:
            bad(f"{lang}: {f} is {size} bytes")
    print(f"{lang}: {len(ids)} documents ({short} with an empty title), {len(qids)} queries, "
          f"{len(seen)} judgements, {min(rel.values())}-{max(rel.values())} relevant per query, "
          f"corpus {os.path.getsize(os.path.join(d, 'corpus.jsonl')) // 1024} KB")
sys.exit(1 if problems else 0)
