# Shared by the drivers that test a running `chm serve` (Tests/api, Tests/web, Tests/oai);
# sourced, not run. It gives them a temporary folder ($work, removed at exit with the server
# stopped by SIGTERM), start_server, which starts `chm serve --port 0` and sets $url, and
# stop_server, which stops it and checks how it ended.
#
#   . Tests/serve-support.sh
#   start_server "$chm" --index "$work/index" --api-key-file "$work/keys"

work=$(mktemp -d)
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# start_server CHM [SERVE OPTIONS...]: starts `CHM serve --port 0 OPTIONS...` in the
# background (output in $work/serve.out, log in $work/serve.log), waits until it says where it
# listens (at most 30 s), and sets $url and $server_pid; exits 1 if it does not.
start_server() {
    local chm=$1
    shift
    "$chm" serve --port 0 "$@" >"$work/serve.out" 2>"$work/serve.log" &
    server_pid=$!
    url=""
    for _ in $(seq 1 300); do
        url=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$work/serve.out" | head -n 1)
        [ -n "$url" ] && return 0
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "chm serve exited before listening:" >&2
            cat "$work/serve.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "chm serve did not say where it listens within 30 s" >&2
    cat "$work/serve.log" >&2
    exit 1
}

# stop_server: stops the server with SIGTERM and checks that it exits 0; a server that died
# during the tests, or exits otherwise, is reported with its log and sets status=1.
stop_server() {
    local serve_status=0
    if kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"
        wait "$server_pid" || serve_status=$?
        if [ "$serve_status" -ne 0 ]; then
            echo "chm serve exited $serve_status after SIGTERM; its log ends:" >&2
            tail -n 20 "$work/serve.log" >&2
            status=1
        fi
    else
        wait "$server_pid" || serve_status=$?
        echo "chm serve died during the tests (exit status $serve_status); its log:" >&2
        grep -m 5 -E 'Fatal error|error:' "$work/serve.log" >&2 || tail -n 20 "$work/serve.log" >&2
        status=1
    fi
    server_pid=""
}
