#!/bin/sh
# bench/run.sh: every benchmark, each with its peer from the same run. Used by
# `make bench`; record the figures in docs/benchmarks.md.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
export BUILD

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DWEFT_TESTS=OFF >/dev/null
cmake --build "$BUILD" --target bench_csv bench_native bench_mhd_static weft -j2 >/dev/null

echo "== CSV import (bench/csv_import.sh)"
"$ROOT/bench/csv_import.sh"
echo
echo "== Native format: open and memory (bench_native)"
"$BUILD/bench_native"
echo
echo "== Pipeline runs (bench/bench_engine.sh)"
"$ROOT/bench/bench_engine.sh"
echo
echo "== HTTP API (bench/bench_server.sh)"
"$ROOT/bench/bench_server.sh"
echo
echo "== Data modules: normalize and clean missing (bench/transforms.sh)"
"$ROOT/bench/transforms.sh"
echo
echo "== Join (bench/rows.sh)"
"$ROOT/bench/rows.sh"
echo
echo "== Apply SQL Transformation, GROUP BY (bench/sql.sh)"
"$ROOT/bench/sql.sh"
echo
echo "== Execute Python Script, identity (bench_python)"
cmake --build "$BUILD" --target bench_python -j2 >/dev/null
"$BUILD/bench_python" 3
echo
echo "== Learners: Train and Score Model against scikit-learn and xgboost (bench/learn.sh)"
"$ROOT/bench/learn.sh"
echo
echo "== Model selection: cross-validation and tuning (bench/selection.sh)"
"$ROOT/bench/selection.sh"
echo
echo "== The sample pipelines end to end (bench/samples.sh)"
"$ROOT/bench/samples.sh"
