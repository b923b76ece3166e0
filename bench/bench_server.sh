#!/bin/sh
# bench_server.sh: the HTTP API under load, against its peer in the same run.
#
#   - GET /api/runs/{id} at 64 connections (wrk, 10 s): weft's p99 and
#     requests/s, and the same for a static reply from libmicrohttpd in the
#     same mode (bench_mhd_static), the DESIGN.md section 11 peer;
#   - uploading the 1M x 20 numeric CSV (POST /api/datasets) against
#     `weft import` of the same file (target: at most 1.5x);
#   - how fast step events reach an SSE client (bench/sse_latency.mjs);
#   - the server's resident memory when idle.
# Everything listens on loopback only, and every load is bounded in time.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
DATA=${DATA:-$BUILD/data}
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target weft bench_mhd_static -j2 >/dev/null
[ -f "$DATA/numeric.csv" ] || /usr/bin/python3 "$ROOT/bench/gen_csv.py" "$DATA"

WS=$(mktemp -d)
PORTFILE=$WS/port
cleanup() {
    if [ -n "${SERVER:-}" ]; then kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true; fi
    if [ -n "${PEER:-}" ]; then kill "$PEER" 2>/dev/null; wait "$PEER" 2>/dev/null || true; fi
    rm -rf "$WS"
}
trap cleanup EXIT

WEFT_NO_SAMPLES=1 "$BUILD/weft" serve --workspace "$WS/ws" --port -1 --port-file "$PORTFILE" \
    >/dev/null 2>&1 &
SERVER=$!
i=0
while [ ! -s "$PORTFILE" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(cat "$PORTFILE")
URL=http://127.0.0.1:$PORT

sleep 0.5
idle_kb=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
echo "server idle resident memory: $((idle_kb / 1024)) MB"

# A run to read back.
cat >"$WS/p.json" <<'JSON'
{"format":"weft.pipeline/1","name":"bench","nodes":[
 {"id":"d","module":"enter-data@1","params":{"data":"a,b\n1,2\n3,4\n"}},
 {"id":"s","module":"split-data@1","params":{"fraction":0.5,"seed":1}}],
 "edges":[{"from":"d.dataset","to":"s.dataset"}]}
JSON
RUN=$(curl -sf -X POST "$URL/api/runs" -d "{\"document\": $(cat "$WS/p.json")}" |
      sed 's/.*"run_id":\([0-9]*\).*/\1/')
sleep 1

latency() { # url -> "p99_ms req_per_s"
    wrk -t2 -c64 -d10s --latency "$1" 2>/dev/null | awk '
        /^ +99%/ { v=$2; if (v ~ /ms$/) { sub(/ms/,"",v) } else if (v ~ /us$/) { sub(/us/,"",v); v=v/1000 } else if (v ~ /s$/) { sub(/s/,"",v); v=v*1000 }; p99=v }
        /^Requests\/sec/ { rps=$2 }
        END { printf "%s %s\n", p99, rps }'
}
set -- $(latency "$URL/api/runs/$RUN")
WEFT_P99=$1 WEFT_RPS=$2

PEER_PORT=$((PORT + 1))
"$BUILD/bench_mhd_static" "$PEER_PORT" &
PEER=$!
sleep 0.3
set -- $(latency "http://127.0.0.1:$PEER_PORT/")
PEER_P99=$1 PEER_RPS=$2
echo "GET /api/runs/$RUN, 64 connections, 10 s: weft p99 ${WEFT_P99} ms, ${WEFT_RPS} req/s;" \
     "static libmicrohttpd reply p99 ${PEER_P99} ms, ${PEER_RPS} req/s" \
     "(throughput ratio peer/weft $(echo "$PEER_RPS $WEFT_RPS" | awk '{printf "%.2f", $1/$2}'))"

node "$ROOT/bench/sse_latency.mjs" "$URL" 20

FILE=$DATA/numeric.csv
t0=$(date +%s.%N)
curl -sf -X POST "$URL/api/datasets?name=upload&format=csv" --data-binary @"$FILE" >/dev/null
t1=$(date +%s.%N)
WEFT_NO_SAMPLES=1 "$BUILD/weft" --workspace "$WS/ws2" import "$FILE" --name imported >/dev/null
t2=$(date +%s.%N)
echo "$t0 $t1 $t2" | awk '{u=$2-$1; i=$3-$2; printf "upload of a %s CSV: %.2f s; weft import: %.2f s; ratio %.2fx (target <= 1.5x)\n", "214.6 MB", u, i, u/i}'
