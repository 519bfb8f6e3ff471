#!/usr/bin/env bash
# Runs one of chm's libFuzzer targets for a while.
#
#   Fuzz/run.sh NAME SECONDS [libFuzzer options...]
#
# NAME is a target (FuzzJSON, FuzzJSONLines, FuzzXML, FuzzQueryParser) or its short name
# (json, jsonl, xml, query). The script builds the fuzz package if needed (debug, with
# -sanitize=fuzzer,address; FUZZ_SANITIZERS=fuzzer drops AddressSanitizer;
# FUZZ_CONFIGURATION=release builds with -O, about four times as many executions per second
# and the same checks, as the fuzzed code has no assert()), gathers seeds
# (the Corpus/records-*/ files of the target's format and Fuzz/Seeds/NAME/), and runs the
# target with -max_total_time=SECONDS -rss_limit_mb=2048 -timeout=10 -max_len=8192, a
# dictionary, and any extra options (later options win, e.g. -max_len=65536).
#
# Inputs that grow coverage are kept in Fuzz/Work/NAME/ (reused by the next run); crashes,
# timeouts, leaks and out-of-memory inputs go to Fuzz/Crashes/NAME/. Both are git-ignored.
# The log is Fuzz/Work/NAME.log. Exit status: 0 when nothing was found, 1 when something was.
#
# To replay one input:  Fuzz/.build/debug/FuzzJSON Fuzz/Crashes/FuzzJSON/crash-...
# To minimize a crash:  Fuzz/.build/debug/FuzzJSON -minimize_crash=1 -runs=100000 Fuzz/Crashes/FuzzJSON/crash-...
set -euo pipefail

usage() {
    echo "usage: Fuzz/run.sh NAME SECONDS [libFuzzer options...]" >&2
    echo "  NAME: FuzzJSON (json), FuzzJSONLines (jsonl), FuzzXML (xml), FuzzQueryParser (query)" >&2
    exit 64
}
[[ $# -ge 2 ]] || usage
name=$1
seconds=$2
shift 2
[[ $seconds =~ ^[0-9]+$ ]] || usage

case $name in
    json | FuzzJSON) target=FuzzJSON extensions=(json) dictionary=json.dict ;;
    jsonl | FuzzJSONLines) target=FuzzJSONLines extensions=(jsonl ndjson) dictionary=json.dict ;;
    xml | FuzzXML) target=FuzzXML extensions=(xml) dictionary=xml.dict ;;
    query | FuzzQueryParser) target=FuzzQueryParser extensions=() dictionary=query.dict ;;
    *) usage ;;
esac

fuzz=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$fuzz")
sanitizers=${FUZZ_SANITIZERS:-fuzzer,address}
configuration=${FUZZ_CONFIGURATION:-debug}
[[ $configuration == debug || $configuration == release ]] || { echo "FUZZ_CONFIGURATION is debug or release" >&2; exit 64; }

# Build (incremental: fast when nothing changed). The ld.gold notes about AddressSanitizer's
# local symbols are noise.
echo "building $target ($configuration, -sanitize=$sanitizers)..." >&2
mkdir -p "$fuzz/Work"
buildLog=$fuzz/Work/build-$target.log
if ! swift build -c "$configuration" --package-path "$fuzz" --scratch-path "$fuzz/.build" --product "$target" \
    -Xswiftc "-sanitize=$sanitizers" -Xswiftc -parse-as-library >"$buildLog" 2>&1; then
    grep -v "Cannot export local symbol" "$buildLog" | tail -40 >&2
    echo "build failed (full log: $buildLog)" >&2
    exit 2
fi
rm -f "$buildLog"
binary=$(swift build -c "$configuration" --package-path "$fuzz" --scratch-path "$fuzz/.build" --show-bin-path)/$target

