#!/usr/bin/env bash
# `msrp relay` against Kamailio's msrp module under the same load client (relay_load),
# alternated in the same run: for each body size, ROUNDS runs against each relay, one
# after the other, then the median chunks/s of each and their ratio (issue 15's targets:
# >= 10x Kamailio for ~200-byte SENDs, >= 5x for 8 KiB, 1 MiB at >= 1 GB/s).
#
#   bash benches/relay-vs-kamailio.sh [ROUNDS] [SECONDS]      defaults 3 and 3
#
# It starts Kamailio's tcp instance (../shared/peers/kamailio/start.sh tcp, installed
# with its install.sh) and `msrp relay` on 127.0.0.1:2900, and stops both by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seconds=${2:-3}
peers=../shared/peers
cargo build --release -q -p msrp-cli
cargo build --release -q -p msrp-benches --bin relay_load
target=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
load="$target/release/relay_load"
run=$(mktemp -d)
results="$run/results"
cleanup() {
  [ -n "${relay_pid:-}" ] && kill "$relay_pid" 2>/dev/null || true
  MSRP_PEERS_RUN="$run/peers" bash "$peers/kamailio/stop.sh" >/dev/null 2>&1 || true
  rm -rf "$run"
}
trap cleanup EXIT
MSRP_PEERS_RUN="$run/peers" bash "$peers/kamailio/start.sh" tcp >/dev/null
"$target/release/msrp" relay --listen 127.0.0.1:2900 --user bench:bench >/dev/null 2>&1 &
relay_pid=$!
sleep 0.5

ours='msrp://127.0.0.1:2900;tcp'
kamailio='msrp://127.0.0.1:2855;tcp'
one() { # relay body -> chunks/s (0 when the relay refused or closed)
  "$load" --relay "$1" --body "$2" --seconds "$seconds" 2>/dev/null |
    python3 -c 'import json, sys; print(json.loads(sys.stdin.read() or "{}").get("chunks_per_s", 0))' ||
    echo 0
}
for body in 100 8K 1M; do
  for _ in $(seq 1 "$rounds"); do
    # Kamailio cannot relay frames above ~14 KB (../shared/peers/README.md).
    k=0
    [ "$body" != 1M ] && k=$(one "$kamailio" "$body")
    o=$(one "$ours" "$body")
    echo "$body $k $o" >>"$results"
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
print(f"{'body':>6} {'kamailio/s':>12} {'msrp relay/s':>13} {'ratio':>6} {'MB/s':>8}")
for body in ["100", "8K", "1M"]:
    k = statistics.median(float(r[1]) for r in rows if r[0] == body)
    o = statistics.median(float(r[2]) for r in rows if r[0] == body)
    size = {"100": 100, "8K": 8192, "1M": 1 << 20}[body]
    ratio = f"{o / k:.1f}x" if k else "--"
    print(f"{body:>6} {k:>12.0f} {o:>13.0f} {ratio:>6} {o * size / 1e6:>8.0f}")
PY
