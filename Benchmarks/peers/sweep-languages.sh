#!/usr/bin/env bash
# chm's BM25 parameters and field weighting against document length, on the six judged
# language collections (Tests/Fixtures/languages), nDCG@10:
#
#   Benchmarks/peers/sweep-languages.sh [WORK_DIR]
#
# Table 1: chm with k1/b set by `chm reindex --k1 K --b B`, each on the collection as it is
# (titled paragraphs carry their title in chm's title field, weight 3) and with the titles
# folded into the text (derive_collection.py --fold-title: one flat field, as the peers index
# it), with the mean over the languages; the peers' means are printed for comparison.
# Table 2: the two document-length regimes apart (derive_collection.py --only short|long: the
# single sentences alone, the titled paragraphs alone), chm at its defaults, chm folded with
# k1 1.2 b 0.5, bm25s and Xapian.
# Environment as for evaluate-languages.sh (CHM, PYTHON, XAPIAN_PYTHON, LANGS).
set -euo pipefail
SETTINGS=${SETTINGS:-"2.0/0.75 1.5/0.75 1.2/0.75 2.0/0.5 1.2/0.5 0.9/0.4"}
source "$(cd "$(dirname "$0")" && pwd)/peer_env.sh" "${1:-}"

ndcg() { "$CHM" eval --qrels "$1" --metrics ndcg@10 "$2" | awk '$1 == "ndcg@10" { print $2 }'; }
ingest() { rm -rf "$2"; "$CHM" ingest --index "$2" --kind resource --language "$3" --skip-invalid --quiet "$1/corpus.jsonl"; }
mean() { awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.4f", s / NF }' <<< "$*"; }

echo "chm: $CHM"
echo "work: $work"
echo
header="| k1/b | fields |"
rule="| --- | --- |"
for lang in $LANGS; do header="$header $lang |"; rule="$rule --- |"; done
echo "$header mean |"
echo "$rule --- |"
declare -A values
for lang in $LANGS; do
    "$PYTHON" "$here/derive_collection.py" "$fixtures/$lang" "$work/$lang-fold" --fold-title
    ingest "$fixtures/$lang" "$work/$lang-idx" "$lang"
    ingest "$work/$lang-fold" "$work/$lang-fold-idx" "$lang"
done
for setting in $SETTINGS; do
    k1=${setting%/*}
    b=${setting#*/}
    for variant in title folded; do
        row="| $k1/$b | $variant |"
        all=""
        for lang in $LANGS; do
            idx="$work/$lang-idx"
            [ $variant = folded ] && idx="$work/$lang-fold-idx"
            "$CHM" reindex --index "$idx" --k1 "$k1" --b "$b" > /dev/null
            "$CHM" run --index "$idx" --queries "$fixtures/$lang/queries.tsv" --limit 100 --output "$work/run.trec"
            v=$(ndcg "$fixtures/$lang/qrels.tsv" "$work/run.trec")
            row="$row $v |"
            all="$all $v"
        done
        echo "$row $(mean $all) |"
    done
done
for peer in bm25s xapian; do
    row="| $peer | flat |"
    all=""
    for lang in $LANGS; do
        if [ $peer = bm25s ]; then
            "$PYTHON" "$here/bm25s_run.py" "$fixtures/$lang" "$lang" "$work/run.trec"
        else
            "$XAPIAN_PYTHON" "$here/xapian_run.py" "$fixtures/$lang" "$lang" "$work/run.trec"
        fi
        v=$(ndcg "$fixtures/$lang/qrels.tsv" "$work/run.trec")
        row="$row $v |"
        all="$all $v"
    done
    echo "$row $(mean $all) |"
done

echo
echo "| language | documents | chm | chm folded, k1 1.2 b 0.5 | bm25s | Xapian |"
echo "| --- | --- | --- | --- | --- | --- |"
for lang in $LANGS; do
    for regime in short long; do
        d="$work/$lang-$regime"
        "$PYTHON" "$here/derive_collection.py" "$fixtures/$lang" "$d" --only "$regime"
        "$PYTHON" "$here/derive_collection.py" "$fixtures/$lang" "$d-fold" --only "$regime" --fold-title
        ingest "$d" "$d-idx" "$lang"
        "$CHM" run --index "$d-idx" --queries "$d/queries.tsv" --limit 100 --output "$d/chm.trec"
        ingest "$d-fold" "$d-fold-idx" "$lang"
        "$CHM" reindex --index "$d-fold-idx" --k1 1.2 --b 0.5 > /dev/null
        "$CHM" run --index "$d-fold-idx" --queries "$d/queries.tsv" --limit 100 --output "$d/chm-folded.trec"
        "$PYTHON" "$here/bm25s_run.py" "$d" "$lang" "$d/bm25s.trec"
        "$XAPIAN_PYTHON" "$here/xapian_run.py" "$d" "$lang" "$d/xapian.trec"
        echo "| $lang | $regime | $(ndcg "$d/qrels.tsv" "$d/chm.trec") | $(ndcg "$d/qrels.tsv" "$d/chm-folded.trec") | $(ndcg "$d/qrels.tsv" "$d/bm25s.trec") | $(ndcg "$d/qrels.tsv" "$d/xapian.trec") |"
    done
done
