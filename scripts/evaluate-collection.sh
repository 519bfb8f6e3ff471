#!/usr/bin/env bash
# Ingests a test collection, runs its queries and evaluates the run.
#
#   scripts/evaluate-collection.sh COLLECTION_DIR [INDEX_DIR]
#
# COLLECTION_DIR holds corpus.jsonl ({id, title, body} or {id, title, text} per line),
# queries.tsv (qid<TAB>text) and qrels.tsv (TREC qrels). Example:
#
#   scripts/evaluate-collection.sh ../shared/testdata/cranfield
#
# Set CHM to the chm binary to use (default: a release build made by this script).
set -euo pipefail

collection=${1:?usage: scripts/evaluate-collection.sh COLLECTION_DIR [INDEX_DIR]}
index=${2:-$(mktemp -d)/index}
cd "$(dirname "$0")/.."
if [ -z "${CHM:-}" ]; then
    swift build -c release --product chm >/dev/null
    CHM="$(swift build -c release --show-bin-path)/chm"
fi

rm -rf "$index"
# Documents without any text (Cranfield has two) are invalid records: skip them (exit 65).
"$CHM" ingest --index "$index" --kind resource --language en --skip-invalid --quiet "$collection/corpus.jsonl" || [ $? -eq 65 ]
"$CHM" run --index "$index" --queries "$collection/queries.tsv" --limit 1000 --output "$index/run.trec" --stats
"$CHM" eval --qrels "$collection/qrels.tsv" "$index/run.trec"
