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
# The binaries built above are run directly: `cargo fuzz run` would rebuild them if the
# sources changed meanwhile (and fail the run while they do not compile).
bin=$PWD/target/x86_64-unknown-linux-gnu/release
mkdir -p artifacts
run_one() {
  local t=$1
  mkdir -p "artifacts/$t"
  if "$bin/$t" "corpus/$t" -max_total_time="$seconds" -dict=msrp.dict -print_final_stats=1 \
    -artifact_prefix="artifacts/$t/" >"long-$t.log" 2>&1; then
    echo ok >"long-$t.status"
  else
    echo crashed >"long-$t.status"
  fi
}
export -f run_one
export seconds bin
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_one {}'
crashed=0
printf '%-18s %14s %8s %8s %8s %s\n' target executions cov ft corpus result
for t in $targets; do
  log="long-$t.log"
  execs=$( (grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" || true) | grep -oE '[0-9]+$' || echo '?')
  last=$( (grep -E '^#[0-9]+.*cov: ' "$log" || true) | tail -1)
  cov=$( (grep -oE 'cov: [0-9]+' <<<"$last" || true) | grep -oE '[0-9]+' || echo '?')
  ft=$( (grep -oE 'ft: [0-9]+' <<<"$last" || true) | grep -oE '[0-9]+' || echo '?')
  corp=$(find "corpus/$t" -type f | wc -l)
  status=$(cat "long-$t.status")
  [ "$status" = ok ] || crashed=1
  printf '%-18s %14s %8s %8s %8s %s\n' "$t" "$execs" "$cov" "$ft" "$corp" "$status"
done
exit $crashed
