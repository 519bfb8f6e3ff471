#!/usr/bin/env bash
# Multi-gigabyte input, outside the test suite: chm must read it with flat memory, and refuse
# what is over its limits (docs/guarantees.md, "Input limits") at once.
#
#   scripts/big-input.sh [SIZE_GB]        (default 3)
#
# Generates into a temporary directory under /tmp (WORK=DIR to choose; deleted at the end,
# each file as soon as it has been checked), then runs `chm validate` under /usr/bin/time -v:
#
#   1. records.jsonl  ~SIZE_GB of ordinary records (~1 KB a line): every record is read;
#                     peak RSS must not grow with the file.
#   2. one-line.jsonl ~SIZE_GB that is a single line: refused with the line-length error as
#                     soon as 64 MiB have been read (the time to that error is shown); the rest
#                     of the line is skipped unread into memory.
#   3. one-record.json ~SIZE_GB that is a single JSON record: refused when the record passes
#                     64 MiB; the rest of the file is not read.
#   4. one-record.xml ~SIZE_GB that is a single XML <record> of many <keyword>s: refused when
#                     libxml2 has read 64 MiB of it; the rest of the file is not read.
#
# Set CHM to the chm binary to use (default: a release build made by this script). Needs
# python3 and GNU time (/usr/bin/time). Prints one summary line per case.
set -euo pipefail

size_gb=${1:-3}
cd "$(dirname "$0")/.."
if [ -z "${CHM:-}" ]; then
    swift build -c release --product chm >/dev/null
    CHM="$(swift build -c release --show-bin-path)/chm"
fi
work=${WORK:-$(mktemp -d /tmp/chm-big-input.XXXXXX)}
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
bytes=$((size_gb * 1024 * 1024 * 1024))

# generate KIND FILE: writes about $bytes bytes of the given kind.
generate() {
    python3 - "$1" "$2" "$bytes" <<'PY'
import sys
kind, path, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
chunk = 64 << 20
with open(path, "wb", buffering=1 << 20) as out:
    if kind == "records":
        text = ("Community mangrove nurseries restore coastal forests; seed banks keep local varieties. "
                "Восстановление мангровых лесов. 红树林恢复与社区参与。 Restauración de manglares. ") * 5
        written, n = 0, 0
        while written < total:
            lines = []
            for _ in range(10000):
                n += 1
                lines.append('{"id": "big-%d", "kind": "caseStudy", "language": "en", "title": "Mangrove record %d", '
                             '"countries": ["KE", "TZ"], "themes": ["forests"], "published": "2019-11", '
                             '"description": "%s %d"}\n' % (n, n, text, n))
            data = "".join(lines).encode()
            out.write(data)
            written += len(data)
    elif kind == "xml":
        out.write(b'<records xmlns="urn:chm:records:1">\n<record id="big-single" kind="resource">'
                  b'<title>One huge record</title>\n')
        filler = b"<keyword>mangrove</keyword>\n" * (chunk // 28)
        written = 0
        while written < total:
            out.write(filler)
            written += len(filler)
        out.write(b'</record>\n</records>\n')
    else:
        head = b'{"id": "big-single", "kind": "resource", "title": "One huge record", "description": "'
        out.write(head)
        filler = b"mangrove restoration " * (chunk // 21)
        written = len(head)
        while written < total:
            out.write(filler)
            written += len(filler)
        out.write(b'"}\n' if kind == "one-line" else b'"}')
PY
}

# check NAME FILE: runs chm validate on FILE, prints wall time, peak RSS, exit status and the
# time at which the first diagnostic appeared.
check() {
    local name=$1 file=$2
    local size start status first_error
    size=$(stat -c %s "$file")
    start=$(date +%s.%N)
    set +e
    /usr/bin/time -v -o "$work/time.log" "$CHM" validate "$file" 2> >(
        while IFS= read -r line; do echo "$(date +%s.%N) $line"; done > "$work/stderr.log"
    ) > "$work/stdout.log"
    status=$?
    set -e
    sleep 0.2  # let the stderr reader finish
    local wall rss
    wall=$(grep "Elapsed (wall clock)" "$work/time.log" | awk '{print $NF}')
    rss=$(grep "Maximum resident set size" "$work/time.log" | awk '{print $NF}')
    first_error=$(awk -v start="$start" 'NR == 1 { printf "%.2f s", $1 - start }' "$work/stderr.log")
    printf '%-16s %6.2f GB  exit %d  wall %s  peak RSS %d MB  first diagnostic after %s\n' \
        "$name" "$(awk -v s="$size" 'BEGIN { print s / 1073741824 }')" "$status" "$wall" "$((rss / 1024))" "${first_error:-none}"
    sed -e 's/^[0-9.]* /    stderr: /' "$work/stderr.log" | cut -c1-220 | head -3
    sed -e 's/^/    stdout: /' "$work/stdout.log" | head -2
}

for kind in records one-line one-record xml; do
    case $kind in
        records) file="$work/records.jsonl" ;;
        one-line) file="$work/one-line.jsonl" ;;
        one-record) file="$work/one-record.json" ;;
        xml) file="$work/one-record.xml" ;;
    esac
    generate "$kind" "$file"
    check "$kind" "$file"
    rm -f "$file"
done
