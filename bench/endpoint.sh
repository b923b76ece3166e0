#!/bin/sh
# endpoint.sh: real-time endpoints under load (issue #10), against the peer
# in the same run: a static reply from libmicrohttpd in the same epoll
# thread-pool mode (bench_mhd_static), the DESIGN.md section 11 peer for
# HTTP.
#
#   - single-row scoring (POST /endpoints/cars/score), keep-alive, 64
#     connections: requests/s and p99 (target >= 15,000/s, p99 < 5 ms), and
#     the ratio to the static reply;
#   - 1,000-row requests: rows/s (target >= 500,000);
#   - 30 s of single-row load: errors (target 0);
#   - the server's resident memory across 1,000,000 requests (target: flat);
#   - the same single-row and 1,000-row figures from `weft endpoint serve`
#     of the exported bundle, side by side.
# Each figure is the median of RUNS runs of RUN_SECONDS seconds. The model is
# the cars linear regression of the Azure designer's sample (Select
# Columns, Clean Missing Data, Linear Regression), trained here.
# Everything listens on loopback only; every load is bounded in time.
#
#   bench/endpoint.sh            (RUNS=3 RUN_SECONDS=10 by default)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${RUN_SECONDS:-10}
command -v wrk >/dev/null || { echo "endpoint.sh needs wrk (scripts/deps.sh bench)" >&2; exit 1; }
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target weft bench_mhd_static -j2 >/dev/null
WEFT=$BUILD/weft
SAMPLES=${WEFT_SAMPLES_DIR:-$ROOT/.cache/samples}

WS=$(mktemp -d)
cleanup() {
    for pid in ${SERVER:-} ${PEER:-} ${ALONE:-}; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WS"
}
trap cleanup EXIT

# ---- the endpoint ---------------------------------------------------------
export WEFT_NO_SAMPLES=1
"$WEFT" --workspace "$WS/ws" import "$SAMPLES/cars.json" --name cars >/dev/null
cat >"$WS/train.json" <<'JSON'
{"format": "weft.pipeline/1", "name": "cars", "nodes": [
 {"id": "cars", "module": "dataset@1", "params": {"dataset": "cars"}},
 {"id": "columns", "module": "select-columns@1", "params": {"columns": {"exclude": [{"names": ["Name"]}]}}},
 {"id": "clean", "module": "clean-missing-data@1", "params": {"columns_to_be_cleaned": {"include": [{"all": true}]}, "cleaning_mode": "remove-entire-row"}},
 {"id": "split", "module": "split-data@1", "params": {"fraction": 0.7, "seed": 42}},
 {"id": "learner", "module": "linear-regression@1"},
 {"id": "train", "module": "train-model@1", "params": {"label_column": "Miles_per_Gallon"}},
 {"id": "score", "module": "score-model@1"}],
 "edges": [
 {"from": "cars.dataset", "to": "columns.dataset"},
 {"from": "columns.dataset", "to": "clean.dataset"},
 {"from": "clean.cleaned_dataset", "to": "split.dataset"},
 {"from": "learner.untrained_model", "to": "train.untrained_model"},
 {"from": "split.first", "to": "train.dataset"},
 {"from": "train.trained_model", "to": "score.trained_model"},
 {"from": "split.second", "to": "score.dataset"}]}
JSON
"$WEFT" --workspace "$WS/ws" run "$WS/train.json" >/dev/null
"$WEFT" --workspace "$WS/ws" inference-pipeline 1 -o "$WS/inference.json" >/dev/null
"$WEFT" --workspace "$WS/ws" endpoint deploy cars "$WS/inference.json" >"$WS/deploy.txt"
KEY=$(awk '/^primary key:/ {print $3}' "$WS/deploy.txt")
"$WEFT" --workspace "$WS/ws" endpoint export cars "$WS/bundle" >/dev/null

# Request bodies: one row, and 1,000 rows, of the cars data.
/usr/bin/python3 - "$SAMPLES/cars.json" "$WS" <<'PY'
import json, sys
cars = [r for r in json.load(open(sys.argv[1])) if all(v is not None for v in r.values())]
for r in cars:
    r.pop("Miles_per_Gallon")
def body(rows):
    return json.dumps({"Inputs": {"WebServiceInput0": rows}, "GlobalParameters": {}})
open(sys.argv[2] + "/one.json", "w").write(body(cars[:1]))
open(sys.argv[2] + "/thousand.json", "w").write(body([cars[i % len(cars)] for i in range(1000)]))
PY
for b in one thousand; do
    cat >"$WS/$b.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
local f = io.open("$WS/$b.json", "rb")
wrk.body = f:read("*a")
f:close()
LUA
done

start_server() { # port-file, args... -> pid in $!
    pf=$1
    shift
    rm -f "$pf"
    "$WEFT" "$@" --port -1 --port-file "$pf" >/dev/null 2>&1 &
    i=0
    while [ ! -s "$pf" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
}
start_server "$WS/port" --workspace "$WS/ws" serve
SERVER=$!
URL=http://127.0.0.1:$(cat "$WS/port")
i=0
until curl -sf "$URL/v2/health/ready" >/dev/null; do
    sleep 0.1
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "the endpoint never became ready" >&2; exit 1; }
done
start_server "$WS/port2" endpoint serve "$WS/bundle"
ALONE=$!
ALONE_URL=http://127.0.0.1:$(cat "$WS/port2")

