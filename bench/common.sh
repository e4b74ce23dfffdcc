# Sourced by the benchmark scripts: where things are, the release binary built, wrk
# installed when a script needs it, and one way to read wrk's output.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${WORK:-$ROOT/bench/work}
export DXMON_LOG=error
mkdir -p "$WORK"
cargo build --release --quiet --bin dxmon --manifest-path "$ROOT/Cargo.toml"
DXMON="$ROOT/target/release/dxmon"

# wrk (Debian package `wrk`), installed when missing.
need_wrk() {
    if ! command -v wrk > /dev/null; then
        local sudo=""
        [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get install -y -qq wrk > /dev/null
    fi
}

# wrk against one URL; one line: requests/s, p50 and p99 latency, answers other than 2xx.
# Usage: probe LABEL THREADS CLIENTS URL
probe() {
    local label=$1 threads=$2 clients=$3 url=$4
    wrk -t"$threads" -c"$clients" -d"${DURATION}s" --latency "$url" | awk -v label="$label" '
        /Requests\/sec/ {rps=$2}
        $1=="50%" {p50=$2} $1=="99%" {p99=$2}
        /Non-2xx/ {bad=$NF}
        END {printf "%-76s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n", label, rps, p50, p99, bad+0}'
}
