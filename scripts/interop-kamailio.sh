#!/usr/bin/env bash
# Interop: our client side of RFC 4976 through a real relay, Kamailio's msrp module
# (../shared/peers/kamailio: installed, started and stopped by PID here).
#
#   bash scripts/interop-kamailio.sh
#
# For each of Kamailio's `auth` (Digest) and `tls` instances: `msrp listen --relay`
# authenticates (AUTH, 401 with a Digest challenge, AUTH again, 200 with Use-Path) and
# prints the path the relay gave; `msrp send` (a peer without a relay, as Kamailio's
# connection map routes) sends a text message and a 100 KB file in 10 KB chunks to that
# path; the listener must show the text and the file with its SHA-1, and a send to a
# session the relay does not know must exit 1 with 481. A wrong password must be refused.
# Run as root (as on CI), the auth instance's traffic is captured on lo and every frame
# our two commands wrote is decoded by tshark (../shared/peers/tshark) with no error.
#
# The sends use --no-report (done at the relay's hop-by-hop 200s): Kamailio's
# connection-map configuration routes a request by the session id of its first To-Path
# URI, so the success REPORT the listener sends back (To-Path: the relay's URI for the
# listener's session, then the sender, as RFC 4976 section 6 asks) is delivered to the
# listener again, never to the sender. A capture in the tests of this script showed it.
set -euo pipefail
cd "$(dirname "$0")/.."
peers=../shared/peers
bash "$peers/kamailio/install.sh" >/dev/null
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
  echo "interop-kamailio: $*" >&2
  exit 1
}

# wait_event FILE NAME, field EVENT NAME.
source scripts/ndjson.sh

