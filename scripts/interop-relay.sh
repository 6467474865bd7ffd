#!/usr/bin/env bash
# Interop: our relay (`msrp relay`) with our clients, with tshark, and chained with
# Kamailio's msrp relay (../shared/peers: installed, started and stopped by PID here).
#
#   bash scripts/interop-relay.sh [SIZE]      # SIZE of the large transfer, default 256M
#
# 1. `msrp listen --relay` (bob) and `msrp send --relay` (alice) through `msrp relay`:
#    AUTH with Digest on both sides, a text message and a SIZE file with their success
#    REPORTs back through the relay (send exits 0 only then), the file's SHA-1 checked by
#    the listener. The relay's peak resident memory (VmHWM) must stay under 64 MiB
#    whatever SIZE is: bodies are cut through, never gathered.
# 2. Run as root with tshark (as on CI): a 100 KB text file in 10 KB chunks through the
#    relay is captured on lo, and every byte of every connection (what the relay wrote
#    and what our clients wrote) is decoded by tshark with no error.
# 3. A chain: alice -> our relay -> Kamailio (auth instance) -> bob. Bob authenticates
#    to Kamailio, alice to ours; the text must reach bob.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-256M}
peers=../shared/peers
cargo build --release -q -p msrp-cli
msrp=$PWD/target/release/msrp
dir=$(mktemp -d)
export MSRP_PEERS_RUN="$dir/peers"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bash "$peers/kamailio/stop.sh" all >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

fail() {
  echo "interop-relay: $*" >&2
  exit 1
}

# wait_event FILE NAME, field EVENT NAME.
source scripts/ndjson.sh

sha1_rfc5547() {
  python3 -c 'import hashlib, sys
h = hashlib.sha1()
with open(sys.argv[1], "rb") as f:
    for b in iter(lambda: f.read(1 << 20), b""):
        h.update(b)
d = h.hexdigest().upper()
print(":".join(d[i:i + 2] for i in range(0, 40, 2)))' "$1"
}

