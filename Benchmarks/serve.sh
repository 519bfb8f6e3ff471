#!/usr/bin/env bash
# chm over HTTP (`chm serve`, measured with wrk) beside chm in process (`chm run`), on the same
# index and queries, in one run:
#
#   Benchmarks/serve.sh CORPUS.jsonl QUERIES.tsv [WORK_DIR]
#
# CORPUS and QUERIES as Benchmarks/compare.sh takes them (JSON Lines of records or {id, title,
# body} documents; qid<TAB>text). Ingests the corpus as compare.sh does, then measures:
#
#   - in process: `chm run --limit 10 --stats` (one thread), and two `chm run` processes at
#     once on the same index (two threads' worth: searches never wait for each other, so two
#     processes that map the same files are what two threads of one process would be); the
#     same with `--documents`, which does the server's work for each query (the hits'
#     records, snippets, the JSON document) without HTTP;
#   - over HTTP: `chm serve --quiet` (no request log) answering GET /v1/search?q=...&limit=10
#     for the same queries, cycled by a wrk Lua script, at 1 connection (1 wrk thread) and at
#     16 connections (2 wrk threads), for DURATION seconds each (default 10) after a warm-up.
#
# and prints median latency (HTTP at 1 connection against in process, measured before and after
# it) and throughput (requests/s at 16 connections against in-process queries/s with two
# threads).
#
# The two do not do the same work: `chm run` ranks and returns ids and scores; a search over
# HTTP also reads each hit's record from the catalog for its title, builds its snippet and
# encodes the JSON document. The queries are sent as the words chm run reads (runs of letters
# and digits: no query syntax is left, so `shock-induced` is two words and not a phrase;
# upper-case AND OR NOT as plain words), and typo correction is off (correct=false), as in
# chm run by default.
#
# Needs wrk (Debian package `wrk`: installed with apt-get when missing) and python3. CHM names
# the chm binary; without it, the release build of this checkout is built and used.
set -euo pipefail

corpus=$(realpath "${1:?usage: Benchmarks/serve.sh CORPUS.jsonl QUERIES.tsv [WORK_DIR]}")
queries=$(realpath "${2:?usage: Benchmarks/serve.sh CORPUS.jsonl QUERIES.tsv [WORK_DIR]}")
work=${3:-$(mktemp -d)}
mkdir -p "$work"
work=$(realpath "$work")
duration=${DURATION:-10}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."

if ! command -v wrk >/dev/null 2>&1; then
    echo "installing: wrk"
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq wrk
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq wrk
    fi
fi
if [ -z "${CHM:-}" ]; then
    swift build -c release --product chm >/dev/null
    CHM="$(swift build -c release --show-bin-path)/chm"
fi
if ! "$CHM" serve --help >/dev/null 2>&1; then
    echo "$CHM has no serve command" >&2
    exit 1
fi

echo "corpus: $corpus"
echo "queries: $queries"
echo "chm: $CHM"

# The index, as compare.sh builds it.
rm -rf "$work/chm"
"$CHM" ingest --index "$work/chm" --kind resource --language en --skip-invalid --quiet "$corpus" || [ $? -eq 65 ]

# In process: one thread, then two processes at once.
"$CHM" run --index "$work/chm" --queries "$queries" --limit 10 --output /dev/null --stats 2> "$work/run-1.json"
"$CHM" run --index "$work/chm" --queries "$queries" --limit 10 --output /dev/null --stats 2> "$work/run-2a.json" &
first=$!
"$CHM" run --index "$work/chm" --queries "$queries" --limit 10 --output /dev/null --stats 2> "$work/run-2b.json" &
second=$!
wait "$first"
wait "$second"
# The same work as the server's (the hits' records, snippets, the JSON document): `--documents`.
"$CHM" run --documents --index "$work/chm" --queries "$queries" --limit 10 --output /dev/null --stats 2> "$work/doc-1.json"
"$CHM" run --documents --index "$work/chm" --queries "$queries" --limit 10 --output /dev/null --stats 2> "$work/doc-2a.json" &
first=$!
"$CHM" run --documents --index "$work/chm" --queries "$queries" --limit 10 --output /dev/null --stats 2> "$work/doc-2b.json" &
second=$!
wait "$first"
wait "$second"