# Text bytes (tshark 4.0's dissector trips on binary bodies, see interop-tshark.sh), in
# lines, so that the capture below can be decoded.
python3 -c 'import sys; sys.stdout.write("".join(chr(97 + i * 11 % 26) + ("\n" if i % 64 == 63 else "") for i in range(100000)))' >"$dir/file.bin"
want_sha1=$(python3 -c 'import hashlib, sys
d = hashlib.sha1(open(sys.argv[1], "rb").read()).hexdigest().upper()
print(":".join(d[i:i + 2] for i in range(0, 40, 2)))' "$dir/file.bin")

run_instance() {
  local name=$1 relay=$2
  shift 2
  local tls=("$@")
  if [ "$name" = tls ]; then
    # start.sh makes a CA-flagged certificate (openssl req -x509 defaults to CA:TRUE),
    # which rustls refuses to take for a server (CaUsedAsEndEntity): give it an
    # end-entity one for 127.0.0.1 before it starts (it keeps a certificate it finds).
    mkdir -p "$MSRP_PEERS_RUN/kamailio-tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
      -addext "subjectAltName=IP:127.0.0.1" -addext "basicConstraints=critical,CA:FALSE" \
      -keyout "$MSRP_PEERS_RUN/kamailio-tls/key.pem" \
      -out "$MSRP_PEERS_RUN/kamailio-tls/cert.pem" 2>/dev/null
  fi
  bash "$peers/kamailio/start.sh" "$name" >/dev/null
  local capture=""
  if [ "$name" = auth ] && [ "$(id -u)" = 0 ] && command -v tshark >/dev/null; then
    tshark -q -i lo -f "tcp port 2857" -w "$dir/auth.pcap" 2>/dev/null &
    capture=$!
    for _ in $(seq 50); do [ -s "$dir/auth.pcap" ] && break; sleep 0.1; done
    sleep 0.5
  fi
  if [ "$name" = tls ]; then
    tls=(--tls-ca "$MSRP_PEERS_RUN/kamailio-tls/cert.pem")
  fi
  local out="$dir/$name.listen.ndjson"
  "$msrp" listen --relay "$relay" --user alice --password msrp-secret "${tls[@]}" \
    --save-dir "$dir" --json >"$out" 2>"$dir/$name.listen.err" &
  pids+=($!)
  local listening path
  listening=$(wait_event "$out" listening) ||
    fail "$name: listen --relay did not authenticate: $(cat "$dir/$name.listen.err")"
  path=$(field "$listening" uri)
  echo "$name: authorised, path $path"

  "$msrp" send --to "$path" --no-report --max-chunk 10K "${tls[@]}" \
    "hello through Kamailio ($name)" >/dev/null ||
    fail "$name: the text was not delivered"
  wait_event "$out" message | grep -q "hello through Kamailio ($name)" ||
    fail "$name: the listener did not show the text"

  "$msrp" send --to "$path" --no-report --max-chunk 10K "${tls[@]}" \
    --file "$dir/file.bin" >/dev/null || fail "$name: the file was not delivered"
  local file_event got
  file_event=$(wait_event "$out" file) || fail "$name: the listener got no file"
  got=$(field "$file_event" sha1)
  [ "$got" = "$want_sha1" ] || fail "$name: file SHA-1 $got, sent $want_sha1"
  echo "$name: text and 100 KB file in 10 KB chunks delivered, SHA-1 $got"

  # A session the relay does not know: 481 (exit 1, the code printed).
  local first=${path%% *} status=0 err
  err=$("$msrp" send --to "${first%/*}/nosuchsession;tcp ${path##* }" "${tls[@]}" hi 2>&1 >/dev/null) ||
    status=$?
  [ "$status" = 1 ] && [[ $err == *481* ]] || fail "$name: unknown session: exit $status, $err"
  echo "$name: unknown session refused with 481"
  if [ -n "$capture" ]; then
    sleep 1
    kill -INT "$capture"
    wait "$capture" || true
    check_capture "$dir/auth.pcap"
  fi
  bash "$peers/kamailio/stop.sh" "$name" >/dev/null
}

# Every connection in the capture was opened by one of our commands: the bytes each
# wrote are counted by our strict parser and must all be decoded by tshark.
check_capture() {
  local pcap=$1 streams s frames file
  streams=$(tshark -r "$pcap" -T fields -e tcp.stream 2>/dev/null | sort -un)
  [ -n "$streams" ] || fail "nothing captured"
  for s in $streams; do
    file="$dir/ours-$s.msrp"
    # follow,tcp,raw: the first node's bytes as hex lines, the other's indented by a tab.
    tshark -r "$pcap" -q -z "follow,tcp,raw,$s" 2>/dev/null | python3 -c '
import sys
ours = bytearray()
for line in sys.stdin:
    if line.startswith("=" * 10) or ":" in line or not line.strip() or line.startswith("\t"):
        continue
    ours.extend(bytes.fromhex(line.strip()))
open(sys.argv[1], "wb").write(ours)
' "$file"
    [ -s "$file" ] || continue
    frames=$("$msrp" inspect chunk "$file" --strict |
      python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d.get("frames", [d])))')
    # One TCP segment per frame (loopback segments go to 64 KiB; our chunks here are
    # 10 KB). In 1400-byte segments tshark 4.0 reported an end-line "-------" without its
    # transaction id in a 10 KB chunk that our strict parser, and tshark itself given the
    # same bytes in one segment, read whole: a reassembly fault, not one of the bytes.
    python3 "$peers/tshark/msrp_decode.py" "$file" --segment 65000 --check "$frames" >"$dir/ours-$s.json" ||
      fail "tshark does not decode what our client wrote on connection $s: $(tail -n 5 "$dir/ours-$s.json")"
    echo "auth: connection $s: $frames frames we wrote, all decoded by tshark"
  done
}

run_instance auth 'msrp://127.0.0.1:2857;tcp'
run_instance tls 'msrps://127.0.0.1:2856;tcp'

# The auth instance refuses a wrong password.
bash "$peers/kamailio/start.sh" auth >/dev/null
status=0
err=$(timeout 60 "$msrp" listen --relay 'msrp://127.0.0.1:2857;tcp' --user alice \
  --password wrong --json 2>&1 >/dev/null) || status=$?
[ "$status" != 0 ] && [[ $err == *"refused the credentials"* ]] ||
  fail "a wrong password: exit $status, $err"
echo "auth: a wrong password is refused ($err)"
status=0
err=$("$msrp" send --relay 'msrp://127.0.0.1:2857;tcp' --user bob --password wrong \
  --to 'msrp://127.0.0.1:2857/x;tcp msrp://127.0.0.1:9/y;tcp' hi 2>&1 >/dev/null) || status=$?
[ "$status" = 1 ] && [[ $err == *401* ]] || fail "send --relay, wrong password: exit $status, $err"
echo "auth: send --relay with a wrong password exits 1 ($err)"