# Starts `msrp relay` on a free port; sets relay_pid, relay_uri, relay_port.
start_relay() {
  "$msrp" relay --listen 127.0.0.1:0 --user alice:alice-pw --user bob:bob-pw --json \
    >"$dir/relay.ndjson" 2>"$dir/relay.err" &
  relay_pid=$!
  pids+=("$relay_pid")
  local ev
  ev=$(wait_event "$dir/relay.ndjson" listening) ||
    fail "msrp relay did not start: $(cat "$dir/relay.err")"
  relay_uri=$(field "$ev" uri)
  relay_port=${relay_uri##*:}
  relay_port=${relay_port%%;*}
}

# Starts `msrp listen --relay RELAY --user U --password P`; sets listen_pid, path.
start_listener() {
  local name=$1 relay=$2 user=$3 pw=$4
  mkdir -p "$dir/$name"
  "$msrp" listen --bind 127.0.0.1:0 --relay "$relay" --user "$user" --password "$pw" \
    --save-dir "$dir/$name" --json >"$dir/$name.ndjson" 2>"$dir/$name.err" &
  listen_pid=$!
  pids+=("$listen_pid")
  local ev
  ev=$(wait_event "$dir/$name.ndjson" listening) ||
    fail "$name: listen --relay did not authenticate: $(cat "$dir/$name.err")"
  path=$(field "$ev" uri)
}

start_relay
echo "relay: $relay_uri (pid $relay_pid)"
start_listener bob "$relay_uri" bob bob-pw
echo "bob: authorised, path $path"
alice=(--relay "$relay_uri" --user alice --password alice-pw)

# 1. A text and a large file, with success REPORTs through the relay.
"$msrp" send "${alice[@]}" --to "$path" "hello through our relay" >/dev/null ||
  fail "the text was not delivered (no success REPORT)"
wait_event "$dir/bob.ndjson" message | grep -q "hello through our relay" ||
  fail "bob did not show the text"
echo "text: delivered, success REPORT back through the relay"

head -c "$(python3 -c "
s = '$size'.upper(); m = {'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30}
print(int(s[:-1]) * m[s[-1]] if s[-1] in m else int(s))")" /dev/urandom >"$dir/big.bin"
want=$(sha1_rfc5547 "$dir/big.bin")
start=$(date +%s.%N)
"$msrp" send "${alice[@]}" --to "$path" --file "$dir/big.bin" --json >"$dir/send.ndjson" ||
  fail "the $size file was not delivered: $(tail -n 3 "$dir/send.ndjson")"
end=$(date +%s.%N)
ev=$(wait_event "$dir/bob.ndjson" file) || fail "bob got no file"
got=$(field "$ev" sha1)
[ "$got" = "$want" ] || fail "file SHA-1 $got, sent $want"
rm -f "$dir/big.bin" "$dir/big.bin"*
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$relay_pid/status")
secs=$(python3 -c "print(f'{$end - $start:.2f}')")
echo "file: $size delivered in $secs s with its success REPORT, SHA-1 $got; relay peak RSS ${hwm} kB"
[ "$hwm" -lt 65536 ] || fail "the relay's peak resident memory is ${hwm} kB (over 64 MiB)"
kill "$listen_pid"

# 2. tshark decodes every byte on the relay's connections.
if [ "$(id -u)" = 0 ] && command -v tshark >/dev/null; then
  python3 -c 'import sys; sys.stdout.write("".join(chr(97 + i * 11 % 26) + ("\n" if i % 64 == 63 else "") for i in range(100000)))' >"$dir/capture.bin"
  tshark -q -i lo -f "tcp port $relay_port" -w "$dir/relay.pcap" 2>/dev/null &
  capture=$!
  pids+=("$capture")
  for _ in $(seq 50); do [ -s "$dir/relay.pcap" ] && break; sleep 0.1; done
  sleep 0.5
  start_listener carol "$relay_uri" bob bob-pw
  "$msrp" send "${alice[@]}" --to "$path" --max-chunk 10K "text for the capture" >/dev/null ||
    fail "capture: the text was not delivered"
  "$msrp" send "${alice[@]}" --to "$path" --max-chunk 10K --file "$dir/capture.bin" >/dev/null ||
    fail "capture: the file was not delivered"
  wait_event "$dir/carol.ndjson" file >/dev/null ||
    fail "capture: no file at the listener: $(cat "$dir/carol.ndjson" "$dir/carol.err")"
  kill "$listen_pid"
  sleep 1
  kill -INT "$capture"
  wait "$capture" || true
  streams=$(tshark -r "$dir/relay.pcap" -T fields -e tcp.stream 2>/dev/null | sort -un)
  [ -n "$streams" ] || fail "nothing captured"
  checked=0
  for s in $streams; do
    # follow,tcp,raw: the connecting side's bytes as hex lines, the relay's indented by
    # a tab. Both are ours: each direction is decoded on its own.
    tshark -r "$dir/relay.pcap" -q -z "follow,tcp,raw,$s" 2>/dev/null | python3 -c '
import sys
client, relay = bytearray(), bytearray()
for line in sys.stdin:
    if line.startswith("=" * 10) or ":" in line or not line.strip():
        continue
    (relay if line.startswith("\t") else client).extend(bytes.fromhex(line.strip()))
open(sys.argv[1], "wb").write(client)
open(sys.argv[2], "wb").write(relay)
' "$dir/c-$s.msrp" "$dir/r-$s.msrp"
    for side in c r; do
      file="$dir/$side-$s.msrp"
      [ -s "$file" ] || continue
      frames=$("$msrp" inspect chunk "$file" --strict |
        python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d.get("frames", [d])))')
      python3 "$peers/tshark/msrp_decode.py" "$file" --segment 65000 --check "$frames" \
        >"$dir/$side-$s.json" ||
        fail "tshark does not decode connection $s ($side): $(tail -n 5 "$dir/$side-$s.json")"
      checked=$((checked + frames))
    done
  done
  echo "tshark: $checked frames on $(echo "$streams" | wc -l) connections of the relay, all decoded"
else
  echo "tshark: skipped (needs root and tshark to capture on lo)"
fi

# 3. alice -> our relay -> Kamailio -> bob.
bash "$peers/kamailio/install.sh" >/dev/null
bash "$peers/kamailio/start.sh" auth >/dev/null
start_listener dave 'msrp://127.0.0.1:2857;tcp' dave msrp-secret
echo "chain: bob authorised at Kamailio, path $path"
# --no-report: Kamailio routes REPORTs by the first To-Path session id, back to the
# listener (see interop-kamailio.sh); chunks of 10 KB for its frame limit.
"$msrp" send "${alice[@]}" --to "$path" --no-report --max-chunk 10K \
  "hello through two relays" >/dev/null 2>"$dir/chain.err" ||
  fail "chain: the text was not accepted: $(cat "$dir/chain.err")"
wait_event "$dir/dave.ndjson" message | grep -q "hello through two relays" ||
  fail "chain: bob did not get the text through our relay and Kamailio"
echo "chain: alice -> msrp relay -> Kamailio -> bob delivered the text"
bash "$peers/kamailio/stop.sh" auth >/dev/null

kill -TERM "$relay_pid"
wait "$relay_pid" || fail "msrp relay did not stop cleanly on SIGTERM"
wait_event "$dir/relay.ndjson" stopped >/dev/null || fail "msrp relay printed no stopped event"
echo "relay: stopped on SIGTERM"