# Seeds: a fresh copy of the shipped corpus files of this format and our own small examples.
work=$fuzz/Work
seeds=$work/$target-seeds
corpus=$work/$target
crashes=$fuzz/Crashes/$target
rm -rf "$seeds"
mkdir -p "$seeds" "$corpus" "$crashes"
for extension in "${extensions[@]}"; do
    for file in "$root"/Corpus/records-*/*."$extension"; do
        [[ -f $file ]] && cp "$file" "$seeds/corpus-$(basename "$(dirname "$file")")-$(basename "$file")"
    done
done
if [[ $target == FuzzJSONLines ]]; then
    # Each line of the shipped JSON Lines files is a small seed of its own.
    for file in "$root"/Corpus/records-*/*.jsonl; do
        [[ -f $file ]] || continue
        split -l 1 -a 4 "$file" "$seeds/line-$(basename "$file" .jsonl)-"
    done
fi
if command -v python3 >/dev/null && [[ $target == FuzzJSON || $target == FuzzXML ]]; then
    # Whole corpus files are long (30-70 KB) and slow every execution; one record per seed
    # gives libFuzzer small, valid starting points. (Without python3, the whole files do.)
    python3 - "$seeds" "$target" "$root"/Corpus/records-*/*."${extensions[0]}" <<'PYTHON'
import json, re, sys
seeds, target, files = sys.argv[1], sys.argv[2], sys.argv[3:]
for path in files:
    base = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    text = open(path, encoding="utf-8").read()
    if target == "FuzzJSON":
        value = json.loads(text)
        records = value if isinstance(value, list) else value.get("records", [value]) if isinstance(value, dict) else []
        pieces = [json.dumps(record, ensure_ascii=False, indent=1) for record in records]
    else:
        root = re.search(r"<(records|OAI-PMH)\b[^>]*>", text)
        if not root:
            continue
        pieces = []
        for record in re.findall(r"<record\b.*?</record>", text, re.S):
            if root.group(1) == "OAI-PMH":
                pieces.append(root.group(0) + "<ListRecords>" + record + "</ListRecords></OAI-PMH>")
            else:
                pieces.append(root.group(0) + record + "</records>")
    for number, piece in enumerate(pieces):
        with open(f"{seeds}/record-{base}-{number:03}.{'json' if target == 'FuzzJSON' else 'xml'}", "w", encoding="utf-8") as out:
            out.write(piece)
PYTHON
fi
cp "$fuzz/Seeds/$target/"* "$seeds/"

log=$work/$target.log
echo "fuzzing $target for ${seconds}s: seeds $(ls "$seeds" | wc -l), corpus $(ls "$corpus" | wc -l) inputs, log $log" >&2
set +e
(cd "$work" && "$binary" \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -max_len=8192 -dict="$fuzz/Dictionaries/$dictionary" \
    -artifact_prefix="$crashes/" -print_final_stats=1 \
    "$@" "$corpus" "$seeds") >"$log" 2>&1
status=$?
set -e

# Summary: executions and speed from libFuzzer's final statistics, then what was found.
executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
if [[ -z $executions ]]; then
    # Without final statistics (e.g. after a crash), take the last status line.
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    executions=$(sed -E 's/^#([0-9]+).*/\1/' <<<"$last")
    speed=$(grep -o 'exec/s: [0-9]*' <<<"$last" | grep -o '[0-9]*$')
fi
coverage=$(grep -E '^#[0-9]+' "$log" | grep -o 'cov: [0-9]*' | tail -1 | grep -o '[0-9]*$')
echo "$target: ${executions:-0} executions, ${speed:-?} exec/s, coverage ${coverage:-?} edges, corpus $(ls "$corpus" | wc -l) inputs"
found=$(grep -o "Test unit written to [^ ]*" "$log" | sed "s/^Test unit written to //" | sort -u || true)
if [[ $status -ne 0 || -n $found ]]; then
    kind=$(grep -m1 -oE "ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer): [a-zA-Z-]+|ALARM: working on the last Unit|out-of-memory|Fatal error: [^\r]*|deadly signal" "$log" || echo "exit status $status")
    echo "FOUND: $kind"
    for file in $found; do echo "  $file"; done
    echo "  (details in $log)"
    exit 1
fi
echo "no crash, hang or leak found"
