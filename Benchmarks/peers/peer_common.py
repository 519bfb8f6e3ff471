"""Shared helpers for the peer BM25 runs on the language collections (Tests/Fixtures/languages).

A collection directory holds corpus.jsonl ({"id", "title", "text"}), queries.tsv (qid<TAB>text)
and qrels.tsv. Both peers index title and text concatenated and write TREC runs
("qid Q0 docid rank score tag"), which `chm eval` reads.
"""
import json
import re
import unicodedata

# Snowball stemmer names (PyStemmer and Xapian agree on these) for the six UN languages.
STEMMERS = {"ar": "arabic", "en": "english", "es": "spanish", "fr": "french", "ru": "russian"}


def read_corpus(directory):
    docs = []
    with open(f"{directory}/corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                docs.append((d["id"], (d.get("title") or "") + "\n" + (d.get("text") or "")))
    return docs


def read_queries(directory):
    queries = []
    with open(f"{directory}/queries.tsv", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.strip():
                qid, _, text = line.partition("\t")
                queries.append((qid, text))
    return queries


def write_run(path, results, tag):
    """results: list of (qid, [(docid, score), ...]) best first."""
    with open(path, "w", encoding="utf-8") as f:
        for qid, hits in results:
            for rank, (docid, score) in enumerate(hits, 1):
                f.write(f"{qid} Q0 {docid} {rank} {score:.6f} {tag}\n")


def _is_han(ch):
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2A6DF
            or 0xF900 <= o <= 0xFAFF)


_RUN = re.compile(r"\w+", re.UNICODE)


def cjk_bigrams(text):
    """Chinese tokens: overlapping character bigrams inside each run of Han characters (a
    lone Han character stays a unigram); runs of other letters and digits are lowercased
    words. Text is NFKC-normalized first (full-width letters and digits become ASCII)."""
    text = unicodedata.normalize("NFKC", text)
    tokens = []
    for m in _RUN.finditer(text):
        run = m.group(0)
        buf = []

        def flush_han():
            if len(buf) == 1:
                tokens.append(buf[0])
            else:
                tokens.extend(buf[i] + buf[i + 1] for i in range(len(buf) - 1))
            buf.clear()

        word = []
        for ch in run:
            if _is_han(ch):
                if word:
                    tokens.append("".join(word).lower())
                    word = []
                buf.append(ch)
            else:
                if buf:
                    flush_han()
                word.append(ch)
        if buf:
            flush_han()
        if word:
            tokens.append("".join(word).lower())
    return tokens
