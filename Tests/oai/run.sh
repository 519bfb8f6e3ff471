#!/usr/bin/env bash
# OAI-PMH both ways, with independent implementations:
#
#   Tests/oai/run.sh PATH/TO/chm
#
# Builds nothing. Ingests Corpus/ into a temporary index, deletes a few records, starts
# `chm serve --port 0 --oai-page-size 3`, and then
# - Sickle and oaipmh-scythe (PyPI) harvest /oai completely (every record in both formats,
#   every deletion, every set, across many resumption tokens), and Sickle reads
#   `chm export --format oai_dc` of the same index (read_export_sickle.py);
# - chm harvests that chm, killed (SIGKILL) after a few pages, then resumed: the catalog ends
#   as an uninterrupted harvest's, with every live record;
# - chm harvests a provider built on the `oaipmh` package (pyoai, PyPI): 300 records with
#   real-looking identifiers, deletions, sets, pages of 25; killed and resumed; then
#   incrementally after the repository changed.
# Needs python3 with sickle, oaipmh-scythe and oaipmh (PYTHON names another interpreter,
# e.g. a virtual environment's).
set -euo pipefail

chm=$(realpath "${1:?usage: Tests/oai/run.sh PATH/TO/chm}")
python=${PYTHON:-python3}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."

. Tests/serve-support.sh  # $work, the server stopped and $work removed at exit, start_server

