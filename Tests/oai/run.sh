#!/usr/bin/env bash
# Harvests `chm serve`'s OAI-PMH provider with an independent client (Sickle, PyPI):
#
#   Tests/oai/run.sh PATH/TO/chm
#
# Builds nothing. Ingests Corpus/ into a temporary index, deletes a few records, starts
# `chm serve --port 0 --oai-page-size 3` and lets harvest_sickle.py harvest /oai completely
# (every record in both formats, every deletion, every set, across many resumption tokens),
# then reads `chm export --format oai_dc` of the same index with Sickle (read_export_sickle.py).
# Needs python3 with sickle (PYTHON names another interpreter, e.g. a virtual environment's).
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
