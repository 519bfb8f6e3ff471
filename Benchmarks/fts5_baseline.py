#!/usr/bin/env python3
"""SQLite FTS5 side of Benchmarks/compare.sh: the way Swift developers use FTS5 today
(GRDB's FTS5 with the porter unicode61 tokenizer), over the same corpus and queries as chm.

  fts5_baseline.py build CORPUS.jsonl DB        -> {"build_s": ..., "bytes": ..., "documents": ...}
  fts5_baseline.py query DB QUERIES.tsv LIMIT   -> {"queries": ..., "median_ms": ..., "p99_ms": ..., "mean_ms": ...}

Queries are an OR of the query's words, ranked by bm25(); every match is scored (FTS5 has no
top-k pruning), which is what makes it slow on large collections.
"""
import json, os, re, sqlite3, sys, time


def text_of(value):
    if value is None:
        return ""
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)


def build(corpus, db):
    if os.path.exists(db):
        os.remove(db)
    started = time.perf_counter()
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize='porter unicode61')")
    count = 0
    with open(corpus, encoding="utf-8") as lines:
        batch = []
        for line in lines:
            if not line.strip():
                continue
            record = json.loads(line)
            body = " ".join(text_of(record.get(k)) for k in ("body", "text", "summary", "description", "keywords"))
            batch.append((record["id"], text_of(record.get("title")), body))
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
    with open(queries, encoding="utf-8") as lines:
        for line in lines:
            if "\t" not in line:
                continue
            _, text = line.rstrip("\n").split("\t", 1)
            words = re.findall(r"\w+", text.lower())
            if not words:
                continue
            match = " OR ".join('"%s"' % w.replace('"', '""') for w in words)
            started = time.perf_counter()
            connection.execute(
                "SELECT id, bm25(docs) FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, limit)
            ).fetchall()
            latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    def percentile(p):
        return latencies[min(len(latencies) - 1, max(0, int(-(-p * len(latencies) // 1)) - 1))]
    print(json.dumps({"queries": len(latencies), "median_ms": percentile(0.5), "p99_ms": percentile(0.99),
                      "mean_ms": sum(latencies) / len(latencies)}))


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
    else:
        query(sys.argv[2], sys.argv[3], int(sys.argv[4]))
