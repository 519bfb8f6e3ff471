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
# /usr/bin/time (Debian package `time`). With TANTIVY_PYTHON set to a Python that has the
# tantivy package (tantivy_baseline.py says how to install it), tantivy gets a column too.
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

# tantivy, when TANTIVY_PYTHON names a Python with the tantivy package (see tantivy_baseline.py)
rm -f "$work/tantivy-build.json" "$work/tantivy-query.json"
if [ -n "${TANTIVY_PYTHON:-}" ]; then
    /usr/bin/time -f '{"seconds": %e, "peak_kb": %M}' -o "$work/tantivy-build.time" \
        "$TANTIVY_PYTHON" "$here/tantivy_baseline.py" build "$corpus" "$work/tantivy" > "$work/tantivy-build.json"
    /usr/bin/time -f '{"seconds": %e, "peak_kb": %M}' -o "$work/tantivy-query.time" \
        "$TANTIVY_PYTHON" "$here/tantivy_baseline.py" query "$work/tantivy" "$queries" 10 > "$work/tantivy-query.json"
fi

python3 - "$work" <<'PY'
import json, os, sqlite3, sys
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
# tantivy's column, when it ran (no bytes per posting: tantivy does not report its postings).
tantivy = {}
if os.path.exists(f"{work}/tantivy-query.json"):
    tv_build, tv_query = load("tantivy-build.json"), load("tantivy-query.json")
    tantivy = {
        "documents": tv_build["documents"], "index build, s (chm: index from catalog)": tv_build["build_s"],
        "index size on disk, MB": tv_build["bytes"] / 1e6, "top-10 OR query, median ms": tv_query["median_ms"],
        "top-10 OR query, p99 ms": tv_query["p99_ms"],
        "peak memory while querying, MB": load("tantivy-query.time")["peak_kb"] / 1024,
        "peak memory while indexing, MB": load("tantivy-build.time")["peak_kb"] / 1024,
    }
header = f"{'':44} {'chm':>12} {'FTS5':>12} {'chm/FTS5':>10}"
print(header + (f" {'tantivy':>12} {'chm/tantivy':>12}" if tantivy else ""))
for name, a, b, fmt in rows:
    ratio = f"{a / b:.3f}" if b else "-"
    line = f"{name:44} {fmt.format(a):>12} {fmt.format(b):>12} {ratio:>10}"
    if tantivy:
        t = tantivy.get(name)
        line += f" {fmt.format(t):>12} {a / t:>12.3f}" if t else f" {'-':>12} {'-':>12}"
    print(line)
print("(FTS5 bytes per posting counts all of its b-tree data: doc ids, frequencies and positions.")
print(" chm's size is its current commit; until the next commit the previous one's files stay too:")
print(f" {chm_stats['bytes'] / 1e6:.2f} MB in all.)")
PY
