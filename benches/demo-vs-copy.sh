#!/usr/bin/env bash
# `msrp demo` against a plain tokio copy over loopback TCP, in the same run: both move the
# same number of bytes (default 1 GiB), each run alternates the two, and the script prints
# both throughputs and their ratio (issue 14's target: the demo at >= 0.6 of the copy).
#
#   bash benches/demo-vs-copy.sh [SIZE] [RUNS]      e.g. 1G 5 (defaults 1G and 5)
#   CHECK=0.6 bash benches/demo-vs-copy.sh           exit 1 if the median ratio is lower
#
# The copy is benches/examples/tcp_copy.rs (256 KiB writes, 256 KiB reads). The demo's
# throughput is its own `summary` event (`--json`): from the file's first byte to the last
# one checked and the success REPORT. The median ratio is of the runs' ratios, each
# made from a copy and a demo run one after the other, so that load on a shared machine
# weighs on both.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1G}
runs=${2:-5}
cargo build --release -q -p msrp-cli
cargo build --release -q -p msrp-benches --example tcp_copy
target=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
msrp="$target/release/msrp"
copy="$target/release/examples/tcp_copy"

results=$(mktemp)
trap 'rm -f "$results"' EXIT
for i in $(seq 1 "$runs"); do
  c=$("$copy" "$size" | sed -n 's/.*(\([0-9.]*\) MiB\/s).*/\1/p')
  d=$("$msrp" demo --json --size "$size" |
    python3 -c 'import json, sys
for l in sys.stdin:
    e = json.loads(l)
    if e["event"] == "summary": print(e["mib_per_s"])
    if e["event"] == "failed": sys.exit("the demo failed: " + e["reason"])')
  echo "$c $d" >>"$results"
  python3 -c "import sys; c, d = map(float, sys.argv[1:]); print(f'run $i: copy {c:8.1f} MiB/s, demo {d:8.1f} MiB/s, ratio {d / c:.2f}')" "$c" "$d"
done
python3 - "$results" "${CHECK:-}" <<'EOF'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
copy = statistics.median(c for c, _ in rows)
demo = statistics.median(d for _, d in rows)
ratio = statistics.median(d / c for c, d in rows)
print(f"median: copy {copy:.1f} MiB/s, demo {demo:.1f} MiB/s, ratio {ratio:.2f} (target >= 0.6)")
if sys.argv[2] and ratio < float(sys.argv[2]):
    sys.exit(f"the demo's median ratio {ratio:.2f} is below {sys.argv[2]}")
EOF
