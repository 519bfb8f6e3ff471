# Shared set-up of the peer scripts (sourced): where the project and its judged sets are, which
# chm binary and Pythons to use, which languages, and the work directory ($1, else a new one).
here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
root=$(cd "$here/../.." && pwd)
fixtures="$root/Tests/Fixtures/languages"
if [ -z "${CHM:-}" ]; then
    CHM="$root/.build/release/chm"
    [ -x "$CHM" ] || CHM="$root/.build/debug/chm"
fi
PYTHON=${PYTHON:-python3}
XAPIAN_PYTHON=${XAPIAN_PYTHON:-/usr/bin/python3}
LANGS=${LANGS:-"ar en es fr ru zh"}
work=${1:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
[ -x "$CHM" ] || { echo "no chm binary at $CHM (swift build, or set CHM=path)" >&2; exit 1; }
