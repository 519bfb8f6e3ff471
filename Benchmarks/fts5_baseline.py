#!/usr/bin/env python3
"""SQLite FTS5 side of Benchmarks/compare.sh: the way Swift developers use FTS5 today
(GRDB's FTS5 with the porter unicode61 tokenizer), over the same corpus and queries as chm.

  fts5_baseline.py build CORPUS.jsonl DB        -> {"build_s": ..., "bytes": ..., "documents": ...}
  fts5_baseline.py query DB QUERIES.tsv LIMIT   -> {"queries": ..., "median_ms": ..., "p99_ms": ..., "mean_ms": ...}

Queries are an OR of the query's words, ranked by bm25(); every match is scored (FTS5 has no
top-k pruning), which is what makes it slow on large collections.
"""
import json, os, sqlite3, sys, time

from baseline_common import documents, latency_summary, query_words


def build(corpus, db):
    if os.path.exists(db):
        os.remove(db)
    started = time.perf_counter()
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize='porter unicode61')")
    count = 0
    batch = []
    for row in documents(corpus):
        batch.append(row)
        if len(batch) == 10000:
            connection.executemany("INSERT INTO docs(id, title, body) VALUES (?, ?, ?)", batch)
            count += len(batch)
            batch = []
    connection.executemany("INSERT INTO docs(id, title, body) VALUES (?, ?, ?)", batch)
    count += len(batch)
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    elapsed = time.perf_counter() - started
    size = sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p))
    print(json.dumps({"build_s": elapsed, "bytes": size, "documents": count}))


def query(db, queries, limit):
    connection = sqlite3.connect(db)
    latencies = []
    for words in query_words(queries):
        match = " OR ".join('"%s"' % w.replace('"', '""') for w in words)
        started = time.perf_counter()
        connection.execute(
            "SELECT id, bm25(docs) FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, limit)
        ).fetchall()
        latencies.append((time.perf_counter() - started) * 1000)
    print(latency_summary(latencies))


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
    else:
        query(sys.argv[2], sys.argv[3], int(sys.argv[4]))
