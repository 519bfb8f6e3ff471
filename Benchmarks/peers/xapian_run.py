#!/usr/bin/env python3
"""Xapian peer run on a language collection.

    /usr/bin/python3 Benchmarks/peers/xapian_run.py COLLECTION_DIR LANG OUT.trec

Needs Xapian's Python bindings (Debian: apt-get install -y python3-xapian; they load in the
system python3, not in a separate pip/pyenv one). An in-memory database; title and text
concatenated and indexed by TermGenerator with Xapian's Snowball stemmer for the language
(arabic, english, spanish, french, russian), unstemmed terms with positions plus stemmed Z-terms
as Xapian does by default; BM25Weight with its defaults; QueryParser with the same stemmer,
STEM_SOME, default operator OR; top 100. Chinese (zh): both documents and queries are turned
into character bigrams (peer_common.cjk_bigrams) joined by spaces, indexed and parsed without a
stemmer. No stop words.
"""
import os
import sys

import xapian

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import STEMMERS, cjk_bigrams, read_corpus, read_queries, write_run  # noqa: E402


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    directory, lang, out = sys.argv[1:]
    docs = read_corpus(directory)
    queries = read_queries(directory)
    prepare = (lambda t: " ".join(cjk_bigrams(t))) if lang == "zh" else (lambda t: t)
    stem = xapian.Stem("none") if lang == "zh" else xapian.Stem(STEMMERS[lang])

    db = xapian.WritableDatabase("", xapian.DB_BACKEND_INMEMORY)
    tg = xapian.TermGenerator()
    tg.set_stemmer(stem)
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    for docid, text in docs:
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(prepare(text))
        doc.set_data(docid)
        db.add_document(doc)

    qp = xapian.QueryParser()
    qp.set_database(db)
    qp.set_stemmer(stem)
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_default_op(xapian.Query.OP_OR)
    enquire = xapian.Enquire(db)
    enquire.set_weighting_scheme(xapian.BM25Weight())
    results = []
    for qid, text in queries:
        query = qp.parse_query(prepare(text), 0)  # flags 0: plain words, no boolean syntax
        enquire.set_query(query)
        hits = [(m.document.get_data().decode("utf-8"), m.weight) for m in enquire.get_mset(0, 100)]
        results.append((qid, hits))
    write_run(out, results, "xapian")


if __name__ == "__main__":
    main()
