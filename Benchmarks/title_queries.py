#!/usr/bin/env python3
"""Queries for a synthetic corpus: 2-4 words (longer than 2 letters) of random records' titles.

    python3 Benchmarks/title_queries.py CORPUS.jsonl [COUNT] [SEED] > QUERIES.tsv

Writes qid<TAB>text lines for Benchmarks/compare.sh. Deterministic for a corpus, count and seed;
records whose title has fewer than two such words are skipped (their qid is not used).
"""
import json
import random
import sys


def main():
    corpus = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    random.seed(int(sys.argv[3]) if len(sys.argv) > 3 else 5)
    lines = open(corpus, encoding="utf-8").readlines()
    for number in range(count):
        record = json.loads(random.choice(lines))
        title = record["title"]
        if isinstance(title, dict):  # a title in several languages: pick one
            title = random.choice(list(title.values()))
        words = [word for word in title.replace(",", " ").split() if len(word) > 2]
        if len(words) < 2:
            continue
        size = min(len(words), random.randint(2, 4))
        print(f"q{number}\t{' '.join(random.sample(words, size))}")


if __name__ == "__main__":
    main()
