#!/usr/bin/env bash
# Interop: the bytes both demo endpoints write, and one chunk of every kind the serializer
# builds, decoded by an independent MSRP implementation (tshark's dissector, installed by
# ../shared/peers/tshark/install.sh).
# Every frame our own strict parser finds must be decoded by tshark, with its end-line
# matching its transaction id and no malformed-packet or expert note.
#
# The demo runs with --text: tshark 4.0's dissector reports "Trailing stray characters"
# for valid chunks with binary bodies (a hand-made 256 KiB random-byte chunk gets the same
# note), so binary transfers cannot be checked with it.
set -euo pipefail
cd "$(dirname "$0")/.."
peers=../shared/peers
bash "$peers/tshark/install.sh" >/dev/null
cargo build --release -q -p msrp-cli
msrp=target/release/msrp
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$msrp" demo --size 300K --text --record "$dir" >/dev/null
for side in alice bob; do
  file="$dir/$side.sent.msrp"
  frames=$("$msrp" inspect chunk "$file" --strict |
    python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d.get("frames", [d])))')
  if ! python3 "$peers/tshark/msrp_decode.py" "$file" --check "$frames" >"$dir/$side.json"; then
    tail -n 5 "$dir/$side.json"
    echo "tshark does not decode what $side wrote" >&2
    exit 1
  fi
  echo "$side: $frames frames written, all decoded by tshark"
done

# One chunk of every kind the serializer builds (responses, REPORTs, AUTH, NICKNAME, `#`).
frames=$(cargo run --release -q -p msrp-proto --example wire_samples -- "$dir/samples.msrp")
if ! python3 "$peers/tshark/msrp_decode.py" "$dir/samples.msrp" --check "$frames" >"$dir/samples.json"; then
  tail -n 5 "$dir/samples.json"
  echo "tshark does not decode the serializer's samples" >&2
  exit 1
fi
echo "samples: $frames frames of every kind, all decoded by tshark"

# The bytes `msrp listen` and `msrp send` write on a real connection: captured live on
# loopback (capture rights needed: root, as on CI), each TCP stream's two directions cut
# back into raw bytes, then counted by our strict parser and decoded by tshark.
if [ "$(id -u)" != 0 ]; then
  echo "cli: skipped (a live capture on lo needs root)" >&2
  exit 0
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tshark -q -i lo -f "tcp port $port" -w "$dir/cli.pcap" 2>/dev/null &
capture=$!
# tshark has started capturing once the file has its header.
for _ in $(seq 50); do [ -s "$dir/cli.pcap" ] && break; sleep 0.1; done
sleep 0.5
"$msrp" listen --bind "127.0.0.1:$port" >"$dir/listen.out" &
listener=$!
for _ in $(seq 50); do [ -s "$dir/listen.out" ] && break; sleep 0.1; done
uri=$(head -n 1 "$dir/listen.out")
"$msrp" send --to "$uri" "Hello from msrp send" >/dev/null
# A 300 KB text file (binary bodies trip tshark 4.0, see above), with a success REPORT,
# in chunks of 16 KiB: tshark 4.0 cuts the end-line of chunks of 64 KiB and more (our
# default for a lone message) and reports "Malformed Packet (Exception occurred)".
python3 -c 'import sys; sys.stdout.write("".join(chr(97 + i * 7 % 26) + ("\n" if i % 70 == 69 else "") for i in range(300000)))' >"$dir/text.txt"
"$msrp" send --to "$uri" --file "$dir/text.txt" --content-type text/plain --max-chunk 16K >/dev/null
kill -TERM "$listener"
wait "$listener"
sleep 1
kill -INT "$capture"
wait "$capture" || true
streams=$(tshark -r "$dir/cli.pcap" -T fields -e tcp.stream 2>/dev/null | sort -un)
[ -n "$streams" ] || { echo "cli: nothing captured" >&2; exit 1; }
for s in $streams; do
  # follow,tcp,raw prints the first node's bytes as hex lines, the other's indented by a tab.
  tshark -r "$dir/cli.pcap" -q -z "follow,tcp,raw,$s" 2>/dev/null | python3 -c '
import sys
client, server = bytearray(), bytearray()
for line in sys.stdin:
    if line.startswith("="*10) or ":" in line or not line.strip():
        continue
    (server if line.startswith("\t") else client).extend(bytes.fromhex(line.strip()))
open(sys.argv[1], "wb").write(client)
open(sys.argv[2], "wb").write(server)
' "$dir/cli-$s.send.msrp" "$dir/cli-$s.listen.msrp"
  for side in send listen; do
    file="$dir/cli-$s.$side.msrp"
    frames=$("$msrp" inspect chunk "$file" --strict |
      python3 -c 'import json, sys; d = json.load(sys.stdin); print(len(d.get("frames", [d])))')
    if ! python3 "$peers/tshark/msrp_decode.py" "$file" --check "$frames" >"$dir/cli-$s-$side.json"; then
      tail -n 5 "$dir/cli-$s-$side.json"
      echo "tshark does not decode what msrp $side wrote (connection $s)" >&2
      exit 1
    fi
    echo "cli connection $s: $frames frames written by msrp $side, all decoded by tshark"
  done
done
