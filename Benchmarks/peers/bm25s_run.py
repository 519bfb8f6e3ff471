#!/usr/bin/env python3
"""bm25s peer run on a language collection.

    python3 Benchmarks/peers/bm25s_run.py COLLECTION_DIR LANG OUT.trec

bm25s (pip install bm25s PyStemmer), method "lucene", k1=1.5, b=0.75; title and text
concatenated; Snowball stemmer from PyStemmer for ar, en, es, fr, ru; Chinese (zh) as
character bigrams (peer_common.cjk_bigrams), no stemmer. Stop words: bm25s's own list for the
language where bm25s has one (en, es, fr, ru; none for ar, none for zh bigrams); set
BM25S_STOPWORDS=en-only to drop stop words in English only, or none for no stop words at all.
Every query word is optional (bag of words); top 100 per query.
"""
import os
import sys

import bm25s
import Stemmer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import STEMMERS, cjk_bigrams, read_corpus, read_queries, write_run  # noqa: E402

BM25S_STOPWORDS = {"en": "en", "es": "es", "fr": "fr", "ru": "ru"}


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    directory, lang, out = sys.argv[1:]
    docs = read_corpus(directory)
    queries = read_queries(directory)
    mode = os.environ.get("BM25S_STOPWORDS", "bm25s")
    if mode == "none" or (mode == "en-only" and lang != "en"):
        stopwords = []
    else:
        stopwords = BM25S_STOPWORDS.get(lang, [])

    if lang == "zh":
        def tokenize(texts):
            return [cjk_bigrams(t) for t in texts]
    else:
        stemmer = Stemmer.Stemmer(STEMMERS[lang])

        def tokenize(texts):
            return bm25s.tokenize(texts, lower=True, stopwords=stopwords, stemmer=stemmer.stemWords,
                                  return_ids=False, show_progress=False)

    corpus_tokens = tokenize([text for _, text in docs])
    retriever = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
    retriever.index(corpus_tokens, show_progress=False)
    vocab = retriever.vocab_dict
    k = min(100, len(docs))
    results = []
    for (qid, text), tokens in zip(queries, tokenize([t for _, t in queries])):
        tokens = [t for t in tokens if t in vocab]
        if not tokens:
            results.append((qid, []))
            continue
        ids, scores = retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        hits = [(docs[i][0], float(s)) for i, s in zip(ids[0], scores[0]) if s > 0]
        results.append((qid, hits))
    write_run(out, results, "bm25s")


if __name__ == "__main__":
    main()
