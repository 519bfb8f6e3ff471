#!/usr/bin/env bash
# The API conformance tests, against a chm that has `chm serve`:
#
#   Tests/api/run.sh PATH/TO/chm
#
# Builds nothing. Validates the OpenAPI document (validate_spec.py), checks the chm --json
# documents against its schemas (check_documents.py), then ingests Corpus/ into a temporary
# index, writes an API key file, starts `chm serve --port 0` on them, runs schemathesis against
# it with the key for the write endpoints (fuzz.py), and stops the server with SIGTERM, checking
# that it exits 0. Exits non-zero on any failure. Needs python3 with openapi-spec-validator and
# schemathesis (PYTHON names another interpreter, e.g. a virtual environment's).
# SCHEMATHESIS_ARGS adds options to the schemathesis run (e.g. "--max-examples 100").
set -euo pipefail

chm=$(realpath "${1:?usage: Tests/api/run.sh PATH/TO/chm}")
python=${PYTHON:-python3}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."

. Tests/serve-support.sh  # $work (removed at exit), start_server, stop_server

status=0
step() { echo "== $*"; }

step "the OpenAPI document"
"$python" Tests/api/validate_spec.py || status=1

step "chm --json documents against the document's schemas"
"$python" Tests/api/check_documents.py "$chm" || status=1

step "ingest Corpus/ into $work/index"
"$chm" ingest --quiet --index "$work/index" Corpus
key=$("$python" -c 'import secrets; print(secrets.token_hex(24))')
printf '%s\n' "$key" > "$work/keys"
chmod 600 "$work/keys"

step "chm serve"
start_server "$chm" --index "$work/index" --api-key-file "$work/keys"
echo "$url"

step "GET /openapi.json serves the checkout's document"
"$python" - "$url/openapi.json" Sources/ClearingHouseServer/Resources/openapi.json <<'PY' || status=1
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=30) as response:
    kind = response.headers.get("Content-Type", "")
    served = json.load(response)
if not kind.startswith("application/json"):
    sys.exit(f"GET /openapi.json: Content-Type {kind!r}, expected application/json")
if served != json.load(open(sys.argv[2], encoding="utf-8")):
    sys.exit(f"GET /openapi.json is not {sys.argv[2]} (was the server built from another checkout?)")
print("the same document")
PY

step "requests that break HTTP get a 4xx or a closed connection, never a 5xx"
CHM_API_KEY="$key" "$python" Tests/api/malformed_http.py "$url" || status=1

step "schemathesis against $url"
# shellcheck disable=SC2086 # SCHEMATHESIS_ARGS is a list of options
CHM_API_KEY="$key" CHM_API_REPORT_DIR="$work/report" "$python" Tests/api/fuzz.py "$url" ${SCHEMATHESIS_ARGS:-} || status=1

step "stop the server (SIGTERM)"
stop_server
# Every request's log line ends "STATUS MS ms": any 5xx but a documented 503 is a failure, even
# one that schemathesis did not see as such.
if grep -Eq ' 5(0[0-24-9]|[1-9][0-9]) [0-9.]+ ms$' "$work/serve.log"; then
    echo "the server answered 5xx (its log):" >&2
    grep -E ' 5(0[0-24-9]|[1-9][0-9]) [0-9.]+ ms$' "$work/serve.log" | head -n 20 >&2
    status=1
fi

if [ "$status" -eq 0 ]; then echo "API conformance: all passed"; else echo "API conformance: FAILED" >&2; fi
exit "$status"