# ---- measuring ------------------------------------------------------------
# wrk [-s script] -> "req_per_s p99_ms errors requests"
load() { # connections seconds url [script]
    c=$1 d=$2 u=$3
    shift 3
    wrk -t2 -c"$c" -d"${d}s" --latency "$@" "$u" 2>/dev/null | awk '
        function ms(v) { if (v ~ /us$/) { sub(/us/, "", v); return v / 1000 }
                         if (v ~ /ms$/) { sub(/ms/, "", v); return v }
                         sub(/s/, "", v); return v * 1000 }
        /^ +99%/ { p99 = ms($2) }
        /requests in/ { n = $1 }
        /^Requests\/sec/ { rps = $2 }
        /Non-2xx/ { bad += $NF }
        /Socket errors/ { gsub(/,/, ""); bad += $4 + $6 + $8 + $10 }
        END { printf "%s %s %d %d\n", rps, p99, bad, n }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# RUNS loads; prints "median_rps median_p99 total_errors total_requests"
measure() {
    : >"$WS/runs"
    r=0
    while [ $r -lt "$RUNS" ]; do
        load "$@" >>"$WS/runs"
        r=$((r + 1))
    done
    rps=$(awk '{print $1}' "$WS/runs" | median)
    p99=$(awk '{print $2}' "$WS/runs" | median)
    errs=$(awk '{s += $3} END {print s + 0}' "$WS/runs")
    reqs=$(awk '{s += $4} END {print s + 0}' "$WS/runs")
    echo "$rps $p99 $errs $reqs"
}
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

TOTAL=0
wrk -t2 -c64 -d3s -s "$WS/one.lua" "$URL/endpoints/cars/score" >/dev/null 2>&1 # warm up
set -- $(measure 64 "$SECONDS_PER_RUN" "$URL/endpoints/cars/score" -s "$WS/one.lua")
ONE_RPS=$1 ONE_P99=$2 ONE_ERR=$3
TOTAL=$((TOTAL + $4))

PEER_PORT=$(( $(cat "$WS/port") + 7 ))
"$BUILD/bench_mhd_static" "$PEER_PORT" &
PEER=$!
sleep 0.3
set -- $(measure 64 "$SECONDS_PER_RUN" "http://127.0.0.1:$PEER_PORT/")
PEER_RPS=$1 PEER_P99=$2
kill "$PEER"
wait "$PEER" 2>/dev/null || true
PEER=

set -- $(measure 8 "$SECONDS_PER_RUN" "$URL/endpoints/cars/score" -s "$WS/thousand.lua")
K_RPS=$1 K_P99=$2 K_ERR=$3
TOTAL=$((TOTAL + $4))

# Memory from here, once both kinds of request have been served (large
# bodies leave the allocator holding larger blocks): a million more.
RSS_EARLY=$(rss_mb "$SERVER")
REQS_EARLY=$TOTAL
set -- $(load 64 30 "$URL/endpoints/cars/score" -s "$WS/one.lua")
LONG_RPS=$1 LONG_ERR=$3
TOTAL=$((TOTAL + $4))
if [ $((TOTAL - REQS_EARLY)) -lt 1000000 ]; then
    left=$((1000000 - TOTAL + REQS_EARLY))
    secs=$(echo "$left $LONG_RPS" | awk '{s = $1 / $2 * 1.1 + 1; printf "%d", s}')
    set -- $(load 64 "$secs" "$URL/endpoints/cars/score" -s "$WS/one.lua")
    TOTAL=$((TOTAL + $4))
    LONG_ERR=$((LONG_ERR + $3))
fi
RSS_LATE=$(rss_mb "$SERVER")

set -- $(measure 64 "$SECONDS_PER_RUN" "$ALONE_URL/endpoints/cars/score" -s "$WS/one.lua")
A_RPS=$1 A_P99=$2 A_ERR=$3
set -- $(measure 8 "$SECONDS_PER_RUN" "$ALONE_URL/endpoints/cars/score" -s "$WS/thousand.lua")
AK_RPS=$1 AK_ERR=$3

ratio() { echo "$1 $2" | awk '{printf "%.2f", $1 / $2}'; }
rows() { echo "$1" | awk '{printf "%.0f", $1 * 1000}'; }
echo "single-row scoring, 64 connections, keep-alive (median of $RUNS x ${SECONDS_PER_RUN} s):"
echo "  weft serve:            $ONE_RPS req/s, p99 $ONE_P99 ms, errors $ONE_ERR (target >= 15000 req/s, p99 < 5 ms)"
echo "  weft endpoint serve:   $A_RPS req/s, p99 $A_P99 ms, errors $A_ERR"
echo "  static libmicrohttpd:  $PEER_RPS req/s, p99 $PEER_P99 ms"
echo "  ratio weft/static:     $(ratio "$ONE_RPS" "$PEER_RPS") (standalone $(ratio "$A_RPS" "$PEER_RPS"))"
echo "1,000-row requests, 8 connections:"
echo "  weft serve:            $(rows "$K_RPS") rows/s ($K_RPS req/s, p99 $K_P99 ms, errors $K_ERR; target >= 500000 rows/s)"
echo "  weft endpoint serve:   $(rows "$AK_RPS") rows/s (errors $AK_ERR)"
echo "30 s of single-row load: $LONG_RPS req/s, errors $LONG_ERR (target 0)"
echo "resident memory: $RSS_EARLY MB after $REQS_EARLY requests, $RSS_LATE MB after $((TOTAL - REQS_EARLY)) more (target: flat)"
