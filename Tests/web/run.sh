#!/usr/bin/env bash
# The web pages in a real browser, against a chm that has `chm serve`:
#
#   Tests/web/run.sh PATH/TO/chm
#
# Builds nothing. Ingests Corpus/ into a temporary index, writes an API key file, starts
# `chm serve --port 0` on them, runs Tests/web/test_pages.py (Playwright driving Debian's
# chromium, axe-core, feedparser) against it, and stops the server with SIGTERM, checking that
# it exits 0 and answered no 5xx. Screenshots go to Tests/web/screenshots (git-ignored; set
# CHM_WEB_SCREENSHOTS for another folder). Needs python3 with playwright,
# axe-playwright-python and feedparser (PYTHON names another interpreter, e.g. a virtual
# environment's) and chromium (CHROMIUM names another executable).
set -euo pipefail

chm=$(realpath "${1:?usage: Tests/web/run.sh PATH/TO/chm}")
python=${PYTHON:-python3}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."

. Tests/serve-support.sh  # $work (removed at exit), start_server, stop_server

status=0
step() { echo "== $*"; }

step "ingest Corpus/ into $work/index"
"$chm" ingest --quiet --index "$work/index" Corpus
key=$("$python" -c 'import secrets; print(secrets.token_hex(24))')
printf '%s\n' "$key" > "$work/keys"
chmod 600 "$work/keys"

step "chm serve"
start_server "$chm" --index "$work/index" --api-key-file "$work/keys"
echo "$url"

step "the pages in chromium"
CHM_API_KEY="$key" "$python" Tests/web/test_pages.py "$url" || status=1

step "stop the server (SIGTERM)"
stop_server
# Every request's log line ends "STATUS MS ms": a 5xx is a failure.
if grep -Eq ' 5[0-9][0-9] [0-9.]+ ms$' "$work/serve.log"; then
    echo "the server answered 5xx (its log):" >&2
    grep -E ' 5[0-9][0-9] [0-9.]+ ms$' "$work/serve.log" | head -n 20 >&2
    status=1
fi

if [ "$status" -eq 0 ]; then echo "web pages: all passed"; else echo "web pages: FAILED" >&2; fi
exit "$status"
