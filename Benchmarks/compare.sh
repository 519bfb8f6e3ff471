#!/usr/bin/env bash
# chm side by side with SQLite FTS5 (porter unicode61, the way GRDB users do it) on the same
# corpus and queries, in one run:
#
#   Benchmarks/compare.sh CORPUS.jsonl QUERIES.tsv [WORK_DIR]
#
# CORPUS is JSON Lines of records ({id, title, body} test-collection layout, or chm records);
# QUERIES is qid<TAB>text. Prints, for both: index build time, index size on disk, bytes per
# posting (doc ids and frequencies), median and p99 latency of top-10 OR queries (one thread),
# and peak memory, with the ratio chm / FTS5. Needs python3 (with its sqlite3 module) and
# /usr/bin/time (Debian package `time`).
set -euo pipefail

corpus=$(realpath "${1:?usage: Benchmarks/compare.sh CORPUS.jsonl QUERIES.tsv [WORK_DIR]}")
queries=$(realpath "${2:?usage: Benchmarks/compare.sh CORPUS.jsonl QUERIES.tsv [WORK_DIR]}")
work=${3:-$(mktemp -d)}
mkdir -p "$work"
work=$(realpath "$work")
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
if [ -z "${CHM:-}" ]; then
    swift build -c release --product chm >/dev/null
    CHM="$(swift build -c release --show-bin-path)/chm"
fi
json() { python3 -c "import json,sys; d=json.load(open('$1')); print($2)"; }

echo "corpus: $corpus"
echo "queries: $queries"

# chm: ingest (catalog + index), then the index alone from the catalog.
rm -rf "$work/chm"
/usr/bin/time -f '{"seconds": %e, "peak_kb": %M}' -o "$work/chm-ingest.time" \
    "$CHM" ingest --index "$work/chm" --kind resource --language en --skip-invalid --quiet "$corpus" || [ $? -eq 65 ]
/usr/bin/time -f '{"seconds": %e, "peak_kb": %M}' -o "$work/chm-reindex.time" "$CHM" reindex --index "$work/chm" >/dev/null
"$CHM" stats --json --index "$work/chm" > "$work/chm-stats.json"
/usr/bin/time -f '{"seconds": %e, "peak_kb": %M}' -o "$work/chm-run.time" \
    "$CHM" run --index "$work/chm" --queries "$queries" --limit 10 --output /dev/null --stats 2> "$work/chm-run.json"

# FTS5
/usr/bin/time -f '{"seconds": %e, "peak_kb": %M}' -o "$work/fts5-build.time" \
    python3 "$here/fts5_baseline.py" build "$corpus" "$work/fts5.sqlite" > "$work/fts5-build.json"
/usr/bin/time -f '{"seconds": %e, "peak_kb": %M}' -o "$work/fts5-query.time" \
    python3 "$here/fts5_baseline.py" query "$work/fts5.sqlite" "$queries" 10 > "$work/fts5-query.json"

python3 - "$work" <<'PY'
import json, sqlite3, sys
work = sys.argv[1]
# (/usr/bin/time puts "Command exited with non-zero status" first when it did.)
load = lambda name: json.loads(open(f"{work}/{name}").read().strip().splitlines()[-1])
chm_stats = load("chm-stats.json")["index"]
chm_run = json.loads(open(f"{work}/chm-run.json").read().strip().splitlines()[-1])
fts_build, fts_query = load("fts5-build.json"), load("fts5-query.json")
# FTS5 postings: one per (document, distinct term), from the fts5vocab table.
db = sqlite3.connect(f"{work}/fts5.sqlite")
db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS v USING fts5vocab(docs, 'row')")
fts_postings = db.execute("SELECT SUM(doc) FROM v").fetchone()[0] or 1
fts_data = db.execute("SELECT SUM(length(block)) FROM docs_data").fetchone()[0] or 0
rows = [
    ("documents", chm_stats["documents"], fts_build["documents"], "{:,.0f}"),
    ("index build, s (chm: index from catalog)", load("chm-reindex.time")["seconds"], fts_build["build_s"], "{:.2f}"),
    ("ingest incl. catalog, s", load("chm-ingest.time")["seconds"], fts_build["build_s"], "{:.2f}"),
    ("index size on disk, MB", chm_stats["segmentBytes"] / 1e6, fts_build["bytes"] / 1e6, "{:.2f}"),
    ("bytes per posting (doc ids + freqs)", chm_stats["bytesPerPosting"], fts_data / fts_postings, "{:.2f}"),
    ("top-10 OR query, median ms", chm_run["latency_ms"]["median"], fts_query["median_ms"], "{:.3f}"),
    ("top-10 OR query, p99 ms", chm_run["latency_ms"]["p99"], fts_query["p99_ms"], "{:.3f}"),
    ("peak memory while querying, MB", load("chm-run.time")["peak_kb"] / 1024, load("fts5-query.time")["peak_kb"] / 1024, "{:.1f}"),
    ("peak memory while indexing, MB", load("chm-ingest.time")["peak_kb"] / 1024, load("fts5-build.time")["peak_kb"] / 1024, "{:.1f}"),
]
print(f"{'':44} {'chm':>12} {'FTS5':>12} {'chm/FTS5':>10}")
for name, a, b, fmt in rows:
    ratio = f"{a / b:.3f}" if b else "-"
    print(f"{name:44} {fmt.format(a):>12} {fmt.format(b):>12} {ratio:>10}")
print("(FTS5 bytes per posting counts all of its b-tree data: doc ids, frequencies and positions.")
print(" chm's size is its current commit; until the next commit the previous one's files stay too:")
print(f" {chm_stats['bytes'] / 1e6:.2f} MB in all.)")
PY