echo "== ingest Corpus/ into $work/index, delete three records"
"$chm" ingest --quiet --index "$work/index" Corpus
"$chm" export --index "$work/index" --format jsonl > "$work/all.jsonl"
"$python" - "$work/all.jsonl" "$work/deleted" <<'PY'
import json, sys
ids = [json.loads(line)["id"] for line in open(sys.argv[1], encoding="utf-8")]
open(sys.argv[2], "w").write("\n".join(ids[1:len(ids):max(1, len(ids) // 3)][:3]) + "\n")
PY
# shellcheck disable=SC2046 # one id a line
"$chm" delete --index "$work/index" $(cat "$work/deleted") >/dev/null
"$chm" export --index "$work/index" --format jsonl > "$work/live.jsonl"

echo "== chm serve --oai-page-size 3"
start_server "$chm" --quiet --oai-page-size 3 --index "$work/index"

echo "== Sickle harvests $url/oai"
"$python" Tests/oai/harvest_sickle.py "$url/oai" "$work/live.jsonl" "$work/deleted"

echo "== Sickle reads chm export --format oai_dc"
"$chm" export --index "$work/index" --format oai_dc --output "$work/export.xml"
"$python" Tests/oai/read_export_sickle.py "$work/export.xml" "$work/live.jsonl"

echo "== oaipmh-scythe harvests $url/oai"
"$python" Tests/oai/harvest_scythe.py "$url/oai" "$work/live.jsonl" "$work/deleted"

# expect_killed COMMAND...: runs COMMAND, which a CHM_TEST_FAULT kill rule must end with SIGKILL.
expect_killed() {
    local code=0
    "$@" >/dev/null 2>&1 || code=$?
    if [ "$code" != 137 ]; then
        echo "FAIL: expected the harvest to be killed (exit 137), got exit $code" >&2
        exit 1
    fi
}

# same_catalogs A B: the two indexes hold the same records, byte for byte.
same_catalogs() {
    "$chm" export --index "$1" --format jsonl > "$work/a.jsonl"
    "$chm" export --index "$2" --format jsonl > "$work/b.jsonl"
    if ! cmp -s "$work/a.jsonl" "$work/b.jsonl"; then
        echo "FAIL: $1 and $2 differ:" >&2
        diff "$work/a.jsonl" "$work/b.jsonl" | head -n 10 >&2
        exit 1
    fi
}

echo "== chm harvests $url/oai, killed after its 4th page, then resumed"
CHM_TEST_FAULT="kill@catalog.after-commit#4" expect_killed "$chm" harvest --index "$work/copy" "$url/oai"
# (Not `tee /dev/stderr`: opening /dev/stderr again truncates a log file that stderr goes to.)
"$chm" harvest --list --index "$work/copy" > "$work/list.txt"
cat "$work/list.txt"
grep -q "stopped after page 4, resumes at the next harvest" "$work/list.txt"
"$chm" harvest --json --index "$work/copy" "$url/oai" > "$work/resumed.json"
"$python" - "$work/resumed.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))["harvests"][0]
assert report["resumed"] and report["complete"] and report["rejected"] == 0, report
print(f"resumed: {report['pages']} more pages, {report['added']} records added")
PY
"$chm" harvest --quiet --index "$work/whole" "$url/oai"
same_catalogs "$work/copy" "$work/whole"
"$python" - "$work/a.jsonl" "$work/live.jsonl" "$url/oai" <<'PY'
import json, sys
harvested = {json.loads(line)["id"]: json.loads(line) for line in open(sys.argv[1])}
live = {json.loads(line)["id"]: json.loads(line) for line in open(sys.argv[2])}
assert set(harvested) == set(live), (len(harvested), len(live))
for id, record in harvested.items():
    assert record["title"] == live[id]["title"], id
    assert record["source"] == {"system": "oai-pmh", "url": sys.argv[3], "originalId": id}, record["source"]
print(f"chm harvested chm: {len(harvested)} records, as served, each with its source")
PY
# The sets each header named are the record's memberships: chm show lists them.
first_id=$(head -1 "$work/live.jsonl" | "$python" -c 'import json, sys; print(json.load(sys.stdin)["id"])')
"$chm" show --index "$work/whole" "$first_id" > "$work/show.txt"
grep -q "^Harvested: .*kind:.*($url/oai)$" "$work/show.txt" || { echo "FAIL: chm show lists no harvested sets" >&2; cat "$work/show.txt" >&2; exit 1; }

echo "== chm harvests $url/oai in the chm format: every record as served, losslessly"
"$chm" harvest --quiet --metadata-prefix chm --index "$work/native" "$url/oai"
"$chm" export --index "$work/native" --format jsonl > "$work/native.jsonl"
"$python" - "$work/native.jsonl" "$work/live.jsonl" "$url/oai" <<'PY'
import json, sys
harvested = {json.loads(line)["id"]: json.loads(line) for line in open(sys.argv[1])}
live = {json.loads(line)["id"]: json.loads(line) for line in open(sys.argv[2])}
assert set(harvested) == set(live), (len(harvested), len(live))
for id, record in harvested.items():
    if "source" not in live[id]:
        assert record.pop("source") == {"system": "oai-pmh", "url": sys.argv[3], "originalId": id}, id
    assert record == live[id], f"{id}: {record} != {live[id]}"
print(f"chm harvested chm in the chm format: {len(harvested)} records, identical")
PY

echo "== chm harvests the oaipmh package's server (pyoai)"
"$python" Tests/oai/pyoai_repository.py make "$work/pyoai.json" 300
"$python" Tests/oai/pyoai_server.py "$work/pyoai.json" "$work/pyoai.port" 25 > "$work/pyoai.log" 2>&1 &
pyoai_pid=$!
trap 'kill "$pyoai_pid" 2>/dev/null || true; cleanup' EXIT
for _ in $(seq 1 100); do [ -s "$work/pyoai.port" ] && break; sleep 0.1; done
pyoai_url="http://127.0.0.1:$(cat "$work/pyoai.port")/oai"
CHM_TEST_FAULT="kill@catalog.after-commit#3" expect_killed "$chm" harvest --index "$work/pyoai" "$pyoai_url"
"$chm" harvest --quiet --index "$work/pyoai" "$pyoai_url"
"$chm" export --index "$work/pyoai" --format jsonl > "$work/pyoai.jsonl"
"$python" Tests/oai/pyoai_repository.py check "$work/pyoai.json" "$work/pyoai.jsonl" "$pyoai_url"
"$chm" harvest --quiet --index "$work/pyoai-whole" "$pyoai_url"
same_catalogs "$work/pyoai" "$work/pyoai-whole"

echo "== the repository changes; chm harvests it incrementally"
sleep 1
"$python" Tests/oai/pyoai_repository.py change "$work/pyoai.json"
"$chm" harvest --json --index "$work/pyoai" "$pyoai_url" > "$work/incremental.json"
"$python" - "$work/incremental.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))["harvests"][0]
assert report["from"] is not None and report["complete"], report
counts = {key: report[key] for key in ["added", "updated", "deleted", "unchanged", "rejected"]}
assert counts == {"added": 5, "updated": 5, "deleted": 5, "unchanged": 0, "rejected": 0}, counts
print(f"incremental harvest from {report['from']}: {counts}")
PY
"$chm" export --index "$work/pyoai" --format jsonl > "$work/pyoai.jsonl"
"$python" Tests/oai/pyoai_repository.py check "$work/pyoai.json" "$work/pyoai.jsonl" "$pyoai_url"
"$chm" harvest --list --index "$work/pyoai"
echo "OAI-PMH tests passed"
