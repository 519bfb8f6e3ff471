#!/usr/bin/env python3
"""tantivy side of Benchmarks/compare.sh (optional): tantivy 0.27 through its Python binding
(tantivy-py), English stemming (`en_stem`), over the same corpus and queries as chm.

  tantivy_baseline.py build CORPUS.jsonl DIR        -> {"build_s": ..., "bytes": ..., "documents": ...}
  tantivy_baseline.py query DIR QUERIES.tsv LIMIT   -> {"queries": ..., "median_ms": ..., "p99_ms": ..., "mean_ms": ...}

The index has the corpus's title and body (as FTS5's: body, text, summary, description and
keywords joined), with positions, and the id stored; the writer gets 2 threads and 128 MB.
Queries are an OR of the query's words over title and body (tantivy's query parser joins
words with OR by default), top k. Times are taken in Python around each search, so they
include the binding's call (a few microseconds).

Setting up (PyPI, once): python3 -m venv /tmp/tantivy-venv && /tmp/tantivy-venv/bin/pip install tantivy==0.27.0
then TANTIVY_PYTHON=/tmp/tantivy-venv/bin/python Benchmarks/compare.sh ...
"""
import json, os, shutil, sys, time

import tantivy

from baseline_common import documents, latency_summary, query_words


def build(corpus, directory):
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    started = time.perf_counter()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name="en_stem")
    builder.add_text_field("body", tokenizer_name="en_stem")
    index = tantivy.Index(builder.build(), path=directory)
    writer = index.writer(heap_size=128_000_000, num_threads=2)
    count = 0
    for key, title, body in documents(corpus):
        writer.add_document(tantivy.Document(id=key, title=title, body=body))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    elapsed = time.perf_counter() - started
    size = sum(os.path.getsize(os.path.join(directory, name)) for name in os.listdir(directory))
    print(json.dumps({"build_s": elapsed, "bytes": size, "documents": count}))


def query(directory, queries, limit):
    index = tantivy.Index.open(directory)
    index.reload()
    searcher = index.searcher()
    latencies = []
    for words in query_words(queries):
        started = time.perf_counter()
        parsed = index.parse_query(" ".join(words), ["title", "body"])
        searcher.search(parsed, limit).hits
        latencies.append((time.perf_counter() - started) * 1000)
    print(latency_summary(latencies))


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(sys.argv[2], sys.argv[3])
    else:
        query(sys.argv[2], sys.argv[3], int(sys.argv[4]))
