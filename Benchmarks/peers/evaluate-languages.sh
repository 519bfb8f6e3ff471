#!/usr/bin/env bash
# nDCG@10 of chm against two peer BM25 engines (bm25s, Xapian) on the six judged language
# collections in Tests/Fixtures/languages/{ar,en,es,fr,ru,zh}:
#
#   Benchmarks/peers/evaluate-languages.sh [--variants] [--thesaurus] [WORK_DIR]
#
# For each language: chm ingest (test-collection mode: --kind resource --language L, which is
# what lets the single-sentence documents with an empty title in), chm run (top 100), the
# bm25s and Xapian runs of the same collection (bm25s_run.py, xapian_run.py), and chm eval
# --metrics ndcg@10 on all three. Prints a Markdown table: language | chm | bm25s | Xapian |
# best peer. --variants adds columns for chm run --no-expand and --correct. --thesaurus also
# imports the shipped thesaurus (Corpus/thesaurus/*.jsonld) into each index, so that query
# expansion takes part (without it a fresh index has no thesaurus and --no-expand changes nothing).
#
# Environment: CHM (default .build/release/chm, else .build/debug/chm here),
# PYTHON for bm25s (default python3; needs `pip install bm25s PyStemmer`), XAPIAN_PYTHON for
# Xapian (default /usr/bin/python3; needs `apt-get install -y python3-xapian`), LANGS to pick
# languages (default "ar en es fr ru zh"). Runs, per-query values and indexes stay in WORK_DIR
# (default: a new temporary directory).
set -euo pipefail

variants=0
thesaurus=0
while [ $# -gt 0 ]; do
    case "$1" in
        --variants) variants=1; shift ;;
        --thesaurus) thesaurus=1; shift ;;
        *) break ;;
    esac
done
source "$(cd "$(dirname "$0")" && pwd)/peer_env.sh" "${1:-}"

ndcg() { # qrels run -> nDCG@10 (and the per-query values beside the run)
    "$CHM" eval --qrels "$1" --metrics ndcg@10 --per-query "$2" > "$2.eval"
    awk '$1 == "ndcg@10" && NF == 2 { print $2 }' "$2.eval"
}

echo "chm: $CHM"
echo "work: $work"
echo
if [ $variants = 1 ]; then
    echo "| language | chm | bm25s | Xapian | best peer | chm --no-expand | chm --correct |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
else
    echo "| language | chm | bm25s | Xapian | best peer |"
    echo "| --- | --- | --- | --- | --- |"
fi
for lang in $LANGS; do
    dir="$fixtures/$lang"
    out="$work/$lang"
    rm -rf "$out"
    mkdir -p "$out"
    "$CHM" ingest --index "$out/index" --kind resource --language "$lang" --skip-invalid --quiet "$dir/corpus.jsonl"
    if [ $thesaurus = 1 ]; then
        "$CHM" thesaurus import --index "$out/index" "$root"/Corpus/thesaurus/*.jsonld > /dev/null
    fi
    "$CHM" run --index "$out/index" --queries "$dir/queries.tsv" --limit 100 --output "$out/chm.trec"
    "$PYTHON" "$here/bm25s_run.py" "$dir" "$lang" "$out/bm25s.trec"
    "$XAPIAN_PYTHON" "$here/xapian_run.py" "$dir" "$lang" "$out/xapian.trec"
    c=$(ndcg "$dir/qrels.tsv" "$out/chm.trec")
    b=$(ndcg "$dir/qrels.tsv" "$out/bm25s.trec")
    x=$(ndcg "$dir/qrels.tsv" "$out/xapian.trec")
    best=$(awk -v b="$b" -v x="$x" 'BEGIN { if (b >= x) print "bm25s " b; else print "Xapian " x }')
    row="| $lang | $c | $b | $x | $best |"
    if [ $variants = 1 ]; then
        "$CHM" run --index "$out/index" --queries "$dir/queries.tsv" --limit 100 --no-expand --output "$out/chm-no-expand.trec"
        "$CHM" run --index "$out/index" --queries "$dir/queries.tsv" --limit 100 --correct --output "$out/chm-no-correct.trec"
        ne=$(ndcg "$dir/qrels.tsv" "$out/chm-no-expand.trec")
        nc=$(ndcg "$dir/qrels.tsv" "$out/chm-no-correct.trec")
        row="$row $ne | $nc |"
    fi
    echo "$row"
done