# The request paths, one a line: each query as a bag of words, URL-encoded.
python3 - "$queries" "$work/paths.txt" <<'PY'
import sys, urllib.parse
paths = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\r\n")
    if not line or "\t" not in line:
        continue
    text = line.split("\t", 1)[1]
    # The words as chm run reads them (BatchRetrieval.plainQueryText): runs of letters and
    # digits, so that no query syntax is left (a hyphenated word would be a phrase), and the
    # operators AND OR NOT as plain words.
    words = "".join(c if c.isalnum() else " " for c in text).split()
    text = " ".join(w.lower() if w in ("AND", "OR", "NOT") else w for w in words)
    if text:
        paths.append("/v1/search?" + urllib.parse.urlencode({"q": text, "limit": "10", "correct": "false"}, quote_via=urllib.parse.quote))
if not paths:
    sys.exit("no queries in " + sys.argv[1])
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(paths) + "\n")
PY

# wrk: each thread cycles through the paths from its own starting point; at the end, one JSON
# line with the latency percentiles (microseconds), requests, duration and errors.
cat > "$work/queries.lua" <<'LUA'
local paths = {}
for line in io.lines(os.getenv("CHM_PATHS")) do paths[#paths + 1] = line end
local threads = {}
local counter = 0

function setup(thread)
    thread:set("start", counter * 7919)
    counter = counter + 1
    table.insert(threads, thread)
end

local position = 0
function init(args)
    position = start or 0
end

function request()
    position = position + 1
    return wrk.format("GET", paths[(position % #paths) + 1])
end

function done(summary, latency, requests)
    local errors = summary.errors
    io.write(string.format(
        '{"requests": %d, "duration_us": %d, "median_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
        '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
        summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
        errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
LUA

# The server, read-only (no key file), without a log line per request.
"$CHM" serve --index "$work/chm" --port 0 --quiet > "$work/serve.out" 2> "$work/serve.log" &
server=$!
trap 'kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 300); do
    url=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$work/serve.out" | head -n 1)
    [ -n "$url" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "chm serve did not start" >&2; exit 1; }
echo "server: $url"

bench() { # CONNECTIONS THREADS SECONDS OUTPUT
    CHM_PATHS="$work/paths.txt" wrk -c "$1" -t "$2" -d "${3}s" --timeout 10s -s "$work/queries.lua" "$url" > "$work/$4.txt"
    grep '^{' "$work/$4.txt" | tail -n 1 > "$work/$4.json"
}
bench 4 2 2 warmup
bench 1 1 "$duration" wrk-1
# The one-thread in-process figure again, right after the one-connection run: on a machine
# whose speed drifts, the HTTP median is compared with the mean of the two in-process ones
# around it.
"$CHM" run --documents --index "$work/chm" --queries "$queries" --limit 10 --output /dev/null --stats 2> "$work/doc-1b.json"
bench 16 2 "$duration" wrk-16

# What HTTP itself adds: each query over one kept-alive connection, the client's time beside
# the server's own `took_ms` (the library's search, records, snippets and JSON included). Twice
# per query, by one client that waits for the answer in two ways: asleep in the kernel (as wrk
# and most clients do) and polling its socket. The difference is what waking the client costs:
# on a virtual machine whose idle CPUs halt, a client asleep for the few milliseconds of a
# search is woken through the hypervisor, which an in-process loop never pays.
python3 - "$url" "$work/paths.txt" "$work/overhead.json" <<'PY'
import json, socket, sys, time, urllib.parse
url = urllib.parse.urlparse(sys.argv[1])
paths = open(sys.argv[2], encoding="utf-8").read().split()

def measure(polling):
    connection = socket.create_connection((url.hostname, url.port))
    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    connection.setblocking(not polling)
    client, took = [], []
    for path in paths:
        start = time.perf_counter()
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.hostname}\r\n\r\n".encode())
        data, length, body = b"", None, b""
        while length is None or len(body) < length:
            try:
                chunk = connection.recv(1 << 20)
            except BlockingIOError:
                continue
            if not chunk:
                sys.exit("the server closed the connection")
            data += chunk
            if length is None and b"\r\n\r\n" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
            elif length is not None:
                body = data.partition(b"\r\n\r\n")[2]
        client.append((time.perf_counter() - start) * 1000)
        took.append(json.loads(body)["took_ms"])
    connection.close()
    return client, took

median = lambda values: sorted(values)[len(values) // 2]
result = {"requests": len(paths)}
for polling in (False, True, False, True):  # alternated; the second pass of each is kept
    client, took = measure(polling)
    prefix = "polling_" if polling else ""
    result[prefix + "client_ms"] = median(client)
    result[prefix + "took_ms"] = median(took)
    result[prefix + "overhead_ms"] = median([c - t for c, t in zip(client, took)])
json.dump(result, open(sys.argv[3], "w"))
PY

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
load = lambda name: json.loads(open(f"{work}/{name}").read().strip().splitlines()[-1])
run1, run2a, run2b = load("run-1.json"), load("run-2a.json"), load("run-2b.json")
wrk1, wrk16 = load("wrk-1.json"), load("wrk-16.json")
overhead = load("overhead.json")
for name, result in (("1 connection", wrk1), ("16 connections", wrk16)):
    failed = {kind: count for kind, count in result["errors"].items() if count}
    if failed:
        sys.exit(f"wrk at {name}: errors {failed} (status: answers other than 2xx/3xx); see {work}/serve.log")
in_process_qps_2 = (run2a["queries"] + run2b["queries"]) / max(run2a["query_loop_s"], run2b["query_loop_s"])
doc1, doc2a, doc2b = load("doc-1.json"), load("doc-2a.json"), load("doc-2b.json")
# In process at one thread: the mean of the medians before and after the one-connection run.
doc1["latency_ms"]["median"] = (doc1["latency_ms"]["median"] + load("doc-1b.json")["latency_ms"]["median"]) / 2
documents_qps_2 = (doc2a["queries"] + doc2b["queries"]) / max(doc2a["query_loop_s"], doc2b["query_loop_s"])
print("Against the same work in process (chm run --documents: records, snippets, JSON):")
same = [
    ("median latency, ms (HTTP: 1 connection)", wrk1["median_us"] / 1000, doc1["latency_ms"]["median"], "{:.3f}"),
    ("queries/s (HTTP: 16 connections; in process: 2 threads)", wrk16["requests"] / (wrk16["duration_us"] / 1e6), documents_qps_2, "{:,.0f}"),
]
print(f"{'':58} {'HTTP':>10} {'in process':>11} {'HTTP/in process':>16}")
for name, http, local, fmt in same:
    print(f"{name:58} {fmt.format(http):>10} {fmt.format(local):>11} {http / local:>16.2f}")
print(f"{'HTTP adds to the median, ms':58} {wrk1['median_us'] / 1000 - doc1['latency_ms']['median']:>10.3f}")
print(f"{'  of which waking the client (asleep - polling), ms':58} {overhead['overhead_ms'] - overhead['polling_overhead_ms']:>10.3f}")
print()
print("Against ranking alone (chm run: ids and scores):")
rows = [
    ("median latency, ms (HTTP: 1 connection)", wrk1["median_us"] / 1000, run1["latency_ms"]["median"], "{:.3f}"),
    ("p99 latency, ms (HTTP: 1 connection)", wrk1["p99_us"] / 1000, run1["latency_ms"]["p99"], "{:.3f}"),
    ("queries/s, one at a time", wrk1["requests"] / (wrk1["duration_us"] / 1e6), run1["queries"] / run1["query_loop_s"], "{:,.0f}"),
    ("queries/s (HTTP: 16 connections; in process: 2 threads)", wrk16["requests"] / (wrk16["duration_us"] / 1e6), in_process_qps_2, "{:,.0f}"),
    ("median latency, ms (HTTP: 16 connections)", wrk16["median_us"] / 1000, None, "{:.3f}"),
    ("median search in the server (took_ms: records, snippets, JSON)", overhead["took_ms"], None, "{:.3f}"),
    ("median HTTP overhead, ms (client time - took_ms, 1 connection)", overhead["overhead_ms"], None, "{:.3f}"),
    ("  the same, a client that polls instead of sleeping", overhead["polling_overhead_ms"], None, "{:.3f}"),
]
print(f"{'':58} {'HTTP':>10} {'in process':>11} {'HTTP/in process':>16}")
for name, http, local, fmt in rows:
    ratio = f"{http / local:.2f}" if local else "-"
    print(f"{name:58} {fmt.format(http):>10} {(fmt.format(local) if local is not None else '-'):>11} {ratio:>16}")
print(f"(HTTP: chm serve, wrk, {wrk1['requests']:,} and {wrk16['requests']:,} requests; in process: chm run, "
      f"{run1['queries']:,} queries per pass. A search over HTTP also reads the hits' records, builds snippets and encodes JSON.)")
PY
