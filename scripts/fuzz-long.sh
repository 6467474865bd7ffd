#!/usr/bin/env bash
# Every cargo-fuzz target for MINUTES each, JOBS at a time (default: the CPU count), with
# the seed corpora (conformance vectors, test data, the built-in scenario files) and the
# MSRP dictionary (fuzz/msrp.dict); then a table per target: executions, coverage
# (libFuzzer's cov and ft), corpus size, and whether it crashed (the input is then in
# fuzz/artifacts/TARGET). Exit status 1 if any target crashed.
#
#   bash scripts/fuzz-long.sh MINUTES [JOBS]        e.g. 15
#
# The corpora grow in fuzz/corpus/ (not committed); logs are in fuzz/long-TARGET.log.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:?usage: fuzz-long.sh MINUTES [JOBS]}
jobs=${2:-$(nproc)}
bash scripts/fuzz-seed.sh
cd fuzz
cargo +nightly fuzz build
seconds=$((minutes * 60))
targets=$(cargo +nightly fuzz list)
run_one() {
  local t=$1
  cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$seconds" \
    -dict=msrp.dict -print_final_stats=1 >"long-$t.log" 2>&1 && echo ok >"long-$t.status" ||
    echo crashed >"long-$t.status"
}
export -f run_one
export seconds
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_one {}'
crashed=0
printf '%-18s %14s %8s %8s %8s %s\n' target executions cov ft corpus result
for t in $targets; do
  log="long-$t.log"
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  last=$(grep -E '#[0-9]+' "$log" | grep -E 'cov: ' | tail -1)
  cov=$(grep -oE 'cov: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || echo '?')
  ft=$(grep -oE 'ft: [0-9]+' <<<"$last" | grep -oE '[0-9]+' || echo '?')
  corp=$(find "corpus/$t" -type f | wc -l)
  status=$(cat "long-$t.status")
  [ "$status" = ok ] || crashed=1
  printf '%-18s %14s %8s %8s %8s %s\n' "$t" "$execs" "$cov" "$ft" "$corp" "$status"
done
exit $crashed
