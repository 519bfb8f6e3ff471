#!/usr/bin/env python3
"""Derive a variant of a language collection for experiments (evaluate-languages.sh
--sweep uses it):

    python3 Benchmarks/peers/derive_collection.py SRC_DIR OUT_DIR [--only short|long] [--fold-title]

--only short keeps the single-sentence documents (empty title), --only long the titled
paragraphs; qrels keep the judgements of the documents kept, and queries left with no
relevant document are dropped. --fold-title moves each title into the text ("title\\ntext",
title emptied), so that chm indexes one flat field like the peers do (no title weight).
"""
import argparse
import json
import os

ap = argparse.ArgumentParser()
ap.add_argument("src")
ap.add_argument("out")
ap.add_argument("--only", choices=["short", "long"])
ap.add_argument("--fold-title", action="store_true")
args = ap.parse_args()
os.makedirs(args.out, exist_ok=True)
kept = set()
with open(os.path.join(args.out, "corpus.jsonl"), "w", encoding="utf-8") as out:
    for line in open(os.path.join(args.src, "corpus.jsonl"), encoding="utf-8"):
        d = json.loads(line)
        is_short = d["title"] == ""
        if args.only == "short" and not is_short or args.only == "long" and is_short:
            continue
        if args.fold_title and d["title"]:
            d = {"id": d["id"], "title": "", "text": d["title"] + "\n" + d["text"]}
        kept.add(d["id"])
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
judged = set()
with open(os.path.join(args.out, "qrels.tsv"), "w", encoding="utf-8") as out:
    for line in open(os.path.join(args.src, "qrels.tsv"), encoding="utf-8"):
        q, _, docid, _ = line.split()
        if docid in kept:
            judged.add(q)
            out.write(line)
with open(os.path.join(args.out, "queries.tsv"), "w", encoding="utf-8") as out:
    for line in open(os.path.join(args.src, "queries.tsv"), encoding="utf-8"):
        if line.split("\t", 1)[0] in judged:
            out.write(line)
